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

from cxdaily.core.limits import MAX_ID_CHARS, MAX_TAG_CHARS, length_problem

#: The exit code of a usage error (see :mod:`cxdaily.cli`).
EXIT_USAGE = 2

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
TAG_NAME = capped(MAX_TAG_CHARS, "a tag")


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
