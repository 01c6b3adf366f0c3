"""Builders for the digest delivery tests (plain functions, no fixtures).

- :func:`write_config` writes a ``config.toml`` under ``CXDAILY_HOME`` with UTC days that
  start at midnight, the given channels and destinations, and a digest day;
- :func:`seed_week` stores insights in the digest week of :data:`FIXED_NOW` (Saturday
  21 Nov 2026: the latest Friday is 20 Nov, so the week is 13 to 19 Nov), one of them
  carrying personal data and markup meant to act in Slack, Teams and HTML;
- :func:`service` opens the profile with an HTTP client factory (a mock transport);
- :class:`NotesDestination` is an item-wise destination kind (a note per insight) for
  the framework's tests (register it with :data:`NOTES_KIND` in ``DESTINATION_KINDS``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from cxdaily.connectors.destinations.base import DESTINATION_OPTIONS, Destination, Ledger
from cxdaily.connectors.destinations.kinds import DestinationKind
from cxdaily.connectors.options import Option
from cxdaily.core.models import Insight
from cxdaily.insights.delivery.model import Delivered, Parcel
from cxdaily.service import Service
from cxdaily.store import Store
from tests.unit.insights.digest_kit import insight

WEEK_LABEL = "13 Nov 2026 – 19 Nov 2026 (UTC)"
WEEK_KEY = "2026-11-13T00:00:00Z..2026-11-20T00:00:00Z"
EMAIL = "jane.doe@example.com"
HOSTILE = (
    f"<!channel> @here <https://evil.example|click> **bold** [x](https://evil.example) "
    f"{{{{DATE(2017-02-14T06:00:00Z)}}}} <script>alert(1)</script> & mail {EMAIL}"
)


def toml_value(value: Any) -> str:
    """A value as TOML writes it (strings, numbers, booleans and lists of them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)


def write_config(
    home: Path,
    destinations: dict[str, dict[str, Any]],
    *,
    channels: dict[str, dict[str, Any]] | None = None,
    digest_day: str | None = None,
) -> Path:
    """``home/config.toml`` with UTC days from midnight and the given tables."""
    lines = ['[session]\ntimezone = "UTC"\nday_start = "00:00"\n']
    if digest_day:
        lines.append(f'[digest]\nday = "{digest_day}"\n')
    for section, tables in (("channels", channels or {}), ("destinations", destinations)):
        for name, options in tables.items():
            lines.append(f"[{section}.{name}]")
            lines.extend(f"{key} = {toml_value(value)}" for key, value in options.items())
            lines.append("")
    path = home / "config.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def week_insights() -> list[Insight]:
    """Three insights of the week of 13 to 19 Nov 2026; the first is hostile."""
    return [
        insight(
            "2026-11-16 10:00",
            tags=("billing",),
            importance=3,
            summary="Charged twice <b>after</b> @channel cancelling",
            quote=HOSTILE,
        ),
        insight("2026-11-17 10:00", tags=("billing",), summary="Refund took weeks"),
        insight("2026-11-18 10:00", tags=("export",), summary="CSV export times out"),
    ]


def seed_week(home: Path, insights: list[Insight] | None = None) -> list[Insight]:
    """Store the week's insights in ``home``'s data folder; returns them."""
    chosen = insights if insights is not None else week_insights()
    with Store(home / "data") as store:
        store.insights.add_many(chosen)
    return chosen


def service(
    handler: Callable[[httpx.Request], httpx.Response] | None = None,
) -> Service:
    """The default profile, its HTTP requests answered by ``handler`` (a mock transport)."""
    from cxdaily.connectors.http import make_client

    if handler is None:
        return Service.open()
    transport = httpx.MockTransport(handler)
    return Service.open(make_client=lambda: make_client(transport=transport))


class NotesDestination(Destination):
    """An item-wise destination for the framework's tests: one POST per insight to
    ``url`` (``{"note": summary}``), each recorded in the ledger as it goes."""

    kind = "notes"
    summary = "one note per insight (tests only)"
    itemwise = True
    declared_options = DESTINATION_OPTIONS.extended(Option("url", "url", "where notes go"))

    async def deliver(self, parcel: Parcel, ledger: Ledger) -> Delivered:
        """Post the insights the ledger does not hold yet, recording each."""
        sent = ledger.sent()
        count = 0
        for item in parcel.digest.insights:
            key = f"insight:{item.id}"
            if key in sent:
                continue
            result = await self.http.request(
                "POST", self.option("url"), json_body={"note": item.summary}
            )
            ledger.record(key, result.content.decode(), evidence=[item.id])
            count += 1
        return Delivered(items=count, detail=f"{count} notes")


NOTES_KIND = DestinationKind(
    "notes",
    "tests.unit.insights.delivery_kit:NotesDestination",
    NotesDestination.summary,
    "Notes",
)
