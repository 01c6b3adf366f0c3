"""Real mail servers on loopback for the email integration tests: Dovecot (IMAP, from the
system's packages) and an SMTP server (aiosmtpd) that records every message it accepts.

:class:`Dovecot` writes a self-contained configuration under a test folder (its own
run, state and mail folders, a password file, plain IMAP on a free loopback port), starts
``dovecot -F`` and stops it afterwards. Messages are delivered with IMAP ``APPEND``, as a
mail server would file them. :class:`SmtpSink` accepts mail on a free loopback port, keeps
each message's envelope and bytes, and can be told to fail once after ``DATA`` (the
message was received but the client hears an error: the case that tempts a double send).

Without the ``dovecot`` program the tests that need it are skipped with the reason, except
under CI (``CI`` set), where a missing server is a failure: ``.ci/run`` installs it.
"""

from __future__ import annotations

import asyncio
import imaplib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or (
    "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
)


def require_dovecot() -> str:
    """The dovecot program; skips the test without it (fails under CI)."""
    if DOVECOT is None:
        reason = "Dovecot is not installed (apt-get install dovecot-imapd)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return DOVECOT


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    shown = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not start on port {port}: {shown}")


class Dovecot:
    """A Dovecot IMAP server on loopback with one mailbox user."""

    def __init__(self, folder: Path, *, user: str = "leader", password: str = "imap-pass") -> None:
        self.own_folder = os.getuid() == 0
        if self.own_folder:  # as root, mail is kept as "nobody", who cannot enter ``folder``
            folder = Path(tempfile.mkdtemp(prefix="cxdaily-dovecot-"))
            folder.chmod(0o755)
        self.folder = folder
        self.user = user
        self.password = password
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def _config(self) -> Path:
        run, state, mail = (self.folder / name for name in ("run", "state", "mail"))
        for path in (run, state, mail):
            path.mkdir(parents=True, exist_ok=True)
        (self.folder / "users").write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        me = _user_name()  # the test's own user can read the folder (pytest's is 0700)
        uid, gid = os.getuid(), os.getgid()
        login = me
        if uid == 0:  # Dovecot runs neither logins nor mail as root
            import pwd

            nobody = pwd.getpwnam("nobody")
            uid, gid, login = nobody.pw_uid, nobody.pw_gid, "nobody"
            os.chown(mail, uid, gid)
        config = self.folder / "dovecot.conf"
        config.write_text(
            f"""
protocols = imap
listen = 127.0.0.1
base_dir = {run}
state_dir = {state}
log_path = {self.folder}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {me}
default_login_user = {login}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.folder}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  mailbox Sent {{
    special_use = \\Sent
    auto = create
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
        )
        return config

    def start(self) -> Dovecot:
        """Start the server and wait until it accepts connections."""
        program = require_dovecot()
        config = self._config()
        self.process = subprocess.Popen(
            [program, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / "dovecot.stderr").open("wb"),
        )
        _wait_for_port(self.port, 15, "Dovecot", self.folder / "dovecot.stderr")
        return self

    def stop(self) -> None:
        """Stop the server."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    # -- the mailbox, as a test sees it ------------------------------------------------
    def imap(self) -> imaplib.IMAP4:
        """A logged-in IMAP connection (the caller logs out)."""
        connection = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        connection.login(self.user, self.password)
        return connection

    def deliver(
        self, message: bytes | EmailMessage, folder: str = "INBOX", *, when: float | None = None
    ) -> None:
        """File a message in ``folder`` (unread), as a mail server would; ``when`` (a Unix
        time) is its arrival time (INTERNALDATE), now by default."""
        raw = bytes(message) if isinstance(message, EmailMessage) else message
        arrived = imaplib.Time2Internaldate(time.time() if when is None else when)
        connection = self.imap()
        try:
            status, _ = connection.append(folder, "", arrived, raw)
            assert status == "OK", status
        finally:
            connection.logout()

    def create_folder(self, folder: str) -> None:
        """Create ``folder`` (a new one gets a new UIDVALIDITY)."""
        self._command("CREATE", folder)

    def delete_folder(self, folder: str) -> None:
        """Delete ``folder`` and every message in it."""
        self._command("DELETE", folder)

    def _command(self, command: str, folder: str) -> None:
        connection = self.imap()
        try:
            status, said = getattr(connection, command.lower())(folder)
            assert status == "OK", (command, said)
        finally:
            connection.logout()

    def flags(self, folder: str = "INBOX") -> dict[str, set[str]]:
        """Message-ID -> the message's IMAP flags, for every message in ``folder``."""
        connection = self.imap()
        try:
            connection.select(folder, readonly=True)
            _, data = connection.uid("SEARCH", None, "ALL")
            result: dict[str, set[str]] = {}
            for uid in data[0].split():
                _, parts = connection.uid(
                    "FETCH", uid, "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"
                )
                head = parts[0]
                assert isinstance(head, tuple)
                flags = imaplib.ParseFlags(head[0])
                header = message_from_bytes(head[1], policy=policy.default)
                result[str(header.get("Message-ID", "")).strip()] = {f.decode() for f in flags}
            return result
        finally:
            connection.logout()

    def messages(self, folder: str) -> list[EmailMessage]:
        """Every message in ``folder``, parsed."""
        connection = self.imap()
        try:
            connection.select(folder, readonly=True)
            _, data = connection.uid("SEARCH", None, "ALL")
            found = []
            for uid in data[0].split():
                _, parts = connection.uid("FETCH", uid, "(BODY.PEEK[])")
                head = parts[0]
                assert isinstance(head, tuple)
                parsed = message_from_bytes(head[1], policy=policy.default)
                assert isinstance(parsed, EmailMessage)
                found.append(parsed)
            return found
        finally:
            connection.logout()


def _user_name() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name


@dataclass
class Received:
    """One message the SMTP server accepted."""

    mail_from: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        """The message, parsed."""
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class SmtpSink:
    """An SMTP server on loopback that keeps what it receives."""

    user: str | None = None
    password: str | None = None
    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    fail_after_data: int = 0
    """Answer this many messages with a 451 after receiving them whole (they are kept,
    and delivered: the client cannot tell)."""
    hang_after_data: float = 0.0
    """Wait this many seconds after receiving (and filing) a message before answering:
    a client killed meanwhile never hears whether it was sent."""
    mailbox: Dovecot | None = None
    """Where mail for ``local_addresses`` is delivered (filed in ``local_folder``)."""
    local_addresses: tuple[str, ...] = ()
    local_folder: str = "INBOX"
    """The folder of ``mailbox`` that mail for ``local_addresses`` is filed in (Gmail
    files mail sent to oneself in its Sent folder)."""
    _controller: object | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> SmtpSink:
        """Start accepting mail."""
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope) -> str:
                with sink._lock:
                    sink.received.append(
                        Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
                    )
                    local = {a.lower() for a in sink.local_addresses}
                    if sink.mailbox is not None and local & {r.lower() for r in envelope.rcpt_tos}:
                        sink.mailbox.deliver(envelope.content, sink.local_folder)
                    fail = sink.fail_after_data > 0
                    if fail:
                        sink.fail_after_data -= 1
                if sink.hang_after_data:
                    await asyncio.sleep(sink.hang_after_data)
                if fail:
                    return "451 4.3.0 Temporary failure after the message was received"
                return "250 OK"

        def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login.decode() == sink.user
                and auth_data.password.decode() == sink.password
            )
            return AuthResult(success=ok)

        needs_auth = self.user is not None
        controller = Controller(
            Handler(),
            hostname="127.0.0.1",
            port=self.port,
            authenticator=authenticate if needs_auth else None,
            auth_require_tls=False,
            auth_required=needs_auth,
        )
        controller.start()
        self._controller = controller
        return self

    def stop(self) -> None:
        """Stop the server."""
        if self._controller is not None:
            self._controller.stop()  # type: ignore[attr-defined]
