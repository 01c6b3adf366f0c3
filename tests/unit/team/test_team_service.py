"""Team mode in the service and on the command line, without a reachable database:
nothing waits on the network, every team write is queued first, and without ``[team]``
nothing of team mode (nor the PostgreSQL driver) loads."""

from __future__ import annotations

import time

import keyring
import pytest

from cxdaily.cli import main
from cxdaily.core.models import InsightEntry
from cxdaily.paths import locations
from cxdaily.service import Service
from cxdaily.store.team_queue import TeamQueueRepository
from cxdaily.team.writes import WriteKind
from tests.integration.mail_servers_kit import free_port
from tests.unit.team.team_kit import assert_team_mode_not_loaded

PASSWORD = "pw-unit-Qx1"


@pytest.fixture
def team_home(home, monkeypatch):
    """A profile whose [team] points at a loopback port where nothing listens."""
    (home / "config.toml").write_text(
        f'[team]\nurl = "postgresql://anna@127.0.0.1:{free_port()}/team"\nmember = "Anna Berg"\n'
    )
    monkeypatch.setenv("CXDAILY_SECRET_TEAM", PASSWORD)
    return home


def queued_kinds(service: Service) -> list[WriteKind]:
    return [w.kind for w in TeamQueueRepository(service.store.folder).pending()]


def test_without_team_nothing_of_team_mode_loads(home, subprocess_env):
    code = (
        "from cxdaily.service import Service\n"
        "with Service.open() as s:\n"
        "    assert s.team is None and s.team_status() is None and s.team_claims() == {}\n"
        "    s.batch()\n"
    )
    assert_team_mode_not_loaded(code, subprocess_env)


def test_team_writes_are_queued_at_once_while_the_database_is_away(team_home, make_question):
    started = time.monotonic()
    with Service.open() as service:
        question = make_question("1")
        service.store.questions.upsert_many([question])
        service.tag(question.id, InsightEntry(tags=("billing",), summary="export"))
        service.hand_off(question.id, "support", "refund")
        assert service.claim(question.id) is None
        service.claim(question.id)  # again at once: one claim is enough
        kinds = queued_kinds(service)
        status = service.team_status()
        assert status is not None and status.pending == 3
        assert service.team_claims([question]) == {}
        elapsed = time.monotonic() - started
        assert service.team is not None
        state = service.team.sync()
    assert kinds == [WriteKind.INSIGHT, WriteKind.HANDOFF, WriteKind.CLAIM]
    assert elapsed < 1.0  # nothing above waited on the network
    assert not state.connected and state.pending == 3
    assert "team database 127.0.0.1" in (state.last_error or "")
    assert PASSWORD not in (state.last_error or "")


def test_the_queue_outlives_the_process(team_home, make_question):
    with Service.open() as service:
        question = make_question("2")
        service.store.questions.upsert_many([question])
        service.release(question.id)
    with Service.open(read_only=True) as again:
        status = again.team_status()
        assert status is not None and status.pending == 1


def test_team_status_without_team_mode_says_how_to_set_it_up(home, capsys):
    assert main(["team", "status"]) == 1
    assert "team mode is not set up" in capsys.readouterr().err
    assert main(["digest", "--company"]) == 1
    assert main(["digest", "--team"]) == 1  # --team alone is the company digest
    assert "team mode is not set up" in capsys.readouterr().err


def test_team_status_reports_an_unreachable_database_without_the_password(team_home, capsys):
    assert main(["team", "status"]) == 1
    out = capsys.readouterr().out
    assert "cannot be reached" in out and "pending writes: 0" in out
    assert PASSWORD not in out


def test_team_init_prints_the_setup_for_the_configured_role_or_the_named_ones(team_home, capsys):
    assert main(["team", "init"]) == 0
    assert "CREATE ROLE anna LOGIN" in capsys.readouterr().out
    assert main(["team", "init", "--leader", "bob", "--no-migrate-grant"]) == 0
    out = capsys.readouterr().out
    assert "CREATE ROLE bob LOGIN" in out and "GRANT cxdaily_owner" not in out


def test_team_init_without_team_or_leaders_is_one_line(home, capsys):
    assert main(["team", "init"]) == 1
    assert "--leader ROLE" in capsys.readouterr().err


def test_login_team_stores_the_team_password_in_the_keyring(team_home, monkeypatch):
    monkeypatch.delenv("CXDAILY_SECRET_TEAM")
    monkeypatch.setattr("getpass.getpass", lambda prompt: "typed-secret")
    assert main(["login", "team"]) == 0
    assert keyring.get_password("cxdaily", "team") == "typed-secret"
    assert locations().config_file.read_text().count("typed-secret") == 0


def queued(service: Service) -> list[tuple[WriteKind, str]]:
    return [(w.kind, w.id) for w in TeamQueueRepository(service.store.folder).pending()]


def test_undoing_a_tag_or_a_hand_off_queues_its_removal_in_place(team_home, make_question):
    with Service.open() as service:
        question = make_question("5")
        service.store.questions.upsert_many([question])
        session = service.start_session(service.batch())
        insight = service.tag(question.id, InsightEntry(tags=("billing",), summary="x"), session.id)
        service.hand_off(question.id, "support", "refund", session.id)
        added = queued(service)
        service.undo_last_action(session.id)
        service.undo_last_action(session.id)
        after_undo = queued(service)
        removals = [w.data for w in TeamQueueRepository(service.store.folder).pending()]
    assert [kind for kind, _ in added] == [WriteKind.INSIGHT, WriteKind.HANDOFF]
    # the removal replaces the waiting write in place: nothing of it reaches the team
    assert after_undo == [(WriteKind.REMOVAL, wid) for _, wid in added]
    assert removals[0] == {"record": "insight", "record_id": insight.id}
    assert removals[1]["record"] == "handoff"
    assert added[1][1] == f"handoff:{removals[1]['record_id']}"


def test_a_tag_made_again_after_its_undo_replaces_the_removal(team_home, make_question):
    entry = InsightEntry(tags=("billing",), summary="x")
    with Service.open() as service:
        question = make_question("6")
        service.store.questions.upsert_many([question])
        session = service.start_session(service.batch())
        first = service.tag(question.id, entry, session.id)
        service.undo_last_action(session.id)
        again = service.tag(question.id, entry, session.id)
        kinds = queued(service)
    assert first.id == again.id
    assert kinds == [(WriteKind.INSIGHT, f"insight:{first.id}")]


def test_undo_without_team_mode_queues_nothing(home, make_question):
    with Service.open() as service:
        question = make_question("7")
        service.store.questions.upsert_many([question])
        session = service.start_session(service.batch())
        service.hand_off(question.id, "support", "refund", session.id)
        assert service.undo_last_action(session.id) is not None
        assert service.team is None
    assert not (service.store.folder.data_dir / "team.json").exists()


@pytest.mark.parametrize("withdraw", ["pull_back", "cancel"])
def test_pulling_back_or_cancelling_a_reply_releases_the_claim(team_home, make_question, withdraw):
    with (team_home / "config.toml").open("a") as config:
        config.write('[channels.acme]\nkind = "demo"\n')  # replies stay local
    with Service.open() as service:
        question = make_question("8")
        service.store.questions.upsert_many([question])
        service.claim(question.id)
        reply = service.queue_reply(question.id, "Thanks, it is fixed.")
        getattr(service, withdraw)(reply.id)
        kinds = [kind for kind, _ in queued(service)]
    assert kinds == [WriteKind.CLAIM, WriteKind.RELEASE]
