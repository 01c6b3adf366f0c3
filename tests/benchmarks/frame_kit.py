"""Key press to screen, timed the way a terminal sees it: shared by the latency benchmarks.

:class:`FrameWatch` hooks the app's display: every frame the app renders is turned into
terminal bytes (as a real terminal driver does), and the clock of a key press stops at the
first such frame after which a condition holds (the composer's counter shows the new
character, the queue and the question view show the next question ...). The key event is
handed to the app's driver exactly as the terminal's input thread would.

It loads :mod:`cxdaily.ui` before Textual, as the ``cxdaily`` command does, so the app
repaints at its own rate (:data:`cxdaily.ui.REPAINT_RATE`): Textual reads it once, when it
is first imported, and a benchmark that loaded Textual first would time Textual's default.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable

# isort: off
import cxdaily.ui  # noqa: F401  (first: the app's repaint rate, before Textual loads)

# isort: on
from textual import events
from textual.app import App


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(values: list[float]) -> str:
    """'p50 3.1 ms, p95 7.9 ms, worst 12.0 ms' of latencies in milliseconds."""
    return (
        f"p50 {statistics.median(values):6.1f} ms, p95 {percentile(values, 0.95):6.1f} ms, "
        f"worst {max(values):7.1f} ms"
    )


class FrameWatch:
    """Times key presses to the first rendered frame that shows their effect."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._shown: Callable[[], bool] | None = None
        self._at = 0.0
        self._event = asyncio.Event()
        self._original = app._display
        app._display = self._display  # type: ignore[method-assign]

    def _display(self, screen, renderable) -> None:
        """Render as the terminal driver would, then check the awaited condition."""
        self._original(screen, renderable)
        if renderable is None:
            return
        render = getattr(renderable, "render_segments", None)
        if render is not None:
            render(self.app.console)
        if self._shown is not None and self._shown():
            self._at = time.perf_counter()
            self._shown = None
            self._event.set()

    async def press(
        self, key: str, character: str | None, shown: Callable[[], bool], timeout: float = 30
    ) -> float:
        """Milliseconds from handing ``key`` to the app until the first frame after which
        ``shown()`` is true."""
        driver = self.app._driver
        if driver is None:
            raise RuntimeError("the app has no driver: run it with run_test()")
        self._event.clear()
        self._shown = shown
        started = time.perf_counter()
        event = events.Key(key, character)
        event.set_sender(self.app)
        driver.send_message(event)
        await asyncio.wait_for(self._event.wait(), timeout=timeout)
        return (self._at - started) * 1000
