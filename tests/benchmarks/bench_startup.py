"""Launch-to-interactive time of a demo session against a minimal Textual app.

Target (issue: the daily session): from launch to an interactive start screen showing
the demo batch takes at most 1.5x the time a minimal Textual app with a 30-row DataTable
takes to become ready, measured side by side on the same machine.

Each run is a fresh process (interpreter start, imports, first paint), headless at
80x24; the parent measures wall time until the child prints READY. Runs alternate
between the two apps; medians are compared. Usage: python tests/benchmarks/bench_startup.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = int(os.environ.get("BENCH_RUNS", "9"))
TARGET = 1.5

MINIMAL = """
from textual.app import App
from textual.widgets import DataTable

class Minimal(App):
    def compose(self):
        yield DataTable()

    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("id", "author", "title")
        for n in range(30):
            table.add_row(str(n), f"author {n}", f"question title number {n}")

    def on_ready(self):
        print("READY", flush=True)
        self.exit()

Minimal().run(headless=True, size=(80, 24))
"""

CXDAILY = """
from cxdaily.service import Service
from cxdaily.ui.app import CxDailyApp
from cxdaily.ui.screens.start import StartScreen

class Timed(CxDailyApp):
    def on_ready(self):
        self.set_interval(0.002, self.check)

    def check(self):
        screen = self.screen
        if isinstance(screen, StartScreen) and screen.batch and screen.batch.items:
            print("READY", len(screen.batch.items), flush=True)
            self.exit()

service = Service.open("demo")
try:
    Timed(service, demo=True).run(headless=True, size=(80, 24))
finally:
    service.close()
"""


def launch(code: str, env: dict[str, str]) -> float:
    """Seconds from spawning a child until it prints READY."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    for line in child.stdout:
        if line.startswith("READY"):
            elapsed = time.perf_counter() - started
            child.wait(timeout=30)
            return elapsed
    child.wait(timeout=30)
    raise RuntimeError(f"child exited with {child.returncode} before it was ready")


def main() -> int:
    """Run the comparison and print the figures; exit 1 if the target is missed."""
    home = tempfile.mkdtemp(prefix="cxdaily-bench-")
    env = {**os.environ, "CXDAILY_HOME": home, "TERM": "xterm-256color"}
    cold = launch(CXDAILY, env)  # first run: empty store, the demo inbox is fetched
    launch(MINIMAL, env)  # warm the file cache for the minimal app too
    minimal, session = [], []
    for _ in range(RUNS):
        minimal.append(launch(MINIMAL, env))
        session.append(launch(CXDAILY, env))
    m, s = statistics.median(minimal), statistics.median(session)
    ratio = s / m
    print(
        f"minimal Textual app, 30-row DataTable: median {m * 1000:.0f} ms "
        f"(min {min(minimal) * 1000:.0f}, max {max(minimal) * 1000:.0f}) over {RUNS} runs"
    )
    print(
        f"cxdaily demo start screen with batch:  median {s * 1000:.0f} ms "
        f"(min {min(session) * 1000:.0f}, max {max(session) * 1000:.0f}) over {RUNS} runs"
    )
    print(f"first run on an empty store: {cold * 1000:.0f} ms")
    print(f"ratio {ratio:.2f} (target <= {TARGET})  {'OK' if ratio <= TARGET else 'MISSED'}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
