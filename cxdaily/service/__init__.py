"""The facade the command line and the app share: every job the app does works from a script.

A :class:`Service` owns the opened store (and its single-instance lock), the settings
and the clock, kept in one :class:`ServiceContext`, and is built from collaborators
that each receive what they use (:class:`~cxdaily.service.parts.ServiceParts` makes
them, some on first use):

- :class:`~cxdaily.service.channels.Channels`: connectors, refresh, channel status, checks;
- :class:`~cxdaily.service.daily.Daily`: the batch, the session, skip, snooze, tag, hand off;
- :class:`~cxdaily.service.replies.Replies`: drafts, checks, the outbox, promises;
- :class:`~cxdaily.service.progress.Progress`: the streak and personal stats;
- :class:`~cxdaily.service.digests.Digests`: insight digests;
- :class:`~cxdaily.service.delivery.Delivery`: digests sent to destinations, the weekly rhythm;
- :class:`~cxdaily.service.saved_replies.SavedReplies`: the leader's saved replies;
- :class:`~cxdaily.service.undo.SessionUndo`, :class:`~cxdaily.service.undo.UndoWindows`:
  undoing a session's actions, and the replies waiting for their undo window.
- :class:`~cxdaily.service.history.History`: the customer's history, earlier answers.
- :class:`~cxdaily.service.team.TeamService`: team mode, only with ``[team]``.

Its methods delegate to them, one line each. All store access goes through one lock so
the app's worker threads never interleave writes. Network work runs on an event loop per
call; the app calls these methods from thread workers.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Unpack

from cxdaily.core.errors import ConfigError
from cxdaily.core.models import Action, Insight, InsightEntry, Message, Question, Reply, Session
from cxdaily.curation import Batch, BatchItem
from cxdaily.service.context import ServiceContext
from cxdaily.service.daily import SessionSummary
from cxdaily.service.parts import DEMO_CHANNEL, ServiceParts
from cxdaily.service.undo import Undone
from cxdaily.streaks import Streak

if TYPE_CHECKING:  # the connectors, the HTTP layer and the feature modules load on first use
    from cxdaily.connectors import Connector
    from cxdaily.connectors.runner import ChannelOutcome
    from cxdaily.history import CustomerHistory, CustomerLink, EarlierAnswer
    from cxdaily.insights.build import Digest
    from cxdaily.insights.delivery.model import DeliveryOutcome, DueDigest
    from cxdaily.insights.source import DigestRequest
    from cxdaily.replies.checks import ReplyReview
    from cxdaily.replies.promises import Promise
    from cxdaily.replies.saved import SavedReply
    from cxdaily.replies.saved_fill import FilledReply
    from cxdaily.service.channels import RefreshReport
    from cxdaily.service.delivery import DestinationStatus, DigestSending
    from cxdaily.service.replies import QueueOptions
    from cxdaily.service.team import TeamService
    from cxdaily.store.repositories import ChannelStatus
    from cxdaily.streaks.stats import PersonalStats
    from cxdaily.team.database import TeamClaim
    from cxdaily.team.link import LinkState


def __getattr__(name: str) -> Any:
    """``RefreshReport``, loaded with the channels on first use."""
    if name == "RefreshReport":
        from cxdaily.service.channels import RefreshReport

        return RefreshReport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Service(ServiceParts):
    """cxdaily's headless core, bound to one profile's config and data: what the command
    line and the app call, each method delegating to one of its parts (made and opened
    by :class:`~cxdaily.service.parts.ServiceParts`)."""

    # channels ----------------------------------------------------------------------
    def connector(self, name: str, client: Any = None) -> Connector:
        """The connector of a configured channel (on ``client``, the shared HTTP client)."""
        return self.channels.connector(name, client)

    def refresh(
        self,
        names: Iterable[str] | None = None,
        on_done: Callable[[ChannelOutcome], None] | None = None,
    ) -> RefreshReport:
        """Fetch the named (or all) channels and store what they brought (see
        :meth:`Channels.refresh`), then archive questions too old to matter and replies
        long sent, and store the digest's redaction with insights that lack it."""
        report = self.channels.refresh(names, on_done)
        self.archive_old_questions()
        self.archive_old_replies()
        self.daily.store_insight_redactions()
        return report

    def channel_status(self) -> list[ChannelStatus]:
        """Every configured channel's last fetch time, question count and error, in order."""
        return self.channels.status()

    def check_channel(self, name: str) -> str:
        """Check a channel's reachability and auth; returns what was checked, else raises."""
        return self.channels.check(name)

    # the day, the batch and the session --------------------------------------------
    def today_start(self, now: datetime | None = None) -> datetime:
        """When the leader's current day began."""
        return self.daily.today_start(now)

    def archive_old_questions(self) -> int:
        """Move questions too old for curation and history to the archive (see
        :meth:`Daily.archive_old_questions`); returns how many moved."""
        return self.daily.archive_old_questions()

    def archive_old_replies(self) -> int:
        """Move replies sent or cancelled over a month ago to the outbox's archive (see
        :meth:`Daily.archive_old_replies`); returns how many moved."""
        return self.daily.archive_old_replies()

    def batch(self, budget_s: int | None = None, *, keep: bool = False) -> Batch:
        """Today's curated batch within the budget, with what was left out and why; with
        ``keep`` (after a fetch), kept for the next launch (see :meth:`Daily.batch`)."""
        return self.daily.batch(budget_s, keep=keep)

    def keep_batch(self) -> bool:
        """Curate and keep today's and the next day's batch unless those kept are current
        (see :meth:`Daily.keep_batch`); returns whether they were curated."""
        return self.daily.keep_batch()

    def batch_kept_through(self, question_id: str) -> AbstractContextManager[None]:
        """Around a command-line action on ``question_id``: today's kept batch stays kept,
        without it, when it was current before (see :meth:`Daily.batch_kept_through`)."""
        return self.daily.batch_kept_through(question_id)

    def kept_batch(self) -> Batch | None:
        """Today's batch as kept after the last fetch, when still current (see
        :meth:`Daily.kept_batch`), else ``None``."""
        return self.daily.kept_batch()

    def next_best(self, exclude: Iterable[str]) -> BatchItem | None:
        """The best question not yet in the session, for when the batch is done early."""
        return self.daily.next_best(exclude)

    def question(self, question_id: str) -> Question:
        """A stored question."""
        return self.actions.question(question_id)

    def search_questions(
        self, text: str, limit: int = 20, exclude: Iterable[str] = ()
    ) -> list[Question]:
        """Stored questions matching every word of ``text`` (text, customer, channel; any
        case or accent), newest first, without the ids in ``exclude``."""
        return self.search.search(text, limit, exclude)

    def plan_session(self, batch: Batch) -> Session:
        """The session ``batch`` would begin now, not saved (see :meth:`start_session`)."""
        return self.daily.plan_session(batch)

    def start_session(self, batch: Batch) -> Session:
        """Begin a session on a batch (saved at once)."""
        return self.daily.start_session(batch)

    def update_session(self, session: Session) -> None:
        """Save a session's changes (extra time, end, reflection)."""
        self.daily.update_session(session)

    def summarize(
        self, session: Session, questions: Collection[str] | None = None
    ) -> SessionSummary:
        """What a session did, for the wrap-up (see :meth:`Daily.summarize`)."""
        return self.daily.summarize(session, questions)

    # what is done with a question ---------------------------------------------------
    def tag(self, question_id: str, entry: InsightEntry, session_id: str | None = None) -> Insight:
        """Record an insight from a question (durably) and mark the question tagged
        (see :meth:`Daily.tag`)."""
        return self.daily.tag(question_id, entry, session_id)

    def hand_off(
        self, question_id: str, team: str, note: str, session_id: str | None = None
    ) -> Action:
        """Hand a question to a team with a note."""
        return self.daily.hand_off(question_id, team, note, session_id)

    def snooze(self, question_id: str, until: datetime, session_id: str | None = None) -> Action:
        """Hide a question until a later time."""
        return self.daily.snooze(question_id, until, session_id)

    def skip(self, question_id: str, session_id: str | None = None) -> Action:
        """Leave a question out of today's work."""
        return self.daily.skip(question_id, session_id)

    def known_tags(self) -> list[str]:
        """Tags to complete from, most used first."""
        return self.daily.known_tags()

    def undo_last_action(self, session_id: str) -> Undone | None:
        """Reverse the session's newest skip, snooze, hand-off or tag, durably; None when
        there is nothing to undo (see :class:`~cxdaily.service.undo.SessionUndo`)."""
        return self.undo.undo_last(session_id)

    def can_undo(self, session_id: str) -> bool:
        """Whether the session has a skip, snooze, hand-off or tag left to undo."""
        return self.undo.can_undo(session_id)

    # replies -------------------------------------------------------------------------
    def save_draft(self, question_id: str, body: str) -> None:
        """Durably save the reply being typed (a blank draft is removed)."""
        self.replies.save_draft(question_id, body)

    def draft(self, question_id: str) -> str | None:
        """The saved draft for a question."""
        return self.replies.draft(question_id)

    def signature(self, channel: str) -> str | None:
        """The channel's ``signature`` option, appended to every reply sent there."""
        return self.replies.signature(channel)

    def reply_limit(self, question: Question) -> int | None:
        """The longest reply the question's channel accepts, in characters."""
        return self.replies.reply_limit(question)

    def review_reply(self, question_id: str, body: str) -> ReplyReview:
        """Check a reply before it is queued: refusals, and risky statements to confirm."""
        return self.replies.review_reply(question_id, body)

    def answers_since_loaded(self, question_id: str) -> list[Message]:
        """Answers by the team posted since the question was loaded (network)."""
        return self.replies.answers_since_loaded(question_id)

    def queue_reply(self, question_id: str, body: str, **options: Unpack[QueueOptions]) -> Reply:
        """Record a reply in the outbox, durably, before any network call; by default it
        waits for its undo window (see :meth:`Replies.queue_reply`)."""
        return self.replies.queue_reply(question_id, body, **options)

    def reply(self, question_id: str, body: str, session_id: str | None = None) -> Reply:
        """Queue a reply and make the first attempt at sending it (which waits while
        the reply is in its undo window)."""
        return self.replies.reply(question_id, body, session_id)

    def send(self, reply: Reply, *, force: bool = False) -> Reply:
        """Make one attempt at a reply and return it as stored afterwards (a reply in its
        undo window waits, unless ``force``: the leader's "send now")."""
        return self.replies.send(reply, force=force)

    def pull_back(self, reply_id: str) -> str:
        """Take a reply whose sending never began back out of the outbox; it is never
        sent, and its text, returned, is the question's draft again (see
        :meth:`Replies.pull_back`)."""
        return self.replies.pull_back(reply_id)

    def next_send_due(self) -> datetime | None:
        """When the next reply's undo window ends (send it then), or None."""
        return self.undo_windows.next_send_due()

    def replies_in_undo_window(self) -> list[Reply]:
        """Replies waiting for their undo window (``send_after``), the first due first."""
        return self.undo_windows.waiting()

    def is_sending(self, reply_id: str) -> bool:
        """Whether a worker of this process is sending this reply right now."""
        return self.replies.is_sending(reply_id)

    def send_pending(self) -> list[Reply]:
        """Send every reply whose retry is due; returns the replies attempted."""
        return self.replies.send_pending()

    def retry(self, reply_id: str | None = None) -> list[Reply]:
        """Send now, without waiting for the back-off: one reply (its undo window too) or
        every unsent one not held nor in its undo window."""
        return self.replies.retry(reply_id)

    def cancel(self, reply_id: str) -> Reply:
        """Drop an unsent reply; its text comes back as the question's draft."""
        return self.replies.cancel(reply_id)

    def has_replied(self, question_id: str) -> bool:
        """Whether a reply to this question is sent or waiting in the outbox."""
        return self.replies.has_replied(question_id)

    def outbox(self) -> list[Reply]:
        """Every reply in the outbox, oldest first."""
        return self.replies.outbox()

    def unsent_replies(self) -> list[Reply]:
        """Replies still to go out (queued, sending, failed or held), oldest first."""
        return self.replies.unsent_replies()

    def find_reply(self, reply_id: str) -> Reply:
        """One reply of the outbox, or a NotFoundError."""
        return self.replies.find_reply(reply_id)

    def saved_replies(self, query: str = "") -> list[SavedReply]:
        """The leader's saved replies matching ``query``, best first (all, alphabetically,
        for an empty query); ``self.saved.load().warnings`` names the files skipped."""
        return self.saved.search(query)

    def fill_saved_reply(self, name: str, question_id: str) -> FilledReply:
        """A saved reply with its placeholders filled for a question; the ones left
        unfilled are in ``missing`` (see :mod:`cxdaily.replies.saved_fill`)."""
        return self.saved.fill(name, question_id)

    def promises(self, include_kept: bool = False) -> list[Promise]:
        """Promises made in sent replies: open ones by due day (and the kept ones)."""
        return self.replies.promises(include_kept)

    def keep_promise(self, promise_id: str) -> Promise:
        """Mark a promise kept."""
        return self.replies.keep_promise(promise_id)

    # progress and digests ------------------------------------------------------------
    def streak(self) -> Streak:
        """The streak as of now, under the ``[streak]`` rules."""
        return self.progress.streak()

    def stats(self, weeks: int = 12) -> PersonalStats:
        """Personal stats over the last ``weeks`` weeks."""
        return self.progress.stats(weeks)

    def digest(self, request: DigestRequest) -> Digest:
        """The insight digest of a period (see :mod:`cxdaily.insights`)."""
        return self.digests.digest(request)

    def digest_destinations(self) -> list[DestinationStatus]:
        """Every configured digest destination, where it sends, and its last period sent."""
        return self.delivery.statuses()

    def send_digest(
        self, request: DigestRequest | None = None, **options: Unpack[DigestSending]
    ) -> list[DeliveryOutcome]:
        """Send the digest (by default of the latest digest week) to the chosen (or every)
        destination, at most once per period (see :meth:`Delivery.send`)."""
        return self.delivery.send(request, **options)

    def digest_due(self, now: datetime | None = None) -> DueDigest | None:
        """The week's digest when it is due for some destination (the weekly rhythm)."""
        return self.delivery.due(now)

    # team mode ([team]) ----------------------------------------------------------------
    def team_mode(self) -> TeamService:
        """Team mode's part, or a ConfigError saying how to set ``[team]`` up."""
        if self.team is None:
            raise ConfigError(
                "team mode is not set up: add a [team] table with url and member to "
                f"{self.locations.config_file} (see the README's Team mode)"
            )
        return self.team

    def team_claims(self, questions: Iterable[Question] | None = None) -> dict[str, TeamClaim]:
        """Who is answering what (from memory): by question id for ``questions``, else by
        team key; empty without ``[team]``."""
        return self.team.claims(questions) if self.team is not None else {}

    def claim(self, question_id: str) -> TeamClaim | None:
        """Claim a question for this leader (queued, never waits); returns another
        leader's claim on it when one is known (for the collision guard)."""
        return self.team.claim(question_id) if self.team is not None else None

    def release(self, question_id: str) -> None:
        """Release this leader's claim on a question (queued)."""
        if self.team is not None:
            self.team.release(question_id)

    def team_status(self) -> LinkState | None:
        """The team link for the header (``None`` without ``[team]``), from memory."""
        return self.team.status() if self.team is not None else None

    def team_digest(self, request: DigestRequest) -> Digest:
        """The company digest across every leader (network: run it in a worker)."""
        return self.team_mode().company_digest(request)

    # the customer's history and earlier answers ------------------------------------
    def customer_history(self, question_id: str, limit: int = 50) -> CustomerHistory:
        """The question's customer across channels and their other questions, newest first."""
        return self.history.customer_history(question_id, limit)

    def similar_answers(self, question_id: str, limit: int = 3) -> list[EarlierAnswer]:
        """The leader's earlier sent replies to questions like this one, best first."""
        return self.history.similar_answers(question_id, limit)

    def link_customers(self, question_id_a: str, question_id_b: str) -> CustomerLink:
        """Confirm that the authors of two questions are one person."""
        return self.history.link_customers(question_id_a, question_id_b)

    def unlink_customers(self, question_id_a: str, question_id_b: str) -> int:
        """Undo the links confirmed between two questions' authors; returns how many."""
        return self.history.unlink_customers(question_id_a, question_id_b)


__all__ = [
    "DEMO_CHANNEL",
    "RefreshReport",
    "Service",
    "ServiceContext",
    "SessionSummary",
    "Undone",
]
