"""The front channel when a conversation's messages are not read to their end: the
fetch's byte budget stopped the walk after its first page. Uses the fake Front of
:mod:`tests.integration.front_fake_kit` (documented ConversationResponse and
MessageResponse shapes, ``_pagination.next`` links)."""

from __future__ import annotations

import pytest

from cxdaily.connectors.holding import fetch_holding
from cxdaily.connectors.http import HttpPolicy
from tests.integration.front_fake_kit import FakeFront
from tests.unit.connectors.test_front import build, ids
from tests.unit.connectors.test_front import token as token  # autouse: the secret


@pytest.fixture
def fake() -> FakeFront:
    """cnv_1: the customer asks, the team answers, the customer writes again (two pages)."""
    fake = FakeFront()
    fake.add("cnv_1", "Export fails", "My export fails with an error.")
    fake.team_writes("cnv_1", "Try again now?")
    fake.customer_writes("cnv_1", "Still failing, see attached.")
    return fake


async def test_messages_cut_short_are_read_again_by_the_next_fetch(fake, fake_sleep):
    c, wire = build(fake, fake_sleep, policy=HttpPolicy(max_fetch_bytes=1))
    first = await c.fetch(None)
    assert ids(first.questions) == [] and ids(first.settled) == []  # nothing from part of it
    [warning] = first.warnings
    assert warning.startswith("conversation cnv_1: its messages cannot be read (messages past")
    assert "the byte budget" in warning and warning.endswith("read again by the next fetch")
    assert first.checkpoint is not None and first.checkpoint["retry"] == ["cnv_1"]
    c.http.policy, c.http.bytes_read = HttpPolicy(), 0
    wire.clear()
    second = await c.fetch(first.checkpoint)
    assert wire.threads_read() == ["cnv_1"]
    assert ids(second.questions) == ["cnv_1:msg_cnv_1_3"]
    assert second.questions[0].body == "Still failing, see attached."
    assert ids(second.settled) == ["cnv_1:msg_cnv_1_1"]
    assert second.checkpoint is not None and second.checkpoint["retry"] == []


async def test_messages_cut_short_for_over_a_day_are_skipped_with_a_warning(fake, fake_sleep):
    c, _ = build(fake, fake_sleep, policy=HttpPolicy(max_fetch_bytes=1))
    with fetch_holding(False):
        result = await c.fetch(None)
    assert ids(result.questions) == [] and ids(result.settled) == []
    [warning] = result.warnings
    assert "messages past page 1 were not read" in warning and "held for over a day" in warning
    assert result.checkpoint is not None and result.checkpoint["retry"] == []
