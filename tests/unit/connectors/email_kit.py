"""Fakes for the ``email`` connector's tests: a channel, messages, and IMAP at two levels.

- :class:`FakeSession` and :class:`FakeFolders` stand in for
  :class:`~cxdaily.connectors.email_imap.ImapSession` (the commands a fetch and a look-up
  use, over dicts of UID -> raw message).
- :class:`ImapServer` stands in for the server behind :mod:`imaplib`, so the real session
  runs: folders of raw messages, the capabilities it advertises once logged in and its
  answer to ``LIST`` as a test gives them, ``EXAMINE``/``SELECT``, ``UID SEARCH`` (``ALL``,
  ``SINCE``, ``UID n:*``, ``HEADER``, ``OR``), ``UID FETCH``, ``UID STORE`` and ``APPEND``;
  it records each command.
"""

from __future__ import annotations

import imaplib
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import format_datetime
from typing import Any

import pytest

from cxdaily.connectors.base import FetchResult
from cxdaily.connectors.email import EmailConnector
from cxdaily.connectors.email_fetch import FetchRun, MailBox
from cxdaily.connectors.email_imap import Fetched, Folder
from cxdaily.core.errors import ConnectorError, CredentialError
from cxdaily.core.models import Author, Question
from cxdaily.settings import ChannelSettings

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
LEADER = "support@acme.test"
BASE = {
    "imap_host": "imap.acme.test",
    "smtp_host": "smtp.acme.test",
    "username": LEADER,
    "from_address": LEADER,
}


def connector(secrets: dict[str, str] | None = None, **options) -> EmailConnector:
    """An ``email`` channel named ``mail`` with ``options`` over :data:`BASE`, at :data:`NOW`."""
    given = dict(secrets if secrets is not None else {"": "pw-Secret-1234"})

    def read(field: str) -> str:
        if field in given:
            return given[field]
        raise CredentialError(f"no secret {field!r}")

    settings = ChannelSettings(name="mail", kind="email", options={**BASE, **options})
    return EmailConnector(settings, secrets=read, now=lambda: NOW)


def raw(message_id: str | None, sender: str = "Ana <ana@customer.test>", *, subject="Help",
        body="My export fails.", hours_ago: float = 1, **headers: str) -> bytes:  # fmt: skip
    """A message to the leader sent ``hours_ago`` before :data:`NOW` (``Reply_To=...``
    gives a ``Reply-To`` header)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = headers.pop("To", LEADER)
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    message["Date"] = format_datetime(NOW - timedelta(hours=hours_ago))
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)


class FakeSession:
    """The IMAP commands a fetch uses, over a dict of UID -> raw message."""

    def __init__(self, messages: dict[int, bytes], *, uidvalidity: int = 7) -> None:
        self.messages = messages
        self.uidvalidity = uidvalidity
        self.searches: list[tuple[str, ...]] = []
        self.fetches: list[list[int]] = []
        self.flags: dict[int, frozenset[str]] = {}
        self.folder: Folder | None = None

    def open_folder(self, name: str, *, writable: bool = False) -> Folder:
        top = max(self.messages, default=0)
        self.folder = Folder(name, len(self.messages), self.uidvalidity, top + 1, writable)
        return self.folder

    def search(self, *criteria: str) -> list[int]:
        self.searches.append(criteria)
        if criteria[0] == "UID":
            first = int(criteria[1].split(":")[0])
            found = [u for u in self.messages if u >= first]
            return sorted(found or [max(self.messages)])  # n:* always names the highest
        return sorted(self.messages)

    def sizes(self, uids: list[int]) -> dict[int, int]:
        return {u: len(self.messages[u]) for u in uids}

    def fetch(self, uids: list[int], sizes: dict[int, int] | None = None) -> list[Fetched]:
        self.fetches.append(list(uids))
        return [
            Fetched(u, self.messages[u], self.flags.get(u, frozenset()), NOW, len(self.messages[u]))
            for u in uids
        ]

    def find_message_id(self, message_id: str) -> list[int]:
        self.searches.append(("HEADER", "Message-ID", message_id))
        return [
            uid
            for uid, data in self.messages.items()
            if str(message_from_bytes(data, policy=policy.default)["Message-ID"]) == message_id
        ]

    def special_use(self, attribute: str) -> str | None:
        """No folder is marked: a server without RFC 6154."""
        return None


def box(session: FakeSession, **more) -> MailBox:
    """What a fetch of the ``mail`` channel knows, over ``session``."""
    options = {
        "channel": "mail",
        "kind": "email",
        "folder": "INBOX",
        "sent_folder": None,
        "own": frozenset({LEADER}),
        "team_domain": "acme.test",
        **more,
    }
    return MailBox(session=session, **options)  # type: ignore[arg-type]


def run(session: FakeSession, checkpoint=None, **more) -> FetchResult:
    """One fetch over ``session`` from ``checkpoint``, with a 14-day window."""
    return FetchRun(box(session, **more), NOW - timedelta(days=14), NOW).run(checkpoint)


def question(**meta) -> Question:
    """A stored question of Ana's with ``meta`` added (its ``Message-ID`` is ``<q1@c>``)."""
    return Question(
        id="mail:q1@c", channel="mail", kind="email", native_id="q1@c", thread_id="t@c",
        url=None, author=Author(id="ana@c.test", handle="ana@c.test", name="Ana"),
        title="Re: Invoice", body="Help", created_at=NOW,
        meta={"message_id": "<q1@c>", "references": ["<t@c>"], "to": [LEADER, "ops@c.test"],
              "cc": ["boss@c.test", LEADER], **meta},
    )  # fmt: skip


class FakeFolders(FakeSession):
    """A :class:`FakeSession` over several folders (name -> UID -> raw message), as
    ``with connector.imap()`` gives it; records the folders opened and refuses ``broken``."""

    def __init__(self, folders: dict[str, dict[int, bytes]], broken: tuple[str, ...] = ()):
        super().__init__({})
        self.folders = folders
        self.broken = broken
        self.opened: list[str] = []

    def open_folder(self, name: str, *, writable: bool = False) -> Folder:
        self.opened.append(name)
        if name in self.broken:
            raise ConnectorError(f"refused SELECT {name}", channel="mail")
        self.messages = self.folders.get(name, {})
        return super().open_folder(name, writable=writable)

    def add_flags(self, uids: list[int], flags: str) -> None:
        for uid in uids:
            self.flags[uid] = self.flags.get(uid, frozenset()) | {flags}

    def __enter__(self) -> FakeFolders:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


# ----------------------------------------------------------------------------- imaplib level
#: Options of a channel whose IMAP server is the :class:`ImapServer` (plain, on loopback).
LOOPBACK = {"imap_host": "127.0.0.1", "imap_tls": "plain", "imap_port": 1143}
INTERNALDATE = b'"04-Dec-2026 08:00:00 +0000"'


class ImapServer:
    """A fake IMAP server (see the module's docstring); :meth:`install` puts it behind
    ``imaplib.IMAP4``."""

    def __init__(
        self,
        folders: dict[str, list[bytes]],
        *,
        capabilities: tuple[str, ...] = ("IMAP4rev1",),
        listing: list[Any] | None = None,
        list_status: str = "OK",
    ) -> None:
        self.folders = {name: dict(enumerate(messages, 1)) for name, messages in folders.items()}
        self.capabilities = capabilities
        """What CAPABILITY says once logged in (the greeting names only IMAP4rev1)."""
        self.listing = listing or []
        """The untagged LIST data imaplib returns (lines, and (line, literal) pairs)."""
        self.list_status = list_status
        """``OK``, ``NO``, or ``raise`` (the connection fails during LIST)."""
        self.flags: dict[tuple[str, int], set[str]] = {}
        self.commands: list[str] = []
        self.appended: list[tuple[str, bytes]] = []

    def install(self, monkeypatch: pytest.MonkeyPatch) -> ImapServer:
        """Make ``imaplib.IMAP4(...)`` connect to this server."""
        server = self

        class Connection(_Connection):
            def __init__(self, host: str, port: int, timeout: float | None = None) -> None:
                super().__init__(server)

        monkeypatch.setattr(imaplib, "IMAP4", Connection)
        return self

    def listed(self) -> list[str]:
        """The LIST commands sent."""
        return [c for c in self.commands if c.startswith("LIST")]

    def opened(self) -> list[str]:
        """The folders opened, in order."""
        return [c.split(" ", 1)[1] for c in self.commands if c.startswith(("EXAMINE", "SELECT"))]


class _Connection:
    """What :class:`~cxdaily.connectors.email_imap.ImapSession` calls on ``imaplib.IMAP4``."""

    abort = imaplib.IMAP4.abort
    error = imaplib.IMAP4.error
    capabilities = ("IMAP4REV1", "AUTH=PLAIN")

    def __init__(self, server: ImapServer) -> None:
        self.server = server
        self.state = "NONAUTH"
        self.selected = ""

    def login(self, user: str, password: str) -> tuple[str, list[bytes]]:
        self.state = "AUTH"
        return "OK", [b"Logged in"]

    def capability(self) -> tuple[str, list[bytes]]:
        self.server.commands.append("CAPABILITY")
        return "OK", [" ".join(self.server.capabilities).encode()]

    def list(self, directory: str, pattern: str) -> tuple[str, list[Any]]:
        self.server.commands.append(f"LIST {directory} {pattern}")
        if self.server.list_status == "raise":
            raise imaplib.IMAP4.abort("socket error: EOF")
        return self.server.list_status, self.server.listing or [None]

    def select(self, mailbox: str, readonly: bool = False) -> tuple[str, list[bytes]]:
        name = _unquoted(mailbox)
        self.server.commands.append(f"{'EXAMINE' if readonly else 'SELECT'} {name}")
        if name not in self.server.folders:
            return "NO", [b"Mailbox doesn't exist: " + name.encode()]
        self.selected, self.state = name, "SELECTED"
        return "OK", [str(len(self.server.folders[name])).encode()]

    def response(self, code: str) -> tuple[str, list[bytes]]:
        top = max(self.server.folders.get(self.selected) or {0: b""})
        return code, [b"7" if code == "UIDVALIDITY" else str(top + 1).encode()]

    def uid(self, command: str, *args: Any) -> tuple[str, list[Any]]:
        self.server.commands.append(f"UID {command} {' '.join(str(a) for a in args if a)}")
        messages = self.server.folders[self.selected]
        if command == "SEARCH":
            found = [u for u, raw in messages.items() if _matches(list(args[1:]), u, raw, messages)]
            return "OK", [" ".join(map(str, found)).encode()]
        uids = [int(u) for u in args[0].split(",") if int(u) in messages]
        if command == "STORE":
            for uid in uids:
                self.server.flags.setdefault((self.selected, uid), set()).add(args[2].strip("()"))
            return "OK", []
        if "RFC822.SIZE" in args[1]:
            return "OK", [b"%d (UID %d RFC822.SIZE %d)" % (u, u, len(messages[u])) for u in uids]
        data: list[Any] = []
        for uid in uids:
            flags = " ".join(sorted(self.server.flags.get((self.selected, uid), ())))
            head = b"%d (UID %d FLAGS (%s) INTERNALDATE %s BODY[] {%d}" % (
                uid, uid, flags.encode(), INTERNALDATE, len(messages[uid])
            )  # fmt: skip
            data += [(head, messages[uid]), b")"]
        return "OK", data

    def append(self, mailbox: str, flags: str, when: str, raw: bytes) -> tuple[str, list[bytes]]:
        name = _unquoted(mailbox)
        self.server.commands.append(f"APPEND {name}")
        self.server.appended.append((name, raw))
        folder = self.server.folders.setdefault(name, {})
        folder[max(folder, default=0) + 1] = raw
        return "OK", [b"APPEND completed"]

    def close(self) -> tuple[str, list[bytes]]:
        self.state = "AUTH"
        return "OK", []

    def logout(self) -> tuple[str, list[bytes]]:
        self.state = "LOGOUT"
        return "BYE", []

    def shutdown(self) -> None:
        self.state = "LOGOUT"


def _unquoted(text: str) -> str:
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return text


def _matches(keys: list[str], uid: int, raw: bytes, messages: dict[int, bytes]) -> bool:
    """Whether the message meets every search key in ``keys`` (consumed)."""
    met = True
    while keys:
        met = _key(keys, uid, raw, max(messages)) and met
    return met


def _key(keys: list[str], uid: int, raw: bytes, top: int) -> bool:
    word = keys.pop(0).upper()
    if word == "ALL":
        return True
    if word == "SINCE":  # every message here is recent
        keys.pop(0)
        return True
    if word == "UID":  # only "n:*", which always names the highest UID
        return uid >= int(keys.pop(0).split(":")[0]) or uid == top
    if word == "HEADER":
        name, value = keys.pop(0), _unquoted(keys.pop(0))
        header = BytesHeaderParser(policy=policy.default).parsebytes(raw).get(name, "")
        return value.lower() in str(header).lower()
    if word == "OR":
        first, second = _key(keys, uid, raw, top), _key(keys, uid, raw, top)
        return first or second
    raise AssertionError(f"search key {word} is not faked")
