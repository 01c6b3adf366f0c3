"""The customer's history, on one key from the desk.

Who asked the question in view, across channels (addresses, handles, links the leader
confirmed, organisation, VIP), then their other questions, newest first, each with its
channel, day, what was done (the reply sent, the insight tags, a hand-off). Enter shows
one in full, read-only. The leader can confirm that another stored question's author is
the same person (a search over the stored questions), and undo a link confirmed before.

The look-up runs in a thread worker: the first one builds the history index (seconds
over years of history), so the screen says "Reading history…" until it is done.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cxdaily.core.errors import CxDailyError
from cxdaily.core.models import Question
from cxdaily.history import CustomerHistory
from cxdaily.ui.app import service_of
from cxdaily.ui.history_content import link_prompt, past_question_prompt, profile_content
from cxdaily.ui.keys import HISTORY_COMMANDS, KeyedNode, key_names
from cxdaily.ui.modals.link_customer import LinkCustomerScreen
from cxdaily.ui.modals.past_question import PastQuestionScreen
from cxdaily.ui.text import customer_heading
from cxdaily.ui.widgets.key_footer import KeyFooter

QUESTION = "q:"
LINK = "l:"
"""Prefixes of the list's option ids: an earlier question, a confirmed link."""


class CustomerHistoryScreen(KeyedNode, Screen, commands=HISTORY_COMMANDS):
    """The history of one question's customer."""

    def __init__(self, question: Question) -> None:
        super().__init__()
        self.question = question
        self.history: CustomerHistory | None = None

    def compose(self) -> ComposeResult:
        """Heading, the customer, their questions and links, the keys."""
        with Vertical(id="history"):
            yield Static(customer_heading("History of ", self.question), id="history-heading")
            yield Static(Content.styled("Reading history…", "italic dim"), id="history-customer")
            yield OptionList(id="history-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Look the customer up off the UI thread."""
        self.query_one(OptionList).display = False
        self.load()

    def load(self) -> None:
        """Read the customer's history in a thread worker, then show it."""
        service = service_of(self)
        question_id = self.question.id

        def look() -> None:
            try:
                history = service.customer_history(question_id)
            except CxDailyError as exc:
                self.app.call_from_thread(self._failed, exc)
                return
            self.app.call_from_thread(self._show, history)

        self.run_worker(look, thread=True, group="history", exclusive=True, exit_on_error=False)

    def _failed(self, exc: CxDailyError) -> None:
        self.query_one("#history-customer", Static).update(
            Content.styled(f"The history cannot be read: {exc}", "$error")
        )

    def _show_profile(self) -> None:
        """The customer's lines, fitted to the width (see :func:`profile_content`)."""
        if self.history is not None:
            profile = self.query_one("#history-customer", Static)
            profile.update(profile_content(self.history, profile.content_size.width))

    def on_resize(self) -> None:
        """The customer's counts are fitted to the new width."""
        self._show_profile()

    def _show(self, history: CustomerHistory) -> None:
        self.history = history
        service = service_of(self)
        now, zone = service.now(), service.settings.session.zone
        self._show_profile()
        options = [
            Option(past_question_prompt(past, now, zone), id=f"{QUESTION}{past.id}")
            for past in history.questions
        ]
        keys = key_names(self)
        options += [
            Option(link_prompt(link, now, zone, keys), id=f"{LINK}{link.id}")
            for link in history.links
        ]
        if not options:
            hint = "No earlier question from this customer.\n"
            hint += f"{keys.key('history_link')}: the same person as another question's author?"
            options.append(Option(Content.styled(hint, "dim"), disabled=True))
        listing = self.query_one(OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options(options)
        listing.display = True
        listing.highlighted = min(highlighted or 0, len(options) - 1)
        listing.focus()
        self.refresh_bindings()  # undoing a link needs one

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Undoing a link needs a link the leader confirmed: without one its key shows
        dimmed and does nothing."""
        if action == "unlink":
            return True if self.history is not None and self.history.links else None
        return True

    def _highlighted_id(self) -> str:
        """The option id of the highlighted line ("" when none)."""
        listing = self.query_one(OptionList)
        if listing.highlighted is None or not listing.option_count:
            return ""
        return listing.get_option_at_index(listing.highlighted).id or ""

    # keys ---------------------------------------------------------------------------------
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on an earlier question shows it in full."""
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        """Show the highlighted earlier question in full (read-only)."""
        option_id = self._highlighted_id()
        history = self.history
        if option_id.startswith(QUESTION) and history is not None:
            question_id = option_id.removeprefix(QUESTION)
            past = next((p for p in history.questions if p.id == question_id), None)
            if past is not None:
                self.app.push_screen(PastQuestionScreen(past))

    def action_link(self) -> None:
        """Confirm that another stored question's author is this customer."""
        self.app.push_screen(LinkCustomerScreen(self.question), callback=self._link)

    def _link(self, other: Question | None) -> None:
        if other is None:
            return
        self._change(lambda: service_of(self).link_customers(self.question.id, other.id), "Linked")

    def action_unlink(self) -> None:
        """Undo the highlighted link the leader confirmed."""
        option_id = self._highlighted_id()
        history = self.history
        if not option_id.startswith(LINK) or history is None:
            self.notify("Highlight a link you confirmed to undo it.", timeout=3)
            return
        link = next((k for k in history.links if k.id == option_id.removeprefix(LINK)), None)
        if link is None:
            return  # the history was read again meanwhile
        service = service_of(self)
        self._change(
            lambda: service.unlink_customers(link.question_a, link.question_b), "Link undone"
        )

    def _change(self, change: Callable[[], object], done: str) -> None:
        """Run a link change in a thread worker (it may build the index), then reload."""

        def work() -> None:
            try:
                change()
            except CxDailyError as exc:
                self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
                return
            self.app.call_from_thread(self.notify, f"{done}.", timeout=3)
            self.app.call_from_thread(self.load)

        self.run_worker(work, thread=True, group="history-link", exit_on_error=False)

    def action_back(self) -> None:
        """Back to the desk."""
        self.dismiss()
