"""A reply typed and then interrupted by a crash comes back as the draft of its question.

A child process runs the real app on the demo inbox, begins the session, opens the
composer on the first question and types; it is killed with SIGKILL while the composer
is open. The app is then opened again: ``r`` on the same question shows the text.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import TextArea

from cxdaily.service import Service
from cxdaily.ui.modals.composer import ComposerScreen
from cxdaily.ui.widgets.queue import QuestionQueue
from tests.ui.pilot_kit import SMALL, begin, make_app

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL"),
]

DRAFT = "Hi! We are refunding the double charge and I will"

CHILD = f"""
import asyncio
from cxdaily.service import Service
from cxdaily.ui.app import CxDailyApp
from cxdaily.ui.screens.start import StartScreen

async def main():
    app = CxDailyApp(Service.open("demo"), demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(300):
            await pilot.pause(0.02)
            batch = getattr(app.screen, "todays_batch", None)
            if isinstance(app.screen, StartScreen) and batch and batch.items:
                break
        await pilot.press("enter")
        await pilot.pause()
        question = app.screen.current().question.id
        await pilot.press("r")
        await pilot.pause()
        await pilot.press(*{DRAFT!r})
        await pilot.pause()
        print("typed", question, flush=True)
        await asyncio.sleep(60)  # killed here, mid-sentence

asyncio.run(main())
"""


async def test_a_draft_interrupted_by_a_crash_is_restored(
    home: Path, subprocess_env: dict[str, str]
) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env,
    )
    deadline = time.monotonic() + 60
    question_id = ""
    try:
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line or line.startswith("typed "):
                question_id = line.strip().removeprefix("typed ")
                break
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert question_id, child.stderr.read()[-2000:]

    with Service.open("demo") as service:  # the lock died with the child
        assert service.draft(question_id) == DRAFT
        app, _ = make_app(service)
        async with app.run_test(size=SMALL) as pilot:
            screen = await begin(app, pilot)
            index = next(i for i, it in enumerate(screen.items) if it.question.id == question_id)
            screen.query_one(QuestionQueue).highlighted = index
            await pilot.pause()
            await pilot.press("r")
            await pilot.pause()
            assert isinstance(app.screen, ComposerScreen)
            assert app.screen.query_one(TextArea).text == DRAFT
        assert service.outbox() == [], "a draft is never sent by itself"
