"""The ``channels`` and ``login`` subcommands: manage channels and their secrets.

- ``cxdaily channels list [--json]``: every channel, where its secret would come from
  (never the secret itself) and how its last fetch went;
- ``cxdaily channels add NAME KIND [KEY=VALUE ...] [--replace]``: add a channel to the
  config file (checked first, written atomically; at a terminal, missing required options
  are asked for);
- ``cxdaily channels kinds [KIND] [--json]``: every kind, or one kind's options and
  secrets, from its connector's declaration (:mod:`cxdaily.cli.channel_kinds`);
- ``cxdaily channels test [NAME ...]``: check reachability and auth of every named (or
  every) channel at once, each under its own deadline, one line per channel;
- ``cxdaily channels remove NAME [--keep-secret]``: remove a channel (and its secrets);
- ``cxdaily login NAME [--field FIELD]``: a channel's (or a digest destination's) secrets:
  prompt for each without echo and store it in the OS keyring (refusing plaintext, null and
  failing backends).
"""

from __future__ import annotations

import argparse
import getpass
import sys
import tomllib
from collections import Counter
from typing import TYPE_CHECKING, Any

from cxdaily.cli.arguments import (
    CHANNEL_KIND,
    CHANNEL_NAME,
    NO_CHANNELS,
    CommandGroup,
    capped,
)
from cxdaily.cli.json_lines import print_json
from cxdaily.core.errors import ConfigError, CredentialError, CxDailyError, NotFoundError
from cxdaily.core.safe_text import one_line
from cxdaily.core.words import plural

if TYPE_CHECKING:
    from cxdaily.connectors.base import Connector
    from cxdaily.connectors.options import OptionSpec

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
#: Most channels tested at the same time (each test mostly waits on the network).
MAX_PARALLEL_TESTS = 32


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``channels`` and ``login`` to the command line's subcommands."""
    from cxdaily.cli import channel_kinds
    from cxdaily.core.limits import MAX_ID_CHARS

    channels = CommandGroup(sub, "channels", "list, add, test or remove channels; list kinds")
    channels.action(
        "list", "every channel, its secret's source and last fetch", cmd_channels_list, json=True
    )

    q = channels.action("add", "add a channel to the config file", cmd_channels_add)
    q.add_argument("name", type=CHANNEL_NAME, metavar="NAME")
    q.add_argument(
        "kind",
        type=CHANNEL_KIND,
        metavar="KIND",
        help="the kind of channel (`cxdaily channels kinds` lists them)",
    )
    q.add_argument(
        "options",
        nargs="*",
        type=_option_argument,
        metavar="KEY=VALUE",
        help="options, e.g. path=~/q.jsonl deadline=20s",
    )
    q.add_argument("--replace", action="store_true", help="replace a channel of that name")

    q = channels.action("test", "check reachability and auth", cmd_channels_test)
    q.add_argument(
        "names",
        nargs="*",
        type=CHANNEL_NAME,
        metavar="NAME",
        help="channels to test (default: all)",
    )

    q = channels.action("remove", "remove a channel from the config file", cmd_channels_remove)
    q.add_argument("name", type=CHANNEL_NAME, metavar="NAME")
    q.add_argument("--keep-secret", action="store_true", help="leave its secret in the keyring")

    channel_kinds.register(channels)

    p = sub.add_parser("login", help="store a channel's (or destination's) secret in the keyring")
    p.add_argument("name", type=CHANNEL_NAME, metavar="NAME")
    p.add_argument(
        "--field",
        type=capped(MAX_ID_CHARS, "a field name"),
        metavar="FIELD",
        help="only this one of the channel's secrets",
    )
    p.set_defaults(handler=cmd_login)


# ----------------------------------------------------------------------------- helpers
def _load(args: argparse.Namespace, *, check_channels: bool = True):
    """The locations and settings of the default profile (not the demo's).

    ``check_channels=False`` for the commands that repair a channel the config file has
    wrong (``add --replace``, ``remove``): every other command refuses such a file.
    """
    from cxdaily.settings import load_settings

    if getattr(args, "demo", False):
        raise ConfigError("the demo has its own built-in inbox; manage channels without --demo")
    from cxdaily.paths import locations

    where = locations()
    return where, load_settings(where.config_file, check_channels=check_channels)


def _channel(settings: Any, name: str):
    channel = settings.channels.get(name)
    if channel is None:
        known = ", ".join(sorted(settings.channels)) or "none configured"
        raise NotFoundError(
            f"no channel named {name!r} (channels: {known}); add one with "
            "`cxdaily channels add NAME KIND KEY=VALUE ...`"
        )
    return channel


def _kind_class(kind: str) -> type[Connector] | None:
    """The connector class of a kind (``None`` for an unknown kind)."""
    from cxdaily.connectors import connector_class

    try:
        return connector_class(kind)
    except CxDailyError:
        return None


def _secret_fields(kind: str) -> tuple[tuple[str, ...], bool]:
    """The secret fields of a kind and whether they are optional (unknown kind: none)."""
    cls = _kind_class(kind)
    return ((), True) if cls is None else (tuple(cls.secret_fields), bool(cls.secret_optional))


def _destination_secret_fields(kind: str) -> tuple[str, ...]:
    """The secret fields of a digest destination kind."""
    from cxdaily.connectors.destinations import destination_class

    return tuple(destination_class(kind).secret_fields)


def _renewed_fields(kind: str) -> tuple[str, ...]:
    """The secret fields a kind's connector stores itself (a session, a rotated token)."""
    cls = _kind_class(kind)
    return () if cls is None else tuple(cls.renewed_secret_fields)


def _secrets_any_one(kind: str) -> bool:
    """Whether any one of the kind's secret fields is enough (they are alternatives)."""
    cls = _kind_class(kind)
    return cls is not None and bool(cls.secrets_any_one)


def _option_argument(text: str) -> str:
    """An argparse type: ``KEY=VALUE`` within its size limit, or a usage error."""
    from cxdaily.core.limits import MAX_OPTION_CHARS

    key, sep, _ = capped(MAX_OPTION_CHARS, "an option")(text).partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not an option like key=value")
    return text


def _fields_words(fields: tuple[str, ...]) -> str:
    """What ``--field`` may name, for an error: ``its fields are a, b``."""
    named = [field for field in fields if field]
    if not named:
        return "it has one secret: leave out --field"
    also = " (or none: leave out --field)" if "" in fields else ""
    return f"its fields are {', '.join(named)}{also}"


def parse_option(text: str) -> tuple[str, Any]:
    """``key=value``: the value as a TOML number, boolean or array when it is one, else text."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(f"{text!r} is not an option like key=value")
    try:
        parsed = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value
    if isinstance(parsed, dict):
        parsed = value
    return key, parsed


# ----------------------------------------------------------------------------- list
def cmd_channels_list(args: argparse.Namespace) -> int:
    """Print every channel with its secret's source and last fetch; never a secret."""
    from cxdaily.cli import services
    from cxdaily.cli.channel_kinds import secret_words
    from cxdaily.core.clock import to_iso
    from cxdaily.credentials import secret_source

    where, settings = _load(args)
    statuses: dict[str, Any] = {}
    if settings.channels:
        service = services(args).build(where, settings, read_only=True)
        try:
            statuses = {s.channel: s for s in service.channel_status()}
        finally:
            service.close()
    for name, channel in settings.channels.items():
        fields, optional = _secret_fields(channel.kind)
        secrets = {field or "secret": secret_source(name, field) for field in fields}
        status = statuses.get(name)
        if args.json:
            print_json(
                {
                    "name": name,
                    "kind": channel.kind,
                    "options": channel.options,
                    "secrets": secrets,
                    "secret_optional": optional,
                    "status": status.to_dict() if status else None,
                },
                default=str,
            )
            continue
        target = next(
            (str(channel.options[k]) for k in ("url", "base_url", "path") if k in channel.options),
            "",
        )
        any_one = _secrets_any_one(channel.kind)
        secret_text = secret_words(name, fields, secrets, optional=optional, any_one=any_one)
        if status is None or status.last_attempt_at is None:
            fetched = "never fetched"
        elif status.error:
            fetched = f"last fetch {to_iso(status.last_attempt_at)} failed: {status.error}"
        else:
            fetched = (
                f"last fetch {to_iso(status.last_attempt_at)}: {plural(status.count, 'question')}"
            )
        print(f"{one_line(name)}  {one_line(channel.kind)}  {one_line(target, 80)}".rstrip())
        print(f"    {secret_text}; {one_line(fetched, 160)}")
    if not settings.channels and not args.json:
        print(NO_CHANNELS)
    return EXIT_OK


# ----------------------------------------------------------------------------- add, remove
def cmd_channels_add(args: argparse.Namespace) -> int:
    """Check a new channel and write it to the config file atomically."""
    from cxdaily.cli.channel_kinds import ask_missing_options
    from cxdaily.connectors import check_channel_settings
    from cxdaily.connectors.secret_names import check_secret_names
    from cxdaily.credentials import env_name, keyring_problem
    from cxdaily.settings import channel_from_dict
    from cxdaily.settings.edit import set_channel

    where, settings = _load(args, check_channels=False)
    if args.name in settings.channels and not args.replace:
        raise ConfigError(
            f"a channel named {args.name!r} exists already; use --replace to change it"
        )
    pairs = _as_declared(args.kind, [parse_option(text) for text in args.options], args.options)
    twice = sorted(key for key, count in Counter(key for key, _ in pairs).items() if count > 1)
    if twice:
        print(
            f"cxdaily: channels add: {', '.join(twice)} given more than once; give each "
            "option once; usage: `cxdaily channels add --help`",
            file=sys.stderr,
        )
        return EXIT_USAGE
    options = dict(pairs)
    if "kind" in options:
        raise ConfigError("give the kind as the second argument, not as kind=...")
    options = _absolute_paths(args.kind, ask_missing_options(args.name, args.kind, options))
    channel = channel_from_dict(args.name, {"kind": args.kind, **options})
    check_channel_settings(channel)  # as every command will when it reads the file
    check_secret_names(
        {**settings.channels, channel.name: channel},
        settings.destinations,
        team=settings.team is not None,
    )
    set_channel(where.config_file, channel.name, {"kind": channel.kind, **channel.options})
    done = "replaced" if channel.name in settings.channels else "added"
    print(f"{done} channel {channel.name} ({channel.kind}) in {where.config_file}")
    fields, optional = _secret_fields(channel.kind)
    if fields and not optional:
        joiner = " or " if _secrets_any_one(channel.kind) else ", "
        variables = joiner.join(env_name(channel.name, f) for f in fields)
        no_keyring = keyring_problem()
        if no_keyring is None:
            print(f"next: `cxdaily login {channel.name}` (or set {variables})")
        else:  # `login` would refuse: say what works here
            print(f"next: set {variables} ({one_line(no_keyring, 200)}, so no `cxdaily login`)")
    print(f"check it with `cxdaily channels test {channel.name}`")
    return EXIT_OK


def _declared_options(kind: str) -> OptionSpec | None:
    """The options ``kind``'s connector declares, or ``None`` (an unknown kind, or a
    plugin that declares none)."""
    from cxdaily.connectors.options import OptionSpec

    declared = getattr(_kind_class(kind), "declared_options", None)
    return declared if isinstance(declared, OptionSpec) else None


def _as_declared(
    kind: str, pairs: list[tuple[str, Any]], texts: list[str]
) -> list[tuple[str, Any]]:
    """Each ``key=value`` as its kind declares it: an option declared as text (a URL, a
    path, a choice) keeps what was typed (``subdomain=5`` is the text "5", not the number
    5; ``signature=true`` the word) unless it was written as a TOML list (list options
    take one); the others take TOML's reading (numbers, booleans, lists)."""
    declared = _declared_options(kind)
    if declared is None:
        return pairs
    texts_by_name = {option.name for option in declared if option.type in _TEXT_TYPES}
    return [
        (key, text.partition("=")[2].strip())
        if key in texts_by_name and not isinstance(value, list)
        else (key, value)
        for (key, value), text in zip(pairs, texts, strict=True)
    ]


_TEXT_TYPES = ("text", "url", "path", "enum")


def _absolute_paths(kind: str, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with each path option made absolute from the folder the command runs
    in (as the leader meant it), so that a fetch started anywhere reads the same file."""
    import os

    declared = _declared_options(kind)
    if declared is None:
        return options
    paths = {option.name for option in declared if option.type == "path"}
    return {
        key: os.path.abspath(os.path.expanduser(value))
        if key in paths and isinstance(value, str) and value.strip()
        else value
        for key, value in options.items()
    }


def cmd_channels_remove(args: argparse.Namespace) -> int:
    """Remove a channel from the config file (and, unless kept, its stored secrets)."""
    from cxdaily.credentials import delete_secret
    from cxdaily.settings.edit import remove_channel

    where, settings = _load(args, check_channels=False)
    channel = _channel(settings, args.name)
    remove_channel(where.config_file, args.name)
    print(f"removed channel {args.name} from {where.config_file}; its questions stay stored")
    if not args.keep_secret:
        fields, _ = _secret_fields(channel.kind)
        fields = (*(fields or ("",)), *_renewed_fields(channel.kind))
        removed = [f or "secret" for f in fields if delete_secret(args.name, f)]
        if removed:
            print(f"deleted from the keyring: {', '.join(removed)}")
    return EXIT_OK


# ----------------------------------------------------------------------------- test
def cmd_channels_test(args: argparse.Namespace) -> int:
    """Check the named (or every) channel's reachability and auth, all at once.

    Each check runs under its channel's own deadline, so two channels that hang take one
    deadline, not two. One line per channel, in the order given: ``NAME: ok: ...`` on
    stdout, or the problem on stderr. Exit 0 when all pass, 3 when some fail, 1 when all
    fail or none is configured.
    """
    from concurrent.futures import ThreadPoolExecutor

    from cxdaily.cli import services
    from cxdaily.connectors.runner import as_typed_error

    where, settings = _load(args)
    names = list(dict.fromkeys(args.names)) or list(settings.channels)
    for name in names:
        _channel(settings, name)
    if not names:
        print(f"cxdaily: {NO_CHANNELS}", file=sys.stderr)
        return EXIT_ERROR
    failures = 0
    service = services(args).build(where, settings, read_only=True)
    try:
        # each check runs its own event loop on its own thread (a keyring read may block)
        with ThreadPoolExecutor(max_workers=min(len(names), MAX_PARALLEL_TESTS)) as pool:
            checks = [(name, pool.submit(service.check_channel, name)) for name in names]
            for name, check in checks:
                try:
                    what = check.result()
                except Exception as exc:  # a connector's bug is that channel's failure
                    failures += 1
                    text = one_line(as_typed_error(name, exc), 400)
                    prefix = "" if text.startswith(f"{name}: ") else f"{name}: "
                    print(f"cxdaily: {prefix}{text}", file=sys.stderr, flush=True)
                else:
                    print(f"{name}: ok: {one_line(what, 200)}", flush=True)
    finally:
        service.close()
    if not failures:
        return EXIT_OK
    return EXIT_ERROR if failures == len(names) else EXIT_PARTIAL


# ----------------------------------------------------------------------------- login
def cmd_login(args: argparse.Namespace) -> int:
    """Prompt for a channel's secrets without echo and store them in the keyring."""
    from cxdaily.credentials import (
        describe_secret,
        env_name,
        keyring_problem,
        store_secret,
    )
    from cxdaily.settings.team import TEAM_SECRET

    _, settings = _load(args)
    # `cxdaily login team`: the [team] database password, unless a channel has that name
    is_team = args.name == TEAM_SECRET and args.name not in settings.channels
    destination = settings.destinations.get(args.name)  # a digest destination's secret
    kind = None if is_team else (destination or _channel(settings, args.name)).kind
    if destination is not None:
        fields = _destination_secret_fields(destination.kind)
    else:
        fields = ("",) if kind is None else _secret_fields(kind)[0]
    if not fields:
        raise ConfigError(f"channel {args.name!r} (kind {kind!r}) needs no secret")
    if args.field is not None:
        if args.field not in fields:
            raise ConfigError(
                f"{args.name!r} has no secret field {args.field!r}: {_fields_words(fields)}"
            )
        fields = (args.field,)
    any_one = (
        args.field is None and len(fields) > 1 and not destination and _secrets_any_one(kind or "")
    )
    problem = keyring_problem()
    if problem:
        variables = (" or " if any_one else " and ").join(env_name(args.name, f) for f in fields)
        raise CredentialError(
            f"{problem}, so the secret cannot be stored safely; set {variables} in the "
            "environment instead, or install a keyring service"
        )
    if any_one:
        print(f"{args.name} needs one of: {', '.join(f or 'secret' for f in fields)}; "
              "leave the others empty")  # fmt: skip
    stored = 0
    for field in fields:
        prompt = f"{field} for {args.name}: " if field else f"Secret for {args.name}: "
        try:
            value = getpass.getpass(prompt)
        except EOFError:
            value = ""
        if not value.strip():
            if any_one:
                continue
            raise CredentialError(
                f"nothing was entered, so {describe_secret(args.name, field)} was not stored"
            )
        backend = store_secret(args.name, field, value.strip())
        stored += 1
        print(f"stored {describe_secret(args.name, field)} in the keyring ({backend})")
        if env_name(args.name, field) in _environ():
            print(f"note: {env_name(args.name, field)} is set and wins over the keyring")
    if not stored:
        raise CredentialError(f"nothing was entered, so no secret of {args.name} was stored")
    return EXIT_OK


def _environ() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k.startswith("CXDAILY_SECRET_") and v}
