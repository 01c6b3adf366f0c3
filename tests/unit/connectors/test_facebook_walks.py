"""The facebook channel's walks cut short: a post's comments (or the Messenger
conversations) past the page cap or the byte budget are kept in the checkpoint and read
by the next fetch, never lost; a refused cursor starts over, a damaged entry is left out,
and the kept walks are bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from cxdaily.connectors import facebook, facebook_walks
from cxdaily.connectors.facebook import FacebookConnector
from cxdaily.connectors.facebook_walks import read_chat_walk, read_comment_walks
from cxdaily.connectors.http import ChannelHttp, HttpPolicy, make_client
from cxdaily.core.clock import to_iso
from cxdaily.credentials import secret_reader
from cxdaily.settings import ChannelSettings
from tests.integration.loopback_kit import FakeWire, mock_response, seen_of
from tests.integration.meta_graph_fake_kit import PAGE_ID, T0, TOKEN, FakeGraph, graph_error

NOW = datetime.fromtimestamp(T0, UTC) + timedelta(hours=1)
FIRST_AFTER = to_iso(NOW - timedelta(days=7))
"""A first fetch's checkpoint time (``since_days`` of 7)."""


class Wire(FakeWire):
    """The fake behind a MockTransport; records every request, and lets a test answer
    some itself (``intercept`` returns ``None`` for the fake to answer)."""

    def cursors(self, path_end: str) -> list[str | None]:
        """The ``after`` cursor of each GET whose path ends with ``path_end``."""
        return [
            r.url.params.get("after")
            for r in self.requests
            if r.method == "GET" and r.url.path.endswith(path_end)
        ]


@pytest.fixture(autouse=True)
def token(memory_keyring):
    """The Page token in the in-memory keyring."""
    memory_keyring.set_password("cxdaily", "fb", TOKEN)


@pytest.fixture
def fake() -> FakeGraph:
    """A Page with nothing on it yet."""
    return FakeGraph()


def build(fake, fake_sleep, *, now=NOW, policy=None, **options):
    """The connector over the fake (a fresh one per fetch, as the runner makes them)."""
    wire = Wire(fake)
    settings = ChannelSettings(name="fb", kind="facebook", options={"page_id": PAGE_ID, **options})
    client = make_client(transport=httpx.MockTransport(wire))
    connector = FacebookConnector(
        settings, client=client, secrets=secret_reader("fb"), now=lambda: now
    )
    connector.http = ChannelHttp(
        client, channel="fb", sleep=fake_sleep, rand=lambda: 0.0,
        wall_clock=lambda: T0, policy=policy or HttpPolicy(),
    )  # fmt: skip
    return connector, wire


def busy_post(fake: FakeGraph, comments: int = 30) -> tuple[str, list[str]]:
    """A post with ``comments`` customer comments (oldest first): the feed embeds the
    3 newest and each further page holds 2, so 10 pages leave the 7 oldest of 30 unread."""
    post = fake.post("Giveaway! Comment to enter.")
    made = [
        fake.comment(post, f"Me please {n}", person=(f"P{n}", f"9{n:03}")) for n in range(comments)
    ]
    return post, made


def native(questions) -> set[str]:
    """The comment (or conversation) ids of ``questions``."""
    return {q.native_id for q in questions}


def iso(graph_time: str) -> str:
    """A Graph time (``2026-12-04T08:00:00+0000``) as the checkpoint writes it."""
    return to_iso(datetime.strptime(graph_time, "%Y-%m-%dT%H:%M:%S%z"))


def created(fake: FakeGraph, post: str, comment: str) -> str:
    """When ``comment`` on ``post`` was written, as the checkpoint writes times."""
    return iso(next(c for c in fake.comments[post] if c["id"] == comment)["created_time"])


# -- comments past the page cap ---------------------------------------------------------
async def test_comments_past_the_page_cap_are_read_by_the_next_fetch(fake, fake_sleep):
    post, made = busy_post(fake)
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    assert native(first.questions) == set(made[7:])  # 3 embedded + 10 pages of 2
    assert any("not read yet" in w and "the next fetch goes on with them" in w and post in w
               for w in first.warnings)  # fmt: skip
    new = fake.comment(post, "Me too!", person=("Newcomer", "9500"))
    later = NOW + timedelta(hours=1)
    c2, wire = build(fake, fake_sleep, now=later)
    second = await c2.fetch(first.checkpoint)
    assert {new, *made[:7]} <= native(second.questions)  # what is new, then the rest
    assert native(first.questions) | native(second.questions) == {new, *made}
    kept_cursor = first.checkpoint["comment_walks"][post]["cursor"]
    assert kept_cursor in wire.cursors(f"/{post}/comments")
    assert "comment_walks" not in second.checkpoint  # the walk reached its time
    c3, _ = build(fake, fake_sleep, now=later + timedelta(hours=1))
    third = await c3.fetch(second.checkpoint)
    assert third.questions == [] and third.warnings == []


async def test_the_checkpoint_does_not_pass_unread_comments(fake, fake_sleep):
    """``after`` moves to the newest comment only because the kept walk holds the place
    of every comment left unread: each lies between the walk's time and its oldest read."""
    post, made = busy_post(fake)
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    assert first.checkpoint["after"] == created(fake, post, made[-1])
    walk = first.checkpoint["comment_walks"][post]
    assert walk["after"] == FIRST_AFTER
    assert walk["reached"] == created(fake, post, made[7])  # the oldest one read
    for unread in made[:7]:
        assert walk["after"] < created(fake, post, unread) <= walk["reached"]


async def test_a_walk_cut_by_the_byte_budget_is_kept_too(fake, fake_sleep):
    post, made = busy_post(fake, comments=9)
    c, _ = build(fake, fake_sleep, policy=HttpPolicy(max_fetch_bytes=1))
    first = await c.fetch(None)
    assert native(first.questions) == set(made[4:])  # 3 embedded, 1 page of 2
    assert post in first.checkpoint["comment_walks"]
    assert any("byte budget" in note for note in c.fetch_notes())
    c2, _ = build(fake, fake_sleep)
    second = await c2.fetch(first.checkpoint)
    assert native(second.questions) == set(made[:4])
    assert "comment_walks" not in second.checkpoint


async def test_a_walk_whose_look_up_may_pass_is_kept_without_holding_after(fake, fake_sleep):
    post, made = busy_post(fake)
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    walk = first.checkpoint["comment_walks"][post]
    hours = fake.post("Opening hours")
    newer = fake.comment(hours, "Open late?", person=("Ida", "9100"))
    c2, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: (
        httpx.Response(503, json=graph_error(2, "Service temporarily unavailable"))
        if r.url.params.get("after") == walk["cursor"] else None
    )  # fmt: skip
    second = await c2.fetch(first.checkpoint)
    assert native(second.questions) == {newer}
    assert second.checkpoint["comment_walks"][post] == walk  # kept as it was
    assert second.checkpoint["after"] == created(fake, hours, newer)  # not held by the walk
    assert any(f"post {post}: its comments from {FIRST_AFTER}" in w
               and "read again by the next fetch" in w for w in second.warnings)  # fmt: skip
    c3, _ = build(fake, fake_sleep)
    third = await c3.fetch(second.checkpoint)
    assert native(third.questions) == set(made[:7])


async def test_a_busy_post_cut_short_again_keeps_one_walk_down_to_the_older_time(fake, fake_sleep):
    """New comments past the cap again: the walk goes on from the new place down to the
    first walk's time (reading the part between twice), so neither stretch is lost."""
    post, made = busy_post(fake)
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    burst = [fake.comment(post, f"Me too {n}", person=(f"Q{n}", f"8{n:03}")) for n in range(25)]
    c2, _ = build(fake, fake_sleep)
    second = await c2.fetch(first.checkpoint)
    assert native(second.questions) == set(burst[2:])
    assert second.checkpoint["comment_walks"][post]["after"] == FIRST_AFTER
    assert second.checkpoint["after"] == created(fake, post, burst[-1])
    seen = native(first.questions) | native(second.questions)
    checkpoint = second.checkpoint
    for _ in range(2):  # 32 comments left below the new place: two more fetches
        later, _ = build(fake, fake_sleep)
        result = await later.fetch(checkpoint)
        seen |= native(result.questions)
        checkpoint = result.checkpoint
    assert seen == {*made, *burst}
    assert "comment_walks" not in checkpoint


async def test_a_walk_cut_short_without_a_cursor_holds_the_checkpoint(fake, fake_sleep):
    post, made = busy_post(fake)
    c, wire = build(fake, fake_sleep)

    def time_based_pages(request):
        """Pages named by ``paging.next`` alone (no ``cursors``), as time-based ones are."""
        if not request.url.path.endswith(f"/{post}/comments"):
            return None
        answer = fake.respond(seen_of(request))
        step = int(request.url.params.get("until", "0")) + 1
        answer.body["paging"] = {"next": f"https://graph.facebook.com/v26.0/{post}/comments"
                                         f"?until={step}"}  # fmt: skip
        return mock_response(answer)

    wire.intercept = time_based_pages
    first = await c.fetch(None)
    assert first.checkpoint["after"] == FIRST_AFTER  # not past the comments left unread
    assert "comment_walks" not in first.checkpoint
    assert any(f"post {post}: its comments older than the last one read were not read" in w
               and "read again by the next fetch" in w for w in first.warnings)  # fmt: skip
    c2, _ = build(fake, fake_sleep)
    second = await c2.fetch(first.checkpoint)  # from the same place, with cursors now
    c3, _ = build(fake, fake_sleep)
    third = await c3.fetch(second.checkpoint)
    assert native(second.questions) | native(third.questions) == set(made)
    assert "comment_walks" not in third.checkpoint


async def test_a_feed_cut_short_by_the_byte_budget_holds_the_checkpoint(fake, fake_sleep):
    """The oldest post's comment is older than those read: ``after`` must not pass it."""
    older_post = fake.post("Older post")
    waiting = fake.comment(older_post, "Any news?", person=("Ola", "9201"))
    posts = [fake.post(f"Post {n}") for n in range(2)]
    read = [fake.comment(p, f"Hi {n}?", person=(f"R{n}", f"93{n}")) for n, p in enumerate(posts)]
    c, _ = build(fake, fake_sleep, policy=HttpPolicy(max_fetch_bytes=1))
    first = await c.fetch(None)
    assert native(first.questions) == set(read)  # one page of the feed: two posts
    assert first.checkpoint["after"] == FIRST_AFTER
    assert any("posts past the last page of the feed read were not read" in w
               and "read again by the next fetch" in w for w in first.warnings)  # fmt: skip
    c2, _ = build(fake, fake_sleep)
    second = await c2.fetch(first.checkpoint)
    assert waiting in native(second.questions)
    assert second.checkpoint["after"] == created(fake, posts[-1], read[-1])


# -- a kept walk that cannot go on ---------------------------------------------------------
async def test_a_refused_cursor_starts_the_walk_again_from_the_newest(fake, fake_sleep):
    post, made = busy_post(fake)
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    cursor = first.checkpoint["comment_walks"][post]["cursor"]
    c2, wire = build(fake, fake_sleep)
    refused = graph_error(100, "(#100) Invalid cursor", kind="GraphMethodException")
    wire.intercept = lambda r: (
        httpx.Response(400, json=refused) if r.url.params.get("after") == cursor else None
    )
    second = await c2.fetch(first.checkpoint)
    assert any(f"post {post}: Graph refused the place kept in its comments" in w
               and "(#100) Invalid cursor" in w and "read again from the newest" in w
               for w in second.warnings)  # fmt: skip
    assert None in wire.cursors(f"/{post}/comments")  # from the newest again
    assert second.checkpoint["comment_walks"][post]["after"] == FIRST_AFTER  # still its time
    c3, _ = build(fake, fake_sleep)
    third = await c3.fetch(second.checkpoint)
    assert set(made[:7]) <= native(second.questions) | native(third.questions)
    assert "comment_walks" not in third.checkpoint


async def test_a_walk_of_a_post_that_is_gone_is_dropped_with_a_warning(fake, fake_sleep):
    post, _ = busy_post(fake)
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    del fake.posts[post]  # deleted: the feed no longer lists it, Graph refuses it
    c2, wire = build(fake, fake_sleep)
    second = await c2.fetch(first.checkpoint)
    assert any(r.url.path.endswith(f"/{post}") for r in wire.requests)
    assert any(f"post {post}: its comments from {FIRST_AFTER}" in w and "skipped" in w
               for w in second.warnings)  # fmt: skip
    assert "comment_walks" not in second.checkpoint


async def test_a_kept_walk_of_a_post_the_feed_no_longer_lists_goes_on(fake, fake_sleep):
    post, made = busy_post(fake)
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    weeks_later = NOW + timedelta(days=20)
    # as left by a fetch that could not go on (a 5xx): the post is past the feed's window
    checkpoint = {**first.checkpoint, "scanned_at": to_iso(weeks_later)}
    c2, wire = build(fake, fake_sleep, now=weeks_later + timedelta(hours=1))
    second = await c2.fetch(checkpoint)
    assert wire.requests[0].url.params["since"] == str(
        int((weeks_later - timedelta(days=7)).timestamp())
    )
    assert any(r.url.path.endswith(f"/v26.0/{post}") for r in wire.requests)
    assert native(second.questions) == set(made[:7])
    [question] = [q for q in second.questions if q.native_id == made[0]]
    assert [m.body for m in question.context] == ["Giveaway! Comment to enter."]
    assert "comment_walks" not in second.checkpoint


# -- the checkpoint ------------------------------------------------------------------
async def test_a_damaged_walk_in_the_checkpoint_is_left_out(fake, fake_sleep):
    post, made = busy_post(fake, comments=5)
    checkpoint = {
        "after": FIRST_AFTER,
        "comment_walks": {
            post: {"cursor": 5, "after": FIRST_AFTER, "reached": FIRST_AFTER},
            "1/../me": {"cursor": "QUFB", "after": FIRST_AFTER, "reached": FIRST_AFTER},
            "123_4": "garbage",
            "123_5": {"cursor": "QUFB", "after": "yesterday", "reached": FIRST_AFTER},
        },
    }
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(checkpoint)
    assert native(result.questions) == set(made)  # the post read as any other
    assert any("4 kept place(s) in posts' comments in the checkpoint were damaged" in w
               for w in result.warnings)  # fmt: skip
    assert "5" not in wire.cursors(f"/{post}/comments")
    assert not any("123_" in r.url.path for r in wire.requests)
    assert "comment_walks" not in result.checkpoint


@pytest.mark.parametrize(
    "stored",
    [
        None, {}, {"comment_walks": [1, 2]}, {"comment_walks": {"1_2": None}},
        {"comment_walks": {"1_2": {"cursor": "", "after": FIRST_AFTER, "reached": FIRST_AFTER}}},
        {"comment_walks": {"1_2": {"cursor": "a\nb", "after": FIRST_AFTER,
                                   "reached": FIRST_AFTER}}},
        {"comment_walks": {"1_2": {"cursor": "QUFB", "after": to_iso(NOW),
                                   "reached": FIRST_AFTER}}},  # reached before its time
    ],
)  # fmt: skip
def test_damaged_walks_are_read_as_none(stored):
    walks, _ = read_comment_walks(stored)
    assert walks == {}
    assert read_chat_walk(stored) == (None, False)


def test_a_kept_walk_reads_back_as_it_was_written():
    mark = {"cursor": "QUFB", "after": FIRST_AFTER, "reached": to_iso(NOW)}
    walks, damaged = read_comment_walks({"comment_walks": {"1_2": mark}})
    assert damaged == 0 and walks["1_2"].mark() == mark
    assert read_chat_walk({"chat_walk": mark})[0] == walks["1_2"]
    assert read_chat_walk({"chat_walk": {"cursor": 1}}) == (None, True)


async def test_kept_walks_are_bounded_with_a_warning(fake, fake_sleep, monkeypatch):
    monkeypatch.setattr(facebook_walks, "MAX_KEPT_WALKS", 2)
    monkeypatch.setattr(facebook, "MAX_COMMENT_PAGES", 1)
    posts = [busy_post(fake, comments=8)[0] for _ in range(3)]  # the first is the oldest
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert set(result.checkpoint["comment_walks"]) == set(posts[1:])
    assert any(f"post {posts[0]}: its comments from {FIRST_AFTER}" in w
               and "were not read and will not be" in w
               and "the unread comments of 2 posts at most" in w
               for w in result.warnings)  # fmt: skip


# -- Messenger -------------------------------------------------------------------------
@pytest.mark.parametrize("cut", ["page cap", "byte budget"])
async def test_messenger_conversations_past_the_page_cap_are_read_by_the_next_fetch(
    fake, fake_sleep, monkeypatch, cut
):
    for n in range(1, 7):
        fake.chat(f"t_{n}", f"Question {n}?", psid=f"62000{n}")
    if cut == "page cap":
        monkeypatch.setattr(facebook, "MAX_CONVERSATION_PAGES", 2)
        c, _ = build(fake, fake_sleep, messenger=True)
        read = ["t_3", "t_4", "t_5", "t_6"]
    else:
        c, _ = build(fake, fake_sleep, messenger=True, policy=HttpPolicy(max_fetch_bytes=1))
        read = ["t_5", "t_6"]
    first = await c.fetch(None)
    assert sorted(q.thread_id for q in first.questions) == read
    walk = first.checkpoint["chat_walk"]
    assert walk["after"] == FIRST_AFTER
    assert walk["reached"] == iso(fake.conversations[read[0]]["updated_time"])
    assert first.checkpoint["chats_after"] == iso(fake.conversations["t_6"]["updated_time"])
    assert any(f"Messenger: conversations updated from {FIRST_AFTER}" in w
               and "not read yet" in w and "the next fetch goes on with them" in w
               for w in first.warnings)  # fmt: skip
    fake.chat("t_2", "Anyone there?", psid="620002")  # moves to the top
    c2, _ = build(fake, fake_sleep, messenger=True, now=NOW + timedelta(hours=1))
    second = await c2.fetch(first.checkpoint)
    unread = {f"t_{n}" for n in range(1, 7)} - set(read)
    assert unread <= {q.thread_id for q in second.questions}
    t2 = next(q for q in second.questions if q.thread_id == "t_2")
    assert t2.body == "Question 2?\n\nAnyone there?"
    assert "chat_walk" not in second.checkpoint
