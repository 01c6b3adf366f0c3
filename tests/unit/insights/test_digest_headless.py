"""The digest package and its command are headless: no Textual, no Rich."""

from __future__ import annotations

import json
import subprocess
import sys

DIGEST_MODULES = (
    "cxdaily.insights",
    "cxdaily.insights.period",
    "cxdaily.insights.redact",
    "cxdaily.insights.redactor",
    "cxdaily.insights.cleaning",
    "cxdaily.insights.model",
    "cxdaily.insights.build",
    "cxdaily.insights.source",
    "cxdaily.insights.words",
    "cxdaily.insights.charts",
    "cxdaily.insights.render_md",
    "cxdaily.insights.render_html",
    "cxdaily.insights.render_csv",
    "cxdaily.insights.render_json",
    "cxdaily.insights.output",
    "cxdaily.cli.digest",
)


def test_a_digest_in_every_format_loads_neither_textual_nor_rich(subprocess_env):
    code = "".join(f"import {name}\n" for name in DIGEST_MODULES) + (
        "import contextlib, io\n"
        "from cxdaily.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    for fmt in ('md', 'html', 'csv', 'json', 'notes'):\n"
        "        assert main(['--demo', 'digest', '--format', fmt]) == 0\n"
        "import json, sys\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'rich'))))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=subprocess_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
