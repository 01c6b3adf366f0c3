"""The x channel: mentions across pages, only what is new on later fetches, what the
brand answered settled, replies in the thread counted X's way, an unknown outcome found
again, X's rate limits and refusals, token refresh, and hostile content."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import pytest

from cxdaily.connectors import connector_class
from cxdaily.connectors.base import PROCESS_RENEWED
from cxdaily.connectors.http import BadResponseError, ChannelHttp, HttpPolicy, make_client
from cxdaily.connectors.x import XConnector
from cxdaily.connectors.x_text import weighted_length
from cxdaily.core.errors import (
    AuthError,
    ConfigError,
    ConnectorError,
    RateLimited,
    ReplyRejected,
)
from cxdaily.core.safe_text import clean
from cxdaily.credentials import secret_reader
from cxdaily.replies.outbox import may_have_reached_service
from cxdaily.settings import ChannelSettings
from tests.integration.loopback_kit import FakeWire, Seen
from tests.integration.x_fake_kit import (
    BRAND_ID,
    CLIENT_ID,
    REFRESH,
    T0,
    TOKEN,
    FakeX,
)

BASE = "https://api.x.com"
JANE, OMAR = "2000000000000000001", "2000000000000000002"


class Wire(FakeWire):
    """The fake behind a MockTransport; records every request (hosts included)."""

    def paths(self, method: str = "GET") -> list[str]:
        return [r.url.path for r in self.requests if r.method == method]

    def of(self, suffix: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith(suffix)]


@pytest.fixture(autouse=True)
def token(memory_keyring):
    PROCESS_RENEWED.clear()
    memory_keyring.set_password("cxdaily", "x", TOKEN)
    yield
    PROCESS_RENEWED.clear()


@pytest.fixture
def fake() -> FakeX:
    fake = FakeX()
    fake.add_user(JANE, "jane_roe", "Jane Roe", followers=1234)
    fake.add_user(OMAR, "omar", "Omar K", followers=5)
    return fake


def build(fake, fake_sleep, *, wall_clock=None, **options):
    wire = Wire(fake, httpx.URL(options.get("base_url", BASE)).path.rstrip("/"))
    settings = ChannelSettings(name="x", kind="x", options={"user_id": BRAND_ID, **options})
    client = make_client(transport=httpx.MockTransport(wire))
    connector = XConnector(settings, client=client, secrets=secret_reader("x"), now=lambda: NOW)
    connector.http = ChannelHttp(
        client, channel="x", sleep=fake_sleep, rand=lambda: 0.0,
        wall_clock=wall_clock or (lambda: T0), policy=HttpPolicy(),
    )  # fmt: skip
    return connector, wire


NOW = datetime.fromtimestamp(T0 + 86400, UTC)


def conversation(fake: FakeX) -> dict[str, str]:
    """Jane asks, the brand answers in the app, Jane asks again; Omar asks once."""
    ids = {}
    ids["jane1"] = fake.mention(JANE, "@acme my export fails")["id"]
    ids["answer"] = fake.brand_replies(ids["jane1"], "we are on it")["id"]
    ids["jane2"] = fake.mention(JANE, "@acme still failing", reply_to=ids["answer"])["id"]
    ids["omar"] = fake.mention(OMAR, "@acme do you ship to Norway?")["id"]
    return ids


def by_native(questions):
    return {q.native_id: q for q in questions}


# -- registration, options and length ----------------------------------------------------
def test_registered_with_the_catalogue_limit():
    assert connector_class("x") is XConnector
    assert XConnector.capabilities.max_reply_length == 280
    assert XConnector.capabilities.public and XConnector.capabilities.finds_own_replies


def test_user_id_is_required_and_numeric():
    with pytest.raises(ConfigError, match=r"^\[channels.x\] needs user_id"):
        XConnector(ChannelSettings(name="x", kind="x", options={}))
    with pytest.raises(ConfigError, match="must be the numeric user id"):
        XConnector(ChannelSettings(name="x", kind="x", options={"user_id": "@acme"}))
    unquoted = XConnector(ChannelSettings(name="x", kind="x", options={"user_id": 2244994945}))
    assert unquoted.user_id == "2244994945"


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("Thanks!", 7),
        ("ありがとう", 10),  # kana weigh 2
        ("Привет “друг” — ok", 18),  # Cyrillic, quotes and dashes weigh 1
        ("see https://acme.example/a/very/long/path?with=query", 27),  # any URL is 23
        ("go to acme.com/help.", 30),  # a bare domain too, not its full stop
        ("👨‍👩‍👧 👍🏽 🇳🇴 1️⃣", 11),  # each emoji sequence is 2
        ("中文", 4),
    ],
)
def test_reply_length_is_x_weighted_count(text, length):
    assert weighted_length(text) == length
    assert XConnector.reply_length(XConnector.__new__(XConnector), text) == length


# -- fetching ------------------------------------------------------------------------
async def test_a_first_fetch_reads_every_page_with_authors_context_and_links(fake, fake_sleep):
    ids = conversation(fake)
    fake.page_size = 2
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    mentions = wire.of("/mentions")
    assert len(mentions) == 2
    first = mentions[0].url.params
    assert first["max_results"] == "100" and first["start_time"] == "2026-11-28T08:00:00Z"
    assert "since_id" not in first and "pagination_token" not in first
    assert first["expansions"] == "author_id,referenced_tweets.id"
    assert "public_metrics" in first["user.fields"] and "referenced_tweets" in first["tweet.fields"]
    assert mentions[1].url.params["pagination_token"] == "tok2"
    questions = by_native(result.questions)
    assert sorted(questions) == sorted([ids["jane2"], ids["omar"]])  # jane1 was answered
    later = questions[ids["jane2"]]
    assert later.author.handle == "@jane_roe" and later.author.name == "Jane Roe"
    assert later.author.followers == 1234 and later.author.id == JANE
    assert later.url == f"https://x.com/jane_roe/status/{ids['jane2']}"
    assert later.thread_id == ids["jane2"] and later.body == "@acme still failing"
    [context] = later.context
    assert context.body == "@jane_roe we are on it" and context.author.id == BRAND_ID
    assert later.meta["conversation_id"] == ids["jane1"] and later.meta["reply_to_brand"] is True
    assert later.meta["lang"] == "en" and later.created_at == datetime.fromtimestamp(T0 + 180, UTC)
    assert result.checkpoint == {"since_id": ids["omar"], "own_since_id": ids["answer"]}
    assert result.warnings == []


async def test_a_fetch_stopped_at_its_page_cap_goes_on_from_there_next_time(
    fake, fake_sleep, monkeypatch
):
    """No mention is lost past the cap: the next fetch reads on with the same query."""
    monkeypatch.setattr("cxdaily.connectors.x.MENTION_PAGES", 2)
    asked = [fake.mention(JANE if n % 2 else OMAR, f"@acme question {n}")["id"] for n in range(7)]
    fake.page_size = 2
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    assert len(first.questions) == 4 and "stopped after 2 pages" in " ".join(c.fetch_notes())
    cut = first.checkpoint
    assert cut["pagination_token"] == "tok4" and cut["newest_id"] == max(asked, key=int)
    assert "since_id" not in cut and cut["start_time"] == "2026-11-28T08:00:00Z"
    wire.requests.clear()
    second = await c.fetch(cut)
    query = wire.of("/mentions")[0].url.params
    assert query["pagination_token"] == "tok4" and query["start_time"] == "2026-11-28T08:00:00Z"
    fetched = {q.native_id for q in first.questions + second.questions}
    assert fetched == set(asked)  # every mention, once the walk reached its end
    assert second.checkpoint["since_id"] == max(asked, key=int)
    assert "pagination_token" not in second.checkpoint


async def test_a_refused_stored_page_token_reads_again_from_the_newest(fake, fake_sleep):
    ids = conversation(fake)
    c, wire = build(fake, fake_sleep)

    def refuse(request):
        if request.url.params.get("pagination_token") == "stale":
            return httpx.Response(400, json={"title": "Invalid Request", "detail": "bad token"})
        return None

    wire.intercept = refuse
    stored = {"pagination_token": "stale", "newest_id": ids["omar"],
              "start_time": "2026-11-28T08:00:00Z"}  # fmt: skip
    result = await c.fetch(stored)
    assert sorted(q.native_id for q in result.questions) == sorted([ids["jane2"], ids["omar"]])
    assert any("stored page token was refused" in note for note in c.fetch_notes())
    assert result.checkpoint["since_id"] == ids["omar"]


async def test_a_page_token_named_again_ends_the_walk_with_a_note(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    following = {None: "A", "A": "B", "B": "A"}

    def looping(request):
        if not request.url.path.endswith("/mentions"):
            return None
        token = following[request.url.params.get("pagination_token")]
        return httpx.Response(200, json={"data": [], "meta": {"result_count": 0,
                                                              "next_token": token}})  # fmt: skip

    wire.intercept = looping
    result = await c.fetch(None)
    assert [r.url.params.get("pagination_token") for r in wire.of("/mentions")] == [None, "A", "B"]
    assert "pages of posts: the service named a page already read" in " ".join(c.fetch_notes())
    assert "pagination_token" not in (result.checkpoint or {})  # not kept to loop again


async def test_a_mention_whose_id_is_not_ascii_digits_costs_only_itself(fake, fake_sleep):
    ids = conversation(fake)
    c, _ = build(fake, fake_sleep)
    original = fake.respond

    def with_a_bad_id(seen):
        answer = original(seen)
        if seen.path.endswith("/mentions") and isinstance(answer.body, dict):
            answer.body["data"] = [{**answer.body["data"][0], "id": "²"}, *answer.body["data"]]
        return answer

    fake.respond = with_a_bad_id
    result = await c.fetch(None)
    assert sorted(q.native_id for q in result.questions) == sorted([ids["jane2"], ids["omar"]])
    assert any("id must be a number" in w for w in result.warnings)


async def test_a_second_fetch_asks_only_for_what_is_new(fake, fake_sleep):
    ids = conversation(fake)
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    newer = fake.mention(OMAR, "@acme hello again")["id"]
    wire.requests.clear()
    second = await c.fetch(first.checkpoint)
    [mentions] = wire.of("/mentions")
    assert mentions.url.params["since_id"] == ids["omar"]
    assert "start_time" not in mentions.url.params
    [own] = wire.of("/tweets")
    assert own.url.params["since_id"] == ids["answer"]
    assert [q.native_id for q in second.questions] == [newer]
    assert second.checkpoint["since_id"] == newer
    third = await c.fetch(second.checkpoint)
    assert third.questions == [] and third.checkpoint == second.checkpoint


async def test_an_answer_in_between_settles_the_stored_question(fake, fake_sleep):
    ids = conversation(fake)
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    asked = by_native(first.questions)[ids["omar"]]
    answer = fake.brand_replies(ids["omar"], "yes, we ship to Norway")
    second = await c.fetch(first.checkpoint)
    [settled] = second.settled
    assert settled.id == asked.id and settled.meta["team_answered"] is True
    assert settled.author.handle == "@omar" and settled.body == asked.body
    answers = await c.answers_since(asked, asked.created_at)
    assert [a.body for a in answers] == ["@omar yes, we ship to Norway"]
    assert answers[0].created_at == datetime.fromisoformat(answer["created_at"])


async def test_own_posts_and_retweets_are_left_out(fake, fake_sleep):
    fake.post(BRAND_ID, "@acme team: new release today")
    original = fake.mention(OMAR, "@acme love it")["id"]
    fake.post(JANE, "RT @omar: @acme love it", retweet_of=original)
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert [q.native_id for q in result.questions] == [original]


# -- replies -------------------------------------------------------------------------
async def test_a_reply_goes_to_the_post_once_with_its_id(fake, fake_sleep):
    ids = conversation(fake)
    c, wire = build(fake, fake_sleep)
    question = by_native((await c.fetch(None)).questions)[ids["omar"]]
    wire.requests.clear()
    sent = await c.send_reply(question, "Yes, we ship to Norway & Sweden <3", "key-1")
    [post] = wire.requests
    assert (post.method, post.url.path) == ("POST", "/2/tweets")
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    assert json.loads(post.content) == {
        "text": "Yes, we ship to Norway & Sweden <3",
        "reply": {"in_reply_to_tweet_id": ids["omar"]},
    }
    assert sent.remote_id == fake.tweets[sent.remote_id]["id"]
    assert sent.url == f"https://x.com/i/web/status/{sent.remote_id}"
    assert len(fake.replies) == 1


async def test_a_reply_over_280_weighted_characters_is_refused_before_sending(fake, fake_sleep):
    ids = conversation(fake)
    c, wire = build(fake, fake_sleep)
    question = by_native((await c.fetch(None)).questions)[ids["omar"]]
    wire.requests.clear()
    text = "日本" * 70 + "!"  # 141 characters, 281 as X counts them
    assert len(text) < 280 and c.reply_length(text) == 281
    with pytest.raises(ReplyRejected, match="281 characters as X counts them"):
        await c.send_reply(question, text, "k")
    assert wire.requests == []


async def test_an_unknown_outcome_is_resolved_by_finding_our_reply(fake, fake_sleep):
    ids = conversation(fake)
    c, wire = build(fake, fake_sleep)
    question = by_native((await c.fetch(None)).questions)[ids["omar"]]
    fake.brand_replies(ids["omar"], "See https://acme.example/shipping")  # not ours yet

    def applied_then_cut(request):
        if request.method == "POST":
            seen = Seen("POST", "/2/tweets", {}, {k.lower(): v for k, v in request.headers.items()},
                        request.content)  # fmt: skip
            fake.respond(seen)  # X posts it, the answer is lost
            raise httpx.ReadError("connection reset", request=request)
        return None

    wire.intercept = applied_then_cut
    body = "Yes! Details: https://acme.example/ship"
    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(question, body, "key-1")
    assert may_have_reached_service(caught.value)
    assert len(fake.replies) == 1 and len(wire.paths("POST")) == 1
    posted = fake.replies[0]
    ours = next(t for t in fake.tweets.values() if t["text"].endswith("/ship"))
    ours["text"] = "Yes! Details: https://t.co/AbCdEf123"  # X shortens the link
    found = await c.find_own_reply(question, body, "key-1")
    assert posted["text"] == body
    assert found is not None and found.remote_id == ours["id"]
    lookup = wire.of(f"/users/{BRAND_ID}/tweets")[-1]
    assert lookup.url.params["since_id"] == ids["omar"]
    assert await c.find_own_reply(question, "Something else", "key-2") is None


async def test_a_duplicate_reply_is_a_one_line_refusal(fake, fake_sleep):
    ids = conversation(fake)
    c, _ = build(fake, fake_sleep)
    question = by_native((await c.fetch(None)).questions)[ids["omar"]]
    await c.send_reply(question, "Thanks!", "k1")
    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(question, "Thanks!", "k2")
    text = str(caught.value)
    assert "duplicate content" in text and "HTTP 403" in text and "\n" not in text
    assert not may_have_reached_service(caught.value) and not isinstance(caught.value, AuthError)


# -- rate limits and refusals ------------------------------------------------------------
async def test_a_429_waits_until_x_rate_limit_reset(fake, fake_sleep):
    conversation(fake)
    fake.throttle(reset=T0 + 42)
    c, _ = build(fake, fake_sleep, wall_clock=lambda: T0)
    result = await c.fetch(None)
    assert len(result.questions) == 2 and fake_sleep.calls == [42.0]


async def test_a_429_on_a_reply_is_not_waited_out_and_not_delivered(fake, fake_sleep):
    ids = conversation(fake)
    c, _ = build(fake, fake_sleep)
    question = by_native((await c.fetch(None)).questions)[ids["omar"]]
    fake.throttle(reset=T0 + 30)
    with pytest.raises(RateLimited) as caught:
        await c.send_reply(question, "Hi", "k")
    assert caught.value.retry_after == 30 and fake_sleep.calls == []
    assert not may_have_reached_service(caught.value) and fake.replies == []


async def test_the_usage_cap_is_a_clear_one_line_error(fake, fake_sleep):
    fake.throttle(reset=T0 + 30, usage_capped=True)
    c, _ = build(fake, fake_sleep)
    with pytest.raises(RateLimited) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert "usage cap is used up" in text and "usage-capped" in text and "\n" not in text
    assert fake_sleep.calls == []


@pytest.mark.parametrize(("status", "said"), [(401, "refused the credentials"), (403, "denied")])
async def test_401_and_403_are_one_line_auth_errors_without_the_token(
    fake, fake_sleep, status, said
):
    c, wire = build(fake, fake_sleep)
    echo = {"title": "Unauthorized", "detail": f"bad token {TOKEN}", "status": status}
    wire.intercept = lambda request: httpx.Response(status, json=echo)
    with pytest.raises(AuthError) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert said in text and "access token" in text and "\n" not in text
    assert TOKEN not in text


async def test_an_expired_token_is_refreshed_once_and_reused(fake, fake_sleep, memory_keyring):
    memory_keyring.set_password("cxdaily", "x:refresh_token", REFRESH)
    conversation(fake)
    fake.expire_token()
    c, wire = build(fake, fake_sleep, client_id=CLIENT_ID)
    result = await c.fetch(None)
    assert len(result.questions) == 2
    [form] = fake.refreshes
    assert form == {"grant_type": ["refresh_token"], "refresh_token": [REFRESH],
                    "client_id": [CLIENT_ID]}  # fmt: skip
    assert wire.of("/oauth2/token")[0].url.host == "api.x.com"
    assert wire.requests[-1].headers["authorization"] == f"Bearer {TOKEN}-refreshed-1"
    again, wire2 = build(fake, fake_sleep, client_id=CLIENT_ID)  # a new operation, same process
    await again.check()
    assert len(fake.refreshes) == 1
    assert wire2.requests[0].headers["authorization"] == f"Bearer {TOKEN}-refreshed-1"
    fake.expire_token()  # expires again: the rotated refresh token is used
    await again.check()
    assert fake.refreshes[-1]["refresh_token"] == [f"{REFRESH}-rotated-1"]


async def test_a_refused_refresh_token_says_how_to_store_a_new_one(
    fake, fake_sleep, memory_keyring
):
    memory_keyring.set_password("cxdaily", "x:refresh_token", "stale-refresh-token")
    fake.expire_token()
    c, _ = build(fake, fake_sleep)
    with pytest.raises(AuthError) as caught:
        await c.check()
    text = str(caught.value)
    assert "refused the refresh token (HTTP 400" in text
    assert "cxdaily login x --field refresh_token" in text and "stale-refresh" not in text


# -- malformed and hostile content -------------------------------------------------------
async def test_a_malformed_page_is_a_one_line_error(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: httpx.Response(200, json={"data": {"id": "1"}, "meta": {}})
    with pytest.raises(BadResponseError, match="without a list of posts") as caught:
        await c.fetch(None)
    assert "\n" not in str(caught.value)


async def test_one_malformed_mention_costs_only_itself(fake, fake_sleep):
    ids = conversation(fake)
    fake.tweets[ids["jane2"]]["created_at"] = "yesterday"
    bad = fake.mention(OMAR, "@acme hi")
    bad["id"] = {"not": "an id"}
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert [q.native_id for q in result.questions] == [ids["omar"]]
    assert sorted(w.split(": ", 1)[1] for w in result.warnings) == [
        "created_at = 'yesterday' is not an ISO-8601 timestamp",
        "id must be a string or an integer",
    ]


async def test_missing_includes_cost_only_the_author_and_context(fake, fake_sleep):
    ids = conversation(fake)
    c, wire = build(fake, fake_sleep)

    def without_includes(request):
        if not request.url.path.endswith("/mentions"):
            return None
        page = json.loads(
            wire.fake.respond(
                Seen(
                    "GET",
                    request.url.path,
                    parse_qs(request.url.query.decode()),
                    {"authorization": f"Bearer {TOKEN}"},
                    b"",
                )
            ).payload()[0]
        )
        del page["includes"]
        return httpx.Response(200, json=page)  # fmt: skip

    wire.intercept = without_includes
    result = await c.fetch(None)
    later = by_native(result.questions)[ids["jane2"]]
    assert later.author.id == JANE and later.author.handle is None and later.context == ()
    assert later.url == f"https://x.com/i/web/status/{ids['jane2']}"
    assert result.warnings == [
        f"post {ids['jane2']}: the post it replies to is not readable (deleted or protected); "
        "shown without it"
    ]


async def test_a_failed_read_of_our_own_posts_costs_only_the_settling(fake, fake_sleep):
    ids = conversation(fake)
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: (
        httpx.Response(503, json={"title": "Service Unavailable"})
        if r.url.path.endswith("/tweets") else None
    )  # fmt: skip
    result = await c.fetch(None)
    assert ids["jane1"] in by_native(result.questions)  # not known to be answered this time
    assert "own posts could not be read" in result.warnings[0]
    assert "own_since_id" not in result.checkpoint


async def test_hostile_text_arrives_clean(fake, fake_sleep):
    hostile = "\x1b]52;c;cGF5bG9hZA==\x07\u202eevil\u200b\ud800 [@click=app.quit]x[/]"
    fake.users[OMAR]["name"] = "N" * 10_000 + hostile
    fake.users[OMAR]["username"] = "omar\x1b[2J"  # not a username: left out
    tweet = fake.mention(OMAR, "@acme <b>bold</b> & " + hostile)
    c, _ = build(fake, fake_sleep)
    [question] = (await c.fetch(None)).questions
    assert question.body.startswith("@acme <b>bold</b> & ")  # X's &lt; &amp; read back
    assert "\x1b" not in question.body and "\ufffd" in question.body
    assert question.author.name.startswith("N" * 200) and len(question.author.name) == 200
    assert question.author.handle is None
    assert question.url == f"https://x.com/i/web/status/{tweet['id']}"
    for text in (question.body, question.author.name):
        text.encode("utf-8")
        assert "\x1b" not in clean(text) and "\u202e" not in clean(text)
    json.dumps(question.to_dict(), ensure_ascii=False).encode("utf-8")


async def test_the_token_appears_in_no_error_or_warning(fake, fake_sleep, monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_X", TOKEN + "\n")
    conversation(fake)
    c, wire = build(fake, fake_sleep)

    def echo(request):
        said = {"title": "Server Error", "detail": f"{request.headers.get('authorization')}"}
        return httpx.Response(500, json=said)

    wire.intercept = echo
    with pytest.raises(ConnectorError) as caught:
        await c.fetch(None)
    assert "HTTP 500" in str(caught.value) and TOKEN not in str(caught.value)
    wire.intercept = lambda r: echo(r) if r.url.path.endswith("/tweets") else None
    result = await c.fetch(None)
    assert result.warnings and all(TOKEN not in w for w in result.warnings)


# -- addresses and check ------------------------------------------------------------------
async def test_base_url_web_url_and_token_url_change_every_address(
    fake, fake_sleep, memory_keyring
):
    memory_keyring.set_password("cxdaily", "x:refresh_token", REFRESH)
    ids = conversation(fake)
    fake.expire_token()
    c, wire = build(
        fake, fake_sleep, base_url="https://x.proxy.example/api",
        web_url="https://twitter.example", token_url="https://x.proxy.example/api/2/oauth2/token",
    )  # fmt: skip
    result = await c.fetch(None)
    await c.send_reply(by_native(result.questions)[ids["omar"]], "Hi", "k")
    assert {r.url.host for r in wire.requests} == {"x.proxy.example"}
    assert all(r.url.path.startswith("/api/2/") for r in wire.requests)
    assert by_native(result.questions)[ids["omar"]].url.startswith("https://twitter.example/omar/")


async def test_credentials_never_go_to_another_host(fake, fake_sleep, memory_keyring):
    memory_keyring.set_password("cxdaily", "x:refresh_token", REFRESH)
    fake.expire_token()
    c, wire = build(fake, fake_sleep, base_url="https://api.x.com")
    c.token_url = "https://evil.example/2/oauth2/token"  # not a configured address
    with pytest.raises(ConnectorError, match="refusing to send the refresh token"):
        await c.check()
    assert all(r.url.host == "api.x.com" for r in wire.requests)


async def test_check_names_the_account(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    assert await c.check() == "signed in as @acme on api.x.com"
    assert wire.paths() == ["/2/users/me"]
    other, _ = build(fake, fake_sleep, user_id="42")
    assert "note: user_id is 42" in await other.check()


async def test_a_long_post_is_read_whole_from_note_tweet(fake, fake_sleep):
    """X cuts ``text`` of a post over 280 characters and sends the whole text in
    ``note_tweet.text``, only when ``tweet.fields`` asks for ``note_tweet``."""
    whole = "@acme " + "my invoice export stops halfway through the year " * 8 + "why?"
    cut = whole[:274] + "…"
    mention = fake.mention(JANE, cut)
    c, wire = build(fake, fake_sleep)

    def with_note_tweet(request):
        if not request.url.path.endswith("/mentions"):
            return None
        if "note_tweet" not in request.url.params.get("tweet.fields", "").split(","):
            return None
        page = {"data": [{**mention, "note_tweet": {"text": whole}}],
                "includes": {"users": [fake.users[JANE]]},
                "meta": {"result_count": 1, "newest_id": mention["id"],
                         "oldest_id": mention["id"]}}  # fmt: skip
        return httpx.Response(200, json=page)

    wire.intercept = with_note_tweet
    result = await c.fetch(None)
    [question] = result.questions
    assert question.body == whole.strip()
    assert result.warnings == []
