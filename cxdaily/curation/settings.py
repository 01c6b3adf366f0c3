"""The ``[curation]`` config table: signal weights, limits, VIPs and watch keywords.

Every field has a sensible default, so an empty (or missing) table is a working setup::

    [curation]
    max_age = "14d"            # older questions are left out
    reserve = 0.1              # share of the budget kept free
    channel_share = 0.4        # at most this share of the time from one channel
    sla = "24h"                # waiting time at which "waiting" counts fully
    coverage_after = "7d"      # a channel unread this long pulls its questions up
    group_max = 4              # near-duplicates of one group shown in a batch
    passing_mention = 0.5      # value kept by a mention that asks nothing
    vip_handles = ["@bigcustomer"]
    vip_emails = ["ceo@client.example"]
    vip_domains = ["client.example"]
    vip_organizations = ["Acme Corp"]  # a help desk's customer organisation
    watch_keywords = ["cancel", "refund", "broken", "lawyer"]

    [curation.weights]
    waiting = 1.0
    negative = 1.5

A value of the wrong type is a :class:`ConfigError` that names the key, for example
``[curation] weights.reach = 'x' is not a number``.
"""

from __future__ import annotations

import math
from typing import Any

import msgspec

from cxdaily.core import durations
from cxdaily.core.config_tables import config_table
from cxdaily.core.errors import ConfigError

DAY_S = 24 * 3600
#: How far back curation reads the leader's actions.
HISTORY_DAYS = 60
DEFAULT_WATCH_KEYWORDS = (
    "cancel",
    "refund",
    "broken",
    "lawyer",
    "legal",
    "chargeback",
    "data loss",
    "gdpr",
    "outage",
    "switching to",
)


class Weights(msgspec.Struct, frozen=True):
    """How much each signal counts (``[curation.weights]``); 0 turns a signal off."""

    waiting: float = 1.0
    """Time waiting, growing towards the SLA and slowly beyond it."""
    negative: float = 1.5
    """Negative sentiment, frustration, a 1- or 2-star review."""
    reach: float = 1.0
    """Followers, subscribers, likes and votes (logarithmic)."""
    vip: float = 4.0
    """The author is on the VIP list (or the channel marks them VIP)."""
    keyword: float = 2.0
    """A watch keyword appears ("refund", "lawyer" ...)."""
    asks: float = 1.0
    """It asks something or needs an answer, as opposed to a passing mention."""
    novelty: float = 0.75
    """A topic the leader has not seen lately."""
    coverage: float = 0.75
    """A channel or segment the leader has not read recently."""
    priority: float = 1.5
    """The source system marks it high or urgent priority."""
    thread: float = 0.5
    """It continues a conversation (earlier messages in the thread)."""


class CurationSettings(msgspec.Struct, frozen=True):
    """The ``[curation]`` table."""

    weights: Weights = msgspec.field(default_factory=Weights)
    """Signal weights (``[curation.weights]``)."""
    max_age_s: int = 14 * DAY_S
    """Questions older than this are not candidates (``max_age = "14d"``)."""
    reserve: float = 0.1
    """Share of the budget kept free for the question that takes longer."""
    channel_share: float = 0.4
    """Most of the batch's time one channel may take while others have questions."""
    sla_s: int = DAY_S
    """Waiting time at which the waiting signal counts fully (``sla = "24h"``)."""
    coverage_after_s: int = 7 * DAY_S
    """A channel not read for this long pulls its questions up (``coverage_after``)."""
    group_max: int = 4
    """Members of one near-duplicate group taken into a batch."""
    passing_mention: float = 0.5
    """Share of its value a passing mention keeps (it asks nothing)."""
    vip_handles: frozenset[str] = frozenset()
    """Author handles treated as VIP (case-insensitive, a leading ``@`` optional)."""
    vip_emails: frozenset[str] = frozenset()
    """Author email addresses treated as VIP."""
    vip_domains: tuple[str, ...] = ()
    """Email domains (and their subdomains) whose authors are VIP."""
    vip_organizations: frozenset[str] = frozenset()
    """Customer organisations whose questions are VIP, case-folded: a help desk's
    ``meta["organization"]`` matches one when equal to it, trimmed, ignoring case."""
    watch_keywords: tuple[str, ...] = DEFAULT_WATCH_KEYWORDS
    """Words and phrases that always deserve the leader's eyes."""


_SCALARS = {
    "max_age": ("max_age_s", "span", (3600, 365 * DAY_S)),
    "reserve": ("reserve", "number", (0.0, 0.5)),
    "channel_share": ("channel_share", "number", (0.05, 1.0)),
    "sla": ("sla_s", "span", (600, 60 * DAY_S)),
    "coverage_after": ("coverage_after_s", "span", (3600, 365 * DAY_S)),
    "group_max": ("group_max", "integer", (1, 50)),
    "passing_mention": ("passing_mention", "number", (0.0, 1.0)),
}
_LISTS = ("vip_handles", "vip_emails", "vip_domains", "vip_organizations", "watch_keywords")
KNOWN_KEYS = frozenset({*_SCALARS, *_LISTS, "weights"})
WEIGHT_NAMES = Weights.__struct_fields__
MAX_WEIGHT = 100.0


def parse_span(value: Any, *, setting: str) -> int:
    """``"14d"``, ``"36h"``, ``"1d12h"`` or ``"90m"`` in whole seconds (the one grammar of
    :mod:`cxdaily.core.durations`; a bare number is refused: write the unit)."""
    return round(durations.parse_duration(value, setting=setting, example="14d, 36h or 90m"))


def format_span(seconds: int) -> str:
    """Seconds as a span the config reads back: ``14d``, ``36h``, ``90m``."""
    if seconds % DAY_S == 0:
        return f"{seconds // DAY_S}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m"


def _number(value: Any, setting: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ConfigError(f"{setting} = {value!r} is not a number")
    if not low <= value <= high:
        raise ConfigError(f"{setting} = {value!r} must be between {low:g} and {high:g}")
    return float(value)


def _strings(value: Any, setting: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{setting} must be a list of strings, like ["a", "b"]')
    return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))


def _handle(text: str) -> str:
    return text.strip().lstrip("@").lower()


def organization_key(name: str) -> str:
    """An organisation's name as :attr:`CurationSettings.vip_organizations` holds it:
    trimmed and case-folded (``" ACME Corp "`` -> ``"acme corp"``)."""
    return name.strip().casefold()


def curation_from_dict(raw: Any) -> CurationSettings:
    """Validate the ``[curation]`` table (``{}`` gives the defaults)."""
    raw = config_table(raw, "curation", KNOWN_KEYS)
    values: dict[str, Any] = {}
    for key, (name, kind, (low, high)) in _SCALARS.items():
        if key not in raw:
            continue
        setting = f"[curation] {key}"
        if kind == "span":
            seconds = parse_span(raw[key], setting=setting)
            if not low <= seconds <= high:
                raise ConfigError(
                    f"{setting} = {raw[key]!r} must be between "
                    f"{format_span(int(low))} and {format_span(int(high))}"
                )
            values[name] = seconds
        elif kind == "integer":
            number = _number(raw[key], setting, low, high)
            if number != int(number):
                raise ConfigError(f"{setting} = {raw[key]!r} is not a whole number")
            values[name] = int(number)
        else:
            values[name] = _number(raw[key], setting, low, high)
    if "vip_handles" in raw:
        handles = _strings(raw["vip_handles"], "[curation] vip_handles")
        values["vip_handles"] = frozenset(_handle(h) for h in handles)
    if "vip_emails" in raw:
        emails = _strings(raw["vip_emails"], "[curation] vip_emails")
        values["vip_emails"] = frozenset(e.lower() for e in emails)
    if "vip_domains" in raw:
        domains = _strings(raw["vip_domains"], "[curation] vip_domains")
        values["vip_domains"] = tuple(d.lower().lstrip("@.") for d in domains)
    if "vip_organizations" in raw:
        names = _strings(raw["vip_organizations"], "[curation] vip_organizations")
        values["vip_organizations"] = frozenset(organization_key(n) for n in names)
    if "watch_keywords" in raw:
        values["watch_keywords"] = _strings(raw["watch_keywords"], "[curation] watch_keywords")
    if "weights" in raw:
        values["weights"] = weights_from_dict(raw["weights"])
    return CurationSettings(**values)


def weights_from_dict(raw: Any) -> Weights:
    """Validate ``[curation.weights]``: known names, numbers from 0 to 100."""
    if not isinstance(raw, dict):
        raise ConfigError("[curation] weights must be a table of numbers")
    for name in sorted(set(raw) - set(WEIGHT_NAMES)):
        raise ConfigError(
            f"unknown weight [curation] weights.{name} (known: {', '.join(WEIGHT_NAMES)})"
        )
    return Weights(
        **{
            name: _number(value, f"[curation] weights.{name}", 0.0, MAX_WEIGHT)
            for name, value in raw.items()
        }
    )


def curation_to_dict(settings: CurationSettings) -> dict[str, Any]:
    """The non-default part of the table, for writing the config back."""
    default = CurationSettings()
    doc: dict[str, Any] = {}
    for key, (name, kind, _) in _SCALARS.items():
        value = getattr(settings, name)
        if value != getattr(default, name):
            doc[key] = format_span(value) if kind == "span" else value
    for key in _LISTS:
        value = getattr(settings, key)
        if value != getattr(default, key):
            doc[key] = sorted(value) if isinstance(value, frozenset) else list(value)
    weights = {
        name: getattr(settings.weights, name)
        for name in WEIGHT_NAMES
        if getattr(settings.weights, name) != getattr(default.weights, name)
    }
    if weights:
        doc["weights"] = weights
    return doc
