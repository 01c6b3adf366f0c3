"""The base class of connectors that talk to a web service, and option checking.

:class:`HttpConnector` gives a connector its :class:`ChannelHttp` (built on the injected
shared client), its base URL (the ``base_url`` option, defaulting to the public
service's), the ``deadline`` and ``retries`` options, and secret reading off the event
loop (a keyring can block on an unlock dialog).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from cxdaily.connectors.base import REPLY_OPTIONS, Connector, SecretReader, max_fetch_bytes
from cxdaily.connectors.http import ChannelHttp, HttpPolicy, check_url
from cxdaily.connectors.runner import parse_seconds
from cxdaily.core.errors import ConfigError, ConnectorError, CredentialError
from cxdaily.settings import ChannelSettings

if TYPE_CHECKING:
    import httpx

#: Options every HTTP connector understands.
COMMON_HTTP_OPTIONS = frozenset({"base_url", "deadline", "retries", "max_fetch_mb"})


def check_options(settings: ChannelSettings, known: Iterable[str]) -> None:
    """Refuse options a connector does not know (a typo would otherwise be silently ignored)."""
    allowed = set(known) | REPLY_OPTIONS
    for key in settings.options:
        if key not in allowed:
            raise ConfigError(
                f"[channels.{settings.name}] unknown option {key!r} for kind {settings.kind!r} "
                f"(known: {', '.join(sorted(allowed)) or 'none'})"
            )


def string_option(settings: ChannelSettings, key: str, *, required: bool = False) -> str | None:
    """A text option, stripped; a missing required one is a ConfigError saying what to add."""
    value = settings.options.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ConfigError(
                f'[channels.{settings.name}] needs {key} = "..." (kind {settings.kind!r})'
            )
        return None
    if not isinstance(value, str):
        raise ConfigError(f"[channels.{settings.name}] {key} must be a string")
    return value.strip()


def policy_from_options(settings: ChannelSettings) -> HttpPolicy:
    """The HTTP limits of a channel (``retries``; the deadline is the runner's)."""
    retries = settings.options.get("retries", 3)
    if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= 10:
        raise ConfigError(f"[channels.{settings.name}] retries must be a whole number from 0 to 10")
    deadline = settings.options.get("deadline")
    deadline_s = (
        parse_seconds(deadline, setting=f"[channels.{settings.name}] deadline")
        if deadline is not None
        else HttpPolicy.deadline_s
    )
    return HttpPolicy(
        retries=retries, deadline_s=deadline_s, max_fetch_bytes=max_fetch_bytes(settings)
    )


class HttpConnector(Connector):
    """A connector that talks HTTP through the shared client and one :class:`ChannelHttp`."""

    default_base_url: ClassVar[str | None] = None
    """The public service's base URL; ``None`` when the channel must name one."""
    known_options: ClassVar[frozenset[str]] = COMMON_HTTP_OPTIONS

    def __init__(
        self,
        settings: ChannelSettings,
        *,
        client: httpx.AsyncClient | None = None,
        secrets: SecretReader | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(settings, client=client, secrets=secrets, now=now)
        check_options(settings, self.known_options)
        self.policy = policy_from_options(settings)
        base = string_option(settings, "base_url") or self.default_base_url
        if base is not None:
            check_url(base, channel=self.name)
        self.base_url = base.rstrip("/") if base else None
        self.credential_urls: list[str] = [self.base_url] if self.base_url else []
        """URLs whose origins may receive this channel's credentials (see ``ChannelHttp``)."""
        self._http: ChannelHttp | None = None

    def allow_credentials_to(self, url: str) -> None:
        """Let requests to ``url``'s origin (an explicitly configured URL) carry credentials."""
        self.credential_urls.append(url)
        if self._http is not None:
            self._http.allow_credentials_to(url)

    @property
    def http(self) -> ChannelHttp:
        """This channel's request sender (built once, on the shared client)."""
        if self._http is None:
            if self.client is None:
                raise ConnectorError("no HTTP client was given to the connector", channel=self.name)
            self.http = ChannelHttp(self.client, channel=self.name, policy=self.policy)
        assert self._http is not None
        return self._http

    @http.setter
    def http(self, value: ChannelHttp) -> None:
        """Use ``value`` to send (tests inject one): it gets this channel's secrets and origins."""
        value.scrubber = self.scrubber
        for url in self.credential_urls:
            value.allow_credentials_to(url)
        self._http = value

    def fetch_notes(self) -> list[str]:
        """Why the last fetch stopped early (its page or byte cap), from the HTTP layer."""
        return list(self._http.notes) if self._http is not None else []

    def endpoint(self, path: str) -> str:
        """``base_url`` joined with an API path such as ``/api/v1/statuses``."""
        if self.base_url is None:
            raise ConfigError(f'[channels.{self.name}] needs base_url = "https://..."')
        return f"{self.base_url}/{path.lstrip('/')}"

    async def read_secret(self, field_name: str = "") -> str:
        """A secret this channel needs, read off the event loop; scrubbed from messages."""
        return await asyncio.to_thread(self.secret, field_name)

    async def optional_secret(self, field_name: str = "") -> str | None:
        """A secret the channel may have; ``None`` when it is not set anywhere."""
        from cxdaily.credentials import SecretRefusedError

        try:
            return await self.read_secret(field_name)
        except SecretRefusedError:  # set, but unusable: say so rather than send no auth
            raise
        except CredentialError:
            return None

    @staticmethod
    def bearer(token: str | None) -> dict[str, Any]:
        """An ``Authorization: Bearer`` header, or no header without a token."""
        return {"Authorization": f"Bearer {token}"} if token else {}
