"""The headless core never imports Textual or Rich (only ``cxdaily.ui`` may)."""

from __future__ import annotations

import json
import subprocess
import sys

HEADLESS_MODULES = (
    "cxdaily",
    "cxdaily.cli",
    "cxdaily.service",
    "cxdaily.store",
    "cxdaily.curation",
    "cxdaily.streaks",
    "cxdaily.settings",
    "cxdaily.connectors",
    "cxdaily.connectors.demo",
    "cxdaily.connectors.runner",
    "cxdaily.core.models",
    "cxdaily.core.safe_text",
    "cxdaily.credentials",
    "cxdaily.paths",
    "cxdaily.core.clock",
    "cxdaily.taxonomy",
)

_REPORT_UI_MODULES = """
import json, sys
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich"))))
"""


def _ui_modules_after(code: str, env: dict[str, str]) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", code + _REPORT_UI_MODULES],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_importing_the_headless_core_loads_neither_textual_nor_rich(subprocess_env):
    code = "".join(f"import {name}\n" for name in HEADLESS_MODULES)
    assert _ui_modules_after(code, subprocess_env) == []


def test_headless_commands_run_without_loading_textual_or_rich(subprocess_env):
    """Running real subcommands (fetch, batch, streak, locate) stays headless too."""
    code = (
        "import contextlib, io\n"
        "from cxdaily.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['--demo', 'fetch', '--json']) == 0\n"
        "    assert main(['--demo', 'batch', '--json']) == 0\n"
        "    assert main(['--demo', 'streak', '--json']) == 0\n"
        "    assert main(['locate', 'data']) == 0\n"
    )
    assert _ui_modules_after(code, subprocess_env) == []
