"""A channel's OAuth grant built on first use, the app's two secrets, token endpoints and
the advice that names the secrets to store again."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.channel_tokens import (
    LazyGrant,
    secret_pair,
    store_again_advice,
    token_endpoint,
)
from cxdaily.connectors.http import make_client
from cxdaily.connectors.http_base import HttpConnector
from cxdaily.connectors.oauth import ClientCredentialsToken, TokenCache
from cxdaily.connectors.options import HTTP_OPTIONS, Option
from cxdaily.core.errors import AuthError
from cxdaily.core.models import Question
from cxdaily.settings import ChannelSettings

BASE = "https://api.example.test"
SECRETS = {"client_id": " app-1\n", "client_secret": "s3cret-value\n"}


class TokenProbe(HttpConnector):
    """A channel that signs in with an app's id and secret at a token endpoint."""

    kind = "tokenprobe"
    default_base_url = BASE
    declared_options = HTTP_OPTIONS.extended(Option("token_url", "url", "the token endpoint"))

    def configure(self) -> None:
        """The token endpoint and the grant, built on first use."""
        super().configure()
        self.token_url = token_endpoint(self, "token_url", "/oauth/token")
        self.signed_in = LazyGrant(self._grant)
        self.grants_built = 0

    async def _grant(self) -> ClientCredentialsToken:
        self.grants_built += 1
        return ClientCredentialsToken(
            self.http, self.token_url, credentials=secret_pair(self, "client_id", "client_secret"),
            cache=TokenCache(),
        )  # fmt: skip

    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Nothing to fetch."""
        return FetchResult(questions=[], checkpoint=checkpoint)

    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """The probe sends no replies."""
        raise AssertionError("the probe connector sends no replies")


class TokenServer:
    """A token endpoint handing out numbered tokens, and the forms it was sent."""

    def __init__(self) -> None:
        self.forms: list[dict[str, list[str]]] = []
        self.hosts: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.hosts.append(request.url.host)
        self.forms.append(parse_qs(request.content.decode()))
        return httpx.Response(
            200, json={"access_token": f"tok-{len(self.forms)}", "expires_in": 60}
        )


def probe(server: TokenServer, **options: Any) -> TokenProbe:
    client = make_client(transport=httpx.MockTransport(server))
    settings = ChannelSettings(name="tp", kind="tokenprobe", options=options)
    return TokenProbe(settings, client=client, secrets=lambda field="": SECRETS[field])


async def test_the_grant_is_built_once_and_reads_the_two_secrets_stripped():
    server = TokenServer()
    connector = probe(server)
    seen: list[str] = []

    async def operation(headers: dict[str, str]) -> str:
        seen.append(headers["Authorization"])
        return "done"

    assert await connector.signed_in.call(operation) == "done"
    assert await connector.signed_in.call(operation) == "done"
    assert connector.grants_built == 1 and seen == ["Bearer tok-1", "Bearer tok-1"]
    assert server.forms[0]["client_id"] == ["app-1"]
    assert server.forms[0]["client_secret"] == ["s3cret-value"]
    assert server.hosts == ["api.example.test"]  # the default endpoint, below base_url


async def test_a_refused_token_is_renewed_once():
    server = TokenServer()
    connector = probe(server)
    seen: list[str] = []

    async def operation(headers: dict[str, str]) -> str:
        seen.append(headers["Authorization"])
        if len(seen) == 2:
            raise AuthError("refused", channel="tp")
        return "ok"

    await connector.signed_in.call(operation)  # tok-1 is cached now
    assert await connector.signed_in.call(operation) == "ok"
    assert seen == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


def test_a_configured_token_endpoint_may_receive_the_credentials():
    connector = probe(TokenServer(), token_url="https://login.example.test/token")
    assert connector.token_url == "https://login.example.test/token"
    assert connector.http.may_send_credentials("https://login.example.test/token")
    assert not connector.http.may_send_credentials("https://elsewhere.test/token")


def test_the_default_token_endpoint_lies_below_base_url():
    connector = probe(TokenServer())
    assert connector.token_url == f"{BASE}/oauth/token"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (("api_key",), "check the api_key secrets (store them again with "
                       "`cxdaily login shop --field api_key`)"),
        (("client_id", "client_secret", "refresh_token"),
         "check the client_id, client_secret and refresh_token secrets (store them again with "
         "`cxdaily login shop --field client_id`, `--field client_secret` and "
         "`--field refresh_token`)"),
    ],
)  # fmt: skip
def test_the_advice_names_every_secret_and_how_to_store_it(fields, expected):
    assert store_again_advice("shop", fields) == expected
