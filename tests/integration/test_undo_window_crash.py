"""A reply waiting for its undo window survives a crash and is sent once, only after it.

A child process queues a reply with a 10-second undo window against a real HTTP service
on loopback (the fault service, which counts the replies it applies), makes the app's
automatic attempt (which must wait) and is killed with SIGKILL inside the window. The
clock (``CXDAILY_NOW``) then says how far the window got: a restart before it ends sends
nothing, by every send path; a restart after it sends the reply exactly once, by the
app's automatic round or by ``cxdaily outbox retry``.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from cxdaily.core.models import ReplyState
from cxdaily.service import Service
from tests.integration.cli_kit import run_cxdaily
from tests.integration.fault_server import FaultService
from tests.integration.loopback_kit import Answer
from tests.time_kit import FIXED_NOW

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL"),
]

REPO = Path(__file__).resolve().parents[2]
TEXT = "Thanks for telling us; the export is fixed now."
QUESTION = {
    "id": "q1",
    "body": "My export is stuck at 99%",
    "created_at": "2026-11-21T08:00:00Z",
    "author": {"id": "u1", "handle": "@ana", "name": "Ana"},
}

CHILD_QUEUES_IN_WINDOW = """
import time
from cxdaily.service import Service
service = Service.open()
reply = service.queue_reply("portal:q1", "{text}", checked_at=service.now())
print(reply.id, flush=True)
print(service.send(reply).state.value, flush=True)  # the app's automatic send: it waits
time.sleep(60)  # killed here, inside the undo window
"""


def _at(seconds: float) -> str:
    """CXDAILY_NOW for ``seconds`` after the reply was queued."""
    return (FIXED_NOW + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


@pytest.fixture
def portal(home: Path, loopback) -> FaultService:
    """The fault service on loopback, configured as ``portal`` with a 10 s undo window."""
    state = FaultService(questions=[dict(QUESTION)], dedupe=False)
    server = loopback(lambda seen: state.handle(seen, Answer))
    (home / "config.toml").write_text(
        '[session]\ntimezone = "UTC"\nundo_seconds = 10\n\n'
        '[channels.portal]\nkind = "http"\n'
        f'url = "{server.url}/questions"\n'
        f'reply_url = "{server.url}/replies"\n'
        f'thread_url = "{server.url}/threads/{{native_id}}"\n'
        "idempotency_keys = false\n"
        'deadline = "5s"\n',
        encoding="utf-8",
    )
    with Service.open() as service:
        assert not service.refresh().failed
    return state


def _queue_and_kill(subprocess_env: dict[str, str]) -> str:
    """Run the child until it queued the reply and tried to send it, then SIGKILL it;
    returns the reply's id."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD_QUEUES_IN_WINDOW.format(text=TEXT)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env,
        cwd=REPO,
    )
    try:
        assert child.stdout is not None
        reply_id = child.stdout.readline().strip()
        state_after_send = child.stdout.readline().strip()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    assert reply_id and state_after_send == "queued", child.stderr.read()[-2000:]
    return reply_id


@pytest.mark.parametrize("sender", ["app", "cli"])
def test_a_reply_killed_in_its_window_waits_for_it_then_goes_out_once(
    home, portal, subprocess_env, monkeypatch, sender
):
    reply_id = _queue_and_kill(subprocess_env)
    assert portal.posts == 0, "nothing goes out inside the window"

    monkeypatch.setenv("CXDAILY_NOW", _at(5))  # back before the window ends
    with Service.open() as service:
        stored = service.find_reply(reply_id)
        assert stored.send_after == FIXED_NOW + timedelta(seconds=10)
        assert service.next_send_due() == stored.send_after
        assert service.send_pending() == []
        assert service.retry() == []
        assert service.send(stored).state is ReplyState.QUEUED
    early = run_cxdaily(home, "outbox", "retry", env={"CXDAILY_NOW": _at(5)})
    assert early.returncode == 3, early.stderr
    assert f"reply {reply_id} goes out in 5s" in early.stderr
    assert portal.posts == 0, "a restart inside the window sends nothing"

    monkeypatch.setenv("CXDAILY_NOW", _at(11))  # back after the window
    if sender == "app":
        with Service.open() as service:
            (sent,) = service.send_pending()
            assert sent.state is ReplyState.SENT
            assert service.send_pending() == []
    else:
        late = run_cxdaily(home, "outbox", "retry", env={"CXDAILY_NOW": _at(11)})
        assert late.returncode == 0, late.stderr
        assert f"sent reply {reply_id}" in late.stdout
    again = run_cxdaily(home, "outbox", "retry", env={"CXDAILY_NOW": _at(20)})
    assert again.returncode == 0 and "nothing waits in the outbox" in again.stdout
    with Service.open(read_only=True) as service:
        stored = service.find_reply(reply_id)
    assert stored.state is ReplyState.SENT and stored.attempts == 1
    assert portal.posts == 1 and portal.count("q1") == 1
    assert portal.applied[0].body == TEXT and stored.remote_id == portal.applied[0].id


def test_a_reply_pulled_back_after_the_crash_is_never_sent(
    home, portal, subprocess_env, monkeypatch
):
    reply_id = _queue_and_kill(subprocess_env)
    monkeypatch.setenv("CXDAILY_NOW", _at(3))
    with Service.open() as service:
        assert service.pull_back(reply_id) == TEXT
        assert service.draft("portal:q1") == TEXT
    monkeypatch.setenv("CXDAILY_NOW", _at(60))
    with Service.open() as service:
        assert service.send_pending() == []
        assert service.retry() == []
    late = run_cxdaily(home, "outbox", "retry", env={"CXDAILY_NOW": _at(60)})
    assert late.returncode == 0 and "nothing waits in the outbox" in late.stdout
    assert portal.posts == 0
