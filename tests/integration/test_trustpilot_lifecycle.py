"""The ``trustpilot`` kind through the whole command line and the app, against a loopback
fake of Trustpilot's business APIs: add, login (the four secret fields into the keyring),
test, fetch, batch, reply (the review's company reply), a second fetch, and a reply sent
from the app."""

from __future__ import annotations

import json
from typing import Any

from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app
from tests.integration.trustpilot_fake_kit import (
    API_KEY,
    API_SECRET,
    BUSINESS_UNIT,
    BUSINESS_USER,
    PASSWORD,
    USERNAME,
    TrustpilotFake,
)

NOW = "2026-12-04T09:00:00Z"
SECRETS = (API_KEY, API_SECRET, PASSWORD, "tp-access-", "tp-refresh-")
REVIEWS_PATH = f"/v1/private/business-units/{BUSINESS_UNIT}/reviews"


def business_unit() -> tuple[TrustpilotFake, list[str]]:
    """Two unanswered reviews with text and one the company answered already."""
    fake = TrustpilotFake()
    late = fake.review("My parcel took two weeks.", stars=1, name="Jane Doe", title="Slow")
    sizes = fake.review("The size guide is wrong.", stars=3, name="Ravi Rao", title="Sizes")
    answered = fake.review("Lovely shop!", stars=5, name="Ana Gil", title="Great")
    fake.company_replies(answered, "Thank you, Ana!")
    return fake, [late, sizes, answered]


def start(tmp_path, loopback, **options) -> tuple[TrustpilotFake, list[str], ChannelHome, Any]:
    """The fake on loopback, and a home with the channel added and logged in."""
    fake, ids = business_unit()
    server = loopback(fake.handler)
    home = ChannelHome(tmp_path, now=NOW)
    home.add(
        "reviews", "trustpilot", base_url=server.url, business_unit_id=BUSINESS_UNIT, **options
    )
    home.login(
        "reviews",
        {"api_key": API_KEY, "api_secret": API_SECRET, "username": USERNAME, "password": PASSWORD},
    )
    return fake, ids, home, server


def run(home: ChannelHome, said: list[str], *args: str) -> str:
    """``cxdaily ARGS``: exit 0, no traceback; stdout and stderr kept in ``said``."""
    done = home.run(*args)
    said.extend((done.stdout, done.stderr))
    assert done.returncode == 0, f"cxdaily {' '.join(args)}: {done.stderr}{done.stdout}"
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def assert_secrets_kept(home: ChannelHome, said: list[str]) -> None:
    stored = home.files_text()
    for secret in SECRETS:
        assert secret not in stored, secret
        assert not any(secret in text for text in said), secret


def review_lists(server) -> list[dict[str, str]]:
    """The query of every review list the server answered."""
    return [
        {k: v[0] for k, v in seen.query.items()}
        for seen in server.requests
        if seen.method == "GET" and seen.path == REVIEWS_PATH
    ]


def test_add_login_test_fetch_batch_reply_and_fetch_again(tmp_path, loopback):
    fake, ids, home, server = start(tmp_path, loopback, author_business_user_id=BUSINESS_USER)
    said: list[str] = []
    checked = run(home, said, "channels", "test", "reviews")
    assert "reviews: ok: signed in on 127.0.0.1: business unit Acme Shop (acme.example)" in checked
    lines = run(home, said, "fetch", "--json").splitlines()
    first = {q["native_id"]: q for q in map(json.loads, lines)}
    assert first[ids[0]]["meta"]["rating"] == 1
    assert first[ids[0]]["url"] == f"https://www.trustpilot.com/reviews/{ids[0]}"
    by_review = {qid.split(":", 1)[1]: qid for qid in home.batch_ids()}
    assert set(by_review) == set(ids[:2])  # not the answered one
    assert review_lists(server)[-1] == {"orderBy": "createdat.desc", "page": "1", "perPage": "100"}

    run(home, said, "reply", by_review[ids[0]], "--text", "Sorry Jane, it is on its way.", "--yes")
    assert fake.replies == [
        (
            ids[0],
            {"message": "Sorry Jane, it is on its way.", "authorBusinessUserId": BUSINESS_USER},
        )
    ]
    assert fake.reviews[ids[0]]["companyReply"]["text"] == "Sorry Jane, it is on its way."
    sent = [r for r in home.outbox() if r["question_id"] == by_review[ids[0]]]
    assert sent and sent[0]["state"] == "sent" and sent[0]["remote_id"] == ids[0]

    server.requests.clear()
    fresh = fake.review("Wrong colour delivered.", stars=2, name="Lu Chen", title="Colour")
    fetched = [json.loads(line) for line in run(home, said, "fetch", "--json").splitlines()]
    assert [q["native_id"] for q in fetched] == [fresh]
    assert review_lists(server) == [{"orderBy": "createdat.desc", "page": "1", "perPage": "100"}]
    assert by_review[ids[0]] not in home.batch_ids()
    assert_secrets_kept(home, said)


async def test_a_reply_sent_from_the_app_reaches_the_review(tmp_path, loopback, monkeypatch):
    fake, ids, home, _ = start(tmp_path, loopback)
    said: list[str] = []
    run(home, said, "fetch")
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we fixed it.")
    assert len(fake.replies) == 1, fake.replies
    review_id, body = fake.replies[0]
    assert question_id == f"reviews:{review_id}" and review_id in ids[:2]
    assert body == {"message": "Thanks, we fixed it."}
    assert fake.reviews[review_id]["companyReply"]["text"] == "Thanks, we fixed it."
    assert_secrets_kept(home, said)


def test_the_next_runs_renew_with_the_stored_refresh_token(tmp_path, loopback):
    fake, _, home, _ = start(tmp_path, loopback)
    said: list[str] = []
    run(home, said, "fetch")
    assert fake.grants == ["password"]
    fake.review("Where is my refund?", stars=2, name="Kim Lee", title="Refund")
    run(home, said, "fetch")  # a new process: the refresh token stored by the first run
    run(home, said, "fetch")  # and the one the second run was given
    assert fake.grants == ["password", "refresh_token", "refresh_token"]
    assert len(home.batch_ids()) == 3
    assert all(secret not in text for text in said for secret in SECRETS)
    assert all(secret not in home.files_text() for secret in SECRETS)
