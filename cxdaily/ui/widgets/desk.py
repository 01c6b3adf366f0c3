"""The session's desk: the question, and the composer beside or below it.

On a terminal of :data:`WIDE_DESK` columns or more the composer sits beside the question
(the editor as tall as the desk); otherwise below it, with half of the rows kept for the
question and at least :data:`~cxdaily.ui.widgets.reply_composer.MIN_TEXT_ROWS` for the
editor, so at 60x15 both the reply and the question show. While a reply is written the
question view is compact (title, the last messages of the thread, the question) and
scrolls on its own with the composer's scroll keys.

The composer's messages pass through here on their way to the screen: the desk lays
itself out and lets them go on.
"""

from __future__ import annotations

from textual.containers import Container
from textual.events import Resize

from cxdaily.ui.widgets.question_view import QuestionView
from cxdaily.ui.widgets.reply_composer import ReplyComposer, editor_rows

WIDE_DESK = 120
"""From this many columns (of the terminal) the composer sits beside the question."""
SCREEN_CHROME_ROWS = 2
"""Rows of the session screen around the desk: the clock and the keys."""


class Desk(Container):
    """The question view and the reply composer."""

    def compose(self):
        """The question, then the composer (hidden until a reply is started)."""
        yield QuestionView(id="question")
        yield ReplyComposer(id="composer")

    def on_reply_composer_opened(self, message: ReplyComposer.Opened) -> None:
        """Writing: the question turns compact."""
        self._compact(True)

    def on_reply_composer_closed(self, message: ReplyComposer.Closed) -> None:
        """Done writing: the question shows in full again."""
        self._compact(False)

    def on_reply_composer_send_requested(self, message: ReplyComposer.SendRequested) -> None:
        """Sending: the question shows in full again."""
        self._compact(False)

    def on_reply_composer_scroll_question(self, message: ReplyComposer.ScrollQuestion) -> None:
        """Scroll the question by a page while the editor keeps the focus."""
        message.stop()
        view = self.query_one(QuestionView)
        view.scroll_relative(y=message.direction * max(view.size.height - 1, 1), animate=False)

    def on_resize(self, event: Resize) -> None:
        """Beside on a wide terminal, below otherwise."""
        self.fit()

    def _compact(self, on: bool) -> None:
        self.query_one(QuestionView).set_compact(on)
        self.fit()

    def fit(self) -> None:
        """Lay the composer out for the terminal's size."""
        width, height = self.app.size
        wide = width >= WIDE_DESK
        self.set_class(wide, "-wide")
        composer = self.query_one(ReplyComposer)
        if wide:
            composer.set_editor_rows(None)
        else:
            body_rows = height - SCREEN_CHROME_ROWS
            composer.set_editor_rows(editor_rows(body_rows, composer.chrome_rows))
