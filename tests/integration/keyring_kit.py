"""A keyring for tests that run the real ``cxdaily`` command: ``cxdaily login`` stores
into it and every later command reads from it, with nothing touching the real keyring.

Select it with ``PYTHON_KEYRING_BACKEND=tests.integration.keyring_kit.SandboxKeyring``
and name its file with ``CXDAILY_TEST_KEYRING`` (a JSON file under the test's folder).
It presents itself as a keyring service (priority 5), so cxdaily treats it as one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

BACKEND = "tests.integration.keyring_kit.SandboxKeyring"


class SandboxKeyring(KeyringBackend):
    """Secrets in the JSON file named by ``CXDAILY_TEST_KEYRING``."""

    priority = 5  # type: ignore[assignment]

    @staticmethod
    def _file() -> Path:
        return Path(os.environ["CXDAILY_TEST_KEYRING"])

    def _read(self) -> dict[str, str]:
        try:
            return json.loads(self._file().read_text())
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(f"{service}\x00{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._read()
        data[f"{service}\x00{username}"] = password
        self._file().write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._read()
        if data.pop(f"{service}\x00{username}", None) is None:
            raise PasswordDeleteError(username)
        self._file().write_text(json.dumps(data))


def sandbox_env(folder: Path) -> dict[str, str]:
    """The environment that makes ``cxdaily`` use a sandbox keyring kept in ``folder``."""
    return {
        "PYTHON_KEYRING_BACKEND": BACKEND,
        "CXDAILY_TEST_KEYRING": str(folder / "keyring.json"),
    }
