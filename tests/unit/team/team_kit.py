"""Team-mode test helpers: sample records, and a stand-in team database for the link.

:func:`sample_records` builds an insight, a sent reply and a hand-off on a question;
:func:`assert_team_mode_not_loaded` runs code in a fresh interpreter and checks that
nothing of team mode (nor the PostgreSQL driver) was imported.

:class:`FakeTeamDatabase` plays the connection and the statements (patched over
:mod:`cxdaily.team.database` and the migrator): a transaction keeps its writes aside and
applies them when it commits (by id, as the real upserts do), so a failed commit leaves
nothing behind. :class:`MemoryQueue` is the local queue in memory.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg

from cxdaily.core.models import Action, Disposition, Insight, Question, Reply, ReplyState
from cxdaily.team.database import TeamClaim
from cxdaily.team.writes import TeamWrite
from tests.child_python_kit import run_python

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def sample_records(question: Question) -> tuple[Insight, Reply, Action]:
    """An insight, a sent reply and a hand-off on ``question``, at :data:`NOW`."""
    insight = Insight(
        id="i1", question_id=question.id, channel=question.channel, url=None,
        customer_name="Jane", customer_handle=None, tags=("billing",), team="support",
        sentiment=None, importance=2, summary="s", quote="q", note=None, created_at=NOW,
    )  # fmt: skip
    reply = Reply(
        id="r1", question_id=question.id, channel=question.channel, body="b",
        state=ReplyState.SENT, created_at=NOW, updated_at=NOW, idempotency_key="k",
    )  # fmt: skip
    action = Action(question.id, Disposition.HANDED_OFF, NOW, team="support", note="n")
    return insight, reply, action


def assert_team_mode_not_loaded(code: str, env: dict[str, str]) -> None:
    """Run ``code`` in a fresh Python; after it, no ``psycopg`` nor ``cxdaily.team``
    module may be loaded."""
    check = (
        "\nimport sys\n"
        "loaded = [m for m in sys.modules if m.startswith(('psycopg', 'cxdaily.team'))]\n"
        "assert not loaded, loaded\n"
    )
    run_python(code + check, env)


class FakeConnection:
    """A connection whose transactions apply their writes on commit."""

    def __init__(self, database: FakeTeamDatabase) -> None:
        self.database = database
        self.closed = False
        self.staged: list[TeamWrite] | None = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self.staged = []
        try:
            yield
            if self.database.fail_commits:
                self.database.fail_commits -= 1
                self.closed = True
                raise psycopg.OperationalError("server closed the connection unexpectedly")
            for write in self.staged:
                self.database.rows[write.id] = write
                self.database.applied.append(write.id)
        finally:
            self.staged = None

    def close(self) -> None:
        self.closed = True


class FakeTeamDatabase:
    """What the link talks to: reachable or not, refusing some writes, failing commits."""

    def __init__(self) -> None:
        self.reachable = True
        self.fail_commits = 0
        self.refuse: set[str] = set()
        self.rows: dict[str, TeamWrite] = {}
        self.applied: list[str] = []
        self.claims: dict[str, TeamClaim] = {}
        self.taxonomy: dict[str, Any] | None = None
        self.passwords: list[str | None] = []

    def connect(self, settings: Any, password: str | None, *args: Any) -> FakeConnection:
        from cxdaily.team.errors import TeamOffline

        self.passwords.append(password)
        if not self.reachable:
            raise TeamOffline(f"team database {settings.where}: connection refused")
        return FakeConnection(self)

    def apply_write(self, conn: FakeConnection, write: TeamWrite, *args: Any) -> None:
        if write.id in self.refuse:
            raise psycopg.errors.InsufficientPrivilege("new row violates row-level security")
        assert conn.staged is not None, "a write outside a transaction"
        conn.staged.append(write)

    def patch(self, monkeypatch: Any) -> None:
        """Put this database in place of the real statements."""
        from cxdaily.team import database, link

        monkeypatch.setattr(link, "migrate", lambda conn: (2, []))
        monkeypatch.setattr(database, "register_member", lambda conn, member: None)
        monkeypatch.setattr(database, "prune_claims", lambda conn: 0)
        monkeypatch.setattr(database, "apply_write", self.apply_write)
        monkeypatch.setattr(database, "active_claims", lambda conn: dict(self.claims))
        monkeypatch.setattr(database, "sent_since", lambda conn, since: {})
        monkeypatch.setattr(database, "shared_taxonomy", lambda conn: self.taxonomy)


class MemoryQueue:
    """The local queue in memory (same contract as the service's)."""

    def __init__(self, writes: list[TeamWrite] = ()) -> None:  # type: ignore[assignment]
        self.writes = list(writes)
        self.state: dict[str, dict[str, Any]] = {}

    def pending(self, limit: int | None = None) -> list[TeamWrite]:
        return self.writes[:limit]

    def done(self, writes: list[TeamWrite]) -> int:
        before = len(self.writes)
        self.writes = [w for w in self.writes if w not in writes]
        return before - len(self.writes)

    def count(self) -> int:
        return len(self.writes)

    def save_state(self, name: str, value: dict[str, Any]) -> None:
        self.state[name] = value
