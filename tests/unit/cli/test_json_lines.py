"""``--json`` output never carries a character a terminal could act on, and reads back as
the same data."""

from __future__ import annotations

import json
from pathlib import Path

from cxdaily.cli import main
from cxdaily.cli.json_lines import json_line

ACTING = "\x1b[2J\x07\x7f\x85\x9b31m\u202eevil\u2066\u2028\u2029\u061c\u200f"


def test_every_character_a_terminal_acts_on_is_escaped_and_reads_back():
    value = {"body": f"Grüße, 東京 {ACTING}", ACTING: [ACTING, 1, None]}
    line = json_line(value)
    assert json.loads(line) == value
    assert all(ch.isprintable() for ch in line)  # nothing raw but printable text
    assert "Grüße, 東京" in line  # readable text stays as it is
    for ch in "\x7f\x85\x9b\u202e\u2066\u2028\u2029\u061c\u200f":
        assert f"\\u{ord(ch):04x}" in line


def test_a_lone_surrogate_is_escaped_too():
    line = json_line({"x": "a\ud800b"})
    assert line == '{"x": "a\\ud800b"}' and line.encode("utf-8")


def test_fetch_json_prints_no_raw_control_from_a_question(home: Path, capsys):
    question = {
        "id": "q1", "channel": "evil", "kind": "jsonl", "native_id": "q1", "thread_id": "q1",
        "url": None, "author": {"id": "a", "handle": f"h{ACTING}", "name": f"N{ACTING}",
        "followers": None}, "title": f"T{ACTING}", "body": f"How do I export?{ACTING}",
        "created_at": "2026-11-20T10:00:00Z", "context": [], "meta": {"note": ACTING},
    }  # fmt: skip
    inbox = home / "in.jsonl"
    inbox.write_text(json.dumps(question) + "\n", encoding="utf-8")
    (home / "config.toml").write_text(f'[channels.evil]\nkind = "jsonl"\npath = "{inbox}"\n')
    assert main(["fetch", "--json"]) == 0
    out = capsys.readouterr().out
    (line,) = out.splitlines()
    assert all(ch.isprintable() for ch in line), ascii(line)
    assert json.loads(line)["native_id"] == "q1"
