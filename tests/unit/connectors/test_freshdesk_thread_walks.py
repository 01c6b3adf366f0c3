"""The freshdesk channel when a ticket's conversations are not read to their end (the
fetch's byte budget or the page cap stopped the walk after its first page). Payloads and
the mock are those of :mod:`tests.unit.connectors.test_freshdesk` (List All Tickets, List
All Conversations of a Ticket, ``Link: rel="next"`` pages)."""

from __future__ import annotations

import pytest

from cxdaily.connectors import freshdesk
from cxdaily.connectors.holding import fetch_holding
from cxdaily.connectors.http import HttpPolicy
from tests.unit.connectors.test_freshdesk import (
    Desk,
    build,
    by_id,
    conversation,
    customer,
    ticket,
)

FIRST_UPDATED = "2026-12-04T08:00:00Z"


def two_ticket_desk() -> Desk:
    """Ticket 1: the team answered on page 1, the customer wrote again on page 2; ticket 2,
    updated later, has one page."""
    threads = {
        1: [
            conversation(11, "Try clearing the cache.", "2026-12-04T07:10:00Z"),
            customer(12, "Cleared it, still broken.", "2026-12-04T07:50:00Z", 1),
        ],
        2: [conversation(21, "Done: refunded.", "2026-12-04T08:20:00Z")],
    }
    pages = [ticket(1, updated=FIRST_UPDATED), ticket(2, updated="2026-12-04T08:30:00Z")]
    return Desk(pages, threads=threads, thread_page_size=1)


def from_thread(questions, number: int) -> list[str]:
    """Ids of ticket ``number``'s turns built from its thread (``TICKET:MESSAGE``)."""
    return [q.native_id for q in questions if q.native_id.startswith(f"{number}:")]


@pytest.mark.parametrize("limit", ["byte budget", "page cap"])
async def test_a_thread_cut_short_is_read_again_by_the_next_fetch(limit, fake_sleep, monkeypatch):
    desk = two_ticket_desk()
    connector = build(desk, fake_sleep)
    if limit == "byte budget":
        connector.http.policy = HttpPolicy(max_fetch_bytes=1)
    else:
        monkeypatch.setattr(freshdesk, "MAX_THREAD_PAGES", 1)
    first = await connector.fetch(None)
    assert from_thread(first.questions, 1) == [] and from_thread(first.settled, 1) == []
    assert by_id(first.questions)["1"].body == "Question 1, please help."  # as after a timeout
    [warning] = first.warnings
    assert warning.startswith("ticket 1: its thread could not be read (conversations past page 1")
    assert limit in warning and warning.endswith("read again by the next fetch")
    assert first.checkpoint == {"updated_since": FIRST_UPDATED}  # not past ticket 1
    connector.http.policy, connector.http.bytes_read = HttpPolicy(), 0
    monkeypatch.setattr(freshdesk, "MAX_THREAD_PAGES", 30)
    second = await connector.fetch(first.checkpoint)
    assert by_id(second.questions)["1:12"].body == "Cleared it, still broken."
    assert second.checkpoint == {"updated_since": "2026-12-04T08:30:00Z"}
    assert second.warnings == []


async def test_a_thread_cut_short_for_over_a_day_is_skipped_with_a_warning(fake_sleep):
    connector = build(two_ticket_desk(), fake_sleep)
    connector.http.policy = HttpPolicy(max_fetch_bytes=1)
    with fetch_holding(False):
        result = await connector.fetch(None)
    assert from_thread(result.questions, 1) == [] and from_thread(result.settled, 1) == []
    [warning] = result.warnings
    assert "conversations past page 1 were not read" in warning
    assert "held for over a day" in warning
    assert result.checkpoint == {"updated_since": "2026-12-04T08:30:00Z"}
