"""Compose a reply in the leader's own editor (``$VISUAL``, then ``$EDITOR``).

The app hands the terminal to the editor with ``App.suspend`` and takes it back when
the editor exits; the text then goes to the composer for review before sending.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from textual.app import App, SuspendNotSupported

from cxdaily.ui.keys import key_names


def editor_command(configured: str | None) -> list[str] | None:
    """The editor to run, from the config, ``$VISUAL`` or ``$EDITOR``."""
    for candidate in (configured, os.environ.get("VISUAL"), os.environ.get("EDITOR")):
        if candidate and candidate.strip():
            return shlex.split(candidate)
    return None


def compose_in_editor(app: App, draft: str, configured: str | None) -> str | None:
    """Edit ``draft`` in the external editor; returns the new text, or None if unavailable."""
    command = editor_command(configured)
    if command is None:
        app.notify(
            "Set $EDITOR (or [ui] editor in the config) to compose in your editor.",
            severity="warning",
            markup=False,
        )
        return None
    handle, name = tempfile.mkstemp(prefix="cxdaily-reply-", suffix=".txt")
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(draft)
        try:
            with app.suspend():
                completed = subprocess.run([*command, str(path)], check=False)
        except SuspendNotSupported:
            app.notify(
                "This terminal cannot hand over to an editor; use "
                f"{key_names(app).key('reply')} instead.",
                severity="warning",
                markup=False,
            )
            return None
        except OSError as exc:
            app.notify(
                f"Could not start {command[0]}: {exc.strerror}", severity="error", markup=False
            )
            return None
        if completed.returncode != 0:
            app.notify(
                f"{command[0]} exited with status {completed.returncode}; draft kept.",
                severity="warning",
                markup=False,
            )
            return None
        text = path.read_text(encoding="utf-8").rstrip("\n")
        if not text.strip() and draft.strip():  # an emptied file is no reply: keep the draft
            app.notify(f"{command[0]} left no text; draft kept.", severity="warning", markup=False)
            return None
        return text
    finally:
        path.unlink(missing_ok=True)
