"""The reply composer, docked in the session screen so the question stays in view.

Type, see the length against the channel's limit, and send. The counter is live and
counts the reply as it will be sent (with the channel's signature). Typing never waits
on the disk: each change is handed to ``save_draft``, which in the app stages the text
for the background draft writer (:mod:`cxdaily.service.drafts`: on disk within half a
second, so a crash loses at most that). Closing and sending hand over the last text and
wait once for ``flush_draft`` (the writer's thread writes; the UI thread never does). A
reply over the limit is refused with the reason.

The composer is one widget with a small API for the screen and for what is added to it
later (saved replies, earlier answers): :meth:`ReplyComposer.open`,
:meth:`~ReplyComposer.set_text`, :meth:`~ReplyComposer.insert_text` (at the cursor),
:meth:`~ReplyComposer.focus_text`, :meth:`~ReplyComposer.close`; the ``#composer-side``
container beside the editor is where a side panel goes. It tells its screen what
happened with messages: :class:`ReplyComposer.Opened`, :class:`ReplyComposer.SendRequested`,
:class:`ReplyComposer.Closed`, :class:`ReplyComposer.DraftChanged` and
:class:`ReplyComposer.ScrollQuestion`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import msgspec
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static, TextArea

from cxdaily.core.models import Question
from cxdaily.replies.checks import signed
from cxdaily.ui.keys import COMPOSER_COMMANDS, DEFAULT_KEY_NAMES, KeyedNode, KeyNames, key_names
from cxdaily.ui.repaint import update_in_place
from cxdaily.ui.text import customer_heading, safe_line
from cxdaily.ui.widgets.earlier_answer import EarlierAnswerLine

MIN_TEXT_ROWS = 3
"""The editor never gets fewer rows than this, even at 60x15."""
MAX_TEXT_ROWS = 12
"""Below the question, the editor takes at most this many rows (beside it: the height)."""


def counter_content(
    text: str,
    limit: int | None,
    signature: str | None,
    public: bool = False,
    keys: KeyNames = DEFAULT_KEY_NAMES,
    measure: Callable[[str], int] = len,
    replaces: bool = False,
) -> Content:
    """'123 / 280 · with signature · public reply · ctrl+s send …' (red when over);
    ``measure`` counts the way the channel's service does; ``replaces``: the service
    keeps one reply per question and this one replaces the reply already sent."""
    length = measure(signed(text, signature)) if text.strip() else 0
    over_by = length - limit if limit is not None and length > limit else 0
    count = f"{length} / {limit}" if limit else f"{length} characters"
    notes = []
    if signature:
        notes.append("with signature")
    if public:
        notes.append("public reply")
    if replaces:
        notes.append("replaces your earlier response")
    return Content.assemble(
        Content.styled(count, "$error bold" if over_by else "dim"),
        Content.styled(f"  {over_by} over the limit" if over_by else "", "$error"),
        Content.styled("".join(f" · {n}" for n in notes), "dim"),
        Content.styled(f"  {keys.hint('send', 'close')} (draft kept)", "dim"),
    )


class ReplySetup(msgspec.Struct, frozen=True):
    """What the composer needs for one reply.

    ``save_draft(text)`` is called at every change and must not wait on the disk (it
    hands the text to a background writer); ``flush_draft()``, when given, is called
    once as the composer closes, and returns when the last text is written (or the
    writer gave up waiting)."""

    question: Question
    draft: str
    limit: int | None
    save_draft: Callable[[str], object]
    signature: str | None = None
    public: bool = False
    flush_draft: Callable[[], object] | None = None
    measure: Callable[[str], int] = len
    replaces: bool = False


def editor_rows(body_rows: int, chrome_rows: int) -> int:
    """Rows of the editor below the question: half of the session's body goes to the
    question, the rest (less the composer's heading and counter) to the editor, within
    :data:`MIN_TEXT_ROWS` and :data:`MAX_TEXT_ROWS`."""
    spare = body_rows - chrome_rows - (body_rows + 1) // 2
    return max(MIN_TEXT_ROWS, min(MAX_TEXT_ROWS, spare))


class ReplyComposer(KeyedNode, Vertical, commands=COMPOSER_COMMANDS):
    """The composer of one reply at a time; hidden until :meth:`open`."""

    @dataclass
    class Opened(Message):
        """A reply was started (or restarted) on ``question_id``."""

        question_id: str

    @dataclass
    class SendRequested(Message):
        """The leader asked to send ``text`` (not empty, within the limit); the draft is
        written and the composer closed."""

        question_id: str
        text: str

    @dataclass
    class Closed(Message):
        """The composer closed without sending (its draft is kept)."""

        question_id: str

    @dataclass
    class DraftChanged(Message):
        """The draft went from empty to written or back (for the queue's draft mark)."""

        question_id: str
        has_text: bool

    @dataclass
    class ScrollQuestion(Message):
        """The leader asked to scroll the question while writing (-1 up, 1 down)."""

        direction: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.setup: ReplySetup | None = None
        self._has_text = False
        self._draft_kept = True  # nothing typed yet that a close must write

    def compose(self) -> ComposeResult:
        """Heading, editor (with room for a side panel), signature, counter."""
        yield Static(id="composer-heading")
        yield EarlierAnswerLine(id="composer-earlier")
        with Horizontal(id="composer-main"):
            yield TextArea(
                id="composer-text", soft_wrap=True, show_line_numbers=False, tab_behavior="focus"
            )
            yield Vertical(id="composer-side")
        yield Static(id="composer-signature")
        yield Static(id="composer-counter")

    def on_mount(self) -> None:
        """Hidden until a reply is started; the side panel is empty (and hidden) for now."""
        self.display = False
        self.query_one("#composer-side").display = False

    # the API --------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        """Whether a reply is being written."""
        return self.setup is not None

    @property
    def question_id(self) -> str | None:
        """The question the reply answers (None when closed)."""
        return self.setup.question.id if self.setup else None

    @property
    def text(self) -> str:
        """The reply as typed."""
        return self.query_one(TextArea).text

    def open(self, setup: ReplySetup) -> None:
        """Start (or restart) a reply: show the composer on ``setup.draft`` and focus it
        with the cursor at the end."""
        if self.setup is not None and self.setup.question.id != setup.question.id:
            self.close()
        self.setup = setup
        question = setup.question
        on_channel = Content.styled(f" on {question.channel}", "dim")
        self.query_one("#composer-heading", Static).update(
            customer_heading("Reply to ", question, on_channel)
        )
        signature = self.query_one("#composer-signature", Static)
        signature.update(
            safe_line(setup.signature, 80, "italic dim") if setup.signature else Content("")
        )
        signature.display = bool(setup.signature)
        area = self.query_one(TextArea)
        with area.prevent(TextArea.Changed):
            area.load_text(setup.draft)
        self._has_text = bool(setup.draft.strip())
        self._draft_kept = True
        self.display = True
        self._update_counter()
        self.focus_text()
        self.post_message(self.Opened(question.id))

    def set_text(self, text: str) -> None:
        """Replace the reply with ``text`` (the cursor goes to its end)."""
        area = self.query_one(TextArea)
        area.load_text(text)
        area.move_cursor(area.document.end)

    def insert_text(self, text: str) -> None:
        """Insert ``text`` at the cursor (replacing a selection)."""
        self.query_one(TextArea).replace(text, *self.query_one(TextArea).selection)

    def focus_text(self) -> None:
        """Focus the editor, the cursor at the end of the text."""
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def close(self) -> None:
        """Close and keep the draft (written before the composer goes)."""
        question_id = self.question_id
        if question_id is None:
            return
        self._keep_draft()
        self._hide()
        self.post_message(self.Closed(question_id))

    def set_editor_rows(self, rows: int | None) -> None:
        """The editor's height in rows (None: all the height the composer has)."""
        self.query_one(TextArea).styles.height = rows if rows is not None else "1fr"

    @property
    def chrome_rows(self) -> int:
        """Rows around the editor: the separator, the heading, the signature, the counter."""
        return 3 + (1 if self.setup is not None and self.setup.signature else 0)

    # inside -------------------------------------------------------------------------------
    def _hide(self) -> None:
        self.setup = None
        self.display = False

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """Hand the text to the draft writer (no disk here) and update the counter."""
        event.stop()
        setup = self.setup
        if setup is None:
            return
        text = event.text_area.text
        setup.save_draft(text)
        self._draft_kept = False
        self._update_counter()
        has_text = bool(text.strip())
        if has_text != self._has_text:
            self._has_text = has_text
            self.post_message(self.DraftChanged(setup.question.id, has_text))

    def on_unmount(self) -> None:
        """However the composer goes (the app quits, say), its last text is written."""
        if self.setup is not None and not self._draft_kept and self.setup.flush_draft:
            self.setup.flush_draft()

    def _keep_draft(self) -> None:
        """Hand over the last text and wait once for it to be written."""
        setup = self.setup
        if setup is None:
            return
        setup.save_draft(self.text)
        self._draft_kept = True
        if setup.flush_draft is not None:
            setup.flush_draft()

    @property
    def length(self) -> int:
        """The reply's length as it will be sent (signature included), counted the way
        the channel's service counts."""
        setup = self.setup
        text = self.text
        if setup is None or not text.strip():
            return 0
        return setup.measure(signed(text, setup.signature))

    def _update_counter(self) -> None:
        setup = self.setup
        if setup is None:
            return
        counter = self.query_one("#composer-counter", Static)
        shown = counter_content(
            self.text,
            setup.limit,
            setup.signature,
            setup.public,
            key_names(self),
            setup.measure,
            setup.replaces,
        )
        update_in_place(counter, shown)

    # keys -----------------------------------------------------------------------------------
    def action_send(self) -> None:
        """Send, unless empty or over the channel's limit."""
        setup = self.setup
        if setup is None:
            return
        text = self.text.strip()
        if not text:
            self.notify("The reply is empty.", severity="warning")
            return
        if setup.limit is not None and self.length > setup.limit:
            self.notify(
                f"Not sent: {self.length} characters"
                + (" with the signature" if setup.signature else "")
                + f"; {setup.question.channel} accepts at most {setup.limit}. "
                f"Cut {self.length - setup.limit}.",
                severity="error",
                markup=False,
            )
            return
        question_id = setup.question.id
        self._keep_draft()  # the draft is the text sent until the outbox has the reply
        self._hide()
        self.post_message(self.SendRequested(question_id, text))

    def action_close(self) -> None:
        """Close and keep the draft."""
        self.close()

    def action_scroll_question(self, direction: int) -> None:
        """Ask the screen to scroll the question (the editor keeps the focus)."""
        self.post_message(self.ScrollQuestion(direction))
