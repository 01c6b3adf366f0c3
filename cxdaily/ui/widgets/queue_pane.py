"""The session's left pane: a header saying what is shown, the search field, the queue,
and the stored questions a search finds outside the session.

Typing in the search field filters the queue at once (in memory: the session's
questions); the stored questions are searched in a thread worker, at most
:data:`STORED_LIMIT` of them, and listed below the queue. Enter opens the first match,
down moves to the matches, escape closes the search. The pane tells its screen with
messages: :class:`QueuePane.Refiltered` (the queue's list changed) and
:class:`QueuePane.OpenStored` (a stored question was picked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.cells import cell_len
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from cxdaily.core.errors import CxDailyError
from cxdaily.core.models import Question
from cxdaily.core.safe_text import one_line
from cxdaily.core.words import ago
from cxdaily.curation import BatchItem
from cxdaily.service.search import search_terms
from cxdaily.ui.app import service_of
from cxdaily.ui.keys import SEARCH_COMMANDS, bindings, key_names
from cxdaily.ui.queue_filter import (
    QueueFilter,
    QueueState,
    filter_choices,
    queue_heading,
    shown_items,
)
from cxdaily.ui.text import safe_line
from cxdaily.ui.widgets.queue import QuestionQueue

STORED_LIMIT = 20
"""The most stored questions a search lists."""


def stored_prompt(question: Question, now: datetime) -> Content:
    """A stored question in the matches: who, where, when, and its first words."""
    who = question.author.name or question.author.handle or "unknown"
    return Content.assemble(
        safe_line(who, 18, "bold"),
        Content.styled(" · ", "dim"),
        safe_line(question.channel, 16, "dim"),
        Content.styled(f" · {ago(question.created_at, now)}", "dim"),
        "\n  ",
        safe_line(question.title or question.body, 60),
    )


class SearchInput(Input):
    """The search field: enter opens the first match, down goes to the matches, escape
    closes it."""

    BINDINGS = bindings(SEARCH_COMMANDS)
    KEY_COMMANDS = SEARCH_COMMANDS

    def action_open_match(self) -> None:
        """Open the first match."""
        self.post_message(QueuePane.SearchKey("open"))

    def action_to_matches(self) -> None:
        """Move to the matches."""
        self.post_message(QueuePane.SearchKey("matches"))

    def action_close(self) -> None:
        """Close the search."""
        self.post_message(QueuePane.SearchKey("close"))


class QueuePane(Vertical):
    """The queue under its header, with the search field and the stored matches."""

    class Refiltered(Message):
        """The queue lists other questions now (a search or a filter changed)."""

    @dataclass
    class OpenStored(Message):
        """The leader picked a stored question outside the session."""

        question: Question

    @dataclass
    class SearchKey(Message):
        """A key of the search field: "open", "matches" or "close"."""

        key: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: list[BatchItem] = []
        self.state = QueueState({}, {}, set())
        self.filter: QueueFilter | None = None
        self.stored: list[Question] = []
        self.claimed: set[str] = set()
        """Ids of the questions another leader of the team is answering (team mode)."""

    def compose(self) -> ComposeResult:
        """Header, search field, queue, stored matches."""
        yield Static(id="queue-header")
        # short enough for the narrow pane (a customer's or a channel's name is a word too)
        yield SearchInput(placeholder="words or names", id="search")
        yield QuestionQueue(id="queue")
        yield Static(id="stored-heading")
        yield OptionList(id="stored")

    def on_mount(self) -> None:
        """The search and the stored matches show only while searching; down on the
        queue's last question goes on to the stored matches."""
        for name in ("#search", "#stored-heading", "#stored"):
            self.query_one(name).display = False
        self.queue.next_list = self.query_one("#stored", OptionList)

    # what is shown ---------------------------------------------------------------------
    @property
    def queue(self) -> QuestionQueue:
        """The queue."""
        return self.query_one(QuestionQueue)

    @property
    def search_text(self) -> str:
        """The words in the search field ("" when closed)."""
        field = self.query_one(SearchInput)
        return field.value if field.display else ""

    @property
    def narrowed(self) -> bool:
        """Whether a filter or a search hides part of the session."""
        return self.filter is not None or bool(search_terms(self.search_text))

    def set_items(self, items: list[BatchItem], state: QueueState, keep: str | None = None) -> None:
        """Show the session's ``items`` through the filter and the search."""
        self.items = items
        self.state = state
        self._render_queue(keep)

    def refresh_item(self, item: BatchItem) -> None:
        """One question's line changed (an action, a draft saved or cleared, a claim)."""
        question_id = item.question.id
        self.queue.set_status(
            item,
            self.state.statuses.get(question_id, ""),
            question_id in self.state.drafted,
            question_id in self.claimed,
        )

    def set_claimed(self, claimed: set[str]) -> None:
        """Mark the questions another leader of the team is answering (by id); only the
        lines whose mark changes are redrawn."""
        changed = claimed ^ self.claimed
        self.claimed = set(claimed)
        for item in self.items:
            if item.question.id in changed:
                self.refresh_item(item)

    def set_filter(self, queue_filter: QueueFilter | None) -> None:
        """Keep only what ``queue_filter`` keeps (None: everything)."""
        self.filter = queue_filter
        self._render_queue()

    def pick_filter(self) -> None:
        """Pick a state, a channel or a tag to filter the queue by (a dialog)."""
        from cxdaily.ui.modals.filter_pick import FilterScreen

        choices = filter_choices(self.items, self.state)
        self.app.push_screen(FilterScreen(choices, self.filter), callback=self._after_filter)

    def _after_filter(self, picked: QueueFilter | None) -> None:
        if picked is not None:
            self.set_filter(picked)
            self.queue.focus()

    def _render_queue(self, keep: str | None = None) -> None:
        search = self.search_text
        shown = shown_items(self.items, self.state, self.filter, search_terms(search))
        self.queue.set_items(
            shown, dict(self.state.statuses), self.state.drafted, keep, self.claimed
        )
        self._show_header()
        self.post_message(self.Refiltered())

    def _show_header(self) -> None:
        """How many questions the queue lists, of how many, and what narrows it, with
        the key that clears it when the header has room (cut, it read "esc cle…": the
        footer and help name the key too)."""
        count = self.queue.option_count
        heading = queue_heading(len(self.items), count, self.filter, self.search_text)
        hint = f"  {key_names(self).key('clear_filter')} clears" if self.narrowed else ""
        header = self.query_one("#queue-header", Static)
        room = header.content_size.width  # inside its padding and the pane's border
        if room and cell_len(heading + hint) > room:
            hint = ""
        header.update(
            Content.assemble(
                safe_line(heading, None, "bold" if self.narrowed else "dim"),
                Content.styled(hint, "dim"),
            )
        )

    def on_resize(self) -> None:
        """The header says again what fits its new width."""
        self._show_header()

    # the search ------------------------------------------------------------------------
    def open_search(self) -> None:
        """Show the search field and focus it."""
        field = self.query_one(SearchInput)
        field.display = True
        field.focus()

    def close_search(self) -> None:
        """Hide the search field and its matches; the queue shows what the filter keeps."""
        field = self.query_one(SearchInput)
        if not field.display:
            return
        field.display = False
        with field.prevent(Input.Changed):
            field.value = ""
        self.stored = []
        self.query_one("#stored-heading").display = False
        self.query_one("#stored").display = False
        self._render_queue()
        self.queue.focus()

    def clear(self) -> bool:
        """Close the search and drop the filter; False when there was neither."""
        had = self.narrowed or self.query_one(SearchInput).display
        self.filter = None
        if self.query_one(SearchInput).display:
            self.close_search()
        else:
            self._render_queue()
        return had

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter the queue now; search the stored questions in a worker."""
        event.stop()
        self._render_queue()
        text = event.value
        if search_terms(text):
            self._search_stored(text, [item.question.id for item in self.items])
        else:
            self._show_stored(text, [], "")

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search_stored(self, text: str, exclude: list[str]) -> None:
        """Search the stored questions off the UI thread (the store is read)."""
        try:
            found = service_of(self).search_questions(text, STORED_LIMIT, exclude)
            problem = ""
        except CxDailyError as exc:
            found, problem = [], f"Stored questions could not be searched: {one_line(exc, 200)}"
        self.app.call_from_thread(self._show_stored, text, found, problem)

    def _show_stored(self, text: str, found: list[Question], problem: str) -> None:
        if text != self.search_text:
            return  # typed on meanwhile: a newer search follows
        self.stored = found
        heading = self.query_one("#stored-heading", Static)
        matches = self.query_one("#stored", OptionList)
        matches.clear_options()
        searching = bool(search_terms(text))
        heading.display = searching
        matches.display = bool(found)
        if not searching:
            return
        if problem:
            heading.update(safe_line(problem, None, "$error"))
            return
        count = f"{len(found)}{'+' if len(found) >= STORED_LIMIT else ''}"
        heading.update(
            Content.styled(f"Stored questions: {count}" if found else "Stored: no match", "bold")
        )
        now = service_of(self).now()
        matches.add_options(
            [Option(stored_prompt(question, now), id=question.id) for question in found]
        )

    def on_queue_pane_search_key(self, message: SearchKey) -> None:
        """Enter, down and escape in the search field."""
        message.stop()
        if message.key == "close":
            self.close_search()
        elif message.key == "matches":
            target = self.queue if self.queue.option_count else self.query_one("#stored")
            target.focus()
        elif self.queue.option_count:
            self.queue.focus()
        elif self.stored:
            self.post_message(self.OpenStored(self.stored[0]))
        else:
            self.notify("Nothing matches.", severity="warning")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a stored match opens it."""
        if event.option_list.id != "stored":
            return
        event.stop()
        question = next((q for q in self.stored if q.id == event.option.id), None)
        if question is not None:
            self.post_message(self.OpenStored(question))
