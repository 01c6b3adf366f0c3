"""The trustpilot channel against a fake of Trustpilot's business APIs (served through
``httpx.MockTransport``): pages, the checkpoint, answered reviews, the company reply as an
upsert, the password grant and its refresh token, rate limits, hostile payloads and the
secrets."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx
import pytest
from msgspec.structs import replace

from cxdaily.connectors import connector_class, trustpilot
from cxdaily.connectors.base import PROCESS_RENEWED
from cxdaily.connectors.channel_tokens import secret_pair
from cxdaily.connectors.http import BadResponseError, ChannelHttp, make_client
from cxdaily.connectors.oauth import PROCESS_TOKENS
from cxdaily.connectors.trustpilot import REFRESH_TOKENS, PasswordGrant, TrustpilotConnector
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError
from cxdaily.credentials import secret_reader
from cxdaily.settings import ChannelSettings
from tests.integration.trustpilot_fake_kit import (
    API_KEY,
    API_SECRET,
    BUSINESS_UNIT,
    BUSINESS_USER,
    OAUTH,
    PASSWORD,
    USERNAME,
    TrustpilotFake,
    mock_transport,
    seen_of,
)
from tests.unit.connectors.recorder_kit import Recorder as RecorderBase

SECRETS = (API_KEY, API_SECRET, PASSWORD, "tp-access-", "tp-refresh-")
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
REVIEWS_PATH = f"/v1/private/business-units/{BUSINESS_UNIT}/reviews"


@pytest.fixture(autouse=True)
def _fresh_tokens(monkeypatch):
    """Each test starts without cached tokens, with the four secrets in the env."""
    PROCESS_TOKENS.clear()
    REFRESH_TOKENS.clear()
    PROCESS_RENEWED.clear()
    for field, value in (("API_KEY", API_KEY), ("API_SECRET", API_SECRET),
                         ("USERNAME", USERNAME), ("PASSWORD", PASSWORD)):  # fmt: skip
        monkeypatch.setenv(f"CXDAILY_SECRET_REVIEWS_{field}", value)
    yield
    PROCESS_TOKENS.clear()
    REFRESH_TOKENS.clear()


class Recorder(RecorderBase):
    """Every request the connector sent, and a hook answering some of them first."""

    def paths(self, method: str | None = None) -> list[str]:
        return [r.url.path for r in self.requests if method in (None, r.method)]

    def lists(self) -> list[dict[str, str]]:
        """The query of every review list request."""
        return [dict(r.url.params) for r in self.requests if r.url.path == REVIEWS_PATH]


def build(fake: TrustpilotFake, sleep=None, **options) -> tuple[TrustpilotConnector, Recorder]:
    """The connector over ``fake``, with every request recorded."""
    recorder = Recorder()
    settings = ChannelSettings(
        name="reviews", kind="trustpilot", options={"business_unit_id": BUSINESS_UNIT, **options}
    )
    client = make_client(transport=mock_transport(fake, recorder))
    connector = TrustpilotConnector(
        settings, client=client, secrets=secret_reader("reviews"), now=lambda: NOW
    )
    if sleep is not None:
        connector.http = ChannelHttp(client, channel="reviews", sleep=sleep, rand=lambda: 0)
    return connector, recorder


def business_unit() -> tuple[TrustpilotFake, list[str]]:
    """Three unanswered reviews and one the company answered on the website."""
    fake = TrustpilotFake()
    ids = [
        fake.review("The parcel took <b>two weeks</b> &amp; nobody answered my emails.",
                    stars=1, name="Jane Doe", title="Slow delivery"),
        fake.review("Good prices, but the size guide is wrong.", stars=3, name="Ravi Rao",
                    title="Sizes run small", reviews_written=None),
        fake.review("Where is my refund?", stars=2, name="Kim Lee", title="Refund"),
    ]  # fmt: skip
    answered = fake.review("Lovely shop!", stars=5, name="Ana Gil", title="Great")
    fake.company_replies(answered, "Thank you, Ana!")
    return fake, [*ids, answered]


def asked(result, review_id: str):
    (question,) = [q for q in result.questions if q.native_id == review_id]
    return question


def assert_no_secret(*texts: object) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in str(text), text


# ----------------------------------------------------------------------------- options
def test_registered_as_a_builtin_kind():
    assert connector_class("trustpilot") is TrustpilotConnector
    caps = TrustpilotConnector.capabilities
    assert caps.one_reply and caps.public and caps.finds_own_replies
    assert not caps.idempotency_keys
    assert caps.max_reply_length is None  # Trustpilot documents no limit


def test_business_unit_id_is_required_and_one_id():
    with pytest.raises(ConfigError, match=r"^\[channels\.r\] needs business_unit_id = "):
        TrustpilotConnector(ChannelSettings(name="r", kind="trustpilot"))
    with pytest.raises(ConfigError, match="business_unit_id must be one Trustpilot id"):
        TrustpilotConnector(
            ChannelSettings(name="r", kind="trustpilot", options={"business_unit_id": "a/b"})
        )


def test_token_urls_follow_base_url_unless_configured():
    def settings(**options):
        return ChannelSettings(
            name="r", kind="trustpilot", options={"business_unit_id": "abc", **options}
        )

    plain = TrustpilotConnector(settings())
    assert plain.token_url == f"https://api.trustpilot.com{OAUTH}/accesstoken"
    assert plain.refresh_url == f"https://api.trustpilot.com{OAUTH}/refresh"
    moved = TrustpilotConnector(settings(base_url="https://tp.test/"))
    assert moved.token_url == f"https://tp.test{OAUTH}/accesstoken"
    assert moved.refresh_url == f"https://tp.test{OAUTH}/refresh"
    own = TrustpilotConnector(
        settings(token_url="https://auth.test/token", refresh_url="https://auth.test/again")
    )
    assert (own.token_url, own.refresh_url) == (
        "https://auth.test/token",
        "https://auth.test/again",
    )
    assert "https://auth.test/token" in own.credential_urls
    assert "https://auth.test/again" in own.credential_urls


async def test_base_url_changes_every_url_called():
    fake, _ = business_unit()
    c, rec = build(fake, base_url="https://tp.internal.test", author_business_user_id="u1")
    question = (await c.fetch(None)).questions[0]
    await c.send_reply(question, "Sorry about that.", "k")
    await c.answers_since(question, question.created_at)
    await c.find_own_reply(question, "Sorry about that.", "k")
    REFRESH_TOKENS.clear()
    PROCESS_TOKENS.clear()
    await c.check()
    assert {r.url.host for r in rec.requests} == {"tp.internal.test"}
    assert rec.paths()[0] == f"{OAUTH}/accesstoken"


# ----------------------------------------------------------------------------- fetch
async def test_first_fetch_reads_every_page_newest_first(monkeypatch):
    monkeypatch.setattr(trustpilot, "PAGE_SIZE", 2)
    fake, ids = business_unit()
    c, rec = build(fake)
    result = await c.fetch(None)
    assert sorted(q.native_id for q in result.questions) == sorted(ids[:3])
    assert [q.native_id for q in result.settled] == [ids[3]]
    assert rec.lists() == [
        {"orderBy": "createdat.desc", "page": "1", "perPage": "2"},
        {"orderBy": "createdat.desc", "page": "2", "perPage": "2"},
        {"orderBy": "createdat.desc", "page": "3", "perPage": "2"},
    ]
    (token_request,) = [r for r in rec.requests if r.url.path.startswith(OAUTH)]
    assert (
        token_request.headers["authorization"]
        == "Basic " + base64.b64encode(f"{API_KEY}:{API_SECRET}".encode()).decode()
    )
    assert parse_qs(token_request.content.decode()) == {
        "grant_type": ["password"], "username": [USERNAME], "password": [PASSWORD]
    }  # fmt: skip
    for request in rec.requests[1:]:
        assert request.headers["authorization"] == "Bearer tp-access-1-c41d"
    assert fake.reviews[ids[3]]["createdAt"] == "2026-12-04T08:04:00Z"
    assert result.checkpoint == {"created_at": "2026-12-04T08:04:00+00:00", "ids": [ids[3]]}
    assert result.warnings == []


async def test_a_question_carries_the_review_as_trustpilot_has_it():
    fake, ids = business_unit()
    c, _ = build(fake)
    result = await c.fetch(None)
    q = asked(result, ids[0])
    assert q.thread_id == ids[0]
    assert q.body == "The parcel took two weeks & nobody answered my emails."
    assert q.title == "Slow delivery"
    consumer = fake.reviews[ids[0]]["consumer"]
    assert (q.author.id, q.author.name, q.author.followers) == (consumer["id"], "Jane Doe", None)
    assert q.url == f"https://www.trustpilot.com/reviews/{ids[0]}"
    assert q.created_at == datetime(2026, 12, 4, 8, 1, tzinfo=UTC)
    assert q.meta == {
        "service": "trustpilot", "review_id": ids[0], "rating": 1, "consumer_reviews": 3,
        "likes": 1, "language": "en", "status": "active", "verified": True,
    }  # fmt: skip
    assert "consumer_reviews" not in asked(result, ids[1]).meta  # not given for Ravi
    stored = json.dumps([x.to_dict() for x in result.questions])
    assert "@example.com" not in stored and "order-" not in stored  # private fields stay out


async def test_second_fetch_reads_only_down_to_the_checkpoint(monkeypatch):
    monkeypatch.setattr(trustpilot, "PAGE_SIZE", 2)
    fake, _ = business_unit()
    c, rec = build(fake)
    first = await c.fetch(None)
    rec.clear()
    fresh = fake.review("My order arrived broken.", stars=1, name="Lu Chen")
    second = await c.fetch(first.checkpoint)
    assert [q.native_id for q in second.questions] == [fresh]
    assert second.settled == []
    assert rec.lists() == [{"orderBy": "createdat.desc", "page": "1", "perPage": "2"}]
    assert f"{OAUTH}/accesstoken" not in rec.paths()  # the token is kept
    assert second.checkpoint == {"created_at": "2026-12-04T08:06:00+00:00", "ids": [fresh]}
    rec.clear()
    third = await c.fetch(second.checkpoint)
    assert (third.questions, third.settled) == ([], [])
    assert third.checkpoint == second.checkpoint


async def test_reviews_at_the_checkpoint_instant_are_not_fetched_twice():
    fake, ids = business_unit()
    fake.reviews[ids[1]]["createdAt"] = fake.reviews[ids[3]]["createdAt"]  # the same second
    c, _ = build(fake)
    first = await c.fetch(None)
    assert first.checkpoint["ids"] == sorted([ids[1], ids[3]])
    late = fake.review("Another one, same second.", name="Bo")
    fake.reviews[late]["createdAt"] = fake.reviews[ids[3]]["createdAt"]
    second = await c.fetch(first.checkpoint)
    assert [q.native_id for q in second.questions] == [late]
    assert second.checkpoint["ids"] == sorted([ids[1], ids[3], late])


async def test_the_page_cap_leaves_the_older_reviews_for_the_next_fetch(monkeypatch):
    monkeypatch.setattr(trustpilot, "PAGE_SIZE", 1)
    fake, ids = business_unit()
    more = [fake.review(f"Question {n}?", name=f"Person {n}") for n in range(100)]
    newest = fake.reviews[more[-1]]["createdAt"].replace("Z", "+00:00")
    c, rec = build(fake)
    start = {"created_at": "2026-12-04T08:00:00+00:00", "ids": []}  # before every review
    first = await c.fetch(start)  # 104 reviews newer than it, one a page: 100 pages read
    assert sorted(q.native_id for q in first.questions) == sorted(more)
    assert first.settled == []
    assert "stopped after 100 pages" in " ".join(c.fetch_notes())
    assert first.checkpoint == {
        "created_at": "2026-12-04T08:00:00+00:00",
        "ids": [],
        "newest": newest,
        "newest_ids": [more[-1]],
        "resume_page": 100,
    }  # fmt: skip  (the last page read is read again: see the deletion test below)
    rec.clear()
    fresh = fake.review("Arrived in between.", name="Lu Chen")  # pushes every page down one
    second = await c.fetch(first.checkpoint)
    assert [r["page"] for r in rec.lists()] == ["100", "101", "102", "103", "104", "105", "106"]
    # more[1] (read on page 100 before) comes again, and is stored once
    assert sorted(q.native_id for q in second.questions) == sorted([*ids[:3], more[0], more[1]])
    assert [q.native_id for q in second.settled] == [ids[3]]
    assert second.checkpoint == {"created_at": newest, "ids": [more[-1]]}
    rec.clear()
    third = await c.fetch(second.checkpoint)  # from the newest again, down to the checkpoint
    assert [r["page"] for r in rec.lists()] == ["1", "2"]
    assert [q.native_id for q in third.questions] == [fresh]


async def test_a_walk_resumed_after_deletions_misses_no_review(monkeypatch):
    # Reviews removed from the newest pages between two fetches move every older review
    # up: the one that was first on the page after the cut is now on the last page read.
    monkeypatch.setattr(trustpilot, "PAGE_SIZE", 1)
    fake, ids = business_unit()
    more = [fake.review(f"Question {n}?", name=f"Person {n}") for n in range(100)]
    c, _ = build(fake)
    start = {"created_at": "2026-12-04T08:00:00+00:00", "ids": []}
    first = await c.fetch(start)  # pages 1 to 100: more[99] down to more[0]
    assert more[0] in {q.native_id for q in first.questions}
    unread = ids[3]  # first on page 101: answered, so it comes back as settled
    assert unread not in {q.native_id for q in [*first.questions, *first.settled]}
    del fake.reviews[more[50]]  # flagged and removed: page 101's review is now on page 100
    second = await c.fetch(first.checkpoint)
    assert [q.native_id for q in second.settled] == [unread]
    assert set(ids[:3]) <= {q.native_id for q in second.questions}


async def test_the_byte_budget_leaves_the_older_reviews_for_the_next_fetch(monkeypatch):
    monkeypatch.setattr(trustpilot, "PAGE_SIZE", 2)
    fake, ids = business_unit()
    c, rec = build(fake)
    c.http.policy = replace(c.http.policy, max_fetch_bytes=1)  # one page a fetch
    start = {"created_at": "2026-12-04T08:00:00+00:00", "ids": []}
    first = await c.fetch(start)
    assert [q.native_id for q in first.questions] == [ids[2]]
    assert "byte budget" in " ".join(c.fetch_notes())
    assert first.checkpoint["created_at"] == start["created_at"]
    assert first.checkpoint["resume_page"] == 2
    second = await c.fetch(first.checkpoint)
    assert sorted(q.native_id for q in second.questions) == sorted(ids[:2])
    assert second.checkpoint["resume_page"] == 3  # a full page: there may be more
    rec.clear()
    third = await c.fetch(second.checkpoint)
    assert [r["page"] for r in rec.lists()] == ["3"]
    assert third.questions == []
    assert third.checkpoint == {"created_at": "2026-12-04T08:04:00+00:00", "ids": [ids[3]]}


@pytest.mark.parametrize("page", [True, "3", 1, 0, -2, 2.0, 10**9, None])
def test_a_damaged_resume_page_is_ignored(page):
    stored = {"created_at": "2026-12-04T08:00:00+00:00", "ids": ["a"], "resume_page": page}
    mark = trustpilot.read_checkpoint(stored)
    assert mark.since == datetime(2026, 12, 4, 8, tzinfo=UTC)
    assert (mark.ids, mark.resume_page) == (frozenset({"a"}), None)


async def test_the_first_fetch_reads_back_thirty_days_only():
    fake, ids = business_unit()
    fake.reviews[ids[0]]["createdAt"] = "2026-10-01T10:00:00Z"
    c, _ = build(fake)
    result = await c.fetch(None)
    assert ids[0] not in [q.native_id for q in result.questions]
    assert len(result.questions) == 2


async def test_an_answered_review_is_settled_and_the_answer_shows_in_answers_since():
    fake, ids = business_unit()
    c, _ = build(fake, author_business_user_id=BUSINESS_USER)
    result = await c.fetch(None)
    (settled,) = result.settled
    assert settled.native_id == ids[3] and settled.meta["team_answered"] is True
    question = asked(result, ids[2])
    fake.company_replies(ids[2], "<p>Refunds take <i>5 days</i>.</p>", author="colleague-9")
    answers = await c.answers_since(question, question.created_at)
    assert [a.body for a in answers] == ["Refunds take 5 days."]
    assert answers[0].author.id == "colleague-9"
    later = datetime(2026, 12, 5, tzinfo=UTC)
    assert await c.answers_since(question, later) == []
    fake.company_replies(ids[2], "Our own earlier reply.", author=BUSINESS_USER)
    assert await c.answers_since(question, question.created_at) == []  # ours does not count
    assert await c.answers_since(asked(result, ids[0]), question.created_at) == []  # none yet


# ----------------------------------------------------------------------------- replies
async def test_a_reply_is_the_review_s_company_reply_and_its_id_is_the_review_s():
    fake, ids = business_unit()
    c, rec = build(fake, author_business_user_id=BUSINESS_USER)
    question = asked(await c.fetch(None), ids[0])
    rec.clear()
    sent = await c.send_reply(question, "Sorry Jane, we are on it.", "key-1")
    assert (sent.remote_id, sent.url) == (ids[0], f"https://www.trustpilot.com/reviews/{ids[0]}")
    (post,) = rec.requests
    assert (post.method, post.url.path) == ("POST", f"/v1/private/reviews/{ids[0]}/reply")
    assert json.loads(post.content) == {
        "message": "Sorry Jane, we are on it.", "authorBusinessUserId": BUSINESS_USER
    }  # fmt: skip
    assert post.headers["authorization"] == "Bearer tp-access-1-c41d"
    assert "idempotency-key" not in post.headers
    assert fake.reviews[ids[0]]["companyReply"]["text"] == "Sorry Jane, we are on it."


async def test_sending_again_replaces_the_company_reply():
    fake, ids = business_unit()
    c, _ = build(fake)
    question = asked(await c.fetch(None), ids[0])
    await c.send_reply(question, "First version.", "k1")
    again = await c.send_reply(question, "Second version.", "k2")
    assert again.remote_id == ids[0]
    assert [body for _, body in fake.replies] == [
        {"message": "First version."},
        {"message": "Second version."},
    ]  # fmt: skip (no author configured: Trustpilot's default)
    assert fake.reviews[ids[0]]["companyReply"]["text"] == "Second version."
    assert await c.find_own_reply(question, "First version.", "k1") is None
    found = await c.find_own_reply(question, "Second version.", "k2")
    assert found is not None and found.remote_id == ids[0]


async def test_after_an_unknown_outcome_find_own_reply_reads_the_review():
    fake, ids = business_unit()
    c, rec = build(fake, author_business_user_id=BUSINESS_USER)
    question = asked(await c.fetch(None), ids[1])

    def applied_then_lost(request):
        if request.method == "POST" and request.url.path.endswith("/reply"):
            answer = fake.handler(seen_of(request))
            assert answer.status == 201
            raise httpx.ReadError("connection reset")
        return None

    rec.hook = applied_then_lost
    with pytest.raises(ConnectorError):
        await c.send_reply(question, "We fixed the size guide, thanks!", "k")
    assert len(fake.replies) == 1
    rec.hook = None
    found = await c.find_own_reply(question, "We fixed the size guide,   thanks!", "k")
    assert found is not None and found.remote_id == ids[1]
    assert await c.find_own_reply(question, "Something else", "k") is None
    assert await c.find_own_reply(asked(await c.fetch(None), ids[0]), "x", "k") is None


async def test_a_refused_reply_post_is_sent_once_more_with_a_new_token():
    fake, ids = business_unit()
    c, _ = build(fake)
    question = asked(await c.fetch(None), ids[0])
    fake.revoked.update(fake.tokens)
    await c.send_reply(question, "Thanks!", "k")
    assert len(fake.replies) == 1
    assert fake.grants == ["password", "refresh_token"]


# ----------------------------------------------------------------------------- tokens
async def test_a_refused_token_is_refreshed_once_with_the_refresh_token():
    fake, _ = business_unit()
    c, rec = build(fake)
    await c.fetch(None)
    fake.revoked.update(fake.tokens)
    rec.clear()
    await c.fetch(None)
    (refresh,) = [r for r in rec.requests if r.url.path.startswith(OAUTH)]
    assert refresh.url.path == f"{OAUTH}/refresh"
    assert parse_qs(refresh.content.decode()) == {
        "grant_type": ["refresh_token"], "refresh_token": ["tp-refresh-1-9e07"]
    }  # fmt: skip
    assert refresh.headers["authorization"].startswith("Basic ")
    assert rec.requests[-1].headers["authorization"] == "Bearer tp-access-2-c41d"


async def test_an_expired_token_is_renewed_before_use_without_a_refusal():
    fake, _ = business_unit()
    c, rec = build(fake)
    await c.fetch(None)
    tokens = await c.tokens()
    tokens.clock = lambda: time.monotonic() + 360_000  # past the 100 hours of expires_in
    rec.clear()
    await c.fetch(None)
    assert rec.paths()[0] == f"{OAUTH}/refresh"
    assert all(r.headers["authorization"] == "Bearer tp-access-2-c41d" for r in rec.requests[1:])


async def test_a_refused_refresh_token_falls_back_to_the_password():
    fake, _ = business_unit()
    c, _ = build(fake)
    await c.fetch(None)
    fake.revoked.update(fake.tokens)
    fake.refresh_tokens.clear()  # the refresh token expired too
    await c.fetch(None)
    assert fake.grants == ["password", "refresh_token", "password"]


async def test_a_wrong_password_is_a_one_line_auth_error_without_secrets(monkeypatch):
    fake, _ = business_unit()
    fake.password = "another-password"
    c, _ = build(fake)
    with pytest.raises(AuthError) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert "\n" not in text
    assert "refused the sign-in (HTTP 401: " in text
    assert "`cxdaily login reviews --field api_key`" in text and "`--field password`" in text
    assert_no_secret(text, USERNAME)


async def test_401_and_403_from_the_api_are_one_line_auth_errors():
    fake, _ = business_unit()
    c, rec = build(fake)
    await c.fetch(None)  # a token in the cache: a refusal renews it once

    def refuse(status):
        def hook(request):
            if request.url.path == REVIEWS_PATH:
                body = {"message": f"denied {PASSWORD} {API_KEY}"}  # a service echoing secrets
                return httpx.Response(status, json=body)
            return None

        return hook

    rec.hook = refuse(401)
    with pytest.raises(AuthError) as unauthorized:
        await c.fetch(None)
    assert "refused the credentials (HTTP 401)" in str(unauthorized.value)
    assert "api_key, api_secret, username and password" in str(unauthorized.value)
    assert fake.grants == ["password", "refresh_token"]  # renewed once, then given up
    rec.hook = refuse(403)
    with pytest.raises(AuthError) as forbidden:
        await c.fetch(None)
    assert "denied access (HTTP 403)" in str(forbidden.value)
    for error in (unauthorized.value, forbidden.value):
        assert "\n" not in str(error)
        assert_no_secret(str(error), repr(error.args))


async def test_a_rate_limit_is_waited_out_as_asked(fake_sleep):
    fake, _ = business_unit()
    c, rec = build(fake, sleep=fake_sleep)
    await (await c.tokens()).access_token()  # the token first: then the list is throttled
    fake.throttle = 1
    fake.retry_after = "11"
    result = await c.fetch(None)
    assert fake_sleep.calls == [11.0]
    assert rec.paths() == [f"{OAUTH}/accesstoken", REVIEWS_PATH, REVIEWS_PATH]
    assert len(result.questions) == 3


async def test_a_throttled_token_endpoint_is_waited_out_too(fake_sleep):
    fake, _ = business_unit()
    c, _ = build(fake, sleep=fake_sleep)
    fake.throttle = 1
    await c.fetch(None)
    assert fake_sleep.calls == [7.0]
    assert fake.grants == ["password"]


async def test_a_throttled_reply_is_not_repeated(fake_sleep):
    fake, ids = business_unit()
    c, _ = build(fake, sleep=fake_sleep)
    question = asked(await c.fetch(None), ids[0])
    fake.throttle = 1
    with pytest.raises(ConnectorError, match="rate-limited"):
        await c.send_reply(question, "Thanks", "k")
    assert fake.replies == [] and fake_sleep.calls == []


# ----------------------------------------------------------------------------- bad data
async def test_a_malformed_page_is_a_one_line_bad_response():
    fake, _ = business_unit()
    c, rec = build(fake)
    rec.hook = lambda r: (
        httpx.Response(200, json={"reviews": "nope"}) if r.url.path == REVIEWS_PATH else None
    )
    with pytest.raises(BadResponseError, match="answered without a list of reviews"):
        await c.fetch(None)
    rec.hook = lambda r: (
        httpx.Response(200, text="<html>oops</html>") if r.url.path == REVIEWS_PATH else None
    )
    with pytest.raises(BadResponseError) as caught:
        await c.fetch(None)
    assert "\n" not in str(caught.value)


async def test_one_malformed_review_is_skipped_with_a_warning():
    fake, ids = business_unit()
    fake.reviews[ids[1]]["createdAt"] = "last tuesday"
    fake.reviews[ids[2]]["id"] = {"no": "id"}
    c, _ = build(fake)
    result = await c.fetch(None)
    assert [q.native_id for q in result.questions] == [ids[0]]
    assert len(result.warnings) == 2
    assert any(w.startswith(f"review {ids[1]} skipped: createdAt") for w in result.warnings)
    assert any("on its page skipped: id must be" in w for w in result.warnings)


async def test_optional_fields_may_be_missing_or_null():
    fake, ids = business_unit()
    review = fake.reviews[ids[0]]
    for key in ("title", "stars", "language", "status", "isVerified", "numberOfLikes", "links"):
        review[key] = None
    review["consumer"] = None
    fake.reviews[ids[1]]["text"] = None  # no text: not a question
    c, _ = build(fake)
    result = await c.fetch(None)
    q = asked(result, ids[0])
    assert (q.title, q.author.name, q.author.id) == (None, None, None)
    assert q.meta == {"service": "trustpilot", "review_id": ids[0]}
    assert ids[1] not in [x.native_id for x in result.questions]


async def test_hostile_content_arrives_clean():
    fake, ids = business_unit()
    review = fake.reviews[ids[0]]
    review["text"] = "[@click=app.quit]x[/] \x1b]52;c;ZXZpbA==\x07ok \u202eevil\u200b \ud800 end"
    review["title"] = "\x1b[2J" + "T" * 5000
    review["consumer"]["displayName"] = "\u202eMallory\x1b[31m\n" + "M" * 10_000
    review["language"] = "\x9b2J" * 30
    c, _ = build(fake)
    q = asked(await c.fetch(None), ids[0])
    for text in (q.body, q.title, q.author.name):
        assert not any(ch in text for ch in "\x1b\x9b\x07\u202e\ud800")
    assert q.body.startswith("[@click=app.quit]x[/] ok evil")  # kept as text, shown safely
    assert "\ufffd" in q.body
    assert len(q.title) <= 500 and len(q.author.name) <= 200
    assert "\n" not in q.author.name and q.author.name.startswith("Mallory")
    assert "language" not in q.meta  # too long to be a language code
    json.dumps(q.to_dict()).encode("utf-8")  # storable


# ----------------------------------------------------------------------------- check and hosts
async def test_check_names_the_business_unit():
    fake, _ = business_unit()
    c, rec = build(fake)
    said = await c.check()
    unit = "business unit Acme Shop (acme.example)"
    assert said == f"signed in on api.trustpilot.com: {unit}, reviews readable"
    (public,) = [r for r in rec.requests if r.url.path == f"/v1/business-units/{BUSINESS_UNIT}"]
    assert public.headers["apikey"] == API_KEY
    assert "authorization" not in public.headers
    assert rec.lists() == [{"perPage": "1"}]
    assert_no_secret(said)


async def test_credentials_go_to_no_other_host():
    fake, _ = business_unit()
    c, rec = build(fake)
    grant = PasswordGrant(
        c.http, f"https://api.trustpilot.com{OAUTH}/accesstoken",
        credentials=secret_pair(c, "api_key", "api_secret"), basic_auth=True,
        form={"username": USERNAME, "password": PASSWORD}, refresh_url="https://evil.test/r",
    )  # fmt: skip
    await grant.access_token()
    REFRESH_TOKENS.put(grant._key or "", "tp-refresh-1-9e07", time.monotonic() + 100)
    grant.invalidate()
    with pytest.raises(ConnectorError, match="refusing to send the API key and secret"):
        await grant.access_token()
    assert all(r.url.host == "api.trustpilot.com" for r in rec.requests)
    stranger = TrustpilotConnector(
        ChannelSettings(name="reviews", kind="trustpilot",
                        options={"business_unit_id": BUSINESS_UNIT,
                                 "web_url": "https://elsewhere.test"}),
        client=make_client(transport=mock_transport(fake, rec)), secrets=secret_reader("reviews"),
    )  # fmt: skip
    assert "https://elsewhere.test" not in stranger.credential_urls
    assert not stranger.http.may_send_credentials("https://elsewhere.test/reviews/1")


async def test_the_secrets_never_reach_a_question_or_warning():
    fake, ids = business_unit()
    fake.reviews[ids[1]]["createdAt"] = f"{PASSWORD}"  # a bad value quoting a secret
    c, _ = build(fake)
    result = await c.fetch(None)
    assert result.warnings
    assert_no_secret(*result.warnings, *(json.dumps(q.to_dict()) for q in result.questions))


def test_reply_length_counts_characters():
    c = TrustpilotConnector(
        ChannelSettings(name="r", kind="trustpilot", options={"business_unit_id": "abc"})
    )
    assert c.reply_length("héllo 👋") == 7
    assert c.reply_limit(None) is None  # type: ignore[arg-type]


async def test_find_own_reply_with_no_company_reply_time_uses_now():
    fake, ids = business_unit()
    c, _ = build(fake)
    question = asked(await c.fetch(None), ids[0])
    fake.reviews[ids[0]]["companyReply"] = {"text": "Thanks!"}  # no times, no author
    found = await c.find_own_reply(question, "Thanks!", "k")
    assert found is not None and found.remote_id == ids[0]
    answers = await c.answers_since(question, NOW - timedelta(hours=1))
    assert [a.body for a in answers] == ["Thanks!"]
