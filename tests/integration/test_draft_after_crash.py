"""A reply typed and then interrupted by a crash comes back as the draft of its question.

A child process runs the real app on the demo inbox, begins the session, opens the
composer on the first question and types, key after key, telling the time of each key;
it is killed with SIGKILL while the composer is open: in the middle of typing, or after
a pause. The app is then opened again: ``r`` on the same question shows the text.

Typing never waits on the disk (drafts are written in the background at most every
half second), so a kill mid-typing may lose the last keys, but never more than the
last second of typing, and never anything once the leader paused for a second.
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
from cxdaily.ui.widgets.queue import QuestionQueue
from tests.ui.pilot_kit import SMALL, begin, composing, make_app

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL"),
]

DRAFT = (
    "Hi! We are refunding the double charge and I will make sure it does not happen "
    "again: the team found the bug in the invoice run and fixed it this morning."
)
#: A kill may lose what was typed in the last second before it, never more.
MAY_LOSE_S = 1.0
#: Seconds of typing before the kill, in the mid-typing case.
TYPE_FOR_S = 2.5

CHILD = f"""
import asyncio
import time
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
        print("composer", question, flush=True)
        for count, key in enumerate({DRAFT!r}, start=1):
            await pilot.press(key)
            print("typed", count, time.monotonic(), flush=True)
            await asyncio.sleep(0.01)
        print("done", flush=True)
        await asyncio.sleep(60)  # killed here, mid-sentence

asyncio.run(main())
"""


def run_and_kill(
    env: dict[str, str], mid_typing: bool
) -> tuple[str, list[tuple[int, float]], float]:
    """Run the child until it types (for TYPE_FOR_S, or all of DRAFT and a pause), kill
    it; (question id, (keys typed, when) for every key it told, when it was killed)."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None and child.stderr is not None
    question_id, typed, killed_at = "", [], 0.0
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            word, *rest = line.split()
            if word == "composer":
                question_id = rest[0]
            elif word == "typed":
                typed.append((int(rest[0]), float(rest[1])))
                if mid_typing and typed[-1][1] - typed[0][1] >= TYPE_FOR_S:
                    break
            elif word == "done":
                time.sleep(MAY_LOSE_S + 0.2)  # the leader paused
                break
    finally:
        killed_at = time.monotonic()
        child.send_signal(signal.SIGKILL)
        rest_of_output, errors = child.communicate(timeout=10)
    for line in rest_of_output.splitlines():  # keys told before the kill, not read yet
        word, *rest = line.split()
        if word == "typed":
            typed.append((int(rest[0]), float(rest[1])))
    assert question_id and typed, errors[-2000:]
    return question_id, typed, killed_at


@pytest.mark.parametrize("mid_typing", [True, False], ids=["mid-typing", "after-a-pause"])
async def test_a_draft_interrupted_by_a_crash_is_restored(
    home: Path, subprocess_env: dict[str, str], mid_typing: bool
) -> None:
    question_id, typed, killed_at = run_and_kill(subprocess_env, mid_typing)
    if mid_typing:
        assert typed[-1][0] < len(DRAFT), "the kill came while the leader was typing"
    kept_for_sure = max((n for n, at in typed if at <= killed_at - MAY_LOSE_S), default=0)

    with Service.open("demo") as service:  # the lock died with the child
        saved = service.draft(question_id) or ""
        assert DRAFT.startswith(saved), saved
        assert len(saved) >= kept_for_sure, (
            f"lost more than the last {MAY_LOSE_S} s of typing: {len(saved)} characters "
            f"saved, {kept_for_sure} typed by then"
        )
        if not mid_typing:
            assert saved == DRAFT
        app, _ = make_app(service)
        async with app.run_test(size=SMALL) as pilot:
            screen = await begin(app, pilot)
            index = next(i for i, it in enumerate(screen.items) if it.question.id == question_id)
            screen.query_one(QuestionQueue).highlighted = index
            await pilot.pause()
            await pilot.press("r")
            await pilot.pause()
            assert composing(app)
            assert app.screen.query_one(TextArea).text == saved
        assert service.outbox() == [], "a draft is never sent by itself"
