"""Undo of a session's skips, snoozes, hand-offs and tags: newest first, durable, and the
store (with the batch, the streak and the stats computed from it) as before the action."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cxdaily.core.errors import StoreError
from cxdaily.core.models import Author, Disposition, InsightEntry, Session
from cxdaily.insights.source import DigestRequest
from cxdaily.paths import locations
from cxdaily.service import Service, Undone
from cxdaily.settings import ChannelSettings, SessionSettings, Settings
from tests.time_kit import FIXED_NOW
from tests.unit.replies.outbox_kit import Clock

ENTRY = InsightEntry(tags=("billing",), team="product", importance=2, summary="Export is stuck")
ACTIONS: dict[str, Callable[[Service, str, str], object]] = {
    "skip": lambda s, q, sid: s.skip(q, sid),
    "snooze": lambda s, q, sid: s.snooze(q, s.now() + timedelta(days=1), sid),
    "hand-off": lambda s, q, sid: s.hand_off(q, "support", "Please call her back", sid),
    "tag": lambda s, q, sid: s.tag(q, ENTRY, sid),
}
KINDS = {
    "skip": Disposition.SKIPPED,
    "snooze": Disposition.SNOOZED,
    "hand-off": Disposition.HANDED_OFF,
    "tag": Disposition.TAGGED,
}


@pytest.fixture
def clock() -> Clock:
    return Clock(FIXED_NOW)


@pytest.fixture
def service(home: Path, clock: Clock, make_question) -> Iterator[Service]:
    """A service (home zone Berlin, day start 04:00) holding four questions."""
    settings = Settings(
        session=SessionSettings(timezone="Europe/Berlin"),
        channels={"acme": ChannelSettings(name="acme", kind="demo")},  # replies stay local
    )
    with Service(locations(), settings, now=clock) as opened:
        questions = [make_question(str(n)) for n in range(1, 4)]
        questions.append(make_question("4", author=Author(name="Eve\x1b]0;pwned\x07\n[b]x[/b]")))
        opened.store.questions.upsert_many(questions)
        yield opened


def start(service: Service) -> Session:
    """A session on today's batch."""
    return service.start_session(service.batch())


def snapshot(service: Service) -> tuple[object, ...]:
    """What the store holds, and what is computed from it."""
    return (
        service.store.activity.actions(),
        service.store.insights.between(),
        service.streak(),
        service.stats(),
        [item.question.id for item in service.batch().items],
    )


@pytest.mark.parametrize("name", ACTIONS)
def test_undoing_an_action_puts_the_store_back_as_it_was(service, name):
    session = start(service)
    before = snapshot(service)
    ACTIONS[name](service, "acme:1", session.id)
    assert snapshot(service) != before

    undone = service.undo_last_action(session.id)

    assert undone is not None and undone.kind is KINDS[name]
    assert undone.question_id == "acme:1"
    assert snapshot(service) == before
    assert not service.can_undo(session.id)


def test_the_undo_is_durable(service, home, clock):
    session = start(service)
    service.tag("acme:1", ENTRY, session.id)
    service.skip("acme:2", session.id)
    service.undo_last_action(session.id)
    service.undo_last_action(session.id)
    service.close()
    with Service(locations(), service.settings, now=clock) as reopened:
        assert reopened.store.activity.actions() == []
        assert reopened.store.insights.between() == []
        assert not reopened.can_undo(session.id), "the stack lives for the session, in memory"


def test_undo_goes_newest_first_then_says_there_is_nothing_left(service):
    session = start(service)
    service.skip("acme:1", session.id)
    service.snooze("acme:2", service.now() + timedelta(hours=3), session.id)
    service.hand_off("acme:3", "support", "", session.id)
    service.tag("acme:1", ENTRY, session.id)
    order = []
    while (undone := service.undo_last_action(session.id)) is not None:
        order.append((undone.kind, undone.question_id))
    assert order == [
        (Disposition.TAGGED, "acme:1"),
        (Disposition.HANDED_OFF, "acme:3"),
        (Disposition.SNOOZED, "acme:2"),
        (Disposition.SKIPPED, "acme:1"),
    ]
    assert service.store.activity.actions() == []
    assert service.undo_last_action(session.id) is None


def test_with_nothing_to_undo_the_answer_is_none(service):
    session = start(service)
    assert not service.can_undo(session.id)
    assert service.undo_last_action(session.id) is None
    service.skip("acme:1")  # from a script: no session, nothing to undo it in
    assert service.undo_last_action(session.id) is None
    assert len(service.store.activity.actions()) == 1


def test_each_session_undoes_only_its_own_actions(service):
    first, second = start(service), start(service)
    service.skip("acme:1", first.id)
    service.skip("acme:2", second.id)
    undone = service.undo_last_action(first.id)
    assert undone is not None and undone.question_id == "acme:1"
    assert [a.question_id for a in service.store.activity.actions()] == ["acme:2"]


def test_a_reply_is_not_undone_by_undo(service):
    session = start(service)
    service.skip("acme:2", session.id)
    service.queue_reply("acme:1", "Thanks, it is fixed.", session_id=session.id)
    undone = service.undo_last_action(session.id)
    assert undone is not None and undone.kind is Disposition.SKIPPED
    kinds = [a.disposition for a in service.store.activity.actions()]
    assert kinds == [Disposition.ANSWERED], "a reply is pulled back, not undone"


def test_undo_across_the_streak_day_restores_the_streak(service, clock):
    clock.now = datetime(2026, 11, 21, 2, 55, tzinfo=UTC)  # 03:55 in Berlin: still the 20th
    session = start(service)
    before = snapshot(service)
    service.hand_off("acme:1", "support", "", session.id)
    assert service.streak().current == 1
    clock.now = datetime(2026, 11, 21, 3, 10, tzinfo=UTC)  # 04:10 in Berlin: a new day
    service.undo_last_action(session.id)
    clock.now = datetime(2026, 11, 21, 2, 55, tzinfo=UTC)
    assert snapshot(service) == before
    assert service.streak().current == 0


def test_undo_after_the_month_turned_finds_the_records(service, clock):
    clock.now = datetime(2026, 11, 30, 22, 59, tzinfo=UTC)  # 23:59 in Berlin, November
    session = start(service)
    before = snapshot(service)
    service.tag("acme:1", ENTRY, session.id)
    service.skip("acme:2", session.id)
    clock.now = datetime(2026, 12, 1, 0, 5, tzinfo=UTC)
    service.undo_last_action(session.id)
    service.undo_last_action(session.id)
    clock.now = datetime(2026, 11, 30, 22, 59, tzinfo=UTC)
    assert snapshot(service) == before


def test_undoing_a_repeated_tag_keeps_the_first_one(service, clock):
    session = start(service)
    first = service.tag("acme:1", ENTRY, session.id)
    after_first = snapshot(service)
    clock.advance(minutes=2)
    service.tag("acme:1", ENTRY, session.id)  # the same tag again: it replaces the first
    undone = service.undo_last_action(session.id)
    assert undone is not None and "stays as first recorded" in undone.description
    assert snapshot(service) == after_first
    assert service.store.insights.between() == [first]
    service.undo_last_action(session.id)
    assert service.store.insights.between() == []
    assert service.store.activity.actions() == []


def test_a_tag_already_in_a_digest_can_still_be_undone(service):
    session = start(service)
    service.tag("acme:1", ENTRY, session.id)
    assert len(service.digest(DigestRequest(since="7d")).insights) == 1
    service.undo_last_action(session.id)
    assert service.digest(DigestRequest(since="7d")).insights == ()


def test_the_description_names_the_customer_in_one_clean_line(service):
    session = start(service)
    service.hand_off("acme:4", "support", "", session.id)
    service.tag("acme:1", ENTRY, session.id)
    service.skip("acme:2", session.id)
    assert service.undo_last_action(session.id) == Undone(
        Disposition.SKIPPED, "acme:2", "Skip undone: Jane Doe's question is back"
    )
    assert service.undo_last_action(session.id).description == (
        "Tag undone: the insight on Jane Doe's question is removed"
    )
    hostile = service.undo_last_action(session.id).description
    assert hostile.startswith("Hand-off to support undone: Eve")
    assert "\x1b" not in hostile and "\x07" not in hostile and "\n" not in hostile


def test_two_undos_at_once_never_undo_one_step_twice(service):
    session = start(service)
    service.skip("acme:1", session.id)
    service.skip("acme:2", session.id)
    results: list[Undone | None] = []
    barrier = threading.Barrier(3)

    def undo() -> None:
        barrier.wait()
        results.append(service.undo_last_action(session.id))

    workers = [threading.Thread(target=undo) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(10)
    undone = sorted(r.question_id for r in results if r is not None)
    assert undone == ["acme:1", "acme:2"] and results.count(None) == 1
    assert service.store.activity.actions() == []


def test_a_failed_undo_keeps_the_step_to_try_again(service, monkeypatch):
    session = start(service)
    service.tag("acme:1", ENTRY, session.id)
    activity = service.store.activity

    def broken(*args: object) -> bool:
        raise StoreError("the disk is full")

    with monkeypatch.context() as patch:
        patch.setattr(activity, "forget", broken)
        with pytest.raises(StoreError, match="undoing the tag of acme:1 failed: the disk is full"):
            service.undo_last_action(session.id)
    assert service.can_undo(session.id)
    assert len(service.store.insights.between()) == 1
    undone = service.undo_last_action(session.id)
    assert undone is not None and undone.kind is Disposition.TAGGED
    assert service.store.insights.between() == [] and activity.actions() == []
