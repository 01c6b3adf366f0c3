"""Messages between the screens and the app: a screen asks, the app moves between screens.

Screens post these (they bubble to the app) rather than call the app's methods, so a
screen knows nothing of the screens before or after it. Beginning the session is the one
call (:meth:`~cxdaily.ui.app.CxDailyApp.begin_session`): a message would reach the app
after the keys typed right behind ``enter``, which the start screen would then swallow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from cxdaily.core.models import Session


class WrapUp(Message):
    """End ``session`` and show the wrap-up (the session screen's q, or time is up);
    ``questions``: the ids of the session's questions (those it began with and those
    added), whose outcomes the wrap-up counts."""

    def __init__(self, session: Session, questions: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.session = session
        self.questions = questions


class OpenDemo(Message):
    """Leave this profile and open the demo inbox (the no-channel start screen's d)."""


class ReplyCancelled(Message):
    """An unsent reply to ``question_id`` was cancelled: the question is open again."""

    def __init__(self, question_id: str) -> None:
        super().__init__()
        self.question_id = question_id


class ReplyChanged(Message, bubble=False):
    """A reply went out, failed or was retried (see ``show_reply_everywhere``): told to
    every screen open, so one listing the outbox reads it again."""

    def __init__(self, reply_id: str) -> None:
        super().__init__()
        self.reply_id = reply_id
