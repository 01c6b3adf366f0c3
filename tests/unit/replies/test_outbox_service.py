"""The outbox in the service: states, retries with back-off, unknown outcomes, holds,
cancelling, signatures, the review of a reply, and the promise ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cxdaily.connectors.base import Capabilities
from cxdaily.connectors.http_errors import ChannelTimeoutError, StatusError, UnreachableError
from cxdaily.core.errors import AuthError, ConfigError, RateLimited, ReplyRejected, StoreError
from cxdaily.core.models import Author, Message, Reply, ReplyState
from tests.time_kit import FIXED_NOW

TEXT = "Thanks Ana, the export works again."


def timeout() -> ChannelTimeoutError:
    return ChannelTimeoutError("no answer within 1 s", channel="portal")


# ----------------------------------------------------------------------------- sending
def test_a_reply_is_queued_before_it_is_sent_and_sent_with_the_service_id(scripted, script):
    queued = scripted.queue_reply("portal:q1", TEXT)
    assert queued.state is ReplyState.QUEUED and script.posts == []
    assert scripted.find_reply(queued.id) == queued  # durable before any network call
    sent = scripted.send(queued)
    assert (sent.state, sent.remote_id, sent.attempts) == (ReplyState.SENT, "remote-1", 1)
    assert sent.remote_url == "https://portal.example/remote-1"
    assert sent.sent_at == FIXED_NOW and sent.next_attempt_at is None
    assert script.posts == [(TEXT, queued.idempotency_key)]
    assert scripted.send(sent) == sent and len(script.posts) == 1  # never twice


def test_a_refused_post_fails_with_back_off_and_is_retried_when_due(scripted, script, clock):
    script.outcomes = [AuthError("refused the credentials (HTTP 401)", channel="portal")]
    failed = scripted.reply("portal:q1", TEXT)
    assert failed.state is ReplyState.FAILED and not failed.uncertain
    assert "HTTP 401" in failed.error
    wait = failed.next_attempt_at - FIXED_NOW
    assert timedelta(seconds=15) <= wait <= timedelta(seconds=30)
    assert scripted.send_pending() == [], "not due yet"
    clock.advance(seconds=31)
    (sent,) = scripted.send_pending()
    assert sent.state is ReplyState.SENT and sent.attempts == 2 and sent.error is None
    assert len(script.posts) == 2


def test_the_back_off_grows_and_a_rate_limit_is_honoured(scripted, script, clock):
    script.outcomes = [StatusError("HTTP 400", status=400, channel="portal")] * 3 + [
        RateLimited("slow down", retry_after=900, channel="portal")
    ]
    reply = scripted.reply("portal:q1", TEXT)
    waits = [reply.next_attempt_at - clock.now]
    for _ in range(3):
        clock.now = reply.next_attempt_at
        (reply,) = scripted.send_pending()
        waits.append(reply.next_attempt_at - clock.now)
    assert waits[0] < waits[1] < waits[2]
    assert waits[3] >= timedelta(seconds=900)
    assert reply.attempts == 4 and not reply.uncertain


def test_an_unknown_outcome_is_resent_with_the_same_key_where_keys_are_honoured(scripted, script):
    script.capabilities = Capabilities(idempotency_keys=True)
    script.apply_then_fail = True
    script.outcomes = [timeout()]
    failed = scripted.reply("portal:q1", TEXT)
    assert failed.state is ReplyState.FAILED and failed.uncertain
    (sent,) = scripted.retry()
    assert sent.state is ReplyState.SENT and sent.remote_id == "remote-1"
    assert [key for _, key in script.posts] == [failed.idempotency_key] * 2
    assert len(script.thread) == 1 and script.looks == 0


def test_an_unknown_outcome_is_looked_up_in_the_thread_before_any_repeat(scripted, script):
    script.capabilities = Capabilities(finds_own_replies=True)
    script.apply_then_fail = True
    script.outcomes = [StatusError("HTTP 502", status=502, channel="portal")]
    failed = scripted.reply("portal:q1", TEXT)
    assert failed.uncertain
    (sent,) = scripted.retry()
    assert sent.state is ReplyState.SENT and sent.remote_id == "remote-1"
    assert script.looks == 1 and len(script.posts) == 1, "found, not posted again"


def test_a_lookup_that_finds_nothing_posts_again(scripted, script):
    script.capabilities = Capabilities(finds_own_replies=True)
    script.outcomes = [UnreachableError("the service stopped answering", channel="portal")]
    failed = scripted.reply("portal:q1", TEXT)
    assert failed.uncertain  # it may have arrived: look first
    (sent,) = scripted.retry()
    assert sent.state is ReplyState.SENT
    assert script.looks == 1 and len(script.posts) == 2 and len(script.thread) == 1


def test_a_channel_that_cannot_check_holds_an_unknown_outcome(scripted, script, clock):
    script.outcomes = [timeout()]
    failed = scripted.reply("portal:q1", TEXT)
    assert failed.uncertain and failed.hold is None
    clock.now = failed.next_attempt_at
    (held,) = scripted.send_pending()
    assert held.hold and "cannot be checked" in held.hold and "look at the thread" in held.hold
    assert len(script.posts) == 1
    clock.advance(hours=5)
    assert scripted.send_pending() == [] and scripted.retry() == [], "never automatic"
    (sent,) = scripted.retry(held.id)  # the leader looked and decided
    assert sent.state is ReplyState.SENT and sent.hold is None and len(script.posts) == 2


def test_a_reply_left_sending_by_a_crash_has_an_unknown_outcome(scripted, script, clock):
    script.capabilities = Capabilities(finds_own_replies=True)
    queued = scripted.queue_reply("portal:q1", TEXT)
    crashed = queued.with_changes(state=ReplyState.SENDING, attempts=1)
    scripted.store.outbox.save(crashed)
    script.thread.append(("remote-9", TEXT, queued.idempotency_key))  # it did arrive
    (sent,) = scripted.send_pending()
    assert (sent.state, sent.remote_id) == (ReplyState.SENT, "remote-9")
    assert script.posts == [] and script.looks == 1


def test_a_reply_posted_but_not_recorded_as_sent_says_it_went_out(
    scripted, script, clock, monkeypatch
):
    """The post went out, then the disk was full: the error says the reply went out
    (not only "nothing was lost"), and it is never posted again."""
    queued = scripted.queue_reply("portal:q1", TEXT)
    save = scripted.store.outbox.save

    def full_after_the_post(reply: Reply) -> None:
        if reply.state is ReplyState.SENT:
            raise StoreError("cannot save outbox.json: the disk is full; nothing was lost")
        save(reply)

    monkeypatch.setattr(scripted.store.outbox, "save", full_after_the_post)
    with pytest.raises(StoreError) as caught:
        scripted.send(queued)
    message = str(caught.value)
    assert f"reply {queued.id} went out (the service's id: remote-1)" in message
    assert "never sent again" in message and "\n" not in message
    monkeypatch.setattr(scripted.store.outbox, "save", save)
    assert scripted.find_reply(queued.id).state is ReplyState.SENDING
    clock.advance(hours=1)
    scripted.send_pending()
    assert len(script.posts) == 1  # held or found: never a second post


def test_a_reply_is_refused_while_another_waits_or_was_sent(scripted, script):
    script.outcomes = [AuthError("no", channel="portal")]
    failed = scripted.reply("portal:q1", TEXT)
    with pytest.raises(ReplyRejected, match=f"reply {failed.id} to this question is still"):
        scripted.queue_reply("portal:q1", "another")
    scripted.retry(failed.id)
    with pytest.raises(ReplyRejected, match="already replied"):
        scripted.queue_reply("portal:q1", "another")
    with pytest.raises(ReplyRejected, match="already sent"):
        scripted.retry(failed.id)


def test_a_reply_sent_long_ago_and_archived_still_stops_a_second_one(scripted, clock):
    sent = scripted.reply("portal:q1", TEXT)
    assert sent.state is ReplyState.SENT
    clock.advance(days=45)
    assert scripted.archive_old_replies() == 1
    assert scripted.store.outbox.unsent() == [] and not scripted.store.outbox.sent_since(
        clock.now - timedelta(days=14)
    )
    assert scripted.has_replied("portal:q1")
    assert scripted.replies.latest_reply("portal:q1") == sent
    with pytest.raises(ReplyRejected, match="already replied"):
        scripted.queue_reply("portal:q1", "another")
    assert not scripted.replies.save_draft("portal:q1", "a second answer"), "no second draft"
    assert scripted.draft("portal:q1") is None
    assert scripted.find_reply(sent.id) == sent


# ----------------------------------------------------------------------------- collisions
def test_a_reply_that_waited_is_held_when_the_team_answered_meanwhile(scripted, script, clock):
    queued = scripted.queue_reply("portal:q1", TEXT)  # never checked (offline)
    script.answers = [Message(Author(name="Sam (support)"), "Fixed it for you, Ana!", FIXED_NOW)]
    held = scripted.send(queued)
    assert held.state is ReplyState.QUEUED and held.attempts == 0 and script.posts == []
    assert "Sam (support) answered meanwhile" in held.hold and "Fixed it" in held.hold
    assert held.checked_at == FIXED_NOW
    (sent,) = scripted.retry(held.id)
    assert sent.state is ReplyState.SENT and script.checks == 1


def test_a_freshly_checked_reply_is_not_checked_again(scripted, script, clock):
    queued = scripted.queue_reply("portal:q1", TEXT, checked_at=clock.now)
    clock.advance(minutes=2)
    assert scripted.send(queued).state is ReplyState.SENT and script.checks == 0


def test_answers_since_loaded_uses_the_newest_loaded_message(scripted, script):
    script.answers = [
        Message(Author(name="old"), "before loading", FIXED_NOW - timedelta(hours=3)),
        Message(Author(name="new"), "after loading", FIXED_NOW - timedelta(hours=1)),
    ]
    assert [a.author.name for a in scripted.answers_since_loaded("portal:q1")] == ["new"]


# ----------------------------------------------------------------------------- cancel
def test_cancel_gives_the_text_back_as_the_draft(open_scripted, script):
    service = open_scripted(signature="— Dana, CEO")
    script.outcomes = [AuthError("no", channel="portal")]
    failed = service.reply("portal:q1", TEXT)
    assert failed.body == f"{TEXT}\n\n— Dana, CEO"
    cancelled = service.cancel(failed.id)
    assert cancelled.state is ReplyState.CANCELLED
    assert service.draft("portal:q1") == TEXT
    assert service.unsent_replies() == [] and not service.has_replied("portal:q1")
    with pytest.raises(ReplyRejected, match="was cancelled"):
        service.retry(failed.id)
    assert service.send_pending() == []


def test_a_sent_reply_cannot_be_cancelled(scripted):
    sent = scripted.reply("portal:q1", TEXT)
    with pytest.raises(ReplyRejected, match="already sent"):
        scripted.cancel(sent.id)


def test_a_reply_being_sent_cannot_be_cancelled_or_sent_again(scripted):
    queued = scripted.queue_reply("portal:q1", TEXT)
    with scripted.replies.sender.claim(queued.id):
        assert scripted.is_sending(queued.id)
        with pytest.raises(ReplyRejected, match="being sent right now"):
            scripted.cancel(queued.id)
        with pytest.raises(ReplyRejected, match="being sent right now"):
            scripted.send(queued)
        assert scripted.send_pending() == []
    assert not scripted.is_sending(queued.id)


# ----------------------------------------------------------------------------- review
def test_the_signature_counts_against_the_limit(open_scripted, script):
    script.capabilities = Capabilities(max_reply_length=40)
    service = open_scripted(signature="— Dana, CEO")
    ok = service.review_reply("portal:q1", "x" * 27)
    assert ok.ok and ok.length == 27 + 2 + 11 == 40
    too_long = service.review_reply("portal:q1", "x" * 28)
    assert too_long.problems == ("the reply is 41 characters; portal accepts at most 40 (1 over)",)
    with pytest.raises(ReplyRejected, match="at most 40"):
        service.queue_reply("portal:q1", "x" * 28)


def test_a_signature_that_is_not_text_is_a_config_error(open_scripted):
    service = open_scripted(signature=42)
    with pytest.raises(ConfigError, match=r"\[channels.portal\] signature must be text"):
        service.review_reply("portal:q1", TEXT)


def test_risky_statements_are_flagged_in_public_replies_only(scripted, script):
    risky = "We will refund the $20 fee by Friday."
    assert scripted.review_reply("portal:q1", risky).findings == ()
    script.public = True
    review = scripted.review_reply("portal:q1", risky)
    assert review.ok and review.needs_confirmation
    assert [f.kind.value for f in review.findings] == ["promise", "refund", "price", "date"]
    assert review.confirmation_line().startswith("this public reply mentions a promise")


def test_a_channel_that_cannot_reply_is_refused(scripted, script):
    script.capabilities = Capabilities(can_reply=False)
    assert "cannot post replies" in scripted.review_reply("portal:q1", TEXT).problems[0]


# ----------------------------------------------------------------------------- promises
def test_promises_of_a_sent_reply_go_into_the_ledger(scripted, fixed_now):
    scripted.reply("portal:q1", "Sorry Ana. I'll check with the team by Friday.")
    (promise,) = scripted.promises()
    assert promise.text == "I'll check with the team by Friday."
    assert promise.due.isoformat() == "2026-11-27"  # Saturday 21 Nov -> Friday 27 Nov
    assert promise.question_id == "portal:q1" and promise.open
    kept = scripted.keep_promise(promise.id)
    assert kept.done_at == fixed_now and scripted.promises() == []
    assert scripted.promises(include_kept=True) == [kept]


def test_promises_a_crash_left_out_are_recorded_at_the_next_start(open_scripted):
    service = open_scripted()
    sent = service.reply("portal:q1", "We will ship the fix next week.")
    service.store.promises._promises.delete(f"{sent.id}-1")  # as if the crash came between
    assert service.promises() == []
    service = open_scripted()  # a restart
    service.send_pending()
    assert [p.text for p in service.promises()] == ["We will ship the fix next week."]


def test_a_failed_reply_makes_no_promise(scripted, script):
    script.outcomes = [AuthError("no", channel="portal")]
    scripted.reply("portal:q1", "I'll call you tomorrow.")
    assert scripted.promises() == []


def test_old_outbox_records_still_load(scripted):
    old = {
        "id": "abc",
        "question_id": "portal:q1",
        "channel": "portal",
        "body": "hi",
        "state": "failed",
        "created_at": "2026-11-21T10:00:00Z",
        "updated_at": "2026-11-21T10:00:00Z",
        "idempotency_key": "k",
        "attempts": 1,
        "remote_id": None,
        "sent_at": None,
        "error": "boom",
    }
    reply = Reply.from_dict(old)
    assert (reply.uncertain, reply.hold, reply.next_attempt_at, reply.checked_at) == (
        False,
        None,
        None,
        None,
    )
    assert Reply.from_dict(reply.to_dict()) == reply


def test_recording_promises_again_keeps_the_done_flags(scripted, fixed_now):
    sent = scripted.reply("portal:q1", "I'll call you tomorrow. We will refund you.")
    first, second = scripted.promises()
    scripted.keep_promise(first.id)
    again = scripted.store.promises.record(scripted.store.promises.all())
    assert again == 0
    scripted.replies.sender.record_promises(sent)
    assert [p.id for p in scripted.promises()] == [second.id]
    assert scripted.store.promises.get(first.id).done_at == fixed_now
    assert scripted.keep_promise(first.id).done_at == fixed_now  # kept once
