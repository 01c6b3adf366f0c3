"""The digest as JSON, and its insights as notes for product-feedback tools.

Both shapes are documented by JSON Schemas shipped in this package:
``digest.schema.json`` (``--format json``) and ``notes.schema.json`` (``--format notes``:
an array of notes with a title, the content, the customer, the source URL and tags, the
shape product-feedback tools import). Times are ISO-8601 UTC strings ending in ``Z``;
days are ``YYYY-MM-DD`` in the home time zone.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from cxdaily.core.clock import to_iso
from cxdaily.insights.model import Change, Digest, DigestInsight
from cxdaily.insights.words import safe_url

DIGEST_SCHEMA_ID = "cxdaily.digest/1"
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


def insight_dict(insight: DigestInsight) -> dict[str, Any]:
    """One insight as the digest's JSON holds it."""
    return {
        "id": insight.id,
        "question_id": insight.question_id,
        "url": insight.url,
        "channel": insight.channel,
        "customer": {"name": insight.customer_name, "handle": insight.customer_handle},
        "tags": list(insight.tags),
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
    period, head = digest.period, digest.headline
    return {
        "schema": DIGEST_SCHEMA_ID,
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
        "insights": [insight_dict(i) for i in digest.insights],
        "groups": [
            {
                "team": g.team,
                "count": g.count,
                "tags": [{"tag": t.tag, "insight_ids": [i.id for i in t.insights]} for t in g.tags],
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
                "url": ho.url,
            }
            for ho in digest.handoffs
        ],
    }


def layout(value: Any) -> str:
    """JSON with one line per top-level key and per element of a top-level list of
    objects (insights, notes...): easy to read and to diff, and fast (indenting
    everything would switch Python to its slow pure-Python encoder)."""

    dump = _ENCODER.encode

    def block(item: Any, indent: str) -> str:
        if isinstance(item, list) and item and all(isinstance(x, dict) for x in item):
            inner = ",\n".join(f"{indent}  {dump(x)}" for x in item)
            return f"[\n{inner}\n{indent}]"
        return dump(item)

    if isinstance(value, dict):
        body = ",\n".join(f"  {dump(k)}: {block(v, '  ')}" for k, v in value.items())
        return "{\n" + body + "\n}\n"
    return block(value, "") + "\n"


def render_json(digest: Digest) -> str:
    """The digest as JSON (see :func:`layout`)."""
    return layout(digest_dict(digest))


def note_dict(insight: DigestInsight) -> dict[str, Any]:
    """One insight as a product-feedback note (see ``notes.schema.json``)."""
    title = insight.headline
    if len(title) > TITLE_LIMIT:
        title = title[: TITLE_LIMIT - 1].rstrip() + "…"
    content = [insight.quote or insight.summary or "(no quote)"]
    if insight.summary and insight.quote:
        content.append(f"Summary: {insight.summary}")
    if insight.note:
        content.append(f"Leader's note: {insight.note}")
    content.append(
        f"Importance +{insight.importance} · {insight.sentiment} · team {insight.team} · "
        f"{insight.channel} · question {insight.question_id}"
    )
    return {
        "title": title,
        "content": "\n\n".join(content),
        "customer": {"name": insight.customer_name, "handle": insight.customer_handle},
        "source_url": safe_url(insight.url),
        "tags": list(insight.tags),
        "source": {"origin": NOTES_ORIGIN, "record_id": insight.id},
        "team": insight.team,
        "importance": insight.importance,
        "sentiment": insight.sentiment,
        "created_at": to_iso(insight.created_at),
    }


def render_notes(digest: Digest) -> str:
    """The digest's insights as an array of notes, most important first."""
    return layout([note_dict(i) for i in digest.insights])
