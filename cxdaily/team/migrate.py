"""The team schema's migrations: numbered SQL files in :mod:`cxdaily.team.migrations`.

Each migration runs once, in order, recorded in ``cxdaily.schema_migrations``. Every
leader's app migrates when it connects, so several machines may start at once: the
runner takes a transaction-scoped advisory lock (``pg_advisory_xact_lock``) first, reads
the recorded version under it, applies what is missing as the owning role
(``cxdaily_owner``) and commits; a second migrator waits on the lock, then finds nothing
left to do. A failed migration rolls back whole, its record with it.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import msgspec

from cxdaily.team.errors import TeamError

if TYPE_CHECKING:
    import psycopg

SCHEMA = "cxdaily"
OWNER_ROLE = "cxdaily_owner"
"""Owns the schema and its tables; migrations run as this role."""
LEADER_ROLE = "cxdaily_leader"
"""Granted to every leader's own role: reads and writes, held to row-level security."""
MIGRATION_LOCK = 0x637864_61696C79
"""The advisory lock key every migrator takes (``cxdaily`` in ASCII)."""
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

MIGRATIONS_TABLE_SQL = f"""
CREATE TABLE IF NOT EXISTS {SCHEMA}.schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by name NOT NULL DEFAULT session_user
);
GRANT SELECT ON {SCHEMA}.schema_migrations TO {LEADER_ROLE};
"""


class Migration(msgspec.Struct, frozen=True):
    """One numbered migration."""

    version: int
    name: str
    sql: str


@cache
def migrations() -> tuple[Migration, ...]:
    """Every migration shipped with cxdaily, in order (numbers must run 1, 2, 3 ...)."""
    found = []
    for entry in resources.files("cxdaily.team.migrations").iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise TeamError("the team migrations shipped with cxdaily are not numbered 1, 2, 3 ...")
    return tuple(found)


def latest_version() -> int:
    """The schema version this cxdaily expects."""
    return migrations()[-1].version


def record_sql(migration: Migration) -> str:
    """The statement recording a migration as applied (for the printed setup SQL)."""
    return (
        f"INSERT INTO {SCHEMA}.schema_migrations (version, name) "
        f"VALUES ({migration.version}, '{migration.name}');"
    )


def schema_version(conn: psycopg.Connection) -> int:
    """The recorded schema version (0 before the first migration); TeamError when the
    ``cxdaily`` schema itself is missing (the administrator's setup was not run)."""
    row = conn.execute(
        "SELECT to_regnamespace(%s) IS NOT NULL, to_regclass(%s) IS NOT NULL",
        (SCHEMA, f"{SCHEMA}.schema_migrations"),
    ).fetchone()
    if row is None or not row[0]:
        raise TeamError(
            "the team database has no cxdaily schema yet: an administrator runs the SQL "
            "printed by `cxdaily team init` once"
        )
    if not row[1]:
        return 0
    found = conn.execute(f"SELECT coalesce(max(version), 0) FROM {SCHEMA}.schema_migrations")
    value = found.fetchone()
    return int(value[0]) if value else 0


def migrate(conn: psycopg.Connection) -> tuple[int, list[int]]:
    """Bring the schema up to :func:`latest_version`; returns the version and the
    migrations this call applied (none when another migrator got there first)."""
    import psycopg

    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        version = schema_version(conn)
        pending = [m for m in migrations() if m.version > version]
        if not pending:
            return version, []
        try:
            conn.execute(f"SET LOCAL ROLE {OWNER_ROLE}")
        except psycopg.errors.InsufficientPrivilege:
            raise TeamError(
                f"the team schema is at version {version} and this cxdaily needs "
                f"{latest_version()}: your role may not migrate it (an administrator grants "
                f"{OWNER_ROLE} to it, or applies the SQL of `cxdaily team init`)"
            ) from None
        conn.execute(MIGRATIONS_TABLE_SQL)
        for migration in pending:
            conn.execute(migration.sql)
            conn.execute(
                f"INSERT INTO {SCHEMA}.schema_migrations (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
    return pending[-1].version, [m.version for m in pending]
