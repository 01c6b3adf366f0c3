"""``cxdaily channels kinds [KIND] [--json]`` and the prompts of ``channels add``.

Both read a connector's declaration (:class:`cxdaily.connectors.options.OptionSpec`):
``kinds`` lists every kind with one line each, or one kind's options (type, default,
whether required, description) and secrets; ``channels add`` asks for the required
options the command line left out when it runs at a terminal.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Callable
from typing import Any

from cxdaily.cli.arguments import CHANNEL_KIND, CommandGroup, Handler
from cxdaily.cli.json_lines import print_json
from cxdaily.core.errors import ConfigError, CxDailyError
from cxdaily.core.safe_text import one_line

EXIT_OK = 0


def register(channels: CommandGroup) -> None:
    """Add ``kinds`` to the ``channels`` actions."""
    add_kinds_action(channels, "channel", cmd_channels_kinds)


def add_kinds_action(group: CommandGroup, what: str, handler: Handler) -> None:
    """Add ``kinds [KIND] [--json]`` to a command group: every kind of ``what`` (a channel,
    a destination), or one kind's options and secrets."""
    summary = f"every kind of {what}, or one kind's options"
    q = group.action("kinds", summary, handler, json="as JSON (one object per line)")
    q.add_argument("kind", nargs="?", type=CHANNEL_KIND, metavar="KIND", help="this kind only")


def describe_kind(kind: str) -> dict[str, Any]:
    """A kind's declaration as data: summary, options, secrets (a kind that cannot be
    loaded has ``problem`` instead)."""
    from cxdaily.connectors import connector_class

    try:
        cls = connector_class(kind)
    except CxDailyError as exc:
        return {"kind": kind, "problem": one_line(exc, 200)}
    spec = cls.declared_options
    return {
        "kind": kind,
        "summary": cls.summary or (cls.__doc__ or "").strip().split("\n")[0],
        "options": [option.to_dict() for option in spec] if spec is not None else None,
        **secrets_of(cls),
    }


def secrets_of(cls: type) -> dict[str, Any]:
    """What a channel's or a destination's class declares of its secrets: their names,
    their variables, whether they are optional and whether any one of them is enough."""
    fields = tuple(cls.secret_fields)  # type: ignore[attr-defined]
    return {
        "secrets": [field or "secret" for field in fields],
        "secret_variables": [secret_variable(field) for field in fields],
        "secret_optional": bool(cls.secret_optional),  # type: ignore[attr-defined]
        "secrets_any_one": bool(getattr(cls, "secrets_any_one", False)),
    }


def secret_variable(field: str) -> str:
    """The environment variable of a secret field for a channel named ``NAME``:
    ``CXDAILY_SECRET_<NAME>``, or ``CXDAILY_SECRET_<NAME>_<FIELD>`` for a named field."""
    from cxdaily.credentials import env_name

    return env_name("NAME", field).replace("_NAME", "_<NAME>", 1)


def cmd_channels_kinds(args: argparse.Namespace) -> int:
    """List every kind with one line each, or one kind's options and secrets."""
    from cxdaily.connectors import connector_class, known_kinds

    if args.kind is not None:
        connector_class(args.kind)  # an unknown kind: the one-line error naming the known
        kinds = [describe_kind(args.kind)]
    else:
        kinds = [describe_kind(kind) for kind in known_kinds()]
    if args.json:
        for kind in kinds:
            print_json(kind, default=str)
        return EXIT_OK
    if args.kind is None:
        width = max(len(k["kind"]) for k in kinds)
        for kind in kinds:
            text = kind.get("summary") or f"cannot be loaded: {kind.get('problem')}"
            print(f"{one_line(kind['kind']):<{width}}  {one_line(text, 160)}")
        print("show one kind's options with `cxdaily channels kinds KIND`")
        return EXIT_OK
    _print_kind(kinds[0])
    return EXIT_OK


def _print_kind(kind: dict[str, Any]) -> None:
    print(f"{kind['kind']}: {one_line(kind['summary'], 200)}")
    options = kind["options"]
    if options is None:
        print("options: not declared (the connector reads them itself)")
    else:
        print("options:")
        width = max((len(o["name"]) for o in options), default=0)
        for option in sorted(options, key=lambda o: not o["required"]):  # required first
            if option["required"]:
                need = "required"
            elif option["default"] is not None:
                need = f"default {_toml(option['default'])}"
            else:
                need = "optional"
            print(f"  {option['name']:<{width}}  {option['type']:<8}  {need:<16}  "
                  f"{option['description']}")  # fmt: skip
    secrets = kind["secrets"]
    if not secrets:
        print("secrets: none")
        return
    if kind["secret_optional"]:
        need = " (optional)"
    elif kind["secrets_any_one"] and len(secrets) > 1:
        need = " (any one of them)"
    else:
        need = ""
    named = ", ".join(
        f"{field} ({variable})"
        for field, variable in zip(secrets, kind["secret_variables"], strict=True)
    )
    variables = "the variable" if len(secrets) == 1 else "the variables"
    print(f"secrets{need}: {named}; store with `cxdaily login NAME`, or set {variables}")


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


# ----------------------------------------------------------------------------- add
def ask_missing_options(
    name: str,
    kind: str,
    options: dict[str, Any],
    *,
    interactive: bool | None = None,
    ask: Callable[[str], str] = input,
) -> dict[str, Any]:
    """``options`` with the kind's missing required options filled in.

    At a terminal each missing one is asked for, with its description; otherwise (a
    script, a pipe) a one-line ConfigError names every missing option. An unknown kind or
    an undeclared plugin is left for the channel check to judge.
    """
    from cxdaily.connectors import connector_class

    try:
        spec = connector_class(kind).declared_options
    except CxDailyError:
        return options
    missing = spec.missing(options) if spec is not None else []
    if not missing:
        return options
    if interactive is None:
        interactive = sys.stdin.isatty()
    if not interactive:
        needs = " and ".join(f"{option.name} = {option.example}" for option in missing)
        raise ConfigError(
            f"[channels.{name}] needs {needs} (kind {kind!r}); give "
            f"{'them' if len(missing) > 1 else 'it'} as KEY=VALUE"
        )
    filled = dict(options)
    for option in missing:
        try:
            answer = ask(f"{option.name} ({option.type}: {option.description}): ").strip()
        except EOFError:
            answer = ""
        if not answer:
            raise ConfigError(f"[channels.{name}] needs {option.name} = {option.example}")
        filled[option.name] = answer if option.type in ("text", "url", "path") else _value(answer)
    return filled


def _value(text: str) -> Any:
    """A typed answer as TOML reads it (``true``, ``20``), else the text itself."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def secret_words(
    name: str,
    fields: tuple[str, ...],
    sources: dict[str, str],
    *,
    optional: bool,
    any_one: bool,
) -> str:
    """Where each secret comes from, and for one not set whether it is needed: "secret:
    env", "oauth_token: not set (not needed: secret is set)", "client_secret: missing:
    set CXDAILY_SECRET_RD_CLIENT_SECRET" (a required one, in the words that fix it)."""
    from cxdaily.credentials import env_name

    if not fields:
        return "no secret needed"
    given = [label for label, source in sources.items() if source in ("env", "keyring")]
    words = []
    for field, (label, source) in zip(fields, sources.items(), strict=True):
        if label in given or source.startswith("invalid"):
            words.append(f"{label}: {source}" + (" (optional)" if optional else ""))
        elif optional:
            words.append(f"{label}: not set (optional)")
        elif any_one and given:
            words.append(f"{label}: not set (not needed: {'/'.join(given)} is set)")
        else:
            no_keyring = " (the keyring cannot be used)" if source == "unavailable" else ""
            words.append(f"{label}: missing{no_keyring}: set {env_name(name, field)}")
    return ", ".join(words)
