"""The facebook channel: Page comments across pages, only what is new on later fetches,
comments the Page answered, Messenger with its 24-hour window, replies in the thread,
and every way the Graph API can fail."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx
import pytest

from cxdaily.connectors import connector_class
from cxdaily.connectors.facebook import FacebookConnector, read_checkpoint
from cxdaily.connectors.http import BadResponseError, ChannelHttp, HttpPolicy, make_client
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError, RateLimited, ReplyRejected
from cxdaily.core.safe_text import clean
from cxdaily.credentials import secret_reader
from cxdaily.replies.outbox import may_have_reached_service
from cxdaily.settings import ChannelSettings
from tests.integration.loopback_kit import FakeWire, seen_of
from tests.integration.meta_graph_fake_kit import (
    PAGE_ID,
    PAGE_NAME,
    T0,
    TOKEN,
    FakeGraph,
    graph_error,
)

BASE = "https://graph.facebook.com"
NOW = datetime.fromtimestamp(T0, UTC) + timedelta(hours=1)


class Wire(FakeWire):
    """The fake behind a MockTransport; records every request (hosts included)."""

    def gets(self, suffix: str = "") -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "GET" and r.url.path.endswith(suffix)]

    def clear(self) -> None:
        self.requests.clear()


@pytest.fixture(autouse=True)
def token(memory_keyring):
    memory_keyring.set_password("cxdaily", "fb", TOKEN)


@pytest.fixture
def fake() -> FakeGraph:
    return FakeGraph()


def build(fake, fake_sleep, *, now=NOW, policy=None, **options):
    """The connector over the fake; returns it and the wire that saw its requests."""
    wire = Wire(fake, httpx.URL(options.get("base_url", BASE)).path.rstrip("/"))
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


def busy_page(fake: FakeGraph) -> dict[str, str]:
    """Three posts (two pages of the feed); comments, replies and the Page's answers."""
    ids = {}
    ids["p1"] = fake.post("We open a new shop on Main Street!")
    ids["c1"] = fake.comment(ids["p1"], "What are the opening hours?")
    ids["c2"] = fake.comment(ids["p1"], "Do you sell decaf?", person=("Bob Bean", "9002"))
    ids["a2"] = fake.comment(ids["p1"], "Yes, all day.", person=None, parent=ids["c2"])
    ids["p2"] = fake.post("Our winter blend is back.")
    ids["c3"] = fake.comment(ids["p2"], "Is it organic?", person=("Cy Dee", "9003"))
    ids["c4"] = fake.comment(ids["p2"], "And fair trade?", person=(), parent=ids["c3"])
    ids["p3"] = fake.post("Closed on Monday.")
    return ids


def native(questions) -> list[str]:
    return sorted(q.native_id for q in questions)


# -- registration and options ---------------------------------------------------------
def test_registered_as_a_builtin_kind_with_the_comment_limit():
    assert connector_class("facebook") is FacebookConnector
    caps = FacebookConnector.capabilities
    assert caps.max_reply_length == 8000 and caps.public and caps.finds_own_replies
    assert not caps.idempotency_keys


def test_a_missing_page_id_is_a_one_line_config_error():
    with pytest.raises(ConfigError) as caught:
        FacebookConnector(ChannelSettings(name="fb", kind="facebook", options={}))
    assert str(caught.value).startswith("[channels.fb] needs page_id")


@pytest.mark.parametrize(("key", "value"), [("page_id", "1/../me"), ("api_version", "26")])
def test_ids_and_versions_that_would_change_the_path_are_refused(key, value):
    options = {"page_id": PAGE_ID, key: value}
    with pytest.raises(ConfigError, match=key):
        FacebookConnector(ChannelSettings(name="fb", kind="facebook", options=options))


async def test_base_url_and_api_version_change_every_address(fake, fake_sleep):
    busy_page(fake)
    fake.chat("t_1", "Hello?")
    c, wire = build(fake, fake_sleep, base_url="http://127.0.0.1:9/graph", messenger=True)
    result = await c.fetch(None)
    await c.send_reply(result.questions[0], "Thanks!", "k")
    assert {(r.url.scheme, r.url.host, r.url.port) for r in wire.requests} == {
        ("http", "127.0.0.1", 9)
    }
    assert all(r.url.path.startswith("/graph/v26.0/") for r in wire.requests)


# -- fetching -----------------------------------------------------------------------
async def test_a_first_fetch_reads_every_page_and_leaves_out_the_page_and_what_it_answered(
    fake, fake_sleep
):
    ids = busy_page(fake)
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert native(result.questions) == sorted([ids["c1"], ids["c3"], ids["c4"]])
    assert native(result.settled) == [ids["c2"]]
    assert result.settled[0].meta["team_answered"] is True
    feeds = wire.gets("/feed")
    assert len(feeds) == 2  # three posts, two per page
    first = feeds[0].url.params
    assert first["since"] == str(int((NOW - timedelta(days=7)).timestamp()))
    assert "comments.limit(100).filter(stream).order(reverse_chronological)" in first["fields"]
    assert feeds[1].url.params["after"] and "access_token" not in str(feeds[1].url)
    c1 = next(q for q in result.questions if q.native_id == ids["c1"])
    assert c1.thread_id == ids["c1"] and c1.url.endswith(f"comment_id={ids['c1']}")
    assert c1.author.name == "Jane Roe" and c1.author.id == "9001"
    assert c1.author.followers is None
    assert [m.body for m in c1.context] == ["We open a new shop on Main Street!"]
    assert c1.meta["source"] == "comment" and c1.meta["post_id"] == ids["p1"]


async def test_a_reply_carries_its_parent_and_an_unknown_author_is_still_a_question(
    fake, fake_sleep
):
    ids = busy_page(fake)
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    reply = next(q for q in result.questions if q.native_id == ids["c4"])
    assert reply.author.id is None and reply.author.name is None
    assert [m.body for m in reply.context] == ["Our winter blend is back.", "Is it organic?"]
    assert reply.meta["parent_id"] == ids["c3"]


async def test_more_comments_than_embedded_are_read_from_the_post(fake, fake_sleep):
    post = fake.post("Giveaway!")
    made = [fake.comment(post, f"Me please {n}", person=(f"P{n}", f"90{n}")) for n in range(6)]
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert native(result.questions) == sorted(made)
    more = wire.gets(f"/{post}/comments")
    assert more and more[0].url.params["filter"] == "stream"
    assert more[0].url.params["order"] == "reverse_chronological"


async def test_a_second_fetch_asks_only_for_what_is_new(fake, fake_sleep):
    ids = busy_page(fake)
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    stored = read_checkpoint(first.checkpoint)
    newest = fake.comments[ids["p2"]][-1]["created_time"]  # c4, the newest comment
    assert stored["after"] == datetime.strptime(newest, "%Y-%m-%dT%H:%M:%S%z")
    new = fake.comment(ids["p3"], "Open on Tuesday?", person=("Di Eve", "9004"))
    fake.comment(ids["p1"], "9 to 5.", person=None, parent=ids["c1"])
    later = NOW + timedelta(hours=2)
    c2, wire = build(fake, fake_sleep, now=later)
    second = await c2.fetch(first.checkpoint)
    assert native(second.questions) == [new]  # c3, c4 were already there
    assert ids["c1"] in native(second.settled)  # answered in between
    since = int(wire.gets("/feed")[0].url.params["since"])
    assert since == int((NOW - timedelta(days=7)).timestamp())  # a week before the last fetch


async def test_answers_since_shows_the_pages_answer(fake, fake_sleep):
    ids = busy_page(fake)
    c, _ = build(fake, fake_sleep)
    question = next(q for q in (await c.fetch(None)).questions if q.native_id == ids["c1"])
    assert await c.answers_since(question, question.created_at) == []
    fake.comment(ids["p1"], "We open at 8.", person=None, parent=ids["c1"])
    answers = await c.answers_since(question, question.created_at)
    assert [a.body for a in answers] == ["We open at 8."]
    assert answers[0].author.name == PAGE_NAME


# -- replying ------------------------------------------------------------------------
async def test_a_reply_goes_to_the_comment_as_a_form_with_the_bearer_token(fake, fake_sleep):
    ids = busy_page(fake)
    c, wire = build(fake, fake_sleep)
    question = next(q for q in (await c.fetch(None)).questions if q.native_id == ids["c1"])
    sent = await c.send_reply(question, "We open at 8, see you!", "key-1")
    [post] = [r for r in wire.requests if r.method == "POST"]
    assert post.url.path == f"/v26.0/{ids['c1']}/comments"
    assert parse_qs(post.content.decode()) == {"message": ["We open at 8, see you!"]}
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    assert "access_token" not in str(post.url)
    assert sent.remote_id == fake.comments[ids["p1"]][-1]["id"]
    assert sent.url == question.url


async def test_a_reply_over_8000_characters_is_refused_before_sending(fake, fake_sleep):
    from cxdaily.replies.checks import length_problem

    c, _ = build(fake, fake_sleep)
    text = "é" * 8001
    assert length_problem(c.reply_length(text), c.capabilities.max_reply_length, "fb")
    assert not length_problem(c.reply_length(text[:8000]), c.capabilities.max_reply_length, "fb")


async def test_an_unknown_outcome_is_resolved_by_finding_our_reply(fake, fake_sleep):
    ids = busy_page(fake)
    c, wire = build(fake, fake_sleep)
    question = next(q for q in (await c.fetch(None)).questions if q.native_id == ids["c4"])

    def applied_then_cut(request):
        if request.method == "POST":
            fake.respond(seen_of(request))  # the service applies it ...
            raise httpx.ReadTimeout("cut", request=request)  # ... and the answer is lost
        return None

    wire.intercept = applied_then_cut
    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(question, "It is organic.", "key-1")
    assert may_have_reached_service(caught.value)
    assert len(fake.replies) == 1
    wire.intercept = None
    found = await c.find_own_reply(question, "It is organic.", "key-1")
    assert found is not None and found.remote_id == fake.comments[ids["p2"]][-1]["id"]
    assert await c.find_own_reply(question, "Something else.", "key-2") is None
    assert len([r for r in wire.requests if r.method == "POST"]) == 1


# -- Messenger ---------------------------------------------------------------------------
async def test_messenger_conversations_waiting_on_the_page_are_questions(fake, fake_sleep):
    fake.chat("t_1", "Hi, is my order shipped?", psid="6200011")
    fake.chat("t_1", "Order 1234.", psid="6200011")
    fake.chat("t_2", "Thanks!", psid="6200022", name="Bo")
    fake.chat("t_2", "You're welcome.", psid="6200022", from_page=True)
    fake.chat("t_3", "Are you open?", psid="6200033", name="Cy")
    c, wire = build(fake, fake_sleep, messenger=True)
    result = await c.fetch(None)
    chats = [q for q in result.questions if q.meta.get("source") == "messenger"]
    assert sorted(q.thread_id for q in chats) == ["t_1", "t_3"]
    t1 = next(q for q in chats if q.thread_id == "t_1")
    assert t1.body == "Hi, is my order shipped?\n\nOrder 1234."
    assert t1.author.id == "6200011" and t1.meta["psid"] == "6200011"
    assert not c.is_public(t1)
    assert any(q.thread_id == "t_2" for q in result.settled)
    listing = wire.gets("/conversations")[0].url.params
    assert listing["platform"] == "messenger" and "messages.limit(10)" in listing["fields"]


async def test_a_second_fetch_stops_at_the_conversations_already_seen(fake, fake_sleep):
    fake.chat("t_1", "First?")
    fake.chat("t_2", "Second?", psid="6200022")
    fake.chat("t_3", "Third?", psid="6200033")
    c, wire = build(fake, fake_sleep, messenger=True)
    first = await c.fetch(None)
    fake.chat("t_4", "Fourth?", psid="6200044")
    wire.clear()
    second = await c.fetch(first.checkpoint)
    assert [q.thread_id for q in second.questions] == ["t_4"]
    assert len(wire.gets("/conversations")) == 1  # the first page reached the checkpoint


async def test_a_messenger_reply_is_a_response_to_the_psid(fake, fake_sleep):
    fake.chat("t_1", "Is my order shipped?", psid="6200011")
    c, wire = build(fake, fake_sleep, messenger=True)
    [question] = (await c.fetch(None)).questions
    sent = await c.send_reply(question, "Yes, this morning.", "k")
    [post] = [r for r in wire.requests if r.method == "POST"]
    assert post.url.path == f"/v26.0/{PAGE_ID}/messages"
    assert json.loads(post.content) == {"recipient": {"id": "6200011"},
                                        "messaging_type": "RESPONSE",
                                        "message": {"text": "Yes, this morning."}}  # fmt: skip
    assert sent.remote_id == fake.conversations["t_1"]["messages"][-1]["id"]
    found = await c.find_own_reply(question, "Yes, this morning.", "k")
    assert found is not None and found.remote_id == sent.remote_id


async def test_a_messenger_reply_outside_the_24_hour_window_is_refused(fake, fake_sleep):
    fake.chat("t_1", "Is my order shipped?", psid="6200011")
    c, _ = build(fake, fake_sleep, messenger=True)
    [question] = (await c.fetch(None)).questions
    late, wire = build(fake, fake_sleep, messenger=True, now=NOW + timedelta(hours=24))
    with pytest.raises(ReplyRejected, match="24 hours") as caught:
        await late.send_reply(question, "Sorry for the wait.", "k")
    assert "\n" not in str(caught.value)
    assert wire.requests == [] and fake.replies == []


async def test_a_messenger_reply_over_2000_characters_is_refused(fake, fake_sleep):
    fake.chat("t_1", "Is my order shipped?", psid="6200011")
    c, _ = build(fake, fake_sleep, messenger=True)
    [question] = (await c.fetch(None)).questions
    assert c.reply_limit(question) == 2000  # what the composer and review count against
    with pytest.raises(ReplyRejected, match="2000"):
        await c.send_reply(question, "x" * 2001, "k")
    assert fake.replies == []


# -- failures ---------------------------------------------------------------------------
async def test_a_throttle_waits_as_long_as_the_usage_header_says(fake, fake_sleep):
    busy_page(fake)
    fake.throttle(32, minutes=1)
    fake.throttle(4, status=403, minutes=0, header="X-App-Usage")
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert len(result.questions) == 3
    assert fake_sleep.calls == [60.0, 0.0]


async def test_a_long_throttle_or_one_without_estimate_is_a_one_line_rate_limit(fake, fake_sleep):
    busy_page(fake)
    fake.throttle(80001, minutes=19)
    c, _ = build(fake, fake_sleep)
    with pytest.raises(RateLimited) as caught:
        await c.fetch(None)
    assert caught.value.retry_after == 19 * 60 and "19 min" in str(caught.value)
    assert "80001" in str(caught.value) and fake_sleep.calls == []
    fake.throttle(17)
    with pytest.raises(RateLimited, match="no estimate") as caught:
        await c.fetch(None)
    assert "\n" not in str(caught.value)


async def test_a_throttled_reply_is_never_repeated(fake, fake_sleep):
    ids = busy_page(fake)
    c, wire = build(fake, fake_sleep)
    question = next(q for q in (await c.fetch(None)).questions if q.native_id == ids["c1"])
    fake.throttle(32, minutes=1)
    with pytest.raises(RateLimited) as caught:
        await c.send_reply(question, "Hi", "k")
    assert not may_have_reached_service(caught.value)
    assert len([r for r in wire.requests if r.method == "POST"]) == 1 and fake.replies == []


async def test_a_feed_cursor_named_again_ends_the_walk_with_a_note(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    following = {None: "A", "A": "B", "B": "A"}

    def looping(request):
        if not request.url.path.endswith("/feed"):
            return None
        after = following[request.url.params.get("after")]
        paging = {"cursors": {"after": after}, "next": f"{BASE}/x?after={after}"}
        return httpx.Response(200, json={"data": [], "paging": paging})

    wire.intercept = looping
    await c.fetch(None)
    assert [r.url.params.get("after") for r in wire.gets("/feed")] == [None, "A", "B"]
    assert "pages of posts: the service named a page already read" in " ".join(c.fetch_notes())


async def test_a_long_token_echoed_in_a_graph_error_is_masked_whole(
    fake, fake_sleep, memory_keyring
):
    """Graph errors are shortened only after the token is masked: a token cut in two
    would no longer be found, and its first part would show."""
    long_token = "EAAB" + "Zx9kQ2pLm7" * 18
    memory_keyring.set_password("cxdaily", "fb", long_token)
    c, wire = build(fake, fake_sleep)
    said = graph_error(190, f"Invalid OAuth access token: {long_token}")
    wire.intercept = lambda r: httpx.Response(400, json=said)
    with pytest.raises(AuthError) as caught:
        await c.fetch(None)
    message = str(caught.value)
    assert "Invalid OAuth access token: ***" in message
    assert long_token[:12] not in message and len(message) < 400


async def test_a_post_whose_comments_are_not_a_list_costs_only_its_comments(fake, fake_sleep):
    ids = busy_page(fake)
    c, _ = build(fake, fake_sleep)
    respond = fake.respond

    def broken_comments(seen):
        answer = respond(seen)
        for post in answer.body.get("data", []) if isinstance(answer.body, dict) else []:
            if post.get("id") == ids["p1"]:
                post["comments"] = {"data": 5}
        return answer

    fake.respond = broken_comments
    result = await c.fetch(None)
    asked = set(native(result.questions))
    assert ids["c3"] in asked and not asked & {ids["c1"], ids["c2"]}  # the other posts' own
    assert any(f"post {ids['p1']}: its comments are a number, not a list" in w
               for w in result.warnings)  # fmt: skip


@pytest.mark.parametrize("status", [400, 401])
async def test_an_expired_token_is_an_auth_error_naming_the_secret(fake, fake_sleep, status):
    c, wire = build(fake, fake_sleep)
    expired = graph_error(190, f"Error validating access token: Session has expired {TOKEN}",
                          subcode=463)  # fmt: skip
    wire.intercept = lambda r: httpx.Response(status, json=expired)
    with pytest.raises(AuthError) as caught:
        await c.fetch(None)
    message = str(caught.value)
    assert "Page access token" in message and "190/463" in message
    assert "cxdaily login fb" in message and "CXDAILY_SECRET_FB" in message
    assert TOKEN not in message and "\n" not in message


async def test_a_missing_permission_names_it(fake, fake_sleep):
    c, wire = build(fake, fake_sleep, messenger=True)
    denied = graph_error(200, "(#200) Requires pages_messaging permission to manage the object")
    wire.intercept = lambda r: (
        httpx.Response(403, json=denied) if r.url.path.endswith("/conversations") else None
    )
    with pytest.raises(AuthError, match="grant pages_messaging"):
        await c.fetch(None)
    wire.intercept = lambda r: httpx.Response(400, json=graph_error(10, "(#10) Not allowed"))
    with pytest.raises(AuthError, match="grant pages_read_engagement"):
        await c.fetch(None)


async def test_a_plain_401_and_403_are_one_line_auth_errors(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: httpx.Response(403, text="Forbidden")
    with pytest.raises(AuthError) as caught:
        await c.fetch(None)
    assert "HTTP 403" in str(caught.value) and "page_id" in str(caught.value)
    fake.token = "another"
    wire.intercept = None
    with pytest.raises(AuthError, match="Page access token"):
        await c.check()


async def test_other_graph_errors_are_one_line_refusals(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: httpx.Response(400, json=graph_error(100, "(#100) Bad field"))
    with pytest.raises(ConnectorError, match=r"Graph error 100: \(#100\) Bad field"):
        await c.fetch(None)


@pytest.mark.parametrize("body", [b"<html>oops</html>", b'{"data": {"x": 1}}', b"[1, 2]"])
async def test_a_malformed_page_is_a_one_line_error(fake, fake_sleep, body):
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: httpx.Response(200, content=body)
    with pytest.raises(BadResponseError) as caught:
        await c.fetch(None)
    assert "\n" not in str(caught.value) and "/feed" in str(caught.value)


async def test_one_malformed_comment_or_post_costs_only_itself(fake, fake_sleep):
    ids = busy_page(fake)
    fake.comments[ids["p1"]][0]["created_time"] = "yesterday"
    fake.posts[ids["p3"]]["id"] = {"not": "an id"}
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert native(result.questions) == sorted([ids["c3"], ids["c4"]])
    assert len(result.warnings) == 2
    assert any("created_time" in w for w in result.warnings)
    assert any("post" in w and "id" in w for w in result.warnings)


async def test_a_failed_look_up_of_more_comments_costs_only_them(fake, fake_sleep):
    post = fake.post("Giveaway!")
    made = [fake.comment(post, f"Me please {n}", person=(f"P{n}", f"90{n}")) for n in range(5)]
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: (
        httpx.Response(500, json=graph_error(2, "Service temporarily unavailable"))
        if r.url.path.endswith(f"/{post}/comments") else None
    )  # fmt: skip
    result = await c.fetch(None)
    assert native(result.questions) == sorted(made[-3:])  # the three embedded ones
    assert len(result.warnings) == 1 and "further comments were not read" in result.warnings[0]


@pytest.mark.parametrize(("status", "again"), [(503, True), (403, False)])
async def test_more_comments_left_unread_by_a_passing_failure_are_read_next_time(
    fake, fake_sleep, status, again
):
    """A newer comment on another post must not move the checkpoint past comments a 5xx
    kept from being read: the next fetch reads them (a 403 would come again: skipped)."""
    post = fake.post("Giveaway!")
    made = [fake.comment(post, f"Me please {n}", person=(f"P{n}", f"90{n}")) for n in range(5)]
    newer = fake.comment(fake.post("Opening hours"), "Open late?", person=("Ida", "9100"))
    failing = [True]
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: (
        httpx.Response(status, json=graph_error(2, "Service temporarily unavailable"))
        if failing[0] and r.url.path.endswith(f"/{post}/comments") else None
    )  # fmt: skip
    first = await c.fetch(None)
    assert native(first.questions) == sorted([*made[-3:], newer])
    assert ("read again by the next fetch" in first.warnings[0]) is again
    failing[0] = False
    second = await c.fetch(first.checkpoint)
    assert (set(made[:2]) <= set(native(second.questions))) is again  # not lost
    assert second.warnings == []


async def test_hostile_text_arrives_clean(fake, fake_sleep):
    hostile = "\x1b]52;c;cGF5bG9hZA==\x07\u202eevil\u200b\ud800 [@click=app.quit]x[/] <b>hi</b>"
    post = fake.post(hostile)
    fake.comment(post, hostile, person=("N" * 10_000 + hostile, "9001"))
    c, _ = build(fake, fake_sleep)
    [question] = (await c.fetch(None)).questions
    for text in (question.body, question.author.name, question.context[0].body):
        text.encode("utf-8")
        assert "\x1b" not in clean(text) and "\u202e" not in clean(text)
    assert question.body == hostile.replace("\ud800", "\ufffd")  # plain text, kept as written
    assert len(question.author.name) == 1000
    json.dumps(question.to_dict(), ensure_ascii=False).encode("utf-8")


async def test_the_token_appears_in_no_error_or_warning(fake, fake_sleep, monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_FB", TOKEN + "\n")
    post = fake.post("Giveaway!")
    for n in range(5):
        fake.comment(post, f"Me {n}", person=(f"P{n}", f"90{n}"))
    c, wire = build(fake, fake_sleep)

    def echo(request):
        said = graph_error(1, f"{request.headers.get('authorization')} {TOKEN}")
        return httpx.Response(500, json=said)

    wire.intercept = lambda r: echo(r) if r.url.path.endswith(f"/{post}/comments") else None
    result = await c.fetch(None)
    assert result.warnings and all(TOKEN not in w for w in result.warnings)
    wire.intercept = lambda r: httpx.Response(400, json=graph_error(1, f"bad {TOKEN}"))
    with pytest.raises(ConnectorError) as caught:
        await c.fetch(None)
    assert TOKEN not in str(caught.value)
    assert wire.requests[0].headers["authorization"] == f"Bearer {TOKEN}"  # stripped of "\n"


async def test_credentials_never_go_to_another_host(fake, fake_sleep):
    busy_page(fake)
    c, wire = build(fake, fake_sleep)
    await c.fetch(None)
    assert {r.url.host for r in wire.requests} == {"graph.facebook.com"}
    assert all("access_token" not in str(r.url) for r in wire.requests)
    stolen = []
    elsewhere = "https://evil.example/v26.0/x"
    wire.intercept = lambda r: stolen.append(r) or httpx.Response(200, json={"data": []})
    await c.http.request("GET", elsewhere, headers=await c.auth_headers())
    assert "authorization" not in stolen[0].headers


async def test_check_names_the_page(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    said = await c.check()
    assert said == f"page {PAGE_NAME} ({PAGE_ID}) readable on graph.facebook.com"
    assert wire.requests[0].url.params["fields"] == "id,name"


@pytest.mark.parametrize("stored", [None, {}, {"after": 5}, {"after": "garbage"}])
def test_a_damaged_checkpoint_means_a_first_fetch(stored):
    assert read_checkpoint(stored) == {}
