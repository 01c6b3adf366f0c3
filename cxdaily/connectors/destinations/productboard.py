"""The ``productboard`` destination: each insight as a note on Productboard's Insights
board, through Productboard's REST API v2, never twice.

Config::

    [destinations.board]
    kind = "productboard"            # the access token: cxdaily login board

``POST {base_url}/v2/notes`` (``Authorization: Bearer <token>``; v2 takes no
``X-Version`` header) with ``{"data": {"type": "textNote", "fields": {"name", "content",
"tags"}, "metadata": {"source": {"system": "cxdaily", "recordId": <insight id>, "url"}},
"relationships": [...]}}``: the HTML content escapes every customer text, and the
customer is attributed (a ``customer`` relationship to the user with that email) only
when the digest is not redacted (see
:func:`cxdaily.insights.delivery.trackers.productboard_note`). The answer is ``{"data":
{"id", "type", "links": {...}}}``; its ``links.html`` (the note in Productboard's app,
v1's ``displayUrl``) is recorded when the answer carries it (the v2 migration guide
shows a create answer with ``links.self`` only).

Productboard answers 404 when the customer's user does not exist (v2 no longer creates
users from a note) and may answer 422 for a tag value the workspace does not have
(reported by integrators, not confirmed in the reference): the note is then sent once
more without tags and customer, which the refusal shows were not taken. Nothing was
created by a refused request, so nothing goes twice.

Each insight is a ledger item (``insight:<id>``), recorded as soon as its note exists,
so an insight goes out once in all periods. A note whose creation may have gone out is
looked for first on the next send: ``GET /v2/notes?metadata[source][system]=cxdaily&
metadata[source][recordId]=<insight id>`` (filters added to v2 on 2026-03-25), page by
page along ``links.next``; each note is checked again here, so a service that ignored
the filters still finds only the right one. A throttle (429 with ``Retry-After``) is
waited out by :meth:`TrackerDestination.send`.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cxdaily.connectors.destinations.base import DESTINATION_OPTIONS, Ledger
from cxdaily.connectors.destinations.trackers import (
    Remote,
    TrackerDestination,
    is_pending,
)
from cxdaily.connectors.http_errors import BadResponseError, describe_url
from cxdaily.connectors.options import Option
from cxdaily.core.words import plural
from cxdaily.insights.delivery.model import Delivered, ItemRecord, Parcel
from cxdaily.insights.delivery.trackers import (
    SOURCE_SYSTEM,
    has_optional_parts,
    productboard_note,
)
from cxdaily.insights.model import Digest, DigestInsight

DEFAULT_BASE_URL = "https://api.productboard.com"
NOTES_PATH = "/v2/notes"
MAX_LOOKUP_PAGES = 20
"""Pages of notes searched for a note that may have been created."""
REFUSED_OPTIONAL_PARTS = frozenset({404, 422})
"""Answers to a note with tags or a customer that mean those parts were refused."""


class ProductboardDestination(TrackerDestination):
    """A Productboard note per insight, each created once."""

    declared_options = DESTINATION_OPTIONS.extended(
        Option("base_url", "url", "the Productboard API's address", default=DEFAULT_BASE_URL),
    )

    def describe(self) -> str:
        """``Productboard notes at api.productboard.com``."""
        return f"Productboard notes at {urlsplit(self.base_url).hostname}"

    async def prepare(self) -> None:
        """Read the access token and allow only the API's origin to receive it."""
        token = await asyncio.to_thread(self.secret)
        self.http.allow_credentials_to(self.base_url)
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

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
        """``POST /v2/notes`` for one insight (once more without tags and customer when
        Productboard refused them); the note's id and, when answered, its link."""
        url = f"{self.base_url}{NOTES_PATH}"
        body = productboard_note(insight, digest)
        refusals = REFUSED_OPTIONAL_PARTS if has_optional_parts(body) else frozenset()
        result = await self.send(
            "POST", url, json_body=body, headers=self.headers, allow_statuses=refusals
        )
        if result.status in refusals:
            bare = productboard_note(insight, digest, optional_parts=False)
            result = await self.send("POST", url, json_body=bare, headers=self.headers)
        note_id = self.json_of(result, "data", "id")
        if not isinstance(note_id, str) or not note_id:
            where = f"{result.method} {describe_url(result.url)}"
            raise BadResponseError(f"{where} answered without a note id", channel=self.name)
        return Remote(note_id, _html_link(self.json_of(result, "data")))

    async def find(self, key: str, record: ItemRecord) -> Remote | None:
        """The note cxdaily created for the insight, by its ``metadata.source`` (system
        ``cxdaily``, ``recordId`` the insight's id)."""
        record_id = key.removeprefix("insight:")
        url = f"{self.base_url}{NOTES_PATH}"
        params: dict[str, Any] = {
            "metadata[source][system]": SOURCE_SYSTEM,
            "metadata[source][recordId]": record_id,
        }
        for _ in range(MAX_LOOKUP_PAGES):
            result = await self.send("GET", url, params=params, headers=self.headers)
            page = self.http.decode_json(result)
            notes = page.get("data") if isinstance(page, dict) else None
            for note in notes if isinstance(notes, list) else []:
                found = _matching(note, record_id)
                if found is not None:
                    return found
            following = _next_page(page)
            if following is None:
                return None
            params = following
        return None


def _html_link(note: Any) -> str | None:
    """A note's ``links.html`` (its page in Productboard's app), when it has one."""
    links = note.get("links") if isinstance(note, dict) else None
    html = links.get("html") if isinstance(links, dict) else None
    return html if isinstance(html, str) and html.startswith(("https://", "http://")) else None


def _matching(note: Any, record_id: str) -> Remote | None:
    """The note as a :class:`Remote` when cxdaily created it for ``record_id``."""
    if not isinstance(note, dict):
        return None
    metadata = note.get("metadata")
    source = metadata.get("source") if isinstance(metadata, dict) else None
    if not isinstance(source, dict) or source.get("system") != SOURCE_SYSTEM:
        return None
    note_id = note.get("id")
    if source.get("recordId") != record_id or not isinstance(note_id, str) or not note_id:
        return None
    return Remote(note_id, _html_link(note))


def _next_page(page: Any) -> dict[str, str] | None:
    """The query of the page after ``page`` (the parameters of its ``links.next``, sent
    to the configured address: the token goes only there), or ``None`` at the end."""
    links = page.get("links") if isinstance(page, dict) else None
    following = links.get("next") if isinstance(links, dict) else None
    if not isinstance(following, str):
        return None
    query = dict(parse_qsl(urlsplit(following).query, keep_blank_values=True))
    return query if query.get("pageCursor") else None
