"""Messages between the screens and the app: a screen asks, the app moves between screens.

Screens post these (they bubble to the app) rather than call the app's methods, so a
screen knows nothing of the screens before or after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from cxdaily.core.models import Session
    from cxdaily.curation import Batch


class BeginSession(Message):
    """Start a session on ``batch`` (the start screen's enter)."""

    def __init__(self, batch: Batch) -> None:
        super().__init__()
        self.batch = batch


class WrapUp(Message):
    """End ``session`` and show the wrap-up (the session screen's q, or time is up)."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session


class OpenDemo(Message):
    """Leave this profile and open the demo inbox (the no-channel start screen's d)."""


class ReplyCancelled(Message):
    """An unsent reply to ``question_id`` was cancelled: the question is open again."""

    def __init__(self, question_id: str) -> None:
        super().__init__()
        self.question_id = question_id
