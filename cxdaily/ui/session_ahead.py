"""The session screen built ahead: while the leader reads the start screen, the session
screen for the batch shown is composed and filled off the screen stack, so ``enter``
only begins the session in it and shows it.

Building the screen (its widgets, their styles, the queue, the first question) is most
of what opening the session costs; the leader reads the batch for seconds before
pressing ``enter``, and that time pays for it. The screen is built on the session the
batch would begin (:meth:`Service.plan_session`); nothing is saved until ``enter``,
which saves the session and starts its clock (:meth:`SessionScreen.begin`). When the
start screen shows another batch (the refresh brought one, a must-see question was
added), the same screen takes it in (:meth:`SessionScreen.take_batch`), so a screen is
never thrown away half built; ``enter`` builds one as before when none is ready. The
app closes only once a screen being built is mounted (:meth:`SessionAhead.settle`, a
second at most), and builds none once it is closing: a screen whose building the close
cut short would mount its widgets without their parts.

Once built, the screen is also drawn ahead (:func:`draw_offstage`): laid out at the
terminal's size and rendered once off the terminal, so that each widget keeps the lines
it drew. The first frame after ``enter`` then only composes those lines; without it,
``enter`` laid out, restyled and drew the whole screen before its first frame (about
twice a frame at 60 Hz). The screen is drawn again when it takes another batch, the
terminal changes size or the theme changes; a change to one of its widgets after that
(the draft marks read again at ``enter``) only redraws that widget. Textual restyles a
screen each time it is pushed, which would throw the drawn lines away; the screen drawn
ahead is not restyled when first shown, since its styles are current: it was styled
when it was mounted, each class set on it restyles it, and a new theme restyles it here
(:meth:`SessionAhead.draw` is then called again).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.geometry import Size
from textual.screen import Screen
from textual.timer import Timer

from cxdaily.core.errors import CxDailyError
from cxdaily.curation import Batch
from cxdaily.service import Service

if TYPE_CHECKING:
    from cxdaily.ui.screens.session import SessionScreen

SETTLE_STEP_S = 0.005
SETTLE_TRIES = 200
"""How long closing waits for a screen being built: 200 looks, 5 ms apart."""
DRAW_PASSES = 2
DRAW_STEP_S = 0.05
"""The screen built ahead is drawn twice, 50 ms apart: laying it out tells its widgets
their sizes, and some answer with a change (the narrow desk, the queue's scroll
bar); the second pass draws what will be shown."""


class SessionAhead:
    """Keeps at most one session screen built ahead for the app."""

    def __init__(self, app: App[Any], service: Service) -> None:
        self.app = app
        self.service = service
        self.screen: SessionScreen | None = None
        """The screen built ahead (None: none is)."""
        self.closing = False
        """The app is closing: no screen is built from now on."""
        self._passes_left = 0
        """Passes of drawing the screen built ahead still to come (see :meth:`draw`)."""
        self._next_pass: Timer | None = None
        """The timer of the next pass, while one is to come."""
        self._follows_theme = False
        """Subscribed to the app's theme changes (once, with the first screen built)."""

    def build(self, batch: Batch) -> None:
        """Have the session screen built ahead show ``batch`` (building it off the screen
        stack the first time; nothing for a batch without questions, or an app that is
        no longer running)."""
        if self.closing or not batch.items or not self.app.is_running:
            return
        if self.screen is not None and self.screen.session_batch is batch:
            return
        try:
            planned = self.service.plan_session(batch)
        except CxDailyError:
            return  # enter builds the screen, and reports the error then
        if self.screen is not None:
            self.screen.take_batch(batch, planned)
        else:
            from cxdaily.ui.screens.session import SessionScreen

            if not self._follows_theme:
                self.app.theme_changed_signal.subscribe(self.app, self._theme_changed)
                self._follows_theme = True
            self.screen = SessionScreen(batch, planned, begun=False)
            # Textual composes and mounts a screen when it first joins the stack;
            # registering it with the app does that now, off the stack and the terminal.
            self.app._register(self.app, self.screen)
        self.draw()

    def draw(self) -> None:
        """Have the screen built ahead drawn off the terminal at the terminal's size, in
        :data:`DRAW_PASSES` passes from :data:`DRAW_STEP_S` from now (again, when it was:
        it took another batch, the terminal changed size, the theme changed). Each call
        puts the first pass off: a terminal being resized draws once it keeps its size."""
        screen = self.screen
        if screen is None or self.closing:
            return
        screen.drawn_ahead = False
        self._passes_left = DRAW_PASSES
        if self._next_pass is None:
            self._next_pass = self.app.set_timer(DRAW_STEP_S, self._draw_pass)
        else:
            self._next_pass.reset()

    def _theme_changed(self, _theme: object) -> None:
        """Textual restyles the screens on the stack for a new theme, not one built
        ahead: restyle it, and draw it again."""
        if self.screen is not None and self.screen.is_mounted:
            self.screen.update_node_styles(animate=False)
            self.draw()

    def _draw_pass(self) -> None:
        """One pass of :meth:`draw` (the screen is first mounted, when it is being built)."""
        self._next_pass = None
        screen = self.screen
        if screen is None or self.closing or screen.is_active:
            return  # taken, or shown: drawing it is Textual's now
        if screen.is_mounted:
            draw_offstage(screen, self.app.size)
            self._passes_left -= 1
            if not self._passes_left:
                screen.drawn_ahead = True
                return
        self._next_pass = self.app.set_timer(DRAW_STEP_S, self._draw_pass)

    @property
    def building(self) -> bool:
        """Whether a screen is being built (not mounted yet)."""
        return self.screen is not None and not self.screen.is_mounted

    async def settle(self) -> None:
        """Wait (a second at most) for a screen still being built to be mounted: the app
        closes after it, since a screen whose building the close cut short would mount
        without its widgets."""
        for _ in range(SETTLE_TRIES):
            if not self.building:
                return
            await asyncio.sleep(SETTLE_STEP_S)

    def take(self, batch: Batch) -> SessionScreen | None:
        """The screen built ahead, showing ``batch``, once composed and filled (None when
        there is none yet: the caller builds one); it is no longer kept ahead after this."""
        screen = self.screen
        if screen is None or not screen.is_mounted:
            return None
        self.screen = None
        if self._next_pass is not None:
            self._next_pass.stop()
            self._next_pass = None
        if screen.session_batch is not batch:
            screen.take_batch(batch, screen.session)
        return screen


def draw_offstage(screen: Screen, size: Size) -> None:
    """Lay ``screen`` out at ``size`` and render every widget on it once, off the
    terminal: each widget keeps the lines it rendered until it changes, so the frame that
    first shows the screen only composes them. Also starts the screen's repaint timer,
    which Textual starts at its first repaint: started then, it waits a whole tick (4 ms)
    before that first frame. Textual has no public call for this; these are the steps it
    takes for the screen it shows (a screen not shown is laid out, never drawn). An empty
    ``size`` (no terminal yet) draws nothing."""
    if not size:
        return
    screen._refresh_layout(size)
    screen._compositor.render_full_update()
    screen._update_timer.resume()  # its tick does nothing while the screen is not shown
