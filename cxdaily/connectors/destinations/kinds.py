"""The destination registry: every digest destination kind, described once.

One :class:`DestinationKind` per kind names its sender class, the line ``cxdaily
destinations kinds`` shows and the service's name in outcomes. The sender class takes its
``kind``, ``summary`` and ``service`` from its entry (``Destination.__init_subclass__``),
so a kind's module never repeats them. Adding a kind is its module plus one entry here.
"""

from __future__ import annotations

import msgspec


class DestinationKind(msgspec.Struct, frozen=True):
    """One destination kind in the registry."""

    key: str
    """How ``kind = "..."`` in a ``[destinations.NAME]`` table spells it."""
    target: str
    """``module:Class`` of its sender, imported only when the kind is used."""
    summary: str
    """One line: what this kind sends where."""
    service: str
    """The service's name in outcomes (``Linear``)."""


_PACKAGE = "cxdaily.connectors.destinations"

#: kind -> its entry, for every destination kind.
DESTINATION_KINDS: dict[str, DestinationKind] = {
    entry.key: entry
    for entry in (
        DestinationKind(
            "email",
            f"{_PACKAGE}.email:EmailDestination",
            "the HTML digest with a plain-text alternative, by SMTP, to a list of addresses",
            "Email",
        ),
        DestinationKind(
            "jira",
            f"{_PACKAGE}.jira:JiraDestination",
            "a Jira Cloud issue per theme, commented with new evidence instead of duplicated",
            "Jira",
        ),
        DestinationKind(
            "linear",
            f"{_PACKAGE}.linear:LinearDestination",
            "a Linear issue per theme, commented with new evidence instead of duplicated",
            "Linear",
        ),
        DestinationKind(
            "productboard",
            f"{_PACKAGE}.productboard:ProductboardDestination",
            "a Productboard note per insight (quote, customer, source, tags), never twice",
            "Productboard",
        ),
        DestinationKind(
            "webhook",
            f"{_PACKAGE}.webhook:WebhookDestination",
            "a Slack or Teams incoming webhook (the summary, a link), or the JSON digest",
            "Webhook",
        ),
    )
}


def registered_kind(cls: type) -> DestinationKind | None:
    """The registry entry whose sender is ``cls`` (``None``: a class no entry names)."""
    target = f"{cls.__module__}:{cls.__qualname__}"
    return next((kind for kind in DESTINATION_KINDS.values() if kind.target == target), None)
