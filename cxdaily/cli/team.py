"""The ``team`` subcommand: team mode on PostgreSQL.

- ``cxdaily team init [--leader ROLE]... [--no-migrate-grant]``: print the SQL an
  administrator runs once in the team's database (roles, schema, tables, row-level
  security, policies, grants); without ``--leader``, the role of the configured ``[team]``
  url. Nothing is run and no password is printed.
- ``cxdaily team status [--json]``: the link (reached now, with a short timeout), the
  writes waiting in the local queue, the schema version; exit 1 when the database cannot
  be reached. The store is opened read-only, so it works while the app is running.
"""

from __future__ import annotations

import argparse

from cxdaily.cli.arguments import CommandGroup, capped
from cxdaily.cli.json_lines import print_json
from cxdaily.core.errors import ConfigError

EXIT_OK, EXIT_ERROR = 0, 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``team`` to the command line's subcommands."""
    from cxdaily.core.limits import MAX_ID_CHARS

    team = CommandGroup(sub, "team", "team mode on PostgreSQL: setup SQL, link status")
    q = team.action("init", "print the SQL an administrator runs once", cmd_team_init)
    q.add_argument(
        "--leader",
        action="append",
        type=capped(MAX_ID_CHARS, "a role name"),
        metavar="ROLE",
        help="a leader's database role (repeat for each; default: the role in [team] url)",
    )
    q.add_argument(
        "--no-migrate-grant",
        action="store_true",
        help="do not let the leaders' apps migrate the schema (the administrator will)",
    )
    status = "the team link, pending writes and schema version"
    team.action("status", status, cmd_team_status, json="one JSON object")


def cmd_team_init(args: argparse.Namespace) -> int:
    """Print the setup SQL."""
    from cxdaily.team.setup_sql import init_sql

    leaders = list(dict.fromkeys(args.leader or []))
    if not leaders:
        from cxdaily.paths import locations
        from cxdaily.settings import load_settings

        team = load_settings(locations().config_file, check_channels=False).team
        if team is None:
            raise ConfigError(
                "give the leaders' roles with --leader ROLE, or set up [team] first "
                "(see the README's Team mode)"
            )
        leaders = [team.role]
    print(init_sql(leaders, may_migrate=not args.no_migrate_grant), end="")
    return EXIT_OK


def cmd_team_status(args: argparse.Namespace) -> int:
    """Reach the team database now and print the link's state."""
    from cxdaily.cli import _open
    from cxdaily.core.safe_text import one_line
    from cxdaily.team.migrate import latest_version

    with _open(args, read_only=True) as service:
        team = service.team_mode()
        state = team.sync()
        settings = team.settings
    report = {
        "database": settings.where,
        "member": settings.member,
        "connected": state.connected,
        "offline_since": state.offline_since.isoformat() if state.offline_since else None,
        "pending_writes": state.pending,
        "schema_version": state.schema_version,
        "expected_schema_version": latest_version(),
        "last_error": state.last_error,
    }
    if args.json:
        print_json(report)
    else:
        link = "connected" if state.connected else "cannot be reached"
        print(f"team database: {one_line(settings.where)} ({link})")
        print(f"member: {one_line(settings.member)}")
        print(f"pending writes: {state.pending}")
        shown = state.schema_version if state.schema_version is not None else "unknown"
        print(f"schema version: {shown} (this cxdaily: {latest_version()})")
        if state.last_error:
            print(f"last error: {one_line(state.last_error)}")
    return EXIT_OK if state.connected else EXIT_ERROR
