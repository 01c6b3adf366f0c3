"""Running the real ``cxdaily`` command against loopback servers: config and a runner.

Shared by the integration tests that drive the command line (fetch, replies, the
adversarial payloads). The loopback servers themselves are in ``loopback_kit.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def write_config(home: Path, channels: dict[str, dict]) -> None:
    """A config.toml under ``home`` with a UTC session and the given channel tables."""
    lines = ['[session]\nbudget = "30m"\ntimezone = "UTC"\n']
    for name, options in channels.items():
        lines.append(f"[channels.{name}]")
        lines.extend(f"{key} = {json.dumps(value)}" for key, value in options.items())
        lines.append("")
    (home / "config.toml").write_text("\n".join(lines))


def run_cxdaily(
    home: Path,
    *args: str,
    timeout: float = 60,
    secrets: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess:
    """``python -m cxdaily ARGS`` with everything under ``home``, never the real keyring.

    ``secrets`` maps channel names to their ``CXDAILY_SECRET_<NAME>`` values; no other
    secret variable of the calling environment leaks in. ``input`` is typed on stdin (the
    command runs without a terminal, so ``cxdaily login`` reads its secrets from there).
    """
    full_env = {
        **os.environ,
        "CXDAILY_HOME": str(home),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",  # never the real keyring
        "NO_PROXY": "127.0.0.1,localhost",
    }
    for name in list(full_env):
        if name.startswith("CXDAILY_SECRET_"):
            del full_env[name]
    for channel, value in (secrets or {}).items():
        full_env[f"CXDAILY_SECRET_{channel.upper()}"] = value
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "cxdaily", *args],
        cwd=home,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
        stdin=subprocess.DEVNULL if input is None else None,
        start_new_session=True,  # no controlling terminal: prompts read stdin
    )
