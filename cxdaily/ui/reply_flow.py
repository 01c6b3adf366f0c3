"""From the composer to the outbox, with every check on the way.

compose (the composer docked in the screen, :class:`ReplyComposer`: live counter; each
change staged for the background draft writer, see :mod:`cxdaily.service.drafts`; it
asks to send with :class:`ReplyComposer.SendRequested`, which the screen hands to
:meth:`ReplyFlow.review`) -> review (refusals; risky statements
in a public reply need a confirmation) -> collision guard (a look at the thread, in a
thread worker: if the team answered since the question was loaded, or, in team mode,
another leader holds a live claim on it or already sent a reply, show that and ask) ->
the screen that started the flow gets :class:`ReplyChecked` and queues and sends
the reply. A reply that does not go out stays as the question's draft and the screen gets
:class:`ReplyNotSent`. The flow talks to its screen only through these two messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual.content import Content
from textual.message import Message

from cxdaily.core.errors import ConnectorError, CxDailyError
from cxdaily.core.models import Message as ThreadMessage
from cxdaily.core.safe_text import one_line
from cxdaily.core.words import ago, plural
from cxdaily.replies.checks import ReplyReview
from cxdaily.ui.app import service_of
from cxdaily.ui.keys import COLLISION_COMMANDS, RISKY_COMMANDS
from cxdaily.ui.modals.confirm import ConfirmScreen, Part, Question
from cxdaily.ui.text import safe, safe_line
from cxdaily.ui.widgets.reply_composer import ReplyComposer, ReplySetup

if TYPE_CHECKING:
    from textual.screen import Screen

    from cxdaily.curation import BatchItem


@dataclass
class ReplyChecked(Message):
    """A reply passed every check: queue it and send it (``checked_at``: when the thread
    was last looked at, None when it could not be)."""

    item: BatchItem
    body: str
    checked_at: datetime | None


@dataclass
class ReplyNotSent(Message):
    """The reply did not go out (closed, refused or kept as the draft)."""

    item: BatchItem


def draft_error_message(exc: BaseException) -> str:
    """What the leader reads, once, when a draft cannot be written: the text is safe."""
    return (
        f"The draft is not saved: {one_line(exc, 300)}. Your text is kept while cxdaily "
        "runs and saved as soon as the disk allows."
    )


def findings_content(review: ReplyReview) -> Content:
    """One line per risky statement: its kind, the words, and why it matters."""
    lines = []
    for finding in review.distinct_findings:
        lines.append(
            Content.assemble(
                Content.styled(f"• {finding.kind.value:<8}", "bold $warning"),
                safe_line(f'"{finding.text}"', 40, "bold"),
                Content.styled(f"  {finding.advice}", "dim"),
            )
        )
    return Content("\n").join(lines)


def risky_words_question(review: ReplyReview) -> Question:
    """Check a public reply that mentions dates, prices, refunds, promises or legal words:
    no goes back to the composer, yes sends as written."""
    return Question(
        id="risky",
        title=f"Check this {'public ' if review.public else ''}reply before it goes out",
        parts=(
            Part("risky-findings", findings_content(review)),
            Part("risky-text", safe(review.text), scroll=True),
        ),
        commands=RISKY_COMMANDS,
    )


def answers_content(answers: list[ThreadMessage], now: datetime) -> Content:
    """Each answer: who, when, and what they said."""
    blocks = []
    for answer in answers:
        blocks.append(
            Content.assemble(
                safe_line(answer.author.display, 60, "bold $accent"),
                Content.styled(f" · {ago(answer.created_at, now)}\n", "dim"),
                safe(answer.body),
            )
        )
    return Content("\n\n").join(blocks)


def team_answered_question(
    answers: list[ThreadMessage], now: datetime, others: list[str] | None = None
) -> Question:
    """Someone on the team answered since the question was loaded, or (team mode)
    another leader is answering it or already did (``others``, one line each): no keeps
    the reply as a draft, yes sends it anyway."""
    parts = []
    if others:
        lines = [safe_line(line, None, "bold $warning") for line in others]
        parts.append(Part("collision-team", Content("\n").join(lines)))
    if answers:
        parts.append(Part("collision-text", answers_content(answers, now), scroll=True))
        title = f"The team answered while you were writing ({plural(len(answers), 'answer')})"
    else:
        title = "Another leader is on this question"
    return Question(id="collision", title=title, parts=tuple(parts), commands=COLLISION_COMMANDS)


class ReplyFlow:
    """One reply to one question, from the composer to the screen's send step."""

    def __init__(self, screen: Screen, item: BatchItem) -> None:
        self.screen = screen
        self.app = screen.app
        self.service = service_of(screen)
        self.item = item
        self.question_id = item.question.id

    def _report(self, exc: CxDailyError) -> None:
        self.app.notify(str(exc), severity="error", markup=False)

    def _stage(self, body: str) -> None:
        """Keep ``body`` as the draft: in memory now, on disk soon (never waits on it)."""
        self.service.replies.stage_draft(self.question_id, body)

    def _flush(self) -> None:
        """Wait once for the staged draft to be on disk (written by the writer's thread)."""
        self.service.replies.flush_drafts()

    def _tell_draft_error(self, question_id: str, exc: Exception) -> None:
        """From the writer's thread: say once that drafts cannot be written (notify is
        thread-safe and does not wait)."""
        self.app.notify(draft_error_message(exc), severity="error", timeout=8, markup=False)

    def _not_sent(self) -> None:
        self.screen.post_message(ReplyNotSent(self.item))

    # 1. compose -----------------------------------------------------------------------
    def compose(self, text: str | None = None) -> None:
        """Open the screen's composer on ``text``, else on the saved draft."""
        question = self.item.question
        try:
            limit = self.service.reply_limit(question)
            signature = self.service.signature(question.channel)
            connector = self.service.connector(question.channel)
            public = connector.is_public(question)
            replaces = self.service.replies.replaces_earlier_reply(self.question_id)
        except CxDailyError as exc:
            self._report(exc)
            return
        draft = text if text is not None else (self.service.draft(self.question_id) or "")
        self.service.replies.drafts.on_error = self._tell_draft_error
        self.screen.query_one(ReplyComposer).open(
            ReplySetup(
                question,
                draft,
                limit,
                self._stage,
                signature=signature,
                public=public,
                flush_draft=self._flush,
                measure=lambda text: connector.reply_length(text, question),
                replaces=replaces,
            )
        )

    # 2. review ------------------------------------------------------------------------
    def review(self, body: str | None) -> None:
        """Refuse what cannot go out; ask about risky statements in a public reply."""
        if body is None:
            self._not_sent()
            return
        try:
            review = self.service.review_reply(self.question_id, body)
        except CxDailyError as exc:
            self._report(exc)
            return
        if review.problems:
            self.app.notify(f"Not sent: {review.problems[0]}.", severity="error", markup=False)
            self._not_sent()
            return
        if review.needs_confirmation:
            self.app.push_screen(
                ConfirmScreen(risky_words_question(review)),
                callback=lambda send: self._after_risks(body, send),
            )
            return
        self.check_collision(body)

    def _after_risks(self, body: str, send: bool | None) -> None:
        if send:
            self.check_collision(body)
        elif send is not None:
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
        checked_at: datetime | None
        try:
            answers = self.service.answers_since_loaded(self.question_id)
            checked_at = self.service.now()
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
        team = self.service.team
        others = team.others_on(self.item.question) if team is not None else []
        self.app.call_from_thread(self._after_look, body, answers, checked_at, others)

    def _after_look(
        self,
        body: str,
        answers: list[ThreadMessage],
        checked_at: datetime | None,
        others: list[str] | None = None,
    ) -> None:
        if not answers and not others:
            self.screen.post_message(ReplyChecked(self.item, body, checked_at))
            return
        self.app.push_screen(
            ConfirmScreen(team_answered_question(answers, self.service.now(), others)),
            callback=lambda send: self._after_collision(body, bool(send), checked_at),
        )

    def _after_collision(self, body: str, send: bool, checked_at: datetime | None) -> None:
        if send:
            self.screen.post_message(ReplyChecked(self.item, body, checked_at))
            return
        self._stage(body)
        self.app.notify("Not sent; your reply is kept as the draft.", timeout=3)
        self._not_sent()
