"""The app_store channel: reviews across pages, only what is new on later fetches, answered
reviews settled, the one developer response created and replaced, signed ES256 tokens,
and every way the API can fail."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

import httpx
import jwt
import pytest

from cxdaily.connectors import connector_class
from cxdaily.connectors.app_store import AppStoreConnector, link_tail
from cxdaily.connectors.app_store_parse import pem_private_key, read_checkpoint
from cxdaily.connectors.http import BadResponseError
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError, CredentialError
from cxdaily.core.models import Question
from cxdaily.core.safe_text import clean
from cxdaily.replies.outbox import may_have_reached_service
from cxdaily.settings import ChannelSettings
from tests.integration.app_store_fake_kit import (
    API_HOST,
    APP_ID,
    ISSUER,
    KEY_ID,
    OTHER_PEM,
    PEM,
    SECRET,
    T0,
    FakeAppStore,
)
from tests.integration.loopback_kit import seen_of
from tests.unit.connectors.app_store_kit import NOW, Clock, build


@pytest.fixture(autouse=True)
def key(memory_keyring):
    memory_keyring.set_password("cxdaily", "ios", SECRET)
    return memory_keyring


@pytest.fixture
def fake() -> FakeAppStore:
    return FakeAppStore()


def five_reviews(fake: FakeAppStore) -> None:
    """Three pages of two: four with words (one answered already), one rating only."""
    fake.add("r1", "Crashes", "It crashes when I export.", rating=1)
    fake.add("r2", "Sync?", "Does it sync with my Mac?", rating=3, territory="GBR")
    fake.add("r3", "Love it", "Great app, but how do I add a widget?", rating=5)
    fake.developer_answers("r3", "Long-press the home screen.")
    fake.add("r4", None, None, rating=2)  # a rating without words
    fake.add("r5", "Dark mode", "Please add dark mode.", rating=4, nickname="nightowl")


def by_id(questions) -> dict[str, Question]:
    return {q.native_id: q for q in questions}


# -- fetching -----------------------------------------------------------------------------
async def test_reviews_across_pages_become_questions(fake, fake_sleep):
    five_reviews(fake)
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert result.warnings == []
    questions = by_id(result.questions)
    assert sorted(questions) == ["r1", "r2", "r5"]
    sync = questions["r2"]
    assert (sync.title, sync.body, sync.thread_id, sync.url) == (
        "Sync?", "Does it sync with my Mac?", "r2", None,
    )  # fmt: skip
    assert sync.id == "ios:r2" and sync.kind == "app_store"
    assert sync.author.name == sync.author.handle == "Anne Johnson"
    assert sync.author.followers is None
    assert sync.meta == {"service": "app_store", "review_id": "r2", "rating": 3,
                         "territory": "GBR"}  # fmt: skip
    assert sync.created_at == T0 + timedelta(minutes=2)
    assert questions["r5"].author.name == "nightowl"
    [answered] = result.settled
    assert answered.native_id == "r3" and answered.meta["team_answered"] is True
    assert answered.meta["response_state"] == "PENDING_PUBLISH"
    assert len(wire.lists()) == 3
    first = wire.lists()[0]
    assert first.url.path == f"/v1/apps/{APP_ID}/customerReviews"
    assert dict(first.url.params) == {"sort": "-createdDate", "limit": "200",
                                      "include": "response"}  # fmt: skip
    assert [r.url.params.get("cursor") for r in wire.lists()] == [None, "2", "4"]
    assert result.checkpoint == {"since": "2026-12-04T08:06:00Z", "at": ["r5"]}


async def test_the_signed_token_is_es256_with_the_documented_claims(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    await c.fetch(None)
    token = wire.requests[0].headers["authorization"].removeprefix("Bearer ")
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "ES256", "kid": KEY_ID, "typ": "JWT"}
    claims = jwt.decode(token, options={"verify_signature": False})
    now = int(NOW.timestamp())
    assert claims == {"iss": ISSUER, "iat": now, "exp": now + 19 * 60,
                      "aud": "appstoreconnect-v1"}  # fmt: skip
    assert fake.tokens  # the fake verified the signature with the key's public half


async def test_a_second_fetch_asks_only_for_what_is_new(fake, fake_sleep):
    five_reviews(fake)
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    fake.add("r6", "Price", "Is there a family plan?")
    fake.add("r7", "Widgets", "Where are the widgets?")
    wire.requests.clear()
    again = await c.fetch(first.checkpoint)
    assert sorted(q.native_id for q in again.questions) == ["r6", "r7"]
    assert [dict(r.url.params) for r in wire.requests] == [
        {"sort": "-createdDate", "limit": "200", "include": "response"},
        {"sort": "-createdDate", "limit": "200", "include": "response", "cursor": "2"},
    ]  # stops at the page that reaches the checkpoint
    assert again.checkpoint == {"since": "2026-12-04T08:08:00Z", "at": ["r7"]}
    wire.requests.clear()
    third = await c.fetch(again.checkpoint)
    assert third.questions == [] and len(wire.requests) == 1


async def test_a_review_answered_later_settles_on_a_page_read_anyway(fake, fake_sleep):
    fake.add("r1", "Crashes", "It crashes.")
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    fake.developer_answers("r1", "Fixed in 2.1.")
    again = await c.fetch(first.checkpoint)
    assert again.questions == []
    assert [q.native_id for q in again.settled] == ["r1"]
    since = first.questions[0].created_at
    [answer] = await c.answers_since(first.questions[0], since)
    assert answer.body == "Fixed in 2.1." and answer.created_at > since


async def test_the_page_cap_resumes_where_it_stopped(fake, fake_sleep, monkeypatch):
    monkeypatch.setattr("cxdaily.connectors.app_store.MAX_PAGES", 2)
    for n in range(1, 8):
        fake.add(f"r{n}", f"T{n}", f"Question {n}")
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    assert sorted(q.native_id for q in first.questions) == ["r4", "r5", "r6", "r7"]
    assert first.checkpoint["resume"].startswith(f"/v1/apps/{APP_ID}/customerReviews?")
    assert "stopped after 2 pages" in " ".join(c.fetch_notes())
    wire.requests.clear()
    second = await c.fetch(first.checkpoint)  # the top first (one page), then on from r3
    assert sorted(q.native_id for q in second.questions) == ["r2", "r3"]
    assert [r.url.params.get("cursor") for r in wire.requests] == [None, "4"]
    wire.requests.clear()
    third = await c.fetch(second.checkpoint)
    assert [q.native_id for q in third.questions] == ["r1"]
    assert [r.url.params.get("cursor") for r in wire.requests] == [None, "6"]
    assert third.checkpoint == {"since": "2026-12-04T08:07:00Z", "at": ["r7"]}


async def test_a_next_page_named_again_ends_the_walk_instead_of_reading_it_again(
    fake, fake_sleep, monkeypatch
):
    for n in range(1, 8):
        fake.add(f"r{n}", f"T{n}", f"Question {n}")
    listing = fake._list

    def looping(seen):
        answer = listing(seen)
        if seen.query.get("cursor") == ["2"]:  # names the page just read as the next
            query = urlencode(seen.query, doseq=True)
            answer.body["links"]["next"] = f"{answer.body['links']['self']}?{query}"
        return answer

    monkeypatch.setattr(fake, "_list", looping)
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    assert [r.url.params.get("cursor") for r in wire.requests] == [None, "2"]
    assert sorted(q.native_id for q in first.questions) == ["r4", "r5", "r6", "r7"]
    assert "the service named a page already read" in " ".join(c.fetch_notes())
    assert first.checkpoint == {"since": "2026-12-04T08:07:00Z", "at": ["r7"]}  # no resume
    wire.requests.clear()
    await c.fetch(first.checkpoint)
    assert len(wire.requests) == 1  # the next fetch reads from the newest, as usual


@pytest.mark.parametrize(
    "stored",
    [None, [], {"since": "x"}, {"since": 10**400}, {"since": True}, {"resume": "//evil"}],
)
def test_a_damaged_checkpoint_means_a_first_fetch(stored):
    mark = read_checkpoint(stored)
    assert mark.since is None and mark.resume is None


# -- replying -----------------------------------------------------------------------------
async def test_a_reply_creates_the_response_and_a_second_replaces_it(fake, fake_sleep):
    five_reviews(fake)
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    question = by_id(result.questions)["r1"]
    sent = await c.send_reply(question, "Sorry! Fixed in 2.1.", "key-1")
    assert sent.remote_id == "resp-2" and sent.url is None
    post = wire.requests[-1]
    assert (post.method, post.url.path) == ("POST", "/v1/customerReviewResponses")
    assert post.headers["authorization"].startswith("Bearer ey")
    assert json.loads(post.content) == {
        "data": {
            "type": "customerReviewResponses",
            "attributes": {"responseBody": "Sorry! Fixed in 2.1."},
            "relationships": {"review": {"data": {"type": "customerReviews", "id": "r1"}}},
        }
    }
    again = await c.send_reply(question, "Update: 2.1 is out now.", "key-2")
    assert again.remote_id == "resp-2"  # the same response, overwritten
    assert fake.responses["r1"]["attributes"]["responseBody"] == "Update: 2.1 is out now."
    assert [r.method for r in wire.requests[-2:]] == ["POST", "POST"]
    assert await c.answers_since(question, question.created_at) == []  # ours


async def test_a_refused_replacement_deletes_the_old_response_first(fake, fake_sleep):
    fake.add("r1", "Crashes", "It crashes.")
    fake.developer_answers("r1", "An old answer.")
    fake.refuse_replacing = True
    c, wire = build(fake, fake_sleep)
    [question] = (await c.fetch(None)).settled
    sent = await c.send_reply(question, "A new answer.", "key-1")
    assert fake.deleted == ["resp-1"]
    assert sent.remote_id == "resp-2"
    assert [(r.method, r.url.path) for r in wire.requests[1:]] == [
        ("POST", "/v1/customerReviewResponses"),
        ("GET", "/v1/customerReviews/r1/response"),
        ("DELETE", "/v1/customerReviewResponses/resp-1"),
        ("POST", "/v1/customerReviewResponses"),
    ]
    wire.requests.clear()
    same = await c.send_reply(question, "A new answer.", "key-1")  # already there: kept
    assert same.remote_id == "resp-2" and fake.deleted == ["resp-1"]


async def test_a_reply_over_5970_characters_is_over_the_limit(fake, fake_sleep):
    c, _ = build(fake, fake_sleep)
    assert c.capabilities.max_reply_length == 5970 and c.capabilities.one_reply
    assert c.reply_length("é" * 5970) == 5970 <= c.reply_limit(None)  # type: ignore[arg-type]
    assert c.reply_length("x" * 5971) > c.reply_limit(None)  # type: ignore[arg-type]


async def test_after_an_unknown_outcome_the_response_is_found(fake, fake_sleep):
    fake.add("r1", "Crashes", "It crashes.")
    c, wire = build(fake, fake_sleep)
    [question] = (await c.fetch(None)).questions
    assert await c.find_own_reply(question, "Fixed.", "key-1") is None

    def applied_then_cut(request):
        if request.method == "POST":
            fake.respond(seen_of(request))
            raise httpx.ReadError("connection reset")
        return None

    wire.intercept = applied_then_cut
    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(question, "Fixed.", "key-1")
    assert may_have_reached_service(caught.value)
    assert len(fake.posted) == 1  # a POST is never repeated by the HTTP layer
    wire.intercept = None
    found = await c.find_own_reply(question, "Fixed.", "key-1")
    assert found is not None and found.remote_id == "resp-1"
    assert await c.find_own_reply(question, "Something else.", "key-1") is None


async def test_answers_since_shows_someone_elses_response_only_when_newer(fake, fake_sleep):
    fake.add("r1", "Crashes", "It crashes.")
    c, _ = build(fake, fake_sleep)
    [question] = (await c.fetch(None)).questions
    assert await c.answers_since(question, question.created_at) == []
    fake.developer_answers("r1", "We are on it.")
    [answer] = await c.answers_since(question, question.created_at)
    assert answer.body == "We are on it." and answer.author.name == "the developer response"
    assert await c.answers_since(question, answer.created_at) == []


# -- tokens, limits and errors --------------------------------------------------------------
async def test_a_token_is_reused_then_signed_again_before_it_expires(fake, fake_sleep):
    clock = Clock()
    c, wire = build(fake, fake_sleep, clock=clock)
    await c.check()
    await c.check()
    clock.now += timedelta(minutes=18)
    await c.check()
    tokens = [r.headers["authorization"] for r in wire.requests]
    assert tokens[0] == tokens[1] != tokens[2]
    assert jwt.decode(tokens[2][7:], options={"verify_signature": False})["iat"] == int(
        clock.now.timestamp()
    )


async def test_a_refused_token_is_signed_again_once(fake, fake_sleep):
    fake.add("r1", "Crashes", "It crashes.")
    c, wire = build(fake, fake_sleep)
    calls = []

    def expired_once(request):
        calls.append(request.headers["authorization"])
        if len(calls) == 1:
            return httpx.Response(401, json={"errors": [{"status": "401",
                                                         "code": "NOT_AUTHORIZED"}]})  # fmt: skip
        return None

    wire.intercept = expired_once
    c._token_until = NOW + timedelta(minutes=5)
    c._token = "stale.token.value"
    result = await c.fetch(None)
    assert [q.native_id for q in result.questions] == ["r1"]
    assert calls[0] == "Bearer stale.token.value" and calls[1] != calls[0]


@pytest.mark.parametrize("status", [401, 403])
async def test_refusals_are_one_line_auth_errors_without_the_key(fake, fake_sleep, status):
    c, wire = build(fake, fake_sleep)
    body = {"errors": [{"status": str(status), "code": "FORBIDDEN_ERROR",
                        "title": "This request is forbidden for security reasons",
                        "detail": f"{SECRET} {PEM}"}]}  # fmt: skip
    wire.intercept = lambda request: httpx.Response(status, json=body)
    with pytest.raises(AuthError) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert "\n" not in text and f"HTTP {status}" in text
    assert "issuer_id" in text and SECRET not in text and "PRIVATE KEY" not in text
    token = wire.requests[-1].headers["authorization"][7:]
    assert token not in text
    assert len(wire.requests) == (2 if status == 401 else 1)  # a new token is tried once


@pytest.mark.parametrize(
    "stored",
    [
        SECRET,
        PEM.replace("\n", "\\n"),
        PEM.replace("\n", " "),
        "".join(PEM.strip().splitlines()[1:-1]),
    ],
    ids=["base64", "escaped-newlines", "spaces", "body-only"],
)
async def test_the_private_key_is_read_from_one_line_forms(fake, fake_sleep, key, stored):
    key.set_password("cxdaily", "ios", stored)
    c, _ = build(fake, fake_sleep)
    assert "Acme Notes" in await c.check()
    assert pem_private_key(stored) == PEM


@pytest.mark.parametrize(
    "stored", ["not a key at all", "-----BEGIN PRIVATE KEY-----QUJD-----END PRIVATE KEY-----"]
)
async def test_a_bad_private_key_is_a_one_line_error_without_it(fake, fake_sleep, key, stored):
    key.set_password("cxdaily", "ios", stored)
    c, wire = build(fake, fake_sleep)
    with pytest.raises(CredentialError) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert "\n" not in text and "not a readable App Store Connect .p8 key" in text
    assert stored not in text and "QUJD" not in text
    assert wire.requests == []


async def test_another_teams_key_is_refused_by_the_service(fake, fake_sleep, key):
    key.set_password("cxdaily", "ios", OTHER_PEM.replace("\n", "\\n"))
    c, _ = build(fake, fake_sleep)
    with pytest.raises(AuthError) as caught:
        await c.check()
    assert "HTTP 401" in str(caught.value) and "cxdaily login ios" in str(caught.value)


async def test_a_rate_limit_is_waited_out(fake, fake_sleep):
    fake.add("r1", "Crashes", "It crashes.")
    fake.throttled.append({"X-Rate-Limit": "user-hour-lim:3500;user-hour-rem:12;"})  # short-term
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert [q.native_id for q in result.questions] == ["r1"]
    assert fake_sleep.calls == [0.5]  # no wait is given: the first back-off
    assert len(wire.requests) == 2


async def test_a_rate_limited_reply_is_not_sent_again(fake, fake_sleep):
    fake.add("r1", "Crashes", "It crashes.")
    c, _ = build(fake, fake_sleep)
    [question] = (await c.fetch(None)).questions
    fake.throttle()
    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(question, "Fixed.", "key-1")
    assert "HTTP 429" in str(caught.value) and fake.responses == {}
    assert fake_sleep.calls == []


async def test_a_malformed_page_is_a_one_line_error(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda request: httpx.Response(200, json={"data": "reviews"})
    with pytest.raises(BadResponseError) as caught:
        await c.fetch(None)
    assert "not with a page of reviews" in str(caught.value) and "\n" not in str(caught.value)


async def test_a_malformed_review_is_skipped_with_a_warning(fake, fake_sleep):
    fake.add("r1", "Crashes", "It crashes.")
    fake.add("r2", "Broken", "placeholder")
    fake.add("r3", "Sync", "Does it sync?")
    fake.reviews["r2"]["attributes"]["createdDate"] = "yesterday"
    fake.reviews["r3"]["attributes"]["rating"] = "five"  # not a number: no rating
    fake.reviews["r3"]["attributes"]["territory"] = None
    c, _ = build(fake, fake_sleep, base_url=API_HOST)
    fake.page_size = 5
    result = await c.fetch(None)
    assert sorted(q.native_id for q in result.questions) == ["r1", "r3"]
    assert len(result.warnings) == 1 and "createdDate" in result.warnings[0]
    r3 = by_id(result.questions)["r3"]
    assert "rating" not in r3.meta and "territory" not in r3.meta


async def test_hostile_text_arrives_clean(fake, fake_sleep):
    hostile = "\x1b]52;c;cGF5bG9hZA==\x07\u202eevil\ud800 [@click=app.quit]x[/]\u200b"
    fake.add("r1", hostile, f"<b>{hostile}</b>", nickname="N" * 10_000 + hostile)
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    [question] = result.questions
    for text in (question.body, question.title, question.author.name):
        text.encode("utf-8")  # no lone surrogate is left
        assert "\x1b" not in clean(text) and "\u202e" not in clean(text)
    assert question.title == hostile.replace("\ud800", "\ufffd")
    assert question.author.name == "N" * 1000
    json.dumps(question.to_dict(), ensure_ascii=False).encode("utf-8")


async def test_the_key_and_token_appear_in_no_error(fake, fake_sleep, monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_IOS", SECRET + "\n")
    c, wire = build(fake, fake_sleep)

    def echo(request):
        echoed = f"{request.headers['authorization']} {SECRET}"
        said = {
            "errors": [
                {"status": "500", "code": "X", "title": echoed, "detail": echoed, "message": echoed}
            ]
        }  # a proxy's "message" is quoted in errors
        return httpx.Response(500, json=said)

    wire.intercept = echo
    with pytest.raises(ConnectorError) as caught:
        await c.fetch(None)
    token = wire.requests[-1].headers["authorization"][7:]
    assert "HTTP 500" in str(caught.value) and "***" in str(caught.value)
    assert token not in str(caught.value) and SECRET not in str(caught.value)


# -- hosts, options and check ---------------------------------------------------------------
async def test_base_url_changes_every_url_and_the_token_stays_there(fake, fake_sleep):
    for n in range(1, 4):
        fake.add(f"r{n}", f"T{n}", f"Question {n}")
    fake.next_host = "https://elsewhere.example"  # next links name another host
    base = "https://asc.proxy.example/apple"
    c, wire = build(fake, fake_sleep, base_url=base)
    result = await c.fetch(None)
    assert len(result.questions) == 3
    [question] = [q for q in result.questions if q.native_id == "r1"]
    await c.send_reply(question, "Thanks!", "k")
    await c.find_own_reply(question, "Thanks!", "k")
    await c.check()
    assert {r.url.host for r in wire.requests} == {"asc.proxy.example"}
    assert all(r.url.path.startswith("/apple/v1/") for r in wire.requests)
    assert all(r.headers["authorization"].startswith("Bearer ") for r in wire.requests)


def test_a_next_link_is_kept_below_the_base_url():
    base = "https://asc.proxy.example/apple"
    named = "https://api.appstoreconnect.apple.com/v1/apps/1/customerReviews?cursor=Ab%3D"
    assert link_tail(named, base) == "/v1/apps/1/customerReviews?cursor=Ab%3D"
    assert link_tail("https://asc.proxy.example/apple/v1/x?c=1", base) == "/v1/x?c=1"


async def test_check_names_the_app(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    said = await c.check()
    assert said == (
        f"API key {KEY_ID} accepted; app Acme Notes (com.acme.notes) readable on "
        "api.appstoreconnect.apple.com"
    )
    assert [r.url.path for r in wire.requests] == [f"/v1/apps/{APP_ID}"]


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ({"issuer_id": ISSUER, "key_id": KEY_ID}, "needs app_id"),
        ({"app_id": "my app", "issuer_id": ISSUER, "key_id": KEY_ID}, "digits only"),
        ({"app_id": APP_ID, "key_id": KEY_ID}, "needs issuer_id"),
        ({"app_id": APP_ID, "issuer_id": ISSUER, "key_id": "a/b"}, "key_id must be one id"),
    ],
)
def test_options_are_checked(options, said):
    settings = ChannelSettings(name="ios", kind="app_store", options=options)
    with pytest.raises(ConfigError) as caught:
        AppStoreConnector(settings)
    assert str(caught.value).startswith("[channels.ios]") and said in str(caught.value)


def test_the_kind_is_the_catalogue_key():
    assert connector_class("app_store") is AppStoreConnector
    assert AppStoreConnector.capabilities.public
