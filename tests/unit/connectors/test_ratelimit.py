"""Rate limits: every header style, 403 throttles, and waits with an injected sleep."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest

from cxdaily.connectors import ratelimit
from cxdaily.connectors.http import HttpPolicy, channel_deadline
from cxdaily.core.errors import AuthError, RateLimited

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
        (403, {"x-ratelimit-remaining": "0.0"}, b"", True),  # Reddit counts in floats
        (403, {"x-ratelimit-remaining": "12"}, b'{"message": "Forbidden"}', False),
        (403, {"x-ratelimit-remaining": "12.5"}, b"", False),
        (403, {"x-ratelimit-remaining": "lots"}, b"", False),
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


async def test_a_wait_the_body_asks_for_is_waited_out_when_longer_than_the_header(
    mock_http, fake_sleep
):
    """A service that says in its body how long to wait (Discourse) gives the HTTP layer
    its reader; the longer of the two waits wins."""
    calls: list = []
    response = httpx.Response(429, headers={"Retry-After": "2"}, json={"wait": 7})
    http = mock_http(_throttled_then_ok(response, calls))
    http.throttle_wait = lambda result, _now: float(json.loads(result.content)["wait"])
    await http.get_json(URL)
    assert fake_sleep.calls == [pytest.approx(7.0)]


async def test_a_body_that_says_nothing_leaves_the_header_wait(mock_http, fake_sleep):
    calls: list = []
    response = httpx.Response(429, headers={"Retry-After": "3"}, json={})
    http = mock_http(_throttled_then_ok(response, calls))
    http.throttle_wait = lambda _result, _now: None
    await http.get_json(URL)
    assert fake_sleep.calls == [pytest.approx(3.0)]


async def test_throttle_without_hint_backs_off(mock_http, fake_sleep):
    calls: list = []
    await mock_http(_throttled_then_ok(httpx.Response(429), calls)).get_json(URL)
    assert fake_sleep.calls == [pytest.approx(HttpPolicy().backoff_s)]


async def test_a_throttled_post_fails_with_the_wait_for_the_outbox(mock_http, fake_sleep):
    """The HTTP layer never repeats a POST; the outbox honours the wait and decides."""
    calls: list = []
    http = mock_http(_throttled_then_ok(httpx.Response(429, headers={"Retry-After": "1"}), calls))
    with pytest.raises(RateLimited) as caught:
        await http.request("POST", URL, json_body={"x": 1})
    assert caught.value.retry_after == pytest.approx(1)
    assert len(calls) == 1
    assert fake_sleep.calls == []


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


# ----------------------------------------------------------------------------- hostile hints
FAR_FUTURE_DATE = "Fri, 31 Dec 9999 23:59:59 GMT"
HUGE = "9" * 5000


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "inf"}, ratelimit.MAX_HINT_S),
        ({"Retry-After": "Infinity"}, ratelimit.MAX_HINT_S),
        ({"Retry-After": "1e12"}, ratelimit.MAX_HINT_S),
        ({"Retry-After": "1e400"}, ratelimit.MAX_HINT_S),
        ({"Retry-After": HUGE}, ratelimit.MAX_HINT_S),
        ({"Retry-After": FAR_FUTURE_DATE}, ratelimit.MAX_HINT_S),
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "-5"}, None),
        ({"Retry-After": "-inf"}, None),
        ({"Retry-After": "1_000"}, None),
        ({"Retry-After": "Mon, 01 Jan 99999 00:00:00 GMT"}, None),
        ({"Retry-After": b"\x01\xff garbage"}, None),
        ({"X-RateLimit-Retry-After": "inf"}, ratelimit.MAX_HINT_S),
        ({"X-RateLimit-Retry-After": "NaN"}, None),
        ({"X-RateLimit-Reset": "inf"}, ratelimit.MAX_HINT_S),
        ({"X-RateLimit-Reset": "nan"}, None),
        ({"X-RateLimit-Reset": "-5"}, None),
        ({"X-RateLimit-Reset": HUGE}, ratelimit.MAX_HINT_S),
        ({"X-RateLimit-Reset": "1e12"}, 0.0),  # an epoch in ms: 2001-09-09, already past
        ({"X-RateLimit-Reset": "1e15"}, ratelimit.MAX_HINT_S),  # ms, 30,000 years ahead
        ({"X-RateLimit-Reset": "9999-12-31T23:59:59-12:00"}, ratelimit.MAX_HINT_S),
        ({"X-RateLimit-Reset": "0001-01-01T00:00:00+14:00"}, 0.0),
        ({"ratelimit-reset": "99999-01-01T00:00:00Z"}, None),
    ],
)
def test_hostile_hints_are_finite_and_capped_or_ignored(headers, expected):
    delay = ratelimit.retry_delay(httpx.Headers(headers), NOW)
    assert delay == expected
    assert delay is None or 0.0 <= delay <= ratelimit.MAX_HINT_S


def test_jitter_of_an_endless_delay_is_the_cap():
    assert ratelimit.jittered(float("inf"), 0.5, cap=60) == 60
    assert ratelimit.jittered(float("nan"), 0.5, cap=60) == 60


@pytest.mark.parametrize("value", ["inf", "1e12", HUGE, FAR_FUTURE_DATE])
async def test_an_endless_wait_fails_at_once_with_a_finite_wait(mock_http, fake_sleep, value):
    http = mock_http(
        lambda request: httpx.Response(429, headers={"Retry-After": value}),
        wall_clock=lambda: NOW,
    )
    with pytest.raises(RateLimited) as caught:
        await http.get_json(URL)
    assert caught.value.retry_after == ratelimit.MAX_HINT_S
    assert fake_sleep.calls == []
    assert "\n" not in str(caught.value) and "inf" not in str(caught.value)


@pytest.mark.parametrize("header", ["Retry-After", "X-RateLimit-Reset", "X-RateLimit-Retry-After"])
async def test_a_nan_wait_backs_off_instead_of_sleeping_nan(mock_http, fake_sleep, header):
    calls: list = []

    def handler(request):
        calls.append(request)
        return httpx.Response(429, headers={header: "nan"})

    http = mock_http(handler, policy=HttpPolicy(throttle_retries=2))
    with pytest.raises(RateLimited) as caught:
        await http.get_json(URL)
    assert len(calls) == 3
    assert fake_sleep.calls == [pytest.approx(0.5), pytest.approx(1.0)]  # the usual back-off
    assert caught.value.retry_after == pytest.approx(2.0)  # a number, never NaN


def test_a_deeply_nested_403_body_is_no_throttle_and_no_crash():
    deep = b'{"error": ' + b"[" * 60_000 + b"]" * 60_000 + b"}"
    assert len(deep) < 200_000
    assert ratelimit.is_throttle(403, httpx.Headers({}), deep[: 64 * 1024]) is False
    shallow_deep = b'{"error": {"code": ' + b"[" * 30_000 + b"]" * 30_000 + b"}}"
    assert ratelimit.is_throttle(403, httpx.Headers({}), shallow_deep) is False
    huge_code = b'{"error": {"code": 1' + b"0" * 5000 + b"}}"
    assert ratelimit.is_throttle(403, httpx.Headers({}), huge_code) is False
