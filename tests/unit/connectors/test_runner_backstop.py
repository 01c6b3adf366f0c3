"""The backstop: channel work returns within its limit whatever a connector does."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import pytest

from cxdaily.connectors.runner import WorkAbandonedError, run_bounded


def test_work_that_finishes_returns_its_result_and_its_errors():
    async def fine() -> int:
        await asyncio.sleep(0)
        return 42

    async def broken() -> int:
        raise KeyError("boom")

    assert run_bounded(fine, 5) == 42
    with pytest.raises(KeyError):
        run_bounded(broken, 5)


def test_a_connector_blocking_the_event_loop_is_abandoned_at_the_limit():
    async def blocks_the_loop() -> None:
        time.sleep(3)  # no await: asyncio's own timeouts cannot fire

    started = time.monotonic()
    with pytest.raises(WorkAbandonedError, match=r"did not return within 0\.5 s") as caught:
        run_bounded(blocks_the_loop, 0.5, channel="stuck")
    assert time.monotonic() - started < 1.5
    assert str(caught.value).startswith("stuck: ")


def test_a_thread_stuck_on_a_fifo_holds_up_neither_the_call_nor_the_process(tmp_path):
    """A FIFO nobody writes to blocks open() forever; the process still exits on time."""
    fifo = tmp_path / "questions.jsonl"
    os.mkfifo(fifo)
    script = f"""
import asyncio, time
from cxdaily.connectors.runner import run_bounded
from cxdaily.connectors.http import channel_deadline

async def work():
    with channel_deadline(0.5):
        async with asyncio.timeout(0.5):
            await asyncio.to_thread(open, {str(fifo)!r})

started = time.monotonic()
try:
    run_bounded(work, 1.5)
except TimeoutError as exc:
    print("timed out", type(exc).__name__)
print("returned after", round(time.monotonic() - started, 1))
"""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=20
    )
    assert done.returncode == 0, done.stderr
    assert "timed out TimeoutError" in done.stdout
    assert time.monotonic() - started < 8
