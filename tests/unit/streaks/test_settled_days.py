"""Settling days at a cut: wherever the cut falls, the records are either refused or split
so that the settled days and the fold of the later records are the fold of them all."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from msgspec.structs import replace

from cxdaily.core.models import Action, Disposition, Session
from cxdaily.streaks import daily_activity, daily_totals, record_day
from cxdaily.streaks.settled import (
    NOTHING_SETTLED,
    joined,
    recent_activity,
    settle,
    settle_before,
    settled_from_document,
    settled_to_document,
)
from tests.unit.streaks.history_kit import AUCKLAND, FOUR, LOS_ANGELES, UTC_ZONE

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
ANSWERED, SKIPPED = Disposition.ANSWERED, Disposition.SKIPPED


def _at(day: int, hour: float) -> datetime:
    return datetime(2026, 10, day, tzinfo=UTC) + timedelta(hours=hour)


def _history() -> tuple[list[Action], list[Session]]:
    """A week of October with every way a record can reach across an instant."""
    sessions = [
        # an ordinary sitting, its batch finished
        Session("plain", _at(20, 9), 1800, ("p1", "p2"), ended_at=_at(20, 9.5)),
        # across the day start (04:00 UTC), days stored in Auckland
        Session("dawn", _at(21, 3.5), 1800, ("d1",), ended_at=_at(21, 4.5)),
        # never ended: its minutes run to its last action, a day later
        Session("killed", _at(22, 10), 1800, ("k1", "k2")),
        # ended, then an action in it within SESSION_SPAN, stored without a day
        Session("after", _at(23, 20), 1800, ("a1",), ended_at=_at(23, 20.5)),
        # begun after a clock set back recorded one of its questions days earlier
        Session("later", _at(26, 9), 1800, ("l1", "l2"), ended_at=_at(26, 10)),
    ]
    auckland = record_day(_at(21, 4.2), AUCKLAND, FOUR, _at(21, 3.5))
    actions = [
        Action("p1", ANSWERED, _at(20, 9.1), "plain", day=date(2026, 10, 20)),
        Action("p2", SKIPPED, _at(20, 9.2), "plain", day=date(2026, 10, 20)),
        Action("d1", ANSWERED, _at(21, 4.2), "dawn", day=auckland),
        Action("k1", ANSWERED, _at(22, 10.2), "killed"),
        Action("k2", ANSWERED, _at(23, 11), "killed", day=date(2026, 10, 23)),
        Action("a1", ANSWERED, _at(24, 6), "after"),  # day-less, the next day, in the span
        Action("l1", ANSWERED, _at(24, 15), "later", day=date(2026, 10, 24)),  # set back
        Action("l2", ANSWERED, _at(26, 9.3), "later", day=date(2026, 10, 26)),
        Action("alone", ANSWERED, _at(25, 23.5), day=None),  # no session, no day
        Action("west", ANSWERED, _at(27, 6), day=record_day(_at(27, 6), LOS_ANGELES, FOUR)),
    ]
    return sorted(actions, key=lambda a: a.at), sessions


CUTS = [_at(19, 0) + timedelta(minutes=20 * n) for n in range(9 * 72)]


@pytest.mark.parametrize("zone", [UTC_ZONE, AUCKLAND, LOS_ANGELES])
def test_a_cut_anywhere_is_refused_or_gives_the_fold_of_every_record(zone):
    actions, sessions = _history()
    full = daily_totals(daily_activity(actions, sessions, NOW, zone, FOUR))
    taken = 0
    for cut in CUTS:
        found = settle(NOTHING_SETTLED, actions, sessions, NOW, zone, FOUR, cut)
        if found is not None:
            taken += 1
            assert joined(*found) == full, f"cut at {cut}"
            assert all(day < found[0].limit <= other for day in found[0].days for other in found[1])
    assert 0 < taken < len(CUTS)  # some cuts split the records, others cannot


@pytest.mark.parametrize("zone", [UTC_ZONE, AUCKLAND])
def test_a_cut_moved_forward_from_the_recent_records_gives_the_same_fold(zone):
    actions, sessions = _history()
    full = daily_totals(daily_activity(actions, sessions, NOW, zone, FOUR))
    moves = 0
    for first in CUTS[::7]:
        found = settle(NOTHING_SETTLED, actions, sessions, NOW, zone, FOUR, first)
        if found is None:
            continue
        settled = found[0]
        recent_actions = [a for a in actions if a.at >= first]
        recent_sessions = [s for s in sessions if s.started_at >= first]
        recent = recent_activity(settled, recent_actions, recent_sessions, NOW, zone, FOUR)
        assert recent is not None and joined(settled, recent) == full
        for second in CUTS[::5]:
            moved = settle(settled, recent_actions, recent_sessions, NOW, zone, FOUR, second)
            if moved is not None:
                moves += 1
                assert second > first and joined(*moved) == full, f"{first} then {second}"
    assert moves


def test_later_records_that_reach_into_settled_days_are_refused():
    actions, sessions = _history()
    found = settle(NOTHING_SETTLED, actions, sessions, NOW, UTC_ZONE, FOUR, _at(24, 7))
    assert found is not None and "killed" in found[0].open_sessions
    settled = found[0]
    later = [a for a in actions if a.at >= settled.cut]
    recent = [s for s in sessions if s.started_at >= settled.cut]
    moved = settle(settled, later, recent, NOW, UTC_ZONE, FOUR, _at(28, 12))
    assert moved is not None and "killed" in moved[0].open_sessions
    in_killed = Action("k9", ANSWERED, NOW - timedelta(days=1), "killed")  # lengthens it
    early_day = Action("x", ANSWERED, NOW - timedelta(days=1), day=date(2026, 10, 1))
    named = Session("named", NOW - timedelta(days=2), 1800, ())
    settled_outside = replace(settled, outside_sessions=frozenset({"named"}))
    for kept in (settled, moved[0]):
        assert recent_activity(kept, [*later, in_killed], recent, NOW, UTC_ZONE, FOUR) is None
        assert recent_activity(kept, [*later, early_day], recent, NOW, UTC_ZONE, FOUR) is None
    assert recent_activity(settled_outside, later, [*recent, named], NOW, UTC_ZONE, FOUR) is None
    assert recent_activity(settled, later, recent, NOW, UTC_ZONE, FOUR) is not None


def test_a_cut_less_than_a_day_before_now_is_refused():
    """What is settled must not depend on ``now``: a session ended by a clock that ran
    ahead lasts until ``now``, within its 8-hour cap."""
    actions, sessions = _history()
    now = _at(28, 12)
    assert settle(NOTHING_SETTLED, actions, sessions, now, UTC_ZONE, FOUR, _at(28, 0)) is None
    assert settle(NOTHING_SETTLED, actions, sessions, now, UTC_ZONE, FOUR, _at(27, 11)) is not None


def test_settling_before_a_month_cuts_midway_through_a_quiet_stretch():
    actions, sessions = _history()
    month = datetime(2026, 11, 1, tzinfo=UTC)
    found = settle_before(month, NOTHING_SETTLED, actions, sessions, NOW, UTC_ZONE, FOUR)
    assert found is not None
    cut = found[0].cut
    last = month - timedelta(days=2, hours=12)
    assert cut < last
    moments = [a.at for a in actions] + [s.started_at for s in sessions]
    moments += [s.ended_at for s in sessions if s.ended_at] + [last]
    before, after = max(m for m in moments if m < cut), min(m for m in moments if m > cut)
    assert cut - before == after - cut > timedelta(hours=12)
    assert joined(*found) == daily_totals(daily_activity(actions, sessions, NOW, UTC_ZONE, FOUR))


def test_the_kept_form_reads_back_and_anything_else_reads_as_nothing():
    actions, sessions = _history()
    settled = settle(NOTHING_SETTLED, actions, sessions, NOW, UTC_ZONE, FOUR, _at(27, 12))
    assert settled is not None
    doc = settled_to_document(settled[0])
    assert settled_from_document(doc) == settled[0]
    broken = [
        None,
        [],
        {**doc, "cut": "2026-10-27T12:00:00"},  # no zone
        {**doc, "limit": 20261027},
        {**doc, "days": [["2026-10-20", 1, 2.0]]},
        {**doc, "days": [["2026-10-20", -1, 2.0, 0]]},
        {**doc, "days": [["2026-10-20", True, 2.0, 0]]},
        {**doc, "days": [["2026-10-20", 1, -2.0, 0]]},
        {**doc, "days": [["2026-12-20", 1, 2.0, 0]]},  # after the limit
        {**doc, "open_sessions": "killed"},
        {key: value for key, value in doc.items() if key != "outside_sessions"},
    ]
    assert [settled_from_document(bad) for bad in broken] == [None] * len(broken)
