"""``cxdaily replies list|add|edit``: the leader's saved replies, from the command line.

- ``cxdaily replies list [--json]``: every saved reply, its name, title and first line
  (``--json``: one object per line, with the whole text); a file that cannot be used is
  named on stderr and skipped;
- ``cxdaily replies add NAME [--title T] [--from-file F]``: a new saved reply. At a
  terminal the editor opens on a template; with ``--from-file`` the text is read from
  that file, and when stdin is not a terminal, from stdin (``echo ... | cxdaily replies
  add thanks``);
- ``cxdaily replies edit NAME``: change one in the editor. An unknown name is a usage
  error (exit 2) naming the close ones.

The editor is found as git finds one (:mod:`cxdaily.replies.editor`) and works on a
copy in the replies folder; the reply is saved (atomically) only when the editor exits
successfully with text in the file. Replies live in the config folder and need no data
folder, so they can be edited while the app runs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import tempfile
from pathlib import Path

from cxdaily.cli.arguments import CommandGroup
from cxdaily.cli.json_lines import print_json
from cxdaily.core.errors import CxDailyError
from cxdaily.core.safe_text import one_line

EXIT_OK, EXIT_ERROR = 0, 1

EDITOR_NOTE = """<!-- cxdaily: write the reply above this note, then save and close the editor.
The first line, "# Title", is what the composer's search shows. Placeholders:
{first_name} {name} {channel} {product} {today}; write {{ or }} for a literal brace.
This note is removed when the reply is saved; an empty reply saves nothing. -->
"""
_NOTE = re.compile(r"<!-- cxdaily:.*?-->[ \t]*\n?", re.DOTALL)

EXAMPLE = """example file (replies/refund-on-the-way.md in the config folder):

  # Refund on the way

  Hi {first_name}, your refund is on its way: you will see it within five
  working days. Thank you for your patience with {product}.
"""


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``replies`` to the command line's subcommands."""
    replies = CommandGroup(
        sub,
        "replies",
        "your saved replies: list, add, edit",
        description="Saved replies: one Markdown file each in the config folder's replies/\n"
        "(`cxdaily locate config`), inserted from the composer by fuzzy search.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    listing = "every saved reply: name, title and first line"
    replies.action("list", listing, cmd_replies_list, json="one object per line, with the text")

    q = replies.action(
        "add",
        "add a saved reply (in $EDITOR, or from stdin or a file)",
        cmd_replies_add,
        description="Add a saved reply: at a terminal in $VISUAL/$EDITOR; with --from-file, "
        "or when stdin is not a terminal, the text is read from there (an optional first "
        "line '# Title', then the text).",
    )
    q.add_argument("name", type=_reply_name, metavar="NAME", help="like refund-on-the-way")
    q.add_argument("--title", type=_title, metavar="T", help="its title (default: from NAME)")
    q.add_argument("--from-file", metavar="FILE", help="read the text from this file")

    q = replies.action("edit", "change a saved reply in $EDITOR", cmd_replies_edit)
    q.add_argument("name", type=_reply_name, metavar="NAME")


def _reply_name(text: str) -> str:
    """An argparse ``type``: a saved reply's name, or a usage error saying why not."""
    from cxdaily.replies.saved import name_problem

    problem = name_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


def _title(text: str) -> str:
    """An argparse ``type``: a title on one line, within the title length."""
    from cxdaily.replies.saved import MAX_TITLE_CHARS

    title = one_line(text)
    if not title or len(title) > MAX_TITLE_CHARS:
        raise argparse.ArgumentTypeError(f"a title is 1 to {MAX_TITLE_CHARS} characters")
    return title


def _library():
    """The saved replies of the config folder (the same for the demo and your profile)."""
    from cxdaily.paths import locations
    from cxdaily.replies.saved import SavedReplyLibrary, saved_replies_folder

    return SavedReplyLibrary(saved_replies_folder(locations()))


def _warn(text: str) -> None:
    """Print one ``cxdaily: ...`` line on stderr."""
    print(f"cxdaily: {one_line(text, 400)}", file=sys.stderr)


def _print_saved(reply) -> None:
    """Say where a reply was saved (one line)."""
    print(f"saved {reply.name} ({one_line(reply.title)}) in {one_line(reply.path)}")


# ----------------------------------------------------------------------------- list
def cmd_replies_list(args: argparse.Namespace) -> int:
    """Print every saved reply (name, title, first line), or one JSON object per line."""
    library = _library()
    loaded = library.load()
    for warning in loaded.warnings:
        _warn(warning)
    if args.json:
        for reply in loaded.replies:
            record = {"name": reply.name, "title": reply.title, "first_line": reply.first_line}
            print_json({**record, "body": reply.body, "path": str(reply.path)})
        return EXIT_OK
    if not loaded.replies:
        print(
            "no saved replies yet; add one with `cxdaily replies add NAME` "
            f"(they live in {one_line(library.folder)})"
        )
        return EXIT_OK
    width = max(len(reply.name) for reply in loaded.replies)
    for reply in loaded.replies:
        title = "" if reply.title == reply.name else f"{reply.title} — "
        print(f"{reply.name:<{width}}  {one_line(title + reply.first_line, 100)}")
    return EXIT_OK


# ----------------------------------------------------------------------------- add
def cmd_replies_add(args: argparse.Namespace) -> int:
    """Add a saved reply from the editor, a file or stdin."""
    from cxdaily.replies.saved import default_title, parse_saved_reply

    library = _library()
    path = library.path_of(args.name)
    if os.path.lexists(path):
        raise CxDailyError(
            f"a saved reply named {args.name} exists already; change it with "
            f"`cxdaily replies edit {args.name}`"
        )
    title = args.title or default_title(args.name)
    if args.from_file or sys.stdin is None or not sys.stdin.isatty():
        text = _read_given_text(args.from_file)
        if args.title:  # --title wins over a '# Title' line in the text
            with contextlib.suppress(ValueError):
                text = parse_saved_reply(text, args.name)[1]
            text = f"# {title}\n\n{text}"
    else:
        text = _edit(library, args.name, f"# {title}\n\n\n\n{EDITOR_NOTE}")
    reply = library.write(args.name, text, new=True)
    _print_saved(reply)
    return EXIT_OK


def _read_given_text(from_file: str | None) -> str:
    """The text of ``--from-file``, else stdin's, read within the reply file size limit."""
    from cxdaily.cli.outbox import read_reply_file
    from cxdaily.core.limits import MAX_REPLY_FILE_BYTES

    if from_file:
        return read_reply_file(from_file)
    if sys.stdin is None:
        raise CxDailyError("stdin is closed: give the text with --from-file, or run at a terminal")
    data = sys.stdin.buffer.read(MAX_REPLY_FILE_BYTES + 1)
    if len(data) > MAX_REPLY_FILE_BYTES:
        raise CxDailyError(f"stdin holds more than {MAX_REPLY_FILE_BYTES // 1024} KiB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CxDailyError(f"stdin is not UTF-8 text (byte {exc.start + 1})") from None


# ----------------------------------------------------------------------------- edit
def cmd_replies_edit(args: argparse.Namespace) -> int:
    """Change a saved reply in the editor; an unknown name is an error (exit 1, as every
    unknown name), which names the close ones."""
    from cxdaily.cli.outbox import read_reply_file
    from cxdaily.replies.saved import parse_saved_reply, unknown_name_message

    library = _library()
    path = library.path_of(args.name)
    if not os.path.lexists(path):
        _warn(unknown_name_message(args.name, library.load()))
        return EXIT_ERROR
    before = read_reply_file(str(path))
    after = _edit(library, args.name, f"{before.rstrip()}\n\n{EDITOR_NOTE}")
    with contextlib.suppress(ValueError):
        if parse_saved_reply(after, args.name) == parse_saved_reply(before, args.name):
            print(f"no change to {args.name}")
            return EXIT_OK
    reply = library.write(args.name, after, new=False)
    _print_saved(reply)
    return EXIT_OK


def on_a_terminal() -> bool:
    """Whether the command runs on a terminal (its input and output both)."""
    return sys.stdin is not None and sys.stdin.isatty() and sys.stdout.isatty()


def _edit(library, name: str, start: str) -> str:
    """The text the leader leaves in the editor, started on ``start``, without the note.

    The editor works on a hidden copy in the replies folder (never read as a reply),
    removed afterwards; an editor that fails saves nothing.
    """
    from cxdaily.cli.outbox import read_reply_file
    from cxdaily.paths import locations
    from cxdaily.replies.editor import EditorError, editor_command, run_editor
    from cxdaily.settings import load_settings
    from cxdaily.store.storage import ensure_private_dir

    configured = load_settings(locations().config_file, check_channels=False).editor
    command = editor_command(configured, terminal=on_a_terminal())
    try:
        ensure_private_dir(library.folder)
        fd, copy = tempfile.mkstemp(prefix=f".{name}.", suffix=".md", dir=library.folder)
    except OSError as exc:
        raise CxDailyError(
            f"cannot write in {one_line(library.folder)}: {exc.strerror or exc}"
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(start)
        try:
            run_editor(command, Path(copy))
        except EditorError as exc:
            raise EditorError(f"{exc}; nothing saved") from None
        return _NOTE.sub("", read_reply_file(copy))
    finally:
        with contextlib.suppress(OSError):
            os.unlink(copy)
