"""A channel never stalls on one item whose look-up fails at every fetch: it holds the
item for the next fetch for a day at most, then moves on without it (with a warning),
and what came after it is read. Through the real runner, store and service, with a
help desk whose thread look-ups fail as a real one's do."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest

from cxdaily.connectors import connector_class
from cxdaily.connectors.base import Connector, FetchResult, SentReply
from cxdaily.connectors.holding import HOLD_AT_MOST, current_holding, fetch_holding, may_hold
from cxdaily.connectors.http_errors import StatusError
from cxdaily.connectors.parsing import checkpoint_time
from cxdaily.connectors.skipped import SkippedItems, next_checkpoint
from cxdaily.core.clock import to_iso
from cxdaily.core.models import Author, Question
from cxdaily.paths import Locations
from cxdaily.service import Service
from cxdaily.settings import ChannelSettings, Settings

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Desk(Connector):
    """A help desk listing tickets oldest first, a page of :attr:`cap` per fetch, whose
    thread look-up fails with a 503 for the tickets in :attr:`failing`: the checkpoint
    then stays before the first one left unread, as the real help desks keep it."""

    kind = "test-desk"
    summary = "a test help desk"
    tickets: ClassVar[dict[str, datetime]] = {}
    failing: ClassVar[set[str]] = set()
    cap: ClassVar[int] = 3
    listed: ClassVar[list[list[str]]] = []

    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        after = checkpoint_time(checkpoint, "after") or START - timedelta(days=1)
        window = sorted((at, tid) for tid, at in self.tickets.items() if at > after)
        page = window[: self.cap]
        Desk.listed.append([tid for _, tid in page])
        skipped, questions = SkippedItems(), []
        newest, unread_from = after, None
        for at, tid in page:
            newest = max(newest, at)
            if tid in self.failing:
                failure = StatusError("HTTP 503", status=503, channel=self.name)
                if skipped.not_read(f"ticket {tid}: thread not read ({failure})", failure):
                    unread_from = unread_from or at - timedelta(seconds=1)
            author = Author(id="c1", handle="jane@example.com")
            questions.append(Question(id=f"{self.name}:{tid}", channel=self.name, kind=self.kind,
                                      native_id=tid, thread_id=tid, url=None, title=None,
                                      body=f"ticket {tid}", created_at=at,
                                      author=author))  # fmt: skip
        if unread_from is not None:
            newest = max(after, min(newest, unread_from))
        newest = next_checkpoint(after, newest, skipped)
        return FetchResult(questions, {"after": to_iso(newest)}, skipped.lines())

    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        raise NotImplementedError("this test desk takes no replies")


def registry(kind: str) -> type[Connector]:
    return Desk if kind == Desk.kind else connector_class(kind)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[Service, Clock]]:
    Desk.tickets = {f"t{n}": START - timedelta(hours=10 - n) for n in range(1, 4)}
    Desk.failing, Desk.listed, Desk.cap = {"t1"}, [], 3
    clock = Clock()
    where = Locations(tmp_path / "config.toml", tmp_path / "data", tmp_path / "themes")
    channel = ChannelSettings(name="desk", kind=Desk.kind)
    settings = Settings(channels={"desk": channel})
    with Service(where, settings, now=clock, connectors=registry) as service:
        yield service, clock


def status(service: Service):
    return {s.channel: s for s in service.channel_status()}["desk"]


def test_a_ticket_that_never_reads_holds_the_channel_a_day_at_most(desk):
    service, clock = desk
    first = service.refresh().outcomes[0]
    assert first.ok and first.result is not None and first.result.held == 1
    assert "read again by the next fetch" in first.result.warnings[0]
    assert status(service).held_since == START
    # more tickets come in than a fetch reads: while t1 holds, t4 and t5 are never reached
    for n in (4, 5):
        Desk.tickets[f"t{n}"] = START + timedelta(minutes=n)
    for hours in (1, 6, 23):
        clock.now = START + timedelta(hours=hours)
        service.refresh()
        assert Desk.listed[-1] == ["t1", "t2", "t3"]
        assert status(service).held_since == START  # held since the first fetch
    clock.now = START + HOLD_AT_MOST + timedelta(minutes=5)
    moved = service.refresh().outcomes[0]
    assert moved.result is not None and moved.result.held == 0
    assert Desk.listed[-1] == ["t1", "t2", "t3"]
    warning = moved.result.warnings[0]
    assert "ticket t1: thread not read" in warning and "skipped" in warning
    assert "held for over a day" in warning and "read again" not in warning
    assert status(service).held_since is None
    clock.now += timedelta(minutes=5)
    service.refresh()
    assert Desk.listed[-1] == ["t4", "t5"]  # what came after is read at last
    stored = {q.native_id for q in service.store.questions.all()}
    assert stored == {"t1", "t2", "t3", "t4", "t5"}


def test_a_fetch_that_holds_nothing_starts_the_day_again(desk):
    service, clock = desk
    service.refresh()
    clock.now = START + timedelta(hours=20)
    Desk.failing = set()  # the service recovered: t1 is read, the checkpoint moves on
    service.refresh()
    assert status(service).held_since is None
    Desk.failing = {"t9"}
    Desk.tickets["t9"] = clock.now - timedelta(minutes=1)
    clock.now = START + timedelta(hours=30)
    held = service.refresh().outcomes[0]
    assert held.result is not None and held.result.held == 1  # a new hold, a new day
    assert status(service).held_since == clock.now


def test_a_failed_fetch_keeps_the_time_since_held(desk, monkeypatch):
    service, clock = desk
    service.refresh()

    async def down(self, checkpoint):
        raise StatusError("HTTP 502 from the search", status=502, channel="desk")

    monkeypatch.setattr(Desk, "fetch", down)
    clock.now = START + timedelta(hours=2)
    assert not service.refresh().outcomes[0].ok
    assert status(service).held_since == START


def test_the_time_since_held_survives_a_restart(desk, tmp_path):
    service, clock = desk
    service.refresh()
    locations, settings = service.locations, service.settings
    service.close()
    with Service(locations, settings, now=clock, connectors=registry) as again:
        assert status(again).held_since == START
        clock.now = START + HOLD_AT_MOST + timedelta(seconds=1)
        moved = again.refresh().outcomes[0]
        assert moved.result is not None and moved.result.held == 0


def test_holding_follows_the_fetch_it_is_set_for():
    failure = StatusError("HTTP 500", status=500)
    outside = SkippedItems()
    assert outside.not_read("ticket 1: thread not read", failure)  # no runner: holds
    with fetch_holding(False):
        skipped = SkippedItems()
        assert not skipped.not_read("ticket 1: thread not read", failure)
        assert skipped.unread == 0 and "held for over a day" in skipped.lines()[0]
    with fetch_holding(True) as holding:
        skipped = SkippedItems()
        assert skipped.not_read("ticket 1: thread not read", failure)
        assert not skipped.not_read("ticket 2: gone", StatusError("HTTP 404", status=404))
        assert holding.held == 1 and skipped.unread == 1
    assert current_holding().allowed


def test_may_hold_for_a_day():
    assert may_hold(None, START)
    assert may_hold(START, START + HOLD_AT_MOST)
    assert not may_hold(START, START + HOLD_AT_MOST + timedelta(seconds=1))
