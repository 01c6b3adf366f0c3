"""The leader's saved replies, as part of the service facade: list, search, and fill one
for a question (see :mod:`cxdaily.replies.saved` and :mod:`cxdaily.replies.saved_fill`).

The files live in the config folder (``replies/``), not the data folder: they are the
leader's own writing, shared by the demo and the real profile, and read without the
store's lock.
"""

from __future__ import annotations

from cxdaily.core.models import Question
from cxdaily.replies.saved import (
    LoadedReplies,
    SavedReply,
    SavedReplyLibrary,
    saved_replies_folder,
)
from cxdaily.replies.saved_fill import FilledReply, fill_placeholders, placeholder_values
from cxdaily.replies.saved_search import search_saved_replies
from cxdaily.service.actions import ActionLog
from cxdaily.service.context import ServiceContext


class SavedReplies:
    """The saved replies of the profile's config folder."""

    def __init__(self, context: ServiceContext, actions: ActionLog) -> None:
        """Read saved replies from the config folder of ``context``; questions through
        ``actions``."""
        self._context = context
        self._actions = actions
        self.library = SavedReplyLibrary(saved_replies_folder(context.locations))

    def load(self) -> LoadedReplies:
        """Every usable saved reply, and a warning per file skipped."""
        return self.library.load()

    def search(self, query: str = "") -> list[SavedReply]:
        """Saved replies matching ``query``, best first (all, alphabetically, when empty)."""
        return search_saved_replies(self.library.load().replies, query)

    def values(self, question: Question) -> dict[str, str | None]:
        """Every placeholder's value for a reply to ``question``, as of now."""
        settings = self._context.settings
        today = settings.session.days.today(self._context.now())
        return placeholder_values(question, product=settings.leader.product, today=today)

    def fill(self, name: str, question_id: str) -> FilledReply:
        """The saved reply ``name`` filled for the question ``question_id`` (a
        NotFoundError for an unknown name, with the close ones, or an unknown question)."""
        reply = self.library.get(name)
        question = self._actions.question(question_id)
        return fill_placeholders(reply.body, self.values(question))
