"""The app never runs a full collection between two keys: once the heap is settled, the
collector keeps to its young generations, and full collections wait until the leader
has not touched a key for a while (only when the app started with the collector paused,
as ``cxdaily`` starts it)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from cxdaily.service import Service
from cxdaily.ui import heap
from cxdaily.ui.heap import FULL_EVERY_S, IDLE_S, NO_AUTOMATIC_FULL, HeapKeeper
from tests.ui.pilot_kit import SMALL, make_app, wait_for_start


@pytest.fixture
def collector(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The collector's state restored after the test; the full collections run, listed.
    The test starts from a heap nothing froze: tests run before it in the same process
    may have frozen what they read (``cxdaily batch`` run in-process freezes its store)."""
    gc.unfreeze()
    threshold, enabled = gc.get_threshold(), gc.isenabled()
    ran: list[str] = []

    def collect(*args: int) -> int:
        ran.append("full")
        return 0

    monkeypatch.setattr(gc, "collect", collect)
    try:
        yield ran
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
        if enabled:
            gc.enable()
        else:
            gc.disable()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_keeper_started_with_the_collector_running_changes_nothing(collector):
    gc.enable()
    keeper = HeapKeeper()
    keeper.settle()
    assert not keeper.active and gc.get_threshold()[2] != NO_AUTOMATIC_FULL
    assert gc.get_freeze_count() == 0
    assert keeper.collect_if_idle() is False and collector == []


def test_settling_freezes_and_leaves_full_collections_to_idle_time(collector, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(heap.time, "monotonic", clock)
    gc.disable()
    keeper = HeapKeeper()
    assert keeper.active
    young, middle, _ = gc.get_threshold()
    keeper.settle()
    assert gc.isenabled() and gc.get_freeze_count() > 0
    assert gc.get_threshold() == (young, middle, NO_AUTOMATIC_FULL)
    clock.now += FULL_EVERY_S + 1
    keeper.saw_input()
    clock.now += IDLE_S / 2
    assert keeper.collect_if_idle() is False, "the leader is typing"
    clock.now += IDLE_S
    assert keeper.collect_if_idle() is True and collector == ["full"]
    clock.now += IDLE_S
    assert keeper.collect_if_idle() is False, "one ran a moment ago"
    clock.now += FULL_EVERY_S
    assert keeper.collect_if_idle() is True and collector == ["full", "full"]


async def test_the_app_notes_each_key_press(service: Service, collector) -> None:
    gc.disable()
    app, _ = make_app(service)
    assert app.settles_heap
    async with app.run_test(size=SMALL) as pilot:
        await wait_for_start(app, pilot)
        assert gc.isenabled() and gc.get_threshold()[2] == NO_AUTOMATIC_FULL
        before = app.heap._last_input
        await pilot.press("j")
        assert app.heap._last_input > before
