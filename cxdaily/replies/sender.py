"""Sending one reply from the outbox, exactly once (the rules are in :mod:`cxdaily.replies.outbox`).

:class:`OutboxSender` receives what it uses: the store and its lock, the clock, the
session settings (the home zone of promise due days), a way to read a question, and the
channels (:class:`SenderChannels`: a channel's capabilities, and running work on it).
The stored reply decides what happens, never the caller's copy, and one reply is never
sent by two workers at once: a reply being sent is claimed in memory, and the store's
single-instance lock keeps every other process out.

An attempt never ends in ``sending``: whatever goes wrong (a refusal, a timeout, an
answer without a usable id, a bug that raises something unexpected) is recorded as
``failed`` with a one-line reason, and as an unknown outcome when the post had gone out.
Only a process that dies mid-post leaves ``sending`` behind, which the next attempt
treats as an unknown outcome too.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

import msgspec

from cxdaily.core.errors import CxDailyError, ReplyRejected, StoreError
from cxdaily.core.models import Message, Question, Reply, ReplyState
from cxdaily.core.safe_text import one_line
from cxdaily.replies.outbox import (
    Plan,
    Step,
    checked_sent_reply,
    collision_hold,
    failure_of,
    in_undo_window,
    marked_sent,
    may_have_reached_service,
    next_attempt,
    plan_attempt,
    unknown_outcome_hold,
)
from cxdaily.replies.promises import promises_of_reply

if TYPE_CHECKING:
    from cxdaily.connectors.base import Capabilities, Connector, SentReply
    from cxdaily.replies.promises import Promise
    from cxdaily.settings import SessionSettings
    from cxdaily.store import Store

T = TypeVar("T")


def thread_seen_until(question: Question) -> datetime:
    """The newest message of a question's thread that cxdaily has loaded."""
    return max([question.created_at, *(m.created_at for m in question.context)])


@dataclass
class _Attempt:
    """One attempt in progress: the reply as it now stands and how far it got."""

    reply: Reply
    prior_unknown: bool
    """An earlier attempt may have reached the service."""
    step: Step = Step.SEND
    posted: bool = False
    checked_at: datetime | None = None


class _Found(msgspec.Struct, frozen=True):
    """The reply is on the service: just posted, or found in the thread after a look."""

    sent: SentReply


class _Collision(msgspec.Struct, frozen=True):
    """The team answered since the leader last looked: the reply waits for the leader."""

    answers: list[Message]


_Result = _Found | _Collision


class SenderChannels(Protocol):
    """What the sender needs of the channels (:class:`cxdaily.service.channels.Channels`)."""

    def capabilities(self, name: str) -> Capabilities:
        """What the channel can do (no network)."""
        ...

    def run(self, name: str, work: Callable[[Connector], Awaitable[T]]) -> T:
        """Run ``work(connector)`` on the channel, under its deadline."""
        ...


@dataclass(eq=False)
class OutboxSender:
    """Sends outbox replies: once, with the right look before any repeat."""

    store: Store
    lock: threading.RLock
    """Held around every store access."""
    now: Callable[[], datetime]
    session: SessionSettings
    """Gives the home time zone of promise due days."""
    _: KW_ONLY
    question: Callable[[str], Question]
    """Reads a stored question."""
    channels: SenderChannels
    _in_flight: set[str] = field(default_factory=set, init=False, repr=False)
    """The replies a worker of this process is sending."""

    # claims ---------------------------------------------------------------------
    def is_sending(self, reply_id: str) -> bool:
        """Whether a worker of this process is sending this reply right now."""
        with self.lock:
            return reply_id in self._in_flight

    @contextmanager
    def claim(self, reply_id: str) -> Iterator[None]:
        """Hold a reply for one attempt; a second claim meanwhile is refused."""
        with self.lock:
            if reply_id in self._in_flight:
                raise ReplyRejected(f"reply {reply_id} is being sent right now")
            self._in_flight.add(reply_id)
        try:
            yield
        finally:
            with self.lock:
                self._in_flight.discard(reply_id)

    def save(self, reply: Reply) -> Reply:
        """Store a reply as it now stands (under the lock); returns it."""
        with self.lock:
            self.store.outbox.save(reply)
        return reply

    # sending --------------------------------------------------------------------
    def send(self, reply: Reply, *, force: bool = False) -> Reply:
        """Make one attempt at a reply and return it as stored afterwards.

        It is marked sent only with the service's id for it. A reply already sent is
        returned as it is (never posted again) and a cancelled (or pulled back) one is
        refused. A reply in its undo window, or a held one, waits and is returned as it
        is, unless ``force`` (the leader's explicit "send now") sends it.

        The stored state is read once the reply is claimed: a pull back is refused while
        the claim is held (:meth:`is_sending`), so one that came first is seen here.
        """
        with self.claim(reply.id):
            with self.lock:
                stored = self.store.outbox.get(reply.id)
            if stored.state is ReplyState.SENT:
                return stored
            if stored.state is ReplyState.CANCELLED:
                raise ReplyRejected(f"reply {reply.id} was cancelled")
            if not force and (stored.hold or in_undo_window(stored, self.now())):
                return stored
            attempt = _Attempt(
                stored.with_changes(hold=None, attempts=stored.attempts + 1),
                prior_unknown=stored.uncertain or stored.state is ReplyState.SENDING,
            )
            try:
                question = self.question(stored.question_id)
                capabilities = self.channels.capabilities(stored.channel)
            except Exception as exc:  # the question or its channel is gone, or broken
                return self._failed(attempt, failure_of(exc, stored.channel))
            plan = plan_attempt(
                stored,
                now=self.now(),
                idempotency_keys=capabilities.idempotency_keys,
                finds_own_replies=capabilities.finds_own_replies,
                force=force,
            )
            attempt.step = plan.step
            if plan.step is Step.HOLD:
                held = stored.with_changes(
                    state=ReplyState.FAILED,
                    uncertain=True,
                    hold=unknown_outcome_hold(stored.channel),
                    next_attempt_at=None,
                    updated_at=self.now(),
                )
                return self.save(held)
            try:
                result = self._network(question, attempt, plan)
            except Exception as exc:  # whatever it was, the attempt ends as failed
                return self._failed(attempt, failure_of(exc, stored.channel))
            if isinstance(result, _Collision):
                return self._held_for_collision(attempt, result.answers)
            return self._mark_sent(attempt.reply, result.sent)

    def _network(self, question: Question, attempt: _Attempt, plan: Plan) -> _Result:
        """The attempt's network steps on the channel (see :meth:`_steps`)."""
        return self.channels.run(
            question.channel,
            lambda connector: self._steps(connector, question, attempt, plan),
        )

    async def _steps(
        self, connector: Connector, question: Question, attempt: _Attempt, plan: Plan
    ) -> _Result:
        """Look (when the outcome of an earlier attempt is unknown), check for answers
        by the team (when the reply waited), then record ``sending`` and post."""
        reply = attempt.reply
        if plan.step is Step.LOOK_THEN_SEND:
            found = await connector.find_own_reply(question, reply.body, reply.idempotency_key)
            if found is not None:
                return _Found(checked_sent_reply(found, question.channel, "the thread"))
        if plan.check_collision:
            since = max(reply.checked_at or thread_seen_until(question), question.created_at)
            answers = await connector.answers_since(question, since)
            attempt.checked_at = self.now()
            if answers:
                return _Collision(answers)
        now = self.now()
        attempt.reply = self.save(
            reply.with_changes(
                state=ReplyState.SENDING,
                updated_at=now,
                checked_at=attempt.checked_at or reply.checked_at,
            )
        )
        attempt.posted = True
        sent = await connector.send_reply(question, reply.body, reply.idempotency_key)
        return _Found(checked_sent_reply(sent, question.channel))

    def _mark_sent(self, reply: Reply, sent: SentReply) -> Reply:
        try:
            done = self.save(marked_sent(reply, sent, self.now()))
        except StoreError as exc:
            raise StoreError(
                f"reply {reply.id} went out (the service's id: {one_line(sent.remote_id, 80)}),"
                f" but recording it as sent failed: {exc}; it stays marked as being sent, so "
                "it is never sent again (the next attempt finds it in the thread or holds it)"
            ) from exc
        self.record_promises(done)
        return done

    def _failed(self, attempt: _Attempt, exc: CxDailyError) -> Reply:
        reply = attempt.reply
        now = self.now()
        if not attempt.posted:
            uncertain = attempt.prior_unknown
        elif may_have_reached_service(exc):
            uncertain = True
        else:  # refused; an earlier attempt may still have arrived unless we looked
            uncertain = attempt.prior_unknown and attempt.step is Step.RESEND_SAME_KEY
        failed = reply.with_changes(
            state=ReplyState.FAILED,
            error=one_line(exc, 300),
            uncertain=uncertain,
            checked_at=attempt.checked_at or reply.checked_at,
            next_attempt_at=next_attempt(now, reply.attempts, exc),
            updated_at=now,
        )
        return self.save(failed)

    def _held_for_collision(self, attempt: _Attempt, answers: list[Message]) -> Reply:
        latest = answers[-1]
        reply = attempt.reply.with_changes(
            attempts=attempt.reply.attempts - 1,  # nothing was posted
            hold=collision_hold(one_line(latest.author.display, 60), one_line(latest.body, 120)),
            checked_at=attempt.checked_at,
            next_attempt_at=None,
            updated_at=self.now(),
        )
        return self.save(reply)

    # promises -------------------------------------------------------------------
    def promises_in(self, reply: Reply) -> list[Promise]:
        """The promises a sent reply makes, with due days in the home time zone."""
        if reply.sent_at is None:
            return []
        return promises_of_reply(
            reply.id,
            reply.question_id,
            reply.channel,
            reply.body,
            reply.sent_at,
            self.session.zone,
        )

    def record_promises(self, reply: Reply) -> None:
        """Put the promises of a sent reply in the ledger (again is harmless)."""
        promises = self.promises_in(reply)
        if promises:
            with self.lock:
                self.store.promises.record(promises)
