"""A backlog larger than one fetch (:mod:`cxdaily.connectors.helpdesk_backlog`): threads
read in order until a rate limit or the deadline, the warning that says what is left, and
the tickets a checkpoint remembers as read."""

from __future__ import annotations

import asyncio

import pytest

from cxdaily.connectors import helpdesk_backlog as backlog
from cxdaily.connectors.http import ChannelTimeoutError
from cxdaily.core.errors import AuthError, RateLimited

LIMIT = RateLimited("rate-limited by GET https://acme.example/x (HTTP 429)", retry_after=600)
DEADLINE = ChannelTimeoutError("no complete answer from https://acme.example/x within 60 s")


async def test_every_job_read_comes_back_in_order_a_few_at_a_time():
    running = peak = 0

    async def job(n: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.001 * (5 - n % 5))
        running -= 1
        return n

    read = await backlog.read_in_order([job(n) for n in range(12)], 3)
    assert read == backlog.ReadSoFar(list(range(12)), None)
    assert peak == 3
    assert await backlog.read_in_order([], 3) == backlog.ReadSoFar([], None)


@pytest.mark.parametrize("stop", [LIMIT, DEADLINE], ids=["rate limit", "deadline"])
async def test_a_limit_keeps_the_jobs_before_the_first_not_done_and_starts_no_other(stop):
    started: list[int] = []

    async def job(n: int) -> int:
        started.append(n)
        if n == 3:
            await asyncio.sleep(0.01)
            raise stop
        await asyncio.sleep(0.001 if n < 3 else 0.05)
        return n

    read = await backlog.read_in_order([job(n) for n in range(10)], 3)
    assert read.done == [0, 1, 2] and read.stopped_by is stop
    assert started == [0, 1, 2, 3, 4, 5]  # 4 and 5 ran beside 3; nothing started after it


async def test_a_limit_on_the_first_job_reads_nothing_even_if_later_ones_were_done():
    async def job(n: int) -> int:
        if n == 0:
            await asyncio.sleep(0.01)
            raise LIMIT
        return n

    assert await backlog.read_in_order([job(n) for n in range(4)], 4) == backlog.ReadSoFar(
        [], LIMIT
    )


async def test_any_other_failure_is_raised_and_stops_the_rest():
    finished: list[int] = []

    async def job(n: int) -> int:
        if n == 1:
            raise AuthError("the credentials were refused")
        await asyncio.sleep(0.05)
        finished.append(n)
        return n

    with pytest.raises(AuthError, match="refused"):
        await backlog.read_in_order([job(n) for n in range(6)], 2)
    await asyncio.sleep(0.1)
    assert finished == []


def test_the_warning_says_how_many_are_left_and_why_in_its_own_words():
    said = backlog.left_for_next_fetch(LIMIT, "3 tickets")
    assert said == (
        "stopped reading threads at the service's rate limit (it asks to wait 600 s) with "
        "3 tickets not read; the rest is read by the next fetch"
    )
    assert "acme.example" not in said  # the error's text (an address) stays out
    forever = RateLimited("x", retry_after=float("inf"))
    assert "(it asks to wait longer)" in backlog.left_for_next_fetch(forever, "1 ticket")
    assert backlog.left_for_next_fetch(DEADLINE, "1 ticket").startswith(
        "stopped reading threads at the channel's deadline with 1 ticket not read;"
    )


def test_read_marks_keep_only_what_a_checkpoint_can_mean():
    saved = {"updated_since": "T", "read": {"1": "T", "2": 7, "3": None, "4": "T"}}
    assert backlog.read_marks(saved) == {"1": "T", "4": "T"}
    assert backlog.read_marks({"read": ["1"]}) == {} and backlog.read_marks(None) == {}


def test_with_read_marks_adds_them_only_when_there_are_some_and_keeps_a_bounded_number():
    assert backlog.with_read_marks({"cursor": "c1"}, {}) == {"cursor": "c1"}
    many = {str(n): "T" for n in range(backlog.MAX_READ_MARKS + 50)}
    kept = backlog.with_read_marks({"cursor": "c1"}, many)
    assert kept["cursor"] == "c1" and len(kept["read"]) == backlog.MAX_READ_MARKS
    assert list(kept["read"])[:2] == ["0", "1"]
