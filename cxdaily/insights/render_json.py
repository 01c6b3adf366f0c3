"""The digest as JSON, and its insights as notes for product-feedback tools.

Both shapes are documented by JSON Schemas shipped in this package:
``digest.schema.json`` (``--format json``, version :data:`DIGEST_SCHEMA_VERSION`: the
themes first, every insight once in the digest's order, groups by team and primary tag)
and ``notes.schema.json`` (``--format notes``: an array of notes with a title, the
content, the customer, the source URL, tags and the theme, the shape product-feedback
tools import). Times are ISO-8601 UTC strings ending in ``Z``; days are ``YYYY-MM-DD``
in the home time zone.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from json.encoder import encode_basestring
from typing import Any

from cxdaily.core.clock import to_iso
from cxdaily.core.words import whole_sentences
from cxdaily.insights.model import Change, Digest, DigestInsight, Theme
from cxdaily.insights.words import iso_time, other_tags, safe_url

DIGEST_SCHEMA_VERSION = 2
"""Raised whenever the shape changes (2: themes, each insight once, primary tags)."""
DIGEST_SCHEMA_ID = f"cxdaily.digest/{DIGEST_SCHEMA_VERSION}"
NOTES_ORIGIN = "cxdaily"
TITLE_LIMIT = 120
_ENCODER = json.JSONEncoder(ensure_ascii=False)  # one encoder: json.dumps makes one a call


def load_schema(name: str) -> dict[str, Any]:
    """A schema shipped in this package: ``digest`` or ``notes``."""
    text = resources.files("cxdaily.insights").joinpath(f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


def _change(change: Change) -> dict[str, Any]:
    return {
        "name": change.name,
        "count": change.count,
        "previous": change.previous,
        "change": change.delta,
        "change_percent": change.percent,
    }


def theme_dict(theme: Theme, rank: int) -> dict[str, Any]:
    """One theme as the digest's JSON holds it."""
    return {
        "rank": rank,
        "key": theme.key,
        "title": theme.title,
        "summary": theme.summary,
        "evidence": theme.evidence,
        "customers": theme.customers,
        "trend": theme.trend,
        "sentiment": theme.sentiment,
        "team": theme.team,
        "quote": theme.quote,
        "insight_ids": list(theme.insight_ids),
    }


def insight_dict(insight: DigestInsight, theme: Theme | None = None) -> dict[str, Any]:
    """One insight as the digest's JSON holds it (``theme``: the top theme it is in)."""
    return {
        "id": insight.id,
        "question_id": insight.question_id,
        "url": safe_url(insight.url),  # as every format links it: http(s), no user info
        "channel": insight.channel,
        "customer": {"name": insight.customer_name, "handle": insight.customer_handle},
        "tags": list(insight.tags),
        "primary_tag": insight.primary_tag,
        "other_tags": list(other_tags(insight)),
        "theme": theme.key if theme else None,
        "team": insight.team,
        "sentiment": insight.sentiment,
        "importance": insight.importance,
        "summary": insight.summary,
        "quote": insight.quote,
        "note": insight.note,
        "created_at": to_iso(insight.created_at),
        "day": insight.day.isoformat(),
    }


def digest_dict(digest: Digest) -> dict[str, Any]:
    """The digest as plain data (see ``digest.schema.json``)."""
    themes = digest.theme_ranks()
    return _digest_data(digest, [_insight_entry(i, themes) for i in digest.ordered])


def _digest_data(digest: Digest, insights: list[Any]) -> dict[str, Any]:
    """The digest as plain data, with ``insights`` (as dicts, or :class:`Encoded`)."""
    period, head = digest.period, digest.headline
    return {
        "schema": DIGEST_SCHEMA_ID,
        "schema_version": DIGEST_SCHEMA_VERSION,
        "title": digest.title,
        "generated_at": to_iso(digest.generated_at),
        "period": {
            "since": to_iso(period.since),
            "until": to_iso(period.until),
            "timezone": period.zone.key,
            "day_start": period.day_start.strftime("%H:%M"),
            "label": period.label,
            "previous": {"since": to_iso(period.previous.since), "until": to_iso(period.since)},
        },
        "filters": {"team": digest.team, "tag": digest.tag},
        "redaction": {"enabled": digest.redaction.enabled, "initials": digest.redaction.initials},
        "empty": digest.empty,
        "headline": {
            "insights": head.insights.count,
            "previous_insights": head.insights.previous,
            "change": head.insights.delta,
            "change_percent": head.insights.percent,
            "customers": head.customers,
            "channels": head.channels,
            "important": head.important,
            "negative_percent": head.negative_percent,
            "handoffs": head.handoffs,
            "sessions": head.sessions,
        },
        "themes": [theme_dict(t, rank) for rank, t in enumerate(digest.themes, 1)],
        "tags": [_change(c) for c in digest.tags],
        "teams": [_change(c) for c in digest.teams],
        "areas": [_change(c) for c in digest.areas],
        "sentiment": [_change(c) for c in digest.sentiment],
        "trend": {
            "unit": digest.trend.unit,
            "tags": list(digest.trend.tags),
            "buckets": [
                {
                    "start": b.start.isoformat(),
                    "label": b.label,
                    "total": b.total,
                    "counts": b.counts,
                }
                for b in digest.trend.buckets
            ],
        },
        "insights": insights,
        "groups": [
            {
                "team": g.team,
                "count": g.count,
                "top_importance": g.top_importance,
                "tags": [
                    {
                        "tag": t.tag,
                        "count": len(t.insights),
                        "top_importance": t.top_importance,
                        "insight_ids": [i.id for i in t.insights],
                    }
                    for t in g.tags
                ],
            }
            for g in digest.groups
        ],
        "reflections": [{"day": r.day.isoformat(), "text": r.text} for r in digest.reflections],
        "handoffs": [
            {
                "at": to_iso(ho.at),
                "day": ho.day.isoformat(),
                "team": ho.team,
                "note": ho.note,
                "question_id": ho.question_id,
                "channel": ho.channel,
                "customer": ho.customer,
                "url": safe_url(ho.url),
            }
            for ho in digest.handoffs
        ],
    }


def _insight_entry(insight: DigestInsight, themes: dict[str, tuple[int, Theme]]) -> dict[str, Any]:
    found = themes.get(insight.id)
    return insight_dict(insight, found[1] if found else None)


class Encoded(list[str]):
    """Objects already encoded as JSON, one string each: :func:`layout` writes them one
    per line as it would write the objects."""


def layout(value: Any) -> str:
    """JSON with one line per top-level key and per element of a top-level list of
    objects (insights, notes...): easy to read and to diff, and fast (indenting
    everything would switch Python to its slow pure-Python encoder). The pieces are
    joined once: a year's digest is megabytes, and every extra join copies it all."""
    dump = _ENCODER.encode
    parts: list[str] = []

    def block(item: Any, indent: str) -> None:
        if isinstance(item, Encoded):
            lines: list[str] = item
        elif isinstance(item, list) and item and all(isinstance(x, dict) for x in item):
            lines = [dump(x) for x in item]
        else:
            parts.append(dump(item))
            return
        if not lines:
            parts.append("[]")
            return
        interleaved = [f",\n{indent}  "] * (2 * len(lines) - 1)
        interleaved[::2] = lines
        parts.append(f"[\n{indent}  ")
        parts.extend(interleaved)
        parts.append(f"\n{indent}]")

    if not isinstance(value, dict):
        block(value, "")
        parts.append("\n")
        return "".join(parts)
    parts.append("{\n")
    for number, (key, item) in enumerate(value.items()):
        parts.append(",\n" if number else "")
        parts.append(f"  {dump(key)}: ")
        block(item, "  ")
    parts.append("\n}\n")
    return "".join(parts)


def render_json(digest: Digest) -> str:
    """The digest as JSON (see :func:`layout`)."""
    themes = digest.theme_ranks()
    encoded = Encoded(
        insight_json(i, found[1] if (found := themes.get(i.id)) else None) for i in digest.ordered
    )
    return layout(_digest_data(digest, encoded))


_quoted = encode_basestring
"""A string as JSON, as the encoder writes it (for fields that are never ``None``)."""


def _text(value: str | None) -> str:
    """A string (or ``None``) as JSON, as the encoder writes it."""
    return "null" if value is None else encode_basestring(value)


@lru_cache(maxsize=4096)
def _texts(values: tuple[str, ...]) -> str:
    """A list of strings as JSON, as the encoder writes it (worked out once per list: a
    digest's insights share a few dozen lists of tags)."""
    return "[" + ", ".join(map(encode_basestring, values)) + "]"


def _plain(insight: DigestInsight) -> bool:
    """Whether the fast encoders below write ``insight`` exactly as the JSON encoder
    would (true of every insight a digest builds: plain strings and an int)."""
    return type(insight.importance) is int


def insight_json(insight: DigestInsight, theme: Theme | None = None) -> str:
    """:func:`insight_dict` encoded, written field by field (the same text as encoding
    the dict, several times faster: a digest writes thousands)."""
    if not _plain(insight):
        return _ENCODER.encode(insight_dict(insight, theme))
    return (
        f'{{"id": {_quoted(insight.id)}, "question_id": {_quoted(insight.question_id)}, '
        f'"url": {_text(safe_url(insight.url))}, "channel": {_quoted(insight.channel)}, '
        f'"customer": {{"name": {_text(insight.customer_name)}, '
        f'"handle": {_text(insight.customer_handle)}}}, "tags": {_texts(insight.tags)}, '
        f'"primary_tag": {_quoted(insight.primary_tag)}, '
        f'"other_tags": {_texts(other_tags(insight))}, '
        f'"theme": {_text(theme.key if theme else None)}, "team": {_quoted(insight.team)}, '
        f'"sentiment": {_quoted(insight.sentiment)}, "importance": {insight.importance}, '
        f'"summary": {_quoted(insight.summary)}, "quote": {_quoted(insight.quote)}, '
        f'"note": {_quoted(insight.note)}, "created_at": "{iso_time(insight.created_at)}", '
        f'"day": "{insight.day.isoformat()}"}}'
    )


def note_dict(insight: DigestInsight, theme: tuple[int, Theme] | None = None) -> dict[str, Any]:
    """One insight as a product-feedback note (see ``notes.schema.json``); ``theme``:
    the rank and theme of the top theme it is in."""
    title, content = _note_text(insight)
    return {
        "title": title,
        "content": content,
        "customer": {"name": insight.customer_name, "handle": insight.customer_handle},
        "source_url": safe_url(insight.url),
        "tags": list(insight.tags),
        "primary_tag": insight.primary_tag,
        "theme": (
            {"key": theme[1].key, "title": theme[1].title, "rank": theme[0]} if theme else None
        ),
        "source": {"origin": NOTES_ORIGIN, "record_id": insight.id},
        "team": insight.team,
        "importance": insight.importance,
        "sentiment": insight.sentiment,
        "created_at": to_iso(insight.created_at),
    }


def _note_text(insight: DigestInsight) -> tuple[str, str]:
    """A note's title and content."""
    title = whole_sentences(insight.headline, TITLE_LIMIT)
    content = [insight.quote or insight.summary or "(no quote)"]
    if insight.summary and insight.quote:
        content.append(f"Summary: {insight.summary}")
    if insight.note:
        content.append(f"Leader's note: {insight.note}")
    content.append(
        f"Importance +{insight.importance} · {insight.sentiment} · team {insight.team} · "
        f"{insight.channel} · question {insight.question_id}"
    )
    return title, "\n\n".join(content)


def render_notes(digest: Digest) -> str:
    """The digest's insights as an array of notes, each once, in the digest's order."""
    themes = digest.theme_ranks()
    encoded = {rank: _theme_json((rank, theme)) for rank, theme in themes.values()}
    return layout(
        Encoded(
            note_json(i, found, encoded[found[0]]) if (found := themes.get(i.id)) else note_json(i)
            for i in digest.ordered
        )
    )


def _theme_json(theme: tuple[int, Theme]) -> str:
    """A note's ``theme`` (its rank and theme) as JSON, as the encoder writes it."""
    rank, found = theme
    return f'{{"key": {_text(found.key)}, "title": {_text(found.title)}, "rank": {rank}}}'


def note_json(
    insight: DigestInsight, theme: tuple[int, Theme] | None = None, theme_json: str = ""
) -> str:
    """:func:`note_dict` encoded, written field by field (the same text as encoding the
    dict); ``theme_json``: the theme as JSON, when the caller has it already."""
    if not _plain(insight) or (theme is not None and type(theme[0]) is not int):
        return _ENCODER.encode(note_dict(insight, theme))
    title, content = _note_text(insight)
    found = (theme_json or _theme_json(theme)) if theme else "null"
    return (
        f'{{"title": {_quoted(title)}, "content": {_quoted(content)}, '
        f'"customer": {{"name": {_text(insight.customer_name)}, '
        f'"handle": {_text(insight.customer_handle)}}}, '
        f'"source_url": {_text(safe_url(insight.url))}, "tags": {_texts(insight.tags)}, '
        f'"primary_tag": {_quoted(insight.primary_tag)}, "theme": {found}, '
        f'"source": {{"origin": "{NOTES_ORIGIN}", "record_id": {_quoted(insight.id)}}}, '
        f'"team": {_quoted(insight.team)}, "importance": {insight.importance}, '
        f'"sentiment": {_quoted(insight.sentiment)}, '
        f'"created_at": "{iso_time(insight.created_at)}"}}'
    )
