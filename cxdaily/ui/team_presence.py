"""Team mode on the session screen: who else is answering what, claims as the leader
writes, and the team link's line.

:class:`TeamPresence` is a collaborator of the session screen; without ``[team]`` it
does nothing at all. Every few seconds a thread worker reads the service's cached claims
and the link's state (memory only: the service's flusher thread does the network) and
the UI thread then marks the queue (:data:`~cxdaily.ui.widgets.queue.CLAIM_MARK`), shows
"Anna Berg is answering this (3 min ago)" in the question view and redraws the link's
line. Opening the composer claims the question; closing it without a draft releases the
claim (a saved draft keeps it until the draft is cleared, sent or the claim expires).
Claims and releases are queued by the service (a disk write): they run in a worker too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from cxdaily.core.errors import CxDailyError
from cxdaily.ui.widgets.team_link import TeamLinkLine

if TYPE_CHECKING:
    from cxdaily.team.link import LinkState
    from cxdaily.ui.screens.session import SessionScreen

REFRESH_S = 5.0
"""How often the claims and the link's state are read again (from memory)."""


class TeamPresence:
    """The rest of the team as the session screen shows it."""

    def __init__(self, screen: SessionScreen) -> None:
        self.screen = screen
        self.words: dict[str, str] = {}
        """Question id -> who else is answering it, for the questions another leader claimed."""
        self._writes: list[Callable[[], None]] = []
        self._writing = False
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether team mode is on (``[team]`` configured)."""
        return self.screen.service.team is not None

    def start(self) -> None:
        """Read the team's state now and every :data:`REFRESH_S` seconds (team mode)."""
        if self.enabled:
            self.refresh()
            self.screen.set_interval(REFRESH_S, self.refresh)

    def words_for(self, question_id: str) -> str:
        """Who else is answering the question ("" when nobody is known to)."""
        return self.words.get(question_id, "")

    # reading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the claims and the link's state in a thread worker."""
        self.screen.run_worker(
            self._read, thread=True, group="team-read", exclusive=True, exit_on_error=False
        )

    def _read(self) -> None:
        service = self.screen.service
        questions = [item.question for item in self.screen.items]
        try:
            state = service.team_status()
            claims = service.team_claims(questions)
        except CxDailyError:
            return  # the link's line keeps the last state; its flusher reports problems
        now = service.now()
        words = {qid: claim.words(now) for qid, claim in claims.items() if not claim.mine}
        self.screen.app.call_from_thread(self._show, state, words)

    def _show(self, state: LinkState | None, words: dict[str, str]) -> None:
        """On the UI thread: the link's line, the queue's marks, the shown question."""
        screen = self.screen
        if state is not None:
            screen.query_one(TeamLinkLine).show_state(state)
        if words == self.words:
            return
        shown = screen.current()
        before = self.words_for(shown.question.id) if shown else ""
        self.words = words
        screen.pane.set_claimed(set(words))
        if shown is not None and self.words_for(shown.question.id) != before:
            screen.show_current()

    # writing ---------------------------------------------------------------------------
    def claim(self, question_id: str) -> None:
        """The leader opened the composer: claim the question (queued, in a worker)."""
        if self.enabled:
            self._queue_write(lambda: self._claim(question_id))

    def _claim(self, question_id: str) -> None:
        service = self.screen.service
        try:
            held = service.claim(question_id)
        except CxDailyError as exc:
            self.screen.app.call_from_thread(self.screen.report, exc)
            return
        if held is not None:
            self.screen.app.call_from_thread(
                self.screen.notify, held.words(service.now()), severity="warning", markup=False
            )

    def release_unless_drafted(self, question_id: str) -> None:
        """The composer closed without sending: with no draft left, release the claim
        (queued, in a worker); a saved draft keeps it."""
        if self.enabled:
            self._queue_write(lambda: self._release(question_id))

    def _release(self, question_id: str) -> None:
        service = self.screen.service
        try:
            if not service.draft(question_id):
                service.release(question_id)
        except CxDailyError as exc:
            self.screen.app.call_from_thread(self.screen.report, exc)

    def _queue_write(self, write: Callable[[], None]) -> None:
        """Run ``write`` in a thread worker after the writes asked for before it (a claim
        and the release that follows it are queued by the service in that order)."""
        with self._lock:
            self._writes.append(write)
            if self._writing:
                return
            self._writing = True
        self.screen.run_worker(self._drain, thread=True, group="team-write", exit_on_error=False)

    def _drain(self) -> None:
        """The writer worker: run the waiting writes, oldest first, until none is left."""
        try:
            while True:
                with self._lock:
                    if not self._writes:
                        self._writing = False
                        return
                    write = self._writes.pop(0)
                write()
        except BaseException:
            with self._lock:  # the next write starts a new worker for what is left
                self._writing = False
            raise
