"""The SQL an administrator runs once to set a team database up (``cxdaily team init``).

It creates the two group roles (:data:`~cxdaily.team.migrate.OWNER_ROLE` owns the schema,
:data:`~cxdaily.team.migrate.LEADER_ROLE` is granted to each leader), one login role per
leader, the ``cxdaily`` schema, and then applies every migration (tables, row-level
security, policies, grants) and records it, so the leaders' apps find the schema ready.
Passwords are never printed: the administrator sets each one with psql's ``\\password``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cxdaily.core.errors import ConfigError
from cxdaily.team.migrate import (
    LEADER_ROLE,
    MIGRATIONS_TABLE_SQL,
    OWNER_ROLE,
    SCHEMA,
    migrations,
    record_sql,
)

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def check_role(name: str) -> str:
    """A leader's role name, checked: lower-case letters, digits and ``_`` (no quoting
    games in printed SQL)."""
    if not _ROLE.match(name):
        raise ConfigError(
            f"{name!r} is not a role name cxdaily sets up: use lower-case letters, digits "
            "and _ (starting with a letter), like anna or vp_product"
        )
    return name


def roles_sql(leaders: Sequence[str], *, may_migrate: bool = True) -> str:
    """Roles, the schema and its privileges; ``may_migrate`` also lets each leader's app
    apply future migrations (membership in the owner role: the app switches to it only
    for that, and row-level security is forced on the owner too)."""
    lines = [
        "-- cxdaily team mode: run once as a PostgreSQL superuser (or a role with CREATEROLE),",
        "-- in the team's database, for example: psql -d cxdaily -f team.sql",
        "",
        "DO $$ BEGIN",
        f"  CREATE ROLE {OWNER_ROLE} NOLOGIN;",
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$;",
        "DO $$ BEGIN",
        f"  CREATE ROLE {LEADER_ROLE} NOLOGIN;",
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$;",
        f"CREATE SCHEMA IF NOT EXISTS {SCHEMA} AUTHORIZATION {OWNER_ROLE};",
        f"REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC;",
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO {LEADER_ROLE};",
        "",
    ]
    for leader in leaders:
        role = check_role(leader)
        lines += [
            f"-- the leader {role}: set the password afterwards with: \\password {role}",
            "DO $$ BEGIN",
            f"  CREATE ROLE {role} LOGIN;",
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$;",
            f"GRANT {LEADER_ROLE} TO {role};",
        ]
        if may_migrate:
            lines.append(f"GRANT {OWNER_ROLE} TO {role};")
        lines.append("")
    return "\n".join(lines)


def schema_sql() -> str:
    """Every migration as one transaction, each recorded (what the apps would apply)."""
    parts = [
        "BEGIN;",
        f"SET LOCAL ROLE {OWNER_ROLE};",
        MIGRATIONS_TABLE_SQL.strip(),
    ]
    for migration in migrations():
        parts += [
            f"-- migration {migration.version}: {migration.name}",
            migration.sql.strip(),
            record_sql(migration),
        ]
    parts.append("COMMIT;")
    return "\n\n".join(parts) + "\n"


def init_sql(leaders: Sequence[str], *, may_migrate: bool = True) -> str:
    """The whole setup: roles and schema, then every migration."""
    return roles_sql(leaders, may_migrate=may_migrate) + "\n" + schema_sql()
