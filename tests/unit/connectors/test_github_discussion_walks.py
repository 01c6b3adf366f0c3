"""The github channel's discussions past the page cap: a fetch that stops there keeps the
checkpoint's time and leaves its cursor, so the next fetches read the rest (and what was
updated in the meantime) before the checkpoint moves to the newest update."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from cxdaily.connectors import github_graphql as gql
from cxdaily.connectors.github_parse import iso
from tests.integration.github_fake_kit import REPO, T0, FakeGitHub
from tests.unit.connectors.test_github import NOW, build, token  # noqa: F401 (autouse)

START = iso(NOW - timedelta(days=14))  # where a first fetch looks back to (since_days)


@pytest.fixture
def capped(monkeypatch) -> FakeGitHub:
    """A fake answering 2 discussions a page, under a cap of 2 pages a fetch."""
    monkeypatch.setattr("cxdaily.connectors.github.MAX_DISCUSSION_PAGES", 2)
    fake = FakeGitHub()
    fake.page_size = 2
    return fake


def open_discussions(fake: FakeGitHub, numbers: range) -> None:
    for number in numbers:
        fake.open_discussion(number, f"Question {number}?", "How do I do this?")


def updated(fake: FakeGitHub, number: int) -> str:
    return str(fake.discussions[REPO][number]["updatedAt"])


def asked(result) -> set[int]:
    return {int(q.native_id.rsplit("#", 1)[1]) for q in result.questions}


def cursors(wire) -> list[str | None]:
    return [json.loads(r.content)["variables"]["cursor"] for r in wire.posts()]


async def test_the_discussions_past_the_page_cap_come_with_the_next_fetch(capped, fake_sleep):
    open_discussions(capped, range(10, 16))
    c, wire = build(capped, fake_sleep, discussions=True)
    first = await c.fetch(None)
    assert asked(first) == {12, 13, 14, 15}
    assert first.checkpoint["discussions"] == {REPO: START}  # not past 10 and 11, unread
    assert first.checkpoint[gql.WALKS_KEY] == {
        REPO: {"page_token": "4", "newest": updated(capped, 15)}
    }
    assert any("the rest is read by the next fetch" in n for n in c.fetch_notes())
    wire.requests.clear()
    second = await c.fetch(first.checkpoint)
    assert {10, 11} <= asked(second)
    assert cursors(wire) == [None, "4"]  # the newest first, then on from where it stopped
    assert second.checkpoint["discussions"] == {REPO: updated(capped, 15)}
    assert gql.WALKS_KEY not in second.checkpoint


async def test_a_discussion_new_between_fetches_is_read_while_the_backlog_is(capped, fake_sleep):
    open_discussions(capped, range(10, 16))
    c, _ = build(capped, fake_sleep, discussions=True)
    first = await c.fetch(None)
    capped.open_discussion(16, "New one?", "Just asked.")
    second = await c.fetch(first.checkpoint)
    assert {16, 11} <= asked(second)
    assert second.checkpoint["discussions"] == {REPO: START}
    assert second.checkpoint[gql.WALKS_KEY][REPO]["newest"] == updated(capped, 16)
    third = await c.fetch(second.checkpoint)
    assert 10 in asked(third)
    assert third.checkpoint["discussions"] == {REPO: updated(capped, 16)}


async def test_the_checkpoint_reaches_the_newest_once_the_backlog_is_read(capped, fake_sleep):
    open_discussions(capped, range(10, 20))
    c, _ = build(capped, fake_sleep, discussions=True)
    checkpoint, seen = None, set()
    for _ in range(3):  # 10 discussions, 4 at the first fetch, then 2 at each
        result = await c.fetch(checkpoint)
        seen |= asked(result)
        checkpoint = result.checkpoint
        assert checkpoint["discussions"] == {REPO: START}
    last = await c.fetch(checkpoint)
    assert seen | asked(last) == set(range(10, 20))
    assert last.checkpoint["discussions"] == {REPO: updated(capped, 19)}
    assert gql.WALKS_KEY not in last.checkpoint


async def test_a_checkpoint_written_before_walks_were_kept_still_reads(capped, fake_sleep):
    open_discussions(capped, range(10, 16))
    older = {"issues": {REPO: START}, "discussions": {REPO: iso(T0)}}
    c, _ = build(capped, fake_sleep, discussions=True)
    first = await c.fetch(older)
    assert asked(first) == {12, 13, 14, 15}
    assert first.checkpoint["discussions"] == {REPO: iso(T0)}
    second = await c.fetch(first.checkpoint)
    assert {10, 11} <= asked(second)
    assert second.checkpoint["discussions"] == {REPO: updated(capped, 15)}
    broken = {**first.checkpoint, gql.WALKS_KEY: {REPO: {"page_token": 4}, "x": "y"}}
    assert gql.read_walks(broken) == {}  # a damaged walk: read again from the newest


async def test_a_cursor_github_refuses_starts_the_walk_again(capped, fake_sleep, monkeypatch):
    monkeypatch.setattr("cxdaily.connectors.github.MAX_DISCUSSION_PAGES", 3)
    open_discussions(capped, range(10, 18))
    c, wire = build(capped, fake_sleep, discussions=True)
    first = await c.fetch(None)
    assert first.checkpoint[gql.WALKS_KEY][REPO]["page_token"] == "6"
    refused = {
        "data": {"repository": {"discussions": None}},
        "errors": [{"type": "INVALID_CURSOR_ARGUMENTS", "path": ["repository", "discussions"],
                    "locations": [{"line": 1, "column": 80}],
                    "message": "`6` does not appear to be a valid cursor."}],
    }  # fmt: skip
    refusing = [True]

    def expired(request: httpx.Request) -> httpx.Response | None:
        """Refuses the stored cursor once (as GitHub does a cursor it no longer takes)."""
        sent = json.loads(request.content)["variables"] if request.method == "POST" else {}
        if refusing[0] and sent.get("cursor") == "6":
            refusing[0] = False
            return httpx.Response(200, json=refused)
        return None

    wire.intercept = expired
    wire.requests.clear()
    second = await c.fetch(first.checkpoint)  # not an error of the channel
    assert cursors(wire) == [None, "6", None]  # dropped: the walk starts from the newest
    assert [q.native_id for q in second.questions].count("acme/widgets#17") == 1
    assert second.checkpoint["discussions"] == {REPO: START}
    assert second.checkpoint[gql.WALKS_KEY][REPO]["page_token"] == "2"
    assert any("the cursor was refused" in n for n in c.fetch_notes())
    seen, checkpoint = asked(second), second.checkpoint
    for _ in range(2):
        result = await c.fetch(checkpoint)
        seen |= asked(result)
        checkpoint = result.checkpoint
    assert seen >= {10, 11, 12, 13} and checkpoint["discussions"] == {REPO: updated(capped, 17)}
