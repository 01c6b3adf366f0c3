"""Walks down the ``facebook`` channel's newest-first Graph lists (a post's comments, the
Page's Messenger conversations) that go on at the next fetch when one fetch cannot
finish them.

A walk reads a list newest first down to a time (the checkpoint's). When the fetch's
page cap or byte budget stops it first, the items between the last one read and that
time are not read yet: the walk is kept in the checkpoint as a :class:`KeptWalk` (the
Graph ``paging.cursors.after`` of the last page read, the time the walk must reach, and
the oldest time it read), and the next fetch, after reading what is new, goes on from
that cursor down to that time (:func:`go_on`). The checkpoint's own time may then move
past the unread items: the kept walk holds their place. A first walk that stops without
a cursor to go on from holds the checkpoint's time instead; a kept walk that does is
given up, with a warning.

Graph's cursors point to an item and stop working when it is deleted (Meta advises not
to keep them): a cursor Graph refuses (a Graph error, HTTP 4xx) starts that walk again
from the newest item down to its time, with a warning; a list that cannot be read at all
(the post is gone) drops the walk, with a warning; a failure that may pass (a timeout, a
5xx) keeps the walk as it was for the next fetch. A checkpoint keeps at most
:data:`MAX_KEPT_WALKS` comment walks (:func:`bound_walks`), each dropped one said in a
warning; a damaged entry is left out (its post is read as any other, from the newest).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec

from cxdaily.connectors import meta_graph
from cxdaily.connectors.helpdesk import LOOKUP_FAILURES
from cxdaily.connectors.http_errors import StatusError, bare_message, may_pass
from cxdaily.connectors.meta_graph import GraphConnector
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.core.clock import to_iso
from cxdaily.core.errors import ConnectorError
from cxdaily.core.models import Question

COMMENT_WALKS_KEY = "comment_walks"
"""Where a checkpoint keeps, per post id, the comment walk the next fetch goes on with."""
CHAT_WALK_KEY = "chat_walk"
"""Where a checkpoint keeps the Messenger conversations walk the next fetch goes on with."""
MAX_KEPT_WALKS = 50
"""Comment walks one checkpoint keeps: those whose unread comments are the most recent."""
MAX_STORED_ENTRIES = 1000
"""Entries of a stored checkpoint looked at (the rest of a huge one is left out)."""
MAX_CURSOR_CHARS = 4096
"""The longest cursor a checkpoint entry may hold (longer: the entry is damaged)."""

TimeOf = Callable[[Any], datetime | None]
"""Reads the time an item is ordered by (``None``: it has none)."""


class KeptWalk(msgspec.Struct, frozen=True):
    """A walk down a newest-first list that a fetch stopped before it reached ``after``:
    the items older than ``reached`` and newer than ``after`` are not read yet."""

    cursor: str
    """The ``paging.cursors.after`` of the last page read: the next page is the first unread."""
    after: datetime
    """The time the walk must reach: items at or before it were read by earlier fetches."""
    reached: datetime
    """The oldest time the walk read."""

    def mark(self) -> dict[str, str]:
        """The walk as a checkpoint keeps it (what :func:`read_walk` reads back)."""
        return {"cursor": self.cursor, "after": to_iso(self.after), "reached": to_iso(self.reached)}

    def unread(self) -> str:
        """The unread stretch in words: ``from 2026-12-01T08:00:00Z to 2026-12-04T09:00:00Z``."""
        return f"from {to_iso(self.after)} to {to_iso(self.reached)}"


def read_walk(entry: Any) -> KeptWalk | None:
    """A kept walk as a checkpoint stores it, or ``None`` when it is missing or damaged."""
    if not isinstance(entry, dict):
        return None
    cursor = entry.get("cursor")
    after = meta_graph.time_or_none(entry.get("after"))
    reached = meta_graph.time_or_none(entry.get("reached"))
    if not isinstance(cursor, str) or after is None or reached is None or reached < after:
        return None
    cursor = cursor.strip()
    if not cursor or len(cursor) > MAX_CURSOR_CHARS or not cursor.isprintable():
        return None
    return KeptWalk(cursor, after, reached)


def read_comment_walks(checkpoint: Any) -> tuple[dict[str, KeptWalk], int]:
    """The comment walks a stored checkpoint keeps per post id, and how many of its
    entries were damaged (left out); none in a checkpoint written before walks were kept."""
    stored = checkpoint.get(COMMENT_WALKS_KEY) if isinstance(checkpoint, dict) else None
    if stored is None:
        return {}, 0
    if not isinstance(stored, dict):
        return {}, 1
    walks: dict[str, KeptWalk] = {}
    damaged = 0
    for post_id, entry in list(stored.items())[:MAX_STORED_ENTRIES]:
        walk = read_walk(entry)
        if not isinstance(post_id, str) or meta_graph.id_problem(post_id) or walk is None:
            damaged += 1
            continue
        walks[post_id] = walk
    return walks, damaged


def read_chat_walk(checkpoint: Any) -> tuple[KeptWalk | None, bool]:
    """The Messenger walk a stored checkpoint keeps, and whether its entry was damaged."""
    entry = checkpoint.get(CHAT_WALK_KEY) if isinstance(checkpoint, dict) else None
    walk = read_walk(entry)
    return walk, entry is not None and walk is None


def bound_walks(
    walks: Mapping[str, KeptWalk], skipped: SkippedItems, limit: int | None = None
) -> dict[str, KeptWalk]:
    """The comment walks to keep: at most ``limit`` (:data:`MAX_KEPT_WALKS`), those whose
    unread comments are the most recent; each one dropped is said in a warning."""
    limit = MAX_KEPT_WALKS if limit is None else limit
    ranked = sorted(walks.items(), key=lambda kept: kept[1].reached, reverse=True)
    for post_id, walk in ranked[limit:]:
        skipped.add(
            f"post {post_id}: its comments {walk.unread()} were not read and will not be: "
            f"the checkpoint keeps the unread comments of {limit} posts at most"
        )
    return dict(ranked[:limit])


def walks_note(walks: Mapping[str, KeptWalk]) -> str:
    """One warning line for the comment walks kept for the next fetch (at least one)."""
    named = ", ".join(list(walks)[:3]) + (", ..." if len(walks) > 3 else "")
    oldest = min(walk.after for walk in walks.values())
    return (
        f"comments of {len(walks)} post(s) ({named}) older than the last one read, back to "
        f"{to_iso(oldest)}, were not read yet (the fetch's page cap or byte budget); the next "
        "fetch goes on with them"
    )


@dataclass
class CommentRun:
    """One fetch's reading of a Page's comments: the checkpoint's time, the walks kept
    by the last fetch (each taken out once gone on with), the walks to keep now, and
    what was found."""

    after: datetime
    """The checkpoint's time: comments newer than it are new."""
    kept: dict[str, KeptWalk]
    """Per post id, the walk the last fetch kept and this one has not gone on with yet."""
    walks: dict[str, KeptWalk] = field(default_factory=dict)
    """Per post id, the walk the next fetch goes on with."""
    newest: datetime = field(init=False)
    """The newest comment read (the checkpoint's time before any)."""
    walk_unread: int = 0
    """Look-ups of kept walks that failed in a way that may pass: their walks hold their
    place, so they do not hold the checkpoint's time (:func:`next_checkpoint`)."""
    questions: dict[str, Question] = field(default_factory=dict)
    settled: dict[str, Question] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Nothing read yet: the newest comment is the checkpoint's time."""
        self.newest = self.after


def time_field(name: str) -> TimeOf:
    """Reads the Graph time ``name`` (``created_time``, ``updated_time``) of an item."""

    def time_of(item: Any) -> datetime | None:
        return meta_graph.time_or_none(item.get(name)) if isinstance(item, dict) else None

    return time_of


class WalkDown(msgspec.Struct, frozen=True):
    """What one walk down a newest-first list read."""

    items: list[Any]
    """Every item read, newest first."""
    cut: bool
    """The page cap or the byte budget stopped it before its time and the list's end."""
    cursor: str | None
    """Cut short: the cursor the next page would be asked for with (``None``: Graph gave
    only a next-page address without one)."""
    oldest: datetime | None
    """The oldest time read (``None``: no item had one)."""
    failure: ConnectorError | None = None
    """The look-up that stopped the walk (``items`` holds what was read before it)."""

    def kept(self, after: datetime, reached: datetime) -> KeptWalk | None:
        """The walk to keep when it was cut short with a cursor (``reached`` when no item
        read had a time)."""
        if not self.cut or self.cursor is None:
            return None
        return KeptWalk(self.cursor, after, self.oldest or reached)


async def walk_down(
    connector: GraphConnector, url: str, *, params: dict[str, Any], what: str, stop: datetime,
    time_of: TimeOf, start: Mapping[str, str] | None = None, max_pages: int,
    permission: str | None = None,
) -> WalkDown:  # fmt: skip
    """A newest-first Graph list from ``start`` (a next-page query; ``None``: the newest)
    down to the first page holding an item at or before ``stop``, the list's last page,
    or the page cap or byte budget (then ``cut``, told by the HTTP layer's count). A
    look-up that fails (:data:`LOOKUP_FAILURES`) ends it with what it read before."""
    cut_before = connector.http.walks_cut_short
    items: list[Any] = []
    oldest: datetime | None = None
    last: Any = None
    try:
        async for found, page in connector.graph_pages(
            url, params={**params, **(start or {})}, what=what, max_pages=max_pages,
            permission=permission,
        ):  # fmt: skip
            items.extend(found)
            last = page
            times = [t for t in map(time_of, found) if t is not None]
            if times:
                oldest = min(times) if oldest is None else min(oldest, *times)
            if any(t <= stop for t in times):
                return WalkDown(items, False, None, oldest)
    except LOOKUP_FAILURES as exc:
        return WalkDown(items, False, None, oldest, exc)
    if connector.http.walks_cut_short == cut_before:
        return WalkDown(items, False, None, oldest)
    following = meta_graph.next_page_query(last) or {}
    return WalkDown(items, True, following.get("after"), oldest)


def kept_after_failure(
    walk: KeptWalk, exc: ConnectorError, skipped: SkippedItems, *, label: str, what: str
) -> KeptWalk | None:
    """``walk`` when the failure ``exc`` that kept it from going on may pass (the next
    fetch tries again, for a day at most: :meth:`SkippedItems.not_read`), else ``None``:
    its unread items are skipped. Either way a warning says so."""
    text = f"{label}: its {what} {walk.unread()} were not read ({bare_message(exc)})"
    if may_pass(exc):
        return walk if skipped.not_read(text, exc) else None
    skipped.add(f"{text}; skipped")
    return None


async def go_on(
    connector: GraphConnector, url: str, walk: KeptWalk, skipped: SkippedItems, *,
    params: dict[str, Any], what: str, label: str, time_of: TimeOf, max_pages: int,
    permission: str | None = None,
) -> tuple[list[Any], KeptWalk | None]:  # fmt: skip
    """Go on with ``walk`` from its cursor down to its time: the items read, and the walk
    to keep for the next fetch (``None``: it reached its time, or was given up). A
    cursor Graph refuses starts the walk again from the newest item (said in a warning);
    a failure that may pass keeps the walk as it was (what it read before is returned
    too); any other drops it (said in a warning). ``label`` names the list in warnings
    ("post 123_456")."""

    async def down(start: Mapping[str, str] | None) -> WalkDown:
        return await walk_down(
            connector, url, params=params, what=what, stop=walk.after, time_of=time_of,
            start=start, max_pages=max_pages, permission=permission,
        )  # fmt: skip

    done = await down({"after": walk.cursor})
    refused = done.failure
    if isinstance(refused, StatusError) and not may_pass(refused) and not done.items:
        skipped.add(
            f"{label}: Graph refused the place kept in its {what} ({bare_message(refused)}); "
            f"they are read again from the newest down to {to_iso(walk.after)}"
        )
        done = await down(None)
    if done.failure is not None:
        return done.items, kept_after_failure(walk, done.failure, skipped, label=label, what=what)
    left = done.kept(walk.after, walk.reached)
    if done.cut and left is None:
        skipped.add(
            f"{label}: its {what} {walk.unread()} were not all read and Graph gave no cursor "
            "to go on from; skipped"
        )
    return done.items, left
