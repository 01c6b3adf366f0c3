"""The ``streak`` subcommand: the streak, a year's calendar heatmap and personal stats.

``cxdaily streak`` prints the figures, the last year as a plain-character heatmap and
the rules in force; ``--json`` prints one object for scripts (see
:mod:`cxdaily.streaks.report`). Registering the command imports nothing heavy: the app's
start-up builds this parser too.
"""

from __future__ import annotations

import argparse

EXIT_OK = 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``streak`` to the command line's subcommands."""
    p = sub.add_parser("streak", help="current and longest streak, calendar and personal stats")
    p.add_argument("--json", action="store_true", help="one object for scripts")
    p.set_defaults(handler=cmd_streak)


def cmd_streak(args: argparse.Namespace) -> int:
    """Show the streak, the calendar of the last year and personal stats."""
    from cxdaily.cli import _open
    from cxdaily.cli.json_lines import print_json
    from cxdaily.streaks.report import streak_json, streak_text

    with _open(args, read_only=True, uses_channels=False) as service:
        streak = service.streak()
        stats = service.stats()
        session = service.settings.session
        zone, day_start = session.timezone, session.day_start.strftime("%H:%M")
    if args.json:
        print_json(streak_json(streak, stats, zone, day_start))
        return EXIT_OK
    print("\n".join(streak_text(streak, stats, zone, day_start)))
    return EXIT_OK
