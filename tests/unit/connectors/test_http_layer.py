"""The HTTP layer: statuses, bad bodies, size limits, redirects, retries, URL safety."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl

import httpx
import pytest

from cxdaily import __version__
from cxdaily.connectors.http import (
    USER_AGENT,
    BadResponseError,
    ChannelTimeoutError,
    HttpPolicy,
    RedirectError,
    ResponseTooLargeError,
    StatusError,
    UnreachableError,
    UnsafeURLError,
    channel_deadline,
    check_url,
    describe_url,
    make_client,
)
from cxdaily.connectors.http_errors import service_message
from cxdaily.connectors.tls import system_tls, verified_tls
from cxdaily.core.errors import AuthError, ConnectorError, RateLimited

URL = "https://api.example.com/questions"


def json_response(data, status: int = 200, **kwargs) -> httpx.Response:
    return httpx.Response(status, json=data, **kwargs)


async def test_get_json_returns_document_and_sends_user_agent(mock_http):
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["ua"] = request.headers["user-agent"]
        return json_response([{"id": 1}])

    data, result = await mock_http(handler).get_json(URL)
    assert data == [{"id": 1}]
    assert result.status == 200
    assert seen["ua"] == USER_AGENT
    assert seen["ua"].startswith(f"cxdaily/{__version__}")


@pytest.mark.parametrize(
    ("body", "headers", "expected"),
    [
        (b'[{"id": 1}, {"id"', {}, "cut off before its end"),
        (b'{"a": nope}', {}, "malformed"),
        (b"<html><body>Error</body></html>", {"content-type": "text/html"}, "HTML page"),
        (b"   ", {}, "empty body"),
        (b"\xff\xfe[1]", {}, "not UTF-8 JSON"),
    ],
)
async def test_unusable_bodies_are_typed_one_line_errors(mock_http, body, headers, expected):
    http = mock_http(lambda request: httpx.Response(200, content=body, headers=headers))
    with pytest.raises(BadResponseError) as caught:
        await http.get_json(URL)
    message = str(caught.value)
    assert expected in message
    assert message.startswith("test: ")
    assert "\n" not in message


async def test_401_is_an_auth_error_that_says_what_to_do(mock_http):
    http = mock_http(lambda request: json_response({"message": "bad token"}, 401))
    with pytest.raises(AuthError) as caught:
        await http.get_json(URL)
    assert "HTTP 401" in str(caught.value)
    assert "cxdaily login test" in str(caught.value)
    assert "bad token" in str(caught.value)


async def test_403_without_throttle_signs_is_an_auth_error(mock_http, fake_sleep):
    http = mock_http(lambda request: json_response({"message": "forbidden"}, 403))
    with pytest.raises(AuthError):
        await http.get_json(URL)
    assert fake_sleep.calls == []


async def test_404_names_the_resource_without_query(mock_http):
    http = mock_http(lambda request: httpx.Response(404, text="nope"))
    with pytest.raises(StatusError) as caught:
        await http.get_json(URL, params={"access_token": "s3cr3t-value"})
    assert caught.value.status == 404
    assert "https://api.example.com/questions" in str(caught.value)
    assert "s3cr3t" not in str(caught.value)


async def test_500_is_retried_for_get_then_succeeds(mock_http, fake_sleep):
    answers = [httpx.Response(500), httpx.Response(503), json_response([])]
    calls = []

    def handler(request):
        calls.append(request)
        return answers[len(calls) - 1]

    data, _ = await mock_http(handler).get_json(URL)
    assert data == []
    assert len(calls) == 3
    assert len(fake_sleep.calls) == 2
    assert fake_sleep.calls[0] < fake_sleep.calls[1]  # exponential back-off


async def test_500_gives_up_after_the_retries(mock_http, fake_sleep):
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(500)

    http = mock_http(handler, policy=HttpPolicy(retries=2))
    with pytest.raises(StatusError) as caught:
        await http.get_json(URL)
    assert len(calls) == 3
    assert "HTTP 500" in str(caught.value)
    assert "after 3 attempts" in str(caught.value)


async def test_post_without_idempotency_key_is_not_retried_after_500(mock_http):
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(500)

    with pytest.raises(StatusError):
        await mock_http(handler).request("POST", URL, json_body={"a": 1})
    assert len(calls) == 1


async def test_post_is_never_retried_by_the_http_layer_even_with_a_key(mock_http):
    """Only the outbox decides whether a reply is posted again (issue: 5 copies of a reply)."""
    keys = []

    def handler(request):
        keys.append(request.headers["idempotency-key"])
        return httpx.Response(502) if len(keys) < 3 else json_response({"id": "r1"})

    with pytest.raises(StatusError, match="HTTP 502"):
        await mock_http(handler).request(
            "POST", URL, json_body={"a": 1}, headers={"Idempotency-Key": "k-123"}
        )
    assert keys == ["k-123"]


async def test_connection_failure_is_not_retried_for_post(mock_http, fake_sleep):
    calls = []

    def handler(request):
        calls.append(request)
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(UnreachableError, match="cannot connect"):
        await mock_http(handler).request("POST", URL, json_body={})
    assert len(calls) == 1
    assert fake_sleep.calls == []


@pytest.mark.parametrize(
    ("cause", "words"),
    [
        (
            socket.gaierror(-2, "Name or service not known"),
            "cannot find api.example.com (no such host)",
        ),
        (
            ConnectionRefusedError(111, "Connection refused"),
            "api.example.com refused the connection",
        ),
    ],
)
async def test_a_connection_failure_says_its_cause_and_what_to_check_first(
    mock_http, fake_sleep, cause, words
):
    """It read "GET https://h.example/...: cannot connect ([Errno -2] Name or service not
    known)": the cause, at the end, was what a narrow line cut off."""

    def handler(request):
        raise httpx.ConnectError("wrapped", request=request) from cause

    with pytest.raises(UnreachableError) as caught:
        await mock_http(handler).request("GET", URL)
    message = str(caught.value)
    assert message.startswith(f"test: {words}") and "check the address" in message
    assert message.endswith(f"(GET {URL})")


async def test_connection_failure_after_retries_is_unreachable(mock_http):
    def handler(request):
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    with pytest.raises(UnreachableError) as caught:
        await mock_http(handler, policy=HttpPolicy(retries=1)).get_json(URL)
    assert "Connection refused" in str(caught.value)


async def test_tls_failure_is_not_retried(mock_http):
    calls = []

    def handler(request):
        calls.append(request)
        raise httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")

    with pytest.raises(UnreachableError) as caught:
        await mock_http(handler).get_json(URL)
    assert "TLS certificate" in str(caught.value)
    assert len(calls) == 1


async def test_read_failure_is_not_retried_for_post(mock_http):
    calls = []

    def handler(request):
        calls.append(request)
        raise httpx.ReadError("connection reset", request=request)

    with pytest.raises(UnreachableError):
        await mock_http(handler).request("POST", URL, json_body={})
    assert len(calls) == 1


class _CutStream(httpx.AsyncByteStream):
    """A body that breaks off like a server closing the connection mid-answer."""

    async def __aiter__(self):
        yield b'[{"id": "1", "bo'
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


async def test_truncated_body_is_retried_then_reported(mock_http):
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(200, stream=_CutStream(), headers={"content-length": "500"})

    with pytest.raises(BadResponseError) as caught:
        await mock_http(handler, policy=HttpPolicy(retries=1)).get_json(URL)
    assert "cut off" in str(caught.value)
    assert len(calls) == 2


class _BigStream(httpx.AsyncByteStream):
    def __init__(self) -> None:
        self.sent = 0

    async def __aiter__(self):
        chunk = b"x" * 65536
        for _ in range(1000):  # 64 MB if nobody stops reading
            self.sent += len(chunk)
            yield chunk


async def test_body_over_the_limit_is_refused_while_streaming(mock_http):
    stream = _BigStream()
    http = mock_http(
        lambda request: httpx.Response(200, stream=stream),
        policy=HttpPolicy(max_body_bytes=1_000_000),
    )
    with pytest.raises(ResponseTooLargeError) as caught:
        await http.get_json(URL)
    assert "more than" in str(caught.value)
    assert stream.sent < 2_000_000


async def test_declared_50_mb_body_is_refused_before_reading(mock_http):
    stream = _BigStream()

    def handler(request):
        return httpx.Response(200, stream=stream, headers={"content-length": str(50 * 2**20)})

    with pytest.raises(ResponseTooLargeError) as caught:
        await mock_http(handler).get_json(URL)
    assert "20 MB" in str(caught.value)
    assert stream.sent <= 65536


class _DripStream(httpx.AsyncByteStream):
    async def __aiter__(self):
        for _ in range(1000):
            await asyncio.sleep(0.05)
            yield b" "


async def test_dripping_server_hits_the_channel_deadline(mock_http):
    http = mock_http(lambda request: httpx.Response(200, stream=_DripStream()))
    loop = asyncio.get_running_loop()
    started = loop.time()
    with channel_deadline(0.3), pytest.raises(ChannelTimeoutError) as caught:
        await http.get_json(URL)
    assert loop.time() - started < 2
    assert "0.3 s" in str(caught.value)


async def test_retry_that_would_pass_the_deadline_fails_with_the_real_error(mock_http):
    def handler(request):
        return httpx.Response(500)

    http = mock_http(handler, policy=HttpPolicy(backoff_s=10))
    with channel_deadline(1.0), pytest.raises(StatusError) as caught:
        await http.get_json(URL)
    assert "HTTP 500" in str(caught.value)


async def test_redirect_is_followed(mock_http):
    def handler(request):
        if request.url.path == "/old":
            return httpx.Response(301, headers={"location": "/new"})
        return json_response({"ok": True})

    data, result = await mock_http(handler).get_json("https://api.example.com/old")
    assert data == {"ok": True}
    assert result.url.path == "/new"


async def test_redirect_loop_is_a_typed_error(mock_http):
    def handler(request):
        target = "/b" if request.url.path == "/a" else "/a"
        return httpx.Response(302, headers={"location": target})

    with pytest.raises(RedirectError) as caught:
        await mock_http(handler).get_json("https://api.example.com/a")
    assert "loop" in str(caught.value)


async def test_endless_redirects_stop(mock_http):
    def handler(request):
        n = int(request.url.params.get("n", "0"))
        return httpx.Response(302, headers={"location": f"/r?n={n + 1}"})

    with pytest.raises(RedirectError) as caught:
        await mock_http(handler, policy=HttpPolicy(max_redirects=3)).get_json(
            "https://api.example.com/r"
        )
    assert "more than 3 redirects" in str(caught.value)


async def test_a_body_never_follows_a_redirect_to_another_site(mock_http):
    seen: list[tuple[str, bytes]] = []

    def handler(request):
        seen.append((str(request.url), request.content))
        if request.url.host == "api.example.com":
            return httpx.Response(307, headers={"location": "https://collector.example.net/x"})
        return json_response({"ok": True})

    http = mock_http(handler)
    http.allow_credentials_to("https://api.example.com")
    with pytest.raises(RedirectError) as caught:
        await http.request(
            "POST", "https://api.example.com/oauth/token", form_body={"client_secret": "s3"},
            repeatable=False,
        )  # fmt: skip
    assert "collector.example.net" in str(caught.value) and "body was not sent" in str(caught.value)
    assert [url for url, _ in seen] == ["https://api.example.com/oauth/token"]


@pytest.mark.parametrize("status", [301, 302, 303])
async def test_a_post_redirected_to_a_get_is_not_read_as_a_success(mock_http, status):
    """A webhook behind a login page answers 302: its GET's 200 would read as a post
    that went through, while nothing was posted. The outcome is unknown: not retried."""
    seen: list[str] = []

    def handler(request):
        seen.append(request.method)
        if request.method == "POST":
            return httpx.Response(status, headers={"location": "/login"})
        return json_response({"page": "sign in"})

    http = mock_http(handler)
    with pytest.raises(RedirectError) as caught:
        await http.request("POST", "https://hooks.example.com/in", json_body={"t": 1},
                           repeatable=False)  # fmt: skip
    message = str(caught.value)
    assert f"(HTTP {status})" in message and "whether the service took it is not known" in message
    assert seen == ["POST"]


async def test_a_body_may_follow_a_redirect_on_the_same_site(mock_http):
    def handler(request):
        if request.url.path == "/v1/reply":
            return httpx.Response(308, headers={"location": "/v2/reply"})
        return json_response({"got": request.content.decode()})

    result = await mock_http(handler).request(
        "POST", "https://api.example.com/v1/reply", json_body={"t": 1}, repeatable=False
    )
    assert result.url.path == "/v2/reply"


async def test_redirect_to_plain_http_elsewhere_is_refused(mock_http):
    calls = []

    def handler(request):
        calls.append(str(request.url))
        return httpx.Response(302, headers={"location": "http://evil.example.net/steal"})

    with pytest.raises(UnsafeURLError):
        await mock_http(handler).get_json(URL)
    assert calls == [URL]


@pytest.mark.parametrize(
    "url",
    ["http://example.com/x", "ftp://example.com/x", "file:///etc/passwd", "http://10.0.0.1/x"],
)
def test_unsafe_urls_are_refused(url):
    with pytest.raises(UnsafeURLError):
        check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/x",
        "http://127.0.0.1:8080/x",
        "http://localhost/x",
        "http://[::1]:9000/x",
        "http://127.1.2.3/x",
    ],
)
def test_https_and_loopback_urls_are_allowed(url):
    check_url(url)


async def test_the_client_itself_refuses_plain_http():
    client = make_client(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    async with client:
        with pytest.raises(UnsafeURLError):
            await client.get("http://example.com/")


def test_the_client_verifies_tls():
    client = make_client()
    context = client._transport._pool._ssl_context  # the context httpx will use
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert client.headers["user-agent"] == USER_AGENT


def test_clients_share_one_verified_tls_context_per_certificate_store(tmp_path, monkeypatch):
    """Loading the certificates takes about 20 ms: every client (a fetch round, a send,
    a channel test) shares one context, made once, as ``verify=True`` makes it. Another
    store named by ``SSL_CERT_FILE`` gets its own, which loads that file."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    first, second = make_client(), make_client()
    shared = first._transport._pool._ssl_context
    assert second._transport._pool._ssl_context is shared
    assert verified_tls() is shared
    assert shared.verify_mode == ssl.CERT_REQUIRED and shared.check_hostname is True
    assert shared.get_ca_certs()  # certifi's certificates, loaded
    own_store = tmp_path / "ca.pem"
    own_store.write_text(ssl.DER_cert_to_PEM_cert(shared.get_ca_certs(binary_form=True)[0]))
    monkeypatch.setenv("SSL_CERT_FILE", str(own_store))
    own = make_client()._transport._pool._ssl_context
    assert own is not shared and own is verified_tls()
    assert len(own.get_ca_certs()) == 1
    monkeypatch.delenv("SSL_CERT_FILE")
    assert make_client()._transport._pool._ssl_context is shared


def test_mail_connections_share_one_system_tls_context(tmp_path, monkeypatch):
    """IMAP and SMTP sessions check certificates against the system's store, with host
    names checked, through one context made once (about 20 ms each time before); a
    company's bundle named by ``SSL_CERT_FILE`` is used instead when set."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    context = system_tls()
    assert system_tls() is context and context is not verified_tls()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname is True
    assert context.minimum_version >= ssl.create_default_context().minimum_version
    bundle = tmp_path / "company.pem"
    one = verified_tls().get_ca_certs(binary_form=True)[0]
    bundle.write_text(ssl.DER_cert_to_PEM_cert(one))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    company = system_tls()
    assert company is not context and company.get_ca_certs(binary_form=True) == [one]


def test_describe_url_hides_user_info_and_query():
    shown = describe_url("https://user:pw@api.example.com:8443/v1/x?token=abc")
    assert shown == "https://api.example.com:8443/v1/x"


async def test_registered_secrets_are_scrubbed_from_service_messages(mock_http):
    secret = "tok_supersecret_123"

    def handler(request):
        token = request.headers["authorization"].split()[-1]
        return json_response({"message": f"token {token} is revoked"}, 401)

    http = mock_http(handler, credentials_to=(URL,))
    http.register_secret(secret)
    with pytest.raises(AuthError) as caught:
        await http.get_json(URL, headers={"Authorization": f"Bearer {secret}"})
    assert secret not in str(caught.value)
    assert "***" in str(caught.value)
    assert secret not in repr(caught.value)


async def test_errors_are_connector_errors_naming_the_channel(mock_http):
    http = mock_http(lambda request: httpx.Response(418, content=json.dumps({"error": "teapot"})))
    with pytest.raises(ConnectorError) as caught:
        await http.get_json(URL)
    assert caught.value.channel == "test"
    assert "HTTP 418" in str(caught.value)
    assert "teapot" in str(caught.value)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"errors": [{"code": "x", "message": "Access Token Invalid"}]}, "Access Token Invalid"),
        (
            {
                "errors": [
                    {
                        "status": "401",
                        "title": "Unauthorized",
                        "detail": "Provide a signed bearer token",
                    }
                ]
            },
            "Provide a signed bearer token",
        ),  # JSON:API
        ({"errors": ["Body is too similar to what you recently posted"]}, "Body is too similar"),
        ({"error": {"message": "Invalid OAuth access token"}}, "Invalid OAuth access token"),
    ],
)
def test_the_service_s_own_words_are_quoted_whatever_the_error_shape(body, said):
    content = json.dumps(body).encode()
    assert service_message(content, lambda text, limit: str(text)[:limit]).startswith(said)


# -- the one rule for a throttle a connector reads itself -----------------------------
def _throttled() -> RateLimited:
    return RateLimited("rate-limited; wait", retry_after=5, channel="test")


async def test_a_throttle_read_by_a_connector_is_waited_out_within_the_policy(
    mock_http, fake_sleep
):
    http = mock_http(lambda request: httpx.Response(200))
    await http.wait_out(5.0, 1, True, _throttled())
    await http.wait_out(http.backoff_wait(3), 3, True, _throttled())
    assert fake_sleep.calls == [5.0, 2.0]  # the policy's back-off: 0.5 s, doubled twice


@pytest.mark.parametrize(
    "wait, throttled, repeatable",
    [
        (5.0, 1, False),  # a post is never sent again
        (5.0, HttpPolicy().throttle_retries + 1, True),  # throttled too often
        (HttpPolicy().max_wait_s + 1, 1, True),  # asked to wait too long
    ],
    ids=["not repeatable", "too many", "too long"],
)
async def test_a_throttle_that_may_not_be_waited_out_raises_its_error(
    mock_http, fake_sleep, wait, throttled, repeatable
):
    http = mock_http(lambda request: httpx.Response(200))
    error = _throttled()
    with pytest.raises(RateLimited) as caught:
        await http.wait_out(wait, throttled, repeatable, error)
    assert caught.value is error and fake_sleep.calls == []


async def test_a_throttle_wait_past_the_channel_deadline_raises_at_once(mock_http, fake_sleep):
    http = mock_http(lambda request: httpx.Response(200))
    with channel_deadline(2.0), pytest.raises(RateLimited):
        await http.wait_out(5.0, 1, True, _throttled())
    assert fake_sleep.calls == []
    assert http.backoff_wait(20) == HttpPolicy().max_wait_s  # the back-off is capped
