"""The undo window: a queued reply waits ``[session] undo_seconds`` before any send path
sends it, and until its first attempt it can be pulled back, after which it never goes out."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from cxdaily.core.errors import AuthError, ReplyRejected
from cxdaily.core.models import Disposition, ReplyState
from cxdaily.paths import locations
from cxdaily.replies.outbox import TooLateToPullBack
from tests.time_kit import FIXED_NOW

TEXT = "Thanks Ana, the export works again."
WINDOW = timedelta(seconds=10)


@pytest.fixture
def windowed(open_scripted):
    """The scripted service with a 10-second undo window."""
    return open_scripted(undo_s=10)


def answered(service, question_id: str = "portal:q1") -> list:
    return [
        a
        for a in service.store.activity.actions()
        if a.question_id == question_id and a.disposition is Disposition.ANSWERED
    ]


# ----------------------------------------------------------------------------- waiting
def test_a_queued_reply_carries_its_window_durably(windowed, open_scripted):
    queued = windowed.queue_reply("portal:q1", TEXT)
    assert queued.send_after == FIXED_NOW + WINDOW
    restarted = open_scripted(undo_s=10)
    assert restarted.find_reply(queued.id).send_after == FIXED_NOW + WINDOW


def test_no_send_path_sends_before_the_window_ends(windowed, script, clock):
    queued = windowed.queue_reply("portal:q1", TEXT)
    clock.advance(seconds=9.999)
    assert windowed.send(queued) == queued, "the app's automatic send waits"
    assert windowed.send_pending() == []
    assert windowed.retry() == []
    assert windowed.replies.retry(None) == []
    assert script.posts == []
    assert windowed.find_reply(queued.id) == queued, "nothing about it changed"


def test_reply_queues_and_its_first_attempt_waits_for_the_window(windowed, script):
    waiting = windowed.reply("portal:q1", TEXT)
    assert waiting.state is ReplyState.QUEUED and waiting.attempts == 0
    assert script.posts == []


def test_once_the_window_has_passed_the_reply_goes_out_once(windowed, script, clock):
    queued = windowed.queue_reply("portal:q1", TEXT)
    clock.advance(seconds=10)
    (sent,) = windowed.send_pending()
    assert sent.state is ReplyState.SENT and sent.attempts == 1
    assert windowed.send_pending() == [] and windowed.retry() == []
    assert windowed.send(queued).state is ReplyState.SENT
    assert script.posts == [(TEXT, queued.idempotency_key)]


@pytest.mark.parametrize("send_now", ["retry-one", "force"])
def test_the_leaders_send_now_skips_the_window(windowed, script, send_now):
    queued = windowed.queue_reply("portal:q1", TEXT)
    if send_now == "retry-one":
        (sent,) = windowed.retry(queued.id)
    else:
        sent = windowed.send(queued, force=True)
    assert sent.state is ReplyState.SENT
    assert len(script.posts) == 1


def test_a_reply_that_fails_after_its_window_is_retried_with_back_off(windowed, script, clock):
    script.outcomes = [AuthError("refused the credentials (HTTP 401)", channel="portal")]
    queued = windowed.queue_reply("portal:q1", TEXT)
    clock.advance(seconds=10)
    (failed,) = windowed.send_pending()
    assert failed.state is ReplyState.FAILED and failed.next_attempt_at is not None
    clock.now = failed.next_attempt_at
    (sent,) = windowed.send_pending()
    assert sent.state is ReplyState.SENT and len(script.posts) == 2
    assert sent.id == queued.id


def test_a_window_of_zero_sends_at_once(open_scripted, script):
    service = open_scripted(undo_s=0)
    queued = service.queue_reply("portal:q1", TEXT)
    assert queued.send_after is None
    assert service.send(queued).state is ReplyState.SENT
    assert service.next_send_due() is None


def test_a_command_that_says_send_queues_without_a_window(windowed, script):
    queued = windowed.queue_reply("portal:q1", TEXT, undo=False)
    assert queued.send_after is None
    assert windowed.send(queued).state is ReplyState.SENT


def test_a_reply_stored_before_windows_existed_loads_and_sends_as_before(
    windowed, open_scripted, script
):
    queued = windowed.queue_reply("portal:q1", TEXT)
    windowed.close()
    path = locations().data_dir / "outbox.json"
    data = json.loads(path.read_text())
    for doc in data["replies"].values():
        del doc["send_after"]  # the shape of an older record
    path.write_text(json.dumps(data))
    restarted = open_scripted(undo_s=10)
    stored = restarted.find_reply(queued.id)
    assert stored.send_after is None and stored.state is ReplyState.QUEUED
    (sent,) = restarted.send_pending()
    assert sent.state is ReplyState.SENT and len(script.posts) == 1
    assert restarted.send_pending() == [] and len(script.posts) == 1


def test_the_service_says_when_the_next_reply_is_due(windowed, clock):
    assert windowed.next_send_due() is None
    first = windowed.queue_reply("portal:q1", TEXT)
    clock.advance(seconds=4)
    second = windowed.queue_reply("portal:q2", "Yes, yearly works.")
    assert [r.id for r in windowed.replies_in_undo_window()] == [first.id, second.id]
    assert windowed.next_send_due() == FIXED_NOW + WINDOW
    clock.advance(seconds=6)
    windowed.send_pending()
    assert [r.id for r in windowed.replies_in_undo_window()] == [second.id]
    assert windowed.next_send_due() == FIXED_NOW + timedelta(seconds=14)
    clock.advance(seconds=4)
    windowed.send_pending()
    assert windowed.next_send_due() is None


# ----------------------------------------------------------------------------- pull back
def test_a_pulled_back_reply_becomes_the_draft_and_is_never_sent(open_scripted, script, clock):
    service = open_scripted(undo_s=10, signature="— Dana, CEO")
    before = service.streak().today_counts
    queued = service.queue_reply("portal:q1", TEXT)
    assert answered(service) and service.draft("portal:q1") is None

    assert service.pull_back(queued.id) == TEXT, "the composer gets it without the signature"

    assert service.draft("portal:q1") == TEXT
    assert answered(service) == []
    assert service.streak().today_counts == before
    assert service.find_reply(queued.id).state is ReplyState.CANCELLED
    assert not service.has_replied("portal:q1")
    clock.advance(minutes=5)
    assert service.send_pending() == [] and service.retry() == []
    with pytest.raises(ReplyRejected, match="cancelled"):
        service.send(queued)
    with pytest.raises(ReplyRejected, match="cancelled"):
        service.retry(queued.id)
    assert script.posts == []


def test_a_pulled_back_reply_can_be_sent_again_as_a_new_reply(windowed, script, clock):
    queued = windowed.queue_reply("portal:q1", TEXT)
    text = windowed.pull_back(queued.id)
    again = windowed.queue_reply("portal:q1", text + " Sorry for the wait.")
    clock.advance(seconds=10)
    (sent,) = windowed.send_pending()
    assert sent.id == again.id and script.posts == [(sent.body, again.idempotency_key)]


def test_pull_back_between_a_senders_read_and_its_claim_wins(windowed, script, clock):
    queued = windowed.queue_reply("portal:q1", TEXT)
    clock.advance(seconds=10)
    sender = windowed.replies.sender
    claim = sender.claim

    def pulled_back_first(reply_id: str):
        windowed.pull_back(reply_id)  # another worker, just after the outbox was read
        return claim(reply_id)

    sender.claim = pulled_back_first  # type: ignore[method-assign]
    assert windowed.send_pending() == []
    sender.claim = claim  # type: ignore[method-assign]
    assert script.posts == []
    assert windowed.find_reply(queued.id).state is ReplyState.CANCELLED


def test_a_reply_being_sent_cannot_be_pulled_back(windowed, script, clock):
    queued = windowed.queue_reply("portal:q1", TEXT)
    clock.advance(seconds=10)
    sending = windowed.replies.sender.claim(queued.id)  # a worker is sending it
    with sending, pytest.raises(TooLateToPullBack, match="being sent right now"):
        windowed.pull_back(queued.id)
    assert windowed.find_reply(queued.id) == queued
    assert answered(windowed) and windowed.draft("portal:q1") is None


def test_a_sent_or_attempted_reply_cannot_be_pulled_back(windowed, script, clock):
    sent = windowed.retry(windowed.queue_reply("portal:q1", TEXT).id)[0]
    with pytest.raises(TooLateToPullBack, match="already sent"):
        windowed.pull_back(sent.id)
    script.outcomes = [AuthError("refused the credentials (HTTP 401)", channel="portal")]
    failed = windowed.retry(windowed.queue_reply("portal:q2", "Yes, yearly works.").id)[0]
    assert failed.state is ReplyState.FAILED
    before = windowed.find_reply(failed.id)
    with pytest.raises(TooLateToPullBack, match="already began"):
        windowed.pull_back(failed.id)
    assert windowed.find_reply(failed.id) == before
    assert answered(windowed, "portal:q2") and windowed.draft("portal:q2") is None


def test_pulling_back_twice_is_refused_without_a_change(windowed):
    queued = windowed.queue_reply("portal:q1", TEXT)
    windowed.pull_back(queued.id)
    windowed.save_draft("portal:q1", "A better answer")
    with pytest.raises(TooLateToPullBack, match="already pulled back"):
        windowed.pull_back(queued.id)
    assert windowed.draft("portal:q1") == "A better answer"
