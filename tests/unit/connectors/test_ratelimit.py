"""Rate limits: every header style, 403 throttles, and waits with an injected sleep."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest

from cxdaily.connectors import ratelimit
from cxdaily.connectors.http import HttpPolicy, channel_deadline
from cxdaily.errors import AuthError, RateLimited

NOW = 1_800_000_000.0  # a fixed wall clock (2027-01-15)
URL = "https://api.example.com/items"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"Retry-After": "1.5"}, 1.5),
        ({"Retry-After": format_datetime(datetime.fromtimestamp(NOW + 30, UTC), usegmt=True)}, 30),
        ({"X-RateLimit-Retry-After": "12"}, 12.0),
        ({"X-RateLimit-Reset": str(int(NOW + 45))}, 45.0),  # epoch seconds
        ({"x-rate-limit-reset": str(int((NOW + 20) * 1000))}, 20.0),  # epoch ms
        ({"X-Ratelimit-Reset": "33"}, 33.0),  # seconds to reset (Reddit)
        ({"ratelimit-reset": "9"}, 9.0),  # IETF draft / Zendesk
        ({"X-RateLimit-Reset": "2027-01-15T08:01:00Z"}, None),  # ISO instant (checked below)
        ({}, None),
        ({"Retry-After": "soon"}, None),
    ],
)
def test_retry_delay_reads_every_header_style(headers, expected):
    delay = ratelimit.retry_delay(httpx.Headers(headers), NOW)
    if expected is None and "X-RateLimit-Reset" in headers:
        iso = datetime.fromisoformat(headers["X-RateLimit-Reset"].replace("Z", "+00:00"))
        assert delay == pytest.approx(max(iso.timestamp() - NOW, 0.0))
    elif expected is None:
        assert delay is None
    else:
        assert delay == pytest.approx(expected, abs=1)


def test_past_dates_mean_no_wait():
    past = format_datetime(datetime.fromtimestamp(NOW - 100, UTC), usegmt=True)
    assert ratelimit.retry_delay(httpx.Headers({"Retry-After": past}), NOW) == 0.0
    assert ratelimit.retry_delay(httpx.Headers({"X-RateLimit-Reset": str(NOW - 5)}), NOW) == 0.0


def test_retry_after_wins_over_reset():
    headers = httpx.Headers({"Retry-After": "3", "X-RateLimit-Reset": str(int(NOW + 100))})
    assert ratelimit.retry_delay(headers, NOW) == 3.0


@pytest.mark.parametrize(
    ("status", "headers", "body", "throttle"),
    [
        (429, {}, b"", True),
        (403, {"x-ratelimit-remaining": "0"}, b"", True),  # GitHub primary
        (403, {"retry-after": "60"}, b"", True),  # GitHub secondary
        (403, {}, b'{"message": "You have exceeded a secondary rate limit"}', True),
        (403, {}, b'{"error": {"code": 4, "message": "Application request limit"}}', True),  # Meta
        (403, {}, b'{"error": {"errors": [{"reason": "quotaExceeded"}]}}', True),  # YouTube
        (403, {"x-ratelimit-remaining": "12"}, b'{"message": "Forbidden"}', False),
        (401, {}, b"", False),
        (500, {"retry-after": "5"}, b"", False),
    ],
)
def test_is_throttle(status, headers, body, throttle):
    assert ratelimit.is_throttle(status, httpx.Headers(headers), body) is throttle


def test_jitter_is_bounded_and_capped():
    assert ratelimit.jittered(10, 0.0, cap=60) == 10
    assert 10 < ratelimit.jittered(10, 0.999, cap=60) <= 10 * 1.2 + 0.25
    assert ratelimit.jittered(59, 0.999, cap=60) == 60


def _throttled_then_ok(first: httpx.Response, calls: list):
    def handler(request):
        calls.append(request)
        return first if len(calls) == 1 else httpx.Response(200, json=[1])

    return handler


async def test_429_retry_after_is_waited_out(mock_http, fake_sleep):
    calls: list = []
    http = mock_http(_throttled_then_ok(httpx.Response(429, headers={"Retry-After": "2"}), calls))
    data, _ = await http.get_json(URL)
    assert data == [1]
    assert len(calls) == 2
    assert fake_sleep.calls == [pytest.approx(2.0)]  # rand() is 0 in the fixture


async def test_429_http_date_is_waited_out(mock_http, fake_sleep):
    when = format_datetime(datetime.fromtimestamp(NOW + 4, UTC), usegmt=True)
    calls: list = []
    http = mock_http(
        _throttled_then_ok(httpx.Response(429, headers={"Retry-After": when}), calls),
        wall_clock=lambda: NOW,
    )
    await http.get_json(URL)
    assert fake_sleep.calls == [pytest.approx(4.0)]


async def test_reset_epoch_is_waited_out(mock_http, fake_sleep):
    calls: list = []
    response = httpx.Response(429, headers={"X-RateLimit-Reset": str(int(NOW + 6))})
    http = mock_http(_throttled_then_ok(response, calls), wall_clock=lambda: NOW)
    await http.get_json(URL)
    assert fake_sleep.calls == [pytest.approx(6.0)]


async def test_seconds_to_reset_is_waited_out(mock_http, fake_sleep):
    calls: list = []
    response = httpx.Response(429, headers={"X-Ratelimit-Reset": "5"})
    await mock_http(_throttled_then_ok(response, calls)).get_json(URL)
    assert fake_sleep.calls == [pytest.approx(5.0)]


async def test_github_style_403_throttle_is_waited_out(mock_http, fake_sleep):
    calls: list = []
    response = httpx.Response(
        403,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW + 3))},
        json={"message": "API rate limit exceeded"},
    )
    http = mock_http(_throttled_then_ok(response, calls), wall_clock=lambda: NOW)
    data, _ = await http.get_json(URL)
    assert data == [1]
    assert fake_sleep.calls == [pytest.approx(3.0)]


async def test_throttle_without_hint_backs_off(mock_http, fake_sleep):
    calls: list = []
    await mock_http(_throttled_then_ok(httpx.Response(429), calls)).get_json(URL)
    assert fake_sleep.calls == [pytest.approx(HttpPolicy().backoff_s)]


async def test_post_is_retried_after_a_throttle(mock_http, fake_sleep):
    calls: list = []
    http = mock_http(_throttled_then_ok(httpx.Response(429, headers={"Retry-After": "1"}), calls))
    result = await http.request("POST", URL, json_body={"x": 1})
    assert result.status == 200
    assert len(calls) == 2


async def test_wait_beyond_the_cap_fails_at_once(mock_http, fake_sleep):
    http = mock_http(
        lambda request: httpx.Response(429, headers={"Retry-After": "3600"}),
        policy=HttpPolicy(max_wait_s=60),
    )
    with pytest.raises(RateLimited) as caught:
        await http.get_json(URL)
    assert caught.value.retry_after == pytest.approx(3600)
    assert fake_sleep.calls == []
    assert "3600 s" in str(caught.value)


async def test_wait_beyond_the_deadline_fails_at_once(mock_http, fake_sleep):
    http = mock_http(lambda request: httpx.Response(429, headers={"Retry-After": "30"}))
    with channel_deadline(5), pytest.raises(RateLimited):
        await http.get_json(URL)
    assert fake_sleep.calls == []


async def test_repeated_throttles_give_up(mock_http, fake_sleep):
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(429, headers={"Retry-After": "1"})

    http = mock_http(handler, policy=HttpPolicy(throttle_retries=2))
    with pytest.raises(RateLimited):
        await http.get_json(URL)
    assert len(calls) == 3
    assert len(fake_sleep.calls) == 2


async def test_waits_are_jittered(mock_http, fake_sleep):
    calls: list = []
    http = mock_http(_throttled_then_ok(httpx.Response(429, headers={"Retry-After": "10"}), calls))
    http.rand = lambda: 0.5
    await http.get_json(URL)
    assert 10 < fake_sleep.calls[0] <= 12.25


async def test_plain_403_is_not_waited(mock_http, fake_sleep):
    http = mock_http(lambda request: httpx.Response(403, json={"message": "not allowed"}))
    with pytest.raises(AuthError):
        await http.get_json(URL)
    assert fake_sleep.calls == []
