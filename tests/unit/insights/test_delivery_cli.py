"""``cxdaily digest --send``, ``--if-due``, ``--again``, ``--no-redact``; ``cxdaily
destinations list|kinds``; ``cxdaily login`` for a destination: exit codes and lines."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from cxdaily.cli import main
from cxdaily.connectors.http import make_client
from cxdaily.store import Store
from tests.unit.insights.delivery_kit import EMAIL, WEEK_LABEL, seed_week, write_config

HOOK = {"kind": "webhook", "format": "json", "url": "https://h.example/in"}


class Receiver:
    """Answers every POST with ``status`` and keeps the bodies."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.bodies: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(request.content.decode())
        return httpx.Response(self.status)


def run(capsys, receiver: Receiver, *argv: str) -> tuple[int, str, str]:
    transport = httpx.MockTransport(receiver)
    code = main(list(argv), make_client=lambda: make_client(transport=transport))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def receiver(home: Path) -> Receiver:
    seed_week(home)
    write_config(home, {"hook": HOOK})
    return Receiver()


def test_send_prints_one_line_per_destination_and_sends_once(receiver, capsys):
    code, out, err = run(capsys, receiver, "digest", "--send")
    assert (code, err) == (0, "")
    assert out == f"hook: sent (JSON digest to h.example) for {WEEK_LABEL}\n"
    code, out, _ = run(capsys, receiver, "digest", "--send", "hook")
    assert code == 0 and out.startswith("hook: already sent on 2026-11-21T12:00:00Z")
    code, out, _ = run(capsys, receiver, "digest", "--send", "--again")
    assert code == 0 and "sent (JSON digest" in out and len(receiver.bodies) == 2


def test_a_failure_is_exit_1_with_one_line_on_stderr(receiver, capsys):
    receiver.status = 502
    code, out, err = run(capsys, receiver, "digest", "--send")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("cxdaily: hook: ") and "502" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("digest", "--if-due"), "--if-due and --again go with --send"),
        (("digest", "--send", "-o", "x.md"), "-o does not go with --send"),
        (("digest", "--send", "--if-due", "--since", "7d"), "leave out --since and --until"),
    ],
)
def test_options_that_do_not_go_together_are_exit_2(receiver, capsys, argv, message):
    code, out, err = run(capsys, receiver, *argv)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1
    assert receiver.bodies == []


def test_an_unknown_destination_is_exit_1_as_every_unknown_name(receiver, capsys):
    code, out, err = run(capsys, receiver, "digest", "--send", "nowhere")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "no destination named 'nowhere' (destinations: hook)" in err
    assert receiver.bodies == []


def test_no_destination_or_a_bad_one_is_exit_1(home, capsys):
    """The config file, not the command, is what needs changing: an error (1), as for
    fetch with no channel."""
    write_config(home, {})
    code, _, err = run(capsys, Receiver(), "digest", "--send", "--if-due")
    assert code == 1 and "no destinations configured" in err
    write_config(home, {"hook": {**HOOK, "redact": False}})
    code, _, err = run(capsys, Receiver(), "digest", "--send")
    assert code == 1 and "redaction cannot be switched off" in err


def test_no_redact_comes_only_from_the_command(receiver, capsys):
    run(capsys, receiver, "digest", "--send")
    run(capsys, receiver, "digest", "--send", "--again", "--no-redact")
    assert EMAIL not in receiver.bodies[0] and EMAIL in receiver.bodies[1]


def test_if_due_sends_the_week_once(receiver, capsys):
    code, out, _ = run(capsys, receiver, "digest", "--send", "--if-due")
    assert code == 0 and out.startswith("hook: sent")
    code, out, _ = run(capsys, receiver, "digest", "--send", "--if-due")
    assert code == 0 and out == (
        f"nothing due for {WEEK_LABEL}; the next digest day is Friday 27 Nov\n"
    )
    assert len(receiver.bodies) == 1
    sent = json.loads(receiver.bodies[0])
    assert sent["period"]["since"].startswith("2026-11-13")


def test_if_due_while_the_app_is_open_says_so_and_exits_0(receiver, home, capsys):
    with Store(home / "data") as store:  # the app holds the data folder
        store.hold_for_session()
        code, out, err = run(capsys, receiver, "digest", "--send", "--if-due")
        assert (code, err) == (0, "") and out.startswith("the app is open")
        code, _, err = run(capsys, receiver, "digest", "--send")
        assert code == 1 and "cxdaily is open with" in err
    assert receiver.bodies == []


def test_destinations_list_and_kinds(receiver, capsys, monkeypatch):
    run(capsys, receiver, "digest", "--send")
    monkeypatch.setenv("CXDAILY_SECRET_HOOK", "tok-secret-9999")
    code, out, _ = run(capsys, receiver, "destinations", "list")
    assert code == 0 and out.splitlines()[0] == "hook  webhook  JSON digest to h.example"
    assert f"secret: env (optional); last sent 2026-11-21T12:00:00Z for {WEEK_LABEL}" in out
    assert "tok-secret-9999" not in out
    code, out, _ = run(capsys, receiver, "destinations", "list", "--json")
    assert json.loads(out)["last_period"] == WEEK_LABEL
    code, out, _ = run(capsys, receiver, "destinations", "kinds")
    kinds = [line.split()[0] for line in out.splitlines()[:-1]]
    assert code == 0 and kinds == ["email", "jira", "linear", "productboard", "webhook"]
    code, out, _ = run(capsys, receiver, "destinations", "kinds", "email")
    assert code == 0 and "smtp_from_channel" in out and "to " in out


def test_login_stores_a_destination_secret(receiver, capsys, monkeypatch, memory_keyring):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "https://hooks.example/T/B/S3CRET\n")
    code, out, _ = run(capsys, receiver, "login", "hook")
    assert code == 0 and "S3CRET" not in out
    assert memory_keyring.entries[("cxdaily", "hook")] == "https://hooks.example/T/B/S3CRET"
