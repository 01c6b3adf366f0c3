"""The reddit channel: the inbox and watched subreddits across pages, only what is new on
later fetches, items we already answered, replies under the right thing, the password
grant and its renewal, and every way the API can fail."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import pytest

from cxdaily.connectors import connector_class, reddit
from cxdaily.connectors.http import ChannelHttp, HttpPolicy, make_client
from cxdaily.connectors.markdown_text import markdown_text
from cxdaily.connectors.oauth import TokenCache
from cxdaily.connectors.reddit import RedditConnector
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError, RateLimited, ReplyRejected
from cxdaily.credentials import secret_reader
from cxdaily.replies.outbox import may_have_reached_service
from cxdaily.settings import ChannelSettings
from tests.integration.loopback_kit import FakeWire, seen_of
from tests.integration.reddit_fake_kit import (
    BRAND,
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    T0,
    FakeReddit,
)

NOW = datetime.fromtimestamp(T0 + 86400, UTC)


class Wire(FakeWire):
    """The fake behind a MockTransport; records every request (hosts included)."""

    def gets(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "GET" and r.url.path == path]


@pytest.fixture(autouse=True)
def secrets(memory_keyring):
    memory_keyring.set_password("cxdaily", "reddit:client_secret", CLIENT_SECRET)
    memory_keyring.set_password("cxdaily", "reddit:password", PASSWORD)


@pytest.fixture
def fake() -> FakeReddit:
    return FakeReddit()


def build(fake, fake_sleep, clock=None, **options):
    wire = Wire(fake)
    options = {"username": BRAND, "client_id": CLIENT_ID, **options}
    settings = ChannelSettings(name="reddit", kind="reddit", options=options)
    client = make_client(transport=httpx.MockTransport(wire))
    connector = RedditConnector(
        settings, client=client, secrets=secret_reader("reddit"), now=lambda: NOW
    )
    connector.http = ChannelHttp(client, channel="reddit", sleep=fake_sleep, rand=lambda: 0.0,
                                 wall_clock=lambda: T0, policy=HttpPolicy())  # fmt: skip
    connector.token_cache = TokenCache()
    if clock is not None:
        connector.clock = clock
    return connector, wire


def world(fake: FakeReddit) -> dict[str, str]:
    """A brand post with a reply, a mention deep in a thread, a message, a post in r/acme."""
    ids = {}
    ids["brand_post"] = fake.post("acme", BRAND, "Release notes 2.0", "We shipped **2.0**.")
    ids["reply"] = fake.comment("t3_" + ids["brand_post"], "jane", "Does 2.0 fix *sync*?")
    ids["root"] = fake.comment("t3_" + ids["brand_post"], "bob", "Export is broken for me.")
    ids["middle"] = fake.comment("t1_" + ids["root"], "carl", "Same here.")
    ids["mention"] = fake.comment("t1_" + ids["middle"], "dana", "u/acme_support any news?")
    ids["pm"] = fake.message("erin", "Refund", "Can I get a [refund](https://acme.example/r)?")
    ids["sub_post"] = fake.post("acme", "fred", "Login loop", "I cannot log in since today.")
    fake.karma.update(jane=(10, 32), dana=(1, 1), erin=(0, 5), fred=(100, 0))
    return ids


def by_name(questions):
    return {q.native_id: q for q in questions}


# -- options ----------------------------------------------------------------------------
def test_registered_and_declared():
    assert connector_class("reddit") is RedditConnector
    assert RedditConnector.capabilities.max_reply_length == 10_000
    assert RedditConnector.capabilities.public and RedditConnector.capabilities.finds_own_replies


@pytest.mark.parametrize("missing", ["username", "client_id"])
def test_a_missing_required_option_is_a_one_line_config_error(missing):
    options = {"username": BRAND, "client_id": CLIENT_ID}
    del options[missing]
    with pytest.raises(ConfigError, match=rf"^\[channels\.r\] needs {missing}"):
        RedditConnector(ChannelSettings(name="r", kind="reddit", options=options))


@pytest.mark.parametrize("given", [["acme", "r/AcmeHelp"], "acme, /r/acmehelp ,"])
def test_subreddits_are_a_list_or_comma_separated_text(given):
    options = {"username": BRAND, "client_id": CLIENT_ID, "subreddits": given}
    connector = RedditConnector(ChannelSettings(name="r", kind="reddit", options=options))
    assert connector.subreddits == ("acme", "acmehelp")


def test_a_bad_subreddit_or_username_is_refused():
    with pytest.raises(ConfigError, match="is not a subreddit name"):
        RedditConnector(ChannelSettings(name="r", kind="reddit", options={
            "username": BRAND, "client_id": CLIENT_ID, "subreddits": ["ac me"]}))  # fmt: skip
    with pytest.raises(ConfigError, match="must be a Reddit account name"):
        RedditConnector(ChannelSettings(name="r", kind="reddit", options={
            "username": "u/x y", "client_id": CLIENT_ID}))  # fmt: skip


# -- fetching ---------------------------------------------------------------------------
async def test_inbox_and_subreddit_across_pages(fake, fake_sleep):
    ids = world(fake)
    fake.page_size = 2
    c, wire = build(fake, fake_sleep, subreddits=["acme"])
    result = await c.fetch(None)
    got = by_name(result.questions)
    assert sorted(got) == sorted(
        [
            "t1_" + ids["reply"],
            "t1_" + ids["root"],
            "t1_" + ids["mention"],
            "t4_" + ids["pm"],
            "t3_" + ids["sub_post"],
        ]
    )  # the brand's own post is not a question; "Same here" neither mentions nor answers it
    assert len(wire.gets("/message/inbox")) == 2 and len(wire.gets("/r/acme/new")) == 1
    mention = got["t1_" + ids["mention"]]
    assert mention.thread_id == "t1_" + ids["mention"]
    assert mention.author.handle == "u/dana" and mention.author.id == "u/dana"
    assert mention.author.followers == 2
    assert mention.title == "Release notes 2.0"
    assert [m.body for m in mention.context] == [
        "Release notes 2.0\n\nWe shipped 2.0.",
        "Export is broken for me.",
        "Same here.",
    ]
    assert (
        mention.url
        == f"https://www.reddit.com/r/acme/comments/{ids['brand_post']}/release_notes_2_0/{ids['mention']}/"
    )
    assert mention.meta == {
        "service": "reddit",
        "type": "username_mention",
        "subreddit": "acme",
        "score": 1,
    }
    pm = got["t4_" + ids["pm"]]
    assert pm.body == "Can I get a refund (https://acme.example/r)?" and pm.title == "Refund"
    assert pm.url == f"https://www.reddit.com/message/messages/{ids['pm']}"
    assert got["t1_" + ids["reply"]].body == "Does 2.0 fix sync?"
    assert got["t3_" + ids["sub_post"]].author.followers == 100
    first = wire.gets("/message/inbox")[0]
    assert first.url.params["limit"] == "100" and first.url.params["raw_json"] == "1"
    assert wire.gets("/message/inbox")[1].url.params["after"]
    ua = first.headers["user-agent"]
    assert ua.endswith(f":cxdaily:0.1.0 (by /u/{BRAND})") and ":" in ua.split(":cxdaily")[0] + ":"
    assert all(r.headers["user-agent"] == ua for r in wire.requests)


async def test_a_second_fetch_asks_only_for_what_is_new(fake, fake_sleep):
    ids = world(fake)
    c, wire = build(fake, fake_sleep, subreddits=["acme"])
    first = await c.fetch(None)
    fake.now += 3600
    late = fake.comment("t3_" + ids["brand_post"], "gina", "And the API?")
    wire.requests.clear()
    second = await c.fetch(first.checkpoint)
    assert [q.native_id for q in second.questions] == ["t1_" + late]
    assert len(wire.gets("/message/inbox")) == 1  # stopped at the checkpoint
    assert [
        r.url.path
        for r in wire.requests
        if "/comments/" in r.url.path and r.url.path.startswith("/comments")
    ] == [f"/comments/{ids['brand_post']}"]
    assert second.checkpoint["inbox"]["since"] == fake.now
    third = await c.fetch(second.checkpoint)
    assert third.questions == [] and third.settled == []


async def test_a_listing_stopped_by_the_byte_budget_goes_on_with_the_next_fetch(fake, fake_sleep):
    posts = ["t3_" + fake.post("acme", "fred", f"Question {n}") for n in range(5)]
    fake.page_size = 2
    c, _ = build(fake, fake_sleep, subreddits=["acme"])
    c.http.policy = HttpPolicy(max_fetch_bytes=1)  # one page a listing, then it is spent
    first = await c.fetch(None)
    assert sorted(by_name(first.questions)) == sorted(posts[3:])
    assert any("the byte budget of one fetch" in w for w in first.warnings)
    found, checkpoint = set(by_name(first.questions)), first.checkpoint
    for _ in range(2):
        c.http.bytes_read, c.http.notes = 0, []  # a new fetch
        result = await c.fetch(checkpoint)
        found |= set(by_name(result.questions))
        checkpoint = result.checkpoint
    assert found == set(posts)
    assert checkpoint["r/acme"] == {"since": fake.now, "seen": posts[::-1]}  # all in 10 min
    late = "t3_" + fake.post("acme", "gina", "A later question")
    c.http.bytes_read = 0
    assert sorted(by_name((await c.fetch(checkpoint)).questions)) == [late]


async def capped_walk(fake, fake_sleep, monkeypatch):
    """Five posts in r/acme, pages of two, two pages a fetch: the connector, its wire, the
    posts' fullnames (oldest first) and the first fetch (which stops at the cap)."""
    posts = ["t3_" + fake.post("acme", "fred", f"Question {n}") for n in range(5)]
    fake.page_size = 2
    monkeypatch.setattr(reddit, "MAX_PAGES", 2)
    c, wire = build(fake, fake_sleep, subreddits=["acme"])
    return c, wire, posts, await c.fetch(None)


async def test_a_listing_stopped_at_the_page_cap_goes_on_with_the_next_fetch(
    fake, fake_sleep, monkeypatch
):
    c, wire, posts, first = await capped_walk(fake, fake_sleep, monkeypatch)
    assert sorted(by_name(first.questions)) == sorted(posts[1:])
    assert any("stopped after 2 pages (the page cap)" in w for w in first.warnings)
    wire.requests.clear()
    second = await c.fetch(first.checkpoint)
    assert sorted(by_name(second.questions)) == posts[:1]
    assert [r.url.params.get("after") for r in wire.gets("/r/acme/new")] == [posts[1]]
    assert second.checkpoint["r/acme"] == {"since": fake.now, "seen": posts[::-1]}


async def test_a_walk_whose_resume_item_is_gone_starts_again_from_the_newest(
    fake, fake_sleep, monkeypatch
):
    c, wire, posts, first = await capped_walk(fake, fake_sleep, monkeypatch)
    assert first.checkpoint["r/acme"]["after"] == posts[1]
    del fake.posts[posts[1][3:]]  # removed by the moderators: Reddit lists nothing after it
    wire.requests.clear()
    second = await c.fetch(first.checkpoint)
    assert posts[0] in by_name(second.questions)  # not passed over
    assert [r.url.params.get("after") for r in wire.gets("/r/acme/new")] == [
        posts[1],
        None,
        posts[3],
    ]
    assert any("read again from the newest" in w for w in second.warnings)
    assert "after" not in second.checkpoint["r/acme"]


async def test_an_item_we_answered_is_settled_and_answers_since_shows_it(fake, fake_sleep):
    ids = world(fake)
    ours = fake.comment("t1_" + ids["mention"], BRAND, "Fixed in 2.0.1, sorry!")
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    settled = by_name(result.settled)
    assert "t1_" + ids["mention"] in settled and "t1_" + ids["mention"] not in by_name(
        result.questions
    )
    assert settled["t1_" + ids["mention"]].meta["team_answered"] is True
    question = settled["t1_" + ids["mention"]]
    answers = await c.answers_since(question, question.created_at)
    assert [a.body for a in answers] == ["Fixed in 2.0.1, sorry!"]
    assert fake.comments[ours]["parent_id"] == "t1_" + ids["mention"]


async def test_a_reply_goes_under_the_comment_and_returns_its_id(fake, fake_sleep):
    ids = world(fake)
    c, wire = build(fake, fake_sleep)
    question = by_name((await c.fetch(None)).questions)["t1_" + ids["mention"]]
    sent = await c.send_reply(question, "Hi **Dana**, fixed now.", "key-1")
    post = [r for r in wire.requests if r.method == "POST" and r.url.path == "/api/comment"]
    assert len(post) == 1 and str(post[0].url).startswith("https://oauth.reddit.com/")
    assert parse_qs(post[0].content.decode()) == {
        "thing_id": ["t1_" + ids["mention"]],
        "text": ["Hi **Dana**, fixed now."],
        "api_type": ["json"],
    }
    assert post[0].headers["authorization"] == "bearer " + fake.tokens[0]
    new = fake.replies and next(c for c in fake.comments.values() if c["author"] == BRAND)
    assert sent.remote_id == new["name"] and sent.url == "https://www.reddit.com" + new["permalink"]


async def test_a_reply_to_a_message_is_a_message(fake, fake_sleep):
    ids = world(fake)
    c, _ = build(fake, fake_sleep)
    question = by_name((await c.fetch(None)).questions)["t4_" + ids["pm"]]
    sent = await c.send_reply(question, "Sure, refunded.", "k")
    assert sent.remote_id.startswith("t4_") and fake.replies == [
        {"thing_id": "t4_" + ids["pm"], "text": "Sure, refunded."}
    ]
    assert (await c.find_own_reply(question, "Sure, refunded.", "k")).remote_id == sent.remote_id


async def test_a_reply_over_ten_thousand_characters_is_refused_before_sending(fake, fake_sleep):
    world(fake)
    c, wire = build(fake, fake_sleep)
    question = (await c.fetch(None)).questions[0]
    wire.requests.clear()
    with pytest.raises(ReplyRejected, match="10000"):
        await c.send_reply(question, "é" * 10_001, "k")
    assert wire.requests == []
    assert c.reply_length("é" * 10_000) == 10_000


async def test_an_unknown_outcome_then_find_own_reply_finds_it(fake, fake_sleep):
    ids = world(fake)
    c, wire = build(fake, fake_sleep)
    question = by_name((await c.fetch(None)).questions)["t1_" + ids["reply"]]

    def drop_after_applying(request):
        if request.method == "POST" and request.url.path == "/api/comment":
            fake.respond(seen_of(request))
            raise httpx.ReadError("connection reset")
        return None

    wire.intercept = drop_after_applying
    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(question, "Yes, sync is fixed.", "k")
    assert may_have_reached_service(caught.value)
    assert (
        len([r for r in wire.requests if r.method == "POST" and r.url.path == "/api/comment"]) == 1
    )
    wire.intercept = None
    found = await c.find_own_reply(question, "Yes, sync is fixed.", "k")
    ours = next(x for x in fake.comments.values() if x["author"] == BRAND)
    assert found is not None and found.remote_id == ours["name"]
    assert await c.find_own_reply(question, "Something else", "k") is None


async def test_a_ratelimit_error_in_the_answer_is_a_rate_limited_wait(fake, fake_sleep):
    world(fake)
    c, _ = build(fake, fake_sleep)
    question = (await c.fetch(None)).questions[0]
    fake.reply_errors.append(
        ["RATELIMIT", "you are doing that too much. try again in 9 minutes.", "ratelimit"]
    )
    with pytest.raises(RateLimited) as caught:
        await c.send_reply(question, "Hello", "k")
    assert caught.value.retry_after == 540 and "\n" not in str(caught.value)
    fake.reply_errors.append(["TOO_OLD", "that's a piece of history now", "parent"])
    with pytest.raises(ConnectorError, match="TOO_OLD") as refused:
        await c.send_reply(question, "Hello", "k")
    assert not may_have_reached_service(refused.value) and fake.replies == []


async def test_a_429_waits_as_long_as_the_reset_header_says(fake, fake_sleep):
    world(fake)
    c, _ = build(fake, fake_sleep)
    await c.check()
    fake.throttle(X_Ratelimit_Used="600", X_Ratelimit_Remaining="0.0", X_Ratelimit_Reset="37")
    result = await c.fetch(None)
    assert fake_sleep.calls == [37.0] and result.questions


async def test_an_expired_token_is_renewed_once(fake, fake_sleep):
    world(fake)
    c, wire = build(fake, fake_sleep)
    assert (await c.check()) == f"signed in as u/{BRAND} on oauth.reddit.com"
    fake.expire_tokens()
    assert (await c.check()).startswith("signed in")
    assert len(fake.tokens) == 2
    tokens = [r for r in wire.requests if r.url.path == "/api/v1/access_token"]
    assert str(tokens[0].url) == "https://www.reddit.com/api/v1/access_token"
    pair = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert tokens[0].headers["authorization"] == f"Basic {pair}"
    assert parse_qs(tokens[0].content.decode()) == {
        "grant_type": ["password"],
        "username": [BRAND],
        "password": [PASSWORD],
    }


async def test_a_token_past_its_lifetime_is_asked_for_again(fake, fake_sleep):
    fake.token_lifetime = 100
    now = [0.0]
    c, _ = build(fake, fake_sleep, clock=lambda: now[0])
    await c.check()
    now[0] = 50.0
    await c.check()
    assert len(fake.tokens) == 1
    now[0] = 95.0
    await c.check()
    assert len(fake.tokens) == 2


async def test_a_wrong_password_is_a_one_line_auth_error_without_the_secret(
    fake, fake_sleep, memory_keyring
):
    memory_keyring.set_password("cxdaily", "reddit:password", "wrong-password-123")
    c, _ = build(fake, fake_sleep)
    with pytest.raises(AuthError) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert "invalid_grant" in text and "--field password" in text and "\n" not in text
    assert "wrong-password-123" not in text and CLIENT_SECRET not in text


async def test_a_wrong_client_secret_is_a_401_auth_error(fake, fake_sleep, memory_keyring):
    memory_keyring.set_password("cxdaily", "reddit:client_secret", "not-the-secret-42")
    c, _ = build(fake, fake_sleep)
    with pytest.raises(AuthError, match=r"HTTP 401.*client_secret") as caught:
        await c.check()
    assert "not-the-secret-42" not in str(caught.value)


@pytest.mark.parametrize("status", [401, 403])
async def test_the_api_refusing_is_a_one_line_auth_error(fake, fake_sleep, status):
    c, wire = build(fake, fake_sleep)

    def refuse(request):
        if request.url.path == "/message/inbox":
            return httpx.Response(
                status, json={"message": "Forbidden " + fake.tokens[-1], "error": status}
            )
        return None

    wire.intercept = refuse
    with pytest.raises(AuthError) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert "\n" not in text and "client_secret" in text
    assert all(t not in text for t in fake.tokens) and PASSWORD not in text


@pytest.mark.parametrize("status", [403, 404])
async def test_a_subreddit_that_refuses_is_skipped_and_the_rest_is_read(fake, fake_sleep, status):
    ids = world(fake)
    fake.post("hidden", "hank", "Is this place private now?")
    c, wire = build(fake, fake_sleep, subreddits=["hidden", "acme"])
    said = {403: "Forbidden", 404: "Not Found"}[status]
    wire.intercept = lambda r: (
        httpx.Response(status, json={"message": said, "error": status})
        if r.url.path == "/r/hidden/new" else None
    )  # fmt: skip
    stored = {"r/hidden": {"since": T0, "seen": ["t3_zz1"]}}
    result = await c.fetch(stored)
    got = by_name(result.questions)
    assert {"t3_" + ids["sub_post"], "t4_" + ids["pm"], "t1_" + ids["mention"]} <= set(got)
    assert all(q.meta.get("subreddit") != "hidden" for q in result.questions)
    [warning] = [w for w in result.warnings if "r/hidden" in w]
    assert warning.startswith(f"r/hidden skipped: GET https://oauth.reddit.com/r/hidden/new "
                              f"answered HTTP {status}")  # fmt: skip
    assert "\n" not in warning
    assert result.checkpoint["r/hidden"] == stored["r/hidden"]  # unchanged
    assert {"inbox", "r/acme"} <= set(result.checkpoint)
    assert len(wire.gets("/r/hidden/new")) == 1  # not asked again


async def test_a_subreddit_refusing_the_credentials_still_stops_the_fetch(fake, fake_sleep):
    world(fake)
    c, wire = build(fake, fake_sleep, subreddits=["hidden", "acme"])
    wire.intercept = lambda r: (
        httpx.Response(401, json={"message": "Unauthorized", "error": 401})
        if r.url.path == "/r/hidden/new" else None
    )  # fmt: skip
    with pytest.raises(AuthError, match="HTTP 401"):
        await c.fetch(None)


async def test_a_subreddit_throttling_with_403_is_waited_out(fake, fake_sleep):
    ids = world(fake)
    c, wire = build(fake, fake_sleep, subreddits=["acme"])
    throttled = []

    def once(request):
        if request.url.path != "/r/acme/new" or throttled:
            return None
        throttled.append(request)
        return httpx.Response(403, json={"message": "Forbidden", "error": 403},
                              headers={"retry-after": "2"})  # fmt: skip

    wire.intercept = once
    result = await c.fetch(None)
    assert "t3_" + ids["sub_post"] in by_name(result.questions)
    assert not any("skipped" in w for w in result.warnings) and len(throttled) == 1


async def test_a_malformed_page_is_a_one_line_error(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: (
        httpx.Response(200, json={"kind": "Listing", "data": {"children": "x"}})
        if r.url.path == "/message/inbox"
        else None
    )
    with pytest.raises(ConnectorError, match="not with a listing"):
        await c.fetch(None)


async def test_one_malformed_item_is_skipped_with_a_warning(fake, fake_sleep):
    ids = world(fake)
    c, wire = build(fake, fake_sleep)

    def one_bad(request):
        if request.url.path != "/message/inbox":
            return None
        answer = fake.respond(seen_of(request))
        answer.body["data"]["children"].insert(
            1, {"kind": "t1", "data": {"id": "zz9", "body": "x"}}
        )
        return httpx.Response(200, json=answer.body)

    wire.intercept = one_bad
    result = await c.fetch(None)
    assert "t4_" + ids["pm"] in by_name(result.questions)
    assert any("item 2 skipped: created_utc is missing" in w for w in result.warnings)


async def test_a_failed_thread_or_profile_costs_only_that_detail(fake, fake_sleep):
    ids = world(fake)
    fake.failing.update({f"/comments/{ids['brand_post']}", "/user/dana/about"})
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    mention = by_name(result.questions)["t1_" + ids["mention"]]
    assert mention.context == () and mention.author.followers is None
    assert mention.body == "u/acme_support any news?"
    assert any("without context" in w for w in result.warnings)
    assert any("u/dana: karma unknown" in w for w in result.warnings)


async def test_hostile_content_arrives_clean(fake, fake_sleep):
    body = "# Title\n\x1b[31mred\x1b[0m \u202eevil\u202c zero\u200bwidth \ud800 [x](javascript:1)"
    fake.message("x" * 5000, "\x1b]52;c;AAAA\x07Hi[@click=app.quit]", body)
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    (question,) = result.questions
    assert "\x1b" not in question.body and "\u202e" not in question.body
    assert "\ud800" not in question.body and "\ufffd" in question.body
    assert question.body.startswith("Title\nred evil")
    assert "\x1b" not in (question.title or "") and len(question.author.handle or "") <= 102
    question.body.encode("utf-8")


def test_markdown_becomes_plain_text():
    md = ("## Steps\n\n* one **bold** and _it_ ~~gone~~\n+ two `code` >!spoiler!<\n\n"
          "> quoted\n\n---\n\nsee [the docs](https://acme.example/docs) or https://acme.example "
          "or [https://acme.example](https://acme.example)\n\n"
          "snake_case_name 2 * 3 ^(tiny) \\*lit\\*")  # fmt: skip
    assert markdown_text(md, "body") == (
        "Steps\n\n- one bold and it gone\n- two code spoiler\n\n> quoted\n\nsee the docs "
        "(https://acme.example/docs) or https://acme.example or https://acme.example\n\n"
        "snake_case_name 2 * 3 tiny *lit*"
    )
    started = time.monotonic()
    hostile = "**a" * 30_000 + "[" * 50_000 + "](" * 20_000
    assert len(markdown_text(hostile, "body") or "") <= len(hostile)
    assert time.monotonic() - started < 2.0


async def test_base_url_and_auth_url_change_every_url_and_credentials_stay_home(fake, fake_sleep):
    ids = world(fake)
    c, wire = build(fake, fake_sleep, base_url="https://api.test.example",
                    auth_url="https://auth.test.example", web_url="https://web.test.example",
                    subreddits="acme")  # fmt: skip
    result = await c.fetch(None)
    question = by_name(result.questions)["t1_" + ids["reply"]]
    await c.send_reply(question, "Yes.", "k")
    hosts = {r.url.host for r in wire.requests}
    assert hosts == {"api.test.example", "auth.test.example"}
    assert all(
        r.url.path == "/api/v1/access_token"
        for r in wire.requests
        if r.url.host == "auth.test.example"
    )
    assert question.url.startswith("https://web.test.example/r/acme/")


def test_credentials_never_go_to_another_host(fake, fake_sleep):
    c, _ = build(fake, fake_sleep)
    assert c.http.may_send_credentials("https://oauth.reddit.com/message/inbox")
    assert c.http.may_send_credentials("https://www.reddit.com/api/v1/access_token")
    assert not c.http.may_send_credentials("https://evil.example/api/v1/access_token")
    assert not c.http.may_send_credentials("http://oauth.reddit.com/message/inbox")


def test_the_user_agent_contact_is_one_ascii_line(fake, fake_sleep):
    c, _ = build(fake, fake_sleep, user_agent_contact="ops@acme.example\r\nX-Evil: 1 é")
    assert c.user_agent.endswith(f"(by /u/{BRAND}; ops@acme.example X-Evil: 1)")
    assert c.user_agent.isascii() and "\n" not in c.user_agent
