"""Opening files named by the user or the config without ever blocking or reading
without limit: only regular files are opened, and reads are capped."""

from __future__ import annotations

import os
import stat
import zlib

# hashlib's own BLAKE2s: ``import hashlib`` loads OpenSSL too, 2.5 ms of every launch
# (a launch fingerprints its kept batch's inputs before its first frame).
from _blake2 import blake2s
from collections.abc import Iterable
from pathlib import Path


class NotRegularFileError(OSError):
    """A path that names a FIFO, a device, a socket or a folder instead of a regular file."""

    def __init__(self, path: Path, mode: int) -> None:
        super().__init__(f"{path} is {file_kind(mode)}, not a regular file")
        self.path = path
        self.mode = mode
        self.is_folder = stat.S_ISDIR(mode)


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words: 'a named pipe (FIFO)', 'a folder' ..."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def open_regular_file(path: Path, flags: int = os.O_RDONLY, mode: int = 0o600) -> int:
    """A descriptor of ``path`` opened with ``flags``, refusing anything but a regular file.

    The path is checked before opening (opening a FIFO could wait for a writer forever)
    and the open file again after (the path may have been swapped in between); the open
    is non-blocking, so even that race cannot block. Raises :class:`NotRegularFileError`
    or the ``OSError`` of the failed open.
    """
    try:
        before = os.stat(path)
    except FileNotFoundError:
        if not flags & os.O_CREAT:
            raise
    else:
        if not stat.S_ISREG(before.st_mode):
            raise NotRegularFileError(path, before.st_mode)
    fd = os.open(path, flags | os.O_NONBLOCK | os.O_CLOEXEC, mode)
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise NotRegularFileError(path, opened.st_mode)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_at_most(fd: int, limit: int) -> bytes:
    """Up to ``limit`` bytes of an open file (fewer at its end). The first read asks for
    the whole file as its size says (one more byte shows it has grown since)."""
    chunks: list[bytes] = []
    left = limit
    size = os.fstat(fd).st_size
    while left > 0:
        chunk = os.read(fd, min(left, max(size + 1, 1 << 16)))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_regular_file(path: Path, limit: int) -> bytes:
    """Up to ``limit`` bytes of the regular file ``path`` (one more byte tells a caller the
    file is larger). Raises :class:`NotRegularFileError` or the ``OSError`` of the read."""
    fd = open_regular_file(path)
    try:
        return read_at_most(fd, limit)
    finally:
        os.close(fd)


def read_whole_regular_file(path: Path) -> bytes:
    """Every byte of the regular file ``path`` (a data file: its size is whatever it
    holds). Raises :class:`NotRegularFileError` (a FIFO would block the read forever, a
    device such as ``/dev/zero`` never end it) or the ``OSError`` of the read."""
    with os.fdopen(open_regular_file(path), "rb") as handle:
        return handle.read()


def code_checksum(files: Iterable[Path], seed: int = 0) -> int | None:
    """The CRC-32 of the files' bytes, one after the other, from ``seed``: a version of
    the code they hold, for data made by that code (``None`` when one cannot be read)."""
    version = seed
    try:
        for path in files:
            version = zlib.crc32(path.read_bytes(), version)
    except OSError:
        return None
    return version


def fingerprint(parts: object, digest_size: int = 16) -> str:
    """A short hex name of ``parts`` (by their ``repr``: give values whose ``repr`` is the
    same in every process), for a record derived from them to be checked against."""
    named = repr(parts).encode("utf-8", "surrogatepass")
    return blake2s(named, digest_size=digest_size).hexdigest()
