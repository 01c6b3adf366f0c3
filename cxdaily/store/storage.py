"""Crash-safe TinyDB storage: an in-memory copy, atomic whole-file writes, owner-only files.

TinyDB's own JSON storage rewrites the file in place, so a crash mid-write leaves it
unreadable or silently wrong. Here every write goes to a temporary file in the same
folder, is flushed with ``fsync``, and replaces the old file with ``os.replace``; the
folder is fsynced too. A write returns only when the data is on disk, so a user action
is durable when its key press returns. A file that cannot be parsed raises
:class:`StoreCorruptError` and is never overwritten.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from cxdaily.errors import StoreCorruptError, StoreError

FILE_MODE = 0o600
DIR_MODE = 0o700


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) readable by the user only."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    with contextlib.suppress(OSError):
        path.chmod(DIR_MODE)


def replace_file(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """Replace ``path`` with ``data`` atomically and durably (temporary file, fsync,
    rename, folder fsync), with permissions ``mode``; raises OSError.

    On any failure the previous file is left as it was and no temporary file is left
    behind. Callers turn the OSError into their own one-line message.
    """
    directory = path.parent
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
    if exc.errno == errno.ENOSPC:
        return f"cannot save {path}: the disk is full; free some space, nothing was lost"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot save {path}: permission denied"
    return f"cannot save {path}: {exc.strerror or exc}"


def _is_tables(data: object) -> bool:
    """Whether parsed JSON has TinyDB's shape: tables of documents keyed by id."""
    return isinstance(data, dict) and all(
        isinstance(table, dict) and all(isinstance(doc, dict) for doc in table.values())
        for table in data.values()
    )


class AtomicJSONStorage(Storage):
    """A TinyDB storage that keeps the data in memory and writes it atomically."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._data: dict[str, Any] | None = None

    def read(self) -> dict[str, Any] | None:
        """Return the cached data, loading the file on first use."""
        if self._data is None:
            self._data = self._load()
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        """Persist ``data`` atomically; on failure the cache is reloaded from disk."""
        if self.read_only:
            self._data = None  # TinyDB changed our copy before asking to write: forget it
            raise StoreError(f"{self.path} is open read-only")
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            atomic_write_bytes(self.path, payload)
        except StoreError:
            self._data = None  # TinyDB mutated our cache in place: forget it
            raise
        self._data = data

    def close(self) -> None:
        """Nothing to flush: every write is already on disk."""

    def _load(self) -> dict[str, Any] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        if not raw.strip():
            raise StoreCorruptError(
                f"{self.path} is empty or damaged; it was kept as it is. "
                "Move it aside (or restore a backup) and run cxdaily again"
            )
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise StoreCorruptError(
                f"{self.path} is damaged ({exc}); it was kept as it is. "
                "Move it aside (or restore a backup) and run cxdaily again"
            ) from exc
        if not _is_tables(data):
            raise StoreCorruptError(f"{self.path} does not hold cxdaily data; it was kept as it is")
        return data
