"""Drafts and the outbox, as part of the service facade.

A reply is recorded in the outbox before any network call, sent once, and marked sent
only with the service's id for it. :class:`RepliesMixin` is mixed into
:class:`cxdaily.service.Service`, whose store, lock, connectors and clock it uses.
"""

from __future__ import annotations

import asyncio
import uuid

from cxdaily.errors import ConnectorError, CxDailyError, ReplyRejected
from cxdaily.models import Disposition, Question, Reply, ReplyState
from cxdaily.safe_text import one_line

UNSENT = frozenset({ReplyState.QUEUED, ReplyState.SENDING, ReplyState.FAILED})


class RepliesMixin:
    """Drafts, queueing, sending and the outbox."""

    def save_draft(self, question_id: str, body: str) -> None:
        """Durably save the reply being typed (a blank draft is removed)."""
        with self._lock:
            self.store.activity.save_draft(question_id, body, self.now())

    def draft(self, question_id: str) -> str | None:
        """The saved draft for a question."""
        with self._lock:
            return self.store.activity.draft(question_id)

    def queue_reply(self, question_id: str, body: str, session_id: str | None = None) -> Reply:
        """Record a reply in the outbox (durably, before any network call)."""
        question = self.question(question_id)
        text = body.strip()
        if not text:
            raise ReplyRejected("the reply is empty")
        limit = self.connector(question.channel).capabilities.max_reply_length
        if limit is not None and len(text) > limit:
            raise ReplyRejected(
                f"the reply is {len(text)} characters; {question.channel} accepts at most {limit}"
            )
        with self._lock:
            earlier = [r for r in self.store.outbox.all() if r.question_id == question_id]
        waiting = [r for r in earlier if r.state in UNSENT]
        if waiting:
            raise ReplyRejected(
                f"reply {waiting[0].id} to this question is still in the outbox; send it "
                f"(cxdaily outbox retry {waiting[0].id}) or cancel it first"
            )
        if any(r.state is ReplyState.SENT for r in earlier):
            raise ReplyRejected("you already replied to this question")
        now = self.now()
        reply = Reply(
            id=uuid.uuid4().hex[:12],
            question_id=question_id,
            channel=question.channel,
            body=text,
            state=ReplyState.QUEUED,
            created_at=now,
            updated_at=now,
            idempotency_key=uuid.uuid4().hex,
        )
        with self._lock:
            self.store.outbox.save(reply)
        self._record(question_id, Disposition.ANSWERED, session_id)
        with self._lock:  # last: until the reply and the action are saved, the draft stays
            self.store.activity.delete_draft(question_id)
        return reply

    def send(self, reply: Reply) -> Reply:
        """Send one queued reply; it is marked sent only with the service's id for it.

        The stored state decides, not the caller's copy: a reply already sent is never
        posted again, and a cancelled one is refused.
        """
        with self._lock:
            stored = self.store.outbox.get(reply.id)
        if stored.state is ReplyState.SENT:
            return stored
        if stored.state is ReplyState.CANCELLED:
            raise ReplyRejected(f"reply {reply.id} was cancelled")
        reply = stored
        question = self.question(reply.question_id)
        sending = reply.with_changes(
            state=ReplyState.SENDING, attempts=reply.attempts + 1, updated_at=self.now()
        )
        with self._lock:
            self.store.outbox.save(sending)
        try:
            sent = asyncio.run(self._send(question, sending))
        except ConnectorError as exc:
            result = sending.with_changes(
                state=ReplyState.FAILED, error=one_line(exc, 300), updated_at=self.now()
            )
        else:
            result = sending.with_changes(
                state=ReplyState.SENT,
                remote_id=sent.remote_id,
                sent_at=self.now(),
                updated_at=self.now(),
                error=None,
            )
        with self._lock:
            self.store.outbox.save(result)
        return result

    async def _send(self, question: Question, reply: Reply):
        from cxdaily.connectors.http import make_client
        from cxdaily.connectors.runner import channel_deadline_s, run_with_deadline

        async with make_client() as client:
            try:
                connector = self.connector(question.channel, client)
                return await run_with_deadline(
                    question.channel,
                    connector.send_reply(question, reply.body, reply.idempotency_key),
                    channel_deadline_s(connector.settings),
                )
            except ConnectorError:
                raise
            except CxDailyError as exc:  # a missing secret or bad config fails this send
                raise ConnectorError(one_line(exc), channel=question.channel) from None

    def reply(self, question_id: str, body: str, session_id: str | None = None) -> Reply:
        """Queue a reply and send it through the outbox."""
        return self.send(self.queue_reply(question_id, body, session_id))

    def send_pending(self) -> list[Reply]:
        """Send every reply still waiting in the outbox (for example after a crash or
        while offline); returns the replies as they ended up."""
        with self._lock:
            waiting = self.store.outbox.unsent()
        return [self.send(reply) for reply in waiting]

    def has_replied(self, question_id: str) -> bool:
        """Whether a reply to this question is sent or waiting in the outbox."""
        with self._lock:
            return any(
                r.question_id == question_id and r.state is not ReplyState.CANCELLED
                for r in self.store.outbox.all()
            )

    def outbox(self) -> list[Reply]:
        """Every reply in the outbox, oldest first."""
        with self._lock:
            return self.store.outbox.all()
