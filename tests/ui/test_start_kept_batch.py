"""The start screen opens on the batch kept after the last fetch when nothing changed
since, and the batch curated after the launch's own fetch takes its place, even when
that fetch fails; a kept batch that is no longer current is never shown."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from msgspec.structs import replace
from textual.widgets import Static

from cxdaily.core.errors import StoreError
from cxdaily.curation import Batch
from cxdaily.service import Service
from cxdaily.service.kept_batch import KEPT_BATCH_FILE, LISTED_LEFT_OUT
from cxdaily.store.derived import read_derived
from cxdaily.ui.app import CxDailyApp
from cxdaily.ui.batch_lines import batch_lines, must_see_line, summary_line
from cxdaily.ui.screens.start import SCREENS_PREPARED_AFTER_S, StartScreen
from tests.ui.pilot_kit import SMALL, make_app, plain, settle, wait_for_start


def keep_two_of(service: Service) -> tuple[Batch, Batch]:
    """Curate and keep the batch as a fetch does, then keep (under the same key) only its
    first two questions, so that the kept one can be told from a batch curated anew;
    returns (the kept two, the whole batch)."""
    service.refresh()
    whole = service.batch(keep=True)
    found = read_derived(service.store.folder, KEPT_BATCH_FILE)
    assert found is not None
    two = replace(whole, items=whole.items[:2]).shortened(LISTED_LEFT_OUT)
    assert service.daily.kept.write({service.today_start(): two}, found[0])
    assert service.kept_batch() == two
    return two, whole


def shown_batches(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The ids of each batch the start screen displays, in order."""
    shown: list[list[str]] = []
    display = StartScreen._display_batch

    def recording(screen: StartScreen, batch: Batch, streak) -> None:
        shown.append([item.question.id for item in batch.items])
        display(screen, batch, streak)

    monkeypatch.setattr(StartScreen, "_display_batch", recording)
    return shown


async def test_the_kept_batch_shows_first_then_the_batch_curated_after_the_fetch(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    two, whole = keep_two_of(service)
    shown = shown_batches(monkeypatch)
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await wait_for_start(app, pilot)
        await settle(app, pilot)
        assert shown[0] == [item.question.id for item in two.items]
        assert shown[-1] == [item.question.id for item in whole.items]
        assert not screen.kept_shown
        assert len(screen.todays_batch.items) == len(whole.items)  # type: ignore[union-attr]
        listed = plain(screen.query_one("#start-list", Static))
        numbers = [line[:3] for line in listed.splitlines() if line[:3].strip().isdigit()]
        assert numbers == [f"{n:>2} " for n in range(1, len(whole.items) + 1)]
    fresh = service.batch().shortened(LISTED_LEFT_OUT)
    assert service.kept_batch() == fresh  # the launch's fetch kept it anew


async def test_a_failed_fetch_still_brings_the_batch_curated_anew(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    two, whole = keep_two_of(service)

    def fails(self, names=None, on_done=None):
        raise StoreError("cannot write questions.json: No space left on device")

    monkeypatch.setattr(Service, "refresh", fails)
    shown = shown_batches(monkeypatch)
    app, notes = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, StartScreen)
        assert shown[0] == [item.question.id for item in two.items]
        assert shown[-1] == [item.question.id for item in whole.items]
        assert not screen.kept_shown
        assert any("No space left" in call["message"] for call in notes.calls)


async def test_a_kept_batch_no_longer_current_is_never_shown(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    two, whole = keep_two_of(service)
    skipped = whole.items[0].question.id
    service.skip(skipped)  # acted on since: the kept batch is stale
    shown = shown_batches(monkeypatch)
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for_start(app, pilot)
        assert shown
        assert all(skipped not in ids for ids in shown)
        assert shown[0] != [item.question.id for item in two.items]


@pytest.mark.parametrize("budget", ["10m", "30m", "90m"])
def test_the_kept_batch_reads_as_the_batch_curated_now(
    write_config: Callable[[str], Path], budget: str
) -> None:
    write_config(f'[session]\nbudget = "{budget}"\n')
    with Service.open("demo") as service:
        service.refresh()
        whole = service.batch(keep=True)
        kept = service.kept_batch()
    assert kept is not None and len(kept.left_out) < len(whole.left_out)
    assert batch_lines(kept).plain == batch_lines(whole).plain
    assert must_see_line(kept, "a").plain == must_see_line(whole, "a").plain
    assert summary_line(kept, None).plain == summary_line(whole, None).plain


async def test_the_session_screen_loads_while_the_leader_reads_the_batch(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the batch is on screen the start screen has the app load the session screen's
    modules (once, a moment later), so that ``enter`` does not wait for them."""
    service.refresh()
    service.batch(keep=True)
    shown = shown_batches(monkeypatch)
    events: list[str] = []
    load = CxDailyApp.prepare_screens

    def loading(app: CxDailyApp) -> None:
        events.append(f"load after {len(shown)} batch(es) shown")
        load(app)

    monkeypatch.setattr(CxDailyApp, "prepare_screens", loading)
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for_start(app, pilot)
        for _ in range(60):
            if events:
                break
            await pilot.pause(0.05)
        await pilot.pause(SCREENS_PREPARED_AFTER_S)
        assert len(events) == 1 and not events[0].startswith("load after 0 ")
        assert "cxdaily.ui.screens.session" in sys.modules
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "SessionScreen"
