"""A service chooses its questions' ids: one holding escape sequences is named in the
command line's messages without them (a script passes on the id ``fetch --json`` gives)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxdaily.cli import main

HOSTILE = "e\x1b]0;pwned\x07\x1b[2J\x9b31m"
CONTROLS = ("\x1b", "\x07", "\x9b")


@pytest.fixture
def hostile_id(home: Path, capsys) -> str:
    """The id of a fetched question whose native id holds escape sequences."""
    question = {
        "id": HOSTILE, "channel": "evil", "kind": "jsonl", "native_id": HOSTILE,
        "thread_id": "t1", "url": None,
        "author": {"id": "a", "handle": "h", "name": "N", "followers": None},
        "title": "Export?", "body": "How do I export my invoices?",
        "created_at": "2026-11-20T10:00:00Z", "context": [], "meta": {},
    }  # fmt: skip
    inbox = home / "in.jsonl"
    inbox.write_text(json.dumps(question) + "\n", encoding="utf-8")
    (home / "config.toml").write_text(f'[channels.evil]\nkind = "jsonl"\npath = "{inbox}"\n')
    assert main(["fetch", "--json"]) == 0
    fetched = json.loads(capsys.readouterr().out.splitlines()[0])["id"]
    assert "\x1b" in fetched  # the id is the service's, as it gave it
    return fetched


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as stop:
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_tag_names_the_question_without_its_escape_sequences(hostile_id, capsys):
    code, out, err = run(capsys, "tag", hostile_id, "--tag", "billing")
    assert code == 0, err
    assert out.startswith("recorded insight ") and "(billing)" in out
    assert not any(c in out + err for c in CONTROLS)


def test_reply_cancel_and_retry_name_the_question_without_escape_sequences(
    hostile_id, home, capsys
):
    replies = home / "in.jsonl.replies.jsonl"
    replies.mkdir()  # the channel cannot take a reply: it stays in the outbox
    code, out, err = run(capsys, "reply", hostile_id, "--text", "Hello there", "--yes")
    assert code != 0 and not any(c in out + err for c in CONTROLS), (out, err)
    code, out, err = run(capsys, "outbox", "cancel", waiting_reply(capsys))
    assert code == 0, err
    assert out.startswith("cancelled reply ") and " to evil:" in out
    assert not any(c in out + err for c in CONTROLS)

    code, out, err = run(capsys, "reply", hostile_id, "--text", "Hello again", "--yes")
    assert code != 0 and not any(c in out + err for c in CONTROLS), (out, err)
    reply_id = waiting_reply(capsys)
    replies.rmdir()  # the channel takes replies again
    code, out, err = run(capsys, "outbox", "retry", reply_id)
    assert code == 0, err
    assert out.startswith(f"sent reply {reply_id} to evil:")
    assert not any(c in out + err for c in CONTROLS)


def waiting_reply(capsys) -> str:
    """The id of the one reply waiting in the outbox."""
    code, out, err = run(capsys, "outbox", "list", "--json")
    assert code == 0, err
    replies = [json.loads(line) for line in out.splitlines()]
    (waiting,) = [r["id"] for r in replies if r["state"] not in ("sent", "cancelled")]
    return waiting
