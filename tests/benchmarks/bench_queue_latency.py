"""Benchmark: moving through the queue (``j``/``k``) and opening the session on a
question (``enter`` on the start screen), key press to updated screen, with five years
of history. Target (issue 21, item 3): p95 under 16 ms, one frame at 60 Hz.

The five-year data folder is the one :mod:`bench_launch_history` seeds (about 20,000
questions, 8,000 replies, 6,000 insights, 1,200 sessions, 2,000 candidates); it is copied
for the run, so the sessions begun here never change the kept folder. The real app runs
headless at 100x30 with the clock pinned to the candidates' ``now``; once the start
screen has its batch and the background refresh is over:

- ``enter`` is timed until the session screen shows its first question in the question
  view (the session screen is then closed, and ``enter`` pressed again once the start
  screen has built and drawn the next one ahead, as it does while the leader reads);
- the first ``enter`` of a launch, the one a leader meets each morning, is shown on its
  own line, timed the same way in several fresh processes, each on its own copy: it pays
  for what Textual does once per app (the session widgets' styles); the start screen has loaded
  the session screen's modules and the other screens' stylesheets by then, as it does
  while the leader reads the batch;
- ``j`` and ``k`` are timed, at a reader's pace, until the queue highlights the next (or
  previous) question and the question view shows it, down the whole queue and back up.

Each time stops at the first rendered frame showing the result (see
:class:`frame_kit.FrameWatch`, shared with :mod:`bench_keystroke_latency`).

Beside them, the floor Textual sets for ``enter``: a bare Textual app at the same size
pushes a screen of the session screen's layout (a line on top, a list of 30 options
beside a pane of text, the footer), timed the same way, with the collector off as in
the app. ``enter`` is shown as a ratio to it.

Usage: python tests/benchmarks/bench_queue_latency.py --keep /tmp/launch_home
       (BENCH_ROUNDS=6 for more rounds down and up the queue; BENCH_OPENS=30 for more
       ``enter`` samples; BENCH_LAUNCHES=7 fresh apps for the first ``enter``;
       BENCH_STRICT=1 exits 1 when a target is missed)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import bench_launch_history as launch_history
from bench_curation import NOW
from frame_kit import FrameWatch, percentile, summary

from cxdaily.core.clock import to_iso

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
OPENS = int(os.environ.get("BENCH_OPENS", "15"))
LAUNCHES = int(os.environ.get("BENCH_LAUNCHES", "7"))
TARGET_MS = 16.0
PACE_S = (0.08, 0.2)


async def wait_for(condition, pilot, what: str, seconds: float = 60, steady: int = 1) -> None:
    """Pause the app until ``condition()`` holds on ``steady`` looks in a row, 20 ms
    apart (a RuntimeError naming ``what`` after ``seconds``)."""
    held = 0
    for _ in range(int(seconds / 0.02)):
        held = held + 1 if condition() else 0
        if held >= steady:
            return
        await pilot.pause(0.02)
    raise RuntimeError(f"{what} did not happen in {seconds:.0f} s")


async def ready_start(app, pilot):
    """The start screen once its batch is shown and the streak, the refresh and its batch
    (workers after the first frame) are all done, with nothing started for a second."""
    from cxdaily.ui.screens.start import StartScreen

    start = app.screen
    assert isinstance(start, StartScreen)

    def start_ready() -> bool:
        batch = start.todays_batch
        busy = any(w.is_running for w in app.workers)
        done = app.streak is not None and not start.refreshing
        return bool(batch and batch.items) and done and not busy

    await wait_for(start_ready, pilot, "the start screen's batch and refresh", steady=50)
    await wait_for(partial(drawn_ahead, app), pilot, "the session screen drawn ahead")
    return start


def drawn_ahead(app) -> bool:
    """Whether the session screen is built and drawn ahead (the leader reads the batch
    for seconds: see :mod:`cxdaily.ui.session_ahead`)."""
    screen = app.session_ahead.screen
    return screen is not None and screen.drawn_ahead


def shows_question(app, question_id: str) -> bool:
    """Whether the session screen is up with ``question_id`` highlighted and shown."""
    from cxdaily.ui.screens.session import SessionScreen
    from cxdaily.ui.widgets.question_view import QuestionView

    screen = app.screen
    return (
        isinstance(screen, SessionScreen)
        and screen.pane.queue.highlighted_id == question_id
        and screen.query_one(QuestionView).question_id == question_id
    )


async def first_enter() -> float:
    """Milliseconds of a fresh app's first ``enter``: the open a leader meets each
    morning, once the start screen has prepared the next screens while they read the
    batch (each app pays Textual's once-per-app work)."""
    from cxdaily.service import Service
    from cxdaily.ui.app import CxDailyApp

    gc.disable()
    service = Service.open()
    app = CxDailyApp(service)
    async with app.run_test(size=(100, 30)) as pilot:
        start = await ready_start(app, pilot)
        first = start.todays_batch.items[0].question.id  # type: ignore[union-attr]
        watch = FrameWatch(app)
        opened = await watch.press("enter", None, partial(shows_question, app, first))
        app.screen.clock.record_end()  # type: ignore[attr-defined]
    service.close()
    return opened


def use_copy(history_home: Path, home: Path) -> None:
    """Copy the five-year folder to ``home`` and point ``CXDAILY_HOME`` at it (the kept
    folder never changes)."""
    shutil.copytree(history_home, home)
    config = home / "config.toml"
    config.write_text(config.read_text().replace(str(history_home), str(home)))
    os.environ["CXDAILY_HOME"] = str(home)


async def measure() -> dict[str, list[float]]:
    """Latencies in milliseconds of ``enter`` (open), ``j`` and ``k``."""
    from cxdaily.service import Service
    from cxdaily.ui.app import CxDailyApp
    from cxdaily.ui.screens.session import SessionScreen

    gc.disable()  # as `cxdaily` starts: the start screen freezes the start-up's records
    service = Service.open()
    app = CxDailyApp(service)
    times: dict[str, list[float]] = {"enter (open)": [], "j (next)": [], "k (previous)": []}
    rng = random.Random(21)
    async with app.run_test(size=(100, 30)) as pilot:
        start = await ready_start(app, pilot)
        watch = FrameWatch(app)
        first = start.todays_batch.items[0].question.id  # type: ignore[union-attr]

        def session_shows(question_id: str) -> bool:
            return shows_question(app, question_id)

        for n in range(OPENS + 1):
            opened = await watch.press("enter", None, lambda: session_shows(first))
            if n:  # the first open of the launch: see first_enter()
                times["enter (open)"].append(opened)
            await pilot.pause(rng.uniform(*PACE_S))
            if n < OPENS:
                app.pop_screen()
                await wait_for(lambda: app.screen is start, pilot, "back to the start screen")
                await wait_for(partial(drawn_ahead, app), pilot, "the session screen drawn ahead")
                await pilot.pause(rng.uniform(*PACE_S))
        session = app.screen
        assert isinstance(session, SessionScreen)
        ids = [item.question.id for item in session.items]
        for _ in range(ROUNDS):
            for key, order, label in (
                ("j", ids[1:], "j (next)"),
                ("k", ids[-2::-1], "k (previous)"),
            ):
                for question_id in order:
                    times[label].append(
                        await watch.press(key, key, lambda q=question_id: session_shows(q))
                    )
                    await asyncio.sleep(rng.uniform(*PACE_S))
        session.clock.record_end()
    service.close()
    return times


async def bare_textual_pushes() -> list[float]:
    """Milliseconds a bare Textual app takes to push (``enter``) a screen laid out as the
    session screen is, to its first frame: Textual's own cost, the floor for ``enter``."""
    from textual.app import App, ComposeResult
    from textual.containers import Horizontal, Vertical
    from textual.screen import Screen
    from textual.widgets import Footer, Label, OptionList, Static

    class Laid(Screen):
        DEFAULT_CSS = "Laid #list { width: 24; } Laid #text { width: 1fr; }"

        def compose(self) -> ComposeResult:
            yield Label("29:58 left · 10 of 10 to go")
            with Horizontal():
                with Vertical(id="list"):
                    yield Static("10 questions")
                    yield OptionList(*(f"customer {n}\nquestion title {n}" for n in range(30)))
                yield Static("words of the customer's question " * 60, id="text")
            yield Footer()

    class Bare(App):
        BINDINGS = [("enter", "open", "Open")]

        def compose(self) -> ComposeResult:
            yield Static("the start screen")

        def action_open(self) -> None:
            self.push_screen(Laid())

    gc.disable()
    app = Bare()
    times: list[float] = []
    rng = random.Random(21)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.5)
        watch = FrameWatch(app)
        for n in range(OPENS + 1):
            opened = await watch.press("enter", None, lambda: isinstance(app.screen, Laid))
            if n:
                times.append(opened)
            await pilot.pause(rng.uniform(*PACE_S))
            app.pop_screen()
            await pilot.pause(rng.uniform(*PACE_S))
    gc.enable()
    return times


def main(argv: list[str] | None = None) -> int:
    """Seed (or reuse) the five-year folder, copy it, time the keys, print p50/p95."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="the folder bench_launch_history seeds")
    parser.add_argument("--first-enter", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.first_enter:  # a child: CXDAILY_HOME and CXDAILY_NOW are set
        print(asyncio.run(first_enter()))
        return 0
    root = args.keep or Path(tempfile.mkdtemp(prefix="cxdaily-queue-latency-"))
    history_home = root / "five-years"
    if not (history_home / "launch-seeded").exists():
        launch_history.seed(history_home)
    os.environ["CXDAILY_NOW"] = to_iso(NOW)
    with tempfile.TemporaryDirectory(prefix="cxdaily-queue-run-") as run_dir:
        use_copy(history_home, Path(run_dir) / "home")
        times = asyncio.run(measure())
    firsts = []
    for _ in range(LAUNCHES):  # each a fresh process on its own copy, as each morning
        with tempfile.TemporaryDirectory(prefix="cxdaily-queue-first-") as run_dir:
            use_copy(history_home, Path(run_dir) / "home")
            child = [sys.executable, __file__, "--first-enter"]
            said = subprocess.run(child, capture_output=True, text=True, check=True).stdout
            firsts.append(float(said.split()[-1]))
    floor = asyncio.run(bare_textual_pushes())
    print(f"{launch_history.YEARS} years of history; {ROUNDS} rounds down and up the queue")
    met = True
    for label, values in times.items():
        p95 = percentile(values, 0.95)
        met = met and p95 < TARGET_MS
        print(f"{label:<13} ({len(values):>3} presses): {summary(values)}")
    print(f"{'first enter':<13} ({len(firsts):>3} launches): {summary(firsts)}")
    print(f"{'bare Textual push':<13} ({len(floor):>3} presses): {summary(floor)}")
    opened = times["enter (open)"]
    print(
        f"enter / bare Textual push: p50 {statistics.median(opened) / statistics.median(floor):.2f}"
        f", p95 {percentile(opened, 0.95) / percentile(floor, 0.95):.2f}"
    )
    print(f"{'MET' if met else 'MISSED'}: p95 under {TARGET_MS:.0f} ms for every key")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    strict = os.environ.get("BENCH_STRICT") == "1"
    return 1 if strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
