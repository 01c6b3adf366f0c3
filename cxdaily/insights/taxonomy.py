"""The vocabulary of insights: default tags, areas, teams and sentiments, the
``[taxonomy]`` config table that overrides them, and an offline sentiment suggestion
the leader can correct (from curation's scorer, so both read a question alike).

Tags are free-form unless ``strict = true``: the configured tags (and areas) are what the
app completes from, together with every tag used before. Teams are a closed list: an
insight or a hand-off routed to a team that is not configured is refused with a message
listing the known ones. Names are trimmed, single-spaced and lower-cased.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from cxdaily.core.config_tables import config_table
from cxdaily.core.errors import ConfigError, NotFoundError
from cxdaily.core.models import Question
from cxdaily.insights.cleaning import line

DEFAULT_TAGS = (
    "bug",
    "feature request",
    "pricing",
    "billing",
    "onboarding",
    "performance",
    "docs",
    "praise",
    "churn risk",
    "integration",
    "privacy",
    "mobile",
    "ux",
    "data export",
)
AREAS = ("product", "customer service", "engineering", "logistics", "communications")
TEAMS = ("product", "marketing", "sales", "support", "engineering")
SENTIMENTS = ("negative", "neutral", "positive")
IMPORTANCE = (1, 2, 3)


def suggest_sentiment(text: str | Question) -> str:
    """Suggest ``negative``, ``neutral`` or ``positive`` (offline, no network).

    The same scorer as curation (:mod:`cxdaily.curation.sentiment`): for a question, its
    title, body, stars and priority count; for a text, its words.
    """
    # Imported here: the scorer's word lists load when a tag is first suggested, not
    # with the settings at every start.
    from cxdaily.curation.sentiment import question_sentiment, sentiment_of

    if isinstance(text, Question):
        return question_sentiment(text).label
    return sentiment_of(text).label


_NAME_LIMIT = 40
_TAXONOMY_KEYS = {"tags", "areas", "teams", "strict"}


def normalize_name(text: object) -> str:
    """A tag, area or team name as stored: cleaned (no escape sequence, control or
    bidirectional character), trimmed, single-spaced, lower-case."""
    return line(text).lower()


def known_list(names: Iterable[str], limit: int = 30) -> str:
    """Names for an error message: ``a, b, c`` (cut after ``limit`` with a count)."""
    ordered = list(dict.fromkeys(names))
    shown = ", ".join(ordered[:limit])
    if len(ordered) > limit:
        shown += f" and {len(ordered) - limit} more"
    return shown or "none"


class TaxonomySettings(msgspec.Struct, frozen=True):
    """The ``[taxonomy]`` table: the tags, areas and teams insights are filed under."""

    tags: tuple[str, ...] = DEFAULT_TAGS
    """Tags offered for completion (``tags = ["bug", "billing"]``); free-form tags are
    allowed too unless ``strict`` is set."""
    areas: tuple[str, ...] = AREAS
    """The areas a customer's answer exposes (product, customer service, engineering,
    logistics, communications); offered as tags and counted in digests."""
    teams: tuple[str, ...] = TEAMS
    """The teams insights and hand-offs are routed to."""
    strict: bool = False
    """When true, only the configured tags and areas may be used."""

    @property
    def vocabulary(self) -> tuple[str, ...]:
        """Every configured tag, then every area (for completion and strict checks)."""
        return tuple(dict.fromkeys(self.tags + self.areas))

    def check_team(self, team: str | None) -> str | None:
        """The normalized team, ``None`` for none; an unknown team is a NotFoundError."""
        name = normalize_name(team) if team is not None else ""
        if not name:
            return None
        if name not in self.teams:
            raise NotFoundError(f"unknown team {name!r} (known: {known_list(self.teams)})")
        return name

    def check_tags(self, tags: Iterable[str]) -> tuple[str, ...]:
        """Normalized, de-duplicated tags; with ``strict``, an unknown tag is refused."""
        clean = tuple(dict.fromkeys(name for name in map(normalize_name, tags) if name))
        if self.strict:
            allowed = set(self.vocabulary)
            for tag in clean:
                if tag not in allowed:
                    raise NotFoundError(
                        f"unknown tag {tag!r}: [taxonomy] strict = true allows only "
                        f"{known_list(self.vocabulary)}"
                    )
        return clean


def _names(raw: Any, key: str, *, allow_empty: bool) -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f'[taxonomy] {key} must be a list of names like ["a", "b"]')
    names: list[str] = []
    for index, value in enumerate(raw):
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"[taxonomy] {key}[{index}] = {value!r} is not a name")
        name = normalize_name(value)
        if not name:
            raise ConfigError(f"[taxonomy] {key}[{index}] = {value!r} is not a name")
        if len(name) > _NAME_LIMIT or "," in name:
            raise ConfigError(
                f"[taxonomy] {key}[{index}] = {value!r} must be at most "
                f"{_NAME_LIMIT} characters, without commas"
            )
        names.append(name)
    if not names and not allow_empty:
        raise ConfigError(f"[taxonomy] {key} needs at least one name")
    return tuple(dict.fromkeys(names))


def taxonomy_from_dict(raw: dict[str, Any]) -> TaxonomySettings:
    """Validate the ``[taxonomy]`` table; missing keys keep the defaults."""
    raw = config_table(raw, "taxonomy", _TAXONOMY_KEYS)
    defaults = TaxonomySettings()
    strict = raw.get("strict", False)
    if not isinstance(strict, bool):
        raise ConfigError(f"[taxonomy] strict = {strict!r} is not true or false")
    return TaxonomySettings(
        tags=_names(raw["tags"], "tags", allow_empty=True) if "tags" in raw else defaults.tags,
        areas=_names(raw["areas"], "areas", allow_empty=True) if "areas" in raw else defaults.areas,
        teams=_names(raw["teams"], "teams", allow_empty=False)
        if "teams" in raw
        else defaults.teams,
        strict=strict,
    )


def taxonomy_to_dict(taxonomy: TaxonomySettings) -> dict[str, Any]:
    """The ``[taxonomy]`` table for the config file: only what differs from the defaults."""
    defaults = TaxonomySettings()
    doc: dict[str, Any] = {}
    for key in ("tags", "areas", "teams"):
        value = getattr(taxonomy, key)
        if value != getattr(defaults, key):
            doc[key] = list(value)
    if taxonomy.strict:
        doc["strict"] = True
    return doc
