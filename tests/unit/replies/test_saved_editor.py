"""Which editor saved replies are written in: found as git finds one."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxdaily.replies.editor import EditorError, editor_command, run_editor


def nowhere(name: str) -> str | None:
    return None


def test_the_configured_editor_wins_over_the_environment():
    env = {"VISUAL": "vim", "EDITOR": "nano"}
    assert editor_command("code --wait", env, nowhere) == ["code", "--wait"]


def test_visual_then_editor():
    assert editor_command(None, {"VISUAL": "vim", "EDITOR": "nano"}, nowhere) == ["vim"]
    assert editor_command(None, {"EDITOR": "emacs -nw"}, nowhere) == ["emacs", "-nw"]


def test_a_dumb_terminal_skips_visual():
    env = {"TERM": "dumb", "VISUAL": "vim", "EDITOR": "ed"}
    assert editor_command(None, env, nowhere) == ["ed"]


def test_quoted_paths_with_spaces_are_one_word():
    env = {"EDITOR": "'/Applications/My Editor/bin/edit' -w"}
    assert editor_command(None, env, nowhere) == ["/Applications/My Editor/bin/edit", "-w"]


def test_blank_values_are_passed_over():
    assert editor_command("  ", {"VISUAL": "", "EDITOR": "nano"}, nowhere) == ["nano"]


def test_without_one_the_first_fallback_on_the_path():
    found = {"nano": "/usr/bin/nano", "vi": "/usr/bin/vi"}
    assert editor_command(None, {}, found.get) == ["/usr/bin/nano"]
    assert editor_command(None, {}, {"vi": "/bin/vi"}.get) == ["/bin/vi"]


def test_no_editor_at_all_is_one_line_saying_what_to_do():
    with pytest.raises(EditorError, match=r"no editor found: set \$EDITOR"):
        editor_command(None, {}, nowhere)


def test_an_unreadable_command_names_its_source():
    with pytest.raises(EditorError, match=r"\$EDITOR = .* cannot be read as a command"):
        editor_command(None, {"EDITOR": "vim 'unclosed"}, nowhere)


def test_run_editor_reports_a_failing_exit(tmp_path: Path):
    with pytest.raises(EditorError, match="the editor false exited with status 1"):
        run_editor(["false"], tmp_path / "x.md")
    run_editor(["true"], tmp_path / "x.md")  # a success raises nothing
