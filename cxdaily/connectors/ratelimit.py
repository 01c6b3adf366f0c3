"""Reading the many ways services say "slow down", as pure functions.

Understood signals, in the order they are consulted:

- ``Retry-After``: seconds, or an HTTP-date (Zendesk, Freshdesk, Front, GitHub);
- ``X-RateLimit-Retry-After``: seconds (Help Scout);
- reset headers (``X-RateLimit-Reset``, ``X-Rate-Limit-Reset``, ``RateLimit-Reset``):
  an epoch in seconds or milliseconds (Intercom, X, GitHub, Front), seconds to the reset
  (Reddit, Zendesk, the IETF draft), or an ISO-8601 instant (Mastodon).

A throttle is a 429, or a 403 that carries a wait hint, an exhausted remaining count, or
a body that says it is about a rate limit or quota (GitHub and Meta throttle with 403).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

from dateutil.parser import isoparse

#: Headers that give the number of seconds (or a date) to wait.
WAIT_HEADERS = ("retry-after", "x-ratelimit-retry-after")
#: Headers that give when the limit resets.
RESET_HEADERS = ("x-ratelimit-reset", "x-rate-limit-reset", "ratelimit-reset")
#: Headers that count the requests left in the window.
REMAINING_HEADERS = ("x-ratelimit-remaining", "x-rate-limit-remaining", "ratelimit-remaining")

_THROTTLE_WORDS = re.compile(
    rb"rate[ _-]?limit|too many requests|quota|abuse detection|slow down", re.IGNORECASE
)
#: Graph API error codes that mean "throttled" (application, user, page, custom limits).
_META_THROTTLE_CODES = frozenset({4, 17, 32, 613, 80001, 80002, 80004, 80005, 80006})
_EPOCH_MS = 10**12
_EPOCH_S = 10**9


def parse_wait(value: str, now_epoch: float) -> float | None:
    """Seconds to wait from a ``Retry-After``-style value (seconds or HTTP-date)."""
    text = value.strip()
    if not text:
        return None
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(when.timestamp() - now_epoch, 0.0)


def parse_reset(value: str, now_epoch: float) -> float | None:
    """Seconds until a limit resets, from an epoch (s or ms), a delta, or an ISO instant."""
    text = value.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        try:
            when = isoparse(text)
        except (ValueError, OverflowError):
            return None
        if when.tzinfo is None:
            return None
        return max(when.timestamp() - now_epoch, 0.0)
    if number >= _EPOCH_MS:
        return max(number / 1000 - now_epoch, 0.0)
    if number >= _EPOCH_S:
        return max(number - now_epoch, 0.0)
    return max(number, 0.0)


def retry_delay(headers: Mapping[str, str], now_epoch: float) -> float | None:
    """The wait a service asked for, in seconds, or ``None`` when it gave no hint."""
    for name in WAIT_HEADERS:
        value = headers.get(name)
        if value is not None:
            wait = parse_wait(value, now_epoch)
            if wait is not None:
                return wait
    for name in RESET_HEADERS:
        value = headers.get(name)
        if value is not None:
            wait = parse_reset(value, now_epoch)
            if wait is not None:
                return wait
    return None


def _exhausted(headers: Mapping[str, str]) -> bool:
    for name in REMAINING_HEADERS:
        value = headers.get(name, "").strip()
        if value and value.split(",")[0].split(";")[0].strip() == "0":
            return True
    return False


def _meta_throttle(body: bytes) -> bool:
    if not body.lstrip().startswith(b"{") or len(body) > 64 * 1024:
        return False
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return False
    return isinstance(error, dict) and error.get("code") in _META_THROTTLE_CODES


def is_throttle(status: int, headers: Mapping[str, str], body: bytes = b"") -> bool:
    """Whether an answer means "too many requests" rather than a real refusal."""
    if status == 429:
        return True
    if status != 403:
        return False
    if any(headers.get(name) for name in WAIT_HEADERS) or _exhausted(headers):
        return True
    head = body[:4096]
    return bool(_THROTTLE_WORDS.search(head)) or _meta_throttle(body)


def jittered(delay: float, rand: float, *, cap: float) -> float:
    """``delay`` plus up to 20 % (and a quarter second) of jitter, never above ``cap``.

    ``rand`` is a number in [0, 1); jitter keeps many clients from retrying in step.
    """
    spread = delay * 0.2 + 0.25
    return min(max(delay, 0.0) + spread * rand, cap)
