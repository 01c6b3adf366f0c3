"""The ``http`` channel's thread answer is cleaned and checked like a question (issue 11)."""

from __future__ import annotations

import json

import pytest

from cxdaily.connectors.http_thread import parse_thread
from cxdaily.connectors.parsing import MAX_TEXT_CHARS, QuestionShapeError
from cxdaily.core.safe_json import loads

TIME = "2026-11-21T08:00:00Z"


def test_lone_surrogates_in_a_thread_are_cleaned():
    messages = parse_thread(
        [
            {
                "id": "m\ud800",
                "author": {"id": "u\udfff", "name": "Ana\ud800"},
                "body": "stuck\ud800",
                "created_at": TIME,
                "role": "Customer\ud800",
                "idempotency_key": "k\ud800",
            }
        ]
    )
    [message] = messages
    assert message.id == "m\ufffd"
    assert message.body == "stuck\ufffd"
    assert (message.author.id, message.author.name) == ("u\ufffd", "Ana\ufffd")
    assert message.role == "customer\ufffd"
    assert message.idempotency_key == "k\ufffd"
    json.dumps(message.as_message().to_dict(), ensure_ascii=False).encode("utf-8")


def message(**members: str) -> str:
    """A one-message thread's JSON text; ``members`` are raw JSON values by key."""
    values = {"id": '"1"', "body": '"x"', "created_at": f'"{TIME}"', **members}
    return "[{" + ", ".join(f'"{k}": {v}' for k, v in values.items()) + "}]"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (message(id="9" * 5001), "messages[0].id is unreadable (a 5001-digit number)"),
        (message(id=f'"{"x" * 201}"'), "messages[0].id is longer than 200 characters"),
        (message(created_at="1e999"), "messages[0].created_at is unreadable"),
        (message(author='{"followers": ' + "9" * 4000 + "}"),
         "messages[0].author.followers is unreadable"),
    ],
)  # fmt: skip
def test_hostile_thread_values_are_one_line_shape_errors(text, problem):
    with pytest.raises(QuestionShapeError) as caught:
        parse_thread(loads(text))
    assert problem in str(caught.value)
    assert "\n" not in str(caught.value)


def test_an_unreadable_id_is_not_taken_for_text():
    """str() of an Unreadable id used to become the message id '<unreadable: ...>'."""
    with pytest.raises(QuestionShapeError, match="unreadable"):
        parse_thread([{"id": loads("1" * 50), "body": "x", "created_at": TIME}])


def test_one_long_message_does_not_make_the_thread_unreadable():
    long = "x" * (MAX_TEXT_CHARS + 10)
    [message] = parse_thread([{"id": "1", "body": long, "created_at": TIME}])
    assert message.body == long
