"""The comment threads a YouTube channel follows after their first reading.

``commentThreads?allThreadsRelatedToChannelId=...&order=time`` lists threads by when they
were started, not by their latest reply: a reply to a thread started before the last
fetch sits below the point a walk down the list stops at, and a reply YouTube does not
embed in the thread's answer does not change the thread's time. A customer who answers
the channel's reply a day later would never be read.

So the threads a conversation is under way in (one that gave a question, or that our
channel answered) are followed: the checkpoint keeps, for each, the time of its latest
comment and its reply count (``follow``: ``{thread id: [time, replies]}``). A fetch reads
the followed threads the walk did not list again, 50 a call
(``commentThreads?id=a,b,...``, one quota unit), and takes those whose time or reply
count changed as it takes the walk's. A thread is followed until nothing happened in it
for :data:`FOLLOW_DAYS` days, and at most :data:`MAX_FOLLOWED` (the latest) are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import msgspec

from cxdaily.connectors.parsing import checkpoint_time
from cxdaily.connectors.youtube_parse import Thread
from cxdaily.core.clock import to_iso

FOLLOW_DAYS = 14
"""Days without a comment after which a thread is no longer followed."""
MAX_FOLLOWED = 500
"""Threads followed at most (the latest active): 10 quota units a fetch."""
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


class Seen(msgspec.Struct, frozen=True):
    """What a followed thread looked like when last read."""

    activity: datetime
    replies: int


def read_followed(checkpoint: Any) -> dict[str, Seen]:
    """The followed threads a stored checkpoint keeps (damaged entries left out)."""
    stored = checkpoint.get("follow") if isinstance(checkpoint, dict) else None
    if not isinstance(stored, dict):
        return {}
    followed: dict[str, Seen] = {}
    for thread_id, entry in list(stored.items())[: MAX_FOLLOWED * 2]:
        if not (isinstance(thread_id, str) and 0 < len(thread_id) <= 100):
            continue
        if not set(thread_id) <= _ID_CHARS or not isinstance(entry, list) or len(entry) != 2:
            continue
        when, replies = checkpoint_time({"t": entry[0]}, "t"), entry[1]
        if when is not None and type(replies) is int and replies >= 0:
            followed[thread_id] = Seen(when, replies)
    return followed


def changed(thread: Thread, seen: Seen | None) -> bool:
    """Whether a followed thread has something new since it was last read (a later
    comment, or another reply count: a reply YouTube does not embed)."""
    if seen is None:
        return False
    return thread.activity > seen.activity or reply_count(thread) != seen.replies


def reply_count(thread: Thread) -> int:
    """How many replies YouTube counts in the thread (those it embeds, when it says not)."""
    return len(thread.replies) if thread.total_replies is None else thread.total_replies


def followed_after(
    before: Mapping[str, Seen],
    conversations: Iterable[Thread],
    keep: Iterable[str],
    now: datetime,
) -> dict[str, list[Any]]:
    """The ``follow`` part of the next checkpoint: the threads a conversation was read in
    (``conversations``, as read now), and those of ``before`` named in ``keep`` (their
    replies could not be read: they are taken again next time), the latest first,
    without those quiet for :data:`FOLLOW_DAYS` days, at most :data:`MAX_FOLLOWED`."""
    state = {tid: before[tid] for tid in keep if tid in before}
    for thread in conversations:
        if thread.id not in state:
            state[thread.id] = Seen(thread.activity, reply_count(thread))
    cutoff = now - timedelta(days=FOLLOW_DAYS)
    recent = [(tid, seen) for tid, seen in state.items() if seen.activity > cutoff]
    recent.sort(key=lambda pair: (pair[1].activity, pair[0]), reverse=True)
    return {tid: [to_iso(seen.activity), seen.replies] for tid, seen in recent[:MAX_FOLLOWED]}
