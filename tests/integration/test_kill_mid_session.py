"""A session killed with SIGKILL loses no saved insight and no draft.

A child process runs the real app headless on the demo inbox and drives it with the
documented keys: begin, tag the first question, open the composer on the next one and
type a draft. It prints a line after each step has returned; the test then kills it
with SIGKILL, mid-session, and reopens the data folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from cxdaily.paths import DEMO_PROFILE, locations
from cxdaily.store import Store

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

DRAFT = "Sorry about the charge, I am refunding it today [and fixing the flow]"

CHILD = f"""
import asyncio
from cxdaily.service import Service
from cxdaily.ui.app import CxDailyApp
from cxdaily.ui.screens.start import StartScreen

async def main():
    service = Service.open("demo")
    app = CxDailyApp(service, demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):
            await pilot.pause(0.02)
            batch = getattr(app.screen, "todays_batch", None)
            if isinstance(app.screen, StartScreen) and batch and batch.items:
                break
        await pilot.press("enter")
        await pilot.pause()
        first = app.screen.current().question.id
        await pilot.press("t")
        await pilot.pause()
        await pilot.press(*"churn risk")
        await pilot.press("ctrl+s")
        await pilot.pause()
        print("tagged", first, flush=True)
        second = app.screen.current().question.id
        await pilot.press("r")
        await pilot.pause()
        await pilot.press(*{DRAFT!r})
        await pilot.pause(1.0)  # drafts are saved at most half a second behind the typing
        print("drafted", second, flush=True)
        await asyncio.sleep(60)  # killed here, mid-session, composer open

asyncio.run(main())
"""


def test_sigkill_mid_session_keeps_the_tag_and_the_draft(tmp_path, monkeypatch):
    monkeypatch.setenv("CXDAILY_HOME", str(tmp_path))
    env = {**os.environ, "CXDAILY_HOME": str(tmp_path), "CXDAILY_NOW": "2026-11-23T08:00:00Z"}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    said: dict[str, str] = {}
    deadline = time.monotonic() + 60
    try:
        assert child.stdout is not None
        while "drafted" not in said and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            word, _, question_id = line.strip().partition(" ")
            said[word] = question_id
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert "drafted" in said, f"the child did not get that far: {child.stderr.read()[-2000:]}"
    assert child.returncode == -signal.SIGKILL

    with Store(locations(DEMO_PROFILE).data_dir) as store:  # the lock died with the child
        insights = store.insights.between()
        assert [i.question_id for i in insights] == [said["tagged"]]
        assert insights[0].tags == ("churn risk",)
        assert store.activity.draft(said["drafted"]) == DRAFT
        tagged = store.activity.latest_by_question()[said["tagged"]]
        assert tagged.disposition.value == "tagged"
