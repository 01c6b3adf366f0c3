"""The facade the command line and the app share: every job the app does works from a script.

A :class:`Service` owns the opened store (and its single-instance lock), the settings
and the connectors. All store access goes through one lock so the app's worker threads
never interleave writes. Network work runs on an event loop per call; the app calls
these methods from thread workers.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from cxdaily.connectors import Connector, connector_class
from cxdaily.core import clock
from cxdaily.core.errors import CxDailyError, NotFoundError, ReplyRejected, StoreError
from cxdaily.core.models import Action, Disposition, Insight, Question, Session, new_id
from cxdaily.curation import Batch, BatchItem, LeaderHistory, build_history, curate, latest_actions
from cxdaily.curation import next_best as curation_next_best
from cxdaily.curation.history import HISTORY_DAYS
from cxdaily.paths import DEMO_PROFILE, Locations, locations
from cxdaily.service.replies import RepliesMixin
from cxdaily.settings import ChannelSettings, Settings, load_settings
from cxdaily.store import Store
from cxdaily.store.repositories import ChannelStatus
from cxdaily.streaks import (
    Streak,
    batch_completed_at,
    compute_streak,
    day_of,
    day_start_instant,
    record_day,
)
from cxdaily.taxonomy import SENTIMENTS, suggest_sentiment

if TYPE_CHECKING:  # the HTTP layer loads on first fetch, not at start-up
    from cxdaily.connectors.runner import ChannelOutcome
    from cxdaily.insights.build import Digest
    from cxdaily.insights.source import DigestRequest
    from cxdaily.streaks.stats import PersonalStats

DEMO_CHANNEL = ChannelSettings(name="demo", kind="demo")


def _deadline_or_default(channel: ChannelSettings, deadline_of: Callable) -> float:
    """A channel's fetch deadline; a bad one fails that channel later, in its outcome."""
    try:
        return float(deadline_of(channel))
    except CxDailyError:
        return 60.0


@dataclass(frozen=True)
class RefreshReport:
    """What a refresh did, channel by channel."""

    outcomes: tuple[ChannelOutcome, ...]
    added: int
    updated: int

    @property
    def failed(self) -> list[ChannelOutcome]:
        """Channels that failed."""
        return [o for o in self.outcomes if o.error]


@dataclass(frozen=True)
class SessionSummary:
    """The wrap-up of a session."""

    session: Session
    counts: dict[str, int]
    minutes_used: float
    insights: int
    streak: Streak
    completed_batch: bool = False
    """Every planned question was dealt with before the session ended (earns freezes)."""


class Service(RepliesMixin):
    """cxdaily's headless core, bound to one profile's config and data."""

    def __init__(
        self,
        where: Locations,
        settings: Settings,
        *,
        read_only: bool = False,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self.locations = where
        self.settings = settings
        self.now = now
        self.store = Store(where.data_dir, read_only=read_only)
        self._lock = threading.RLock()
        self._session_starts: dict[str, datetime] = {}  # for the day an action counts for
        self._past_actions: tuple[datetime, list[Action]] | None = None  # see _history

    @classmethod
    def open(cls, profile: str | None = None, *, read_only: bool = False) -> Service:
        """Open the default profile (or the demo) with its config and data folder."""
        where = locations(profile)
        # the demo never uses the configured channels: they are not checked (nor httpx loaded)
        settings = load_settings(where.config_file, check_channels=profile != DEMO_PROFILE)
        if profile == DEMO_PROFILE:
            settings = replace(settings, channels={"demo": DEMO_CHANNEL})
        return cls(where, settings, read_only=read_only)

    def close(self) -> None:
        """Release the store and its lock."""
        self.store.close()

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # channels -------------------------------------------------------------
    def connector(self, name: str, client=None) -> Connector:
        """The connector of a configured channel (on ``client``, the shared HTTP client)."""
        from cxdaily.credentials import secret_reader

        channel = self.settings.channels.get(name)
        if channel is None:
            known = ", ".join(sorted(self.settings.channels)) or "none configured"
            raise NotFoundError(f"no channel named {name!r} (channels: {known})")
        cls = connector_class(channel.kind)
        return cls(channel, client=client, secrets=secret_reader(name), now=self.now)

    def refresh(
        self,
        names: Iterable[str] | None = None,
        on_done: Callable[[ChannelOutcome], None] | None = None,
    ) -> RefreshReport:
        """Fetch the named (or all) channels concurrently and store what they brought.

        Each channel's questions are stored in one batched write as soon as it finishes
        (then ``on_done`` is told), so fresh questions appear while slower channels are
        still working. A channel that fails is reported in its outcome and its status;
        the others are unaffected. ``on_done`` runs on the thread that called refresh
        (the app calls refresh from a thread worker, so it must hop to the UI thread).
        """
        chosen = list(dict.fromkeys(names)) if names else list(self.settings.channels)
        for name in chosen:
            if name not in self.settings.channels:
                known = ", ".join(sorted(self.settings.channels)) or "none configured"
                raise NotFoundError(f"no channel named {name!r} (channels: {known})")
        with self._lock:
            checkpoints = {n: self.store.questions.checkpoint(n) for n in chosen}
        from cxdaily.connectors.runner import (
            BACKSTOP_S,
            GRACE_S,
            ChannelOutcome,
            WorkAbandonedError,
            channel_deadline_s,
            run_bounded,
        )

        totals = {"added": 0, "updated": 0}
        stored: dict[str, ChannelOutcome] = {}  # outcomes as stored (with skipped records)
        limit = (
            GRACE_S
            + BACKSTOP_S
            + max(
                (
                    _deadline_or_default(self.settings.channels[n], channel_deadline_s)
                    for n in chosen
                ),
                default=0.0,
            )
        )
        try:
            outcomes = run_bounded(
                lambda post: self._fetch(chosen, checkpoints, post, stored, totals),
                limit,
                what="fetching",
                on_message=on_done or (lambda outcome: None),
            )
        except WorkAbandonedError as exc:
            # A connector stuck where no deadline reaches: report what was stored and let
            # the rest go (waiting for the lock lets a write under way finish first).
            with self._lock:
                done = dict(stored)
            outcomes = []
            for name in chosen:
                if name in done:
                    outcomes.append(done[name])
                    continue
                outcome = ChannelOutcome.failed(name, WorkAbandonedError(str(exc), channel=name))
                outcomes.append(outcome)
                if on_done is not None:
                    on_done(outcome)
        self.archive_old_questions()
        return RefreshReport(
            outcomes=tuple(outcomes), added=totals["added"], updated=totals["updated"]
        )

    async def _fetch(self, chosen, checkpoints, post, stored, totals) -> list[ChannelOutcome]:
        """Fetch and store every chosen channel; ``post`` hands each outcome to the caller."""
        from cxdaily.connectors.http import make_client
        from cxdaily.connectors.runner import ChannelOutcome, channel_deadline_s, fetch_all
        from cxdaily.service.fetching import store_outcome

        def store(outcome: ChannelOutcome) -> ChannelOutcome:
            with self._lock:
                outcome, added, updated = store_outcome(self.store, outcome, self.now())
                totals["added"] += added
                totals["updated"] += updated
                stored[outcome.channel] = outcome
            return outcome

        async def finished(outcome: ChannelOutcome) -> None:
            try:
                outcome = await asyncio.to_thread(store, outcome)
            except Exception as exc:
                post(ChannelOutcome.failed(outcome.channel, exc, outcome.seconds))
                raise
            post(outcome)

        async with make_client() as client:
            connectors: dict[str, Connector | CxDailyError] = {}
            deadlines: dict[str, float] = {}
            for name in chosen:
                try:
                    connectors[name] = self.connector(name, client)
                    deadlines[name] = channel_deadline_s(self.settings.channels[name])
                except CxDailyError as exc:  # a bad channel config fails that channel only
                    connectors[name] = exc
            outcomes = await fetch_all(
                connectors, checkpoints, deadlines=deadlines, on_done=finished
            )
        return [stored.get(o.channel, o) if o.ok else o for o in outcomes]

    def channel_status(self) -> list[ChannelStatus]:
        """Every configured channel's last fetch time, question count and error, in order."""
        with self._lock:
            stored = self.store.questions.channel_statuses()
        return [stored.get(name) or ChannelStatus(channel=name) for name in self.settings.channels]

    def check_channel(self, name: str) -> str:
        """Check a channel's reachability and auth; returns what was checked, else raises."""
        from cxdaily.connectors.runner import run_on_channel

        self.connector(name)  # unknown names and bad options fail before any network work
        return run_on_channel(
            self.settings.channels[name],
            lambda client: self.connector(name, client),
            lambda connector: connector.check(),
            wrap_errors=False,
        )

    # curation ---------------------------------------------------------------
    def today_start(self, now: datetime | None = None) -> datetime:
        """When the leader's current day began."""
        now = now or self.now()
        s = self.settings.session
        return day_start_instant(day_of(now, s.zone, s.day_start), s.zone, s.day_start)

    def _window_start(self, now: datetime) -> datetime:
        """The oldest moment curation and the leader's history look at."""
        max_age = timedelta(seconds=self.settings.curation.max_age_s)
        return now - max(max_age, timedelta(days=HISTORY_DAYS)) - timedelta(days=1)

    def archive_old_questions(self) -> int:
        """Move questions older than curation and history look (with a day to spare) to
        the monthly archive, keeping any the leader acted on within that window; returns
        how many moved. Runs after each fetch, so start-up reads a few weeks, not years."""
        now = self.now()
        since = self._window_start(now)
        with self._lock:
            if self.store.folder.read_only:
                return 0
            keep = {a.question_id for a in self.store.activity.actions(since=since)}
            return self.store.questions.archive(since - timedelta(days=1), keep)

    def _curation_inputs(
        self, now: datetime
    ) -> tuple[list[Question], dict[str, Action], LeaderHistory]:
        """Stored questions, the latest action on each, and the leader's history.

        Reads only the store: whether the team already answered comes from what the
        connectors stored (``meta``), never from the network.
        """
        since = self._window_start(now)
        with self._lock:
            questions = self.store.questions.all()
            actions = self.store.activity.actions(since=since)
            sessions = self.store.activity.sessions()
        history = build_history(actions, sessions, {q.id: q for q in questions}, now)
        return questions, latest_actions(actions), history

    def batch(self, budget_s: int | None = None) -> Batch:
        """Today's curated batch within the budget, with what was left out and why."""
        now = self.now()
        questions, latest, history = self._curation_inputs(now)
        return curate(
            questions,
            latest,
            now,
            self.today_start(now),
            budget_s or self.settings.session.budget_s,
            settings=self.settings.curation,
            history=history,
        )

    def next_best(self, exclude: Iterable[str]) -> BatchItem | None:
        """The best question not yet in the session, for when the batch is done early."""
        now = self.now()
        questions, latest, history = self._curation_inputs(now)
        return curation_next_best(
            questions,
            latest,
            now,
            self.today_start(now),
            set(exclude),
            settings=self.settings.curation,
            history=history,
        )

    def question(self, question_id: str) -> Question:
        """A stored question."""
        with self._lock:
            return self.store.questions.get(question_id)

    # sessions -----------------------------------------------------------------
    def start_session(self, batch: Batch) -> Session:
        """Begin a session on a batch (saved at once)."""
        session = Session(
            id=new_id(),
            started_at=self.now(),
            budget_s=batch.budget_s,
            planned=tuple(i.question.id for i in batch.items),
        )
        with self._lock:
            self.store.activity.save_session(session)
        return session

    def update_session(self, session: Session) -> None:
        """Save a session's changes (extra time, end, reflection)."""
        with self._lock:
            self.store.activity.save_session(session)

    def summarize(self, session: Session) -> SessionSummary:
        """What a session did, for the wrap-up."""
        with self._lock:
            actions = [
                a
                for a in self.store.activity.actions(since=session.started_at)
                if a.session_id == session.id
            ]
            insights = [
                i
                for i in self.store.insights.between(since=session.started_at)
                if i.session_id == session.id
            ]
        latest = {a.question_id: a.disposition for a in actions}
        counts = Counter(d.value for d in latest.values())
        if insights:
            counts[Disposition.TAGGED.value] = len({i.question_id for i in insights})
        end = session.ended_at or self.now()
        return SessionSummary(
            session=session,
            counts=dict(counts),
            minutes_used=(end - session.started_at).total_seconds() / 60,
            insights=len(insights),
            streak=self.streak(),
            completed_batch=batch_completed_at(session, actions) is not None,
        )

    # actions -----------------------------------------------------------------
    def _record(
        self,
        question_id: str,
        disposition: Disposition,
        session_id: str | None,
        *,
        action_id: str | None = None,
        **fields,
    ) -> Action:
        """Record an action now (``action_id``: recording it again replaces it)."""
        self.question(question_id)  # raises NotFoundError for an unknown id
        now, s = self.now(), self.settings.session
        action = Action(
            question_id=question_id,
            disposition=disposition,
            at=now,
            session_id=session_id,
            # the day it counts for, fixed now: a later change of home zone never moves it
            day=record_day(now, s.zone, s.day_start, self._session_started(session_id)),
            **fields,
        )
        with self._lock:
            self.store.activity.record(action, action_id)
        return action

    def tag(
        self,
        question_id: str,
        *,
        tags: Iterable[str],
        team: str | None = None,
        sentiment: str | None = None,
        importance: int = 1,
        summary: str = "",
        quote: str = "",
        note: str | None = None,
        session_id: str | None = None,
    ) -> Insight:
        """Record an insight from a question (durably) and mark the question tagged.

        Tags and team are checked against the configured taxonomy; without a sentiment,
        one is suggested from the quote (or the question).

        Two files are written: the insight first, then the action. The insight's id comes
        from what it says and the leader's day, and the action's from the insight, so
        running the same tag again (after the second write failed, say) replaces both
        instead of adding a second insight."""
        question = self.question(question_id)
        taxonomy = self.settings.taxonomy
        clean_tags = taxonomy.check_tags(tags)
        if not clean_tags:
            raise ReplyRejected("an insight needs at least one tag")
        if importance not in (1, 2, 3):
            raise ReplyRejected("importance is 1, 2 or 3")
        team = taxonomy.check_team(team)
        if sentiment and sentiment not in SENTIMENTS:
            raise ReplyRejected(f"sentiment is one of {', '.join(SENTIMENTS)}")
        sentiment = sentiment or suggest_sentiment(quote or question.body)
        now = self.now()
        content = [question_id, list(clean_tags), team, sentiment, importance]
        content += [summary.strip(), quote.strip(), (note or "").strip(), session_id]
        insight = Insight(
            id=_content_id(content, self.today_start(now).isoformat()),
            question_id=question_id,
            channel=question.channel,
            url=question.url,
            customer_name=question.author.name,
            customer_handle=question.author.handle,
            tags=clean_tags,
            team=team or None,
            sentiment=sentiment or None,
            importance=importance,
            summary=summary.strip(),
            quote=quote.strip(),
            note=(note or "").strip() or None,
            created_at=now,
            session_id=session_id,
        )
        with self._lock:
            earlier = self.store.insights.find(insight.id, (self.today_start(now), now))
            if earlier is not None:  # the same tag again today: keep its file and time
                insight = replace(insight, created_at=earlier.created_at)
            self.store.insights.add(insight)
        try:
            self._record(question_id, Disposition.TAGGED, session_id, action_id=insight.id)
        except StoreError as exc:
            raise StoreError(
                f"the insight on {question_id} was saved, but marking the question tagged "
                f"in today's actions failed: {exc}. Run the same command again when that is "
                "fixed: it completes this without a second insight"
            ) from exc
        return insight

    def hand_off(
        self, question_id: str, team: str, note: str, session_id: str | None = None
    ) -> Action:
        """Hand a question to a team with a note."""
        team = self.settings.taxonomy.check_team(team)
        return self._record(
            question_id, Disposition.HANDED_OFF, session_id, team=team, note=note.strip() or None
        )

    def snooze(self, question_id: str, until: datetime, session_id: str | None = None) -> Action:
        """Hide a question until a later time."""
        return self._record(question_id, Disposition.SNOOZED, session_id, until=until)

    def skip(self, question_id: str, session_id: str | None = None) -> Action:
        """Leave a question out of today's work."""
        return self._record(question_id, Disposition.SKIPPED, session_id)

    def known_tags(self) -> list[str]:
        """Tags to complete from: every tag used in the last year (most used first), then
        the configured tags and areas."""
        with self._lock:
            past = self.store.insights.between(since=self.now() - timedelta(days=365))
        used = Counter(t for i in past for t in i.tags)
        vocabulary = list(self.settings.taxonomy.vocabulary)
        return list(dict.fromkeys([t for t, _ in used.most_common()] + vocabulary))

    def digest(self, request: DigestRequest) -> Digest:
        """The insight digest of a period (see :mod:`cxdaily.insights`)."""
        from cxdaily.insights.source import collect_digest

        return collect_digest(self.store, self.settings, request, self.now(), lock=self._lock)

    # streak --------------------------------------------------------------------
    def _session_started(self, session_id: str | None) -> datetime | None:
        """When a session began (remembered: a session's start never changes)."""
        if session_id and session_id not in self._session_starts:
            with self._lock:
                for session in self.store.activity.sessions():
                    self._session_starts[session.id] = session.started_at
        return self._session_starts.get(session_id) if session_id else None

    def _history(self) -> tuple[list[Action], list[Session]]:
        """Every action and session. Actions before the current (UTC) month are parsed once
        and kept, so later calls read just this month's file: actions are only ever written
        by this service, into the month of ``now`` (a clock set back changes the month and
        so reads everything again)."""
        month = self.now().astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        with self._lock:
            if self._past_actions is None or self._past_actions[0] != month:
                everything = self.store.activity.actions()
                self._past_actions = (month, [a for a in everything if a.at < month])
                recent = [a for a in everything if a.at >= month]
            else:
                recent = self.store.activity.actions(since=month)
            sessions = self.store.activity.sessions()
        return self._past_actions[1] + recent, sessions

    def streak(self) -> Streak:
        """The streak as of now, under the ``[streak]`` rules."""
        actions, sessions = self._history()
        s = self.settings.session
        return compute_streak(
            actions, self.now(), s.zone, s.day_start, rules=self.settings.streak, sessions=sessions
        )

    def stats(self, weeks: int = 12) -> PersonalStats:
        """Personal stats over the last ``weeks`` weeks (see :mod:`cxdaily.streaks.stats`)."""
        from cxdaily.streaks.stats import compute_stats

        actions, sessions = self._history()
        with self._lock:
            insights = self.store.insights.between(since=self.now() - timedelta(weeks=weeks))
        return compute_stats(
            sessions, actions, [i.created_at for i in insights], self.now(), weeks=weeks
        )


def _content_id(content: list[object], day: str, length: int = 12) -> str:
    """A hex id derived from what a record says and the day it belongs to: the same
    record made again that day gets the same id (a repeated command replaces it)."""
    text = json.dumps([content, day], ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:length]
