"""The local team queue: durable, in order, a write replaced in place, removed when done."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from cxdaily.core.errors import StoreCorruptError
from cxdaily.store.database import DataFolder
from cxdaily.store.team_queue import TEAM_FILE, TeamQueueRepository
from cxdaily.team.writes import TeamWrite, WriteKind

AT = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def folder(tmp_path):
    """An opened data folder, closed after the test."""
    opened = DataFolder(tmp_path)
    yield opened
    opened.close()


def write(write_id: str, minutes: int = 0, **data: object) -> TeamWrite:
    return TeamWrite(write_id, WriteKind.CLAIM, AT + timedelta(minutes=minutes), dict(data))


def test_writes_come_back_in_the_order_they_were_made(folder):
    queue = TeamQueueRepository(folder)
    for n in (3, 1, 2):
        queue.add(write(f"w{n}", key=f"k{n}"))
    assert [w.id for w in queue.pending()] == ["w3", "w1", "w2"]
    assert [w.id for w in queue.pending(2)] == ["w3", "w1"]
    assert queue.count() == 3


def test_the_same_write_again_replaces_it_in_its_place(folder):
    queue = TeamQueueRepository(folder)
    queue.add(write("a", key="old"))
    queue.add(write("b"))
    queue.add(write("a", key="new"))
    pending = queue.pending()
    assert [w.id for w in pending] == ["a", "b"]
    assert pending[0].data == {"key": "new"}


def test_the_queue_survives_a_restart_and_keeps_counting_on(tmp_path):
    folder = DataFolder(tmp_path)
    queue = TeamQueueRepository(folder)
    queue.add(write("a"))
    queue.add(write("b"))
    assert queue.done([write("a")]) == 1
    folder.close()
    folder = DataFolder(tmp_path)
    reopened = TeamQueueRepository(folder)
    reopened.add(write("c"))
    assert [w.id for w in reopened.pending()] == ["b", "c"]
    assert reopened.pending()[0] == write("b")
    folder.close()


def test_done_removes_only_what_it_names(folder):
    queue = TeamQueueRepository(folder)
    queue.add(write("a"))
    assert queue.done([write("a"), write("never-queued")]) == 1
    assert queue.done([write("a")]) == 0
    assert queue.count() == 0


def test_a_write_replaced_while_it_was_applied_stays_to_be_applied(folder):
    """The leader undid a tag while the team database applied it: the undo is not lost."""
    queue = TeamQueueRepository(folder)
    queue.add(write("a", key="tagged"))
    (applying,) = queue.pending()
    queue.add(write("a", 5, key="withdrawn"))  # meanwhile, under the same id
    assert queue.done([applying]) == 0
    assert [w.data for w in queue.pending()] == [{"key": "withdrawn"}]
    assert queue.done(queue.pending()) == 1 and queue.count() == 0


def test_team_state_is_cached_beside_the_queue(folder):
    queue = TeamQueueRepository(folder)
    assert queue.state("taxonomy") is None
    queue.save_state("taxonomy", {"document": {"tags": ["billing"]}})
    assert queue.state("taxonomy") == {"document": {"tags": ["billing"]}}


def test_a_damaged_write_names_the_file_and_is_kept(tmp_path):
    first = DataFolder(tmp_path)
    TeamQueueRepository(first).add(write("a"))
    first.close()
    path = tmp_path / TEAM_FILE
    doc = json.loads(path.read_text())
    next(iter(doc["queue"].values()))["kind"] = "explode"
    path.write_text(json.dumps(doc))
    again = DataFolder(tmp_path)
    try:
        with pytest.raises(StoreCorruptError, match=TEAM_FILE):
            TeamQueueRepository(again).pending()
    finally:
        again.close()
    assert "explode" in path.read_text()
