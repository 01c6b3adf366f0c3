"""Pagination helpers for the four styles services use.

Each helper is an async iterator of ``(page_json, result)`` over a :class:`ChannelHttp`:

- :func:`link_pages`: follow ``Link: <...>; rel="next"`` (GitHub, Mastodon, Freshdesk);
- :func:`cursor_pages`: pass an opaque cursor from each page to the next (Zendesk,
  Bluesky, Front, YouTube, Intercom);
- :func:`numbered_pages`: ``page=1, 2, 3 ...`` until a short or empty page (WordPress,
  Help Scout, Trustpilot);
- :func:`since_id_pages`: newest-first lists filtered by ``since_id``, paged downwards
  with ``max_id`` (Mastodon, X).

Every helper stops after ``max_pages``, once the fetch has read its byte budget
(``max_fetch_bytes``), and at a next page it has already fetched, so a buggy or hostile
service cannot keep a fetch going forever or fill the memory. Stopping early is never
silent: it is noted on the :class:`ChannelHttp` and shown with the fetch's warnings, and
counted in its ``walks_cut_short`` (a connector whose checkpoint must not pass the pages
left compares the count before and after a walk). A
connector that must page its own way (a search sent as POST, a GraphQL query) loops over
:func:`pages_allowed`, which applies the same caps, and keeps a :class:`PageTrail` of
the pages it was sent to.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx

from cxdaily.connectors.http_errors import BadResponseError, UnreachableError, describe_url
from cxdaily.core.safe_json import is_digits

if TYPE_CHECKING:
    from cxdaily.connectors.http import ChannelHttp, HttpResult

DEFAULT_MAX_PAGES = 100

_LINK = re.compile(r"<([^>]*)>([^<]*)")
_REL = re.compile(r"""\brel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""", re.IGNORECASE)


def parse_link_header(value: str) -> dict[str, str]:
    """Targets of a ``Link`` header by relation: ``{"next": "...", "last": "..."}``.

    A link with several relations (``rel="next last"``) is listed under each; the first
    link of a relation wins.
    """
    links: dict[str, str] = {}
    for target, params in _LINK.findall(value or ""):
        for match in _REL.finditer(params):
            for rel in (match[1] or match[2] or "").lower().split():
                links.setdefault(rel, target.strip())
    return links


def _may_fetch_another(http: ChannelHttp, pages_done: int, max_pages: int) -> bool:
    """Whether one more page may be asked for; when a cap is reached, notes why not and
    counts the walk as cut short (:attr:`ChannelHttp.walks_cut_short`)."""
    if pages_done >= max_pages:
        http.note(
            f"stopped after {max_pages} pages (the page cap); the rest comes with the next fetch"
        )
    elif http.budget_spent():
        spent = http.bytes_read / (1024 * 1024)
        http.note(
            f"stopped after {pages_done} pages and {spent:.0f} MB (the byte budget of one "
            "fetch, max_fetch_mb); the rest comes with the next fetch"
        )
    else:
        return True
    http.walks_cut_short += 1
    return False


def pages_allowed(http: ChannelHttp, max_pages: int) -> Iterator[int]:
    """1, 2, 3 ...: the number of each page that may be asked for (the first always may),
    until ``max_pages`` pages or the fetch's byte budget are spent (noted on ``http`` for
    the fetch's warnings). A connector that pages its own way loops over this."""
    pages = 0
    while pages == 0 or _may_fetch_another(http, pages, max_pages):
        pages += 1
        yield pages


class PageTrail:
    """The next pages a walk was sent to (page tokens, cursors or addresses). A service
    that names one of them again would have the walk read the same pages until its page
    cap, and a checkpoint keeping that page would do it again at every fetch: the walk
    ends there instead, with a note for the fetch's warnings."""

    def __init__(self, http: ChannelHttp, what: str, start: str | None = None) -> None:
        self._http = http
        self._what = what
        self._seen: set[str] = {start} if start else set()

    def mark(self, page: str) -> None:
        """Remember a page the walk read (by the token, cursor or address it was read with)."""
        self._seen.add(page)

    def loops(self, following: str | None) -> bool:
        """Whether ``following``, the next page a page names, was read already (noted on
        the fetch); else it is remembered as read from now on."""
        if following is None:
            return False
        if following in self._seen:
            self._http.note(
                f"stopped reading {self._what}: the service named a page already read as "
                "the next one"
            )
            return True
        self._seen.add(following)
        return False


async def _address_pages(
    http: ChannelHttp,
    url: str,
    *,
    following: Callable[[Any, HttpResult], str | None],
    params: dict[str, Any] | None,
    headers: dict[str, str] | None,
    max_pages: int,
) -> AsyncIterator[tuple[Any, HttpResult]]:
    """Pages of ``url`` (asked for with ``params``) and of each next address
    ``following(data, result)`` names (``None``: the last page); an address already
    fetched ends the walk."""
    trail = PageTrail(http, f"pages of {describe_url(url)}")
    address = url
    first = True
    for _ in pages_allowed(http, max_pages):
        data, result = await http.get_json(
            address, params=params if first else None, headers=headers
        )
        first = False
        trail.mark(str(result.url))
        yield data, result
        named = following(data, result)
        if named is None or trail.loops(named):
            return
        address = named


def link_pages(
    http: ChannelHttp,
    url: str,
    *,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> AsyncIterator[tuple[Any, HttpResult]]:
    """Pages of ``url`` and of every ``rel="next"`` link after it."""

    def following(data: Any, result: HttpResult) -> str | None:
        next_url = result.links.get("next")
        if next_url is None and "next" in parse_link_header(result.headers.get("link", "")):
            raise BadResponseError(
                f"GET {describe_url(result.url)}: the next page its Link header names is not a URL",
                channel=http.channel,
            )
        return next_url

    return _address_pages(
        http, url, following=following, params=params, headers=headers, max_pages=max_pages
    )


def next_url_pages(
    http: ChannelHttp,
    url: str,
    *,
    next_url: Callable[[Any], str | None],
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> AsyncIterator[tuple[Any, HttpResult]]:
    """Pages of ``url`` and of every next-page address its answers name in their body
    (Zendesk ``after_url``, Front ``_pagination.next``, HAL ``_links.next.href``).

    ``next_url(data)`` reads the address (``None``: the last page). A relative address
    is resolved against the page that named it; the same address twice ends the walk,
    and one that is not a URL at all is a :class:`BadResponseError` (the service's fault,
    not the connector's). Credentials follow only to the channel's own origins (the HTTP
    layer's gate).
    """

    def following(data: Any, result: HttpResult) -> str | None:
        named = next_url(data)
        if not isinstance(named, str) or not named.strip():
            return None
        try:
            return str(result.url.join(named.strip()))
        except (httpx.InvalidURL, ValueError):
            raise BadResponseError(
                f"GET {describe_url(result.url)}: the next-page address it names is not a URL",
                channel=http.channel,
            ) from None

    return _address_pages(
        http, url, following=following, params=params, headers=headers, max_pages=max_pages
    )


async def cursor_pages(
    http: ChannelHttp,
    url: str,
    *,
    next_cursor: Callable[[Any], str | None],
    cursor_param: str = "cursor",
    start_cursor: str | None = None,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> AsyncIterator[tuple[Any, HttpResult]]:
    """Pages of ``url``, each asked for with the cursor the previous one returned."""
    cursor = start_cursor
    trail = PageTrail(http, f"pages of {describe_url(url)}", start_cursor)
    for _ in pages_allowed(http, max_pages):
        query = {**(params or {}), **({cursor_param: cursor} if cursor else {})}
        data, result = await http.get_json(url, params=query, headers=headers)
        yield data, result
        following = next_cursor(data)
        if not following or trail.loops(following):
            return
        cursor = following


async def numbered_pages(
    http: ChannelHttp,
    url: str,
    *,
    items: Callable[[Any], list[Any]],
    page_param: str = "page",
    first_page: int = 1,
    per_page: int | None = None,
    per_page_param: str = "per_page",
    total_pages: Callable[[Any, HttpResult], int | None] | None = None,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> AsyncIterator[tuple[Any, HttpResult]]:
    """Pages ``first_page, first_page + 1 ...`` until an empty or short page, or the last."""
    page = first_page
    while page == first_page or _may_fetch_another(http, page - first_page, max_pages):
        query = dict(params or {})
        query[page_param] = page
        if per_page is not None:
            query[per_page_param] = per_page
        data, result = await http.get_json(url, params=query, headers=headers)
        found = items(data)
        if not found:
            return
        yield data, result
        if per_page is not None and len(found) < per_page:
            return
        last = total_pages(data, result) if total_pages is not None else None
        if last is not None and page >= last:
            return
        page += 1


def id_key(value: str | int) -> tuple[int, int | str]:
    """Sort key for ids: numeric ids compare as big integers, others as text."""
    text = str(value)
    return (1, int(text)) if is_digits(text) else (0, text)


def newest_id(ids: Iterable[str | int], current: str | None = None) -> str | None:
    """The greatest of ``ids`` and ``current`` (numeric ids compared as numbers)."""
    candidates = [str(i) for i in ids]
    if current is not None:
        candidates.append(current)
    return max(candidates, key=id_key) if candidates else None


async def since_id_pages(
    http: ChannelHttp,
    url: str,
    *,
    items: Callable[[Any], list[Any]],
    id_of: Callable[[Any], str | int],
    since_id: str | None,
    since_param: str = "since_id",
    max_param: str = "max_id",
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> AsyncIterator[tuple[list[Any], HttpResult]]:
    """Items newer than ``since_id`` from a newest-first list, a page at a time.

    Yields ``(new_items, result)``; the next page asks for ``max_id`` = the oldest id
    seen so far (exclusive), and paging stops at an empty page or at ``since_id``.
    """
    max_id: str | None = None
    for _ in pages_allowed(http, max_pages):
        bounds = {since_param: since_id, max_param: max_id}
        query = {**(params or {}), **{name: value for name, value in bounds.items() if value}}
        data, result = await http.get_json(url, params=query, headers=headers)
        found = items(data)
        if not found:
            return
        fresh = [
            item for item in found if since_id is None or id_key(id_of(item)) > id_key(since_id)
        ]
        if fresh:
            yield fresh, result
        oldest = min((str(id_of(item)) for item in found), key=id_key)
        reached_checkpoint = len(fresh) < len(found)
        if reached_checkpoint or (max_id is not None and id_key(oldest) >= id_key(max_id)):
            return
        max_id = oldest


class ThreadCutShort(UnreachableError):
    """A thread walk stopped before its last page (the byte budget, the page cap): it may
    pass, as a timeout may, so the fetch holds its checkpoint and the next one reads it."""


async def whole_walk(
    http: ChannelHttp, walk: AsyncIterator[tuple[Any, HttpResult]],
    names_next: Callable[[Any, HttpResult], object], max_pages: int, what: str,
) -> AsyncIterator[tuple[Any, HttpResult]]:  # fmt: skip
    """The pages of ``walk``, a thread read in a fetch (Zendesk, Freshdesk, Front), then
    :class:`ThreadCutShort` when its last page still names a next one
    (``names_next(data, result)``) that ``max_pages`` or the byte budget left unread: a
    thread read in part would pass for the whole (its customer's last words missing, the
    turn taken as answered). Told from the walk itself, not from the shared
    ``walks_cut_short``, since threads are read at once."""
    pages, last = 0, None
    async for page in walk:
        pages, last = pages + 1, page
        yield page
    capped = pages >= max_pages
    if last is not None and names_next(*last) and (capped or http.budget_spent()):
        why = "the page cap" if capped else "the byte budget of one fetch, max_fetch_mb"
        raise ThreadCutShort(f"{what} past page {pages} were not read: {why}", channel=http.channel)


class PageShifts:
    """When each ticket of a list read by page number, in order of last change, was first
    met in one walk. A ticket changed while the walk runs moves to the end of the list and
    every page after its old place slides up by one, so the first ticket of the next page
    is never read; meeting it a second time is the sign, and the checkpoint is then held
    back to the time it was first met, so the next fetch reads that window again (what it
    reads twice counts once)."""

    def __init__(self) -> None:
        self._first: dict[str, datetime | None] = {}

    def met(
        self, ident: str, when: datetime | None, fallback: datetime | None = None
    ) -> datetime | None:
        """Note ticket ``ident`` met at ``when``; met before, where to hold the checkpoint:
        when it was first met (``fallback`` when that time was unknown), else ``None``."""
        if ident not in self._first:
            self._first[ident] = when
            return None
        return self._first[ident] or fallback

    def first_met(self, ident: str, default: datetime) -> datetime:
        """When ticket ``ident`` was first met (``default`` when unknown or never met)."""
        return self._first.get(ident) or default


class ListShrinks:
    """The total a list read by page number reports on each page of one walk. An item
    that leaves the list while the walk runs (closed out of a status filter, moved to
    another mailbox, deleted) is never met again, so :class:`PageShifts` has nothing to
    see, yet every page after its old place slides up by one and the first item of the
    next page is never read. A total lower than the previous page's is the sign: the
    checkpoint is then held back to the last item read before that page, so the next
    fetch reads from there again. A page without a total, or with one that is not a
    count, tells nothing and starts the comparison afresh. Items that join a list ordered
    by last change land at its end and shift nothing already passed; one leaving and one
    joining between the same two pages leave the total as it was and go unseen."""

    def __init__(self) -> None:
        self._total: int | None = None

    def shrank(self, total: object) -> bool:
        """Note the total a page reports (anything but a whole number from 0 up counts as
        none); whether it is lower than the total of the page before."""
        before = self._total
        count = total if isinstance(total, int) and not isinstance(total, bool) else None
        self._total = count if count is not None and count >= 0 else None
        return before is not None and self._total is not None and self._total < before
