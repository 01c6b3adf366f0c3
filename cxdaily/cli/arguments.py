"""The command line's argument building blocks: typed free-text arguments with a size
limit, one-line usage errors, and the shape every command group shares.

A command group (``channels``, ``outbox``, ``team``...) is a parser whose actions are
subparsers (:func:`add_command_group`); each action names the function that runs it
(:func:`add_action`), and most take ``--json``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from cxdaily.cli.argv import EXIT_USAGE
from cxdaily.core.limits import MAX_ID_CHARS, MAX_TAG_CHARS, length_problem

#: What runs a command: its parsed arguments to an exit code.
Handler = Callable[[argparse.Namespace], int]


def capped(limit: int, what: str) -> Callable[[str], str]:
    """An argparse ``type``: the argument as given, or a usage error (exit 2, naming the
    limit) when it is longer than ``limit`` characters."""

    def check(text: str) -> str:
        problem = length_problem(text, limit, what)
        if problem:
            raise argparse.ArgumentTypeError(problem)
        return text

    check.__name__ = what  # argparse names the type in its "invalid ... value" message
    return check


#: Free-text argument types that more than one command takes.
CHANNEL_NAME = capped(MAX_ID_CHARS, "a channel name")
CHANNEL_KIND = capped(MAX_ID_CHARS, "a kind")
TEAM_NAME = capped(MAX_TAG_CHARS, "a team")
_TAG_LENGTH = capped(MAX_TAG_CHARS, "a tag")


def _tag_name(text: str) -> str:
    """An argparse ``type`` for one tag: not blank, without a comma (the app reads tags
    as a comma-separated list, so "a,b" would read as two), within its length."""
    if not text.strip():
        raise argparse.ArgumentTypeError("a tag cannot be empty")
    if "," in text:
        raise argparse.ArgumentTypeError("a tag cannot hold a comma: give each its own --tag")
    return _TAG_LENGTH(text)


_tag_name.__name__ = "a tag"  # argparse names the type in its "invalid ... value" message
TAG_NAME = _tag_name


class CommandLineParser(argparse.ArgumentParser):
    """argparse with usage errors in one line (exit 2) that point to the command's help;
    its subcommands' parsers are of this class too."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """As argparse does; a subcommand's parser refuses what it does not know itself,
        so that the error names that command's ``--help`` (argparse leaves it to the
        top-level parser, whose message names ``cxdaily --help``)."""
        parsed, extras = super().parse_known_args(args, namespace)
        if extras and self.prog.removeprefix("cxdaily").strip():
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras

    def error(self, message: str) -> NoReturn:
        """Print ``cxdaily: COMMAND: problem; usage: `cxdaily COMMAND --help``` and exit 2."""
        from cxdaily.core.safe_text import one_line

        command = self.prog.removeprefix("cxdaily").strip()
        where = f"{command}: " if command else ""
        self.exit(
            EXIT_USAGE,
            f"cxdaily: {where}{one_line(message, 400)}; usage: `{self.prog} --help`\n",
        )


class AppendCapped(argparse._AppendAction):
    """``action="append"`` that refuses more than ``max_count`` values (a usage error)."""

    def __init__(self, *args, max_count: int, **kwargs) -> None:
        self.max_count = max_count
        super().__init__(*args, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        if len(getattr(namespace, self.dest, None) or []) >= self.max_count:
            raise argparse.ArgumentError(self, f"at most {self.max_count} may be given")
        super().__call__(parser, namespace, values, option_string)


class CommandGroup:
    """A command whose actions are subcommands (``cxdaily NAME ACTION``); the action
    chosen is ``args.NAME_command``, and each action names the function that runs it."""

    def __init__(
        self, sub: argparse._SubParsersAction, name: str, help: str, **parser_options: Any
    ) -> None:
        """Add the command ``name`` to ``sub`` (``parser_options`` as for ``add_parser``)."""
        parser = sub.add_parser(name, help=help, **parser_options)
        self.actions = parser.add_subparsers(
            dest=f"{name}_command", metavar="ACTION", required=True
        )

    def action(
        self,
        name: str,
        help: str,
        handler: Handler,
        *,
        json: str | bool = False,
        **parser_options: Any,
    ) -> argparse.ArgumentParser:
        """Add the action ``name``, run by ``handler`` (``parser_options`` as for
        ``add_parser``); with ``json``, a ``--json`` option (described by ``json`` when it
        is text, else as one object per line). Returns its parser, for its other arguments."""
        q = self.actions.add_parser(name, help=help, **parser_options)
        if json:
            described = json if isinstance(json, str) else "one object per line"
            q.add_argument("--json", action="store_true", help=described)
        q.set_defaults(handler=handler)
        return q


DEMO_HELP = "work on the demo profile instead of your own data"
NO_CHANNELS = (
    "no channels configured; add one with `cxdaily channels add NAME KIND KEY=VALUE ...` "
    "(kinds: `cxdaily channels kinds`), or try `cxdaily demo`"
)
"""What every command that needs a channel says when the profile has none."""


def demo_after_the_command(parser: argparse.ArgumentParser) -> None:
    """Let every subcommand take ``--demo`` after its name too (``cxdaily batch --demo``
    as well as ``cxdaily --demo batch``): it sets the same flag, and only when given."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for command in dict.fromkeys(action.choices.values()):  # aliases share a parser
            if "--demo" not in command._option_string_actions:
                command.add_argument(
                    "--demo", action="store_true", default=argparse.SUPPRESS, help=DEMO_HELP
                )
            demo_after_the_command(command)
