"""Rendering a digest in a chosen format, and writing it to a file atomically.

A file is written to a temporary name in the same folder, flushed to disk, and renamed
over the target: a reader sees the old file or the whole new one, and a failure (an
unwritable folder, a full disk) leaves no partial file behind. Exports hold customers'
words, so the file is readable by its owner only, like the data folder.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

from cxdaily.core.errors import CxDailyError
from cxdaily.insights import paused_gc
from cxdaily.insights.formats import DEFAULT_FORMAT, DIGEST_FORMATS, format_by_extension
from cxdaily.insights.model import Digest
from cxdaily.paths import own_file_role
from cxdaily.store.storage import replace_file


class ExportError(CxDailyError):
    """A digest could not be written where the user asked."""


def renderer(fmt: str) -> Callable[[Digest], str]:
    """The render function of a format of the registry (``md``, ``html`` ...)."""
    entry = DIGEST_FORMATS.get(fmt)
    if entry is None:
        raise CxDailyError(f"unknown format {fmt!r} (use {', '.join(DIGEST_FORMATS)})")
    return entry.render_function()


def render(digest: Digest, fmt: str) -> str:
    """The digest as text in ``fmt``."""
    render_text = renderer(fmt)
    with paused_gc():
        return render_text(digest)


def format_for_path(path: str | os.PathLike[str], default: str = DEFAULT_FORMAT) -> str:
    """The format a file name suggests (``.html`` -> html, ...), else ``default``."""
    return format_by_extension().get(Path(path).suffix.lower(), default)


def write_atomically(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the absolute path.

    ``path`` is a regular file or a new one. A symbolic link is written through: the file
    it points to is replaced and the link kept. A folder, a device, a pipe or a socket is
    refused (replacing one with a file would destroy it, ``/dev/null`` included), and so
    is a file of cxdaily's own (in the data folder, the config file: see
    :func:`cxdaily.paths.own_file_role`).

    Raises :class:`ExportError` with a one-line reason; no partial or temporary file is
    left behind on failure.
    """
    target = Path(path).expanduser()
    try:
        mode: int | None = target.stat().st_mode  # where a link points
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise ExportError(_reason(target, exc)) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise ExportError(f"cannot write {target}: it is a folder")
    if mode is not None and not stat.S_ISREG(mode):
        raise ExportError(
            f"cannot write {target}: it is not a regular file (a device, a pipe or a "
            "socket); name a file"
        )
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    role = own_file_role(target)
    if role:
        raise ExportError(f"cannot write {target}: it is {role}; name a file elsewhere")
    try:
        replace_file(target, text.encode("utf-8"))
    except OSError as exc:
        raise ExportError(_reason(target, exc)) from None
    return target.resolve()


def _reason(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ENOENT and not path.parent.is_dir():
        return f"cannot write {path}: the folder {path.parent} does not exist"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write {path}: permission denied"
    if exc.errno == errno.ENOSPC:
        return f"cannot write {path}: the disk is full"
    return f"cannot write {path}: {exc.strerror or exc}"
