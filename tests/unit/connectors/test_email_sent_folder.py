"""The ``email`` channel's Sent folder: found by its ``\\Sent`` special-use mark (RFC 6154)
when ``sent_folder`` is not set, read for the team's answers, searched for our own reply,
never given a copy of a reply; a server without the extension, a damaged or failed LIST,
and a configured ``sent_folder`` behave as before. The real IMAP session runs against
the fake server of ``email_kit``."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from cxdaily.connectors import email as email_module
from cxdaily.connectors.email_imap import ImapSession
from cxdaily.connectors.email_special_use import (
    listed_folders,
    marked_folder,
    readable_folder_name,
)
from tests.unit.connectors.email_kit import LEADER, LOOPBACK, NOW, ImapServer, connector, question
from tests.unit.connectors.email_kit import raw as mail

#: RFC 6154 section 5.1's answer to ``LIST "" "%"``, as imaplib returns it.
RFC_LISTING = [
    b'(\\Marked \\HasNoChildren) "/" Inbox',
    b'(\\HasNoChildren) "/" ToDo',
    b'(\\HasChildren) "/" Projects',
    b'(\\Sent \\HasNoChildren) "/" SentMail',
    b'(\\Marked \\Drafts \\HasNoChildren) "/" MyDrafts',
    b'(\\Trash \\HasNoChildren) "/" Trash',
]
SPECIAL_USE = ("IMAP4rev1", "LIST-EXTENDED", "SPECIAL-USE")
QUESTION = mail("<q1@c>", "Ana <ana@c.test>", subject="Invoice", hours_ago=3)
KIMS_ANSWER = mail(
    "<kim1@acme.test>", "Kim <kim@acme.test>", subject="Re: Invoice", body="Fixed, Ana.",
    hours_ago=1, To="ana@c.test", In_Reply_To="<q1@c>", References="<q1@c>",
)  # fmt: skip
OUR_REPLY = mail("<cxdaily.key-1@acme.test>", f"Support <{LEADER}>", To="ana@c.test")


def session(server: ImapServer, monkeypatch) -> ImapSession:
    """A logged-in session with ``server``."""
    server.install(monkeypatch)
    return ImapSession(host="127.0.0.1", port=1143, tls="plain", username=LEADER,
                       password="pw", timeout=5, channel="mail")  # fmt: skip


def channel(server: ImapServer, monkeypatch, **options):
    """The ``mail`` channel over ``server`` (SMTP answers without a network)."""
    server.install(monkeypatch)
    monkeypatch.setattr(email_module, "open_smtp", lambda *args: object())
    monkeypatch.setattr(email_module, "login", lambda *args: True)
    monkeypatch.setattr(email_module, "send", lambda *args: None)
    monkeypatch.setattr(email_module, "quit_quietly", lambda smtp: None)
    return connector(**LOOPBACK, **options)


# ----------------------------------------------------------------------------- finding it
def test_the_sent_folder_is_the_one_marked_sent_in_an_rfc_6154_listing():
    folders = listed_folders(RFC_LISTING)
    assert [f.name for f in folders] == ["Inbox", "ToDo", "Projects", "SentMail", "MyDrafts",
                                         "Trash"]  # fmt: skip
    assert marked_folder(folders, "\\Sent") == "SentMail"
    assert marked_folder(folders, "\\Drafts") == "MyDrafts"
    assert marked_folder(folders, "\\Junk") is None


def test_the_server_is_asked_with_return_special_use_once_per_session(monkeypatch):
    server = ImapServer({"INBOX": []}, capabilities=SPECIAL_USE, listing=RFC_LISTING)
    imap = session(server, monkeypatch)
    assert imap.special_use("\\Sent") == "SentMail"
    assert imap.special_use("\\Sent") == "SentMail"
    assert server.listed() == ['LIST "" "*" RETURN (SPECIAL-USE)']


def test_without_special_use_advertised_a_plain_list_is_read(monkeypatch):
    server = ImapServer({"INBOX": []}, listing=RFC_LISTING)
    assert session(server, monkeypatch).special_use("\\Sent") == "SentMail"
    assert server.listed() == ['LIST "" "*"']


def test_quoted_literal_and_modified_utf7_names():
    folders = listed_folders([
        b'(\\HasNoChildren) "." "Old \\"Sent\\" things"',
        (b'(\\HasNoChildren \\Sent) "/" {10}', b"Sent Items"),
        b"",  # what imaplib keeps of the line after a literal
        b'(\\HasNoChildren \\Sent) NIL "Envoy&AOk-s"',
        b'(\\HasNoChildren \\Trash) "/" "[Gmail]/Corbeille" ("CHILDINFO" ("SUBSCRIBED"))',
    ])  # fmt: skip
    assert [f.name for f in folders] == [
        'Old "Sent" things',
        "Sent Items",
        "Envoy&AOk-s",
        "[Gmail]/Corbeille",
    ]
    assert marked_folder(folders, "\\SENT") == "Sent Items"
    assert readable_folder_name("Envoy&AOk-s") == "Envoyés"
    assert readable_folder_name("R&-D") == "R&D"
    assert readable_folder_name("Bad&AOk") == "Bad&AOk"  # unterminated: as sent
    assert readable_folder_name("Lone&2AA-") == "Lone&2AA-"  # a lone surrogate: as sent


def test_damaged_list_lines_are_skipped():
    damaged = [
        None,
        b"garbage",
        b'(\\Sent "/" Unbalanced',
        b'(\\Sent) "/" "unterminated',
        b'(\\Sent) "/" "Gesendete \xc3\x9cbersicht"',  # 8-bit: not a modified UTF-7 name
        b'(\\Sent) "/" "Tab\tbed"',
        b'(\\Sent [x]) "/" Odd',
        (b'(\\Sent) "/" Literal', b"Sent"),  # a literal the line does not announce
        (b'(\\Sent) "/" {4}', None),
        b'(\\Noselect \\Sent) "/" Placeholder',
        b'(\\Sent) "/" ""',
    ]
    assert marked_folder(listed_folders(damaged), "\\Sent") is None
    good = b'(\\HasNoChildren \\Sent) "/" Sent'
    assert marked_folder(listed_folders([*damaged, good]), "\\Sent") == "Sent"


@pytest.mark.parametrize("status", ["NO", "BAD", "raise"])
def test_a_failed_list_is_no_sent_folder(monkeypatch, status):
    server = ImapServer({"INBOX": []}, capabilities=SPECIAL_USE, list_status=status)
    server.listing = RFC_LISTING
    assert session(server, monkeypatch).special_use("\\Sent") is None


# ----------------------------------------------------------------------------- fetching
def test_a_colleagues_answer_filed_only_in_the_sent_folder_settles_the_question(monkeypatch):
    server = ImapServer({"INBOX": [QUESTION], "SentMail": [KIMS_ANSWER]},
                        capabilities=SPECIAL_USE, listing=RFC_LISTING)  # fmt: skip
    result = asyncio.run(channel(server, monkeypatch).fetch(None))
    assert result.questions == []
    (settled,) = result.settled
    assert settled.id == "mail:q1@c" and settled.meta["team_answered"] is True
    assert result.checkpoint == {
        "uidvalidity": 7, "last_uid": 1, "sent": {"folder": "SentMail", "uidvalidity": 7,
                                                  "last_uid": 1},
    }  # fmt: skip
    assert len(server.listed()) == 1, "asked once per fetch"


def test_an_answer_filed_in_the_sent_folder_after_a_fetch_settles_it_at_the_next(monkeypatch):
    server = ImapServer({"INBOX": [QUESTION], "SentMail": []},
                        capabilities=SPECIAL_USE, listing=RFC_LISTING)  # fmt: skip
    mailbox = channel(server, monkeypatch)
    first = asyncio.run(mailbox.fetch(None))
    assert [q.id for q in first.questions] == ["mail:q1@c"]
    assert first.checkpoint["sent"] == {"folder": "SentMail", "uidvalidity": 7, "last_uid": 0}
    server.folders["SentMail"][1] = KIMS_ANSWER
    server.folders["SentMail"][2] = mail("<x@c>", "Eve <eve@c.test>", subject="Not ours")
    server.commands.clear()
    second = asyncio.run(mailbox.fetch(first.checkpoint))
    assert second.questions == [], "a customer's mail in Sent is never a question"
    assert [q.id for q in second.settled] == ["mail:q1@c"]
    assert second.settled[0].meta["uid"] == 1, "the stored question, looked up in INBOX"
    assert "UID SEARCH UID 1:*" in server.commands
    assert second.checkpoint["sent"]["last_uid"] == 2


def test_without_the_extension_a_fetch_is_as_before(monkeypatch):
    listing = [b'(\\HasNoChildren) "/" INBOX', b'(\\HasNoChildren) "/" Sent']
    server = ImapServer({"INBOX": [QUESTION], "Sent": [KIMS_ANSWER]}, listing=listing)
    result = asyncio.run(channel(server, monkeypatch).fetch(None))
    assert [q.id for q in result.questions] == ["mail:q1@c"] and result.settled == []
    assert result.checkpoint == {"uidvalidity": 7, "last_uid": 1}
    assert server.opened() == ["INBOX"] and result.warnings == []


def test_a_failed_list_never_fails_the_fetch(monkeypatch):
    server = ImapServer({"INBOX": [QUESTION], "SentMail": [KIMS_ANSWER]},
                        capabilities=SPECIAL_USE, list_status="NO")  # fmt: skip
    result = asyncio.run(channel(server, monkeypatch).fetch(None))
    assert [q.id for q in result.questions] == ["mail:q1@c"] and result.warnings == []


def test_a_sent_folder_that_cannot_be_opened_is_a_warning(monkeypatch):
    server = ImapServer({"INBOX": [QUESTION]}, capabilities=SPECIAL_USE, listing=RFC_LISTING)
    result = asyncio.run(channel(server, monkeypatch).fetch(None))
    assert [q.id for q in result.questions] == ["mail:q1@c"]
    (warning,) = result.warnings
    assert warning.startswith("the team's sent mail in SentMail was not read")
    assert "sent" not in result.checkpoint


def test_a_configured_sent_folder_wins_and_nothing_is_listed(monkeypatch):
    server = ImapServer(
        {"INBOX": [QUESTION], "SentMail": [], "Archive/Sent": [KIMS_ANSWER]},
        capabilities=SPECIAL_USE, listing=RFC_LISTING,
    )  # fmt: skip
    mailbox = channel(server, monkeypatch, sent_folder="Archive/Sent")
    result = asyncio.run(mailbox.fetch(None))
    assert [q.id for q in result.settled] == ["mail:q1@c"]
    answers = asyncio.run(mailbox.answers_since(question(), NOW - timedelta(hours=2)))
    assert [m.body for m in answers] == ["Fixed, Ana."]
    assert "SentMail" not in server.opened() and server.listed() == []


# ----------------------------------------------------------------------------- replying
def test_the_teams_answer_in_the_sent_folder_is_found_before_a_reply(monkeypatch):
    server = ImapServer({"INBOX": [], "SentMail": [KIMS_ANSWER]},
                        capabilities=SPECIAL_USE, listing=RFC_LISTING)  # fmt: skip
    mailbox = channel(server, monkeypatch)
    answers = asyncio.run(mailbox.answers_since(question(), NOW - timedelta(hours=2)))
    assert [(m.author.handle, m.body) for m in answers] == [("kim@acme.test", "Fixed, Ana.")]


def test_our_reply_is_found_in_the_sent_folder_after_an_unknown_outcome(monkeypatch):
    server = ImapServer({"INBOX": [mail("<q1@c>")], "SentMail": [OUR_REPLY]},
                        capabilities=SPECIAL_USE, listing=RFC_LISTING)  # fmt: skip
    mailbox = channel(server, monkeypatch)
    found = asyncio.run(mailbox.find_own_reply(question(), "Done.", "key-1"))
    assert found is not None and found.remote_id == "<cxdaily.key-1@acme.test>"
    assert server.opened()[:2] == ["INBOX", "SentMail"]
    assert server.flags == {("INBOX", 1): {"\\Answered"}}


def test_no_copy_of_a_reply_is_filed_in_a_sent_folder_found_by_its_mark(monkeypatch):
    server = ImapServer({"INBOX": [mail("<q1@c>")], "SentMail": []},
                        capabilities=SPECIAL_USE, listing=RFC_LISTING)  # fmt: skip
    sent = asyncio.run(channel(server, monkeypatch).send_reply(question(), "Done.", "key-1"))
    assert sent.remote_id == "<cxdaily.key-1@acme.test>"
    assert server.appended == [] and server.folders["SentMail"] == {}
    assert server.flags == {("INBOX", 1): {"\\Answered"}}
    configured = channel(server, monkeypatch, sent_folder="SentMail")
    asyncio.run(configured.send_reply(question(), "Done.", "key-2"))
    assert [folder for folder, _ in server.appended] == ["SentMail"]


# ----------------------------------------------------------------------------- channels test
@pytest.mark.parametrize(
    ("options", "listing", "said"),
    [
        ({}, RFC_LISTING, "INBOX has 1 messages, Sent folder SentMail (marked \\Sent by the "
                          "server); SMTP"),
        ({}, [b'(\\Sent) "/" "Envoy&AOk-s"'], "Sent folder Envoyés (marked \\Sent by"),
        ({"sent_folder": "Archive/Sent"}, RFC_LISTING, "Sent folder Archive/Sent (configured)"),
        ({}, [b'(\\HasNoChildren) "/" Sent'], "no Sent folder found (set sent_folder"),
    ],
)  # fmt: skip
def test_channels_test_names_the_sent_folder_on_its_line(monkeypatch, options, listing, said):
    server = ImapServer({"INBOX": [QUESTION]}, capabilities=SPECIAL_USE, listing=listing)
    checked = asyncio.run(channel(server, monkeypatch, **options).check())
    assert said in checked and "\n" not in checked
