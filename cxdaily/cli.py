"""The command line: thin subcommands over :class:`cxdaily.service.Service`.

Exit codes: 0 success; 1 error (one line on stderr, no traceback); 2 usage error;
3 partial success (some channels failed).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence

from cxdaily import __version__
from cxdaily.errors import CxDailyError

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3

Handler = Callable[[argparse.Namespace], int]


def _profile(args: argparse.Namespace) -> str | None:
    from cxdaily.paths import DEMO_PROFILE

    return DEMO_PROFILE if getattr(args, "demo", False) else None


def _open(args: argparse.Namespace, *, read_only: bool = False):
    from cxdaily.service import Service

    return Service.open(_profile(args), read_only=read_only)


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False))


# ----------------------------------------------------------------------------- app
def cmd_app(args: argparse.Namespace) -> int:
    """Open the app (the default profile, or the demo)."""
    from cxdaily.paths import DEMO_PROFILE
    from cxdaily.service import Service

    profile = DEMO_PROFILE if args.command == "demo" or args.demo else None
    if profile and getattr(args, "reset", False):
        _reset_demo()
    service = Service.open(profile)
    try:
        from cxdaily.ui.app import CxDailyApp

        app = CxDailyApp(service, demo=profile is not None)
        app.run()
        return app.return_code or 0
    finally:
        service.close()


def _reset_demo() -> None:
    import shutil

    from cxdaily.paths import DEMO_PROFILE, locations

    data_dir = locations(DEMO_PROFILE).data_dir
    if data_dir.exists():
        from cxdaily.store.database import DataFolder

        DataFolder(data_dir).close()  # refuses while a demo session is running
        shutil.rmtree(data_dir)


# ----------------------------------------------------------------------------- fetch
def cmd_fetch(args: argparse.Namespace) -> int:
    """Fetch channels concurrently and store what they bring.

    Exit 0 when every channel was fetched, 3 when some failed (each named on stderr),
    1 when all failed. A progress line shows on a terminal, never when piped or with
    ``--json``.
    """
    from cxdaily.safe_text import one_line

    with _open(args) as service:
        names = list(dict.fromkeys(args.channel or []))
        for name in names:
            if name not in service.settings.channels:
                service.connector(name)  # raises NotFoundError listing the known channels
        chosen = names or list(service.settings.channels)
        show_progress = not args.json and sys.stderr.isatty() and sys.stdout.isatty()
        pending = dict.fromkeys(chosen)

        def progress(outcome) -> None:
            pending.pop(outcome.channel, None)
            if show_progress:
                done = len(chosen) - len(pending)
                waiting = ", ".join(pending)
                line = f"fetched {done}/{len(chosen)} channels" + (
                    f"; waiting for {waiting}" if waiting else ""
                )
                sys.stderr.write("\r" + one_line(line, 100) + "\x1b[K")
                sys.stderr.flush()

        if show_progress and chosen:
            sys.stderr.write(f"fetching {len(chosen)} channels…")
            sys.stderr.flush()
        report = service.refresh(names or None, on_done=progress)
        if show_progress:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
        for outcome in report.outcomes:
            if outcome.result is None:
                continue
            if args.json:
                for question in outcome.result.questions:
                    _print_json(question.to_dict())
            else:
                print(f"{one_line(outcome.channel)}: {len(outcome.result.questions)} questions")
            for warning in outcome.result.warnings:
                print(f"cxdaily: {one_line(outcome.channel)}: {one_line(warning)}", file=sys.stderr)
        for outcome in report.failed:
            print(f"cxdaily: {one_line(outcome.error)}", file=sys.stderr)
        if not report.outcomes:
            print("cxdaily: no channels configured; try `cxdaily demo`", file=sys.stderr)
        if report.failed:
            return EXIT_ERROR if len(report.failed) == len(report.outcomes) else EXIT_PARTIAL
        return EXIT_OK


# ----------------------------------------------------------------------------- batch
def cmd_batch(args: argparse.Namespace) -> int:
    """Print today's curated batch (``--json``: one pick per line)."""
    from cxdaily.config import parse_duration

    budget = parse_duration(args.budget, setting="--budget") if args.budget else None
    with _open(args, read_only=True) as service:
        batch = service.batch(budget)
    if args.json:
        for item in batch.items:
            _print_json(
                {
                    "id": item.question.id,
                    "score": item.score,
                    "estimate_s": item.estimate_s,
                    "reasons": list(item.reasons),
                    "group": list(item.group),
                }
            )
        return EXIT_OK
    _print_batch(batch)
    return EXIT_OK


def _print_batch(batch) -> None:
    """The batch in words: each pick with its reasons and group, then what was left out."""
    from cxdaily.curation.explain import (
        excluded_summary,
        group_note,
        left_out_summary,
        most_valuable_left_out,
    )
    from cxdaily.safe_text import one_line

    minutes = batch.estimate_s / 60
    print(
        f"{len(batch.items)} questions, about {minutes:.0f} minutes "
        f"(budget {batch.budget_s // 60} min)"
    )
    for n, item in enumerate(batch.items, 1):
        q = item.question
        print(f"{n:>2}. {one_line(q.id, 60)}  {one_line(q.title or q.body, 60)}")
        print(
            f"    {item.estimate_s // 60}m{item.estimate_s % 60:02d}s · "
            f"{one_line(', '.join(item.reasons), 90)}"
        )
        if item.group:
            print(f"    {one_line(group_note(item.group), 90)}")
    if summary := left_out_summary(batch):
        print(f"left out: {summary}")
        for entry in most_valuable_left_out(batch):
            q = entry.item.question
            print(
                f"  - {one_line(q.id, 40)}  {one_line(q.title or q.body, 40)}: "
                f"{one_line(entry.reason, 70)}"
            )
    if summary := excluded_summary(batch):
        print(f"not candidates: {summary}")


# ----------------------------------------------------------------------------- tag
def cmd_tag(args: argparse.Namespace) -> int:
    """Record an insight from a script."""
    with _open(args) as service:
        insight = service.tag(
            args.question_id,
            tags=args.tag,
            team=args.team,
            sentiment=args.sentiment,
            importance=args.importance,
            summary=args.summary or "",
            quote=args.quote or "",
            note=args.note,
        )
    print(f"recorded insight {insight.id} on {args.question_id} ({', '.join(insight.tags)})")
    return EXIT_OK


# ----------------------------------------------------------------------------- locate
def cmd_locate(args: argparse.Namespace) -> int:
    """Print where files live."""
    from cxdaily.paths import builtin_themes_dir, locations

    where = locations(_profile(args))
    if args.what == "config":
        print(where.config_file)
    elif args.what == "data":
        print(where.data_dir)
    else:
        print(where.user_themes_dir)
        print(builtin_themes_dir())
    return EXIT_OK


# ----------------------------------------------------------------------------- parser
def _register_session(sub: argparse._SubParsersAction) -> None:
    """Add ``demo``, ``fetch``, ``batch`` and ``tag``."""
    p = sub.add_parser("demo", help="a full session on the built-in demo inbox")
    p.add_argument("--reset", action="store_true", help="start the demo from scratch")
    p.set_defaults(handler=cmd_app)

    p = sub.add_parser("fetch", help="fetch new questions from every channel")
    p.add_argument("--channel", action="append", metavar="NAME", help="only this channel")
    p.add_argument("--json", action="store_true", help="one normalized question per line")
    p.set_defaults(handler=cmd_fetch)

    p = sub.add_parser("batch", help="today's curated batch")
    p.add_argument("--budget", metavar="DURATION", help="time budget, e.g. 30m or 1h")
    p.add_argument("--json", action="store_true", help="one object per line")
    p.set_defaults(handler=cmd_batch)

    p = sub.add_parser("tag", help="record an insight")
    p.add_argument("question_id", metavar="QUESTION_ID")
    p.add_argument("--tag", action="append", required=True, metavar="T")
    p.add_argument("--team", metavar="T")
    p.add_argument("--importance", type=int, choices=(1, 2, 3), default=1)
    p.add_argument("--sentiment", choices=("negative", "neutral", "positive"))
    p.add_argument("--summary", metavar="S")
    p.add_argument("--quote", metavar="Q")
    p.add_argument("--note", metavar="N")
    p.set_defaults(handler=cmd_tag)


def _register_locate(sub: argparse._SubParsersAction) -> None:
    """Add ``locate``."""
    p = sub.add_parser("locate", help="print where files live")
    p.add_argument("what", choices=("config", "data", "themes"))
    p.set_defaults(handler=cmd_locate)


#: Every subcommand, in help order, with what declares it: a function here or the
#: ``register`` function of a ``cli_*`` module (imported only when its commands are used).
COMMAND_GROUPS: tuple[tuple[tuple[str, ...], Callable | str], ...] = (
    (("demo", "fetch", "batch", "tag"), _register_session),
    (("reply", "outbox", "promises"), "cxdaily.cli_outbox"),
    (("streak",), "cxdaily.cli_streak"),
    (("digest",), "cxdaily.cli_digest"),
    (("channels", "login"), "cxdaily.cli_channels"),
    (("locate",), _register_locate),
)


def command_word(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names (its first word that is not an option), if any."""
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word
    return None


def _parser_scope(argv: list[str]) -> str | None:
    """Which commands the parser for ``argv`` needs: the one it names, none for the bare
    app (``""``), or all (``None``) for the top-level help and unknown commands."""
    word = command_word(argv)
    if word is None:
        return None if {"-h", "--help"} & set(argv) else ""
    return word if any(word in names for names, _ in COMMAND_GROUPS) else None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of every subcommand, or of ``only`` the group declaring that
    one (every launch builds a parser, so the app's start-up builds just its own)."""
    parser = argparse.ArgumentParser(
        prog="cxdaily", description="Thirty minutes a day with your customers."
    )
    parser.add_argument("--version", action="version", version=f"cxdaily {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="work on the demo profile instead of your own data"
    )
    parser.set_defaults(handler=cmd_app, command=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for names, declare in COMMAND_GROUPS:
        if only is not None and only not in names:
            continue
        if isinstance(declare, str):
            declare = importlib.import_module(declare).register
        declare(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(only=_parser_scope(argv)).parse_args(argv)
    try:
        return args.handler(args)
    except CxDailyError as exc:
        from cxdaily.safe_text import one_line

        print(f"cxdaily: {one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("cxdaily: interrupted", file=sys.stderr)
        return 130
