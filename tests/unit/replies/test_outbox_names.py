"""The outbox names the customer and counts attempts one way (issue 13, item 15):
``outbox list``, its ``--json`` lines and ``outbox retry`` use the stored question's
author (the id when the question is gone) and :mod:`cxdaily.replies.outbox_words`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxdaily.cli import main
from cxdaily.connectors.demo import DemoConnector
from cxdaily.core.errors import ConnectorError
from cxdaily.core.models import Author, Reply, ReplyState
from cxdaily.replies.outbox_words import (
    attempts_words,
    customer_label,
    progress_words,
    state_words,
)
from cxdaily.service import Service
from tests.unit.replies.outbox_kit import queued_reply

REAL_SEND = DemoConnector.send_reply


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def reply(**changes) -> Reply:
    """A queued reply to the demo question ``demo:q1``."""
    return queued_reply(**{"question_id": "demo:q1", "channel": "demo", **changes})


# ----------------------------------------------------------------------------- the words
def test_attempts_are_counted_one_way():
    assert attempts_words(reply()) == "no attempt yet"
    assert attempts_words(reply(attempts=1)) == "1 attempt"
    assert attempts_words(reply(attempts=3)) == "3 attempts"


def test_the_customer_is_the_name_then_the_handle_then_the_id(make_question):
    named = make_question("1", author=Author(name="Dana Whitfield", handle="dana@x.example"))
    handle_only = make_question("2", author=Author(handle="@dana"))
    nobody = make_question("3", author=Author())
    assert customer_label(named, named.id) == "Dana Whitfield"
    assert customer_label(handle_only, handle_only.id) == "@dana"
    assert customer_label(nobody, nobody.id) == nobody.id
    assert customer_label(None, "gone:7") == "gone:7"


def test_state_and_progress_words():
    assert state_words(reply(hold="it may have reached demo")) == "held"
    assert state_words(reply(state=ReplyState.SENDING)) == "interrupted"
    assert state_words(reply(state=ReplyState.SENDING), in_flight=True) == "sending"
    assert progress_words(2, 3, "Jane Doe") == "Sending 2 of 3: the reply to Jane Doe…"
    assert progress_words(1, 1, "Jane Doe") == "Sending the reply to Jane Doe…"


# ----------------------------------------------------------------------------- the CLI
@pytest.fixture
def failing(home: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Two demo questions whose replies failed once: question id -> customer."""
    code, out, _ = run(capsys, "--demo", "fetch", "--json")
    assert code == 0
    questions = [json.loads(line) for line in out.splitlines()]
    private = [q for q in questions if q["meta"]["service"] == "zendesk"][:2]

    async def bad_gateway(self, question, body, key):
        raise ConnectorError("HTTP 502 (bad gateway)", channel="demo")

    monkeypatch.setattr(DemoConnector, "send_reply", bad_gateway)
    for question in private:
        code, _, err = run(capsys, "--demo", "reply", question["id"], "--text", "On it!")
        assert code == 3, err
    return {q["id"]: q["author"]["name"] for q in private}


def test_outbox_list_names_the_customer_and_its_attempts_agree_with_the_json(failing, capsys):
    code, out, _ = run(capsys, "--demo", "outbox", "list")
    assert code == 0
    lines = out.splitlines()
    _, listed, _ = run(capsys, "--demo", "outbox", "list", "--json")
    rows = [json.loads(line) for line in listed.splitlines()]
    assert len(rows) == 2 and len(lines) == 4
    for row, (first, second) in zip(rows, zip(lines[::2], lines[1::2], strict=True), strict=True):
        assert row["customer"] == failing[row["question_id"]]
        assert first.startswith(f"{row['id']}  failed    {row['customer']}  On it!")
        stored = Reply.from_dict({k: v for k, v in row.items() if k != "customer"})
        assert row["attempts"] == 1
        assert second.startswith(f"    {row['question_id']} · {attempts_words(stored)}; ")
        assert "1 attempt; " in second


def test_outbox_retry_names_the_customer_and_shows_progress_on_a_terminal(
    failing, capsys, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(DemoConnector, "send_reply", REAL_SEND)  # the service answers again
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    code, out, err = run(capsys, "--demo", "outbox", "retry")
    assert code == 0, err
    names = list(failing.values())
    assert err.splitlines() == [
        f"Sending 1 of 2: the reply to {names[0]}…",
        f"Sending 2 of 2: the reply to {names[1]}…",
    ]
    for (question_id, name), line in zip(failing.items(), out.splitlines(), strict=True):
        assert line.startswith("sent reply ") and f" to {question_id} ({name}) " in line
    _, listed, _ = run(capsys, "--demo", "outbox", "list", "--json")
    assert [json.loads(line)["attempts"] for line in listed.splitlines()] == [2, 2]
    _, out, _ = run(capsys, "--demo", "outbox", "list")
    assert out.count("· sent ") == 2 and out.count("· 2 attempts") == 2


def test_retry_exits_1_when_no_reply_tried_went_out(failing, capsys):
    """The service still answers 502: nothing went out, an error (3 is for some)."""
    code, out, err = run(capsys, "--demo", "outbox", "retry")
    assert code == 1 and out == ""
    assert err.count("is still in the outbox") == 2, err


def test_progress_stays_off_a_pipe(failing, capsys, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(DemoConnector, "send_reply", REAL_SEND)
    code, _, err = run(capsys, "--demo", "outbox", "retry")
    assert code == 0 and "Sending" not in err


def test_a_question_no_longer_stored_is_named_by_its_id(home: Path, capsys):
    with Service.open("demo") as service:
        service.refresh()
        question_id = service.batch().items[0].question.id
        queued = service.queue_reply(question_id, "Thanks!")
        assert service.replies.customer_names([question_id, "gone:1"])["gone:1"] == "gone:1"
        service.store.outbox.save(queued.with_changes(question_id="gone:1"))
    _, out, _ = run(capsys, "--demo", "outbox", "list", "--json")
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert row["customer"] == "gone:1"
