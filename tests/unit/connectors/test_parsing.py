"""The shared question shape of the jsonl and http channels."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cxdaily.connectors.parsing import QuestionShapeError, parse_question


def parse(data):
    return parse_question(data, channel="imp", kind="jsonl")


def test_full_question():
    q = parse(
        {
            "id": 42,
            "body": "Where is my invoice?",
            "created_at": "2026-11-21T14:03:07+01:00",
            "author": {"id": 7, "handle": "@jane", "name": "Jane", "followers": 1200},
            "title": "Invoices",
            "url": "https://example.com/t/42",
            "thread_id": "t-9",
            "context": [
                {"author": {"name": "Bob"}, "body": "earlier", "created_at": "2026-11-20T10:00:00Z"}
            ],
            "meta": {"priority": "high"},
        }
    )
    assert q.id == "imp:42"
    assert q.native_id == "42"
    assert q.thread_id == "t-9"
    assert q.created_at == datetime(2026, 11, 21, 13, 3, 7, tzinfo=UTC)
    assert q.author.id == "7"
    assert q.author.followers == 1200
    assert q.context[0].author.name == "Bob"
    assert q.meta == {"priority": "high"}
    assert q.to_dict()["created_at"] == "2026-11-21T13:03:07Z"


def test_minimal_question():
    q = parse({"id": "a", "body": "hi", "created_at": "2026-01-01T00:00:00"})
    assert q.thread_id == "a"
    assert q.author.display == "unknown"
    assert q.created_at.tzinfo is not None
    assert q.context == ()


def test_epoch_times_and_author_as_handle():
    q = parse({"id": "a", "body": "hi", "created_at": 1_700_000_000, "author": "@jd"})
    assert q.created_at == datetime.fromtimestamp(1_700_000_000, UTC)
    assert q.author.handle == "@jd"


def test_only_web_links_are_kept():
    q = parse({"id": "a", "body": "x", "created_at": 0, "url": "javascript:alert(1)"})
    assert q.url is None


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([1, 2], "expected a JSON object, got a list"),
        ({"body": "x", "created_at": 0}, "id is missing"),
        ({"id": "a", "created_at": 0}, "body is missing"),
        ({"id": "a", "body": "x"}, "created_at is missing"),
        ({"id": "a", "body": "x", "created_at": "yesterday"}, "not an ISO-8601 timestamp"),
        ({"id": True, "body": "x", "created_at": 0}, "id must be a string or an integer"),
        ({"id": "a", "body": 5, "created_at": 0}, "body must be a string"),
        ({"id": "a", "body": "x", "created_at": 0, "author": 3}, "author must be an object"),
        (
            {"id": "a", "body": "x", "created_at": 0, "author": {"followers": "many"}},
            "author.followers must be a number",
        ),
        ({"id": "a", "body": "x", "created_at": 0, "context": {}}, "context must be a list"),
        (
            {"id": "a", "body": "x", "created_at": 0, "context": [{"body": "y"}]},
            "context[0].created_at is missing",
        ),
        ({"id": "a", "body": "x", "created_at": 0, "meta": []}, "meta must be an object"),
    ],
)
def test_problems_name_the_field(data, problem):
    with pytest.raises(QuestionShapeError) as caught:
        parse(data)
    assert problem in str(caught.value)
