"""Scenarios the tracker destinations' tests share (Productboard, Linear, Jira), each
run through the service over a mock transport against a fake from
:mod:`tests.integration.trackers_fake_kit`."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxdaily.insights.delivery.model import DeliveryOutcome, PeriodRecord
from tests.integration.trackers_fake_kit import TrackerFake, mock_handler
from tests.unit.insights.delivery_kit import WEEK_KEY, seed_week, service
from tests.unit.insights.digest_kit import insight

LATER_NOW = "2026-11-28T10:00:00Z"
"""A week after the delivery kit's clock: the digest week of 20 to 26 Nov 2026."""
LATER_SUMMARY = "Refund again"


def send_twice(
    fake: TrackerFake, destination: str, fault: str
) -> tuple[DeliveryOutcome, DeliveryOutcome, PeriodRecord | None]:
    """Send with ``fault`` on the first (``lose``) or second (``refuse``) write, then send
    again: both outcomes and the period's record after the second."""
    fake.faults = {1 if fault == "lose" else 2: fault}
    with service(mock_handler(fake)) as s:
        (first,) = s.send_digest()
        (second,) = s.send_digest()
        record = s.delivery.repository.period(destination, WEEK_KEY)
    return first, second, record


def send_a_later_week(
    home: Path, fake: TrackerFake, monkeypatch: pytest.MonkeyPatch
) -> tuple[DeliveryOutcome, DeliveryOutcome]:
    """Send the digest week, then the next one (a new billing insight in it) twice, the
    second time with ``again``: the later week's two outcomes."""
    with service(mock_handler(fake)) as s:
        s.send_digest()
    seed_week(home, [insight("2026-11-24 09:00", tags=("billing",), summary=LATER_SUMMARY)])
    monkeypatch.setenv("CXDAILY_NOW", LATER_NOW)
    with service(mock_handler(fake)) as s:
        (later,) = s.send_digest()
        (again,) = s.send_digest(again=True)
    return later, again
