"""Connectors by ``kind``: the built-in ones, plus any a package registers through the
``cxdaily.connectors`` entry-point group.

:func:`check_channel_settings` checks one ``[channels.NAME]`` table the way its connector
reads it (the config file does it for every channel when it is read), so a bad option is
found before any command runs, whatever the kind. What a kind accepts is declared once on
its connector (``declared_options``, see :mod:`cxdaily.connectors.options`).

Adding a built-in kind for a service is two edits: the service's entry in
:data:`cxdaily.core.services.CATALOGUE` (its ``key`` is the kind) and a module
``cxdaily/connectors/<key>.py`` holding one :class:`Connector` subclass with that
``kind`` (and its ``summary``, ``capabilities``, ``declared_options``,
``secret_fields``). Nothing else lists kinds: a catalogue entry with a module is a kind.
:data:`GENERIC_KINDS` holds the few kinds that are not one service (the demo, files of
JSON lines, any HTTP JSON API).
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from importlib.util import find_spec

from cxdaily.connectors.base import Capabilities, Connector, FetchResult, SentReply
from cxdaily.connectors.options import Option, OptionSpec
from cxdaily.core.errors import ConfigError, CxDailyError
from cxdaily.core.services import CATALOGUE
from cxdaily.settings import ChannelSettings

#: kind -> "module:Class" of the built-in kinds that are not one service.
GENERIC_KINDS: dict[str, str] = {
    "demo": "cxdaily.connectors.demo:DemoConnector",
    "jsonl": "cxdaily.connectors.jsonl:JsonlConnector",
    "http": "cxdaily.connectors.http_json:HttpJsonConnector",
}


@cache
def service_kinds() -> tuple[str, ...]:
    """The catalogue's services that have a connector module here: built-in kinds."""
    return tuple(key for key in CATALOGUE if find_spec(f"{__name__}.{key}") is not None)


def builtin_kinds() -> list[str]:
    """Every kind that ships with cxdaily."""
    return sorted({*GENERIC_KINDS, *service_kinds()})


def _service_connector(kind: str) -> type[Connector]:
    """The one Connector subclass of ``cxdaily/connectors/<kind>.py`` whose kind is ``kind``."""
    module = import_module(f"{__name__}.{kind}")
    found = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Connector)
        and value.__module__ == module.__name__
        and getattr(value, "kind", None) == kind
    ]
    if len(found) != 1:
        raise ConfigError(f"the module of kind {kind!r} must define one connector of that kind")
    return found[0]


def connector_class(kind: str) -> type[Connector]:
    """The connector class registered for ``kind``."""
    target = GENERIC_KINDS.get(kind)
    if target is not None:
        module_name, class_name = target.split(":")
        return getattr(import_module(module_name), class_name)
    if kind in service_kinds():
        return _service_connector(kind)
    from importlib.metadata import entry_points  # only when a kind is not built in

    for entry in entry_points(group="cxdaily.connectors"):
        if entry.name == kind:
            try:
                loaded = entry.load()
            except Exception as exc:  # a broken or half-installed plugin
                raise ConfigError(
                    f"the plugin for kind {kind!r} cannot be loaded ({type(exc).__name__}: "
                    f"{_short(exc)})"
                ) from None
            if isinstance(loaded, type) and issubclass(loaded, Connector):
                return loaded
            raise ConfigError(f"the plugin for kind {kind!r} does not provide a Connector class")
    raise ConfigError(f"unknown channel kind {kind!r} (known: {', '.join(known_kinds())})")


def known_kinds() -> list[str]:
    """Every kind that can be configured."""
    kinds = set(builtin_kinds())
    from importlib.metadata import entry_points

    kinds.update(entry.name for entry in entry_points(group="cxdaily.connectors"))
    return sorted(kinds)


def check_channel_settings(channel: ChannelSettings) -> None:
    """Raise a one-line ConfigError, starting ``[channels.NAME]``, when the channel cannot
    be used as configured: an unknown kind, an option its connector refuses (a missing
    ``url`` or ``path``, an unsafe or ``file://`` URL, bad ``retries`` ...), or a bad
    ``deadline``.

    The connector is built without an HTTP client or secrets, so it only reads and checks
    its options: no network work, no keyring.
    """
    table = f"[channels.{channel.name}]"
    if channel.refused:
        raise ConfigError(f"{table} {channel.refused}")
    try:
        cls = connector_class(channel.kind)
        cls(channel)
        from cxdaily.connectors.options import DEADLINE  # every kind has one (no httpx here)

        DEADLINE.read(channel)
    except CxDailyError as exc:
        text = str(exc)
        for prefix in (f"{table} ", f"{table}: ", f"{channel.name}: "):
            text = text.removeprefix(prefix)
        raise ConfigError(f"{table} {text}") from None
    except Exception as exc:  # a plugin's constructor that fails in its own way
        raise ConfigError(
            f"{table} the connector of kind {channel.kind!r} refused its options "
            f"({type(exc).__name__}: {_short(exc)})"
        ) from None


def _short(exc: BaseException) -> str:
    from cxdaily.core.safe_text import one_line

    return one_line(exc, 200)


__all__ = [
    "GENERIC_KINDS",
    "Capabilities",
    "Connector",
    "FetchResult",
    "Option",
    "OptionSpec",
    "SentReply",
    "builtin_kinds",
    "check_channel_settings",
    "connector_class",
    "known_kinds",
]
