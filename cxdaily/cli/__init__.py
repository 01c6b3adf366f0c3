"""The command line: thin subcommands over :class:`cxdaily.service.Service`.

Exit codes: 0 success; 1 error (one line on stderr, no traceback); 2 usage error;
3 partial success (some channels failed); 130 interrupted; 141 the reader of the output
went away (``cxdaily batch --json | head``: nothing more is printed, as for any tool).

Every argument must be UTF-8 text (one that is not is refused in one line), every text
argument that is stored has a size limit (:mod:`cxdaily.core.limits`), and ``CXDAILY_NOW`` is
checked before any command runs.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

import msgspec

from cxdaily import __version__
from cxdaily.cli.argv import (
    EXIT_USAGE,
    command_word,
    negative_values_joined,
    undecodable_argument,
)
from cxdaily.core.errors import CxDailyError, UsageError

if TYPE_CHECKING:  # the service, the connectors, the HTTP layer and argparse load on use
    import argparse

    from cxdaily.connectors import Connector
    from cxdaily.connectors.runner import ClientFactory
    from cxdaily.paths import Locations
    from cxdaily.service import Service
    from cxdaily.service.channels import ConnectorRegistry
    from cxdaily.settings import Settings

EXIT_OK, EXIT_ERROR, EXIT_PARTIAL = 0, 1, 3
EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 130, 141


def _profile(args: argparse.Namespace) -> str | None:
    from cxdaily.paths import DEMO_PROFILE

    return DEMO_PROFILE if getattr(args, "demo", False) else None


class ServiceFactory(msgspec.Struct, frozen=True):
    """How the command line builds every :class:`~cxdaily.service.Service` it opens: with
    the connector registry and the HTTP client factory :func:`main` was given. ``None``
    means the default: the built-in kinds and plugins (:func:`cxdaily.connectors.
    connector_class`) and :func:`cxdaily.connectors.http.make_client`."""

    connectors: ConnectorRegistry | None = None
    make_client: ClientFactory | None = None

    def connector_class(self, kind: str) -> type[Connector]:
        """The connector class of ``kind`` in this registry."""
        if self.connectors is not None:
            return self.connectors(kind)
        from cxdaily.connectors import connector_class

        return connector_class(kind)

    def open(
        self,
        profile: str | None,
        *,
        read_only: bool = False,
        on_channel_problem: Callable[[str], None] | None = None,
    ) -> Service:
        """Open a profile (see :meth:`Service.open`)."""
        from cxdaily.service import Service

        return Service.open(
            profile,
            read_only=read_only,
            connectors=self.connector_class,
            make_client=self.make_client,
            on_channel_problem=on_channel_problem,
        )

    def build(self, where: Locations, settings: Settings, *, read_only: bool = False) -> Service:
        """A service over settings already loaded (see :class:`Service`)."""
        from cxdaily.service import Service

        return Service(
            where,
            settings,
            read_only=read_only,
            connectors=self.connector_class,
            make_client=self.make_client,
        )


def services(args: argparse.Namespace) -> ServiceFactory:
    """The factory :func:`main` put on ``args`` (the default one for a handler called
    with arguments of its own)."""
    factory = getattr(args, "services", None)
    return factory if isinstance(factory, ServiceFactory) else ServiceFactory()


def _open(
    args: argparse.Namespace, *, read_only: bool = False, uses_channels: bool = True
) -> Service:
    """The service of the profile ``args`` name. A command that ``uses_channels`` not
    (the batch, a digest export, the streak, the outbox's list) is not stopped by a broken
    channel table: it says so on stderr, in one line, and goes on."""
    warn = None if uses_channels else _warn_channel_problem
    return services(args).open(_profile(args), read_only=read_only, on_channel_problem=warn)


def _warn_channel_problem(problem: str) -> None:
    """One line on stderr: what is wrong with a channel, which this command does not use."""
    from cxdaily.core.safe_text import one_line

    print(
        f"cxdaily: warning: {one_line(problem, 300)} (this command uses no channel: it goes "
        "on; fetching needs it fixed)",
        file=sys.stderr,
    )


# ----------------------------------------------------------------------------- app
def cmd_app(args: argparse.Namespace) -> int:
    """Open the app (the default profile, or the demo); when the leader asks for the demo
    inbox from the start screen, the app closes and opens again on the demo profile."""
    import gc

    from cxdaily.paths import DEMO_PROFILE

    profile = DEMO_PROFILE if args.command == "demo" or args.demo else None
    problem = app_terminal_problem()
    if problem:
        print(f"cxdaily: {problem}", file=sys.stderr)
        return EXIT_ERROR
    if profile and getattr(args, "reset", False):
        _reset_demo()
    while True:
        gc.disable()  # the start-up's records live on: the start screen freezes them
        service = services(args).open(profile)
        try:
            from cxdaily.ui.app import OPEN_DEMO, TERMINATED, CxDailyApp

            app = CxDailyApp(service, demo=profile is not None)
            app.run()
            from cxdaily.cli.outbox import send_left_in_undo_window

            send_left_in_undo_window(service)
            keep_batches(service)  # the next launch, today's or tomorrow's, opens at once
        finally:
            gc.enable()
            service.close()
        if app.terminated:
            return TERMINATED
        if app.return_value == OPEN_DEMO and profile is None:
            from cxdaily.cli.browser_tab import served_in_browser

            if served_in_browser():  # its tab closed with the app: `cxdaily serve --demo`
                return EXIT_OK
            profile = DEMO_PROFILE  # the start screen's "try the demo inbox"
            continue
        return app.return_code or 0


def keep_batches(service: Service) -> None:
    """Curate and keep today's batch and the next day's when those kept are not current
    (:meth:`Service.keep_batch`), so that the app opens on them at once. A store that
    cannot be read here is left for the app or ``cxdaily batch`` to report."""
    with contextlib.suppress(CxDailyError):
        service.keep_batch()


def app_terminal_problem() -> str | None:
    """Why the app cannot open here (its input or output is not a terminal: a script, a
    pipe, a cron job, where it would wait for keys forever and draw escape codes into a
    file), or ``None``; a browser tab's session (``cxdaily serve``) has its own driver."""
    from cxdaily.cli.browser_tab import served_in_browser

    if served_in_browser() or (sys.stdin.isatty() and sys.stdout.isatty()):
        return None
    return (
        "the app needs a terminal (its input or output is not one); in a script, use "
        "the commands (`cxdaily batch`, `cxdaily fetch` ...: `cxdaily --help`)"
    )


def _reset_demo() -> None:
    import shutil

    from cxdaily.paths import DEMO_PROFILE, locations

    data_dir = locations(DEMO_PROFILE).data_dir
    if data_dir.exists():
        from cxdaily.store.database import DataFolder

        DataFolder(data_dir).close()  # refuses while a demo session is running
        shutil.rmtree(data_dir)


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
def _register_locate(sub: argparse._SubParsersAction) -> None:
    """Add ``locate``."""
    p = sub.add_parser("locate", help="print where files live")
    p.add_argument("what", choices=("config", "data", "themes"), metavar="config|data|themes")
    p.set_defaults(handler=cmd_locate)


#: Every subcommand, in help order, with what declares it: a function here or the
#: ``register`` function of a ``cli_*`` module (imported only when its commands are used).
COMMAND_GROUPS: tuple[tuple[tuple[str, ...], Callable | str], ...] = (
    (("demo", "fetch", "batch", "tag"), "cxdaily.cli.session"),
    (("reply", "outbox", "promises"), "cxdaily.cli.outbox"),
    (("replies",), "cxdaily.cli.replies"),
    (("streak",), "cxdaily.cli.streak"),
    (("digest",), "cxdaily.cli.digest"),
    (("destinations",), "cxdaily.cli.destinations"),
    (("channels", "login"), "cxdaily.cli.channels"),
    (("team",), "cxdaily.cli.team"),
    (("serve",), "cxdaily.cli.serve"),
    (("locate",), _register_locate),
)


def _parser_scope(argv: list[str]) -> str | None:
    """Which commands the parser for ``argv`` needs: the one it names, none for the bare
    app (``""``), or all (``None``) for the top-level help and unknown commands."""
    word = command_word(argv)
    if word is None:
        return None if {"-h", "--help"} & set(argv) else ""
    return word if any(word in names for names, _ in COMMAND_GROUPS) else None


_BARE_APP = {"handler": cmd_app, "command": None}
"""What the parser gives when no command is named: the app."""


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    """The arguments ``argv`` gives, parsed by :func:`build_parser` for the commands they
    name. The bare app (no argument at all) needs no parser: its arguments are the
    parser's defaults, and its launch does without loading :mod:`argparse`."""
    if not argv:
        from types import SimpleNamespace

        bare = SimpleNamespace(**_BARE_APP, demo=False)  # --demo not given
        return cast("argparse.Namespace", bare)
    return build_parser(only=_parser_scope(argv)).parse_args(argv)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of every subcommand, or of ``only`` the group declaring that
    one (every command line builds a parser, so it builds just the one it needs)."""
    from cxdaily.cli.arguments import DEMO_HELP, CommandLineParser, demo_after_the_command

    parser = CommandLineParser(
        prog="cxdaily", description="Thirty minutes a day with your customers."
    )
    parser.add_argument("--version", action="version", version=f"cxdaily {__version__}")
    parser.add_argument("--demo", action="store_true", help=DEMO_HELP)
    parser.set_defaults(**_BARE_APP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for names, declare in COMMAND_GROUPS:
        if only is not None and only not in names:
            continue
        if isinstance(declare, str):
            declare = importlib.import_module(declare).register
        declare(sub)
    demo_after_the_command(parser)
    return parser


def _stdout_to_devnull() -> None:
    """Point stdout at the null device, so the flush at exit cannot fail once more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a file (a test's capture, a closed fd)
        pass


def _usable_output() -> None:
    """Make stdout and stderr safe to print to: a closed one (``cxdaily fetch >&-``)
    becomes the null device, and one whose encoding cannot write every character (an ASCII
    or Latin-1 locale) writes ``?`` for those (``--json`` escapes them instead: see
    :func:`~cxdaily.cli.json_lines.print_json`)."""
    from cxdaily.cli.json_lines import writes_utf8

    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (open as long as the process)
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115
    for stream in (sys.stdout, sys.stderr):
        if not writes_utf8(stream) and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def _output_failed(exc: OSError) -> str:
    """The one line for an :class:`OSError` no command turned into its own error: most
    often the output itself could not be written (a full disk, a closed pipe's end)."""
    reason = exc.strerror or type(exc).__name__
    if exc.filename is not None:
        from cxdaily.core.safe_text import visible

        return f"{visible(str(exc.filename), 300)}: {reason}"
    return f"the output could not be written ({reason})"


def main(
    argv: Sequence[str] | None = None,
    *,
    connectors: ConnectorRegistry | None = None,
    make_client: ClientFactory | None = None,
) -> int:
    """Run the command line; returns the exit code.

    Every service a command opens gets ``connectors`` (a kind to its connector class) and
    ``make_client`` (the HTTP client channel work runs on): by default the built-in kinds
    and plugins, and :func:`cxdaily.connectors.http.make_client`. Tests pass their own
    rather than patching module globals.
    """
    _usable_output()
    argv = negative_values_joined(sys.argv[1:] if argv is None else list(argv))
    problem = undecodable_argument(argv)
    if problem:
        print(f"cxdaily: {problem}", file=sys.stderr)
        return EXIT_USAGE
    args = parse_arguments(argv)
    args.services = ServiceFactory(connectors, make_client)
    try:
        from cxdaily.core import clock

        clock.now()  # a CXDAILY_NOW that cannot be used stops every command here
        code = args.handler(args)
        sys.stdout.flush()  # a reader that went away shows here, not at exit
        return code
    except BrokenPipeError:  # `cxdaily batch --json | head`: the reader has what it wanted
        _stdout_to_devnull()
        return EXIT_BROKEN_PIPE
    except OSError as exc:  # `cxdaily batch > /dev/full`: what was done is kept
        _stdout_to_devnull()  # the flush at exit cannot fail once more
        with contextlib.suppress(OSError):
            print(f"cxdaily: {_output_failed(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except UsageError as exc:
        from cxdaily.core.safe_text import one_line

        where = f"{args.command}: " if args.command else ""  # as argparse's own errors
        command = f"cxdaily {args.command}" if args.command else "cxdaily"
        print(f"cxdaily: {where}{one_line(exc)}; usage: `{command} --help`", file=sys.stderr)
        return EXIT_USAGE
    except CxDailyError as exc:
        from cxdaily.core.safe_text import one_line

        print(f"cxdaily: {one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("cxdaily: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
