"""Saved replies on disk: names, reading the folder (bad files skipped, named), caching and
atomic writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cxdaily.core.errors import NotFoundError
from cxdaily.core.limits import MAX_REPLY_FILE_BYTES
from cxdaily.paths import locations
from cxdaily.replies import saved
from cxdaily.replies.saved import (
    SavedReplyError,
    SavedReplyLibrary,
    default_title,
    name_problem,
    parse_saved_reply,
    saved_replies_folder,
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "replies"
    path.mkdir()
    return path


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


# ----------------------------------------------------------------------------- names
def test_the_folder_is_replies_beside_the_config_file(home: Path):
    assert saved_replies_folder(locations()) == home / "replies"


@pytest.mark.parametrize("name", ["refund", "refund-on-the-way", "Thanks_2", "a"])
def test_good_names(name):
    assert name_problem(name) is None


@pytest.mark.parametrize(
    "name",
    ["", "../etc", "a/b", "a\\b", "..", ".hidden", "-dash", "two words", "x.md", "é", "a" * 65],
)
def test_names_that_could_escape_the_folder_or_are_not_words_are_refused(name):
    problem = name_problem(name)
    assert problem is not None and "\n" not in problem


def test_path_of_refuses_a_bad_name(folder: Path):
    with pytest.raises(SavedReplyError, match="cannot name a saved reply"):
        SavedReplyLibrary(folder).path_of("../config")


def test_a_default_title_is_the_name_in_words():
    assert default_title("refund-on-the-way") == "Refund on the way"
    assert default_title("late_delivery") == "Late delivery"


# ----------------------------------------------------------------------------- parsing
def test_a_first_line_title_and_the_rest_as_text():
    assert parse_saved_reply("# Refund\n\nHi {first_name},\n\nIt is done.\n", "r") == (
        "Refund",
        "Hi {first_name},\n\nIt is done.",
    )


def test_without_a_title_line_the_title_is_the_name():
    assert parse_saved_reply("Thanks for writing!\n", "thanks") == ("thanks", "Thanks for writing!")


def test_a_second_level_heading_is_text_not_a_title():
    assert parse_saved_reply("## Steps\n1. Open", "steps") == ("steps", "## Steps\n1. Open")


def test_escape_sequences_and_bidi_controls_are_cleaned_from_title_and_text():
    title, body = parse_saved_reply(
        "# Re\x1b[31mfund\u202e\n\nHi\x1b]52;c;ZXZpbA==\x07 there\r\n", "r"
    )
    assert title == "Refund"
    assert body == "Hi there"


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "it is empty"), ("  \n\n ", "it is empty"), ("# Only a title\n\n", "no text")],
)
def test_empty_texts_are_refused(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_saved_reply(text, "x")


# ----------------------------------------------------------------------------- loading
def test_a_missing_folder_is_an_empty_library(tmp_path: Path):
    loaded = SavedReplyLibrary(tmp_path / "nowhere").load()
    assert loaded.replies == () and loaded.warnings == ()


def test_bad_files_are_skipped_with_one_line_each_and_the_rest_load(folder: Path):
    write(folder, "good.md", "# Good\n\nA fine reply.")
    write(folder, "latin1.md", "caf\xe9".encode("latin-1"))
    write(folder, "empty.md", "")
    write(folder, "huge.md", b"x" * (MAX_REPLY_FILE_BYTES + 1))
    write(folder, "Bad name.md", "text")
    (folder / "folder.md").mkdir()
    os.mkfifo(folder / "pipe.md")
    (folder / "dangling.md").symlink_to(folder / "missing-target")
    loaded = SavedReplyLibrary(folder).load()
    assert [reply.name for reply in loaded.replies] == ["good"]
    by_file = {Path(w.split(": ")[0].removeprefix("saved reply ")).name: w for w in loaded.warnings}
    assert set(by_file) == {
        "latin1.md",
        "empty.md",
        "huge.md",
        "Bad name.md",
        "folder.md",
        "pipe.md",
        "dangling.md",
    }
    assert "not UTF-8 text (byte 4)" in by_file["latin1.md"]
    assert "it is empty" in by_file["empty.md"]
    assert "larger than" in by_file["huge.md"]
    assert "not a saved reply's name" in by_file["Bad name.md"]
    assert "a folder" in by_file["folder.md"]
    assert "named pipe" in by_file["pipe.md"]
    assert all("\n" not in warning and "skipped" in warning for warning in loaded.warnings)


def test_a_file_name_with_escape_sequences_is_named_cleaned(folder: Path):
    write(folder, "evil\x1b]0;owned\x07.md", "text")
    [warning] = SavedReplyLibrary(folder).load().warnings
    assert "\x1b" not in warning and "\x07" not in warning


def test_hidden_files_and_other_kinds_are_not_replies_nor_warned_about(folder: Path):
    write(folder, ".thanks.abc123.md", "an editor's copy")
    write(folder, "thanks.md.swp", "vim swap")
    write(folder, "notes.txt", "not a reply")
    write(folder, "thanks.md", "Thanks!")
    loaded = SavedReplyLibrary(folder).load()
    assert loaded.names() == ["thanks"] and loaded.warnings == ()


def test_a_load_reads_again_only_the_files_that_changed(folder: Path, monkeypatch):
    write(folder, "a.md", "First A")
    write(folder, "b.md", "First B")
    library = SavedReplyLibrary(folder)
    assert [r.body for r in library.load().replies] == ["First A", "First B"]
    reads: list[str] = []
    real = saved.read_saved_reply
    monkeypatch.setattr(
        saved, "read_saved_reply", lambda path: reads.append(path.name) or real(path)
    )
    assert [r.body for r in library.load().replies] == ["First A", "First B"]
    assert reads == []
    path = folder / "b.md"
    path.write_text("Second B, saved in place", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert [r.body for r in library.load().replies] == ["First A", "Second B, saved in place"]
    assert reads == ["b.md"]
    (folder / "a.md").unlink()
    assert library.load().names() == ["b"]


def test_get_names_close_replies_for_an_unknown_name(folder: Path):
    write(folder, "refund-on-the-way.md", "Refund text")
    write(folder, "thanks.md", "Thanks")
    library = SavedReplyLibrary(folder)
    assert library.get("thanks").body == "Thanks"
    with pytest.raises(NotFoundError, match=r"close names: refund-on-the-way$"):
        library.get("refnud-on-the-way")


def test_get_without_any_reply_says_how_to_add_one(folder: Path):
    with pytest.raises(NotFoundError, match="there are none yet: add one with"):
        SavedReplyLibrary(folder).get("thanks")


# ----------------------------------------------------------------------------- writing
def test_write_saves_atomically_owner_only_and_reloads(tmp_path: Path):
    library = SavedReplyLibrary(tmp_path / "config" / "replies")
    reply = library.write("thanks", "# Thank you\n\nThanks, {first_name}!", new=True)
    assert (reply.name, reply.title, reply.body) == ("thanks", "Thank you", "Thanks, {first_name}!")
    assert reply.path.read_text(encoding="utf-8") == "# Thank you\n\nThanks, {first_name}!\n"
    assert reply.path.stat().st_mode & 0o777 == 0o600
    assert library.load().replies == (reply,)
    assert [p.name for p in library.folder.iterdir()] == ["thanks.md"]  # no temporary file left


def test_write_without_a_title_keeps_the_file_to_its_text(folder: Path):
    reply = SavedReplyLibrary(folder).write("thanks", "Thanks!\n\n", new=True)
    assert reply.path.read_text(encoding="utf-8") == "Thanks!\n"
    assert reply.title == "thanks"


def test_write_keeps_a_heading_that_starts_the_text(folder: Path):
    library = SavedReplyLibrary(folder)
    library.write("steps", "# steps\n\n# Step one\nOpen it", new=True)
    assert library.get("steps").body == "# Step one\nOpen it"


def test_write_new_refuses_to_replace_and_edit_may(folder: Path):
    library = SavedReplyLibrary(folder)
    library.write("thanks", "Thanks!", new=True)
    with pytest.raises(SavedReplyError, match="exists already; change it with"):
        library.write("thanks", "Other", new=True)
    assert library.write("thanks", "Other", new=False).body == "Other"


def test_write_refuses_an_empty_text_and_saves_nothing(folder: Path):
    with pytest.raises(SavedReplyError, match="nothing saved: it is empty"):
        SavedReplyLibrary(folder).write("thanks", " \n", new=True)
    assert list(folder.iterdir()) == []


def test_write_cleans_what_it_saves(folder: Path):
    reply = SavedReplyLibrary(folder).write("x", "Hi\x1b[2J there\ud800", new=True)
    assert reply.path.read_text(encoding="utf-8") == "Hi there\ufffd\n"


def test_write_into_a_read_only_folder_is_one_line(folder: Path):
    folder.chmod(0o500)
    try:
        with pytest.raises(SavedReplyError) as caught:
            SavedReplyLibrary(folder).write("thanks", "Thanks!", new=True)
    finally:
        folder.chmod(0o700)
    assert "read-only" in str(caught.value) and "\n" not in str(caught.value)
