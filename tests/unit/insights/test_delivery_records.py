"""The delivery records the store keeps are written as plain data (their key first, then
every field) and read back exactly; a field of the wrong shape is named in the error."""

from __future__ import annotations

import json

import pytest

from cxdaily.core.record_fields import RecordError
from cxdaily.insights.delivery.model import ItemRecord, PeriodRecord, PeriodState
from tests.unit.insights.digest_kit import at

SENT_AT = at("2026-11-20 08:00")


def test_a_period_record_is_read_and_written_back_key_first():
    stored = {
        "id": "product|2026-11-13T00:00:00Z..2026-11-20T00:00:00Z",
        "destination": "product",
        "kind": "jira",
        "period": "2026-11-13T00:00:00Z..2026-11-20T00:00:00Z",
        "label": "13 Nov 2026 – 19 Nov 2026 (UTC)",
        "state": "unknown",
        "attempts": 2,
        "updated_at": "2026-11-20T08:00:00Z",
        "sent_at": "2026-11-20T08:00:00Z",
        "items": 3,
        "error": "timed out after sending",
    }
    record = PeriodRecord.from_dict(stored)
    assert record.state is PeriodState.UNKNOWN
    assert record.updated_at == record.sent_at == SENT_AT
    assert (record.attempts, record.items) == (2, 3)
    written = json.loads(json.dumps(record.to_dict()))
    assert written == stored
    assert list(written) == list(stored)


def test_a_period_record_without_its_optional_fields_reads_their_defaults():
    stored = {
        "destination": "team",
        "kind": "email",
        "period": "p",
        "label": "l",
        "state": "sending",
        "attempts": 1,
        "updated_at": "2026-11-20T08:00:00Z",
    }
    record = PeriodRecord.from_dict(stored)
    assert (record.sent_at, record.items, record.error) == (None, 0, None)
    assert record.state is PeriodState.SENDING


def test_an_item_record_round_trips_with_its_evidence():
    stored = {
        "id": "linear|theme:tag:billing",
        "destination": "linear",
        "item": "theme:tag:billing",
        "remote_id": "ISS-7",
        "sent_at": "2026-11-20T08:00:00Z",
        "period": "p",
        "url": "https://linear.example/ISS-7",
        "evidence": ["i1", "i2"],
    }
    record = ItemRecord.from_dict(stored)
    assert (record.sent_at, record.evidence) == (SENT_AT, ("i1", "i2"))
    assert json.loads(json.dumps(record.to_dict())) == stored


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"attempts": "two"}, "'attempts'"),
        ({"state": "lost"}, "'state'"),
        ({"updated_at": None}, "'updated_at'"),
    ],
)
def test_a_stored_record_of_the_wrong_shape_names_the_field(change, message):
    stored = PeriodRecord(
        destination="d", kind="email", period="p", label="l", state=PeriodState.SENT,
        attempts=1, updated_at=SENT_AT,
    ).to_dict()  # fmt: skip
    with pytest.raises(RecordError, match=message):
        PeriodRecord.from_dict({**stored, **change})
