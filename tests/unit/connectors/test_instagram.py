"""The instagram channel: comments on recent media across pages, only what is new on
later fetches, comments the account answered, replies in the thread, and every way the
Graph API can fail."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx
import pytest

from cxdaily.connectors import connector_class
from cxdaily.connectors.base import PROCESS_RENEWED
from cxdaily.connectors.http import BadResponseError, ChannelHttp, HttpPolicy, make_client
from cxdaily.connectors.instagram import InstagramConnector
from cxdaily.connectors.meta_graph import time_or_none
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError, RateLimited
from cxdaily.core.safe_text import clean
from cxdaily.credentials import secret_reader
from cxdaily.replies.checks import length_problem
from cxdaily.replies.outbox import may_have_reached_service
from cxdaily.settings import ChannelSettings
from tests.integration.loopback_kit import FakeWire, seen_of
from tests.integration.meta_graph_fake_kit import (
    IG_USER_ID,
    IG_USERNAME,
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

    def posts(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "POST"]


@pytest.fixture(autouse=True)
def token(memory_keyring):
    memory_keyring.set_password("cxdaily", "ig", TOKEN)
    PROCESS_RENEWED.clear()
    yield
    PROCESS_RENEWED.clear()


@pytest.fixture
def fake() -> FakeGraph:
    return FakeGraph()


def build(fake, fake_sleep, *, now=NOW, **options):
    wire = Wire(fake, httpx.URL(options.get("base_url", BASE)).path.rstrip("/"))
    options = {"ig_user_id": IG_USER_ID, **options}
    settings = ChannelSettings(name="ig", kind="instagram", options=options)
    client = make_client(transport=httpx.MockTransport(wire))
    connector = InstagramConnector(
        settings, client=client, secrets=secret_reader("ig"), now=lambda: now
    )
    connector.http = ChannelHttp(
        client, channel="ig", sleep=fake_sleep, rand=lambda: 0.0,
        wall_clock=lambda: T0, policy=HttpPolicy(),
    )  # fmt: skip
    return connector, wire


def feed(fake: FakeGraph) -> dict[str, str]:
    """Three media (two pages); comments, a reply thread and the account's answers."""
    ids = {"m1": fake.ig_media("New latte art ☕")}
    ids["c1"] = fake.ig_comment(ids["m1"], "Which beans is this?")
    ids["c2"] = fake.ig_comment(ids["m1"], "Open on Sunday?", username="bob", user_id="1789002")
    ids["a2"] = fake.ig_comment(ids["m1"], "Yes, 9 to 5!", parent=ids["c2"], ours=True)
    ids["c3"] = fake.ig_comment(ids["m1"], "Price?", username="cy", user_id="1789003")
    ids["m2"] = fake.ig_media("Winter blend")
    ids["c4"] = fake.ig_comment(ids["m2"], "Organic?", username="di", user_id="1789004")
    ids["r4"] = fake.ig_comment(ids["m2"], "Same question", username="ed", user_id="1789005",
                                parent=ids["c4"])  # fmt: skip
    ids["o1"] = fake.ig_comment(ids["m2"], "Thanks all!", ours=True)
    ids["m3"] = fake.ig_media("No comments here")
    return ids


def native(questions) -> list[str]:
    return sorted(q.native_id for q in questions)


# -- registration and options ---------------------------------------------------------
def test_registered_as_a_builtin_kind_with_the_comment_limit():
    assert connector_class("instagram") is InstagramConnector
    caps = InstagramConnector.capabilities
    assert caps.max_reply_length == 2200 and caps.public and caps.finds_own_replies


def test_a_missing_ig_user_id_is_a_one_line_config_error():
    with pytest.raises(ConfigError) as caught:
        InstagramConnector(ChannelSettings(name="ig", kind="instagram", options={}))
    assert str(caught.value).startswith("[channels.ig] needs ig_user_id")


async def test_base_url_changes_every_address(fake, fake_sleep):
    feed(fake)
    c, wire = build(fake, fake_sleep, base_url="https://graph.instagram.com")
    result = await c.fetch(None)
    await c.send_reply(result.questions[0], "Thanks!", "k")
    assert {r.url.host for r in wire.requests} == {"graph.instagram.com"}
    assert all(r.url.path.startswith("/v26.0/") for r in wire.requests)


# -- fetching -----------------------------------------------------------------------
async def test_a_first_fetch_reads_media_and_comments_across_pages(fake, fake_sleep):
    ids = feed(fake)
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert native(result.questions) == sorted([ids["c1"], ids["c3"], ids["c4"], ids["r4"]])
    assert native(result.settled) == [ids["c2"]]  # our reply under it
    assert len(wire.gets("/media")) == 2  # three media, two per page
    assert (
        wire.gets("/media")[0].url.params["fields"]
        == "id,caption,timestamp,permalink,comments_count"
    )
    assert len(wire.gets(f"/{ids['m1']}/comments")) == 2  # three comments, two per page
    assert wire.gets(f"/{ids['m3']}/comments") == []  # no comments: not asked
    fields = wire.gets(f"/{ids['m1']}/comments")[0].url.params["fields"]
    assert (
        fields
        == "id,text,timestamp,username,from,like_count,replies{id,text,username,timestamp,from}"
    )
    c1 = next(q for q in result.questions if q.native_id == ids["c1"])
    assert c1.thread_id == ids["c1"] and c1.url == fake.media[ids["m1"]]["permalink"]
    assert c1.author.handle == "@jane.roe" and c1.author.id == "1789001"
    assert c1.author.followers is None
    assert [m.body for m in c1.context] == ["New latte art ☕"]
    assert c1.context[0].author.handle == f"@{IG_USERNAME}"
    r4 = next(q for q in result.questions if q.native_id == ids["r4"])
    assert r4.thread_id == ids["c4"]  # replies go to the top-level comment
    assert [m.body for m in r4.context] == ["Winter blend", "Organic?"]


def long_thread(fake: FakeGraph) -> dict[str, str]:
    """A comment with six replies, more than the three Graph embeds in it: a customer's
    follow-up (the fifth reply) and the account's answer to it (the sixth) come only on
    the pages after."""
    ids = {"m": fake.ig_media("Spring menu")}
    ids["top"] = fake.ig_comment(ids["m"], "Vegan options?", username="gus", user_id="1789007")
    for n in range(4):
        fake.ig_comment(ids["m"], f"+{n}", username=f"fan{n}", user_id=f"17890{n}",
                        parent=ids["top"])  # fmt: skip
    ids["late"] = fake.ig_comment(ids["m"], "And gluten-free?", username="hal",
                                  user_id="1789008", parent=ids["top"])  # fmt: skip
    ids["ours"] = fake.ig_comment(ids["m"], "Both, all spring!", parent=ids["top"], ours=True)
    return ids


async def test_replies_past_the_embedded_page_are_read(fake, fake_sleep):
    ids = long_thread(fake)
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    # the account's answer, on the replies' second page, settles the thread's questions
    assert ids["top"] in native(result.settled) and ids["late"] in native(result.settled)
    assert native(result.questions) == []
    further = wire.gets(f"/{ids['top']}/replies")
    assert len(further) == 2  # three embedded, then pages of two from the embedded cursor
    assert further[0].url.params["fields"] == "id,text,username,timestamp,from"
    assert "after" in further[0].url.params and "access_token" not in further[0].url.params
    assert all(r.url.host == "graph.facebook.com" for r in wire.requests)


async def test_a_failed_look_up_of_further_replies_costs_only_them(fake, fake_sleep):
    ids = long_thread(fake)
    other = fake.ig_media("Opening hours")
    asked = fake.ig_comment(other, "Open late?", username="ida", user_id="1789009")
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: (
        httpx.Response(500, json=graph_error(2, "Service temporarily unavailable"))
        if r.url.path.endswith(f"/{ids['top']}/replies") else None
    )  # fmt: skip
    result = await c.fetch(None)
    # the first page is kept: its customers' replies stay questions, the other media too
    assert ids["top"] in native(result.questions) and asked in native(result.questions)
    assert ids["late"] not in native(result.questions)
    assert len(result.warnings) == 1
    assert ids["top"] in result.warnings[0] and "further replies" in result.warnings[0]
    assert TOKEN not in result.warnings[0]


async def test_comments_are_asked_for_fifty_to_a_page(fake, fake_sleep):
    ids = feed(fake)
    c, wire = build(fake, fake_sleep)
    await c.fetch(None)
    assert wire.gets(f"/{ids['m1']}/comments")[0].url.params["limit"] == "50"


async def test_comments_past_the_page_cap_are_said_in_a_warning(fake, fake_sleep, monkeypatch):
    """Graph lists a media's comments oldest first in its documentation's example, and a
    fetch reads them from their first page: those past the cap (the newest) are not read,
    and the fetch says so instead of leaving them out silently."""
    media = fake.ig_media("Launch day")
    for n in range(5):
        fake.ig_comment(media, f"Question {n}?", username=f"fan{n}", user_id=f"17891{n}")
    monkeypatch.setattr("cxdaily.connectors.instagram.MAX_COMMENT_PAGES", 2)
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert len(result.questions) == 4  # two pages of two
    said = [w for w in result.warnings if media in w]
    assert said == [f"media {media}: its comments past the first 2 pages (up to 100) were not read"]


def listed(*minutes: int) -> list[dict[str, str]]:
    """Comments as Graph lists them, each at ``NOW`` minus so many minutes."""
    return [{"timestamp": (NOW - timedelta(minutes=m)).isoformat()} for m in minutes]


@pytest.mark.parametrize(
    ("read", "after_minutes", "hidden"),
    [
        (listed(50, 40, 30), 45, True),  # oldest first: what follows is newer
        (listed(10, 20, 30), 45, True),  # newest first, the last read is still new
        (listed(10, 20, 60), 45, False),  # newest first, down past the checkpoint
        (listed(10), 45, True),  # one time: the order cannot be told
        ([{"timestamp": "soon"}, "odd", *listed(10, 60)], 45, False),  # bad items ignored
    ],
)
def test_what_a_cut_walk_may_hide(read, after_minutes, hidden):
    from cxdaily.connectors.instagram import may_hide_new

    assert may_hide_new(read, NOW - timedelta(minutes=after_minutes)) is hidden


@pytest.mark.parametrize(("status", "again"), [(500, True), (404, False)])
async def test_further_replies_left_unread_by_a_passing_failure_are_read_next_time(
    fake, fake_sleep, status, again
):
    """A newer comment elsewhere must not move the checkpoint past replies a 5xx kept
    from being read: the next fetch reads them (a 404 would come again: skipped)."""
    media = fake.ig_media("Spring menu")
    top = fake.ig_comment(media, "Vegan options?", username="gus", user_id="1789007")
    for n in range(4):
        fake.ig_comment(media, f"+{n}", username=f"fan{n}", user_id=f"17890{n}", parent=top)
    late = fake.ig_comment(media, "And gluten-free?", username="hal", user_id="1789008",
                           parent=top)  # fmt: skip
    newer = fake.ig_comment(fake.ig_media("Opening hours"), "Open late?", username="ida",
                            user_id="1789009")  # fmt: skip
    failing = [True]
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: (
        httpx.Response(status, json=graph_error(2, "Service temporarily unavailable"))
        if failing[0] and r.url.path.endswith(f"/{top}/replies") else None
    )  # fmt: skip
    first = await c.fetch(None)
    assert {top, newer} <= set(native(first.questions)) and late not in native(first.questions)
    assert ("read again by the next fetch" in first.warnings[0]) is again
    checkpoint = time_or_none(first.checkpoint["after"])
    assert (checkpoint < time_or_none(fake.comments[media][-1]["timestamp"])) is again
    failing[0] = False
    second = await c.fetch(first.checkpoint)
    assert (late in native(second.questions)) is again  # a customer's question, not lost
    assert second.warnings == []


async def test_max_media_bounds_the_media_scanned(fake, fake_sleep):
    ids = feed(fake)
    c, wire = build(fake, fake_sleep, max_media=2)
    result = await c.fetch(None)
    assert native(result.questions) == sorted([ids["c4"], ids["r4"]])  # m3 and m2 only
    assert len(wire.gets("/media")) == 1 and wire.gets("/media")[0].url.params["limit"] == "2"
    assert [r.url.path for r in wire.gets("/comments")] == [f"/v26.0/{ids['m2']}/comments"]


async def test_a_second_fetch_brings_only_new_comments_and_settles_answered_ones(fake, fake_sleep):
    ids = feed(fake)
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    newest = fake.comments[ids["m2"]][-1]["timestamp"]  # o1, the newest comment
    assert time_or_none(first.checkpoint["after"]) == time_or_none(newest)
    assert list(first.checkpoint) == ["after"]
    new = fake.ig_comment(ids["m3"], "Where is this?", username="fay", user_id="1789006")
    fake.ig_comment(ids["m1"], "Ethiopian beans.", parent=ids["c1"], ours=True)
    wire.requests.clear()
    second = await c.fetch(first.checkpoint)
    assert native(second.questions) == [new]
    listing = wire.gets("/media")[0].url.params  # no "since" on Instagram: the same media
    assert dict(listing) == {"fields": "id,caption,timestamp,permalink,comments_count",
                             "limit": "25"}  # fmt: skip
    assert ids["c1"] in native(second.settled)
    assert all(q.meta.get("team_answered") for q in second.settled)


async def test_answers_since_shows_the_accounts_reply(fake, fake_sleep):
    ids = feed(fake)
    c, wire = build(fake, fake_sleep)
    question = next(q for q in (await c.fetch(None)).questions if q.native_id == ids["c1"])
    assert await c.answers_since(question, question.created_at) == []
    fake.ig_comment(ids["m1"], "Ethiopian beans.", parent=ids["c1"], ours=True)
    answers = await c.answers_since(question, question.created_at)
    assert [a.body for a in answers] == ["Ethiopian beans."]
    assert wire.gets(f"/{ids['c1']}/replies")[0].url.params["fields"] == (
        "id,text,username,timestamp,from"
    )


# -- replying ------------------------------------------------------------------------
async def test_a_reply_goes_to_the_comments_replies(fake, fake_sleep):
    ids = feed(fake)
    c, wire = build(fake, fake_sleep)
    question = next(q for q in (await c.fetch(None)).questions if q.native_id == ids["r4"])
    sent = await c.send_reply(question, "Yes, organic.", "k")
    [post] = wire.posts()
    assert post.url.path == f"/v26.0/{ids['c4']}/replies"
    assert parse_qs(post.content.decode()) == {"message": ["Yes, organic."]}
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    assert "access_token" not in str(post.url)
    assert sent.remote_id == fake.comments[ids["m2"]][-1]["id"] and sent.url == question.url


def test_a_reply_over_2200_characters_is_refused(fake, fake_sleep):
    c, _ = build(fake, fake_sleep)
    limit = c.capabilities.max_reply_length
    assert length_problem(c.reply_length("é" * 2201), limit, "ig")
    assert not length_problem(c.reply_length("é" * 2200), limit, "ig")


async def test_an_unknown_outcome_is_resolved_by_finding_our_reply(fake, fake_sleep):
    ids = feed(fake)
    c, wire = build(fake, fake_sleep)
    question = next(q for q in (await c.fetch(None)).questions if q.native_id == ids["c1"])

    def applied_then_cut(request):
        if request.method == "POST":
            fake.respond(seen_of(request))
            raise httpx.ReadTimeout("cut", request=request)
        return None

    wire.intercept = applied_then_cut
    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(question, "Ethiopian beans.", "k")
    assert may_have_reached_service(caught.value) and len(fake.replies) == 1
    wire.intercept = None
    found = await c.find_own_reply(question, "Ethiopian beans.", "k")
    assert found is not None and found.remote_id == fake.comments[ids["m1"]][-1]["id"]
    assert await c.find_own_reply(question, "Other text.", "k") is None
    assert len(wire.posts()) == 1


# -- failures ---------------------------------------------------------------------------
async def test_a_throttle_waits_as_the_business_use_case_header_says(fake, fake_sleep):
    feed(fake)
    fake.throttle(80002, minutes=1)
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert len(result.questions) == 4 and fake_sleep.calls == [60.0]


async def test_a_throttle_without_estimate_is_a_one_line_rate_limit(fake, fake_sleep):
    feed(fake)
    c, _ = build(fake, fake_sleep)
    await c.check()
    fake.throttle(4)
    with pytest.raises(RateLimited) as caught:
        await c.fetch(None)
    assert "Graph error 4" in str(caught.value) and "\n" not in str(caught.value)
    assert fake_sleep.calls == []


async def test_an_invalid_token_and_a_missing_permission_are_auth_errors(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    fake.token = "another"
    with pytest.raises(AuthError) as caught:
        await c.check()
    assert "190" in str(caught.value) and "cxdaily login ig" in str(caught.value)
    assert TOKEN not in str(caught.value)
    fake.token = TOKEN
    denied = graph_error(10, "(#10) Application does not have permission for this action")
    wire.intercept = lambda r: httpx.Response(400, json=denied) if r.method == "POST" else None
    feed(fake)
    [question, *_] = (await c.fetch(None)).questions
    with pytest.raises(AuthError, match="grant instagram_manage_comments"):
        await c.send_reply(question, "Hi", "k")


async def test_a_plain_403_is_a_one_line_auth_error(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: httpx.Response(403, text="Forbidden")
    with pytest.raises(AuthError) as caught:
        await c.fetch(None)
    assert "HTTP 403" in str(caught.value) and "ig_user_id" in str(caught.value)


@pytest.mark.parametrize("body", [b"<html>oops</html>", b'{"data": "x"}'])
async def test_a_malformed_media_page_is_a_one_line_error(fake, fake_sleep, body):
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: httpx.Response(200, content=body) if "/media" in r.url.path else None
    with pytest.raises(BadResponseError) as caught:
        await c.fetch(None)
    assert "\n" not in str(caught.value) and "/media" in str(caught.value)


async def test_one_malformed_comment_or_media_costs_only_itself(fake, fake_sleep):
    ids = feed(fake)
    fake.comments[ids["m1"]][0]["timestamp"] = "last week"
    fake.media[ids["m3"]]["id"] = ["broken"]
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert native(result.questions) == sorted([ids["c3"], ids["c4"], ids["r4"]])
    assert len(result.warnings) == 2 and any("timestamp" in w for w in result.warnings)


async def test_a_failed_media_look_up_costs_only_that_media(fake, fake_sleep):
    ids = feed(fake)
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: (
        httpx.Response(500, json=graph_error(2, "Service temporarily unavailable"))
        if r.url.path.endswith(f"/{ids['m1']}/comments") else None
    )  # fmt: skip
    result = await c.fetch(None)
    assert native(result.questions) == sorted([ids["c4"], ids["r4"]])
    assert len(result.warnings) == 1 and ids["m1"] in result.warnings[0]


async def test_hostile_text_arrives_clean(fake, fake_sleep):
    hostile = "\x1b]52;c;cGF5bG9hZA==\x07\u202eevil\u200b\ud800 [@click=app.quit]x[/] <b>hi</b>"
    media = fake.ig_media(hostile)
    fake.ig_comment(media, hostile, username="u" * 5000 + hostile)
    c, _ = build(fake, fake_sleep)
    [question] = (await c.fetch(None)).questions
    for text in (question.body, question.author.handle, question.context[0].body):
        text.encode("utf-8")
        assert "\x1b" not in clean(text) and "\u202e" not in clean(text)
    assert question.body == hostile.replace("\ud800", "\ufffd")
    assert len(question.author.handle) <= 1001
    json.dumps(question.to_dict(), ensure_ascii=False).encode("utf-8")


async def test_the_token_appears_in_no_error_or_warning(fake, fake_sleep, monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_IG", TOKEN + "\n")
    ids = feed(fake)
    c, wire = build(fake, fake_sleep)

    def echo(request):
        return httpx.Response(500, json=graph_error(1, f"{request.headers['authorization']}"))

    wire.intercept = lambda r: echo(r) if r.url.path.endswith(f"/{ids['m2']}/comments") else None
    result = await c.fetch(None)
    assert result.warnings and all(TOKEN not in w for w in result.warnings)
    wire.intercept = lambda r: httpx.Response(400, json=graph_error(1, f"bad {TOKEN}"))
    with pytest.raises(ConnectorError) as caught:
        await c.fetch(None)
    assert TOKEN not in str(caught.value)


async def test_credentials_never_go_to_another_host(fake, fake_sleep):
    feed(fake)
    c, wire = build(fake, fake_sleep)
    await c.fetch(None)
    assert {r.url.host for r in wire.requests} == {"graph.facebook.com"}
    assert all("access_token" not in str(r.url) for r in wire.requests)
    stolen = []
    wire.intercept = lambda r: stolen.append(r) or httpx.Response(200, json={"data": []})
    await c.http.request("GET", "https://evil.example/v26.0/x", headers=await c.auth_headers())
    assert "authorization" not in stolen[0].headers


async def test_check_names_the_account(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    said = await c.check()
    assert said == f"signed in as @{IG_USERNAME} ({IG_USER_ID}) on graph.facebook.com"
    assert wire.requests[0].url.params["fields"] == "id,username"
