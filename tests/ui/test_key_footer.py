"""The footer: help first and every key whole at 80 columns; a dialog shows its own keys."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from cxdaily.service import Service
from cxdaily.ui.modals.tag import TagScreen
from tests.ui.pilot_kit import SMALL, begin, make_app, open_digest, screen_lines, wait_for_start


async def test_the_session_footer_fits_80_columns_help_first(service: Service) -> None:
    """At 80 columns Textual's footer cut the session's last keys ("q Wr", no help):
    compact, help first and without the palette's key, every key shows whole."""
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await begin(app, pilot)
        footer = screen_lines(app)[-1].strip()
        assert footer.startswith("f1 Help ")
        for key in ("r Reply", "t Tag", "h Hand off", "z Snooze", "s Skip", "q Wrap up"):
            assert key in footer, footer
        assert footer.endswith("u Undo"), footer
        await pilot.resize_terminal(140, 30)  # roomy again: spaced, with the palette's key
        await pilot.pause()
        wide = screen_lines(app)[-1]
        assert "f1 Help  r Reply" in wide and wide.rstrip().endswith("^p Commands")


async def test_a_dialog_shows_its_own_keys_not_the_screens_beneath(service: Service) -> None:
    """Over the session, the insight form's footer says how to save and cancel (its
    buttons may be scrolled out of a small terminal), not the session's keys."""
    app, _ = make_app(service)
    async with app.run_test(size=(60, 15)) as pilot:
        await begin(app, pilot)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TagScreen)
        footer = screen_lines(app)[-1]
        assert "^s Save" in footer and "esc Cancel" in footer
        assert "Reply" not in footer and "Wrap up" not in footer


async def test_remapped_keys_keep_their_place_in_the_footer(write_config) -> None:
    """A key remapped in [keys] is bound anew, and Textual listed it last, where a
    narrow footer cut it off: the footer keeps the key table's order."""
    write_config('[keys]\nreply = "R"\nskip = "s,delete"\n')
    with Service.open("demo") as service:
        app, _ = make_app(service)
        async with app.run_test(size=SMALL) as pilot:
            await begin(app, pilot)
            footer = screen_lines(app)[-1].strip()
    assert footer.startswith("f1 Help R Reply t Tag "), footer
    assert "s Skip q Wrap up" in footer, footer


async def test_the_digest_footer_fits_60_columns(service: Service) -> None:
    """At 60 columns the digest's footer was cut after its first keys ("esc B")."""
    app, _ = make_app(service)
    async with app.run_test(size=(60, 15)) as pilot:
        await wait_for_start(app, pilot)
        await open_digest(app, pilot)
        footer = screen_lines(app)[-1].strip()
        assert footer.startswith("f1 Help esc Back ] Period "), footer
        assert footer.endswith("s Send"), footer


async def test_no_frame_shows_a_cut_key(service: Service) -> None:
    """The keys are fitted as the footer is composed, before the next frame: the footer
    used to show a cut key ("q Wr") for one frame each time the screen's keys changed
    (opening the composer, closing it, moving to another question)."""
    app, _ = make_app(service)
    frames: list[list[str]] = []  # for each frame, the keys it shows cut
    async with app.run_test(size=(60, 15)) as pilot:
        await begin(app, pilot)
        display = app._display

        def watched(screen, renderable) -> None:  # type: ignore[no-untyped-def]
            display(screen, renderable)
            keys = [key for key in app.screen.query(FooterKey) if key.display]
            frames.append(
                [f"{key.key_display} {key.description}" for key in keys if key.region.right > 60]
            )

        app._display = watched  # type: ignore[method-assign]
        for key in ("r", "escape", "j", "r", "escape", "t", "escape"):
            await pilot.press(key)
            await pilot.pause(0.1)
        footer = screen_lines(app)[-1].strip()  # 60 columns: the last keys left out
    assert len(frames) > 10
    assert [cut for cut in frames if cut] == []
    assert footer.endswith("q Wrap up") and "Undo" not in footer, footer


async def test_a_resized_footer_shows_whole_keys(service: Service) -> None:
    """Narrowed, widened and narrowed again, the footer shows only whole keys, compact
    below 100 columns and roomy with the palette's key above."""
    app, _ = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await begin(app, pilot)
        seen = []
        for size in ((60, 15), (140, 30), (60, 15)):
            await pilot.resize_terminal(*size)
            await pilot.pause(0.1)
            seen.append(screen_lines(app)[-1].rstrip())
    assert seen[0].strip().endswith("q Wrap up"), seen
    assert seen[1].endswith("^p Commands") and "u Undo" in seen[1], seen
    assert seen[2] == seen[0], seen
