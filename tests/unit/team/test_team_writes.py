"""Team writes: a question's team key, ids that stay the same for the same record, and
errors scrubbed of the password."""

from __future__ import annotations

from datetime import timedelta

import pytest
from msgspec.structs import replace

from cxdaily.team.database import apply_write, scrub
from cxdaily.team.errors import TeamError
from cxdaily.team.writes import (
    RemovedRecord,
    TeamWrite,
    WriteKind,
    claim_write,
    handoff_id,
    handoff_write,
    insight_write,
    question_key,
    removal_write,
    sent_write,
)
from tests.time_kit import FIXED_NOW
from tests.unit.team.team_kit import sample_records


def test_two_channels_on_the_same_help_desk_share_the_key(make_question):
    mine = make_question("35436", channel="acme-support")
    theirs = make_question("35436", channel="support")
    assert mine.id != theirs.id
    assert question_key(mine) == question_key(theirs) == "zendesk:35436"


def test_records_keep_their_ids_and_claims_get_new_ones(make_question):
    question = make_question("1")
    insight, reply, action = sample_records(question)
    assert insight_write(insight, question).id == insight_write(insight, question).id
    assert sent_write(reply, question).id == "sent:r1"
    assert handoff_write(action, question).id == handoff_write(action, question).id
    later = replace(action, at=FIXED_NOW + timedelta(seconds=1))
    assert handoff_write(later, question).id != handoff_write(action, question).id
    assert claim_write(question, FIXED_NOW).id != claim_write(question, FIXED_NOW).id


def test_a_write_round_trips_through_the_queue_form(make_question):
    write = claim_write(make_question("5"), FIXED_NOW)
    assert TeamWrite.from_dict(write.to_dict()) == write
    assert write.kind is WriteKind.CLAIM and write.data["key"] == "zendesk:5"


@pytest.mark.parametrize(
    "text",
    [
        "FATAL: auth failed for s3cr3t-pass",
        "dsn host=db password=s3cr3t-pass user=anna",
        "postgresql://anna:s3cr3t-pass@db/cxdaily refused",
        "password='s3cr3t-pass'\nnext line",
    ],
)
def test_scrub_removes_the_password_in_every_shape(text):
    cleaned = scrub(text, ["s3cr3t-pass"])
    assert "s3cr3t-pass" not in cleaned
    assert "\n" not in cleaned


class RecordingConnection:
    """Records the statements a write runs (and their parameters)."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, tuple[object, ...]]] = []

    def execute(self, statement: str, parameters: tuple[object, ...] = ()) -> None:
        self.statements.append((statement, parameters))


def test_a_removal_takes_the_id_of_the_write_that_added_the_record(make_question):
    question = make_question("9")
    insight, _, action = sample_records(question)
    removed_insight = removal_write(RemovedRecord.INSIGHT, insight.id, FIXED_NOW)
    removed_handoff = removal_write(RemovedRecord.HANDOFF, handoff_id(action), FIXED_NOW)
    assert removed_insight.id == insight_write(insight, question).id
    assert removed_handoff.id == handoff_write(action, question).id
    assert TeamWrite.from_dict(removed_handoff.to_dict()) == removed_handoff


@pytest.mark.parametrize("record, table", [("insight", "insights"), ("handoff", "handoffs")])
def test_a_removal_deletes_only_the_leaders_own_row_by_id(record, table):
    conn = RecordingConnection()
    write = removal_write(RemovedRecord(record), "abc", FIXED_NOW)
    assert apply_write(conn, write, "Anna", 900, FIXED_NOW) is None  # type: ignore[arg-type]
    [(statement, parameters)] = conn.statements
    assert statement.startswith(f"DELETE FROM cxdaily.{table} WHERE id = %s")
    assert statement.endswith("AND leader_role = current_user")
    assert parameters == ("abc",)


def test_a_removal_of_an_unknown_record_is_refused_without_sql():
    conn = RecordingConnection()
    write = TeamWrite("x", WriteKind.REMOVAL, FIXED_NOW, {"record": "members", "record_id": "a"})
    with pytest.raises(TeamError, match="unknown record: members"):
        apply_write(conn, write, "Anna", 900, FIXED_NOW)  # type: ignore[arg-type]
    assert conn.statements == []
