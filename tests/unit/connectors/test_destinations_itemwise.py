"""The framework for item-wise destinations (a note per insight, an issue per theme): each
item is recorded as it is sent, a failure half-way keeps what went out, and a retry sends
only the rest; nothing is ever sent twice, not even with ``--again``."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from cxdaily.connectors.destinations import DESTINATION_KINDS
from cxdaily.insights.delivery.model import OutcomeStatus, PeriodState
from cxdaily.service.delivery import StoreLedger
from tests.unit.insights.delivery_kit import NOTES_KIND, WEEK_KEY, seed_week, service, write_config


class NotesService:
    """Takes notes; refuses the posts whose number is in ``refuse`` (1 = the first)."""

    def __init__(self, *refuse: int) -> None:
        self.refuse = set(refuse)
        self.posts = 0
        self.notes: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.posts += 1
        if self.posts in self.refuse:
            return httpx.Response(503)
        self.notes.append(json.loads(request.content)["note"])
        return httpx.Response(201, text=f"note-{len(self.notes)}")


@pytest.fixture
def notes_home(home: Path, monkeypatch) -> Path:
    monkeypatch.setitem(DESTINATION_KINDS, "notes", NOTES_KIND)
    seed_week(home)
    write_config(home, {"board": {"kind": "notes", "url": "https://notes.example/api"}})
    return home


def test_a_failure_half_way_keeps_what_went_out_and_the_retry_sends_the_rest(notes_home):
    notes = NotesService(2)
    with service(notes) as s:
        (first,) = s.send_digest()
        items = s.delivery.repository.items("board")
        (second,) = s.send_digest()
        (third,) = s.send_digest()
        (again,) = s.send_digest(again=True)
        record = s.delivery.repository.period("board", WEEK_KEY)
    assert first.status is OutcomeStatus.FAILED and "503" in first.detail
    assert len(items) == 1 and next(iter(items.values())).remote_id == "note-1"
    assert second.status is OutcomeStatus.SENT and second.detail == "2 notes"
    assert third.status is OutcomeStatus.ALREADY
    assert again.status is OutcomeStatus.SENT and again.detail == "0 notes"
    assert len(notes.notes) == len(set(notes.notes)) == 3
    assert record is not None and record.state is PeriodState.SENT and record.attempts == 3


def test_an_item_recorded_again_keeps_its_first_period_and_gathers_evidence(notes_home):
    with service(NotesService()) as s:
        s.send_digest()
        first = s.delivery.repository.items("board")
        key = next(iter(first))
        later = StoreLedger(s.context, s.delivery.repository, "board", "a-later-period")
        later.record(key, "note-1", url="https://notes.example/n/1", evidence=["ins-new"])
        updated = s.delivery.repository.items("board")[key]
    assert len(first) == 3 and first[key].evidence == (key.removeprefix("insight:"),)
    assert updated.period == WEEK_KEY and updated.sent_at == first[key].sent_at
    assert updated.evidence == (key.removeprefix("insight:"), "ins-new")
    assert updated.url == "https://notes.example/n/1"
