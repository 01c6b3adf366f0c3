"""One grammar for every duration cxdaily reads: config values, options and flags.

A duration is one or more *number + unit* parts, largest unit first, each unit at most
once, with optional spaces between them: ``30m``, ``1h15m``, ``1h 15m``, ``90s``,
``500ms``, ``1.5s``, ``14d``, ``1d12h``. Units (any case): ``d``; ``h``; ``m`` or
``min``; ``s`` or ``sec``; ``ms``. Numbers are decimal digits with an optional
fraction; there is no sign.

**The unit rule.** Write the unit. A bare number (``45`` or ``"45"``) is accepted only
by a setting that has always documented one, and is then read in that setting's own
unit, named where the setting is declared: ``[session] budget`` in minutes (and
``--budget``), a channel's ``deadline`` in seconds. Every other duration refuses a bare
number with a message asking for a unit.

Ranges belong to each setting (a budget of 1 minute to 8 hours, a deadline of 0.1 s to
1 h ...); this module only reads and writes the words.
"""

from __future__ import annotations

import math

from cxdaily.core.errors import ConfigError
from cxdaily.core.patterns import lazy_compile

MILLISECOND = 0.001
SECOND = 1
MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR

#: Seconds in each unit a duration may name (aliases included).
UNITS: dict[str, float] = {
    "d": DAY,
    "h": HOUR,
    "m": MINUTE,
    "min": MINUTE,
    "s": SECOND,
    "sec": SECOND,
    "ms": MILLISECOND,
}
#: Longer text is no duration (and reading it would only cost time).
LONGEST_DURATION = 40

_PART = lazy_compile(r"(\d+(?:\.\d+)?)\s*(ms|min|sec|d|h|m|s)(?![a-z])\s*")
_BARE = lazy_compile(r"\d+(?:\.\d+)?")
_UNIT_ORDER = ("d", "h", "m", "s", "ms")
_CANONICAL = {"min": "m", "sec": "s"}


def parse_duration(
    value: object,
    *,
    setting: str,
    bare_unit: str | None = None,
    example: str = "30m, 1h15m or 90s",
) -> float:
    """Read ``value`` (text, or a number from TOML) as a duration in seconds.

    ``bare_unit`` is the unit (a key of :data:`UNITS`) a bare number is read in, for the
    settings that document one; without it a bare number is refused. ``example`` goes in
    the one-line :class:`ConfigError` that names ``setting``. The caller checks the range.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigError(f"{setting} = {_as_written(value)} is not a duration like {example}")
    if isinstance(value, int | float):
        return _bare(value, value, setting=setting, bare_unit=bare_unit, example=example)
    text = value.strip().lower()
    if len(text) > LONGEST_DURATION:
        raise ConfigError(f"{setting}: a {len(text):,}-character value is not a duration")
    if _BARE.fullmatch(text):
        return _bare(float(text), value, setting=setting, bare_unit=bare_unit, example=example)
    seconds = _parts(text)
    if seconds is None:
        raise ConfigError(f"{setting} = {_as_written(value)} is not a duration like {example}")
    return seconds


def _as_written(value: object) -> str:
    """``value`` as the config file spells it (``true``, ``"soon"``), for a message."""
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value[:80], ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    return (
        "a table" if isinstance(value, dict) else "a list" if isinstance(value, list) else "a value"
    )


def _bare(
    number: float, value: object, *, setting: str, bare_unit: str | None, example: str
) -> float:
    """A bare number in the setting's documented unit, or the refusal asking for a unit."""
    if bare_unit is None:
        raise ConfigError(
            f"{setting} = {value!r} is not a duration like {example} "
            "(write the unit: d, h, m, s or ms)"
        )
    if isinstance(number, float) and not math.isfinite(number):
        raise ConfigError(f"{setting} = {value!r} is not a duration like {example}")
    return number * UNITS[bare_unit]


def _parts(text: str) -> float | None:
    """The seconds of ``1h15m``-style text, or None when it breaks the grammar."""
    position, seconds, last_rank = 0, 0.0, -1
    while position < len(text):
        match = _PART.match(text, position)
        if not match:
            return None
        unit = _CANONICAL.get(match[2], match[2])
        rank = _UNIT_ORDER.index(unit)
        if rank <= last_rank:  # units go largest first, each once
            return None
        last_rank = rank
        seconds += float(match[1]) * UNITS[unit]
        position = match.end()
    return seconds if last_rank >= 0 else None


def format_duration(seconds: float) -> str:
    """Seconds in the grammar, exact and largest unit first: ``30m``, ``1h15m``,
    ``1m30s``, ``1d12h``, ``500ms``, ``1.5s``; reads back to the same value."""
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"no duration is {seconds!r} seconds")
    millis = round(seconds * 1000)
    if millis % 1000:
        if millis < 1000:
            return f"{millis}ms"
        return f"{millis / 1000:g}s" if millis < 60_000 else f"{millis}ms"
    whole = millis // 1000
    if whole == 0:
        return "0s"
    parts = []
    for unit in ("d", "h", "m", "s"):
        count, whole = divmod(whole, int(UNITS[unit]))
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
