"""Running a snippet in a fresh Python process, for checks of what a command loads."""

from __future__ import annotations

import subprocess
import sys


def run_python(code: str, env: dict[str, str]) -> str:
    """Run ``code`` in a fresh ``python -c`` with ``env``; it must exit 0 (else the
    assertion shows its stderr). Its standard output, stripped."""
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()
