"""Partial failures: a multi-file action is all written or safely repeatable, its message
tells the truth, and files or folders their owner made read-only are never changed.

Tests run as root, which may write anything: what is checked is the mode bits the owner
set (0444, 0555), so these tests would pass or fail the same way as any user.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from cxdaily.core.errors import ReplyRejected, StoreError
from cxdaily.core.models import Disposition, Insight, InsightEntry, Reply, ReplyState
from cxdaily.service import Service
from cxdaily.service.outbox_recovery import answered_action_id
from cxdaily.service.replies import ReplyQueuedError
from cxdaily.store import Store
from cxdaily.store.storage import ReadOnlyError, replace_file
from tests.time_kit import FIXED_NOW

ACTIONS = Path("actions") / "2026-11.json"  # the month of the fixed clock


@pytest.fixture
def demo(home: Path) -> Iterator[Service]:
    """The demo profile with its inbox fetched."""
    with Service.open("demo") as service:
        assert not service.refresh().failed
        yield service


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _questions(demo: Service) -> list[str]:
    return [item.question.id for item in demo.batch().items]


def _actions_on(demo: Service, question_id: str) -> list:
    return [a for a in demo.store.activity.actions() if a.question_id == question_id]


def _read_only_actions(demo: Service) -> Path:
    """Make this month's actions file read-only, the way its owner would."""
    path = demo.locations.data_dir / ACTIONS
    if not path.exists():
        demo.skip(_questions(demo)[-1])  # creates the month's file
    path.chmod(0o444)
    return path


# ----------------------------------------------------------------------------- item 12: tag
def test_a_tag_whose_action_fails_says_so_and_running_it_again_adds_no_second_insight(
    demo: Service,
):
    question_id = _questions(demo)[0]
    actions = _read_only_actions(demo)
    tag = InsightEntry(tags=("bug",), team="product", summary="Export is broken")
    with pytest.raises(StoreError) as caught:
        demo.tag(question_id, tag)
    message = str(caught.value)
    assert "\n" not in message
    assert "insight" in message and "was saved" in message and "again" in message
    assert str(actions) in message and "read-only" in message
    assert [i.question_id for i in demo.store.insights.between()] == [question_id]
    assert _actions_on(demo, question_id) == []

    actions.chmod(0o600)  # the leader fixes it and runs the same command again
    again = demo.tag(question_id, tag)
    insights = demo.store.insights.between()
    assert insights == [again], "running the tag again made a second insight"
    assert [a.disposition for a in _actions_on(demo, question_id)] == [Disposition.TAGGED]

    demo.tag(question_id, tag)  # a third time changes nothing either
    assert demo.store.insights.between() == [again]
    assert len(_actions_on(demo, question_id)) == 1


def test_different_tags_on_one_question_are_different_insights(demo: Service):
    question_id = _questions(demo)[0]
    first = demo.tag(question_id, InsightEntry(tags=("bug",)))
    second = demo.tag(question_id, InsightEntry(tags=("praise",)))
    assert first.id != second.id
    assert len(demo.store.insights.between()) == 2


# ----------------------------------------------------------------------------- item 12: reply
def test_a_queued_reply_whose_action_fails_is_reported_as_queued_and_recorded_later(
    demo: Service,
):
    question_id = _questions(demo)[0]
    demo.save_draft(question_id, "Thanks, on it")
    actions = _read_only_actions(demo)
    with pytest.raises(ReplyQueuedError) as caught:
        demo.queue_reply(question_id, "Thanks, on it")
    message = str(caught.value)
    assert "\n" not in message
    assert "is queued and will be sent" in message
    assert "recording it in today's actions failed" in message and "read-only" in message
    queued = caught.value.reply
    assert demo.outbox() == [queued] and queued.state is ReplyState.QUEUED

    with pytest.raises(ReplyRejected, match="still in the outbox"):  # never a second reply
        demo.queue_reply(question_id, "Thanks, on it")
    assert len(demo.outbox()) == 1

    # still unwritable: the outbox sends anyway and leaves the recording for later
    (sent,) = demo.send_pending()
    assert sent.state is ReplyState.SENT
    assert _actions_on(demo, question_id) == []

    actions.chmod(0o600)
    demo.send_pending()
    demo.send_pending()
    (answered,) = _actions_on(demo, question_id)
    assert answered.disposition is Disposition.ANSWERED and answered.at == queued.created_at
    stored = demo.store.folder.db(str(ACTIONS)).table("actions").all()
    assert [d["id"] for d in stored if d["question_id"] == question_id] == [
        answered_action_id(queued.id)
    ]
    assert demo.streak().current >= 1


def test_a_queued_reply_whose_draft_cannot_be_removed_says_so(demo: Service):
    question_id = _questions(demo)[0]
    demo.save_draft(question_id, "Thanks, on it")
    activity = demo.locations.data_dir / "activity.json"
    activity.chmod(0o444)
    with pytest.raises(ReplyQueuedError) as caught:
        demo.queue_reply(question_id, "Thanks, on it")
    message = str(caught.value)
    assert "is queued and will be sent" in message and "removing its draft failed" in message
    assert [r.state for r in demo.outbox()] == [ReplyState.QUEUED]
    assert [a.disposition for a in _actions_on(demo, question_id)] == [Disposition.ANSWERED]


def test_a_cancel_whose_draft_cannot_be_kept_says_the_reply_is_cancelled(demo: Service):
    question_id = _questions(demo)[0]
    reply = demo.queue_reply(question_id, "Thanks, on it")
    (demo.locations.data_dir / "activity.json").chmod(0o444)
    with pytest.raises(StoreError) as caught:
        demo.cancel(reply.id)
    message = str(caught.value)
    assert f"reply {reply.id} is cancelled" in message and "draft" in message
    assert demo.find_reply(reply.id).state is ReplyState.CANCELLED


def test_a_cancel_cut_short_is_finished_by_cancelling_again(demo: Service, monkeypatch):
    """The reply is cancelled first (it is never sent); if bringing the question back
    fails after that, cancelling again brings it back, unanswered, with its draft."""
    question_id = _questions(demo)[0]
    reply = demo.queue_reply(question_id, "Thanks, on it")
    activity = demo.store.activity
    forget = activity.forget

    def full_disk(*args, **kwargs):
        raise StoreError("cannot save actions: the disk is full")

    monkeypatch.setattr(activity, "forget", full_disk)
    with pytest.raises(StoreError) as caught:
        demo.cancel(reply.id)
    message = str(caught.value)
    assert f"reply {reply.id} is cancelled and will not be sent" in message
    assert f"`cxdaily outbox cancel {reply.id}` finishes it" in message
    assert demo.find_reply(reply.id).state is ReplyState.CANCELLED
    assert demo.draft(question_id) is None  # cut short: not brought back yet

    monkeypatch.setattr(activity, "forget", forget)
    assert demo.cancel(reply.id).state is ReplyState.CANCELLED
    assert demo.draft(question_id) == "Thanks, on it"
    assert not any(a.question_id == question_id for a in activity.actions())
    assert question_id in {item.question.id for item in demo.batch().items}


# ----------------------------------------------------------------------------- item 13
def test_a_read_only_data_folder_is_refused_and_left_read_only(tmp_path: Path):
    data_dir = tmp_path / "data"
    Store(data_dir).close()
    data_dir.chmod(0o555)
    before = sorted(p.name for p in data_dir.iterdir())
    with pytest.raises(StoreError) as caught:
        Store(data_dir)
    message = str(caught.value)
    assert "\n" not in message
    assert str(data_dir) in message and "read-only" in message and "0555" in message
    assert _mode(data_dir) == 0o555, "the data folder was chmodded back"
    assert sorted(p.name for p in data_dir.iterdir()) == before
    with Store(data_dir, read_only=True) as reader:  # reading it is fine
        assert reader.questions.all() == []
    data_dir.chmod(0o700)


@pytest.mark.parametrize("name", ["questions.json", "outbox.json", "activity.json"])
def test_a_read_only_data_file_is_refused_and_kept(tmp_path: Path, make_question, name):
    data_dir = tmp_path / "data"
    with Store(data_dir) as store:
        store.questions.upsert_many([make_question("1")])
        store.activity.save_draft("acme:1", "draft", FIXED_NOW)
        path = data_dir / name
        path.chmod(0o444)
        before = path.read_bytes()
        writes = {
            "questions.json": lambda: store.questions.upsert_many([make_question("2")]),
            "outbox.json": lambda: store.outbox.save(_reply()),
            "activity.json": lambda: store.activity.save_draft("acme:2", "x", FIXED_NOW),
        }
        with pytest.raises(StoreError) as caught:
            writes[name]()
        message = str(caught.value)
        assert "\n" not in message
        assert str(path) in message and "read-only" in message and "0444" in message
        assert _mode(path) == 0o444, "the file was chmodded back"
        assert path.read_bytes() == before
        assert [q.native_id for q in store.questions.all()] == ["1"]
        assert store.activity.drafts() == {"acme:1": "draft"}
        assert store.outbox.all() == []
        path.chmod(0o600)


def test_a_read_only_month_folder_is_refused_and_left_alone(tmp_path: Path):
    data_dir = tmp_path / "data"
    with Store(data_dir) as store:
        store.insights.add(_insight(id="i1"))
        folder = data_dir / "insights"
        folder.chmod(0o555)
        with pytest.raises(StoreError, match="read-only"):
            store.insights.add(_insight(id="i2"))
        assert _mode(folder) == 0o555
        assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
        assert [i.id for i in store.insights.between()] == ["i1"]
        folder.chmod(0o700)


def test_replace_file_never_overwrites_a_read_only_file(tmp_path: Path):
    path = tmp_path / "export.md"
    path.write_text("the owner's")
    path.chmod(0o444)
    with pytest.raises(ReadOnlyError) as caught:
        replace_file(path, b"new")
    assert isinstance(caught.value, PermissionError)
    assert path.read_text() == "the owner's" and _mode(path) == 0o444


def test_a_group_readable_data_folder_is_still_made_private(tmp_path: Path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    data_dir.chmod(0o755)
    Store(data_dir).close()
    assert _mode(data_dir) == 0o700  # permissions are only ever taken away


def _reply() -> Reply:
    return Reply(
        id="r1",
        question_id="acme:1",
        channel="acme",
        body="Thanks!",
        state=ReplyState.QUEUED,
        created_at=FIXED_NOW,
        updated_at=FIXED_NOW,
        idempotency_key="k1",
    )


def _insight(id: str) -> Insight:
    return Insight(
        id=id,
        question_id="acme:1",
        channel="acme",
        url=None,
        customer_name=None,
        customer_handle=None,
        tags=("bug",),
        team=None,
        sentiment=None,
        importance=1,
        summary="",
        quote="",
        note=None,
        created_at=FIXED_NOW,
    )
