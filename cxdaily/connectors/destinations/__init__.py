"""Digest destinations by ``kind``: one module per kind, one entry in the registry.

Adding a kind is two edits: a module ``cxdaily/connectors/destinations/<kind>.py`` holding
one :class:`~cxdaily.connectors.destinations.base.Destination` subclass, and its entry in
:data:`~cxdaily.connectors.destinations.kinds.DESTINATION_KINDS`. Nothing else lists
kinds: config checking, ``cxdaily destinations kinds``, ``cxdaily login NAME`` and
sending all read this registry.

:func:`send_parcel` runs one destination's delivery from synchronous code, under its
``deadline`` (and a backstop, as for channels); :func:`may_have_gone_out` says whether a
failure may nonetheless have delivered (then it is not sent again on its own).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import TYPE_CHECKING

from cxdaily.connectors.destinations.base import Destination, Ledger, destination_error
from cxdaily.connectors.destinations.kinds import DESTINATION_KINDS
from cxdaily.core.errors import (
    AuthError,
    ConfigError,
    ConnectorError,
    CxDailyError,
    RateLimited,
)
from cxdaily.settings import ChannelSettings
from cxdaily.settings.delivery import DestinationSettings

if TYPE_CHECKING:
    from cxdaily.connectors.runner import ClientFactory
    from cxdaily.insights.delivery.model import Delivered, Parcel


#: Answers that say the destination took nothing (a refusal, a throttle, a server error
#: that is not a gateway timeout): sending again cannot make a duplicate.
_REFUSED_STATUSES = frozenset(range(400, 504)) - {408, 409}


def destination_kinds() -> list[str]:
    """Every destination kind, sorted."""
    return sorted(DESTINATION_KINDS)


def destination_class(kind: str) -> type[Destination]:
    """The class of a destination kind, or a ConfigError listing the known kinds."""
    entry = DESTINATION_KINDS.get(kind)
    if entry is None:
        known = ", ".join(destination_kinds())
        raise ConfigError(f"unknown destination kind {kind!r} (known: {known})")
    module_name, class_name = entry.target.split(":")
    cls = getattr(import_module(module_name), class_name)
    assert issubclass(cls, Destination)
    return cls


def check_destination_settings(
    destination: DestinationSettings, channels: Mapping[str, ChannelSettings]
) -> None:
    """Raise a one-line ConfigError, starting ``[destinations.NAME]``, when the destination
    cannot be used as configured (an unknown kind, a missing or bad option, an email
    destination naming no email channel). No network work, no keyring."""
    try:
        destination_class(destination.kind)(destination, channels=channels)
    except CxDailyError as exc:
        raise destination_error(destination, exc) from None


def may_have_gone_out(error: BaseException) -> bool:
    """Whether a failed delivery may nonetheless have reached the destination.

    Not delivered: a configuration or secret problem, no connection made, a refused mail
    (before it was transmitted), and an answer that says the destination took nothing
    (401/403, 429, other 4xx, 500, 502, 503). Anything else may have gone out: a timeout
    or a dropped connection after the request was sent, a gateway timeout (504), a mail
    server that failed after the message was transmitted, an unexpected error.
    """
    from cxdaily.connectors.email_smtp import MailNotSentError
    from cxdaily.connectors.http_errors import NotConnectedError, UnsafeURLError

    if isinstance(error, AuthError | RateLimited | MailNotSentError):
        return False
    if isinstance(error, NotConnectedError | UnsafeURLError):
        return False
    status = getattr(error, "status", None)
    if isinstance(status, int) and status in _REFUSED_STATUSES:
        return False
    # configuration, secrets, a missing team: before any request
    return not (isinstance(error, CxDailyError) and not isinstance(error, ConnectorError))


def send_parcel(
    settings: DestinationSettings,
    parcel: Parcel,
    ledger: Ledger,
    *,
    channels: Mapping[str, ChannelSettings],
    make_client: ClientFactory | None = None,
) -> Delivered:
    """Deliver ``parcel`` to one destination from synchronous code, within its deadline.

    The destination is built on a fresh shared HTTP client with its own secrets; any
    failure is one of cxdaily's errors (a bug becomes a ConnectorError naming it), with
    the destination's secrets scrubbed from its message.
    """
    from cxdaily.connectors import http as http_layer
    from cxdaily.connectors.runner import (
        BACKSTOP_S,
        GRACE_S,
        as_typed_error,
        run_bounded,
        run_with_deadline,
    )
    from cxdaily.credentials import secret_reader

    cls = destination_class(settings.kind)

    async def main() -> Delivered:
        async with (make_client or http_layer.make_client)() as client:
            destination = cls(
                settings, client=client, secrets=secret_reader(settings.name), channels=channels
            )
            try:
                return await run_with_deadline(
                    settings.name,
                    destination.deliver(parcel, ledger),
                    destination.option("deadline"),
                )
            except Exception as exc:
                typed = as_typed_error(settings.name, exc)
                destination.scrubber.scrub_error(typed)
                raise typed from None

    deadline = cls(settings, channels=channels).option("deadline")
    return run_bounded(
        main, deadline + GRACE_S + BACKSTOP_S, channel=settings.name, what="sending the digest"
    )


__all__ = [
    "DESTINATION_KINDS",
    "Destination",
    "Ledger",
    "check_destination_settings",
    "destination_class",
    "destination_kinds",
    "may_have_gone_out",
    "send_parcel",
]
