"""IMAP ``LIST`` answers for the ``email`` connector: the folders a server lists and
their special-use attributes (RFC 6154: ``\\Sent``, ``\\Drafts``, ``\\Trash`` ...).

:func:`listed_folders` reads the untagged ``LIST`` data :mod:`imaplib` returns: one
``(attributes) delimiter name`` line per folder, the name an atom, a quoted string or a
literal (a ``(line, name)`` pair). The answer comes from the server and is read
defensively: a line that does not parse, a name that is not plain printable ASCII (folder
names travel in modified UTF-7, RFC 3501 section 5.1.3, which is ASCII), and anything
after the name (``LIST-EXTENDED`` data) are skipped, never an error. A name is kept as
the server sent it, ready for ``SELECT``/``EXAMINE``; :func:`readable_folder_name`
decodes it for display.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from typing import Any

import msgspec

#: ``(attributes) delimiter rest``: the delimiter is a quoted character or NIL.
_LIST_LINE = re.compile(rb'\(([^()]*)\)[ ]+(?:NIL|"(?:[^"\\\r\n]|\\.)")[ ]+(.*)\Z', re.I | re.S)
_ATTRIBUTE = re.compile(rb"\\?[A-Za-z0-9$._-]+")
_ATOM = re.compile(rb'[^\x00-\x20\x7f(){}"\\%*]+')
_LITERAL = re.compile(rb"\{\d{1,9}\+?\}")
_SHIFTED = re.compile(r"&([A-Za-z0-9+,]*)-")
#: Attributes of a name that cannot be opened (RFC 3501, RFC 5258).
_NOT_SELECTABLE = frozenset({"\\noselect", "\\nonexistent"})


class ListedFolder(msgspec.Struct, frozen=True):
    """One folder a ``LIST`` named: its name as sent, and its attributes, lowercased."""

    name: str
    attributes: frozenset[str]

    @property
    def selectable(self) -> bool:
        """Whether the folder can be opened (it is neither ``\\Noselect`` nor
        ``\\NonExistent``)."""
        return not self.attributes & _NOT_SELECTABLE


def listed_folders(data: Iterable[Any] | None) -> list[ListedFolder]:
    """The folders in ``LIST`` data, in the server's order; damaged lines are skipped."""
    found: list[ListedFolder] = []
    for item in data or ():
        folder = None
        if isinstance(item, bytes):
            folder = _listed(item, None)
        elif isinstance(item, tuple) and len(item) == 2 and all(isinstance(i, bytes) for i in item):
            folder = _listed(item[0], item[1])
        if folder is not None:
            found.append(folder)
    return found


def marked_folder(folders: Iterable[ListedFolder], attribute: str) -> str | None:
    """The name of the first selectable folder marked ``attribute`` (``\\Sent``), if any."""
    wanted = attribute.lower()
    return next((f.name for f in folders if wanted in f.attributes and f.selectable), None)


def readable_folder_name(name: str) -> str:
    """``name`` decoded from modified UTF-7 (``Envoy&AOk-s`` is ``Envoyés``); as it is
    when it does not decode."""

    def decoded(shifted: re.Match[str]) -> str:
        chunk = shifted.group(1)
        if not chunk:
            return "&"
        data = chunk.replace(",", "/") + "=" * (-len(chunk) % 4)
        return base64.b64decode(data, validate=True).decode("utf-16-be")

    try:
        return _SHIFTED.sub(decoded, name)
    except (binascii.Error, ValueError):  # UnicodeDecodeError is a ValueError
        return name


def _listed(line: bytes, literal: bytes | None) -> ListedFolder | None:
    """One ``LIST`` line (``literal``: the name that came as a literal), or ``None``."""
    match = _LIST_LINE.match(line.strip())
    if match is None:
        return None
    attributes = match.group(1).split()
    if not all(_ATTRIBUTE.fullmatch(a) for a in attributes):
        return None
    rest = match.group(2).strip()
    if literal is not None:
        raw = literal if _LITERAL.fullmatch(rest) else None
    elif rest.startswith(b'"'):
        raw = _quoted(rest)
    else:
        atom = _ATOM.match(rest)
        raw = atom.group(0) if atom else None
    if not raw:
        return None
    try:
        name = raw.decode("ascii")
    except UnicodeDecodeError:
        return None
    if not name.isprintable():
        return None
    return ListedFolder(name, frozenset(a.decode("ascii").lower() for a in attributes))


def _quoted(text: bytes) -> bytes | None:
    """The string a quoted string at the start of ``text`` holds, or ``None``."""
    value = bytearray()
    escaped = False
    for byte in text[1:]:
        if escaped:
            value.append(byte)
            escaped = False
        elif byte == 0x5C:  # backslash
            escaped = True
        elif byte == 0x22:  # the closing quote
            return bytes(value)
        elif byte in (0x0A, 0x0D):
            return None
        else:
            value.append(byte)
    return None
