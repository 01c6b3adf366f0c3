"""``cxdaily replies list|add|edit``: output, exit codes, one-line errors, and the editor
(a fake ``$EDITOR`` script that records what it was given and writes new text)."""

from __future__ import annotations

import io
import json
import shlex
import sys
from pathlib import Path

import pytest

from cxdaily.cli.replies import EDITOR_NOTE
from tests.unit.cli.cli_kit import one_line_error, run


class Terminal(io.StringIO):
    """A stdin that is a terminal (so ``add`` opens the editor)."""

    def isatty(self) -> bool:
        return True


def pipe(data: bytes) -> io.TextIOWrapper:
    """A stdin that is not a terminal, holding ``data``."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")


@pytest.fixture
def replies(home: Path) -> Path:
    return home / "replies"


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Install a fake editor that saves what it was shown in ``seen.txt`` and replaces the
    file with the text given; returns the function that sets that text (and exit code)."""
    seen = tmp_path / "seen.txt"
    script = tmp_path / "fake editor.sh"
    monkeypatch.chdir(tmp_path)  # whatever the editor does, it does it here

    def set_editor(text: str | None, status: int = 0) -> Path:
        write = f"printf '%s' {shlex.quote(text)} > \"$file\"\n" if text is not None else ""
        script.write_text(  # the file is the last argument, after the editor's own options
            f'#!/bin/sh\nfor file; do :; done\ncp "$file" {shlex.quote(str(seen))}\n'
            f"{write}exit {status}\n",
            encoding="utf-8",
        )
        script.chmod(0o700)
        monkeypatch.setenv("EDITOR", f"{shlex.quote(str(script))} --wait")
        monkeypatch.delenv("VISUAL", raising=False)
        monkeypatch.setattr(sys, "stdin", Terminal())
        return seen

    return set_editor


# ----------------------------------------------------------------------------- list
def test_list_without_replies_says_how_to_add_one(home: Path, capsys):
    code, out, err = run(capsys, "replies", "list")
    assert code == 0 and err == ""
    assert out.startswith("no saved replies yet; add one with `cxdaily replies add NAME`")
    assert str(home / "replies") in out


def test_list_shows_name_title_and_first_line_and_warns_about_bad_files(replies: Path, capsys):
    replies.mkdir()
    (replies / "refund-on-the-way.md").write_text(
        "# Refund on the way\n\nHi {first_name}, your refund is on its way.\nMore.\n"
    )
    (replies / "thanks.md").write_text("Thanks \x1b[31mfor writing!\n")
    (replies / "broken.md").write_bytes(b"\xc3")
    code, out, err = run(capsys, "replies", "list")
    assert code == 0
    assert out.splitlines() == [
        "refund-on-the-way  Refund on the way — Hi {first_name}, your refund is on its way.",
        "thanks             Thanks for writing!",
    ]
    line = one_line_error(err)
    assert "broken.md" in line and "not UTF-8 text" in line


def test_list_json_is_one_object_per_reply(replies: Path, capsys):
    replies.mkdir()
    (replies / "thanks.md").write_text("# Thank you\n\nThanks!\n\nDana")
    code, out, _ = run(capsys, "replies", "list", "--json")
    assert code == 0
    assert [json.loads(line) for line in out.splitlines()] == [
        {
            "name": "thanks",
            "title": "Thank you",
            "first_line": "Thanks!",
            "body": "Thanks!\n\nDana",
            "path": str(replies / "thanks.md"),
        }
    ]


# ----------------------------------------------------------------------------- add
def test_add_reads_stdin_when_it_is_not_a_terminal(replies: Path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", pipe(b"Hi {first_name},\n\nthanks!\n"))
    code, out, err = run(capsys, "replies", "add", "thanks", "--title", "Thank you")
    assert (code, err) == (0, "")
    assert out == f"saved thanks (Thank you) in {replies / 'thanks.md'}\n"
    assert (replies / "thanks.md").read_text() == "# Thank you\n\nHi {first_name},\n\nthanks!\n"


def test_add_title_wins_over_a_title_line_in_the_text(replies: Path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", pipe(b"# Old title\n\nText"))
    assert run(capsys, "replies", "add", "x", "--title", "New title")[0] == 0
    assert (replies / "x.md").read_text() == "# New title\n\nText\n"


def test_add_from_a_file(replies: Path, tmp_path: Path, capsys):
    source = tmp_path / "reply.md"
    source.write_text("# Late delivery\n\nSorry, {first_name}: it is late.\n")
    code, out, _ = run(capsys, "replies", "add", "late", "--from-file", str(source))
    assert code == 0 and out.startswith("saved late (Late delivery)")
    assert (replies / "late.md").read_text() == source.read_text()


def test_add_from_a_pipe_file_is_refused(tmp_path: Path, home: Path, capsys):
    code, _, err = run(capsys, "replies", "add", "x", "--from-file", "/dev/zero")
    assert code == 1 and "give a text file" in one_line_error(err)


def test_add_in_the_editor_starts_from_a_template(replies: Path, editor, capsys):
    seen = editor(f"# Refund on the way\n\nYour refund is coming.\n\n{EDITOR_NOTE}")
    code, out, err = run(capsys, "replies", "add", "refund-on-the-way")
    assert (code, err) == (0, ""), err
    assert out.startswith("saved refund-on-the-way (Refund on the way) in ")
    assert seen.read_text().startswith("# Refund on the way\n\n")
    assert EDITOR_NOTE in seen.read_text()
    assert (replies / "refund-on-the-way.md").read_text() == (
        "# Refund on the way\n\nYour refund is coming.\n"
    )
    assert [p.name for p in replies.iterdir()] == ["refund-on-the-way.md"]  # the copy is gone


def test_add_left_as_the_template_saves_nothing(replies: Path, editor, capsys):
    editor(None)  # the editor changes nothing
    code, _, err = run(capsys, "replies", "add", "thanks")
    assert code == 1
    assert one_line_error(err) == "cxdaily: nothing saved: it has a title but no text"
    assert list(replies.iterdir()) == []


def test_add_an_existing_name_is_refused(replies: Path, capsys, monkeypatch):
    replies.mkdir()
    (replies / "thanks.md").write_text("Thanks!")
    monkeypatch.setattr(sys, "stdin", pipe(b"Other"))
    code, _, err = run(capsys, "replies", "add", "thanks")
    assert code == 1 and "exists already; change it with `cxdaily replies edit thanks`" in err
    assert (replies / "thanks.md").read_text() == "Thanks!"


@pytest.mark.parametrize("name", ["../escape", "a/b", "..", ".hidden", "two words"])
def test_add_refuses_names_that_are_not_words(home: Path, capsys, name):
    code, _, err = run(capsys, "replies", "add", name)
    assert code == 2
    assert "cannot name a saved reply" in one_line_error(err)
    assert not (home / "escape.md").exists() and not (home / "replies").exists()


def test_add_refuses_stdin_that_is_not_utf8(home: Path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", pipe(b"caf\xe9"))
    code, _, err = run(capsys, "replies", "add", "x")
    assert code == 1 and one_line_error(err) == "cxdaily: stdin is not UTF-8 text (byte 4)"


def test_add_refuses_empty_stdin(home: Path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", pipe(b"\n\n"))
    code, _, err = run(capsys, "replies", "add", "x")
    assert code == 1 and one_line_error(err) == "cxdaily: nothing saved: it is empty"


# ----------------------------------------------------------------------------- edit
def test_edit_opens_the_reply_and_saves_the_new_text(replies: Path, editor, capsys):
    replies.mkdir()
    (replies / "thanks.md").write_text("# Thank you\n\nThanks!\n")
    seen = editor("# Thanks a lot\n\nThank you so much, {first_name}.\n")
    code, out, err = run(capsys, "replies", "edit", "thanks")
    assert (code, err) == (0, ""), err
    assert seen.read_text() == f"# Thank you\n\nThanks!\n\n{EDITOR_NOTE}"
    assert out == f"saved thanks (Thanks a lot) in {replies / 'thanks.md'}\n"
    assert (replies / "thanks.md").read_text() == (
        "# Thanks a lot\n\nThank you so much, {first_name}.\n"
    )


def test_edit_without_a_change_says_so(replies: Path, editor, capsys):
    replies.mkdir()
    (replies / "thanks.md").write_text("# Thank you\n\nThanks!\n")
    seen = editor(None)
    assert run(capsys, "replies", "edit", "thanks") == (0, "no change to thanks\n", "")
    assert seen.read_text().startswith("# Thank you\n\nThanks!")


def test_edit_an_unknown_name_lists_close_ones_and_exits_1(replies: Path, capsys):
    replies.mkdir()
    (replies / "refund-on-the-way.md").write_text("Refund")
    (replies / "thanks.md").write_text("Thanks")
    code, out, err = run(capsys, "replies", "edit", "refnd-on-the-way")
    assert code == 1 and out == ""  # as every unknown name or id
    assert one_line_error(err) == (
        "cxdaily: no saved reply named refnd-on-the-way; close names: refund-on-the-way"
    )


def test_edit_with_no_reply_at_all_says_how_to_add(home: Path, capsys):
    code, _, err = run(capsys, "replies", "edit", "thanks")
    assert code == 1 and "there are none yet: add one with `cxdaily replies add thanks`" in err


def test_edit_without_a_terminal_runs_only_an_editor_the_leader_set(
    replies: Path, capsys, monkeypatch
):
    """From a script, nano or vi would draw on a screen that is not there and wait for
    keys forever: without $VISUAL, $EDITOR or [ui] editor, nothing is started."""
    replies.mkdir()
    (replies / "thanks.md").write_text("Thanks!\n")
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setattr(
        "cxdaily.replies.editor.run_editor", lambda *a: pytest.fail("no editor may start")
    )
    code, out, err = run(capsys, "replies", "edit", "thanks")
    assert code == 1 and out == ""
    assert "no editor is set and this is not a terminal" in one_line_error(err)
    assert (replies / "thanks.md").read_text() == "Thanks!\n"


def test_a_failing_editor_saves_nothing_and_leaves_no_copy(replies: Path, editor, capsys):
    replies.mkdir()
    (replies / "thanks.md").write_text("Thanks!\n")
    editor("Changed", status=1)
    code, _, err = run(capsys, "replies", "edit", "thanks")
    assert code == 1
    assert one_line_error(err).endswith("exited with status 1; nothing saved")
    assert (replies / "thanks.md").read_text() == "Thanks!\n"
    assert [p.name for p in replies.iterdir()] == ["thanks.md"]


def test_emptying_a_reply_in_the_editor_keeps_it(replies: Path, editor, capsys):
    replies.mkdir()
    (replies / "thanks.md").write_text("Thanks!\n")
    editor("")
    code, _, err = run(capsys, "replies", "edit", "thanks")
    assert code == 1 and "nothing saved: it is empty" in one_line_error(err)
    assert (replies / "thanks.md").read_text() == "Thanks!\n"


def test_an_editor_that_cannot_start_is_one_line(replies: Path, capsys, monkeypatch):
    replies.mkdir()
    (replies / "thanks.md").write_text("Thanks!\n")
    monkeypatch.setenv("EDITOR", "/nonexistent/editor")
    monkeypatch.delenv("VISUAL", raising=False)
    code, _, err = run(capsys, "replies", "edit", "thanks")
    assert code == 1
    assert one_line_error(err) == (
        "cxdaily: could not start the editor /nonexistent/editor: No such file or directory; "
        "nothing saved"
    )


def test_no_editor_at_all_says_how_to_set_one(replies: Path, tmp_path: Path, capsys, monkeypatch):
    replies.mkdir()
    (replies / "thanks.md").write_text("Thanks!\n")
    for name in ("EDITOR", "VISUAL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.setattr("cxdaily.cli.replies.on_a_terminal", lambda: True)
    code, _, err = run(capsys, "replies", "edit", "thanks")
    assert code == 1 and "no editor found: set $EDITOR" in one_line_error(err)


def test_the_configured_editor_wins(home: Path, replies: Path, editor, capsys, monkeypatch):
    replies.mkdir()
    (replies / "thanks.md").write_text("Thanks!\n")
    seen = editor("From the configured editor")
    configured = shlex.split(__import__("os").environ["EDITOR"])[0]
    monkeypatch.setenv("EDITOR", "/nonexistent/editor")
    (home / "config.toml").write_text(f"[ui]\neditor = {json.dumps(shlex.quote(configured))}\n")
    code, _, err = run(capsys, "replies", "edit", "thanks")
    assert (code, err) == (0, "")
    assert seen.exists()
    assert (replies / "thanks.md").read_text() == "From the configured editor\n"


# ----------------------------------------------------------------------------- help
def test_help_shows_the_actions_and_an_example_file(capsys):
    code, out, _ = run(capsys, "replies", "--help")
    assert code == 0
    for word in ("list", "add", "edit", "# Refund on the way", "{first_name}"):
        assert word in out


def test_a_replies_folder_that_is_a_file_is_one_line(home: Path, editor, capsys):
    (home / "replies").write_text("not a folder")
    editor("Thanks!")
    code, _, err = run(capsys, "replies", "add", "thanks")
    assert code == 1 and one_line_error(err).startswith(f"cxdaily: cannot write in {home}")
    code, out, err = run(capsys, "replies", "list")
    assert code == 0 and "cannot be read" in one_line_error(err)
    assert out.startswith("no saved replies yet")


def test_add_with_stdin_closed_asks_for_a_file(home: Path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)
    code, _, err = run(capsys, "replies", "add", "thanks")
    assert code == 1 and "give the text with --from-file" in one_line_error(err)
