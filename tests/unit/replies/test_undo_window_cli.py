"""The undo window on the command line (demo profile, ``[session] undo_seconds = 10``):
``cxdaily reply`` is a "send now", and ``outbox list|retry`` respect a reply's window."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxdaily.cli import main
from cxdaily.core.models import ReplyState
from cxdaily.service import Service

TEXT = "Thanks, the export is fixed now."


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def question_ids(home: Path, capsys) -> list[str]:
    """The demo inbox fetched under a 10-second undo window; two private questions."""
    (home / "config.toml").write_text('[session]\ntimezone = "UTC"\nundo_seconds = 10\n')
    code, out, _ = run(capsys, "--demo", "fetch", "--json")
    assert code == 0
    questions = [json.loads(line) for line in out.splitlines()]
    return [q["id"] for q in questions if q["meta"]["service"] == "zendesk"][:2]


def queue_in_window(question_id: str) -> str:
    """Queue a reply as the app does (with its window); returns its id."""
    with Service.open("demo") as service:
        assert service.settings.session.undo_s == 10
        return service.queue_reply(question_id, TEXT).id


def test_cxdaily_reply_sends_at_once(question_ids, capsys):
    code, out, err = run(capsys, "--demo", "reply", question_ids[0], "--text", TEXT)
    assert code == 0, err
    assert out.startswith("sent reply ")


def test_outbox_list_shows_the_countdown_and_retry_waits_for_the_window(question_ids, capsys):
    reply_id = queue_in_window(question_ids[0])
    code, out, _ = run(capsys, "--demo", "outbox", "list")
    assert code == 0
    assert "goes out in 10s (it can still be pulled back)" in out
    assert f"`cxdaily outbox retry {reply_id}` sends it now" in out

    code, out, err = run(capsys, "--demo", "outbox", "retry")
    assert code == 3 and out == ""
    assert f"reply {reply_id} goes out in 10s" in err
    with Service.open("demo", read_only=True) as service:
        assert service.find_reply(reply_id).state is ReplyState.QUEUED

    code, out, err = run(capsys, "--demo", "outbox", "retry", reply_id)
    assert code == 0, err
    assert out.startswith(f"sent reply {reply_id}")


def test_outbox_cancel_drops_a_reply_in_its_window(question_ids, capsys):
    reply_id = queue_in_window(question_ids[1])
    code, out, _ = run(capsys, "--demo", "outbox", "cancel", reply_id)
    assert code == 0 and "its text is the draft again" in out
    code, out, _ = run(capsys, "--demo", "outbox", "retry")
    assert code == 0 and out == "nothing waits in the outbox\n"


def test_replies_left_in_their_window_go_out_when_the_app_closes(question_ids, capsys, monkeypatch):
    """Leaving the app while a reply's undo window runs sends it then (the app would have
    sent it seconds later; the next launch could be tomorrow), and says so."""
    kept, pulled = (queue_in_window(question_id) for question_id in question_ids)
    with Service.open("demo") as service:
        service.pull_back(pulled)  # pulled back in the session: never sent
    monkeypatch.setattr("cxdaily.ui.app.CxDailyApp.run", lambda app: None)  # left at once
    monkeypatch.setattr("cxdaily.cli.app_terminal_problem", lambda: None)
    code, out, err = run(capsys, "demo")
    assert code == 0, err
    assert out.startswith("sending 1 reply still in the undo window when the app closed\n")
    assert f"sent reply {kept} to {question_ids[0]}" in out
    with Service.open("demo", read_only=True) as service:
        assert service.find_reply(kept).state is ReplyState.SENT
        assert service.replies_in_undo_window() == []

    code, out, err = run(capsys, "demo")  # nothing waits: nothing said
    assert code == 0 and out == "" and err == ""
