"""Team writes: a question's team key, ids that stay the same for the same record, and
errors scrubbed of the password."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from cxdaily.team.database import scrub
from cxdaily.team.writes import (
    TeamWrite,
    WriteKind,
    claim_write,
    handoff_write,
    insight_write,
    question_key,
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
