"""One email as the fields a customer question needs, read from its raw bytes.

:func:`parse_message` reads what the common clients send (Gmail, Outlook, Apple Mail,
Thunderbird, phones): plain, HTML-only and alternative bodies, attachments (listed by
name and size, their content never kept), inline images, quoted-printable and base64,
any charset Python knows and the usual wrong labels (see
:func:`~cxdaily.connectors.mail_quotes.decode_bytes`), RFC 2047 headers, missing or
garbage headers. The standard library's parser and decoders do the work; where
they raise, a simpler reading takes over, so nothing ever raises.

Every text kept is customer text and is cleaned here: lone surrogates, terminal escape
sequences, control and bidi characters are removed (:mod:`cxdaily.core.safe_text`).

Work is bounded whatever the input: a long base64 run (an attachment) is sized and then
elided before parsing, the rest is parsed up to :data:`MAX_PARSED_BYTES`, at most
:data:`MAX_CONTAINERS` multiparts or attached messages are opened (deeper nesting stays
unread), header values are cut before the header parser sees them and at most
:data:`MAX_TEXT_BYTES` of each text part are decoded.

:attr:`MailMessage.new_text` is the body without what it repeats (see
:mod:`cxdaily.connectors.mail_quotes`); :func:`thread_subject` and :func:`reply_subject`
(from there too) thread and answer by subject.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from email import policy as email_policy
from email.message import Message
from email.parser import BytesParser

# ``NAME as NAME``: the limits of headers and parts, re-exported (part of the interface).
import msgspec

from cxdaily.connectors.mail_headers import (
    MAX_ADDRESSES as MAX_ADDRESSES,
)
from cxdaily.connectors.mail_headers import (
    MAX_ID_CHARS as MAX_ID_CHARS,
)
from cxdaily.connectors.mail_headers import (
    MAX_NAME_CHARS as MAX_NAME_CHARS,
)
from cxdaily.connectors.mail_headers import (
    MAX_REFERENCES as MAX_REFERENCES,
)
from cxdaily.connectors.mail_headers import (
    MAX_SUBJECT_CHARS as MAX_SUBJECT_CHARS,
)
from cxdaily.connectors.mail_headers import (
    POLICY,
    address_list,
    automated_reason,
    first_id,
    parse_date,
    raw_value,
    read_addresses,
    read_importance,
    read_references,
    read_subject,
)
from cxdaily.connectors.mail_parts import MAX_ATTACHMENTS as MAX_ATTACHMENTS
from cxdaily.connectors.mail_parts import MAX_BODY_CHARS as MAX_BODY_CHARS
from cxdaily.connectors.mail_parts import MAX_CONTAINERS, Attachment, PartReader, assemble_body
from cxdaily.connectors.mail_parts import MAX_TEXT_BYTES as MAX_TEXT_BYTES
from cxdaily.connectors.mail_quotes import decode_bytes, reply_subject, thread_subject
from cxdaily.connectors.mail_quotes import new_text as _new_text

__all__ = [
    "Attachment",
    "MailMessage",
    "decode_bytes",
    "parse_message",
    "reply_subject",
    "thread_subject",
]

MAX_PARSED_BYTES = 4_000_000
"""Raw bytes parsed at the most (after long base64 runs are elided); the rest is cut."""
MAX_PART_DELIMITERS = 300
"""Lines starting with ``--`` (part delimiters) parsed at the most: bounds the parts."""
_ELIDE_ABOVE = 2_000_000
"""Messages larger than this have their long base64 runs elided before parsing."""
_KEEP_BASE64 = 1_500_000
"""Bytes of a base64 run kept (more than a text part's decoding reads)."""


class MailMessage(msgspec.Struct, frozen=True):
    """What a customer question needs of one email, cleaned."""

    message_id: str | None
    """``<...>`` as in the header, stripped; ``None`` when missing."""
    in_reply_to: str | None
    references: tuple[str, ...]
    """Message ids, in order (the first and the last ones when there are very many)."""
    subject: str | None
    """RFC 2047 decoded, cleaned, one line."""
    from_name: str | None
    from_address: str | None
    """Lower-cased."""
    reply_to: tuple[str, ...]
    to: tuple[str, ...]
    cc: tuple[str, ...]
    date: datetime | None
    """Aware UTC; ``None`` when missing or unreadable."""
    body: str
    """The whole readable text (text/plain preferred; HTML converted)."""
    new_text: str
    """The body without quoted earlier replies, forwarded history and signature."""
    attachments: tuple[Attachment, ...]
    automated: str | None
    """Why it is not a person's message: "auto-reply", "bounce", "mailing list", "bulk"."""
    importance: str | None
    """"high" or "low" (Importance, X-Priority, Priority); else ``None``."""
    truncated: bool = False
    """Part of the message was not read (it passed a size limit): the body may be cut."""


_EMPTY = MailMessage(
    message_id=None,
    in_reply_to=None,
    references=(),
    subject=None,
    from_name=None,
    from_address=None,
    reply_to=(),
    to=(),
    cc=(),
    date=None,
    body="",
    new_text="",
    attachments=(),
    automated=None,
    importance=None,
)


# -- bounding and parsing ---------------------------------------------------------------
def _bounded(raw: bytes) -> tuple[bytes, str, bool]:
    """The bytes to parse (long base64 runs elided, cut to the limits), the marker of the
    elisions and whether anything was cut."""
    marker = "CXELIDED" + secrets.token_hex(8) + "N"
    data = _elide_base64(raw, marker.encode()) if len(raw) > _ELIDE_ABOVE else raw
    cut = False
    if len(data) > MAX_PARSED_BYTES:
        end = data.rfind(b"\n", MAX_PARSED_BYTES - 100_000, MAX_PARSED_BYTES) + 1
        data, cut = data[: end or MAX_PARSED_BYTES], True
    pos = 0
    for _ in range(MAX_PART_DELIMITERS):
        pos = data.find(b"\n--", pos)
        if pos < 0:
            break
        pos += 3
    else:
        next_delimiter = data.find(b"\n--", pos)
        if next_delimiter >= 0:
            data, cut = data[: next_delimiter + 1], True
    data, closed = _close_containers(data)
    return data, marker, cut or closed


_BASE64_CLASSES = bytes(
    0x61
    if chr(b) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n"
    else 0x20
    for b in range(256)
)
"""Translation table: base64 text and line breaks to ``a``, every other byte to a space."""


def _elide_base64(raw: bytes, marker: bytes) -> bytes:
    """``raw`` with the middle of every base64 run longer than :data:`_KEEP_BASE64`
    replaced by one line: the marker and how many base64 characters were removed."""
    classes = raw.translate(_BASE64_CLASSES)
    needle = b"a" * _KEEP_BASE64
    pieces: list[bytes] = []
    copied = pos = 0
    while (start := classes.find(needle, pos)) >= 0:
        end = classes.find(b" ", start)
        pos = end = len(raw) if end < 0 else end
        cut_from = raw.find(b"\n", start + _KEEP_BASE64, end) + 1
        cut_to = raw.rfind(b"\n", start, end - 1) + 1  # the run's last line
        if not 0 < cut_from < cut_to:
            continue  # no line breaks to cut at: the size limit cuts it
        removed = (cut_to - cut_from) - sum(
            raw.count(c, cut_from, cut_to) for c in (b"\n", b"\r", b"=")
        )
        pieces += [raw[copied:cut_from], marker + str(removed).encode() + b"\n"]
        copied = cut_to
    pieces.append(raw[copied:])
    return b"".join(pieces)


_CONTAINER = re.compile(rb"(?i)(content-type\s*:\s*)(multipart|message)\s*/")


def _close_containers(data: bytes) -> tuple[bytes, bool]:
    """``data`` with containers past :data:`MAX_CONTAINERS` retyped as opaque files
    (``application/x-unopened-multipart-mixed``), so the parser does not recurse into
    them, and whether there were any."""
    count = 0

    def retype(match: re.Match[bytes]) -> bytes:
        nonlocal count
        count += 1
        if count <= MAX_CONTAINERS:
            return match.group()
        return match.group(1) + b"application/x-unopened-" + match.group(2) + b"-"

    closed = _CONTAINER.sub(retype, data)
    return closed, count > MAX_CONTAINERS


def _parse_tree(data: bytes) -> Message | None:
    """The parsed message (the standard policy first, the legacy one where it raises)."""
    for policy in (POLICY, email_policy.compat32):
        try:
            return BytesParser(policy=policy).parsebytes(data)
        except Exception:
            continue
    try:
        return BytesParser(policy=POLICY).parsebytes(data, headersonly=True)
    except Exception:
        return None


# -- the message ------------------------------------------------------------------------
def parse_message(raw: bytes) -> MailMessage:
    """The fields of one raw email (RFC 5322 bytes, as IMAP fetches them).

    Never raises on any input: a malformed message gives what could be read; a message
    that is not email at all gives empty fields. Work and memory are bounded on huge input.
    """
    try:
        return _parse(bytes(raw))
    except Exception:
        return _EMPTY


def _parse(raw: bytes) -> MailMessage:
    data, marker, cut = _bounded(raw)
    msg = _parse_tree(data)
    if msg is None or not msg.keys():
        return _EMPTY
    reader = PartReader(marker)
    try:
        reader.read(msg)
    except Exception:  # a part the library cannot walk: keep what was read before it
        reader.truncated = True
    body, body_cut = assemble_body(reader.texts)
    senders = read_addresses(msg, "from")
    from_name, from_address = senders[0] if senders else (None, None)
    return MailMessage(
        message_id=first_id(raw_value(msg, "message-id")),
        in_reply_to=first_id(raw_value(msg, "in-reply-to")),
        references=read_references(msg),
        subject=read_subject(msg),
        from_name=from_name,
        from_address=from_address,
        reply_to=address_list(msg, "reply-to"),
        to=address_list(msg, "to"),
        cc=address_list(msg, "cc"),
        date=parse_date(raw_value(msg, "date")),
        body=body,
        new_text=_new_text(body),
        attachments=tuple(reader.attachments),
        automated=automated_reason(msg, from_address),
        importance=read_importance(msg),
        truncated=cut or reader.truncated or body_cut,
    )
