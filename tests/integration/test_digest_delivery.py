"""Digest delivery against real servers on loopback, through the real ``cxdaily`` command:
an SMTP server (aiosmtpd) that keeps every message, and an HTTP server that records every
webhook post. Failures mid-send are retried without sending anything twice, and
``--if-due`` (as cron runs it) sends each week once, from its digest day on."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.integration.cli_kit import run_cxdaily
from tests.integration.loopback_kit import Answer, LoopbackServer, Seen
from tests.integration.mail_servers_kit import SmtpSink, free_port
from tests.unit.insights.delivery_kit import EMAIL, WEEK_LABEL, seed_week, write_config
from tests.unit.insights.digest_kit import insight

FRIDAY = "2026-11-20T10:00:00Z"
SMTP_PASSWORD = "smtp-pass-4711"


class Hook:
    """A webhook receiver: refuses the first ``refuse`` posts with a 500, records the
    posts it takes."""

    def __init__(self, refuse: int = 0) -> None:
        self.refuse = refuse
        self.taken: list[dict] = []

    def __call__(self, seen: Seen) -> Answer:
        if self.refuse:
            self.refuse -= 1
            return Answer(500, "try later")
        self.taken.append(json.loads(seen.body))
        return Answer(200, "ok")


@pytest.fixture
def sink():
    server = SmtpSink().start()
    yield server
    server.stop()


def own_smtp(port: int, **more) -> dict:
    return {
        "kind": "email",
        "to": ["product@acme.example", "cto@acme.example"],
        "from_address": "ceo@acme.example",
        "from_name": "Dana CEO",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_tls": "plain",
        **more,
    }


def send(home: Path, *args: str, now: str = FRIDAY, secrets=None):
    return run_cxdaily(home, "digest", "--send", *args, env={"CXDAILY_NOW": now}, secrets=secrets)


def parts(message: EmailMessage) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.iter_parts()}


def test_email_is_html_with_a_plain_text_alternative_to_every_address(tmp_path, sink):
    seed_week(tmp_path)
    write_config(tmp_path, {"product-mail": own_smtp(sink.port, subject="Customers: {period}")})
    proc = send(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("product-mail: sent (email to 2 addresses through 127.0.0.1:")
    (received,) = sink.received
    assert received.mail_from == "ceo@acme.example"
    assert received.recipients == ["product@acme.example", "cto@acme.example"]
    message = received.message
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == f"Customers: {WEEK_LABEL}"
    assert message["From"] == "Dana CEO <ceo@acme.example>"
    body = parts(message)
    assert list(body) == ["text/plain", "text/html"]
    assert "Refund took weeks" in body["text/plain"] and "Refund took weeks" in body["text/html"]
    assert "<script>alert" not in body["text/html"] and "&lt;script&gt;" in body["text/html"]
    assert EMAIL not in received.data.decode("utf-8", "replace")
    assert send(tmp_path).stdout.startswith("product-mail: already sent")
    assert len(sink.received) == 1


def test_email_through_an_email_channels_smtp_login(tmp_path):
    sink = SmtpSink(user="ceo@acme.example", password=SMTP_PASSWORD).start()
    try:
        seed_week(tmp_path)
        channel = {
            "kind": "email",
            "imap_host": "127.0.0.1",
            "imap_tls": "plain",
            "smtp_host": "127.0.0.1",
            "smtp_port": sink.port,
            "smtp_tls": "plain",
            "username": "ceo@acme.example",
            "from_address": "ceo@acme.example",
        }
        board = {"kind": "email", "to": "board@acme.example", "smtp_from_channel": "inbox"}
        write_config(tmp_path, {"board": {**board, "deadline": "3s"}}, channels={"inbox": channel})
        proc = send(tmp_path, secrets={"inbox": SMTP_PASSWORD})
        assert proc.returncode == 0, proc.stderr
        (received,) = sink.received
        assert received.recipients == ["board@acme.example"]
        assert SMTP_PASSWORD not in proc.stdout + proc.stderr
        wrong = send(tmp_path, "--again", secrets={"inbox": "wrong-password"})
        assert wrong.returncode == 1 and wrong.stderr.startswith("cxdaily: board: ")
        assert "wrong-password" not in wrong.stdout + wrong.stderr and len(sink.received) == 1
        retried = send(tmp_path, secrets={"inbox": SMTP_PASSWORD})  # refused, so sent again
        assert retried.returncode == 0 and len(sink.received) == 2
    finally:
        sink.stop()


def test_a_failure_mid_send_is_retried_without_duplicates(tmp_path, loopback):
    """The webhook goes out, the mail server is down: the retry sends only the mail, and a
    webhook refused with a 500 is sent again once it answers."""
    seed_week(tmp_path)
    hook = Hook(refuse=1)
    server: LoopbackServer = loopback(hook)
    port = free_port()  # nothing listens here yet
    write_config(
        tmp_path,
        {
            "slack": {"kind": "webhook", "format": "slack", "url": f"{server.url}/hook"},
            "mail": own_smtp(port),
        },
    )
    first = send(tmp_path)
    assert first.returncode == 1 and first.stdout == ""
    assert first.stderr.count("\n") == 2 and "HTTP 500" in first.stderr
    assert "cannot connect" in first.stderr or "refused" in first.stderr
    second = send(tmp_path)
    assert second.returncode == 1 and second.stdout.startswith("slack: sent (Slack message")
    assert len(hook.taken) == 1 and hook.taken[0]["blocks"][0]["type"] == "header"
    sink = SmtpSink(port=port).start()
    try:
        third = send(tmp_path)
        assert third.returncode == 0, third.stderr
        assert "slack: already sent" in third.stdout and "mail: sent" in third.stdout
        assert len(sink.received) == 1 and len(hook.taken) == 1
    finally:
        sink.stop()


def test_a_mail_that_may_have_gone_out_is_held_not_sent_twice(tmp_path):
    sink = SmtpSink(fail_after_data=1).start()
    try:
        seed_week(tmp_path)
        write_config(tmp_path, {"mail": own_smtp(sink.port)})
        first = send(tmp_path)
        assert first.returncode == 1 and "may have gone out" in first.stderr
        held = send(tmp_path)
        assert held.returncode == 1 and "--again sends it again" in held.stderr
        assert len(sink.received) == 1  # delivered once, whatever the client heard
        due = send(tmp_path, "--if-due")
        assert due.returncode == 0 and due.stdout.startswith("nothing due")
        again = send(tmp_path, "--again")
        assert again.returncode == 0 and len(sink.received) == 2
    finally:
        sink.stop()


def test_if_due_sends_each_week_once_from_its_digest_day(tmp_path, loopback):
    seed_week(tmp_path)
    seed_week(tmp_path, [insight("2026-11-24 09:00", summary="Dark mode please")])
    hook = Hook()
    server = loopback(hook)
    write_config(tmp_path, {"hook": {"kind": "webhook", "format": "json", "url": server.url}})
    for now in (FRIDAY, "2026-11-20T11:00:00Z", "2026-11-26T23:00:00Z"):
        proc = send(tmp_path, "--if-due", now=now)
        assert proc.returncode == 0, proc.stderr
    assert [body["period"]["since"][:10] for body in hook.taken] == ["2026-11-13"]
    assert "nothing due" in proc.stdout and "Friday 27 Nov" in proc.stdout
    for now in ("2026-11-27T08:00:00Z", "2026-11-27T09:00:00Z"):
        proc = send(tmp_path, "--if-due", now=now)
        assert proc.returncode == 0, proc.stderr
    assert [body["period"]["since"][:10] for body in hook.taken] == ["2026-11-13", "2026-11-20"]
    assert [i["summary"] for i in hook.taken[1]["insights"]] == ["Dark mode please"]


def test_the_digest_day_is_configurable(tmp_path, loopback):
    seed_week(tmp_path)
    hook = Hook()
    server = loopback(hook)
    write_config(
        tmp_path,
        {"hook": {"kind": "webhook", "format": "json", "url": server.url}},
        digest_day="wednesday",
    )
    proc = send(tmp_path, "--if-due", now="2026-11-25T10:00:00Z")
    assert proc.returncode == 0, proc.stderr
    (body,) = hook.taken
    assert body["period"]["since"][:10] == "2026-11-18"
