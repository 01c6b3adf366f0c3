"""Crash-safe TinyDB storage: an in-memory copy, atomic whole-file writes, owner-only files.

TinyDB's own JSON storage rewrites the file in place, so a crash mid-write leaves it
unreadable or silently wrong. Here every write goes to a temporary file in the same
folder, is flushed with ``fsync``, and replaces the old file with ``os.replace``; the
folder is fsynced too. A write returns only when the data is on disk, so a user action
is durable when its key press returns.

What is read is checked, what is written is checked first:

- A file that cannot be parsed (damaged, cut off, a number too long to read, ``NaN``,
  nesting too deep) or that does not have TinyDB's shape raises
  :class:`StoreCorruptError` naming it, and is never overwritten.
- A record that cannot be written as JSON (a lone surrogate, a non-finite float, a value
  JSON has no form for, nesting deeper than a data file may hold) is found by
  :func:`record_problem` before it touches a table; a whole-file write that still fails
  leaves the in-memory copy equal to the file on disk.
- A file or folder its owner made read-only (no owner write bit) is never written and
  never chmodded back: the write is refused with :class:`ReadOnlyError`.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import stat
import tempfile
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import msgspec
from tinydb.storages import Storage

from cxdaily.core.errors import StoreCorruptError, StoreError
from cxdaily.core.files import NotRegularFileError, read_whole_regular_file
from cxdaily.core.patterns import lazy_compile
from cxdaily.core.safe_json import (
    MAX_DEPTH,
    SURROGATE_ESCAPE,
    clean_surrogates,
    find_unreadable,
    too_deep,
)

FILE_MODE = 0o600
DIR_MODE = 0o700

#: How to recover from a damaged data file, the end of every StoreCorruptError message.
KEPT = "it was kept as it is. Move it aside (or restore a backup) and run cxdaily again"


class ReadOnlyError(PermissionError):
    """A file or folder whose owner removed its write permission; cxdaily leaves it so."""

    def __init__(self, path: Path, mode: int, what: str) -> None:
        self.path = path
        self.mode = mode
        reason = (
            f"{what} {path} is read-only (mode {mode:04o}, set by its owner); cxdaily does "
            f"not change it: make it writable again (chmod u+w {path}) to save there"
        )
        super().__init__(errno.EACCES, reason)


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) readable by the user only.

    An existing folder loses its group and other permissions, never gains any: a folder
    its owner made read-only stays read-only (writing there is refused later).
    """
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    with contextlib.suppress(OSError):
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077 and mode & stat.S_IWUSR:
            path.chmod(mode & 0o700)


def refuse_read_only(path: Path, what: str = "the file") -> None:
    """Raise :class:`ReadOnlyError` when ``path`` exists without its owner's write bit.

    The mode bits decide, not an access check: a process running as root may write
    anywhere, but a file or folder its owner set to 0444 or 0555 is meant to stay as is.
    """
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return  # missing (or unreadable): the write itself reports it
    if not mode & stat.S_IWUSR:
        raise ReadOnlyError(path, mode, what)


def replace_file(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """Replace ``path`` with ``data`` atomically and durably (temporary file, fsync,
    rename, folder fsync), with permissions ``mode``; raises OSError.

    On any failure the previous file is left as it was and no temporary file is left
    behind. A file or folder its owner made read-only is refused (:class:`ReadOnlyError`,
    a PermissionError), never changed. Callers turn the OSError into their own one-line
    message.
    """
    directory = path.parent
    refuse_read_only(directory, "the folder")
    refuse_read_only(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(directory)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and durably, owner-only, or raise StoreError.

    On any failure (a full disk, say) the previous file is left as it was and no
    temporary file is left behind.
    """
    try:
        replace_file(path, data)
    except OSError as exc:
        raise StoreError(_describe_os_error(path, exc)) from exc


def _fsync_dir(directory: Path) -> None:
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def _describe_os_error(path: Path, exc: OSError) -> str:
    if isinstance(exc, ReadOnlyError):
        return f"cannot save {path}: {exc.strerror}"
    if exc.errno == errno.ENOSPC:
        return f"cannot save {path}: the disk is full; free some space, nothing was lost"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot save {path}: permission denied"
    return f"cannot save {path}: {exc.strerror or exc}"


# ----------------------------------------------------------------------------- writing
def encode_data(data: Any) -> bytes:
    """``data`` as the UTF-8 JSON a data file holds; raises what json and UTF-8 raise."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode("utf-8")


def _why_unwritable(exc: BaseException) -> str:
    """What made a record unwritable, in words (never the value itself)."""
    if isinstance(exc, UnicodeEncodeError):
        return "its text holds a lone surrogate, which is not valid Unicode"
    if isinstance(exc, RecursionError):
        return "it is nested too deeply"
    text = str(exc)
    if isinstance(exc, TypeError) and text.startswith("Object of type "):
        name = text.removeprefix("Object of type ").split(" ", 1)[0]
        return f"it holds a value JSON cannot hold (of type {name})"
    if isinstance(exc, TypeError):
        return "it holds a key or value JSON cannot hold"
    if "Out of range float" in text:
        return "it holds a number that is not finite (NaN or infinity)"
    if "Circular reference" in text:
        return "it contains itself"
    if "integer string conversion" in text:
        return "it holds a number too long to write"
    return f"it cannot be written as JSON ({type(exc).__name__})"


def record_problem(doc: Any) -> str | None:
    """Why ``doc`` cannot be stored (one line, no values), or ``None`` when it can.

    A stored record must encode to UTF-8 JSON with finite numbers only and nest at most
    :data:`cxdaily.core.safe_json.MAX_DEPTH` levels (deeper records could not be read back).
    """
    try:
        encode_data(doc)
    except TypeError as exc:
        return find_unreadable(doc) or _why_unwritable(exc)
    except (ValueError, RecursionError, OverflowError) as exc:
        return _why_unwritable(exc)
    if too_deep(doc, MAX_DEPTH):
        return f"it is nested deeper than {MAX_DEPTH} levels"
    return None


# ----------------------------------------------------------------------------- reading
class _Refused(ValueError):
    """A value a data file may not hold (NaN, infinity)."""


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"the number {text[:20]} is too large")
    return value


def _no_constant(name: str) -> float:
    raise _Refused(f"{name} is not a number")


#: A lone surrogate encoded as bytes (json reads those with "surrogatepass"): like its
#: JSON escape (:data:`~cxdaily.core.safe_json.SURROGATE_ESCAPE`), not Unicode, so it could
#: never be written back. Two patterns, each with a fixed first part the search skips to
#: at memory speed (one pattern with both would try every byte).
_SURROGATE_BYTES = lazy_compile(rb"\xed[\xa0-\xbf]")


#: Strict JSON: refuses ``NaN``/``Infinity``, infinite and over-long numbers, lone
#: surrogates (escaped or as bytes) and anything not UTF-8, so what it reads is exactly
#: what ``json`` reads (integers of any length within its limit stay exact integers).
_decode_strict = msgspec.json.Decoder().decode


def parse_data_file(raw: bytes) -> Any:
    """Parse a data file's bytes, or raise ValueError with a one-line reason.

    Refused: malformed JSON, ``NaN``/``Infinity``, non-finite and over-long numbers,
    nesting too deep for the parser. Lone surrogates (legal JSON, but not Unicode)
    become U+FFFD so that everything read can be written back.

    A file cxdaily wrote is read by the strict decoder (:func:`_decode_strict`, about
    twice as fast as ``json``); whatever it refuses (all of the above, a byte order mark,
    UTF-16) is read again the long way, which names the problem or cleans the surrogates.
    """
    try:
        return _decode_strict(raw)
    except (msgspec.DecodeError, RecursionError):
        return parse_long_way(raw)


def parse_long_way(raw: bytes) -> Any:
    """:func:`parse_data_file` by the standard decoder, for what the strict one refuses:
    the one-line reason, or the data with lone surrogates cleaned."""
    try:
        data = json.loads(raw, parse_float=_finite_float, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("it is nested too deeply") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"it is not UTF-8 (byte {exc.start + 1})") from None
    except (json.JSONDecodeError, _Refused) as exc:
        raise ValueError(str(exc)) from None
    except ValueError:  # int(): over 4,300 digits
        raise ValueError("it holds a number too long to read") from None
    if _holds_surrogate(raw):
        data = _clean_strings(data)
    return data


def _holds_surrogate(raw: bytes) -> bool:
    """Whether ``raw`` holds a lone surrogate, escaped or as bytes (the byte 0xED is
    looked for first: a single byte is found fastest of all)."""
    return SURROGATE_ESCAPE.search(raw) is not None or (
        b"\xed" in raw and _SURROGATE_BYTES.search(raw) is not None
    )


def _clean_strings(data: Any) -> Any:
    """``data`` with lone surrogates replaced in every key and string (iteratively)."""
    if isinstance(data, str):
        return clean_surrogates(data)
    stack = [data] if isinstance(data, dict | list) else []
    while stack:
        container = stack.pop()
        if isinstance(container, dict):
            items = [(clean_surrogates(k), v) for k, v in container.items()]
            container.clear()
            container.update(items)
            keys: Any = list(container)
        else:
            keys = range(len(container))
        for key in keys:
            value = container[key]
            if isinstance(value, str):
                container[key] = clean_surrogates(value)
            elif isinstance(value, dict | list):
                stack.append(value)
    return data


def shape_problem(data: object) -> str | None:
    """What keeps parsed JSON from having TinyDB's shape (tables of documents keyed by
    numeric id), or ``None``."""
    if not isinstance(data, dict):
        return "it does not hold cxdaily data (not a JSON object)"
    for name, table in data.items():
        if not isinstance(table, dict):
            return f"table {name!r} is not a JSON object"
        for doc_id, doc in table.items():
            if not doc_id.isdecimal():
                return f"table {name!r} has a document with the id {doc_id[:40]!r}, not a number"
            if not isinstance(doc, dict):
                return f"table {name!r}, document {doc_id}: not a JSON object"
    return None


#: The largest data file (encoded) whose documents' encodings are kept between writes:
#: the files a store writes often are under it (the questions of a few weeks: about 3 MB
#: with 2,000; an outbox before its first archiving: 3.5 MB with 8,000 replies), so a
#: write there encodes one document, not thousands. A larger file (a 20,000-question
#: inbox: 24 MB) is encoded whole at each write: a copy of its encoding would cost more
#: memory than the time it saves.
PIECES_LIMIT = 8_000_000


def _pieces_of(docs: Mapping[str, Any]) -> dict[str, bytes]:
    """Each document's encoding as it stands in its table (``"7":{...}``), by id."""
    return {doc_id: encode_data(doc_id) + b":" + encode_data(doc) for doc_id, doc in docs.items()}


def _joined(pieces: dict[str, dict[str, bytes]]) -> bytes:
    """The data file made of the documents' encodings: what :func:`encode_data` of the data
    gives, byte for byte."""
    tables = (
        encode_data(name) + b":{" + b",".join(docs.values()) + b"}" for name, docs in pieces.items()
    )
    return b"{" + b",".join(tables) + b"}"


class AtomicJSONStorage(Storage):
    """A TinyDB storage that keeps the data in memory and writes it atomically.

    The in-memory copy is always what the file holds: TinyDB changes it in place before
    it asks for a write, so a write that fails (or is refused) forgets it, and the next
    read loads the file again.
    """

    def __init__(
        self, path: str | Path, *, read_only: bool = False, checksummed: bool = False
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._checksummed = checksummed
        self.checksum: int | None = None
        """With ``checksummed``: the CRC-32 of the file's bytes the data in memory was
        read from or last written as (``None`` while nothing is loaded, or without
        ``checksummed``: the bytes of a large file are not read twice for nothing)."""
        self._data: dict[str, Any] | None = None
        self._pieces: dict[str, dict[str, bytes]] | None = None
        """Each document's encoding by table and id as last written (small files only),
        so that :meth:`write_docs` encodes only what changed."""

    def read(self) -> dict[str, Any] | None:
        """Return the cached data, loading the file on first use."""
        if self._data is None:
            self._data = self._load()
        return self._data

    def forget(self) -> None:
        """Drop the in-memory copy (the next read loads the file again)."""
        self._data = None
        self._pieces = None
        self.checksum = None

    def write(self, data: dict[str, Any]) -> None:
        """Persist ``data`` atomically; on any failure the cache is reloaded from disk."""
        self._pieces = None  # TinyDB changes documents in place: their encodings are stale
        try:
            if self.read_only:
                raise StoreError(f"{self.path} is open read-only")
            try:
                payload = encode_data(data)
            except (TypeError, ValueError, RecursionError, OverflowError) as exc:
                raise StoreError(
                    f"cannot save {self.path}: a record cannot be written as JSON "
                    f"({_why_unwritable(exc)}); nothing was changed"
                ) from None
            atomic_write_bytes(self.path, payload)
        except BaseException:
            self.forget()  # TinyDB mutated our copy in place: forget it
            raise
        self._data = data
        self.checksum = self._checksum_of(payload)

    def write_docs(
        self, table: str, upserts: Mapping[str, dict[str, Any]], removals: Iterable[str] = ()
    ) -> None:
        """Insert or replace (``upserts``: document id -> document) and remove documents of
        one table, then persist the file atomically and durably, as :meth:`write` does.

        Nothing in memory changes before the file is written, so a failure leaves the data
        as the file holds it. In a small file only the changed documents are encoded (the
        others' encodings are kept from the last write): a write at the end of a busy
        month costs what it costs on its first day."""
        if self.read_only:
            raise StoreError(f"{self.path} is open read-only")
        removed = list(removals)
        data = self.read() or {}
        docs = dict(data.get(table) or {})
        for doc_id in removed:
            docs.pop(doc_id, None)
        docs.update(upserts)
        changed = {**data, table: docs}
        try:
            pieces = self._changed_pieces(changed, table, upserts, removed)
        except (TypeError, ValueError, RecursionError, OverflowError) as exc:
            raise StoreError(
                f"cannot save {self.path}: a record cannot be written as JSON "
                f"({_why_unwritable(exc)}); nothing was changed"
            ) from None
        payload = _joined(pieces)
        atomic_write_bytes(self.path, payload)
        self._data = changed
        self._pieces = pieces if len(payload) <= PIECES_LIMIT else None
        self.checksum = self._checksum_of(payload)

    def _changed_pieces(
        self,
        data: dict[str, Any],
        table: str,
        upserts: Mapping[str, dict[str, Any]],
        removed: list[str],
    ) -> dict[str, dict[str, bytes]]:
        """The encodings of ``data`` (which is the last written data changed in ``table``
        by ``upserts`` and ``removed``), reusing those kept from the last write."""
        if self._pieces is None:
            return {name: _pieces_of(docs) for name, docs in data.items()}
        pieces = dict(self._pieces.get(table) or {})
        for doc_id in removed:
            pieces.pop(doc_id, None)
        pieces.update(_pieces_of(upserts))
        return {**self._pieces, table: pieces}

    def close(self) -> None:
        """Nothing to flush: every write is already on disk."""

    def keep_checksum(self) -> None:
        """Keep the checksum from now on (the data in memory, if any, is read again
        from the file at the next read, to take it)."""
        if not self._checksummed:
            self._checksummed = True
            self.forget()

    def _checksum_of(self, raw: bytes) -> int | None:
        return zlib.crc32(raw) if self._checksummed else None

    def _load(self) -> dict[str, Any] | None:
        try:
            raw = read_whole_regular_file(self.path)
        except FileNotFoundError:
            return None
        except NotRegularFileError as exc:
            raise StoreCorruptError(f"{exc} (a data file must be one); {KEPT}") from None
        except OSError as exc:
            raise StoreError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        if not raw.strip():
            raise StoreCorruptError(f"{self.path} is empty or damaged; {KEPT}")
        try:
            data = parse_data_file(raw)
        except ValueError as exc:
            raise StoreCorruptError(f"{self.path} is damaged ({exc}); {KEPT}") from None
        problem = shape_problem(data)
        if problem:
            raise StoreCorruptError(f"{self.path} is damaged: {problem}; {KEPT}")
        self.checksum = self._checksum_of(raw)
        return data
