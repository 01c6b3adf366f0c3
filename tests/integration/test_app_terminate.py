"""``cxdaily`` asked to end (SIGTERM: ``kill``, a session manager) on a real terminal: it
quits as ``ctrl+q`` does, gives the terminal back (the app's screen left, the cursor
shown), keeps the next launch's batch, and exits with 143."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import sys
import time
from pathlib import Path

READY = re.compile(rb"~\d+ min \xc2\xb7 ")
"""The start screen's batch summary: the app is up."""
LEAVE_ALTERNATE_SCREEN = b"\x1b[?1049l"


def _read_until(fd: int, output: bytearray, done, seconds: float) -> bool:
    """Read the terminal into ``output`` until ``done(output)`` or ``seconds`` pass (or
    the child closes it); returns whether ``done`` held."""
    deadline = time.monotonic() + seconds
    while not done(output) and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
    return done(output)


def _exit_status(pid: int, seconds: float) -> int:
    """The child's wait status once it ends (killed after ``seconds``: a failure)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    return os.waitpid(pid, 0)[1]


def test_sigterm_quits_cleanly_and_keeps_the_batch(home: Path, subprocess_env) -> None:
    env = {**subprocess_env, "TERM": "xterm-256color", "PYTHON_KEYRING_BACKEND":
           "keyring.backends.null.Keyring"}  # fmt: skip
    env.pop("TEXTUAL", None)
    env.pop("CXDAILY_NOW", None)  # the demo inbox is dated from now
    pid, fd = pty.fork()
    if pid == 0:  # the child: cxdaily on the terminal's other end (never back in pytest)
        try:
            os.execve(sys.executable, [sys.executable, "-m", "cxdaily", "demo"], env)
        finally:
            os._exit(127)
    output = bytearray()
    status: int | None = None
    try:
        assert _read_until(fd, output, lambda out: READY.search(out), 90), output[-400:]
        before = len(output)
        os.kill(pid, signal.SIGTERM)
        _read_until(fd, output, lambda out: False, 30)  # to the end of its output
        status = _exit_status(pid, 30)
    finally:
        if status is None:  # not reaped: the app never came up
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 143
    assert LEAVE_ALTERNATE_SCREEN in output[before:]  # the terminal is the shell's again
    kept = list(home.rglob("kept-batch.json"))
    assert kept, "closing kept the next launch's batch"
