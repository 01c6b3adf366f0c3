"""The channel line says how many questions are new, not how many were fetched."""

from __future__ import annotations

import pytest

from cxdaily.store.repositories import ChannelStatus
from cxdaily.ui.widgets.channel_status import status_content


@pytest.mark.parametrize(
    ("count", "added", "words"),
    [
        (95, 95, "95 new"),
        (95, 3, "3 new of 95"),
        (95, 0, "nothing new"),
        (95, None, "95 fetched"),  # a status recorded before new questions were counted
    ],
)
def test_the_channel_line_says_what_is_new(fixed_now, count, added, words):
    status = ChannelStatus(
        channel="portal", last_attempt_at=fixed_now, last_success_at=fixed_now,
        count=count, added=added,
    )  # fmt: skip
    shown = status_content([status], set(), fixed_now).plain
    assert words in shown
    if words != "95 new":
        assert "95 new" not in shown
