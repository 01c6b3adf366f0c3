"""Which editor to hand a file to, found the way git finds one, and running it.

The first of these that is set wins: ``[ui] editor`` in the config, ``$VISUAL`` (unless
the terminal is ``dumb``, which cannot run a full-screen editor), ``$EDITOR``; then the
system's ``editor`` command (Debian's choice), ``nano``, ``vi``. The command is split like
a shell would (``code --wait``, ``"/Applications/My Editor/bin/edit" -w``) and the file
is given as its last argument.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

from cxdaily.core.errors import CxDailyError
from cxdaily.core.safe_text import one_line

FALLBACK_EDITORS = ("editor", "nano", "vi")
"""Tried in order, on the PATH, when no editor is configured."""


class EditorError(CxDailyError):
    """No editor can be found or started, or it failed."""


def editor_command(
    configured: str | None,
    environ: Mapping[str, str] | None = None,
    which: Callable[[str], str | None] = shutil.which,
    *,
    terminal: bool = True,
) -> list[str]:
    """The editor's command line (without the file), or an :class:`EditorError` saying
    how to set one. ``environ`` and ``which`` default to the process's own. Without a
    ``terminal`` (a script, a pipe) only an editor the leader set is run: the fallbacks
    (nano, vi) would draw on a screen that is not there and wait for keys forever."""
    env = os.environ if environ is None else environ
    dumb = env.get("TERM", "") == "dumb"
    chosen = (
        ("[ui] editor", configured),
        ("$VISUAL", None if dumb else env.get("VISUAL")),
        ("$EDITOR", env.get("EDITOR")),
    )
    for source, value in chosen:
        if value and value.strip():
            try:
                command = shlex.split(value)
            except ValueError as exc:
                raise EditorError(
                    f"{source} = {one_line(value, 80)!r} cannot be read as a command ({exc})"
                ) from None
            if command:
                return command
    if not terminal:
        raise EditorError(
            "no editor is set and this is not a terminal: run it in a terminal, or set "
            "$EDITOR (or [ui] editor) to a command that edits the file"
        )
    for fallback in FALLBACK_EDITORS:
        found = which(fallback)
        if found:
            return [found]
    raise EditorError(
        "no editor found: set $EDITOR (for example EDITOR=nano), or [ui] editor in the config"
    )


def run_editor(command: list[str], path: Path) -> None:
    """Run the editor on ``path`` and wait for it; an :class:`EditorError` when it cannot
    start or exits with a failure (``:cq`` in vim: the leader gave up)."""
    shown = one_line(command[0], 80)
    try:
        completed = subprocess.run([*command, str(path)], check=False)
    except OSError as exc:
        raise EditorError(f"could not start the editor {shown}: {exc.strerror or exc}") from None
    if completed.returncode != 0:
        raise EditorError(f"the editor {shown} exited with status {completed.returncode}")
