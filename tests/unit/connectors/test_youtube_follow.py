"""The youtube channel follows the threads a conversation is under way in: YouTube lists
threads by when they were started, so a customer's answer to our reply in an older thread
is below where a walk stops, and a reply it does not embed leaves the thread's time as it
was (see cxdaily.connectors.youtube_follow)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from cxdaily.connectors import youtube_follow
from cxdaily.connectors.youtube_follow import read_followed
from tests.integration.youtube_fake_kit import YouTubeFake, google_error
from tests.unit.connectors.youtube_kit import build, secrets_in_env, walk

__all__ = ["secrets_in_env"]  # the fixture that gives each test the OAuth client's secrets


def by_id(rec) -> list[str]:
    """The ``id`` parameter of each call reading followed threads again."""
    return [r.url.params["id"] for r in rec.to("/commentThreads") if "id" in r.url.params]


def older_conversation(page_size: int = 2) -> tuple[YouTubeFake, str, list[str]]:
    """A question our channel answered, then newer threads that push it off the first
    page; YouTube embeds no reply."""
    fake = YouTubeFake(page_size=page_size)
    fake.embedded = 0
    thread = fake.ask("ana", "How do I export the project to 4K?")
    fake.reply(thread, "us", "File > Export > 4K.")
    newer = [fake.ask("ben", f"Question {n}?") for n in range(3)]
    return fake, thread, newer


async def test_an_answer_to_our_reply_in_an_older_thread_is_read(fake_sleep):
    fake, thread, _ = older_conversation()
    c, rec = build(fake, fake_sleep, now=lambda: fake.now)
    first = await c.fetch(None)
    assert [q.native_id for q in first.settled] == [thread]  # we had answered it
    assert thread in first.checkpoint["follow"]
    fake.ask("cy", "Is there a student discount?")  # the walk stops on the first page
    later = fake.reply(thread, "ana", "Thanks! And in 8K?")  # not embedded: time unchanged
    rec.clear()
    second = await c.fetch(first.checkpoint)
    assert len(walk(rec)) == 1
    [ids] = by_id(rec)  # one call for the followed threads the walk did not list
    assert thread in ids.split(",")
    assert later["id"] in {q.native_id for q in second.questions}
    assert second.checkpoint["follow"][thread][1] == 2  # two replies now


async def test_an_answer_in_a_listed_thread_whose_time_is_unchanged_is_read(fake_sleep):
    fake, thread, _ = older_conversation(page_size=100)  # every thread on one page
    c, _ = build(fake, fake_sleep, now=lambda: fake.now)
    first = await c.fetch(None)
    later = fake.reply(thread, "ana", "Thanks! And in 8K?")  # only its reply count says so
    second = await c.fetch(first.checkpoint)
    assert later["id"] in {q.native_id for q in second.questions}


async def test_the_same_fetch_is_quiet_when_nothing_changed(fake_sleep):
    fake, thread, newer = older_conversation()
    c, rec = build(fake, fake_sleep, now=lambda: fake.now)
    first = await c.fetch(None)
    second = await c.fetch(first.checkpoint)
    assert second.questions == [] and second.settled == [] and second.warnings == []
    assert second.checkpoint["follow"] == first.checkpoint["follow"]
    assert set(first.checkpoint["follow"]) == {thread, *newer}
    rec.clear()
    fake.threads.pop(newer[0])  # deleted on YouTube: no longer followed
    third = await c.fetch(second.checkpoint)
    assert newer[0] not in third.checkpoint["follow"] and thread in third.checkpoint["follow"]


async def test_a_quiet_thread_is_followed_for_two_weeks_and_the_latest_first(
    fake_sleep, monkeypatch
):
    fake, _, newer = older_conversation()
    clock = [fake.now]
    c, _ = build(fake, fake_sleep, now=lambda: clock[0])
    first = await c.fetch(None)
    clock[0] += timedelta(days=youtube_follow.FOLLOW_DAYS, minutes=1)
    assert (await c.fetch(first.checkpoint)).checkpoint["follow"] == {}
    monkeypatch.setattr(youtube_follow, "MAX_FOLLOWED", 2)
    clock[0] = fake.now
    capped = await c.fetch(None)
    assert list(capped.checkpoint["follow"]) == [newer[2], newer[1]]  # the latest active


async def test_followed_threads_that_cannot_be_read_now_are_read_next_time(fake_sleep):
    fake, thread, _ = older_conversation()
    c, rec = build(fake, fake_sleep, now=lambda: fake.now)
    first = await c.fetch(None)
    fake.ask("cy", "Is there a student discount?")
    later = fake.reply(thread, "ana", "Thanks! And in 8K?")
    failing = [True]
    rec.hook = lambda r: (
        httpx.Response(503, json=google_error(503, "backendError", "Backend Error"))
        if failing[0] and r.url.path.endswith("/commentThreads") and "id" in r.url.params
        else None
    )  # fmt: skip
    second = await c.fetch(first.checkpoint)
    assert later["id"] not in {q.native_id for q in second.questions}
    [said] = second.warnings
    assert said.startswith("3 followed comment threads cannot be read") and "next fetch" in said
    assert second.checkpoint["follow"][thread] == first.checkpoint["follow"][thread]
    failing[0] = False
    third = await c.fetch(second.checkpoint)
    assert later["id"] in {q.native_id for q in third.questions}


@pytest.mark.parametrize(
    "stored",
    [
        {"follow": "x"},
        {"follow": {"": ["2026-12-04T08:00:00Z", 1]}},
        {"follow": {"a/b": ["2026-12-04T08:00:00Z", 1]}},
        {"follow": {"Ug1": ["yesterday", 1]}},
        {"follow": {"Ug1": ["2026-12-04T08:00:00Z", -1]}},
        {"follow": {"Ug1": ["2026-12-04T08:00:00Z", True]}},
        {"follow": {"Ug1": ["2026-12-04T08:00:00Z"]}},
    ],
)
def test_a_damaged_followed_thread_is_left_out(stored):
    assert read_followed(stored) == {}
    good = {"Ug1": ["2026-12-04T08:00:00Z", 2]}
    assert list(
        read_followed(
            {"follow": {**stored["follow"], **good}}
            if isinstance(stored["follow"], dict)
            else {"follow": good}
        )
    ) == ["Ug1"]


async def test_a_thread_without_a_reply_count_is_taken_again_only_when_it_changes(
    fake_sleep, monkeypatch
):
    fake, thread, _ = older_conversation(page_size=100)
    fake.embedded = 20  # every reply embedded, and no count said
    shown = fake._thread

    def without_count(ident):
        item = shown(ident)
        del item["snippet"]["totalReplyCount"]
        return item

    monkeypatch.setattr(fake, "_thread", without_count)
    c, _ = build(fake, fake_sleep, now=lambda: fake.now)
    first = await c.fetch(None)
    second = await c.fetch(first.checkpoint)
    assert (second.questions, second.settled) == ([], [])  # nothing new: nothing again
    later = fake.reply(thread, "ana", "Thanks! And in 8K?")
    third = await c.fetch(second.checkpoint)
    assert later["id"] in {q.native_id for q in third.questions}
