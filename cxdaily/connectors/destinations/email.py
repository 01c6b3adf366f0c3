"""The ``email`` destination: the HTML digest with a plain-text alternative, by SMTP.

Config::

    [destinations.product-mail]
    kind = "email"
    to = ["product@acme.com", "cto@acme.com"]
    smtp_from_channel = "support"      # the SMTP server, login and password of that channel

    [destinations.board]
    kind = "email"
    to = "board@acme.com"
    from_address = "ceo@acme.com"
    smtp_host = "smtp.acme.com"        # an SMTP server of its own
    smtp_tls = "starttls"
    subject = "Customers this week ({period})"

The message is ``multipart/alternative``: the digest as Markdown text, then as HTML (both
from the format registry). With ``smtp_from_channel`` the server, TLS mode, login, the
password (``cxdaily login CHANNEL``) and, unless given, the From address are the email
channel's; otherwise they are this table's own, and the password is this destination's
secret (``cxdaily login NAME``; a server that asks for no login needs none). The TLS rules
are the email channel's: ``ssl`` (default) or ``starttls``, and ``plain`` only to this
machine. The ``Message-ID`` is made from the destination and the period, so a mail system
that sees the same digest twice can tell.
"""

from __future__ import annotations

import asyncio
import hashlib
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import msgspec

from cxdaily.connectors.destinations.base import DESTINATION_OPTIONS, Destination, Ledger
from cxdaily.connectors.email import (
    SMTP_PASSWORD,
    TLS_MODES,
    EmailConnector,
    _address_check,
    _host_check,
)
from cxdaily.connectors.email_smtp import OutgoingMail, login, open_smtp, quit_quietly, send
from cxdaily.connectors.options import Option
from cxdaily.core.errors import ConfigError
from cxdaily.core.hosts import is_loopback_host
from cxdaily.core.words import plural
from cxdaily.insights.delivery.model import Delivered, Parcel
from cxdaily.settings import ChannelSettings

MAX_RECIPIENTS = 100
MAX_STEP_S = 30.0
"""The longest one SMTP step (connect, login, a command, the message) may take."""
SMTP_OPTIONS = ("smtp_host", "smtp_port", "smtp_tls", "username")


class RecipientsOption(Option, frozen=True):
    """Email addresses: a TOML list, or text separated by commas (a problem is worded
    without the table, which :class:`Destination` puts in front)."""

    def convert(self, raw: Any, channel: ChannelSettings) -> Any:
        """A tuple of distinct addresses, each checked."""
        items = self.text_list(raw, channel, 'addresses, like ["product@acme.com"]')
        values = tuple(dict.fromkeys(i.strip() for i in items if i.strip()))
        for value in values:
            problem = _address_check(value)
            if problem:
                raise ConfigError(f"{self.name}: {value!r} {problem}")
        if not values or len(values) > MAX_RECIPIENTS:
            raise ConfigError(f"{self.name} must list 1 to {MAX_RECIPIENTS} addresses")
        return values


class SmtpServer(msgspec.Struct, frozen=True):
    """Where and how the digest is sent: the server, its TLS mode and login."""

    host: str
    port: int
    tls: str
    username: str | None
    owner: str
    """The channel or destination whose secret holds the password (for messages)."""

    @property
    def where(self) -> str:
        """``SMTP server smtp.acme.com:465``."""
        return f"SMTP server {self.host}:{self.port}"


class EmailDestination(Destination):
    """The digest by email, through an email channel's SMTP server or one of its own."""

    secret_fields = ("",)
    secret_optional = True  # the password of its own SMTP server, when it asks for a login
    declared_options = DESTINATION_OPTIONS.extended(
        RecipientsOption("to", "text", "the addresses the digest goes to", required=True),
        Option("from_address", "text", "the address it comes from (default: the channel's)",
               check=_address_check),
        Option("from_name", "text", "the name it comes from"),
        Option("subject", "text", "the subject; {period} becomes the period (default: the "
               "digest's title)"),
        Option("smtp_from_channel", "text", "an email channel whose SMTP server, login and "
               "password are used"),
        Option("smtp_host", "text", "an SMTP server of its own", check=_host_check),
        Option("smtp_port", "int", "its port (465 with ssl, 587 otherwise)", minimum=1,
               maximum=65535),
        Option("smtp_tls", "enum", "ssl, starttls, or plain (loopback only)", default="ssl",
               choices=TLS_MODES),
        Option("username", "text", "the SMTP login (default: from_address)"),
    )  # fmt: skip

    def configure(self) -> None:
        """The SMTP server (a channel's or its own), the From address, the TLS rule."""
        self.recipients: tuple[str, ...] = self.option("to")
        channel_name = self.option("smtp_from_channel")
        self.channel: EmailConnector | None = None
        if channel_name:
            self.channel = self._email_channel(channel_name)
            self.server = SmtpServer(
                self.channel.smtp_host,
                self.channel.smtp_port,
                self.channel.smtp_tls,
                self.channel.username,
                channel_name,
            )
            from_address = self.option("from_address") or self.channel.from_address
            self.from_name = self.option("from_name") or self.channel.option("from_name")
        else:
            self.server = self._own_server()
            from_address = self.option("from_address")
            self.from_name = self.option("from_name")
        if not from_address:
            raise self.problem('needs from_address = "..." (or smtp_from_channel)')
        self.from_address: str = from_address

    def _email_channel(self, name: str) -> EmailConnector:
        """The email channel named by ``smtp_from_channel`` (its options checked)."""
        given = [key for key in SMTP_OPTIONS if self.settings.options.get(key) is not None]
        if given:
            raise self.problem(f"smtp_from_channel and {given[0]} cannot both be set")
        channel = self.channels.get(name)
        if channel is None or channel.kind != EmailConnector.kind:
            known = ", ".join(sorted(n for n, c in self.channels.items() if c.kind == "email"))
            raise self.problem(
                f"smtp_from_channel: no email channel named {name!r} "
                f"(email channels: {known or 'none'})"
            )
        from cxdaily.credentials import secret_reader

        return EmailConnector(channel, secrets=secret_reader(name), now=self.now)

    def _own_server(self) -> SmtpServer:
        host = self.option("smtp_host")
        if not host:
            raise self.problem('needs smtp_host = "..." or smtp_from_channel = "CHANNEL"')
        tls: str = self.option("smtp_tls")
        if tls == "plain" and not is_loopback_host(host):
            raise self.problem(
                f'smtp_tls = "plain" is allowed only to a loopback host (localhost, '
                f'127.0.0.1, ::1), not {host}: use "ssl" or "starttls"'
            )
        port = self.option("smtp_port") or (465 if tls == "ssl" else 587)
        username = self.option("username") or self.option("from_address")
        return SmtpServer(host, port, tls, username, self.name)

    def describe(self) -> str:
        """``email to 2 addresses through smtp.acme.com:465``."""
        count = plural(len(self.recipients), "address", "addresses")
        return f"email to {count} through {self.server.host}:{self.server.port}"

    def password(self) -> str | None:
        """The SMTP password: the channel's (its SMTP field, else its default secret), or
        this destination's own secret; ``None`` when none is set."""
        if self.channel is not None:
            value = self.channel.password(SMTP_PASSWORD)
            self.scrubber.add(value)
            return value
        return self.optional_secret()

    def message(self, parcel: Parcel) -> OutgoingMail:
        """The digest as a ``multipart/alternative`` message with its envelope."""
        from cxdaily.insights.delivery.messages import email_subject

        digest = parcel.digest
        domain = self.from_address.rpartition("@")[2] or "localhost"
        key = hashlib.sha256(f"{self.name}\x00{parcel.period.key}".encode()).hexdigest()[:24]
        message_id = f"<cxdaily.digest.{key}@{domain}>"
        message = EmailMessage()
        message["From"] = Address(display_name=self.from_name or "", addr_spec=self.from_address)
        message["To"] = ", ".join(self.recipients)
        message["Subject"] = email_subject(self.option("subject"), digest)
        message["Date"] = format_datetime(self.now())
        message["Message-ID"] = message_id
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(parcel.text("md"), subtype="plain", charset="utf-8")
        message.add_alternative(parcel.text("html"), subtype="html", charset="utf-8")
        return OutgoingMail(message, self.from_address, self.recipients, message_id)

    async def deliver(self, parcel: Parcel, ledger: Ledger) -> Delivered:
        """Send the message (blocking SMTP, in a worker thread)."""
        return await asyncio.to_thread(self._send, parcel)

    def _send(self, parcel: Parcel) -> Delivered:
        mail = self.message(parcel)
        server = self.server
        password = self.password()
        # each step gets part of the deadline, so a step that hangs fails here, where it is
        # known whether the message went out, before the deadline cuts the send off
        step_s = min(float(self.option("deadline")) / 2, MAX_STEP_S)
        smtp = open_smtp(server.host, server.port, server.tls, step_s, self.name)
        try:
            if password and server.username:
                login(smtp, server.username, password, server.where, server.owner)
            send(smtp, mail, server.where, self.name)
        finally:
            quit_quietly(smtp)
        return Delivered(items=1, detail=self.describe())
