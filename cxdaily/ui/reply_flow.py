"""From the composer to the outbox, with every check on the way.

compose (live counter, draft saved on each change) -> review (refusals; risky statements
in a public reply need a confirmation) -> collision guard (a look at the thread, in a
thread worker: if the team answered since the question was loaded, show their answer and
ask) -> the session screen queues the reply and sends it. Whatever is not sent stays as
the question's draft.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from cxdaily.core.errors import ConnectorError, CxDailyError
from cxdaily.core.models import Message
from cxdaily.ui.modals.collision import CollisionScreen
from cxdaily.ui.modals.composer import ComposerScreen
from cxdaily.ui.modals.risky_reply import EDIT, SEND, RiskyReplyScreen

if TYPE_CHECKING:
    from cxdaily.curation import BatchItem
    from cxdaily.ui.screens.session import SessionScreen


class ReplyFlow:
    """One reply to one question, from the composer to the session's send step."""

    def __init__(self, screen: SessionScreen, item: BatchItem) -> None:
        self.screen = screen
        self.app = screen.app
        self.service = screen.app.service
        self.item = item
        self.question_id = item.question.id

    def _report(self, exc: CxDailyError) -> None:
        self.app.notify(str(exc), severity="error", markup=False)

    def _save(self, body: str) -> None:
        try:
            self.service.save_draft(self.question_id, body)
        except CxDailyError as exc:
            self._report(exc)

    # 1. compose -----------------------------------------------------------------------
    def compose(self, text: str | None = None) -> None:
        """Open the composer on ``text``, else on the saved draft."""
        question = self.item.question
        try:
            limit = self.service.reply_limit(question)
            signature = self.service.signature(question.channel)
            public = self.service.connector(question.channel).is_public(question)
        except CxDailyError as exc:
            self._report(exc)
            return
        draft = text if text is not None else (self.service.draft(self.question_id) or "")
        self.app.push_screen(
            ComposerScreen(question, draft, limit, self._save, signature=signature, public=public),
            callback=self.review,
        )

    # 2. review ------------------------------------------------------------------------
    def review(self, body: str | None) -> None:
        """Refuse what cannot go out; ask about risky statements in a public reply."""
        if body is None:
            self.screen.show_current()
            return
        try:
            review = self.service.review_reply(self.question_id, body)
        except CxDailyError as exc:
            self._report(exc)
            return
        if review.problems:
            self.app.notify(f"Not sent: {review.problems[0]}.", severity="error", markup=False)
            self.screen.show_current()
            return
        if review.needs_confirmation:
            self.app.push_screen(
                RiskyReplyScreen(review), callback=lambda choice: self._after_risks(body, choice)
            )
            return
        self.check_collision(body)

    def _after_risks(self, body: str, choice: str | None) -> None:
        if choice == SEND:
            self.check_collision(body)
        elif choice == EDIT:
            self.compose(body)

    # 3. collision guard -------------------------------------------------------------------
    def check_collision(self, body: str) -> None:
        """Look at the thread in a thread worker, then decide on the UI thread."""
        self.screen.run_worker(
            lambda: self._look(body),
            thread=True,
            group="reply-check",
            exit_on_error=False,
        )

    def _look(self, body: str) -> None:
        try:
            answers = self.service.answers_since_loaded(self.question_id)
            checked_at: datetime | None = self.service.now()
        except ConnectorError as exc:
            answers, checked_at = [], None
            self.app.call_from_thread(
                self.app.notify,
                f"Could not check for answers by the team ({exc}); the outbox looks again "
                "before it sends.",
                severity="warning",
                markup=False,
            )
        except CxDailyError as exc:
            self.app.call_from_thread(self._report, exc)
            return
        self.app.call_from_thread(self._after_look, body, answers, checked_at)

    def _after_look(self, body: str, answers: list[Message], checked_at: datetime | None) -> None:
        if not answers:
            self.screen._after_compose(self.item, body, checked_at)
            return
        self.app.push_screen(
            CollisionScreen(answers, self.service.now()),
            callback=lambda send: self._after_collision(body, bool(send), checked_at),
        )

    def _after_collision(self, body: str, send: bool, checked_at: datetime | None) -> None:
        if send:
            self.screen._after_compose(self.item, body, checked_at)
            return
        self._save(body)
        self.app.notify("Not sent; your reply is kept as the draft.", timeout=3)
        self.screen.show_current()
