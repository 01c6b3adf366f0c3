"""The session screen: the queue, the selected question, the composer, and the clock.

Every action is one key. A store write happens in the key handler, so the action is on
disk when the key press returns; sending a reply happens in a thread worker. The
composer is docked beside the question (wide terminals) or below it, so the question
stays in view while the leader writes; the queue can be searched and filtered
(:mod:`cxdaily.ui.widgets.queue_pane`). Collaborators do the rest: the clock
(:class:`~cxdaily.ui.session_clock.SessionClock`), the question actions, the composer's
tools, undo, and team mode (:class:`~cxdaily.ui.team_presence.TeamPresence`: claims and
the team link's line, only with ``[team]``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.events import Resize, ScreenResume
from textual.screen import Screen
from textual.widgets import Input, OptionList, TextArea

from cxdaily.core.errors import CxDailyError
from cxdaily.core.models import Session
from cxdaily.core.words import plural
from cxdaily.curation import Batch, BatchItem
from cxdaily.service import Service
from cxdaily.ui.app import app_of, service_of
from cxdaily.ui.composer_tools import ComposerTools
from cxdaily.ui.keys import SESSION_COMMANDS, bindings, key_names
from cxdaily.ui.question_actions import QuestionActions
from cxdaily.ui.question_showing import QuestionShowing
from cxdaily.ui.queue_filter import QueueState
from cxdaily.ui.reply_flow import ReplyChecked, ReplyFlow, ReplyNotSent
from cxdaily.ui.screens.customer_history import CustomerHistoryScreen
from cxdaily.ui.session_clock import SessionClock
from cxdaily.ui.source_link import open_source_link
from cxdaily.ui.team_presence import TeamPresence
from cxdaily.ui.undo_flow import UndoFlow
from cxdaily.ui.widgets.desk import Desk
from cxdaily.ui.widgets.key_footer import KeyFooter
from cxdaily.ui.widgets.queue import DONE
from cxdaily.ui.widgets.queue_pane import QueuePane
from cxdaily.ui.widgets.reply_composer import ReplyComposer
from cxdaily.ui.widgets.team_link import TeamLinkLine
from cxdaily.ui.widgets.timer import SessionTimer
from cxdaily.ui.widgets.undo_countdown import UndoCountdown

REFRESH_EVERY_S = 5 * 60  # fresh questions arrive while the leader works
NARROW_DESK = 80
"""Below this many columns the queue steps aside while the leader writes."""


def delegated(
    carried_out_by: Callable[[SessionScreen], Callable[[], object]], doc: str
) -> Callable[[SessionScreen], None]:
    """A key action of the session screen that one of its collaborators carries out
    (``carried_out_by`` picks the collaborator's method); ``doc`` says what it does."""

    def action(screen: SessionScreen) -> None:
        carried_out_by(screen)()

    action.__doc__ = doc
    return action


class SessionScreen(Screen):
    """One session on one batch, against the clock."""

    BINDINGS = bindings(SESSION_COMMANDS)
    KEY_COMMANDS = SESSION_COMMANDS

    def __init__(self, batch: Batch, session: Session, *, begun: bool = True) -> None:
        """Not ``begun``: built ahead, on a planned session (:meth:`begin` starts it)."""
        super().__init__()
        self.session_batch = batch  # what a screen built ahead serves (session_ahead)
        self.items: list[BatchItem] = list(batch.items)
        self.session = session
        self.begun = begun  # the clock runs
        self.statuses: dict[str, str] = {}
        self.tags: dict[str, set[str]] = {}  # tags given in this session, by question id
        self.drafted: set[str] = set()  # ids of the questions with a saved draft
        self._flow: ReplyFlow | None = None  # the reply being written
        self.actions = QuestionActions(self)
        self.tools = ComposerTools(self)  # saved replies and earlier answers
        self.undo_flow = UndoFlow(self)
        self.clock = SessionClock(self)
        self.team = TeamPresence(self)  # team mode: claims, the link's line
        self.showing = QuestionShowing(self)  # the question view, fed
        self.started = time.monotonic()
        self.done_told = False
        self._followed: str | None = None
        """The question :meth:`_move` showed before the queue's highlight message came."""
        self.drawn_ahead = False  # drawn off the terminal, not shown yet (session_ahead)

    # layout -------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        """Clock on top, queue and question side by side (the composer with the
        question), keys at the bottom."""
        yield SessionTimer(id="timer")
        yield TeamLinkLine(id="team-link")
        with Horizontal(id="session-body"):
            yield QueuePane(id="queue-pane")
            yield Desk(id="desk")
        yield UndoCountdown(id="undo-countdown")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Fill the queue, show the first question; start the clock once begun."""
        self._fill()
        self.pane.queue.focus()
        self.showing.read_group_labels()
        if self.begun:
            self._start_clock()

    def _on_screen_resume(self, event: ScreenResume) -> None:
        """Shown (Textual's handler runs next): the first time, a screen drawn ahead is
        shown as drawn, not restyled (see :mod:`cxdaily.ui.session_ahead`)."""
        if self.drawn_ahead:
            event.refresh_styles = self.drawn_ahead = False

    def begin(self, session: Session) -> None:
        """Begin the saved ``session`` in this screen built ahead: the clock starts now;
        the draft marks are read again (a draft may have changed since)."""
        self.session, self.begun, self.started = session, True, time.monotonic()
        if (drafted := self._read_drafted()) != self.drafted:
            self.drafted = drafted
            self._show_queue()
        self._start_clock()

    def take_batch(self, batch: Batch, planned: Session) -> None:
        """Show ``batch`` on the ``planned`` session instead, before :meth:`begin` (the
        start screen shows another batch: see :mod:`cxdaily.ui.session_ahead`)."""
        self.session_batch, self.items, self.session = batch, list(batch.items), planned
        self.showing = QuestionShowing(self)  # the names it keeps are the old batch's
        if self.is_mounted:  # else on_mount fills the queue with these
            self._fill(first=True)
            self.showing.read_group_labels()

    def _fill(self, *, first: bool = False) -> None:
        """The queue with its draft marks read, and the highlighted question shown (see
        :meth:`_show_queue`)."""
        self.drafted = self._read_drafted()
        self._show_queue(first=first)

    def _show_queue(self, *, first: bool = False) -> None:
        """The queue and the highlighted question: the ``first`` of the queue, else the
        one highlighted before when it is still listed."""
        keep = self.items[0].question.id if first and self.items else None
        self.pane.set_items(self.items, self.queue_state(), keep)
        self.show_current()

    def _read_drafted(self) -> set[str]:
        """The ids of the session's questions with a saved draft."""
        return {i.question.id for i in self.items if self.service.draft(i.question.id)}

    def _start_clock(self) -> None:
        """The clock, the periodic fetch and team mode's claims."""
        self.tick()
        self.set_interval(1.0, self.tick)
        if self.service.settings.channels:
            self.set_interval(REFRESH_EVERY_S, self.actions.fetch)
        self.team.start()

    @property
    def service(self) -> Service:
        """The app's service."""
        return service_of(self)

    @property
    def pane(self) -> QueuePane:
        """The queue with its search and filter."""
        return self.query_one(QueuePane)

    @property
    def composer(self) -> ReplyComposer:
        """The reply composer (hidden when no reply is being written)."""
        return self.query_one(ReplyComposer)

    def queue_state(self) -> QueueState:
        """What a filter of the queue looks at."""
        return QueueState(self.statuses, self.tags, self.drafted)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the leader types (the composer, the search field) ``/`` is text: the
        footer does not offer Find."""
        return not (action == "search" and isinstance(self.focused, Input | TextArea))

    # clock -------------------------------------------------------------------
    @property
    def elapsed_s(self) -> float:
        """Seconds since the session began."""
        return time.monotonic() - self.started

    @property
    def total_s(self) -> int:
        """The budget plus any extra time taken."""
        return self.session.budget_s + self.session.extra_s

    def pending(self) -> list[BatchItem]:
        """Questions not yet dealt with."""
        return [i for i in self.items if self.statuses.get(i.question.id, "") not in DONE]

    def tick(self) -> None:
        """Redraw the clock; warn at 80%, ask at 100% (see :class:`SessionClock`)."""
        self.clock.tick()

    # selection ----------------------------------------------------------------
    @property
    def index(self) -> int | None:
        """Index in the session of the highlighted question."""
        question_id = self.pane.queue.highlighted_id
        ids = [item.question.id for item in self.items]
        return ids.index(question_id) if question_id in ids else None

    def current(self) -> BatchItem | None:
        """The highlighted question."""
        index = self.index
        return self.items[index] if index is not None else None

    def show_current(self) -> None:
        """Show the highlighted question in the view (see :class:`QuestionShowing`)."""
        self.showing.show_current()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Follow the queue's highlight (unless ``j``/``k`` already did: see :meth:`_move`)."""
        if event.option_list is not self.pane.queue:
            return
        followed, self._followed = self._followed, None
        if event.option_id is not None and event.option_id == followed:
            return
        self._follow_highlight()

    def _follow_highlight(self) -> None:
        """Show the highlighted question; a reply to another question closes (its draft
        kept)."""
        composer = self.composer
        if composer.is_open and composer.question_id != self.pane.queue.highlighted_id:
            composer.close()
        self.show_current()

    def on_queue_pane_refiltered(self, message: QueuePane.Refiltered) -> None:
        """A search or a filter changed what the queue lists."""
        message.stop()
        self.show_current()

    def set_drafted(self, item: BatchItem, drafted: bool) -> None:
        """Record whether ``item`` has a saved draft, and mark it in the queue."""
        question_id = item.question.id
        if drafted == (question_id in self.drafted):
            return
        if drafted:
            self.drafted.add(question_id)
        else:
            self.drafted.discard(question_id)
        self.pane.refresh_item(item)

    def action_next(self) -> None:
        """Next question."""
        self._move(self.pane.queue.action_cursor_down)

    def action_previous(self) -> None:
        """Previous question."""
        self._move(self.pane.queue.action_cursor_up)

    def _move(self, step: Callable[[], None]) -> None:
        """Move the queue's highlight and show its question in the same frame: waiting
        for the queue's highlight message would paint the queue first and the question
        a frame later."""
        queue = self.pane.queue
        before = queue.highlighted_id
        step()
        if queue.highlighted_id != before:
            self._followed = queue.highlighted_id
            self._follow_highlight()

    def mark(self, item: BatchItem, status: str) -> None:
        """Record the status of a question in the queue, then move on."""
        self.advance(self.record_status(item, status))

    def record_status(self, item: BatchItem, status: str) -> int:
        """Record the status of a question in the queue; returns its index."""
        qid = item.question.id
        before = self.statuses.get(qid, "")
        if {before, status} == {"answered", "tagged"} or (
            before == "answered+tagged" and status in ("answered", "tagged")
        ):
            status = "answered+tagged"
        self.statuses[qid] = status
        if status in ("answered", "answered+tagged"):
            self.drafted.discard(qid)  # queueing the reply removed its draft
        index = self.items.index(item)
        if self.pane.filter is not None:  # the filter may no longer keep it
            self.pane.set_items(self.items, self.queue_state(), keep=qid)
        else:
            self.pane.refresh_item(item)
        streak = app_of(self).streak
        if status in DONE and (streak is None or not streak.today_counts):
            self.clock.refresh_streak()  # the handled question may make today count
        return index

    def reopen(self, question_id: str) -> None:
        """The question's reply was cancelled: it is to be answered again."""
        item = next((i for i in self.items if i.question.id == question_id), None)
        if item is None or self.statuses.pop(question_id, None) is None:
            return
        if self.service.draft(question_id):
            self.drafted.add(question_id)  # the cancelled reply's text is the draft
        self.pane.set_items(self.items, self.queue_state())
        self.show_current()
        self.clock.refresh_streak()

    def advance(self, index: int) -> None:
        """Highlight the next question still pending, or say the batch is done."""
        order = list(range(index + 1, len(self.items))) + list(range(0, index + 1))
        hidden = False  # a question is still open, but the search or the filter hides it
        for i in order:
            question_id = self.items[i].question.id
            if self.statuses.get(question_id, "") not in DONE:
                if self.pane.queue.highlight_id(question_id):
                    self.show_current()
                    return
                hidden = True
        self.show_current()
        if hidden:
            self.notify(
                "No open question left in this view; "
                f"{key_names(self).key('clear_filter')} shows them all.",
                markup=False,
            )
        elif not self.done_told:
            self.done_told = True
            left = max(round((self.total_s - self.elapsed_s) / 60), 0)
            keys = key_names(self)
            self.notify(
                f"Batch done with {plural(left, 'minute')} left. {keys.key('more')} pulls the "
                f"next best question, {keys.key('end')} wraps up.",
                title="Well done",
                markup=False,
            )

    def guard(self) -> BatchItem | None:
        """The highlighted question, or a notice that none is."""
        item = self.current()
        if item is None:
            self.notify("No question selected.", severity="warning")
        return item

    def report(self, exc: CxDailyError) -> None:
        """Tell the leader what went wrong, in one line."""
        self.notify(str(exc), severity="error", markup=False)

    # reply ---------------------------------------------------------------------
    def action_reply(self, text: str | None = None) -> None:
        """Open the composer (with the saved draft, or ``text`` from the editor); the
        reply then goes through the checks of :class:`ReplyFlow` before the outbox."""
        item = self.guard()
        if item is None:
            return
        qid = item.question.id
        if text is None and self.composer.question_id == qid:
            self.composer.focus_text()  # already writing it: back to the text
            return
        answered = self.statuses.get(qid) in ("answered", "answered+tagged")
        if (answered or self.service.has_replied(qid)) and not (
            self.service.replies.replaces_earlier_reply(qid)  # a review's one response
        ):
            self.notify("You already replied to this question.", severity="warning")
            return
        self._flow = ReplyFlow(self, item)
        self._flow.compose(text)

    # the composer (laid out by the desk) -----------------------------------------------
    def on_reply_composer_opened(self, message: ReplyComposer.Opened) -> None:
        """Writing: on a narrow terminal the queue steps aside; the question is claimed."""
        message.stop()
        self._composing(True)
        self.tools.look_up_earlier(message.question_id)
        self.team.claim(message.question_id)

    def on_reply_composer_send_requested(self, message: ReplyComposer.SendRequested) -> None:
        """The leader sends: the reply goes through the checks of its flow."""
        message.stop()
        self._composing(False)
        flow = self._flow
        if flow is not None and flow.question_id == message.question_id:
            flow.review(message.text)

    def on_reply_composer_closed(self, message: ReplyComposer.Closed) -> None:
        """Closed without sending: the draft is kept and marked (and the claim with it;
        without a draft the claim is released)."""
        message.stop()
        self._composing(False)
        self.team.release_unless_drafted(message.question_id)

    def on_reply_composer_draft_changed(self, message: ReplyComposer.DraftChanged) -> None:
        """The draft was written or emptied: the queue's draft mark follows."""
        message.stop()
        item = next((i for i in self.items if i.question.id == message.question_id), None)
        if item is not None:
            self.set_drafted(item, message.has_text)

    def _composing(self, on: bool) -> None:
        """Show the question as the desk now lays it out; back in the queue when done."""
        self.set_class(on, "-composing")
        self.show_current()
        if not on:
            self.pane.queue.focus()

    def on_resize(self, event: Resize) -> None:
        """Below :data:`NARROW_DESK` columns the queue steps aside while writing."""
        self.set_class(event.size.width < NARROW_DESK, "-narrow")

    def on_reply_checked(self, message: ReplyChecked) -> None:
        """Queue a checked reply, mark its question answered, and send it."""
        message.stop()
        self.actions.queue_and_send(message.item, message.body, message.checked_at)

    def on_reply_not_sent(self, message: ReplyNotSent) -> None:
        """The reply went back to its draft: show the question (and its draft mark) again."""
        message.stop()
        self.show_current()
        if self.service.draft(message.item.question.id):
            self.set_drafted(message.item, True)

    # keys the collaborators carry out -------------------------------------------------
    action_reply_in_editor = delegated(
        lambda s: s.actions.reply_in_editor,
        "Compose in $VISUAL/$EDITOR, then review in the composer.",
    )
    action_tag = delegated(lambda s: s.actions.tag, "Tag the question as an insight.")
    action_hand_off = delegated(lambda s: s.actions.hand_off, "Hand the question to a team.")
    action_snooze = delegated(lambda s: s.actions.snooze, "Snooze the question.")
    action_skip = delegated(lambda s: s.actions.skip, "Skip the question for today.")
    action_pull_next = delegated(lambda s: s.actions.pull_next, "Add the next best question.")
    action_search = delegated(lambda s: s.pane.open_search, "Open the search field over the queue.")
    action_filter = delegated(
        lambda s: s.pane.pick_filter, "Pick a state, a channel or a tag to filter the queue by."
    )
    action_clear_filter = delegated(lambda s: s.pane.clear, "Show every question again.")
    action_saved_reply = delegated(lambda s: s.tools.saved_reply, "Insert a saved reply.")
    action_earlier_answers = delegated(
        lambda s: s.tools.earlier_answers,
        "Show the earlier answers like this question; one can start the reply.",
    )
    action_undo = delegated(
        lambda s: s.undo_flow.undo,
        "Pull back a reply in its undo window, else undo the newest action.",
    )

    def action_refresh(self) -> None:
        """Fetch new questions now."""
        self.actions.fetch(quiet=False)

    # open -------------------------------------------------------------------------
    def action_open_link(self) -> None:
        """Open the question's source link in the browser (web addresses only)."""
        item = self.guard()
        if item is not None:
            open_source_link(self, item.question.url)

    # customer history, composer tools, undo --------------------------------------------
    def action_customer_history(self) -> None:
        """Show the customer's history: who they are, their earlier questions."""
        item = self.guard()
        if item is not None:
            self.app.push_screen(CustomerHistoryScreen(item.question))

    def on_queue_pane_open_stored(self, message: QueuePane.OpenStored) -> None:
        """A stored question found by a search joins the session."""
        message.stop()
        self.actions.add_stored(message.question)

    # more ------------------------------------------------------------------------
    def add_to_session(self, item: BatchItem) -> None:
        """Add ``item`` to the session and highlight it (the search and the filter are
        cleared, so it shows)."""
        self.items.append(item)
        if self.service.draft(item.question.id):
            self.drafted.add(item.question.id)
        self.pane.clear()
        self.pane.set_items(self.items, self.queue_state(), keep=item.question.id)
        self.pane.queue.focus()
        self.done_told = False
        self.show_current()

    action_end_session = delegated(
        lambda s: s.clock.end,
        "Go to the wrap-up; with questions open and time left, ask first.",
    )
