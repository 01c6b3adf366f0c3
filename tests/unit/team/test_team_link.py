"""The team link: writes leave the queue only after their commit, each applied once; an
unreachable database is an offline state (never an exception) with the writes kept."""

from __future__ import annotations

from datetime import timedelta

from cxdaily.settings.team import team_from_dict
from cxdaily.team.database import TeamClaim
from cxdaily.team.link import LinkState, TeamLink
from cxdaily.team.writes import TeamWrite, WriteKind
from tests.unit.team.team_kit import NOW, FakeTeamDatabase, MemoryQueue

SETTINGS = team_from_dict({"url": "postgresql://anna@127.0.0.1/team", "member": "Anna Berg"})


def writes(count: int) -> list[TeamWrite]:
    return [TeamWrite(f"w{n}", WriteKind.INSIGHT, NOW, {"n": n}) for n in range(count)]


def make_link(database: FakeTeamDatabase, queue: MemoryQueue, password: str = "pw") -> TeamLink:
    assert SETTINGS is not None
    return TeamLink(
        SETTINGS, queue, password=lambda: password, now=lambda: NOW, connect=database.connect
    )


def test_every_queued_write_is_applied_in_order_and_then_leaves_the_queue(monkeypatch):
    database = FakeTeamDatabase()
    database.patch(monkeypatch)
    queue = MemoryQueue(writes(450))  # more than one batch
    state = make_link(database, queue).sync()
    assert state.connected and state.pending == 0 and state.schema_version == 2
    assert database.applied == [f"w{n}" for n in range(450)]


def test_offline_keeps_every_write_and_says_since_when(monkeypatch):
    database = FakeTeamDatabase()
    database.patch(monkeypatch)
    database.reachable = False
    queue = MemoryQueue(writes(3))
    link = make_link(database, queue)
    first = link.sync()
    later = link.sync()
    assert not first.connected and first.pending == 3
    assert first.offline_since == NOW and later.offline_since == NOW
    assert "connection refused" in (first.last_error or "")
    assert first.words == "team: offline since 12:00, 3 writes waiting"
    database.reachable = True
    back = link.sync()
    assert back.connected and back.pending == 0 and back.last_error is None
    assert database.applied == ["w0", "w1", "w2"]


def test_a_commit_that_fails_keeps_the_batch_which_lands_once_later(monkeypatch):
    database = FakeTeamDatabase()
    database.patch(monkeypatch)
    database.fail_commits = 1
    queue = MemoryQueue(writes(5))
    link = make_link(database, queue)
    assert link.sync().pending == 5 and database.applied == []
    assert link.sync().pending == 0
    assert database.applied == [f"w{n}" for n in range(5)]


def test_a_write_refused_for_good_is_dropped_without_holding_the_others(monkeypatch):
    database = FakeTeamDatabase()
    database.patch(monkeypatch)
    database.refuse = {"w1"}
    queue = MemoryQueue(writes(3))
    state = make_link(database, queue).sync()
    assert state.pending == 0 and state.connected
    assert database.applied == ["w0", "w2"]
    assert "a team write (insight) was refused" in (state.last_error or "")


def test_claims_come_from_the_last_read_and_expire_with_the_clock(monkeypatch):
    database = FakeTeamDatabase()
    database.patch(monkeypatch)
    held = TeamClaim("zendesk:1", "acme:1", "Bob", "bob", NOW, NOW + timedelta(minutes=5), False)
    gone = TeamClaim("zendesk:2", "acme:2", "Bob", "bob", NOW, NOW, False)
    database.claims = {"zendesk:1": held, "zendesk:2": gone}
    link = make_link(database, MemoryQueue())
    assert link.claims() == {}  # nothing read yet: never waits for the network
    link.sync()
    assert link.claims() == {"zendesk:1": held}
    assert held.words(NOW + timedelta(minutes=3)) == "Bob is answering this (3 min ago)"


def test_the_shared_taxonomy_is_read_and_cached_locally(monkeypatch):
    database = FakeTeamDatabase()
    database.patch(monkeypatch)
    database.taxonomy = {"tags": ["billing"], "teams": ["support"]}
    queue = MemoryQueue()
    link = make_link(database, queue)
    link.sync()
    assert link.taxonomy() == database.taxonomy
    assert queue.state["taxonomy"] == {"document": database.taxonomy}


def test_the_flusher_thread_applies_a_poked_write_and_stops(monkeypatch):
    database = FakeTeamDatabase()
    database.patch(monkeypatch)
    queue = MemoryQueue()
    link = make_link(database, queue)
    link.start()
    queue.writes.append(TeamWrite("late", WriteKind.CLAIM, NOW, {}))
    link.poke()
    link.stop(timeout=5)
    assert database.applied == ["late"]
    assert link.state().pending == 0


def test_the_header_words_say_the_state():
    assert LinkState("x", connected=True).words == "team: connected"
    assert LinkState("x", pending=1).words == "team: connecting, 1 write waiting"


def test_a_refused_password_is_the_last_error_and_the_flusher_keeps_running(monkeypatch):
    from cxdaily.credentials import SecretRefusedError

    database = FakeTeamDatabase()
    database.patch(monkeypatch)

    def refused() -> str:
        raise SecretRefusedError("CXDAILY_SECRET_TEAM holds a control character (U+000A)")

    assert SETTINGS is not None
    link = TeamLink(SETTINGS, MemoryQueue(writes(1)), password=refused, now=lambda: NOW)
    state = link.sync()
    assert not state.connected and state.pending == 1
    assert "control character" in (state.last_error or "")
