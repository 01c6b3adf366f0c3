"""The leader's saved replies: one Markdown file each, in the config folder's ``replies/``.

A saved reply is a file ``<config folder>/replies/NAME.md``. Its name (the file name
without ``.md``) uses letters, digits, ``-`` and ``_``; an optional first line
``# Title`` is its title (else the title is the name); the rest is its text, which may
hold placeholders (see :mod:`cxdaily.replies.saved_fill`)::

    # Refund on the way

    Hi {first_name}, the refund is on its way: you will see it within five working days.

The files are the leader's own, written in ``$EDITOR`` or by ``cxdaily replies add``,
but what is shown of them is still cleaned (:mod:`cxdaily.core.safe_text`): no terminal
escape sequence or control character from a pasted snippet reaches the screen or a
customer. A file that cannot be used (not UTF-8, empty, too large, not a regular file,
badly named) is skipped with a one-line warning naming it; the others load.

:class:`SavedReplyLibrary` reads the folder and keeps what it read: a later load lists
the folder and re-reads only the files whose size or modification time changed (the
folder's own modification time alone would miss an editor that saves a file in place).
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from cxdaily.core.errors import CxDailyError, NotFoundError
from cxdaily.core.files import NotRegularFileError, file_kind, read_regular_file
from cxdaily.core.limits import MAX_REPLY_CHARS, MAX_REPLY_FILE_BYTES, length_problem
from cxdaily.core.safe_json import clean_surrogates
from cxdaily.core.safe_text import clean, one_line
from cxdaily.replies.saved_search import close_names

if TYPE_CHECKING:
    from cxdaily.paths import Locations

REPLIES_FOLDER = "replies"
"""The folder of saved replies, inside the config folder."""
SUFFIX = ".md"
"""Every saved reply is a Markdown file."""
MAX_NAME_CHARS = 64
"""Longest name of a saved reply (it is a file name and a word to type)."""
MAX_TITLE_CHARS = 120
"""Longest title shown; a longer ``# Title`` line is cut with an ellipsis."""

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_TITLE_LINE = re.compile(r"#[ \t]+(\S.*)")


class SavedReplyError(CxDailyError):
    """A saved reply cannot be named, read or written as asked."""


class SavedReply(msgspec.Struct, frozen=True):
    """One saved reply, cleaned for display and filling."""

    name: str
    """The file name without ``.md``: what ``cxdaily replies edit NAME`` takes."""
    title: str
    """The ``# Title`` line's text, or the name when the file has none (one line)."""
    body: str
    """The text, placeholders unfilled (cleaned; newlines and tabs kept)."""
    path: Path
    """The file it was read from."""

    @property
    def first_line(self) -> str:
        """The first line of the text, for lists."""
        return self.body.split("\n", 1)[0].strip()


class LoadedReplies(msgspec.Struct, frozen=True):
    """What a load of the folder found: the usable replies and a warning per skipped file."""

    replies: tuple[SavedReply, ...] = ()
    """Every usable saved reply, by name."""
    warnings: tuple[str, ...] = ()
    """One line per file that was skipped, naming it and why."""

    def names(self) -> list[str]:
        """The names of the usable replies."""
        return [reply.name for reply in self.replies]


def saved_replies_folder(where: Locations) -> Path:
    """The folder of saved replies of a profile: ``replies/`` beside ``config.toml``."""
    return where.config_dir / REPLIES_FOLDER


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a saved reply (one line), or ``None`` when it can.

    A name becomes a file name: letters, digits, ``-`` and ``_`` only, so it never holds
    a path separator, ``..``, a leading dot or a space.
    """
    if not name:
        return "a saved reply needs a name"
    if len(name) > MAX_NAME_CHARS:
        return f"a saved reply's name is at most {MAX_NAME_CHARS} characters"
    if not _NAME.fullmatch(name):
        return (
            f"'{one_line(name, 80)}' cannot name a saved reply: use letters, digits, '-' and "
            "'_' (starting with a letter or digit), like refund-on-the-way"
        )
    return None


def check_name(name: str) -> str:
    """``name`` itself when it can name a saved reply, else a :class:`SavedReplyError`."""
    problem = name_problem(name)
    if problem:
        raise SavedReplyError(problem)
    return name


def parse_saved_reply(text: str, name: str) -> tuple[str, str]:
    """The title and text of a saved reply's file contents (cleaned), or a ``ValueError``
    saying why they cannot be used (empty, too long)."""
    value = clean(clean_surrogates(text)).strip()  # a BOM goes with the controls
    if not value:
        raise ValueError("it is empty")
    first, _, rest = value.partition("\n")
    heading = _TITLE_LINE.fullmatch(first.strip())
    title = one_line(heading[1], MAX_TITLE_CHARS) if heading else ""
    body = rest.strip() if heading else value
    if not body:
        raise ValueError("it has a title but no text")
    problem = length_problem(body, MAX_REPLY_CHARS, "its text")
    if problem:
        raise ValueError(problem)
    return title or name, body


def saved_reply_file_text(name: str, title: str, body: str) -> str:
    """A saved reply's file contents: the ``# Title`` line (none when the title is the
    name), a blank line, the text."""
    heading, text = one_line(title, MAX_TITLE_CHARS), body.strip()
    if heading == name and not _TITLE_LINE.fullmatch(text.partition("\n")[0].strip()):
        return f"{text}\n"
    return f"# {heading}\n\n{text}\n"


def default_title(name: str) -> str:
    """The title a new reply starts with: its name in words (``refund-on-the-way`` ->
    ``Refund on the way``)."""
    words = " ".join(re.split(r"[-_]+", name)).strip()
    return words[:1].upper() + words[1:]


def read_saved_reply(path: Path) -> SavedReply:
    """One saved reply's file, or a :class:`SavedReplyError` naming it and why it cannot
    be used. Only a regular file is opened, and at most ``MAX_REPLY_FILE_BYTES`` are read."""
    shown = one_line(path, 300)
    name = path.name.removesuffix(SUFFIX)
    problem = name_problem(name)
    if problem:
        raise SavedReplyError(
            f"{shown}: skipped: the file name is not a saved reply's name (letters, digits, "
            "'-' and '_', then .md)"
        )
    try:
        data = read_regular_file(path, MAX_REPLY_FILE_BYTES + 1)
    except NotRegularFileError as exc:
        raise SavedReplyError(f"{shown}: skipped: it is {file_kind(exc.mode)}") from None
    except OSError as exc:
        raise SavedReplyError(f"{shown}: skipped: {exc.strerror or exc}") from None
    if len(data) > MAX_REPLY_FILE_BYTES:
        raise SavedReplyError(
            f"{shown}: skipped: it is larger than {MAX_REPLY_FILE_BYTES // 1024} KiB"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SavedReplyError(
            f"{shown}: skipped: it is not UTF-8 text (byte {exc.start + 1})"
        ) from None
    try:
        title, body = parse_saved_reply(text, name)
    except ValueError as exc:
        raise SavedReplyError(f"{shown}: skipped: {exc}") from None
    return SavedReply(name=name, title=title, body=body, path=path)


_FileKey = tuple[int, int, int]
"""What says a file changed: its modification time (ns), size and inode."""


class SavedReplyLibrary:
    """The saved replies of one folder, read again only where a file changed.

    Safe to share between threads (the app loads from thread workers).
    """

    def __init__(self, folder: Path) -> None:
        """A library over ``folder`` (which may not exist yet: then it is empty)."""
        self.folder = folder
        self._lock = threading.Lock()
        self._files: dict[str, tuple[_FileKey, SavedReply | str]] = {}

    def load(self) -> LoadedReplies:
        """Every usable saved reply (by name) and a warning per skipped file."""
        try:
            entries = sorted(os.scandir(self.folder), key=lambda entry: entry.name)
        except FileNotFoundError:
            return LoadedReplies()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            return LoadedReplies(
                warnings=(f"{one_line(self.folder, 300)}: cannot be read ({reason})",)
            )
        with self._lock:
            kept: dict[str, tuple[_FileKey, SavedReply | str]] = {}
            for entry in entries:
                if entry.name.startswith(".") or not entry.name.endswith(SUFFIX):
                    continue  # editors' swap and temporary files, notes of other kinds
                kept[entry.name] = self._outcome(entry)
            self._files = kept
        replies = tuple(o for _, o in kept.values() if isinstance(o, SavedReply))
        warnings = tuple(o for _, o in kept.values() if isinstance(o, str))
        return LoadedReplies(replies, warnings)

    def _outcome(self, entry: os.DirEntry[str]) -> tuple[_FileKey, SavedReply | str]:
        """The reply (or the warning) of one file: the one kept when it did not change."""
        try:
            status = entry.stat()
            key = (status.st_mtime_ns, status.st_size, status.st_ino)
        except OSError:
            key = (-1, -1, -1)  # a dangling link: read_saved_reply says why
        cached = self._files.get(entry.name)
        if cached is not None and cached[0] == key and key[0] != -1:
            return cached
        try:
            return key, read_saved_reply(Path(entry.path))
        except SavedReplyError as exc:
            return key, f"saved reply {exc}"

    def get(self, name: str) -> SavedReply:
        """The saved reply named ``name``, or a :class:`NotFoundError` listing close names."""
        check_name(name)
        loaded = self.load()
        for reply in loaded.replies:
            if reply.name == name:
                return reply
        raise NotFoundError(unknown_name_message(name, loaded))

    def path_of(self, name: str) -> Path:
        """The file a saved reply of that name is (or would be) kept in."""
        return self.folder / f"{check_name(name)}{SUFFIX}"

    def write(self, name: str, text: str, *, new: bool) -> SavedReply:
        """Save ``text`` (a file's contents: an optional ``# Title`` line, then the text)
        as the reply ``name``, atomically; ``new`` refuses to replace one that exists.

        The text is checked first (not empty, within the reply size limit) and saved
        cleaned; returns the reply as it will load. Raises :class:`SavedReplyError`.
        """
        path = self.path_of(name)
        try:
            title, body = parse_saved_reply(text, name)
        except ValueError as exc:
            raise SavedReplyError(f"nothing saved: {exc}") from None
        if new and os.path.lexists(path):
            raise SavedReplyError(
                f"a saved reply named {name} exists already; change it with "
                f"`cxdaily replies edit {name}`"
            )
        from cxdaily.store.storage import atomic_write_bytes, ensure_private_dir

        try:
            ensure_private_dir(self.folder)
            atomic_write_bytes(path, saved_reply_file_text(name, title, body).encode("utf-8"))
        except OSError as exc:
            raise SavedReplyError(f"cannot write {path}: {exc.strerror or exc}") from None
        except CxDailyError as exc:  # StoreError: the one-line reason, path included
            raise SavedReplyError(str(exc)) from None
        return SavedReply(name=name, title=title, body=body, path=path)


def unknown_name_message(name: str, loaded: LoadedReplies) -> str:
    """One line for a name no saved reply has, with the close ones (or all, or how to add)."""
    names = loaded.names()
    if not names:
        return (
            f"no saved reply named {name}; there are none yet: add one with "
            f"`cxdaily replies add {name}`"
        )
    close = close_names(name, loaded.replies)
    if close:
        return f"no saved reply named {name}; close names: {', '.join(close)}"
    shown = ", ".join(names[:10]) + (", …" if len(names) > 10 else "")
    return f"no saved reply named {name}; saved replies: {shown}"
