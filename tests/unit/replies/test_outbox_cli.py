"""`cxdaily reply`, `outbox list|retry|cancel` and `promises` on the demo profile."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from cxdaily.cli import main
from cxdaily.cli.outbox import cmd_reply
from cxdaily.connectors.demo import DemoConnector
from cxdaily.core.errors import AuthError
from cxdaily.core.models import Author, Message
from cxdaily.service import Service
from tests.time_kit import FIXED_NOW

RISKY = "Sorry! I'll check with the team by Friday and refund the $5 fee."


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo_ids(home: Path, capsys) -> dict[str, str]:
    """The demo inbox fetched; one public (X) and one private (Zendesk) question id."""
    code, out, _ = run(capsys, "--demo", "fetch", "--json")
    assert code == 0
    questions = [json.loads(line) for line in out.splitlines()]
    by_service = {q["meta"]["service"]: q["id"] for q in reversed(questions)}
    return {"public": by_service["x"], "private": by_service["zendesk"]}


def reply_args(question_id: str, text: str, yes: bool = False) -> argparse.Namespace:
    return argparse.Namespace(demo=True, question_id=question_id, text=text, file=None, yes=yes)


def stored_draft(question_id: str) -> str | None:
    with Service.open("demo", read_only=True) as service:
        return service.draft(question_id)


def test_a_risky_public_reply_without_a_terminal_is_not_sent(demo_ids, capsys):
    code, out, err = run(capsys, "--demo", "reply", demo_ids["public"], "--text", RISKY)
    assert code == 1 and out == ""
    assert 'this public reply mentions a promise ("I\'ll")' in err
    assert '  date: "Friday": a date in public is a commitment' in err
    assert "not sent; the text is kept as the draft" in err and "--yes" in err
    assert stored_draft(demo_ids["public"]) == RISKY
    _, out, _ = run(capsys, "--demo", "outbox", "list", "--json")
    assert out == ""


def test_yes_confirms_and_the_promise_is_in_the_ledger(demo_ids, capsys):
    code, out, err = run(capsys, "--demo", "reply", demo_ids["public"], "--text", RISKY, "--yes")
    assert code == 0, err
    assert out.startswith("sent reply ")
    code, out, _ = run(capsys, "--demo", "promises", "--json")
    (promise,) = [json.loads(line) for line in out.splitlines()]
    assert promise["text"] == RISKY.removeprefix("Sorry! ")
    assert promise["due"] == "2026-11-27" and promise["done_at"] is None
    code, out, _ = run(capsys, "--demo", "promises")
    assert "2026-11-27" in out and demo_ids["public"] in out
    code, out, _ = run(capsys, "--demo", "promises", "--done", promise["id"])
    assert code == 0 and out.startswith("kept: I'll check")
    assert run(capsys, "--demo", "promises")[1] == "no open promises\n"
    assert promise["id"] in run(capsys, "--demo", "promises", "--all")[1]


def test_the_prompt_decides_on_a_terminal(demo_ids, capsys):
    asked = []

    def say(answer):
        def ask(prompt):
            asked.append(prompt)
            return answer

        return ask

    assert cmd_reply(reply_args(demo_ids["public"], RISKY), ask=say("n")) == 1
    assert asked == ["Send it as written? [y/N] "]
    assert cmd_reply(reply_args(demo_ids["public"], RISKY), ask=say("y")) == 0
    assert "sent reply" in capsys.readouterr().out


def test_a_private_reply_is_not_checked_for_risky_words(demo_ids, capsys):
    code, out, err = run(capsys, "--demo", "reply", demo_ids["private"], "--text", RISKY)
    assert code == 0, err
    assert out.startswith("sent reply") and err == ""


def test_escape_sequences_left_out_of_a_reply_are_said_once(demo_ids, capsys):
    """Text pasted from a terminal: the customer gets it without the sequences, and the
    leader is told, since what goes out differs from what was typed."""
    text = "Fixed \x1b[31mnow\x1b[0m,\r\nthanks\x07"
    code, out, err = run(capsys, "--demo", "reply", demo_ids["private"], "--text", text)
    assert code == 0 and out.startswith("sent reply")
    assert err == (
        "cxdaily: the reply's control characters and terminal escape sequences are left out\n"
    )
    _, listed, _ = run(capsys, "--demo", "outbox", "list", "--json")
    (sent,) = [json.loads(line) for line in listed.splitlines()]
    assert sent["body"].startswith("Fixed now,\nthanks")
    code, _, err = run(capsys, "--demo", "reply", demo_ids["public"], "--text", "Hi,\r\nall set")
    assert code == 0 and "left out" not in err  # Windows line ends are no escape


def test_an_answer_by_the_team_needs_a_confirmation(demo_ids, capsys, monkeypatch):
    async def answered(self, question, since):
        return [Message(Author(name="Sam (support)"), "Refunded, sorry!", FIXED_NOW)]

    monkeypatch.setattr(DemoConnector, "answers_since", answered)
    qid = demo_ids["private"]
    code, _, err = run(capsys, "--demo", "reply", qid, "--text", "On it")
    assert code == 1
    assert 'Sam (support) answered since the question was loaded: "Refunded, sorry!"' in err
    assert stored_draft(qid) == "On it"
    code, out, _ = run(capsys, "--demo", "reply", qid, "--text", "On it", "--yes")
    assert code == 0 and out.startswith("sent reply")


def test_over_the_limit_is_refused_with_the_reason(demo_ids, capsys):
    code, _, err = run(capsys, "--demo", "reply", demo_ids["private"], "--text", "x" * 5001)
    assert code == 1
    assert err.strip() == (
        "cxdaily: not sent: the reply is 5001 characters; demo accepts at most 5000 (1 over)"
    )


def test_outbox_list_retry_and_cancel(demo_ids, capsys, monkeypatch):
    original = DemoConnector.send_reply
    failures = [AuthError("refused the credentials (HTTP 401)", channel="demo")]

    async def flaky(self, question, body, key):
        if failures:
            raise failures.pop()
        return await original(self, question, body, key)

    monkeypatch.setattr(DemoConnector, "send_reply", flaky)
    qid = demo_ids["private"]
    code, _, err = run(capsys, "--demo", "reply", qid, "--text", "Thanks!")
    assert code == 3 and "not sent yet" in err and "HTTP 401" in err
    code, out, _ = run(capsys, "--demo", "outbox", "list", "--unsent")
    reply_id = out.split()[0]
    assert "failed" in out and "1 attempt;" in out and "next try after 2026-11-21T12:00" in out
    code, out, err = run(capsys, "--demo", "outbox", "retry")
    assert code == 0 and out.startswith(f"sent reply {reply_id}")
    assert run(capsys, "--demo", "outbox", "retry")[1] == "nothing waits in the outbox\n"
    assert run(capsys, "--demo", "outbox", "list", "--unsent")[1] == "nothing waits in the outbox\n"
    code, _, err = run(capsys, "--demo", "outbox", "cancel", reply_id)
    assert code == 1 and "already sent" in err


def test_cancel_restores_the_draft_and_unknown_ids_are_one_line_errors(demo_ids, capsys):
    qid = demo_ids["private"]
    with Service.open("demo") as service:
        queued = service.queue_reply(qid, "Written offline")
    code, out, err = run(capsys, "--demo", "outbox", "cancel", queued.id)
    assert code == 0 and f"cancelled reply {queued.id}" in out and err == ""
    assert stored_draft(qid) == "Written offline"
    with Service.open("demo") as service:
        service.save_draft(qid, "Rewritten since")
    code, out, err = run(capsys, "--demo", "outbox", "cancel", queued.id)  # once more
    assert (code, out, err) == (0, f"reply {queued.id} to {qid} was already cancelled\n", "")
    assert stored_draft(qid) == "Rewritten since"  # the newer draft is kept
    for argv in (
        ("outbox", "cancel", "nope"),
        ("outbox", "retry", "nope"),
        ("promises", "--done", "nope"),
    ):
        code, _, err = run(capsys, "--demo", *argv)
        assert code == 1, argv
        assert err.count("\n") == 1 and "'nope'" in err, err
