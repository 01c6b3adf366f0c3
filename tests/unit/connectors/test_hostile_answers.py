"""What a service sends that would have stopped a fetch or shown a secret: digits that
``int`` refuses, an ``Authorization`` header echoed in an error, request logs at INFO."""

from __future__ import annotations

import base64
import logging
import re

import httpx
import pytest

from cxdaily.connectors import connector_class
from cxdaily.connectors.base import SecretScrubber
from cxdaily.connectors.http import ChannelHttp, HttpPolicy, make_client
from cxdaily.connectors.http_credentials import basic_authorization
from cxdaily.connectors.public_channel import whole_count
from cxdaily.connectors.runner import fetch_one
from cxdaily.core.safe_json import is_digits
from cxdaily.credentials import secret_reader
from cxdaily.settings import ChannelSettings

CLIENT_SECRET = "Zq81-secretSECRET"


@pytest.mark.parametrize(
    ("text", "digits"),
    [("123", True), ("²", False), ("١٢", False), ("", False), ("12a", False), (" 1", False)],
)
def test_is_digits_means_what_int_reads_as_written(text, digits):
    assert is_digits(text) is digits
    if digits:
        assert int(text) >= 0


def test_a_count_in_other_digits_is_no_count():
    assert whole_count("1200") == 1200 and whole_count("²") is None and whole_count("١٢") is None


async def test_a_content_length_in_other_digits_is_read_as_unknown(mock_http):
    body = b'{"ok": 1}'
    http = mock_http(
        lambda r: httpx.Response(200, content=body, headers=[(b"content-length", b"\xb2")])
    )
    data, _ = await http.get_json("https://api.example.com/x")
    assert data == {"ok": 1}


def test_the_basic_form_of_a_password_is_masked_as_a_secret():
    scrubber = SecretScrubber()
    header = basic_authorization("abc", CLIENT_SECRET, scrubber)
    encoded = header.removeprefix("Basic ")
    assert base64.b64decode(encoded).decode() == f"abc:{CLIENT_SECRET}"
    assert scrubber.scrub(f"denied {header}") == "denied Basic ***"


async def test_a_token_endpoint_echoing_the_basic_header_shows_no_secret(monkeypatch, fake_sleep):
    monkeypatch.setenv("CXDAILY_SECRET_RDB_PASSWORD", "pw-123456789")
    monkeypatch.setenv("CXDAILY_SECRET_RDB_CLIENT_SECRET", CLIENT_SECRET)

    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"message": f"denied {request.headers['authorization']}"})

    settings = ChannelSettings(
        name="rdb", kind="reddit", options={"username": "acme_support", "client_id": "abc"}
    )
    client = make_client(transport=httpx.MockTransport(echo))
    connector = connector_class("reddit")(settings, client=client, secrets=secret_reader("rdb"))
    connector.http = ChannelHttp(client, channel="rdb", sleep=fake_sleep, rand=lambda: 0.0,
                                 policy=HttpPolicy())  # fmt: skip
    outcome = await fetch_one(connector, None)
    await client.aclose()
    assert outcome.error and "denied Basic ***" in outcome.error
    for found in re.findall(r"Basic ([A-Za-z0-9+/=]{8,})", outcome.error):
        assert CLIENT_SECRET not in base64.b64decode(found + "==").decode(errors="replace")


def test_request_urls_are_not_logged_at_info():
    """Some services take a token in the query string: httpx logs each URL at INFO, even
    where a program logs at INFO."""
    logging.getLogger("httpx").setLevel(logging.INFO)
    make_client()
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
