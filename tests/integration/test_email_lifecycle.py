"""The ``email`` kind through the real command line and the app, against real mail servers
on loopback (Dovecot for IMAP, aiosmtpd for SMTP): add, login into the keyring, test,
fetch (nothing marked read), reply (threaded, flagged answered, filed in Sent), a second
fetch of new UIDs only, a recreated folder without duplicates, a reply sent exactly once
across an SMTP failure after DATA and a process killed mid-send, and without
``sent_folder`` the folder Dovecot marks ``\\Sent`` read for the team's answers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app
from tests.integration.cli_kit import REPO
from tests.integration.mail_servers_kit import Dovecot, SmtpSink, require_dovecot

pytestmark = pytest.mark.integration

LEADER = "support@acme.test"
IMAP_PASSWORD = "imap-Pw-48213-secret"
SMTP_PASSWORD = "smtp-Pw-93771-secret"
TEXT = "Thanks Ana, the export works again: please try once more."


def mail(
    message_id: str, subject: str, sender: str, body: str, *, hours_ago: float = 2, **headers: str
) -> EmailMessage:
    """A message as a customer's client would send it to the support address."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = headers.pop("To", LEADER)
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(datetime.now(UTC) - timedelta(hours=hours_ago))
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


SHAPES = [
    ("<q1@customer.test>", "Invoice export fails", "Ana <ana@customer.test>",
     "My invoice export fails every time.", 5, {}),
    ("<t1@customer.test>", "Billing email", "Ben <ben@customer.test>",
     "Can I change the billing email?", 4, {}),
    ("<t2@customer.test>", "Re: Billing email", "Ben <ben@customer.test>",
     "Any news?\n\n> Can I change the billing email?", 3,
     {"In_Reply_To": "<t1@customer.test>", "References": "<t1@customer.test>"}),
    ("<c1@customer.test>", "Problème de connexion", "Chloé <chloe@customer.test>",
     "Je ne peux plus me connecter à mon compte.", 2,
     {"Reply_To": "help@customer.test", "Cc": "boss@customer.test"}),
    ("<h1@customer.test>", "Refund", "Hugo <hugo@customer.test>",
     "<p>Where is my <b>refund</b>?</p><p>Order 1234</p>", 1.5, {"html": "yes"}),
    ("<auto@customer.test>", "Automatic reply: out of office", "dan@customer.test",
     "I am away until Monday.", 1, {"Auto_Submitted": "auto-replied"}),
    ("<note@acme.test>", "Weekly note", f"Support <{LEADER}>", "Notes for the team.", 1,
     {"To": "team@acme.test"}),
]  # fmt: skip


def inbox(dovecot: Dovecot, folder: str = "INBOX") -> None:
    """Several shapes: a plain question, a thread of two, a reply-to with Cc, a French one,
    an HTML-only one, an auto-reply, one from the leader, and one older than the first
    window."""
    for message_id, subject, sender, body, hours_ago, headers in SHAPES:
        extra = dict(headers)
        html = extra.pop("html", None)
        message = mail(message_id, subject, sender, body, hours_ago=hours_ago, **extra)
        if html:
            message.set_content(body, subtype="html")
        dovecot.deliver(message, folder)
    old = mail("<old@customer.test>", "Old question", "eve@customer.test", "From long ago.",
               hours_ago=24 * 40)  # fmt: skip
    dovecot.deliver(old, folder, when=time.time() - 40 * 86400)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[Dovecot, SmtpSink]]:
    """Dovecot with the leader's mailbox, and an SMTP server that files mail for the
    leader's own address in that mailbox (as the provider would)."""
    require_dovecot()
    dovecot = Dovecot(tmp_path / "dovecot", user="leader", password=IMAP_PASSWORD).start()
    sink = SmtpSink(
        user="leader", password=SMTP_PASSWORD, mailbox=dovecot, local_addresses=(LEADER,)
    )
    sink.start()
    try:
        yield dovecot, sink
    finally:
        sink.hang_after_data = 0
        sink.stop()
        dovecot.stop()


def home_with_email(
    tmp_path: Path, dovecot: Dovecot, sink: SmtpSink, **more: str | None
) -> ChannelHome:
    """A leader's home with the channel added and both passwords stored by ``login``
    (an option given as ``None`` is left out)."""
    home = ChannelHome(tmp_path)
    options = {
        "imap_host": "127.0.0.1",
        "imap_port": str(dovecot.port),
        "imap_tls": "plain",
        "smtp_host": "127.0.0.1",
        "smtp_port": str(sink.port),
        "smtp_tls": "plain",
        "username": "leader",
        "from_address": LEADER,
        "sent_folder": "Sent",
        **more,
    }
    home.add("mail", "email", **{k: v for k, v in options.items() if v is not None})
    home.login("mail", {"imap_password": IMAP_PASSWORD, "smtp_password": SMTP_PASSWORD})
    return home


def fetched(home: ChannelHome) -> dict[str, dict]:
    """``cxdaily fetch --json``: the questions fetched, by id."""
    lines = home.ok("fetch", "--json").splitlines()
    return {q["id"]: q for q in (json.loads(line) for line in lines if line.strip())}


def checkpoint(home: ChannelHome) -> dict:
    """The channel's stored checkpoint (read from the data file)."""
    for path in home.folder.rglob("questions.json"):
        table = json.loads(path.read_text()).get("checkpoints", {})
        for doc in table.values():
            if doc.get("channel") == "mail":
                return doc["value"]
    raise AssertionError("no checkpoint stored")


def no_secret(home: ChannelHome, *outputs: str) -> None:
    for secret in (IMAP_PASSWORD, SMTP_PASSWORD):
        assert all(secret not in text for text in outputs)
        assert secret not in home.files_text()


def test_add_login_test_fetch_reply_and_fetch_again(tmp_path, servers):
    dovecot, sink = servers
    inbox(dovecot)
    home = home_with_email(tmp_path, dovecot, sink)
    outputs = [home.ok("channels", "test", "mail")]
    assert "INBOX has 8 messages" in outputs[0] and "login accepted" in outputs[0]

    questions = fetched(home)
    assert sorted(questions) == [
        "mail:c1@customer.test",
        "mail:h1@customer.test",
        "mail:q1@customer.test",
        "mail:t1@customer.test",
        "mail:t2@customer.test",
    ]  # not the auto-reply, not the leader's own, not the one older than 14 days
    follow_up = questions["mail:t2@customer.test"]
    assert follow_up["thread_id"] == "t1@customer.test"
    assert follow_up["body"] == "Any news?"
    assert [m["body"] for m in follow_up["context"]] == ["Can I change the billing email?"]
    assert follow_up["author"] == {
        "id": "ben@customer.test", "handle": "ben@customer.test", "name": "Ben", "followers": None
    }  # fmt: skip
    assert questions["mail:c1@customer.test"]["title"] == "Problème de connexion"
    assert questions["mail:c1@customer.test"]["meta"]["reply_to"] == ["help@customer.test"]
    refund = questions["mail:h1@customer.test"]["body"]
    assert "Where is my refund?" in refund and "Order 1234" in refund and "<" not in refund
    assert all("\\Seen" not in flags for flags in dovecot.flags().values())

    first = "mail:q1@customer.test"
    outputs.append(home.ok("reply", first, "--text", TEXT, "--yes"))
    assert len(sink.received) == 1
    got = sink.received[0]
    assert got.mail_from == LEADER and sorted(got.recipients) == ["ana@customer.test", LEADER]
    message = got.message
    assert message["To"] == "ana@customer.test" and message["Bcc"] is None
    assert message["Subject"] == "Re: Invoice export fails"
    assert message["In-Reply-To"] == "<q1@customer.test>"
    assert message["References"] == "<q1@customer.test>"
    assert message["Message-ID"].startswith("<cxdaily.") and message["Message-ID"].endswith(
        "@acme.test>"
    )
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content().strip() == TEXT
    (stored,) = home.outbox()
    assert stored["state"] == "sent" and stored["remote_id"] == message["Message-ID"]
    flags = dovecot.flags()
    assert "\\Answered" in flags["<q1@customer.test>"]
    assert "\\Answered" not in flags["<t1@customer.test>"]
    assert [m["Message-ID"] for m in dovecot.messages("Sent")] == [message["Message-ID"]]

    # the second fetch asks for new UIDs only: a message filed now with an old arrival
    # date is found (a date search would miss it), and nothing already read comes back
    before = checkpoint(home)
    dovecot.deliver(
        mail("<late@customer.test>", "Late one", "fay@customer.test", "Is it fixed?",
             hours_ago=24 * 30),
        when=time.time() - 30 * 86400,
    )  # fmt: skip
    again = fetched(home)
    assert sorted(again) == ["mail:late@customer.test"]
    after = checkpoint(home)
    assert after["uidvalidity"] == before["uidvalidity"] and after["last_uid"] > before["last_uid"]
    assert "since" not in after
    assert len(sink.received) == 1
    no_secret(home, *outputs)


def test_a_recreated_folder_is_read_again_without_duplicates(tmp_path, servers):
    dovecot, sink = servers
    dovecot.create_folder("Support")
    inbox(dovecot, "Support")
    home = home_with_email(tmp_path, dovecot, sink, folder="Support")
    first = fetched(home)
    assert len(first) == 5
    validity = checkpoint(home)["uidvalidity"]
    dovecot.delete_folder("Support")
    time.sleep(1.1)  # UIDVALIDITY is a time in seconds
    dovecot.create_folder("Support")
    inbox(dovecot, "Support")
    dovecot.deliver(mail("<new@customer.test>", "New", "gus@customer.test", "Hello?"), "Support")
    done = home.run("fetch", "--json")
    assert done.returncode == 0, done.stderr
    assert "UIDVALIDITY" in done.stderr + done.stdout
    assert checkpoint(home)["uidvalidity"] != validity
    ids = home.batch_ids()
    assert len(ids) == len(set(ids))
    assert {*first, "mail:new@customer.test"} >= set(ids) and "mail:new@customer.test" in ids


def test_a_wrong_password_is_one_clear_line_without_the_password(tmp_path, servers):
    dovecot, sink = servers
    home = home_with_email(tmp_path, dovecot, sink)
    home.ok("login", "mail", "--field", "imap_password", input="wrong-Pw-55512\n")
    done = home.run("channels", "test", "mail")
    assert done.returncode != 0
    line = done.stderr.strip()
    assert "IMAP login refused for leader" in line and "cxdaily login mail" in line
    assert "\n" not in line and "wrong-Pw-55512" not in done.stderr + done.stdout


def test_a_teammate_who_answered_meanwhile_is_named_before_sending(tmp_path, servers):
    dovecot, sink = servers
    inbox(dovecot)
    home = home_with_email(tmp_path, dovecot, sink)
    home.ok("fetch")
    dovecot.deliver(
        mail("<kim1@acme.test>", "Re: Invoice export fails", "Kim <kim@acme.test>",
             "Fixed on our side, Ana.", hours_ago=0.5, To="ana@customer.test", Cc=LEADER,
             In_Reply_To="<q1@customer.test>", References="<q1@customer.test>")
    )  # fmt: skip
    done = home.run("reply", "mail:q1@customer.test", "--text", TEXT)  # asks; no one says yes
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert 'Kim answered since the question was loaded: "Fixed on our side, Ana."' in done.stderr
    assert sink.received == [] and home.outbox() == []


# ----------------------------------------------------------------------------- exactly once
def test_an_smtp_failure_after_data_is_found_and_not_sent_again(tmp_path, servers):
    dovecot, sink = servers
    inbox(dovecot)
    home = home_with_email(tmp_path, dovecot, sink)
    home.ok("fetch")
    sink.fail_after_data = 1  # received and delivered, but the client hears 451
    failed = home.run("reply", "mail:q1@customer.test", "--text", TEXT, "--yes")
    assert "Traceback" not in failed.stderr
    (reply,) = home.outbox()
    assert reply["state"] == "failed" and reply["uncertain"] is True, reply
    assert len(sink.received) == 1
    retried = home.ok("outbox", "retry")
    assert f"sent reply {reply['id']}" in retried
    assert len(sink.received) == 1, "found by its Message-ID, not sent again"
    (reply,) = home.outbox()
    assert reply["state"] == "sent"
    assert reply["remote_id"] == sink.received[0].message["Message-ID"]
    assert "\\Answered" in dovecot.flags()["<q1@customer.test>"]
    no_secret(home, failed.stdout, failed.stderr, retried)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_process_killed_mid_send_is_found_and_not_sent_again(tmp_path, servers):
    dovecot, sink = servers
    inbox(dovecot)
    home = home_with_email(tmp_path, dovecot, sink)
    home.ok("fetch")
    sink.hang_after_data = 30  # the message is in; the answer never comes before the kill
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CXDAILY_SECRET_")},
        "CXDAILY_HOME": str(home.folder),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        **home.env,
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "cxdaily", "reply", "mail:q1@customer.test", "--text", TEXT,
         "--yes"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=home.folder,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not sink.received:
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "never sent"
            time.sleep(0.02)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert child.returncode == -signal.SIGKILL
    (reply,) = home.outbox()
    assert reply["state"] == "sending", "killed mid-send: the store says sending"
    sink.hang_after_data = 0
    retried = home.ok("outbox", "retry")
    assert f"sent reply {reply['id']}" in retried
    assert len(sink.received) == 1, "found by its Message-ID, not sent again"
    (reply,) = home.outbox()
    assert reply["state"] == "sent"
    assert reply["remote_id"] == sink.received[0].message["Message-ID"]
    assert "\\Answered" in dovecot.flags()["<q1@customer.test>"]


async def test_a_reply_sent_from_the_app_goes_out_by_smtp(tmp_path, servers, monkeypatch):
    dovecot, sink = servers
    dovecot.deliver(mail("<q1@customer.test>", "Invoice export fails", "Ana <ana@customer.test>",
                         "My invoice export fails every time."))  # fmt: skip
    home = home_with_email(tmp_path, dovecot, sink)
    home.ok("fetch")
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we fixed it.")
    assert question_id == "mail:q1@customer.test"
    assert len(sink.received) == 1
    message = sink.received[0].message
    assert message["In-Reply-To"] == "<q1@customer.test>"
    assert message.get_content().strip() == "Thanks, we fixed it."
    assert "\\Answered" in dovecot.flags()["<q1@customer.test>"]
    no_secret(home)


# ----------------------------------------------------------------------------- Sent by its mark
def test_without_sent_folder_the_servers_sent_folder_is_read_and_never_filed_in(tmp_path, servers):
    """Dovecot marks ``Sent`` with ``special_use = \\Sent`` (see ``mail_servers_kit``)."""
    dovecot, sink = servers
    ana, ben, chloe = "<q1@customer.test>", "<b1@customer.test>", "<c1@customer.test>"
    dovecot.deliver(mail(ana, "Invoice export fails", "Ana <ana@customer.test>",
                         "My invoice export fails.", hours_ago=3))  # fmt: skip
    dovecot.deliver(mail(ben, "Billing email", "Ben <ben@customer.test>", "Can I change it?"))
    dovecot.deliver(mail(chloe, "Login", "Chloé <chloe@customer.test>", "I cannot log in."))
    dovecot.deliver(
        mail("<kim1@acme.test>", "Re: Invoice export fails", "Kim <kim@acme.test>",
             "Fixed on our side, Ana.", hours_ago=1, To="ana@customer.test",
             In_Reply_To=ana, References=ana),
        "Sent",
    )  # fmt: skip
    home = home_with_email(tmp_path, dovecot, sink, sent_folder=None)
    tested = home.ok("channels", "test", "mail")
    assert "Sent folder Sent (marked \\Sent by the server)" in tested

    assert sorted(fetched(home)) == ["mail:b1@customer.test", "mail:c1@customer.test"]
    assert sorted(home.batch_ids()) == ["mail:b1@customer.test", "mail:c1@customer.test"]
    assert checkpoint(home)["sent"]["folder"] == "Sent"

    # answered from another client after the fetch: the next fetch settles it
    dovecot.deliver(
        mail("<kim2@acme.test>", "Re: Billing email", "Kim <kim@acme.test>", "Done, Ben.",
             hours_ago=0.5, To="ben@customer.test", In_Reply_To=ben, References=ben),
        "Sent",
    )  # fmt: skip
    assert fetched(home) == {}
    assert home.batch_ids() == ["mail:c1@customer.test"]

    # the provider files our own copy in Sent; an unknown outcome finds it there
    sink.local_folder = "Sent"
    sink.fail_after_data = 1
    failed = home.run("reply", "mail:c1@customer.test", "--text", TEXT, "--yes")
    assert "Traceback" not in failed.stderr
    retried = home.ok("outbox", "retry")
    assert "sent reply" in retried and len(sink.received) == 1, "found, not sent again"
    (reply,) = home.outbox()
    assert reply["state"] == "sent"
    ours = sink.received[0].message["Message-ID"]
    in_sent = [m["Message-ID"] for m in dovecot.messages("Sent")]
    assert in_sent == ["<kim1@acme.test>", "<kim2@acme.test>", ours], "no copy filed by us"
    assert "\\Answered" in dovecot.flags()[chloe]
