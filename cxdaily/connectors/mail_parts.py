"""The MIME parts of an email: their disposition, file names, payload decoding and sizing,
the walk that gathers the body's text parts and the attachments (:class:`PartReader`),
the alternative read as the body, and the body assembled from the text parts.

Work is bounded: at most :data:`MAX_CONTAINERS` levels are walked, :data:`MAX_TEXT_BYTES`
of each text part are decoded and :data:`MAX_ATTACHMENTS` attachments listed.
"""

from __future__ import annotations

import binascii
import quopri
import re
from email.message import Message
from typing import NamedTuple

from cxdaily.connectors.html_text import html_to_text
from cxdaily.connectors.mail_headers import (
    MAX_NAME_CHARS,
    clean_line,
    content_type,
    decode_words,
    header_param,
    header_token,
)
from cxdaily.connectors.mail_quotes import decode_bytes, unflow
from cxdaily.core.safe_json import clean_surrogates
from cxdaily.core.safe_text import clean

MAX_CONTAINERS = 60
"""Multiparts and attached messages opened at the most; later ones are read as opaque
parts (real mail nests a handful; the parser recurses into each)."""
MAX_TEXT_BYTES = 1_000_000
"""Decoded bytes of one text part read at the most."""
MAX_BODY_CHARS = 100_000
"""Longest body kept (a longer one is cut and the message marked ``truncated``)."""
MAX_ATTACHMENTS = 200


class Attachment(NamedTuple):
    """A file sent with the message: described, never kept."""

    name: str
    """Decoded file name, without folders ("" when none)."""
    size: int
    """Bytes of the decoded payload (computed without keeping it)."""
    content_type: str
    inline: bool = False
    """Shown inside the message (an inline image, a logo in a signature) rather than
    attached for the reader to open."""


def _disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:
        return None


def _filename(part: Message) -> str:
    """The decoded file name of a part, without folders ("" when none)."""
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        return ""
    text = clean_line(decode_words(str(name)), 10 * MAX_NAME_CHARS) or ""
    text = re.split(r"[\\/]", text)[-1].strip()
    return text[:MAX_NAME_CHARS]


def _payload_bytes(part: Message) -> tuple[bytes, bool]:
    """The decoded payload of a leaf, at most :data:`MAX_TEXT_BYTES`, and whether cut.

    The whole payload is decoded by the email package (bounded: the parsed message is at
    most :data:`~cxdaily.connectors.mail_message.MAX_PARSED_BYTES`), or, where that
    raises, by :func:`_decode_transfer`.
    """
    data = _decoded_payload(part)
    if data is None:
        payload = part.get_payload()
        if not isinstance(payload, str):
            return b"", False
        encoding = header_token(part, "content-transfer-encoding")
        data = _decode_transfer(payload[: MAX_TEXT_BYTES * 2], encoding)
    return data[:MAX_TEXT_BYTES], len(data) > MAX_TEXT_BYTES


def _decoded_payload(part: Message) -> bytes | None:
    """A leaf's payload decoded by the email package (raw bytes for 7bit and 8bit)."""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return None
    return data if isinstance(data, bytes) else None


def _as_bytes(payload: str) -> bytes:
    try:
        return payload.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return clean_surrogates(payload).encode("utf-8")


def _decode_transfer(payload: str, encoding: str) -> bytes:
    """A payload decoded from its transfer encoding, tolerating damage."""
    data = _as_bytes(payload)
    try:
        if encoding == "base64":
            letters = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
            letters = letters[: len(letters) - (len(letters) % 4 == 1)]
            return binascii.a2b_base64(letters + b"=" * (-len(letters) % 4))
        if encoding == "quoted-printable":
            return quopri.decodestring(data)
    except (binascii.Error, ValueError):
        return b""
    return data


def _size(part: Message, marker: str) -> int:
    """Bytes of a leaf's decoded payload, counted without keeping a decoded copy."""
    payload = part.get_payload()
    if isinstance(payload, list):  # an attached message: about the size of its parts
        return sum(
            sum(len(k) + len(v) + 3 for k, v in p.raw_items()) + 1 + _size(p, marker)
            for p in payload[:MAX_ATTACHMENTS]
            if isinstance(p, Message)
        )
    if not isinstance(payload, str):
        return 0
    encoding = header_token(part, "content-transfer-encoding")
    if encoding == "base64":
        letters = len(payload) - sum(payload.count(c) for c in "\r\n \t=")
        for found in re.finditer(re.escape(marker) + r"(\d{1,15})", payload):
            letters += int(found.group(1)) - len(found.group())
        return max(letters, 0) * 3 // 4
    data = _decoded_payload(part)
    if data is None:
        data = _as_bytes(payload)
    if encoding == "binary":
        return len(data)
    return len(data) - data.count(b"\r\n")  # text line ends as one byte, however sent


class PartReader:
    """Walks the parts of a message: the body's text parts and the attachments."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self.texts: list[str] = []
        self.attachments: list[Attachment] = []
        self.truncated = False

    def read(
        self, part: Message, depth: int = 0, *, text: bool = True, inline: bool = False
    ) -> None:
        if depth > MAX_CONTAINERS:
            return
        ctype = content_type(part)
        payload = part.get_payload()
        if ctype.startswith("message/"):
            self.attach(part, ctype, _disposition(part) == "inline")
            return
        if part.is_multipart() and isinstance(payload, list):
            children = [p for p in payload if isinstance(p, Message)]
            if ctype == "multipart/alternative":
                chosen = _preferred(children)
                for child in children:
                    self.read(child, depth + 1, text=text and child is chosen, inline=inline)
            elif ctype == "multipart/related":
                for n, child in enumerate(children):
                    self.read(child, depth + 1, text=text and n == 0, inline=inline or n > 0)
            else:
                for child in children:
                    self.read(child, depth + 1, text=text, inline=inline)
            return
        disposition = _disposition(part)
        text_part = ctype in ("text/plain", "text/html") and disposition != "attachment"
        if text_part and not _filename(part):
            if text:
                self.add_text(part, ctype)
            return  # else the text of an alternative not read
        self.attach(
            part, ctype, disposition == "inline" or (inline and disposition != "attachment")
        )

    def attach(self, part: Message, ctype: str, inline: bool) -> None:
        if len(self.attachments) < MAX_ATTACHMENTS:
            self.attachments.append(
                Attachment(_filename(part), _size(part, self.marker), ctype, inline)
            )

    def add_text(self, part: Message, ctype: str) -> None:
        data, cut = _payload_bytes(part)
        self.truncated |= cut
        charset = header_param(part, "charset")
        if ctype == "text/html":
            if charset is None:
                meta = re.search(rb"<meta[^>]{0,200}charset=[\"']?([\w:.-]{1,40})", data[:4096])
                charset = meta.group(1).decode("ascii") if meta else None
            html = decode_bytes(data, charset, cut=cut)
            self.texts.append(
                html_to_text(re.sub(r"(?i)<hr\b[^>]*>", "<p>" + "_" * 32 + "</p>", html))
            )
            return
        text = decode_bytes(data, charset, cut=cut).replace("\r\n", "\n")
        if (header_param(part, "format") or "").lower() == "flowed":
            text = unflow(text, delsp=(header_param(part, "delsp") or "").lower() == "yes")
        self.texts.append(text)


def _preferred(children: list[Message]) -> Message | None:
    """The alternative read as the body: the plain text, else the last readable one."""
    for child in children:
        if content_type(child) == "text/plain" and _has_text(child):
            return child
    for child in reversed(children):
        if content_type(child) in ("text/html", "multipart/related", "multipart/mixed"):
            return child
    return children[-1] if children else None


def _has_text(part: Message) -> bool:
    payload = part.get_payload()
    return isinstance(payload, str) and bool(payload.strip())


def assemble_body(texts: list[str]) -> tuple[str, bool]:
    """The text parts as one cleaned body, and whether it was cut."""
    joined = "\n\n".join(t for t in texts if t.strip())
    joined = clean(clean_surrogates(joined))
    lines = [line.rstrip() for line in joined.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    body = "\n".join(lines)
    if len(body) > MAX_BODY_CHARS:
        return body[:MAX_BODY_CHARS], True
    return body, False
