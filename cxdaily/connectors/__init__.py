"""Connectors by ``kind``: the built-in ones, plus any a package registers through the
``cxdaily.connectors`` entry-point group."""

from __future__ import annotations

from importlib import import_module

from cxdaily.connectors.base import Capabilities, Connector, FetchResult, SentReply
from cxdaily.errors import ConfigError

#: kind -> "module:Class" of the connectors that ship with cxdaily.
BUILTIN: dict[str, str] = {
    "demo": "cxdaily.connectors.demo:DemoConnector",
    "jsonl": "cxdaily.connectors.jsonl:JsonlConnector",
    "http": "cxdaily.connectors.http_json:HttpJsonConnector",
}


def connector_class(kind: str) -> type[Connector]:
    """The connector class registered for ``kind``."""
    target = BUILTIN.get(kind)
    if target is not None:
        module_name, class_name = target.split(":")
        return getattr(import_module(module_name), class_name)
    from importlib.metadata import entry_points  # only when a kind is not built in

    for entry in entry_points(group="cxdaily.connectors"):
        if entry.name == kind:
            loaded = entry.load()
            if isinstance(loaded, type) and issubclass(loaded, Connector):
                return loaded
            raise ConfigError(f"the plugin for kind {kind!r} does not provide a Connector class")
    raise ConfigError(f"unknown channel kind {kind!r} (known: {', '.join(known_kinds())})")


def known_kinds() -> list[str]:
    """Every kind that can be configured."""
    kinds = set(BUILTIN)
    from importlib.metadata import entry_points

    kinds.update(entry.name for entry in entry_points(group="cxdaily.connectors"))
    return sorted(kinds)


__all__ = [
    "BUILTIN",
    "Capabilities",
    "Connector",
    "FetchResult",
    "SentReply",
    "connector_class",
    "known_kinds",
]
