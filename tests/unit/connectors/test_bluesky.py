"""The bluesky channel: notifications across pages, only what is new on later fetches,
posts already answered, replies in threads under a stable record key, the session and
its refresh, rate limits, and every way the API can fail."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from cxdaily.connectors import bluesky, connector_class
from cxdaily.connectors.base import PROCESS_RENEWED
from cxdaily.connectors.bluesky import BlueskyConnector, read_checkpoint
from cxdaily.connectors.bluesky_parse import (
    encode_tid,
    grapheme_count,
    link_facets,
    readable_text,
    reply_rkey,
)
from cxdaily.connectors.bluesky_session import PROCESS_SESSIONS
from cxdaily.connectors.http import BadResponseError, ChannelHttp, HttpPolicy, make_client
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError, RateLimited, ReplyRejected
from cxdaily.core.safe_text import clean
from cxdaily.credentials import secret_reader
from cxdaily.replies.outbox import may_have_reached_service
from cxdaily.settings import ChannelSettings
from tests.integration.bluesky_fake_kit import (
    DID,
    HANDLE,
    PASSWORD,
    T0,
    FakeBluesky,
    iso,
)
from tests.integration.loopback_kit import FakeWire, seen_of

BASE = "https://bsky.social"


class Wire(FakeWire):
    """The fake behind a MockTransport; records every request."""

    def calls(self, method: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith("/" + method)]

    def clear(self) -> None:
        self.requests.clear()


@pytest.fixture(autouse=True)
def app_password(memory_keyring):
    memory_keyring.set_password("cxdaily", "bsky", PASSWORD)
    PROCESS_SESSIONS.clear()
    PROCESS_RENEWED.clear()
    yield
    PROCESS_SESSIONS.clear()
    PROCESS_RENEWED.clear()


@pytest.fixture
def fake() -> FakeBluesky:
    return FakeBluesky()


def build(fake, fake_sleep, *, wall_clock=None, now=None, **options):
    wire = Wire(fake)
    options = {"handle": HANDLE, **options}
    settings = ChannelSettings(name="bsky", kind="bluesky", options=options)
    client = make_client(transport=httpx.MockTransport(wire))
    connector = BlueskyConnector(
        settings, client=client, secrets=secret_reader("bsky"),
        now=now or (lambda: datetime.fromtimestamp(T0 + 3600, UTC)),
    )  # fmt: skip
    connector.http = ChannelHttp(
        client, channel="bsky", sleep=fake_sleep, rand=lambda: 0.0,
        wall_clock=wall_clock or (lambda: T0), policy=HttpPolicy(),
    )  # fmt: skip
    return connector, wire


def native_ids(questions) -> list[str]:
    return sorted(q.native_id for q in questions)


# -- registration and options ----------------------------------------------------------
def test_registered_as_a_builtin_kind():
    assert connector_class("bluesky") is BlueskyConnector
    assert BlueskyConnector.capabilities.max_reply_length == 300
    assert BlueskyConnector.capabilities.public and BlueskyConnector.capabilities.finds_own_replies


def test_a_missing_handle_is_a_one_line_config_error():
    with pytest.raises(ConfigError) as caught:
        BlueskyConnector(ChannelSettings(name="bsky", kind="bluesky", options={}))
    assert str(caught.value).startswith("[channels.bsky] needs handle")


def test_a_handle_that_is_not_one_is_refused():
    settings = ChannelSettings(name="bsky", kind="bluesky", options={"handle": "a b/c"})
    with pytest.raises(ConfigError, match="handle must be a handle"):
        BlueskyConnector(settings)


async def test_base_url_and_web_url_change_every_address(fake, fake_sleep):
    fake.mention("jane.bsky.social", "@brand.bsky.social my export fails")
    c, wire = build(fake, fake_sleep, base_url="https://pds.example/x", web_url="https://w.example")
    result = await c.fetch(None)
    [question] = result.questions
    await c.send_reply(question, "Fixed now.", "k1")
    assert {r.url.host for r in wire.requests} == {"pds.example"}
    assert all(r.url.path.startswith("/x/xrpc/") for r in wire.requests)
    rkey = question.native_id.rsplit("/", 1)[1]
    assert question.url == f"https://w.example/profile/jane.bsky.social/post/{rkey}"


# -- fetching ------------------------------------------------------------------------
async def test_mentions_across_pages_with_context_followers_and_links(fake, fake_sleep):
    first = fake.mention("jane.bsky.social", "@brand.bsky.social can I pay yearly?")
    ours = fake.brand_replies(first, "Yes, in the billing settings.")
    follow_up = fake.post("jane.bsky.social", "Where exactly?", reply_to=ours, notify="reply")
    crash = fake.mention("omar.example.com", "@brand.bsky.social the app crashes")
    fake.post("omar.example.com", "liked", notify="like")  # a reason not asked for
    fake.page_size = 2
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert result.warnings == []
    assert native_ids(result.questions) == sorted([follow_up["uri"], crash])
    assert [q.native_id for q in result.settled] == [first]  # the brand answered it
    lists = wire.calls("app.bsky.notification.listNotifications")
    assert len(lists) == 2
    assert lists[0].url.params.get_list("reasons") == ["mention", "reply", "quote"]
    assert lists[0].url.params["limit"] == "100"
    assert [r.url.params.get("cursor") for r in lists] == [None, "2"]
    reply = next(q for q in result.questions if q.native_id == follow_up["uri"])
    assert reply.body == "Where exactly?"
    assert [m.body for m in reply.context] == [
        "@brand.bsky.social can I pay yearly?", "Yes, in the billing settings."
    ]  # fmt: skip
    assert reply.author.id == "did:plc:jane000000000000000000000"
    assert reply.author.handle == "@jane.bsky.social" and reply.author.name == "Jane Roe"
    assert reply.author.followers == 1200
    assert reply.thread_id == follow_up["uri"]
    assert reply.meta["root_uri"] == first and reply.meta["reason"] == "reply"
    rkey = follow_up["uri"].rsplit("/", 1)[1]
    assert reply.url == f"https://bsky.app/profile/jane.bsky.social/post/{rkey}"
    assert read_checkpoint(result.checkpoint) == (
        datetime.fromtimestamp(fake.clock - 60, UTC), {crash})  # fmt: skip
    json.dumps(result.checkpoint)
    profiles = wire.calls("app.bsky.actor.getProfiles")
    assert len(profiles) == 1 and len(profiles[0].url.params.get_list("actors")) == 2
    threads = wire.calls("app.bsky.feed.getPostThread")
    assert {r.url.params["parentHeight"] for r in threads} == {"10"}


async def test_a_cursor_named_again_ends_the_paging(fake, fake_sleep, monkeypatch):
    for n in range(3):
        fake.mention("jane.bsky.social", f"question {n}")
    fake.page_size = 1
    notifications = fake._notifications

    def looping(query):
        answer = notifications(query)
        if query.get("cursor") == ["1"]:
            answer.body["cursor"] = "1"  # names the page just read as the next
        return answer

    monkeypatch.setattr(fake, "_notifications", looping)
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    lists = wire.calls("app.bsky.notification.listNotifications")
    assert [r.url.params.get("cursor") for r in lists] == [None, "1"]
    assert len(result.questions) == 2
    assert "the service named a page already read" in " ".join(c.fetch_notes())


async def test_a_second_fetch_asks_only_for_what_is_new(fake, fake_sleep):
    fake.mention("jane.bsky.social", "first question")
    fake.mention("omar.example.com", "second question")
    fake.page_size = 1
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    assert len(first.questions) == 2
    new = fake.mention("jane.bsky.social", "third question")
    wire.clear()
    second = await c.fetch(first.checkpoint)
    assert native_ids(second.questions) == [new]
    lists = wire.calls("app.bsky.notification.listNotifications")
    assert [r.url.params.get("cursor") for r in lists] == [None, "1"]  # stopped at the old one
    assert len(wire.calls("app.bsky.feed.getPostThread")) == 1
    assert wire.calls("com.atproto.server.createSession") == []  # the session is reused
    assert fake.sessions_created == 1
    third = await c.fetch(second.checkpoint)
    assert third.questions == [] and third.checkpoint == second.checkpoint


async def test_a_walk_stopped_at_the_page_cap_goes_on_with_the_next_fetch(
    fake, fake_sleep, monkeypatch
):
    fake.mention("jane.bsky.social", "asked long ago")
    fake.notifications[0]["indexedAt"] = iso(T0 - 30 * 86400)
    asked = [fake.mention("jane.bsky.social", f"question {n}") for n in range(5)]
    fake.page_size = 2
    monkeypatch.setattr(bluesky, "MAX_PAGES", 2)
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    assert native_ids(first.questions) == sorted(asked[1:])
    assert "stopped after 2 pages (the page cap)" in " ".join(c.fetch_notes())
    wire.clear()
    second = await c.fetch(first.checkpoint)  # goes on where the first stopped
    assert native_ids(second.questions) == [asked[0]]  # and not the one older than since_days
    since, _ = read_checkpoint(first.checkpoint)  # the stored shape still reads
    assert since == datetime.fromtimestamp(T0 + 3600, UTC) - timedelta(days=7)
    lists = wire.calls("app.bsky.notification.listNotifications")
    assert [r.url.params.get("cursor") for r in lists] == ["4"]  # down to the old one
    assert read_checkpoint(second.checkpoint) == (
        datetime.fromtimestamp(fake.clock, UTC), {asked[-1]})  # fmt: skip
    assert "cursor" not in second.checkpoint
    newer = fake.mention("omar.example.com", "a newer question")
    third = await c.fetch(second.checkpoint)
    assert native_ids(third.questions) == [newer]


async def test_a_walk_stopped_by_the_byte_budget_goes_on_with_the_next_fetch(fake, fake_sleep):
    asked = [fake.mention("jane.bsky.social", f"question {n}") for n in range(3)]
    fake.page_size = 1
    c, _ = build(fake, fake_sleep)
    c.http.policy = HttpPolicy(max_fetch_bytes=1)  # one page, then the budget is spent
    first = await c.fetch(None)
    assert native_ids(first.questions) == [asked[2]]
    assert "the byte budget of one fetch" in " ".join(c.fetch_notes())
    found = set(native_ids(first.questions))
    checkpoint = first.checkpoint
    for _ in range(2):
        c.http.bytes_read = 0  # a new fetch
        result = await c.fetch(checkpoint)
        found |= set(native_ids(result.questions))
        checkpoint = result.checkpoint
    assert found == set(asked) and "cursor" not in checkpoint


async def test_a_stored_cursor_refused_reads_again_from_the_newest(fake, fake_sleep):
    asked = fake.mention("jane.bsky.social", "is there an API?")
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: (
        httpx.Response(400, json={"error": "InvalidRequest", "message": "Malformed cursor"})
        if r.url.params.get("cursor") == "gone" else None
    )  # fmt: skip
    stored = {"indexed_at": iso(T0 - 60), "uris": [], "cursor": "gone"}
    result = await c.fetch(stored)
    assert native_ids(result.questions) == [asked]
    assert "stored cursor of notifications was refused" in " ".join(c.fetch_notes())
    assert result.checkpoint is not None and "cursor" not in result.checkpoint


async def test_posts_at_the_checkpoint_instant_not_seen_yet_are_new(fake, fake_sleep):
    a = fake.mention("jane.bsky.social", "one")
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    b = fake.mention("omar.example.com", "two")
    fake.notifications[-1]["indexedAt"] = fake.notifications[0]["indexedAt"]  # same instant
    second = await c.fetch(first.checkpoint)
    assert native_ids(second.questions) == [b]
    assert second.checkpoint is not None and sorted(second.checkpoint["uris"]) == sorted([a, b])


async def test_a_post_already_answered_is_settled_and_shows_in_answers_since(fake, fake_sleep):
    asked = fake.mention("jane.bsky.social", "is there an API?")
    fake.mention("omar.example.com", "hello?")
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    assert len(first.questions) == 2
    question = next(q for q in first.questions if q.native_id == asked)
    fake.brand_replies(asked, "Yes: see our docs.")
    answers = await c.answers_since(question, question.created_at)
    assert [(m.body, m.author.id) for m in answers] == [("Yes: see our docs.", DID)]
    assert await c.answers_since(question, datetime.fromtimestamp(fake.clock, UTC)) == []
    again = await c.fetch(None)
    assert [q.native_id for q in again.settled] == [asked]
    assert again.settled[0].meta["team_answered"] is True


async def test_our_own_posts_are_left_out(fake, fake_sleep):
    fake.post(HANDLE, "we mention ourselves", notify="mention")
    fake.mention("jane.bsky.social", "a real question")
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert [q.author.id for q in result.questions] == ["did:plc:jane000000000000000000000"]


async def test_the_first_fetch_looks_back_since_days_only(fake, fake_sleep):
    old = fake.mention("jane.bsky.social", "old")
    fake.notifications[0]["indexedAt"] = iso(T0 - 30 * 86400)
    new = fake.mention("omar.example.com", "new")
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert native_ids(result.questions) == [new] and old not in native_ids(result.questions)


async def test_a_malformed_page_is_a_one_line_error(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: (
        httpx.Response(200, json={"notifications": "nope"})
        if "listNotifications" in r.url.path else None
    )  # fmt: skip
    with pytest.raises(BadResponseError) as caught:
        await c.fetch(None)
    assert "without a list of notifications" in str(caught.value)
    assert "\n" not in str(caught.value)


async def test_one_malformed_item_among_good_ones_is_skipped(fake, fake_sleep):
    fake.mention("jane.bsky.social", "good one")
    fake.mention("omar.example.com", "bad one")
    del fake.notifications[1]["author"]["did"]
    fake.notifications.append({"uri": 12, "reason": "mention"})
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert [q.body for q in result.questions] == ["good one"]
    assert len(result.warnings) == 2 and all("skipped" in w for w in result.warnings)


async def test_a_failed_thread_or_profile_look_up_costs_only_that_detail(fake, fake_sleep):
    parent = fake.mention("jane.bsky.social", "first")
    fake.post("jane.bsky.social", "second", reply_to=parent, notify="reply")
    fake.failing = {"app.bsky.feed.getPostThread", "app.bsky.actor.getProfiles"}
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert sorted(q.body for q in result.questions) == ["first", "second"]
    assert all(q.context == () and q.author.followers is None for q in result.questions)
    assert len(result.warnings) == 3
    assert sum("thread not read" in w for w in result.warnings) == 2
    assert any("followers of 1 authors not read" in w for w in result.warnings)


async def test_hostile_text_arrives_clean(fake, fake_sleep):
    hostile = "\x1b]52;c;cGF5bG9hZA==\x07\u202eevil\u200b\ud800 [@click=app.quit]x[/] <b>b</b>"
    fake.mention("jane.bsky.social", hostile)
    fake.notifications[0]["author"]["displayName"] = "N" * 5000 + hostile
    c, _ = build(fake, fake_sleep)
    [question] = (await c.fetch(None)).questions
    for text in (question.body, question.author.name):
        text.encode("utf-8")  # no lone surrogate left
        assert "\x1b" not in clean(text) and "\u202e" not in clean(text)
    assert question.body == hostile.replace("\ud800", "\ufffd")
    assert question.author.name == "N" * 1000
    json.dumps(question.to_dict(), ensure_ascii=False).encode("utf-8")


def test_link_facets_keep_shortened_links_readable():
    text = "see example.com/docs/lo… and click here and @jane.bsky.social"
    data = text.encode()
    short = data.index(b"example")
    end_short = short + len("example.com/docs/lo…".encode())
    here = data.index(b"click here")
    facets = [
        {"index": {"byteStart": short, "byteEnd": end_short},
         "features": [{"$type": "app.bsky.richtext.facet#link",
                       "uri": "https://example.com/docs/long-page"}]},
        {"index": {"byteStart": here, "byteEnd": here + 10},
         "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://evil.example"}]},
        {"index": {"byteStart": 999, "byteEnd": 1000}, "features": []},
        {"index": {"byteStart": 1, "byteEnd": "x"}},
    ]  # fmt: skip
    assert readable_text(text, facets) == (
        "see https://example.com/docs/long-page and click here (https://evil.example) and "
        "@jane.bsky.social"
    )
    assert readable_text("é…", [{"index": {"byteStart": 1, "byteEnd": 2}}]) == "é…"


# -- length ----------------------------------------------------------------------------
def test_graphemes_are_counted_as_bluesky_counts_them():
    assert grapheme_count("abc") == 3
    assert grapheme_count("e\u0301") == 1  # a combining accent
    assert grapheme_count("👨‍👩‍👧‍👦") == 1  # a ZWJ family
    assert grapheme_count("👍🏽") == 1  # a skin tone
    assert grapheme_count("🇫🇷🇩🇪") == 2  # two flags
    assert grapheme_count("\r\n") == 1
    c = BlueskyConnector(ChannelSettings(name="b", kind="bluesky", options={"handle": HANDLE}))
    assert c.reply_length("👨‍👩‍👧‍👦" * 300) == 300


async def test_a_reply_over_the_limit_is_refused_before_sending(fake, fake_sleep):
    fake.mention("jane.bsky.social", "question")
    c, wire = build(fake, fake_sleep)
    [question] = (await c.fetch(None)).questions
    wire.clear()
    with pytest.raises(ReplyRejected, match="301 graphemes"):
        await c.send_reply(question, "é" * 301, "k1")
    with pytest.raises(ReplyRejected, match="bytes"):
        await c.send_reply(question, "👨‍👩‍👧‍👦" * 200, "k1")  # 200 graphemes, 5000 bytes
    assert c.reply_length("e\u0301" * 300) == 300  # 600 characters fit
    assert wire.requests == [] and fake.replies == []
    assert not may_have_reached_service(ReplyRejected("x"))


# -- replying --------------------------------------------------------------------------
async def test_a_reply_goes_into_the_thread_with_its_record_key(fake, fake_sleep):
    root = fake.mention("jane.bsky.social", "first")
    ours = fake.brand_replies(root, "answer")
    asked = fake.post("jane.bsky.social", "follow-up", reply_to=ours, notify="reply")
    c, wire = build(fake, fake_sleep)
    [question] = (await c.fetch(None)).questions
    wire.clear()
    sent = await c.send_reply(question, "Read https://acme.example/help, then café.", "key-1")
    [post] = wire.calls("com.atproto.repo.createRecord")
    assert post.method == "POST" and post.url.path == "/xrpc/com.atproto.repo.createRecord"
    assert post.headers["authorization"].startswith("Bearer eyJ.access")
    body = json.loads(post.content)
    rkey = reply_rkey("key-1", question.created_at)
    assert body["repo"] == DID and body["collection"] == "app.bsky.feed.post"
    assert body["rkey"] == rkey and len(rkey) == 13
    record = body["record"]
    assert record["$type"] == "app.bsky.feed.post"
    assert record["text"] == "Read https://acme.example/help, then café."
    assert record["createdAt"] == "2026-12-04T09:00:00.000Z"
    assert record["reply"] == {
        "root": {"uri": root, "cid": fake.posts[root]["cid"]},
        "parent": {"uri": asked["uri"], "cid": asked["cid"]},
    }
    link = {"$type": "app.bsky.richtext.facet#link", "uri": "https://acme.example/help"}
    assert record["facets"] == [{"index": {"byteStart": 5, "byteEnd": 30}, "features": [link]}]
    assert sent.remote_id == f"at://{DID}/app.bsky.feed.post/{rkey}"
    assert sent.url == f"https://bsky.app/profile/{HANDLE}/post/{rkey}"


def test_record_keys_are_stable_tids():
    when = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    key = reply_rkey("abc", when)
    assert key == reply_rkey("abc", when) and key != reply_rkey("abd", when)
    assert len(key) == 13 and key[0] in "234567abcdefghij"
    assert all(ch in "234567abcdefghijklmnopqrstuvwxyz" for ch in key)
    assert encode_tid(0) == "2222222222222"
    assert reply_rkey("a", when) < reply_rkey("a", when.replace(year=2027))  # sortable by time
    assert link_facets("x https://a.example/b). y") == [{"index": {"byteStart": 2,
        "byteEnd": 21}, "features": [{"$type": "app.bsky.richtext.facet#link",
        "uri": "https://a.example/b"}]}]  # fmt: skip


async def test_an_unknown_outcome_then_find_own_reply_finds_it(fake, fake_sleep):
    fake.mention("jane.bsky.social", "question")
    c, wire = build(fake, fake_sleep)
    [question] = (await c.fetch(None)).questions
    assert await c.find_own_reply(question, "Thanks!", "key-9") is None

    def applied_then_cut(request):
        if request.url.path.endswith("createRecord"):
            wire.intercept = None
            fake.respond(seen_of(request))  # the server applies it ...
            raise httpx.ReadError("connection reset")  # ... and the answer is lost
        return None

    wire.intercept = applied_then_cut
    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(question, "Thanks!", "key-9")
    assert may_have_reached_service(caught.value)
    found = await c.find_own_reply(question, "Thanks!", "key-9")
    rkey = reply_rkey("key-9", question.created_at)
    assert found is not None and found.remote_id == f"at://{DID}/app.bsky.feed.post/{rkey}"
    assert await c.find_own_reply(question, "Other text", "key-9") is None
    # sending again collides with the record: success only because it is ours, same text
    again = await c.send_reply(question, "Thanks!", "key-9")
    assert again.remote_id == found.remote_id and len(fake.replies) == 1


@pytest.mark.parametrize("duplicate", [(400, "RecordAlreadyExists"), (500, "InternalServerError")])
async def test_a_collision_with_another_text_is_not_success(fake, fake_sleep, duplicate):
    fake.duplicate_answer = duplicate
    fake.mention("jane.bsky.social", "question")
    c, _ = build(fake, fake_sleep)
    [question] = (await c.fetch(None)).questions
    await c.send_reply(question, "First text", "key-1")
    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(question, "Second text", "key-1")
    assert f"HTTP {duplicate[0]}" in str(caught.value) and len(fake.replies) == 1


# -- session, limits and errors ----------------------------------------------------------
async def test_an_expired_token_is_refreshed_once(fake, fake_sleep):
    fake.mention("jane.bsky.social", "question")
    c, wire = build(fake, fake_sleep)
    await c.fetch(None)
    fake.expire_tokens()
    wire.clear()
    result = await c.fetch(None)
    assert len(result.questions) == 1 and fake.refreshed == 1 and fake.sessions_created == 1
    [refresh] = wire.calls("com.atproto.server.refreshSession")
    used = refresh.headers["authorization"].removeprefix("Bearer ")
    assert used.startswith("eyJ.refresh") and used not in fake.refresh_tokens  # rotated
    # a refused refresh token: a new session is created instead
    fake.expire_tokens()
    fake.refresh_tokens.clear()
    assert len((await c.fetch(None)).questions) == 1
    assert fake.sessions_created == 2


async def test_a_rate_limit_with_ratelimit_headers_is_waited_out(fake, fake_sleep):
    fake.mention("jane.bsky.social", "question")
    c, _ = build(fake, fake_sleep)
    await c.check()
    fake.throttle(ratelimit_limit="3000", ratelimit_remaining="0",
                  ratelimit_reset=str(int(T0 + 42)), ratelimit_policy="3000;w=300")  # fmt: skip
    result = await c.fetch(None)
    assert len(result.questions) == 1
    assert fake_sleep.calls and 42 <= fake_sleep.calls[0] < 52
    fake.throttle(ratelimit_reset=str(int(T0 + 30)))
    [question] = result.questions
    with pytest.raises(RateLimited):  # a post is never repeated here
        await c.send_reply(question, "hi", "k")
    assert fake.replies == []


async def test_a_refused_app_password_is_a_one_line_auth_error(fake, fake_sleep, monkeypatch):
    fake.password = "another-password"
    c, _ = build(fake, fake_sleep)
    with pytest.raises(AuthError) as caught:
        await c.check()
    text = str(caught.value)
    assert "\n" not in text and "HTTP 401" in text and "handle option and the app password" in text
    assert PASSWORD not in text and "cxdaily login bsky" in text


async def test_403_is_a_one_line_auth_error_without_the_secret(fake, fake_sleep, monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_BSKY", PASSWORD + "\n")
    c, wire = build(fake, fake_sleep)

    def forbidden(request):
        if "listNotifications" in request.url.path:
            said = f"{request.headers.get('authorization')} {PASSWORD}"
            return httpx.Response(403, json={"error": "AccountTakedown", "message": said})
        return None

    wire.intercept = forbidden
    with pytest.raises(AuthError) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert "HTTP 403" in text and "\n" not in text
    assert PASSWORD not in text and "eyJ.access" not in text


async def test_the_secret_is_in_no_warning(fake, fake_sleep, monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_BSKY", PASSWORD)
    fake.mention("jane.bsky.social", "question")
    c, wire = build(fake, fake_sleep)

    def echo(request):
        if "getPostThread" in request.url.path:
            said = f"{request.headers.get('authorization')} {PASSWORD}"
            return httpx.Response(500, json={"error": "InternalServerError", "message": said})
        return None

    wire.intercept = echo
    result = await c.fetch(None)
    assert result.warnings and "HTTP 500" in result.warnings[0]
    assert all(PASSWORD not in w and "eyJ.access" not in w for w in result.warnings)


async def test_credentials_never_go_to_another_host(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    await c.check()
    token = next(iter(fake.access))
    await c.http.request(
        "GET", "https://elsewhere.example/x", headers=c.bearer(token), allow_statuses={404}
    )
    other = [r for r in wire.requests if r.url.host == "elsewhere.example"]
    assert other and "authorization" not in other[0].headers
    create = wire.calls("com.atproto.server.createSession")[0]
    assert create.url.host == "bsky.social"
    assert json.loads(create.content) == {"identifier": HANDLE, "password": PASSWORD}


async def test_check_says_who_is_signed_in(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    text = await c.check()
    assert text.startswith(f"signed in as @{HANDLE} ({DID}) on bsky.social")
    assert "morel.us-east.host.bsky.network" in text
    assert [r.url.path.rsplit("/", 1)[1] for r in wire.requests] == [
        "com.atproto.server.createSession", "com.atproto.server.getSession"]  # fmt: skip


def test_a_damaged_checkpoint_starts_over():
    assert read_checkpoint({"indexed_at": "garbage"}) == (None, set())
    when, uris = read_checkpoint({"indexed_at": "2026-12-04T08:00:00.5Z", "uris": ["a", 3]})
    assert when == datetime(2026, 12, 4, 8, 0, 0, 500000, tzinfo=UTC) and uris == {"a"}
