"""The ``email`` channel: customer questions from an IMAP folder, replies by SMTP.

Config::

    [channels.support]
    kind = "email"
    imap_host = "imap.example.com"
    smtp_host = "smtp.example.com"
    username = "support@example.com"
    from_address = "support@example.com"
    sent_folder = "Sent"

The password (or app password) is the channel's secret (``cxdaily login support`` asks
for it), or ``imap_password``/``smtp_password`` when the two servers want different ones.

**Fetching** (:mod:`cxdaily.connectors.email_fetch`) opens the folder read-only and
reads bodies with ``BODY.PEEK[]``, so nothing is marked read. The checkpoint is the
folder's ``UIDVALIDITY`` and the last UID read: the first fetch takes the last
``since_days`` days, later ones only new UIDs, and a changed ``UIDVALIDITY`` (a folder
recreated) reads the recent window again. Question ids come from the ``Message-ID`` (a
hash when there is none), never from a UID, so a message read again is the same
question. Messages are fetched ``batch_size`` UIDs at a time and at most
:data:`MAX_MESSAGES_PER_FETCH` (and :data:`MAX_FETCH_BYTES`) per fetch; the rest comes
with the next fetch. Automated mail, the team's own (our addresses, and our domain unless
it is a public mail provider), ``skip_from`` senders and (with ``only_to``) mail not
addressed to one of those addresses or domains are skipped; a question the team answered
later in its thread is settled. The team's answers are also looked for in the Sent folder:
``sent_folder``, or when it is not set the folder the server marks ``\\Sent`` (RFC 6154;
see :mod:`cxdaily.connectors.email_sent`).

**Replying** sends through SMTP (:mod:`cxdaily.connectors.email_smtp`) with a
``Message-ID`` made from the reply's idempotency key, and a copy to our own address (an
envelope-only recipient), so after an unknown outcome :meth:`EmailConnector.find_own_reply`
finds the reply over IMAP before anything is sent again: in the folder, the Sent folder
and ``INBOX``, where that copy is delivered. Then the original is flagged ``\\Answered``
and a copy is filed in ``sent_folder`` when it is configured (unless the server filed one
already; never in a Sent folder only found by its mark); a failure there is a warning in
the log, not a failed reply.

Messages are decoded by :mod:`cxdaily.connectors.mail_message`; all network work runs in
a worker thread under the channel's deadline (socket timeouts).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from cxdaily.connectors.base import Capabilities, Connector, FetchResult, SentReply
from cxdaily.connectors.email_fetch import (
    MAX_FETCH_BYTES,
    MAX_MESSAGES_PER_FETCH,
    FetchRun,
    MailBox,
    bare_id,
    bracketed,
)
from cxdaily.connectors.email_imap import ImapSession, imap_date, quoted
from cxdaily.connectors.email_sent import folders_to_search, sent_folder_note
from cxdaily.connectors.email_smtp import (
    OutgoingMail,
    build_reply,
    login,
    open_smtp,
    quit_quietly,
    reply_message_id,
    send,
)
from cxdaily.connectors.mail_message import reply_subject
from cxdaily.connectors.options import CHANNEL_OPTIONS, Option, since_days
from cxdaily.core.errors import ConfigError, ConnectorError, CredentialError
from cxdaily.core.hosts import is_loopback_host
from cxdaily.core.models import Author, Message, Question
from cxdaily.settings import ChannelSettings

log = logging.getLogger(__name__)

__all__ = ["MAX_FETCH_BYTES", "MAX_MESSAGES_PER_FETCH", "EmailConnector"]

TLS_MODES = ("ssl", "starttls", "plain")
#: Replies to a question read at most when looking for the team's answers.
MAX_ANSWERS_READ = 50
#: Secret fields: one password for both servers, or one each.
IMAP_PASSWORD, SMTP_PASSWORD = "imap_password", "smtp_password"


def _address_check(value: str) -> str | None:
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in value):
        return "must be an email address like support@example.com"
    return None


def _host_check(value: str) -> str | None:
    if not value or any(c.isspace() or c in "/:@" for c in value.strip("[]")):
        return "must be a host name or address, like imap.example.com"
    return None


class AddressListOption(Option, frozen=True):
    """Addresses or domains: a TOML list, or text separated by commas."""

    def convert(self, raw: Any, channel: ChannelSettings) -> Any:
        """A tuple of lowercased addresses (``a@b.c``) and domains (``b.c``)."""
        must_be = 'addresses or domains, like ["help@example.com", "example.org"]'
        items = self.text_list(raw, channel, must_be)
        values = tuple(dict.fromkeys(i.strip().lower().lstrip("@") for i in items if i.strip()))
        for value in values:
            if any(c.isspace() for c in value) or "." not in value.rpartition("@")[2]:
                raise ConfigError(
                    f"[channels.{channel.name}] {self.name}: {value!r} is not an address or "
                    "a domain"
                )
        return values


class EmailConnector(Connector):
    """Questions from an IMAP folder; replies by SMTP, threaded, sent exactly once."""

    kind = "email"
    capabilities = Capabilities(
        max_reply_length=None, idempotency_keys=False, threads=True, finds_own_replies=True
    )
    secrets_any_one = True  # one password for both servers, or one per server
    declared_options = CHANNEL_OPTIONS.extended(
        Option("imap_host", "text", "the IMAP server", required=True, check=_host_check),
        Option("imap_port", "int", "its port (993 with ssl, 143 otherwise)", minimum=1,
               maximum=65535),
        Option("imap_tls", "enum", "ssl, starttls, or plain (loopback only)", default="ssl",
               choices=TLS_MODES),
        Option("smtp_host", "text", "the SMTP server", required=True, check=_host_check),
        Option("smtp_port", "int", "its port (465 with ssl, 587 otherwise)", minimum=1,
               maximum=65535),
        Option("smtp_tls", "enum", "ssl, starttls, or plain (loopback only)", default="ssl",
               choices=TLS_MODES),
        Option("username", "text", "the login of both servers", required=True),
        Option("from_address", "text", "the address replies come from", required=True,
               check=_address_check),
        Option("from_name", "text", "the name replies come from"),
        Option("folder", "text", "the folder questions are read from", default="INBOX"),
        Option("sent_folder", "text", "the Sent folder, where a copy of each reply is filed "
               "(unset: the one the server marks \\Sent, only searched)"),
        AddressListOption("only_to", "text", "take only mail sent to these addresses or domains"),
        AddressListOption("skip_from", "text", "ignore mail from these addresses or domains"),
        Option("reply_all", "bool", "replies keep the other recipients in Cc", default=False),
        since_days(14, maximum=3650),
        Option("batch_size", "int", "UIDs read per FETCH", default=50, minimum=1, maximum=500),
    )  # fmt: skip

    def configure(self) -> None:
        """Ports from the TLS modes; plain text only to this machine."""
        self.imap_host: str = self.option("imap_host")
        self.smtp_host: str = self.option("smtp_host")
        self.imap_tls: str = self.option("imap_tls")
        self.smtp_tls: str = self.option("smtp_tls")
        for what, host, tls in (
            ("imap", self.imap_host, self.imap_tls),
            ("smtp", self.smtp_host, self.smtp_tls),
        ):
            if tls == "plain" and not is_loopback_host(host):
                raise ConfigError(
                    f'[channels.{self.name}] {what}_tls = "plain" is allowed only to a loopback '
                    f'host (localhost, 127.0.0.1, ::1), not {host}: use "ssl" or "starttls"'
                )
        self.imap_port: int = self.option("imap_port") or (993 if self.imap_tls == "ssl" else 143)
        self.smtp_port: int = self.option("smtp_port") or (465 if self.smtp_tls == "ssl" else 587)
        self.username: str = self.option("username")
        self.from_address: str = self.option("from_address").lower()
        self.folder: str = self.option("folder") or "INBOX"
        self.sent_folder: str | None = self.option("sent_folder") or None
        self.own_addresses = frozenset(
            a.lower() for a in (self.from_address, self.username) if "@" in a
        )
        self.deadline_s: float = self.option("deadline")

    # -- secrets and sessions ---------------------------------------------------------
    def password(self, server_field: str) -> str:
        """The password for one server: its own field when set, else the default one."""
        from cxdaily.credentials import SecretRefusedError, env_name

        for field_name in (server_field, ""):
            try:
                return self.secret(field_name)
            except SecretRefusedError:
                raise
            except CredentialError:
                continue
        raise CredentialError(
            f"{self.name}: no password: store it with `cxdaily login {self.name}` "
            f"(or set {env_name(self.name)} or {env_name(self.name, server_field)})"
        )

    def imap(self) -> ImapSession:
        """A logged-in IMAP session (blocking)."""
        return ImapSession(
            host=self.imap_host,
            port=self.imap_port,
            tls=self.imap_tls,
            username=self.username,
            password=self.password(IMAP_PASSWORD),
            timeout=self.deadline_s,
            channel=self.name,
        )

    def mailbox(self, session: ImapSession) -> MailBox:
        """What a fetch needs to know of this channel."""
        return MailBox(
            session=session,
            channel=self.name,
            kind=self.kind,
            folder=self.folder,
            sent_folder=self.sent_folder,
            own=self.own_addresses,
            team_domain=self.from_address.rpartition("@")[2],
            only_to=self.option("only_to") or (),
            skip_from=self.option("skip_from") or (),
            batch_size=self.option("batch_size"),
        )

    # -- fetching ---------------------------------------------------------------------
    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """New messages since the checkpoint (see the module's docstring)."""
        return await asyncio.to_thread(self._fetch, checkpoint)

    def _fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        window = self.now() - timedelta(days=self.option("since_days"))
        with self.imap() as session:
            return FetchRun(self.mailbox(session), window, self.now()).run(checkpoint)

    async def check(self) -> str:
        """IMAP login and the folder, SMTP EHLO and login; what was checked."""
        return await asyncio.to_thread(self._check)

    def _check(self) -> str:
        with self.imap() as session:
            folder = session.open_folder(self.folder)
            sent = sent_folder_note(session, self.sent_folder)
        where = f"SMTP server {self.smtp_host}:{self.smtp_port}"
        smtp = open_smtp(self.smtp_host, self.smtp_port, self.smtp_tls, self.deadline_s, self.name)
        try:
            logged_in = login(smtp, self.username, self.password(SMTP_PASSWORD), where, self.name)
        finally:
            quit_quietly(smtp)
        said = "login accepted" if logged_in else "no login asked"
        return (
            f"IMAP {self.imap_host}:{self.imap_port}: {self.folder} has {folder.exists} "
            f"messages, {sent}; SMTP {self.smtp_host}:{self.smtp_port}: {said}"
        )

    # -- replying ---------------------------------------------------------------------
    def our_message_id(self, idempotency_key: str) -> str:
        """The ``Message-ID`` of the reply sent with ``idempotency_key``."""
        return reply_message_id(idempotency_key, self.from_address)

    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """Send the reply by SMTP, then flag the original and file a copy (see above)."""
        return await asyncio.to_thread(self._send, question, body, idempotency_key)

    def _send(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        mail = self.reply_mail(question, body, idempotency_key)
        where = f"SMTP server {self.smtp_host}:{self.smtp_port}"
        password = self.password(SMTP_PASSWORD)
        smtp = open_smtp(self.smtp_host, self.smtp_port, self.smtp_tls, self.deadline_s, self.name)
        try:
            login(smtp, self.username, password, where, self.name)
            send(smtp, mail, where, self.name)
        finally:
            quit_quietly(smtp)
        try:
            self._after_send(question, mail.message_id, mail.message.as_bytes())
        except Exception as exc:  # the reply went out: the rest is a courtesy
            self.scrubber.scrub_error(exc)
            log.warning("%s: reply sent, but %s", self.name, exc)
        return SentReply(remote_id=mail.message_id)

    def reply_mail(self, question: Question, body: str, idempotency_key: str) -> OutgoingMail:
        """The reply to ``question`` as a message and envelope (nothing is sent)."""
        meta = question.meta or {}
        customer = question.author.handle or ""
        to = [a for a in _strings(meta.get("reply_to")) if "@" in a] or [customer]
        to = [a for a in to if a and a.lower() not in self.own_addresses] or [customer]
        if not any(to):
            raise ConnectorError(
                f"question {question.id} has no address to reply to", channel=self.name
            )
        cc: list[str] = []
        if self.option("reply_all"):
            skip = {a.lower() for a in to} | self.own_addresses
            cc = [
                a
                for a in dict.fromkeys([*_strings(meta.get("to")), *_strings(meta.get("cc"))])
                if "@" in a and a.lower() not in skip
            ]
        subject = reply_subject(question.title or "")
        message_id = meta.get("message_id") if isinstance(meta.get("message_id"), str) else None
        return build_reply(
            to=to,
            cc=cc,
            subject=subject,
            in_reply_to=message_id,
            references=_strings(meta.get("references")),
            body=body,
            message_id=self.our_message_id(idempotency_key),
            from_address=self.from_address,
            from_name=self.option("from_name"),
            self_copy=True,
            now=self.now(),
        )

    def _after_send(self, question: Question, message_id: str, raw: bytes) -> None:
        """Flag the original ``\\Answered``, mark our own copy read, file one in
        ``sent_folder``; each step on its own (a failure is logged)."""
        with self.imap() as session:
            self._flag_answered(session, question)
            try:
                session.add_flags(session.find_message_id(message_id), "\\Seen")
            except ConnectorError as exc:
                log.warning("%s: reply sent; our copy stays unread: %s", self.name, exc)
            if self.sent_folder and self.sent_folder != self.folder:
                session.open_folder(self.sent_folder)
                if not session.find_message_id(message_id):  # the server may file one itself
                    session.append(self.sent_folder, raw)

    def _flag_answered(self, session: ImapSession, question: Question) -> None:
        """Open the folder for writing and flag the question's message ``\\Answered``
        (a failure is logged)."""
        meta = question.meta or {}
        folder = session.open_folder(self.folder, writable=True)
        try:
            uids = []
            if meta.get("uidvalidity") == folder.uidvalidity and isinstance(meta.get("uid"), int):
                uids = [meta["uid"]]
            elif isinstance(meta.get("message_id"), str):
                uids = session.find_message_id(meta["message_id"])
            session.add_flags(uids, "\\Answered")
        except ConnectorError as exc:
            log.warning("%s: reply sent, but the original was not flagged: %s", self.name, exc)

    async def find_own_reply(
        self, question: Question, body: str, idempotency_key: str
    ) -> SentReply | None:
        """Our reply, by its ``Message-ID``, in the folder, the Sent folder or ``INBOX``,
        where our own copy is delivered (found, the original is flagged ``\\Answered`` as
        after a send)."""
        message_id = self.our_message_id(idempotency_key)
        return await asyncio.to_thread(self._find, question, message_id)

    def _find(self, question: Question, message_id: str) -> SentReply | None:
        """A folder that cannot be searched is skipped; when the reply is in none of the
        others, its error is raised: "not found" would send the reply again."""
        unsearched: ConnectorError | None = None
        with self.imap() as session:
            for folder in folders_to_search(session, self.folder, self.sent_folder, "INBOX"):
                try:
                    session.open_folder(folder)
                    found = session.find_message_id(message_id)
                except ConnectorError as exc:
                    unsearched = unsearched or exc
                    continue
                if found:
                    try:
                        self._flag_answered(session, question)
                    except ConnectorError as exc:  # found is what matters
                        log.warning("%s: the original was not flagged: %s", self.name, exc)
                    return SentReply(remote_id=message_id)
        if unsearched is not None:
            raise unsearched
        return None

    async def answers_since(self, question: Question, since: datetime) -> list[Message]:
        """Replies in the thread by another address of the team after ``since``."""
        return await asyncio.to_thread(self._answers, question, since)

    def _answers(self, question: Question, since: datetime) -> list[Message]:
        message_id = (question.meta or {}).get("message_id")
        try:
            value = quoted(bracketed(str(message_id))) if bare_id(message_id) else None
        except ValueError:
            value = None
        if value is None:
            return []
        ours = f"@{self.from_address.rpartition('@')[2]}>"
        customer = (question.author.handle or "").lower()
        found: dict[str, Message] = {}
        with self.imap() as session:
            run = FetchRun(self.mailbox(session), since, self.now())
            for folder in folders_to_search(session, self.folder, self.sent_folder):
                session.open_folder(folder)
                uids = session.search(
                    "SINCE", imap_date(since - timedelta(days=1)),
                    "OR", "HEADER", "In-Reply-To", value, "HEADER", "References", value,
                )  # fmt: skip
                for fetched in session.fetch(uids[-MAX_ANSWERS_READ:]) if uids else []:
                    item = run.item_of(fetched)
                    if (
                        item is None
                        or item.when <= since
                        or item.sender == customer
                        or not run.box.is_team(item.sender)
                        or (
                            item.message_id.startswith("<cxdaily.")
                            and item.message_id.endswith(ours)
                        )
                    ):  # replies sent through cxdaily are not the team's answers
                        continue
                    author = Author(**item.author())
                    found.setdefault(
                        item.message_id or item.native,
                        Message(author=author, body=item.text, created_at=item.when),
                    )
        return sorted(found.values(), key=lambda m: m.created_at)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str) and v]
    return []
