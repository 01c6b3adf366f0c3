"""Writes that grow with history stay off the daily paths: kept text analyses, sessions by
month, the outbox's replies by question, and older data folders read and moved."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tinydb import TinyDB

from cxdaily.core.models import Action, Disposition, Reply, ReplyState, Session
from cxdaily.curation import text as curation_text
from cxdaily.curation.analysis import ANALYSIS_VERSION, read_analysis_record
from cxdaily.curation.text import analyse
from cxdaily.store import Store
from cxdaily.store.database import DataFolder
from cxdaily.store.monthly import MonthlyTables
from cxdaily.store.storage import AtomicJSONStorage, parse_data_file

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def _stored_questions(data_dir: Path) -> dict[str, dict]:
    data = json.loads((data_dir / "questions.json").read_text())
    return {doc["id"]: doc for doc in data["questions"].values()}


def _rewrite(path: Path, change) -> None:
    """Change a data file's parsed content in place (as an older cxdaily left it)."""
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _count_analyses(monkeypatch) -> list[str]:
    """Record the ids of the questions analysed from now on."""
    analysed: list[str] = []
    real = curation_text.analyse

    def counting(question):
        analysed.append(question.id)
        return real(question)

    monkeypatch.setattr(curation_text, "analyse", counting)  # the store imports it when used
    return analysed


# ----------------------------------------------------------------------------- analyses
def test_a_stored_question_keeps_its_text_analysis(data_dir, make_question):
    question = make_question("1", body="Still no reply, I want a refund!")
    with Store(data_dir) as store:
        store.questions.upsert_many([question])
    kept = _stored_questions(data_dir)["acme:1"]["analysis"]
    assert kept[0] == ANALYSIS_VERSION
    assert read_analysis_record(kept) == analyse(question)


def test_reading_kept_analyses_analyses_nothing_again(data_dir, make_question, monkeypatch):
    questions = [make_question(str(n)) for n in range(5)]
    with Store(data_dir) as store:
        store.questions.upsert_many(questions)
    analysed = _count_analyses(monkeypatch)
    with Store(data_dir, read_only=True) as store:
        found, analyses = store.questions.analysed()
    assert list(found) == questions and analysed == []
    assert analyses == {q.id: analyse(q) for q in questions}


@pytest.mark.parametrize("old", ["missing", "another version", "damaged"])
def test_an_older_store_is_analysed_once_and_kept(data_dir, make_question, monkeypatch, old):
    questions = [make_question(str(n)) for n in range(3)]
    with Store(data_dir) as store:
        store.questions.upsert_many(questions)

    def age(data):
        for doc in data["questions"].values():
            if old == "missing":
                del doc["analysis"]
            else:
                doc["analysis"] = [ANALYSIS_VERSION + 1] if old == "another version" else "?"

    _rewrite(data_dir / "questions.json", age)
    analysed = _count_analyses(monkeypatch)
    with Store(data_dir, read_only=True) as reader:  # a reader analyses, never writes
        before = (data_dir / "questions.json").read_bytes()
        assert reader.questions.analysed()[1] == {q.id: analyse(q) for q in questions}
        assert (data_dir / "questions.json").read_bytes() == before
    with Store(data_dir) as writer:  # a writer keeps what it made
        assert list(writer.questions.analysed()[0]) == questions
    assert len(analysed) == 6
    kept = _stored_questions(data_dir)
    assert all(read_analysis_record(doc["analysis"]) for doc in kept.values())
    with Store(data_dir) as again:
        again.questions.analysed()
    assert len(analysed) == 6, "kept analyses are not made again"


# ----------------------------------------------------------------------------- sessions
def _session(n: int, started_at: datetime = NOW) -> Session:
    return Session(f"s{n}", started_at, 1800, (f"acme:{n}",))


def test_sessions_are_filed_by_month_and_drafts_stay_small(data_dir):
    with Store(data_dir) as store:
        for n in range(40):
            store.activity.save_session(_session(n, NOW - timedelta(days=n * 7)))
        store.activity.save_draft("acme:1", "Thanks for writing", NOW)
        assert [s.id for s in store.activity.sessions()] == [f"s{n}" for n in range(39, -1, -1)]
        assert store.activity.session("s39") == _session(39, NOW - timedelta(days=273))
        assert store.activity.session("nope") is None
    months = sorted(p.stem for p in (data_dir / "sessions").glob("*.json"))
    assert len(months) >= 9 and months[-1] == "2026-11"
    activity = (data_dir / "activity.json").read_text()
    assert "s1" not in activity and len(activity) < 400, "a draft save rewrites no history"


def _action(n: int, session: str | None) -> Action:
    return Action(f"acme:{n}", Disposition.SKIPPED, NOW - timedelta(minutes=n), session_id=session)


def test_the_sessions_of_recent_actions_are_read_from_recent_months_only(data_dir, monkeypatch):
    with Store(data_dir) as store:
        for n in range(40):  # one every week for 40 weeks
            store.activity.save_session(_session(n, NOW - timedelta(days=n * 7)))
    since = NOW - timedelta(days=20)
    read: list[str] = []
    real = MonthlyTables.for_month

    def reading(self, month):
        read.append(month)
        return real(self, month)

    monkeypatch.setattr(MonthlyTables, "for_month", reading)
    with Store(data_dir, read_only=True) as store:
        assert [s.id for s in store.activity.sessions(since)] == ["s2", "s1", "s0"]
        found = store.activity.sessions_of([_action(1, "s1"), _action(2, None)], since)
        assert [s.id for s in found] == ["s1"]
        assert set(read) <= {"2026-10", "2026-11"}, "only the months since then"
        read.clear()
        older = store.activity.sessions_of([_action(1, "s0"), _action(3, "s30")], since)
        assert [s.id for s in older] == ["s30", "s0"]  # one started earlier: every month
        assert len(set(read)) >= 9
        assert store.activity.sessions_of([], since) == []


def _older_folder(data_dir: Path, sessions: list[Session]) -> None:
    """A data folder as an older cxdaily wrote it: sessions inside activity.json."""
    data_dir.mkdir(parents=True)
    db = TinyDB(data_dir / "activity.json", storage=AtomicJSONStorage)
    db.table("_meta").insert({"format": 1, "file": "activity.json"})
    db.table("drafts").insert({"question_id": "acme:1", "body": "draft", "saved_at": "x"})
    db.table("sessions").insert_multiple([s.to_dict() for s in sessions])
    db.close()


def test_an_older_folder_is_read_as_it_is_and_moved_when_opened_for_writing(data_dir):
    sessions = [_session(1, NOW - timedelta(days=40)), _session(2)]
    _older_folder(data_dir, sessions)
    with Store(data_dir, read_only=True) as reader:
        assert reader.activity.sessions() == sessions
        assert reader.activity.session("s1") == sessions[0]
    assert not (data_dir / "sessions").exists(), "a read-only open moves nothing"
    with Store(data_dir) as writer:
        assert writer.activity.sessions() == sessions
        assert writer.activity.drafts() == {"acme:1": "draft"}
    on_disk = parse_data_file((data_dir / "activity.json").read_bytes())
    assert on_disk["sessions"] == {} and len(on_disk["drafts"]) == 1
    assert sorted(p.stem for p in (data_dir / "sessions").glob("*.json")) == ["2026-10", "2026-11"]


def test_a_move_cut_short_keeps_both_copies_and_the_moved_one_wins(data_dir):
    old = _session(1)
    _older_folder(data_dir, [old])
    newer = Session("s1", NOW, 1800, ("acme:1",), ended_at=NOW + timedelta(minutes=20))
    with Store(data_dir) as store:  # moved, then changed in its month's file
        store.activity.save_session(newer)
    _rewrite(  # as if killed before the old table was emptied
        data_dir / "activity.json",
        lambda data: data["sessions"].update({"1": old.to_dict()}),
    )
    with Store(data_dir, read_only=True) as reader:
        assert reader.activity.sessions() == [newer]
    with Store(data_dir) as writer:
        assert writer.activity.sessions() == [newer]
    assert parse_data_file((data_dir / "activity.json").read_bytes())["sessions"] == {}


# ----------------------------------------------------------------------------- outbox
def _reply(n: int, question_id: str, minutes: int = 0) -> Reply:
    at = NOW + timedelta(minutes=minutes)
    return Reply(f"r{n}", question_id, "acme", "Thanks", ReplyState.SENT, at, at, f"k{n}")


def test_the_replies_to_a_question_are_found_through_an_index_kept_up_to_date(data_dir):
    with Store(data_dir) as store:
        store.outbox.save(_reply(1, "acme:1", minutes=5))
        store.outbox.save(_reply(2, "acme:2"))
        assert store.outbox.for_question("acme:1") == [_reply(1, "acme:1", minutes=5)]
        store.outbox.save(_reply(3, "acme:1", minutes=1))  # kept up to date by save
        store.outbox.save(_reply(1, "acme:1", minutes=5))  # saved again: listed once
        assert [r.id for r in store.outbox.for_question("acme:1")] == ["r3", "r1"]
        store.outbox._replies.put(_reply(4, "acme:2").to_dict())  # changed behind its back
        assert [r.id for r in store.outbox.for_question("acme:2")] == ["r2", "r4"]
        assert store.outbox.for_question("acme:9") == []


# ----------------------------------------------------------------------------- writes
def test_a_write_encodes_only_the_changed_documents_and_the_file_is_the_same(data_dir, monkeypatch):
    from cxdaily.store import storage

    with Store(data_dir) as store:
        for n in range(30):
            store.activity.save_session(_session(n))
        encoded: list[object] = []
        real = storage.encode_data

        def counting(value):
            encoded.append(value)
            return real(value)

        monkeypatch.setattr(storage, "encode_data", counting)
        store.activity.save_session(_session(99))
        path = data_dir / "sessions" / "2026-11.json"
        written = path.read_bytes()
    documents = [v for v in encoded if isinstance(v, dict) and "planned" in v]
    assert {doc["id"] for doc in documents} == {"s99"}, "only the new session was encoded"
    assert written == real(json.loads(written)), "byte for byte what a whole write makes"
    assert [s.id for s in Store(data_dir, read_only=True).activity.sessions()][-1] == "s99"


def test_a_failed_write_changes_nothing_in_memory_or_on_disk(data_dir, monkeypatch):
    from cxdaily.core.errors import StoreError
    from cxdaily.store import storage

    with Store(data_dir) as store:
        store.activity.save_session(_session(1))
        path = data_dir / "sessions" / "2026-11.json"
        before = path.read_bytes()

        def full_disk(path, data):
            raise StoreError(f"cannot save {path}: the disk is full; free some space")

        monkeypatch.setattr(storage, "atomic_write_bytes", full_disk)
        with pytest.raises(StoreError, match="disk is full"):
            store.activity.save_session(_session(2))
        assert path.read_bytes() == before
        assert [s.id for s in store.activity.sessions()] == ["s1"]
        monkeypatch.undo()
        store.activity.save_session(_session(3))
        assert [s.id for s in store.activity.sessions()] == ["s1", "s3"]


def test_a_checksummed_file_knows_the_checksum_of_its_bytes(data_dir):
    path = data_dir / "insights" / "2026-11.json"
    path.parent.mkdir(parents=True)
    storage = AtomicJSONStorage(path, checksummed=True)
    assert storage.checksum is None  # nothing loaded yet
    storage.write({"insights": {"1": {"id": "a"}}})
    assert storage.checksum == zlib.crc32(path.read_bytes())
    storage.write_docs("insights", {"2": {"id": "b"}})
    assert storage.checksum == zlib.crc32(path.read_bytes())
    reread = AtomicJSONStorage(path, checksummed=True)
    assert reread.read() == {"insights": {"1": {"id": "a"}, "2": {"id": "b"}}}
    assert reread.checksum == zlib.crc32(path.read_bytes())
    reread.forget()
    assert reread.checksum is None
    plain = AtomicJSONStorage(path)
    plain.read()
    assert plain.checksum is None  # other files are not read twice for it


def test_a_file_opened_first_without_its_checksum_keeps_it_once_asked(data_dir):
    folder = DataFolder(data_dir)
    try:
        plain = folder.db("insights/2026-11.json")
        plain.table("insights").insert({"id": "a"})
        assert plain.storage.checksum is None
        again = folder.db("insights/2026-11.json", checksummed=True)
        assert again is plain and again.table("insights").all() == [{"id": "a"}]
        on_disk = (data_dir / "insights" / "2026-11.json").read_bytes()
        assert again.storage.checksum == zlib.crc32(on_disk)
    finally:
        folder.close()


def test_years_of_sent_replies_are_not_encoded_again_at_each_save(data_dir, monkeypatch):
    from cxdaily.store import storage

    with Store(data_dir) as store:  # about 2.5 MB: five years of a busy leader's replies
        docs = [_reply(n, f"acme:{n}").to_dict() | {"body": "Thanks " * 50} for n in range(7000)]
        store.outbox._replies.put_many(docs)
        assert (data_dir / "outbox.json").stat().st_size > 2_000_000
        encoded: list[object] = []
        real = storage.encode_data
        monkeypatch.setattr(
            storage, "encode_data", lambda value: encoded.append(value) or real(value)
        )
        store.outbox.save(_reply(9001, "acme:9001"))
        store.outbox.save(_reply(9002, "acme:9002"))
        written = (data_dir / "outbox.json").read_bytes()
    replies = [v for v in encoded if isinstance(v, dict) and "idempotency_key" in v]
    assert {r["id"] for r in replies} == {"r9001", "r9002"}, "only the saved replies"
    assert written == real(json.loads(written)), "byte for byte what a whole write makes"
    with Store(data_dir, read_only=True) as reread:
        assert len(reread.outbox.all()) == 7002


def test_a_file_over_the_limit_keeps_no_copy_of_its_encoding(data_dir, monkeypatch):
    from cxdaily.store import storage

    monkeypatch.setattr(storage, "PIECES_LIMIT", 1000)
    with Store(data_dir) as store:
        store.outbox._replies.put_many([_reply(n, f"acme:{n}").to_dict() for n in range(20)])
        encoded: list[object] = []
        real = storage.encode_data
        monkeypatch.setattr(
            storage, "encode_data", lambda value: encoded.append(value) or real(value)
        )
        store.outbox.save(_reply(99, "acme:99"))
    replies = [v for v in encoded if isinstance(v, dict) and "idempotency_key" in v]
    assert len({r["id"] for r in replies}) == 21, "encoded whole: no copy of its encoding"
