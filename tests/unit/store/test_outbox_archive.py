"""The outbox's archive: replies long sent leave ``outbox.json`` for monthly files, and
every reader that needs them still finds them, once, even after a crash mid-move."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from msgspec.structs import replace

from cxdaily.core.errors import NotFoundError, StoreCorruptError
from cxdaily.core.models import Reply, ReplyState
from cxdaily.store import Store
from cxdaily.store.database import KeyedTable
from cxdaily.store.outbox import OUTBOX_KEPT

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
CUT = NOW - OUTBOX_KEPT


def _reply(n: int, question: str, days_ago: float, state: ReplyState = ReplyState.SENT) -> Reply:
    """A reply queued ``days_ago`` days before NOW, last changed a minute later."""
    queued = NOW - timedelta(days=days_ago)
    done = queued + timedelta(minutes=1)
    sent_at = done if state is ReplyState.SENT else None
    return Reply(
        f"r{n}", question, "acme", f"Answer {n}", state, queued, done, f"k{n}", sent_at=sent_at
    )


#: Two old sent replies to one question in two months, an old cancelled one, an old
#: failed one (still to go out), and a recent sent one.
REPLIES = [
    _reply(1, "acme:1", days_ago=400),
    _reply(2, "acme:1", days_ago=90),
    _reply(3, "acme:2", days_ago=200, state=ReplyState.CANCELLED),
    _reply(4, "acme:3", days_ago=100, state=ReplyState.FAILED),
    _reply(5, "acme:1", days_ago=3),
]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    with Store(tmp_path / "data") as store:
        for reply in REPLIES:
            store.outbox.save(reply)
    return tmp_path / "data"


def _current_ids(data_dir: Path) -> set[str]:
    data = json.loads((data_dir / "outbox.json").read_text())
    return {doc["id"] for doc in data["replies"].values()}


def test_replies_done_over_a_month_ago_move_to_monthly_files(data_dir):
    with Store(data_dir) as store:
        assert store.outbox.archive(CUT) == 3
        assert store.outbox.archive(CUT) == 0, "nothing left to move"
    assert _current_ids(data_dir) == {"r4", "r5"}, "the failed one still has to go out"
    months = sorted(p.name for p in (data_dir / "outbox-archive").iterdir())
    assert months == ["2025-10.json", "2026-05.json", "2026-08.json", "questions.json"]
    index = json.loads((data_dir / "outbox-archive" / "questions.json").read_text())
    by_question = {doc["question_id"]: doc["months"] for doc in index["questions"].values()}
    assert by_question == {"acme:1": ["2025-10", "2026-08"], "acme:2": ["2026-05"]}


def test_archived_replies_are_found_by_every_reader(data_dir):
    with Store(data_dir) as store:
        store.outbox.archive(CUT)
    with Store(data_dir, read_only=True) as store:
        outbox = store.outbox
        assert [r.id for r in outbox.for_question("acme:1")] == ["r1", "r2", "r5"]
        assert [r.id for r in outbox.for_question("acme:2")] == ["r3"]
        assert outbox.for_question("acme:9") == []
        assert outbox.get("r1") == REPLIES[0]
        assert [r.id for r in outbox.all()] == ["r1", "r3", "r4", "r2", "r5"]
        assert [r.id for r in outbox.unsent()] == ["r4"]
        assert [r.id for r in outbox.sent_since(NOW - timedelta(days=14))] == ["r5"]
        assert [r.id for r in outbox.queued_since(NOW - timedelta(days=14))] == ["r5"]
        with pytest.raises(NotFoundError, match="no reply with id 'r9'"):
            outbox.get("r9")


def test_a_reply_saved_again_after_it_was_archived_is_read_from_the_outbox(data_dir):
    with Store(data_dir) as store:
        store.outbox.archive(CUT)
        changed = replace(REPLIES[0], body="Changed wording")
        store.outbox.save(changed)
        assert store.outbox.get("r1") == changed
        bodies = [r.body for r in store.outbox.for_question("acme:1")]
        assert bodies == ["Changed wording", "Answer 2", "Answer 5"]
        assert [r.id for r in store.outbox.all()].count("r1") == 1


def test_a_move_cut_off_before_the_outbox_is_written_leaves_each_reply_once(data_dir, monkeypatch):
    def killed(self, keys):
        raise KeyboardInterrupt("killed")  # the process dies before the outbox is written

    with Store(data_dir) as store:
        monkeypatch.setattr(KeyedTable, "delete_many", killed)
        with pytest.raises(KeyboardInterrupt):
            store.outbox.archive(CUT)
    monkeypatch.undo()
    assert _current_ids(data_dir) == {r.id for r in REPLIES}, "still in the outbox too"
    with Store(data_dir) as store:
        assert [r.id for r in store.outbox.for_question("acme:1")] == ["r1", "r2", "r5"]
        assert sorted(r.id for r in store.outbox.all()) == ["r1", "r2", "r3", "r4", "r5"]
        assert store.outbox.archive(CUT) == 3, "the next run finishes the move"
        assert [r.id for r in store.outbox.for_question("acme:1")] == ["r1", "r2", "r5"]
    assert _current_ids(data_dir) == {"r4", "r5"}


def test_a_damaged_archive_index_is_a_one_line_error_naming_it(data_dir):
    with Store(data_dir) as store:
        store.outbox.archive(CUT)
    path = data_dir / "outbox-archive" / "questions.json"
    data = json.loads(path.read_text())
    for doc in data["questions"].values():
        doc["months"] = "2025-10"
    path.write_text(json.dumps(data))
    with Store(data_dir) as store, pytest.raises(StoreCorruptError) as caught:
        store.outbox.for_question("acme:1")
    message = str(caught.value)
    assert "questions.json is damaged" in message and "months" in message
    assert "\n" not in message
