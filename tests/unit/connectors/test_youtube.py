"""The youtube channel against a fake of the YouTube Data API v3 and Google's token endpoint
(served through ``httpx.MockTransport``): pages, the checkpoint, settled comments, replies
sent once, the refresh-token grant, the daily quota, hostile payloads and the secrets."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import pytest

from cxdaily.connectors import connector_class, youtube
from cxdaily.connectors.google_api import read_checkpoint, seconds_to_quota_reset
from cxdaily.connectors.http import BadResponseError, HttpPolicy
from cxdaily.connectors.youtube import YouTubeConnector
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError, RateLimited
from cxdaily.core.safe_text import clean
from cxdaily.replies.checks import length_problem
from cxdaily.replies.outbox import may_have_reached_service
from cxdaily.settings import ChannelSettings
from tests.integration.youtube_fake_kit import (
    CHANNEL,
    CLIENT_ID,
    CLIENT_SECRET,
    PEOPLE,
    REFRESH_TOKEN,
    YouTubeFake,
    google_error,
    seen_of,
)
from tests.unit.connectors.youtube_kit import build, held, secrets_in_env, walk

SECRETS = (CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, "ya29.fake-access")
__all__ = ["secrets_in_env"]  # the fixture that gives each test the OAuth client's secrets
API = "/youtube/v3"
ANA, BEN, CY = (PEOPLE[k][0] for k in ("ana", "ben", "cy"))


def channel_with_comments(page_size: int = 2) -> tuple[YouTubeFake, dict[str, str]]:
    """Five threads: three questions, one our channel answered, one our own comment."""
    fake = YouTubeFake(page_size=page_size)
    threads = {
        "ana": fake.ask("ana", "How do I export the project to 4K?"),
        "ben": fake.ask("ben", "Does the app work offline?", video="vid00000002"),
        "answered": fake.ask("cy", "Where is the download link?"),
        "ours": fake.ask("us", "New video every Friday!"),
        "cy": fake.ask("cy", "Is there a student discount?"),
    }
    fake.reply(threads["answered"], "us", "It is in the description.")
    return fake, threads


def asked(result, thread: str):
    (question,) = [q for q in result.questions if q.thread_id == thread]
    return question


def assert_no_secret(*texts: object) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in str(text), text


# ----------------------------------------------------------------------------- options
def test_registered_as_a_builtin_kind_with_its_limits():
    assert connector_class("youtube") is YouTubeConnector
    caps = YouTubeConnector.capabilities
    assert (caps.max_reply_length, caps.public, caps.threads) == (10_000, True, True)
    assert caps.finds_own_replies and not caps.idempotency_keys


def test_channel_id_is_required_and_one_id():
    with pytest.raises(ConfigError, match=r"^\[channels\.yt\] needs channel_id = \"...\""):
        YouTubeConnector(ChannelSettings(name="yt", kind="youtube"))
    with pytest.raises(ConfigError, match="channel_id must be one channel id"):
        YouTubeConnector(
            ChannelSettings(name="yt", kind="youtube", options={"channel_id": "UC1/../x"})
        )


def test_the_urls_default_to_google_and_may_each_be_moved():
    plain = YouTubeConnector(
        ChannelSettings(name="yt", kind="youtube", options={"channel_id": CHANNEL})
    )
    assert plain.base_url == "https://www.googleapis.com/youtube/v3"
    assert plain.token_url == "https://oauth2.googleapis.com/token"
    assert plain.web_url == "https://www.youtube.com"
    assert plain.credential_urls == [plain.base_url, plain.token_url]


async def test_base_url_token_url_and_web_url_change_every_address(fake_sleep):
    fake, threads = channel_with_comments()
    c, rec = build(fake, fake_sleep, base_url="https://yt.test/api", token_url="https://auth.test/o/token",
                   web_url="https://yt.example")  # fmt: skip
    result = await c.fetch(None)
    question = asked(result, threads["ana"])
    assert question.url == f"https://yt.example/watch?v=vid00000001&lc={threads['ana']}"
    sent = await c.send_reply(question, "Use File > Export.", "k")
    await c.answers_since(question, question.created_at)
    await c.check()
    assert sent.url.startswith("https://yt.example/watch?v=vid00000001&lc=")
    assert {(r.url.host, r.url.path) for r in rec.requests if r.url.host == "auth.test"} == {
        ("auth.test", "/o/token")
    }
    assert {r.url.host for r in rec.requests} == {"yt.test", "auth.test"}
    assert all(r.url.path.startswith("/api/") for r in rec.requests if r.url.host == "yt.test")


async def test_credentials_go_only_to_their_own_host(fake_sleep):
    fake, _ = channel_with_comments()
    c, rec = build(
        fake, fake_sleep, base_url="https://yt.test/api", token_url="https://auth.test/o/token"
    )
    await c.fetch(None)
    for request in rec.requests:
        if request.url.host == "auth.test":
            assert "authorization" not in request.headers
            assert parse_qs(request.content.decode())["client_secret"] == [CLIENT_SECRET]
        else:
            assert request.headers["authorization"] == "Bearer ya29.fake-access-1"
            assert CLIENT_SECRET not in str(request.url) and REFRESH_TOKEN not in str(request.url)


# ----------------------------------------------------------------------------- fetch
async def test_a_first_fetch_reads_every_page_and_leaves_out_our_own_and_answered(fake_sleep):
    fake, threads = channel_with_comments(page_size=2)
    c, rec = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert sorted(q.thread_id for q in result.questions) == sorted(
        [threads["ana"], threads["ben"], threads["cy"]]
    )
    pages = rec.to("/commentThreads")
    assert [r.url.params.get("pageToken") for r in pages] == [None, "QUFB2", "QUFB4"]
    assert dict(pages[0].url.params) == {
        "part": "snippet,replies", "order": "time", "maxResults": "100",
        "textFormat": "plainText", "allThreadsRelatedToChannelId": CHANNEL,
    }  # fmt: skip
    (token_request,) = rec.to("/token", "POST")
    assert parse_qs(token_request.content.decode()) == {
        "grant_type": ["refresh_token"], "refresh_token": [REFRESH_TOKEN],
        "client_id": [CLIENT_ID], "client_secret": [CLIENT_SECRET],
    }  # fmt: skip
    ana = asked(result, threads["ana"])
    assert ana.native_id == ana.thread_id == threads["ana"] and ana.id == f"yt:{threads['ana']}"
    assert (ana.author.id, ana.author.name, ana.author.handle) == (ANA, "Ana Lima", "@analima")
    assert ana.author.followers == 1200 and ana.title is None and ana.context == ()
    assert ana.body == "How do I export the project to 4K?"
    assert ana.url == f"https://www.youtube.com/watch?v=vid00000001&lc={threads['ana']}"
    assert ana.meta["video_id"] == "vid00000001"
    assert ana.meta["author_channel_url"] == "http://www.youtube.com/@analima"
    assert asked(result, threads["cy"]).author.followers is None  # the count is hidden
    assert asked(result, threads["ben"]).meta["video_id"] == "vid00000002"
    assert [q.native_id for q in result.settled] == [threads["answered"]]
    assert result.settled[0].meta["team_answered"] is True
    lookups = rec.to("/channels")
    assert all(r.url.params["part"] == "statistics" for r in lookups) and len(lookups) == 3
    assert result.warnings == [] and c.fetch_notes() == []


async def test_a_second_fetch_asks_only_for_what_is_new(fake_sleep):
    fake, _ = channel_with_comments(page_size=2)
    c, rec = build(fake, fake_sleep)
    first = await c.fetch(None)
    newest = fake.now
    assert first.checkpoint["since"] == newest.strftime("%Y-%m-%dT%H:%M:%SZ")
    rec.clear()
    fresh = fake.ask("ben", "Can I cancel anytime?")
    second = await c.fetch(first.checkpoint)
    pages = walk(rec)
    assert len(pages) == 1 and "pageToken" not in pages[0].url.params
    assert [q.native_id for q in second.questions] == [fresh]
    assert second.settled == [] and rec.to("/token", "POST") == []  # the token was kept
    assert second.checkpoint["since"] > first.checkpoint["since"]


async def test_a_fetch_at_its_page_cap_goes_on_from_there_next_time(fake_sleep, monkeypatch):
    monkeypatch.setattr(youtube, "MAX_PAGES", 2)
    fake, threads = channel_with_comments(page_size=2)
    c, rec = build(fake, fake_sleep)
    first = await c.fetch(None)
    assert len(first.questions) == 2 and first.checkpoint["page_token"] == "QUFB4"
    assert first.checkpoint["since"] is None and first.checkpoint["newest"]
    assert "stopped after 2 pages" in c.fetch_notes()[0]
    rec.clear()
    second = await c.fetch(first.checkpoint)
    assert [r.url.params.get("pageToken") for r in walk(rec)] == ["QUFB4"]
    assert [q.thread_id for q in second.questions] == [threads["ana"]]
    assert held(second.checkpoint) == {"since": first.checkpoint["newest"]}


async def test_a_page_token_named_again_ends_the_walk_instead_of_reading_it_again(
    fake_sleep, monkeypatch
):
    fake, _ = channel_with_comments(page_size=2)
    page = fake._page

    def looping(query, items, kind):
        answer = page(query, items, kind)
        if query.get("pageToken") == "QUFB2":
            answer.body["nextPageToken"] = "QUFB2"  # names the page just read as the next
        return answer

    monkeypatch.setattr(fake, "_page", looping)
    c, rec = build(fake, fake_sleep)
    first = await c.fetch(None)
    assert [r.url.params.get("pageToken") for r in walk(rec)] == [None, "QUFB2"]
    assert len({q.id for q in first.questions}) == len(first.questions)
    assert "the service named a page already read" in c.fetch_notes()[0]
    assert list(held(first.checkpoint)) == ["since"] and first.checkpoint["since"]  # no token
    rec.clear()
    await c.fetch(first.checkpoint)  # the next fetch starts from the newest, as usual
    assert [r.url.params.get("pageToken") for r in walk(rec)] == [None]


async def test_a_refused_stored_page_token_starts_from_the_newest(fake_sleep):
    fake, _ = channel_with_comments(page_size=100)
    c, rec = build(fake, fake_sleep)

    def refuse(request):
        if request.url.params.get("pageToken") == "stale":
            return httpx.Response(400, json=google_error(400, "invalidPageToken", "Bad token."))
        return None

    rec.hook = refuse
    result = await c.fetch({"since": None, "newest": "2026-12-04T08:00:00Z", "page_token": "stale"})
    assert len(result.questions) == 3 and "page token was refused" in c.fetch_notes()[0]


async def test_our_reply_settles_a_thread_until_the_customer_writes_again(fake_sleep):
    fake, threads = channel_with_comments(page_size=100)
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    ana = asked(first, threads["ana"])
    ours = fake.reply(threads["ana"], "us", "Use File > Export > 4K.")
    answers = await c.answers_since(ana, ana.created_at)
    assert [(m.author.id, m.body) for m in answers] == [(CHANNEL, "Use File > Export > 4K.")]
    second = await c.fetch(first.checkpoint)
    assert second.questions == [] and [q.native_id for q in second.settled] == [threads["ana"]]
    aside = fake.reply(threads["ana"], "ben", "Same question here")
    again = fake.reply(threads["ana"], "ana", "Thanks! And 8K?")
    third = await c.fetch(second.checkpoint)
    (question,) = third.questions
    assert question.native_id == again["id"] and question.thread_id == threads["ana"]
    assert question.body == "Thanks! And 8K?"
    assert [m.body for m in question.context] == [
        "How do I export the project to 4K?", "Use File > Export > 4K.", "Same question here",
    ]  # fmt: skip
    assert question.context[1].author.id == CHANNEL
    assert {q.native_id for q in third.settled} == {threads["ana"], aside["id"]}
    assert ours["id"] not in {q.native_id for q in third.settled}  # ours is never a question
    assert all(q.meta["team_answered"] for q in third.settled)


async def test_replies_beyond_those_embedded_are_read_in_full(fake_sleep):
    fake, threads = channel_with_comments(page_size=100)
    fake.embedded = 1
    fake.reply(threads["ben"], "cy", "Me too")
    fake.reply(threads["ben"], "us", "Yes, after the first sync.")
    c, rec = build(fake, fake_sleep)
    result = await c.fetch(None)
    (read,) = rec.to("/comments")
    assert dict(read.url.params) == {
        "part": "snippet",
        "maxResults": "100",
        "textFormat": "plainText",
        "parentId": threads["ben"],
    }
    assert threads["ben"] in {q.native_id for q in result.settled}  # our reply was not embedded
    assert threads["ben"] not in {q.thread_id for q in result.questions}


async def test_a_reply_page_token_named_again_ends_the_replies(fake_sleep, monkeypatch):
    fake, threads = channel_with_comments(page_size=2)
    fake.embedded = 0
    for n in range(6):
        fake.reply(threads["ben"], ("ana", "cy")[n % 2], f"Me too, number {n}")
    page = fake._page

    def looping(query, items, kind):
        answer = page(query, items, kind)
        if query.get("parentId") == threads["ben"] and query.get("pageToken") == "QUFB4":
            answer.body["nextPageToken"] = "QUFB2"  # back to a page already read
        return answer

    monkeypatch.setattr(fake, "_page", looping)
    c, rec = build(fake, fake_sleep)
    result = await c.fetch(None)
    reads = [r for r in rec.to("/comments") if r.url.params.get("parentId") == threads["ben"]]
    assert [r.url.params.get("pageToken") for r in reads] == [None, "QUFB2", "QUFB4"]
    assert threads["ben"] in {q.thread_id for q in result.questions}  # still asked
    assert f"replies of thread {threads['ben']}" in " ".join(c.fetch_notes())


async def test_a_customers_latest_reply_past_twenty_pages_of_replies_is_read(fake_sleep):
    """YouTube documents no order for a thread's replies: the newest may be on its last
    page, so the thread is read whole."""
    fake, threads = channel_with_comments(page_size=100)
    fake.embedded = 1
    for n in range(2000):
        fake.reply(threads["ben"], ("ana", "cy")[n % 2], f"Me too, number {n}")
    fake.reply(threads["ben"], "us", "Yes, after the first sync.")
    latest = fake.reply(threads["ben"], "cy", "Still failing for me?")  # on page 21
    c, rec = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert asked(result, threads["ben"]).native_id == latest["id"]
    assert len([r for r in rec.to("/comments") if r.url.params.get("parentId")]) == 21
    assert result.warnings == []


async def test_replies_the_page_cap_left_are_said_in_a_warning(fake_sleep, monkeypatch):
    monkeypatch.setattr(youtube, "MAX_REPLY_PAGES", 2)
    fake, threads = channel_with_comments(page_size=2)
    fake.embedded = 0
    for n in range(5):
        fake.reply(threads["ben"], "ana", f"Me too, number {n}")
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert f"thread {threads['ben']}: 4 of its 5 replies read (the page cap)" in result.warnings[0]
    assert result.checkpoint["since"] is not None  # the page cap would stop there again


async def test_replies_the_byte_budget_left_are_read_by_the_next_fetch(fake_sleep):
    fake, _ = channel_with_comments(page_size=100)
    c, _ = build(fake, fake_sleep)
    start = await c.fetch(None)
    fake.page_size, fake.embedded = 2, 1
    thread = fake.ask("ben", "Can I cancel anytime?")
    fake.reply(thread, "ana", "Me too")
    fake.reply(thread, "us", "Yes, in the account settings.")
    latest = fake.reply(thread, "ben", "Where in them?")  # on the second page of replies
    c.http.policy = HttpPolicy(max_fetch_bytes=1)
    first = await c.fetch(start.checkpoint)
    assert thread not in {q.thread_id for q in first.questions}  # our reply seemed the last
    assert "read again by the next fetch" in " ".join(first.warnings)
    assert held(first.checkpoint) == held(start.checkpoint)  # not past the replies left
    c.http.policy, c.http.bytes_read = HttpPolicy(), 0  # a new fetch
    second = await c.fetch(first.checkpoint)
    assert asked(second, thread).native_id == latest["id"]


async def test_a_thread_whose_replies_cannot_be_read_costs_only_its_context(fake_sleep):
    fake, threads = channel_with_comments(page_size=100)
    fake.embedded = 0
    fake.reply(threads["ben"], "cy", "Me too")
    c, rec = build(fake, fake_sleep)
    failure = httpx.Response(500, json={"error": {"message": f"x {CLIENT_SECRET}"}})
    rec.hook = lambda r: failure if r.url.params.get("parentId") == threads["ben"] else None
    result = await c.fetch(None)
    assert len(result.questions) == 3  # the answered thread's replies were read in full
    assert asked(result, threads["ben"]).body == "Does the app work offline?"
    (warning,) = result.warnings
    assert warning.startswith(f"thread {threads['ben']}: its replies cannot be read")
    assert "HTTP 500" in warning
    assert_no_secret(warning)


@pytest.mark.parametrize(("status", "again"), [(503, True), (404, False)])
async def test_replies_left_unread_by_a_passing_failure_are_read_next_time(
    fake_sleep, status, again
):
    """A newer thread must not move the checkpoint past replies a 5xx kept from being
    read: the next fetch reads them (a 404 would come again: skipped)."""
    fake, threads = channel_with_comments(page_size=100)
    fake.embedded = 1
    c, rec = build(fake, fake_sleep)
    start = await c.fetch(None)
    fake.reply(threads["ana"], "us", "Use File > Export > 4K.")
    late = fake.reply(threads["ana"], "ana", "Thanks! And 8K?")  # not embedded
    newer = fake.ask("ben", "Can I cancel anytime?")
    failing = [True]
    rec.hook = lambda r: (
        httpx.Response(status, json=google_error(status, "backendError", "Backend Error"))
        if failing[0] and r.url.params.get("parentId") == threads["ana"] else None
    )  # fmt: skip
    first = await c.fetch(start.checkpoint)
    assert [q.native_id for q in first.questions] == [newer]
    assert ("read again by the next fetch" in first.warnings[0]) is again
    assert (held(first.checkpoint) == held(start.checkpoint)) is again
    failing[0] = False
    second = await c.fetch(first.checkpoint)
    assert (late["id"] in {q.native_id for q in second.questions}) is again  # not lost
    assert second.warnings == []


async def test_a_failed_subscriber_look_up_costs_only_the_counts(fake_sleep):
    fake, _ = channel_with_comments(page_size=100)
    c, rec = build(fake, fake_sleep)
    rec.hook = lambda r: httpx.Response(503) if r.url.path.endswith("/channels") else None
    result = await c.fetch(None)
    assert len(result.questions) == 3
    assert all(q.author.followers is None for q in result.questions)
    assert len(result.warnings) == 1 and "subscriber counts of 3 authors" in result.warnings[0]


async def test_an_edited_comment_counts_as_new_and_says_so(fake_sleep):
    fake, threads = channel_with_comments(page_size=100)
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    snippet = fake.threads[threads["ben"]]["top"]["snippet"]
    snippet["updatedAt"] = "2026-12-04T09:30:00Z"
    snippet["textDisplay"] = "Does the app work offline? (edited)"
    second = await c.fetch(first.checkpoint)
    (question,) = second.questions
    assert (
        question.body.endswith("(edited)") and question.meta["edited_at"] == "2026-12-04T09:30:00Z"
    )


# ----------------------------------------------------------------------------- replies
async def test_a_reply_goes_under_the_comment_once_and_returns_its_id(fake_sleep):
    fake, threads = channel_with_comments(page_size=100)
    c, rec = build(fake, fake_sleep)
    question = asked(await c.fetch(None), threads["ana"])
    sent = await c.send_reply(question, "Use File > Export > 4K.", "key-1")
    (post,) = rec.to("/comments", "POST")
    assert post.url.path == f"{API}/comments" and dict(post.url.params) == {"part": "snippet"}
    assert post.headers["authorization"] == "Bearer ya29.fake-access-1"
    body = {"snippet": {"parentId": threads["ana"], "textOriginal": "Use File > Export > 4K."}}
    assert json.loads(post.content) == body
    assert fake.posted == [(threads["ana"], body)]
    reply_id = fake.threads[threads["ana"]]["replies"][0]["id"]
    assert sent.remote_id == reply_id
    assert sent.url == f"https://www.youtube.com/watch?v=vid00000001&lc={reply_id}"


async def test_a_reply_over_ten_thousand_characters_is_refused_before_sending(fake_sleep):
    fake, _ = channel_with_comments(page_size=100)
    c, _ = build(fake, fake_sleep)
    limit = c.capabilities.max_reply_length
    assert length_problem(c.reply_length("é" * 10_000), limit, "yt") is None
    problem = length_problem(c.reply_length("é" * 10_001), limit, "yt")
    assert problem == "the reply is 10001 characters; yt accepts at most 10000 (1 over)"


async def test_an_unknown_outcome_is_resolved_by_finding_our_reply(fake_sleep):
    fake, threads = channel_with_comments(page_size=100)
    c, rec = build(fake, fake_sleep)
    question = asked(await c.fetch(None), threads["cy"])
    fake.reply(threads["cy"], "us", "Not this one.")  # ours, but other words
    text = "Yes: 50% off with a student email."

    def applied_then_cut(request):
        if request.method == "POST" and request.url.path.endswith("/comments"):
            fake.handler(seen_of(request))  # the service applies it, the answer is lost
            raise httpx.ReadError("connection reset", request=request)
        return None

    rec.hook = applied_then_cut
    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(question, text, "key-2")
    assert may_have_reached_service(caught.value) and len(rec.to("/comments", "POST")) == 1
    rec.hook = None
    found = await c.find_own_reply(question, text, "key-2")
    posted = fake.threads[threads["cy"]]["replies"][-1]
    assert found is not None and found.remote_id == posted["id"]
    assert await c.find_own_reply(question, "Something else entirely", "key-3") is None
    assert len(fake.posted) == 1


async def test_comments_turned_off_is_a_one_line_error(fake_sleep):
    fake, threads = channel_with_comments(page_size=100)
    c, _ = build(fake, fake_sleep)
    question = asked(await c.fetch(None), threads["ana"])
    fake.disabled_videos.add("vid00000001")
    with pytest.raises(ConnectorError, match="comments are turned off for this video") as caught:
        await c.send_reply(question, "Hello", "k")
    assert "\n" not in str(caught.value) and not may_have_reached_service(caught.value)


async def test_a_reply_refused_as_forbidden_names_the_account_and_scope(fake_sleep):
    fake, threads = channel_with_comments(page_size=100)
    c, rec = build(fake, fake_sleep)
    question = asked(await c.fetch(None), threads["ana"])
    refusal = httpx.Response(403, json=google_error(403, "ineligibleAccount", "No."))
    rec.hook = lambda r: (
        refusal if r.method == "POST" and r.url.path.endswith("/comments") else None
    )
    with pytest.raises(ConnectorError, match="does not let this account comment") as caught:
        await c.send_reply(question, "Hello", "k")
    assert "youtube.force-ssl" in str(caught.value) and CHANNEL in str(caught.value)


# ----------------------------------------------------------------------------- quota
async def test_the_daily_quota_is_a_one_line_error_until_midnight_pacific(fake_sleep):
    fake, _ = channel_with_comments()
    fake.quota_used_up = True
    now = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)  # 12:00 in California
    c, rec = build(fake, fake_sleep, now=lambda: now)
    with pytest.raises(RateLimited) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert "daily API quota is used up" in text and "midnight Pacific time, in 12 h" in text
    assert "the fetch resumes then" in text and "\n" not in text
    assert caught.value.retry_after == 12 * 3600
    assert len(rec.to("/commentThreads")) == 1 and fake_sleep.calls == []  # not retried


def test_the_quota_resets_at_midnight_in_california_summer_or_winter():
    assert seconds_to_quota_reset(datetime(2026, 7, 1, 6, 0, tzinfo=UTC)) == 1 * 3600  # PDT
    assert seconds_to_quota_reset(datetime(2026, 1, 1, 7, 0, tzinfo=UTC)) == 1 * 3600  # PST


async def test_a_brief_rate_limit_is_waited_out_on_reads(fake_sleep):
    fake, _ = channel_with_comments(page_size=100)
    fake.throttle = 2
    c, rec = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert len(result.questions) == 3
    assert fake_sleep.calls == [0.5, 1.0]  # YouTube gives no header: backing off
    assert len(rec.to("/commentThreads")) == 3


async def test_a_rate_limited_reply_is_not_repeated(fake_sleep):
    fake, threads = channel_with_comments(page_size=100)
    c, rec = build(fake, fake_sleep)
    question = asked(await c.fetch(None), threads["ana"])
    fake.throttle = 1
    with pytest.raises(RateLimited, match=r"(?i)ratelimitexceeded"):
        await c.send_reply(question, "Hello", "k")
    assert len(rec.to("/comments", "POST")) == 1 and fake.posted == [] and fake_sleep.calls == []


# ----------------------------------------------------------------------------- auth
async def test_an_expired_token_is_renewed_once(fake_sleep):
    fake, _ = channel_with_comments(page_size=100)
    c, rec = build(fake, fake_sleep)
    first = await c.fetch(None)
    fake.revoked.add(fake.tokens[0])  # expired on Google's side
    fake.ask("ana", "One more thing")
    second = await c.fetch(first.checkpoint)
    assert len(second.questions) == 1 and len(rec.to("/token", "POST")) == 2
    assert rec.requests[-1].headers["authorization"] == "Bearer ya29.fake-access-2"


async def test_a_revoked_refresh_token_is_one_line_naming_the_secrets(fake_sleep):
    fake, _ = channel_with_comments()
    fake.refresh_token = "another"
    c, _ = build(fake, fake_sleep)
    with pytest.raises(AuthError) as caught:
        await c.check()
    text = str(caught.value)
    assert "invalid_grant" in text or "expired or revoked" in text
    assert "refresh_token" in text and "\n" not in text
    assert_no_secret(text)


@pytest.mark.parametrize(("status", "said"), [(401, "refused the credentials"), (403, "denied")])
async def test_401_and_403_are_one_line_auth_errors_without_the_secrets(fake_sleep, status, said):
    fake, _ = channel_with_comments()
    c, rec = build(fake, fake_sleep)
    echo = google_error(status, "forbidden" if status == 403 else "authError",
                        f"bad {REFRESH_TOKEN} {CLIENT_SECRET}")  # fmt: skip
    await c.check()  # a token is cached now
    rec.hook = lambda r: (
        None if r.url.path.endswith("/token") else httpx.Response(status, json=echo)
    )
    with pytest.raises(AuthError) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert said in text and "refresh_token" in text and "\n" not in text
    assert_no_secret(text)
    assert len(rec.to("/commentThreads")) == 2  # once more with a fresh token, then no more


async def test_check_names_the_channel(fake_sleep):
    fake, _ = channel_with_comments()
    c, rec = build(fake, fake_sleep)
    assert await c.check() == "signed in; channel Acme Studio"
    (read,) = rec.to("/channels")
    assert dict(read.url.params) == {"part": "snippet", "id": CHANNEL}


async def test_check_of_an_unknown_channel_says_so(fake_sleep):
    fake, _ = channel_with_comments()
    c, _ = build(fake, fake_sleep, channel_id="UCnobody")
    with pytest.raises(ConnectorError, match="no channel UCnobody; check the channel_id option"):
        await c.check()


# ----------------------------------------------------------------------------- bad input
async def test_a_malformed_page_is_a_one_line_error(fake_sleep):
    fake, _ = channel_with_comments()
    c, rec = build(fake, fake_sleep)
    rec.hook = lambda r: httpx.Response(200, json=[{"id": "x"}]) if r.url.path.endswith(
        "/commentThreads") else None  # fmt: skip
    with pytest.raises(BadResponseError, match="not with a list resource") as caught:
        await c.fetch(None)
    assert "\n" not in str(caught.value)


async def test_one_malformed_thread_costs_only_itself(fake_sleep):
    fake, threads = channel_with_comments(page_size=100)
    fake.threads[threads["ben"]]["top"]["snippet"]["publishedAt"] = "yesterday"
    fake.threads[threads["cy"]]["top"]["id"] = {"not": "an id"}
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert [q.thread_id for q in result.questions] == [threads["ana"]]
    assert sorted(w.split("skipped: ", 1)[1] for w in result.warnings) == [
        "topLevelComment.id must be a string or an integer",
        "topLevelComment.publishedAt = 'yesterday' is not an ISO-8601 timestamp",
    ]


async def test_missing_optional_fields_are_no_failure(fake_sleep):
    fake = YouTubeFake()
    thread = fake.ask("ana", "Hello?")
    snippet = fake.threads[thread]["top"]["snippet"]
    for key in ("authorChannelId", "authorChannelUrl", "updatedAt", "likeCount", "textOriginal",
                "videoId", "authorDisplayName"):  # fmt: skip
        snippet.pop(key)
    c, rec = build(fake, fake_sleep)
    rec.hook = lambda r: None
    result = await c.fetch(None)
    (question,) = result.questions
    assert question.author.id is None and question.author.name is None
    assert question.body == "Hello?" and question.meta["video_id"] == "vid00000001"


async def test_hostile_text_arrives_clean(fake_sleep):
    hostile = "\x1b]52;c;cGF5bG9hZA==\x07\u202eevil\u200b\ud800 [@click=app.quit]x[/]"
    fake = YouTubeFake()
    thread = fake.ask("ana", "placeholder")
    snippet = fake.threads[thread]["top"]["snippet"]
    snippet["textDisplay"] = f"<b>bold</b> {hostile}<script>alert(1)</script>"
    snippet["authorDisplayName"] = "N" * 10_000 + hostile
    snippet["authorChannelUrl"] = "javascript:alert(1)"
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert result.warnings == []
    (question,) = result.questions
    for text in (question.body, question.author.name):
        text.encode("utf-8")  # no lone surrogate is left
        assert "\x1b" not in clean(text) and "\u202e" not in clean(text)
    assert "bold" in question.body and "alert" not in question.body
    assert "evil\u200b\ufffd" in question.body
    assert question.author.name == "N" * 500
    assert "author_channel_url" not in question.meta and question.author.handle is None
    json.dumps(question.to_dict(), ensure_ascii=False).encode("utf-8")


async def test_the_secrets_appear_in_no_error_or_warning(fake_sleep, monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_YT_REFRESH_TOKEN", REFRESH_TOKEN + "\n")
    fake, _ = channel_with_comments(page_size=100)
    c, rec = build(fake, fake_sleep)

    def echo(request):  # a service that quotes the credentials back
        said = {"error": {"message": f"{request.headers.get('authorization')} {REFRESH_TOKEN} "
                                     f"{CLIENT_SECRET} {CLIENT_ID}"}}  # fmt: skip
        return httpx.Response(500, json=said)

    rec.hook = lambda r: echo(r) if r.url.path.endswith("/commentThreads") else None
    with pytest.raises(ConnectorError) as caught:
        await c.fetch(None)
    assert "HTTP 500" in str(caught.value)
    assert_no_secret(caught.value)
    rec.hook = lambda r: echo(r) if r.url.path.endswith("/channels") else None
    result = await c.fetch(None)
    assert result.warnings and "HTTP 500" in result.warnings[0]
    assert_no_secret(*result.warnings)


@pytest.mark.parametrize(
    "stored",
    [None, [], {"since": "x"}, {"since": 5}, {"since": "9999-12-31T23:59:59Z"},
     {"page_token": "a\nb"}],
)  # fmt: skip
def test_a_damaged_checkpoint_means_a_first_fetch(stored):
    assert read_checkpoint(stored) == (None, None, None)
