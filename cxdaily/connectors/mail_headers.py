"""Reading the headers of an email: the safe header factory and parsing policy, raw header
values, RFC 2047 decoding, the subject, addresses, message ids, references, the date,
importance, the content type and its parameters, and automated-mail detection.

Every value kept is cleaned customer text (see :mod:`cxdaily.connectors.mail_message`);
header values are cut before the standard header parser (quadratic on some hostile
values) reads them.
"""

from __future__ import annotations

import functools
import itertools
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email import policy as email_policy
from email.header import decode_header
from email.headerregistry import BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import Message
from email.utils import collapse_rfc2231_value, getaddresses, parsedate_to_datetime
from typing import Any

from dateutil import parser as date_parser

from cxdaily.connectors.mail_quotes import decode_bytes
from cxdaily.connectors.parsing import EARLIEST, LATEST
from cxdaily.core.safe_json import clean_surrogates, is_digits
from cxdaily.core.safe_text import one_line

MAX_ADDRESSES = 100
MAX_REFERENCES = 100
MAX_NAME_CHARS = 255
MAX_SUBJECT_CHARS = 1000
MAX_ID_CHARS = 998
_ADDRESS_HEADERS = ("from", "to", "cc", "bcc", "reply-to", "sender")
_MAX_HEADER_CHARS = {
    "subject": 4000,
    "content-type": 400,
    "content-disposition": 400,
    **{name: 2000 for name in _ADDRESS_HEADERS},
}
"""Header values are cut to these lengths before the header parser (quadratic on some
hostile values) reads them."""
_MAX_OTHER_HEADER_CHARS = 300
_MAX_RAW_HEADER_CHARS = 8000
"""Longest header value read without the header parser (ids, dates, flags)."""
_MAX_SPECIALS = 40
"""Quotes, backslashes and parentheses in a MIME header value parsed at the most."""
_MAX_HEADERS = 1000
"""Headers of a part read at the most (real mail has a few dozen)."""
_MAX_ADDRESS_HEADERS = 3
"""Headers of one address field read at the most (there should be one)."""


_ESCAPED_BYTES = re.compile("[\udc80-\udcff]+")


def _unescape(text: str) -> str:
    """Raw 8-bit bytes the parser kept as surrogate escapes, decoded (UTF-8 or 1252)."""
    if not _ESCAPED_BYTES.search(text):
        return text
    return _ESCAPED_BYTES.sub(
        lambda m: decode_bytes(bytes(ord(c) - 0xDC00 for c in m.group()), None), text
    )


class _SafeHeaders:
    """The standard header factory, fed cut values with raw 8-bit bytes decoded, and
    falling back to unstructured text where it raises (deep comments recurse) or would
    be slow (its parser is quadratic in quotes, backslashes and parentheses: a value of
    a MIME header with more than :data:`_MAX_SPECIALS` of them is read as plain text)."""

    def __init__(self) -> None:
        self.registry = HeaderRegistry()
        self.plain = HeaderRegistry(default_class=UnstructuredHeader, use_default_map=False)

    def __call__(self, name: str, value: str) -> BaseHeader:
        limit = _MAX_HEADER_CHARS.get(name.lower(), _MAX_OTHER_HEADER_CHARS)
        return self.parse(name, value[:limit])

    @functools.lru_cache(maxsize=256)  # noqa: B019 (one instance, kept for the process)
    def parse(self, name: str, value: str) -> BaseHeader:
        """The header object (every access to a header parses it again: remembered)."""
        value = _unescape(value)
        specials = value.count('"') + value.count("\\") + value.count("(")
        try:
            if specials > _MAX_SPECIALS and name.lower() not in _ADDRESS_HEADERS:
                return self.plain(name, value)
            return self.registry(name, value)
        except Exception:
            try:
                return self.plain(name, value)
            except Exception:
                return self.plain(name, "")


POLICY = email_policy.default.clone(header_factory=_SafeHeaders())
"""The standard policy with :class:`_SafeHeaders` as its header factory."""


def _raw_values(part: Message, name: str) -> list[str]:
    """The raw values of header ``name`` (unfolded, 8-bit bytes decoded, surrogates
    cleaned, cut)."""
    values = []
    for key, value in itertools.islice(part.raw_items(), _MAX_HEADERS):
        if key.lower() == name and isinstance(value, str):
            text = value[:_MAX_RAW_HEADER_CHARS].replace("\r", "").replace("\n", "")
            values.append(clean_surrogates(_unescape(text)))
    return values


def raw_value(part: Message, name: str) -> str | None:
    """The first raw value of header ``name`` (as :func:`_raw_values`); ``None`` when missing."""
    values = _raw_values(part, name)
    return values[0] if values else None


def header_token(part: Message, name: str) -> str:
    """The first word of a header, lower-cased ("" when missing)."""
    value = raw_value(part, name) or ""
    return value.split(";")[0].strip().lower()


def decode_words(value: str) -> str:
    """An unstructured header value with its RFC 2047 encoded words decoded."""
    if "=?" not in value:
        return value
    try:
        return "".join(
            decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk
            for chunk, charset in decode_header(value)
        )
    except Exception:
        return value


def clean_line(text: str | None, limit: int) -> str | None:
    """Cleaned, folded to one line, cut to ``limit``; ``None`` when blank."""
    if text is None:
        return None
    value = one_line(clean_surrogates(_unescape(text)), limit)
    return value or None


def read_subject(msg: Message) -> str | None:
    """The Subject header, RFC 2047 decoded, cleaned, one line; ``None`` when missing."""
    value = raw_value(msg, "subject")
    if value is None:
        return None
    return clean_line(decode_words(value[: _MAX_HEADER_CHARS["subject"]]), MAX_SUBJECT_CHARS)


_ADDRESS_LIKE = re.compile(r"[^\s<>()\[\],;:\"@]+@[^\s<>()\[\],;:\"@]+")


def read_addresses(msg: Message, name: str) -> list[tuple[str | None, str]]:
    """(display name, lower-cased address) of every address in header ``name``."""
    found: list[tuple[str | None, str]] = []
    for raw in _raw_values(msg, name)[:_MAX_ADDRESS_HEADERS]:
        pairs: list[tuple[str, str]] = []
        try:
            header: Any = POLICY.header_factory(name, raw)
            pairs = [(a.display_name, a.addr_spec) for a in header.addresses]
        except Exception:
            try:
                pairs = getaddresses([raw])
            except Exception:
                pairs = []
        valid = [(n, a) for n, a in ((n, _address(a)) for n, a in pairs) if a]
        if not valid:  # "Jane Doe jane@example.com": take what looks like an address
            valid = [(raw.split(a)[0].strip(" \"'<"), a) for a in _ADDRESS_LIKE.findall(raw)]
        for display, address in valid:
            spec = _address(address or "")
            if spec is None:
                continue
            found.append((clean_line(decode_words(display or ""), MAX_NAME_CHARS), spec))
            if len(found) >= MAX_ADDRESSES:
                return found
    return found


def _address(value: str) -> str | None:
    """An address as kept: cleaned, lower-cased; ``None`` when it cannot be one."""
    spec = (clean_line(value, 320) or "").strip("<>").lower()
    return spec if spec and not re.search(r"[\s\"]", spec) else None


def address_list(msg: Message, name: str) -> tuple[str, ...]:
    """The distinct lower-cased addresses of header ``name``, in order."""
    return tuple(dict.fromkeys(address for _, address in read_addresses(msg, name)))


_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def first_id(value: str | None) -> str | None:
    """The message id in a header value: its first ``<...>``, else the value, stripped."""
    if not value:
        return None
    found = _MESSAGE_ID.search(value)
    text = one_line(found.group() if found else value)
    return text if 0 < len(text) <= MAX_ID_CHARS else None


def read_references(msg: Message) -> tuple[str, ...]:
    """The message ids of the References headers, in order (first and last when many)."""
    tokens: list[str] = []
    for value in _raw_values(msg, "references"):
        tokens += _MESSAGE_ID.findall(value) or value.replace(",", " ").split()
    ids = list(dict.fromkeys(one_line(t) for t in tokens if len(t) <= MAX_ID_CHARS))
    if len(ids) > MAX_REFERENCES:
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]
    return tuple(ids)


def parse_date(value: str | None) -> datetime | None:
    """The Date header as aware UTC (no zone means UTC); ``None`` when unreadable."""
    if not value or not value.strip():
        return None
    text = value.strip()[:200]
    parsed: datetime | None = None
    try:
        parsed = parsedate_to_datetime(text)
    except Exception:
        if not re.search(r"\b(?:19|2\d)\d\d\b", text):
            return None
        try:  # an ISO or otherwise odd date: never relative to today
            parsed = date_parser.parse(
                text[:100], default=datetime(1900, 1, 1), tzinfos=_numeric_zone
            )
        except Exception:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        moment = parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return moment if EARLIEST <= moment < LATEST else None


def _numeric_zone(name: str | None, offset: int | None) -> tzinfo | None:
    """A date's zone for dateutil: its numeric offset; a zone name alone means none."""
    return timezone(timedelta(seconds=offset)) if offset is not None else None


_PRIORITY_WORDS = {
    "high": "high",
    "urgent": "high",
    "highest": "high",
    "low": "low",
    "lowest": "low",
    "non-urgent": "low",
}


def read_importance(msg: Message) -> str | None:
    """ "high" or "low" from Importance, X-Priority, Priority or X-MSMail-Priority."""
    for name in ("importance", "x-priority", "priority", "x-msmail-priority"):
        value = header_token(msg, name)
        if not value:
            continue
        digit = value[:1]
        if name == "x-priority" and is_digits(digit):
            return "high" if digit in "12" else "low" if digit in "45" else None
        word = value.split()[0] if value.split() else ""
        if word in _PRIORITY_WORDS:
            return _PRIORITY_WORDS[word]
        return None
    return None


def automated_reason(msg: Message, sender: str | None) -> str | None:
    """Why the message is not a person's: "bounce", "auto-reply", "mailing list", "bulk"."""
    ctype = content_type(msg)
    report = (header_param(msg, "report-type") or "").lower()
    local = (sender or "").split("@")[0]
    if (ctype == "multipart/report" and report == "delivery-status") or local in (
        "mailer-daemon",
        "postmaster",
    ):
        return "bounce"
    submitted = header_token(msg, "auto-submitted")
    if submitted and submitted != "no":
        return "auto-reply"
    if ctype == "multipart/report" and report == "disposition-notification":
        return "auto-reply"
    for name in ("x-autoreply", "x-autorespond"):
        value = raw_value(msg, name)
        if value is not None and value.strip().lower() not in ("no", "false", "0"):
            return "auto-reply"
    precedence = header_token(msg, "precedence")
    if precedence in ("auto_reply", "auto-reply"):
        return "auto-reply"
    if precedence == "list":
        return "mailing list"
    if precedence in ("bulk", "junk"):
        return "bulk"
    if raw_value(msg, "list-id") is not None or raw_value(msg, "list-unsubscribe") is not None:
        return "mailing list"
    return_path = raw_value(msg, "return-path")
    if return_path is not None and not return_path.strip().strip("<>").strip():
        return "bounce"
    return None


_MIME_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")


def content_type(part: Message) -> str:
    """The part's MIME type, lower-cased ("application/octet-stream" when not one)."""
    try:
        ctype = part.get_content_type()
    except Exception:
        return "text/plain"
    return ctype if _MIME_TYPE.fullmatch(ctype) else "application/octet-stream"


def header_param(part: Message, name: str, header: str = "content-type") -> str | None:
    """Parameter ``name`` of a MIME header (RFC 2231 collapsed, cut); ``None`` when absent."""
    try:
        value: Any = part.get_param(name, header=header)
        if value is None:
            return None
        return str(collapse_rfc2231_value(value))[:200]
    except Exception:
        return None
