"""Helpers for the UI tier (the fixtures are in ``conftest.py``).

Every UI test runs the real app headless (``App.run_test``) over a real :class:`Service`
on the demo profile, in its own ``CXDAILY_HOME`` with a fixed clock. Helpers here read
what the leader would see (the plain text of widgets and of the composed screen) and
what the terminal would receive (the exact bytes a driver would write for the screen).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.geometry import Region
from textual.pilot import Pilot
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

from cxdaily.core.models import InsightEntry, Reply, ReplyState
from cxdaily.service import Service
from cxdaily.ui.app import CxDailyApp
from cxdaily.ui.screens.digest import DigestScreen
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.screens.start import StartScreen
from cxdaily.ui.widgets.question_view import QuestionView
from cxdaily.ui.widgets.reply_composer import ReplyComposer

#: The instant every UI test lives at (a Monday morning, UTC).
UI_NOW_ISO = "2026-11-23T08:00:00Z"
UI_NOW = datetime(2026, 11, 23, 8, 0, 0, tzinfo=UTC)

SMALL = (80, 24)
WIDE = (160, 48)

# What a driver legitimately writes around the cells: colours/styles (SGR) and cursor moves.
_SGR_OR_CURSOR = re.compile(r"\x1b\[[0-9;:]*[mH]")
#: Characters that must never reach the terminal from customer text.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


@dataclass
class Recorder:
    """Every notification the app raised, in order (toasts expire; this does not)."""

    calls: list[dict[str, Any]] = field(default_factory=list)

    @property
    def messages(self) -> list[str]:
        """The messages, in order."""
        return [str(call["message"]) for call in self.calls]

    def find(self, needle: str) -> list[dict[str, Any]]:
        """Calls whose message or title contains ``needle``."""
        return [
            call
            for call in self.calls
            if needle in str(call["message"]) or needle in str(call.get("title", ""))
        ]


def make_app(service: Service) -> tuple[CxDailyApp, Recorder]:
    """The app over ``service`` (as ``cxdaily demo`` builds it), with a notification recorder."""
    app = CxDailyApp(service, demo=True)
    recorder = Recorder()
    original = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        recorder.calls.append({"message": message, **kwargs})
        original(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return app, recorder


async def wait_for_start(app: App, pilot: Pilot, tries: int = 100) -> StartScreen:
    """Wait until the start screen has refreshed the channels and shows a batch."""
    for _ in range(tries):
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        if (
            isinstance(screen, StartScreen)
            and not screen.refreshing
            and screen.todays_batch is not None
            and screen.todays_batch.items
        ):
            await pilot.pause()
            return screen
    raise AssertionError(f"the start screen never showed a batch (screen: {app.screen!r})")


async def begin(app: App, pilot: Pilot) -> SessionScreen:
    """From the start screen, press enter and return the session screen."""
    await wait_for_start(app, pilot)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, SessionScreen), app.screen
    return app.screen


def composing(app: App) -> bool:
    """Whether the session shows the composer (a reply is being written)."""
    screen = app.screen
    return isinstance(screen, SessionScreen) and screen.query_one(ReplyComposer).is_open


def composer_of(app: App) -> ReplyComposer:
    """The session's open composer (asserts a reply is being written, the text focused)."""
    assert composing(app), f"no reply is being written (screen: {app.screen!r})"
    composer = app.screen.query_one(ReplyComposer)
    assert app.focused is not None and app.focused.id == "composer-text", app.focused
    return composer


async def start_reply(app: App, pilot: Pilot) -> ReplyComposer:
    """Press r on the highlighted question; the open composer."""
    await pilot.press("r")
    await pilot.pause()
    return composer_of(app)


RISKY_REPLY = "Sorry! I'll check with the team by Friday and refund the fee."
"""A reply with a promise, a date and a refund: public, it needs a confirmation."""


async def highlight_by_reach(screen: SessionScreen, pilot: Pilot, public: bool) -> str:
    """Highlight the first question whose reply is public (or private); its id."""
    from cxdaily.connectors.demo import PUBLIC_SERVICES
    from cxdaily.ui.widgets.queue import QuestionQueue

    for index, item in enumerate(screen.items):
        if (item.question.meta.get("service") in PUBLIC_SERVICES) is public:
            screen.query_one(QuestionQueue).highlighted = index
            await pilot.pause()
            return item.question.id
    raise AssertionError("no such question in the batch")


async def write_and_send(screen: SessionScreen, pilot: Pilot, text: str, public: bool) -> str:
    """Highlight the first question whose reply is public (or private), write ``text``
    in the composer and press ctrl+s; the question's id."""
    question_id = await highlight_by_reach(screen, pilot, public)
    await pilot.press("r")
    await pilot.pause()
    await type_text(pilot, text)
    await pilot.press("ctrl+s")
    await pilot.pause()
    return question_id


async def settle(app: App, pilot: Pilot) -> None:
    """Let workers finish and the screen catch up."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def footer_once(app: App, pilot: Pilot, shows: Callable[[str], bool]) -> str:
    """The footer line (stripped) once ``shows`` holds for it, or as it is after 2 s."""
    footer = ""
    for _ in range(40):
        await pilot.pause(0.05)
        footer = screen_lines(app)[-1].strip()
        if shows(footer):
            break
    return footer


async def type_text(pilot: Pilot, text: str) -> None:
    """Type ``text`` key by key (spaces and punctuation included)."""
    await pilot.press(*text)


async def palette_prompts(app: App, pilot: Pilot) -> list[str]:
    """The prompts the open command palette lists (once its providers answered)."""
    assert isinstance(app.screen, CommandPalette)
    for _ in range(40):
        await pilot.pause(0.05)
        commands = app.screen.query_one(CommandList)
        if commands.option_count:
            break
    commands = app.screen.query_one(CommandList)
    return [commands.get_option_at_index(i).prompt.plain for i in range(commands.option_count)]


def plain(widget: Widget) -> str:
    """The plain text a Static-like widget displays (its Content, without styles)."""
    visual = getattr(widget, "visual", None)
    if visual is not None and hasattr(visual, "plain"):
        return visual.plain
    return str(widget.render())


def count_layouts(screen: Screen) -> list[int]:
    """Count the screen's layout passes from now on (one entry per pass)."""
    passes: list[int] = []
    original = screen._refresh_layout

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        passes.append(1)
        return original(*args, **kwargs)

    screen._refresh_layout = counted  # type: ignore[method-assign]
    return passes


def shown_part(screen: Widget | App | SessionScreen, part: str) -> str:
    """The plain text of one part of the screen's question view (``"body"``, ``"reply"``
    ...: see :data:`cxdaily.ui.widgets.question_view.SECTIONS`), as it shows now."""
    return screen.query_one(QuestionView).section(part).plain


def screen_update(app: App):
    """The full update of the current screen (with the screens below a modal), exactly
    as the compositor hands it to the driver."""
    return app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)


def screen_lines(app: App) -> list[str]:
    """The text of each row of the terminal, as composed."""
    update = screen_update(app)
    return ["".join(strip.text for strip in line) for line in update.strips]


def screen_text(app: App) -> str:
    """Every row of the terminal, joined with newlines."""
    return "\n".join(screen_lines(app))


def footer_line(app: App) -> str:
    """The terminal's last row: the footer's keys."""
    return screen_lines(app)[-1]


def terminal_output(app: App) -> str:
    """The exact string a driver would write to draw the current screen in full."""
    width, height = app.size
    console = Console(
        file=io.StringIO(),
        width=width,
        height=height,
        force_terminal=True,
        color_system="truecolor",
        legacy_windows=False,
    )
    return screen_update(app).render_segments(console)


def assert_terminal_safe(app: App) -> str:
    """Assert that what the terminal would receive holds no escape sequence, control
    character or bidi override other than the driver's own colours and cursor moves.
    Returns the screen text for further checks."""
    output = terminal_output(app)
    residue = _SGR_OR_CURSOR.sub("", output)
    for ch in ("\x1b", "\x9b", "\x07", "\x9d", "\u202e"):
        assert ch not in residue, f"{ch!r} reaches the terminal: {_around(residue, ch)!r}"
    bad = FORBIDDEN.search(residue.replace("\n", ""))
    assert bad is None, f"control character {bad.group()!r} reaches the terminal"
    # The cells themselves (the text of every segment) are clean too.
    update = screen_update(app)
    for y, line in enumerate(update.strips):
        for strip in line:
            assert_cells_safe(strip, f"row {y}")
    return "\n".join("".join(strip.text for strip in line) for line in update.strips)


def _around(text: str, needle: str) -> str:
    index = text.find(needle)
    return text[max(index - 30, 0) : index + 30]


def find_on_screen(app: App, needle: str) -> tuple[int, int] | None:
    """The (x, y) cell where ``needle`` starts on the terminal, if it is shown."""
    for y, line in enumerate(screen_lines(app)):
        index = line.find(needle)
        if index >= 0:
            return cell_len(line[:index]), y
    return None


def assert_widget_safe(widget: Widget) -> None:
    """Assert the cells a widget renders over its whole size (visible or scrolled away)
    hold no control character, bidi override, link or click action."""
    width, height = widget.size
    for strip in widget.render_lines(Region(0, 0, width, height)):
        assert_cells_safe(strip, widget)


def assert_cells_safe(strip: Strip, where: object) -> None:
    """No control character, bidi override, link or click action in a strip's cells."""
    for segment in strip:
        assert not segment.control, (where, segment)
        found = FORBIDDEN.search(segment.text)
        assert found is None, f"{found.group()!r} in {where!r}: {segment.text!r}"
        style = segment.style
        assert style is None or not style.link, (where, segment)
        assert style is None or "@click" not in (style.meta or {}), (where, segment)


def a_reply(**changes: object) -> Reply:
    """A queued reply, changed by ``changes``."""
    base = Reply(
        id="r1",
        question_id="demo:q1",
        channel="demo",
        body="Thanks!",
        state=ReplyState.QUEUED,
        created_at=UI_NOW,
        updated_at=UI_NOW,
        idempotency_key="k1",
    )
    return base.with_changes(**changes)


async def open_digest(app: App, pilot: Pilot) -> DigestScreen:
    """Press D and wait for the digest screen."""
    await pilot.press("D")
    await settle(app, pilot)
    assert isinstance(app.screen, DigestScreen), app.screen
    return app.screen


def tag_three(service: Service, hostile: str = "Card declined twice") -> None:
    """Two billing insights for product (the second with ``hostile`` words), one praise
    insight for marketing."""
    first, second, third = (item.question.id for item in service.batch().items[:3])
    service.tag(
        first,
        InsightEntry(
            tags=("billing",), team="product", importance=3, summary="Charged after cancelling"
        ),
    )
    service.tag(
        second, InsightEntry(tags=("billing",), team="product", summary=hostile, quote=hostile)
    )
    service.tag(third, InsightEntry(tags=("praise",), team="marketing", summary="Loves exports"))
