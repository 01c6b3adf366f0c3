"""The single-instance lock on a data folder, from the standard library.

An exclusive, non-blocking lock on ``<data>/.lock`` (``fcntl.flock`` on POSIX,
``msvcrt.locking`` on Windows). The operating system releases it when the process ends,
however it ends, so a crash never leaves a stale lock behind.

The holder writes who it is in the file (its process id, and ``session`` for the app,
which holds the folder for a whole session, else ``command``), so a process that finds
the lock taken can tell a command that ends by itself in a moment (it waits for it, a few
seconds at most) from an open app (it does not wait).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path
from typing import NamedTuple

SESSION, COMMAND = "session", "command"
"""What a holder says it is: the app (a whole session) or a command (a moment)."""
WAIT_STEP_S = 0.05
"""How often a waiting process tries the lock again."""


class Holder(NamedTuple):
    """Who holds the lock, as its file says (``pid`` 0 and ``role`` "" when it says
    nothing readable: a holder that has not written it yet, or an older version)."""

    pid: int
    role: str


class LockBusy(Exception):
    """Another process holds the lock."""

    def __init__(self, path: Path, holder: Holder) -> None:
        super().__init__(str(path))
        self.holder = holder


class FolderLock:
    """An exclusive lock held by this process until :meth:`release` or exit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self, wait_s: float = 0.0) -> None:
        """Take the lock as a command, or raise :class:`LockBusy`. While the holder is
        not a session (see the module docstring), try again for up to ``wait_s``."""
        deadline = time.monotonic() + wait_s
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        while True:
            try:
                _lock(fd)
                break
            except OSError:
                holder = self.holder()
                if holder.role == SESSION or time.monotonic() >= deadline:
                    os.close(fd)
                    raise LockBusy(self.path, holder) from None
                time.sleep(WAIT_STEP_S)
        self._fd = fd
        self.say(COMMAND)

    def say(self, role: str) -> None:
        """Write in the lock file that this process holds it as ``role`` (best effort:
        a holder that cannot write is only told apart less well)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
                os.lseek(self._fd, 0, os.SEEK_SET)
                os.write(self._fd, f"{os.getpid()} {role}\n".encode())

    def holder(self) -> Holder:
        """Who holds the lock, as its file says (see :class:`Holder`)."""
        try:
            with open(self.path, "rb") as file:
                words = file.read(64).decode("ascii").split()
            pid, role = int(words[0]), words[1]
        except (OSError, UnicodeDecodeError, ValueError, IndexError):
            return Holder(0, "")
        return Holder(pid, role if role in (SESSION, COMMAND) else "")

    def release(self) -> None:
        """Give the lock back (closing the descriptor releases it); the file says nothing
        of a holder any more."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            try:
                _unlock(fd)
            finally:
                os.close(fd)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
