"""``cxdaily digest --send [DEST]... [--if-due] [--again] [--no-redact]``: deliver the digest.

- ``--send``: to every configured destination (``[destinations.NAME]``), or to the ones
  named; the period is the latest digest week (the seven days before the last ``[digest]
  day``) unless ``--since``/``--until`` say otherwise; ``--team``/``--tag`` apply to the
  destinations that set neither.
- ``--if-due``: for cron or a systemd timer: sends the latest digest week to the
  destinations that have not had it, and nothing else (run it hourly: it sends once).
  While the app is open (it holds the data folder), it says so in one line and exits 0:
  the app offers to send the digest itself.
- ``--again``: send to destinations that have had this period already (or whose earlier
  attempt may have gone out); item-wise destinations still never send an item twice.
- ``--no-redact``: the only way to send personal data unredacted (no destination's config
  can turn redaction off).

One line per destination: sent or already sent on stdout, a failure on stderr. Exit codes:
0 everything sent (or nothing due), 1 a destination failed (or a send may have gone out and
was held), or the config has no such destination (or none at all), 2 options that do not
go together.
"""

from __future__ import annotations

import argparse
import sys

from cxdaily.core.errors import ConfigError, NotFoundError, StoreLockedError
from cxdaily.core.safe_text import one_line

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
APP_OPEN = "the app is open; it will offer to send the digest (nothing was sent)"
#: Export options that mean nothing when sending (destinations choose their formats).
_EXPORT_ONLY = (("output", "-o"), ("format", "--format"), ("initials", "--initials"))


def register_send_options(p: argparse.ArgumentParser) -> None:
    """Add ``--send``, ``--if-due`` and ``--again`` to the ``digest`` parser."""
    from cxdaily.cli.arguments import capped
    from cxdaily.core.limits import MAX_ID_CHARS

    p.add_argument(
        "--send",
        nargs="*",
        type=capped(MAX_ID_CHARS, "a destination name"),
        metavar="DEST",
        help="send to the configured destinations (or only those named)",
    )
    p.add_argument(
        "--if-due",
        action="store_true",
        help="with --send: only the week's digest, only when due and not sent yet (for cron)",
    )
    p.add_argument(
        "--again",
        action="store_true",
        help="with --send: send even to destinations that have had this period",
    )


def usage_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the combination of options, or ``None``."""
    if args.send is None:
        return "--if-due and --again go with --send"
    for attribute, flag in (*_EXPORT_ONLY, ("company", "--company")):
        if getattr(args, attribute, None):
            return f"{flag} does not go with --send (each destination has its own format)"
    if args.if_due and (args.since or args.until):
        return "--if-due sends the digest week; leave out --since and --until"
    if args.if_due and args.again:
        return "--if-due sends only what is due; leave out --again"
    return None


def cmd_send(args: argparse.Namespace) -> int:
    """Send the digest (see the module docstring); returns the exit code."""
    from cxdaily.cli import _open

    problem = usage_problem(args)
    if problem:
        print(f"cxdaily: digest: {problem}; usage: `cxdaily digest --help`", file=sys.stderr)
        return EXIT_USAGE
    try:
        service = _open(args)
    except StoreLockedError:
        if not args.if_due:
            raise
        print(APP_OPEN)
        return EXIT_OK
    except ConfigError as exc:  # the config file, not the command line: an error (1)
        print(f"cxdaily: {one_line(exc)}", file=sys.stderr)
        return EXIT_FAILED
    with service:
        try:
            chosen = service.delivery.chosen(args.send or None)
        except NotFoundError as exc:  # as every unknown name or id: an error (1)
            print(f"cxdaily: {one_line(exc)}", file=sys.stderr)
            return EXIT_FAILED
        if not chosen:
            print(
                f"cxdaily: no destinations configured; add a [destinations.NAME] table to "
                f"{service.locations.config_file} (the README has one for each kind)",
                file=sys.stderr,
            )
            return EXIT_FAILED
        names = [d.name for d in chosen]
        return _send_due(service, names, args) if args.if_due else _send(service, names, args)


def _send(service, names: list[str], args: argparse.Namespace) -> int:
    """``--send``: the period asked for (default: the digest week), to ``names``."""
    from cxdaily.insights.source import DigestRequest

    request = DigestRequest(
        since=args.since, until=args.until, team=args.team or None, tag=args.tag
    )
    outcomes = service.send_digest(
        request, destinations=names, redact=not args.no_redact, again=args.again
    )
    return _report(outcomes)


def _send_due(service, names: list[str], args: argparse.Namespace) -> int:
    """``--if-due``: the digest week, to those of ``names`` that have not had it."""
    from cxdaily.insights.delivery.schedule import next_digest_day, weekday_label
    from cxdaily.insights.source import DigestRequest

    due = service.digest_due()
    pending = [name for name in names if due is not None and name in due.destinations]
    if due is None or not pending:
        now = service.now()
        week = service.delivery.period_of(service.delivery.week_request(now), now)
        today = service.settings.session.days.today(now)
        following = weekday_label(next_digest_day(today, service.settings.digest.day))
        print(f"nothing due for {week.label}; the next digest day is {following}")
        return EXIT_OK
    request = DigestRequest(since=due.since, until=due.until, team=args.team or None, tag=args.tag)
    return _report(service.send_digest(request, destinations=pending, redact=not args.no_redact))


def _report(outcomes) -> int:
    """One line per destination; the exit code."""
    for outcome in outcomes:
        if outcome.ok:
            print(one_line(outcome.line, 500))
        else:
            print(f"cxdaily: {one_line(outcome.line, 500)}", file=sys.stderr)
    return EXIT_OK if all(o.ok for o in outcomes) else EXIT_FAILED
