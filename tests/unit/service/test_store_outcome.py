"""Storing one channel's fetch: a question the fetch brought twice (a service that gave a
page twice) is stored, counted and shown once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cxdaily.connectors.base import FetchResult
from cxdaily.connectors.runner import ChannelOutcome
from cxdaily.service.fetching import each_once, store_outcome
from cxdaily.store import Store

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


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
