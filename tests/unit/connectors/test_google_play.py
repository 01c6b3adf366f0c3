"""The google_play channel against a fake of the Google Play Developer API's reviews and
Google's token endpoint (served through ``httpx.MockTransport``): the service account's
signed assertion, pages, the checkpoint, settled reviews and follow-ups, the one reply
per review (an upsert), quotas, hostile payloads and the secret."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from cxdaily.connectors import connector_class, google_play
from cxdaily.connectors.google_play import GooglePlayConnector
from cxdaily.connectors.google_play_parse import parse_review, timestamp
from cxdaily.connectors.http import BadResponseError, ChannelHttp, make_client
from cxdaily.connectors.oauth import PROCESS_TOKENS
from cxdaily.connectors.parsing import QuestionShapeError
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError, CredentialError, RateLimited
from cxdaily.core.safe_text import clean
from cxdaily.credentials import secret_reader
from cxdaily.replies.checks import length_problem
from cxdaily.replies.outbox import may_have_reached_service
from cxdaily.settings import ChannelSettings
from tests.integration.google_play_fake_kit import (
    CLIENT_EMAIL,
    KEY_BODY,
    KEY_ID,
    PACKAGE,
    GooglePlayFake,
    google_error,
    key_json,
    mock_transport,
    private_pem,
    seen_of,
    stamp,
)
from tests.unit.connectors.recorder_kit import Recorder as RecorderBase

API = "/androidpublisher/v3"
REVIEWS = f"{API}/applications/{PACKAGE}/reviews"
SECRETS = (KEY_BODY, "ya29.play-access")


@pytest.fixture(autouse=True)
def _secret(monkeypatch):
    """Each test starts without cached tokens, with the service account's key in the env."""
    PROCESS_TOKENS.clear()
    monkeypatch.setenv("CXDAILY_SECRET_PLAY", key_json())
    yield
    PROCESS_TOKENS.clear()


class Recorder(RecorderBase):
    """Every request the connector sent, and a hook answering some of them first."""

    def to(self, ending: str, method: str = "GET") -> list[httpx.Request]:
        """The requests whose raw path ends with ``ending``."""
        return [
            r
            for r in self.requests
            if r.method == method and r.url.raw_path.decode().split("?")[0].endswith(ending)
        ]

    def lists(self) -> list[httpx.Request]:
        return self.to("/reviews")


def build(
    fake: GooglePlayFake, sleep=None, now=None, **options
) -> tuple[GooglePlayConnector, Recorder]:
    """The connector over ``fake``, every request recorded, sleeps recorded by ``sleep``."""
    recorder = Recorder()
    settings = ChannelSettings(
        name="play", kind="google_play", options={"package_name": fake.package, **options}
    )
    client = make_client(transport=mock_transport(fake, recorder))
    connector = GooglePlayConnector(settings, client=client, secrets=secret_reader("play"), now=now)
    if sleep is not None:
        connector.http = ChannelHttp(client, channel="play", sleep=sleep, rand=lambda: 0)
    return connector, recorder


def app_with_reviews(page_size: int = 2) -> tuple[GooglePlayFake, dict[str, str]]:
    """Four reviews: three questions (one with a title) and one the developer answered."""
    fake = GooglePlayFake(page_size=page_size)
    reviews = {
        "ana": fake.review("ana", "Sync stopped working after the update", stars=2),
        "answered": fake.review("cy", "Where are my archived notes?", stars=3),
        "ben": fake.review("ben", "Love it\tBut please add a dark mode", stars=5),
        "cy": fake.review("cy", "Crashes when I attach a photo", stars=1),
    }
    fake.answer(reviews["answered"], "Under Menu > Archive.")
    return fake, reviews


def asked(result, review: str):
    (question,) = [q for q in result.questions if q.thread_id == review]
    return question


def assert_no_secret(*texts: object) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in str(text), text


# ----------------------------------------------------------------------------- options
def test_registered_as_a_builtin_kind_with_its_limits():
    assert connector_class("google_play") is GooglePlayConnector
    caps = GooglePlayConnector.capabilities
    assert (caps.max_reply_length, caps.public, caps.one_reply) == (350, True, True)
    assert caps.finds_own_replies and not caps.idempotency_keys
    assert GooglePlayConnector.secret_fields == ("",)


def test_package_name_is_required_and_one_package():
    with pytest.raises(ConfigError, match=r"^\[channels\.play\] needs package_name = "):
        GooglePlayConnector(ChannelSettings(name="play", kind="google_play"))
    for bad in ("notes", "com.acme/../x", "com..acme", "com.acme notes", "1com.acme"):
        with pytest.raises(ConfigError, match="package_name must be an app's package name"):
            GooglePlayConnector(
                ChannelSettings(name="play", kind="google_play", options={"package_name": bad})
            )


def test_the_urls_default_to_google_and_may_each_be_moved():
    plain = GooglePlayConnector(
        ChannelSettings(name="play", kind="google_play", options={"package_name": PACKAGE})
    )
    assert plain.base_url == "https://androidpublisher.googleapis.com/androidpublisher/v3"
    assert plain.token_url == "https://oauth2.googleapis.com/token"
    assert plain.credential_urls == [plain.base_url, plain.token_url]


async def test_base_url_and_token_url_change_every_address(fake_sleep):
    fake, reviews = app_with_reviews()
    c, rec = build(
        fake, fake_sleep, base_url="https://play.test/api/v3", token_url="https://auth.test/o/token"
    )
    question = asked(await c.fetch(None), reviews["ana"])
    await c.send_reply(question, "Fixed in 4.12.1.", "k")
    await c.answers_since(question, question.created_at)
    await c.find_own_reply(question, "Fixed in 4.12.1.", "k")
    await c.check()
    assert {r.url.host for r in rec.requests} == {"play.test", "auth.test"}
    assert {r.url.path for r in rec.requests if r.url.host == "auth.test"} == {"/o/token"}
    assert all(
        r.url.path.startswith("/api/v3/applications/")
        for r in rec.requests
        if r.url.host == "play.test"
    )
    assert fake.assertions[0]["claims"]["aud"] == "https://auth.test/o/token"


async def test_credentials_go_only_to_their_own_host(fake_sleep):
    fake, _ = app_with_reviews()
    c, rec = build(fake, fake_sleep)
    await c.fetch(None)
    (token_request,) = rec.to("/token", "POST")
    assert "authorization" not in token_request.headers
    for request in rec.requests:
        if request is not token_request:
            assert request.headers["authorization"] == "Bearer ya29.play-access-1"
            assert request.content == b"" and "assertion" not in str(request.url)


async def test_a_url_elsewhere_never_gets_the_token(fake_sleep):
    fake, _ = app_with_reviews()
    c, rec = build(fake, fake_sleep)
    await c.check()
    foreign = "https://elsewhere.test/androidpublisher/v3/applications/x/reviews"
    await c.http.request(
        "GET",
        foreign,
        headers={"Authorization": "Bearer ya29.play-access-1"},
        allow_statuses={401, 404},
    )
    assert rec.requests[-1].url.host == "elsewhere.test"
    assert "authorization" not in rec.requests[-1].headers


# ----------------------------------------------------------------------------- token
async def test_the_assertion_is_an_rs256_jwt_for_one_hour(fake_sleep):
    fake, _ = app_with_reviews()
    c, rec = build(fake, fake_sleep)
    await c.check()
    (token_request,) = rec.to("/token", "POST")
    form = parse_qs(token_request.content.decode())
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    (assertion,) = form["assertion"]
    header = jwt.get_unverified_header(assertion)
    assert (header["alg"], header["kid"]) == ("RS256", KEY_ID)
    claims = jwt.decode(assertion, options={"verify_signature": False})
    assert claims["iss"] == CLIENT_EMAIL
    assert claims["scope"] == "https://www.googleapis.com/auth/androidpublisher"
    assert claims["aud"] == "https://oauth2.googleapis.com/token"
    assert claims["exp"] - claims["iat"] == 3600
    assert abs(claims["iat"] - datetime.now(UTC).timestamp()) < 60


async def test_the_token_is_kept_until_shortly_before_it_expires(fake_sleep):
    fake, _ = app_with_reviews()
    c, rec = build(fake, fake_sleep)
    first = await c.fetch(None)
    again, _ = build(fake, fake_sleep)  # a new connector in the same process
    await again.fetch(first.checkpoint)
    assert len(rec.to("/token", "POST")) == 1 and len(fake.tokens) == 1


async def test_an_expired_token_is_renewed_once(fake_sleep):
    fake, _ = app_with_reviews(page_size=100)
    c, rec = build(fake, fake_sleep)
    first = await c.fetch(None)
    fake.revoked.add(fake.tokens[0])  # expired on Google's side
    fake.review("ana", "One more thing")
    second = await c.fetch(first.checkpoint)
    assert len(second.questions) == 1 and len(rec.to("/token", "POST")) == 2
    assert rec.requests[-1].headers["authorization"] == "Bearer ya29.play-access-2"


async def test_a_key_google_does_not_know_is_one_line_naming_the_secret(fake_sleep, monkeypatch):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    monkeypatch.setenv("CXDAILY_SECRET_PLAY", key_json(private_key=private_pem(other)))
    fake, _ = app_with_reviews()
    c, _ = build(fake, fake_sleep)
    with pytest.raises(AuthError) as caught:
        await c.check()
    text = str(caught.value)
    assert "refused the service account (HTTP 400: Invalid JWT Signature.)" in text
    assert "jq -c . key.json | cxdaily login play" in text and "\n" not in text
    assert "PRIVATE KEY" not in text and private_pem(other).splitlines()[5] not in text


@pytest.mark.parametrize(
    ("secret", "said"),
    [
        ("not json at all", "the secret is not a JSON key"),
        ('["a list"]', "the secret is not a JSON key"),
        ("{" * 100_000, "the secret is not a JSON key"),
        (key_json(private_key=None), "the JSON key has no private_key"),
        (
            key_json(client_email="", private_key_id=None),
            "the JSON key has no client_email, private_key_id",
        ),
        (
            key_json(
                type="authorized_user", client_email=None, private_key=None, private_key_id=None
            ),
            "(its type is 'authorized_user')",
        ),
    ],
)
async def test_a_secret_that_is_no_service_account_key_is_one_line(
    fake_sleep, monkeypatch, secret, said
):
    monkeypatch.setenv("CXDAILY_SECRET_PLAY", secret)
    fake, _ = app_with_reviews()
    c, rec = build(fake, fake_sleep)
    with pytest.raises(CredentialError) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert said in text and "\n" not in text and len(text) < 400
    assert "jq -c . key.json | cxdaily login play" in text
    assert_no_secret(text)
    assert rec.requests == []


async def test_a_private_key_that_cannot_sign_is_one_line(fake_sleep, monkeypatch):
    broken = private_pem().replace(KEY_BODY, "A" * len(KEY_BODY))
    monkeypatch.setenv("CXDAILY_SECRET_PLAY", key_json(private_key=broken))
    fake, _ = app_with_reviews()
    c, rec = build(fake, fake_sleep)
    with pytest.raises(
        CredentialError, match="private_key of the service account's JSON key cannot sign"
    ) as caught:
        await c.fetch(None)
    assert "\n" not in str(caught.value) and "AAAAAAAA" not in str(caught.value)
    assert rec.requests == []


# ----------------------------------------------------------------------------- fetch
async def test_a_first_fetch_reads_every_page_and_settles_the_answered(fake_sleep):
    fake, reviews = app_with_reviews(page_size=2)
    c, rec = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert sorted(q.thread_id for q in result.questions) == sorted(
        [reviews["ana"], reviews["ben"], reviews["cy"]]
    )
    pages = rec.lists()
    assert [dict(r.url.params) for r in pages] == [
        {"maxResults": "100"},
        {"maxResults": "100", "token": "Cg0x2"},
    ]
    ana = asked(result, reviews["ana"])
    assert ana.native_id == ana.thread_id == reviews["ana"]
    assert ana.id == f"play:{reviews['ana']}" and ana.kind == "google_play"
    assert (ana.author.id, ana.author.name, ana.author.handle) == (None, "Ana Lima", None)
    assert ana.body == "Sync stopped working after the update" and ana.title is None
    assert ana.url is None and ana.context == ()
    assert ana.created_at.isoformat().startswith("2026-12-04T08:01:00.25")
    assert ana.meta == {
        "service": "google_play",
        "package_name": PACKAGE,
        "review_id": reviews["ana"],
        "rating": 2,
        "reviewer_language": "en",
        "device": "a52q",
        "app_version_name": "4.12.0",
        "app_version_code": 4120,
        "android_os_version": 34,
        "thumbs_up": 2,
        "thumbs_down": 0,
        "device_name": "a52q (Galaxy A52 5G)",
        "manufacturer": "Samsung",
    }
    ben = asked(result, reviews["ben"])
    assert (ben.title, ben.body, ben.meta["rating"]) == (
        "Love it",
        "But please add a dark mode",
        5,
    )
    settled = {q.native_id: q for q in result.settled}
    answered = reviews["answered"]
    assert set(settled) == {answered, f"{answered}@{int(settled[answered].created_at.timestamp())}"}
    assert all(q.meta["team_answered"] is True for q in result.settled)
    assert [m.body for m in settled[answered].context] == ["Under Menu > Archive."]
    assert result.warnings == [] and c.fetch_notes() == []
    assert result.checkpoint == {"since": "2026-12-04T08:04:01Z"}


async def test_a_second_fetch_asks_only_for_what_is_new(fake_sleep):
    fake, _ = app_with_reviews(page_size=2)
    c, rec = build(fake, fake_sleep)
    first = await c.fetch(None)
    assert first.checkpoint == {"since": "2026-12-04T08:04:01Z"}
    rec.clear()
    fresh = fake.review("ben", "Can I export to PDF?")
    second = await c.fetch(first.checkpoint)
    assert second.checkpoint == {"since": "2026-12-04T08:06:01.500000Z"}  # to the microsecond
    (page,) = rec.lists()
    assert dict(page.url.params) == {"maxResults": "100"}  # no token: the newest page only
    assert [q.native_id for q in second.questions] == [fresh]
    assert rec.to("/token", "POST") == []  # the token was kept
    third = await c.fetch(second.checkpoint)
    assert third.questions == [] and third.checkpoint == second.checkpoint


async def test_an_empty_app_has_no_questions_and_keeps_its_checkpoint(fake_sleep):
    fake = GooglePlayFake()
    c, rec = build(fake, fake_sleep)
    first = await c.fetch(None)
    assert first.questions == [] and first.checkpoint == {"since": None}
    kept = await c.fetch({"since": "2026-12-01T00:00:00Z"})
    assert kept.questions == [] and kept.checkpoint == {"since": "2026-12-01T00:00:00Z"}
    assert len(rec.lists()) == 2


async def test_a_fetch_at_its_page_cap_goes_on_from_there_next_time(fake_sleep, monkeypatch):
    monkeypatch.setattr(google_play, "MAX_PAGES", 1)
    fake, reviews = app_with_reviews(page_size=2)
    c, rec = build(fake, fake_sleep)
    first = await c.fetch(None)
    assert {q.thread_id for q in first.questions} == {reviews["cy"], reviews["ben"]}
    assert first.checkpoint["page_token"] == "Cg0x2" and first.checkpoint["since"] is None
    assert "stopped after 1 pages" in c.fetch_notes()[0]
    rec.clear()
    second = await c.fetch(first.checkpoint)
    assert [r.url.params.get("token") for r in rec.lists()] == ["Cg0x2"]
    assert [q.thread_id for q in second.questions] == [reviews["ana"]]
    assert second.checkpoint == {"since": first.checkpoint["newest"]}


async def test_a_refused_stored_page_token_starts_from_the_newest(fake_sleep):
    fake, _ = app_with_reviews(page_size=100)
    c, rec = build(fake, fake_sleep)

    def refuse(request):
        if request.url.params.get("token") == "stale":
            return httpx.Response(400, json=google_error(400, "Invalid page token.", "badRequest"))
        return None

    rec.hook = refuse
    result = await c.fetch({"since": None, "newest": "2026-12-04T08:00:00Z", "page_token": "stale"})
    assert len(result.questions) == 3 and "page token was refused" in c.fetch_notes()[0]


async def test_a_reply_in_the_console_settles_the_review(fake_sleep):
    fake, reviews = app_with_reviews(page_size=100)
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    cy = asked(first, reviews["cy"])
    fake.answer(reviews["cy"], "Fixed in 4.12.1, sorry!")  # from Play Console
    answers = await c.answers_since(cy, cy.created_at)
    assert [(m.author.id, m.body) for m in answers] == [(PACKAGE, "Fixed in 4.12.1, sorry!")]
    assert await c.answers_since(cy, fake.now) == []
    second = await c.fetch(first.checkpoint)
    assert second.questions == []
    assert reviews["cy"] in {q.native_id for q in second.settled}  # older, but settled anyway


async def test_a_review_changed_after_the_reply_is_a_follow_up(fake_sleep):
    fake, reviews = app_with_reviews(page_size=100)
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    fake.edit(reviews["answered"], "Found them, but they load slowly")
    second = await c.fetch(first.checkpoint)
    (question,) = second.questions
    assert question.thread_id == reviews["answered"]
    assert question.native_id == f"{reviews['answered']}@{int(question.created_at.timestamp())}"
    assert question.body == "Found them, but they load slowly"
    assert [(m.author.id, m.body) for m in question.context] == [(PACKAGE, "Under Menu > Archive.")]
    fake.answer(reviews["answered"], "Try 4.12.1")
    third = await c.fetch(second.checkpoint)
    assert question.native_id in {q.native_id for q in third.settled}


# ----------------------------------------------------------------------------- replies
async def test_a_reply_sets_the_developer_comment_and_returns_the_review_id(fake_sleep):
    fake, reviews = app_with_reviews(page_size=100)
    c, rec = build(fake, fake_sleep)
    question = asked(await c.fetch(None), reviews["ana"])
    sent = await c.send_reply(question, "Fixed in 4.12.1, please update.", "key-1")
    (post,) = rec.to(":reply", "POST")
    quoted = reviews["ana"].replace(":", "%3A")
    assert post.url.raw_path.decode() == f"{REVIEWS}/{quoted}:reply"
    assert post.headers["authorization"] == "Bearer ya29.play-access-1"
    assert json.loads(post.content) == {"replyText": "Fixed in 4.12.1, please update."}
    assert fake.posted == [(reviews["ana"], {"replyText": "Fixed in 4.12.1, please update."})]
    assert (sent.remote_id, sent.url) == (reviews["ana"], None)


async def test_a_second_reply_replaces_the_first(fake_sleep):
    fake, reviews = app_with_reviews(page_size=100)
    c, rec = build(fake, fake_sleep)
    question = asked(await c.fetch(None), reviews["ana"])
    await c.send_reply(question, "Looking into it.", "key-1")
    again = await c.send_reply(question, "Fixed in 4.12.1.", "key-2")
    assert again.remote_id == reviews["ana"] and len(rec.to(":reply", "POST")) == 2
    assert fake.reply_text(reviews["ana"]) == "Fixed in 4.12.1."
    comments = fake.reviews[reviews["ana"]]["comments"]
    assert sum("developerComment" in c for c in comments) == 1


async def test_a_reply_over_350_characters_is_refused_counted_as_utf16(fake_sleep):
    fake, _ = app_with_reviews(page_size=100)
    c, _ = build(fake, fake_sleep)
    limit = c.capabilities.max_reply_length
    assert length_problem(c.reply_length("é" * 350), limit, "play") is None
    assert c.reply_length("👍" * 175) == 350 and c.reply_length("👍" * 176) == 352
    problem = length_problem(c.reply_length("👍" * 176), limit, "play")
    assert problem == "the reply is 352 characters; play accepts at most 350 (2 over)"


async def test_an_unknown_outcome_is_resolved_by_reading_the_review(fake_sleep):
    fake, reviews = app_with_reviews(page_size=100)
    c, rec = build(fake, fake_sleep)
    question = asked(await c.fetch(None), reviews["cy"])
    text = "Sorry! Fixed in 4.12.1."

    def applied_then_cut(request):
        if request.method == "POST" and request.url.raw_path.decode().endswith(":reply"):
            fake.handler(seen_of(request))  # the service applies it, the answer is lost
            raise httpx.ReadError("connection reset", request=request)
        return None

    rec.hook = applied_then_cut
    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(question, text, "key-2")
    assert may_have_reached_service(caught.value) and len(rec.to(":reply", "POST")) == 1
    rec.hook = None
    found = await c.find_own_reply(question, text, "key-2")
    assert found is not None and found.remote_id == reviews["cy"]
    assert await c.find_own_reply(question, "Something else entirely", "key-3") is None
    get = rec.to(reviews["cy"].replace(":", "%3A"))[0]
    assert get.url.path == f"{REVIEWS}/{reviews['cy']}"
    assert len(fake.posted) == 1


async def test_an_unknown_review_is_a_one_line_error(fake_sleep):
    fake, reviews = app_with_reviews(page_size=100)
    c, _ = build(fake, fake_sleep)
    question = asked(await c.fetch(None), reviews["cy"])
    del fake.reviews[reviews["cy"]]
    with pytest.raises(ConnectorError, match="not found") as caught:
        await c.send_reply(question, "Hello", "k")
    assert "\n" not in str(caught.value) and not may_have_reached_service(caught.value)


# ----------------------------------------------------------------------------- quota
async def test_a_brief_rate_limit_is_waited_out_on_reads(fake_sleep):
    fake, _ = app_with_reviews(page_size=100)
    fake.throttle = 2
    c, rec = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert len(result.questions) == 3
    assert fake_sleep.calls == [0.5, 1.0]  # Google gives no header: backing off
    assert len(rec.lists()) == 3


async def test_a_retry_after_is_honoured(fake_sleep):
    fake, _ = app_with_reviews(page_size=100)
    c, rec = build(fake, fake_sleep)
    answers = iter(
        [
            httpx.Response(
                429,
                headers={"Retry-After": "7"},
                json=google_error(429, "Slow down", None, "RESOURCE_EXHAUSTED"),
            )
        ]
    )
    rec.hook = lambda r: next(answers, None) if r.url.path.endswith("/reviews") else None
    result = await c.fetch(None)
    assert len(result.questions) == 3 and fake_sleep.calls == [7.0]


async def test_a_403_that_says_quota_without_a_reason_is_a_throttle(fake_sleep):
    fake, _ = app_with_reviews(page_size=100)
    c, rec = build(fake, fake_sleep)
    answers = iter(
        [
            httpx.Response(
                403, json={"error": {"code": 403, "message": "Quota exceeded for this minute."}}
            )
        ]
    )
    rec.hook = lambda r: next(answers, None) if r.url.path.endswith("/reviews") else None
    result = await c.fetch(None)
    assert len(result.questions) == 3 and fake_sleep.calls == [0.5] and len(rec.lists()) == 2


async def test_a_rate_limited_reply_is_not_repeated(fake_sleep):
    fake, reviews = app_with_reviews(page_size=100)
    c, rec = build(fake, fake_sleep)
    question = asked(await c.fetch(None), reviews["ana"])
    fake.throttle = 1
    with pytest.raises(RateLimited, match=r"rate-limited by Google Play \(HTTP 429\)") as caught:
        await c.send_reply(question, "Hello", "k")
    assert len(rec.to(":reply", "POST")) == 1 and fake.posted == [] and fake_sleep.calls == []
    assert caught.value.retry_after == 60 and not may_have_reached_service(caught.value)


async def test_the_daily_quota_is_a_one_line_error_until_midnight_pacific(fake_sleep):
    fake, _ = app_with_reviews()
    fake.quota_used_up = True
    now = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)  # 12:00 in California
    c, rec = build(fake, fake_sleep, now=lambda: now)
    with pytest.raises(RateLimited) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert "daily API quota is used up (HTTP 403 dailylimitexceeded)" in text
    assert "midnight Pacific time, in 12 h" in text and "\n" not in text
    assert caught.value.retry_after == 12 * 3600
    assert len(rec.lists()) == 1 and fake_sleep.calls == []  # not retried


async def test_a_used_up_quota_waits_an_hour(fake_sleep):
    fake, _ = app_with_reviews()
    c, rec = build(fake, fake_sleep)
    refusal = httpx.Response(403, json=google_error(403, "Quota exceeded.", "quotaExceeded"))
    rec.hook = lambda r: refusal if r.url.path.endswith("/reviews") else None
    with pytest.raises(RateLimited, match="API quota is used up") as caught:
        await c.fetch(None)
    assert caught.value.retry_after == 3600 and len(rec.lists()) == 1


# ----------------------------------------------------------------------------- auth
@pytest.mark.parametrize(("status", "said"), [(401, "refused the credentials"), (403, "denied")])
async def test_401_and_403_are_one_line_auth_errors_without_the_secret(fake_sleep, status, said):
    fake, _ = app_with_reviews()
    c, rec = build(fake, fake_sleep)
    echo = google_error(
        status,
        f"bad {KEY_BODY} Bearer ya29.play-access-1",
        "permissionDenied" if status == 403 else None,
    )
    await c.check()  # a token is cached now
    rec.clear()
    rec.hook = lambda r: (
        None if r.url.path.endswith("/token") else httpx.Response(status, json=echo)
    )
    with pytest.raises(AuthError) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert said in text and "JSON key" in text and "\n" not in text
    assert_no_secret(text)
    assert len(rec.lists()) == 2  # once more with a fresh token, then no more


async def test_check_lists_one_review(fake_sleep):
    fake, _ = app_with_reviews()
    c, rec = build(fake, fake_sleep)
    assert await c.check() == f"package {PACKAGE} readable"
    (read,) = rec.lists()
    assert dict(read.url.params) == {"maxResults": "1"}


async def test_check_of_an_unknown_package_names_the_option(fake_sleep):
    fake, _ = app_with_reviews()
    c, _ = build(fake, fake_sleep, package_name="com.acme.other")
    with pytest.raises(ConnectorError, match=r"check the package_name option \(com.acme.other\)"):
        await c.check()


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "page", [[{"reviewId": "x"}], {"reviews": {"reviewId": "x"}}, {"tokenPagination": "x"}]
)
async def test_a_malformed_page_is_a_one_line_error(fake_sleep, page):
    fake, _ = app_with_reviews()
    c, rec = build(fake, fake_sleep)
    rec.hook = lambda r: httpx.Response(200, json=page) if r.url.path.endswith("/reviews") else None
    with pytest.raises(BadResponseError, match="answered, but not with") as caught:
        await c.fetch(None)
    assert "\n" not in str(caught.value)


async def test_one_malformed_review_costs_only_itself(fake_sleep):
    fake, reviews = app_with_reviews(page_size=100)
    fake.reviews[reviews["ben"]]["comments"][0]["userComment"]["lastModified"] = {"seconds": "x"}
    fake.reviews[reviews["cy"]]["comments"] = []
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert [q.thread_id for q in result.questions] == [reviews["ana"]]
    assert sorted(w.split(" skipped: ", 1)[1] for w in result.warnings) == [
        "comments[0].userComment.lastModified.seconds must be whole seconds",
        f"review {reviews['cy']} has no userComment",
    ]


async def test_missing_optional_fields_are_no_failure(fake_sleep):
    fake = GooglePlayFake()
    review = fake.review("ana", "Hello?")
    comment = fake.reviews[review]["comments"][0]["userComment"]
    for key in (
        "starRating",
        "reviewerLanguage",
        "device",
        "androidOsVersion",
        "appVersionCode",
        "appVersionName",
        "thumbsUpCount",
        "thumbsDownCount",
        "deviceMetadata",
    ):
        comment.pop(key)
    comment["lastModified"].pop("nanos")
    fake.reviews[review].pop("authorName")
    c, _ = build(fake, fake_sleep)
    (question,) = (await c.fetch(None)).questions
    assert question.author.name is None and question.body == "Hello?"
    assert question.meta == {"service": "google_play", "package_name": PACKAGE, "review_id": review}


async def test_entries_in_any_order_and_a_bad_rating_are_read_defensively(fake_sleep):
    fake = GooglePlayFake()
    review = fake.review("ana", "Old words", stars=9)
    fake.answer(review, "Thanks!")
    fake.edit(review, "New words")
    fake.reviews[review]["comments"].reverse()  # the reply first
    fake.reviews[review]["comments"].append(
        {"userComment": {"text": "Oldest", "lastModified": {"seconds": 1_700_000_000}}}
    )
    c, _ = build(fake, fake_sleep)
    (question,) = (await c.fetch(None)).questions
    assert question.body == "New words" and "rating" not in question.meta
    assert [m.body for m in question.context] == ["Thanks!"]


async def test_hostile_text_arrives_clean(fake_sleep):
    hostile = "\x1b]52;c;cGF5bG9hZA==\x07\u202eevil\u200b\ud800 [@click=app.quit]x[/]"
    fake = GooglePlayFake()
    review = fake.review("ana", "placeholder")
    fake.reviews[review]["comments"][0]["userComment"]["text"] = (
        f"<b>bold</b> {hostile}<script>alert(1)</script>"
    )
    fake.reviews[review]["authorName"] = "N" * 10_000 + hostile
    fake.reviews[review]["comments"][0]["userComment"]["device"] = "\x1b[2J" + "d" * 5000
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert result.warnings == []
    (question,) = result.questions
    for text in (question.body, question.author.name, question.meta["device"]):
        text.encode("utf-8")  # no lone surrogate is left
        assert "\x1b" not in clean(text) and "\u202e" not in clean(text)
    assert "bold" in question.body and "alert" not in question.body
    assert "evil\u200b\ufffd" in question.body
    assert question.author.name == "N" * 500 and len(question.meta["device"]) == 100
    json.dumps(question.to_dict(), ensure_ascii=False).encode("utf-8")


async def test_the_secret_appears_in_no_error_or_warning(fake_sleep, monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_PLAY", key_json() + "\n")
    fake, _ = app_with_reviews(page_size=100)
    c, rec = build(fake, fake_sleep)
    assertions: list[str] = []

    def echo(request):  # a service that quotes the credentials back
        said = {
            "error": {
                "message": f"{request.headers.get('authorization')} {KEY_BODY} "
                f"{assertions[0] if assertions else ''}"
            }
        }
        return httpx.Response(500, json=said)

    def hook(request):
        if request.url.path.endswith("/token"):
            assertions.append(parse_qs(request.content.decode())["assertion"][0])
            return None
        return echo(request)

    rec.hook = hook
    with pytest.raises(ConnectorError) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert "HTTP 500" in text and assertions and assertions[0] not in text
    assert_no_secret(text)


def test_google_timestamps_are_read_as_text_or_numbers():
    assert timestamp({"seconds": "1764835200", "nanos": 913000000}, "t") == datetime(
        2025, 12, 4, 8, 0, 0, 913000, tzinfo=UTC
    )
    assert timestamp({"seconds": 1764835200}, "t") == datetime(2025, 12, 4, 8, 0, tzinfo=UTC)
    for bad in (
        None,
        {"seconds": "9" * 5000},
        {"seconds": True},
        {"seconds": "1e9"},
        {"seconds": 10**40},
        {},
    ):
        with pytest.raises(QuestionShapeError):
            timestamp(bad, "t")


def test_a_review_title_is_split_from_its_body():
    item = {
        "reviewId": "r1",
        "comments": [
            {
                "userComment": {
                    "text": "Great\tBut slow",
                    "lastModified": stamp(datetime(2026, 1, 1, tzinfo=UTC)),
                }
            }
        ],
    }
    review = parse_review(item)
    assert (review.title, review.body, review.reply) == ("Great", "But slow", None)
