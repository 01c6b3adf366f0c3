"""Reading a whole record by its declared field types (``read_record`` and
``StoredRecord``): each type's reader, defaults, the first wrong field named, fields read
another way, and classes that need their ``__init__``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from cxdaily.core.models import Insight, Reply, ReplyState, Session
from cxdaily.core.record_fields import (
    RecordError,
    read_record,
)
from tests.unit.insights.digest_kit import insight

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class Checked(msgspec.Struct, frozen=True):
    """A record whose ``__init__`` does more than store the fields."""

    name: str
    seen: list[str] = msgspec.field(default_factory=list)

    def __post_init__(self) -> None:
        self.seen.append(self.name)


class Named(msgspec.Struct, frozen=True):
    """A record of one text field."""

    name: str


class Odd(msgspec.Struct, frozen=True):
    """A record with a field of a type no reader knows."""

    ratio: float


#: An insight as cxdaily writes it: text, optional text, a list of text, whole numbers
#: and timestamps.
INSIGHT: dict[str, Any] = insight(
    NOW, tags=("billing", "export"), sentiment=None, importance=3, session_id="s1"
).to_dict()
#: A sent reply as cxdaily writes it: an enum, a flag, optional timestamps.
REPLY: dict[str, Any] = Reply(
    "r1", "acme:1", "acme", "Thanks", ReplyState.SENT, NOW, NOW, "k1", 1, "77", NOW
).to_dict()


def test_each_field_is_read_by_its_declared_type_and_written_back():
    insight = Insight.from_dict(INSIGHT)
    assert (insight.tags, insight.importance, insight.created_at) == (("billing", "export"), 3, NOW)
    assert insight.to_dict() == INSIGHT
    reply = Reply.from_dict(REPLY)
    assert (reply.state, reply.uncertain, reply.sent_at, reply.checked_at) == (
        ReplyState.SENT,
        False,
        NOW,
        None,
    )
    assert reply.to_dict() == REPLY


def test_absent_fields_take_their_defaults_and_null_text_its_default():
    required = {k: v for k, v in INSIGHT.items() if k not in ("importance", "summary", "note")}
    insight = Insight.from_dict({**required, "summary": None})
    assert (insight.importance, insight.summary, insight.note) == (1, "", None)
    assert Insight.from_dict({**INSIGHT, "importance": 4.0}).importance == 4
    assert Reply.from_dict({**REPLY, "uncertain": 1}).uncertain is True


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"channel": 3, "created_at": "soon"}, "'channel' is a number, not text"),
        ({"created_at": "soon"}, "'created_at' is not an ISO-8601 timestamp"),
        ({"tags": ["a", 1]}, "'tags' is a list, not a list of text"),
        ({"importance": True}, "'importance' is true/false, not a whole number"),
        ({"team": ["x"]}, "'team' is a list, not text"),
        ({"summary": 5}, "'summary' is a number, not text"),
    ],
)
def test_the_first_wrong_field_is_named(changes, message):
    with pytest.raises(RecordError) as raised:
        Insight.from_dict({**INSIGHT, **changes})
    assert str(raised.value) == message


def test_an_enum_value_outside_the_enum_names_the_known_values():
    with pytest.raises(RecordError) as raised:
        Reply.from_dict({**REPLY, "state": "lost"})
    assert str(raised.value) == "'state' is 'lost', not one of " + ", ".join(ReplyState)


def test_a_missing_required_field_and_a_record_that_is_not_an_object_are_named():
    with pytest.raises(RecordError, match="'budget_s' is missing"):
        Session.from_dict({"id": "s1", "started_at": "2026-11-21T12:00:00Z", "planned": []})
    with pytest.raises(RecordError, match="the record is a list, not an object"):
        read_record(Insight, [INSIGHT])


def test_a_field_read_another_way_uses_its_reader():
    assert Reply.from_dict({**REPLY, "remote_id": 77}).remote_id == "77"
    assert Reply.from_dict({**REPLY, "remote_id": None}).remote_id is None
    with pytest.raises(RecordError, match="'remote_id' is true/false, not an id"):
        Reply.from_dict({**REPLY, "remote_id": True})


def test_other_readers_for_the_same_type_are_honoured():
    def shouted(data: dict[str, Any], key: str) -> str:
        return str(data[key]).upper()

    assert read_record(Named, {"name": "a"}).name == "a"
    assert read_record(Named, {"name": "a"}, {"name": shouted}).name == "A"
    assert read_record(Named, {"name": "b"}).name == "b"


def test_a_class_with_a_post_init_is_built_through_its_init():
    seen: list[str] = []
    record = read_record(Checked, {"name": "a", "seen": []}, {"seen": lambda d, k: seen})
    assert record.name == "a"
    assert seen == ["a"]


def test_a_field_of_a_type_no_reader_knows_is_a_type_error():
    with pytest.raises(TypeError, match=r"no reader for Odd\.ratio \(<class 'float'>\)"):
        read_record(Odd, {"ratio": 0.5})
