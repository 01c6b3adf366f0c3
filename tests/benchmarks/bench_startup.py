"""Launch-to-interactive time of the demo session against a minimal Textual app.

Target (issue: the daily session): from launch to an interactive start screen showing
the demo batch takes at most 1.5x the time a minimal Textual app with a 30-row DataTable
takes to become ready, measured side by side on the same machine.

Both apps run exactly as a user runs them: the real ``cxdaily demo`` command (argument
parsing, config, store, curation, the app) and the minimal app, each in a fresh process
on its own 80x24 pseudo-terminal. The clock stops when the terminal has received the
first frame that shows the ready screen: the batch's items (each with its "~3 min"
estimate) for cxdaily, the last visible table row for the minimal app. Runs alternate
between the two apps; medians are compared.

Both run from byte-compiled modules, as ``pip install`` leaves them: the benchmark first
compiles cxdaily's modules where they are imported from. Without that, a source checkout
on a machine that sets ``PYTHONDONTWRITEBYTECODE`` (as CI machines often do) recompiles
every cxdaily module on every launch, while Textual's come compiled from its install.

Usage: python tests/benchmarks/bench_startup.py   (BENCH_RUNS=15 for more rounds)
"""

from __future__ import annotations

import compileall
import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time

RUNS = int(os.environ.get("BENCH_RUNS", "9"))
TARGET = 1.5
ROWS, COLUMNS = 24, 80
TIMEOUT_S = 30.0

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

Minimal().run()
"""
#: What each app's first ready frame contains: the last table row an 80x24 terminal
#: shows; a batch item's estimate ("~3 min · "), which an empty batch does not have.
MINIMAL_READY = re.compile(rb"question title number 21")
CXDAILY_READY = re.compile(r"~\d+ min · ".encode())


def launch(argv: list[str], ready: re.Pattern[bytes], env: dict[str, str]) -> float:
    """Seconds from spawning ``argv`` on a fresh 80x24 pseudo-terminal until the terminal
    has received a frame matching ``ready``; the process is then stopped."""
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: size its terminal, then become the app
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    seen = b""
    try:
        while not ready.search(seen):
            if time.perf_counter() - started > TIMEOUT_S:
                raise RuntimeError(f"{argv[1:]} was not ready in {TIMEOUT_S:.0f} s")
            if select.select([fd], [], [], 0.5)[0]:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # the child closed its terminal
                    chunk = b""
                if not chunk:
                    raise RuntimeError(f"{argv[1:]} exited before it was ready")
                seen = seen[-4096:] + chunk
        return time.perf_counter() - started
    finally:
        _stop(pid, fd)


def _stop(pid: int, fd: int) -> None:
    """End the child and reap it, draining its terminal so it never blocks on a write."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if select.select([fd], [], [], 0.05)[0]:
            with contextlib.suppress(OSError):
                os.read(fd, 65536)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.close(fd)


def compile_cxdaily() -> str:
    """Byte-compile the cxdaily package where it is imported from (a no-op for an
    installed wheel, which pip compiled); returns the folder."""
    import cxdaily

    folder = os.path.dirname(cxdaily.__file__)
    if not compileall.compile_dir(folder, quiet=1):
        raise RuntimeError(f"could not byte-compile {folder}")
    return folder


def main() -> int:
    """Run the comparison and print the figures; exit 1 if the target is missed."""
    print(f"cxdaily from {compile_cxdaily()} (byte-compiled)")
    home = tempfile.mkdtemp(prefix="cxdaily-bench-")
    env = {**os.environ, "CXDAILY_HOME": home, "TERM": "xterm-256color"}
    env.pop("TEXTUAL", None)  # no devtools or debug features
    minimal_argv = [sys.executable, "-c", MINIMAL]
    cxdaily_argv = [sys.executable, "-m", "cxdaily", "demo"]
    cold = launch(cxdaily_argv, CXDAILY_READY, env)  # empty store: the demo inbox is fetched
    launch(minimal_argv, MINIMAL_READY, env)  # warm the file cache for the minimal app too
    minimal, session = [], []
    for _ in range(RUNS):
        minimal.append(launch(minimal_argv, MINIMAL_READY, env))
        session.append(launch(cxdaily_argv, CXDAILY_READY, env))
    m, s = statistics.median(minimal), statistics.median(session)
    ratio = s / m
    print(
        f"minimal Textual app, 30-row DataTable: median {m * 1000:.0f} ms "
        f"(min {min(minimal) * 1000:.0f}, max {max(minimal) * 1000:.0f}) over {RUNS} runs"
    )
    print(
        f"cxdaily demo, start screen with batch: median {s * 1000:.0f} ms "
        f"(min {min(session) * 1000:.0f}, max {max(session) * 1000:.0f}) over {RUNS} runs"
    )
    print(f"first run on an empty store: {cold * 1000:.0f} ms")
    print(f"ratio {ratio:.2f} (target <= {TARGET})  {'OK' if ratio <= TARGET else 'MISSED'}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
