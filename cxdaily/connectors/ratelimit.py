"""Reading the many ways services say "slow down", as pure functions.

Understood signals, in the order they are consulted:

- ``Retry-After``: seconds, or an HTTP-date (Zendesk, Freshdesk, Front, GitHub);
- ``X-RateLimit-Retry-After``: seconds (Help Scout);
- reset headers (``X-RateLimit-Reset``, ``X-Rate-Limit-Reset``, ``RateLimit-Reset``):
  an epoch in seconds or milliseconds (Intercom, X, GitHub, Front), seconds to the reset
  (Reddit, Zendesk, the IETF draft), or an ISO-8601 instant (Mastodon).

A throttle is a 429, or a 403 that carries a wait hint, an exhausted remaining count, or
a body that says it is about a rate limit or quota (GitHub and Meta throttle with 403).

Every wait read here is a finite number of seconds from 0 to :data:`MAX_HINT_S`, or
``None`` when the hint cannot be read: ``Retry-After: inf``, ``1e12``, a 5,000-digit
number or a date in the year 9999 ask for at most a day (so the caller fails fast
with a finite wait instead of overflowing date arithmetic), and ``nan``, a negative
number of seconds or garbage are no hint at all (the caller backs off as usual).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

from dateutil.parser import isoparse

from cxdaily.core import safe_json

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
MAX_HINT_S = 24 * 3600.0
"""The longest wait a hint can ask for: the longest real window is a daily quota. A
longer one (``inf``, a date in 9999) counts as this long, so no date arithmetic overflows."""
#: A number as services write one (no ``_`` separators, no digits of other scripts); ``inf``
#: and ``nan`` are matched so that they are judged below rather than read as dates.
_NUMBER = re.compile(
    r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|[+-]?inf(?:inity)?|[+-]?nan",
    re.IGNORECASE | re.ASCII,
)


def _number(text: str) -> float | None:
    """``text`` as a float when it is written as a number (possibly ``inf`` or ``nan``)."""
    return float(text) if _NUMBER.fullmatch(text) else None


def _bounded(seconds: float) -> float | None:
    """A wait in [0, MAX_HINT_S]; ``None`` for NaN (which would compare false with any cap)."""
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), MAX_HINT_S)


def _until(when_epoch: float, now_epoch: float) -> float | None:
    """Seconds from now until an instant (0 when it is past)."""
    return _bounded(when_epoch - now_epoch)


def parse_wait(value: str, now_epoch: float) -> float | None:
    """Seconds to wait from a ``Retry-After``-style value (seconds or HTTP-date).

    The result is finite and at most :data:`MAX_HINT_S`; ``None`` when the value is not
    a usable hint (garbage, ``nan``, a negative number of seconds).
    """
    text = value.strip()
    if not text:
        return None
    number = _number(text)
    if number is not None:
        return None if number < 0 else _bounded(number)
    try:
        when = parsedate_to_datetime(text)
        return None if when is None else _until(when.timestamp(), now_epoch)
    except (TypeError, ValueError, IndexError, OverflowError, OSError):
        return None


def parse_reset(value: str, now_epoch: float) -> float | None:
    """Seconds until a limit resets, from an epoch (s or ms), a delta, or an ISO instant.

    Bounded like :func:`parse_wait`; ``None`` when the value is not a usable hint.
    """
    text = value.strip()
    if not text:
        return None
    number = _number(text)
    if number is None:
        try:
            when = isoparse(text)
            if when.tzinfo is None:
                return None
            return _until(when.timestamp(), now_epoch)
        except (ValueError, OverflowError, OSError):
            return None
    if math.isnan(number) or number < 0:
        return None
    if number >= _EPOCH_MS:
        return _until(number / 1000, now_epoch)
    if number >= _EPOCH_S:
        return _until(number, now_epoch)
    return _bounded(number)


def retry_delay(headers: Mapping[str, str], now_epoch: float) -> float | None:
    """The wait a service asked for, in seconds, or ``None`` when it gave no hint."""
    for names, parse in ((WAIT_HEADERS, parse_wait), (RESET_HEADERS, parse_reset)):
        for name in names:
            value = headers.get(name)
            if value is not None:
                wait = parse(value, now_epoch)
                if wait is not None:
                    return wait
    return None


def _exhausted(headers: Mapping[str, str]) -> bool:
    """Whether a remaining-requests header says none is left ("0", or Reddit's "0.0")."""
    for name in REMAINING_HEADERS:
        value = headers.get(name, "").strip().split(",")[0].split(";")[0].strip()
        try:
            if value and float(value) <= 0:
                return True
        except ValueError:
            continue
    return False


def _meta_throttle(body: bytes) -> bool:
    if not body.lstrip().startswith(b"{") or len(body) > 64 * 1024:
        return False
    try:  # a hostile body (deep nesting, a huge code) costs nothing but itself
        error = safe_json.loads(body).get("error")
    except (ValueError, AttributeError):
        return False
    code = error.get("code") if isinstance(error, dict) else None
    return isinstance(code, int) and not isinstance(code, bool) and code in _META_THROTTLE_CODES


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

    ``rand`` is a number in [0, 1); jitter keeps many clients from retrying in step. A
    delay that is not finite is treated as ``cap``.
    """
    if not math.isfinite(delay):
        return cap
    spread = delay * 0.2 + 0.25
    return min(max(delay, 0.0) + spread * rand, cap)
