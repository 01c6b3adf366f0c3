"""The link to the team database: a background flusher, and the state the header shows.

:class:`TeamLink` owns one connection, used by one thread at a time. Its flusher thread
connects (migrating the schema when needed), applies the local queue's writes in order
(a batch per transaction; each write leaves the queue only after its commit), then
refreshes what the app shows: the claims, the questions other leaders answered, the
shared taxonomy. Offline, it retries with a growing pause (up to
:data:`MAX_RETRY_S`); the app never waits for it: :meth:`state`, :meth:`claims` and
:meth:`answered` return what is known, at once.

A write the database refuses for good (a policy, a bad value) is dropped with its reason
kept as the link's last error, so one bad write never holds the others back.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import msgspec
from msgspec.structs import replace

from cxdaily.core.errors import CxDailyError
from cxdaily.core.words import plural
from cxdaily.settings.team import TeamSettings
from cxdaily.team import database as db
from cxdaily.team.errors import TeamError, TeamOffline
from cxdaily.team.migrate import migrate
from cxdaily.team.writes import TeamWrite

if TYPE_CHECKING:
    import psycopg

T = TypeVar("T")
BATCH = 200
"""Most writes applied in one transaction (and removed from the queue in one file write)."""
REFRESH_S = 15.0
"""How often claims and answered questions are read again while connected."""
MAX_RETRY_S = 30.0
SENT_WINDOW = timedelta(days=30)
"""How far back answered questions are read (curation never looks further)."""


class TeamQueue(Protocol):
    """The local queue as the link uses it (the service wraps it in the store's lock)."""

    def pending(self, limit: int | None = None) -> list[TeamWrite]:
        """The writes not applied yet, oldest first."""
        ...

    def done(self, writes: list[TeamWrite]) -> int:
        """Remove applied writes, each only if it was not replaced meanwhile."""
        ...

    def count(self) -> int:
        """How many writes wait."""
        ...

    def save_state(self, name: str, value: dict[str, Any]) -> None:
        """Cache a piece of team state."""
        ...


class LinkState(msgspec.Struct, frozen=True):
    """The team link as the header shows it."""

    where: str
    connected: bool = False
    offline_since: datetime | None = None
    pending: int = 0
    last_error: str | None = None
    """The last problem, one line, never a secret (``None`` since the last success)."""
    schema_version: int | None = None

    @property
    def words(self) -> str:
        """``team: connected``, ``team: offline since 09:12, 3 writes waiting``."""
        waiting = f", {plural(self.pending, 'write')} waiting" if self.pending else ""
        if self.connected:
            return f"team: connected{waiting}"
        if self.offline_since is None:
            return f"team: connecting{waiting}"
        return f"team: offline since {self.offline_since:%H:%M}{waiting}"


class TeamLink:
    """The flusher thread and the cached team state of one leader's app."""

    def __init__(
        self,
        settings: TeamSettings,
        queue: TeamQueue,
        *,
        password: Callable[[], str | None],
        now: Callable[[], datetime],
        answered: dict[str, db.SentMark] | None = None,
        connect: Callable[..., psycopg.Connection] = db.connect,
    ) -> None:
        self._settings = settings
        self._queue = queue
        self._password = password
        self._now = now
        self._connect_to = connect
        self._conn: psycopg.Connection | None = None
        self._db_lock = threading.Lock()  # one user of the connection at a time
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = LinkState(settings.where, pending=queue.count())
        self._claims: dict[str, db.TeamClaim] = {}
        self._answered = dict(answered or {})
        self._taxonomy: dict[str, Any] | None = None
        self._retry_s = 1.0
        self._refused: str | None = None
        """Why a write was dropped in the current round (kept as the last error)."""

    # what the app reads, at once ---------------------------------------------------
    def state(self) -> LinkState:
        """The link's state now."""
        return self._state

    def claims(self) -> dict[str, db.TeamClaim]:
        """The claims last read, by question key (expired ones dropped)."""
        now = self._now()
        return {k: c for k, c in self._claims.items() if c.expires_at > now}

    def answered(self) -> dict[str, db.SentMark]:
        """The questions answered by any leader, by question key (as last read)."""
        return dict(self._answered)

    def taxonomy(self) -> dict[str, Any] | None:
        """The team's shared taxonomy as last read (``None``: the team has none)."""
        return self._taxonomy

    # the thread --------------------------------------------------------------------
    def start(self) -> None:
        """Start the flusher thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="cxdaily-team", daemon=True)
            self._thread.start()

    def poke(self) -> None:
        """A write was queued: the flusher applies it now rather than at its next round."""
        self._state = replace(self._state, pending=self._queue.count())
        self._wake.set()

    def note_problem(self, problem: str) -> None:
        """Keep a problem met outside the link (a write that could not be queued) as
        the last error the header shows."""
        self._state = replace(self._state, last_error=problem)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the flusher (after one last round when writes wait) and close the link."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        with self._db_lock:
            self._close()

    def _run(self) -> None:
        while True:
            # read before the round: a stop asked during a round gets one more round,
            # which applies what was queued meanwhile
            last_round = self._stopping.is_set()
            try:
                self.sync()
            except Exception as exc:  # the local queue cannot be read or written
                self.note_problem(f"team writes cannot be applied: {exc}")
                self._retry_s = MAX_RETRY_S
            if last_round:
                return
            pause = REFRESH_S if self._state.connected else self._retry_s
            self._wake.wait(pause)
            self._wake.clear()

    # one round -----------------------------------------------------------------------
    def sync(self) -> LinkState:
        """Connect if needed, apply every queued write, refresh claims, answered questions
        and taxonomy; returns the state after. Never raises: problems go to the state."""
        with self._db_lock:
            self._refused = None
            try:
                conn = self._connection()
                self._flush(conn)
                self._refresh(conn)
            except TeamError as exc:
                self._failed(exc)
            else:
                self._retry_s = 1.0
                self._state = replace(
                    self._state, connected=True, offline_since=None, last_error=self._refused
                )
            self._state = replace(self._state, pending=self._queue.count())
        return self._state

    def query(self, work: Callable[[psycopg.Connection], T]) -> T:
        """Run ``work`` on the connection (for the company digest and ``team status``);
        TeamOffline or TeamError when it cannot."""
        with self._db_lock:
            try:
                result = work(self._connection())
            except TeamError as exc:
                self._failed(exc)
                raise
            except Exception as exc:
                error = self._driver_error(exc)
                self._failed(error)
                raise error from None
            self._retry_s = 1.0
            self._state = replace(self._state, connected=True, offline_since=None)
            return result

    def _connection(self) -> psycopg.Connection:
        if self._conn is not None and not self._conn.closed:
            return self._conn
        try:
            password = self._password()
        except CxDailyError as exc:  # a team password set but refused
            raise TeamError(str(exc)) from None
        conn = self._connect_to(self._settings, password)
        try:
            version, _ = migrate(conn)
            db.register_member(conn, self._settings.member)
        except TeamError:
            conn.close()
            raise
        except Exception as exc:
            conn.close()
            raise self._driver_error(exc, password) from None
        self._conn = conn
        self._state = replace(self._state, schema_version=version)
        return conn

    def _flush(self, conn: psycopg.Connection) -> None:
        while True:
            writes = self._queue.pending(BATCH)
            if not writes:
                return
            try:
                with conn.transaction():
                    for write in writes:
                        self._apply(conn, write)
            except Exception as exc:
                if self._is_link_error(exc):
                    raise self._driver_error(exc) from None
                self._apply_one_by_one(conn, writes)
            else:
                self._queue.done(writes)

    def _apply_one_by_one(self, conn: psycopg.Connection, writes: list[TeamWrite]) -> None:
        """After a batch failed: each write in its own transaction; one refused for good
        is dropped (its reason becomes the last error)."""
        for write in writes:
            try:
                with conn.transaction():
                    self._apply(conn, write)
            except Exception as exc:
                if self._is_link_error(exc):
                    raise self._driver_error(exc) from None
                refused = self._driver_error(exc)
                self._refused = f"a team write ({write.kind.value}) was refused: {refused}"
            self._queue.done([write])

    def _apply(self, conn: psycopg.Connection, write: TeamWrite) -> None:
        outcome = db.apply_write(
            conn, write, self._settings.member, self._settings.claim_s, self._now()
        )
        if outcome is not None and outcome.holder is None:
            self._claims.pop(outcome.key, None)

    def _refresh(self, conn: psycopg.Connection) -> None:
        try:
            db.prune_claims(conn)
            self._claims = db.active_claims(conn)
            answered = db.sent_since(conn, self._now() - SENT_WINDOW)
            taxonomy = db.shared_taxonomy(conn)
        except Exception as exc:
            raise self._driver_error(exc) from None
        if answered.keys() != self._answered.keys():
            self._queue.save_state("answered", {"keys": _answered_doc(answered)})
        self._answered = answered
        if taxonomy != self._taxonomy and taxonomy is not None:
            self._queue.save_state("taxonomy", {"document": taxonomy})
        self._taxonomy = taxonomy

    # errors --------------------------------------------------------------------------
    def _is_link_error(self, exc: BaseException) -> bool:
        import psycopg

        link_lost = psycopg.OperationalError | psycopg.InterfaceError | TeamOffline
        return isinstance(exc, link_lost) or (self._conn is not None and self._conn.closed)

    def _driver_error(self, exc: BaseException, password: str | None = None) -> TeamError:
        if isinstance(exc, TeamError):
            return exc
        return db.team_error(exc, self._settings, password)

    def _failed(self, exc: TeamError) -> None:
        if isinstance(exc, TeamOffline) or self._conn is None or self._conn.closed:
            self._close()
        since = self._state.offline_since or self._now()
        self._state = replace(
            self._state, connected=False, offline_since=since, last_error=str(exc)
        )
        self._retry_s = min(self._retry_s * 2, MAX_RETRY_S)

    def _close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):  # closing a link already broken
                self._conn.close()
            self._conn = None


def _answered_doc(answered: dict[str, db.SentMark]) -> dict[str, list[str]]:
    """The answered questions as the local cache keeps them: key -> [member, role, at]."""
    return {k: [m.member, m.role, m.sent_at.isoformat()] for k, m in answered.items()}


def answered_from_doc(doc: dict[str, Any] | None) -> dict[str, db.SentMark]:
    """The answered questions cached locally (a damaged entry is skipped)."""
    found: dict[str, db.SentMark] = {}
    keys = (doc or {}).get("keys")
    if not isinstance(keys, dict):
        return found
    for key, value in keys.items():
        try:
            member, role, at = value
            found[key] = db.SentMark(key, str(member), str(role), datetime.fromisoformat(at))
        except (TypeError, ValueError):
            continue
    return found
