"""Connecting to the team database, and every statement team mode runs there.

Each write is idempotent (see :mod:`cxdaily.team.writes`) and keyed on the leader's own
rows; reads return the whole team's rows (row-level security allows both, and nothing
more). Errors become one-line :class:`~cxdaily.team.errors.TeamError`s with the password
scrubbed out (:func:`scrub`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import msgspec

from cxdaily.core.safe_text import one_line
from cxdaily.settings.team import TeamSettings
from cxdaily.team.errors import TeamError, TeamOffline
from cxdaily.team.migrate import SCHEMA
from cxdaily.team.writes import RemovedRecord, TeamWrite, WriteKind

if TYPE_CHECKING:
    import psycopg

CONNECT_TIMEOUT_S = 3.0
"""How long a connection attempt may take: the link reports "offline" rather than wait."""
STATEMENT_TIMEOUT_MS = 30_000
_PASSWORD_IN_TEXT = re.compile(r"(password\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)
_PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")


def scrub(text: object, secrets: Iterable[str | None] = ()) -> str:
    """``text`` on one line with every secret, ``password=...`` and URL password removed."""
    value = str(text)
    for secret in secrets:
        if secret:
            value = value.replace(secret, "***")
    value = _PASSWORD_IN_TEXT.sub(r"\1***", value)
    value = _PASSWORD_IN_URL.sub(r"\1***@", value)
    return one_line(value, 300)


def connect(
    settings: TeamSettings, password: str | None, timeout: float = CONNECT_TIMEOUT_S
) -> psycopg.Connection:
    """An autocommit connection as the leader's role (TeamOffline when the server cannot
    be reached or refuses the login, with the reason and never the password)."""
    import psycopg

    arguments = settings.connect_arguments(password, timeout)
    arguments["options"] = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
    # keepalives: a link that silently drops is noticed in seconds, not at the next write
    arguments.update(keepalives=1, keepalives_idle=10, keepalives_interval=5, keepalives_count=3)
    try:
        return psycopg.connect(autocommit=True, **arguments)
    except psycopg.Error as exc:
        raise TeamOffline(f"team database {settings.where}: {scrub(exc, [password])}") from None


def team_error(exc: BaseException, settings: TeamSettings, password: str | None) -> TeamError:
    """A driver error as a TeamError: TeamOffline for a lost link, else TeamError."""
    import psycopg

    reason = scrub(exc, [password])
    if isinstance(exc, psycopg.OperationalError):
        return TeamOffline(f"team database {settings.where}: {reason}")
    return TeamError(f"team database {settings.where}: {reason}")


class TeamClaim(msgspec.Struct, frozen=True):
    """A leader answering a question right now."""

    key: str
    question_id: str
    """The question's id in the claiming leader's app (channel names may differ)."""
    member: str
    role: str
    claimed_at: datetime
    expires_at: datetime
    mine: bool

    def words(self, now: datetime) -> str:
        """``Anna is answering this (3 min ago)``."""
        from cxdaily.core.words import ago

        who = "You are" if self.mine else f"{self.member} is"
        return f"{who} answering this ({ago(self.claimed_at, now)})"


class SentMark(msgspec.Struct, frozen=True):
    """A question a leader answered (every batch leaves it out)."""

    key: str
    member: str
    role: str
    sent_at: datetime


class ClaimOutcome(msgspec.Struct, frozen=True):
    """What applying a claim did: won, renewed (already ours), or held by another."""

    key: str
    holder: str | None
    """The member holding it now (``None``: nobody; the claim was too old to apply)."""
    won: bool


def apply_write(
    conn: psycopg.Connection, write: TeamWrite, member: str, claim_s: int, now: datetime
) -> ClaimOutcome | None:
    """Apply one write (inside the caller's transaction); a claim returns its outcome."""
    data = write.data
    if write.kind is WriteKind.CLAIM:
        if now - write.at > timedelta(seconds=claim_s):
            return ClaimOutcome(data["key"], None, False)  # it would have expired by now
        return claim(conn, data["key"], data["question_id"], member, claim_s)
    if write.kind is WriteKind.RELEASE:
        release(conn, data["key"])
    elif write.kind is WriteKind.SENT:
        conn.execute(
            f"INSERT INTO {SCHEMA}.sent (question_key, member, question_id, reply_id, sent_at)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (question_key) DO NOTHING",
            (data["key"], member, data["question_id"], data["reply_id"], write.at),
        )
        release(conn, data["key"])
    elif write.kind is WriteKind.INSIGHT:
        upsert_insight(conn, data["insight"], data.get("key"), member)
    elif write.kind is WriteKind.HANDOFF:
        upsert_handoff(conn, data, member, write.at)
    elif write.kind is WriteKind.REMOVAL:
        remove_own(conn, data.get("record"), data["record_id"])
    return None


def claim(
    conn: psycopg.Connection, key: str, question_id: str, member: str, claim_s: int
) -> ClaimOutcome:
    """Claim a question atomically: clear an expired claim, insert ours unless another
    leader's holds (``ON CONFLICT DO NOTHING``), else renew ours, else say who holds it."""
    ttl = timedelta(seconds=claim_s)
    conn.execute(
        f"DELETE FROM {SCHEMA}.claims WHERE question_key = %s AND expires_at <= now()", (key,)
    )
    won = conn.execute(
        f"INSERT INTO {SCHEMA}.claims (question_key, member, question_id, expires_at)"
        " VALUES (%s, %s, %s, now() + %s) ON CONFLICT (question_key) DO NOTHING"
        " RETURNING member",
        (key, member, question_id, ttl),
    ).fetchone()
    if won:
        return ClaimOutcome(key, member, True)
    renewed = conn.execute(
        f"UPDATE {SCHEMA}.claims SET expires_at = now() + %s, member = %s"
        " WHERE question_key = %s AND leader_role = current_user RETURNING member",
        (ttl, member, key),
    ).fetchone()
    if renewed:
        return ClaimOutcome(key, member, False)
    holder = conn.execute(
        f"SELECT member FROM {SCHEMA}.claims WHERE question_key = %s", (key,)
    ).fetchone()
    return ClaimOutcome(key, holder[0] if holder else None, False)


def release(conn: psycopg.Connection, key: str) -> None:
    """Remove the leader's own claim on a question (another's is never touched)."""
    conn.execute(
        f"DELETE FROM {SCHEMA}.claims WHERE question_key = %s AND leader_role = current_user",
        (key,),
    )


def upsert_insight(
    conn: psycopg.Connection, record: dict[str, Any], key: str | None, member: str
) -> None:
    """Insert or replace one of the leader's insights by its id."""
    conn.execute(
        f"INSERT INTO {SCHEMA}.insights"
        " (id, member, question_key, created_at, team, tags, record)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb)"
        " ON CONFLICT (leader_role, id) DO UPDATE SET member = EXCLUDED.member,"
        " question_key = EXCLUDED.question_key, created_at = EXCLUDED.created_at,"
        " team = EXCLUDED.team, tags = EXCLUDED.tags, record = EXCLUDED.record,"
        " updated_at = now()",
        (
            record["id"],
            member,
            key,
            datetime.fromisoformat(record["created_at"]),
            record.get("team"),
            list(record.get("tags") or []),
            json.dumps(record, ensure_ascii=False),
        ),
    )


def upsert_handoff(
    conn: psycopg.Connection, data: dict[str, Any], member: str, at: datetime
) -> None:
    """Insert or replace one of the leader's hand-offs by its id."""
    conn.execute(
        f"INSERT INTO {SCHEMA}.handoffs (id, member, question_key, question_id, channel,"
        " customer_name, customer_handle, team, note, handed_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (leader_role, id) DO UPDATE SET member = EXCLUDED.member,"
        " team = EXCLUDED.team, note = EXCLUDED.note, handed_at = EXCLUDED.handed_at",
        (
            data["handoff_id"],
            member,
            data["key"],
            data["question_id"],
            data["channel"],
            data.get("customer_name"),
            data.get("customer_handle"),
            data.get("team"),
            data.get("note"),
            at,
        ),
    )


_REMOVE_OWN = {
    RemovedRecord.INSIGHT: f"DELETE FROM {SCHEMA}.insights WHERE id = %s"
    " AND leader_role = current_user",
    RemovedRecord.HANDOFF: f"DELETE FROM {SCHEMA}.handoffs WHERE id = %s"
    " AND leader_role = current_user",
}
"""The statement that removes one of the leader's own records, by what it is (a fixed
statement each: nothing read from the queue ever becomes part of the SQL)."""


def remove_own(conn: psycopg.Connection, record: object, record_id: str) -> None:
    """Delete one of the leader's own insights or hand-offs by its id (another leader's
    row is never touched; a row already gone is no error). An unknown kind of record
    raises a TeamError (the write is dropped with that reason)."""
    try:
        statement = _REMOVE_OWN[RemovedRecord(str(record))]
    except ValueError:
        unknown = one_line(str(record), 40)
        raise TeamError(f"a team removal names an unknown record: {unknown}") from None
    conn.execute(statement, (record_id,))


def register_member(conn: psycopg.Connection, member: str) -> None:
    """Record (or rename) the leader's member name, seen now."""
    conn.execute(
        f"INSERT INTO {SCHEMA}.members (member) VALUES (%s) ON CONFLICT (leader_role)"
        " DO UPDATE SET member = EXCLUDED.member, seen_at = now()",
        (member,),
    )


def active_claims(conn: psycopg.Connection) -> dict[str, TeamClaim]:
    """Every claim not expired, by question key."""
    rows = conn.execute(
        f"SELECT question_key, question_id, member, leader_role, claimed_at, expires_at,"
        f" leader_role = current_user FROM {SCHEMA}.claims WHERE expires_at > now()"
    ).fetchall()
    return {row[0]: TeamClaim(*row) for row in rows}


def sent_since(conn: psycopg.Connection, since: datetime) -> dict[str, SentMark]:
    """The questions answered since ``since``, by question key."""
    rows = conn.execute(
        f"SELECT question_key, member, leader_role, sent_at FROM {SCHEMA}.sent WHERE sent_at >= %s",
        (since,),
    ).fetchall()
    return {row[0]: SentMark(*row) for row in rows}


def shared_taxonomy(conn: psycopg.Connection) -> dict[str, Any] | None:
    """The team's taxonomy document, or ``None`` when the team has none."""
    row = conn.execute(f"SELECT document FROM {SCHEMA}.taxonomy WHERE id = 1").fetchone()
    return row[0] if row and isinstance(row[0], dict) else None


def insights_between(
    conn: psycopg.Connection, since: datetime, until: datetime | None, team: str | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """(member, insight record) of every leader's insights in ``[since, until)`` (only
    ``team``'s when given: the ``(team, created_at)`` index serves it)."""
    where = "created_at >= %s AND (%s::timestamptz IS NULL OR created_at < %s)"
    parameters: tuple[Any, ...] = (since, until, until)
    if team is not None:
        where += " AND team = %s"
        parameters += (team,)
    rows = conn.execute(f"SELECT member, record FROM {SCHEMA}.insights WHERE {where}", parameters)
    return [(row[0], row[1]) for row in rows]


def prune_claims(conn: psycopg.Connection) -> int:
    """Remove claims expired for a day (the policy lets any leader remove expired ones),
    so the table holds about the live claims only; returns how many went."""
    done = conn.execute(f"DELETE FROM {SCHEMA}.claims WHERE expires_at <= now() - interval '1 day'")
    return done.rowcount


def handoffs_between(
    conn: psycopg.Connection, since: datetime, until: datetime | None
) -> list[tuple[Any, ...]]:
    """Every leader's hand-offs in ``[since, until)``: (member, question_id, channel,
    customer_name, customer_handle, team, note, handed_at, question_key)."""
    rows = conn.execute(
        f"SELECT member, question_id, channel, customer_name, customer_handle, team, note,"
        f" handed_at, question_key FROM {SCHEMA}.handoffs WHERE handed_at >= %s"
        " AND (%s::timestamptz IS NULL OR handed_at < %s)",
        (since, until, until),
    )
    return [tuple(row) for row in rows]
