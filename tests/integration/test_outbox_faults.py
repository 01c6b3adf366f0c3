"""Exactly once, against a real HTTP service on loopback that counts the replies it applies.

Every fault is tried with a service that honours ``Idempotency-Key`` (the outbox sends
again with the same key) and with one that does not (the outbox reads the thread for
its own reply before sending again): the service times out after applying the reply;
it fails with 500, 502 or 503 before or after applying it; the process is killed with
SIGKILL between recording and sending, while the post is in flight, and between
sending and marking sent. In every case, after a restart and retries, the service holds
each reply exactly once and the store agrees (state ``sent``, the service's id).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cxdaily.core.errors import ReplyRejected
from cxdaily.core.models import ReplyState
from cxdaily.service import Service
from tests.integration.fault_server import Fault, FaultService
from tests.integration.loopback_kit import Answer

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
TEXT = "Thanks for telling us; the export is fixed now."
QUESTIONS = [
    {
        "id": "q1",
        "body": "My export is stuck at 99%",
        "created_at": "2026-11-21T08:00:00Z",
        "author": {"id": "u1", "handle": "@ana", "name": "Ana"},
    },
    {"id": "q2", "body": "Can I pay yearly?", "created_at": "2026-11-21T09:30:00Z"},
]
MODES = [pytest.param(True, id="idempotency-key"), pytest.param(False, id="thread-lookup")]


def write_config(home: Path, base: str, dedupe: bool) -> None:
    (home / "config.toml").write_text(
        "[session]\n"
        "undo_seconds = 0\n"  # replies go out at once: these tests are about faults
        "[channels.portal]\n"
        'kind = "http"\n'
        f'url = "{base}/questions"\n'
        f'reply_url = "{base}/replies"\n'
        f'thread_url = "{base}/threads/{{native_id}}"\n'
        f"idempotency_keys = {'true' if dedupe else 'false'}\n"
        'deadline = "1.5s"\n'
        "retries = 1\n",
        encoding="utf-8",
    )


@pytest.fixture
def portal(home: Path, loopback) -> Callable[[bool], FaultService]:
    """Start the fault service and point the default profile's ``portal`` channel at it."""

    def start(dedupe: bool) -> FaultService:
        state = FaultService(questions=[dict(q) for q in QUESTIONS], dedupe=dedupe)
        server = loopback(lambda seen: state.handle(seen, Answer))
        write_config(home, server.url, dedupe)
        with Service.open() as service:
            assert not service.refresh().failed
        return state

    return start


def assert_exactly_once(state: FaultService, reply_id: str) -> None:
    """The service holds the reply once, and the store says sent with the service's id."""
    with Service.open(read_only=True) as service:
        stored = service.find_reply(reply_id)
        unsent = service.unsent_replies()
    assert stored.state is ReplyState.SENT, stored
    assert state.count("q1") == 1, state.applied
    assert state.keys() == [stored.idempotency_key]
    applied = state.applied[0]
    assert stored.remote_id == applied.id
    assert applied.body == TEXT
    assert unsent == []


def cxdaily(env: dict[str, str], *argv: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cxdaily", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=REPO,
    )


# ----------------------------------------------------------------------------- timeouts, 5xx
@pytest.mark.parametrize("dedupe", MODES)
def test_a_timeout_after_the_reply_was_applied(portal, dedupe):
    state = portal(dedupe)
    state.faults = [Fault("timeout_after")]
    with Service.open() as service:
        first = service.reply("portal:q1", TEXT)
    assert first.state is ReplyState.FAILED and first.uncertain
    assert "1.5 s" in first.error
    assert state.count("q1") == 1
    with Service.open() as service:  # a restart, then the retry
        (retried,) = service.retry()
    assert retried.state is ReplyState.SENT
    assert_exactly_once(state, first.id)


FAULTS = {
    "500-after-applying": [Fault("fail_after", 500)],
    "502-after-applying-then-503s": [Fault("fail_after", 502)] + [Fault("fail_before", 503)] * 3,
    "503-before-applying": [Fault("fail_before", 503)] * 3,
    "500-before-applying": [Fault("fail_before", 500)] * 3,
}


@pytest.mark.parametrize("dedupe", MODES)
@pytest.mark.parametrize("faults", FAULTS.values(), ids=FAULTS.keys())
def test_server_errors_before_or_after_applying(portal, dedupe, faults):
    state = portal(dedupe)
    state.faults = list(faults)
    with Service.open() as service:
        first = service.reply("portal:q1", TEXT)
    if first.state is ReplyState.FAILED:
        assert first.uncertain, "a 5xx leaves the outcome unknown"
        assert first.next_attempt_at is not None and first.next_attempt_at > first.updated_at
    for _ in range(len(faults)):  # restart and retry until the service takes it
        with Service.open() as service:
            if service.find_reply(first.id).state is ReplyState.SENT:
                break
            service.retry()
    assert_exactly_once(state, first.id)
    if not dedupe:  # never posted blindly: one post per attempt that could not have landed
        refused_before = sum(1 for f in faults[: state.posts] if f.kind == "fail_before")
        assert state.posts == 1 + refused_before


@pytest.mark.parametrize("dedupe", MODES)
def test_offline_replies_wait_and_go_out_once_the_service_is_back(
    home, portal, dedupe, monkeypatch
):
    state = portal(dedupe)
    text = (home / "config.toml").read_text()
    live = text.split('url = "')[1].split("/questions")[0]
    (home / "config.toml").write_text(text.replace(live, "http://127.0.0.1:9"))  # nothing there
    with Service.open() as service:
        first = service.reply("portal:q1", TEXT)
        assert first.state is ReplyState.FAILED and first.next_attempt_at is not None
        assert service.send_pending() == [], "the back-off is respected"
    (home / "config.toml").write_text(text)  # the network is back
    later = first.next_attempt_at.isoformat()
    monkeypatch.setenv("CXDAILY_NOW", later)
    with Service.open() as service:
        (sent,) = service.send_pending()
    assert sent.state is ReplyState.SENT
    assert_exactly_once(state, first.id)


def test_the_team_answered_while_the_reply_waited(home, portal, monkeypatch):
    state = portal(False)
    with Service.open() as service:
        queued = service.queue_reply("portal:q1", TEXT)  # not checked: say, written offline
    state.add_team_answer("q1", "Hi Ana, support here: it is fixed.", "2026-11-21T11:00:00Z")
    with Service.open() as service:
        (held,) = service.send_pending()
        assert held.hold and "Sam from Support" in held.hold and held.state is ReplyState.QUEUED
        assert service.send_pending() == [], "a held reply is never retried automatically"
        assert service.retry() == []
        (sent,) = service.retry(queued.id)  # the leader decides to send anyway
    assert sent.state is ReplyState.SENT
    assert_exactly_once(state, queued.id)


def test_one_reply_is_never_sent_by_two_workers_at_once(portal):
    state = portal(False)
    state.slow_s = 0.8
    state.faults = [Fault("timeout_after")]
    outcomes: list[object] = []
    with Service.open() as service:
        reply = service.queue_reply("portal:q1", TEXT, checked_at=service.now())

        def send() -> None:
            try:
                outcomes.append(service.send(reply))
            except ReplyRejected as exc:
                outcomes.append(exc)

        workers = [threading.Thread(target=send) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(10)
    rejected = [o for o in outcomes if isinstance(o, ReplyRejected)]
    assert len(outcomes) == 2 and len(rejected) == 1
    assert "being sent right now" in str(rejected[0])
    assert state.posts == 1 and state.count("q1") == 1


# ----------------------------------------------------------------------------- SIGKILL
CHILD_QUEUES = """
import sys, time
from cxdaily.service import Service
service = Service.open()
reply = service.queue_reply("portal:q1", sys.argv[1])
print(reply.id, flush=True)
time.sleep(60)  # killed here: recorded, never sent
"""


def _kill(child: subprocess.Popen) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL


def _wait_for(condition: Callable[[], bool], child: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            raise AssertionError(f"never {what}: {child.stderr.read()[-2000:]}")
        time.sleep(0.02)


def _stored_reply_id() -> str:
    with Service.open(read_only=True) as service:
        (reply,) = service.outbox()
    return reply.id


def _patient(home: Path) -> None:
    """A long channel deadline, so the child is killed mid-post, not timed out."""
    path = home / "config.toml"
    path.write_text(path.read_text().replace('deadline = "1.5s"', 'deadline = "30s"'))


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("dedupe", MODES)
def test_sigkill_between_recording_and_sending(home, portal, dedupe, subprocess_env):
    state = portal(dedupe)
    _patient(home)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD_QUEUES, TEXT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env,
        cwd=REPO,
    )
    try:
        reply_id = child.stdout.readline().strip()
    finally:
        _kill(child)
    assert reply_id, child.stderr.read()
    assert state.posts == 0
    restarted = cxdaily(subprocess_env, "outbox", "retry")
    assert restarted.returncode == 0, restarted.stderr
    assert f"sent reply {reply_id}" in restarted.stdout
    assert_exactly_once(state, reply_id)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("dedupe", MODES)
@pytest.mark.parametrize("moment", ["post-in-flight-not-applied", "applied-not-marked-sent"])
def test_sigkill_while_sending(home, portal, dedupe, moment, subprocess_env):
    state = portal(dedupe)
    _patient(home)
    applied = moment == "applied-not-marked-sent"
    state.faults = [Fault("hang_after" if applied else "hang_before")]
    child = subprocess.Popen(
        [sys.executable, "-m", "cxdaily", "reply", "portal:q1", "--text", TEXT, "--yes"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env,
        cwd=REPO,
    )
    try:
        _wait_for(lambda: state.posts == 1, child, "posted")
    finally:
        _kill(child)
    assert state.count("q1") == (1 if applied else 0)
    with Service.open(read_only=True) as service:
        (reply,) = service.outbox()
    assert reply.state is ReplyState.SENDING, "killed mid-post: the store says sending"
    restarted = cxdaily(subprocess_env, "outbox", "retry")
    assert restarted.returncode == 0, restarted.stderr
    assert f"sent reply {reply.id}" in restarted.stdout
    assert_exactly_once(state, reply.id)
    if not dedupe and applied:
        assert state.posts == 1, "the reply was found in the thread, not posted again"


def test_cli_outbox_list_retry_and_cancel(portal, subprocess_env):
    state = portal(False)
    state.faults = [Fault("fail_after", 502)]
    failed = cxdaily(subprocess_env, "reply", "portal:q1", "--text", TEXT, "--yes")
    assert failed.returncode == 3, failed.stderr
    assert "in the outbox, not sent yet" in failed.stderr and "HTTP 502" in failed.stderr
    reply_id = _stored_reply_id()
    listed = cxdaily(subprocess_env, "outbox", "list", "--unsent")
    assert listed.returncode == 0 and reply_id in listed.stdout and "failed" in listed.stdout
    assert "1 attempt" in listed.stdout and "next try after" in listed.stdout

    queued = cxdaily(subprocess_env, "reply", "portal:q2", "--text", "Yes, yearly works.", "--yes")
    assert queued.returncode == 0, queued.stderr
    retried = cxdaily(subprocess_env, "outbox", "retry", reply_id)
    assert retried.returncode == 0 and f"sent reply {reply_id}" in retried.stdout
    assert state.count("q1") == 1 and state.posts == 2  # the lookup found the 502'd reply
    cancel_sent = cxdaily(subprocess_env, "outbox", "cancel", reply_id)
    assert cancel_sent.returncode == 1 and "already sent" in cancel_sent.stderr
    assert os.linesep not in cancel_sent.stderr.strip()
