"""The khoros channel: members' messages across LiQL pages, only newer ones on later
fetches, the team's answers settling questions, replies in the thread, the OAuth refresh,
safe LiQL, and every way the API can fail."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from urllib.parse import parse_qs

import httpx
import pytest

from cxdaily.connectors import connector_class, khoros
from cxdaily.connectors import khoros_parse as kp
from cxdaily.connectors.base import PROCESS_RENEWED
from cxdaily.connectors.http import BadResponseError, ChannelHttp, HttpPolicy, make_client
from cxdaily.connectors.khoros import KhorosConnector
from cxdaily.connectors.oauth import PROCESS_TOKENS
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError, RateLimited
from cxdaily.replies.outbox import may_have_reached_service
from cxdaily.settings import ChannelSettings
from tests.integration.khoros_fake_kit import BOT, SECRETS, T0, FakeKhoros, error
from tests.integration.loopback_kit import Answer, FakeWire, seen_of
from tests.integration.loopback_kit import mock_response as response

BASE = "https://community.acme.example"


# -- helpers --------------------------------------------------------------------------
class Wire(FakeWire):
    """The fake behind a MockTransport; records every request (hosts included)."""

    def searches(self) -> list[str]:
        return [r.url.params["q"] for r in self.requests if r.url.path.endswith("/search")]

    def posts(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith("/api/2.0/messages")]


@pytest.fixture(autouse=True)
def fresh_tokens():
    PROCESS_TOKENS.clear()
    PROCESS_RENEWED.clear()
    yield
    PROCESS_TOKENS.clear()
    PROCESS_RENEWED.clear()


@pytest.fixture
def fake() -> FakeKhoros:
    return FakeKhoros()


def build(fake, fake_sleep, *, secrets=None, policy=None, **options):
    """The connector over the fake; returns it and the wire that saw its requests."""
    wire = Wire(fake, httpx.URL(options.get("base_url", BASE)).path.rstrip("/"))
    options = {"base_url": BASE, **options}
    settings = ChannelSettings(name="community", kind="khoros", options=options)
    client = make_client(transport=httpx.MockTransport(wire))
    values = secrets or SECRETS
    connector = KhorosConnector(
        settings, client=client, secrets=lambda name: values[name], now=lambda: fake.clock
    )
    connector.http = ChannelHttp(
        client, channel="community", sleep=fake_sleep, rand=lambda: 0.0,
        wall_clock=lambda: T0.timestamp(), policy=policy or HttpPolicy(),
    )  # fmt: skip
    return connector, wire


def community(fake: FakeKhoros) -> dict[str, str]:
    """An open topic with a member's reply, a topic a moderator answered, a lone topic."""
    ids = {"export": fake.post("Export fails", "<p>My <b>export</b> fails.</p>", kudos=3)}
    ids["password"] = fake.post("Password", "I forgot my password.", by="omar")
    ids["answer"] = fake.post("Re: Password", "Use the reset link.", by="anna_mod",
                              parent=ids["password"])  # fmt: skip
    ids["same"] = fake.post("Re: Export fails", "Same here.", by="omar", parent=ids["export"])
    ids["ideas"] = fake.post("Dark mode", "Please add dark mode.", board="ideas")
    return ids


# -- registration and options ----------------------------------------------------------
def test_registered_as_a_builtin_kind():
    assert connector_class("khoros") is KhorosConnector
    assert KhorosConnector.secret_fields == ("client_id", "client_secret", "refresh_token")


def test_base_url_is_required(fake, fake_sleep):
    settings = ChannelSettings(name="community", kind="khoros", options={})
    with pytest.raises(ConfigError) as caught:
        KhorosConnector(settings, secrets=SECRETS.get)
    assert "[channels.community]" in str(caught.value) and "base_url" in str(caught.value)


@pytest.mark.parametrize("boards", [["support", "billing"], "support, billing", "support,,billing"])
def test_boards_are_a_list_or_comma_separated(fake, fake_sleep, boards):
    c, _ = build(fake, fake_sleep, boards=boards)
    assert c.boards == ("support", "billing")


@pytest.mark.parametrize("bad", ["sup'port", "a) OR (1=1", "board id", ["ok", {"x": 1}]])
def test_a_board_id_that_could_break_liql_is_refused(fake, fake_sleep, bad):
    with pytest.raises(ConfigError) as caught:
        build(fake, fake_sleep, boards=bad)
    assert "[channels.community] boards" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_liql_is_built_from_checked_parts_only():
    query = kp.messages_query(T0, ("support", "ideas"), "MTAw")
    assert query == (
        "SELECT id, subject, body, author, post_time, view_href, conversation, parent, depth, "
        "board, kudos.sum(weight) FROM messages WHERE post_time > "
        "'2026-12-04T08:00:00.000+00:00' AND board.id IN ('support', 'ideas') "
        "ORDER BY post_time ASC LIMIT 100 CURSOR 'MTAw'"
    )
    for bad_cursor in ("x' OR '1'='1", "a b", ""):
        with pytest.raises(ValueError):
            kp.messages_query(T0, (), bad_cursor)
    with pytest.raises(ValueError):
        kp.replies_query("1' OR parent.id = '2")
    assert kp.replies_query("104").endswith(
        "WHERE parent.id = '104' ORDER BY post_time ASC LIMIT 100"
    )


# -- fetch ---------------------------------------------------------------------------
async def test_first_fetch_reads_members_messages_with_context(fake, fake_sleep):
    ids = community(fake)
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    by_id = {q.native_id: q for q in result.questions}
    assert sorted(by_id) == sorted([ids["export"], ids["same"], ids["ideas"]])
    export = by_id[ids["export"]]
    assert export.title == "Export fails" and export.body == "My export fails."
    assert export.author.handle == "jane" and export.author.id == "2"
    assert export.thread_id == ids["export"] and export.url.startswith("https://community.")
    assert export.meta["kudos"] == 3 and export.meta["board"] == "support"
    assert export.meta["depth"] == 0 and export.meta["author_rank"] == "Contributor"
    same = by_id[ids["same"]]
    assert [m.body for m in same.context] == ["My export fails."]  # its parent, from the page
    assert [q.native_id for q in result.settled] == [ids["password"]]
    assert result.settled[0].meta["team_answered"] is True
    assert result.checkpoint == {"since": fake.messages[ids["ideas"]]["post_time"]
                                 .replace(".000+00:00", "Z"), "ids": [ids["ideas"]]}  # fmt: skip
    assert "post_time > '2026-11-27T" in wire.searches()[0]  # since_days = 7 before now
    assert not any(r.url.path.startswith("/api/2.0/messages/") for r in wire.requests)


async def test_messages_across_pages_follow_the_cursor(fake, fake_sleep):
    for n in range(130):
        fake.post(f"Question {n}", f"Body {n}")
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert len(result.questions) == 130
    first, second = wire.searches()
    assert "CURSOR" not in first and second.endswith("LIMIT 100 CURSOR 'MTAw'")


async def test_boards_narrow_the_query(fake, fake_sleep):
    ids = community(fake)
    c, wire = build(fake, fake_sleep, boards="ideas")
    result = await c.fetch(None)
    assert [q.native_id for q in result.questions] == [ids["ideas"]]
    assert "AND board.id IN ('ideas') ORDER BY" in wire.searches()[0]


async def test_a_second_fetch_asks_only_for_what_is_new(fake, fake_sleep):
    community(fake)
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    newest = first.checkpoint["since"]
    later = fake.post("Export again", "Still broken.", by="omar")
    wire.requests.clear()
    second = await c.fetch(first.checkpoint)
    assert [q.native_id for q in second.questions] == [later]
    (query,) = wire.searches()
    # from a millisecond before the newest message read, which is left out
    just_before = datetime.fromisoformat(newest) - timedelta(milliseconds=1)
    assert f"post_time > '{kp.liql_time(just_before)}'" in query
    assert second.checkpoint == {"since": fake.messages[later]["post_time"].replace(
        ".000+00:00", "Z"), "ids": [later]}  # fmt: skip


async def test_messages_of_one_millisecond_cut_by_the_page_cap_come_next_time(
    fake, fake_sleep, monkeypatch
):
    monkeypatch.setattr(kp, "PAGE_SIZE", 2)
    monkeypatch.setattr(khoros, "MAX_PAGES", 1)
    ids = [fake.post(f"Question {n}", f"Body {n}") for n in range(4)]
    for ident in ids[1:]:  # three posted in the same millisecond, across the cut
        fake.messages[ident]["post_time"] = fake.messages[ids[1]]["post_time"]
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    assert [q.native_id for q in first.questions] == ids[:2]
    assert first.checkpoint["ids"] == [ids[1]]
    # the message read at that instant comes again (left out) on a page beyond the cap
    second = await c.fetch(first.checkpoint)
    assert sorted(q.native_id for q in second.questions) == sorted(ids[2:])
    assert second.checkpoint["ids"] == sorted(ids[1:])
    late = fake.post("Late", "Posted in that millisecond too, after the fetch.")
    fake.messages[late]["post_time"] = fake.messages[ids[1]]["post_time"]
    third = await c.fetch(second.checkpoint)
    assert [q.native_id for q in third.questions] == [late]
    assert third.checkpoint["ids"] == sorted([*ids[1:], late])


async def test_a_checkpoint_without_ids_asks_for_what_is_after_it(fake, fake_sleep):
    ids = community(fake)
    c, wire = build(fake, fake_sleep)
    since = fake.messages[ids["same"]]["post_time"]
    result = await c.fetch({"since": since.replace(".000+00:00", "Z")})  # as stored before
    assert [q.native_id for q in result.questions] == [ids["ideas"]]
    assert f"post_time > '{since}'" in wire.searches()[0]


async def test_our_reply_after_the_checkpoint_settles_an_earlier_question(fake, fake_sleep):
    ids = community(fake)
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    fake.post("Re: Export fails", "Fixed in 2.3.", by=BOT, parent=ids["same"])
    second = await c.fetch(first.checkpoint)
    assert second.questions == []
    assert [q.native_id for q in second.settled] == [ids["same"]]
    assert second.settled[0].meta["team_answered"] is True
    assert f"/api/2.0/messages/{ids['same']}" in [r.url.path for r in wire.requests]


@pytest.mark.parametrize(("status", "again"), [(503, True), (404, False)])
async def test_a_question_our_reply_answers_is_settled_later_when_its_read_may_pass(
    fake, fake_sleep, status, again
):
    ids = community(fake)
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    fake.post("Re: Export fails", "Fixed in 2.3.", by=BOT, parent=ids["same"])
    path = f"/api/2.0/messages/{ids['same']}"
    failing = [True]
    wire.intercept = lambda r: (
        response(error(status, "Unavailable.", 100))
        if failing[0] and r.url.path.endswith(path) else None
    )  # fmt: skip
    second = await c.fetch(first.checkpoint)
    assert second.settled == []
    [said] = second.warnings
    assert said.startswith(f"message {ids['same']}, answered by the team, cannot be read")
    assert ("read again by the next fetch" in said) is again
    assert (second.checkpoint == first.checkpoint) is again  # this window again
    failing[0] = False
    third = await c.fetch(second.checkpoint)
    assert ([q.native_id for q in third.settled] == [ids["same"]]) is again


async def test_answers_since_shows_the_moderators_answer(fake, fake_sleep):
    ids = community(fake)
    c, _ = build(fake, fake_sleep)
    settled = (await c.fetch(None)).settled[0]
    answers = await c.answers_since(settled, T0)
    assert [(a.author.handle, a.body) for a in answers] == [("anna_mod", "Use the reset link.")]
    assert await c.answers_since(settled, fake.clock) == []
    assert ids["answer"]


async def test_one_malformed_message_is_skipped_with_a_warning(fake, fake_sleep):
    ids = community(fake)
    fake.messages[ids["ideas"]]["post_time"] = "yesterday-ish"
    bad = fake.post("Broken", "x")
    fake.messages[bad]["id"] = {"nested": True}
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert sorted(q.native_id for q in result.questions) == sorted([ids["export"], ids["same"]])
    assert any(ids["ideas"] in w and "post_time" in w for w in result.warnings)
    assert any("#" in w and "skipped" in w for w in result.warnings)


async def test_a_malformed_page_is_one_line(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: (
        response(Answer(200, {"status": "success", "data": {"type": "messages"}}))
        if r.url.path.endswith("/search") else None
    )  # fmt: skip
    with pytest.raises(BadResponseError) as caught:
        await c.fetch(None)
    assert "without a list of items" in str(caught.value) and "\n" not in str(caught.value)


async def test_an_error_envelope_with_http_200_is_one_line(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: (
        response(Answer(200, {"status": "error", "message": "Invalid query syntax near\nWHERE",
                              "data": {"type": "error_data", "code": 601}}))
        if r.url.path.endswith("/search") else None
    )  # fmt: skip
    with pytest.raises(BadResponseError) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert "answered with an error: Invalid query syntax near WHERE" in text and "\n" not in text


async def test_an_unsafe_cursor_from_the_service_is_not_sent_back(fake, fake_sleep):
    fake.post("One", "first")
    c, wire = build(fake, fake_sleep)
    page = {"type": "messages", "size": 0, "items": [], "next_cursor": "x' OR '1'='1"}
    wire.intercept = lambda r: (
        response(Answer(200, {"status": "success", "data": page}))
        if r.url.path.endswith("/search") else None
    )  # fmt: skip
    with pytest.raises(BadResponseError) as caught:
        await c.fetch(None)
    assert "next_cursor" in str(caught.value)
    assert len(wire.searches()) == 1


async def test_a_cursor_named_again_further_back_ends_the_paging(fake, fake_sleep):
    """A loop over two pages (A, B, A ...) is read once, not up to the page cap."""
    fake.post("One", "first")
    c, wire = build(fake, fake_sleep)
    following = {None: "QQ", "QQ": "Qg", "Qg": "QQ"}

    def intercept(request):
        if not request.url.path.endswith("/search"):
            return None
        query = request.url.params["q"]
        cursor = query.rsplit("CURSOR '", 1)[1].rstrip("'") if "CURSOR" in query else None
        page = {"type": "messages", "size": 0, "items": [], "next_cursor": following[cursor]}
        return response(Answer(200, {"status": "success", "data": page}))

    wire.intercept = intercept
    await c.fetch(None)
    assert len(wire.searches()) == 3
    assert "the service named a page already read" in " ".join(c.fetch_notes())


async def test_a_parent_that_cannot_be_read_costs_only_the_context(fake, fake_sleep):
    ids = community(fake)
    first_fetch, _ = build(fake, fake_sleep)
    checkpoint = (await first_fetch.fetch(None)).checkpoint
    reply = fake.post("Re: Dark mode", "Me too!", by="omar", parent=ids["ideas"])
    fake.errors[f"/api/2.0/messages/{ids['ideas']}"] = error(500, "Internal error")
    c, _ = build(fake, fake_sleep, policy=HttpPolicy(retries=0))
    result = await c.fetch(checkpoint)
    (question,) = result.questions
    assert question.native_id == reply and question.context == ()
    assert any(f"message {reply}: its thread cannot be read" in w for w in result.warnings)


async def test_hostile_content_arrives_clean(fake, fake_sleep):
    fake.user("9", "x" * 5000 + "\u202e\x1b[31m", "Visitor")
    ident = fake.post(
        "[@click=app.quit]Hi\x1b]52;c;ZXZpbA==\x07",
        "<p>Hello\u200b \x1b[2J<script>alert(1)</script>[b]world[/b] \ud800 \u202eevil</p>",
        by="x" * 5000 + "\u202e\x1b[31m",
    )
    c, _ = build(fake, fake_sleep)
    (question,) = (await c.fetch(None)).questions
    assert question.native_id == ident
    for text in (question.title, question.body, question.author.handle):
        assert "\x1b" not in text and "\u202e" not in text and "\ud800" not in text
        assert "\x07" not in text
    assert "alert(1)" not in question.body and "Hello" in question.body
    assert len(question.author.handle) <= kp.MAX_NAME_CHARS
    json.dumps(question.to_dict())


# -- auth, tokens, rate limits ---------------------------------------------------------
async def test_the_refresh_token_buys_one_cached_access_token(fake, fake_sleep):
    community(fake)
    c, wire = build(fake, fake_sleep)
    await c.fetch(None)
    await c.fetch(None)
    refreshes = [r for r in wire.requests if r.url.path == "/auth/refreshToken"]
    assert len(refreshes) == 1
    assert parse_qs(refreshes[0].content.decode()) == {
        "grant_type": ["refresh_token"], "client_id": [SECRETS["client_id"]],
        "client_secret": [SECRETS["client_secret"]],
        "refresh_token": [SECRETS["refresh_token"]],
    }  # fmt: skip
    api = [r for r in wire.requests if r.url.path.startswith("/api/")]
    assert {r.headers["authorization"] for r in api} == {"Bearer access-0001-mnopqrstu"}


async def test_an_expired_token_is_refreshed_once(fake, fake_sleep):
    community(fake)
    c, wire = build(fake, fake_sleep)
    await c.fetch(None)
    fake.expire_tokens()
    result = await c.fetch(None)
    assert len(result.questions) == 3
    assert len([r for r in wire.requests if r.url.path == "/auth/refreshToken"]) == 2


async def test_refused_secrets_are_one_line_without_them(fake, fake_sleep):
    wrong = {**SECRETS, "refresh_token": "revoked-refresh-token-9999"}
    c, _ = build(fake, fake_sleep, secrets=wrong)
    with pytest.raises(AuthError) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert "refused the refresh token (HTTP 401" in text and "--field refresh_token" in text
    assert "\n" not in text
    assert all(secret not in text for secret in [*SECRETS.values(), "revoked-refresh-token-9999"])


async def test_a_403_is_a_one_line_auth_error(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: (
        response(error(403, "You do not have permission to view this resource."))
        if r.url.path.startswith("/api/") else None
    )  # fmt: skip
    with pytest.raises(AuthError) as caught:
        await c.check()
    text = str(caught.value)
    assert "denied access (HTTP 403)" in text and "refresh_token" in text and "\n" not in text
    assert all(secret not in text for secret in SECRETS.values())


async def test_a_429_is_waited_out_as_retry_after_asks(fake, fake_sleep):
    community(fake)
    c, _ = build(fake, fake_sleep)
    fake.throttle({"Retry-After": "7"})
    result = await c.fetch(None)
    assert len(result.questions) == 3
    assert fake_sleep.calls[0] == pytest.approx(7.0)


async def test_a_throttled_reply_is_not_sent_again(fake, fake_sleep):
    ids = community(fake)
    c, wire = build(fake, fake_sleep)
    question = next(q for q in (await c.fetch(None)).questions if q.native_id == ids["same"])
    fake.throttle({"Retry-After": "30"})
    with pytest.raises(RateLimited):
        await c.send_reply(question, "Thanks!", "key-1")
    assert len(wire.posts()) == 1 and fake.replies == []


async def test_check_names_the_user_and_host(fake, fake_sleep):
    c, _ = build(fake, fake_sleep, boards=["support"])
    assert await c.check() == f"signed in as {BOT} on community.acme.example; watching support"


# -- replies ---------------------------------------------------------------------------
async def test_a_reply_goes_under_the_message(fake, fake_sleep):
    ids = community(fake)
    c, wire = build(fake, fake_sleep)
    question = next(q for q in (await c.fetch(None)).questions if q.native_id == ids["same"])
    sent = await c.send_reply(question, "Thanks Omar.\n\nFixed <now>.", "key-1")
    (request,) = wire.posts()
    assert request.method == "POST" and str(request.url) == f"{BASE}/api/2.0/messages"
    assert request.headers["authorization"] == "Bearer access-0001-mnopqrstu"
    assert json.loads(request.content) == {"data": {
        "type": "message", "subject": "Re: Export fails",
        "body": "<p>Thanks Omar.</p><p>Fixed &lt;now&gt;.</p>", "parent": {"id": ids["same"]},
    }}  # fmt: skip
    assert sent.remote_id == max(fake.messages, key=int)
    assert sent.url == fake.messages[sent.remote_id]["view_href"]
    assert c.capabilities.max_reply_length is None  # Khoros documents no reply limit
    assert c.reply_length("Thanks Omar.") == len("Thanks Omar.")


async def test_a_topic_reply_gets_re_subject_once(fake, fake_sleep):
    ids = community(fake)
    c, _ = build(fake, fake_sleep)
    question = next(q for q in (await c.fetch(None)).questions if q.native_id == ids["export"])
    await c.send_reply(question, "Looking into it.", "key-1")
    assert fake.replies[0]["data"]["subject"] == "Re: Export fails"
    assert kp.reply_subject("Re: Export fails") == "Re: Export fails"


async def test_an_unknown_outcome_is_resolved_by_finding_our_reply(fake, fake_sleep):
    ids = community(fake)
    c, wire = build(fake, fake_sleep)
    question = next(q for q in (await c.fetch(None)).questions if q.native_id == ids["same"])
    fake.post("Re: Export fails", "Thanks Omar.", by="anna_mod", parent=ids["same"])  # not ours

    def applied_then_cut(request):
        if request.method == "POST" and request.url.path.endswith("/api/2.0/messages"):
            fake.respond(seen_of(request))  # the community applies it, the answer is lost
            raise httpx.ReadError("connection reset", request=request)
        return None

    wire.intercept = applied_then_cut
    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(question, "Thanks Omar.", "key-1")
    assert may_have_reached_service(caught.value)
    assert len(fake.replies) == 1 and len(wire.posts()) == 1  # never sent twice
    wire.intercept = None
    found = await c.find_own_reply(question, "Thanks Omar.", "key-1")
    ours = max(fake.messages, key=int)
    assert found is not None and found.remote_id == ours
    assert found.url == fake.messages[ours]["view_href"]
    assert f"WHERE parent.id = '{ids['same']}'" in wire.searches()[-1]
    assert await c.find_own_reply(question, "Something else.", "key-2") is None


async def test_a_reply_to_an_unsafe_thread_id_is_refused(fake, fake_sleep):
    ids = community(fake)
    c, wire = build(fake, fake_sleep)
    question = (await c.fetch(None)).questions[0]
    from msgspec.structs import replace

    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(replace(question, thread_id="1' OR '1'='1"), "Hi", "key-1")
    assert "not a Khoros message id" in str(caught.value) and wire.posts() == []
    assert ids


# -- hosts -----------------------------------------------------------------------------
async def test_base_url_and_token_url_set_every_address(fake, fake_sleep):
    community(fake)
    c, wire = build(fake, fake_sleep, base_url=f"{BASE}/community")
    await c.fetch(None)
    assert {str(r.url).split("?")[0].rsplit("/api/", 1)[0] for r in wire.requests} == {
        f"{BASE}/community/auth/refreshToken", f"{BASE}/community"
    }  # fmt: skip
    other = FakeKhoros()
    community(other)
    c2, wire2 = build(other, fake_sleep, token_url="https://login.acme.example/auth/refreshToken")
    await c2.fetch(None)
    hosts = {r.url.host for r in wire2.requests}
    assert hosts == {"community.acme.example", "login.acme.example"}


async def test_credentials_never_follow_a_redirect_to_another_host(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    elsewhere: list[httpx.Request] = []

    def redirect(request):
        if request.url.host == "evil.example":
            elsewhere.append(request)
            return response(Answer(200, {"status": "success", "data": {"id": "1"}}))
        if request.url.path == "/api/2.0/users/self":
            return httpx.Response(302, headers={"location": "https://evil.example/self"})
        return None

    wire.intercept = redirect
    with pytest.raises(ConnectorError, match="another site") as caught:
        await c.check()  # not "signed in": the credentials were never checked
    assert elsewhere == []
    assert all(secret not in str(caught.value) for secret in SECRETS.values())
