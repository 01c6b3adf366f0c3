"""Putting the outbox's records right after a crash, before it sends again.

A reply is saved in the outbox first; its "answered" action is recorded next, and its
promises once it is sent. A crash (or a store that refused a write) in between leaves a
recent reply without its action or its promises: :func:`record_missing_answers` and
:func:`record_missing_promises` find them and record what is missing, once (the reply's
own id keys each record). :class:`cxdaily.service.replies.Replies` runs them before each
round of sending.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cxdaily.core.errors import StoreError
from cxdaily.core.models import Action, Disposition, Reply, ReplyState
from cxdaily.service.context import ServiceContext

if TYPE_CHECKING:
    from cxdaily.replies.promises import Promise

#: How far back the outbox looks for replies whose records a crash may have cut off.
PROMISE_RECONCILE_WINDOW = timedelta(days=14)


def answered_action_id(reply_id: str) -> str:
    """The id of the action that records a reply: recording it twice replaces it."""
    return f"answered-{reply_id}"


def record_missing_answers(context: ServiceContext, now: datetime) -> None:
    """Record the "answered" action of recent replies whose recording failed (or a crash
    cut off) after they were queued: the reply's own id makes it happen once.

    The action counts at the time the reply was queued; its session is not known.
    A store that still cannot save it never stops the outbox from sending."""
    from cxdaily.streaks import record_day

    since = now - PROMISE_RECONCILE_WINDOW
    session = context.settings.session
    store = context.store
    with context.lock:
        if store.folder.read_only:
            return
        try:
            replies = [
                r for r in store.outbox.queued_since(since) if r.state is not ReplyState.CANCELLED
            ]
            if not replies:
                return
            answered: dict[str, list[datetime]] = {}
            first = min(r.created_at for r in replies)
            for action in store.activity.actions(since=first):
                if action.disposition is Disposition.ANSWERED:
                    answered.setdefault(action.question_id, []).append(action.at)
            for reply in replies:
                if any(at >= reply.created_at for at in answered.get(reply.question_id, ())):
                    continue
                action = Action(
                    question_id=reply.question_id,
                    disposition=Disposition.ANSWERED,
                    at=reply.created_at,
                    day=record_day(reply.created_at, session.zone, session.day_start),
                )
                store.activity.record(action, answered_action_id(reply.id))
        except StoreError:
            return  # still unwritable or damaged: sending goes on, the next round retries


def record_missing_promises(
    context: ServiceContext, now: datetime, promises_in: Callable[[Reply], list[Promise]]
) -> None:
    """Record the promises of recent sent replies a crash may have left out
    (``promises_in`` finds a sent reply's promises)."""
    with context.lock:
        recent = context.store.outbox.sent_since(now - PROMISE_RECONCILE_WINDOW)
        recorded = context.store.promises.reply_ids()
    missing = [r for r in recent if r.id not in recorded and r.sent_at is not None]
    found: list[Promise] = []
    for reply in missing:
        found.extend(promises_in(reply))
    if found:
        with context.lock:
            context.store.promises.record(found)
