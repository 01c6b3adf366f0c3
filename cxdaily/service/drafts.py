"""Drafts written behind the leader's typing: in memory at once, on disk soon after.

The composer hands every change to :meth:`DraftWriter.stage`, which only records the
text in memory and wakes a background thread: no disk, no store lock, no waiting on a
write under way. The thread writes the latest text of each question through the durable
store (temporary file, fsync, rename), at most every :data:`SAVE_EVERY_S` seconds and
coalesced (what was typed between two writes is written once, as it then stands). A
process killed with SIGKILL loses at most that half second, plus the write under way.

Reading a draft (:meth:`DraftWriter.pending`) sees the staged text first, so the app
never shows an older draft than the one typed. Closing the composer calls
:meth:`DraftWriter.flush`: the thread writes at once and the caller waits for it, at
most :data:`FLUSH_TIMEOUT_S`; the caller's thread never writes.

A write that fails (a full disk, a read-only folder) is told once through ``on_error``
(until a write succeeds again) and never loses the text: it stays staged, is what
:meth:`pending` returns, and is written again after :data:`RETRY_EVERY_S` (or at once by
a flush).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field

#: Seconds between two draft writes while typing: the most a crash loses (plus a write).
SAVE_EVERY_S = 0.5
#: Seconds before a failed draft write is tried again (unless a flush asks sooner).
RETRY_EVERY_S = 2.0
#: The longest closing the composer waits for the last draft write.
FLUSH_TIMEOUT_S = 3.0
#: Seconds the writer's thread waits for more typing before it ends (starting a thread
#: makes the caller wait for it to run: not at every pause between two words).
IDLE_S = 30.0

#: Told (from the writer's thread) when a draft write fails: the question, the error.
DraftError = Callable[[str, Exception], None]


@dataclass(eq=False)
class DraftWriter:
    """Write-behind for drafts: staged in memory, written by one background thread.

    ``save(question_id, text)`` is the durable write; it runs on the writer's thread
    only and may raise. ``on_error`` (settable) must not block on the UI thread: in the
    app it is ``App.notify``, which is thread-safe and does not wait. ``every_s``,
    ``retry_s`` and ``idle_s`` are :data:`SAVE_EVERY_S`, :data:`RETRY_EVERY_S` and
    :data:`IDLE_S` unless a test needs them shorter.
    """

    save: Callable[[str, str], object]
    _: KW_ONLY
    on_error: DraftError | None = None
    """Told the first failure after a success (from the writer's thread)."""
    every_s: float = SAVE_EVERY_S
    retry_s: float = RETRY_EVERY_S
    idle_s: float = IDLE_S
    # the writer's state, read and changed holding ``_changed``'s lock
    _changed: threading.Condition = field(default_factory=threading.Condition, init=False)
    _staged: dict[str, str] = field(default_factory=dict, init=False)
    """Question id -> text not on disk yet."""
    _writing: dict[str, str] = field(default_factory=dict, init=False)
    """Taken by the thread, being written now."""
    _dropped: set[str] = field(default_factory=set, init=False)
    """Discarded while being written: never staged again."""
    _failures: int = field(default=0, init=False)
    """Writes that failed."""
    _failing: bool = field(default=False, init=False)
    """The last write failed: told once until one succeeds."""
    _not_before: float = field(default=0.0, init=False)
    """Monotonic time of the earliest next write."""
    _urgent: bool = field(default=False, init=False)
    """A flush asked for a write now."""
    _running: bool = field(default=False, init=False)
    """The thread runs (set and cleared holding the lock)."""

    # any thread (the UI thread: never waits on a write) ----------------------------------
    def stage(self, question_id: str, text: str) -> None:
        """Record the text typed so far; the writer writes it soon."""
        with self._changed:
            self._staged[question_id] = text
            self._start()
            self._changed.notify_all()

    def pending(self, question_id: str) -> str | None:
        """The question's draft text not on disk yet (staged or being written), else None."""
        with self._changed:
            if question_id in self._staged:
                return self._staged[question_id]
            return self._writing.get(question_id)

    def discard(self, question_id: str) -> None:
        """Forget the question's staged text (its reply is queued, or a direct save
        replaces it); a write already under way still finishes, but is not retried."""
        with self._changed:
            self._staged.pop(question_id, None)
            if self._writing.pop(question_id, None) is not None:
                self._dropped.add(question_id)
            self._changed.notify_all()

    @property
    def busy(self) -> bool:
        """Whether some draft is not on disk yet."""
        with self._changed:
            return bool(self._staged or self._writing)

    def flush(self, timeout: float | None = FLUSH_TIMEOUT_S) -> bool:
        """Have every staged draft written now and wait (at most ``timeout`` seconds)
        until it is on disk; returns whether it is. A failed write ends the wait."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            failures = self._failures
            if not (self._staged or self._writing):
                return True
            self._urgent = True
            self._start()
            self._changed.notify_all()
            while (self._staged or self._writing) and self._failures == failures:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                self._changed.wait(left)
            return not (self._staged or self._writing)

    # the writer's thread ------------------------------------------------------------------
    def _start(self) -> None:
        """Start the thread unless it runs (called holding the lock)."""
        if not self._running:
            self._running = True
            threading.Thread(target=self._run, name="cxdaily-drafts", daemon=True).start()

    def _take(self) -> dict[str, str] | None:
        """Wait for staged text and for its turn, and take it; None: nothing was staged
        for :data:`IDLE_S` (the thread ends; :meth:`stage` starts another)."""
        with self._changed:
            while True:
                if not self._staged:
                    self._changed.wait(self.idle_s)
                if not self._staged:
                    self._running = False  # decided under the lock
                    return None
                wait = self._not_before - time.monotonic()
                if self._urgent or wait <= 0:
                    self._urgent = False
                    self._writing, self._staged = self._staged, {}
                    return dict(self._writing)
                self._changed.wait(wait)

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            started = time.monotonic()
            failed: dict[str, str] = {}
            error: Exception | None = None
            for question_id, text in batch.items():
                try:
                    self.save(question_id, text)
                except Exception as exc:  # told once, never raised: the text stays staged
                    failed[question_id] = text
                    error = exc
            with self._changed:
                for question_id, text in failed.items():
                    if question_id not in self._dropped:
                        self._staged.setdefault(question_id, text)  # newer typing wins
                self._writing, self._dropped = {}, set()
                if error is None:
                    self._failing = False
                    self._not_before = started + self.every_s
                    tell = None
                else:
                    self._failures += 1
                    tell = None if self._failing else next(iter(failed))
                    self._failing = True
                    self._not_before = time.monotonic() + self.retry_s
                self._changed.notify_all()
            if tell is not None and error is not None and self.on_error is not None:
                with contextlib.suppress(Exception):  # the app is gone: nobody to tell
                    self.on_error(tell, error)
