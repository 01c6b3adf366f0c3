"""`cxdaily fetch` as a subprocess against real HTTP servers on loopback.

One healthy channel, and channels that are slow, failing, or answer garbage, truncated,
dripping, huge, unauthorized, missing or redirecting in circles: the healthy questions
are printed, every failure is named on stderr in one line, the exit code is 3, and
nothing hangs or shows a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.integration.cli_kit import REPO, run_cxdaily, write_config
from tests.integration.loopback_kit import Answer, Seen

pytestmark = pytest.mark.integration

QUESTIONS = [
    {
        "id": "q1",
        "body": "My export is stuck at 99%",
        "created_at": "2026-11-21T08:00:00Z",
        "author": {"id": "u1", "handle": "@ana", "name": "Ana", "followers": 1200},
        "title": "Export stuck",
        "url": "https://portal.example.com/q/q1",
    },
    {
        "id": "q2",
        "body": "Can I pay yearly?",
        "created_at": "2026-11-21T09:30:00Z",
        "context": [
            {"author": {"name": "Ana"}, "body": "earlier", "created_at": "2026-11-20T10:00:00Z"}
        ],
    },
]


def healthy_handler(seen: Seen) -> Answer:
    return Answer(body=QUESTIONS)


def test_fetch_reports_healthy_questions_and_names_each_failure(tmp_path, loopback):
    healthy = loopback(healthy_handler)
    slow = loopback(lambda seen: Answer(body=QUESTIONS, delay=10))
    failing = loopback(lambda seen: Answer(status=500, body="Internal Server Error"))
    garbage = loopback(lambda seen: Answer(body=b"\x00\x01 <<not json>> \xff\xfe"))
    write_config(
        tmp_path,
        {
            "healthy": {"kind": "http", "url": f"{healthy.url}/questions"},
            "slow": {"kind": "http", "url": f"{slow.url}/questions", "deadline": "1s"},
            "failing": {"kind": "http", "url": f"{failing.url}/questions", "deadline": "3s"},
            "garbage": {"kind": "http", "url": f"{garbage.url}/questions"},
        },
    )
    started = time.monotonic()
    done = run_cxdaily(tmp_path, "fetch", "--json")
    elapsed = time.monotonic() - started

    assert done.returncode == 3, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["healthy:q1", "healthy:q2"]
    assert rows[0] == {
        "id": "healthy:q1",
        "channel": "healthy",
        "kind": "http",
        "native_id": "q1",
        "thread_id": "q1",
        "url": "https://portal.example.com/q/q1",
        "author": {"id": "u1", "handle": "@ana", "name": "Ana", "followers": 1200},
        "title": "Export stuck",
        "body": "My export is stuck at 99%",
        "created_at": "2026-11-21T08:00:00Z",
        "context": [],
        "meta": {},
    }
    assert rows[1]["context"][0]["body"] == "earlier"

    errors = {line.split(":")[1].strip(): line for line in done.stderr.splitlines()}
    assert set(errors) == {"slow", "failing", "garbage"}
    assert "within 1 s" in errors["slow"]
    assert "HTTP 500" in errors["failing"]
    assert "JSON" in errors["garbage"]
    assert "Traceback" not in done.stderr
    assert elapsed < 20  # the slow server (10 s) never held the others up for long
    assert len(failing.requests) >= 2  # a GET is retried
    assert healthy.requests[0].headers["user-agent"].startswith("cxdaily/")


def test_each_kind_of_bad_server_is_one_typed_line(tmp_path, loopback):
    def redirect_loop(seen: Seen) -> Answer:
        target = "/b" if seen.path == "/a" else "/a"
        return Answer(status=302, headers={"Location": target})

    servers = {
        "html": loopback(lambda s: Answer(body="<html><h1>Sign in</h1></html>", status=200)),
        "truncated": loopback(lambda s: Answer(body=b'[{"id": "1", "bo', declared_length=4000)),
        "unauthorized": loopback(lambda s: Answer(status=401, body={"error": "bad token"})),
        "missing": loopback(lambda s: Answer(status=404, body="no such thing")),
        "loop": loopback(redirect_loop),
        "drip": loopback(lambda s: Answer(body=json.dumps(QUESTIONS), drip=0.2)),
        "huge": loopback(
            lambda s: Answer(body=b"[" + b" " * 65535, repeat=800, declared_length=50 * 2**20)
        ),
        "endless": loopback(lambda s: Answer(body=b" " * 65536, repeat=800, send_length=False)),
    }
    paths = {"loop": "/a"}
    channels = {
        name: {
            "kind": "http",
            "url": f"{server.url}{paths.get(name, '/questions')}",
            "deadline": "2s",
            "retries": 1,
        }
        for name, server in servers.items()
    }
    channels["ok"] = {"kind": "http", "url": f"{loopback(healthy_handler).url}/q"}
    write_config(tmp_path, channels)

    done = run_cxdaily(tmp_path, "fetch", "--json")

    assert done.returncode == 3, done.stderr
    assert len(done.stdout.splitlines()) == 2
    errors = {line.split(":")[1].strip(): line for line in done.stderr.splitlines()}
    assert set(errors) == set(servers)
    assert "HTML page" in errors["html"]
    assert "cut off" in errors["truncated"]
    assert "HTTP 401" in errors["unauthorized"]
    assert "cxdaily login unauthorized" in errors["unauthorized"]
    assert "HTTP 404" in errors["missing"]
    assert "loop" in errors["loop"]
    assert "within 2 s" in errors["drip"]
    assert "20 MB" in errors["huge"]
    assert "20 MB" in errors["endless"]
    assert "Traceback" not in done.stderr


def test_a_second_fetch_asks_only_for_new_questions(tmp_path, loopback):
    server = loopback(healthy_handler)
    write_config(tmp_path, {"portal": {"kind": "http", "url": f"{server.url}/questions"}})

    first = run_cxdaily(tmp_path, "fetch", "--json")
    second = run_cxdaily(tmp_path, "fetch")

    assert first.returncode == 0, first.stderr
    assert len(first.stdout.splitlines()) == 2
    assert second.returncode == 0, second.stderr
    assert "since" not in server.requests[0].query
    assert server.requests[1].query["since"] == ["2026-11-21T09:30:00Z"]
    listing = run_cxdaily(tmp_path, "channels", "list", "--json")
    status = json.loads(listing.stdout)["status"]
    assert status["count"] == 2 and status["error"] is None


def test_channels_test_checks_reachability_and_auth(tmp_path, loopback):
    ok = loopback(healthy_handler)
    refused = loopback(lambda s: Answer(status=401, body={"message": "token expired"}))
    write_config(
        tmp_path,
        {
            "ok": {"kind": "http", "url": f"{ok.url}/q"},
            "refused": {"kind": "http", "url": f"{refused.url}/q"},
        },
    )
    done = run_cxdaily(tmp_path, "channels", "test")
    assert done.returncode == 3
    assert "ok: ok: GET" in done.stdout
    assert "2 questions on the first page" in done.stdout
    assert "refused" in done.stderr and "token expired" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_line_only_on_a_terminal(tmp_path, loopback):
    import pty

    server = loopback(lambda seen: Answer(body=QUESTIONS, delay=0.3))
    write_config(tmp_path, {"portal": {"kind": "http", "url": f"{server.url}/q"}})
    controller, terminal = pty.openpty()
    env = {
        **os.environ,
        "CXDAILY_HOME": str(tmp_path),
        "PYTHONPATH": str(REPO),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "cxdaily", "fetch"],
        stdout=terminal,
        stderr=terminal,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=tmp_path,
    )
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=30) == 0
    os.close(controller)
    text = output.decode("utf-8", "replace")
    assert "fetching 1 channels" in text
    assert "fetched 1/1 channels" in text
    assert "portal: 2 questions" in text
