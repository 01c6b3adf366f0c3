"""The outbox tests' scripted channel, a movable clock, a stored question and a reply.

:class:`ScriptedConnector` is a channel whose behaviour a test scripts through
:class:`Script` (what the next posts do, what the thread holds) and reads back (what was
posted). The fixtures that wire them into a :class:`cxdaily.service.Service` are in this
folder's ``conftest.py``; tests import these helpers from here, never from a conftest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from msgspec.structs import replace

from cxdaily.connectors.base import Capabilities, Connector, FetchResult, SentReply
from cxdaily.core.models import Author, Message, Question, Reply, ReplyState
from tests.time_kit import FIXED_NOW


@dataclass
class Script:
    """What the scripted channel does, and what it saw."""

    outcomes: list[BaseException | None] = field(default_factory=list)
    """One per post: None applies the reply, an exception is raised (after applying it
    when ``apply_then_fail`` is set)."""
    apply_then_fail: bool = False
    posts: list[tuple[str, str]] = field(default_factory=list)
    """(body, idempotency key) of every post."""
    thread: list[tuple[str, str, str]] = field(default_factory=list)
    """(remote id, body, key) of every reply the service holds."""
    answers: list[Message] = field(default_factory=list)
    looks: int = 0
    checks: int = 0
    capabilities: Capabilities = field(default_factory=Capabilities)
    public: bool = False


class ScriptedConnector(Connector):
    """A channel whose behaviour a test scripts through the class-level ``script``."""

    kind = "scripted"
    script: ClassVar[Script] = Script()

    @property
    def capabilities(self) -> Capabilities:  # type: ignore[override]
        return self.script.capabilities

    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        return FetchResult(questions=[], checkpoint=None)

    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        script = self.script
        script.posts.append((body, idempotency_key))
        outcome = script.outcomes.pop(0) if script.outcomes else None
        if outcome is not None and not script.apply_then_fail:
            raise outcome
        if script.capabilities.idempotency_keys:
            for remote_id, _, key in script.thread:
                if key == idempotency_key:
                    return SentReply(remote_id=remote_id)
        remote_id = f"remote-{len(script.thread) + 1}"
        script.thread.append((remote_id, body, idempotency_key))
        if outcome is not None:
            raise outcome
        return SentReply(remote_id=remote_id, url=f"https://portal.example/{remote_id}")

    async def find_own_reply(self, question, body, idempotency_key) -> SentReply | None:
        self.script.looks += 1
        for remote_id, _, key in self.script.thread:
            if key == idempotency_key:
                return SentReply(remote_id=remote_id)
        return None

    async def answers_since(self, question, since) -> list[Message]:
        self.script.checks += 1
        return [a for a in self.script.answers if a.created_at > since]

    def is_public(self, question: Question) -> bool:
        return self.script.public


class Clock:
    """A clock a test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def question(native_id: str = "q1", **changes: Any) -> Question:
    """A stored question of the ``portal`` channel, asked two hours before FIXED_NOW."""
    base = Question(
        id=f"portal:{native_id}",
        channel="portal",
        kind="scripted",
        native_id=native_id,
        thread_id=native_id,
        url=None,
        author=Author(id="u1", name="Ana"),
        title=None,
        body="My export is stuck",
        created_at=FIXED_NOW - timedelta(hours=2),
    )
    return replace(base, **changes)


def queued_reply(**changes: Any) -> Reply:
    """A reply to ``acme:1`` queued at FIXED_NOW, never attempted (fields overridable)."""
    base = Reply(
        id="r1",
        question_id="acme:1",
        channel="acme",
        body="Thanks!",
        state=ReplyState.QUEUED,
        created_at=FIXED_NOW,
        updated_at=FIXED_NOW,
        idempotency_key="k1",
    )
    return base.with_changes(**changes)
