"""Estimates from length, thread and channel; calibration from the leader's own pace."""

from __future__ import annotations

from datetime import timedelta

from msgspec.structs import replace

from cxdaily.core.models import Action, Author, Disposition, Message, Session
from cxdaily.curation import curate
from cxdaily.curation.estimate import (
    MAX_ESTIMATE_S,
    MIN_ESTIMATE_S,
    Calibration,
    calibrate,
    estimate_seconds,
    raw_estimate,
)
from cxdaily.curation.history import build_history, latest_actions, time_samples
from tests.unit.curation.curation_kit import DAY_START, NOW, ask, timed_session

TICKET = "The export to CSV stops at 90 days and leaves out cancelled bookings. " * 4


def test_longer_questions_and_threads_take_longer_and_stay_bounded():
    short = estimate_seconds(ask("1", "Hi?"))
    long = estimate_seconds(ask("2", TICKET * 5))
    message = Message(Author(name="Jo"), TICKET, NOW - timedelta(days=1))
    threaded = estimate_seconds(ask("3", TICKET, context=(message, message)))
    alone = estimate_seconds(ask("4", TICKET))
    assert MIN_ESTIMATE_S <= short < alone < threaded
    assert alone < long <= MAX_ESTIMATE_S
    assert estimate_seconds(ask("5", "x" * 1_000_000)) == MAX_ESTIMATE_S


def test_a_post_on_x_is_quicker_to_answer_than_a_help_desk_ticket():
    body = "Your app keeps logging me out since the update, what can I do?"
    tweet = estimate_seconds(ask("1", body, kind="demo", service="x"))
    ticket = estimate_seconds(ask("2", body, kind="demo", service="zendesk"))
    assert tweet < ticket


def test_more_questions_asked_take_more_time_to_answer():
    one = estimate_seconds(ask("1", "Can you export it?"))
    three = estimate_seconds(ask("2", "Can you export it? When? And how?"))
    assert three > one


def test_calibration_follows_the_leaders_pace_with_enough_samples():
    assert calibrate([]) == Calibration()
    assert calibrate([("acme", 300.0, 100.0)] * 2).overall == 1.0  # too few samples
    slow = calibrate([("acme", 300.0, 100.0)] * 20)
    assert 2.0 < slow.overall <= 3.0
    assert slow.factor("acme") == slow.by_source["acme"]
    assert slow.factor("elsewhere") == slow.overall
    quick = calibrate([("acme", 50.0, 100.0)] * 20)
    assert quick.overall < 1.0
    few = calibrate([("acme", 300.0, 100.0)] * 4)
    assert 1.0 < few.overall < slow.overall  # pulled towards 1 while samples are few


def test_time_per_item_comes_from_sessions_and_skips_breaks():
    questions = [ask(str(n), TICKET) for n in range(5)]
    actions, session = timed_session(questions, 240, NOW - timedelta(days=1))
    by_id = {q.id: q for q in questions}
    samples = time_samples(actions, [session], by_id)
    assert [round(taken) for _, taken, _ in samples] == [240] * 5
    # a 3-hour gap is a break, not reading time
    late = Action(
        questions[0].id, Disposition.TAGGED, actions[-1].at + timedelta(hours=3), session_id="s1"
    )
    assert len(time_samples([*actions, late], [session], by_id)) == 5


def test_only_the_sessions_of_the_actions_count():
    """What lets the store read only the sessions the recent actions name."""
    questions = [ask(str(n), TICKET) for n in range(5)]
    actions, session = timed_session(questions, 240, NOW - timedelta(days=1))
    idle = [replace(session, id=f"idle{n}", started_at=NOW - timedelta(days=n)) for n in range(9)]
    by_id = {q.id: q for q in questions}
    assert time_samples(actions, [*idle, session], by_id) == time_samples(actions, [session], by_id)


def test_curation_estimates_grow_for_a_leader_who_takes_longer():
    past = [ask(f"p{n}", TICKET, age=timedelta(days=3)) for n in range(12)]
    actions, session = timed_session(past, raw_estimate(past[0]) * 2.5, NOW - timedelta(days=2))
    history = build_history(actions, [session], {q.id: q for q in past}, NOW)
    assert history.calibration.samples == 12 and history.calibration.overall > 1.5
    fresh = [ask(f"n{n}", TICKET) for n in range(3)]
    plain = curate(fresh, {}, NOW, DAY_START, 3600)
    calibrated = curate(fresh, latest_actions(actions), NOW, DAY_START, 3600, history=history)
    assert calibrated.items[0].estimate_s > plain.items[0].estimate_s


def test_history_records_what_was_read_where_and_ignores_the_future():
    forum = ask("f", "Webhooks for cancellations?", kind="demo", service="discourse")
    review = ask("r", "Great app", kind="demo", service="app_store")
    actions = [
        Action(forum.id, Disposition.ANSWERED, NOW - timedelta(days=9)),
        Action(review.id, Disposition.SKIPPED, NOW - timedelta(days=1)),
        Action(forum.id, Disposition.TAGGED, NOW + timedelta(days=1)),  # clock skew
    ]
    history = build_history(actions, [], {forum.id: forum, review.id: review}, NOW)
    assert history.actions == 2
    assert history.last_read["discourse"] == NOW - timedelta(days=9)
    assert history.last_segment_read["reviews"] == NOW - timedelta(days=1)
    assert b"webhooks" in history.seen_terms and history.seen_questions == 2
    assert build_history([], [Session("s", NOW, 60, ())], {}, NOW).actions == 0
