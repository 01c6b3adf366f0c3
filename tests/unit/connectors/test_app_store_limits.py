"""The app_store channel's limits: a first fetch reads back ``since_days`` only, a walk cut
short still brings the reviews written meanwhile, and the hourly request allowance
(``X-Rate-Limit: user-hour-lim:N;user-hour-rem:N;``) used up fails at once for an hour."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cxdaily.connectors.app_store_parse import hour_requests_left
from cxdaily.core.errors import ConfigError, RateLimited
from tests.integration.app_store_fake_kit import APP_ID, SECRET, FakeAppStore, review
from tests.unit.connectors.app_store_kit import build


@pytest.fixture(autouse=True)
def key(memory_keyring):
    memory_keyring.set_password("cxdaily", "ios", SECRET)
    return memory_keyring


@pytest.fixture
def fake() -> FakeAppStore:
    return FakeAppStore()


def old_reviews(fake: FakeAppStore, count: int) -> None:
    """``count`` reviews written in March 2019, as the list shows them."""
    for day in range(1, count + 1):
        fake.reviews[f"old{day}"] = review(f"old{day}", datetime(2019, 3, day, tzinfo=UTC),
                                           title="Old", body=f"From 2019, day {day}")  # fmt: skip


# -- the first fetch's reach ----------------------------------------------------------------
async def test_a_first_fetch_reads_back_since_days_only(fake, fake_sleep, monkeypatch):
    monkeypatch.setattr("cxdaily.connectors.app_store.MAX_PAGES", 2)
    old_reviews(fake, 9)
    fake.add("today", "Crash", "It crashes since the update.")
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert [q.native_id for q in result.questions] == ["today"]
    assert result.checkpoint == {"since": "2026-12-04T08:01:00Z", "at": ["today"]}
    assert len(wire.lists()) == 1  # the first page already reaches 2019
    again = await c.fetch(result.checkpoint)
    assert again.questions == []


async def test_since_days_reaches_further_back_when_asked(fake, fake_sleep):
    old_reviews(fake, 3)
    fake.add("today", "Crash", "It crashes since the update.")
    c, _ = build(fake, fake_sleep, since_days=3650)
    result = await c.fetch(None)
    assert sorted(q.native_id for q in result.questions) == ["old1", "old2", "old3", "today"]


@pytest.mark.parametrize("days", [0, 3651, "14"])
def test_since_days_is_checked(fake, fake_sleep, days):
    with pytest.raises(ConfigError) as caught:
        build(fake, fake_sleep, since_days=days)
    assert "since_days must be a whole number of days from 1 to 3650" in str(caught.value)


async def test_a_walk_stored_before_the_window_existed_stops_at_it(fake, fake_sleep):
    old_reviews(fake, 9)
    fake.add("today", "Crash", "It crashes since the update.")
    stuck = {  # a first fetch of an earlier version, cut short on its way through 2019
        "since": None, "at": [], "newest": "2026-12-04T08:01:00Z", "newest_at": ["today"],
        "resume": f"/v1/apps/{APP_ID}/customerReviews?sort=-createdDate&limit=200"
                  "&include=response&cursor=2",
    }  # fmt: skip
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(stuck)
    assert result.questions == []
    assert result.checkpoint == {"since": "2026-12-04T08:01:00Z", "at": ["today"]}
    assert len(wire.lists()) == 2  # the top, then the stored page, which is past the window


# -- a walk cut short -------------------------------------------------------------------------
async def test_a_resumed_walk_still_brings_a_review_written_at_the_top(
    fake, fake_sleep, monkeypatch
):
    monkeypatch.setattr("cxdaily.connectors.app_store.MAX_PAGES", 3)
    for n in range(1, 8):
        fake.add(f"r{n}", f"T{n}", f"Question {n}")
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    assert sorted(q.native_id for q in first.questions) == ["r2", "r3", "r4", "r5", "r6", "r7"]
    assert "resume" in first.checkpoint
    fake.add("r8", "New", "Written while the walk was going on")
    wire.requests.clear()
    second = await c.fetch(first.checkpoint)
    # the top page (r8, r7), then the stored page: an offset that r8 moved back to r2
    assert sorted(q.native_id for q in second.questions) == ["r1", "r2", "r8"]
    assert [r.url.params.get("cursor") for r in wire.lists()] == [None, "6"]
    assert second.checkpoint == {"since": "2026-12-04T08:08:00Z", "at": ["r8"]}
    third = await c.fetch(second.checkpoint)
    assert third.questions == []


async def test_more_new_reviews_than_a_fetch_reads_keep_the_old_walk(fake, fake_sleep, monkeypatch):
    monkeypatch.setattr("cxdaily.connectors.app_store.MAX_PAGES", 1)
    for n in range(1, 4):
        fake.add(f"r{n}", f"T{n}", f"Question {n}")
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    for n in range(4, 7):
        fake.add(f"r{n}", f"T{n}", f"Question {n}")
    second = await c.fetch(first.checkpoint)
    assert sorted(q.native_id for q in second.questions) == ["r5", "r6"]
    assert second.checkpoint == first.checkpoint  # r1 and r4 are still to come


# -- the hourly allowance -----------------------------------------------------------------------
async def test_a_used_up_hour_fails_at_once_for_the_rest_of_the_hour(fake, fake_sleep):
    fake.add("r1", "Crashes", "It crashes.")
    fake.throttled.append({"X-Rate-Limit": "user-hour-lim:3600;user-hour-rem:0;"})
    c, wire = build(fake, fake_sleep)
    with pytest.raises(RateLimited) as caught:
        await c.fetch(None)
    assert caught.value.retry_after >= 3000
    message = str(caught.value)
    assert "\n" not in message and "HTTP 429" in message and "user-hour-rem:0" in message
    assert "no reset time" in message
    assert fake_sleep.calls == [] and len(wire.requests) == 1


@pytest.mark.parametrize(
    "header",
    [
        "user-hour-lim:3600;user-hour-rem:zero;",
        "user-hour-rem",
        "user-hour-lim:3600",
        "user-hour-rem:-1;",
        "user-hour-rem:\u00b2;",
        "user-hour-rem:" + "0" * 600,
        ";;:;",
    ],
)
async def test_a_malformed_rate_limit_header_is_passed_over(fake, fake_sleep, header):
    assert hour_requests_left(header) is None
    fake.add("r1", "Crashes", "It crashes.")
    fake.throttled.append({"X-Rate-Limit": header.encode("latin-1")})
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)  # the usual short back-off, then the page
    assert [q.native_id for q in result.questions] == ["r1"]
    assert fake_sleep.calls == [0.5] and len(wire.requests) == 2


@pytest.mark.parametrize(
    ("header", "left"),
    [
        (None, None),
        ("user-hour-lim:3500;user-hour-rem:500;", 500),
        ("user-minute-rem:0; User-Hour-Rem : 0 ;user-hour-lim:3600", 0),
        ("user-hour-lim:3600;user-hour-rem:12", 12),
    ],
)
def test_the_hours_remaining_requests_are_read_among_other_keys(header, left):
    assert hour_requests_left(header) == left
