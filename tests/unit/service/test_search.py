"""Searching stored questions: every word must match somewhere (text, earlier messages,
customer name or handle, channel), in any case or accent; newest first, capped; the
session's ids left out; an empty search finds nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from cxdaily.core.models import Author, Message, Question
from cxdaily.service import Service
from cxdaily.service.search import MAX_RESULTS, fold, question_matches, search_terms


@pytest.fixture
def service(home: Path) -> Iterator[Service]:
    """The demo profile's service (its inbox is not fetched: the store holds what a test
    puts in it)."""
    with Service.open("demo") as opened:
        yield opened


def test_terms_are_folded_and_deduplicated() -> None:
    assert search_terms("  Zoë  REFUND zoe ") == ("zoe", "refund")
    assert search_terms("   ") == ()
    assert fold("Ångström  Café\tß") == "angstrom cafe ss"


def test_a_question_matches_when_every_word_is_somewhere(
    make_question: Callable[..., Question],
) -> None:
    question = make_question(
        body="Où est ma facture ?",
        title="Facture manquante",
        author=Author(id="1", handle="@jwojcik", name="Jan Wójcik"),
        context=(Message(Author(name="Agent"), "We sent the refund", make_question().created_at),),
    )
    assert question_matches(question, search_terms("wojcik facture"))
    assert question_matches(question, search_terms("OU EST"))
    assert question_matches(question, search_terms("@jwojcik refund"))
    assert question_matches(question, search_terms("acme zendesk"))  # channel and kind
    assert not question_matches(question, search_terms("wojcik invoice"))


def test_stored_questions_newest_first_without_the_session(
    service: Service, make_question: Callable[..., Question]
) -> None:
    old = make_question("old", body="Refund please", age=timedelta(days=3))
    new = make_question("new", body="Where is my refund?", age=timedelta(hours=1))
    in_session = make_question("mine", body="refund again", age=timedelta(minutes=5))
    other = make_question("other", body="Password reset")
    service.store.questions.upsert_many([old, new, in_session, other])
    found = service.search_questions("REFUND", limit=10, exclude=[in_session.id])
    assert [q.id for q in found] == [new.id, old.id]
    assert service.search_questions("refund", limit=1) == [in_session]
    assert service.search_questions("   ", limit=10) == []
    assert service.search_questions("refund", limit=0) == []


def test_results_are_capped(service: Service, make_question: Callable[..., Question]) -> None:
    many = [make_question(body="same words", age=timedelta(minutes=i)) for i in range(60)]
    service.store.questions.upsert_many(many)
    assert len(service.search_questions("same", limit=1000)) == MAX_RESULTS


def test_customer_text_is_only_compared(
    service: Service, make_question: Callable[..., Question]
) -> None:
    hostile = make_question(body="[@click=app.quit]x[/] \x1b]52;c;aGk=\x07 (((")
    service.store.questions.upsert_many([hostile])
    assert service.search_questions("[@click=app.quit]x[/]") == [hostile]
    assert service.search_questions("(((") == [hostile]
