"""Builders and checkers for the digest tests (plain functions, no fixtures).

- :func:`insight` builds an Insight with sensible defaults at a given UTC time;
- :func:`period` builds a Period between two UTC instants in a zone;
- :data:`REDACTIONS` is every combination of the redaction switches;
- :func:`validate` checks a value against the subset of JSON Schema the shipped schemas
  use (type, const, enum, properties, required, additionalProperties, items, minItems,
  minimum, maximum, pattern, $ref to #/$defs) and returns every violation.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from cxdaily.core.models import Insight
from cxdaily.insights.period import Period
from cxdaily.insights.redact import Redaction

UTC_ZONE = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MIDNIGHT = time(0, 0)
#: Every combination of the redaction switches (on or off, initials or not).
REDACTIONS = (
    Redaction(),
    Redaction(initials=True),
    Redaction(enabled=False),
    Redaction(enabled=False, initials=True),
)

_ids = itertools.count(1)


def at(text: str) -> datetime:
    """``"2026-11-20 10:00"`` (UTC) as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def insight(created: str | datetime, **fields: Any) -> Insight:
    """An insight created at ``created`` (UTC), with defaults for every other field."""
    n = next(_ids)
    values: dict[str, Any] = {
        "id": f"ins{n:04d}",
        "question_id": f"acme:{n}",
        "channel": "acme",
        "url": f"https://acme.example/tickets/{n}",
        "customer_name": "Jane Doe",
        "customer_handle": f"@user{n}",
        "tags": ("bug",),
        "team": "product",
        "sentiment": "negative",
        "importance": 1,
        "summary": f"Summary {n}",
        "quote": f"Quote {n}",
        "note": None,
        "created_at": at(created) if isinstance(created, str) else created,
        "session_id": None,
    }
    values.update(fields)
    return Insight(**values)


def period(since: str, until: str, zone: ZoneInfo = UTC_ZONE, day_start: time = MIDNIGHT) -> Period:
    """The period between two UTC instants given as text."""
    return Period(at(since), at(until), zone, day_start)


_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def _is_type(value: Any, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, _TYPES[name])


def validate(value: Any, schema: dict[str, Any], root: dict[str, Any] | None = None) -> list[str]:
    """Every way ``value`` breaks ``schema`` (an empty list when it conforms)."""
    root = root or schema
    return list(_check(value, schema, root, "$"))


def _check(value: Any, schema: dict[str, Any], root: dict[str, Any], where: str):
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        yield from _check(value, root["$defs"][name], root, where)
        return
    known = {
        "$schema", "$id", "$ref", "$defs", "title", "description", "type", "const", "enum",
        "properties", "required", "additionalProperties", "items", "minItems", "minimum",
        "maximum", "pattern",
    }  # fmt: skip
    unknown = set(schema) - known
    assert not unknown, f"the schema uses keywords this checker does not know: {unknown}"
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, t) for t in types):
            yield f"{where}: {value!r} is not of type {types}"
            return
    if "const" in schema and value != schema["const"]:
        yield f"{where}: {value!r} is not {schema['const']!r}"
    if "enum" in schema and value not in schema["enum"]:
        yield f"{where}: {value!r} is not one of {schema['enum']}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            yield f"{where}: {value} < {schema['minimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            yield f"{where}: {value} > {schema['maximum']}"
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        yield f"{where}: {value!r} does not match {schema['pattern']}"
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                yield f"{where}: {key!r} is missing"
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                yield from _check(item, properties[key], root, f"{where}.{key}")
            elif extra is False:
                yield f"{where}: {key!r} is not allowed"
            elif isinstance(extra, dict):
                yield from _check(item, extra, root, f"{where}.{key}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            yield f"{where}: fewer than {schema['minItems']} items"
        if "items" in schema:
            for index, item in enumerate(value):
                yield from _check(item, schema["items"], root, f"{where}[{index}]")
