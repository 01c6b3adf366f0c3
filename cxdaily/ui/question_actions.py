"""The session's one-key actions: a reply checked by its flow queued and sent, a reply
written in the leader's editor; tag as an insight (the question's near-duplicates too),
hand off, snooze, skip; and the questions that join the session: the next best one, a
stored one found by a search, fresh ones fetched.

Each opens its dialog when it has one, records what was done through the service (a
store write in the key handler: on disk when the key press returns), then tells the
session screen to mark the question and move on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from cxdaily.core.errors import CxDailyError
from cxdaily.core.models import InsightEntry, Question, Reply
from cxdaily.core.safe_text import one_line
from cxdaily.core.words import plural
from cxdaily.curation import BatchItem
from cxdaily.curation.estimate import estimate_seconds
from cxdaily.ui.app import app_of, service_of
from cxdaily.ui.compose_reply import compose_in_editor
from cxdaily.ui.group_tagging import (
    near_duplicates,
    outside_the_session,
    tag_near_duplicates,
    tag_questions,
)
from cxdaily.ui.keys import key_names
from cxdaily.ui.modals.handoff import HandoffResult, HandoffScreen
from cxdaily.ui.modals.snooze import SnoozeScreen
from cxdaily.ui.modals.tag import TagScreen
from cxdaily.ui.outbox_status import tell_attempt

if TYPE_CHECKING:
    from textual.screen import Screen

    from cxdaily.service import Service
    from cxdaily.ui.screens.session import SessionScreen

T = TypeVar("T")


class QuestionActions:
    """Tag, hand off, snooze and skip the session screen's highlighted question."""

    def __init__(self, screen: SessionScreen) -> None:
        self.screen = screen

    @property
    def service(self) -> Service:
        """The app's service."""
        return service_of(self.screen)

    def _record(self, item: BatchItem, status: str, record: Callable[[], object]) -> bool:
        """Run ``record`` (the service call that records what was done with ``item``),
        then mark the item ``status`` and move on; a failure is reported instead.
        Returns whether it was recorded."""
        try:
            record()
        except CxDailyError as exc:
            self.screen.report(exc)
            return False
        self.screen.mark(item, status)
        return True

    def _ask(
        self,
        dialog: Callable[[BatchItem], Screen[T | None]],
        then: Callable[[BatchItem, T], None],
    ) -> None:
        """Open ``dialog`` on the highlighted question; ``then`` gets the question and the
        answer (nothing happens on a cancel, an answer of None)."""
        item = self.screen.guard()
        if item is None:
            return

        def answered(answer: T | None) -> None:
            if answer is not None:
                then(item, answer)

        self.screen.app.push_screen(dialog(item), callback=answered)

    # reply -------------------------------------------------------------------------
    def queue_and_send(self, item: BatchItem, body: str, checked_at: datetime | None) -> None:
        """Queue a checked reply (durably), mark its question answered, and send it in
        a thread worker (once its undo window passes: :mod:`cxdaily.ui.reply_windows`)."""
        screen = self.screen
        try:
            reply = self.service.queue_reply(
                item.question.id, body, session_id=screen.session.id, checked_at=checked_at
            )
        except CxDailyError as exc:
            screen.report(exc)
            return
        screen.mark(item, "answered")
        if reply.send_after is not None:  # it waits for its undo window, counted down
            app_of(screen).reply_windows.schedule()
            return
        screen.run_worker(lambda: self._send(reply), thread=True, group="send", exit_on_error=False)

    def _send(self, reply: Reply) -> None:
        """Send through the outbox (in a thread); tell the leader how it went."""
        app = self.screen.app
        try:
            result = self.service.send(reply)
        except CxDailyError as exc:
            app.call_from_thread(self.screen.report, exc)
            return
        tell_attempt(app, result, "Reply kept in the outbox, not sent yet")

    def reply_in_editor(self) -> None:
        """Compose in $VISUAL/$EDITOR, then review in the composer."""
        screen = self.screen
        item = screen.guard()
        if item is None:
            return
        service = self.service
        draft = service.draft(item.question.id) or ""
        text = compose_in_editor(screen.app, draft, service.settings.editor)
        if text is not None:
            try:
                service.save_draft(item.question.id, text)
            except CxDailyError as exc:
                screen.report(exc)
            screen.action_reply(text)

    # tag ---------------------------------------------------------------------------
    def tag(self) -> None:
        """Tag the question as an insight."""
        self._ask(lambda item: TagScreen(item.question, self.service.known_tags()), self._after_tag)

    def _after_tag(self, item: BatchItem, entry: InsightEntry) -> None:
        screen = self.screen
        try:
            self.service.tag(item.question.id, entry, screen.session.id)
        except CxDailyError as exc:
            screen.report(exc)
            return
        screen.notify("Insight saved.", timeout=2)
        screen.tags.setdefault(item.question.id, set()).update(entry.tags)
        self._tag_near_duplicates(item, entry)
        screen.mark(item, "tagged")

    def _tag_near_duplicates(self, item: BatchItem, entry: InsightEntry) -> None:
        """The same insight for the item's near-duplicates: those still untagged in the
        session, and those curation left out of it (the whole group, as its line says)."""
        screen = self.screen
        members = near_duplicates(screen.items, screen.statuses, item)
        session_id = screen.session.id
        tagged, errors = tag_near_duplicates(self.service, members, entry, session_id)
        outside, more_errors = tag_questions(
            self.service, outside_the_session(screen.items, item), entry, session_id
        )
        for exc in errors + more_errors:
            screen.report(exc)
        for member in tagged:
            screen.tags.setdefault(member.question.id, set()).update(entry.tags)
            screen.record_status(member, "tagged")
        count = len(tagged) + len(outside)
        if count:
            others = "question" if count == 1 else "questions"
            screen.notify(f"Same insight saved for {count} near-duplicate {others}.")

    # hand off, snooze, skip ------------------------------------------------------------
    def hand_off(self) -> None:
        """Hand the question to a team."""
        self._ask(lambda item: HandoffScreen(item.question), self._after_hand_off)

    def _after_hand_off(self, item: BatchItem, result: HandoffResult) -> None:
        session_id = self.screen.session.id
        recorded = self._record(
            item,
            "handed_off",
            lambda: self.service.hand_off(item.question.id, result.team, result.note, session_id),
        )
        if recorded:  # which team takes it over: the dialog offered several
            team = one_line(result.team, 40)
            self.screen.notify(f"Handed off to {team}.", timeout=2, markup=False)

    def snooze(self) -> None:
        """Snooze the question."""
        self._ask(lambda item: self._snooze_dialog(), self._after_snooze)

    def _snooze_dialog(self) -> SnoozeScreen:
        """The snooze choices, counted from now and the start of the leader's day."""
        now = self.service.now()
        return SnoozeScreen(now, self.service.today_start(now))

    def _after_snooze(self, item: BatchItem, until: datetime) -> None:
        session_id = self.screen.session.id
        self._record(
            item, "snoozed", lambda: self.service.snooze(item.question.id, until, session_id)
        )

    def skip(self) -> None:
        """Skip the question for today."""
        item = self.screen.guard()
        if item is None:
            return
        session_id = self.screen.session.id
        self._record(item, "skipped", lambda: self.service.skip(item.question.id, session_id))

    # questions joining the session -------------------------------------------------------
    def pull_next(self) -> None:
        """Add the next best question to the session."""
        screen = self.screen
        item = self.service.next_best(i.question.id for i in screen.items)
        if item is None:
            screen.notify(
                f"Nothing else is waiting. {key_names(screen).key('end')} wraps up.",
                markup=False,
            )
            return
        screen.add_to_session(item)

    def add_stored(self, question: Question) -> None:
        """A stored question found by a search joins the session, to be worked like the
        others (answered, tagged, handed off)."""
        screen = self.screen
        if any(item.question.id == question.id for item in screen.items):
            return
        item = BatchItem(question, 0.0, estimate_seconds(question), ("found by search",))
        try:  # already answered (queued, sent): not one more to go, nor more time to spend
            answered = self.service.replies.latest_reply(question.id) is not None
        except CxDailyError:
            answered = False
        if answered:
            screen.statuses[question.id] = "answered"
        screen.add_to_session(item)
        screen.notify("Added to this session from the stored questions.", timeout=3)

    def fetch(self, quiet: bool = True) -> None:
        """Fetch every channel in a thread worker; new questions wait for n. A quiet
        (periodic) fetch says something only when questions arrived or a channel failed."""
        self.screen.run_worker(
            lambda: self._fetch(quiet),
            thread=True,
            exclusive=True,
            group="refresh",
            exit_on_error=False,
        )

    def _fetch(self, quiet: bool) -> None:
        screen = self.screen
        try:
            report = self.service.refresh()
        except CxDailyError as exc:
            screen.app.call_from_thread(screen.report, exc)
            return
        failed = len(report.failed)
        if quiet and not report.added and not failed:
            return
        message = plural(report.added, "new question")
        if report.added:
            message += f", {key_names(screen).key('more')} pulls the next best"
        if failed:
            names = ", ".join(o.channel for o in report.failed)
            message += f"; failed: {names}"
        screen.app.call_from_thread(
            screen.notify,
            message + ".",
            severity="warning" if failed else "information",
            markup=False,
        )
