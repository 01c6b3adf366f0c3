"""The base class of connectors that talk to a web service.

:class:`HttpConnector` gives a connector its :class:`ChannelHttp` (built on the injected
shared client), its base URL (the ``base_url`` option, defaulting to the public
service's), the ``deadline``, ``retries`` and ``max_fetch_mb`` options (declared once in
:data:`~cxdaily.connectors.options.HTTP_OPTIONS`), and secret reading off the event loop
(a keyring can block on an unlock dialog).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from cxdaily.connectors.base import Connector
from cxdaily.connectors.http import ChannelHttp, HttpPolicy, HttpResult, check_url
from cxdaily.connectors.options import HTTP_OPTIONS, Option, OptionSpec
from cxdaily.core.errors import ConfigError, ConnectorError, CredentialError
from cxdaily.credentials import env_name

if TYPE_CHECKING:
    pass


def http_policy(option_values: Mapping[str, Any]) -> HttpPolicy:
    """The HTTP limits of a channel from its checked options (``retries``, ``deadline``,
    ``max_fetch_mb``)."""
    return HttpPolicy(
        retries=option_values["retries"],
        deadline_s=option_values["deadline"],
        max_fetch_bytes=option_values["max_fetch_mb"] * 2**20,
    )


def site_options(
    site: str, *more: Option, check: Callable[[str], str | None] | None = None
) -> OptionSpec:
    """The options of a kind served by each customer's own site (a forum, an instance):
    :data:`~cxdaily.connectors.options.HTTP_OPTIONS` with a required ``base_url``
    described as ``site`` (checked by ``check``), followed by ``more``."""
    base_url = Option("base_url", "url", site, required=True, check=check)
    return OptionSpec(*(o for o in HTTP_OPTIONS if o.name != "base_url"), base_url, *more)


def secret_variables(channel: str, kind: type[Connector]) -> str | None:
    """'CXDAILY_SECRET_DESK or CXDAILY_SECRET_DESK_OAUTH_TOKEN': where the channel's
    secrets can be set, joined with "or" when any one is enough (``None``: no secret)."""
    fields = kind.secret_fields
    if not fields:
        return None
    joiner = " or " if kind.secrets_any_one else " and "
    return joiner.join(env_name(channel, field) for field in fields)


class HttpConnector(Connector):
    """A connector that talks HTTP through the shared client and one :class:`ChannelHttp`."""

    default_base_url: ClassVar[str | None] = None
    """The public service's base URL; ``None`` when the channel must name one."""
    declared_options: ClassVar[OptionSpec | None] = HTTP_OPTIONS
    auth_hint: ClassVar[str | None] = None
    """What to check when the service refuses the credentials, named in the auth error:
    "the email option and the API token"."""

    def configure(self) -> None:
        """The HTTP limits and base URL from the options; no request is made."""
        super().configure()
        shared = self.option_values
        if type(self).declared_options is None:  # an undeclared plugin: check what we read
            shared = {option.name: option.read(self.settings) for option in HTTP_OPTIONS}
        self.policy = http_policy(shared)
        base = shared.get("base_url") or self.default_base_url
        if base is not None and base != shared.get("base_url"):
            check_url(base, channel=self.name)  # a configured base_url is checked already
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
        value.auth_hint = type(self).auth_hint
        value.throttle_wait = self.throttle_wait
        value.secret_variables = secret_variables(self.name, type(self))
        for url in self.credential_urls:
            value.allow_credentials_to(url)
        self._http = value

    def throttle_wait(self, result: HttpResult, now_epoch: float) -> float | None:
        """How long a throttle answer asks to wait in the service's own way, in seconds
        (``None``: it says nothing more; the HTTP layer reads ``Retry-After`` and waits the
        longer). Raise :class:`~cxdaily.core.errors.RateLimited` for a throttle that is
        not to be waited out."""
        return None

    def fetch_notes(self) -> list[str]:
        """Why the last fetch stopped early (its page or byte cap, from the HTTP layer),
        and a renewed secret that could not be stored."""
        stopped = list(self._http.notes) if self._http is not None else []
        return [*super().fetch_notes(), *stopped]

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
