"""The fast readers of stored questions and actions: they take only records as cxdaily
writes them, and build the same models the checked path builds."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from cxdaily.core.fast_records import (
    stored_action,
    stored_author,
    stored_day,
    stored_insight,
    stored_question,
    stored_time,
)
from cxdaily.core.models import (
    Action,
    Author,
    Disposition,
    Insight,
    Message,
    Question,
    read_digest_form,
)
from cxdaily.core.record_fields import RecordError, read_record

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
DISPOSITIONS = {member.value: member for member in Disposition}

#: A question as cxdaily writes it: a model's plain-dict form.
QUESTION: dict[str, Any] = Question(
    id="acme:1",
    channel="acme",
    kind="zendesk",
    native_id="1",
    thread_id="1",
    url=None,
    author=Author("7", "jane", "Jane", 3),
    title="Export",
    body="Cannot export",
    created_at=NOW,
    context=(Message(Author(name="Bob"), "earlier", datetime(2026, 11, 20, 12, tzinfo=UTC)),),
    meta={"priority": "high"},
).to_dict()
ACTION: dict[str, Any] = {
    "question_id": "acme:1",
    "disposition": "snoozed",
    "at": "2026-11-21T12:00:00Z",
    "session_id": "s1",
    "note": None,
    "team": None,
    "until": "2026-11-22T12:00:00Z",
    "day": "2026-11-21",
}


def fast_question(data: dict[str, Any]) -> Question | None:
    """The fast reader's question, or ``None``."""
    return stored_question(Question, data, Message, Author.from_dict)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-21T12:00:00Z", NOW),
        ("2026-11-21T12:00:00+00:00", None),
        ("2026-11-21 12:00:00Z", NOW),
        ("2026-13-21T12:00:00Z", None),
        (1732190400, None),
        (None, None),
    ],
)
def test_only_a_timestamp_as_cxdaily_writes_it_is_read_fast(value, expected):
    assert stored_time(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026-11-21", date(2026, 11, 21)), ("", None), (None, None), ("21/11", None), (5, None)],
)
def test_a_damaged_or_missing_day_is_none(value, expected):
    assert stored_day(value) == expected


def test_a_stored_question_is_the_model_the_checked_path_builds():
    question = fast_question(QUESTION)
    assert question is not None
    assert question.to_dict() == QUESTION
    assert question == Question.from_dict(QUESTION)
    assert question.meta is not QUESTION["meta"], "meta is a copy"


@pytest.mark.parametrize(
    "change",
    [
        {"thread_id": 1},
        {"thread_id": ""},
        {"created_at": "2026-11-21T12:00:00+00:00"},
        {"context": [{"body": "x"}]},
        {"context": ["x"]},
        {"meta": None},
        {"title": 5},
    ],
)
def test_a_question_of_another_shape_is_left_to_the_checked_path(change):
    data = {**QUESTION, **change}
    assert fast_question(data) is None


def test_the_checked_path_still_reads_what_the_fast_one_leaves():
    data = {**QUESTION, "thread_id": 9, "created_at": "2026-11-21T13:00:00+01:00"}
    question = Question.from_dict(data)
    assert (question.thread_id, question.created_at) == ("9", NOW)


def test_an_author_of_another_shape_is_left_to_the_checked_path():
    assert stored_author(Author, {"name": "Jane", "followers": 2.0}) is None
    assert stored_author(Author, None) is None
    assert Author.from_dict({"name": "Jane", "followers": 2.0}).followers == 2
    assert stored_author(Author, {"name": "Jane"}) == Author(name="Jane")


def test_a_stored_action_is_the_model_the_checked_path_builds():
    action = stored_action(Action, ACTION, DISPOSITIONS)
    assert action == Action(
        "acme:1",
        Disposition.SNOOZED,
        NOW,
        "s1",
        until=datetime(2026, 11, 22, 12, tzinfo=UTC),
        day=date(2026, 11, 21),
    )
    assert action is not None and action.disposition is Disposition.SNOOZED


@pytest.mark.parametrize(
    "change",
    [{"disposition": "archived"}, {"until": "tomorrow"}, {"at": None}, {"note": 3}],
)
def test_an_action_of_another_shape_is_left_to_the_checked_path(change):
    assert stored_action(Action, {**ACTION, **change}, DISPOSITIONS) is None


def test_a_damaged_day_is_computed_again_on_either_path():
    fast = Action.from_dict({**ACTION, "day": "someday"})
    checked = Action.from_dict({**ACTION, "day": "someday", "until": "2026-11-22T13:00:00+01:00"})
    assert fast.day is None and checked.day is None
    assert checked.until == fast.until


#: An insight as cxdaily writes it, with its stored digest form.
INSIGHT: dict[str, Any] = {
    **Insight(
        id="i1",
        question_id="acme:1",
        channel="acme",
        url="https://acme.example/t/1",
        customer_name="Jane Doe",
        customer_handle="jane@example.com",
        tags=("billing", "churn risk"),
        team="product",
        sentiment="negative",
        importance=3,
        summary="Invoices in the wrong currency",
        quote="We were billed in USD.\n\nAgain.",
        note=None,
        created_at=NOW,
        session_id="s1",
    ).to_dict(),
    "digest_stamp": 12345,
    "digest_form": {"customer_handle": "j***@example.com", "tags": ["billing"]},
}


def checked_insight(data: dict[str, Any]) -> Insight:
    """The insight the field-by-field path reads."""
    return read_record(Insight, data, Insight.field_readers)


def same_insight(first: Insight, second: Insight) -> bool:
    """Equal in every field, the stored digest form (left out of ``==``) included."""
    return first == second and (first.digest_stamp, first.digest_form) == (
        second.digest_stamp,
        second.digest_form,
    )


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"summary": None, "quote": None},
        {"url": None, "customer_name": None, "customer_handle": None, "team": None},
        {"tags": []},
        {"digest_stamp": "12345", "digest_form": 7},
        {"digest_stamp": None, "digest_form": None},
        {"digest_form": {"quote": None}},
        {"digest_form": {}},
        {"note": "a note", "session_id": None},
    ],
)
def test_a_stored_insight_is_the_model_the_checked_path_builds(change):
    data = {**INSIGHT, **change}
    fast = stored_insight(Insight, data, read_digest_form)
    assert fast is not None
    assert same_insight(fast, checked_insight(data))
    assert type(fast.tags) is tuple


def test_an_insight_without_its_optional_fields_reads_the_same_either_way():
    data = {k: v for k, v in INSIGHT.items() if k not in ("summary", "quote", "importance")}
    fast = stored_insight(Insight, data, read_digest_form)
    assert fast is not None and (fast.summary, fast.quote, fast.importance) == ("", "", 1)
    assert same_insight(fast, checked_insight(data))


@pytest.mark.parametrize(
    "change",
    [
        {"importance": True},
        {"importance": 2.0},
        {"tags": ["billing", 3]},
        {"tags": ("billing",)},
        {"id": 7},
        {"created_at": "2026-11-21T13:00:00+01:00"},
        {"created_at": None},
        {"quote": ["not", "text"]},
        {"team": 4},
    ],
)
def test_an_insight_of_another_shape_is_left_to_the_checked_path(change):
    data = {**INSIGHT, **change}
    assert stored_insight(Insight, data, read_digest_form) is None
    try:
        checked = checked_insight(data)
    except RecordError:
        return  # the checked path says what is wrong
    assert same_insight(Insight.from_dict(data), checked)


def test_insights_read_from_dicts_take_the_fast_path_and_land_the_same():
    assert same_insight(Insight.from_dict(INSIGHT), checked_insight(INSIGHT))
    with pytest.raises(RecordError):
        Insight.from_dict({**INSIGHT, "quote": ["not", "text"]})
