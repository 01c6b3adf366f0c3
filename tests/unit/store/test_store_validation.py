"""What the store reads and writes is checked: one bad record or value costs only itself.

- A record that cannot be written as JSON (a lone surrogate, NaN, a value JSON has no
  form for, a number too long, nesting too deep) never enters a table; the questions of
  a fetch skip it with a warning naming it, every other write refuses it in one line.
- A failed write leaves the in-memory tables equal to the file on disk.
- A data file holding a hostile value (a 5,001-digit number, 100k-deep nesting, NaN) or
  a document of the wrong shape is one line naming the file (and the table, document
  and field), never a traceback; the file is kept byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import replace

from cxdaily.core.errors import StoreCorruptError, StoreError
from cxdaily.core.models import Action, Disposition, Insight, Reply, ReplyState, Session
from cxdaily.core.safe_json import MAX_DEPTH, Unreadable
from cxdaily.replies.promises import Promise
from cxdaily.store import Store

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def _nested(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = [value]
    return value


def _on_disk(path: Path) -> dict[str, Any]:
    return json.loads(path.read_bytes())


def _one_line(message: str) -> str:
    assert "\n" not in message
    assert "Traceback" not in message
    return message


# ----------------------------------------------------------------------------- item 4
#: Question changes that make the record impossible to store, and what the warning says.
UNSTORABLE: dict[str, tuple[dict[str, Any], str]] = {
    "lone surrogate in the body": ({"body": "caf\ud800"}, "lone surrogate"),
    "lone surrogate in the title": ({"title": "\udfff"}, "lone surrogate"),
    "lone surrogate in a meta key": ({"meta": {"\ud800": 1}}, "lone surrogate"),
    "lone surrogate deep in meta": ({"meta": {"a": [{"b": "x\ud83d"}]}}, "lone surrogate"),
    "NaN in meta": ({"meta": {"score": float("nan")}}, "not finite"),
    "infinity in meta": ({"meta": {"score": float("inf")}}, "not finite"),
    "an unreadable value in meta": (
        {"meta": {"id": Unreadable("a 5001-digit number")}},
        "meta.id is unreadable (a 5001-digit number)",
    ),
    "an object in meta": ({"meta": {"when": object()}}, "JSON"),
    "a number too long": ({"meta": {"id": 10**4300}}, "too long"),
    "meta nested too deep": ({"meta": {"deep": _nested(MAX_DEPTH + 5)}}, "nested deeper"),
}


@pytest.mark.parametrize("name", sorted(UNSTORABLE))
def test_an_unstorable_question_is_skipped_with_a_warning_naming_it(data_dir, make_question, name):
    changes, words = UNSTORABLE[name]
    good = [make_question("1"), make_question("3")]
    bad = make_question("2", **changes)
    with Store(data_dir) as store:
        skipped: dict[str, str] = {}
        assert store.questions.upsert_many([good[0], bad, good[1]], skipped=skipped) == (2, 0)
        assert list(skipped) == [bad.id]
        warning = _one_line(skipped[bad.id])
        assert bad.id in warning and "not saved" in warning and words in warning
        assert store.questions.all() == good
        # the table is not poisoned: later writes, to it and to its neighbours, work
        store.questions.record_fetch("acme", NOW, checkpoint={"page": 2}, count=2)
        assert store.questions.upsert_many([make_question("4")]) == (1, 0)
    stored = _on_disk(data_dir / "questions.json")["questions"]
    assert sorted(doc["native_id"] for doc in stored.values()) == ["1", "3", "4"]
    with Store(data_dir) as store:
        assert [q.native_id for q in store.questions.all()] == ["1", "3", "4"]
        assert store.questions.checkpoint("acme") == {"page": 2}


def test_without_a_skip_list_an_unstorable_question_refuses_the_batch(data_dir, make_question):
    with Store(data_dir) as store:
        store.questions.upsert_many([make_question("1")])
        before = (data_dir / "questions.json").read_bytes()
        with pytest.raises(StoreError) as caught:
            store.questions.upsert_many([make_question("2"), make_question("3", body="\ud800")])
        message = _one_line(str(caught.value))
        assert "'acme:3'" in message and str(data_dir / "questions.json") in message
        assert "nothing was changed" in message
        assert (data_dir / "questions.json").read_bytes() == before
        assert [q.native_id for q in store.questions.all()] == ["1"]
        assert store.questions.upsert_many([make_question("5")]) == (1, 0)  # not poisoned


def _insight(**changes: Any) -> Insight:
    insight = Insight(
        id="i1",
        question_id="acme:1",
        channel="acme",
        url=None,
        customer_name="Jane",
        customer_handle=None,
        tags=("bug",),
        team=None,
        sentiment=None,
        importance=1,
        summary="Invoices",
        quote="",
        note=None,
        created_at=NOW,
    )
    return replace(insight, **changes)


def _reply(**changes: Any) -> Reply:
    reply = Reply(
        id="r1",
        question_id="acme:1",
        channel="acme",
        body="Thanks!",
        state=ReplyState.QUEUED,
        created_at=NOW,
        updated_at=NOW,
        idempotency_key="k1",
    )
    return replace(reply, **changes)


#: A write of a bad record through each repository, and the file it must leave alone.
BAD_WRITES: dict[str, tuple[Callable[[Store], None], str]] = {
    "insight": (lambda s: s.insights.add(_insight(summary="\ud800")), "insights/2026-11.json"),
    "reply": (lambda s: s.outbox.save(_reply(body="x\udc80")), "outbox.json"),
    "draft": (lambda s: s.activity.save_draft("acme:1", "\ud800", NOW), "activity.json"),
    "action": (
        lambda s: s.activity.record(
            Action("acme:1", Disposition.SKIPPED, NOW, note="\ud800"), "a-bad"
        ),
        "actions/2026-11.json",
    ),
    "checkpoint": (
        lambda s: s.questions.set_checkpoint("acme", {"cursor": float("nan")}, NOW),
        "questions.json",
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_WRITES))
def test_every_repository_refuses_an_unstorable_record_and_stays_usable(data_dir, kind):
    write, name = BAD_WRITES[kind]
    with Store(data_dir) as store:
        store.insights.add(_insight(id="i0"))
        store.outbox.save(_reply(id="r0"))
        store.activity.save_draft("acme:0", "kept", NOW)
        store.activity.record(Action("acme:0", Disposition.SKIPPED, NOW), "a0")
        store.questions.set_checkpoint("acme", {"cursor": "c0"}, NOW)
        before = (data_dir / name).read_bytes()
        with pytest.raises(StoreError) as caught:
            write(store)
        message = _one_line(str(caught.value))
        assert str(data_dir / name) in message and "nothing was changed" in message
        assert (data_dir / name).read_bytes() == before
        # what the repositories show is what the files hold, and they still write
        assert [i.id for i in store.insights.between()] == ["i0"]
        assert [r.id for r in store.outbox.all()] == ["r0"]
        assert store.activity.drafts() == {"acme:0": "kept"}
        assert [a.question_id for a in store.activity.actions()] == ["acme:0"]
        assert store.questions.checkpoint("acme") == {"cursor": "c0"}
        store.insights.add(_insight(id="i2"))
        store.activity.save_draft("acme:2", "new", NOW)
        assert [i.id for i in store.insights.between()] == ["i0", "i2"]


def test_a_failed_write_leaves_the_cache_equal_to_the_file(data_dir, make_question):
    """Even a write that slips past the record check (straight through TinyDB) or a
    change that raises halfway never leaves the in-memory copy ahead of the disk."""
    with Store(data_dir) as store:
        store.questions.upsert_many([make_question("1")])
        db = store.folder.db("questions.json")
        with pytest.raises(StoreError) as caught:
            db.table("questions").insert({"id": "acme:bad", "meta": {"x": float("nan")}})
        assert "not finite" in _one_line(str(caught.value))
        assert db.storage.read() == _on_disk(data_dir / "questions.json")

        def half_done(document: dict[str, Any]) -> None:
            document["body"] = "changed in memory"
            raise KeyError("body")

        with pytest.raises(KeyError):
            store.questions._questions.update("acme:1", half_done)
        assert db.storage.read() == _on_disk(data_dir / "questions.json")
        assert store.questions.get("acme:1") == make_question("1")
        assert store.questions.upsert_many([make_question("2")]) == (1, 0)


# ----------------------------------------------------------------------------- item 5
#: What the message says of each hostile payload.
HOSTILE_WORDS = {
    "a 5,001-digit number": "a number too long to read",
    "100k-deep nesting": "nested too deeply",
    "NaN": "NaN is not a number",
    "-Infinity": "-Infinity is not a number",
    "a number too large for a float": "1e999 is too large",
}
HOSTILE_FILES: dict[str, bytes] = {
    "a 5,001-digit number": b'{"_meta": {"1": {"format": ' + b"7" * 5001 + b"}}}",
    "100k-deep nesting": b'{"_meta": {"1": {"format": 1, "x": '
    + b"[" * 100_000
    + b"]" * 100_000
    + b"}}}",
    "NaN": b'{"_meta": {"1": {"format": NaN}}}',
    "-Infinity": b'{"_meta": {"1": {"format": 1, "x": -Infinity}}}',
    "a number too large for a float": b'{"_meta": {"1": {"format": 1, "x": 1e999}}}',
}
_FILES = [
    "questions.json",
    "activity.json",
    "outbox.json",
    "insights/2026-11.json",
    "actions/2026-11.json",
    "sessions/2026-11.json",
]


def _fill(data_dir: Path, make_question) -> None:
    """A data folder with every kind of file and record in it."""
    with Store(data_dir) as store:
        store.questions.upsert_many([make_question("1"), make_question("2")])
        store.questions.record_fetch("acme", NOW, checkpoint={"page": 1}, count=2)
        store.insights.add(_insight())
        store.outbox.save(_reply())
        store.promises.record([Promise("p1", "r1", "acme:1", "acme", "get back to you", None, NOW)])
        store.activity.save_draft("acme:1", "draft", NOW)
        store.activity.record(Action("acme:1", Disposition.SKIPPED, NOW), "a1")
        store.activity.save_session(Session("s1", NOW, 1200, ("acme:1",)))


def _read_everything(data_dir: Path, read_only: bool = False) -> None:
    with Store(data_dir, read_only=read_only) as store:
        store.questions.all()
        store.questions.get("acme:1")
        store.questions.checkpoint("acme")
        store.questions.channel_statuses()
        store.activity.drafts()
        store.activity.draft("acme:1")
        store.activity.sessions()
        store.activity.actions()
        store.outbox.all()
        store.outbox.get("r1")
        store.promises.all()
        store.promises.reply_ids()
        store.insights.between()


@pytest.mark.parametrize("name", _FILES)
@pytest.mark.parametrize("payload", sorted(HOSTILE_FILES))
def test_a_hostile_value_in_a_data_file_is_one_line_and_the_file_is_kept(
    data_dir, make_question, name, payload
):
    _fill(data_dir, make_question)
    path = data_dir / name
    path.write_bytes(HOSTILE_FILES[payload])
    for read_only in (False, True):
        with pytest.raises(StoreCorruptError) as caught:
            _read_everything(data_dir, read_only)
        message = _one_line(str(caught.value))
        assert str(path) in message and "kept" in message
        assert HOSTILE_WORDS[payload] in message and "sys." not in message
        assert len(message) < 400
    assert path.read_bytes() == HOSTILE_FILES[payload]


def test_a_hostile_data_file_is_one_line_from_the_command_line(home, make_question, capsys):
    from cxdaily.cli import main
    from cxdaily.paths import locations

    data_dir = locations().data_dir
    _fill(data_dir, make_question)
    path = data_dir / "questions.json"
    path.write_bytes(HOSTILE_FILES["100k-deep nesting"])
    assert main(["batch"]) == 1
    _out, err = capsys.readouterr()
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("cxdaily: "), err
    assert str(path) in lines[0] and "Traceback" not in err
    assert path.read_bytes() == HOSTILE_FILES["100k-deep nesting"]


@pytest.mark.parametrize("surrogate", [b"\\ud800", b"\xed\xa0\x80"], ids=["escaped", "bytes"])
def test_lone_surrogates_in_a_data_file_are_read_as_replacement_characters(
    data_dir, make_question, surrogate
):
    """``"\\ud800"`` is legal JSON (and json reads the bytes of one too): it is read as
    U+FFFD, so the file can be written back."""
    _fill(data_dir, make_question)
    path = data_dir / "questions.json"
    data = _on_disk(path)
    doc = next(iter(data["questions"].values()))
    body = json.dumps(doc["body"]).encode()
    path.write_bytes(json.dumps(data).encode().replace(body, b'"caf' + surrogate + b'"', 1))
    with Store(data_dir) as store:
        assert store.questions.get(doc["id"]).body == "caf\ufffd"
        store.questions.upsert_many([make_question("3")])  # the file can be written again
    assert "caf\ufffd" in path.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- item 6
def _doc(data: dict[str, Any], table: str, key: str, value: str) -> dict[str, Any]:
    return next(d for d in data[table].values() if d.get(key) == value)


def _set(table: str, key: str, value: str, field: str, new: Any) -> Callable[[dict], None]:
    def change(data: dict[str, Any]) -> None:
        _doc(data, table, key, value)[field] = new

    return change


def _drop(table: str, key: str, value: str, field: str) -> Callable[[dict], None]:
    def change(data: dict[str, Any]) -> None:
        del _doc(data, table, key, value)[field]

    return change


def _stamp(value: Any) -> Callable[[dict], None]:
    def change(data: dict[str, Any]) -> None:
        data["_meta"]["1"]["format"] = value

    return change


def _rekey(table: str) -> Callable[[dict], None]:
    def change(data: dict[str, Any]) -> None:
        (first, *_rest) = data[table].values()
        data[table] = {"first": first}

    return change


#: (file, how the document is damaged, words the message must hold)
WRONG_SHAPES: dict[str, tuple[str, Callable[[dict], None], tuple[str, ...]]] = {
    "question without id": (
        "questions.json",
        _drop("questions", "native_id", "1", "id"),
        ("'questions'", "'id' is missing"),
    ),
    "question id is a number": (
        "questions.json",
        _set("questions", "native_id", "1", "id", 7),
        ("'questions'", "'id'", "not text"),
    ),
    "question time is not one": (
        "questions.json",
        _set("questions", "native_id", "1", "created_at", "yesterday"),
        ("'acme:1'", "'created_at'", "timestamp"),
    ),
    "question author is a list": (
        "questions.json",
        _set("questions", "native_id", "1", "author", ["Jane"]),
        ("'acme:1'", "'author'", "not an object"),
    ),
    "question meta is text": (
        "questions.json",
        _set("questions", "native_id", "1", "meta", "x"),
        ("'acme:1'", "'meta'"),
    ),
    "checkpoint status count is text": (
        "questions.json",
        _set("checkpoints", "channel", "acme", "status", {"count": "two"}),
        ("'checkpoints'", "'acme'", "count"),
    ),
    "checkpoint without channel": (
        "questions.json",
        _drop("checkpoints", "channel", "acme", "channel"),
        ("'checkpoints'", "'channel' is missing"),
    ),
    "format stamp is text": ("outbox.json", _stamp("one"), ("format stamp", "'one'")),
    "format stamp is true": ("outbox.json", _stamp(True), ("format stamp",)),
    "format stamp is a fraction": ("activity.json", _stamp(1.5), ("format stamp",)),
    "unknown disposition": (
        "actions/2026-11.json",
        _set("actions", "id", "a1", "disposition", "bogus"),
        ("'actions'", "'a1'", "'disposition'", "'bogus'", "answered"),
    ),
    "action without question": (
        "actions/2026-11.json",
        _drop("actions", "id", "a1", "question_id"),
        ("'a1'", "'question_id' is missing"),
    ),
    "unknown reply state": (
        "outbox.json",
        _set("replies", "id", "r1", "state", "lost"),
        ("'replies'", "'r1'", "'state'", "'lost'"),
    ),
    "reply attempts is text": (
        "outbox.json",
        _set("replies", "id", "r1", "attempts", "3x"),
        ("'r1'", "'attempts'", "whole number"),
    ),
    "reply body is null": (
        "outbox.json",
        _set("replies", "id", "r1", "body", None),
        ("'r1'", "'body'", "not text"),
    ),
    "promise without made_at": (
        "outbox.json",
        _drop("promises", "id", "p1", "made_at"),
        ("'promises'", "'p1'", "'made_at' is missing"),
    ),
    "promise due is not a date": (
        "outbox.json",
        _set("promises", "id", "p1", "due", "soon"),
        ("'p1'", "'due'"),
    ),
    "draft body is a number": (
        "activity.json",
        _set("drafts", "question_id", "acme:1", "body", 5),
        ("'drafts'", "'acme:1'", "'body'"),
    ),
    "session budget missing": (
        "sessions/2026-11.json",
        _drop("sessions", "id", "s1", "budget_s"),
        ("'sessions'", "'s1'", "'budget_s' is missing"),
    ),
    "insight tags is text": (
        "insights/2026-11.json",
        _set("insights", "id", "i1", "tags", "bug"),
        ("'insights'", "'i1'", "'tags'", "list of text"),
    ),
    "insight importance is text": (
        "insights/2026-11.json",
        _set("insights", "id", "i1", "importance", "high"),
        ("'i1'", "'importance'"),
    ),
    "a document id that is not a number": (
        "outbox.json",
        _rekey("replies"),
        ("'replies'", "'first'", "not a number"),
    ),
}


@pytest.mark.parametrize("case", sorted(WRONG_SHAPES))
def test_a_document_of_the_wrong_shape_is_one_line_naming_file_table_and_field(
    data_dir, make_question, case
):
    name, damage, words = WRONG_SHAPES[case]
    _fill(data_dir, make_question)
    path = data_dir / name
    data = _on_disk(path)
    damage(data)
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    for read_only in (False, True):
        with pytest.raises(StoreCorruptError) as caught:
            _read_everything(data_dir, read_only)
        message = _one_line(str(caught.value))
        assert str(path) in message and "kept" in message, message
        for word in words:
            assert word in message, (word, message)
    assert path.read_bytes() == before
