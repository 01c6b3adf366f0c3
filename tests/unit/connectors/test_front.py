"""The front channel: open conversations of one inbox across pages, only what changed on
later fetches, settled turns, replies as a teammate, and every way the API can fail."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from cxdaily.connectors import connector_class, front
from cxdaily.connectors.front import FrontConnector
from cxdaily.connectors.front_parse import on_base, read_checkpoint
from cxdaily.connectors.holding import fetch_holding
from cxdaily.connectors.http import BadResponseError, ChannelHttp, HttpPolicy, make_client
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError
from cxdaily.core.safe_text import clean, one_line
from cxdaily.credentials import secret_reader
from cxdaily.replies.outbox import may_have_reached_service
from cxdaily.settings import ChannelSettings
from tests.integration.front_fake_kit import (
    INBOX,
    T0,
    TEAMMATE,
    TOKEN,
    FakeFront,
    message,
)
from tests.integration.loopback_kit import FakeWire, seen_of

BASE = "https://api2.frontapp.com"


# -- helpers --------------------------------------------------------------------------
class Wire(FakeWire):
    """The fake behind a MockTransport; records every request (hosts included)."""

    def paths(self, method: str = "GET") -> list[str]:
        return [r.url.path for r in self.requests if r.method == method]

    def threads_read(self) -> list[str]:
        """The conversations whose messages were asked for (each once, however many pages)."""
        return sorted({p.split("/")[2] for p in self.paths() if p.endswith("/messages")})

    def clear(self) -> None:
        self.requests.clear()


@pytest.fixture(autouse=True)
def token(memory_keyring):
    memory_keyring.set_password("cxdaily", "front", TOKEN)


@pytest.fixture
def fake() -> FakeFront:
    return FakeFront()


def build(fake, fake_sleep, *, wall_clock=None, policy=None, **options):
    """The connector over the fake; returns it and the wire that saw its requests."""
    wire = Wire(fake, httpx.URL(options.get("base_url", BASE)).path.rstrip("/"))
    options = {"inbox_id": INBOX, "author_id": TEAMMATE, **options}
    settings = ChannelSettings(name="front", kind="front", options=options)
    client = make_client(transport=httpx.MockTransport(wire))
    connector = FrontConnector(settings, client=client, secrets=secret_reader("front"))
    connector.http = ChannelHttp(
        client, channel="front", sleep=fake_sleep, rand=lambda: 0.0,
        wall_clock=wall_clock or (lambda: T0), policy=policy or HttpPolicy(),
    )  # fmt: skip
    return connector, wire


def five_conversations(fake: FakeFront) -> None:
    """Three pages of two: four waiting on the team, one the team answered."""
    fake.add("cnv_1", "Export fails", "My export fails with an error.")
    fake.add("cnv_2", "Billing", "Can I pay yearly?", tags=("billing", "vip"))
    fake.customer_writes("cnv_2", "Also: do you send invoices?")
    fake.customer_writes("cnv_2", "Thanks in advance.")
    fake.add("cnv_3", "Password", "I forgot my password.")
    fake.team_writes("cnv_3", "Here is the reset link.")
    fake.add("cnv_4", "Login", "I cannot log in.", status="assigned")
    fake.add("cnv_5", "Refund", "I want a refund.")


def ids(questions) -> list[str]:
    """Native ids of customer turns (``CONVERSATION:MESSAGE``), sorted; the stand-ins a
    ticket always settles for a question once stored without its thread are left out."""
    return sorted(q.native_id for q in questions if ":" in q.native_id)


def by_id(questions, conversation: str):
    return next(q for q in questions if q.thread_id == conversation)


# -- registration and options ----------------------------------------------------------
def test_registered_as_a_builtin_kind():
    assert connector_class("front") is FrontConnector


@pytest.mark.parametrize("missing", ["inbox_id", "author_id"])
def test_a_missing_required_option_is_a_one_line_config_error(missing):
    options = {"inbox_id": INBOX, "author_id": TEAMMATE}
    del options[missing]
    with pytest.raises(ConfigError) as caught:
        FrontConnector(ChannelSettings(name="desk", kind="front", options=options))
    assert str(caught.value).startswith("[channels.desk] needs " + missing)
    assert "\n" not in str(caught.value)


def test_an_id_that_would_change_the_path_is_refused():
    options = {"inbox_id": "inb_1/../teammates", "author_id": TEAMMATE}
    with pytest.raises(ConfigError, match="inbox_id must be one id"):
        FrontConnector(ChannelSettings(name="desk", kind="front", options=options))


async def test_base_url_and_app_url_change_every_address(fake, fake_sleep):
    fake.add("cnv_1", "Export fails", "My export fails.")
    c, wire = build(
        fake, fake_sleep, base_url="https://front.proxy.example/api", app_url="https://fr.example"
    )
    result = await c.fetch(None)
    await c.send_reply(result.questions[0], "Fixed.", "k1")
    assert {r.url.host for r in wire.requests} == {"front.proxy.example"}
    assert all(r.url.path.startswith("/api/") for r in wire.requests)
    assert result.questions[0].url == "https://fr.example/open/cnv_1"


# -- fetching ------------------------------------------------------------------------
async def test_a_first_fetch_reads_every_page_and_every_thread(fake, fake_sleep):
    five_conversations(fake)
    fake.page_size = 2
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert ids(result.questions) == [
        "cnv_1:msg_cnv_1_1", "cnv_2:msg_cnv_2_1", "cnv_4:msg_cnv_4_1", "cnv_5:msg_cnv_5_1"
    ]  # fmt: skip
    assert ids(result.settled) == ["cnv_2:msg_cnv_2_2", "cnv_2:msg_cnv_2_3", "cnv_3:msg_cnv_3_1"]
    assert result.warnings == []
    assert len([p for p in wire.paths() if p == "/conversations/cnv_2/messages"]) == 2
    lists = [r for r in wire.requests if r.url.path == "/inboxes/inb_1/conversations"]
    assert len(lists) == 3
    assert lists[0].url.params.get_list("q[statuses][]") == ["unassigned", "assigned"]
    assert lists[0].url.params["limit"] == "100"
    assert [r.url.params.get("page_token") for r in lists] == [None, "2", "4"]
    billing = by_id(result.questions, "cnv_2")
    assert billing.body == "Can I pay yearly?\n\nAlso: do you send invoices?\n\nThanks in advance."
    assert billing.author.name == "Jane Roe" and billing.author.handle == "jane@example.com"
    assert billing.title == "Billing" and billing.url == "https://app.frontapp.com/open/cnv_2"
    assert billing.meta["tags"] == ["billing", "vip"] and billing.meta["status"] == "unassigned"
    assert billing.created_at == datetime.fromtimestamp(T0 + 120, UTC)  # its first message
    assert result.checkpoint is not None
    assert result.checkpoint["since"] == fake.clock
    assert sorted(result.checkpoint["open"]) == ["cnv_1", "cnv_2", "cnv_3", "cnv_4", "cnv_5"]
    json.dumps(result.checkpoint)


async def test_a_second_fetch_reads_only_the_conversations_that_changed(fake, fake_sleep):
    five_conversations(fake)
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    fake.customer_writes("cnv_4", "Still locked out!")
    wire.clear()
    second = await c.fetch(first.checkpoint)
    list_params = {
        (k, v)
        for r in wire.requests
        if r.url.path.endswith("/conversations")
        for k, v in r.url.params.multi_items()
    }
    assert {("q[statuses][]", "unassigned"), ("q[statuses][]", "assigned"), ("limit", "100")} <= (
        list_params
    )
    assert wire.threads_read() == ["cnv_4"]
    assert ids(second.questions) == ["cnv_4:msg_cnv_4_1"]
    assert by_id(second.questions, "cnv_4").body == "I cannot log in.\n\nStill locked out!"
    assert second.checkpoint["since"] > first.checkpoint["since"]
    assert second.checkpoint["at"] == ["cnv_4"]
    wire.clear()
    third = await c.fetch(second.checkpoint)
    assert wire.threads_read() == [] and third.questions == []
    assert third.checkpoint == second.checkpoint


async def test_a_change_at_the_very_time_of_the_checkpoint_is_not_missed(fake, fake_sleep):
    fake.add("cnv_1", "Export", "It fails.")
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    fake.add("cnv_2", "Login", "Locked out.", at=first.checkpoint["since"])  # the same instant
    wire.clear()
    second = await c.fetch(first.checkpoint)
    assert wire.threads_read() == ["cnv_2"]
    assert second.checkpoint["at"] == ["cnv_1", "cnv_2"]


async def test_an_answer_in_between_settles_the_question_and_shows_as_an_answer(fake, fake_sleep):
    five_conversations(fake)
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    asked = by_id(first.questions, "cnv_1")
    fake.team_writes("cnv_1", "We fixed the export.")
    second = await c.fetch(first.checkpoint)
    assert "cnv_1" not in {q.thread_id for q in second.questions}
    settled = by_id(second.settled, "cnv_1")
    assert settled.id == asked.id and settled.meta["team_answered"] is True
    answers = await c.answers_since(asked, asked.created_at)
    assert [a.body for a in answers] == ["We fixed the export."]
    assert answers[0].author.id == TEAMMATE and answers[0].author.name == "Anna Agent"


async def test_a_conversation_archived_on_send_leaves_the_list_and_settles(fake, fake_sleep):
    five_conversations(fake)
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    fake.team_writes("cnv_5", "Refunded.", archive=True)
    wire.clear()
    second = await c.fetch(first.checkpoint)
    assert "/conversations/cnv_5" in wire.paths()
    assert by_id(second.settled, "cnv_5").id == by_id(first.questions, "cnv_5").id
    assert "cnv_5" not in second.checkpoint["open"]
    wire.clear()
    await c.fetch(second.checkpoint)
    assert "/conversations/cnv_5" not in wire.paths()  # settled once, then forgotten


async def test_a_conversation_that_comes_back_to_open_is_a_new_question(fake, fake_sleep):
    five_conversations(fake)
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    fake.customer_writes("cnv_3", "The link has expired.")
    second = await c.fetch(first.checkpoint)
    again = by_id(second.questions, "cnv_3")
    assert again.native_id == "cnv_3:msg_cnv_3_3"
    assert again.body == "The link has expired."
    assert [m.body for m in again.context] == ["I forgot my password.", "Here is the reset link."]
    assert ids(second.settled) == ["cnv_3:msg_cnv_3_1"]


async def test_drafts_and_ticketing_statuses(fake, fake_sleep):
    fake.add("cnv_1", "Waiting on customer", "Hi", status_category="waiting")
    fake.add("cnv_2", "Draft only", "Hello?")
    draft = message("msg_d", "cnv_2", "Draft answer", T0 + 600, inbound=False)
    fake.threads["cnv_2"].append({**draft, "draft_mode": "shared"})
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert ids(result.questions) == ["cnv_2:msg_cnv_2_1"]  # the draft is not an answer
    assert by_id(result.settled, "cnv_1").meta["status_category"] == "waiting"


# -- pagination and credentials --------------------------------------------------------
def test_a_next_link_on_another_host_is_moved_onto_the_base_url():
    link = "https://acme.api.frontapp.com/inboxes/inb_1/conversations?limit=100&page_token=ab"
    assert on_base(link, BASE) == f"{BASE}/inboxes/inb_1/conversations?limit=100&page_token=ab"
    assert on_base(f"{BASE}/x?page_token=1", BASE) == f"{BASE}/x?page_token=1"
    assert on_base(None, BASE) is None and on_base("  ", BASE) is None


async def test_next_pages_are_fetched_from_the_base_url_with_credentials_never_elsewhere(
    fake, fake_sleep
):
    five_conversations(fake)
    assert fake.next_origin == "https://acme.api.frontapp.com"
    c, wire = build(fake, fake_sleep)
    await c.fetch(None)
    assert len(wire.requests) > 3
    assert {r.url.host for r in wire.requests} == {"api2.frontapp.com"}
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in wire.requests)


# -- replies -------------------------------------------------------------------------
async def test_a_reply_is_posted_once_as_the_teammate_and_keeps_the_conversation_open(
    fake, fake_sleep
):
    five_conversations(fake)
    c, wire = build(fake, fake_sleep)
    question = by_id((await c.fetch(None)).questions, "cnv_1")
    wire.clear()
    sent = await c.send_reply(question, "Thanks Jane.\n\nIt is fixed <now>.", "key-1")
    [post] = wire.requests
    assert (post.method, post.url.path) == ("POST", "/conversations/cnv_1/messages")
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    assert json.loads(post.content) == {
        "body": "<p>Thanks Jane.</p><p>It is fixed &lt;now&gt;.</p>",
        "author_id": TEAMMATE,
        "options": {"archive": False},
    }
    assert sent.remote_id == "msg_cnv_1_2"
    assert sent.url == "https://app.frontapp.com/open/cnv_1"
    assert fake.conversations["cnv_1"]["status"] == "unassigned"


async def test_archive_on_reply_lets_front_archive(fake, fake_sleep):
    fake.add("cnv_1", "Export", "It fails.")
    c, wire = build(fake, fake_sleep, archive_on_reply=True)
    await c.send_reply((await c.fetch(None)).questions[0], "Done.", "k")
    assert "options" not in json.loads(wire.requests[-1].content)
    assert fake.conversations["cnv_1"]["status"] == "archived"


async def test_an_accepted_reply_without_an_id_is_found_in_the_conversation(fake, fake_sleep):
    fake.add("cnv_1", "Export", "It fails.")
    fake.reply_answer = "uid"
    c, _ = build(fake, fake_sleep)
    sent = await c.send_reply((await c.fetch(None)).questions[0], "Done.", "k")
    assert sent.remote_id == "msg_cnv_1_2"


async def test_an_accepted_reply_not_yet_in_the_thread_is_named_by_its_uid(fake, fake_sleep):
    fake.add("cnv_1", "Export", "It fails.")
    fake.reply_answer = "uid"
    c, wire = build(fake, fake_sleep)
    question = (await c.fetch(None)).questions[0]

    def not_yet_listed(request):
        if request.method == "GET" and request.url.path.endswith("/messages"):
            return httpx.Response(200, json={"_pagination": {"next": None}, "_results": []})
        return None

    wire.intercept = not_yet_listed
    sent = await c.send_reply(question, "Done.", "k")
    assert sent.remote_id == "alt:uid:uidmsg_cnv_1_2"


async def test_an_unknown_outcome_is_resolved_by_finding_our_reply(fake, fake_sleep):
    fake.add("cnv_1", "Export", "It fails.")
    fake.team_writes("cnv_1", "Done.", author="tea_other")  # same words, another teammate
    fake.customer_writes("cnv_1", "Still failing.")
    c, wire = build(fake, fake_sleep)
    question = (await c.fetch(None)).questions[0]

    def applied_then_cut(request):
        if request.method == "POST":
            fake.respond(seen_of(request))  # the server applies it, the answer is lost
            raise httpx.ReadError("connection reset", request=request)
        return None

    wire.intercept = applied_then_cut
    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(question, "Done.", "key-1")
    assert may_have_reached_service(caught.value)
    assert len(fake.replies) == 1 and len(wire.paths("POST")) == 1  # never sent twice
    found = await c.find_own_reply(question, "Done.", "key-1")
    assert found is not None and found.remote_id == "msg_cnv_1_4"
    assert await c.find_own_reply(question, "Something else.", "key-2") is None


# -- failures ------------------------------------------------------------------------
async def test_a_429_waits_as_front_asks(fake, fake_sleep):
    fake.add("cnv_1", "Export", "It fails.")
    fake.throttle(retry_after="7", x_ratelimit_limit="50", x_ratelimit_remaining="0")
    fake.throttle(x_ratelimit_reset=str(int(T0) + 12), x_front_tier="3")
    c, _ = build(fake, fake_sleep, wall_clock=lambda: T0)
    result = await c.fetch(None)
    assert len(result.questions) == 1
    assert fake_sleep.calls == [7.0, 12.0]


async def test_a_throttle_while_reading_threads_defers_the_rest(fake, fake_sleep):
    five_conversations(fake)
    c, wire = build(fake, fake_sleep)

    def throttle_third_thread(request):
        if request.url.path == "/conversations/cnv_3/messages":
            return httpx.Response(429, headers={"retry-after": "3600"})
        return None

    wire.intercept = throttle_third_thread
    first = await c.fetch(None)
    assert len(first.questions) == 2  # cnv_5 and cnv_4 were read before the throttle
    assert "wait for the next fetch" in first.warnings[-1]
    assert sorted(first.checkpoint["retry"]) == ["cnv_1", "cnv_2", "cnv_3"]
    wire.intercept = None
    wire.clear()
    second = await c.fetch(first.checkpoint)
    assert wire.threads_read() == ["cnv_1", "cnv_2", "cnv_3"]
    assert len(second.questions) == 2 and second.checkpoint["retry"] == []


@pytest.mark.parametrize(("status", "said"), [(401, "refused the credentials"), (403, "denied")])
async def test_401_and_403_are_one_line_auth_errors_without_the_token(
    fake, fake_sleep, status, said
):
    c, wire = build(fake, fake_sleep)
    echo = {"_error": {"status": status, "message": f"bad token {TOKEN}"}}
    wire.intercept = lambda request: httpx.Response(status, json=echo)
    with pytest.raises(AuthError) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert said in text and "API token" in text and "\n" not in text
    assert TOKEN not in text


async def test_a_wrong_token_is_refused_by_the_fake_and_named_as_login(fake, fake_sleep):
    fake.token = "another-token"
    c, _ = build(fake, fake_sleep)
    with pytest.raises(AuthError, match="cxdaily login front"):
        await c.check()


async def test_a_malformed_page_is_a_one_line_error(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda request: httpx.Response(200, json=[{"id": "cnv_1"}])
    with pytest.raises(BadResponseError, match="not with a page of results") as caught:
        await c.fetch(None)
    assert "\n" not in str(caught.value)


async def test_one_malformed_conversation_costs_only_itself(fake, fake_sleep):
    five_conversations(fake)
    fake.conversations["cnv_2"]["updated_at"] = "yesterday"
    fake.conversations["cnv_4"]["id"] = {"not": "an id"}
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert ids(result.questions) == ["cnv_1:msg_cnv_1_1", "cnv_5:msg_cnv_5_1"]
    assert sorted(w.split(": ", 1)[1] for w in result.warnings) == [
        "id must be a string or an integer",
        "updated_at = 'yesterday' is not an ISO-8601 timestamp",
    ]


async def test_a_thread_read_again_before_a_reply_is_never_taken_in_part(fake, fake_sleep):
    """A message that cannot be read costs only itself in a fetch, but read again before
    a reply (our own reply, or a colleague's answer, could be that message) it fails the
    whole read instead of passing for the thread."""
    fake.add("cnv_1", "Export", "It fails.")
    c, _ = build(fake, fake_sleep)
    question = (await c.fetch(None)).questions[0]
    fake.team_writes("cnv_1", "Fixed it.")["created_at"] = "soon"
    with pytest.raises(BadResponseError, match=r"conversation cnv_1: .*'soon'"):
        await c.question_thread(question)
    with pytest.raises(BadResponseError):  # never "not found", which would send again
        await c.find_own_reply(question, "Fixed it.", "key-2")


@pytest.mark.parametrize(("failure", "again"), [("404", False), ("timeout", True),
                                              ("not json", False)])  # fmt: skip
async def test_a_thread_that_cannot_be_read_costs_only_that_thread(
    fake, fake_sleep, failure, again
):
    """A failure that may pass (a timeout) is tried again by the next fetch; one that
    would come again (a 404, an unusable answer) is not, every fetch, forever."""
    five_conversations(fake)
    c, wire = build(fake, fake_sleep)

    def break_thread(request):
        if request.url.path != "/conversations/cnv_2/messages":
            return None
        if failure == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if failure == "404":
            return httpx.Response(404, json={"_error": {"message": f"gone {TOKEN}"}})
        return httpx.Response(200, text="<html>oops</html>")

    wire.intercept = break_thread
    result = await c.fetch(None)
    assert len(result.questions) == 4
    billing = by_id(result.questions, "cnv_2")
    assert billing.native_id == "cnv_2" and billing.body == "Thanks in advance."  # the preview
    [warning] = result.warnings
    assert warning.startswith("conversation cnv_2: its messages cannot be read")
    assert ("read again by the next fetch" in warning) is again
    assert TOKEN not in warning
    assert result.checkpoint["retry"] == (["cnv_2"] if again else [])
    wire.intercept = None
    wire.clear()
    later = await c.fetch(result.checkpoint)
    assert wire.threads_read() == (["cnv_2"] if again else [])
    if again:
        assert by_id(later.questions, "cnv_2").native_id == "cnv_2:msg_cnv_2_1"
        assert "front:cnv_2" in {q.id for q in later.settled}  # the stand-in leaves
    else:
        assert later.questions == [] and later.warnings == []


async def test_a_thread_held_for_over_a_day_is_not_read_again(fake, fake_sleep):
    five_conversations(fake)
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: httpx.Response(503) if r.url.path.endswith("/messages") else None
    with fetch_holding(False):  # the runner's choice once the channel held for a day
        result = await c.fetch(None)
    assert result.checkpoint["retry"] == []
    assert all("held for over a day" in w for w in result.warnings[:4])


async def test_the_conversations_to_read_again_are_the_newest_and_bounded(
    fake, fake_sleep, monkeypatch
):
    monkeypatch.setattr(front, "MAX_TRACKED", 2)
    five_conversations(fake)
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: httpx.Response(503) if r.url.path.endswith("/messages") else None
    result = await c.fetch(None)
    assert result.checkpoint["retry"] == ["cnv_5", "cnv_4"]  # the latest activity first
    assert any("3 more conversations whose messages were not read" in w for w in result.warnings)


async def test_open_conversations_beyond_those_followed_are_said(fake, fake_sleep, monkeypatch):
    monkeypatch.setattr(front, "MAX_TRACKED", 2)
    five_conversations(fake)
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert result.checkpoint["open"] == ["cnv_5", "cnv_4"]  # the most recently active
    # every conversation is read all the same: only following them is bounded
    assert {q.native_id.split(":")[0] for q in result.questions} == {
        "cnv_1",
        "cnv_2",
        "cnv_4",
        "cnv_5",
    }
    [said] = [w for w in result.warnings if "not followed" in w]
    assert said.startswith("open conversations not followed: the 3 least recently active")
    again = await c.fetch(result.checkpoint)  # nothing more dropped: nothing said again
    assert not any("not followed" in w for w in again.warnings)


async def test_hostile_text_arrives_clean(fake, fake_sleep):
    hostile = "\x1b]52;c;cGF5bG9hZA==\x07\u202eevil\ud800 [@click=app.quit]x[/]"
    long_name = "N" * 10_000
    fake.add(
        "cnv_1", hostile, "placeholder", customer=(long_name + hostile, hostile + "@x.example"),
        tags=(hostile, "T" * 10_000),
    )  # fmt: skip
    body = f"<p>{hostile}</p><script>alert('{hostile}')</script><b>bold</b>"
    fake.threads["cnv_1"][0]["body"] = body
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert result.warnings == []
    [question] = result.questions
    texts = [question.body, question.title, question.author.name, question.author.handle,
             *question.meta["tags"]]  # fmt: skip
    for text in texts:
        text.encode("utf-8")  # no lone surrogate is left
        assert "\x1b" not in clean(text) and "\u202e" not in clean(text)
    assert question.title == hostile.replace("\ud800", "\ufffd")
    assert question.author.handle == hostile.replace("\ud800", "\ufffd") + "@x.example"
    assert question.author.name == "N" * 1000  # cut, not refused
    assert question.meta["tags"] == [one_line(hostile.replace("\ud800", "\ufffd")), "T" * 99 + "…"]
    assert "alert" not in question.body and "bold" in question.body
    assert "evil\ufffd" in question.body
    json.dumps(question.to_dict(), ensure_ascii=False).encode("utf-8")


async def test_the_token_appears_in_no_error_or_warning(fake, fake_sleep, monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_FRONT", TOKEN + "\n")  # as an env file often has it
    fake.add("cnv_1", "Export", "It fails.")
    c, wire = build(fake, fake_sleep)

    def echo(request):  # a service that quotes the request's credentials back
        said = {"_error": {"message": f"{request.headers.get('authorization')} {TOKEN}"}}
        return httpx.Response(500, json=said)

    wire.intercept = echo
    with pytest.raises(ConnectorError) as caught:
        await c.fetch(None)
    assert "HTTP 500" in str(caught.value) and TOKEN not in str(caught.value)
    wire.intercept = lambda r: echo(r) if r.url.path.endswith("/messages") else None
    result = await c.fetch(None)
    assert result.warnings and "HTTP 500" in result.warnings[0]
    assert all(TOKEN not in w for w in result.warnings)
    assert wire.requests[-1].headers["authorization"] == f"Bearer {TOKEN}"  # stripped


# -- check and checkpoints ----------------------------------------------------------------
async def test_check_names_the_company_and_the_inbox(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    said = await c.check()
    assert said == "API token of Acme Inc accepted; inbox inb_1 readable on api2.frontapp.com"
    assert wire.paths() == ["/me", "/inboxes/inb_1/conversations"]


@pytest.mark.parametrize(
    "stored",
    [None, [], {"since": "x"}, {"since": float("nan")}, {"since": 10**400}, {"since": True}],
)
def test_a_damaged_checkpoint_means_a_first_fetch(stored):
    assert read_checkpoint(stored) == (None, set(), set(), set())


def test_a_checkpoint_keeps_only_plain_ids():
    mark = read_checkpoint(
        {"since": T0, "at": ["cnv_9"], "retry": ["cnv_1", 5, "", "x" * 500], "open": "cnv_2"}
    )
    assert mark == (T0, {"cnv_9"}, {"cnv_1"}, set())


# -- a thread read in part ------------------------------------------------------------
@pytest.fixture
def two_pages() -> FakeFront:
    """cnv_1: the customer asks, the team answers, the customer writes again (two pages)."""
    fake = FakeFront()
    fake.add("cnv_1", "Export fails", "My export fails with an error.")
    fake.team_writes("cnv_1", "Try again now?")
    fake.customer_writes("cnv_1", "Still failing, see attached.")
    return fake


async def test_messages_cut_short_are_read_again_by_the_next_fetch(two_pages, fake_sleep):
    c, wire = build(two_pages, fake_sleep, policy=HttpPolicy(max_fetch_bytes=1))
    first = await c.fetch(None)
    assert ids(first.questions) == [] and ids(first.settled) == []  # nothing from part of it
    [warning] = first.warnings
    assert warning.startswith("conversation cnv_1: its messages cannot be read (messages past")
    assert "the byte budget" in warning and warning.endswith("read again by the next fetch")
    assert first.checkpoint is not None and first.checkpoint["retry"] == ["cnv_1"]
    c.http.policy, c.http.bytes_read = HttpPolicy(), 0
    wire.clear()
    second = await c.fetch(first.checkpoint)
    assert wire.threads_read() == ["cnv_1"]
    assert ids(second.questions) == ["cnv_1:msg_cnv_1_3"]
    assert second.questions[0].body == "Still failing, see attached."
    assert ids(second.settled) == ["cnv_1:msg_cnv_1_1"]
    assert second.checkpoint is not None and second.checkpoint["retry"] == []


async def test_messages_cut_short_for_over_a_day_are_skipped_with_a_warning(two_pages, fake_sleep):
    c, _ = build(two_pages, fake_sleep, policy=HttpPolicy(max_fetch_bytes=1))
    with fetch_holding(False):
        result = await c.fetch(None)
    assert ids(result.questions) == [] and ids(result.settled) == []
    [warning] = result.warnings
    assert "messages past page 1 were not read" in warning and "held for over a day" in warning
    assert result.checkpoint is not None and result.checkpoint["retry"] == []
