"""The shared question shape of the jsonl and http channels."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from cxdaily.connectors.http_errors import BadResponseError, StatusError, UnreachableError
from cxdaily.connectors.parsing import (
    MAX_CONTEXT_MESSAGES,
    MAX_TEXT_CHARS,
    QuestionShapeError,
    checkpoint_marks,
    checkpoint_time,
    id_field,
    object_field,
    parse_question,
    text_field,
    turn_question,
)
from cxdaily.connectors.skipped import SkippedItems, next_checkpoint
from cxdaily.core.models import Author, Message
from cxdaily.core.safe_json import Unreadable, loads


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


# -- issue 11: customer text is cleaned, hostile values cost only their item ----------

SURROGATE = "\ud800"


def encodes(question) -> bool:
    """Whether the question can be stored: its JSON encodes to UTF-8."""
    json.dumps(question.to_dict(), ensure_ascii=False).encode("utf-8")
    return True


def test_lone_surrogates_are_cleaned_in_every_kept_string():
    s = SURROGATE
    q = parse(
        {
            "id": f"i{s}",
            "thread_id": f"t{s}",
            "body": f"b{s}",
            "title": f"t{s}",
            "url": f"https://example.com/{s}",
            "created_at": "2026-11-21T14:03:07Z",
            "author": {"id": f"a{s}", "handle": f"@h{s}", "name": f"n{s}"},
            "context": [
                {"author": f"@c{s}", "body": f"cb{s}", "created_at": "2026-11-20T10:00:00Z"}
            ],
            "meta": {f"k{s}": [f"v{s}", {f"x{s}": f"y{s}"}]},
        }
    )
    assert encodes(q)
    assert (q.native_id, q.thread_id, q.body, q.title) == (
        "i\ufffd",
        "t\ufffd",
        "b\ufffd",
        "t\ufffd",
    )
    assert q.id == "imp:i\ufffd"
    assert q.url == "https://example.com/\ufffd"
    assert (q.author.id, q.author.handle, q.author.name) == ("a\ufffd", "@h\ufffd", "n\ufffd")
    assert q.context[0].author.handle == "@c\ufffd"
    assert q.context[0].body == "cb\ufffd"
    assert q.meta == {"k\ufffd": ["v\ufffd", {"x\ufffd": "y\ufffd"}]}


def test_text_field_is_the_door_for_any_other_text():
    assert text_field(f"caf{SURROGATE}", "note") == "caf\ufffd"
    assert text_field(None, "note") is None
    assert text_field("x" * 10, "note", max_chars=None) == "x" * 10
    with pytest.raises(QuestionShapeError, match="note is missing"):
        text_field(None, "note", required=True)
    with pytest.raises(QuestionShapeError, match="note must be a string, got a number"):
        text_field(3, "note")
    with pytest.raises(QuestionShapeError, match="note is longer than 5 characters"):
        text_field("x" * 6, "note", max_chars=5)
    with pytest.raises(QuestionShapeError, match=r"note is unreadable \(a 50-digit number\)"):
        text_field(loads("1" * 50), "note")
    assert id_field(f" 7{SURROGATE} ", "id") == "7\ufffd"
    assert id_field(12, "id") == "12"


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


ID, BODY, TIME = '"id": "a"', '"body": "x"', '"created_at": "2026-11-21T10:00:00Z"'


def doc(*members: str) -> str:
    """A JSON object's text made of ``members`` (``'"key": value'`` strings)."""
    return "{" + ", ".join(members) + "}"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (doc(ID, BODY, TIME, '"author": {"followers": ' + "9" * 4000 + "}"),
         "author.followers is unreadable (a 4000-digit number)"),
        (doc('"id": ' + "9" * 5001, BODY, TIME), "id is unreadable (a 5001-digit number)"),
        (doc(f'"id": "{"x" * 201}"', BODY, TIME), "id is longer than 200 characters"),
        (doc(ID, BODY, TIME, '"thread_id": ' + "9" * 201),
         "thread_id is unreadable (a 201-digit number)"),
        (doc(ID, BODY, TIME, '"meta": {"d": ' + deep(100_000) + "}"),
         "meta is nested deeper than 32 levels"),
        (doc(ID, BODY, TIME, '"meta": {"d": ' + deep(40) + "}"),
         "meta is nested deeper than 32 levels"),
        (doc(ID, BODY, TIME, '"meta": {"n": [1, NaN]}'), "meta.n[1] is unreadable"),
        (doc(ID, BODY, TIME, '"meta": {"n": 1e999}'), "meta.n is unreadable"),
        (doc(ID, '"body": ' + deep(100_000), TIME), "body must be a string, got a list"),
        (doc(ID, BODY, '"created_at": ' + "9" * 400), "created_at is unreadable"),
        (doc(ID, BODY, TIME, '"context": [{"body": "y", "created_at": 1e999}]'),
         "context[0].created_at is unreadable"),
        (deep(100_000), "expected a JSON object, got a list"),
        (doc(ID, BODY, '"created_at": "9999-12-31T23:59:59-01:00"'), "out of range"),
        (doc(ID, BODY, '"created_at": "0001-01-01T00:00:00+01:00"'), "out of range"),
        (doc(ID, BODY, '"created_at": 40000000000'), "out of range"),
    ],
)  # fmt: skip
def test_hostile_values_are_shape_errors_naming_the_field(text, problem):
    with pytest.raises(QuestionShapeError) as caught:
        parse(loads(text))
    assert problem in str(caught.value)
    assert "\n" not in str(caught.value)


def test_huge_python_numbers_never_overflow():
    """A connector that decoded with plain json.loads (or built the dict itself)."""
    for field, value, problem in [
        ("followers", 10**4000, "author.followers is too large"),
        ("followers", float("inf"), "author.followers must be a finite number"),
        ("followers", float("nan"), "author.followers must be a finite number"),
        ("id", 10**5000, "author.id is longer than 200 characters"),
    ]:
        with pytest.raises(QuestionShapeError, match=problem):
            parse({"id": "a", "body": "x", "created_at": 0, "author": {field: value}})
    with pytest.raises(QuestionShapeError, match=r"meta\.n is a number of more than 40 digits"):
        parse({"id": "a", "body": "x", "created_at": 0, "meta": {"n": 10**5000}})
    with pytest.raises(QuestionShapeError, match="not a valid time"):
        parse({"id": "a", "body": "x", "created_at": 10**5000})


def test_meta_must_be_plain_json():
    with pytest.raises(QuestionShapeError, match=r"meta\.when holds datetime, which is not JSON"):
        parse({"id": "a", "body": "x", "created_at": 0, "meta": {"when": datetime.now(UTC)}})
    with pytest.raises(QuestionShapeError, match="meta has a key that is not text"):
        parse({"id": "a", "body": "x", "created_at": 0, "meta": {1: "x"}})
    q = parse({"id": "a", "body": "x", "created_at": 0, "meta": {"t": (1, 2.5, None, True)}})
    assert q.meta == {"t": [1, 2.5, None, True]}


def test_a_datetime_is_accepted_as_a_time():
    q = parse({"id": "a", "body": "x", "created_at": datetime(2026, 1, 2, 3, 4)})
    assert q.created_at == datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


def test_messages_are_one_printable_line():
    with pytest.raises(QuestionShapeError) as caught:
        parse({"id": "a", "body": "x", "created_at": 0, "meta": {"k\n\x1b[2J" * 200: 1e999}})
    message = str(caught.value)
    assert message.isprintable() and len(message) <= 300


HOSTILE = [
    Unreadable("a 5000-digit number"),
    10**5000,
    -(10**5000),
    float("nan"),
    float("inf"),
    -1,
    True,
    SURROGATE,
    "x" * (MAX_TEXT_CHARS + 1),
    object(),
    b"bytes",
    {SURROGATE: SURROGATE},
    [SURROGATE],
    "9999-12-31T23:59:59-12:00",
]


def nested(levels: int) -> list:
    value: list = []
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize(
    "path",
    [
        ("id",), ("thread_id",), ("body",), ("title",), ("url",), ("created_at",),
        ("author",), ("author", "id"), ("author", "handle"), ("author", "name"),
        ("author", "followers"), ("context",), ("context", 0), ("context", 0, "body"),
        ("context", 0, "created_at"), ("context", 0, "author"), ("meta",), ("meta", "k"),
    ],
)  # fmt: skip
def test_parse_question_raises_nothing_but_shape_errors(path):
    """Every hostile value in every field: a clean question or a one-line shape error."""
    for hostile in [*HOSTILE, nested(100_000)]:
        item = {
            "id": "a",
            "body": "x",
            "created_at": "2026-11-21T10:00:00Z",
            "author": {"name": "Ann"},
            "context": [{"body": "y", "created_at": "2026-11-20T10:00:00Z", "author": {}}],
            "meta": {"k": 1},
        }
        target = item
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = hostile
        try:
            question = parse(item)
        except QuestionShapeError as exc:
            assert "\n" not in str(exc)
        else:
            assert encodes(question)


# ------------------------------------------------------------------------ checkpoints
def test_a_checkpoint_time_is_read_from_its_iso_text():
    assert checkpoint_time({"since": "2026-12-03T08:00:00Z"}, "since") == datetime(
        2026, 12, 3, 8, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "checkpoint",
    [None, [], {}, {"since": None}, {"since": 1764748800}, {"since": "yesterday"},
     {"since": "9" * 5000}, {"since": "0001-01-01T00:00:00Z"}],
)  # fmt: skip
def test_a_damaged_or_missing_checkpoint_time_means_a_first_fetch(checkpoint):
    assert checkpoint_time(checkpoint, "since") is None


def test_checkpoint_marks_are_the_time_and_the_ids_taken_at_it():
    checkpoint = {"since": "2026-12-03T08:00:00Z", "at": ["7", 8, "9", "10"]}
    since, taken = checkpoint_marks(checkpoint, "since", "at", 3)
    assert since == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    assert taken == {"7", "9"}  # the first three kept, anything but text left out
    assert (
        checkpoint_marks({"since": "2026-12-03T08:00:00Z", "at": "7"}, "since", "at", 3)[1] == set()
    )


def test_checkpoint_marks_without_a_usable_time_keep_no_ids():
    assert checkpoint_marks({"since": "soon", "at": ["7"]}, "since", "at", 3) == (None, set())


# ------------------------------------------------------------------------ a turn's question
@dataclass(frozen=True)
class Said:
    """A thread message as a connector reads it."""

    body: str
    created_at: datetime

    def as_message(self) -> Message:
        return Message(author=Author(name="someone"), body=self.body, created_at=self.created_at)


def test_a_turn_question_joins_the_turn_and_keeps_the_latest_context():
    start = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    before = [Said(f"earlier {n}", start) for n in range(MAX_CONTEXT_MESSAGES + 5)]
    turn = [Said("The export fails.", start), Said("  ", start), Said("Any news?", start)]
    question = turn_question(
        channel="desk", kind="zendesk", native_id="T1:m1", thread_id="T1", url=None,
        author=Author(name="Jane"), title="Export", turn=turn, before=before, meta={"a": 1},
    )  # fmt: skip
    assert question.id == "desk:T1:m1" and question.thread_id == "T1"
    assert question.body == "The export fails.\n\nAny news?"
    assert question.created_at == start and question.meta == {"a": 1}
    assert len(question.context) == MAX_CONTEXT_MESSAGES
    assert question.context[-1].body == f"earlier {MAX_CONTEXT_MESSAGES + 4}"


def test_a_turn_without_text_is_asked_by_its_title():
    start = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    question = turn_question(
        channel="gh", kind="github", native_id="o/r#1", thread_id="o/r#1", url=None,
        author=Author(), title="Crash on start", turn=[Said("", start)], before=[], meta={},
    )  # fmt: skip
    assert question.body == "Crash on start" and question.context == ()


# ------------------------------------------------------------------------ objects
def test_an_object_field_is_the_object_itself():
    data = {"id": "1"}
    assert object_field(data, "comment") is data


@pytest.mark.parametrize(
    ("value", "said"),
    [([], "a list"), (None, "null"), ("x", "a string"), (3, "a number"), (True, "true/false")],
)
def test_anything_but_an_object_is_a_one_line_shape_error_saying_what_it_is(value, said):
    with pytest.raises(QuestionShapeError) as caught:
        object_field(value, "messages[2]")
    assert str(caught.value) == f"messages[2] must be an object, got {said}"


def test_an_unreadable_value_is_refused_as_unreadable():
    hostile = loads('{"from": ' + "9" * 5000 + "}")
    with pytest.raises(QuestionShapeError) as caught:
        object_field(hostile["from"], "comment.from")
    assert str(caught.value) == "comment.from is unreadable (a 5000-digit number)"


@pytest.mark.parametrize(
    ("failure", "passing"),
    [
        (UnreachableError("timed out"), True),
        (StatusError("503", status=503), True),
        (StatusError("408", status=408), True),
        (StatusError("404", status=404), False),
        (StatusError("403", status=403), False),
        (BadResponseError("not JSON"), False),
    ],
)
def test_items_left_unread_hold_the_checkpoint_only_when_the_failure_may_pass(failure, passing):
    before, newest = datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 3, tzinfo=UTC)
    skipped = SkippedItems()
    skipped.add("a bad item")
    assert next_checkpoint(before, newest, skipped) == newest
    mark = skipped.unread
    skipped.not_read("post 7: its further comments were not read (failed)", failure)
    assert skipped.unread == mark + passing
    assert skipped.lines()[-1].endswith("; read again by the next fetch") is passing
    assert next_checkpoint(before, newest, skipped, mark) == (before if passing else newest)
    assert next_checkpoint(before, newest, skipped, skipped.unread) == newest  # a later part
    assert next_checkpoint(newest, before, SkippedItems()) == newest  # never backwards
