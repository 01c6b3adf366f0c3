"""What the composer reaches for: saved replies and the leader's earlier answers.

- A saved reply (:class:`~cxdaily.ui.modals.saved_reply_picker.SavedReplyPicker`) is
  filled for the question in a thread worker (:meth:`Service.fill_saved_reply`) and put
  in at the cursor as a paragraph of its own
  (:func:`cxdaily.replies.saved_fill.insert_block`), so several go into one reply. A
  placeholder left unfilled is flagged: a notice names it and it is selected, so the
  next keys replace it.
- An earlier answer (:class:`~cxdaily.ui.widgets.earlier_answer.EarlierAnswerLine`
  finds them when a reply is started) opens in
  :class:`~cxdaily.ui.modals.earlier_answers.EarlierAnswersScreen`; the one picked goes
  in the same way, as a starting point, without its channel's signature. Nothing is
  ever sent from here.

Each insertion is one edit of the editor, so the editor's undo takes it back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import TextArea
from textual.widgets.text_area import Document, Selection

from cxdaily.core.errors import CxDailyError
from cxdaily.history import EarlierAnswer
from cxdaily.replies.checks import unsigned
from cxdaily.replies.saved_fill import FilledReply, insert_block
from cxdaily.ui.app import service_of
from cxdaily.ui.keys import key_names
from cxdaily.ui.modals.earlier_answers import EarlierAnswersScreen
from cxdaily.ui.modals.saved_reply_picker import SavedReplyPicker
from cxdaily.ui.widgets.earlier_answer import EarlierAnswerLine
from cxdaily.ui.widgets.reply_composer import ReplyComposer

if TYPE_CHECKING:
    from textual.screen import Screen


def gap_notice(filled: FilledReply) -> str:
    """'Fill in {first_name} and {product} before sending: no value is known for them.'"""
    names = [f"{{{name}}}" for name in filled.missing]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    unknown = f" ({', '.join(filled.unknown)}: no such placeholder)" if filled.unknown else ""
    return (
        f"Fill in {listed} before sending: no value is known{unknown}. "
        "The first one is selected: type to replace it."
    )


def put_in(composer: ReplyComposer, block: str | FilledReply) -> None:
    """Insert ``block`` at the composer's cursor as a paragraph of its own, as one edit;
    the first unfilled placeholder is selected, else the cursor goes after the block."""
    area = composer.query_one(TextArea)
    document = area.document
    if not isinstance(document, Document):  # the composer's editor is plain text
        raise TypeError(f"the composer edits a {type(document).__name__}, not a Document")
    result = insert_block(area.text, document.get_index_from_location(area.cursor_location), block)
    area.replace(result.text, (0, 0), document.end)
    location = document.get_location_from_index
    if result.gaps:
        first = result.gaps[0]
        area.selection = Selection(location(first.start), location(first.end))
    else:
        area.move_cursor(location(result.cursor))
    area.focus()


class ComposerTools:
    """Saved replies and earlier answers for the composer of one screen."""

    def __init__(self, screen: Screen) -> None:
        self.screen = screen

    @property
    def composer(self) -> ReplyComposer:
        """The screen's composer."""
        return self.screen.query_one(ReplyComposer)

    def _writing(self, what: str) -> str | None:
        """The question a reply is being written to, or a notice that none is."""
        question_id = self.composer.question_id
        if question_id is None:
            keys = key_names(self.screen)
            self.screen.notify(
                f"Start a reply first ({keys.key('reply')}); then {what}.", markup=False
            )
        return question_id

    # saved replies ----------------------------------------------------------------------
    def saved_reply(self) -> None:
        """Pick a saved reply and insert it, filled for the question, at the cursor."""
        keys = key_names(self.screen)
        question_id = self._writing(f"{keys.key('saved_reply')} inserts a saved reply")
        if question_id is not None:
            self.screen.app.push_screen(
                SavedReplyPicker(), callback=lambda name: self._fill(question_id, name)
            )

    def _fill(self, question_id: str, name: str | None) -> None:
        """Fill the reply picked in a thread worker (it reads its file and the question)."""
        if name is None:
            return
        service = service_of(self.screen)
        app = self.screen.app

        def fill() -> None:
            try:
                filled = service.fill_saved_reply(name, question_id)
            except CxDailyError as exc:
                app.call_from_thread(app.notify, str(exc), severity="error", markup=False)
                return
            app.call_from_thread(self._insert, question_id, filled)

        self.screen.run_worker(fill, thread=True, group="saved-reply-fill", exit_on_error=False)

    def _insert(self, question_id: str, filled: FilledReply) -> None:
        if self.composer.question_id != question_id:
            self.screen.notify("The reply was closed: the saved reply was not inserted.")
            return
        put_in(self.composer, filled)
        if filled.missing:
            self.screen.notify(gap_notice(filled), severity="warning", timeout=8, markup=False)

    # earlier answers --------------------------------------------------------------------
    def look_up_earlier(self, question_id: str) -> None:
        """A reply was started: look for earlier answers to questions like it."""
        self.screen.query_one(EarlierAnswerLine).look_up(question_id)

    def earlier_answers(self) -> None:
        """Show the earlier answers found; the one picked goes into the composer."""
        keys = key_names(self.screen)
        question_id = self._writing(f"{keys.key('earlier_answers')} shows your earlier answers")
        if question_id is None:
            return
        line = self.screen.query_one(EarlierAnswerLine)
        if line.question_id != question_id or not line.answers:
            self.screen.notify("No earlier answer of yours is like this question.", timeout=3)
            return
        self.screen.app.push_screen(
            EarlierAnswersScreen(line.answers),
            callback=lambda answer: self._start_from(question_id, answer),
        )

    def _start_from(self, question_id: str, answer: EarlierAnswer | None) -> None:
        if answer is None or self.composer.question_id != question_id:
            return
        try:
            signature = service_of(self.screen).signature(answer.channel)
        except CxDailyError:
            signature = None  # the channel is gone: the text as it was sent
        put_in(self.composer, unsigned(answer.body, signature))
        self.screen.notify("Earlier reply put in as a starting point: edit it before sending.")
