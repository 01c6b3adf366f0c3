"""The ``digest`` subcommand: export an insight digest for product teams.

``cxdaily digest [--since S] [--until U] [--format FORMAT] [--team T] [--tag T] [-o FILE]
[--no-redact] [--initials]``, or ``cxdaily digest --send [DEST]... [--if-due] [--again]
[--no-redact]`` (:mod:`cxdaily.cli.digest_send`), where the formats are those of
:data:`cxdaily.insights.formats.DIGEST_FORMATS` (md, html, csv, json, notes).

The period defaults to the last 7 days; ``--since``/``--until`` accept dates, ``7d``,
``last monday``, ``this month`` and more (see :mod:`cxdaily.insights.period`). Without
``-o`` the digest goes to stdout; with it, the file is written atomically and its path is
printed on stderr (a file in the data folder, or the config file, is refused). The
format defaults to the file's extension, else Markdown. Personal data is redacted unless
``--no-redact`` is given. The store is opened read-only, so a digest can be made while the
app is running.
"""

from __future__ import annotations

import argparse
import sys

from cxdaily.cli.json_lines import writes_utf8
from cxdaily.core.safe_text import visible
from cxdaily.core.words import plural
from cxdaily.insights import FORMS
from cxdaily.insights.formats import DEFAULT_FORMAT, DIGEST_FORMATS

EXIT_OK = 0


COMPANY = ""
"""``--team`` given without a team name: the company digest of team mode."""


def _expression(text: str) -> str:
    from cxdaily.core.limits import MAX_PERIOD_CHARS, length_problem
    from cxdaily.insights.period import PeriodError, check_expression

    problem = length_problem(text, MAX_PERIOD_CHARS, "a period expression")
    if problem:
        raise argparse.ArgumentTypeError(problem)
    try:
        return check_expression(text)
    except PeriodError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _titles() -> str:
    """``Markdown, HTML, CSV, JSON or Notes``: every format as the leader reads it."""
    titles = [f.title for f in DIGEST_FORMATS.values()]
    return ", ".join(titles[:-1]) + f" or {titles[-1]}" if len(titles) > 1 else titles[0]


def _format_help() -> str:
    """``md: Markdown (wikis, chat), html: ...``: the ``--format`` help, from the registry."""
    listed = ", ".join(f"{f.name}: {f.label}" for f in DIGEST_FORMATS.values())
    return f"{listed}; default: the file's extension, else {DEFAULT_FORMAT}"


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``digest`` to the command line's subcommands."""
    from cxdaily.cli.arguments import TAG_NAME, TEAM_NAME

    p = sub.add_parser(
        "digest",
        help=f"export an insight digest ({_titles()})",
        description="Export the insights of a period for product teams. "
        f"--since/--until accept {FORMS}.",
    )
    p.add_argument(
        "--since", type=_expression, metavar="S", help="start of the period (default: 7d)"
    )
    p.add_argument(
        "--until", type=_expression, metavar="U", help="end of the period (default: now)"
    )
    p.add_argument(
        "--format",
        choices=tuple(DIGEST_FORMATS),
        help=_format_help(),
    )
    p.add_argument(
        "--team",
        type=TEAM_NAME,
        nargs="?",
        const=COMPANY,
        metavar="T",
        help="only team T's insights; --team alone (with [team]): the company digest",
    )
    p.add_argument("--tag", type=TAG_NAME, metavar="T", help="only insights with this tag")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically); - is stdout")
    p.add_argument(
        "--no-redact",
        action="store_true",
        help="keep emails, phone numbers, card numbers and addresses (redacted by default)",
    )
    p.add_argument("--initials", action="store_true", help="reduce customers' names to initials")
    p.add_argument(
        "--company",
        action="store_true",
        help="the company digest: every leader's insights from the team database ([team])",
    )
    from cxdaily.cli.digest_send import register_send_options

    register_send_options(p)
    p.set_defaults(handler=cmd_digest)


def cmd_digest(args: argparse.Namespace) -> int:
    """Build the digest and write it to stdout or a file (or, with ``--send``, deliver it:
    see :mod:`cxdaily.cli.digest_send`)."""
    from cxdaily.cli import _open

    if args.send is not None or args.if_due or args.again:
        from cxdaily.cli.digest_send import cmd_send

        return cmd_send(args)
    from cxdaily.insights.output import format_for_path, render, write_atomically
    from cxdaily.insights.redact import Redaction
    from cxdaily.insights.source import DigestRequest

    if args.output == "-":  # the usual spelling of stdout
        args.output = None
    fmt = args.format or (format_for_path(args.output) if args.output else DEFAULT_FORMAT)
    request = DigestRequest(
        since=args.since,
        until=args.until,
        team=None if args.team == COMPANY else args.team,
        tag=args.tag,
        redaction=Redaction(enabled=not args.no_redact, initials=args.initials),
    )
    with _open(args, read_only=True, uses_channels=False) as service:
        company = args.company or args.team == COMPANY
        digest = service.team_digest(request) if company else service.digest(request)
    text = render(digest, fmt)
    if args.output:
        path = write_atomically(args.output, text)
        count = len(digest.insights)
        shown = visible(path, 300)  # the name as it is, but nothing a terminal would run
        print(f"wrote {shown} ({plural(count, 'insight')}, {fmt})", file=sys.stderr)
    elif writes_utf8(sys.stdout):
        sys.stdout.write(text)
        sys.stdout.flush()
    else:  # a document is UTF-8 (the HTML says so), whatever the locale's encoding
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
    return EXIT_OK
