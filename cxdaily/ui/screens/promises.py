"""Promises and the outbox: the follow-ups promised in sent replies, and the replies that
have not gone out yet.

``d`` marks the highlighted promise kept; on an unsent reply ``r`` sends it now (also
when it is held: the leader decided) and ``x`` cancels it (its text comes back as the
question's draft). ``tab`` moves between the two lists; escape or q goes back.
"""

from __future__ import annotations

from datetime import date, datetime

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cxdaily.core.errors import CxDailyError
from cxdaily.core.models import Reply, ReplyState
from cxdaily.core.words import plural
from cxdaily.replies.outbox_words import attempts_words
from cxdaily.replies.promises import Promise
from cxdaily.ui.app import service_of
from cxdaily.ui.keys import DEFAULT_KEY_NAMES, PROMISES_COMMANDS, KeyedNode, KeyNames, key_names
from cxdaily.ui.messages import ReplyCancelled, ReplyChanged
from cxdaily.ui.outbox_status import customer_names, send_now
from cxdaily.ui.text import hanging, safe_line
from cxdaily.ui.widgets.key_footer import KeyFooter


def due_words(due: date | None, today: date) -> tuple[str, str]:
    """('due Fri 27 Nov', style): overdue in the error colour, today in the warning one."""
    if due is None:
        return "no date", "dim"
    label = f"{due:%a %-d %b}"
    if due < today:
        days = (today - due).days
        return f"overdue {plural(days, 'day')} ({label})", "$error bold"
    if due == today:
        return "due today", "$warning bold"
    return f"due {label}", ""


def promise_prompt(promise: Promise, today: date, customer: str | None = None) -> Content:
    """Two lines: when it is due and to whom, then the promise itself."""
    words, style = due_words(promise.due, today)
    return Content.assemble(
        Content.styled(words, style),
        Content.styled(" · to ", "dim"),
        safe_line(customer or promise.question_id, 60, "dim"),
        "\n  ",
        safe_line(promise.text, 200),
    )


#: Characters of the reason a reply waits that are shown (an error names a URL and a cause).
WHY_LIMIT = 300


def reply_prompt(
    reply: Reply,
    now: datetime,
    in_flight: bool = False,
    keys: KeyNames = DEFAULT_KEY_NAMES,
    customer: str | None = None,
) -> Content:
    """Two lines: state, customer (else the question's id) and tries, then the reason it
    waits and the text.

    ``in_flight``: a worker of this app is sending the reply right now; a reply stored as
    ``sending`` that nobody is sending was interrupted mid-post, and says so.
    """
    if reply.hold:
        last = f"; last error: {reply.error}" if reply.error else ""
        anyway = f"{keys.key('outbox_retry')} sends it anyway"
        state, style, why = "held", "$warning bold", f"{reply.hold}{last} ({anyway})"
    elif reply.state is ReplyState.FAILED:
        state, style = "failed", "$error bold"
        when = ""
        if reply.next_attempt_at is not None and reply.next_attempt_at > now:
            minutes = max(round((reply.next_attempt_at - now).total_seconds() / 60), 1)
            later = f"{minutes} min" if minutes < 90 else f"{round(minutes / 60)} h"
            when = f"; next try in {later}"
        why = f"{reply.error or 'not sent'}{when}"
    elif reply.state is ReplyState.SENDING and not in_flight:
        state, style = "interrupted", "$warning bold"
        why = (
            "the last attempt stopped before its outcome was known; the thread is checked "
            "(or the reply held for you) before it is sent again"
        )
    elif reply.state is ReplyState.SENDING:
        state, style, why = "sending", "bold", "being sent now"
    else:
        state, style, why = reply.state.value, "bold", "waiting to be sent"
    return Content.assemble(
        Content.styled(state, style),
        Content.styled(f" · {reply.id} · ", "dim"),
        safe_line(customer or reply.question_id, 50, "dim"),
        Content.styled(f" · {attempts_words(reply)}", "dim"),
        "\n  ",
        safe_line(why, WHY_LIMIT, "italic"),
        "\n  ",
        safe_line(reply.body, 160),
    )


def option_width(options: OptionList) -> int:
    """The cells an option's text has in ``options`` (its padding and a scroll bar that
    may come taken off; 0 before the list is laid out)."""
    if options.content_region.width <= 0:
        return 0
    padding = options.get_component_styles("option-list--option").padding.width
    scrollbar = options.styles.scrollbar_size_vertical
    return max(options.content_region.width - padding - scrollbar, 0)


class PromisesScreen(KeyedNode, Screen, commands=PROMISES_COMMANDS):
    """The promise ledger and the unsent replies."""

    def __init__(self) -> None:
        super().__init__()
        self.promises: list[Promise] = []
        self.unsent: list[Reply] = []
        self._prompts: dict[str, tuple[list[Content], str]] = {}
        """What each list shows, by its selector: the prompts and the words for none."""

    def compose(self) -> ComposeResult:
        """Two titled lists and the keys."""
        with Vertical(id="promises-body"):
            yield Static(Content.styled("Promises and outbox", "bold"), id="promises-heading")
            yield Static(id="promises-outbox-title", classes="promises-title")
            yield OptionList(id="promises-outbox")
            yield Static(id="promises-ledger-title", classes="promises-title")
            yield OptionList(id="promises-ledger")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Fill both lists; start in the promises."""
        self.reload()
        self.query_one("#promises-ledger", OptionList).focus()

    def on_reply_changed(self, message: ReplyChanged) -> None:
        """A reply went out (its undo window ended), failed or was retried meanwhile:
        the outbox's list would say "queued" of a reply already sent."""
        self.reload()

    def reload(self) -> None:
        """Read the ledger and the outbox again and redraw."""
        service = service_of(self)
        try:
            self.promises = service.promises()
            self.unsent = service.unsent_replies()
        except CxDailyError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        now = service.now()
        today = service.settings.session.days.today(now)
        names = customer_names(self.app, self.unsent)
        self._fill(
            "#promises-outbox",
            [
                reply_prompt(
                    r, now, service.is_sending(r.id), key_names(self), names.get(r.question_id)
                )
                for r in self.unsent
            ],
            "Nothing waits in the outbox.",
        )
        self._fill(
            "#promises-ledger",
            [promise_prompt(p, today, self._customer(p.question_id)) for p in self.promises],
            "No open promises.",
        )
        self.query_one("#promises-outbox-title", Static).update(
            Content.styled(f"Unsent replies ({len(self.unsent)})", "bold")
        )
        self.query_one("#promises-ledger-title", Static).update(
            Content.styled(f"Open promises ({len(self.promises)})", "bold")
        )
        self.refresh_bindings()  # the keys that act on an empty list are dimmed

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keeping a promise needs a promise, sending or cancelling a reply an unsent
        reply: with none, their keys show dimmed and do nothing."""
        if action == "keep_promise":
            return True if self.promises else None
        if action in ("retry_reply", "cancel_reply"):
            return True if self.unsent else None
        return True

    def _customer(self, question_id: str) -> str | None:
        """Who asked the question (None when it is no longer stored)."""
        try:
            return service_of(self).question(question_id).author.display
        except CxDailyError:
            return None

    def _fill(self, selector: str, prompts: list[Content], empty: str) -> None:
        """Show ``prompts`` in a list (``empty`` when there is none), each wrapped to the
        list's width, its second lines' words under their words (kept, and wrapped again
        when the screen is resized)."""
        self._prompts[selector] = (prompts, empty)
        options = self.query_one(selector, OptionList)
        width = option_width(options)
        highlighted = options.highlighted
        options.clear_options()
        if prompts:
            options.add_options([Option(hanging(p, width)) for p in prompts])
            options.highlighted = min(highlighted or 0, len(prompts) - 1)
        else:
            options.add_option(Option(Content.styled(empty, "dim"), disabled=True))

    def on_resize(self, event: Resize) -> None:
        """Wrap the prompts again at the lists' new width."""
        for selector, (prompts, empty) in self._prompts.items():
            self._fill(selector, prompts, empty)

    def _selected_promise(self) -> Promise | None:
        index = self.query_one("#promises-ledger", OptionList).highlighted
        return self.promises[index] if index is not None and index < len(self.promises) else None

    def _selected_reply(self) -> Reply | None:
        """The highlighted unsent reply; with none, a warning says so."""
        index = self.query_one("#promises-outbox", OptionList).highlighted
        if index is not None and index < len(self.unsent):
            return self.unsent[index]
        self.notify("No unsent reply selected.", severity="warning")
        return None

    def action_keep_promise(self) -> None:
        """Mark the highlighted promise kept."""
        promise = self._selected_promise()
        if promise is None:
            self.notify("No promise selected.", severity="warning")
            return
        try:
            service_of(self).keep_promise(promise.id)
        except CxDailyError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify("Promise kept.", timeout=2)
        self.reload()

    def action_retry_reply(self) -> None:
        """Send the highlighted unsent reply now."""
        reply = self._selected_reply()
        if reply is None:
            return
        send_now(self.app, reply.id, done=self.reload)  # type: ignore[arg-type]

    def action_cancel_reply(self) -> None:
        """Cancel the highlighted unsent reply; its text becomes the draft again."""
        reply = self._selected_reply()
        if reply is None:
            return
        try:
            cancelled = service_of(self).cancel(reply.id)
        except CxDailyError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.post_message(ReplyCancelled(cancelled.question_id))
        warning = " Its last attempt may have reached the service." if reply.uncertain else ""
        self.notify(
            f"Reply {cancelled.id} cancelled; its text is the draft again.{warning}",
            severity="warning" if warning else "information",
        )
        self.reload()

    def action_back(self) -> None:
        """Back to where the leader was."""
        self.dismiss()
