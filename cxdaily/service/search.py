"""Finding questions by their words: the text, the customer (name or handle), the channel.

A search is a few words; a question matches when every word appears somewhere in it,
ignoring case and accents ("zoe" finds "Zoë", "CAFE" finds "café"). The same rule
filters the session's batch in the app (:func:`question_matches`) and finds stored
questions (:meth:`QuestionSearch.search`), so both agree on what matches.

Customer text is untrusted: it is only read and compared here, never interpreted.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from cxdaily.core.models import Question
from cxdaily.core.services import SERVICE_NAMES
from cxdaily.service.context import ServiceContext

#: The most matches a stored-question search returns, whatever is asked.
MAX_RESULTS = 50
#: Characters of a search taken into account (a pasted essay is cut, not refused).
MAX_QUERY_CHARS = 200


def fold(text: str) -> str:
    """``text`` for comparing: case-folded, accents removed, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


def search_terms(text: str) -> tuple[str, ...]:
    """The folded words of a search ("  Zoë  Refund " -> ("zoe", "refund"))."""
    return tuple(dict.fromkeys(fold(text[:MAX_QUERY_CHARS]).split()))


@lru_cache(maxsize=4096)
def _folded_fields(*fields: str) -> str:
    """The searchable text of a question, folded once (questions repeat across searches)."""
    return fold("\n".join(fields))


def searchable_text(question: Question) -> str:
    """What a search looks through: title, body, earlier messages, customer name and
    handle, channel, kind and service, folded."""
    service = question.meta.get("service")
    service_name = SERVICE_NAMES.get(service, service) if isinstance(service, str) else ""
    return _folded_fields(
        question.title or "",
        question.body or "",
        "\n".join(message.body for message in question.context),
        question.author.name or "",
        question.author.handle or "",
        question.channel,
        question.kind,
        service_name or "",
    )


def question_matches(question: Question, terms: Iterable[str]) -> bool:
    """Whether every term (from :func:`search_terms`) appears in the question."""
    haystack = searchable_text(question)
    return all(term in haystack for term in terms)


class QuestionSearch:
    """Searches the stored questions (the current ones: what curation and the session
    look at), newest first."""

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def search(self, text: str, limit: int = 20, exclude: Iterable[str] = ()) -> list[Question]:
        """Stored questions matching every word of ``text``, newest first, at most
        ``limit`` (capped at :data:`MAX_RESULTS`); the ids in ``exclude`` are left out
        (the questions already in the session). An empty search finds nothing."""
        terms = search_terms(text)
        if not terms or limit <= 0:
            return []
        skipped = set(exclude)
        with self._context.lock:
            questions = self._context.store.questions.all()
        found = [
            question
            for question in questions
            if question.id not in skipped and question_matches(question, terms)
        ]
        found.sort(key=lambda question: question.created_at, reverse=True)
        return found[: min(limit, MAX_RESULTS)]
