"""Raw emails for the mail parsing tests: the corpus files and small built messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from cxdaily.connectors.mail_message import MailMessage

CORPUS = Path(__file__).parent / "mail_corpus"


def corpus_names() -> list[str]:
    """The corpus files' names, without ``.eml``, sorted."""
    return sorted(p.stem for p in CORPUS.glob("*.eml"))


def corpus(name: str) -> bytes:
    """One corpus message's raw bytes (as stored, with LF line ends)."""
    return (CORPUS / f"{name}.eml").read_bytes()


def crlf(raw: bytes) -> bytes:
    """``raw`` with CRLF line ends, as IMAP returns messages."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def message(*headers: str, body: str | bytes = "Hello.\n", plain: bool = True) -> bytes:
    """A message with ``headers`` ("Name: value", in order) and ``body``.

    ``plain`` adds a From, a Date and a text/plain Content-Type after the given headers
    when these are not given.
    """
    lines = list(headers)
    names = {h.split(":", 1)[0].strip().lower() for h in headers}
    if plain:
        defaults = {
            "from": "From: Jane Roe <jane@example.com>",
            "date": "Date: Thu, 3 Dec 2026 10:00:00 +0000",
            "content-type": "Content-Type: text/plain; charset=utf-8",
        }
        lines += [line for name, line in defaults.items() if name not in names]
    head = "".join(f"{line}\n" for line in lines).encode("utf-8", "surrogateescape")
    data = body.encode("utf-8") if isinstance(body, str) else body
    return head + b"\n" + data


def texts(parsed: MailMessage) -> list[str]:
    """Every string a parsed message holds (fields, tuples, attachment names)."""
    return _strings(parsed)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, msgspec.Struct):
        return [s for name in value.__struct_fields__ for s in _strings(getattr(value, name))]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    return []
