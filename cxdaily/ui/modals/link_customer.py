""" "This is the same person as…": pick a stored question whose author is this customer.

A search over the stored questions (text, customer, channel; in a thread worker, as the
session's ``/`` does), the question in view left out. The question picked is returned;
the history screen records the link (:meth:`Service.link_customers`).
"""

from __future__ import annotations

from textual.content import Content

from cxdaily.core.errors import CxDailyError
from cxdaily.core.models import Question
from cxdaily.service.search import search_terms
from cxdaily.ui.app import service_of
from cxdaily.ui.keys import key_names
from cxdaily.ui.modals.search_pick import SearchPickScreen
from cxdaily.ui.text import customer_heading
from cxdaily.ui.widgets.queue_pane import STORED_LIMIT, stored_prompt


class LinkCustomerScreen(SearchPickScreen[Question]):
    """Returns the stored question whose author is the same person, or None."""

    def __init__(self, question: Question) -> None:
        super().__init__(
            customer_heading("", question, Content.styled(" is the same person as…", "bold")),
            "search stored questions: name, handle, words",
            form_id="link-customer",
        )
        self.question = question
        self.matches: list[Question] = []

    def refilter(self, query: str) -> None:
        """Search the stored questions for ``query`` in a thread worker."""
        if not search_terms(query):
            self.matches = []
            hint = "Type a name, an address, a handle or words of their question."
            self.show_matches([], Content.styled(hint, "dim"))
            return
        service = service_of(self)
        exclude = [self.question.id]

        def search() -> None:
            try:
                found = service.search_questions(query, STORED_LIMIT, exclude)
            except CxDailyError as exc:
                self.app.call_from_thread(self._failed, exc)
                return
            self.app.call_from_thread(self._found, query, found)

        self.run_worker(
            search, thread=True, group="link-search", exclusive=True, exit_on_error=False
        )

    def _failed(self, exc: CxDailyError) -> None:
        self.show_matches([], Content.styled(f"The search failed: {exc}", "$error"))

    def _found(self, query: str, found: list[Question]) -> None:
        if query != self.query_text:
            return  # typed on meanwhile: a newer search answers
        self.matches = found
        now = service_of(self).now()
        if found:
            note = Content.styled(key_names(self).hint("pick_choose", "pick_cancel"), "dim")
        else:
            note = Content.styled("No stored question matches.", "dim")
        self.show_matches([stored_prompt(question, now) for question in found], note)

    def picked(self, index: int) -> Question | None:
        """The question at ``index``."""
        return self.matches[index] if 0 <= index < len(self.matches) else None
