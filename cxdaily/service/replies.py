"""Drafts, checks, the outbox and the promise ledger, as part of the service facade.

A reply is checked (:mod:`cxdaily.replies.checks`), recorded in the outbox before any
network call, sent exactly once (:mod:`cxdaily.replies.sender`), and marked sent only with
the service's id for it; its promises then go into the ledger. :class:`Replies` is the
part of :class:`cxdaily.service.Service` that does this; it sends through an
:class:`cxdaily.replies.sender.OutboxSender` it builds over the same store, lock, clock
and channels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict, Unpack

from cxdaily.core.errors import ConfigError, CxDailyError, ReplyRejected, StoreError
from cxdaily.core.models import Disposition, Message, Question, Reply, ReplyState, new_id
from cxdaily.replies.outbox import (
    TooLateToPullBack,
    in_undo_window,
    is_due,
    pull_back_refusal,
)
from cxdaily.replies.sender import OutboxSender, thread_seen_until
from cxdaily.service.actions import ActionLog
from cxdaily.service.channels import Channels
from cxdaily.service.context import ServiceContext
from cxdaily.service.drafts import FLUSH_TIMEOUT_S, DraftWriter
from cxdaily.service.outbox_recovery import (
    answered_action_id,
    record_missing_answers,
    record_missing_promises,
)

if TYPE_CHECKING:  # the checks and the ledger load on first use, not at start-up
    from cxdaily.replies.checks import ReplyReview
    from cxdaily.replies.promises import Promise
    from cxdaily.service.team import TeamRecorder

#: Told just before each attempt of a "send now": (position from 1, total, the reply).
Progress = Callable[[int, int, Reply], None]


class ReplyQueuedError(StoreError):
    """The reply is safely in the outbox (and will be sent), but a later step of queueing
    it (recording the action, removing the draft) could not be saved; ``reply`` is it."""

    def __init__(self, reply: Reply, message: str) -> None:
        self.reply = reply
        super().__init__(message)


class QueueOptions(TypedDict, total=False):
    """How :meth:`Replies.queue_reply` queues a reply; each may be left out."""

    session_id: str | None
    """The session the reply is part of (default: none)."""
    checked_at: datetime | None
    """When the leader last saw the thread's answers: the outbox looks again before
    sending a reply that waited longer (default: never, so it always looks)."""
    undo: bool
    """Wait ``[session] undo_seconds`` (the reply's ``send_after``) before anything sends
    it; it can be pulled back meanwhile (:meth:`Replies.pull_back`). ``False``: it may
    go out at once (a command that says "send"). Default ``True``."""


class Replies:
    """Drafts, checks, queueing, sending, the outbox and the promise ledger."""

    def __init__(
        self,
        context: ServiceContext,
        actions: ActionLog,
        channels: Channels,
        team: TeamRecorder | None = None,
    ) -> None:
        self._team = team
        """Team mode (``None`` without ``[team]``): told of drafts begun and replies sent."""
        self._context = context
        self._store = context.store
        self._lock = context.lock
        self._now = context.now
        self._settings = context.settings
        self._actions = actions
        self._channels = channels
        self.drafts = DraftWriter(self._write_draft)
        """Writes the drafts typed in the app behind the typing."""
        self.sender = OutboxSender(
            context.store,
            context.lock,
            context.now,
            context.settings.session,
            question=actions.question,
            channels=channels,
        )
        """Sends one reply of the outbox, exactly once."""

    # drafts ---------------------------------------------------------------------
    def save_draft(self, question_id: str, body: str) -> bool:
        """Durably save a draft now (a blank draft is removed); returns whether it was
        saved. It replaces text staged for the question (:meth:`stage_draft`)."""
        self.drafts.discard(question_id)
        return self._write_draft(question_id, body)

    def stage_draft(self, question_id: str, body: str) -> None:
        """Keep the reply being typed: in memory at once, on disk within half a second,
        written by a background thread (see :mod:`cxdaily.service.drafts`). Never waits
        on the disk: the composer calls it at every keystroke."""
        self.drafts.stage(question_id, body)

    def flush_drafts(self, timeout: float | None = FLUSH_TIMEOUT_S) -> bool:
        """Write the staged drafts now and wait for them (at most ``timeout`` seconds);
        returns whether every draft is on disk."""
        return self.drafts.flush(timeout)

    def draft(self, question_id: str) -> str | None:
        """The question's draft: the text typed last, even when it is not on disk yet."""
        staged = self.drafts.pending(question_id)
        if staged is not None:
            return staged if staged.strip() else None
        with self._lock:
            return self._store.activity.draft(question_id)

    def _write_draft(self, question_id: str, body: str) -> bool:
        """The durable write of a draft; False when the question's reply is queued or
        sent (a late write from the background never brings back the draft that queueing
        the reply removed)."""
        with self._lock:
            if any(
                r.state is not ReplyState.CANCELLED
                for r in self._store.outbox.for_question(question_id)
            ):
                return False
            self._store.activity.save_draft(question_id, body, self._now())
        if self._team is not None and body.strip():
            self._team.draft_started(question_id)
        return True

    # what a channel allows --------------------------------------------------------
    def signature(self, channel: str) -> str | None:
        """The channel's ``signature`` option, appended to every reply sent there."""
        settings = self._settings.channels.get(channel)
        value = settings.options.get("signature") if settings else None
        if value is None:
            return None
        if not isinstance(value, str):
            raise ConfigError(f'[channels.{channel}] signature must be text like "— Dana, CEO"')
        return value.strip() or None

    def reply_limit(self, question: Question) -> int | None:
        """The longest reply the question's channel accepts, in characters."""
        return self._channels.connector(question.channel).reply_limit(question)

    def review_reply(self, question_id: str, body: str) -> ReplyReview:
        """Check a reply before it is queued: refusals, and risky statements to confirm
        (of ``body`` without control characters: see :func:`~cxdaily.core.safe_text.
        outgoing`; a body of nothing else is empty)."""
        from cxdaily.core.safe_text import outgoing
        from cxdaily.replies.checks import (
            ReplyReview,
            length_problem,
            placeholder_gaps,
            risky_statements,
            signed,
        )

        body = outgoing(body)
        question = self._actions.question(question_id)
        connector = self._channels.connector(question.channel)
        text = signed(body, self.signature(question.channel))
        limit = connector.reply_limit(question)
        public = connector.is_public(question)
        problems = []
        if not body.strip():
            problems.append("the reply is empty")
        elif problem := length_problem(
            connector.reply_length(text, question), limit, question.channel
        ):
            problems.append(problem)
        if not connector.capabilities.can_reply:
            problems.append(f"{question.channel} cannot post replies (see its channel settings)")
        one_reply = connector.capabilities.one_reply
        problems.extend(self._earlier_reply_problems(question_id, one_reply))
        findings = placeholder_gaps(text) + (  # a gap left is worth a look in any reply
            risky_statements(text, self._now(), self._settings.session.zone) if public else []
        )
        return ReplyReview(
            text=text,
            limit=limit,
            public=public,
            problems=tuple(problems),
            findings=tuple(findings),
            replaces=one_reply and self._has_sent(question_id),
        )

    def replaces_earlier_reply(self, question_id: str) -> bool:
        """Whether a reply to this question would replace one already sent: the service
        keeps one reply per question (a review's response), and one was sent."""
        question = self._actions.question(question_id)
        one_reply = self._channels.capabilities(question.channel).one_reply
        return one_reply and self._has_sent(question_id)

    def _has_sent(self, question_id: str) -> bool:
        with self._lock:
            earlier = self._store.outbox.for_question(question_id)
        return any(r.state is ReplyState.SENT for r in earlier)

    def _earlier_reply_problems(self, question_id: str, one_reply: bool = False) -> list[str]:
        """Why another reply cannot go out: one still waits in the outbox, or one was sent
        (unless the service keeps one reply per question: then the new one replaces it)."""
        with self._lock:
            earlier = self._store.outbox.for_question(question_id)
        waiting = [r for r in earlier if r.unsent]
        if waiting:
            return [
                f"reply {waiting[0].id} to this question is still in the outbox; send it "
                f"(cxdaily outbox retry {waiting[0].id}) or cancel it first"
            ]
        if not one_reply and any(r.state is ReplyState.SENT for r in earlier):
            return ["you already replied to this question"]
        return []

    def answers_since_loaded(self, question_id: str) -> list[Message]:
        """Answers by the team posted since the question was loaded (network; raises a
        ConnectorError when the thread cannot be read)."""
        question = self._actions.question(question_id)
        since = thread_seen_until(question)
        return self._channels.run(
            question.channel, lambda connector: connector.answers_since(question, since)
        )

    # queueing -------------------------------------------------------------------
    def queue_reply(self, question_id: str, body: str, **options: Unpack[QueueOptions]) -> Reply:
        """Record a reply in the outbox (durably, before any network call), as
        ``options`` say (see :class:`QueueOptions`).

        Refuses an empty reply, one over the channel's limit, and a second reply to a
        question. Risky statements are not refused here: :meth:`review_reply` finds them
        for the leader to confirm.

        The reply is saved first; when recording the action or removing the draft then
        fails, :class:`ReplyQueuedError` says so (the reply stays queued and is sent; a
        missing action is recorded by the outbox's next round, see
        :func:`~cxdaily.service.outbox_recovery.record_missing_answers`).
        """
        review = self.review_reply(question_id, body)
        if review.problems:
            raise ReplyRejected(review.problems[0])
        question = self._actions.question(question_id)
        now = self._now()
        window = self._settings.session.undo_window if options.get("undo", True) else None
        reply = Reply(
            id=new_id(12),
            question_id=question_id,
            channel=question.channel,
            body=review.text,
            state=ReplyState.QUEUED,
            created_at=now,
            updated_at=now,
            idempotency_key=new_id(),
            checked_at=options.get("checked_at"),
            send_after=now + window if window else None,
        )
        self.sender.save(reply)
        try:
            self._actions.record(
                question_id,
                Disposition.ANSWERED,
                options.get("session_id"),
                action_id=answered_action_id(reply.id),
            )
        except StoreError as exc:
            raise ReplyQueuedError(
                reply,
                f"reply {reply.id} is queued and will be sent (cxdaily outbox retry "
                f"{reply.id} sends it now); recording it in today's actions failed: {exc}",
            ) from exc
        self.drafts.discard(question_id)  # the text is in the outbox now
        try:
            with self._lock:  # last: until the reply and the action are saved, the draft stays
                self._store.activity.delete_draft(question_id)
        except StoreError as exc:
            raise ReplyQueuedError(
                reply,
                f"reply {reply.id} is queued and will be sent (cxdaily outbox retry "
                f"{reply.id} sends it now); removing its draft failed: {exc}",
            ) from exc
        return reply

    def send(self, reply: Reply, *, force: bool = False) -> Reply:
        """Make one attempt at a reply (see :meth:`OutboxSender.send`)."""
        result = self.sender.send(reply, force=force)
        if self._team is not None and result.state is ReplyState.SENT:
            self._team.reply_sent(result)
        return result

    def is_sending(self, reply_id: str) -> bool:
        """Whether a worker of this process is sending this reply right now."""
        return self.sender.is_sending(reply_id)

    def reply(self, question_id: str, body: str, session_id: str | None = None) -> Reply:
        """Queue a reply and make the first attempt at sending it (which waits while
        the reply is in its undo window)."""
        return self.send(self.queue_reply(question_id, body, session_id=session_id))

    # the outbox -----------------------------------------------------------------
    def send_pending(self) -> list[Reply]:
        """Send every reply whose retry is due (after a crash, while offline, after a
        failure's back-off); held replies wait. Returns the replies attempted."""
        now = self._now()
        record_missing_promises(self._context, now, self.sender.promises_in)
        record_missing_answers(self._context, now)
        with self._lock:
            due = [r for r in self._store.outbox.unsent() if is_due(r, now)]
        return self._send_each(due)

    def retry(
        self, reply_id: str | None = None, *, progress: Progress | None = None
    ) -> list[Reply]:
        """Send now, without waiting for the back-off: one reply (which also releases
        its hold and skips its undo window: the leader decided) or every unsent reply
        that is neither held nor in its undo window.

        ``progress(position, total, reply)`` is called just before each attempt (from
        1 to ``total``), so that a caller can say which reply is being sent."""
        record_missing_answers(self._context, self._now())
        if reply_id is not None:
            with self._lock:
                reply = self._store.outbox.get(reply_id)
            if reply.state is ReplyState.SENT:
                raise ReplyRejected(f"reply {reply_id} was already sent")
            if reply.state is ReplyState.CANCELLED:
                raise ReplyRejected(f"reply {reply_id} was cancelled")
            if progress is not None:
                progress(1, 1, reply)
            return [self.send(reply, force=True)]
        now = self._now()
        with self._lock:
            unsent = self._store.outbox.unsent()
        waiting = [r for r in unsent if not r.hold and not in_undo_window(r, now)]
        return self._send_each(waiting, progress)

    def _send_each(self, replies: list[Reply], progress: Progress | None = None) -> list[Reply]:
        """One attempt at each reply, skipping those another worker is sending."""
        results = []
        for position, reply in enumerate(replies, start=1):
            if self.sender.is_sending(reply.id):
                continue
            if progress is not None:
                progress(position, len(replies), reply)
            try:
                results.append(self.send(reply))
            except ReplyRejected:  # cancelled or claimed meanwhile
                continue
        return results

    def cancel(self, reply_id: str) -> Reply:
        """Drop an unsent reply; its text comes back as the question's draft (unless the
        question has a draft already). Cancelling a cancelled reply again finishes what a
        cancel cut short (a full disk, a killed process) left undone: its "answered" is
        forgotten and its text made the draft."""
        with self._lock:
            if self.sender.is_sending(reply_id):
                raise ReplyRejected(f"reply {reply_id} is being sent right now")
            reply = self._store.outbox.get(reply_id)
            if reply.state is ReplyState.SENT:
                raise ReplyRejected(f"reply {reply_id} was already sent; it cannot be cancelled")
            if reply.state is ReplyState.CANCELLED:
                self._finish_withdrawal(reply, keep_draft=True)
                return reply
            cancelled = self._withdraw(reply, keep_draft=True)[0]
        if self._team is not None:
            self._team.reply_withdrawn(reply)
        return cancelled

    def pull_back(self, reply_id: str) -> str:
        """Take a reply whose sending never began back out of the outbox (the undo of
        "send"): it is never sent, its text becomes the question's draft, its "answered"
        is forgotten, and the text (without the channel's signature) is returned for the
        composer. Durable when it returns.

        A reply being sent, sent, or already attempted raises :class:`TooLateToPullBack`
        and nothing changes. The check and the change hold the service's lock, and a
        sender checks the stored state only once it has claimed the reply, so a sender
        that read the outbox just before never sends a reply pulled back meanwhile."""
        with self._lock:
            reply = self._store.outbox.get(reply_id)
            problem = pull_back_refusal(reply, self.sender.is_sending(reply_id))
            if problem is not None:
                raise TooLateToPullBack(problem)
            self.drafts.discard(reply.question_id)  # no late write over the text brought back
            text = self._withdraw(reply, keep_draft=False)[1]
        if self._team is not None:
            self._team.reply_withdrawn(reply)
        return text

    def _withdraw(self, reply: Reply, *, keep_draft: bool) -> tuple[Reply, str]:
        """Mark an unsent reply cancelled, forget its "answered", and make its text the
        question's draft (``keep_draft``: not over a draft the question has); returns the
        cancelled reply and its text. The caller holds the lock and checked the reply."""
        cancelled = reply.with_changes(
            state=ReplyState.CANCELLED, next_attempt_at=None, updated_at=self._now()
        )
        self._store.outbox.save(cancelled)  # first: from here on it is never sent
        return cancelled, self._finish_withdrawal(reply, keep_draft=keep_draft)

    def _finish_withdrawal(self, reply: Reply, *, keep_draft: bool) -> str:
        """What follows marking a reply cancelled: forget its "answered" (the question
        comes back to the batch and the candidates, the streak no longer counts it) and
        make its text the draft (``keep_draft``: not over a draft the question has);
        returns the text. Each step may be done again: a cancel cut short is finished
        by cancelling again, which the error says."""
        from cxdaily.replies.checks import unsigned

        text = unsigned(reply.body, self.signature(reply.channel))
        try:
            self._store.activity.forget(answered_action_id(reply.id), reply.created_at)
            if not (keep_draft and self._store.activity.draft(reply.question_id)):
                self._store.activity.save_draft(reply.question_id, text, self._now())
        except StoreError as exc:
            what = "cancelled" if keep_draft else "pulled back"
            raise StoreError(
                f"reply {reply.id} is {what} and will not be sent (its text stays in the "
                f"outbox), but bringing {reply.question_id} back as unanswered with its "
                f"draft failed: {exc}; `cxdaily outbox cancel {reply.id}` finishes it"
            ) from exc
        return text

    def has_replied(self, question_id: str) -> bool:
        """Whether a reply to this question is sent or waiting in the outbox."""
        with self._lock:
            return any(
                r.state is not ReplyState.CANCELLED
                for r in self._store.outbox.for_question(question_id)
            )

    def latest_reply(self, question_id: str) -> Reply | None:
        """The question's reply as it now stands (queued, sending, failed or sent), or
        None when it has none (a cancelled reply does not count)."""
        with self._lock:
            replies = self._store.outbox.for_question(question_id)
        live = [r for r in replies if r.state is not ReplyState.CANCELLED]
        return max(live, key=lambda r: r.created_at) if live else None

    def customer_names(self, question_ids: Iterable[str]) -> dict[str, str]:
        """Who asked each question, by id: the name (or handle) from the stored question,
        else the id itself (a question no longer stored, or one that cannot be read)."""
        from cxdaily.replies.outbox_words import customer_label

        names: dict[str, str] = {}
        for question_id in dict.fromkeys(question_ids):
            try:
                question: Question | None = self._actions.question(question_id)
            except CxDailyError:
                question = None
            names[question_id] = customer_label(question, question_id)
        return names

    def outbox(self) -> list[Reply]:
        """Every reply in the outbox, oldest first."""
        with self._lock:
            return self._store.outbox.all()

    def unsent_replies(self) -> list[Reply]:
        """Replies still to go out (queued, sending, failed or held), oldest first."""
        with self._lock:
            return self._store.outbox.unsent()

    def find_reply(self, reply_id: str) -> Reply:
        """One reply of the outbox, or a NotFoundError."""
        with self._lock:
            return self._store.outbox.get(reply_id)

    # the promise ledger -----------------------------------------------------------
    def promises(self, include_kept: bool = False) -> list[Promise]:
        """Promises made in sent replies: open ones by due day (and the kept ones)."""
        from cxdaily.replies.promises import ledger_order

        with self._lock:
            found = self._store.promises.all()
        return ledger_order([p for p in found if include_kept or p.open])

    def keep_promise(self, promise_id: str) -> Promise:
        """Mark a promise kept."""
        with self._lock:
            return self._store.promises.mark_done(promise_id, self._now())
