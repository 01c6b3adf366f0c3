"""The undo window's pure rules and words: when a waiting reply is due, how long it has
left, which reply goes out next, and which replies can still be pulled back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cxdaily.core.models import Reply, ReplyState
from cxdaily.replies.outbox import (
    in_undo_window,
    is_due,
    next_window_end,
    pull_back_refusal,
    undo_seconds_left,
)
from cxdaily.replies.outbox_words import undo_window_words
from tests.time_kit import FIXED_NOW
from tests.unit.replies.outbox_kit import queued_reply

END = FIXED_NOW + timedelta(seconds=10)


def reply(**changes) -> Reply:
    """A reply queued at FIXED_NOW with a 10-second window."""
    return queued_reply(**{"send_after": END, **changes})


def test_a_reply_is_due_exactly_when_its_window_ends():
    assert not is_due(reply(), END - timedelta(microseconds=1))
    assert in_undo_window(reply(), END - timedelta(microseconds=1))
    assert is_due(reply(), END) and not in_undo_window(reply(), END)


def test_a_reply_without_a_window_is_due_at_once():
    assert is_due(reply(send_after=None), FIXED_NOW)
    assert undo_seconds_left(reply(send_after=None), FIXED_NOW) == 0


def test_the_back_off_still_applies_after_the_window():
    failed = reply(state=ReplyState.FAILED, attempts=1, next_attempt_at=END + timedelta(seconds=30))
    assert not is_due(failed, END + timedelta(seconds=1))
    assert is_due(failed, END + timedelta(seconds=30))


@pytest.mark.parametrize("state", [ReplyState.SENT, ReplyState.CANCELLED])
def test_a_reply_that_is_done_waits_for_nothing(state):
    assert not in_undo_window(reply(state=state), FIXED_NOW)
    assert undo_seconds_left(reply(state=state), FIXED_NOW) == 0


def test_seconds_left_and_the_next_window_end():
    later = reply(id="r2", send_after=END + timedelta(seconds=5))
    assert undo_seconds_left(reply(), FIXED_NOW + timedelta(seconds=2.5)) == 7.5
    assert next_window_end([later, reply()], FIXED_NOW) == END
    assert next_window_end([later, reply()], END) == END + timedelta(seconds=5)
    assert next_window_end([later, reply()], END + timedelta(seconds=5)) is None


def test_the_countdown_words_round_up():
    assert undo_window_words(reply(), FIXED_NOW + timedelta(seconds=1.2)) == (
        "goes out in 9s (it can still be pulled back)"
    )
    assert undo_window_words(reply(), END - timedelta(milliseconds=1)).startswith("goes out in 1s")
    assert undo_window_words(reply(), END) is None


@pytest.mark.parametrize(
    ("changes", "in_flight", "refusal"),
    [
        ({}, False, None),
        ({"hold": "Sam answered meanwhile"}, False, None),  # held before any post
        ({}, True, "is being sent right now"),
        ({"state": ReplyState.SENDING, "attempts": 1}, False, "already began"),
        ({"state": ReplyState.FAILED, "attempts": 1}, False, "already began"),
        ({"state": ReplyState.SENT, "attempts": 1}, False, "already sent"),
        ({"state": ReplyState.CANCELLED}, False, "already pulled back or cancelled"),
    ],
)
def test_only_a_reply_whose_sending_never_began_can_be_pulled_back(changes, in_flight, refusal):
    found = pull_back_refusal(reply(**changes), in_flight)
    if refusal is None:
        assert found is None
    else:
        assert found is not None and refusal in found and "\n" not in found
