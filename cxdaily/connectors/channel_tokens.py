"""A channel's OAuth grant, built on its first signed-in request, and what the connectors
that sign in with an app's two secrets share.

- :class:`LazyGrant` builds a connector's :class:`~cxdaily.connectors.oauth.
  ClientCredentialsToken` (reading its secrets off the event loop) on first use and runs
  operations with its access token, renewed once when the service refuses it;
- :func:`secret_pair` reads the app's id and secret (two secret fields) for the grant;
- :func:`token_endpoint` reads a token endpoint option (a host of its own that may
  receive the credentials, or a path below ``base_url``);
- :func:`store_again_advice` is the one line that says which secrets to check and how to
  store them again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

from cxdaily.connectors.oauth import ClientCredentialsToken, CredentialReader

if TYPE_CHECKING:
    from cxdaily.connectors.http_base import HttpConnector

G = TypeVar("G", bound=ClientCredentialsToken)
T = TypeVar("T")


class LazyGrant(Generic[G]):
    """A connector's token grant, built by ``build`` on first use (on the channel's HTTP)."""

    def __init__(self, build: Callable[[], Awaitable[G]]) -> None:
        self._build = build
        self._grant: G | None = None

    async def grant(self) -> G:
        """The grant (built once)."""
        if self._grant is None:
            self._grant = await self._build()
        return self._grant

    async def call(self, operation: Callable[[dict[str, str]], Awaitable[T]]) -> T:
        """``operation(headers)`` with an access token (renewed once if it is refused)."""
        return await (await self.grant()).call(operation)


def secret_pair(connector: HttpConnector, first: str, second: str) -> CredentialReader:
    """Reads the secret fields ``first`` and ``second`` (an app's id and secret), stripped."""

    async def read() -> tuple[str, str]:
        one = (await connector.read_secret(first)).strip()
        return one, (await connector.read_secret(second)).strip()

    return read


def token_endpoint(connector: HttpConnector, option: str, default_path: str | None = None) -> str:
    """The URL of the token endpoint named by ``option`` (or its default): a host of its
    own that may receive the credentials; without one, ``default_path`` below ``base_url``."""
    configured: str | None = connector.option(option)
    if not configured:
        assert default_path is not None, f"the {option} option needs a default"
        return connector.endpoint(default_path)
    connector.allow_credentials_to(configured)
    return configured


def store_again_advice(channel: str, fields: Sequence[str]) -> str:
    """'check the a, b and c secrets (store them again with `cxdaily login NAME --field a`,
    `--field b` and `--field c`)'."""
    commands = [f"`cxdaily login {channel} --field {fields[0]}`"]
    commands += [f"`--field {field}`" for field in fields[1:]]
    return f"check the {_listed(fields)} secrets (store them again with {_listed(commands)})"


def _listed(items: Sequence[str]) -> str:
    """'a, b and c'."""
    *rest, last = items
    return f"{', '.join(rest)} and {last}" if rest else last
