"""Every hostile payload we know of, through real loopback servers and the real command line.

Each channel below misbehaves in one way (credentials asked for by another origin, a
token echoed in a redirect, a lone surrogate, huge numbers, deep nesting, an endless
pagination, a FIFO for a path) beside one healthy channel. Whatever they do:

- no traceback reaches the terminal, and each failure is one line on stderr;
- the good channels' questions (and the good items of a bad page) are stored;
- the channel's secret (a canary) is in no output and in no data file;
- replies that get odd answers end ``failed`` with the reason, shown by ``outbox list``.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.integration.cli_kit import run_cxdaily, write_config
from tests.integration.loopback_kit import Answer, Seen

pytestmark = pytest.mark.integration

CANARY = "canary-7Qx9-secret-token"


def run(home: Path, *args: str, secrets: dict[str, str], timeout: float = 90):
    """The real command, with the canary secrets and a fixed clock."""
    env = {"CXDAILY_NOW": "2026-11-21T12:00:00Z"}
    return run_cxdaily(home, *args, secrets=secrets, env=env, timeout=timeout)


def good(native_id: str, **extra) -> dict:
    return {
        "id": native_id,
        "body": f"question {native_id}",
        "created_at": "2026-11-21T08:00:00Z",
        **extra,
    }


def assert_clean(done: subprocess.CompletedProcess, home: Path) -> None:
    """No traceback, no canary in any output or data file."""
    for stream in (done.stdout, done.stderr):
        assert "Traceback" not in stream, stream
        assert CANARY not in stream, stream
    for path in home.rglob("*"):
        if path.is_file() and not path.is_fifo():
            assert CANARY.encode() not in path.read_bytes(), path


def stored_ids(home: Path, secrets: dict[str, str]) -> set[str]:
    done = run(home, "batch", "--budget", "8h", "--json", secrets=secrets)
    assert done.returncode == 0, done.stderr
    assert_clean(done, home)
    ids: set[str] = set()
    for line in done.stdout.splitlines():
        row = json.loads(line)
        ids.add(row.get("id") or row.get("question", {}).get("id"))
    return ids


def test_hostile_channels_never_break_the_good_ones_nor_leak_the_secret(tmp_path, loopback):
    elsewhere = loopback(lambda seen: Answer(body=[good("far")]))

    def leaky_pages(seen: Seen) -> Answer:
        link = f'<{elsewhere.url}/steal?page=2>; rel="next"'
        return Answer(body=[good("near")], headers={"Link": link})

    def token_redirect(seen: Seen) -> Answer:
        if seen.path == "/questions":
            return Answer(status=302, headers={"Location": f"/session/{CANARY}/expired"})
        return Answer(status=404, body={"message": f"no session {CANARY}"})

    surrogate_page = (
        b'[{"id": "s1", "body": "broken \\ud800 text", "created_at": "2026-11-21T08:00:00Z"},'
        + json.dumps([good(f"s{n}") for n in range(2, 5)]).encode()[1:]
    )
    deep = "[" * 100_000 + "]" * 100_000
    numbers_page = (
        "["
        + ",".join(
            [
                json.dumps(good("n1")),
                '{"id": ' + "7" * 5001 + ', "body": "x", "created_at": "2026-11-21T08:00:00Z"}',
                json.dumps(good("n3"))[:-1] + ', "author": {"followers": ' + "9" * 4000 + "}}",
                json.dumps(good("n4"))[:-1] + ', "meta": {"deep": ' + deep + "}}",
                json.dumps(good("n5")),
            ]
        )
        + "]"
    ).encode()

    def endless(seen: Seen) -> Answer:
        n = int(seen.query.get("p", ["1"])[0])
        filler = "x" * (1024 * 1024)
        return Answer(
            body=[good(f"e{n}", meta={"filler": filler})],
            headers={"Link": f'<{endless_server.url}/questions?p={n + 1}>; rel="next"'},
        )

    healthy = loopback(lambda seen: Answer(body=[good("q1"), good("q2")]))
    leaky = loopback(leaky_pages)
    redirecting = loopback(token_redirect)
    surrogates = loopback(lambda seen: Answer(body=surrogate_page))
    numbers = loopback(lambda seen: Answer(body=numbers_page))
    endless_server = loopback(endless)
    fifo = tmp_path / "inbox.jsonl"
    os.mkfifo(fifo)
    lines = tmp_path / "lines.jsonl"
    lines.write_bytes(
        b'{"id": "j0", "body": "bad \\udc00", "created_at": "2026-11-21T08:00:00Z"}\n'
        + b"".join(json.dumps(good(f"j{n}")).encode() + b"\n" for n in range(1, 16))
    )
    write_config(
        tmp_path,
        {
            "healthy": {"kind": "http", "url": f"{healthy.url}/questions"},
            "leaky": {"kind": "http", "url": f"{leaky.url}/questions"},
            "redirecting": {"kind": "http", "url": f"{redirecting.url}/questions"},
            "surrogates": {"kind": "http", "url": f"{surrogates.url}/questions"},
            "numbers": {"kind": "http", "url": f"{numbers.url}/questions"},
            "endless": {
                "kind": "http",
                "url": f"{endless_server.url}/questions",
                "max_fetch_mb": 3,
                "max_pages": 1000,
            },
            "fifo": {"kind": "jsonl", "path": str(fifo), "deadline": "2s"},
            "lines": {"kind": "jsonl", "path": str(lines)},
        },
    )
    secrets = {name: CANARY for name in ("healthy", "leaky", "redirecting", "numbers")}
    secrets["surrogates"] = CANARY + "\n"  # read with its newline: trimmed, never echoed

    done = run(tmp_path, "fetch", secrets=secrets)
    assert_clean(done, tmp_path)
    assert done.returncode == 3, done.stderr
    lines_out = [line.removeprefix("cxdaily: ") for line in done.stderr.splitlines()]
    failures = [line for line in lines_out if line.startswith(("redirecting:", "fifo:"))]
    assert len(failures) == 2, done.stderr
    assert "HTTP 404" in failures[0] or "HTTP 404" in failures[1]
    assert any("not a regular file" in line or "FIFO" in line for line in failures), failures

    # Credentials went to the channel's own origin only.
    assert leaky.requests[0].headers["authorization"] == f"Bearer {CANARY}"
    assert elsewhere.requests and "authorization" not in elsewhere.requests[0].headers
    assert surrogates.requests[0].headers["authorization"] == f"Bearer {CANARY}"
    # The endless pagination stopped at its byte budget and said so.
    assert 3 <= len(endless_server.requests) <= 5
    assert "max_fetch_mb" in done.stderr

    ids = stored_ids(tmp_path, secrets)
    assert {"healthy:q1", "healthy:q2", "leaky:near", "leaky:far"} <= ids
    assert {"surrogates:s1", "surrogates:s2", "surrogates:s4"} <= ids
    assert {"numbers:n1", "numbers:n5"} <= ids
    assert {f"lines:j{n}" for n in range(1, 16)} <= ids
    assert not any(i.startswith("numbers:7777") for i in ids)

    listed = run(tmp_path, "channels", "list", secrets=secrets)
    assert_clean(listed, tmp_path)


def test_odd_answers_to_a_reply_end_failed_with_the_reason(tmp_path, loopback):
    answers = {
        "nan": Answer(status=429, headers={"Retry-After": "nan"}, body={"error": "slow down"}),
        "inf": Answer(status=429, headers={"Retry-After": "inf"}, body={"error": "slow down"}),
        "huge": Answer(status=200, body=b'{"id": ' + b"1" * 5001 + b"}"),
        "deep": Answer(status=200, body=("[" * 100_000 + "]" * 100_000).encode()),
    }
    replies: list[Seen] = []

    def service(seen: Seen) -> Answer:
        if seen.method == "GET":
            return Answer(body=[good(name) for name in answers])
        replies.append(seen)
        native_id = json.loads(seen.body)["native_id"]
        return answers[native_id]

    server = loopback(service)
    write_config(
        tmp_path,
        {
            "portal": {
                "kind": "http",
                "url": f"{server.url}/questions",
                "reply_url": f"{server.url}/replies",
            }
        },
    )
    secrets = {"portal": CANARY}
    fetched = run(tmp_path, "fetch", secrets=secrets)
    assert fetched.returncode == 0, fetched.stderr
    for name in answers:
        done = run(
            tmp_path,
            "reply",
            f"portal:{name}",
            "--text",
            "Thanks, on it.",
            "--yes",
            secrets=secrets,
        )
        assert_clean(done, tmp_path)
        assert done.returncode != 0
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert len(replies) == len(answers)  # each posted once: nothing re-posted blindly

    listed = run(tmp_path, "outbox", "list", "--json", secrets=secrets)
    assert_clean(listed, tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(rows) == len(answers)
    for row in rows:
        assert row["state"] == "failed", row
        reason = row.get("error") or row.get("last_error") or ""
        assert reason, row
