"""What a launch reads from years of history is read without building what it does not
need, and reads the same records as the field-by-field reader: the leader's actions and
the replies still to send."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from cxdaily.core.errors import StoreCorruptError
from cxdaily.core.models import Action, Disposition, Reply, ReplyState
from cxdaily.store import Store

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def _reply(n: int, state: ReplyState, minutes: int) -> Reply:
    at = NOW + timedelta(minutes=minutes)
    return Reply(f"r{n}", f"acme:{n}", "acme", "Thanks", state, at, at, f"k{n}")


def test_only_the_replies_still_to_send_are_built(data_dir, monkeypatch):
    states = [ReplyState.SENT, ReplyState.QUEUED, ReplyState.CANCELLED, ReplyState.FAILED]
    with Store(data_dir) as store:
        for n, state in enumerate(states * 3):
            store.outbox.save(_reply(n, state, minutes=-n))
    built: list[str] = []
    read = Reply.from_dict.__func__

    def counting(cls, data):
        built.append(data["id"])
        return read(cls, data)

    monkeypatch.setattr(Reply, "from_dict", classmethod(counting))
    with Store(data_dir, read_only=True) as store:
        unsent = store.outbox.unsent()
    waiting = [f"r{n}" for n in (11, 9, 7, 5, 3, 1)]  # oldest first
    assert [r.id for r in unsent] == waiting
    assert sorted(built) == sorted(waiting), "sent and cancelled replies are passed over"


@pytest.mark.parametrize(
    ("change", "named"),
    [({"state": "lost"}, "'state'"), ({"created_at": "soon"}, "'created_at'")],
)
def test_a_damaged_reply_still_to_send_is_a_store_error(data_dir, change, named):
    with Store(data_dir) as store:
        store.outbox.save(_reply(1, ReplyState.SENT, 0))
        store.outbox._replies.put({**_reply(2, ReplyState.QUEUED, 0).to_dict(), **change})
    with Store(data_dir, read_only=True) as store, pytest.raises(StoreCorruptError) as caught:
        store.outbox.unsent()
    assert named in str(caught.value)


ACTIONS = [
    Action("acme:1", Disposition.ANSWERED, NOW, "s1", day=date(2026, 11, 21)),
    Action("acme:2", Disposition.SNOOZED, NOW, until=NOW + timedelta(days=2), note="later"),
    Action("acme:3", Disposition.HANDED_OFF, NOW, "s1", note="billing", team="finance"),
    Action("acme:4", Disposition.SKIPPED, NOW - timedelta(days=40)),  # an older month, no day
]


def test_stored_actions_read_back_as_written_and_as_read_field_by_field(data_dir):
    with Store(data_dir) as store:
        for n, action in enumerate(ACTIONS):
            store.activity.record(action, f"a{n}")
    with Store(data_dir, read_only=True) as store:
        read = store.activity.actions()
    assert read == sorted(ACTIONS, key=lambda a: a.at)
    for action in ACTIONS:  # the stored form, read by the checking reader too
        assert Action.from_dict(dict(action.to_dict())) == action


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"at": "yesterday"}, "'at'"),
        ({"disposition": "forgot"}, "'disposition'"),
        ({"until": 7}, "'until'"),
        ({"note": ["a"]}, "'note'"),
    ],
)
def test_a_damaged_action_is_a_store_error_naming_the_field(data_dir, change, named):
    with Store(data_dir) as store:
        store.activity.record(ACTIONS[0], "a0")
        doc = {**ACTIONS[1].to_dict(), "id": "a1", **change}
        store.activity._actions.for_month("2026-11").put(doc)
    with Store(data_dir, read_only=True) as store, pytest.raises(StoreCorruptError) as caught:
        store.activity.actions()
    assert named in str(caught.value)
