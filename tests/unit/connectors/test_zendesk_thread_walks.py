"""The zendesk channel when a ticket's thread is not read to its end (the fetch's byte
budget or the page cap stopped it), and a ticket deleted after its question was stored.

Payloads and the mock are those of :mod:`tests.unit.connectors.test_zendesk` (shaped like
the documented Incremental Export and Ticket Comments answers)."""

from __future__ import annotations

import pytest

from cxdaily.connectors import zendesk
from cxdaily.connectors.holding import fetch_holding
from cxdaily.connectors.http import HttpPolicy
from tests.unit.connectors.test_zendesk import (
    AGENT,
    CUSTOMER,
    Desk,
    build,
    by_id,
    comment,
    not_found,
    settled_ids,
    ticket,
)


def long_thread_desk() -> Desk:
    """Ticket 55 waits on the team: a first page of 100 comments ending with the team's,
    then the customer's follow-up alone on page 2."""
    desk = Desk()
    desk.export("c0", [ticket(55)], "c1", True, users=[CUSTOMER, AGENT])
    desk.threads[55] = [comment(n, 900 if n % 2 else 501, f"m{n}", n / 10) for n in range(100)]
    desk.threads[55].append(comment(100, 501, "Still broken, any news?", 20))
    return desk


def from_thread(questions) -> list[str]:
    """Ids of turns built from the thread's comments (``TICKET:COMMENT``)."""
    return [q.native_id for q in questions if ":" in q.native_id]


@pytest.mark.parametrize("limit", ["byte budget", "page cap"])
async def test_a_thread_cut_short_is_read_again_by_the_next_fetch(limit, monkeypatch):
    desk = long_thread_desk()
    connector = build(desk)
    if limit == "byte budget":
        connector.http.policy = HttpPolicy(max_fetch_bytes=1)
    else:
        monkeypatch.setattr(zendesk, "MAX_THREAD_PAGES", 1)
    first = await connector.fetch({"cursor": "c0"})
    assert from_thread(first.questions) == [] and from_thread(first.settled) == []
    assert [q.body for q in first.questions] == ["First message of 55"]  # as after a timeout
    [warning] = first.warnings
    assert warning.startswith("ticket 55: its thread could not be read (comments past page 1")
    assert limit in warning and warning.endswith("read again by the next fetch")
    assert first.checkpoint is not None and first.checkpoint["cursor"] == "c0"  # held
    connector.http.policy, connector.http.bytes_read = HttpPolicy(), 0
    monkeypatch.setattr(zendesk, "MAX_THREAD_PAGES", 50)
    second = await connector.fetch(first.checkpoint)
    assert by_id(second)["55:100"].body == "Still broken, any news?"
    assert "55" in settled_ids(second)  # the stand-in question leaves
    assert second.checkpoint is not None and second.checkpoint["cursor"] == "c1"
    assert second.warnings == []


async def test_a_thread_cut_short_for_over_a_day_is_skipped_with_a_warning():
    desk = long_thread_desk()
    connector = build(desk)
    connector.http.policy = HttpPolicy(max_fetch_bytes=1)
    with fetch_holding(False):
        result = await connector.fetch({"cursor": "c0"})
    assert from_thread(result.questions) == [] and from_thread(result.settled) == []
    [warning] = result.warnings
    assert "comments past page 1 were not read" in warning and "held for over a day" in warning
    assert result.checkpoint is not None and result.checkpoint["cursor"] == "c1"


async def test_a_deleted_ticket_settles_the_question_it_asked():
    desk = Desk()
    desk.export("c0", [ticket(123)], "c1", True, users=[CUSTOMER, AGENT])
    desk.threads[123] = [comment(456, 501, "My export fails.", 1)]
    connector = build(desk)
    first = await connector.fetch({"cursor": "c0"})
    assert [q.id for q in first.questions] == ["desk:123:456"]
    desk.export("c1", [ticket(123, status="deleted")], "c2", True, users=[CUSTOMER, AGENT])
    desk.faults["/api/v2/tickets/123/comments.json"] = lambda request: not_found()
    second = await connector.fetch(first.checkpoint)
    assert second.questions == []
    assert {"desk:123:456", "desk:123"} <= {q.id for q in second.settled}
    assert all(q.meta["team_answered"] for q in second.settled)
    assert second.checkpoint == {"cursor": "c2"}  # nothing open is remembered any more
    assert not [r for r in desk.requests if r.url.path.endswith("/123/comments.json")][1:]


async def test_only_open_questions_are_remembered_and_the_newest_kept(monkeypatch):
    monkeypatch.setattr(zendesk, "MAX_TRACKED", 2)
    desk = Desk()
    desk.export("c0", [ticket(1), ticket(2), ticket(3), ticket(4, status="solved")], "c1", True)
    desk.threads = {n: [comment(10 * n, 501, f"q{n}", n)] for n in (1, 2, 3, 4)}
    result = await build(desk).fetch({"cursor": "c0", "open": {"9": "9:90", "8": "bad", 7: 1}})
    assert result.checkpoint == {"cursor": "c1", "open": {"2": "2:20", "3": "3:30"}}
