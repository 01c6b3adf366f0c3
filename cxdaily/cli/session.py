"""``cxdaily demo``, ``fetch``, ``batch`` and ``tag``: the daily loop's commands beside
the app (``demo`` opens it; see :func:`cxdaily.cli.cmd_app`)."""

from __future__ import annotations

import argparse
import sys

from cxdaily.cli import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, _open, cmd_app, keep_batches
from cxdaily.cli.arguments import (
    CHANNEL_NAME,
    NO_CHANNELS,
    TAG_NAME,
    TEAM_NAME,
    AppendCapped,
    capped,
)
from cxdaily.cli.json_lines import print_json
from cxdaily.core.limits import (
    MAX_ID_CHARS,
    MAX_NOTE_CHARS,
    MAX_QUOTE_CHARS,
    MAX_SUMMARY_CHARS,
    MAX_TAG_CHARS,
    MAX_TAGS,
)
from cxdaily.core.words import plural


# ----------------------------------------------------------------------------- fetch
def cmd_fetch(args: argparse.Namespace) -> int:
    """Fetch channels concurrently and store what they bring.

    Exit 0 when every channel was fetched, 3 when some failed (each named on stderr),
    1 when all failed. A progress line shows on a terminal, never when piped or with
    ``--json``.
    """
    from cxdaily.core.safe_text import one_line

    with _open(args) as service:
        if not service.settings.channels:
            print(f"cxdaily: {NO_CHANNELS}", file=sys.stderr)
            return EXIT_ERROR
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
                    print_json(question.to_dict())
            else:
                count = plural(len(outcome.result.questions), "question")
                print(f"{one_line(outcome.channel)}: {count}")
            for warning in outcome.result.warnings:
                print(f"cxdaily: {one_line(outcome.channel)}: {one_line(warning)}", file=sys.stderr)
        for outcome in report.failed:
            print(f"cxdaily: {one_line(outcome.error)}", file=sys.stderr)
        sys.stdout.flush()
        keep_batches(service)  # a scheduled fetch prepares the morning's launch
        if report.failed:
            return EXIT_ERROR if len(report.failed) == len(report.outcomes) else EXIT_PARTIAL
        return EXIT_OK


# ----------------------------------------------------------------------------- batch
def _budget(text: str) -> int:
    """An argparse type: ``--budget`` in seconds, or a usage error saying why not."""
    from cxdaily.core.errors import ConfigError
    from cxdaily.settings import parse_duration

    try:
        return parse_duration(text, setting="--budget")
    except ConfigError as exc:
        said = str(exc).removeprefix("--budget = ").removeprefix("--budget: ")
        raise argparse.ArgumentTypeError(said) from None


def cmd_batch(args: argparse.Namespace) -> int:
    """Print today's curated batch (``--json``: one pick per line)."""
    import gc

    budget = args.budget
    # One pass over every stored question, then the command ends: what it reads lives
    # until then, so cyclic collection (scans of every question, at once and at exit)
    # would only cost time. Frozen, it is never scanned again.
    gc.disable()
    try:
        with _open(args, read_only=True, uses_channels=False) as service:
            batch = service.batch(budget)
    finally:
        gc.freeze()
        gc.enable()
    if args.json:
        from cxdaily.cli.batch_text import print_must_see_left_out

        print_must_see_left_out(batch, file=sys.stderr)  # stdout's lines are the picks
        for item in batch.items:
            print_json(
                {
                    "id": item.question.id,
                    "score": item.score,
                    "estimate_s": item.estimate_s,
                    "reasons": list(item.reasons),
                    "must_see": list(item.must_see),
                    "group": list(item.group),
                }
            )
        return EXIT_OK
    from cxdaily.cli.batch_text import print_batch

    print_batch(batch, has_channels=bool(service.settings.channels))
    return EXIT_OK


# ----------------------------------------------------------------------------- tag
def cmd_tag(args: argparse.Namespace) -> int:
    """Record an insight from a script."""
    from cxdaily.core.models import InsightEntry

    with _open(args, uses_channels=False) as service:
        entry = InsightEntry(
            tags=tuple(args.tag),
            team=args.team,
            sentiment=args.sentiment,
            importance=args.importance,
            summary=args.summary or "",
            quote=args.quote or "",
            note=args.note,
        )
        with service.batch_kept_through(args.question_id):  # the next launch opens at once
            insight = service.tag(args.question_id, entry)
    from cxdaily.core.safe_text import one_line

    tags = ", ".join(insight.tags)
    print(one_line(f"recorded insight {insight.id} on {args.question_id} ({tags})"))
    return EXIT_OK


# ----------------------------------------------------------------------------- parser
def register(sub: argparse._SubParsersAction) -> None:
    """Add ``demo``, ``fetch``, ``batch`` and ``tag``."""
    p = sub.add_parser("demo", help="a full session on the built-in demo inbox")
    p.add_argument("--reset", action="store_true", help="start the demo from scratch")
    p.set_defaults(handler=cmd_app)

    p = sub.add_parser("fetch", help="fetch new questions from every channel")
    p.add_argument(
        "--channel",
        action="append",
        type=CHANNEL_NAME,
        metavar="NAME",
        help="only this channel (give it again for more)",
    )
    p.add_argument("--json", action="store_true", help="one normalized question per line")
    p.set_defaults(handler=cmd_fetch)

    p = sub.add_parser("batch", help="today's curated batch")
    p.add_argument("--budget", type=_budget, metavar="DURATION", help="time budget, e.g. 30m or 1h")
    p.add_argument("--json", action="store_true", help="one object per line")
    p.set_defaults(handler=cmd_batch)

    p = sub.add_parser("tag", help="record an insight")
    p.add_argument("question_id", type=capped(MAX_ID_CHARS, "a question id"), metavar="QUESTION_ID")
    p.add_argument(
        "--tag",
        action=AppendCapped,
        max_count=MAX_TAGS,
        type=TAG_NAME,
        required=True,
        metavar="T",
        help=f"a tag (up to {MAX_TAGS}, {MAX_TAG_CHARS} characters each)",
    )
    p.add_argument("--team", type=TEAM_NAME, metavar="T", help="the team it is for (product ...)")
    p.add_argument(
        "--importance",
        type=int,
        choices=(1, 2, 3),
        default=1,
        help="1 (default) to 3, the most important",
    )
    p.add_argument(
        "--sentiment",
        choices=("negative", "neutral", "positive"),
        help="default: read from the quote, else from the question as curation reads it",
    )
    p.add_argument(
        "--summary",
        type=capped(MAX_SUMMARY_CHARS, "the summary"),
        metavar="S",
        help="one line: what the team should know",
    )
    p.add_argument(
        "--quote",
        type=capped(MAX_QUOTE_CHARS, "the quote"),
        metavar="Q",
        help="the customer's own words (default: none)",
    )
    p.add_argument(
        "--note",
        type=capped(MAX_NOTE_CHARS, "the note"),
        metavar="N",
        help="your note for the team",
    )
    p.set_defaults(handler=cmd_tag)
