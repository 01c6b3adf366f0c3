"""The OAuth token helper and refresh tokens that rotate: a stored refresh token buys the
first access token, each new one is handed to ``keep_refresh_token``, and a grant whose
form names the refresh token is cached under the rotated one too."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx

from cxdaily.connectors.http import ChannelHttp, make_client
from cxdaily.connectors.oauth import ClientCredentialsToken, TokenCache

TOKEN_URL = "https://auth.example.com/oauth2/token"
ID, SECRET = "client-4711", "s3cret-Very-Long-9"


class RotatingServer:
    """A token endpoint whose refresh tokens are single-use (each answer names a new one)."""

    def __init__(self, valid: str) -> None:
        self.valid = valid
        self.forms: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        self.forms.append(form)
        if form["grant_type"] == "refresh_token" and form.get("refresh_token") != self.valid:
            return httpx.Response(400, json={"error": "invalid_grant"})
        n = len(self.forms)
        self.valid = f"refresh-{n}-rotated"
        return httpx.Response(200, json={"access_token": f"tok-{n}-abc", "expires_in": 3600,
                                         "refresh_token": self.valid})  # fmt: skip


def helper(server: RotatingServer, kept: list[str], **kwargs) -> ClientCredentialsToken:
    http = ChannelHttp(make_client(transport=httpx.MockTransport(server)), channel="acme")
    http.allow_credentials_to(TOKEN_URL)

    async def credentials() -> tuple[str, str]:
        return ID, SECRET

    async def keep(value: str) -> None:
        kept.append(value)

    return ClientCredentialsToken(http, TOKEN_URL, credentials=credentials,
                                  keep_refresh_token=keep, **kwargs)  # fmt: skip


async def test_a_stored_refresh_token_buys_the_first_token_and_its_successor_is_kept():
    server, kept = RotatingServer("refresh-stored-0"), []
    tokens = helper(server, kept, refresh_tokens=TokenCache(), refresh_token="refresh-stored-0")
    assert await tokens.access_token() == "tok-1-abc"
    assert server.forms[0]["grant_type"] == "refresh_token"
    assert kept == ["refresh-1-rotated"] and tokens.refresh_token == "refresh-1-rotated"


async def test_a_refused_stored_refresh_token_falls_back_to_the_grant():
    server, kept = RotatingServer("refresh-other"), []
    tokens = helper(server, kept, refresh_tokens=TokenCache(), refresh_token="refresh-revoked")
    assert await tokens.access_token() == "tok-2-abc"
    assert [f["grant_type"] for f in server.forms] == ["refresh_token", "client_credentials"]
    assert kept == ["refresh-2-rotated"]


async def test_a_form_naming_the_refresh_token_is_cached_under_the_rotated_one():
    server, kept, cache = RotatingServer("refresh-stored-0"), [], TokenCache()
    form = {"grant_type": "refresh_token", "refresh_token": "refresh-stored-0"}
    first = helper(server, kept, cache=cache, form=form, refresh_token="refresh-stored-0")
    assert await first.access_token() == "tok-1-abc"
    rotated = {"grant_type": "refresh_token", "refresh_token": kept[0]}  # the next operation
    second = helper(server, [], cache=cache, form=rotated, refresh_token=kept[0])
    assert await second.access_token() == "tok-1-abc" and len(server.forms) == 1
