"""Derived files: what is worked out from the data files, kept beside them to save the
work next time, and never needed.

A derived file is written as every data file is (temporary file, fsync, replace,
owner-only), under a *key* naming what it was worked out from (its maker puts in the
settings, the identity of the data files and the code version it depends on). It is a
header line (JSON: the key, and the CRC-32 of the body's bytes) and a body line (JSON).

Reading one never fails: a file that is missing, not a regular file, too large or
damaged (the checksum catches damage that JSON still reads) reads as nothing, and so
does one made under another key (its maker checks it): the data is worked out again.
Writing one never fails either: a read-only data folder or a full disk leaves the file
as it was.
"""

from __future__ import annotations

import zlib
from typing import Any

import msgspec

from cxdaily.core.errors import StoreError
from cxdaily.core.files import read_regular_file
from cxdaily.store.database import DataFolder
from cxdaily.store.storage import atomic_write_bytes, encode_data, parse_data_file

#: A derived file larger than this is not read (it is worked out again instead).
MAX_BYTES = 16 << 20


def read_derived(
    folder: DataFolder, name: str, body_type: type[Any] | None = None
) -> tuple[str, Any] | None:
    """The key and the body of the derived file ``name`` in the data folder, when it is
    whole; ``None`` otherwise (its maker checks the key). With ``body_type`` (a type
    msgspec decodes, such as a Struct) the body is decoded into it, and a body of
    another shape reads as nothing."""
    try:
        raw = read_regular_file(folder.data_dir / name, MAX_BYTES + 1)
    except OSError:
        return None
    header_line, _, rest = raw.partition(b"\n")
    body_line = rest.removesuffix(b"\n")
    if len(raw) > MAX_BYTES or not body_line:
        return None
    try:
        header = parse_data_file(header_line)
        if not isinstance(header, dict) or header.get("crc") != zlib.crc32(body_line):
            return None
        key = header.get("key")
        if not isinstance(key, str):
            return None
        if body_type is None:
            return key, parse_data_file(body_line)
        return key, msgspec.json.decode(body_line, type=body_type)
    except (ValueError, RecursionError, msgspec.DecodeError):
        return None


def write_derived(folder: DataFolder, name: str, key: str, body: Any) -> bool:
    """Write the derived file ``name`` with ``body`` (JSON data) made under ``key``;
    returns whether it was written (never in a folder opened read-only)."""
    if folder.read_only:
        return False
    try:
        body_line = encode_data(body)
        header_line = encode_data({"key": key, "crc": zlib.crc32(body_line)})
        atomic_write_bytes(folder.data_dir / name, header_line + b"\n" + body_line + b"\n")
    except (StoreError, TypeError, ValueError, RecursionError):
        return False
    return True
