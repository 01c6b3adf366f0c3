"""The ``email`` connector's own logic, without servers: options, which messages are
questions, checkpoints and UIDVALIDITY, threads, the reply message, and how IMAP and SMTP
failures are reported (a refusal before DATA is not delivered; after it, unknown)."""

from __future__ import annotations

import asyncio
import imaplib
import smtplib
import socket
import ssl
from datetime import timedelta
from email import message_from_bytes, policy
from email.utils import format_datetime

import pytest

from cxdaily.connectors import email_fetch
from cxdaily.connectors.email import EmailConnector
from cxdaily.connectors.email_fetch import matches, native_id
from cxdaily.connectors.email_imap import ImapSession, connection_error
from cxdaily.connectors.email_smtp import (
    MailNotSentError,
    OutgoingMail,
    build_reply,
    reply_message_id,
    send,
)
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError, CredentialError
from cxdaily.core.hosts import is_loopback_host
from cxdaily.replies.outbox import may_have_reached_service
from cxdaily.settings import ChannelSettings
from tests.unit.connectors.email_kit import (
    BASE,
    LEADER,
    NOW,
    FakeFolders,
    FakeSession,
    connector,
    question,
    raw,
    run,
)


# ----------------------------------------------------------------------------- options
def test_ports_follow_the_tls_modes():
    assert (connector().imap_port, connector().smtp_port) == (993, 465)
    c = connector(imap_tls="starttls", smtp_tls="starttls")
    assert (c.imap_port, c.smtp_port) == (143, 587)
    assert connector(imap_port=1993).imap_port == 1993


def test_plain_text_only_to_a_loopback_host():
    with pytest.raises(ConfigError) as caught:
        connector(imap_tls="plain")
    text = str(caught.value)
    assert text.startswith("[channels.mail] imap_tls") and "loopback" in text and "\n" not in text
    assert connector(imap_host="127.0.0.1", imap_tls="plain", smtp_host="localhost",
                     smtp_tls="plain").imap_tls == "plain"  # fmt: skip
    assert is_loopback_host("::1") and is_loopback_host("[::1]")
    assert not is_loopback_host("10.0.0.1")


def test_missing_and_bad_options_are_one_line_errors():
    with pytest.raises(ConfigError, match=r"^\[channels\.mail\] needs smtp_host"):
        EmailConnector(
            ChannelSettings("mail", "email", {k: v for k, v in BASE.items() if k != "smtp_host"})
        )
    with pytest.raises(ConfigError, match="from_address must be an email address"):
        connector(from_address="support")
    with pytest.raises(ConfigError, match="imap_tls must be one of"):
        connector(imap_tls="tls")


def test_address_lists_from_toml_lists_or_commas():
    c = connector(only_to=["Help@Acme.test", "acme.io"], skip_from="noreply@x.test, @spam.test")
    assert c.option("only_to") == ("help@acme.test", "acme.io")
    assert c.option("skip_from") == ("noreply@x.test", "spam.test")
    with pytest.raises(ConfigError, match="only_to"):
        connector(only_to=[3])


# ----------------------------------------------------------------------------- which mail
def test_addresses_and_domains_match():
    assert matches("ana@customer.test", ("customer.test",))
    assert matches("ana@customer.test", ("ana@customer.test",))
    assert not matches("ana@customer.test", ("other.test", "bob@customer.test"))


def test_automated_own_and_skipped_senders_are_not_questions():
    session = FakeSession({
        1: raw("<q@c>"),
        2: raw("<auto@c>", "bot@c.test", Auto_Submitted="auto-replied"),
        3: raw("<own@a>", f"Support <{LEADER}>", To="team@acme.test"),
        4: raw("<nr@c>", "noreply@shop.test"),
        5: raw("<list@c>", "news@c.test", List_Id="<news.c.test>", Precedence="list"),
    })  # fmt: skip
    result = run(session, skip_from=("shop.test",))
    assert [q.native_id for q in result.questions] == ["q@c"]


def test_only_to_keeps_mail_sent_to_those_addresses_including_delivered_to():
    session = FakeSession({
        1: raw("<a@c>", To="sales@acme.test"),
        2: raw("<b@c>", To="help@acme.test"),
        3: raw("<c@c>", To="list@lists.test", Delivered_To="help@acme.test"),
    })  # fmt: skip
    result = run(session, only_to=("help@acme.test",))
    assert sorted(q.native_id for q in result.questions) == ["b@c", "c@c"]


# ----------------------------------------------------------------------------- checkpoints
def test_the_first_fetch_reads_the_window_and_remembers_the_folder():
    session = FakeSession({3: raw("<a@c>"), 9: raw("<b@c>")})
    result = run(session)
    assert session.searches == [("SINCE", "20-Nov-2026")]
    assert result.checkpoint == {"uidvalidity": 7, "last_uid": 9}
    question = result.questions[0]
    assert question.id == "mail:a@c" and question.meta["uid"] == 3
    assert question.meta["message_id"] == "<a@c>" and question.meta["service"] == "email"


def test_a_later_fetch_asks_for_new_uids_and_drops_the_highest_one_returned():
    session = FakeSession({3: raw("<a@c>"), 9: raw("<b@c>")})
    result = run(session, {"uidvalidity": 7, "last_uid": 9})
    assert session.searches == [("UID", "10:*")]
    assert result.questions == [] and session.fetches == []
    assert result.checkpoint == {"uidvalidity": 7, "last_uid": 9}
    session.messages[12] = raw("<c@c>")
    result = run(session, result.checkpoint)
    assert [q.native_id for q in result.questions] == ["c@c"]
    assert result.checkpoint == {"uidvalidity": 7, "last_uid": 12}


def test_a_changed_uidvalidity_reads_the_window_again_with_the_same_ids():
    session = FakeSession({3: raw("<a@c>")})
    first = run(session)
    session = FakeSession({1: raw("<a@c>"), 2: raw("<b@c>")}, uidvalidity=99)
    again = run(session, first.checkpoint)
    assert session.searches == [("SINCE", "20-Nov-2026")]
    assert [q.id for q in again.questions] == ["mail:a@c", "mail:b@c"]
    assert any("UIDVALIDITY" in w for w in again.warnings)
    assert again.checkpoint == {"uidvalidity": 99, "last_uid": 2}


def test_a_big_mailbox_is_read_in_batches_over_several_fetches(monkeypatch):
    monkeypatch.setattr(email_fetch, "MAX_MESSAGES_PER_FETCH", 5)
    session = FakeSession({u: raw(f"<m{u}@c>") for u in range(1, 13)})
    first = run(session, batch_size=2)
    assert session.fetches == [[1, 2], [3, 4], [5]]
    assert len(first.questions) == 5 and any("the rest comes" in w for w in first.warnings)
    assert first.checkpoint == {"uidvalidity": 7, "last_uid": 5, "since": "20-Nov-2026"}
    second = run(session, first.checkpoint, batch_size=2)
    assert session.searches[-1] == ("UID", "6:*", "SINCE", "20-Nov-2026")
    third = run(session, second.checkpoint, batch_size=10)
    assert len(third.questions) == 2 and third.checkpoint == {"uidvalidity": 7, "last_uid": 12}


def test_a_mailbox_of_50000_messages_is_never_read_at_once():
    date = format_datetime(NOW - timedelta(hours=1)).encode()
    session = FakeSession({
        uid: b"From: a@c.test\r\nTo: support@acme.test\r\nSubject: n\r\nMessage-ID: <m%d@c>\r\n"
        b"Date: %s\r\n\r\nbody\r\n" % (uid, date)
        for uid in range(1, 50_001)
    })  # fmt: skip
    first = run(session)
    assert len(session.fetches) == 1000 // 50 and max(map(len, session.fetches)) == 50
    assert len(first.questions) == 1000
    assert first.checkpoint == {"uidvalidity": 7, "last_uid": 1000, "since": "20-Nov-2026"}
    second = run(session, first.checkpoint)
    assert second.questions[0].native_id == "m1001@c"
    assert second.checkpoint["last_uid"] == 2000


def test_an_unreadable_message_is_a_warning_and_the_rest_come():
    session = FakeSession({1: b"\x00\x01 not mail at all", 2: raw("<b@c>")})
    result = run(session)
    assert [q.native_id for q in result.questions] == ["b@c"]
    assert result.warnings == ["message UID 1 could not be read (not an email); skipped"]


def test_ids_come_from_the_message_id_or_a_hash():
    assert native_id("<a@c>", b"x") == "a@c"
    assert native_id(None, b"same") == native_id(None, b"same") != native_id(None, b"other")
    assert native_id("<" + "x" * 300 + ">", b"").startswith("sha256-")


# ----------------------------------------------------------------------------- threads
def test_a_thread_gives_context_and_the_team_answer_settles_it():
    session = FakeSession({
        1: raw("<t1@c>", subject="Billing", body="Can I change it?", hours_ago=5),
        2: raw("<t2@c>", subject="Re: Billing", body="Any news?", hours_ago=4,
               In_Reply_To="<t1@c>", References="<t1@c>"),
        3: raw("<x1@c>", "Bo <bo@c.test>", subject="Login", hours_ago=3),
        4: raw("<r1@a>", "Kim <kim@acme.test>", subject="Re: Login", hours_ago=2,
               To="bo@c.test", In_Reply_To="<x1@c>", References="<x1@c>"),
        5: raw("<s2@c>", subject="Re: Billing", body="Hello??", hours_ago=1),
    })  # fmt: skip
    result = run(session)
    questions = {q.native_id: q for q in result.questions}
    assert sorted(questions) == ["s2@c", "t1@c", "t2@c"]
    assert [m.body for m in questions["t2@c"].context] == ["Can I change it?"]
    assert questions["t2@c"].thread_id == "t1@c"
    assert questions["s2@c"].thread_id == "t1@c", "threaded by subject and correspondent"
    assert [q.native_id for q in result.settled] == ["x1@c"]
    assert result.settled[0].meta["team_answered"] is True


def test_earlier_messages_of_the_thread_are_looked_up_by_message_id():
    session = FakeSession({1: raw("<q@c>", body="It crashes.", hours_ago=30)})
    first = run(session)
    session.messages[2] = raw("<q2@c>", subject="Re: Help", body="Still?", In_Reply_To="<q@c>",
                              References="<q@c>")  # fmt: skip
    second = run(session, first.checkpoint)
    (question,) = second.questions
    assert question.native_id == "q2@c" and question.thread_id == "q@c"
    assert [m.body for m in question.context] == ["It crashes."]
    assert ("HEADER", "Message-ID", "<q@c>") in session.searches
    assert session.fetches[-1] == [1], "only the message named, never the folder"


def test_a_team_reply_in_a_later_fetch_settles_the_earlier_question():
    session = FakeSession({1: raw("<q@c>", hours_ago=30)})
    first = run(session)
    assert [q.native_id for q in first.questions] == ["q@c"]
    session.messages[2] = raw(
        "<r@a>",
        "Kim <kim@acme.test>",
        subject="Re: Help",
        To="ana@customer.test",
        In_Reply_To="<q@c>",
        References="<q@c>",
    )
    second = run(session, first.checkpoint)  # fmt: skip
    assert second.questions == []
    (settled,) = second.settled
    assert settled.id == "mail:q@c" and settled.meta["team_answered"] is True
    assert settled.meta["uid"] == 1


def test_a_message_answered_in_the_mail_client_is_settled():
    session = FakeSession({1: raw("<a@c>")})
    session.flags[1] = frozenset({"\\Answered"})
    result = run(session)
    assert result.questions == [] and [q.native_id for q in result.settled] == ["a@c"]


# ----------------------------------------------------------------------------- replies


def test_the_reply_is_threaded_and_carries_a_message_id_from_the_key():
    c = connector(from_name="Acme Support")
    mail = c.reply_mail(question(), "Merci, c'est réglé.", "key-1")
    message = message_from_bytes(mail.message.as_bytes(), policy=policy.default)
    assert message["From"] == f"Acme Support <{LEADER}>"
    assert message["To"] == "ana@c.test" and message["Cc"] is None and message["Bcc"] is None
    assert message["Subject"] == "Re: Invoice"
    assert message["In-Reply-To"] == "<q1@c>"
    assert message["References"] == "<t@c> <q1@c>"
    assert message["Message-ID"] == "<cxdaily.key-1@acme.test>" == c.our_message_id("key-1")
    assert message["Content-Transfer-Encoding"] == "quoted-printable"
    assert message.get_content_type() == "text/plain" and message.get_content_charset() == "utf-8"
    assert message.get_content() == "Merci, c'est réglé.\n"
    assert mail.recipients == ("ana@c.test", LEADER), "our own copy, in the envelope only"
    again = c.reply_mail(question(), "Merci, c'est réglé.", "key-1")
    assert again.message_id == mail.message_id


def test_reply_to_wins_and_reply_all_keeps_the_others_but_not_us():
    c = connector(reply_all=True)
    mail = c.reply_mail(question(reply_to=["help@c.test"]), "Done.", "k")
    assert mail.message["To"] == "help@c.test"
    assert mail.message["Cc"] == "ops@c.test, boss@c.test"
    assert mail.recipients == ("help@c.test", "ops@c.test", "boss@c.test", LEADER)


def test_message_ids_are_safe_whatever_the_key():
    assert reply_message_id("a b<c>", "x@y.test") == "<cxdaily.a-b-c-@y.test>"


class FakeSmtp:
    """Answers each SMTP step as told; records what was sent."""

    def __init__(self, *, rcpt=250, data=354, after=250, drop=False) -> None:
        self.codes = {"rcpt": rcpt, "data": data, "after": after}
        self.drop = drop
        self.sent: list[bytes] = []

    def has_extn(self, name: str) -> bool:
        return name in ("auth", "8bitmime")

    def mail(self, sender, options=()):
        return 250, b"ok"

    def rcpt(self, recipient):
        return self.codes["rcpt"], b"5.1.1 no such user"

    def rset(self):
        return 250, b"ok"

    def docmd(self, command):
        return self.codes["data"], b"go on"

    def send(self, data):
        self.sent.append(data)
        if self.drop:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    def getreply(self):
        return self.codes["after"], b"4.3.0 try later"


def outgoing() -> OutgoingMail:
    return build_reply(to=["ana@c.test"], cc=[], subject="Re: x", in_reply_to="<q@c>",
                       references=[], body=".hidden dot\nline", message_id="<m@a>",
                       from_address=LEADER, from_name=None, self_copy=True, now=NOW)  # fmt: skip


def test_a_refusal_before_data_was_not_sent():
    for smtp in (FakeSmtp(rcpt=550), FakeSmtp(data=554)):
        with pytest.raises(MailNotSentError) as caught:
            send(smtp, outgoing(), "SMTP server s:465", "mail")  # type: ignore[arg-type]
        assert not may_have_reached_service(caught.value) and smtp.sent == []


def test_a_failure_after_data_is_an_unknown_outcome():
    for smtp in (FakeSmtp(after=451), FakeSmtp(drop=True)):
        with pytest.raises(ConnectorError) as caught:
            send(smtp, outgoing(), "SMTP server s:465", "mail")  # type: ignore[arg-type]
        assert not isinstance(caught.value, MailNotSentError)
        assert may_have_reached_service(caught.value)
        assert "may have been delivered" in str(caught.value)
    assert smtp.sent[0].endswith(b"..hidden dot\r\nline\r\n.\r\n")


def find_own_reply(session: FakeFolders, monkeypatch, **options):
    """``find_own_reply`` for the reply with key ``key-1`` on a channel over ``session``."""
    monkeypatch.setattr(EmailConnector, "imap", lambda self: session)
    return asyncio.run(connector(**options).find_own_reply(question(), "Done.", "key-1"))


OUR_COPY = raw("<cxdaily.key-1@acme.test>", f"Support <{LEADER}>", To="ana@c.test")


def test_our_copy_delivered_to_inbox_is_found_when_questions_come_from_another_folder(
    monkeypatch,
):
    session = FakeFolders({"Support": {3: raw("<q1@c>")}, "INBOX": {9: OUR_COPY}})
    found = find_own_reply(session, monkeypatch, folder="Support")
    assert found is not None and found.remote_id == "<cxdaily.key-1@acme.test>"
    assert session.opened[:2] == ["Support", "INBOX"]
    assert session.flags == {3: frozenset({"\\Answered"})}, "the original, as after a send"


@pytest.mark.parametrize("folder", ["INBOX", "inbox"])
def test_the_inbox_is_searched_once_whatever_its_case(monkeypatch, folder):
    session = FakeFolders({})
    assert find_own_reply(session, monkeypatch, folder=folder, sent_folder="Sent") is None
    assert session.opened == [folder, "Sent"]


def test_a_folder_that_cannot_be_opened_costs_only_that_folder(monkeypatch):
    session = FakeFolders({"INBOX": {9: OUR_COPY}}, broken=("Sent",))
    found = find_own_reply(session, monkeypatch, folder="Support", sent_folder="Sent")
    assert found is not None and session.opened[:3] == ["Support", "Sent", "INBOX"]
    with pytest.raises(ConnectorError, match="refused SELECT Sent"):  # never "not sent"
        find_own_reply(FakeFolders({}, broken=("Sent",)), monkeypatch, sent_folder="Sent")


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("exc", "said"),
    [
        (ConnectionRefusedError(111, "refused"), "IMAP server h:993 refused the connection"),
        (TimeoutError(), "did not answer in time while connecting"),
        (socket.gaierror(-2, "Name or service not known"), "no such host"),
        (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), "TLS with"),
        (imaplib.IMAP4.abort("socket error: EOF"), "dropped the connection"),
    ],
)
def test_network_failures_are_one_line(exc, said):
    error = connection_error(exc, "connecting", "IMAP server h:993", "mail", "IMAP")
    assert said in str(error) and str(error).startswith("mail: ") and "\n" not in str(error)


def test_a_refused_imap_login_names_the_user_not_the_password(monkeypatch):
    class Refusing:
        def __init__(self, *args, **kwargs):
            self.state = "NONAUTH"

        def login(self, user, password):
            raise imaplib.IMAP4.error(f"[AUTHENTICATIONFAILED] bad password {password}")

        def logout(self):
            return "BYE", []

    monkeypatch.setattr(imaplib, "IMAP4_SSL", Refusing)
    c = connector()
    with pytest.raises(AuthError) as caught:
        asyncio.run(c.fetch(None))
    text = str(caught.value)
    assert "IMAP login refused for support@acme.test" in text and "cxdaily login mail" in text
    assert "pw-Secret-1234" not in text


def test_each_server_reads_its_own_password_or_the_shared_one():
    c = connector({"": "shared-pw", "smtp_password": "smtp-only"})
    assert c.password("imap_password") == "shared-pw"
    assert c.password("smtp_password") == "smtp-only"
    with pytest.raises(CredentialError) as caught:
        connector({}).password("imap_password")
    message = str(caught.value)
    assert "`cxdaily login mail`" in message
    assert "CXDAILY_SECRET_MAIL or CXDAILY_SECRET_MAIL_IMAP_PASSWORD" in message


def test_the_password_never_leaves_in_an_error(monkeypatch):
    c = connector()

    def leaky(self):
        self.password("imap_password")
        raise ConnectorError("server said: pw-Secret-1234 is wrong", channel="mail")

    monkeypatch.setattr(EmailConnector, "imap", leaky)
    with pytest.raises(ConnectorError) as caught:
        asyncio.run(c.check())
    assert "pw-Secret-1234" not in str(caught.value) and "***" in str(caught.value)


def test_a_session_refuses_non_ascii_folder_names():
    session = ImapSession.__new__(ImapSession)
    session.channel = "mail"
    with pytest.raises(ConnectorError, match="plain ASCII"):
        session.open_folder("Entrée")
