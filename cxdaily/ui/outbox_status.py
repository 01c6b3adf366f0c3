"""What the app says about the outbox and the promise ledger, and the periodic retry.

The app retries due replies every minute in a thread worker (the start screen also
flushes the outbox after its first refresh); the outbox itself makes sure one reply is
never sent by two workers at once.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from textual.content import Content
from textual.notifications import SeverityLevel

from cxdaily.core.errors import CxDailyError
from cxdaily.core.models import Reply, ReplyState
from cxdaily.core.safe_text import one_line
from cxdaily.core.words import plural
from cxdaily.replies.promises import Promise
from cxdaily.ui.keys import DEFAULT_KEY_NAMES, KeyNames

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


def tell_attempt(app: App, result: Reply, not_sent: str) -> None:
    """From a worker thread: toast how one send attempt went ("Reply sent.", else
    ``not_sent`` with the hold or error)."""
    if result.state is ReplyState.SENT:
        app.call_from_thread(app.notify, "Reply sent.", timeout=2)
    else:
        app.call_from_thread(
            app.notify, f"{not_sent}: {why_waiting(result)}", severity="warning", markup=False
        )


def flushed_messages(
    attempted: list[Reply], quiet: bool = False, keys: KeyNames = DEFAULT_KEY_NAMES
) -> list[tuple[str, SeverityLevel]]:
    """(message, severity) for replies the outbox just attempted; ``quiet`` (the periodic
    retry) leaves out replies that simply wait for their next try."""
    messages: list[tuple[str, SeverityLevel]] = []
    sent = sum(1 for r in attempted if r.state is ReplyState.SENT)
    if sent:
        messages.append(
            (
                f"{plural(sent, 'waiting reply', 'waiting replies')} sent from the outbox.",
                "information",
            )
        )
    held = [r for r in attempted if r.hold]
    if held:
        messages.append(
            (
                f"{plural(len(held), 'reply', 'replies')} held in the outbox: it needs you "
                f"({keys.key('promises')}).",
                "warning",
            )
        )
    waiting = [r for r in attempted if r.state is not ReplyState.SENT and not r.hold]
    if waiting and not quiet:
        first = "" if len(waiting) == 1 else "first: "
        messages.append(
            (
                f"{plural(len(waiting), 'reply', 'replies')} still in the outbox "
                f"({first}{why_waiting(waiting[0])}); retried later ({keys.key('promises')}).",
                "warning",
            )
        )
    return messages


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
        for message, severity in flushed_messages(attempted, quiet=True, keys=app.key_names):
            app.call_from_thread(app.notify, message, severity=severity, markup=False)

    app.run_worker(work, thread=True, group="outbox", exclusive=True, exit_on_error=False)
