"""A questions-and-replies service for the outbox's fault-injection tests.

It speaks the ``http`` channel's documented protocol (questions, replies, threads) and
records every reply it *applies*, so a test can count them: exactly once means one
applied reply per idempotency key, one per question. Faults are queued per test and
consumed by the next reply posts, in order:

- ``fail_before`` (with a status: 500, 502, 503): refuse without applying;
- ``fail_after`` (with a status): apply, then answer the error anyway;
- ``timeout_after``: apply, then answer only after ``slow_s`` (past the channel deadline);
- ``hang_after``: apply, then hold the answer for a long time (the client gets killed);
- ``hang_before``: hold the request without applying it (the client gets killed).

With ``dedupe=True`` the service honours ``Idempotency-Key`` (a repeated key answers the
reply already applied); with ``dedupe=False`` it applies every post it accepts, so a
blind repeat would show as a duplicate. It reads the key from the header or the body.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Fault:
    """One scripted misbehaviour for the next reply post."""

    kind: str
    status: int = 500


@dataclass
class AppliedReply:
    """A reply the service applied."""

    id: str
    native_id: str
    body: str
    key: str | None
    created_at: str


@dataclass
class FaultService:
    """The service's state: questions, applied replies, team answers and queued faults."""

    questions: list[dict[str, Any]]
    dedupe: bool = True
    slow_s: float = 3.0
    hang_s: float = 60.0
    faults: list[Fault] = field(default_factory=list)
    applied: list[AppliedReply] = field(default_factory=list)
    team_answers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    posts: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- what the tests read --------------------------------------------------------
    def count(self, native_id: str) -> int:
        """How many replies to a question were applied."""
        with self._lock:
            return sum(1 for r in self.applied if r.native_id == native_id)

    def keys(self) -> list[str | None]:
        """The idempotency key of every applied reply, in order."""
        with self._lock:
            return [r.key for r in self.applied]

    def reply_for(self, key: str) -> AppliedReply:
        """The one applied reply carrying ``key``."""
        with self._lock:
            found = [r for r in self.applied if r.key == key]
        assert len(found) == 1, f"{len(found)} replies carry key {key}"
        return found[0]

    def add_team_answer(self, native_id: str, body: str, created_at: str) -> None:
        """A support agent answers in the thread (outside cxdaily)."""
        with self._lock:
            self.team_answers.setdefault(native_id, []).append(
                {
                    "id": f"team-{len(self.team_answers.get(native_id, [])) + 1}",
                    "author": {"id": "agent-7", "name": "Sam from Support"},
                    "body": body,
                    "created_at": created_at,
                    "role": "agent",
                }
            )

    # -- the protocol ----------------------------------------------------------------
    def handle(self, seen, answer_class):
        """Answer one request (``seen``) with an ``answer_class`` instance."""
        if seen.method == "GET" and seen.path == "/questions":
            return answer_class(body=self.questions)
        if seen.method == "GET" and seen.path.startswith("/threads/"):
            return answer_class(body=self._thread(seen.path.rsplit("/", 1)[1]))
        if seen.method == "POST" and seen.path == "/replies":
            return self._post(seen, answer_class)
        return answer_class(status=404, body={"error": "no such endpoint"})

    def _thread(self, native_id: str) -> list[dict[str, Any]]:
        question = next(q for q in self.questions if q["id"] == native_id)
        messages = [
            {
                "id": f"{native_id}-question",
                "author": question.get("author"),
                "body": question["body"],
                "created_at": question["created_at"],
                "role": "customer",
            }
        ]
        with self._lock:
            messages.extend(self.team_answers.get(native_id, []))
            messages.extend(
                {
                    "id": r.id,
                    "author": {"name": "Dana (CEO)"},
                    "body": r.body,
                    "created_at": r.created_at,
                    "role": "agent",
                    **({"idempotency_key": r.key} if r.key else {}),
                }
                for r in self.applied
                if r.native_id == native_id
            )
        return messages

    def _post(self, seen, answer_class):
        payload = json.loads(seen.body or b"{}")
        key = seen.headers.get("idempotency-key") or payload.get("idempotency_key")
        with self._lock:
            self.posts += 1
            fault = self.faults.pop(0) if self.faults else None
            if self.dedupe and key:
                earlier = next((r for r in self.applied if r.key == key), None)
                if earlier is not None and (fault is None or fault.kind != "fail_before"):
                    return answer_class(status=201, body={"id": earlier.id})
        if fault is not None and fault.kind == "fail_before":
            return answer_class(status=fault.status, body={"error": "try again later"})
        if fault is not None and fault.kind == "hang_before":
            return answer_class(status=503, body={"error": "gave up"}, delay=self.hang_s)
        reply = self._apply(payload, key)
        body = {"id": reply.id, "url": f"https://portal.example.com/r/{reply.id}"}
        if fault is None:
            return answer_class(status=201, body=body)
        if fault.kind == "fail_after":
            return answer_class(status=fault.status, body={"error": "upstream failed"})
        if fault.kind == "timeout_after":
            return answer_class(status=201, body=body, delay=self.slow_s)
        if fault.kind == "hang_after":
            return answer_class(status=201, body=body, delay=self.hang_s)
        raise AssertionError(f"unknown fault {fault.kind}")

    def _apply(self, payload: dict[str, Any], key: str | None) -> AppliedReply:
        with self._lock:
            reply = AppliedReply(
                id=f"r-{len(self.applied) + 1}",
                native_id=str(payload["native_id"]),
                body=payload["body"],
                key=key,
                created_at="2026-11-21T12:00:00Z",
            )
            self.applied.append(reply)
        return reply
