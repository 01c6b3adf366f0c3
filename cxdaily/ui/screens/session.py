"""The session screen: the queue, the selected question, and the clock.

Every action is one key. A store write happens in the key handler, so the action is on
disk when the key press returns; sending a reply happens in a thread worker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList

from cxdaily.core.errors import CxDailyError
from cxdaily.core.models import InsightEntry, Reply, Session
from cxdaily.core.words import plural
from cxdaily.curation import Batch, BatchItem
from cxdaily.service import Service
from cxdaily.streaks import Streak
from cxdaily.ui.app import app_of, service_of
from cxdaily.ui.compose_reply import compose_in_editor
from cxdaily.ui.group_tagging import group_labels, near_duplicates, tag_near_duplicates
from cxdaily.ui.keys import SESSION_COMMANDS, TIMEUP_COMMANDS, bindings, key_names
from cxdaily.ui.messages import WrapUp
from cxdaily.ui.modals.confirm import ConfirmScreen, Part, Question
from cxdaily.ui.modals.handoff import HandoffResult, HandoffScreen
from cxdaily.ui.modals.snooze import SnoozeScreen
from cxdaily.ui.modals.tag import TagScreen
from cxdaily.ui.outbox_status import tell_attempt
from cxdaily.ui.reply_flow import ReplyChecked, ReplyFlow, ReplyNotSent
from cxdaily.ui.widgets.question_view import QuestionView
from cxdaily.ui.widgets.queue import QuestionQueue
from cxdaily.ui.widgets.timer import SessionTimer

WARN_AT = 0.8
EXTRA_S = 5 * 60
REFRESH_EVERY_S = 5 * 60  # fresh questions arrive while the leader works
DONE = {"answered", "tagged", "answered+tagged", "handed_off", "snoozed", "skipped"}
STATUS_WORDS = {
    "answered": "Answered.",
    "tagged": "Tagged as an insight.",
    "answered+tagged": "Answered and tagged as an insight.",
    "handed_off": "Handed off to the team.",
    "snoozed": "Snoozed.",
    "skipped": "Skipped for today.",
}


def time_up_question(items_left: int) -> Question:
    """Time is up: no wraps up now, yes (or escape) takes five more minutes."""
    left = f"{plural(items_left, 'question')} left."
    return Question(
        id="timeup",
        title="Your time is up.",
        parts=(Part("timeup-text", Content(f"{left} Wrap up now, or take five more minutes?")),),
        commands=TIMEUP_COMMANDS,
        no_variant="primary",
        yes_variant="default",
    )


class SessionScreen(Screen):
    """One session on one batch, against the clock."""

    BINDINGS = bindings(SESSION_COMMANDS)
    KEY_COMMANDS = SESSION_COMMANDS

    def __init__(self, batch: Batch, session: Session) -> None:
        super().__init__()
        self.items: list[BatchItem] = list(batch.items)
        self._labels: dict[str, list[str]] = {}  # near-duplicates' names, by question id
        self.session = session
        self.statuses: dict[str, str] = {}
        self.started = time.monotonic()
        self.warned = False
        self.asked = False
        self.done_told = False

    # layout -------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        """Clock on top, queue and question side by side, keys at the bottom."""
        yield SessionTimer(id="timer")
        with Horizontal(id="session-body"):
            yield QuestionQueue(id="queue")
            yield QuestionView(id="question")
        yield Footer()

    def on_mount(self) -> None:
        """Fill the queue, show the first question, start the clock."""
        queue = self.query_one(QuestionQueue)
        queue.set_items(self.items, self.statuses)
        queue.focus()
        self.show_current()
        self.tick()
        self.set_interval(1.0, self.tick)
        if self.service.settings.channels:
            self.set_interval(REFRESH_EVERY_S, self.fetch_in_background)

    @property
    def service(self) -> Service:
        """The app's service."""
        return service_of(self)

    # clock -------------------------------------------------------------------
    @property
    def elapsed_s(self) -> float:
        """Seconds since the session began."""
        return time.monotonic() - self.started

    @property
    def total_s(self) -> int:
        """The budget plus any extra time taken."""
        return self.session.budget_s + self.session.extra_s

    def pending(self) -> list[BatchItem]:
        """Questions not yet dealt with."""
        return [i for i in self.items if self.statuses.get(i.question.id, "") not in DONE]

    def tick(self) -> None:
        """Redraw the clock; warn at 80%, ask at 100%."""
        left = self.total_s - self.elapsed_s
        pending = self.pending()
        self.query_one(SessionTimer).show(
            left,
            self.total_s,
            len(pending),
            len(self.items),
            sum(i.estimate_s for i in pending),
            streak.current if (streak := app_of(self).streak) else 0,
        )
        if not self.warned and self.elapsed_s >= self.total_s * WARN_AT and pending:
            self.warned = True
            minutes = max(round(left / 60), 1)
            self.notify(
                f"About {plural(minutes, 'minute')} left and "
                f"{plural(len(pending), 'question')} to go. "
                "Pick the ones that matter most.",
                title="Heads up",
            )
        if left <= 0 and not self.asked and self.app.screen is self:
            self.asked = True
            self.app.push_screen(
                ConfirmScreen(time_up_question(len(pending))), callback=self._after_time_up
            )

    def _after_time_up(self, more: bool | None) -> None:
        if more:
            # Five more minutes from now, however long the question stayed open.
            over_s = int(self.elapsed_s) - self.total_s
            over_s = over_s if over_s >= 30 else 0  # a few seconds to answer do not count
            extra = self.session.extra_s + over_s + EXTRA_S
            self.session = replace(self.session, extra_s=extra)
            self.service.update_session(self.session)
            self.asked = False
            self.notify("Five more minutes.")
        else:
            self.action_end_session()

    # selection ----------------------------------------------------------------
    @property
    def index(self) -> int | None:
        """Index of the highlighted question."""
        return self.query_one(QuestionQueue).highlighted

    def current(self) -> BatchItem | None:
        """The highlighted question."""
        index = self.index
        return self.items[index] if index is not None and index < len(self.items) else None

    def _group_labels(self, item: BatchItem) -> list[str]:
        """The names of ``item``'s near-duplicates, read once per question (a member
        outside the session is a store read: not on every highlight)."""
        key = item.question.id
        if key not in self._labels:
            self._labels[key] = group_labels(self.items, item, self.service.question)
        return self._labels[key]

    def show_current(self) -> None:
        """Show the highlighted question in the view."""
        item = self.current()
        status = self.statuses.get(item.question.id, "") if item else ""
        draft = bool(item and self.service.draft(item.question.id))
        others = self._group_labels(item) if item else None
        self.query_one(QuestionView).show(
            item, self.service.now(), STATUS_WORDS.get(status, ""), draft, others
        )

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Follow the queue's highlight."""
        self.show_current()

    def action_next(self) -> None:
        """Next question."""
        self.query_one(QuestionQueue).action_cursor_down()

    def action_previous(self) -> None:
        """Previous question."""
        self.query_one(QuestionQueue).action_cursor_up()

    def mark(self, item: BatchItem, status: str) -> None:
        """Record the status of a question in the queue, then move on."""
        self.advance(self.record_status(item, status))

    def record_status(self, item: BatchItem, status: str) -> int:
        """Record the status of a question in the queue; returns its index."""
        qid = item.question.id
        before = self.statuses.get(qid, "")
        if {before, status} == {"answered", "tagged"} or (
            before == "answered+tagged" and status in ("answered", "tagged")
        ):
            status = "answered+tagged"
        self.statuses[qid] = status
        index = self.items.index(item)
        self.query_one(QuestionQueue).set_status(index, item, status)
        streak = app_of(self).streak
        if status in DONE and (streak is None or not streak.today_counts):
            self.refresh_streak()  # the handled question may make today count
        return index

    def reopen(self, question_id: str) -> None:
        """The question's reply was cancelled: it is to be answered again."""
        item = next((i for i in self.items if i.question.id == question_id), None)
        if item is None or self.statuses.pop(question_id, None) is None:
            return
        self.query_one(QuestionQueue).set_status(self.items.index(item), item, "")
        self.show_current()
        self.refresh_streak()

    @work(thread=True, exclusive=True, group="streak", exit_on_error=False)
    def refresh_streak(self) -> None:
        """Recompute the streak off the UI thread; the header shows it on the next tick."""
        try:
            streak = self.service.streak()
        except CxDailyError:
            return  # the header keeps the last figure; the wrap-up reports store errors
        self.app.call_from_thread(self._show_streak, streak)

    def _show_streak(self, streak: Streak) -> None:
        app_of(self).streak = streak
        self.tick()

    def advance(self, index: int) -> None:
        """Highlight the next question still pending, or say the batch is done."""
        order = list(range(index + 1, len(self.items))) + list(range(0, index + 1))
        for i in order:
            if self.statuses.get(self.items[i].question.id, "") not in DONE:
                self.query_one(QuestionQueue).highlighted = i
                self.show_current()
                return
        self.show_current()
        if not self.done_told:
            self.done_told = True
            left = max(round((self.total_s - self.elapsed_s) / 60), 0)
            keys = key_names(self)
            self.notify(
                f"Batch done with {plural(left, 'minute')} left. {keys.key('more')} pulls the "
                f"next best question, {keys.key('end')} wraps up.",
                title="Well done",
                markup=False,
            )

    def _guard(self) -> BatchItem | None:
        item = self.current()
        if item is None:
            self.notify("No question selected.", severity="warning")
        return item

    def _report(self, exc: CxDailyError) -> None:
        self.notify(str(exc), severity="error", markup=False)

    def _record(self, item: BatchItem, status: str, record: Callable[[], object]) -> None:
        """Run ``record`` (the service call that records what was done with ``item``),
        then mark the item ``status`` and move on; a failure is reported instead."""
        try:
            record()
        except CxDailyError as exc:
            self._report(exc)
            return
        self.mark(item, status)

    # reply ---------------------------------------------------------------------
    def action_reply(self, text: str | None = None) -> None:
        """Open the composer (with the saved draft, or ``text`` from the editor); the
        reply then goes through the checks of :class:`ReplyFlow` before the outbox."""
        item = self._guard()
        if item is None:
            return
        qid = item.question.id
        answered = self.statuses.get(qid) in ("answered", "answered+tagged")
        if (answered or self.service.has_replied(qid)) and not (
            self.service.replies.replaces_earlier_reply(qid)  # a review's one response
        ):
            self.notify("You already replied to this question.", severity="warning")
            return
        ReplyFlow(self, item).compose(text)

    def on_reply_checked(self, message: ReplyChecked) -> None:
        """Queue a checked reply, mark its question answered, and send it."""
        message.stop()
        try:
            reply = self.service.queue_reply(
                message.item.question.id,
                message.body,
                self.session.id,
                checked_at=message.checked_at,
            )
        except CxDailyError as exc:
            self._report(exc)
            return
        self.mark(message.item, "answered")
        self.send_reply(reply)

    def on_reply_not_sent(self, message: ReplyNotSent) -> None:
        """The reply went back to its draft: show the question (and its draft mark) again."""
        message.stop()
        self.show_current()

    @work(thread=True, group="send", exit_on_error=False)
    def send_reply(self, reply: Reply) -> None:
        """Send through the outbox in a thread; tell the leader how it went."""
        try:
            result = self.service.send(reply)
        except CxDailyError as exc:
            self.app.call_from_thread(self._report, exc)
            return
        tell_attempt(self.app, result, "Reply kept in the outbox, not sent yet")

    def action_reply_in_editor(self) -> None:
        """Compose in $VISUAL/$EDITOR, then review in the composer."""
        item = self._guard()
        if item is None:
            return
        service = self.service
        draft = service.draft(item.question.id) or ""
        text = compose_in_editor(self.app, draft, service.settings.editor)
        if text is not None:
            try:
                service.save_draft(item.question.id, text)
            except CxDailyError as exc:
                self._report(exc)
            self.action_reply(text)

    # tag, hand off, snooze, skip --------------------------------------------------
    def action_tag(self) -> None:
        """Tag the question as an insight."""
        item = self._guard()
        if item is None:
            return
        known = self.service.known_tags()
        self.app.push_screen(
            TagScreen(item.question, known), callback=lambda result: self._after_tag(item, result)
        )

    def _after_tag(self, item: BatchItem, entry: InsightEntry | None) -> None:
        if entry is None:
            return
        try:
            self.service.tag(item.question.id, entry, self.session.id)
        except CxDailyError as exc:
            self._report(exc)
            return
        self.notify("Insight saved.", timeout=2)
        self._tag_near_duplicates(item, entry)
        self.mark(item, "tagged")

    def _tag_near_duplicates(self, item: BatchItem, entry: InsightEntry) -> None:
        """The same insight for the item's near-duplicates still untagged in the session."""
        members = near_duplicates(self.items, self.statuses, item)
        tagged, errors = tag_near_duplicates(self.service, members, entry, self.session.id)
        for exc in errors:
            self._report(exc)
        for member in tagged:
            self.record_status(member, "tagged")
        if tagged:
            others = "question" if len(tagged) == 1 else "questions"
            self.notify(
                f"Same insight saved for {len(tagged)} near-duplicate {others} in this session."
            )

    def action_hand_off(self) -> None:
        """Hand the question to a team."""
        item = self._guard()
        if item is not None:
            self.app.push_screen(
                HandoffScreen(item.question),
                callback=lambda result: self._after_hand_off(item, result),
            )

    def _after_hand_off(self, item: BatchItem, result: HandoffResult | None) -> None:
        if result is None:
            return
        self._record(
            item,
            "handed_off",
            lambda: self.service.hand_off(
                item.question.id, result.team, result.note, self.session.id
            ),
        )

    def action_snooze(self) -> None:
        """Snooze the question."""
        item = self._guard()
        if item is None:
            return
        service = self.service
        now = service.now()
        self.app.push_screen(
            SnoozeScreen(now, service.today_start(now)),
            callback=lambda until: self._after_snooze(item, until),
        )

    def _after_snooze(self, item: BatchItem, until: datetime | None) -> None:
        if until is None:
            return
        self._record(
            item, "snoozed", lambda: self.service.snooze(item.question.id, until, self.session.id)
        )

    def action_skip(self) -> None:
        """Skip the question for today."""
        item = self._guard()
        if item is None:
            return
        self._record(item, "skipped", lambda: self.service.skip(item.question.id, self.session.id))

    # more ------------------------------------------------------------------------
    def action_pull_next(self) -> None:
        """Add the next best question to the session."""
        item = self.service.next_best(i.question.id for i in self.items)
        if item is None:
            self.notify(
                f"Nothing else is waiting. {key_names(self).key('end')} wraps up.", markup=False
            )
            return
        self.items.append(item)
        queue = self.query_one(QuestionQueue)
        queue.set_items(self.items, self.statuses)
        queue.highlighted = len(self.items) - 1
        self.done_told = False
        self.show_current()

    def action_refresh(self) -> None:
        """Fetch new questions now."""
        self.fetch_in_background(quiet=False)

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False)
    def fetch_in_background(self, quiet: bool = True) -> None:
        """Fetch every channel in a thread; new questions wait for n. A quiet (periodic)
        fetch says something only when questions arrived or a channel failed."""
        try:
            report = self.service.refresh()
        except CxDailyError as exc:
            self.app.call_from_thread(self._report, exc)
            return
        failed = len(report.failed)
        if quiet and not report.added and not failed:
            return
        message = plural(report.added, "new question")
        if report.added:
            message += f", {key_names(self).key('more')} pulls the next best"
        if failed:
            names = ", ".join(o.channel for o in report.failed)
            message += f"; failed: {names}"
        self.app.call_from_thread(
            self.notify,
            message + ".",
            severity="warning" if failed else "information",
            markup=False,
        )

    def ended(self) -> Session:
        """The session as it stands, ended now."""
        return replace(
            self.session, ended_at=self.session.started_at + timedelta(seconds=self.elapsed_s)
        )

    def record_end(self) -> None:
        """Save the end of the session (when leaving without the wrap-up)."""
        try:
            self.service.update_session(self.ended())
        except CxDailyError as exc:
            self._report(exc)

    def action_end_session(self) -> None:
        """Go to the wrap-up."""
        self.post_message(WrapUp(self.ended()))
