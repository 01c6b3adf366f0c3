"""How a reply in the outbox is described: one wording for the command line and the app.

``cxdaily outbox list``, its ``--json`` lines, the app's toasts, the outbox screen and
the question's detail pane all name the customer and count the attempts with these
functions, so that they never disagree. The counts come from the stored reply
(:attr:`cxdaily.core.models.Reply.attempts`); the outbox retries without a fixed
maximum (with back-off), so a count has no "of N".
"""

from __future__ import annotations

import math
from datetime import datetime

from cxdaily.core.durations import format_duration
from cxdaily.core.models import Question, Reply, ReplyState
from cxdaily.core.words import plural


def attempts_words(reply: Reply) -> str:
    """'no attempt yet', '1 attempt', '3 attempts': how many times the outbox tried."""
    if reply.attempts <= 0:
        return "no attempt yet"
    return plural(reply.attempts, "attempt")


def customer_label(question: Question | None, question_id: str) -> str:
    """The customer's name (or handle) from the stored question, else the question's id."""
    if question is None:
        return question_id
    author = question.author
    return author.name or author.handle or question_id


def state_words(reply: Reply, in_flight: bool = False) -> str:
    """One word or two for where a reply is: held, failed, interrupted, sending, queued,
    sent or cancelled (``in_flight``: a worker of this process is sending it now; a reply
    stored as ``sending`` that nobody sends was interrupted mid-post)."""
    if reply.hold:
        return "held"
    if reply.state is ReplyState.SENDING and not in_flight:
        return "interrupted"
    return reply.state.value


def progress_words(position: int, total: int, customer: str) -> str:
    """'Sending 2 of 3: the reply to Jane Doe…', or 'Sending the reply to Jane Doe…' when
    there is only one."""
    if total > 1:
        return f"Sending {position} of {total}: the reply to {customer}…"
    return f"Sending the reply to {customer}…"


def undo_window_words(reply: Reply, now: datetime) -> str | None:
    """'goes out in 8s (it can still be pulled back)', or None when the reply does not
    wait for its undo window (the seconds are rounded up: never "in 0s")."""
    from cxdaily.replies.outbox import undo_seconds_left  # the outbox's rules, when shown

    left = undo_seconds_left(reply, now)
    if left <= 0:
        return None
    return f"goes out in {format_duration(math.ceil(left))} (it can still be pulled back)"
