"""IMAP for the ``email`` connector: one blocking session (run in a worker thread), with
every failure turned into a one-line, password-free :class:`ConnectorError`.

:class:`ImapSession` opens a connection in the channel's TLS mode (``ssl``, ``starttls``
or ``plain``), logs in, and offers the few commands the connector needs: EXAMINE/SELECT
with UIDVALIDITY and UIDNEXT, ``UID SEARCH``, ``UID FETCH`` of sizes and of whole (or,
for a huge message, the start of) messages with ``BODY.PEEK[]`` so ``\\Seen`` is never
set, ``UID STORE`` of a flag, ``APPEND``, and the folder the server marks with a
special-use attribute such as ``\\Sent`` (RFC 6154; one ``LIST`` per session, read by
:mod:`cxdaily.connectors.email_special_use`). Socket timeouts come from the caller (the
channel's deadline).
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import socket
import ssl
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec

from cxdaily.connectors.email_special_use import ListedFolder, listed_folders, marked_folder
from cxdaily.connectors.tls import system_tls
from cxdaily.core.errors import AuthError, ConnectorError
from cxdaily.core.safe_json import is_digits

#: The longest part of one message read; the rest of a bigger one (its attachments,
#: usually) is never loaded.
MAX_MESSAGE_BYTES = 4 * 2**20

_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_DATE = re.compile(rb'\bINTERNALDATE "([^"]+)"')


class Fetched(msgspec.Struct, frozen=True):
    """One message as read from the server."""

    uid: int
    raw: bytes
    flags: frozenset[str] = frozenset()
    internaldate: datetime | None = None
    size: int = 0
    truncated: bool = False


@dataclass
class Folder:
    """What SELECT/EXAMINE said about a folder."""

    name: str
    exists: int
    uidvalidity: int | None
    uidnext: int | None
    writable: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def kept_uid(kept: dict[str, Any], folder: Folder) -> int | None:
    """The last UID a checkpoint (or its part) ``kept`` read in ``folder``, when it names
    one and the folder's UIDVALIDITY is the one it was read under; else ``None`` (read
    the window again)."""
    last = kept.get("last_uid")
    valid = isinstance(last, int) and not isinstance(last, bool) and last >= 0
    return last if valid and kept.get("uidvalidity") == folder.uidvalidity else None


def quoted(text: str) -> str:
    """``text`` as an IMAP quoted string (a folder name, a header value)."""
    if any(ord(c) > 126 or c in "\r\n" for c in text):
        raise ValueError("not a plain ASCII string")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def imap_date(moment: datetime) -> str:
    """``moment`` as IMAP SEARCH writes a day: ``04-Dec-2026``."""
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return f"{moment.day:02d}-{months[moment.month - 1]}-{moment.year}"


def chunks(items: list[int], size: int) -> Iterator[list[int]]:
    """``items`` in consecutive lists of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def uid_set(uids: Iterable[int]) -> str:
    """A UID set for a command: ``3,7,9``."""
    return ",".join(str(u) for u in uids)


class ImapSession:
    """One logged-in IMAP connection; use it as a context manager (it logs out)."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        tls: str,
        username: str,
        password: str,
        timeout: float,
        channel: str,
    ) -> None:
        self.host, self.port, self.tls = host, port, tls
        self.username = username
        self.channel = channel
        self.where = f"IMAP server {host}:{port}"
        self._connection = self._connect(timeout)
        try:
            self._login(password)
        except BaseException:
            self.close()
            raise
        self.folder: Folder | None = None
        self._listed: list[ListedFolder] | None = None

    # -- connecting ---------------------------------------------------------------
    def _connect(self, timeout: float) -> imaplib.IMAP4:
        try:
            if self.tls == "ssl":
                context = system_tls()
                return imaplib.IMAP4_SSL(self.host, self.port, ssl_context=context, timeout=timeout)
            connection = imaplib.IMAP4(self.host, self.port, timeout=timeout)
            if self.tls == "starttls":
                try:
                    connection.starttls(system_tls())
                except BaseException:
                    _shutdown(connection)
                    raise
            return connection
        except Exception as exc:
            raise self.error(exc, "connecting") from None

    def _login(self, password: str) -> None:
        try:
            self._connection.login(self.username, password)
        except imaplib.IMAP4.abort as exc:
            raise self.error(exc, "logging in") from None
        except imaplib.IMAP4.error:
            raise AuthError(
                f"IMAP login refused for {self.username} at {self.host}:{self.port}: check "
                f"username and the password (cxdaily login {self.channel})",
                channel=self.channel,
            ) from None
        except Exception as exc:
            raise self.error(exc, "logging in") from None

    def close(self) -> None:
        """Log out (quietly: the work is done or already failed)."""
        try:
            if self._connection.state == "SELECTED":
                self._connection.close()
        except Exception:
            pass
        try:
            self._connection.logout()
        except Exception:
            _shutdown(self._connection)

    def __enter__(self) -> ImapSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- errors ---------------------------------------------------------------------
    def error(self, exc: BaseException, doing: str) -> ConnectorError:
        """The one-line error for ``exc`` met while ``doing`` something."""
        return connection_error(exc, doing, self.where, self.channel, "IMAP")

    def _check(self, answer: tuple[str, list[Any]], command: str) -> list[Any]:
        status, data = answer
        if status != "OK":
            said = _said(data)
            raise ConnectorError(
                f"{self.where} refused {command}{': ' + said if said else ''}",
                channel=self.channel,
            )
        return data

    def _run(self, command: str, call: Any, *args: Any) -> list[Any]:
        try:
            return self._check(call(*args), command)
        except ConnectorError:
            raise
        except Exception as exc:
            raise self.error(exc, command) from None

    # -- commands -------------------------------------------------------------------
    def _mailbox(self, name: str) -> str:
        """``name`` quoted for a command; only plain ASCII names are supported."""
        try:
            return quoted(name)
        except ValueError:
            raise ConnectorError(
                f"folder {name!r}: only plain ASCII folder names are supported",
                channel=self.channel,
            ) from None

    def open_folder(self, name: str, *, writable: bool = False) -> Folder:
        """SELECT (``writable``) or EXAMINE ``name``; its size, UIDVALIDITY and UIDNEXT."""
        command = "SELECT" if writable else "EXAMINE"
        mailbox = self._mailbox(name)
        data = self._run(f"{command} {name}", self._connection.select, mailbox, not writable)
        exists = _number(data[0] if data else None) or 0
        folder = Folder(
            name=name,
            exists=exists,
            uidvalidity=self._response_number("UIDVALIDITY"),
            uidnext=self._response_number("UIDNEXT"),
            writable=writable,
        )
        self.folder = folder
        return folder

    def _response_number(self, code: str) -> int | None:
        try:
            _, data = self._connection.response(code)
        except Exception:
            return None
        return _number(data[-1] if data else None)

    def search(self, *criteria: str) -> list[int]:
        """``UID SEARCH criteria``: the UIDs found, ascending."""
        data = self._run("UID SEARCH", self._connection.uid, "SEARCH", None, *criteria)
        found: set[int] = set()
        for line in data:
            if isinstance(line, bytes):
                found.update(int(w) for w in line.split() if w.isdigit())  # bytes: ASCII digits
        return sorted(found)

    def find_message_id(self, message_id: str) -> list[int]:
        """UIDs of the messages whose ``Message-ID`` header contains ``message_id``."""
        try:
            value = quoted(message_id)
        except ValueError:
            return []
        return self.search("HEADER", "Message-ID", value)

    def sizes(self, uids: list[int]) -> dict[int, int]:
        """UID -> RFC822.SIZE for ``uids`` (a few bytes each)."""
        data = self._run("UID FETCH", self._connection.uid, "FETCH", uid_set(uids), "(RFC822.SIZE)")
        sizes: dict[int, int] = {}
        for part in data:
            line = part[0] if isinstance(part, tuple) else part
            if not isinstance(line, bytes):
                continue
            uid, size = _UID.search(line), _SIZE.search(line)
            if uid and size:
                sizes[int(uid.group(1))] = int(size.group(1))
        return sizes

    def fetch(self, uids: list[int], sizes: dict[int, int] | None = None) -> list[Fetched]:
        """The messages ``uids`` (never marking them read); a message bigger than
        :data:`MAX_MESSAGE_BYTES` is read up to that size."""
        sizes = sizes if sizes is not None else self.sizes(uids)
        small = [u for u in uids if sizes.get(u, 0) <= MAX_MESSAGE_BYTES]
        big = [u for u in uids if u not in small]
        found: list[Fetched] = []
        if small:
            found += self._fetch(small, "BODY.PEEK[]", sizes, truncated=False)
        if big:
            found += self._fetch(big, f"BODY.PEEK[]<0.{MAX_MESSAGE_BYTES}>", sizes, truncated=True)
        return sorted(found, key=lambda f: f.uid)

    def _fetch(
        self, uids: list[int], body: str, sizes: dict[int, int], *, truncated: bool
    ) -> list[Fetched]:
        items = f"(UID FLAGS INTERNALDATE {body})"
        data = self._run("UID FETCH", self._connection.uid, "FETCH", uid_set(uids), items)
        found: list[Fetched] = []
        for position, part in enumerate(data):
            if not isinstance(part, tuple) or len(part) < 2:
                continue
            head = part[0]
            after = data[position + 1] if position + 1 < len(data) else b""
            if isinstance(after, bytes):
                head = head + b" " + after  # items that came after the literal
            match = _UID.search(head)
            if match is None or not isinstance(part[1], bytes):
                continue
            uid = int(match.group(1))
            found.append(
                Fetched(
                    uid=uid,
                    raw=part[1],
                    flags=frozenset(f.decode("ascii", "replace") for f in imaplib.ParseFlags(head)),
                    internaldate=_internaldate(head),
                    size=sizes.get(uid, len(part[1])),
                    truncated=truncated,
                )
            )
        return found

    def add_flags(self, uids: list[int], flags: str) -> None:
        """``UID STORE uids +FLAGS (flags)`` (the folder must be open for writing)."""
        if uids:
            self._run(
                "UID STORE", self._connection.uid, "STORE", uid_set(uids), "+FLAGS", f"({flags})"
            )

    def append(self, folder: str, raw: bytes, flags: str = "\\Seen") -> None:
        """File ``raw`` in ``folder`` with ``flags``."""
        mailbox = self._mailbox(folder)
        when = imaplib.Time2Internaldate(time.time())
        self._run(f"APPEND {folder}", self._connection.append, mailbox, f"({flags})", when, raw)

    def special_use(self, attribute: str) -> str | None:
        """The folder the server marks with the special-use ``attribute`` (``\\Sent``), by
        the name it sent; ``None`` when it marks none, lacks the extension or cannot list
        its folders. The server is asked once per session."""
        if self._listed is None:
            self._listed = self._list_folders()
        return marked_folder(self._listed, attribute)

    def _list_folders(self) -> list[ListedFolder]:
        """Every folder, with its special-use attributes: ``LIST "" "*" RETURN
        (SPECIAL-USE)`` when the server advertises SPECIAL-USE, else a plain ``LIST``
        (RFC 6154 lets a server mark folders there too); none when either fails."""
        try:
            extended = "SPECIAL-USE" in self._capabilities()
            pattern = '"*" RETURN (SPECIAL-USE)' if extended else '"*"'
            status, data = self._connection.list('""', pattern)  # sent as written
        except Exception:  # the Sent folder is a help: without it, no error
            return []
        return listed_folders(data) if status == "OK" else []

    def _capabilities(self) -> set[str]:
        """What the server advertises once logged in (often more than in its greeting)."""
        known = {str(c).upper() for c in getattr(self._connection, "capabilities", ())}
        if "SPECIAL-USE" in known:
            return known
        status, data = self._connection.capability()
        for line in data if status == "OK" else []:
            if isinstance(line, bytes):
                known.update(line.decode("ascii", "replace").upper().split())
        return known


def connection_error(
    exc: BaseException, doing: str, where: str, channel: str, protocol: str
) -> ConnectorError:
    """The one-line error for a network, TLS or protocol failure (never with a password)."""
    if isinstance(exc, ConnectorError):
        return exc
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = exc.verify_message or "certificate not trusted"
        return ConnectorError(f"TLS with {where} failed: {reason}", channel=channel)
    if isinstance(exc, ssl.SSLError):
        reason = getattr(exc, "reason", None) or type(exc).__name__
        return ConnectorError(
            f"TLS with {where} failed while {doing} ({reason}); check the port and the tls mode",
            channel=channel,
        )
    if isinstance(exc, socket.gaierror):
        return ConnectorError(f"cannot find the {where} (no such host)", channel=channel)
    if isinstance(exc, ConnectionRefusedError):
        return ConnectorError(f"{where} refused the connection", channel=channel)
    if isinstance(exc, TimeoutError | socket.timeout):
        return ConnectorError(f"{where} did not answer in time while {doing}", channel=channel)
    if isinstance(exc, EOFError | ConnectionError | imaplib.IMAP4.abort):
        return ConnectorError(f"{where} dropped the connection while {doing}", channel=channel)
    if isinstance(exc, OSError):
        return ConnectorError(
            f"cannot reach the {where} ({exc.strerror or type(exc).__name__})", channel=channel
        )
    if isinstance(exc, imaplib.IMAP4.error):
        return ConnectorError(
            f"{where} refused {doing}: {_said([str(exc).encode()])}", channel=channel
        )
    return ConnectorError(
        f"{protocol} failed while {doing} ({type(exc).__name__})", channel=channel
    )


def _said(data: list[Any]) -> str:
    """What the server said, as one short printable line."""
    parts = []
    for item in data or []:
        if isinstance(item, tuple):
            item = item[0]
        if isinstance(item, bytes):
            item = item.decode("utf-8", "replace")
        if isinstance(item, str):
            parts.append(item)
    text = " ".join(" ".join(parts).split())
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text[:200]


def _number(value: Any) -> int | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if isinstance(value, str) and is_digits(value.strip()) and len(value.strip()) < 20:
        return int(value.strip())
    return None


def _internaldate(head: bytes) -> datetime | None:
    match = _DATE.search(head)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1).decode("ascii").strip(), "%d-%b-%Y %H:%M:%S %z")
    except (ValueError, UnicodeDecodeError):
        return None


def _shutdown(connection: imaplib.IMAP4) -> None:
    with contextlib.suppress(Exception):
        connection.shutdown()
