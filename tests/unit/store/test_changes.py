"""Watching a table: everything the first time, then only what changed, never a re-read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cxdaily.core.errors import StoreCorruptError
from cxdaily.core.models import Author
from cxdaily.store import Store
from cxdaily.store.changes import ARCHIVE, INSIGHTS, OUTBOX, QUESTIONS, HistoryFeed
from tests.unit.history.history_kit import insight, question, reply


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An opened, empty data folder."""
    with Store(tmp_path / "data") as opened:
        yield opened


def _poll(feed: HistoryFeed) -> dict[str, tuple[list[str], list[str]]]:
    """What each changed table says: (changed ids, removed ids)."""
    seen = {}
    for watch in feed.watches():
        changes = watch.poll()
        if changes is not None:
            ids = [getattr(c, "id", None) or c[0] for c in changes.changed]
            seen[changes.source] = (sorted(ids), sorted(changes.removed))
    return seen


def test_the_first_poll_gives_everything_and_the_next_nothing(store):
    store.questions.upsert_many([question("1"), question("2")])
    store.outbox.save(reply("r1", "support:1", "Done."))
    feed = HistoryFeed(store.folder)
    assert _poll(feed) == {
        "questions.json": (["support:1", "support:2"], []),
        "outbox.json": (["r1"], []),
    }
    assert _poll(feed) == {}


def test_only_new_changed_and_removed_records_come_back(store):
    store.questions.upsert_many([question("1"), question("2"), question("3")])
    feed = HistoryFeed(store.folder)
    _poll(feed)
    store.questions.upsert_many([question("2", author=Author(name="Changed")), question("4")])
    assert _poll(feed) == {"questions.json": (["support:2", "support:4"], [])}
    store.questions.upsert_many([question("3")])  # fetched again, unchanged
    assert _poll(feed) == {}


def test_archiving_and_new_months_are_seen(store):
    store.questions.upsert_many([question("old", days_ago=200), question("new")])
    feed = HistoryFeed(store.folder)
    _poll(feed)
    store.questions.archive(question("new").created_at)
    store.insights.add(insight("i1", "support:new"))
    changed = _poll(feed)
    assert changed["questions.json"] == ([], ["support:old"])
    (archive,) = [source for source in changed if source.startswith("questions-archive/")]
    assert changed[archive] == (["support:old"], [])
    assert [k for k in changed if k.startswith("insights/")]
    kinds = {w.kind for w in feed.watches()}
    assert kinds >= {QUESTIONS, ARCHIVE, OUTBOX, INSIGHTS}


def test_a_damaged_record_names_its_file(store):
    store.outbox.save(reply("r1", "support:1", "Done."))
    docs = store.folder.db("outbox.json").storage.read()["replies"]
    next(iter(docs.values()))["state"] = "lost"
    store.folder.db("outbox.json").storage.read()["replies"] = dict(docs)
    with pytest.raises(StoreCorruptError, match=r"outbox\.json is damaged"):
        _poll(HistoryFeed(store.folder))
