"""Putting the outbox's records right after a crash: a recent reply left without its
"answered" action or its promises gets them, once, and a read-only store is left alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from msgspec.structs import replace

from cxdaily.core.models import Disposition, Reply, ReplyState
from cxdaily.replies.promises import Promise
from cxdaily.service import Service
from cxdaily.service.outbox_recovery import (
    PROMISE_RECONCILE_WINDOW,
    answered_action_id,
    record_missing_answers,
    record_missing_promises,
)


@pytest.fixture
def demo(home: Path) -> Iterator[Service]:
    """The demo profile with its inbox fetched."""
    with Service.open("demo") as service:
        assert not service.refresh().failed
        yield service


def _answered(service: Service, question_id: str) -> list:
    return [
        a
        for a in service.store.activity.actions()
        if a.question_id == question_id and a.disposition is Disposition.ANSWERED
    ]


def _queued_without_its_action(service: Service) -> Reply:
    """A queued reply whose "answered" action a crash cut off."""
    question_id = service.batch().items[0].question.id
    reply = service.queue_reply(question_id, "Thanks, it is fixed now.", undo=False)
    assert service.store.activity.forget(answered_action_id(reply.id), reply.created_at)
    assert _answered(service, question_id) == []
    return reply


def test_a_reply_left_without_its_answered_action_gets_it_once(demo: Service):
    reply = _queued_without_its_action(demo)

    record_missing_answers(demo.context, demo.now())
    record_missing_answers(demo.context, demo.now())  # the next round finds nothing missing

    (action,) = _answered(demo, reply.question_id)
    assert action.at == reply.created_at  # counted when the reply was queued


def test_a_reply_older_than_the_window_is_left_as_it_is(demo: Service):
    reply = _queued_without_its_action(demo)

    later = reply.created_at + PROMISE_RECONCILE_WINDOW + PROMISE_RECONCILE_WINDOW
    record_missing_answers(demo.context, later)

    assert _answered(demo, reply.question_id) == []


def test_a_read_only_store_is_never_written(demo: Service):
    reply = _queued_without_its_action(demo)
    demo.close()
    with Service.open("demo", read_only=True) as reader:
        record_missing_answers(reader.context, reader.now())
        assert _answered(reader, reply.question_id) == []


def test_a_sent_reply_left_without_its_promises_gets_them_once(demo: Service):
    reply = _queued_without_its_action(demo)
    sent = replace(reply, state=ReplyState.SENT, sent_at=demo.now(), remote_id="r1")
    demo.store.outbox.save(sent)
    promise = Promise(
        id="p1",
        reply_id=sent.id,
        question_id=sent.question_id,
        channel=sent.channel,
        text="I'll get back to you tomorrow",
        due=None,
        made_at=demo.now(),
    )
    asked: list[str] = []

    def promises_in(found: Reply) -> list[Promise]:
        asked.append(found.id)
        return [promise]

    record_missing_promises(demo.context, demo.now(), promises_in)
    record_missing_promises(demo.context, demo.now(), promises_in)  # recorded: not asked again

    assert asked == [sent.id]
    assert [p.id for p in demo.store.promises.all()] == ["p1"]
