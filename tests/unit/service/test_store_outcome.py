"""Storing one channel's fetch: a question the fetch brought twice (a service that gave a
page twice) is stored, counted and shown once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cxdaily.connectors.base import FetchResult
from cxdaily.connectors.runner import ChannelOutcome
from cxdaily.core.models import Author, Message
from cxdaily.service.fetching import cleaned_question, each_once, store_outcome
from cxdaily.store import Store

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
FIXED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_a_question_brought_twice_is_stored_and_counted_once(tmp_path: Path, make_question):
    first, other = make_question("1", body="first version"), make_question("2")
    again = make_question("1", body="second version")
    result = FetchResult(questions=[first, other, again], checkpoint={"since": "x"})
    with Store(tmp_path / "data") as store:
        outcome, added, updated = store_outcome(store, ChannelOutcome("acme", result=result), NOW)
        assert (added, updated) == (2, 0)
        assert outcome.result is not None and outcome.count == 2
        assert [q.body for q in outcome.result.questions] == ["first version", other.body]
        assert store.questions.channel_statuses()["acme"].count == 2
        assert store.questions.get(first.id).body == "first version"


def test_each_once_keeps_the_first_of_each_in_order(make_question):
    a, b, a2, c = (make_question(n) for n in ("a", "b", "a", "c"))
    assert each_once([a, b, a2, c]) == [a, b, c]
    assert each_once([]) == []


def test_the_customers_words_are_cleaned_where_they_enter(tmp_path: Path, make_question):
    hostile = make_question(
        "7\x1b[2J",
        title="Refund\x1b]0;pwned\x07 please\u202e",
        body="Line one\x1b[31m\nLine two\x9b1m\tend\x00",
        author=Author(id="u\x1b1", handle="@jane\x1b[0m", name="Jane\nDoe\u2066", followers=3),
        context=(Message(Author(name="Bob\x07"), "Earlier\x1b[K words", FIXED),),
        meta={"note": "kept\x1b[1m"},
    )
    result = FetchResult(questions=[hostile], checkpoint=None)
    with Store(tmp_path / "data") as store:
        store_outcome(store, ChannelOutcome("acme", result=result), NOW)
        stored = store.questions.get(hostile.id)
    assert stored.title == "Refund please"
    assert stored.body == "Line one\nLine two\tend"  # its lines and tabs kept
    assert (stored.author.name, stored.author.handle) == ("Jane Doe", "@jane")
    assert [(m.author.name, m.body) for m in stored.context] == [("Bob", "Earlier words")]
    # the service's own ids and fields stay as they are: a reply finds its thread by them
    assert stored.native_id == hostile.native_id and stored.author.id == "u\x1b1"
    assert stored.meta == {"note": "kept\x1b[1m"}


def test_a_clean_question_is_kept_as_it_is(make_question):
    question = make_question("1", title="Export?", body="How do I export?\n\nThanks")
    assert cleaned_question(question) is question
