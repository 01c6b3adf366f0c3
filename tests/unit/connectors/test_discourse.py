"""The discourse channel: new posts across pages, only newer ones on later fetches, staff
answers settling questions, replies in the topic, and every way the API can fail."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from cxdaily.connectors import connector_class
from cxdaily.connectors import discourse_parse as dp
from cxdaily.connectors.discourse import MAX_PAGES, DiscourseConnector
from cxdaily.connectors.http import BadResponseError, ChannelHttp, HttpPolicy, make_client
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError, RateLimited, ReplyRejected
from cxdaily.core.safe_text import clean
from cxdaily.credentials import secret_reader
from cxdaily.replies.outbox import may_have_reached_service
from cxdaily.settings import ChannelSettings
from tests.integration.discourse_fake_kit import API_KEY, BOT, T0, FakeDiscourse
from tests.integration.loopback_kit import FakeWire, seen_of

BASE = "https://forum.acme.example"
Intercept = Callable[[httpx.Request], httpx.Response | None]


# -- helpers --------------------------------------------------------------------------
class Wire(FakeWire):
    """The fake behind a MockTransport; records every request (hosts included)."""

    def paths(self, method: str = "GET") -> list[str]:
        return [r.url.path for r in self.requests if r.method == method]

    def clear(self) -> None:
        self.requests.clear()


@pytest.fixture(autouse=True)
def key(memory_keyring):
    memory_keyring.set_password("cxdaily", "forum", API_KEY)


@pytest.fixture
def fake() -> FakeDiscourse:
    return FakeDiscourse()


def build(fake, fake_sleep, *, wall_clock=None, policy=None, **options):
    """The connector over the fake; returns it and the wire that saw its requests."""
    wire = Wire(fake, httpx.URL(options.get("base_url", BASE)).path.rstrip("/"))
    options = {"base_url": BASE, "api_username": BOT, **options}
    settings = ChannelSettings(name="forum", kind="discourse", options=options)
    client = make_client(transport=httpx.MockTransport(wire))
    connector = DiscourseConnector(
        settings, client=client, secrets=secret_reader("forum"), now=lambda: fake.clock
    )
    connector.http = ChannelHttp(
        client, channel="forum", sleep=fake_sleep, rand=lambda: 0.0,
        wall_clock=wall_clock or (lambda: T0.timestamp()), policy=policy or HttpPolicy(),
    )  # fmt: skip
    return connector, wire


def forum(fake: FakeDiscourse) -> dict[str, int]:
    """Three topics: one unanswered, one a staff member answered, one with a new reply."""
    topics = {
        "export": fake.topic("Export fails", "My **export** fails with an error."),
        "billing": fake.topic("Yearly billing", "Can I pay yearly?", by="omar"),
        "lounge": fake.topic("Hello all", "Just saying hi.", category=7),
    }
    fake.write(topics["billing"], "Yes: Settings, Billing.", by="anna", reply_to=1)
    fake.write(topics["export"], "Same here since Monday.", by="omar", reply_to=1)
    return topics


def bodies(questions) -> list[str]:
    return sorted(q.body for q in questions)


# -- registration and options ----------------------------------------------------------
def test_registered_as_a_builtin_kind():
    assert connector_class("discourse") is DiscourseConnector


@pytest.mark.parametrize("missing", ["base_url", "api_username"])
def test_a_missing_required_option_is_a_one_line_config_error(missing):
    options = {"base_url": BASE, "api_username": BOT}
    del options[missing]
    with pytest.raises(ConfigError) as caught:
        DiscourseConnector(ChannelSettings(name="forum", kind="discourse", options=options))
    assert str(caught.value).startswith("[channels.forum] needs " + missing)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(["Support", 12], ("support", "12")), ("support, billing ,", ("support", "billing")),
     (12, ("12",))],
)  # fmt: skip
def test_categories_take_a_list_or_comma_separated_text(raw, expected):
    options = {"base_url": BASE, "api_username": BOT, "categories": raw}
    c = DiscourseConnector(ChannelSettings(name="forum", kind="discourse", options=options))
    assert c.categories == expected


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [("categories", [{"a": 1}], "must be category slugs or ids"),
     ("categories", ["a b"], "is not a category slug"),
     ("api_username", "bot/../admin", "must be a Discourse username")],
)  # fmt: skip
def test_bad_options_are_refused(option, value, said):
    options = {"base_url": BASE, "api_username": BOT, option: value}
    with pytest.raises(ConfigError, match=said):
        DiscourseConnector(ChannelSettings(name="forum", kind="discourse", options=options))


async def test_base_url_changes_every_address(fake, fake_sleep):
    forum(fake)
    c, wire = build(fake, fake_sleep, base_url="https://proxy.example/forum")
    result = await c.fetch(None)
    await c.send_reply(result.questions[0], "We are on it.", "k1")
    assert {r.url.host for r in wire.requests} == {"proxy.example"}
    assert all(r.url.path.startswith("/forum/") for r in wire.requests)
    assert all(q.url.startswith("https://proxy.example/forum/t/") for q in result.questions)


# -- fetching ------------------------------------------------------------------------
async def test_a_first_fetch_reads_every_page_back_to_since_days(fake, fake_sleep):
    old = fake.topic("Ancient", "From long ago.")
    fake.posts[fake.topics[old]["post_ids"][0]]["created_at"] = "2026-11-01T08:00:00.000Z"
    topics = forum(fake)
    fake.page_size = 2
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert bodies(result.questions) == [
        "Just saying hi.", "My **export** fails with an error.", "Same here since Monday."
    ]  # fmt: skip
    assert bodies(result.settled) == ["Can I pay yearly?"]
    assert result.warnings == []
    pages = [r for r in wire.requests if r.url.path == "/posts.json"]
    assert [r.url.params.get("before") for r in pages] == [None, "104", "102"]  # 100 is old
    export = next(q for q in result.questions if q.body.startswith("My"))
    assert export.title == "Export fails" and export.native_id == "101"
    assert export.thread_id == f"{topics['export']}:1"
    assert export.url == f"{BASE}/t/export-fails/{topics['export']}/1"
    assert export.author.handle == "jane" and export.author.name == "Jane Roe"
    assert export.author.id == "1" and export.author.followers is None
    assert export.meta["trust_level"] == 1 and export.meta["first_post"] is True
    assert export.created_at == T0 + timedelta(minutes=2)
    reply = next(q for q in result.questions if q.body.startswith("Same"))
    assert reply.thread_id == f"{topics['export']}:2" and reply.meta["reply_to_post_number"] == 1
    assert [(m.author.handle, m.body) for m in reply.context] == [
        ("jane", "My **export** fails with an error.")
    ]
    assert result.checkpoint == {"last_post_id": "105"}
    json.dumps(result.checkpoint)


async def test_a_second_fetch_asks_only_for_what_is_new(fake, fake_sleep):
    topics = forum(fake)
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    fake.write(topics["lounge"], "Anyone from Berlin here?", by="omar")
    wire.clear()
    second = await c.fetch(first.checkpoint)
    pages = [r for r in wire.requests if r.url.path == "/posts.json"]
    assert [r.url.params.get("before") for r in pages] == [None]  # reached the checkpoint
    assert bodies(second.questions) == ["Anyone from Berlin here?"]
    assert second.checkpoint == {"last_post_id": "105"}
    assert [m.body for m in second.questions[0].context] == ["Just saying hi."]
    wire.clear()
    third = await c.fetch(second.checkpoint)
    assert third.questions == [] and third.settled == []
    assert wire.paths() == ["/posts.json"]


async def test_a_staff_answer_settles_the_question_and_shows_as_an_answer(fake, fake_sleep):
    topics = forum(fake)
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    asked = next(q for q in first.questions if q.body.startswith("My"))
    fake.write(topics["export"], "Fixed in **2.1**.", by="anna", reply_to=2)
    second = await c.fetch(first.checkpoint)
    assert second.questions == []
    assert sorted(q.id for q in second.settled) == ["forum:100", "forum:104"]
    assert all(q.meta["team_answered"] is True for q in second.settled)
    answers = await c.answers_since(asked, asked.created_at)
    assert [(a.author.handle, a.body) for a in answers] == [("anna", "Fixed in 2.1.")]


async def test_our_own_posts_and_whispers_are_not_questions(fake, fake_sleep):
    topic = fake.topic("Login", "I cannot log in.")
    fake.write(topic, "Internal note.", by="anna")["post_type"] = 4  # a whisper
    fake.write(topic, "Did you try the reset link?", by=BOT)
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert result.questions == []
    assert [q.body for q in result.settled] == ["I cannot log in."]


async def test_only_watched_categories_and_their_subcategories(fake, fake_sleep):
    forum(fake)
    fake.topic("Invoice", "Where is my invoice?", category=9)
    c, wire = build(fake, fake_sleep, categories="support")
    result = await c.fetch(None)
    assert bodies(result.questions) == [
        "My **export** fails with an error.", "Same here since Monday.", "Where is my invoice?"
    ]  # fmt: skip
    [listing] = [r for r in wire.requests if r.url.path == "/categories.json"]
    assert listing.url.params["include_subcategories"] == "true"


async def test_an_unknown_category_is_a_warning_and_none_known_is_an_error(fake, fake_sleep):
    forum(fake)
    c, _ = build(fake, fake_sleep, categories=["lounge", "nope"])
    result = await c.fetch(None)
    assert bodies(result.questions) == ["Just saying hi."]
    assert result.warnings == ["category 'nope' is not on the forum (or the key cannot see it)"]
    c, _ = build(fake, fake_sleep, categories=["nope"])
    with pytest.raises(ConnectorError, match="none of the categories nope"):
        await c.fetch(None)


@pytest.mark.parametrize(("status", "again"), [(502, True), (404, False)])
async def test_posts_of_subcategories_left_out_by_a_passing_failure_are_read_next_time(
    fake, fake_sleep, status, again
):
    """Newer posts must not move the checkpoint past posts of a subcategory left out
    because a 5xx kept the categories from being read: the next fetch reads them (a 404
    would come again: skipped)."""
    invoice = fake.topic("Invoice", "Where is my invoice?", category=9)
    export = fake.topic("Export fails", "My export fails.", by="omar")
    failing = [True]
    c, wire = build(fake, fake_sleep, categories=[5])
    wire.intercept = lambda r: (
        httpx.Response(status, json={"errors": ["Server error"]})
        if failing[0] and r.url.path == "/categories.json" else None
    )  # fmt: skip
    first = await c.fetch(None)
    assert bodies(first.questions) == ["My export fails."]
    assert ("read again by the next fetch" in first.warnings[0]) is again
    newest = str(fake.topics[export]["post_ids"][-1])
    assert (first.checkpoint["last_post_id"] != newest) is again
    failing[0] = False
    second = await c.fetch(first.checkpoint)
    asked = [q.thread_id for q in second.questions]
    assert (f"{invoice}:1" in asked) is again  # a customer's question, not lost
    assert second.warnings == []


async def test_a_fetch_stopped_by_the_page_cap_reads_the_rest_next_time(fake, fake_sleep):
    topic = fake.topic("Busy", "First.")
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    fake.page_size = 1
    for n in range(MAX_PAGES + 5):
        fake.write(topic, f"Reply {n}.", by="omar")
    wire.clear()
    second = await c.fetch(first.checkpoint)
    assert len(second.questions) == MAX_PAGES
    assert second.checkpoint["last_post_id"] == str(100 + MAX_PAGES + 5)
    assert second.checkpoint["gap"] == [str(100 + 5 + 1), "100"]
    assert any("page cap" in note for note in c.fetch_notes())
    third = await c.fetch(second.checkpoint)
    assert sorted(q.body for q in third.questions) == [f"Reply {n}." for n in range(5)]
    assert third.checkpoint == {"last_post_id": str(100 + MAX_PAGES + 5)}


def id_window_pages(fake: FakeDiscourse) -> Intercept:
    """``/posts.json`` as Discourse answered it before ``LatestPostsQuery``: ``before=N``
    gives the visible posts whose ids are ``N-49..N`` (``N`` included), newest first."""

    def answer(request: httpx.Request) -> httpx.Response | None:
        if request.url.path != "/posts.json" or request.method != "GET":
            return None
        top = int(request.url.params.get("before") or max(fake.posts))
        ids = sorted((i for i in fake.posts if top - 50 < i <= top), reverse=True)
        return httpx.Response(200, json={"latest_posts": [fake.posts[i] for i in ids]})

    return answer


async def test_an_id_window_with_nothing_visible_is_not_the_end(fake, fake_sleep):
    fake.next_post_id = 900
    fake.topic("Sync", "Sync stopped overnight.")
    fake.next_post_id = 1000  # 901-999: private messages and small actions the key cannot see
    fake.topic("Export", "Export fails.", by="omar")
    c, wire = build(fake, fake_sleep)
    wire.intercept = id_window_pages(fake)
    result = await c.fetch({"last_post_id": "850"})
    assert bodies(result.questions) == ["Export fails.", "Sync stopped overnight."]
    pages = [r.url.params.get("before") for r in wire.requests if r.url.path == "/posts.json"]
    assert pages == [None, "1000", "950", "900"]
    assert result.checkpoint == {"last_post_id": "1000"}
    assert result.warnings == []


async def test_a_page_reaching_below_one_window_makes_an_empty_page_the_end(fake, fake_sleep):
    fake.topic("Old", "Still here.")
    fake.next_post_id = 1000
    fake.topic("New", "Just asked.")
    fake.page_size = 1
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert bodies(result.questions) == ["Just asked.", "Still here."]
    pages = [r.url.params.get("before") for r in wire.requests if r.url.path == "/posts.json"]
    assert pages == [None, "1000", "100"]


# -- replies -------------------------------------------------------------------------
async def test_a_reply_is_posted_once_in_the_topic_to_the_post(fake, fake_sleep):
    topics = forum(fake)
    c, wire = build(fake, fake_sleep)
    question = next(q for q in (await c.fetch(None)).questions if q.body.startswith("Same"))
    wire.clear()
    sent = await c.send_reply(question, "Thanks Omar, a fix ships **today**.", "key-1")
    [post] = wire.requests
    assert (post.method, post.url.path) == ("POST", "/posts.json")
    assert post.headers["api-key"] == API_KEY and post.headers["api-username"] == BOT
    assert json.loads(post.content) == {
        "topic_id": topics["export"],
        "raw": "Thanks Omar, a fix ships **today**.",
        "reply_to_post_number": 2,
    }
    assert sent.remote_id == "105"
    assert sent.url == f"{BASE}/t/export-fails/{topics['export']}/3"


async def test_a_reply_over_the_length_limit_is_refused_before_sending(fake, fake_sleep):
    forum(fake)
    c, wire = build(fake, fake_sleep)
    question = (await c.fetch(None)).questions[0]
    wire.clear()
    with pytest.raises(ReplyRejected, match="32001 characters; Discourse takes at most 32000"):
        await c.send_reply(question, "é" * 32_001, "k")
    assert wire.requests == [] and c.reply_length("é" * 32_000) == 32_000


async def test_a_body_too_similar_is_a_one_line_error_and_nothing_is_sent(fake, fake_sleep):
    forum(fake)
    c, _ = build(fake, fake_sleep)
    questions = (await c.fetch(None)).questions
    await c.send_reply(questions[0], "We are looking into it.", "k1")
    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(questions[1], "We are looking into it.", "k2")
    text = str(caught.value)
    assert "Body is too similar to what you recently posted" in text and "\n" not in text
    assert "nothing was posted" in text and not may_have_reached_service(caught.value)
    assert len(fake.replies) == 1


async def test_an_unknown_outcome_is_resolved_by_finding_our_reply(fake, fake_sleep):
    topics = forum(fake)
    fake.chunk_size = 2  # our reply is not among the posts the topic carries
    fake.write(topics["export"], "Thanks **Omar**.", by="anna", reply_to=2)  # not ours
    fake.write(topics["export"], "Still failing.", by="omar")
    c, wire = build(fake, fake_sleep)
    question = next(q for q in (await c.fetch(None)).questions if q.body == "Still failing.")

    def applied_then_cut(request):
        if request.method == "POST":
            fake.respond(seen_of(request))  # the forum applies it, the answer is lost
            raise httpx.ReadError("connection reset", request=request)
        return None

    wire.intercept = applied_then_cut
    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(question, "Thanks **Omar**.", "key-1")
    assert may_have_reached_service(caught.value)
    assert len(fake.replies) == 1 and len(wire.paths("POST")) == 1  # never sent twice
    wire.intercept = None
    found = await c.find_own_reply(question, "Thanks **Omar**.", "key-1")
    assert found is not None and found.remote_id == "107"
    assert found.url == f"{BASE}/t/export-fails/{topics['export']}/5"
    assert "/posts/107.json" in wire.paths()  # its Markdown compared
    assert await c.find_own_reply(question, "Something else.", "key-2") is None


# -- failures ------------------------------------------------------------------------
async def test_a_429_waits_as_long_as_discourse_asks(fake, fake_sleep):
    forum(fake)
    fake.throttle({"Retry-After": "12"})  # Discourse's own body says 12 as well
    fake.throttle(body={"errors": ["Slow down"], "extras": {"wait_seconds": 30}})  # body only
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert len(result.questions) == 3
    assert fake_sleep.calls == [12.0, 30.0]


async def test_a_throttled_reply_is_not_repeated_and_says_how_long_to_wait(fake, fake_sleep):
    forum(fake)
    c, wire = build(fake, fake_sleep)
    question = (await c.fetch(None)).questions[0]
    fake.throttle(body={"errors": ["Too many"], "extras": {"wait_seconds": 42}})
    wire.clear()
    with pytest.raises(RateLimited) as caught:
        await c.send_reply(question, "Hi there, thanks.", "k")
    assert caught.value.retry_after == 42.0 and len(wire.paths("POST")) == 1
    assert fake.replies == [] and fake_sleep.calls == []


async def test_a_wait_longer_than_allowed_fails_fast(fake, fake_sleep):
    fake.throttle(body={"extras": {"wait_seconds": 1e300}})
    c, _ = build(fake, fake_sleep)
    with pytest.raises(RateLimited, match="wait 86400 s"):
        await c.fetch(None)
    assert fake_sleep.calls == []


@pytest.mark.parametrize(("status", "said"), [(401, "refused the credentials"), (403, "denied")])
async def test_401_and_403_are_one_line_auth_errors_without_the_key(fake, fake_sleep, status, said):
    c, wire = build(fake, fake_sleep)
    echo = {"errors": [f"bad key {API_KEY}"], "error_type": "invalid_access"}
    wire.intercept = lambda request: httpx.Response(status, json=echo)
    with pytest.raises(AuthError) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert said in text and "API key" in text and "\n" not in text
    assert API_KEY not in text


async def test_a_wrong_key_is_refused_by_the_fake(fake, fake_sleep):
    fake.api_key = "another-key-entirely"
    c, _ = build(fake, fake_sleep)
    with pytest.raises(AuthError, match="HTTP 403"):
        await c.check()


async def test_a_malformed_page_is_a_one_line_error(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda request: httpx.Response(200, json={"topic_list": {"topics": []}})
    with pytest.raises(BadResponseError, match="not with posts") as caught:
        await c.fetch(None)
    assert "\n" not in str(caught.value)


async def test_one_malformed_post_costs_only_itself(fake, fake_sleep):
    forum(fake)
    fake.posts[101]["created_at"] = "yesterday"
    fake.posts[102]["username"] = None
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert bodies(result.questions) == ["My **export** fails with an error.",
                                        "Same here since Monday."]  # fmt: skip
    assert sorted(result.warnings) == [
        "page 1, post 3 (102): post.username is missing",
        "page 1, post 4 (101): post.created_at = 'yesterday' is not an ISO-8601 timestamp",
    ]


@pytest.mark.parametrize("failure", ["404", "timeout", "not json"])
async def test_a_topic_that_cannot_be_read_costs_only_its_context(fake, fake_sleep, failure):
    topics = forum(fake)
    c, wire = build(fake, fake_sleep)

    def break_topic(request):
        if request.url.path != f"/t/{topics['export']}.json":
            return None
        if failure == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if failure == "404":
            return httpx.Response(404, json={"errors": [f"gone {API_KEY}"]})
        return httpx.Response(200, text="<html>oops</html>")

    wire.intercept = break_topic
    result = await c.fetch(None)
    assert len(result.questions) == 3
    reply = next(q for q in result.questions if q.body.startswith("Same"))
    # only the posts this fetch read itself (the topic's Markdown, not its HTML)
    assert [m.body for m in reply.context] == ["My **export** fails with an error."]
    [warning] = result.warnings
    assert warning.startswith(f"topic {topics['export']}: context unavailable")
    assert API_KEY not in warning
    assert ("read again by the next fetch" in warning) is (failure == "timeout")


async def test_a_staff_answer_whose_topic_read_may_pass_settles_with_the_next_fetch(
    fake, fake_sleep
):
    topics = forum(fake)
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    fake.write(topics["export"], "Fixed in **2.1**.", by="anna", reply_to=2)
    failing = [True]
    wire.intercept = lambda r: (
        httpx.Response(503) if failing[0] and r.url.path == f"/t/{topics['export']}.json" else None
    )
    second = await c.fetch(first.checkpoint)
    assert second.checkpoint == first.checkpoint  # the topic is read again next time
    failing[0] = False
    third = await c.fetch(second.checkpoint)
    assert sorted(q.id for q in third.settled) == ["forum:100", "forum:104"]


async def test_hostile_text_arrives_clean(fake, fake_sleep):
    hostile = "\x1b]52;c;cGF5bG9hZA==\x07\u202eevil\u200b\ud800 [@click=app.quit]x[/]"
    fake.user("mallory", "N" * 10_000 + hostile, trust_level=0)
    topic = fake.topic(hostile, "placeholder", by="mallory")
    post = fake.posts[fake.topics[topic]["post_ids"][0]]
    post["raw"] = None  # only the HTML: converted to text
    post["cooked"] = f"<p>{hostile}</p><script>alert('{hostile}')</script><b>bold</b>"
    post["topic_slug"] = "a/../../admin?x=1"
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert result.warnings == []
    [question] = result.questions
    for text in (question.body, question.title, question.author.name, question.author.handle):
        text.encode("utf-8")  # no lone surrogate is left
        assert "\x1b" not in clean(text) and "\u202e" not in clean(text)
    assert question.title == hostile.replace("\ud800", "\ufffd")
    assert question.author.name == "N" * 1000  # cut, not refused
    assert "alert" not in question.body and "bold" in question.body
    assert question.url == f"{BASE}/t/a%2F..%2F..%2Fadmin%3Fx%3D1/{topic}/1"
    json.dumps(question.to_dict(), ensure_ascii=False).encode("utf-8")


async def test_the_key_appears_in_no_error_or_warning(fake, fake_sleep, monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_FORUM", API_KEY + "\n")  # as an env file often has it
    forum(fake)
    c, wire = build(fake, fake_sleep)

    def echo(request):  # a forum that quotes the request's credentials back
        said = {"errors": [f"{request.headers.get('api-key')} {API_KEY}"]}
        return httpx.Response(500, json=said)

    wire.intercept = echo
    with pytest.raises(ConnectorError) as caught:
        await c.fetch(None)
    assert "HTTP 500" in str(caught.value) and API_KEY not in str(caught.value)
    wire.intercept = lambda r: echo(r) if r.url.path.startswith("/t/") else None
    result = await c.fetch(None)
    assert result.warnings and "HTTP 500" in result.warnings[0]
    assert all(API_KEY not in w for w in result.warnings)
    assert wire.requests[-1].headers["api-key"] == API_KEY  # stripped of the newline


async def test_the_key_is_never_sent_to_another_host(fake, fake_sleep):
    c, _ = build(fake, fake_sleep)
    seen: list[httpx.Request] = []
    other = make_client(transport=httpx.MockTransport(lambda r: seen.append(r) or
                                                      httpx.Response(200, json={})))  # fmt: skip
    c.http.client = other
    await c.http.request("GET", "https://elsewhere.example/x", headers=await c._headers())
    assert "api-key" not in seen[0].headers


# -- check and checkpoints ----------------------------------------------------------------
async def test_check_names_the_user_and_the_host(fake, fake_sleep):
    c, wire = build(fake, fake_sleep, categories=["support"])
    said = await c.check()
    assert said == "signed in as support_bot (staff) on forum.acme.example; watching support"
    assert wire.paths() == ["/session/current.json"]


async def test_check_says_when_the_key_signs_in_as_nobody(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda request: httpx.Response(404, json={"errors": ["not found"]})
    with pytest.raises(AuthError, match="did not sign in with the API key as support_bot"):
        await c.check()


@pytest.mark.parametrize(
    "stored",
    [None, [], {"last_post_id": "x"}, {"last_post_id": 10**40}, {"last_post_id": True}],
)
def test_a_damaged_checkpoint_means_a_first_fetch(stored):
    assert dp.read_mark(stored) == (None, None)


def test_a_damaged_gap_is_dropped():
    assert dp.read_mark({"last_post_id": "50", "gap": ["60", "10"]}) == (50, None)
    assert dp.read_mark({"last_post_id": "50", "gap": ["40", "10"]}) == (50, (40, 10))
