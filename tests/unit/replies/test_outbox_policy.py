"""The outbox's rules: back-off, which failures may have reached the service, what the
next attempt must do first, and when an automatic retry is due."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cxdaily.connectors.http_errors import (
    BadResponseError,
    ChannelTimeoutError,
    StatusError,
    UnreachableError,
    UnsafeURLError,
)
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError, CredentialError, RateLimited
from cxdaily.core.models import ReplyState
from cxdaily.replies.outbox import (
    BACKOFF_CAP_S,
    RECHECK_AFTER,
    Step,
    backoff_s,
    is_due,
    may_have_reached_service,
    next_attempt,
    plan_attempt,
)
from tests.time_kit import FIXED_NOW
from tests.unit.replies.outbox_kit import queued_reply as reply


def test_back_off_doubles_is_jittered_and_capped():
    assert [backoff_s(n, 0.999999) for n in (1, 2, 3)] == pytest.approx([30, 60, 120])
    assert backoff_s(1, 0.0) == 15
    assert backoff_s(30, 0.999999) == pytest.approx(BACKOFF_CAP_S)
    assert backoff_s(0, 0.5) == backoff_s(1, 0.5)


def test_next_attempt_honours_a_rate_limit():
    error = RateLimited("slow down", retry_after=600, channel="acme")
    assert next_attempt(FIXED_NOW, 1, error, rand=lambda: 0.0) == FIXED_NOW + timedelta(seconds=600)
    refused = AuthError("no", channel="acme")
    assert next_attempt(FIXED_NOW, 1, refused, rand=lambda: 0.0) == FIXED_NOW + timedelta(
        seconds=15
    )


@pytest.mark.parametrize(
    ("error", "maybe"),
    [
        (ChannelTimeoutError("slow", channel="a"), True),
        (UnreachableError("dropped", channel="a"), True),
        (BadResponseError("cut off", channel="a"), True),
        (StatusError("HTTP 500", status=500, channel="a"), True),
        (StatusError("HTTP 502", status=502, channel="a"), True),
        (StatusError("HTTP 409", status=409, channel="a"), True),  # a duplicate it already has
        (StatusError("HTTP 408", status=408, channel="a"), True),
        (ConnectorError("unexpected", channel="a"), True),
        (StatusError("HTTP 400", status=400, channel="a"), False),
        (StatusError("HTTP 422", status=422, channel="a"), False),
        (AuthError("HTTP 401", channel="a"), False),
        (RateLimited("HTTP 429", retry_after=5, channel="a"), False),
        (UnsafeURLError("refused", channel="a"), False),
        (CredentialError("no secret"), False),
        (ConfigError("bad option"), False),
    ],
)
def test_which_failures_may_have_reached_the_service(error, maybe):
    assert may_have_reached_service(error) is maybe


@pytest.mark.parametrize(
    ("stored", "keys", "finds", "force", "step"),
    [
        (reply(), False, False, False, Step.SEND),
        (reply(state=ReplyState.FAILED, attempts=1), False, False, False, Step.SEND),
        (reply(state=ReplyState.SENDING, attempts=1), True, False, False, Step.RESEND_SAME_KEY),
        (reply(state=ReplyState.FAILED, uncertain=True), True, True, False, Step.RESEND_SAME_KEY),
        (reply(state=ReplyState.SENDING), False, True, False, Step.LOOK_THEN_SEND),
        (reply(state=ReplyState.FAILED, uncertain=True), False, True, True, Step.LOOK_THEN_SEND),
        (reply(state=ReplyState.SENDING), False, False, False, Step.HOLD),
        (reply(state=ReplyState.FAILED, uncertain=True), False, False, True, Step.SEND),
    ],
)
def test_the_next_attempt(stored, keys, finds, force, step):
    plan = plan_attempt(
        stored, now=FIXED_NOW, idempotency_keys=keys, finds_own_replies=finds, force=force
    )
    assert plan.step is step


def test_the_thread_is_checked_again_only_for_a_reply_that_waited():
    def check(stored, force=False):
        return plan_attempt(
            stored, now=FIXED_NOW, idempotency_keys=True, finds_own_replies=True, force=force
        ).check_collision

    assert check(reply(checked_at=None))
    assert not check(reply(checked_at=FIXED_NOW - RECHECK_AFTER))
    assert check(reply(checked_at=FIXED_NOW - RECHECK_AFTER - timedelta(seconds=1)))
    assert not check(reply(checked_at=None), force=True), "the leader decided"
    assert not check(reply(state=ReplyState.SENDING)), "our own reply may be there already"


def test_when_an_automatic_retry_is_due():
    assert is_due(reply(), FIXED_NOW)
    later = FIXED_NOW + timedelta(minutes=1)
    assert not is_due(reply(state=ReplyState.FAILED, next_attempt_at=later), FIXED_NOW)
    assert is_due(reply(state=ReplyState.FAILED, next_attempt_at=later), later)
    assert not is_due(reply(hold="the team answered"), FIXED_NOW)
    assert not is_due(reply(state=ReplyState.SENT), FIXED_NOW)
    assert not is_due(reply(state=ReplyState.CANCELLED), FIXED_NOW)
    assert is_due(reply(state=ReplyState.SENDING), FIXED_NOW)


def test_a_reply_marked_sent_keeps_nothing_of_its_failures():
    from cxdaily.connectors.base import SentReply
    from cxdaily.replies.outbox import marked_sent

    failed = reply(
        state=ReplyState.FAILED,
        attempts=2,
        error="timed out",
        next_attempt_at=FIXED_NOW + timedelta(minutes=1),
        uncertain=True,
        hold="look first",
    )
    later = FIXED_NOW + timedelta(minutes=5)
    sent = marked_sent(failed, SentReply("77", "https://acme.example/r/77"), later)
    assert (sent.state, sent.remote_id, sent.remote_url) == (
        ReplyState.SENT,
        "77",
        "https://acme.example/r/77",
    )
    assert sent.sent_at == sent.updated_at == later
    assert (sent.error, sent.next_attempt_at, sent.hold) == (None, None, None)
    assert sent.uncertain is False
    assert (sent.attempts, sent.body, sent.idempotency_key) == (2, failed.body, "k1")
