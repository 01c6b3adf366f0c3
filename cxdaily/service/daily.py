"""The leader's daily work: today's batch, the session, and what is done with each question.

:class:`Daily` curates the batch from the store alone (never the network), keeps the
session's record, and records skips, snoozes, hand-offs and insights through the
:class:`cxdaily.service.actions.ActionLog`; each one recorded in a session can be undone
(:class:`cxdaily.service.undo.SessionUndo`).
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec
from msgspec.structs import replace

from cxdaily import curation
from cxdaily.core.collector import collector_paused
from cxdaily.core.errors import ReplyRejected, StoreError
from cxdaily.core.models import (
    HANDLED,
    Action,
    Disposition,
    Insight,
    InsightEntry,
    Question,
    Session,
    new_id,
)
from cxdaily.curation import Batch, BatchItem
from cxdaily.curation.settings import HISTORY_DAYS
from cxdaily.insights.taxonomy import SENTIMENTS, suggest_sentiment
from cxdaily.service.actions import ActionLog
from cxdaily.service.context import ServiceContext
from cxdaily.service.kept_batch import KeptBatch
from cxdaily.service.progress import Progress
from cxdaily.service.undo import SessionUndo, UndoStep
from cxdaily.store.outbox import OUTBOX_KEPT
from cxdaily.streaks import Streak, batch_completed_at

if TYPE_CHECKING:
    from cxdaily.curation import LeaderHistory
    from cxdaily.curation.analysis import TextAnalysis
    from cxdaily.service.team import TeamRecorder

_Picked = TypeVar("_Picked")


class SessionSummary(msgspec.Struct, frozen=True):
    """The wrap-up of a session."""

    session: Session
    counts: dict[str, int]
    minutes_used: float
    insights: int
    streak: Streak
    completed_batch: bool = False
    """Every planned question was dealt with before the session ended (earns freezes)."""
    tagged_along: int = 0
    """Of the questions tagged, those outside the session: near-duplicates a tag of one of
    its questions was saved for too (not in ``counts``, which are the session's own)."""


def _outcomes(actions: list[Action]) -> list[Disposition]:
    """What a session's actions came to, question by question: every way a question was
    handled (answered and tagged both count), else its last disposition (a skip later
    changed to a snooze counts once, as a snooze)."""
    by_question: dict[str, list[Disposition]] = {}
    for action in actions:
        by_question.setdefault(action.question_id, []).append(action.disposition)
    outcomes: list[Disposition] = []
    for dispositions in by_question.values():
        handled = [d for d in dict.fromkeys(dispositions) if d in HANDLED]
        outcomes.extend(handled or dispositions[-1:])
    return outcomes


class Daily:
    """Today's batch, the session, and the actions on its questions: each action is
    recorded through ``actions`` and, in a session, told to ``undo``; the wrap-up reads
    the streak from ``progress``; ``team`` (``None`` without ``[team]``) is told of
    insights and hand-offs."""

    def __init__(
        self,
        context: ServiceContext,
        actions: ActionLog,
        progress: Progress,
        undo: SessionUndo,
        team: TeamRecorder | None = None,
    ) -> None:
        self.context = context
        self.actions = actions
        self.progress = progress
        self.undo = undo
        self.team = team
        self.kept = KeptBatch(context, self.window_start)
        """Today's batch curated after the last fetch, for the next launch."""

    # the day and what curation reads ------------------------------------------------
    def today_start(self, now: datetime | None = None) -> datetime:
        """When the leader's current day began."""
        now = now or self.context.now()
        s = self.context.settings.session
        return s.days.today_start(now)

    def window_start(self, now: datetime) -> datetime:
        """The oldest moment curation and the leader's history look at."""
        max_age = timedelta(seconds=self.context.settings.curation.max_age_s)
        return now - max(max_age, timedelta(days=HISTORY_DAYS)) - timedelta(days=1)

    def archive_old_questions(self) -> int:
        """Move questions older than curation and history look (with a day to spare) to
        the monthly archive, keeping any the leader acted on within that window; returns
        how many moved. Runs after each fetch, so start-up reads a few weeks, not years.

        Questions of that window found in the archive (moved there while the clock ran
        ahead, a year say) come back first: the clock set right again brings them back
        to the batch."""
        context = self.context
        since = self.window_start(context.now())
        with context.lock:
            if context.store.folder.read_only:
                return 0
            questions = context.store.questions
            questions.restore(since - timedelta(days=1))
            keep = {a.question_id for a in context.store.activity.actions(since=since)}
            return questions.archive(since - timedelta(days=1), keep)

    def archive_old_replies(self) -> int:
        """Move the replies sent or cancelled more than a month ago (see
        :data:`~cxdaily.store.outbox.OUTBOX_KEPT`) to the outbox's archive; returns how
        many moved. Runs after each fetch, so the outbox each reply rewrites stays the
        size of a month."""
        context = self.context
        with context.lock:
            if context.store.folder.read_only:
                return 0
            return context.store.outbox.archive(context.now() - OUTBOX_KEPT)

    def store_insight_redactions(self) -> int:
        """Give the stored insights that lack it their digest form, cleaned and redacted
        (written before it was stored, or before the code that makes it changed; see
        :mod:`cxdaily.store.insights`), in each month whose file changed since it was
        last checked, holding the store lock for one month at a time; then record the
        months found current, so that a digest need not check them. Returns how many
        were written. Runs after each fetch; costs a look at each file's size and time,
        and a read of the months that changed (today's, after a tag).

        A month that cannot be read or written is left for next time: meanwhile a digest
        cleans and redacts its insights itself, and whatever reads that month reports the
        damage."""
        context = self.context
        insights = context.store.insights
        with context.lock:
            months = insights.months_to_redact()
        written = 0
        for month in months:
            with context.lock:
                try:
                    written += insights.store_redactions(month)
                except StoreError:
                    continue  # damaged or unwritable: checked again next time
        if months:
            with context.lock, contextlib.suppress(StoreError):
                insights.record_checked_months()
        return written

    def _curation_inputs(
        self, now: datetime
    ) -> tuple[Sequence[Question], dict[str, Action], LeaderHistory, dict[str, TextAnalysis]]:
        """Stored questions, the latest action on each, the leader's history, and the
        text analyses kept with the questions (by id).

        Reads only the store: whether the team already answered comes from what the
        connectors stored (``meta``), never from the network.
        """
        context = self.context
        since = self.window_start(now)
        with collector_paused():
            with context.lock:
                questions, analyses = context.store.questions.analysed()
                actions = context.store.activity.actions(since=since)
                # a session a day older than its first action in the window is rare
                sessions = context.store.activity.sessions_of(actions, since - timedelta(days=1))
            history = curation.build_history(actions, sessions, questions.by_id(), now)
        pool: Sequence[Question] = questions  # models built only for those curation shows
        if self.team is not None:  # another leader of the team answered them
            pool = self.team.without_answered(list(questions))
        return pool, curation.latest_actions(actions), history, analyses

    # the batch ---------------------------------------------------------------------
    def batch(self, budget_s: int | None = None, *, keep: bool = False) -> Batch:
        """Today's curated batch within the budget, with what was left out and why; with
        ``keep``, and the budget of the settings, it is also kept for the next launch
        (see :meth:`kept_batch`), unless the store changed while it was curated."""
        budget = budget_s or self.context.settings.session.budget_s
        now = self.context.now()
        if keep and budget == self.context.settings.session.budget_s:
            return self._curate_and_keep({self.today_start(now): now}, budget)[0]
        return self._curated(curation.curate, budget, now)

    def keep_batch(self) -> bool:
        """Curate and keep today's batch and the next day's (as curated when that day
        begins), unless both are kept and current; returns whether they were curated.
        Called after ``cxdaily fetch`` and as the app closes (not by the app's refresh,
        whose thread would then curate twice while the leader's first keys wait), so
        tomorrow's first launch opens at once, fetch or none."""
        budget = self.context.settings.session.budget_s
        now = self.context.now()
        days = self.context.settings.session.days
        next_start = days.start_of(days.today(now) + timedelta(days=1))
        with self.context.lock:
            cannot_keep = self.context.store.folder.read_only or self.kept.key(budget) is None
            if cannot_keep or self.kept.holds(next_start, budget):
                return False  # nothing to keep (team mode ...) or nothing to do
        self._curate_and_keep({self.today_start(now): now, next_start: next_start}, budget)
        return True

    def _curate_and_keep(self, days: dict[datetime, datetime], budget_s: int) -> list[Batch]:
        """The batch of each day (by the instant it starts), curated as of the instant it
        maps to, and kept for the next launches unless the store changed meanwhile."""
        with self.context.lock:
            key = self.kept.key(budget_s)
        batches = {day: self._curated(curation.curate, budget_s, at) for day, at in days.items()}
        if key is not None:
            with self.context.lock:
                if self.kept.key(budget_s) == key:
                    self.kept.write(batches, key)
        return list(batches.values())

    @contextlib.contextmanager
    def batch_kept_through(self, question_id: str) -> Iterator[None]:
        """Around one action of the command line on ``question_id`` (a tag, a reply),
        which takes it out of today's candidates: when today's batch is kept and current
        before it, it is kept after it without that question, so the app's next launch
        still opens at once (its refresh then curates afresh, as on every launch). The
        command holds the store's single-writer lock, so the action is the only change
        meanwhile. The next day's batch is no longer kept: the next fetch, or the app as
        it closes, keeps it again."""
        budget = self.context.settings.session.budget_s
        today = self.today_start(self.context.now())
        with self.context.lock:
            before = None if self.context.store.folder.read_only else self.kept.read(today, budget)
        yield
        if before is None:
            return
        with self.context.lock:
            key = self.kept.key(budget)
            if key is not None:
                self.kept.write({today: before.without(question_id)}, key)

    def kept_batch(self) -> Batch | None:
        """Today's batch as last kept (:meth:`batch` with ``keep``: after each fetch, and
        as the app closes), when nothing it was curated from has changed since: shown at
        once while the batch is curated again (see :mod:`cxdaily.service.kept_batch`);
        ``None`` otherwise. Only the left-out questions the start screen lists are in
        it, the others counted (:meth:`Batch.shortened`)."""
        now = self.context.now()
        with self.context.lock:
            return self.kept.read(self.today_start(now), self.context.settings.session.budget_s)

    def next_best(self, exclude: Iterable[str]) -> BatchItem | None:
        """The best question not yet in the session, for when the batch is done early."""
        return self._curated(curation.next_best, set(exclude), self.context.now())

    def _curated(self, pick: Callable[..., _Picked], chosen: object, now: datetime) -> _Picked:
        """``pick`` (:func:`~cxdaily.curation.curate` or :func:`~cxdaily.curation.
        next_best`) over the stored questions as of ``now``, with ``chosen`` (the budget,
        or the ids to leave out) after the day's start, and the curation settings."""
        questions, latest, history, analyses = self._curation_inputs(now)
        return pick(
            questions,
            latest,
            now,
            self.today_start(now),
            chosen,
            settings=self.context.settings.curation,
            history=history,
            analyses=analyses,
        )

    # sessions ------------------------------------------------------------------------
    def plan_session(self, batch: Batch) -> Session:
        """The session ``batch`` would begin now, not saved (a screen built ahead of the
        leader's ``enter`` shows it; :meth:`start_session` begins the real one)."""
        return Session(
            id=new_id(),
            started_at=self.context.now(),
            budget_s=batch.budget_s,
            planned=tuple(i.question.id for i in batch.items),
        )

    def start_session(self, batch: Batch) -> Session:
        """Begin a session on a batch (saved at once)."""
        session = self.plan_session(batch)
        with self.context.lock:
            self.context.store.activity.save_session(session)
        return session

    def update_session(self, session: Session) -> None:
        """Save a session's changes (extra time, end, reflection)."""
        with self.context.lock:
            self.context.store.activity.save_session(session)

    def summarize(
        self, session: Session, questions: Collection[str] | None = None
    ) -> SessionSummary:
        """What a session did, for the wrap-up: ``counts`` over its ``questions`` (by
        default every question it acted on), the insights saved for the others counted
        apart (``tagged_along``)."""
        context = self.context
        with context.lock:
            actions = [
                a
                for a in context.store.activity.actions(since=session.started_at)
                if a.session_id == session.id
            ]
            insights = [
                i
                for i in context.store.insights.between(since=session.started_at)
                if i.session_id == session.id
            ]
        tagged = {i.question_id for i in insights}
        along = tagged - set(questions) if questions is not None else set()
        own_tagged = tagged - along
        counts = Counter(
            d.value for d in _outcomes([a for a in actions if a.question_id not in along])
        )
        if own_tagged:
            counts[Disposition.TAGGED.value] = len(own_tagged)
        end = session.ended_at or context.now()
        return SessionSummary(
            session=session,
            counts=dict(counts),
            minutes_used=(end - session.started_at).total_seconds() / 60,
            insights=len(insights),
            streak=self.progress.streak(),
            completed_batch=batch_completed_at(session, actions) is not None,
            tagged_along=len(along),
        )

    # actions -------------------------------------------------------------------------
    def tag(self, question_id: str, entry: InsightEntry, session_id: str | None = None) -> Insight:
        """Record an insight from a question (durably) and mark the question tagged.

        Tags and team are checked against the configured taxonomy; without a sentiment,
        one is suggested from the quote (or the question).

        Two files are written: the insight first, then the action. The insight's id comes
        from what it says and the leader's day, and the action's from the insight, so
        running the same tag again (after the second write failed, say) replaces both
        instead of adding a second insight."""
        context = self.context
        question = self.actions.question(question_id)
        taxonomy = context.settings.taxonomy
        clean_tags = taxonomy.check_tags(entry.tags)
        if not clean_tags:
            raise ReplyRejected("an insight needs at least one tag")
        if entry.importance not in (1, 2, 3):
            raise ReplyRejected("importance is 1, 2 or 3")
        team = taxonomy.check_team(entry.team)
        if entry.sentiment and entry.sentiment not in SENTIMENTS:
            raise ReplyRejected(f"sentiment is one of {', '.join(SENTIMENTS)}")
        # the customer's quoted words, else the question as curation reads it (title,
        # body, stars and priority): the batch's "negative" is the insight's too
        sentiment = entry.sentiment or suggest_sentiment(entry.quote or question)
        summary, quote = entry.summary.strip(), entry.quote.strip()
        note = (entry.note or "").strip()
        now = context.now()
        content = [question_id, list(clean_tags), team, sentiment, entry.importance]
        content += [summary, quote, note, session_id]
        insight = Insight(
            id=content_id(content, self.today_start(now).isoformat()),
            question_id=question_id,
            channel=question.channel,
            url=question.url,
            customer_name=question.author.name,
            customer_handle=question.author.handle,
            tags=clean_tags,
            team=team or None,
            sentiment=sentiment or None,
            importance=entry.importance,
            summary=summary,
            quote=quote,
            note=note or None,
            created_at=now,
            session_id=session_id,
        )
        with context.lock:
            earlier = context.store.insights.find(insight.id, (self.today_start(now), now))
            if earlier is not None:  # the same tag again today: keep its file and time
                insight = replace(insight, created_at=earlier.created_at)
            context.store.insights.add(insight)
        try:
            action = self.actions.record(
                question_id, Disposition.TAGGED, session_id, action_id=insight.id
            )
        except StoreError as exc:
            raise StoreError(
                f"the insight on {question_id} was saved, but marking the question tagged "
                f"in today's actions failed: {exc}. Run the same command again when that is "
                "fixed: it completes this without a second insight"
            ) from exc
        replaced = self.undo.recorded(session_id, insight.id) if earlier else None
        step = UndoStep(action, insight.id, insight, earlier, replaced)
        self.undo.push(session_id, step)
        if self.team is not None:
            self.team.insight_recorded(insight)
        return insight

    def hand_off(
        self, question_id: str, team: str, note: str, session_id: str | None = None
    ) -> Action:
        """Hand a question to a team with a note."""
        checked = self.context.settings.taxonomy.check_team(team)
        action = self._record_undoable(
            question_id, Disposition.HANDED_OFF, session_id, team=checked, note=note.strip() or None
        )
        if self.team is not None:
            self.team.handed_off(action)
        return action

    def snooze(self, question_id: str, until: datetime, session_id: str | None = None) -> Action:
        """Hide a question until a later time."""
        return self._record_undoable(question_id, Disposition.SNOOZED, session_id, until=until)

    def skip(self, question_id: str, session_id: str | None = None) -> Action:
        """Leave a question out of today's work."""
        return self._record_undoable(question_id, Disposition.SKIPPED, session_id)

    def _record_undoable(
        self, question_id: str, disposition: Disposition, session_id: str | None, **fields: Any
    ) -> Action:
        """Record an action under an id of its own, which its undo forgets."""
        action_id = new_id()
        action = self.actions.record(
            question_id, disposition, session_id, action_id=action_id, **fields
        )
        self.undo.push(session_id, UndoStep(action, action_id))
        return action

    def known_tags(self) -> list[str]:
        """Tags to complete from: every tag used in the last year (most used first), then
        the configured tags and areas."""
        context = self.context
        with context.lock:
            past = context.store.insights.between(since=context.now() - timedelta(days=365))
        used = Counter(t for i in past for t in i.tags)
        vocabulary = list(context.settings.taxonomy.vocabulary)
        return list(dict.fromkeys([t for t, _ in used.most_common()] + vocabulary))


def content_id(content: Sequence[object], day: str, length: int = 12) -> str:
    """A hex id derived from what a record says and the day it belongs to: the same
    record made again that day gets the same id (a repeated command replaces it)."""
    import hashlib  # loads OpenSSL: not on a launch's way to its first frame

    text = json.dumps([content, day], ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:length]
