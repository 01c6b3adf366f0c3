"""The ``productboard`` destination: each insight as a note on Productboard's Insights
board, through the notes API, never twice.

Config::

    [destinations.board]
    kind = "productboard"            # the access token: cxdaily login board

``POST {base_url}/notes`` (``Authorization: Bearer <token>``, ``X-Version: 1``) with the
note's ``title``, HTML ``content`` (the summary, the quote, the customer, the leader's
note; every customer text escaped), ``display_url`` (the source, http(s) only),
``tags``, ``source: {"origin": "cxdaily", "record_id": <insight id>}`` and, only when the
digest is not redacted and the customer's handle is an address, ``customer_email`` (see
:func:`cxdaily.insights.delivery.trackers.productboard_note`). The answer is ``{"data":
{"id": ...}, "links": {"html": ...}}``.

Each insight is a ledger item (``insight:<id>``), recorded as soon as its note exists,
so an insight goes out once in all periods. A note whose creation may have gone out is
looked for first on the next send: the notes created since then (``GET /notes?
createdFrom=``, page by page) are searched for its ``source.record_id``.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from cxdaily.connectors.destinations.base import DESTINATION_OPTIONS, Ledger
from cxdaily.connectors.destinations.trackers import (
    Remote,
    TrackerDestination,
    base_of,
    is_pending,
)
from cxdaily.connectors.options import Option
from cxdaily.core.words import plural
from cxdaily.insights.delivery.model import Delivered, ItemRecord, Parcel
from cxdaily.insights.delivery.trackers import SOURCE_ORIGIN, productboard_note
from cxdaily.insights.model import Digest, DigestInsight

DEFAULT_BASE_URL = "https://api.productboard.com"
API_VERSION = "1"
MAX_LOOKUP_PAGES = 20
"""Pages of recent notes searched for a note that may have been created."""


class ProductboardDestination(TrackerDestination):
    """A Productboard note per insight, each created once."""

    kind = "productboard"
    summary = "a Productboard note per insight (quote, customer, source, tags), never twice"
    declared_options = DESTINATION_OPTIONS.extended(
        Option("base_url", "url", "the Productboard API's address", default=DEFAULT_BASE_URL),
    )

    def configure(self) -> None:
        """The API's address."""
        self.base_url = base_of(self.option("base_url"))
        self.headers: dict[str, str] = {}

    def describe(self) -> str:
        """``Productboard notes at api.productboard.com``."""
        return f"Productboard notes at {urlsplit(self.base_url).hostname}"

    async def prepare(self) -> None:
        """Read the access token and allow only the API's origin to receive it."""
        token = await asyncio.to_thread(self.secret)
        self.http.allow_credentials_to(self.base_url)
        self.headers = {
            "Authorization": f"Bearer {token}",
            "X-Version": API_VERSION,
            "Accept": "application/json",
        }

    async def deliver(self, parcel: Parcel, ledger: Ledger) -> Delivered:
        """Create a note for every insight the ledger does not hold yet."""
        await self.prepare()
        digest = parcel.digest
        sent = ledger.sent()
        created = found = 0
        for insight in digest.insights:
            key = f"insight:{insight.id}"
            record = sent.get(key)
            if record is not None and not is_pending(record):
                continue
            create = partial(self.create_note, insight, digest)
            if await self.create_once(ledger, key, record, [insight.id], create):
                created += 1
            else:
                found += 1
        detail = f"{plural(created, 'note')} to Productboard"
        if found:
            detail += f", {found} found again"
        return Delivered(items=created + found, detail=detail)

    async def create_note(self, insight: DigestInsight, digest: Digest) -> Remote:
        """``POST /notes`` for one insight; its id and link."""
        result = await self.send(
            "POST",
            f"{self.base_url}/notes",
            json_body=productboard_note(insight, digest),
            headers=self.headers,
        )
        note_id = self.json_of(result, "data", "id")
        links = self.http.decode_json(result).get("links")
        html = links.get("html") if isinstance(links, dict) else None
        return Remote(str(note_id), html if isinstance(html, str) else None)

    async def find(self, key: str, record: ItemRecord) -> Remote | None:
        """The note whose ``source.record_id`` is the insight's id, among the notes
        created since a day before the pending record."""
        record_id = key.removeprefix("insight:")
        since = (record.sent_at - timedelta(days=1)).date().isoformat()
        url: str | None = f"{self.base_url}/notes"
        params: dict[str, Any] | None = {"createdFrom": since}
        for _ in range(MAX_LOOKUP_PAGES):
            if url is None:
                break
            result = await self.send("GET", url, params=params, headers=self.headers)
            page = self.http.decode_json(result)
            notes = page.get("data") if isinstance(page, dict) else None
            for note in notes if isinstance(notes, list) else []:
                found = _matching(note, record_id)
                if found is not None:
                    return found
            links = page.get("links") if isinstance(page, dict) else None
            following = links.get("next") if isinstance(links, dict) else None
            url, params = (following, None) if isinstance(following, str) else (None, None)
        return None


def _matching(note: Any, record_id: str) -> Remote | None:
    """The note as a :class:`Remote` when cxdaily created it for ``record_id``."""
    if not isinstance(note, dict):
        return None
    source = note.get("source")
    if not isinstance(source, dict) or source.get("origin") != SOURCE_ORIGIN:
        return None
    if source.get("record_id") != record_id or note.get("id") is None:
        return None
    link = note.get("displayUrl")
    return Remote(str(note["id"]), link if isinstance(link, str) else None)
