"""The reply composer: type, see the length against the channel's limit, and send.

The counter is live and counts the reply as it will be sent (with the channel's
signature). Typing never waits on the disk: each change is handed to ``save_draft``,
which in the app stages the text for the background draft writer
(:mod:`cxdaily.service.drafts`: on disk within half a second, so a crash loses at most
that). Escape and send hand over the last text and wait once for ``flush_draft`` (the
writer's thread writes; the UI thread never does). A reply over the limit is refused
with the reason.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from cxdaily.core.models import Question
from cxdaily.replies.checks import signed
from cxdaily.ui.keys import COMPOSER_COMMANDS, DEFAULT_KEY_NAMES, KeyNames, bindings, key_names
from cxdaily.ui.text import customer_heading, safe_line


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


COMPOSER_CHROME_ROWS = 8
"""Rows around the editor: the dialog's margin and border, the heading, the gap, the
counter."""


class ComposerScreen(ModalScreen[str | None]):
    """Returns the reply text to send, or None when closed (the draft is kept).

    ``save_draft(text)`` is called at every change and must not wait on the disk (it
    hands the text to a background writer); ``flush_draft()``, when given, is called
    once as the composer closes, and returns when the last text is written (or the
    writer gave up waiting).
    """

    BINDINGS = bindings(COMPOSER_COMMANDS)
    KEY_COMMANDS = COMPOSER_COMMANDS

    def __init__(
        self,
        question: Question,
        draft: str,
        limit: int | None,
        save_draft: Callable[[str], object],
        *,
        signature: str | None = None,
        public: bool = False,
        flush_draft: Callable[[], object] | None = None,
        measure: Callable[[str], int] = len,
        replaces: bool = False,
    ) -> None:
        super().__init__()
        self.measure = measure
        self.replaces = replaces
        self.question = question
        self.initial = draft
        self.limit = limit
        self.save_draft = save_draft
        self.flush_draft = flush_draft
        self.signature = signature
        self.public = public
        self._draft_kept = False  # the last text was handed over and flushed

    def compose(self) -> ComposeResult:
        """Heading, editor, signature, counter."""
        with Vertical(id="composer"):
            on_channel = Content.styled(f" on {self.question.channel}", "dim")
            yield Static(
                customer_heading("Reply to ", self.question, on_channel), id="composer-heading"
            )
            yield TextArea(
                self.initial,
                id="composer-text",
                soft_wrap=True,
                show_line_numbers=False,
                tab_behavior="focus",
            )
            if self.signature:
                yield Static(safe_line(self.signature, 80, "italic dim"), id="composer-signature")
            yield Static(id="composer-counter")

    def on_mount(self) -> None:
        """Focus the editor at the end of the draft."""
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)
        self._update_counter()

    def on_resize(self, event: events.Resize) -> None:
        """The editor gives up rows on a short terminal, so the counter and the keys that
        send or close always show (12 rows at most, 3 at least)."""
        spare = event.size.height - COMPOSER_CHROME_ROWS - (1 if self.signature else 0)
        self.query_one(TextArea).styles.height = max(3, min(12, spare))

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """Hand the text to the draft writer (no disk here) and update the counter."""
        self.save_draft(event.text_area.text)
        self._update_counter()

    def on_unmount(self) -> None:
        """However the composer goes (the app quits, say), its last text is written."""
        if not self._draft_kept and self.flush_draft is not None:
            self.flush_draft()

    def _keep_draft(self) -> None:
        """Hand over the last text and wait once for it to be written."""
        self.save_draft(self.query_one(TextArea).text)
        self._draft_kept = True
        if self.flush_draft is not None:
            self.flush_draft()

    @property
    def length(self) -> int:
        """The reply's length as it will be sent (signature included), counted the way
        the channel's service counts."""
        text = self.query_one(TextArea).text
        return self.measure(signed(text, self.signature)) if text.strip() else 0

    def _update_counter(self) -> None:
        self.query_one("#composer-counter", Static).update(
            counter_content(
                self.query_one(TextArea).text,
                self.limit,
                self.signature,
                self.public,
                key_names(self),
                self.measure,
                self.replaces,
            )
        )

    def action_send(self) -> None:
        """Send, unless empty or over the channel's limit."""
        text = self.query_one(TextArea).text.strip()
        if not text:
            self.notify("The reply is empty.", severity="warning")
            return
        if self.limit is not None and self.length > self.limit:
            self.notify(
                f"Not sent: {self.length} characters"
                + (" with the signature" if self.signature else "")
                + f"; {self.question.channel} accepts at most {self.limit}. "
                f"Cut {self.length - self.limit}.",
                severity="error",
                markup=False,
            )
            return
        self._keep_draft()  # the draft is the text sent until the outbox has the reply
        self.dismiss(text)

    def action_close(self) -> None:
        """Close and keep the draft (written before the composer goes)."""
        self._keep_draft()
        self.dismiss(None)
