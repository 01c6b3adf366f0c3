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
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual.app import App

from cxdaily.core.errors import CxDailyError
from cxdaily.curation import Batch
from cxdaily.service import Service

if TYPE_CHECKING:
    from cxdaily.ui.screens.session import SessionScreen

SETTLE_STEP_S = 0.005
SETTLE_TRIES = 200
"""How long closing waits for a screen being built: 200 looks, 5 ms apart."""


class SessionAhead:
    """Keeps at most one session screen built ahead for the app."""

    def __init__(self, app: App[Any], service: Service) -> None:
        self.app = app
        self.service = service
        self.screen: SessionScreen | None = None
        """The screen built ahead (None: none is)."""
        self.closing = False
        """The app is closing: no screen is built from now on."""

    def build(self, batch: Batch) -> None:
        """Have the session screen built ahead show ``batch`` (building it off the screen
        stack the first time; nothing for a batch without questions)."""
        if self.closing or not batch.items:
            return
        if self.screen is not None and self.screen.session_batch is batch:
            return
        try:
            planned = self.service.plan_session(batch)
        except CxDailyError:
            return  # enter builds the screen, and reports the error then
        if self.screen is not None:
            self.screen.take_batch(batch, planned)
            return
        from cxdaily.ui.screens.session import SessionScreen

        self.screen = SessionScreen(batch, planned, begun=False)
        # Textual composes and mounts a screen when it first joins the stack; registering
        # it with the app does that now, off the stack and off the terminal.
        self.app._register(self.app, self.screen)

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
        if screen.session_batch is not batch:
            screen.take_batch(batch, screen.session)
        return screen
