"""SMTP for the ``email`` connector: the reply as a message, and sending it once.

:func:`build_reply` writes the reply to a question's message: ``To`` its ``Reply-To`` or
``From``, ``Cc`` kept only when replying to all, ``Re:`` subject, ``In-Reply-To`` and
``References`` for threading, a ``Message-ID`` made from the reply's idempotency key (so
every attempt of one reply carries the same id), and a plain UTF-8 body.

:func:`send` delivers it (blocking: run it in a worker thread) and tells the two kinds of
failure apart, which is what exactly-once sending rests on:

- a refusal **before the message was transmitted** (connection refused, TLS, login,
  sender or recipient refused, ``DATA`` refused) is a :class:`MailNotSentError`: the
  outbox knows nothing went out;
- a failure **after** it was transmitted (a 4xx/5xx answer to the message, a dropped
  connection, a timeout) is a plain :class:`ConnectorError`: the outcome is unknown, and
  the outbox looks for the reply (by its ``Message-ID``) before sending again.
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Iterable, Sequence
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime

import msgspec

from cxdaily.connectors.email_imap import connection_error
from cxdaily.connectors.tls import system_tls
from cxdaily.core.errors import AuthError, ConnectorError


class MailNotSentError(ConnectorError):
    """The mail server refused the reply before it was transmitted: nothing was sent.

    ``status`` is 400 so the outbox counts it, like an HTTP refusal, as not delivered.
    """

    status = 400


class OutgoingMail(msgspec.Struct, frozen=True):
    """A reply ready to send: the message and its envelope."""

    message: EmailMessage
    sender: str
    recipients: tuple[str, ...]
    """Everyone it goes to: To, Cc and our own copy (an envelope-only recipient)."""
    message_id: str


_KEY_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def reply_message_id(idempotency_key: str, from_address: str) -> str:
    """``<cxdaily.KEY@DOMAIN>``: the same for every attempt of one reply."""
    key = _KEY_SAFE.sub("-", idempotency_key)[:80] or "reply"
    domain = from_address.rpartition("@")[2] or "localhost"
    return f"<cxdaily.{key}@{domain}>"


def build_reply(
    *,
    to: Sequence[str],
    cc: Sequence[str],
    subject: str,
    in_reply_to: str | None,
    references: Sequence[str],
    body: str,
    message_id: str,
    from_address: str,
    from_name: str | None,
    self_copy: bool,
    now: datetime,
) -> OutgoingMail:
    """The reply as a message with its envelope (see the module's docstring).

    ``to`` and ``cc`` are the chosen recipients (addresses); our own address gets the
    copy that makes the reply findable after an unknown outcome (``self_copy``), through
    the envelope only: the message names no Bcc.
    """
    message = EmailMessage()
    message["From"] = Address(display_name=from_name or "", addr_spec=from_address)
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    chain = [r for r in references if r != in_reply_to] + ([in_reply_to] if in_reply_to else [])
    if chain:
        message["References"] = " ".join(chain)
    message["Auto-Submitted"] = "no"
    text = body if body.endswith("\n") else body + "\n"
    cte = "7bit" if text.isascii() and max(map(len, text.splitlines() or [""])) < 990 else None
    message.set_content(text, subtype="plain", charset="utf-8", cte=cte or "quoted-printable")
    recipients = list(dict.fromkeys(a.lower() for a in [*to, *cc]))
    if self_copy and from_address.lower() not in recipients:
        recipients.append(from_address.lower())
    return OutgoingMail(message, from_address, tuple(recipients), message_id)


def open_smtp(host: str, port: int, tls: str, timeout: float, channel: str) -> smtplib.SMTP:
    """A connection that has said EHLO (after STARTTLS in that mode)."""
    where = f"SMTP server {host}:{port}"
    try:
        if tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=system_tls())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        try:
            smtp.ehlo()
            if tls == "starttls":
                if not smtp.has_extn("starttls"):
                    raise MailNotSentError(f"{where} does not offer STARTTLS", channel=channel)
                smtp.starttls(context=system_tls())
                smtp.ehlo()
        except BaseException:
            smtp.close()
            raise
        return smtp
    except Exception as exc:
        raise not_sent(exc, "connecting", where, channel) from None


def login(smtp: smtplib.SMTP, username: str, password: str, where: str, channel: str) -> bool:
    """Log in when the server offers AUTH; whether it did."""
    if not smtp.has_extn("auth"):
        return False
    try:
        smtp.login(username, password)
    except smtplib.SMTPAuthenticationError:
        raise AuthError(
            f"SMTP login refused for {username} at {where.removeprefix('SMTP server ')}: check "
            f"username and the password (cxdaily login {channel})",
            channel=channel,
        ) from None
    except Exception as exc:
        raise not_sent(exc, "logging in", where, channel) from None
    return True


def send(smtp: smtplib.SMTP, mail: OutgoingMail, where: str, channel: str) -> None:
    """Transmit ``mail`` on a logged-in connection (see the module's docstring)."""
    utf8 = not _ascii_only([mail.sender, *mail.recipients, *_header_values(mail.message)])
    if utf8 and not smtp.has_extn("smtputf8"):
        raise MailNotSentError(
            f"{where} does not accept non-ASCII addresses (no SMTPUTF8)", channel=channel
        )
    data = mail.message.as_bytes(policy=SMTPUTF8 if utf8 else SMTP)
    options = ["SMTPUTF8", "BODY=8BITMIME"] if utf8 else []
    try:
        code, said = smtp.mail(mail.sender, options)
        if code != 250:
            raise MailNotSentError(
                f"{where} refused the sender {mail.sender} ({code} {_text(said)})", channel=channel
            )
        refused = []
        for recipient in mail.recipients:
            code, said = smtp.rcpt(recipient)
            if code not in (250, 251):
                refused.append(f"{recipient} ({code} {_text(said)})")
        if refused:
            smtp.rset()
            raise MailNotSentError(
                f"{where} refused the recipient {', '.join(refused)}", channel=channel
            )
        code, said = smtp.docmd("DATA")
        if code != 354:
            raise MailNotSentError(f"{where} refused DATA ({code} {_text(said)})", channel=channel)
    except ConnectorError:
        raise
    except Exception as exc:
        raise not_sent(exc, "sending the envelope", where, channel) from None
    # from here on, the message may have been delivered whatever is heard back
    try:
        smtp.send(_dot_stuffed(data))
        code, said = smtp.getreply()
    except Exception as exc:
        raise ConnectorError(
            f"{_unknown(exc, where)} after the message was transmitted: it may have been "
            "delivered (looked for before any resend)",
            channel=channel,
        ) from None
    if code != 250:
        raise ConnectorError(
            f"{where} answered {code} {_text(said)} after the message was transmitted: it may "
            "have been delivered (looked for before any resend)",
            channel=channel,
        )


def quit_quietly(smtp: smtplib.SMTP) -> None:
    """End the session; a failure here changes nothing."""
    try:
        smtp.quit()
    except Exception:
        smtp.close()


def not_sent(exc: BaseException, doing: str, where: str, channel: str) -> ConnectorError:
    """A failure before the message was transmitted, as a :class:`MailNotSentError`."""
    if isinstance(exc, ConnectorError):
        return exc
    if isinstance(exc, smtplib.SMTPResponseException):
        return MailNotSentError(
            f"{where} refused {doing} ({exc.smtp_code} {_text(exc.smtp_error)})", channel=channel
        )
    error = connection_error(exc, doing, where, channel, "SMTP")
    return MailNotSentError(str(error).removeprefix(f"{channel}: "), channel=channel)


def _unknown(exc: BaseException, where: str) -> str:
    if isinstance(exc, TimeoutError):
        return f"{where} did not answer in time"
    if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError | EOFError):
        return f"{where} dropped the connection"
    return f"{where} failed ({type(exc).__name__})"


def _dot_stuffed(data: bytes) -> bytes:
    """The message as DATA carries it: CRLF lines, leading dots doubled, ``.`` at the end."""
    lines = re.sub(rb"\r\n|\n|\r", b"\r\n", data)
    stuffed = re.sub(rb"(?m)^\.", b"..", lines)
    if not stuffed.endswith(b"\r\n"):
        stuffed += b"\r\n"
    return stuffed + b".\r\n"


def _header_values(message: EmailMessage) -> Iterable[str]:
    for name in ("From", "To", "Cc"):
        value = message.get(name)
        if value is not None:
            yield "".join(a.addr_spec for a in getattr(value, "addresses", ()))


def _ascii_only(values: Iterable[str]) -> bool:
    return all(value.isascii() for value in values)


def _text(said: bytes | str) -> str:
    text = said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)
    text = " ".join(text.split())
    return "".join(c if c.isprintable() else "?" for c in text)[:200]
