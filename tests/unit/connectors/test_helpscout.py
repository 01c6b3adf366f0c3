"""The helpscout channel against a fake of Help Scout's Mailbox API 2.0 (served through
``httpx.MockTransport``): pages, the checkpoint, settled turns, replies exactly once,
the token, rate limits, hostile payloads and the secrets."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from cxdaily.connectors import connector_class, helpscout
from cxdaily.connectors.helpscout import HelpScoutConnector
from cxdaily.connectors.http import (
    BadResponseError,
    ChannelHttp,
    ChannelTimeoutError,
    channel_deadline,
    make_client,
)
from cxdaily.connectors.oauth import PROCESS_TOKENS
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError, RateLimited
from cxdaily.credentials import secret_reader
from cxdaily.settings import ChannelSettings
from tests.integration.helpscout_fake_kit import (
    CLIENT_ID,
    CLIENT_SECRET,
    HelpScoutFake,
    mock_transport,
    seen_of,
)

JANE = {"id": 501, "first": "Jane", "last": "Doe", "email": "jane@example.com"}
RAVI = {"id": 502, "first": "Ravi", "last": "Rao", "email": "ravi@example.com"}
SECRETS = (CLIENT_ID, CLIENT_SECRET)


@pytest.fixture(autouse=True)
def _fresh_tokens(monkeypatch):
    """Each test starts without cached tokens, with the app's credentials in the env."""
    PROCESS_TOKENS.clear()
    monkeypatch.setenv("CXDAILY_SECRET_DESK_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("CXDAILY_SECRET_DESK_CLIENT_SECRET", CLIENT_SECRET)
    yield
    PROCESS_TOKENS.clear()


class Recorder:
    """Every request the connector sent, and a hook answering some of them first."""

    def __init__(self, fake: HelpScoutFake) -> None:
        self.fake = fake
        self.requests: list[httpx.Request] = []
        self.hook: Any = None

    def __call__(self, request: httpx.Request) -> httpx.Response | None:
        self.requests.append(request)
        return self.hook(request) if self.hook else None

    def paths(self, method: str | None = None) -> list[str]:
        return [r.url.path for r in self.requests if method in (None, r.method)]

    def lists(self) -> list[dict[str, str]]:
        """The query of every conversation list request."""
        return [dict(r.url.params) for r in self.requests if r.url.path == "/v2/conversations"]

    def clear(self) -> None:
        self.requests.clear()


def build(fake: HelpScoutFake, sleep=None, **options) -> tuple[HelpScoutConnector, Recorder]:
    """The connector over ``fake``, with every request recorded."""
    recorder = Recorder(fake)
    settings = ChannelSettings(
        name="desk", kind="helpscout", options={"mailbox_id": fake.mailbox_id, **options}
    )
    client = make_client(transport=mock_transport(fake, recorder))
    connector = HelpScoutConnector(settings, client=client, secrets=secret_reader("desk"))
    if sleep is not None:
        connector.http = ChannelHttp(client, channel="desk", sleep=sleep, rand=lambda: 0)
    return connector, recorder


def account(page_size: int = 25) -> tuple[HelpScoutFake, list[int]]:
    """Three open conversations and one pending on the customer."""
    fake = HelpScoutFake(page_size=page_size)
    ids = [
        fake.conversation("Export fails", JANE, "<p>My invoice export <b>fails</b>.</p>",
                          tags=("billing", "vip")),
        fake.conversation("Billing email", RAVI, "Can I change the billing email?"),
        fake.conversation("Refund", JANE, "Where is my refund?"),
    ]  # fmt: skip
    waiting = fake.conversation("Thanks", RAVI, "Thanks!", status="pending")
    fake.note(ids[0], "Internal: customer is on the old plan")
    return fake, [*ids, waiting]


def asked(result, conv: int):
    """The question a fetch brought for conversation ``conv``."""
    (question,) = [q for q in result.questions if q.thread_id == str(conv)]
    return question


def assert_no_secret(*texts: object) -> None:
    for text in texts:
        for secret in (*SECRETS, "hs-token-"):
            assert secret not in str(text), text


# ----------------------------------------------------------------------------- options
def test_registered_as_a_builtin_kind():
    assert connector_class("helpscout") is HelpScoutConnector


def test_mailbox_id_is_required_and_a_number():
    with pytest.raises(ConfigError, match=r"^\[channels\.desk\] needs mailbox_id = <number>"):
        HelpScoutConnector(ChannelSettings(name="desk", kind="helpscout"))
    with pytest.raises(ConfigError, match="mailbox_id must be a whole number above 0"):
        HelpScoutConnector(
            ChannelSettings(name="desk", kind="helpscout", options={"mailbox_id": "x"})
        )


def test_token_url_follows_base_url_unless_configured():
    def settings(**options):
        return ChannelSettings(name="d", kind="helpscout", options={"mailbox_id": 1, **options})

    assert HelpScoutConnector(settings()).token_url == "https://api.helpscout.net/v2/oauth2/token"
    moved = HelpScoutConnector(settings(base_url="https://hs.test/"))
    assert moved.token_url == "https://hs.test/v2/oauth2/token"
    own = HelpScoutConnector(settings(token_url="https://auth.test/token"))
    assert own.token_url == "https://auth.test/token"
    assert "https://auth.test/token" in own.credential_urls


async def test_base_url_changes_every_url_called():
    fake, _ = account()
    fake.base_url = "https://hs.internal.test"
    c, rec = build(fake, base_url="https://hs.internal.test", user_id=4)
    question = (await c.fetch(None)).questions[0]
    await c.send_reply(question, "Fixed.", "k")
    await c.answers_since(question, question.created_at)
    await c.check()
    hosts = {r.url.host for r in rec.requests}
    assert hosts == {"hs.internal.test"}
    assert rec.paths()[0] == "/v2/oauth2/token"


# ----------------------------------------------------------------------------- fetch
async def test_first_fetch_reads_every_page_of_active_conversations():
    fake, ids = account(page_size=2)
    c, rec = build(fake)
    result = await c.fetch(None)
    assert sorted(q.native_id for q in result.questions) == [
        f"{conv}:{fake.threads[conv][-1]['id']}" for conv in ids[:3]
    ]
    assert [q["page"] for q in rec.lists()] == ["1", "2"]
    first = rec.lists()[0]
    assert first == {
        "mailbox": "85",
        "status": "active",
        "sortField": "modifiedAt",
        "sortOrder": "asc",
        "embed": "threads",
        "page": "1",
    }
    assert rec.lists()[1]["mailbox"] == "85"  # the next link keeps the filters
    assert rec.paths().count("/v2/oauth2/token") == 1
    for request in rec.requests[1:]:
        assert request.headers["authorization"] == "Bearer hs-token-1-b71e"
    newest = max(fake.conversations[conv]["modifiedAt"] for conv in ids[:3])
    assert result.checkpoint == {"modified_since": newest}
    assert result.warnings == []


async def test_without_next_links_the_pages_follow_total_pages():
    fake, _ = account(page_size=2)
    c, rec = build(fake)

    def no_links(request):
        if request.url.path != "/v2/conversations":
            return None
        page = json.loads(fake.handler(seen_of(request)).payload()[0])
        del page["_links"]
        return httpx.Response(200, json=page)

    rec.hook = no_links
    result = await c.fetch(None)
    assert len(result.questions) == 3
    assert [q["page"] for q in rec.lists()] == ["1", "2"]
    assert rec.lists()[1] == {**rec.lists()[0], "page": "2"}


async def test_chat_lines_count_by_their_author_and_phone_logs_not_at_all():
    fake = HelpScoutFake()
    conv = fake.conversation("Chat", JANE, "Hello?")
    fake.threads[conv][:0] = [
        {"id": 3, "type": "chat", "state": "published", "body": "Still there?",
         "createdBy": {"id": 501, "type": "customer"}, "createdAt": "2026-12-04T08:12:00Z"},
        {"id": 2, "type": "chat", "state": "published", "body": "Hi Jane!",
         "createdBy": {"id": 9, "type": "user"}, "createdAt": "2026-12-04T08:11:00Z"},
        {"id": 1, "type": "phone", "body": "Called her", "createdAt": "2026-12-04T08:10:00Z",
         "createdBy": {"id": 9, "type": "user"}},
        {"id": 4, "type": "reply", "state": "draft", "body": "Draft", "createdAt":
         "2026-12-04T08:13:00Z", "createdBy": {"id": 9, "type": "user"}},
    ]  # fmt: skip
    c, _ = build(fake)
    (q,) = (await c.fetch(None)).questions
    assert q.native_id == f"{conv}:3"
    assert q.body == "Still there?"
    assert [m.body for m in q.context] == ["Hello?", "Hi Jane!"]


async def test_a_question_carries_the_ticket_as_help_scout_has_it():
    fake, ids = account()
    c, _ = build(fake)
    q = asked(await c.fetch(None), ids[0])
    conv = fake.conversations[ids[0]]
    assert q.thread_id == str(ids[0])
    assert q.body == "My invoice export fails."
    assert q.title == "Export fails"
    assert (q.author.id, q.author.name, q.author.handle) == ("501", "Jane Doe", "jane@example.com")
    assert q.url == f"https://secure.helpscout.net/conversation/{ids[0]}/{conv['number']}/"
    assert q.meta["tags"] == ["billing", "vip"]
    assert q.meta["status"] == "active"
    assert q.meta["customer_id"] == "501"
    assert "old plan" not in json.dumps(q.to_dict())  # the internal note never comes


async def test_second_fetch_asks_only_for_what_changed_since_the_checkpoint():
    fake, _ = account()
    c, rec = build(fake)
    first = await c.fetch(None)
    rec.clear()
    second = await c.fetch(first.checkpoint)
    assert rec.lists() == [
        {
            "mailbox": "85",
            "status": "all",
            "sortField": "modifiedAt",
            "sortOrder": "asc",
            "embed": "threads",
            "page": "1",
            "modifiedSince": first.checkpoint["modified_since"],
        }
    ]
    assert "/v2/oauth2/token" not in rec.paths()  # the token is kept
    assert second.checkpoint == first.checkpoint


async def test_an_answer_in_between_settles_the_question_and_shows_in_answers_since():
    fake, ids = account()
    c, _ = build(fake)
    first = await c.fetch(None)
    question = asked(first, ids[1])
    fake.agent_replies(ids[1], "<p>Yes: Settings &gt; Billing.</p>")
    second = await c.fetch(first.checkpoint)
    assert question.id not in [q.id for q in second.questions]
    settled = [q for q in second.settled if q.id == question.id]
    assert settled and settled[0].meta["team_answered"] is True
    answers = await c.answers_since(question, question.created_at)
    assert [a.body for a in answers] == ["Yes: Settings > Billing."]
    assert answers[0].author.name == "Jack Sprout"


async def test_a_conversation_that_comes_back_to_open_is_a_new_question():
    fake, ids = account()
    c, _ = build(fake)
    first = await c.fetch(None)
    fake.agent_replies(ids[2], "Refunded yesterday.")
    second = await c.fetch(first.checkpoint)
    again = fake.customer_writes(ids[2], "It is still not there.")
    third = await c.fetch(second.checkpoint)
    new = [q for q in third.questions if q.thread_id == str(ids[2])]
    assert [q.native_id for q in new] == [f"{ids[2]}:{again}"]
    assert new[0].body == "It is still not there."
    assert [m.body for m in new[0].context] == ["Where is my refund?", "Refunded yesterday."]
    assert third.checkpoint["modified_since"] > second.checkpoint["modified_since"]


async def test_pending_and_closed_conversations_wait_on_nobody():
    fake, ids = account()
    c, _ = build(fake)
    first = await c.fetch(None)
    fake.conversations[ids[0]]["status"] = "closed"
    fake.conversations[ids[0]]["modifiedAt"] = fake.tick()
    second = await c.fetch(first.checkpoint)
    assert str(ids[0]) not in [q.thread_id for q in second.questions]
    assert str(ids[0]) in [q.thread_id for q in second.settled]


async def test_empty_fetch_keeps_the_checkpoint():
    c, _ = build(HelpScoutFake())
    checkpoint = {"modified_since": "2026-12-01T00:00:00Z"}
    assert (await c.fetch(checkpoint)).checkpoint == checkpoint
    assert (await c.fetch(None)).checkpoint is None


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"[]", "without a list of conversations"),
        (b'{"_embedded": {"conversations": {"id": 1}}}', "without a list of conversations"),
        (b'{"conversations": []}', "without a list of conversations"),
        (b"<html>login</html>", "HTML page instead of JSON"),
    ],
)
async def test_a_malformed_page_is_a_one_line_error(content, said):
    fake, _ = account()
    c, rec = build(fake)

    def page(request):
        if request.url.path == "/v2/conversations":
            return httpx.Response(200, content=content)
        return None

    rec.hook = page
    with pytest.raises(BadResponseError, match=said) as caught:
        await c.fetch(None)
    assert "\n" not in str(caught.value)


async def test_one_malformed_conversation_is_skipped_with_a_warning():
    fake, ids = account()
    fake.conversations[ids[1]]["createdAt"] = "yesterday"
    fake.conversations[9999] = {"id": True, "status": "active", "mailboxId": 85,
                                "modifiedAt": "2026-12-04T07:00:00Z"}  # fmt: skip
    fake.threads[9999] = []
    fake.threads[ids[2]].insert(0, {"id": 1, "type": "customer", "createdAt": "soon"})
    c, _ = build(fake)
    result = await c.fetch(None)
    assert {q.thread_id for q in result.questions} == {str(ids[0]), str(ids[2])}
    assert result.warnings == [
        "conversation #1 on its page skipped: id must be a string or an integer",
        f"conversation {ids[1]} skipped: createdAt = 'yesterday' is not an ISO-8601 timestamp",
        f"conversation {ids[2]}: thread 1 skipped: createdAt = 'soon' is not an ISO-8601 timestamp",
    ]


async def test_a_thread_read_again_before_a_reply_is_never_taken_in_part():
    """A thread that cannot be read costs only itself in a fetch, but read again before a
    reply (our own reply, or a colleague's answer, could be that thread) it fails the
    whole read instead of passing for the conversation."""
    fake, ids = account()
    c, _ = build(fake)
    question = asked(await c.fetch(None), ids[0])
    fake.threads[ids[0]].insert(0, {"id": 1, "type": "message", "createdAt": "soon"})
    with pytest.raises(BadResponseError, match="thread 1 skipped: createdAt = 'soon'"):
        await c.question_thread(question)


@pytest.mark.parametrize("failure", ["404", "timeout"])
async def test_a_thread_that_cannot_be_read_costs_only_that_conversation_its_thread(
    failure, fake_sleep
):
    fake, ids = account()
    fake.embed_threads = False
    c, rec = build(fake, fake_sleep)
    broken = f"/v2/conversations/{ids[1]}/threads"

    def fail(request):
        if request.url.path != broken:
            return None
        if failure == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(404, json={"message": "Not found"})

    rec.hook = fail
    result = await c.fetch(None)
    by_thread = {q.thread_id: q for q in result.questions}
    assert set(by_thread) == {str(ids[0]), str(ids[1]), str(ids[2])}
    assert by_thread[str(ids[1])].body == "Can I change the billing email?"  # the preview
    assert by_thread[str(ids[1])].native_id == str(ids[1])
    assert by_thread[str(ids[0])].body == "My invoice export fails."  # its thread was read
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith(f"conversation {ids[1]}: its thread could not be read")
    assert_no_secret(*result.warnings)
    # a timeout may pass: the checkpoint stays before that conversation, for the next fetch
    again = failure == "timeout"
    assert ("read again by the next fetch" in result.warnings[0]) is again
    held = fake.conversations[ids[1]]["modifiedAt"] < result.checkpoint["modified_since"]
    assert held is not again
    if again:
        rec.hook = None
        second = await c.fetch(result.checkpoint)
        by_thread = {q.thread_id: q for q in second.questions}
        assert by_thread[str(ids[1])].native_id != str(ids[1])  # its thread's, not the preview
        assert str(ids[1]) in {q.native_id for q in second.settled}  # the stand-in leaves
        assert second.warnings == []


async def test_a_fetch_cut_by_its_page_cap_reads_its_last_second_again(monkeypatch):
    monkeypatch.setattr(helpscout, "MAX_PAGES", 1)
    fake, ids = account(page_size=2)
    times = [
        "2026-12-04T07:00:00Z",
        "2026-12-04T08:00:00Z",
        "2026-12-04T08:00:00Z",
        "2026-12-04T06:00:00Z",
    ]
    for conv, at in zip(ids, times, strict=True):  # the second and third in one bulk change
        fake.conversations[conv]["modifiedAt"] = fake.conversations[conv]["userUpdatedAt"] = at
    c, _ = build(fake)
    first = await c.fetch(None)  # one page of two: the third, of the same second, is next
    assert [q.thread_id for q in first.questions] == [str(ids[0]), str(ids[1])]
    assert first.checkpoint == {"modified_since": "2026-12-04T07:59:59Z"}
    second = await c.fetch(first.checkpoint)
    assert str(ids[2]) in {q.thread_id for q in second.questions}  # not passed over


def four_waiting() -> tuple[HelpScoutFake, list[int]]:
    """Four open conversations, two to a page, oldest change first."""
    fake = HelpScoutFake(page_size=2)
    return fake, [fake.conversation(f"Q{n}", JANE, f"Question {n}?") for n in range(1, 5)]


def touch_during_page_1(fake: HelpScoutFake, conv: int):
    """A hook: the first time page 1 of the list is served, an agent's change to ``conv``
    (made just after the page was written) moves it to the end of the list."""
    state = {"done": False}

    def hook(request: httpx.Request) -> httpx.Response | None:
        if state["done"] or request.url.path != "/v2/conversations":
            return None
        if request.url.params.get("page", "1") != "1":
            return None
        state["done"] = True
        content, content_type = fake.handler(seen_of(request)).payload()  # page 1 as it was
        fake.conversations[conv]["modifiedAt"] = fake.tick()  # then conv moves to the end
        return httpx.Response(200, content=content, headers={"content-type": content_type})

    return hook


@pytest.mark.parametrize("checkpoint", [None, {"modified_since": "2026-12-04T07:00:00Z"}])
async def test_a_conversation_changed_mid_walk_never_lets_the_checkpoint_pass_one(checkpoint):
    fake, ids = four_waiting()
    was = fake.conversations[ids[0]]["modifiedAt"]
    c, rec = build(fake)
    rec.hook = touch_during_page_1(fake, ids[0])
    first = await c.fetch(checkpoint)
    # page 2 slid up: the third was pushed onto page 1 and the first read a second time
    assert sorted(q.thread_id for q in first.questions) == sorted(str(i) for i in ids[:2] + ids[3:])
    assert [q["page"] for q in rec.lists()] == ["1", "2"]
    third = fake.conversations[ids[2]]["modifiedAt"]
    assert first.checkpoint["modified_since"] < third  # not past the unread conversation
    assert first.checkpoint == {"modified_since": "2026-12-04T08:01:59Z"}  # a second before
    assert was == "2026-12-04T08:02:00Z"  # ...the moved one's first sighting
    rec.hook = None
    second = await c.fetch(first.checkpoint)
    assert str(ids[2]) in {q.thread_id for q in second.questions}  # read after all
    newest = max(conv["modifiedAt"] for conv in fake.conversations.values())
    assert second.checkpoint == {"modified_since": newest}  # and then on as before
    assert second.warnings == []


@pytest.mark.parametrize("checkpoint", [None, {"modified_since": "2026-12-04T07:00:00Z"}])
async def test_without_a_shift_the_checkpoint_moves_to_the_newest_change(checkpoint):
    fake, ids = four_waiting()
    c, rec = build(fake)
    first = await c.fetch(checkpoint)
    assert sorted(q.thread_id for q in first.questions) == sorted(str(i) for i in ids)
    assert [q["page"] for q in rec.lists()] == ["1", "2"]
    newest = fake.conversations[ids[3]]["modifiedAt"]
    assert first.checkpoint == {"modified_since": newest}


class _DripStream(httpx.AsyncByteStream):
    """A body that comes a byte at a time, slower than any deadline in these tests."""

    async def __aiter__(self):
        for _ in range(1000):
            await asyncio.sleep(0.05)
            yield b" "


@pytest.mark.parametrize("limit", ["deadline", "rate limit"])
async def test_the_deadline_or_a_rate_limit_on_a_thread_stops_the_fetch(limit, fake_sleep):
    fake, ids = account()
    fake.embed_threads = False
    c, rec = build(fake, None if limit == "deadline" else fake_sleep)
    slow = f"/v2/conversations/{ids[1]}/threads"

    def stall(request):
        if request.url.path != slow:
            return None
        if limit == "deadline":
            return httpx.Response(200, stream=_DripStream())
        return httpx.Response(429, headers={"X-RateLimit-Retry-After": "3600"})

    rec.hook = stall
    expected = ChannelTimeoutError if limit == "deadline" else RateLimited
    with channel_deadline(0.3), pytest.raises(expected):
        await c.fetch({"modified_since": "2026-01-01T00:00:00Z"})
    after = rec.paths()[rec.paths().index(slow) :]
    assert set(after) == {slow}  # no thread after it was asked for, no preview instead


async def test_hostile_text_in_every_field_arrives_clean():
    evil = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\u202eevil\u202c \ud800"
    fake = HelpScoutFake()
    customer = {"id": 77, "first": "A" * 10_000 + evil, "last": evil, "email": evil + "@x.io"}
    conv = fake.conversation(
        evil * 3, customer, f"<p>Hi {evil}</p><script>alert('x')</script>", tags=(evil,)
    )
    fake.agent_replies(conv, evil, status="active")
    fake.customer_writes(conv, f"again {evil}")
    c, _ = build(fake)
    result = await c.fetch(None)
    (q,) = result.questions
    assert result.warnings == []
    texts = [q.body, q.title, q.author.name, q.author.handle, *q.meta["tags"]]
    texts += [m.body for m in q.context] + [m.author.name or "" for m in q.context]
    for text in texts:
        assert not any(ch in text for ch in "\x1b\x07\u202e\u202c\ud800"), repr(text)
    assert "alert" not in q.context[0].body
    assert q.context[0].body == "Hi evil \ufffd"
    assert len(q.author.name) <= 200
    json.dumps(q.to_dict(), ensure_ascii=False).encode("utf-8")


# ----------------------------------------------------------------------------- replies
async def test_a_reply_is_posted_once_as_the_app_user_with_its_id():
    fake, ids = account()
    c, rec = build(fake)
    question = asked(await c.fetch(None), ids[0])
    rec.clear()
    sent = await c.send_reply(question, "Hi Jane,\n\nfixed <now>.", "key-1")
    posts = [r for r in rec.requests if r.method == "POST"]
    assert [r.url.path for r in posts] == [f"/v2/conversations/{ids[0]}/reply"]
    assert json.loads(posts[0].content) == {
        "customer": {"id": 501},
        "text": "<p>Hi Jane,</p><p>fixed &lt;now&gt;.</p>",
        "user": 4,
    }
    assert posts[0].headers["authorization"] == "Bearer hs-token-1-b71e"
    assert rec.paths("GET") == ["/v2/users/me"]
    assert sent.remote_id == str(fake.threads[ids[0]][0]["id"])
    assert sent.url == question.url
    assert len(fake.replies) == 1


async def test_a_configured_user_replies_without_asking_who_the_app_is():
    fake, _ = account()
    c, rec = build(fake, user_id=12)
    question = (await c.fetch(None)).questions[0]
    await c.send_reply(question, "On it.", "key-1")
    assert fake.replies[0][1]["user"] == 12
    assert "/v2/users/me" not in rec.paths()


async def test_without_a_resource_id_the_reply_is_found_in_the_thread():
    fake, ids = account()
    c, rec = build(fake)
    question = asked(await c.fetch(None), ids[0])

    def no_header(request):
        if request.method == "POST" and request.url.path.endswith("/reply"):
            answer = fake.handler(seen_of(request))
            return httpx.Response(answer.status)
        return None

    rec.hook = no_header
    sent = await c.send_reply(question, "Done.", "key-1")
    assert sent.remote_id == str(fake.threads[ids[0]][0]["id"])


async def test_an_unknown_outcome_is_resolved_by_finding_our_reply(fake_sleep):
    fake, ids = account()
    c, rec = build(fake, fake_sleep)
    question = asked(await c.fetch(None), ids[0])

    def applied_then_cut(request):
        if request.method == "POST" and request.url.path.endswith("/reply"):
            fake.handler(seen_of(request))  # the service applied it ...
            raise httpx.ReadTimeout("cut off", request=request)  # ... and the answer was lost
        return None

    rec.hook = applied_then_cut
    with pytest.raises(ConnectorError, match="stopped answering") as caught:
        await c.send_reply(question, "We fixed it.", "key-1")
    assert len(fake.replies) == 1  # a POST is never repeated by the HTTP layer
    assert_no_secret(caught.value)
    rec.hook = None
    later, _ = build(fake)  # the outbox looks, maybe from another process
    found = await later.find_own_reply(question, "We fixed it.", "key-1")
    assert found is not None
    assert found.remote_id == str(fake.threads[ids[0]][0]["id"])
    assert await later.find_own_reply(question, "Another text.", "key-1") is None


# ----------------------------------------------------------------------------- limits, auth
async def test_a_429_waits_as_long_as_help_scout_asks(fake_sleep):
    fake, _ = account()
    c, _ = build(fake, fake_sleep)
    await c.fetch(None)  # the token
    fake.throttle, fake.retry_after = 1, "7"
    assert len((await c.fetch(None)).questions) == 3
    assert fake_sleep.calls == [7.0]


async def test_wrong_credentials_are_a_one_line_auth_error_naming_the_fields(monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_DESK_CLIENT_SECRET", "wrong-secret-991")
    c, _ = build(account()[0])
    with pytest.raises(AuthError) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert "refused the client credentials (HTTP 401: Bad credentials)" in text
    assert "client_id and client_secret" in text
    assert "cxdaily login desk --field client_id" in text
    assert "\n" not in text
    assert "wrong-secret-991" not in text
    assert_no_secret(text)


async def test_a_403_names_what_to_check_and_no_secret():
    fake, _ = account()
    c, rec = build(fake)

    def forbidden(request):
        if request.url.path == "/v2/conversations":
            return httpx.Response(403, json={"message": f"Forbidden for {CLIENT_ID}"})
        return None

    rec.hook = forbidden
    with pytest.raises(AuthError, match="HTTP 403") as caught:
        await c.fetch(None)
    assert "client_id and client_secret" in str(caught.value)
    assert_no_secret(caught.value)


async def test_a_refused_token_is_dropped_and_renewed_once():
    fake, _ = account()
    c, rec = build(fake)
    await c.fetch(None)
    fake.revoked.add(fake.tokens[0])
    result = await c.fetch(None)
    assert len(result.questions) == 3
    assert len(fake.tokens) == 2
    assert rec.requests[-1].headers["authorization"] == "Bearer hs-token-2-b71e"


async def test_a_new_token_that_is_refused_too_is_an_auth_error():
    fake, _ = account()
    c, rec = build(fake)
    await c.fetch(None)
    fake.revoked.add(fake.tokens[0])

    def refuse_all(request):
        if request.url.path != "/v2/oauth2/token":
            return httpx.Response(401, json={"message": "Not authorized"})
        return None

    rec.hook = refuse_all
    with pytest.raises(AuthError, match="HTTP 401") as caught:
        await c.fetch(None)
    assert len(fake.tokens) == 2  # renewed once, not in a loop
    assert_no_secret(caught.value)


async def test_check_names_the_user_and_the_host():
    fake, _ = account()
    c, rec = build(fake)
    said = await c.check()
    assert said == (
        "signed in as Vernon Bear (vernon@acme.example) on api.helpscout.net; mailbox 85, "
        "replies as user 4"
    )
    assert rec.paths() == ["/v2/oauth2/token", "/v2/users/me"]


async def test_credentials_never_go_to_a_next_page_on_another_host():
    fake, _ = account(page_size=2)
    c, rec = build(fake)

    def elsewhere(request):
        if request.url.host == "evil.test":
            return httpx.Response(200, json={"_embedded": {"conversations": []}, "page": {}})
        if request.url.path == "/v2/conversations":
            page = json.loads(fake.handler(seen_of(request)).payload()[0])
            page["_links"]["next"] = {"href": "https://evil.test/v2/conversations?page=2"}
            return httpx.Response(200, json=page)
        return None

    rec.hook = elsewhere
    await c.fetch(None)
    (stray,) = [r for r in rec.requests if r.url.host == "evil.test"]
    assert "authorization" not in stray.headers
    assert_no_secret(stray.url, stray.headers, stray.content)
