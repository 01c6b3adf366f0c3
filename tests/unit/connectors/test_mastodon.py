"""The mastodon channel: mentions across pages, only what is new on later fetches,
mentions our account answered settled, replies in the thread with the idempotency key,
Mastodon's way of counting length, and every way the API can fail."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from cxdaily.connectors import connector_class, mastodon
from cxdaily.connectors.http import BadResponseError, ChannelHttp, HttpPolicy, make_client
from cxdaily.connectors.mastodon import MastodonConnector
from cxdaily.connectors.mastodon_parse import mastodon_length, plain_text, read_checkpoint
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError, ReplyRejected
from cxdaily.core.safe_text import clean
from cxdaily.credentials import secret_reader
from cxdaily.replies.outbox import may_have_reached_service
from cxdaily.settings import ChannelSettings
from tests.integration.loopback_kit import FakeWire, seen_of
from tests.integration.mastodon_fake_kit import BOB, BRAND_ID, JANE, T0, TOKEN, FakeMastodon

BASE = "https://mastodon.social"
NOW = datetime.fromtimestamp(T0 + 3600, UTC)


class Wire(FakeWire):
    """The fake behind a MockTransport; records every request (hosts included)."""

    def paths(self, method: str = "GET") -> list[str]:
        return [r.url.path for r in self.requests if r.method == method]

    def clear(self) -> None:
        self.requests.clear()


@pytest.fixture(autouse=True)
def token(memory_keyring):
    memory_keyring.set_password("cxdaily", "fedi", TOKEN)


@pytest.fixture
def fake() -> FakeMastodon:
    fake = FakeMastodon()
    fake.link_origin = BASE
    return fake


def build(fake, fake_sleep, *, wall_clock=None, **options):
    options = {"base_url": BASE, **options}
    wire = Wire(fake, httpx.URL(options["base_url"]).path.rstrip("/"))
    settings = ChannelSettings(name="fedi", kind="mastodon", options=options)
    client = make_client(transport=httpx.MockTransport(wire))
    c = MastodonConnector(settings, client=client, secrets=secret_reader("fedi"), now=lambda: NOW)
    c.http = ChannelHttp(
        client, channel="fedi", sleep=fake_sleep, rand=lambda: 0.0,
        wall_clock=wall_clock or (lambda: T0), policy=HttpPolicy(),
    )  # fmt: skip
    return c, wire


def by_body(questions, words):
    return next(q for q in questions if words in q.body)


def notification_requests(wire):
    return [r for r in wire.requests if r.url.path == "/api/v1/notifications"]


# -- registration and options ----------------------------------------------------------
def test_registered_as_a_builtin_kind():
    assert connector_class("mastodon") is MastodonConnector


def test_base_url_is_required_as_a_one_line_config_error():
    with pytest.raises(ConfigError) as caught:
        MastodonConnector(ChannelSettings(name="fedi", kind="mastodon", options={}))
    assert str(caught.value).startswith("[channels.fedi] needs base_url")
    assert "\n" not in str(caught.value)


async def test_base_url_changes_every_address(fake, fake_sleep):
    fake.link_origin = "https://masto.proxy.example/m"
    fake.mention(JANE, "Where is my invoice?")
    c, wire = build(fake, fake_sleep, base_url="https://masto.proxy.example/m")
    result = await c.fetch(None)
    await c.send_reply(result.questions[0], "Sent it again.", "k1")
    assert {r.url.host for r in wire.requests} == {"masto.proxy.example"}
    assert all(r.url.path.startswith("/m/api/v1/") for r in wire.requests)


# -- fetching ------------------------------------------------------------------------
async def test_mentions_across_pages_become_questions(fake, fake_sleep):
    first = fake.mention(JANE, "My export fails, see https://acme.example/help/export")
    fake.status(BOB, "@jane same here")  # no mention of the brand: no notification
    for n in range(85):
        fake.mention(BOB, f"Question number {n}?")
    fake.notify(fake.statuses[first["id"]], kind="favourite")  # not a mention
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert len(result.questions) == 86 and result.warnings == []
    lists = notification_requests(wire)
    assert len(lists) == 2
    assert lists[0].url.params.get_list("types[]") == ["mention"]
    assert lists[0].url.params["limit"] == "80" and "min_id" not in lists[0].url.params
    assert "max_id" in lists[1].url.params  # the Link header's rel="next"
    q = by_body(result.questions, "export")
    assert q.body == "@acme My export fails, see https://acme.example/help/export"
    assert q.native_id == q.thread_id == first["id"]
    assert q.url == first["url"] and q.title is None
    assert q.author.handle == "@jane" and q.author.name == "Jane Roe"
    assert q.author.followers == 120 and q.author.id == JANE["id"]
    assert q.meta["visibility"] == "public" and q.meta["direct"] is False
    assert q.meta["bot"] is False and q.meta["reply_to"] == ["jane"]
    assert result.checkpoint["since_id"] == fake.notifications[-2]["id"]  # the last mention
    json.dumps(result.checkpoint)


async def test_a_second_fetch_asks_only_for_what_is_new(fake, fake_sleep):
    fake.status(fake.me, "Welcome to our account")
    fake.mention(JANE, "First question?")
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    newest = first.checkpoint["since_id"]
    later = fake.mention(BOB, "Second question?", reply_to=None)
    wire.clear()
    second = await c.fetch(first.checkpoint)
    [listing] = notification_requests(wire)
    assert listing.url.params["min_id"] == newest
    assert listing.url.params.get_list("types[]") == ["mention"]
    assert [q.native_id for q in second.questions] == [later["id"]]
    assert second.questions[0].author.handle == "@bob@fosstodon.org"
    own = [r for r in wire.requests if r.url.path.endswith("/statuses")]
    assert own[0].url.params["min_id"] == first.checkpoint["own_since"]
    wire.clear()
    third = await c.fetch(second.checkpoint)
    assert third.questions == [] and third.checkpoint["since_id"] == second.checkpoint["since_id"]


async def test_ids_compare_as_big_integers_not_as_text(fake_sleep):
    assert read_checkpoint({"since_id": "99", "open": ["1", 5, "x y"]}).open == ("1",)
    fake = FakeMastodon()
    fake.next_note = 8  # ids 9, then 10: "10" < "9" as text
    fake.link_origin = BASE
    fake.mention(JANE, "one")
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    assert first.checkpoint["since_id"] == "9"
    fake.mention(JANE, "two")
    second = await c.fetch(first.checkpoint)
    assert [q.body for q in second.questions] == ["@acme two"]
    assert second.checkpoint["since_id"] == "10"


async def test_the_first_fetch_reads_only_since_days(fake, fake_sleep):
    fake.mention(JANE, "Old question")
    fake.clock += 10 * 86400
    fake.mention(JANE, "Recent question")
    c, _ = build(fake, fake_sleep, since_days=7)
    c.now = lambda: datetime.fromtimestamp(fake.clock, UTC)
    result = await c.fetch(None)
    assert [q.body for q in result.questions] == ["@acme Recent question"]


async def test_a_first_fetch_stopped_at_the_page_cap_goes_on_with_the_next(
    fake, fake_sleep, monkeypatch
):
    monkeypatch.setattr(mastodon, "MAX_PAGES", 1)
    fake.mention(JANE, "Older than since_days")
    fake.clock += 10 * 86400
    asked = [fake.mention(BOB, f"Question number {n}?")["id"] for n in range(85)]
    c, wire = build(fake, fake_sleep, since_days=7)
    c.now = lambda: datetime.fromtimestamp(fake.clock, UTC)
    cutoff = c.now() - timedelta(days=7)
    first = await c.fetch(None)  # one page of 80: the newest
    assert sorted(q.native_id for q in first.questions) == sorted(asked[5:])
    assert "stopped after 1 pages" in " ".join(c.fetch_notes())
    newest = fake.notifications[-1]["id"]
    oldest_read = fake.notifications[-80]["id"]
    assert first.checkpoint["since_id"] is None
    assert first.checkpoint["resume"] == {
        "max_id": oldest_read, "newest": newest, "cutoff": cutoff.isoformat()
    }  # fmt: skip
    later = fake.mention(JANE, "Arrived in between?")
    c.now = lambda: datetime.fromtimestamp(fake.clock + 86400, UTC)  # the cutoff stays
    wire.clear()
    second = await c.fetch(first.checkpoint)  # on below where the first one stopped
    assert sorted(q.native_id for q in second.questions) == sorted(asked[:5])
    assert notification_requests(wire)[0].url.params["max_id"] == oldest_read
    assert second.checkpoint["since_id"] == newest and "resume" not in second.checkpoint
    third = await c.fetch(second.checkpoint)
    assert [q.native_id for q in third.questions] == [later["id"]]


async def test_a_first_fetch_stopped_by_the_byte_budget_goes_on_with_the_next(fake, fake_sleep):
    asked = [fake.mention(BOB, f"Question number {n}?")["id"] for n in range(170)]
    c, _ = build(fake, fake_sleep)
    c.http.policy = HttpPolicy(max_fetch_bytes=1)  # one page a fetch
    checkpoint, found = None, []
    for _ in range(3):
        c.http.bytes_read = 0  # a new fetch
        result = await c.fetch(checkpoint)
        found += [q.native_id for q in result.questions]
        checkpoint = result.checkpoint
    assert sorted(found) == sorted(asked) and len(found) == len(set(found))
    assert checkpoint["since_id"] == fake.notifications[-1]["id"] and "resume" not in checkpoint


async def test_context_spoiler_direct_and_our_own_posts(fake, fake_sleep):
    ours = fake.status(fake.me, "We launched a new export today")
    reply = fake.mention(JANE, "@bob@fosstodon.org does it do CSV?", reply_to=ours["id"],
                         spoiler="export talk")  # fmt: skip
    dm = fake.mention(BOB, "my order number is 42", visibility="direct")
    fake.mention(fake.me, "we mention ourselves")
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert sorted(q.native_id for q in result.questions) == sorted([reply["id"], dm["id"]])
    asked = by_body(result.questions, "CSV")
    assert asked.title == "export talk"
    assert [(m.author.handle, m.body) for m in asked.context] == [
        ("@acme", "We launched a new export today")
    ]
    assert asked.meta["reply_to"] == ["jane", "bob@fosstodon.org"]
    direct = by_body(result.questions, "order")
    assert direct.meta["direct"] is True and direct.meta["visibility"] == "direct"
    assert c.is_public(direct) is False and c.is_public(asked) is True


async def test_a_mention_we_already_answered_is_settled(fake, fake_sleep):
    asked = fake.mention(JANE, "Is the API down?")
    fake.brand_replies(asked["id"], "Yes, back in 5 minutes.")
    waiting = fake.mention(BOB, "Do you ship to Canada?")
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert [q.native_id for q in result.questions] == [waiting["id"]]
    [settled] = result.settled
    assert settled.native_id == asked["id"] and settled.meta["team_answered"] is True
    assert result.checkpoint["open"] == [waiting["id"]]


async def test_open_mentions_beyond_those_followed_are_said(fake, fake_sleep, monkeypatch):
    monkeypatch.setattr(mastodon, "MAX_OPEN", 2)
    asked = [fake.mention(JANE, f"Question {n}?") for n in range(3)]
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert len(result.questions) == 3  # every one is a question: only following is bounded
    assert result.checkpoint["open"] == [asked[2]["id"], asked[1]["id"]]  # the newest
    assert [w for w in result.warnings if "not followed" in w] == [
        "open mentions not followed: the 1 oldest (at most 2 are); one answered outside "
        "cxdaily stays open here"
    ]
    again = await c.fetch(result.checkpoint)  # nothing more dropped: nothing said again
    assert not any("not followed" in w for w in again.warnings)


async def test_an_answer_in_the_app_later_settles_the_question(fake, fake_sleep):
    asked = fake.mention(JANE, "Can I pay yearly?")
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    question = first.questions[0]
    fake.brand_replies(asked["id"], "Yes, in the billing page.")
    wire.clear()
    second = await c.fetch(first.checkpoint)
    assert second.questions == []
    [settled] = second.settled
    assert settled.id == question.id and settled.meta["team_answered"] is True
    assert f"/api/v1/statuses/{asked['id']}" in wire.paths()
    assert second.checkpoint["open"] == []
    answers = await c.answers_since(question, question.created_at)
    assert [a.body for a in answers] == ["Yes, in the billing page."]
    assert answers[0].author.id == BRAND_ID


@pytest.mark.parametrize("failure", [503, 404])
async def test_an_answered_question_that_cannot_be_read_again_is_settled_later(
    fake, fake_sleep, failure
):
    asked = fake.mention(JANE, "Can I pay yearly?")
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    fake.brand_replies(asked["id"], "Yes, in the billing page.")
    status_path = f"/api/v1/statuses/{asked['id']}"
    wire.intercept = lambda r: (
        httpx.Response(failure, json={"error": "Unavailable"}) if r.url.path == status_path
        else None
    )  # fmt: skip
    second = await c.fetch(first.checkpoint)
    assert second.settled == [] and second.questions == []
    [warning] = second.warnings
    assert warning.startswith(f"status {asked['id']}: answered, but cannot be read again")
    if failure == 404:  # gone: it would fail the same way next time
        assert not warning.endswith("read again by the next fetch")
        assert second.checkpoint["open"] == []
        return
    assert second.checkpoint["open"] == [asked["id"]]  # still open, and tried again
    assert second.checkpoint["own_since"] == first.checkpoint["own_since"]
    assert warning.endswith("; read again by the next fetch")
    wire.intercept = None
    third = await c.fetch(second.checkpoint)
    [settled] = third.settled
    assert settled.native_id == asked["id"] and settled.meta["team_answered"] is True
    assert third.checkpoint["open"] == [] and third.warnings == []
    assert third.checkpoint["own_since"] != first.checkpoint["own_since"]


# -- replies -------------------------------------------------------------------------
async def test_a_reply_goes_in_the_thread_with_the_key_and_the_visibility(fake, fake_sleep):
    asked = fake.mention(BOB, "@jane can you help?", visibility="unlisted")
    c, wire = build(fake, fake_sleep)
    question = (await c.fetch(None)).questions[0]
    wire.clear()
    sent = await c.send_reply(question, "Sure, DM us your order number.", "key-1")
    [post] = wire.requests
    assert (post.method, post.url.path) == ("POST", "/api/v1/statuses")
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    assert post.headers["idempotency-key"] == "key-1"
    assert json.loads(post.content) == {
        "status": "@bob@fosstodon.org @jane Sure, DM us your order number.",
        "in_reply_to_id": asked["id"],
        "visibility": "unlisted",
    }
    mine = fake.statuses[sent.remote_id]
    assert mine["in_reply_to_id"] == asked["id"] and sent.url == mine["url"]


async def test_a_direct_message_is_answered_directly_without_naming_twice(fake, fake_sleep):
    fake.mention(JANE, "private question", visibility="direct")
    c, _ = build(fake, fake_sleep)
    question = (await c.fetch(None)).questions[0]
    await c.send_reply(question, "@jane here is the answer", "k")
    assert fake.posted[0]["status"] == "@jane here is the answer"
    assert fake.posted[0]["visibility"] == "direct"


def test_length_is_counted_as_mastodon_counts_it(fake, fake_sleep):
    c, _ = build(fake, fake_sleep)
    url = "https://example.com/" + "a" * 200
    assert c.reply_length(f"see {url}.") == 4 + 23 + 1
    assert c.reply_length("@someone@very.long.domain.example hi") == len("@someone hi")
    assert mastodon_length("plain") == 5
    assert c.capabilities.max_reply_length == 500


async def test_a_reply_over_the_limit_is_refused_before_sending(fake, fake_sleep):
    fake.mention(JANE, "question")
    c, wire = build(fake, fake_sleep)
    question = (await c.fetch(None)).questions[0]
    wire.clear()
    long = "x" * 494 + " https://example.com/" + "p" * 300  # 494 + 1 + 23
    assert c.reply_length(long) == 518
    assert c.reply_length(long, question) == 524  # what the composer and review count
    assert c.reply_length("y" * 494, question) == 500
    with pytest.raises(ReplyRejected, match="524 characters"):  # with "@jane "
        await c.send_reply(question, long, "k")
    assert wire.requests == [] and not may_have_reached_service(ReplyRejected("x"))
    await c.send_reply(question, "y" * 494, "k2")  # "@jane " + 494 = 500
    assert len(fake.posted) == 1


async def test_an_unknown_outcome_resends_the_key_and_finds_our_reply(fake, fake_sleep):
    fake.mention(JANE, "Is it fixed?")
    c, wire = build(fake, fake_sleep)
    question = (await c.fetch(None)).questions[0]

    def applied_then_cut(request):
        if request.method == "POST":
            fake.respond(seen_of(request))  # the server applies it, the answer is lost
            raise httpx.ReadError("connection reset", request=request)
        return None

    wire.intercept = applied_then_cut
    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(question, "Yes, fixed.", "key-9")
    assert may_have_reached_service(caught.value) and len(wire.paths("POST")) == 1
    wire.intercept = None
    found = await c.find_own_reply(question, "Yes, fixed.", "key-9")
    assert found is not None and found.remote_id == fake.keys["key-9"]
    assert await c.find_own_reply(question, "Something else.", "key-2") is None
    again = await c.send_reply(question, "Yes, fixed.", "key-9")  # the outbox's resend
    assert again.remote_id == found.remote_id and len(fake.posted) == 1


# -- failures ------------------------------------------------------------------------
async def test_a_429_waits_until_the_reset_mastodon_names(fake, fake_sleep):
    fake.mention(JANE, "hello?")
    reset = datetime.fromtimestamp(T0 + 12, UTC).isoformat().replace("+00:00", "Z")
    fake.throttle(x_ratelimit_limit="300", x_ratelimit_remaining="0", x_ratelimit_reset=reset)
    c, _ = build(fake, fake_sleep, wall_clock=lambda: T0)
    result = await c.fetch(None)
    assert len(result.questions) == 1 and fake_sleep.calls == [12.0]


@pytest.mark.parametrize(("status", "said"), [(401, "refused the credentials"), (403, "denied")])
async def test_401_and_403_are_one_line_auth_errors_without_the_token(
    fake, fake_sleep, status, said
):
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: httpx.Response(status, json={"error": f"bad {TOKEN}"})
    with pytest.raises(AuthError) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert said in text and "access token" in text and "\n" not in text and TOKEN not in text


async def test_a_wrong_token_fails_check_naming_login(fake, fake_sleep):
    fake.token = "another"
    c, _ = build(fake, fake_sleep)
    with pytest.raises(AuthError, match="cxdaily login fedi"):
        await c.check()


async def test_check_names_the_account_and_the_instance(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    assert await c.check() == "signed in as @acme on mastodon.social"
    assert wire.paths() == ["/api/v1/accounts/verify_credentials"]


async def test_a_malformed_page_is_a_one_line_error(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: (
        httpx.Response(200, json={"notifications": []}) if "notifications" in str(r.url) else None
    )
    with pytest.raises(BadResponseError, match="not a list") as caught:
        await c.fetch(None)
    assert "\n" not in str(caught.value)


async def test_one_malformed_item_costs_only_itself(fake, fake_sleep):
    fake.mention(JANE, "good one")
    bad = fake.mention(BOB, "bad one")
    bad["created_at"] = "yesterday"
    fake.notifications.append({"id": {"no": 1}, "type": "mention"})
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert [q.body for q in result.questions] == ["@acme good one"]
    assert len(result.warnings) == 2
    assert any("is not an ISO-8601 timestamp" in w for w in result.warnings)


@pytest.mark.parametrize("failure", ["404", "timeout", "not json"])
async def test_a_thread_that_cannot_be_read_costs_only_its_context(fake, fake_sleep, failure):
    ours = fake.status(fake.me, "Our announcement")
    asked = fake.mention(JANE, "about that?", reply_to=ours["id"])
    fake.mention(BOB, "other")
    c, wire = build(fake, fake_sleep)

    def broken(request):
        if request.url.path != f"/api/v1/statuses/{asked['id']}/context":
            return None
        if failure == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if failure == "404":
            return httpx.Response(404, json={"error": f"gone {TOKEN}"})
        return httpx.Response(200, text="<html>oops</html>")

    wire.intercept = broken
    result = await c.fetch(None)
    assert len(result.questions) == 2
    assert by_body(result.questions, "about that").context == ()
    [warning] = result.warnings
    assert warning.startswith(f"status {asked['id']}: its thread cannot be read")
    assert TOKEN not in warning


async def test_hostile_content_arrives_clean(fake, fake_sleep):
    hostile = "\x1b]52;c;cGF5bG9hZA==\x07\u202eevil\u200b\ud800 [@click=app.quit]x[/]"
    evil = {**JANE, "display_name": "N" * 10_000 + hostile, "acct": hostile}
    tag = '<a href="https://mastodon.social/tags/x" class="mention hashtag">#<span>x</span></a>'
    content = f"<p>{hostile}</p><script>alert(1)</script><b>bold</b> {tag}"
    fake.mention(evil, "", content=content, spoiler=hostile)
    c, _ = build(fake, fake_sleep)
    [q] = (await c.fetch(None)).questions
    for text in (q.body, q.title, q.author.name, q.author.handle):
        text.encode("utf-8")
        assert "\x1b" not in clean(text) and "\u202e" not in clean(text)
    assert len(q.author.name) == 1000
    assert "alert" not in q.body and "bold #x" in q.body and "tags/x" not in q.body
    json.dumps(q.to_dict(), ensure_ascii=False).encode("utf-8")


def test_mentions_and_links_read_plainly():
    mention = '<a href="https://x.social/@amy" class="u-url mention">@<span>amy</span></a>'
    link = (
        '<a href="https://docs.example/a/b" rel="nofollow"><span class="invisible">https://'
        "</span><span>docs.example/a/b</span></a>"
    )
    html = f'<p><span class="h-card">{mention}</span> read {link}</p>'
    assert plain_text(html, "content") == "@amy read https://docs.example/a/b"


async def test_the_token_appears_in_no_error_or_warning(fake, fake_sleep, monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_FEDI", TOKEN + "\n")
    fake.mention(JANE, "hi")
    c, wire = build(fake, fake_sleep)

    def echo(request):
        said = {"error": f"{request.headers.get('authorization')} {TOKEN}"}
        return httpx.Response(500, json=said)

    wire.intercept = lambda r: echo(r) if r.url.path.endswith("/context") else None
    result = await c.fetch(None)
    assert result.warnings and "HTTP 500" in result.warnings[0]
    assert all(TOKEN not in w for w in result.warnings)
    wire.intercept = echo
    with pytest.raises(ConnectorError) as caught:
        await c.fetch(None)
    assert TOKEN not in str(caught.value)


async def test_credentials_never_go_to_another_host(fake, fake_sleep):
    fake.link_origin = "https://elsewhere.example"
    for n in range(81):
        fake.mention(JANE, f"q{n}")
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert len(result.questions) == 81
    assert {r.url.host for r in wire.requests} == {"mastodon.social"}
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in wire.requests)


def test_a_damaged_checkpoint_means_a_first_fetch():
    for stored in (None, [], {"since_id": 5}, {"since_id": "../x"}, {"open": "1"}):
        assert read_checkpoint(stored).since_id is None
    whole = {"max_id": "9001", "newest": "9080", "cutoff": "2026-12-01T10:00:00+00:00"}
    assert read_checkpoint({"resume": whole}).resume.max_id == "9001"
    for damaged in ({**whole, "max_id": "../x"}, {**whole, "cutoff": "soon"}, ["9001"]):
        assert read_checkpoint({"resume": damaged}).resume is None
