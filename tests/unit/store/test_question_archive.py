"""Old questions move to monthly archive files: the daily loop reads weeks, not years,
and nothing is lost (an archived question is still found by id)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from cxdaily.core.clock import to_iso
from cxdaily.core.errors import NotFoundError, StoreError
from cxdaily.core.models import Question
from cxdaily.service import Service
from cxdaily.store import Store
from tests.time_kit import FIXED_NOW

CUTOFF = FIXED_NOW - timedelta(days=30)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "data") as opened:
        yield opened


def _ids(questions: list[Question]) -> set[str]:
    return {q.id for q in questions}


def test_old_questions_move_to_the_file_of_their_month(store: Store, make_question):
    recent = make_question("recent", age=timedelta(days=2))
    october = make_question("october", age=timedelta(days=45))
    september = make_question("september", age=timedelta(days=70))
    store.questions.upsert_many([recent, october, september])

    assert store.questions.archive(CUTOFF) == 2

    assert _ids(store.questions.all()) == {recent.id}
    folder = store.folder.data_dir / "questions-archive"
    months = sorted(p.name for p in folder.iterdir())
    assert months == [f"{september.created_at:%Y-%m}.json", f"{october.created_at:%Y-%m}.json"]
    on_disk = json.loads((folder / months[0]).read_text())["questions"]
    assert [doc["id"] for doc in on_disk.values()] == [september.id]
    live = json.loads((store.folder.data_dir / "questions.json").read_text())["questions"]
    assert [doc["id"] for doc in live.values()] == [recent.id]


def test_an_archived_question_is_still_found_by_id_after_reopening(tmp_path: Path, make_question):
    old = make_question("old", age=timedelta(days=90), body="Where is my refund?")
    with Store(tmp_path / "data") as store:
        store.questions.upsert_many([old])
        store.questions.archive(CUTOFF)
    with Store(tmp_path / "data") as store:
        assert store.questions.get(old.id) == old
        assert store.questions.all() == []
        with pytest.raises(NotFoundError):
            store.questions.get("acme:never")


def test_questions_to_keep_stay_current(store: Store, make_question):
    old, acted_on = (make_question(n, age=timedelta(days=60)) for n in ("old", "acted-on"))
    store.questions.upsert_many([old, acted_on])
    assert store.questions.archive(CUTOFF, keep={acted_on.id}) == 1
    assert _ids(store.questions.all()) == {acted_on.id}


def test_nothing_to_archive_writes_nothing(store: Store, make_question):
    store.questions.upsert_many([make_question(age=timedelta(days=1))])
    live = store.folder.data_dir / "questions.json"
    before = live.stat().st_mtime_ns
    assert store.questions.archive(CUTOFF) == 0
    assert live.stat().st_mtime_ns == before
    assert not (store.folder.data_dir / "questions-archive").exists()


def test_an_archived_question_fetched_again_is_updated_in_the_archive(store: Store, make_question):
    old = make_question("old", age=timedelta(days=50), meta={"status": "open"})
    store.questions.upsert_many([old])
    store.questions.archive(CUTOFF)
    solved = make_question("old", age=timedelta(days=50), meta={"status": "solved"})

    added, updated = store.questions.upsert_many([solved, make_question("new")])

    assert (added, updated) == (1, 1), "the old question is not news"
    assert store.questions.get(old.id).meta == {"status": "solved"}
    assert old.id not in _ids(store.questions.all())


def test_a_crash_between_the_two_writes_loses_nothing(
    store: Store, make_question, monkeypatch: pytest.MonkeyPatch
):
    """The archive is written before the current file: a failure in between leaves the
    question in both, and the next archive run finishes the move."""
    old = make_question("old", age=timedelta(days=50))
    store.questions.upsert_many([old, make_question("recent")])

    def fail(*args, **kwargs):
        raise StoreError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(type(store.questions._questions), "delete_many", fail)
        with pytest.raises(StoreError):
            store.questions.archive(CUTOFF)
    assert store.questions.get(old.id) == old
    assert old.id in _ids(store.questions.all())

    assert store.questions.archive(CUTOFF) == 1
    assert store.questions.get(old.id) == old
    assert old.id not in _ids(store.questions.all())


# ----------------------------------------------------------------------------- the service
@pytest.fixture
def service(home: Path) -> Iterator[Service]:
    (home / "config.toml").write_text('[channels.demo]\nkind = "demo"\n')
    with Service.open() as opened:
        yield opened


def test_refresh_archives_what_curation_and_history_no_longer_read(
    service: Service, make_question: Callable[..., Question]
):
    window = 60 + 1 + 1  # history days, the curation margin, a day to spare
    ancient = make_question("ancient", channel="demo", age=timedelta(days=window + 5))
    borderline = make_question("borderline", channel="demo", age=timedelta(days=window - 1))
    acted_on = make_question("acted-on", channel="demo", age=timedelta(days=window + 30))
    service.store.questions.upsert_many([ancient, borderline, acted_on])
    service.skip(acted_on.id)  # an action inside the history window keeps its question

    report = service.refresh()

    assert not report.failed
    current = _ids(service.store.questions.all())
    assert ancient.id not in current
    assert {borderline.id, acted_on.id} <= current
    assert service.question(ancient.id) == ancient
    assert service.batch().items, "today's batch is untouched"


def test_a_read_only_service_archives_nothing(home: Path, make_question):
    (home / "config.toml").write_text('[channels.demo]\nkind = "demo"\n')
    with Service.open() as service:
        service.store.questions.upsert_many([make_question(age=timedelta(days=400))])
    with Service.open(read_only=True) as service:
        assert service.archive_old_questions() == 0
        assert len(service.store.questions.all()) == 1


def test_restore_brings_back_only_what_was_asked_since(store: Store, make_question):
    recent = make_question("recent", age=timedelta(days=2))
    older = make_question("older", age=timedelta(days=45))
    store.questions.upsert_many([recent, older])
    assert store.questions.archive(FIXED_NOW + timedelta(days=365)) == 2  # a clock ahead

    assert store.questions.restore(CUTOFF) == 1

    assert _ids(store.questions.all()) == {recent.id}
    assert store.questions.get(older.id) == older  # still archived, still found
    assert store.questions.restore(CUTOFF) == 0  # nothing more: nothing written


def test_a_clock_that_ran_ahead_once_loses_no_question(home: Path, monkeypatch):
    """A refresh with the clock a year ahead archives every question; the next refresh
    with the clock right brings the recent ones back to the batch."""
    (home / "config.toml").write_text('[channels.demo]\nkind = "demo"\n')
    with Service.open() as service:
        service.refresh()
        before = _ids(service.store.questions.all())
        assert service.batch().items
    right = os.environ["CXDAILY_NOW"]
    monkeypatch.setenv("CXDAILY_NOW", to_iso(FIXED_NOW + timedelta(days=365)))
    with Service.open() as ahead:
        assert ahead.archive_old_questions() == len(before)
    monkeypatch.setenv("CXDAILY_NOW", right)
    with Service.open() as service:
        assert service.store.questions.all() == [] and not service.batch().items
        service.refresh()
        assert _ids(service.store.questions.all()) == before
        assert service.batch().items
