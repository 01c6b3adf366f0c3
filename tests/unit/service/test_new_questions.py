"""'N new' counts the questions that were not stored before, not every question fetched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cxdaily.paths import DEMO_PROFILE
from cxdaily.service import Service
from cxdaily.store.repositories import ChannelStatus


@pytest.fixture
def service(home: Path) -> Iterator[Service]:
    with Service.open(DEMO_PROFILE) as opened:
        yield opened


def test_a_second_fetch_of_the_same_inbox_brings_nothing_new(service: Service):
    first = service.refresh()
    (status,) = service.channel_status()
    assert status.count == first.added and status.added == first.added > 0
    service.refresh()
    (status,) = service.channel_status()
    assert status.count == first.added
    assert status.added == 0


def test_the_added_count_round_trips_and_is_checked():
    status = ChannelStatus(channel="p", count=4, added=1)
    assert ChannelStatus.from_dict("p", status.to_dict()).added == 1
    from cxdaily.core.record_fields import RecordError

    with pytest.raises(RecordError, match=r"status\.added"):
        ChannelStatus.from_dict("p", {"added": "many"})
