"""Channel checks remembered from one start to the next.

Checking a config's channels (:func:`cxdaily.settings.check_channel_options` and the
checks of the digest destinations and secret places beside it) builds every channel's
connector, which loads its module and, for a web service, the whole HTTP stack: about
70 ms for a help desk, a shared inbox and a mailbox, before the app can draw its first
frame. Those checks read nothing but the config file and cxdaily's own code, so once they
pass they are remembered in the data folder, under a key naming:

- the config file's bytes;
- the identity (name, size, modification time) of every source file of the code that
  checks (the connectors, the settings, the core, and the modules at the package's top:
  the secrets' names and the folders);
- the Python version.

While that key holds, the checks are not run again. A config that has a kind from a
plugin is never remembered (the plugin's code is not named by the key). The file is
never needed: missing, damaged, made under another key or unwritable, the checks just
run. Each fetch builds its connectors again, which checks their options again.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from cxdaily.core.errors import StoreError
from cxdaily.core.files import fingerprint, read_regular_file

#: The file in the data folder holding the key of the last config whose checks passed.
CHECKED_FILE = "checked-config"
#: The code the checks run, relative to the package: a change in any of it is a new key.
_CHECKING_CODE = (".", "connectors", "connectors/destinations", "settings", "core")
_KEY_BYTES = 64


def _code_identity() -> tuple[tuple[str, int, int], ...] | None:
    """Name, size and modification time of every source file of the checking code
    (``None`` when a folder cannot be listed or holds no sources, as in an install of
    compiled files only: then nothing is remembered)."""
    package = Path(__file__).parents[1]
    found: list[tuple[str, int, int]] = []
    try:
        for folder in _CHECKING_CODE:
            with os.scandir(package / folder) as entries:
                for entry in entries:
                    if entry.name.endswith(".py"):
                        stat = entry.stat()
                        found.append((f"{folder}/{entry.name}", stat.st_size, stat.st_mtime_ns))
    except OSError:
        return None
    return tuple(sorted(found)) if found else None


def checks_key(config: bytes) -> str | None:
    """The key the checks of ``config`` (the config file's bytes) pass under with the
    code as it is now (``None`` when the code cannot be named)."""
    code = _code_identity()
    if code is None:
        return None
    return fingerprint((fingerprint(config, 32), code, sys.version), 32)


class PassedChecks:
    """The record, in a data folder, of the last config whose checks passed."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / CHECKED_FILE

    def holds(self, key: str | None) -> bool:
        """Whether the checks passed under ``key`` last time (never for ``None``)."""
        if key is None:
            return False
        try:
            kept = read_regular_file(self.path, _KEY_BYTES + 1)
        except OSError:
            return False
        return kept == key.encode("ascii")

    def record(self, key: str | None) -> None:
        """Remember that the checks passed under ``key`` (called once they ran because
        the record did not hold); a folder that cannot be written (missing yet,
        read-only, a full disk) is left as it was."""
        if key is None:
            return
        from cxdaily.store.storage import atomic_write_bytes  # written as every data file

        with contextlib.suppress(StoreError):
            atomic_write_bytes(self.path, key.encode("ascii"))
