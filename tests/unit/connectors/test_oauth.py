"""OAuth 2.0 client credentials tokens: asked for once, kept until shortly before they
expire, renewed once when refused, and never quoted in an error."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

import httpx
import pytest

from cxdaily.connectors.http import BadResponseError, ChannelHttp, make_client
from cxdaily.connectors.oauth import (
    DEFAULT_LIFETIME_S,
    ClientCredentialsToken,
    TokenCache,
)
from cxdaily.core.errors import AuthError, ConnectorError

TOKEN_URL = "https://auth.example.com/oauth2/token"
API = "https://auth.example.com/v1/things"
ID, SECRET = "client-4711", "s3cret-Very-Long-9"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TokenServer:
    """A token endpoint issuing ``tok-N``, and an API accepting the tokens it lists."""

    def __init__(self, *answers: httpx.Response) -> None:
        self.answers = list(answers)
        self.forms: list[dict[str, str]] = []
        self.requests: list[httpx.Request] = []
        self.accepted: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/oauth2/token":
            self.forms.append({k: v[0] for k, v in parse_qs(request.content.decode()).items()})
            if self.answers:
                return self.answers.pop(0)
            token = f"tok-{len(self.forms)}-abc"
            self.accepted = {token}
            return httpx.Response(200, json={"access_token": token, "expires_in": 3600})
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        return httpx.Response(200 if bearer in self.accepted else 401, json={"ok": True})


def tokens(server: TokenServer, clock: Clock | None = None, **kwargs) -> ClientCredentialsToken:
    http = ChannelHttp(make_client(transport=httpx.MockTransport(server)), channel="hs",
                       sleep=_no_sleep, rand=lambda: 0)  # fmt: skip
    http.allow_credentials_to(TOKEN_URL)

    async def credentials() -> tuple[str, str]:
        return ID, SECRET

    return ClientCredentialsToken(
        http, TOKEN_URL, credentials=credentials, clock=clock or Clock(), **kwargs
    )


async def _no_sleep(seconds: float) -> None:
    return None


async def get(t: ClientCredentialsToken) -> int:
    async def operation(headers: dict[str, str]) -> int:
        return (await t.http.request("GET", API, headers=headers)).status

    return await t.call(operation)


async def test_the_client_credentials_grant_is_a_form_and_the_token_is_kept():
    server = TokenServer()
    t = tokens(server)
    assert await t.headers() == {"Authorization": "Bearer tok-1-abc"}
    assert await t.access_token() == "tok-1-abc"
    assert server.forms == [
        {"grant_type": "client_credentials", "client_id": ID, "client_secret": SECRET}
    ]
    assert server.requests[0].method == "POST"
    assert "authorization" not in server.requests[0].headers


async def test_a_token_is_renewed_shortly_before_it_expires():
    server, clock = TokenServer(), Clock()
    t = tokens(server, clock)
    await t.access_token()
    clock.now += 3600 - 61
    assert await t.access_token() == "tok-1-abc"
    clock.now += 2  # within the last minute
    assert await t.access_token() == "tok-2-abc"
    assert len(server.forms) == 2


@pytest.mark.parametrize(
    ("expires_in", "lifetime"),
    [(None, DEFAULT_LIFETIME_S), ("120", 120), (30, 30), (float("nan"), DEFAULT_LIFETIME_S),
     (10**30, 30 * 24 * 3600.0), (10**400, DEFAULT_LIFETIME_S), (True, DEFAULT_LIFETIME_S),
     (-5, DEFAULT_LIFETIME_S), ("1e9", DEFAULT_LIFETIME_S)],
)  # fmt: skip
async def test_expires_in_is_read_defensively(expires_in, lifetime):
    body = {"access_token": "tok-x"} | ({} if expires_in is None else {"expires_in": expires_in})
    server, clock = TokenServer(httpx.Response(200, content=json.dumps(body))), Clock()
    t = tokens(server, clock)
    await t.access_token()
    clock.now += lifetime - min(60, lifetime / 10) - 0.5
    await t.access_token()
    assert len(server.forms) == 1
    clock.now += 1
    await t.access_token()
    assert len(server.forms) == 2


@pytest.mark.parametrize(
    "body",
    [{"token_type": "bearer"}, {"access_token": ""}, {"access_token": "a b"},
     {"access_token": "tok\r\nX-Evil: 1"}, {"access_token": 42}, ["tok"]],
)  # fmt: skip
async def test_an_answer_without_a_usable_token_is_a_bad_response(body):
    t = tokens(TokenServer(httpx.Response(200, json=body)))
    with pytest.raises(BadResponseError, match="without a usable access_token"):
        await t.access_token()


@pytest.mark.parametrize("status", [400, 401])
async def test_a_refused_client_names_the_secret_fields_and_never_the_secret(status):
    said = {"error": "invalid_client", "error_description": f"unknown client {ID}/{SECRET}"}
    t = tokens(TokenServer(httpx.Response(status, json=said)))
    with pytest.raises(AuthError) as caught:
        await t.access_token()
    text = str(caught.value)
    assert text.startswith(f"hs: POST {TOKEN_URL} refused the client credentials (HTTP {status}")
    assert "check the client_id and client_secret secrets" in text
    assert "`cxdaily login hs --field client_id`" in text
    assert ID not in text and SECRET not in text
    assert "\n" not in text


async def test_a_server_error_echoing_the_secret_is_scrubbed():
    t = tokens(TokenServer(*[httpx.Response(500, json={"message": f"boom {SECRET}"})] * 4))
    with pytest.raises(ConnectorError, match="HTTP 500") as caught:
        await t.access_token()
    assert SECRET not in str(caught.value)


async def test_a_refused_cached_token_is_dropped_and_the_operation_runs_once_more():
    server = TokenServer()
    t = tokens(server)
    assert await get(t) == 200
    server.accepted = set()  # the service forgets the token
    server.answers.append(httpx.Response(200, json={"access_token": "tok-new", "expires_in": 60}))
    with pytest.raises(AuthError):  # the new one is refused too: no loop
        await get(t)
    assert len(server.forms) == 2
    server.accepted = {"tok-new"}
    assert await get(t) == 200
    assert len(server.forms) == 2


async def test_a_fresh_token_that_is_refused_is_not_asked_for_again():
    server = TokenServer()
    t = tokens(server)
    server.accepted = set()
    server.answers.append(httpx.Response(200, json={"access_token": "tok-a", "expires_in": 60}))
    with pytest.raises(AuthError, match="HTTP 401"):
        await get(t)
    assert len(server.forms) == 1


async def test_the_cache_is_shared_per_endpoint_and_credentials():
    cache = TokenCache()
    server = TokenServer()
    await tokens(server, cache=cache).access_token()
    await tokens(server, cache=cache).access_token()
    assert len(server.forms) == 1
    await tokens(server, cache=cache, form={"scope": "read"}).access_token()
    assert len(server.forms) == 2


async def test_basic_auth_and_another_grant():
    server = TokenServer()
    t = tokens(server, basic_auth=True, form={"grant_type": "password", "username": "u"})
    await t.access_token()
    assert server.forms == [{"grant_type": "password", "username": "u"}]
    expected = base64.b64encode(f"{ID}:{SECRET}".encode()).decode()
    assert server.requests[0].headers["authorization"] == f"Basic {expected}"


async def test_credentials_go_only_to_an_allowed_token_endpoint():
    server = TokenServer()
    t = tokens(server)
    t.token_url = "https://elsewhere.example.net/token"
    with pytest.raises(ConnectorError, match="refusing to send the client credentials"):
        await t.access_token()
    assert server.requests == []
