"""The local store: repositories, durability, permissions, corruption, locking, disk full."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import stat
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from msgspec.structs import replace

from cxdaily.core.errors import (
    NotFoundError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
)
from cxdaily.core.models import Action, Disposition, Insight, Reply, ReplyState, Session
from cxdaily.store import Store, database
from cxdaily.store.database import FORMAT_VERSION, LOCK_WAIT_S

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def _insight(n: int, created_at: datetime = NOW, **changes) -> Insight:
    insight = Insight(
        id=f"i{n}",
        question_id=f"acme:{n}",
        channel="acme",
        url=f"https://acme.example/{n}",
        customer_name="Jane Doe",
        customer_handle="jane@example.com",
        tags=("bug", "billing"),
        team="product",
        sentiment="negative",
        importance=2,
        summary="Invoices cannot be exported",
        quote="I can't export my invoices",
        note=None,
        created_at=created_at,
        session_id="s1",
    )
    return replace(insight, **changes)


def _reply(n: int = 1, **changes) -> Reply:
    reply = Reply(
        id=f"r{n}",
        question_id=f"acme:{n}",
        channel="acme",
        body="Thanks, we are on it.",
        state=ReplyState.QUEUED,
        created_at=NOW + timedelta(seconds=n),
        updated_at=NOW + timedelta(seconds=n),
        idempotency_key=f"key-{n}",
    )
    return replace(reply, **changes)


def _no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


# ----------------------------------------------------------------------------- questions
def test_questions_round_trip_and_survive_reopening(data_dir, make_question):
    questions = [make_question(), make_question(body="Second one?"), make_question(title="T")]
    with Store(data_dir) as store:
        assert store.questions.upsert_many(questions) == (3, 0)
        assert store.questions.get(questions[1].id) == questions[1]
        assert store.questions.all() == questions
    with Store(data_dir) as store:
        assert store.questions.all() == questions


def test_an_unknown_question_is_not_found(data_dir):
    with Store(data_dir) as store, pytest.raises(NotFoundError, match="'acme:404'"):
        store.questions.get("acme:404")


def test_a_question_repeated_in_one_batch_is_stored_once_with_its_last_version(
    data_dir, make_question
):
    first = make_question("7", body="first")
    last = replace(first, body="last")
    with Store(data_dir) as store:
        assert store.questions.upsert_many([first, last]) == (1, 0)
        assert store.questions.all() == [last]


def test_upserting_the_same_question_twice_keeps_one_updated_record(data_dir, make_question):
    original = make_question("7", body="first version")
    edited = replace(original, body="edited by the customer")
    with Store(data_dir) as store:
        store.questions.upsert_many([original])
        assert store.questions.upsert_many([edited]) == (0, 1)
        assert store.questions.all() == [edited]
    with Store(data_dir) as store:
        assert store.questions.all() == [edited]


def test_checkpoints_round_trip(data_dir):
    with Store(data_dir) as store:
        assert store.questions.checkpoint("acme") is None
        store.questions.set_checkpoint("acme", {"cursor": "abc", "page": 2}, NOW)
    with Store(data_dir) as store:
        assert store.questions.checkpoint("acme") == {"cursor": "abc", "page": 2}
        assert store.questions.checkpoint("other") is None


def test_a_checkpoint_is_replaced(data_dir):
    with Store(data_dir) as store:
        store.questions.set_checkpoint("acme", {"cursor": "abc"}, NOW)
        store.questions.set_checkpoint("acme", {"cursor": "def"}, NOW)
        assert store.questions.checkpoint("acme") == {"cursor": "def"}


# ----------------------------------------------------------------------------- activity
def test_drafts_round_trip_and_a_blank_draft_is_removed(data_dir):
    with Store(data_dir) as store:
        store.activity.save_draft("acme:1", "Dear Jane,", NOW)
        store.activity.save_draft("acme:2", "Hello", NOW)
    with Store(data_dir) as store:
        assert store.activity.draft("acme:1") == "Dear Jane,"
        assert store.activity.drafts() == {"acme:1": "Dear Jane,", "acme:2": "Hello"}
        store.activity.save_draft("acme:1", "  \n ", NOW)
        assert store.activity.draft("acme:1") is None
        store.activity.delete_draft("acme:2")
        store.activity.delete_draft("acme:404")  # forgetting nothing is fine
    with Store(data_dir) as store:
        assert store.activity.drafts() == {}


def test_a_draft_is_overwritten(data_dir):
    with Store(data_dir) as store:
        store.activity.save_draft("acme:1", "Dear Jane,", NOW)
        store.activity.save_draft("acme:1", "Dear Jane, thanks", NOW)
        assert store.activity.draft("acme:1") == "Dear Jane, thanks"


def test_sessions_round_trip(data_dir):
    first = Session(id="s1", started_at=NOW, budget_s=1800, planned=("acme:1", "acme:2"))
    second = Session(id="s0", started_at=NOW - timedelta(days=1), budget_s=900, planned=())
    with Store(data_dir) as store:
        store.activity.save_session(first)
        store.activity.save_session(second)
    with Store(data_dir) as store:
        assert store.activity.sessions() == [second, first]  # oldest first


def test_a_session_is_updated_in_place(data_dir):
    session = Session(id="s1", started_at=NOW, budget_s=1800, planned=("acme:1",))
    ended = replace(session, ended_at=NOW + timedelta(minutes=31), extra_s=60)
    with Store(data_dir) as store:
        store.activity.save_session(session)
        store.activity.save_session(ended)
        assert store.activity.sessions() == [ended]


def test_actions_round_trip_by_month(data_dir):
    october = Action("acme:1", Disposition.SKIPPED, NOW - timedelta(days=40))
    answered = Action("acme:1", Disposition.ANSWERED, NOW, session_id="s1")
    tagged = Action("acme:2", Disposition.TAGGED, NOW + timedelta(minutes=1))
    with Store(data_dir) as store:
        for action in (tagged, october, answered):
            store.activity.record(action)
    assert (data_dir / "actions" / "2026-10.json").is_file()
    assert (data_dir / "actions" / "2026-11.json").is_file()
    with Store(data_dir) as store:
        assert store.activity.actions() == [october, answered, tagged]
        assert store.activity.actions(since=NOW) == [answered, tagged]
        assert store.activity.latest_by_question() == {"acme:1": answered, "acme:2": tagged}


# ----------------------------------------------------------------------------- outbox
def test_outbox_round_trip(data_dir):
    with Store(data_dir) as store:
        store.outbox.save(_reply(2))
        store.outbox.save(_reply(1, state=ReplyState.SENT, remote_id="42", sent_at=NOW))
        store.outbox.save(_reply(3, state=ReplyState.FAILED, error="503"))
    with Store(data_dir) as store:
        assert [r.id for r in store.outbox.all()] == ["r1", "r2", "r3"]
        assert store.outbox.get("r1").remote_id == "42"
        assert [r.id for r in store.outbox.unsent()] == ["r2", "r3"]
        with pytest.raises(NotFoundError, match="'nope'"):
            store.outbox.get("nope")


def test_a_reply_moves_through_the_outbox_states(data_dir):
    queued = _reply(1)
    with Store(data_dir) as store:
        store.outbox.save(queued)
        store.outbox.save(queued.with_changes(state=ReplyState.SENDING, attempts=1))
        store.outbox.save(queued.with_changes(state=ReplyState.SENT, remote_id="42", attempts=1))
    with Store(data_dir) as store:
        assert store.outbox.all() == [
            queued.with_changes(state=ReplyState.SENT, remote_id="42", attempts=1)
        ]
        assert store.outbox.unsent() == []


# ----------------------------------------------------------------------------- insights
def test_insights_go_to_monthly_files_and_filter_by_time(data_dir):
    october = _insight(1, NOW - timedelta(days=40))
    november = _insight(2, NOW)
    later = _insight(3, NOW + timedelta(hours=1))
    with Store(data_dir) as store:
        store.insights.add(november)
        store.insights.add_many([october, later])
    assert sorted(p.name for p in (data_dir / "insights").iterdir()) == [
        "2026-10.json",
        "2026-11.json",
    ]
    october_file = json.loads((data_dir / "insights" / "2026-10.json").read_text())
    assert [d["id"] for d in october_file["insights"].values()] == ["i1"]
    with Store(data_dir) as store:
        assert store.insights.between() == [october, november, later]
        assert store.insights.between(since=NOW) == [november, later]
        assert store.insights.between(since=NOW, until=later.created_at) == [november]
        assert store.insights.between(until=NOW) == [october]


# ----------------------------------------------------------------------------- format
def test_every_data_file_carries_the_format_version(data_dir, make_question):
    with Store(data_dir) as store:
        store.questions.upsert_many([make_question()])
        store.insights.add(_insight(1))
    files = ["questions.json", "activity.json", "outbox.json", "insights/2026-11.json"]
    for name in files:
        meta = json.loads((data_dir / name).read_text())["_meta"]
        assert meta == {"1": {"format": FORMAT_VERSION, "file": Path(name).name}}, name


@pytest.mark.parametrize("read_only", [False, True])
def test_a_newer_format_is_refused_and_left_alone(data_dir, read_only):
    Store(data_dir).close()
    path = data_dir / "outbox.json"
    data = json.loads(path.read_text())
    data["_meta"]["1"]["format"] = FORMAT_VERSION + 1
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store(data_dir, read_only=read_only)
    message = str(caught.value)
    assert str(path) in message
    assert "newer cxdaily" in message and "upgrade" in message
    assert "\n" not in message
    assert path.read_bytes() == before
    with pytest.raises(StoreError, match="newer"):  # not StoreLockedError: the lock was freed
        Store(data_dir)


# ----------------------------------------------------------------------------- permissions
def test_files_are_owner_only_and_folders_private(data_dir, make_question):
    old_umask = os.umask(0)  # even a permissive umask must not widen them
    try:
        with Store(data_dir) as store:
            store.questions.upsert_many([make_question()])
            store.insights.add(_insight(1))
            store.outbox.save(_reply())
            store.activity.save_draft("acme:1", "draft", NOW)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "insights").stat().st_mode) == 0o700
    data_files = sorted(data_dir.rglob("*.json"))
    assert len(data_files) == 4
    for path in data_files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_an_existing_open_folder_is_made_private(data_dir):
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    Store(data_dir).close()
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700


# ----------------------------------------------------------------------------- corruption
def _valid_file_bytes(data_dir: Path, name: str, make_question) -> bytes:
    with Store(data_dir) as store:
        store.questions.upsert_many([make_question(str(n)) for n in range(5)])
        store.insights.add(_insight(1))
        store.outbox.save(_reply())
        store.activity.save_draft("acme:1", "draft", NOW)
    return (data_dir / name).read_bytes()


_DAMAGE = {
    "truncated": lambda raw: raw[: len(raw) // 2],
    "garbage": lambda raw: random.Random(7).randbytes(300),
    "empty": lambda raw: b"",
    "blank": lambda raw: b"  \n\t ",
    "not-utf8": lambda raw: b'{"_meta": "\xff\xfe"}',
    "json-list": lambda raw: b"[1, 2, 3]",
    "json-null": lambda raw: b"null",
}
_FILES = ["questions.json", "activity.json", "outbox.json", "insights/2026-11.json"]


def _open_and_read_everything(data_dir: Path) -> None:
    with Store(data_dir) as store:
        store.questions.all()
        store.activity.drafts()
        store.outbox.all()
        store.insights.between()


@pytest.mark.parametrize("name", _FILES)
@pytest.mark.parametrize("damage", sorted(_DAMAGE))
def test_a_damaged_file_is_reported_by_name_and_kept_byte_for_byte(
    data_dir, make_question, name, damage
):
    raw = _valid_file_bytes(data_dir, name, make_question)
    path = data_dir / name
    path.write_bytes(_DAMAGE[damage](raw))
    before = path.read_bytes()
    for _ in range(2):  # the second try proves the lock was released after the failure
        with pytest.raises(StoreCorruptError) as caught:
            _open_and_read_everything(data_dir)
        message = str(caught.value)
        assert str(path) in message
        assert "kept" in message
        assert "\n" not in message
    assert path.read_bytes() == before


def _unblock_readers_later(fifo: Path, seconds: float = 5.0) -> None:
    """Open ``fifo`` for writing after ``seconds`` and close it: a reader that blocked on
    it (the failure these tests catch) then reads an empty file instead of hanging."""

    def later() -> None:
        time.sleep(seconds)
        with contextlib.suppress(OSError):  # no reader waiting: nothing to unblock
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    threading.Thread(target=later, daemon=True).start()


@pytest.mark.parametrize("name", _FILES)
@pytest.mark.parametrize("kind", ["fifo", "link to a device"])
def test_a_data_file_that_is_no_regular_file_is_refused_at_once(
    data_dir, make_question, name, kind
):
    """A named pipe would block every command (and hold the lock) waiting for a writer;
    a link to a device such as /dev/zero would be read until memory runs out."""
    _valid_file_bytes(data_dir, name, make_question)
    path = data_dir / name
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
        _unblock_readers_later(path)
    else:
        path.symlink_to("/dev/null")  # as /dev/zero, which would never end, but safe here
    for _ in range(2):  # the lock was released after the failure
        with pytest.raises(StoreCorruptError) as caught:
            _open_and_read_everything(data_dir)
        message = str(caught.value)
        assert str(path) in message and "not a regular file" in message and "\n" not in message
    assert path.is_fifo() if kind == "fifo" else path.is_symlink()


def test_a_checked_forms_record_that_is_a_fifo_is_read_as_missing(data_dir, make_question):
    with Store(data_dir) as store:
        store.insights.between()
    record = data_dir / "insights" / ".checked-forms.json"
    record.parent.mkdir(exist_ok=True)
    record.unlink(missing_ok=True)
    os.mkfifo(record)
    _unblock_readers_later(record)
    began = time.monotonic()
    with Store(data_dir) as store:
        assert store.insights._checked_months() == {}
    assert time.monotonic() - began < 2  # no wait for a writer


@pytest.mark.parametrize("content", [b'{"_meta": []}', b'{"_meta": {"1": 5}}'])
def test_a_file_of_the_wrong_shape_is_reported_as_damaged(data_dir, content):
    Store(data_dir).close()
    (data_dir / "outbox.json").write_bytes(content)
    with pytest.raises(StoreCorruptError, match=r"outbox\.json"):
        Store(data_dir)


@pytest.mark.parametrize("content", [b'{"_meta": []}', b'{"_meta": {"1": 5}}', b"{"])
def test_the_questions_file_is_read_when_first_used(data_dir, make_question, content):
    """The current questions (megabytes) are read when first used, not when the store
    opens; a damaged file is reported then, and a write to it is refused."""
    with Store(data_dir) as store:
        store.questions.upsert_many([make_question()])
    path = data_dir / "questions.json"
    path.write_bytes(content)
    with Store(data_dir) as store:
        assert store.questions.path == path
        for first_use in (store.questions.all, store.questions.channel_statuses):
            with pytest.raises(StoreCorruptError, match=r"questions\.json"):
                first_use()
        with pytest.raises(StoreCorruptError, match=r"questions\.json"):
            store.questions.upsert_many([make_question("2")])
    assert path.read_bytes() == content


# ----------------------------------------------------------------------------- locking
def test_a_second_store_is_refused_at_once_while_the_app_holds_the_folder(data_dir):
    with Store(data_dir) as app:
        app.hold_for_session()
        started = time.monotonic()
        with pytest.raises(StoreLockedError) as caught:
            Store(data_dir)
        assert time.monotonic() - started < 1  # the app holds it for a whole session
        message = str(caught.value)
        assert message == (
            f"cxdaily is open with {data_dir} (process {os.getpid()}); finish that session first"
        )
    Store(data_dir).close()  # released on close


def test_a_second_store_waits_for_a_command_that_holds_the_folder(data_dir, make_question):
    """A fetch or a tag from a script holds the folder for a moment: another command
    waits for it rather than failing at random."""
    command = Store(data_dir)
    release = threading.Timer(0.3, command.close)
    release.start()
    started = time.monotonic()
    with Store(data_dir) as second:
        waited = time.monotonic() - started
        second.questions.upsert_many([make_question("1")])
    release.join()
    assert 0.2 < waited < LOCK_WAIT_S


def test_a_command_that_holds_the_folder_too_long_is_named_in_one_line(data_dir, monkeypatch):
    monkeypatch.setattr(database, "LOCK_WAIT_S", 0.3)
    with Store(data_dir):
        started = time.monotonic()
        with pytest.raises(StoreLockedError) as caught:
            Store(data_dir)
        assert 0.25 < time.monotonic() - started < 5
    assert str(caught.value) == (
        f"another cxdaily is still working with {data_dir} (process {os.getpid()}) after 0 s; "
        "try again once it is done"
    )


def test_a_lock_file_that_says_nothing_readable_is_waited_for_as_a_command(data_dir, monkeypatch):
    """An older version's empty lock file, or one a holder has not written yet."""
    monkeypatch.setattr(database, "LOCK_WAIT_S", 0.2)
    with Store(data_dir):
        (data_dir / ".lock").write_bytes(b"\xff garbage")
        with pytest.raises(StoreLockedError, match=f"still working with {data_dir} after"):
            Store(data_dir)


_CHILD_OPENS = """
import sys
from pathlib import Path
from cxdaily.core.errors import StoreLockedError
from cxdaily.store import Store
try:
    Store(Path(sys.argv[1])).close()
except StoreLockedError as exc:
    print("locked:", exc)
    sys.exit(7)
print("opened")
"""


def test_a_lock_file_that_cannot_be_opened_is_named_in_one_line(data_dir):
    (data_dir / ".lock").mkdir(parents=True)  # left by hand, or by a broken sync tool
    with pytest.raises(StoreError) as caught:
        Store(data_dir)
    message = str(caught.value)
    assert message.startswith(f"cannot lock {data_dir} with .lock: ")
    assert "directory" in message.lower() and "\n" not in message


def test_another_process_is_refused_while_the_store_is_open(data_dir, subprocess_env):
    with Store(data_dir) as app:
        app.hold_for_session()
        child = subprocess.run(
            [sys.executable, "-c", _CHILD_OPENS, str(data_dir)],
            env=subprocess_env,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert child.returncode == 7, child.stderr
    assert child.stdout.startswith("locked: cxdaily is open with")
    assert str(data_dir) in child.stdout


_CHILD_HOLDS = """
import sys
from pathlib import Path
from cxdaily.store import Store
store = Store(Path(sys.argv[1]))
store.hold_for_session()
print("holding", flush=True)
sys.stdin.readline()
store.close()
"""


def test_the_store_is_refused_while_another_process_holds_it(data_dir, subprocess_env):
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD_HOLDS, str(data_dir)],
        env=subprocess_env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "holding"
        with pytest.raises(StoreLockedError, match="finish that session first"):
            Store(data_dir)
        with Store(data_dir, read_only=True) as reader:  # reading is still allowed
            assert reader.questions.all() == []
    finally:
        child.communicate("\n", timeout=30)
    assert child.returncode == 0
    Store(data_dir).close()  # the lock died with the holder's close


# ----------------------------------------------------------------------------- read-only
def test_read_only_works_while_locked_and_refuses_writes(data_dir, make_question):
    question = make_question()
    with Store(data_dir) as writer:
        writer.questions.upsert_many([question])
        before = (data_dir / "questions.json").read_bytes()
        with Store(data_dir, read_only=True) as reader:
            assert reader.questions.all() == [question]
            with pytest.raises(StoreError) as caught:
                reader.questions.upsert_many([make_question()])
            assert "read-only" in str(caught.value)
            assert str(data_dir / "questions.json") in str(caught.value)
            with pytest.raises(StoreError, match="read-only"):
                reader.activity.save_draft("acme:1", "text", NOW)
        assert (data_dir / "questions.json").read_bytes() == before
        assert not (data_dir / "activity.json").read_bytes().count(b"acme:1")


def test_a_refused_read_only_write_leaves_no_trace_in_reads(data_dir, make_question):
    kept = make_question("1")
    with Store(data_dir) as writer:
        writer.questions.upsert_many([kept])
    with Store(data_dir, read_only=True) as reader:
        with pytest.raises(StoreError, match="read-only"):
            reader.questions.upsert_many([make_question("2")])
        assert reader.questions.all() == [kept]


def test_read_only_on_a_missing_folder_creates_nothing(tmp_path):
    missing = tmp_path / "never-created"
    with Store(missing, read_only=True) as reader:
        assert reader.questions.all() == []
        assert reader.insights.between() == []
        assert reader.activity.actions() == []
    assert not missing.exists()


# ----------------------------------------------------------------------------- disk full
def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("failing_call", ["replace", "fsync"])
def test_a_full_disk_is_a_clear_error_and_loses_nothing(
    data_dir, make_question, monkeypatch, failing_call
):
    kept = make_question("1")
    with Store(data_dir) as store:
        store.questions.upsert_many([kept])
        path = data_dir / "questions.json"
        before = path.read_bytes()
        with monkeypatch.context() as patch:
            patch.setattr(os, failing_call, _disk_full)
            with pytest.raises(StoreError) as caught:
                store.questions.upsert_many([make_question("2")])
        message = str(caught.value)
        assert "disk is full" in message
        assert str(path) in message
        assert "\n" not in message
        assert path.read_bytes() == before
        assert _no_temp_files(data_dir)
        # the repository recovered: it shows what is on disk and can write again
        assert store.questions.all() == [kept]
        assert store.questions.upsert_many([make_question("3")]) == (1, 0)
        assert [q.native_id for q in store.questions.all()] == ["1", "3"]
    with Store(data_dir) as store:
        assert [q.native_id for q in store.questions.all()] == ["1", "3"]


def test_a_full_disk_while_writing_an_insight_keeps_the_month_file(data_dir, monkeypatch):
    with Store(data_dir) as store:
        store.insights.add(_insight(1))
        path = data_dir / "insights" / "2026-11.json"
        before = path.read_bytes()
        with monkeypatch.context() as patch:
            patch.setattr(os, "replace", _disk_full)
            with pytest.raises(StoreError, match="disk is full"):
                store.insights.add(_insight(2))
        assert path.read_bytes() == before
        assert _no_temp_files(data_dir)
        assert [i.id for i in store.insights.between()] == ["i1"]
        store.insights.add(_insight(3))
        assert [i.id for i in store.insights.between()] == ["i1", "i3"]


def test_a_full_disk_when_creating_the_temp_file_is_a_store_error(
    data_dir, make_question, monkeypatch
):
    with Store(data_dir) as store:
        store.questions.upsert_many([make_question("1")])
        before = (data_dir / "questions.json").read_bytes()
        with monkeypatch.context() as patch:
            patch.setattr(tempfile, "mkstemp", _disk_full)
            with pytest.raises(StoreError, match="disk is full"):
                store.questions.upsert_many([make_question("2")])
        assert (data_dir / "questions.json").read_bytes() == before
        assert [q.native_id for q in store.questions.all()] == ["1"]


def test_a_data_folder_that_cannot_be_created_is_a_store_error(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(StoreError) as caught:
        Store(blocker / "data")
    assert str(blocker / "data") in str(caught.value)
    assert "\n" not in str(caught.value)
