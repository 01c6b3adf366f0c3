"""Edits to the user's config.toml that keep the user's file: comments, order, spacing.

Every edit reads the file with tomlkit (a style-preserving TOML library), changes only
the table it is about, keeps the previous file as ``config.toml.bak``, and writes the
new one atomically. Defaults the user never wrote are never added.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cxdaily.core.errors import ConfigError
from cxdaily.paths import CONFIG_BACKUP_SUFFIX as BACKUP_SUFFIX


def _edit(path: Path, change: Callable[[Any], None]) -> None:
    """Read ``path`` (an empty document when missing), apply ``change``, write it back."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    from cxdaily.store.storage import atomic_write_bytes, ensure_private_dir

    try:
        before = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})") from None
    try:
        document = tomlkit.parse(before)
    except TOMLKitError as exc:
        raise ConfigError(f"{path}: {' '.join(str(exc).split())}") from None
    change(document)
    after = tomlkit.dumps(document)
    if after == before:
        return
    try:
        ensure_private_dir(path.parent)
        if before:
            atomic_write_bytes(path.with_name(path.name + BACKUP_SUFFIX), before.encode("utf-8"))
        atomic_write_bytes(path, after.encode("utf-8"))
    except Exception as exc:  # StoreError carries the one-line reason
        raise ConfigError(str(exc)) from exc


def _channels_table(document: Any) -> Any:
    import tomlkit

    channels = document.get("channels")
    if channels is None:
        channels = tomlkit.table(is_super_table=True)
        document["channels"] = channels
    return channels


def set_channel(path: Path, name: str, table: Mapping[str, Any]) -> None:
    """Add (or replace) ``[channels.NAME]`` with ``table``; the rest of the file is kept."""
    import tomlkit

    def change(document: Any) -> None:
        channels = _channels_table(document)
        new = tomlkit.table()
        for key, value in table.items():
            if value is not None:
                new[key] = value
        if name in channels:
            old = channels[name]
            for key in list(old):  # keep the table's place and its comments
                if key not in new:
                    del old[key]
            for key, value in new.items():
                old[key] = value
        else:
            channels[name] = new

    _edit(path, change)


def remove_channel(path: Path, name: str) -> None:
    """Remove ``[channels.NAME]``; the rest of the file is kept."""

    def change(document: Any) -> None:
        channels = document.get("channels")
        if channels is not None and name in channels:
            del channels[name]

    _edit(path, change)


def set_value(path: Path, table: str, key: str, value: Any) -> None:
    """Set ``[TABLE] KEY = VALUE`` (the table is created when missing)."""
    import tomlkit

    def change(document: Any) -> None:
        if table not in document:
            document[table] = tomlkit.table()
        document[table][key] = value

    _edit(path, change)
