"""The cxdaily app: themes, keys, the command palette, and the flow between screens
(start -> session -> wrap-up)."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import signal
from collections.abc import Iterable
from functools import partial
from pathlib import Path, PurePath
from typing import Any

from textual import events, work
from textual.app import App, SystemCommand
from textual.await_complete import AwaitComplete
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.screen import Screen

from cxdaily.core.errors import CxDailyError
from cxdaily.core.safe_text import clean
from cxdaily.curation import Batch
from cxdaily.paths import builtin_themes_dir
from cxdaily.service import Service
from cxdaily.streaks import Streak
from cxdaily.ui.cell_widths import count_spacing_marks
from cxdaily.ui.heap import HeapKeeper
from cxdaily.ui.keys import APP_COMMANDS, COMMANDS_BY_ID, KeyCommand, KeyNames, bindings
from cxdaily.ui.messages import OpenDemo, ReplyCancelled, WrapUp
from cxdaily.ui.reply_windows import ReplyWindows
from cxdaily.ui.session_ahead import SessionAhead
from cxdaily.ui.themes import DEFAULT_THEME, VARIABLE_DEFAULTS, load_themes

FIRST_STYLESHEETS = ("app.tcss", "screens/start.tcss")
"""The stylesheets of the first frame, in the themes folder: the app's and the start
screen's (the other screens' load later: :meth:`CxDailyApp.load_screen_styles`)."""


def stylesheets() -> list[str | PurePath]:
    """The first frame's stylesheets (:data:`FIRST_STYLESHEETS`)."""
    folder = builtin_themes_dir()
    return [folder / name for name in FIRST_STYLESHEETS]


def later_stylesheets() -> list[PurePath]:
    """The other screens' stylesheets, one per screen or family of screens."""
    folder = builtin_themes_dir()
    first = {folder / name for name in FIRST_STYLESHEETS}
    return [path for path in sorted((folder / "screens").glob("*.tcss")) if path not in first]


def write_crash_log(folder: Path, error: BaseException | None) -> Path:
    """Append a traceback (never local variables) to ``crash.log`` in the data folder."""
    import os
    import traceback

    from cxdaily.core.clock import now, to_iso

    path = folder / "crash.log"
    lines = traceback.format_exception(error) if error else ["(no exception recorded)\n"]
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as log:
            log.write(f"--- {to_iso(now())}\n{''.join(lines)}\n")
    except OSError:
        pass
    return path


def screen_commands(screen: Screen) -> tuple[KeyCommand, ...]:
    """The key commands a screen declares (for the palette)."""
    return getattr(screen, "KEY_COMMANDS", ())


OPEN_DEMO = "open-demo"
"""What the app returns when the leader asked for the demo inbox: ``cxdaily`` then opens
the demo profile."""


TERMINATED = 128 + signal.SIGTERM
"""The exit status after the process was asked to end (SIGTERM), as shells report it."""


class CxDailyApp(App[str | None]):
    """The terminal app over one :class:`Service`."""

    TITLE = "cxdaily"
    CSS_PATH = stylesheets()
    BINDINGS = bindings(APP_COMMANDS)
    NOTIFICATION_TIMEOUT = 6

    def __init__(self, service: Service, *, demo: bool = False) -> None:
        count_spacing_marks()  # measure Devanagari, Tamil ... as the terminal draws them
        super().__init__()
        self._service = service
        service.hold_for_session()  # a command started meanwhile does not wait for it
        self.demo = demo
        self.streak: Streak | None = None
        self.key_names = KeyNames(service.settings.keys)  # what hints call each key
        self._theme_notes = self._apply_themes()  # before the CSS is parsed: no re-parse
        self._saved_theme = self.theme
        self.reply_windows = ReplyWindows(self)
        """Sends each reply when its undo window ends (see :mod:`cxdaily.ui.reply_windows`)."""
        self.heap = HeapKeeper()
        """Freezes the records the app keeps, and runs full collections only while the
        leader is idle (see :mod:`cxdaily.ui.heap`)."""
        self.terminated = False
        """The process was asked to end (SIGTERM) and the app quit for it."""
        self._screen_styles_loaded = False
        self.session_ahead = SessionAhead(self, service)
        """The session screen built while the leader reads the start screen (see
        :mod:`cxdaily.ui.session_ahead`)."""

    @property
    def service(self) -> Service:
        """The service the app works on (screens reach it through :func:`service_of`)."""
        return self._service

    @property
    def settles_heap(self) -> bool:
        """Whether the app started with the cyclic collector paused, as ``cxdaily``
        starts it (then it manages the heap: see :mod:`cxdaily.ui.heap`)."""
        return self.heap.active

    def settle_heap(self) -> None:
        """Freeze what is alive now (the first frame's records, the streak's, a refreshed
        batch's: they live as long as the app) and let the collector run (see
        :meth:`HeapKeeper.settle`)."""
        self.heap.settle()

    async def on_event(self, event: events.Event) -> None:
        """Note each key press and mouse action (full collections wait for a pause)."""
        if isinstance(event, events.InputEvent):
            self.heap.saw_input()
        await super().on_event(event)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """Literal fallbacks for the app's own theme variables."""
        return dict(VARIABLE_DEFAULTS)

    def get_default_screen(self) -> Screen:
        """The start screen is the app's first and bottom screen."""
        from cxdaily.ui.screens.start import StartScreen  # screens may import this module

        return StartScreen()

    def on_mount(self) -> None:
        """Report theme problems, apply the keymap, and once the first frame is drawn
        keep retrying the outbox."""
        for note in self._theme_notes:
            self.notify(note, severity="warning", markup=False)
        self._apply_keymap()
        self.call_after_refresh(self._watch_outbox)
        self._quit_on_terminate()
        if self.heap.active:
            self.set_interval(1.0, self.heap.collect_if_idle)

    def _watch_outbox(self) -> None:
        """Retry due replies every minute, and send each reply when its undo window ends
        (one may still be in its window since the last run)."""
        from cxdaily.ui.outbox_status import start_outbox_retries

        start_outbox_retries(self)
        self.reply_windows.schedule()

    def _apply_themes(self) -> list[str]:
        """Register built-in and user themes and select the configured one; returns
        the problems to tell the user once the app is running."""
        notes = []
        themes, problems = load_themes(builtin_themes_dir(), self.service.locations.user_themes_dir)
        for theme in themes:
            self.register_theme(theme)
        for problem in problems:
            notes.append(f"Theme file {problem.path.name} was not loaded: {problem.message}")
        wanted = self.service.settings.theme
        if wanted not in self.available_themes:
            notes.append(f"Theme {wanted!r} is not available; using {DEFAULT_THEME}.")
            wanted = DEFAULT_THEME
        self._select_theme(wanted)
        return notes

    def watch_theme(self, theme: str) -> None:
        """A theme picked while the app runs (the palette) is saved for the next launch."""
        if theme != self._saved_theme:
            self._saved_theme = theme
            self._save_theme(theme)

    @work(thread=True, exclusive=True, group="save-theme", exit_on_error=False)
    def _save_theme(self, theme: str) -> None:
        """Write ``[ui] theme`` into the user's config, keeping the rest of the file."""
        from cxdaily.settings.edit import set_value

        try:
            set_value(self.service.locations.config_file, "ui", "theme", theme)
        except CxDailyError as exc:
            self.call_from_thread(
                self.notify, f"The theme was not saved: {exc}", severity="warning", markup=False
            )

    def _select_theme(self, name: str) -> None:
        """Select a theme before the app runs.

        Setting ``App.theme`` queues a full re-parse of every stylesheet, which is wasted
        work before the first parse (about a tenth of start-up). The value is set without
        its watcher instead, with what the watcher would do: the theme's classes, the CSS
        variables the first parse will use, and the ANSI colour mapping."""
        self.set_reactive(App.theme, name)
        theme = self.current_theme
        self.update_classes(
            {
                **{c: False for c in self.classes if c.startswith("-theme-")},
                f"-theme-{theme.name}": True,
                "-dark-mode": theme.dark,
                "-light-mode": not theme.dark,
            },
            update=False,
        )
        self.stylesheet.set_variables(self.get_css_variables())
        refresh_ansi = getattr(self, "_refresh_truecolor_filter", None)
        if refresh_ansi is not None:  # maps ANSI colours for a light or dark theme
            refresh_ansi(self.ansi_theme)

    def _apply_keymap(self) -> None:
        keymap = self.service.settings.keys
        if not keymap:
            return
        unknown = sorted(set(keymap) - set(COMMANDS_BY_ID))
        if unknown:
            self.notify(
                f"[keys] {', '.join(unknown)}: no such key binding "
                f"(see {self.key_names.key('help')} for the ids).",
                severity="warning",
                markup=False,
            )
        for conflict in self.key_names.conflicts:
            self.notify(conflict, severity="warning", markup=False)
        self.set_keymap(self.key_names.keymap)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast goes through here: text that is not our own markup (errors quoting a
        service or a customer) is cleaned of escape sequences and control characters."""
        if not markup:
            message = clean(message)
        super().notify(
            message, title=clean(title), severity=severity, timeout=timeout, markup=markup
        )

    def _quit_on_terminate(self) -> None:
        """Quit as ``ctrl+q`` does when the process is asked to end (SIGTERM: ``kill``,
        a session manager, a service stopping): the session's end is recorded, the
        terminal given back as it was, and what closing does still runs (the replies
        left in their undo window sent, the next launch's batch kept). Left to the
        default, the process died with the terminal still in the app's mode: no echo, and
        the app's last frame on screen. Nothing here when signals cannot be caught (not
        the main thread, or a platform without them)."""
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self.terminate)

    def on_unmount(self) -> None:
        """The process's own handling of SIGTERM again, once the app is gone."""
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().remove_signal_handler(signal.SIGTERM)

    def terminate(self) -> None:
        """Quit because the process was asked to end (see :meth:`_quit_on_terminate`)."""
        self.terminated = True
        self.call_later(self.action_quit)

    async def action_quit(self) -> None:
        """Quitting mid-session (ctrl+q, the palette) still records when the session ended."""
        from cxdaily.ui.screens.session import SessionScreen

        for screen in self.screen_stack:
            if isinstance(screen, SessionScreen):
                screen.clock.record_end()
        self.exit()

    def exit(self, result: str | None = None, return_code: int = 0, message: Any = None) -> None:
        """Exit (see :meth:`App.exit`), once a session screen being built ahead is mounted:
        a close that cut its building short would mount its widgets without their parts
        (see :meth:`SessionAhead.settle`); none is built from then on."""
        self.session_ahead.closing = True
        if self.session_ahead.building:
            self.call_later(self._exit_once_built, result, return_code, message)
            return
        super().exit(result, return_code, message)

    async def _exit_once_built(self, result: str | None, return_code: int, message: Any) -> None:
        await self.session_ahead.settle()
        super().exit(result, return_code, message)

    async def _shutdown(self) -> None:
        """Textual's shutdown, when the app is closed without :meth:`exit` (a test
        harness): once a session screen being built ahead is mounted, as for ``exit``."""
        await self.session_ahead.settle()
        await super()._shutdown()

    # crashes ------------------------------------------------------------------------
    def _handle_exception(self, error: Exception) -> None:
        self._crash = error
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """Replace Textual's crash dump (which prints local variables, customer text and all)
        with one line; the traceback, without locals, goes to a private crash log."""
        from rich.text import Text

        self.bell()
        error = getattr(self, "_crash", None)
        name = type(error).__name__ if error else "error"
        where = write_crash_log(self.service.locations.data_dir, error)
        self._exit_renderables.append(
            Text(
                f"cxdaily: stopped on an internal error ({name}); everything you saved is kept. "
                f"Details: {where}"
            )
        )
        self._close_messages_no_wait()

    # flow -----------------------------------------------------------------------
    def prepare_screens(self) -> None:
        """Load what the next screens need ahead of them (the start screen asks, while
        the leader reads the batch): the other screens' stylesheets and the session
        screen's modules, so that ``enter`` opens the session without waiting for them.
        A screen shown sooner loads them itself."""
        self.load_screen_styles()
        importlib.import_module("cxdaily.ui.screens.session")

    def load_screen_styles(self) -> None:
        """Load the other screens' stylesheets, once: while the leader reads the start
        screen (it asks), or before any other screen shows. Textual keeps the rules it
        parsed already, so only these are parsed (at launch they would cost the first
        frame their parsing)."""
        if self._screen_styles_loaded:
            return
        self._screen_styles_loaded = True
        for path in later_stylesheets():
            self.stylesheet.read(path)
        self.stylesheet.update(self)

    def push_screen(
        self,
        screen: Screen[Any] | str,
        callback: Any = None,
        wait_for_dismiss: bool = False,
        *,
        mode: str | None = None,
    ) -> Any:
        """Push ``screen`` (see :meth:`App.push_screen`), its stylesheet loaded first."""
        self.load_screen_styles()
        if wait_for_dismiss:
            return super().push_screen(screen, callback, wait_for_dismiss=True, mode=mode)
        return super().push_screen(screen, callback, mode=mode)

    def switch_screen(self, screen: Screen[Any] | str) -> AwaitComplete:
        """Show ``screen`` in place of the current one (see :meth:`App.switch_screen`),
        its stylesheet loaded first."""
        self.load_screen_styles()
        return super().switch_screen(screen)

    def begin_session(self, batch: Batch) -> None:
        """Start a session on ``batch`` and show it (in the screen built ahead for the
        batch when there is one). The start screen's ``enter`` calls this while the app
        handles the key (a priority binding), so the keys typed right after it go to
        the session."""
        try:
            session = self.service.start_session(batch)
        except CxDailyError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        screen = self.session_ahead.take(batch)
        if screen is not None:
            screen.begin(session)
        else:
            from cxdaily.ui.screens.session import SessionScreen

            screen = SessionScreen(batch, session)
        self.push_screen(screen)

    def on_open_demo(self, message: OpenDemo) -> None:
        """Leave, asking the command line to open the demo inbox (it has its own profile)."""
        if not self.demo:
            self.exit(result=OPEN_DEMO)

    def on_reply_cancelled(self, message: ReplyCancelled) -> None:
        """A cancelled reply reopens its question in the session under way, if any."""
        from cxdaily.ui.screens.session import SessionScreen

        for screen in self.screen_stack:
            if isinstance(screen, SessionScreen):
                screen.reopen(message.question_id)

    def on_wrap_up(self, message: WrapUp) -> None:
        """End the session and show the wrap-up."""
        try:
            self.service.update_session(message.session)
            summary = self.service.summarize(message.session, message.questions or None)
        except CxDailyError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.streak = summary.streak
        from cxdaily.ui.screens.wrapup import WrapUpScreen

        self.switch_screen(WrapUpScreen(summary))

    # help and palette ---------------------------------------------------------------
    def action_help(self) -> None:
        """Show every key."""
        from cxdaily.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.key_names, screen_commands(self.screen)))

    def action_stats(self) -> None:
        """Show the streak, a year's calendar and personal stats (not over a dialog)."""
        from textual.screen import ModalScreen

        from cxdaily.ui.screens.stats import StatsScreen

        if not isinstance(self.screen, StatsScreen | ModalScreen):
            self.push_screen(StatsScreen())

    def action_promises(self) -> None:
        """Show open promises and unsent replies (not over a dialog)."""
        from textual.screen import ModalScreen

        from cxdaily.ui.screens.promises import PromisesScreen

        if not isinstance(self.screen, PromisesScreen | ModalScreen):
            self.push_screen(PromisesScreen())

    def action_digest(self) -> None:
        """Show the insight digest with its export (not over a dialog)."""
        from textual.screen import ModalScreen

        from cxdaily.ui.screens.digest import DigestScreen

        if not isinstance(self.screen, DigestScreen | ModalScreen):
            self.push_screen(DigestScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every command of the current screen, plus the app's own, from the key table;
        not one the screen has switched off now (its ``check_action`` says False: the
        company's digest without team mode), which would do nothing when chosen."""
        for command in screen_commands(screen):
            if screen.check_action(command.action, ()) is False:
                continue
            title, description = command.palette_entry(self.key_names)
            yield SystemCommand(title, description, partial(screen.run_action, command.action))
        for command in APP_COMMANDS:
            if command.palette:
                title, description = command.palette_entry(self.key_names)
                yield SystemCommand(title, description, partial(self.run_action, command.action))
        yield from super().get_system_commands(screen)


def cxdaily_app(node: DOMNode) -> CxDailyApp:
    """The cxdaily app a screen or widget runs in, typed (``node.app`` is any App to the
    type checker, so ``node.app.service`` and ``node.app.streak`` are untyped)."""
    app = node.app
    if not isinstance(app, CxDailyApp):
        raise TypeError(f"{type(node).__name__} runs outside the cxdaily app")
    return app


def service_of(node: DOMNode) -> Service:
    """The service of the cxdaily app a screen or widget runs in, typed."""
    return cxdaily_app(node).service


def app_of(node: DOMNode) -> CxDailyApp:
    """The cxdaily app a screen or widget runs in, typed."""
    app = node.app
    if not isinstance(app, CxDailyApp):
        raise TypeError(f"{type(node).__name__} runs outside the cxdaily app")
    return app
