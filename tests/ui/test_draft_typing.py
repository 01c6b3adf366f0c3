"""Typing in the composer never waits on the disk (issue 13, item 14).

The draft is written by a background thread: the UI thread never calls fsync, neither
while the leader types nor when the composer closes; a slow disk does not slow the
keys; a disk that refuses the draft is told once, and the text is never lost.
"""

from __future__ import annotations

import os
import threading
import time

import pytest
from textual.content import Content
from textual.widgets import TextArea

from cxdaily.core.errors import StoreError
from cxdaily.service import Service
from cxdaily.store import Store
from cxdaily.ui.repaint import update_in_place
from tests.ui.pilot_kit import (
    SMALL,
    begin,
    composing,
    count_layouts,
    make_app,
    plain,
    settle,
    shown_part,
    type_text,
)

TEXT = "Thanks for the report, Jane: the export is fixed"
FULL = "cannot save activity.json: the disk is full; free some space, nothing was lost"

STALL_S = 20.0
"""How long a stalled draft write waits (typing 20 keys takes a few seconds)."""


def on_disk(service: Service, question_id: str) -> str | None:
    """The draft as the data folder holds it (not the app's memory)."""
    with Store(service.locations.data_dir, read_only=True) as store:
        return store.activity.draft(question_id)


async def test_the_ui_thread_never_fsyncs_while_typing_or_closing(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    fsyncs: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        fsyncs.append(threading.current_thread().name)
        real_fsync(fd)

    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        await settle(app, pilot)
        question_id = screen.items[0].question.id
        ui_thread = threading.current_thread().name
        monkeypatch.setattr(os, "fsync", recording_fsync)
        await pilot.press("r")
        await pilot.pause()
        assert composing(app)
        await type_text(pilot, TEXT)
        await pilot.pause(0.6)  # the writer's turn comes while the composer is open
        await type_text(pilot, "!")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and not composing(app)
        monkeypatch.setattr(os, "fsync", real_fsync)
        assert fsyncs, "the draft was written durably"
        assert ui_thread not in fsyncs, f"fsync on the UI thread: {fsyncs}"
        assert on_disk(service, question_id) == TEXT + "!", "escape wrote the last text"


async def test_a_slow_disk_does_not_slow_the_keys(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every draft write stalls until the typing is over (a concurrent writer keeps
    fsync busy): keys that waited for one would take the whole stall."""
    real_save = service.store.activity.save_draft
    stall = threading.Event()

    def slow_save(*args, **kwargs) -> None:
        stall.wait(STALL_S)
        real_save(*args, **kwargs)

    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        question_id = screen.items[0].question.id
        await pilot.press("r")
        await pilot.pause()
        monkeypatch.setattr(service.store.activity, "save_draft", slow_save)
        began = time.monotonic()
        for letter in TEXT[:20]:
            await pilot.press(letter)
        typing_s = time.monotonic() - began
        stalled = not stall.is_set()
        stall.set()  # the disk is free again: escape writes the last text
        assert plain(app.screen.query_one("#composer-counter")).startswith("20 / ")
        assert stalled and typing_s < STALL_S / 2, f"20 keys took {typing_s:.2f} s"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and not composing(app)
    assert on_disk(service, question_id) == TEXT[:20]


async def test_a_full_disk_is_told_once_and_the_text_is_kept(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_save = service.store.activity.save_draft

    def full_disk(*args, **kwargs) -> None:
        raise StoreError(FULL)

    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        question_id = screen.items[0].question.id
        monkeypatch.setattr(service.store.activity, "save_draft", full_disk)
        await pilot.press("r")
        await pilot.pause()
        await type_text(pilot, "Dear Jane,")
        await pilot.pause(0.7)
        await type_text(pilot, " sorry")
        await pilot.pause(0.7)
        assert app.is_running and composing(app)
        told = recorder.find("The draft is not saved")
        assert len(told) == 1, recorder.messages
        assert FULL in told[0]["message"] and told[0]["severity"] == "error"
        assert app.screen.query_one(TextArea).text == "Dear Jane, sorry"

        await pilot.press("escape")  # closes at once: the text stays in memory
        await pilot.pause()
        assert app.screen is screen and not composing(app) and app.is_running
        assert len(recorder.find("The draft is not saved")) == 1, "told once"
        assert service.draft(question_id) == "Dear Jane, sorry"
        assert "A draft reply is saved" in shown_part(screen, "status")
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.query_one(TextArea).text == "Dear Jane, sorry"

        monkeypatch.setattr(service.store.activity, "save_draft", real_save)  # space freed
        await type_text(pilot, ".")
        await pilot.press("escape")
        await pilot.pause()
    assert on_disk(service, question_id) == "Dear Jane, sorry."


async def test_typing_repaints_the_counter_without_a_layout(service: Service) -> None:
    """The counter's figures change at each key, its rows do not: the screen is not laid
    out again (a counter that needs another row is)."""
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        await pilot.press("r")
        await settle(app, pilot)
        passes = count_layouts(screen)
        counter = app.screen.query_one("#composer-counter")
        rows = counter.size.height
        await type_text(pilot, "Thanks")
        await settle(app, pilot)
        assert plain(counter).startswith("6 / ")
        assert passes == [] and counter.size.height == rows
        counter.styles.width = 20  # a theme's narrow counter: longer words need more rows
        await settle(app, pilot)
        passes.clear()
        rows = counter.size.height
        update_in_place(counter, Content("many more words than fit " * 4))
        await settle(app, pilot)
        assert passes and counter.size.height > rows
