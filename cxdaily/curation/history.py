"""What the leader's own history tells curation: pace, channels read, topics seen.

Built from the store's actions and sessions (and the stored questions they refer to):

- *time per item*: inside a session, the time from one action to the next is the time
  spent on the question acted on; those samples calibrate the estimates;
- *last read per source and segment*: when the leader last acted on a question from
  Discourse, or from any review site, for the coverage signal;
- *topics seen lately*: the terms of the questions acted on in the last
  :data:`NOVELTY_DAYS` days, for the novelty signal.

A pure function of its inputs: the same actions, sessions and ``now`` give the same
history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

import msgspec

from cxdaily.core.models import HANDLED, Action, Question, Session
from cxdaily.curation.estimate import Calibration, calibrate, raw_estimate
from cxdaily.curation.settings import HISTORY_DAYS
from cxdaily.curation.sources import segment_of, source_of
from cxdaily.curation.text import question_terms

#: Topics seen within this many days are not new.
NOVELTY_DAYS = 14
#: Time samples outside this range are interruptions or slips, not reading time.
SAMPLE_RANGE_S = (10.0, 20 * 60.0)


class LeaderHistory(msgspec.Struct, frozen=True):
    """The parts of the leader's history that curation uses."""

    actions: int = 0
    """Actions within the history window (0: a new leader, history signals stay quiet)."""
    last_read: Mapping[str, datetime] = msgspec.field(default_factory=dict)
    """Source -> when the leader last acted on one of its questions."""
    last_segment_read: Mapping[str, datetime] = msgspec.field(default_factory=dict)
    """Segment -> when the leader last acted on one of its questions."""
    seen_terms: frozenset[bytes] = frozenset()
    """Terms of the questions acted on lately."""
    seen_questions: int = 0
    """How many questions those terms come from."""
    calibration: Calibration = msgspec.field(default_factory=Calibration)
    """Time per item, from sessions."""


def latest_actions(actions: Iterable[Action]) -> dict[str, Action]:
    """The most recent action on each question (later actions win; ties keep order)."""
    latest: dict[str, Action] = {}
    for action in sorted(actions, key=lambda a: a.at):
        latest[action.question_id] = action
    return latest


def time_samples(
    actions: Iterable[Action], sessions: Iterable[Session], questions: Mapping[str, Question]
) -> list[tuple[str, float, float]]:
    """``(source, seconds taken, first guess)`` for each question handled in a session."""
    by_session: dict[str, list[Action]] = {}
    for action in actions:
        if action.session_id:
            by_session.setdefault(action.session_id, []).append(action)
    samples: list[tuple[str, float, float]] = []
    low, high = SAMPLE_RANGE_S
    for session in sorted(sessions, key=lambda s: (s.started_at, s.id)):
        steps = sorted(by_session.get(session.id, ()), key=lambda a: a.at)
        previous = session.started_at
        spent: dict[str, float] = {}
        handled: set[str] = set()
        for action in steps:
            seconds = (action.at - previous).total_seconds()
            previous = action.at
            if seconds > high:  # a break: the clock restarts at this action
                continue
            spent[action.question_id] = spent.get(action.question_id, 0.0) + max(seconds, 0.0)
            if action.disposition in HANDLED:
                handled.add(action.question_id)
        for question_id in sorted(handled):
            question = questions.get(question_id)
            taken = spent.get(question_id, 0.0)
            if question is not None and low <= taken <= high:
                samples.append((source_of(question), taken, raw_estimate(question)))
    return samples


def build_history(
    actions: Iterable[Action],
    sessions: Iterable[Session],
    questions: Mapping[str, Question],
    now: datetime,
) -> LeaderHistory:
    """The leader's history as of ``now`` (actions after ``now`` are ignored)."""
    window_start = now - timedelta(days=HISTORY_DAYS)
    recent = [a for a in actions if window_start <= a.at <= now]
    if not recent:
        return LeaderHistory()
    last_read: dict[str, datetime] = {}
    last_segment: dict[str, datetime] = {}
    novelty_start = now - timedelta(days=NOVELTY_DAYS)
    seen: set[bytes] = set()
    seen_ids: set[str] = set()
    for action in recent:
        question = questions.get(action.question_id)
        if question is None:
            continue
        source, segment = source_of(question), segment_of(question)
        if action.at > last_read.get(source, window_start):
            last_read[source] = action.at
        if action.at > last_segment.get(segment, window_start):
            last_segment[segment] = action.at
        if action.at >= novelty_start and question.id not in seen_ids:
            seen_ids.add(question.id)
            seen.update(question_terms(question))
    return LeaderHistory(
        actions=len(recent),
        last_read=last_read,
        last_segment_read=last_segment,
        seen_terms=frozenset(seen),
        seen_questions=len(seen_ids),
        calibration=calibrate(time_samples(recent, sessions, questions)),
    )
