"""Team mode against a real PostgreSQL server on loopback (see ``postgres_kit.py``):
claims raced by two processes, offline work that lands once, row-level security,
concurrent migrations, answered questions leaving every batch, and the company digest."""

from __future__ import annotations

import io
import multiprocessing
import uuid
from collections.abc import Callable, Iterator
from contextlib import redirect_stdout
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from cxdaily.core.models import InsightEntry, Question
from cxdaily.paths import Locations
from cxdaily.service import Service
from cxdaily.settings import load_settings
from cxdaily.team.migrate import latest_version
from tests.integration.postgres_kit import PostgresServer, migrate_once, race_for_claims
from tests.unit.team.team_kit import sample_records

pytestmark = pytest.mark.integration
SHARED_PASSWORD = "pw-shared-Kx3"


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    """One server for the module; each test makes its own database."""
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.remove()


def fresh_name() -> str:
    """A database name of its own for one test."""
    return f"team_{uuid.uuid4().hex[:10]}"


class TeamLeaders:
    """Leaders' services on one fresh team database (roles anna and bob, one password)."""

    def __init__(self, server: PostgresServer, folder: Path) -> None:
        self.server = server
        self.folder = folder
        self.database = fresh_name()
        self.opened: list[Service] = []
        server.team_database(self.database, ["anna", "bob"], password=SHARED_PASSWORD)

    def open(self, role: str, member: str, folder: Path | None = None) -> Service:
        """A leader's service (closed with the others at the end of the test)."""
        where = folder or self.folder / role
        service = leader_service(where, self.server, self.database, role, member)
        self.opened.append(service)
        return service


@pytest.fixture
def leaders(postgres, tmp_path, monkeypatch) -> Iterator[TeamLeaders]:
    """A fresh team database and a way to open its leaders' services."""
    monkeypatch.setenv("CXDAILY_SECRET_TEAM", SHARED_PASSWORD)
    team = TeamLeaders(postgres, tmp_path)
    yield team
    for service in team.opened:
        service.close()


def leader_service(
    folder: Path, server: PostgresServer, database: str, role: str, member: str
) -> Service:
    """A leader's service with ``[team]`` pointing at ``database`` and a demo channel."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.toml"
    config.write_text(
        f'[team]\nurl = "postgresql://{role}@127.0.0.1:{server.port}/{database}"\n'
        f'member = "{member}"\n\n[channels.demo]\nkind = "demo"\n'
    )
    where = Locations(config_file=config, data_dir=folder / "data", user_themes_dir=folder / "t")
    return Service(where, load_settings(config))


def demo_question(make_question: Callable[..., Question], native_id: str, **fields) -> Question:
    """A question of the demo channel (the same service id for every leader), asked two
    hours before the real now: these services keep the real clock, so a question dated
    from a fixed day would age out of their batches as the calendar moves on."""
    fields.setdefault("now", datetime.now(UTC))
    return make_question(native_id, channel="demo", kind="demo", **fields)


def run_processes(target, arguments: list[tuple]) -> list[tuple]:
    """Run ``target`` in one process per argument tuple, released together; their results."""
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    processes = [context.Process(target=target, args=(*a, start, results)) for a in arguments]
    for process in processes:
        process.start()
    start.set()
    found = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    return found


def test_two_leader_processes_race_for_200_claims_and_each_is_won_once(postgres):
    database = fresh_name()
    postgres.team_database(database, ["anna", "bob"])
    keys = [f"zendesk:{n}" for n in range(200)]
    results = run_processes(
        race_for_claims,
        [(postgres.port, database, "anna", keys), (postgres.port, database, "bob", keys[::-1])],
    )
    won = dict(results)
    assert set(won["anna"]).isdisjoint(won["bob"])
    assert sorted(won["anna"] + won["bob"]) == sorted(keys)
    with postgres.admin(database) as conn:
        rows = dict(conn.execute("SELECT question_key, leader_role FROM cxdaily.claims").fetchall())
    assert len(rows) == 200
    assert all(rows[key] == "anna" for key in won["anna"])
    assert all(rows[key] == "bob" for key in won["bob"])


def test_two_processes_migrate_at_once_and_each_migration_runs_once(postgres):
    database = fresh_name()
    postgres.team_database(database, ["anna", "bob"], schema=False)
    results = run_processes(
        migrate_once, [(postgres.port, database, "anna"), (postgres.port, database, "bob")]
    )
    assert {version for _, version, _ in results} == {latest_version()}
    applied = sorted(tuple(a) for _, _, a in results)
    assert applied == [(), tuple(range(1, latest_version() + 1))]
    with postgres.admin(database) as conn:
        versions = conn.execute("SELECT version FROM cxdaily.schema_migrations").fetchall()
    assert sorted(v for (v,) in versions) == list(range(1, latest_version() + 1))


def test_a_leader_cannot_change_another_leaders_insight(postgres):
    database = fresh_name()
    postgres.team_database(database, ["anna", "bob"])
    with postgres.connect_as(database, "anna") as anna:
        anna.execute(
            "INSERT INTO cxdaily.insights (id, member, created_at, tags, record)"
            " VALUES ('i1', 'Anna', now(), '{billing}', '{}'::jsonb)"
        )
    with postgres.connect_as(database, "bob") as bob:
        changed = bob.execute("UPDATE cxdaily.insights SET member = 'Bob' WHERE id = 'i1'").rowcount
        removed = bob.execute("DELETE FROM cxdaily.insights WHERE id = 'i1'").rowcount
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            bob.execute(
                "INSERT INTO cxdaily.insights (leader_role, id, member, created_at, tags, record)"
                " VALUES ('anna', 'i2', 'Anna', now(), '{}', '{}'::jsonb)"
            )
        seen = bob.execute("SELECT member FROM cxdaily.insights WHERE id = 'i1'").fetchall()
    assert (changed, removed) == (0, 0)
    assert seen == [("Anna",)]  # bob reads the team's insight, unchanged


def test_offline_writes_wait_in_the_queue_and_land_once_when_the_server_returns(
    postgres, leaders, make_question
):
    service = leaders.open("anna", "Anna Berg")
    try:
        questions = [demo_question(make_question, str(n)) for n in range(3)]
        service.store.questions.upsert_many(questions)
        assert service.team is not None
        assert service.team.sync().connected
        postgres.stop()
        try:
            service.tag(questions[0].id, InsightEntry(tags=("billing",), summary="export"))
            service.tag(questions[1].id, InsightEntry(tags=("billing",), summary="invoices"))
            service.hand_off(questions[2].id, "support", "refund asked")
            service.claim(questions[2].id)
            state = service.team.sync()
            assert not state.connected and state.offline_since is not None
            assert state.pending == 4
            assert "team: offline since" in state.words
            assert SHARED_PASSWORD not in (state.last_error or "")
        finally:
            postgres.start()
        assert service.team.sync().pending == 0
        assert service.team.sync().connected
    finally:
        service.close()
    with postgres.admin(leaders.database) as conn:
        insights = conn.execute("SELECT leader_role, member FROM cxdaily.insights").fetchall()
        handoffs = conn.execute("SELECT note, member FROM cxdaily.handoffs").fetchall()
        claims = conn.execute("SELECT question_key, member FROM cxdaily.claims").fetchall()
    assert insights == [("anna", "Anna Berg"), ("anna", "Anna Berg")]
    assert handoffs == [("refund asked", "Anna Berg")]
    assert claims == [("demo:2", "Anna Berg")]


def test_a_sent_reply_leaves_the_question_out_of_every_leaders_batch(leaders, make_question):
    anna, bob = leaders.open("anna", "Anna Berg"), leaders.open("bob", "Bob Stone")
    questions = [demo_question(make_question, str(n)) for n in range(2)]
    for service in (anna, bob):
        service.store.questions.upsert_many(questions)
    anna.claim(questions[1].id)
    anna.reply(questions[0].id, "Thanks, it is fixed now.")
    assert anna.team is not None and bob.team is not None
    assert anna.team.sync().pending == 0
    bob.team.sync()
    batch_ids = {item.question.id for item in bob.batch().items}
    claims = bob.team_claims([questions[1]])
    assert questions[0].id not in batch_ids
    assert questions[1].id in batch_ids
    claim = claims[questions[1].id]
    assert claim.member == "Anna Berg" and not claim.mine
    assert claim.words(claim.claimed_at).startswith("Anna Berg is answering this")


def test_the_company_digest_attributes_every_insight_and_redacts(leaders, make_question):
    from cxdaily.insights.source import DigestRequest

    anna, bob = leaders.open("anna", "Anna Berg"), leaders.open("bob", "Bob Stone")
    question = demo_question(make_question, "7")
    for service in (anna, bob):
        service.store.questions.upsert_many([question])
    quote = "Write to me at jane.doe@example.com please"
    anna.tag(question.id, InsightEntry(tags=("billing",), summary="export", quote=quote))
    bob.tag(question.id, InsightEntry(tags=("pricing",), summary="too dear"))
    assert bob.team is not None
    bob.team.sync()
    digest = anna.team_digest(DigestRequest(since="7d"))
    notes = sorted(i.note for i in digest.insights)
    assert notes == ["from Anna Berg", "from Bob Stone"]
    assert all("jane.doe@example.com" not in i.quote for i in digest.insights)


def test_team_status_and_company_digest_from_the_command_line(leaders, home, make_question):
    from cxdaily.cli import main

    service = leaders.open("anna", "Anna Berg", folder=home)
    try:
        question = demo_question(make_question, "9")
        service.store.questions.upsert_many([question])
        service.tag(question.id, InsightEntry(tags=("billing",), summary="export"))
    finally:
        service.close()  # the last round applies the queued insight
    status, digest = io.StringIO(), io.StringIO()
    with redirect_stdout(status):
        status_code = main(["team", "status"])
    with redirect_stdout(digest):
        digest_code = main(["digest", "--company", "--since", "7d", "--format", "csv"])
    assert status_code == 0
    assert "pending writes: 0" in status.getvalue()
    assert f"schema version: {latest_version()}" in status.getvalue()
    assert SHARED_PASSWORD not in status.getvalue()
    assert digest_code == 0
    assert "from Anna Berg" in digest.getvalue()


def test_every_kind_of_write_applied_again_after_a_crash_lands_once(postgres, make_question):
    from cxdaily.team.database import apply_write
    from cxdaily.team.writes import handoff_write, insight_write, sent_write

    database = fresh_name()
    postgres.team_database(database, ["anna"])
    question = make_question("11")
    insight, reply, action = sample_records(question)
    writes = [
        insight_write(insight, question),
        handoff_write(action, question),
        sent_write(reply, question),
    ]
    with postgres.connect_as(database, "anna") as conn:
        for _ in range(2):  # the second time: the queue was not updated before a crash
            with conn.transaction():
                for write in writes:
                    apply_write(conn, write, "Anna", 900, write.at)
        counts = [
            conn.execute(f"SELECT count(*) FROM cxdaily.{table}").fetchone()[0]
            for table in ("insights", "handoffs", "sent")
        ]
    assert counts == [1, 1, 1]


def test_the_company_digest_of_one_team_reads_only_that_team(leaders, make_question):
    from cxdaily.insights.source import DigestRequest

    anna = leaders.open("anna", "Anna Berg")
    question = demo_question(make_question, "12")
    anna.store.questions.upsert_many([question])
    anna.tag(question.id, InsightEntry(tags=("billing",), team="support", summary="a"))
    anna.tag(question.id, InsightEntry(tags=("billing",), team="product", summary="b"))
    digest = anna.team_digest(DigestRequest(since="7d", team="Support"))
    assert [i.summary for i in digest.insights] == ["a"]


def test_the_teams_shared_taxonomy_replaces_the_local_one(postgres, leaders, make_question):
    from cxdaily.core.errors import NotFoundError

    with postgres.admin(leaders.database) as conn:
        conn.execute(
            "INSERT INTO cxdaily.taxonomy (id, document) VALUES (1, %s::jsonb)",
            ('{"tags": ["billing"], "teams": ["field ops"], "strict": true}',),
        )
    anna = leaders.open("anna", "Anna Berg")
    question = demo_question(make_question, "13")
    anna.store.questions.upsert_many([question])
    assert anna.team is not None
    anna.team.sync()
    anna.hand_off(question.id, "Field Ops", "on site visit")
    with pytest.raises(NotFoundError, match="unknown tag 'pricing'"):
        anna.tag(question.id, InsightEntry(tags=("pricing",)))
    anna.close()
    postgres.stop()  # the next start is offline: the taxonomy comes from the local cache
    try:
        reopened = leaders.open("anna", "Anna Berg")
        assert reopened.settings.taxonomy.teams == ("field ops",)
    finally:
        postgres.start()


def test_an_undone_tag_and_hand_off_leave_the_team_and_only_the_leaders_own(leaders, make_question):
    anna, bob = leaders.open("anna", "Anna Berg"), leaders.open("bob", "Bob Stone")
    question = demo_question(make_question, "undo")
    entry = InsightEntry(tags=("billing",), summary="Export is stuck")
    for service in (anna, bob):
        service.store.questions.upsert_many([question])
    session = anna.start_session(anna.batch())
    anna.tag(question.id, entry, session.id)
    anna.hand_off(question.id, "support", "Please call her back", session.id)
    bob.tag(question.id, entry)  # the same insight id, in bob's own rows
    assert anna.team is not None and bob.team is not None
    assert anna.team.sync().pending == 0 and bob.team.sync().pending == 0

    anna.undo_last_action(session.id)
    anna.undo_last_action(session.id)
    state = anna.team.sync()

    insights = anna.team.link.query(
        lambda conn: conn.execute("SELECT member FROM cxdaily.insights").fetchall()
    )
    handoffs = anna.team.link.query(
        lambda conn: conn.execute("SELECT count(*) FROM cxdaily.handoffs").fetchone()
    )
    assert state.pending == 0 and state.last_error is None
    assert insights == [("Bob Stone",)]
    assert handoffs == (0,)
