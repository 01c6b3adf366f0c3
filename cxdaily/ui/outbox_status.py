"""What the app says about the outbox and the promise ledger, the periodic retry, and
"send now".

The app retries due replies every minute in a thread worker (the start screen also
flushes the outbox after its first refresh); the outbox itself makes sure one reply is
never sent by two workers at once. :func:`send_now` sends one reply, or every unsent one
that is not held, saying which one it is sending ("Sending 2 of 3: the reply to Jane
Doe…") and then how it went. Replies are named by the customer they answer and their
attempts counted with :mod:`cxdaily.replies.outbox_words`, the wording the command line
uses too. After every attempt, a question view showing the reply's question shows the
reply as it now stands.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from textual.content import Content
from textual.notifications import SeverityLevel

from cxdaily.core.errors import CxDailyError
from cxdaily.core.models import Reply, ReplyState
from cxdaily.core.safe_text import one_line
from cxdaily.core.words import plural
from cxdaily.replies.outbox_words import attempts_words, progress_words
from cxdaily.replies.promises import Promise
from cxdaily.ui.keys import DEFAULT_KEY_NAMES, KeyNames
from cxdaily.ui.widgets.question_view import show_reply_everywhere

if TYPE_CHECKING:
    from textual.app import App

    from cxdaily.ui.app import CxDailyApp

RETRY_EVERY_S = 60.0


#: Characters of a reason shown in a toast.
REASON_LIMIT = 200


def failure_line(exc: BaseException) -> str:
    """One line for an error a worker caught: cxdaily's own message, or what was raised."""
    if isinstance(exc, CxDailyError):
        return one_line(exc, 400)
    return one_line(f"unexpected {type(exc).__name__}: {exc}", 400)


def why_waiting(reply: Reply) -> str:
    """Why an unsent reply waits, in one line: its hold, else its last error."""
    return one_line(reply.hold or reply.error or reply.state.value, REASON_LIMIT)


def customer_names(app: App, replies: list[Reply]) -> dict[str, str]:
    """From a worker thread: who each reply answers, by question id (the ids themselves
    when the app has no service or the questions cannot be read)."""
    ids = [r.question_id for r in replies]
    service = getattr(app, "service", None)
    replies_part = getattr(service, "replies", None)
    if replies_part is None:
        return {i: i for i in ids}
    try:
        names: dict[str, str] = replies_part.customer_names(ids)
    except Exception:  # a name is a nicety: never let it hide the outcome
        return {i: i for i in ids}
    return names


def not_sent_line(reply: Reply, not_sent: str, customer: str | None = None) -> str:
    """'Not sent yet: <why> (the reply to Jane Doe, 2 attempts)': one line."""
    to = f"the reply to {one_line(customer, 60)}, " if customer else ""
    return f"{not_sent}: {why_waiting(reply)} ({to}{attempts_words(reply)})"


def tell_attempt(app: App, result: Reply, not_sent: str) -> None:
    """From a worker thread: toast how one send attempt went ("Reply sent.", else
    ``not_sent`` with the hold or error, the customer and the attempts), and show the
    reply anew where its question is shown."""
    if result.state is ReplyState.SENT:
        app.call_from_thread(app.notify, "Reply sent.", timeout=2)
    else:
        customer = customer_names(app, [result]).get(result.question_id)
        app.call_from_thread(
            app.notify,
            not_sent_line(result, not_sent, customer),
            severity="warning",
            markup=False,
        )
    app.call_from_thread(show_reply_everywhere, app, result)


def names_line(replies: list[Reply], names: Mapping[str, str] | None, limit: int = 3) -> str:
    """' (to Jane Doe, Sam Lee and 2 others)', or '' without names."""
    if not names or not replies:
        return ""
    shown = list(
        dict.fromkeys(one_line(names.get(r.question_id, r.question_id), 40) for r in replies)
    )
    more = len(shown) - limit
    listed = ", ".join(shown[:limit]) + (f" and {plural(more, 'other')}" if more > 0 else "")
    return f" (to {listed})"


def flushed_messages(
    attempted: list[Reply],
    quiet: bool = False,
    keys: KeyNames = DEFAULT_KEY_NAMES,
    names: Mapping[str, str] | None = None,
) -> list[tuple[str, SeverityLevel]]:
    """(message, severity) for replies the outbox just attempted; ``quiet`` (the periodic
    retry) leaves out replies that simply wait for their next try. ``names`` (question
    id -> customer) names who the replies answer."""
    messages: list[tuple[str, SeverityLevel]] = []
    sent = [r for r in attempted if r.state is ReplyState.SENT]
    if sent:
        messages.append(
            (
                f"{plural(len(sent), 'waiting reply', 'waiting replies')} sent from the outbox"
                f"{names_line(sent, names)}.",
                "information",
            )
        )
    held = [r for r in attempted if r.hold]
    if held:
        messages.append(
            (
                f"{plural(len(held), 'reply', 'replies')} held in the outbox"
                f"{names_line(held, names)}: it needs you ({keys.key('promises')}).",
                "warning",
            )
        )
    waiting = [r for r in attempted if r.state is not ReplyState.SENT and not r.hold]
    if waiting and not quiet:
        first = "" if len(waiting) == 1 else "first: "
        messages.append(
            (
                f"{plural(len(waiting), 'reply', 'replies')} still in the outbox "
                f"({first}{why_waiting(waiting[0])}){names_line(waiting, names)}; "
                f"retried later ({keys.key('promises')}).",
                "warning",
            )
        )
    return messages


def outcome_messages(
    results: list[Reply], names: Mapping[str, str] | None = None
) -> list[tuple[str, SeverityLevel]]:
    """(message, severity) after "send now": how many went out, and each one that did
    not, with its customer, reason and attempts."""
    if not results:
        return [("Nothing waits in the outbox.", "information")]
    sent = [r for r in results if r.state is ReplyState.SENT]
    waiting = [r for r in results if r.state is not ReplyState.SENT]
    messages: list[tuple[str, SeverityLevel]] = []
    if len(results) == 1 and sent:
        messages.append((f"Reply sent{names_line(sent, names)}.", "information"))
    elif sent:
        messages.append(
            (f"Sent {len(sent)} of {len(results)}{names_line(sent, names)}.", "information")
        )
    for reply in waiting:
        customer = names.get(reply.question_id) if names else None
        messages.append((not_sent_line(reply, "Not sent yet", customer), "warning"))
    return messages


def send_now(
    app: CxDailyApp, reply_id: str | None = None, done: Callable[[], None] | None = None
) -> None:
    """Send one reply now (releasing its hold: the leader decided), or every unsent reply
    that is not held, in a thread worker: a toast before each attempt ("Sending 2 of 3:
    the reply to Jane Doe…"), then the outcome; ``done`` runs on the UI thread after."""

    def progress(position: int, total: int, reply: Reply) -> None:
        customer = customer_names(app, [reply])[reply.question_id]
        app.call_from_thread(
            app.notify, progress_words(position, total, one_line(customer, 60)), timeout=3
        )

    def work() -> None:
        try:
            results = app.service.replies.retry(reply_id, progress=progress)
        except Exception as exc:  # told, never lost in the worker (the outbox records it)
            app.call_from_thread(app.notify, failure_line(exc), severity="error", markup=False)
        else:
            names = customer_names(app, results)
            for message, severity in outcome_messages(results, names):
                app.call_from_thread(app.notify, message, severity=severity, markup=False)
            for result in results:
                app.call_from_thread(show_reply_everywhere, app, result)
        if done is not None:
            app.call_from_thread(done)

    app.run_worker(work, thread=True, group="outbox-send-now", exit_on_error=False)


def ledger_line(
    unsent: list[Reply],
    promises: list[Promise],
    today: date,
    keys: KeyNames = DEFAULT_KEY_NAMES,
) -> Content:
    """'3 promises open (1 overdue, 1 due today) · outbox: 3 unsent, 1 failed, 1 held · p to
    review'."""
    open_ones = [p for p in promises if p.open]
    if not open_ones and not unsent:
        return Content.styled("No open promises · the outbox is empty", "dim")
    parts: list[Content] = []
    if open_ones:
        overdue = sum(1 for p in open_ones if p.overdue(today))
        due_today = sum(1 for p in open_ones if p.due == today)
        notes = [f"{overdue} overdue"] if overdue else []
        notes += [f"{due_today} due today"] if due_today else []
        text = (
            plural(len(open_ones), "promise")
            + " open"
            + (f" ({', '.join(notes)})" if notes else "")
        )
        parts.append(Content.styled(text, "$warning" if overdue else ""))
    if unsent:
        held = sum(1 for r in unsent if r.hold)
        failed = sum(1 for r in unsent if r.state is ReplyState.FAILED and not r.hold)
        text = (
            f"outbox: {len(unsent)} unsent"
            + (f", {failed} failed" if failed else "")
            + (f", {held} held" if held else "")
        )
        parts.append(Content.styled(text, "$warning"))
    parts.append(Content.styled(f"{keys.key('promises')} to review", "dim"))
    return Content(" · ").join(parts)


def start_outbox_retries(app: CxDailyApp) -> None:
    """Retry due replies every minute, in a thread worker."""
    app.set_interval(RETRY_EVERY_S, lambda: retry_due(app))


def retry_due(app: CxDailyApp) -> None:
    """Send the outbox's due replies in a thread worker and tell what happened."""

    def work() -> None:
        try:
            attempted = app.service.send_pending()
        except Exception as exc:  # told, never lost in the worker (the outbox records it)
            app.call_from_thread(app.notify, failure_line(exc), severity="warning", markup=False)
            return
        names = customer_names(app, attempted)
        for message, severity in flushed_messages(
            attempted, quiet=True, keys=app.key_names, names=names
        ):
            app.call_from_thread(app.notify, message, severity=severity, markup=False)
        for reply in attempted:
            app.call_from_thread(show_reply_everywhere, app, reply)

    app.run_worker(work, thread=True, group="outbox", exclusive=True, exit_on_error=False)
