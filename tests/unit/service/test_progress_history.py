"""Personal stats keep the actions of past months once read, and read them again when one
of those months' files changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from cxdaily.core.models import Action, Disposition
from cxdaily.paths import locations
from cxdaily.service import Service
from cxdaily.settings import Settings
from tests.time_kit import FIXED_NOW
from tests.unit.replies.outbox_kit import Clock


@pytest.fixture
def service(home: Path) -> Iterator[Service]:
    with Service(locations(), Settings(), now=Clock(FIXED_NOW)) as opened:
        yield opened


def answered(question_id: str, days_ago: float) -> Action:
    return Action(
        question_id=question_id,
        disposition=Disposition.ANSWERED,
        at=FIXED_NOW - timedelta(days=days_ago),
    )


def test_an_action_recorded_in_a_past_month_counts_at_once(service: Service) -> None:
    """A reply recovered after a crash records its action at the time it was sent: on the
    1st of a month that is last month, whose actions the stats had kept."""
    activity = service.store.activity
    activity.record(answered("q-last-month", days_ago=25))  # 27 October
    activity.record(answered("q-today", days_ago=0))
    assert service.stats().answered == 2
    reads = len(service.progress.history()[0])
    activity.record(answered("q-recovered", days_ago=24))  # October again, after the read
    assert len(service.progress.history()[0]) == reads + 1
    assert service.stats().answered == 3


def test_past_months_are_read_once_while_their_files_stay_the_same(
    service: Service, monkeypatch
) -> None:
    activity = service.store.activity
    activity.record(answered("q-old", days_ago=40))
    activity.record(answered("q-now", days_ago=0))
    service.stats()
    reads: list[object] = []
    original = type(activity).actions

    def counted(self, since=None):
        reads.append(since)
        return original(self, since)

    monkeypatch.setattr(type(activity), "actions", counted)
    activity.record(answered("q-later", days_ago=0))  # this month: the past stays kept
    actions, _ = service.progress.history()
    assert {a.question_id for a in actions} == {"q-old", "q-now", "q-later"}
    assert reads and all(since is not None for since in reads)  # this month's file only
