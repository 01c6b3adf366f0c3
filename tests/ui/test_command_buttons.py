"""A dialog's buttons come from its key commands: the label names the (remapped) key and
a click runs the same action as the key."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Button, Input

from cxdaily.service import Service
from cxdaily.ui.keys import KeyNames
from cxdaily.ui.modals.digest_export import ExportChoice, ExportScreen
from cxdaily.ui.modals.tag import TagScreen
from cxdaily.ui.widgets.command_button import command_button, form_buttons
from tests.ui.pilot_kit import begin, make_app


class DialogHost(App[None]):
    """An empty app that opens one dialog and keeps what it returned."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[object] = []

    def open(self, dialog: ExportScreen) -> None:
        """Push ``dialog``; its result lands in :attr:`results`."""
        self.push_screen(dialog, callback=self.results.append)


def test_a_button_names_its_key_and_runs_its_command_on_the_screen() -> None:
    button = command_button(KeyNames(), "export_save", id="export-save", variant="primary")
    assert str(button.label) == "Export (ctrl+s)"
    assert button.action == "screen.save" and button.variant == "primary" and button.compact
    remapped = command_button(KeyNames({"export_save": "ctrl+e"}), "export_save", id="x")
    assert str(remapped.label) == "Export (ctrl+e)"


async def test_the_form_row_puts_the_primary_command_first_and_can_start_disabled() -> None:
    app = DialogHost()
    async with app.run_test(size=(80, 24)):
        row = form_buttons(
            KeyNames(), "digest_send_confirm", "digest_send_close", ids=("a", "b"), disabled=True
        )
        await app.screen.mount(row)
        first, second = row.query(Button)
        assert (first.id, first.variant, first.disabled) == ("a", "primary", True)
        assert (second.id, second.variant, second.disabled) == ("b", "default", False)
        assert (first.action, second.action) == ("screen.confirm", "screen.close")
        assert row.has_class("buttons")


async def test_clicking_the_export_buttons_cancels_and_exports(tmp_path) -> None:
    app = DialogHost()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open(ExportScreen("Last 7 days"))
        await pilot.pause()
        await pilot.click("#export-cancel")
        await pilot.pause()
        assert app.results == [None]
        app.open(ExportScreen("Last 7 days"))
        await pilot.pause()
        app.screen.query_one("#export-path").value = str(tmp_path / "digest.md")
        await pilot.click("#export-save")
        await pilot.pause()
        assert app.results[1] == ExportChoice("md", str(tmp_path / "digest.md"), True, False)


async def test_the_tag_form_buttons_save_and_cancel_like_their_keys(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await begin(app, pilot)
        first = screen.items[0].question.id
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TagScreen)
        app.screen.query_one("#tag-cancel", Button).press()
        await pilot.pause()
        assert app.screen is screen and first not in screen.tags
        await pilot.press("t")
        await pilot.pause()
        app.screen.query_one("#tag-tags", Input).value = "button-made"
        app.screen.query_one("#tag-save", Button).press()
        await pilot.pause()
        assert app.screen is screen and screen.tags[first] == {"button-made"}
        assert "button-made" in service.known_tags()
