"""When the app's cyclic garbage collector runs: never a full collection between two keys.

``cxdaily`` loads the store with the collector paused. The records the app keeps (years
of actions behind the streak, the stored questions behind the batch, their indexes) live
as long as the app, so they are frozen as they arrive (the first frame, the streak, a
refreshed batch): no collection ever scans them again.

What the app makes later (screens, widgets, render caches) still grows the oldest
generation, and a full collection of it took 0.1 s at times: a stall the leader saw as a
late frame after ``j`` or ``enter`` (about one key in fifteen at five years of history).
So once the heap is settled, the collector keeps its young generations as they are (each
collection of them costs well under a millisecond) and leaves full collections to
:meth:`HeapKeeper.collect_if_idle`, which runs one when the leader has not touched a key
for :data:`IDLE_S` and the last one was :data:`FULL_EVERY_S` ago or more: cyclic garbage
is still freed, while the leader reads rather than types.
"""

from __future__ import annotations

import gc
import time

IDLE_S = 2.0
"""How long without a key press or a click before a full collection may run."""
FULL_EVERY_S = 30.0
"""The least time between two full collections."""
NO_AUTOMATIC_FULL = 1_000_000
"""The oldest generation's threshold once settled: never reached in a session."""


class HeapKeeper:
    """Freezes the records the app keeps and runs full collections while the leader is idle
    (only when the app started with the collector paused, as ``cxdaily`` starts it; in
    tests and other hosts it changes nothing)."""

    def __init__(self) -> None:
        self.active = not gc.isenabled()
        """Whether the app started with the collector paused (then it manages the heap)."""
        self._last_input = time.monotonic()
        self._last_full = time.monotonic()

    def settle(self) -> None:
        """Freeze what is alive now, and let the collector run its young generations
        (full collections: see :meth:`collect_if_idle`)."""
        if not self.active:
            return
        gc.freeze()
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, NO_AUTOMATIC_FULL)
        gc.enable()

    def saw_input(self) -> None:
        """The leader pressed a key or used the mouse."""
        self._last_input = time.monotonic()

    def collect_if_idle(self) -> bool:
        """Run a full collection when the leader has been idle for :data:`IDLE_S` and the
        last one was :data:`FULL_EVERY_S` ago; returns whether one ran."""
        now = time.monotonic()
        if not self.active or not gc.isenabled():
            return False
        if now - self._last_input < IDLE_S or now - self._last_full < FULL_EVERY_S:
            return False
        gc.collect()
        self._last_full = time.monotonic()
        return True
