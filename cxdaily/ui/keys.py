"""Every key of the app, declared once: bindings, the help screen and the command palette
are all built from these declarations. Each binding has an id (``[keys]`` in the config
remaps it: ``reply = "R"``)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class KeyCommand:
    """One action the user can take: its id, default keys, and words for footer and help."""

    id: str
    action: str
    keys: str
    label: str
    help: str
    show: bool = True
    priority: bool = False

    def binding(self) -> Binding:
        """The Textual binding of this command."""
        return Binding(
            self.keys, self.action, self.label, show=self.show, id=self.id, priority=self.priority
        )


APP_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("help", "help", "f1,question_mark", "Help", "Show every key", show=True),
    KeyCommand(
        "palette", "command_palette", "ctrl+p", "Commands", "Open the command palette", show=False
    ),
    KeyCommand("stats", "stats", "S", "Stats", "Streak, calendar and personal stats", show=False),
    KeyCommand(
        "promises", "promises", "p", "Promises", "Open promises and unsent replies", show=False
    ),
    KeyCommand(
        "digest",
        "digest",
        "D",
        "Digest",
        "Insight digest for the teams: preview, export",
        show=False,
    ),
)

DIGEST_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("digest_export", "export", "x", "Export", "Export the digest to a file"),
    KeyCommand("back", "back", "escape,q", "Back", "Close the digest"),
)

DIGEST_EXPORT_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("export_save", "save", "ctrl+s", "Export", "Write the export file", priority=True),
    KeyCommand("export_cancel", "cancel", "escape", "Cancel", "Close the export form"),
)

PROMISES_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("promise_kept", "keep_promise", "d", "Kept", "Mark the highlighted promise kept"),
    KeyCommand(
        "outbox_retry", "retry_reply", "r", "Send now", "Send the highlighted unsent reply now"
    ),
    KeyCommand(
        "outbox_cancel",
        "cancel_reply",
        "x",
        "Cancel reply",
        "Cancel the highlighted unsent reply (its text becomes the draft)",
    ),
    KeyCommand("back", "back", "escape,q", "Back", "Close the promises screen"),
)

RISKY_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("risky_send", "send", "y", "Send as written", "Risky words: send as written"),
    KeyCommand("risky_edit", "edit", "e,escape", "Edit", "Risky words: back to the composer"),
)

COLLISION_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand(
        "collision_send", "send", "y", "Send mine anyway", "The team answered: send yours anyway"
    ),
    KeyCommand(
        "collision_keep", "keep", "n,escape", "Keep as draft", "The team answered: keep a draft"
    ),
)

STATS_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("back", "back", "escape,q", "Back", "Close the stats screen"),
)

START_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("begin", "begin", "enter", "Begin", "Begin the session on today's batch"),
    KeyCommand("refresh", "refresh", "ctrl+r", "Refresh", "Fetch new questions now"),
    KeyCommand("demo", "open_demo", "d", "Demo", "Open the demo inbox", show=False),
    KeyCommand("quit", "quit_app", "q", "Quit", "Leave cxdaily"),
)

SESSION_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("next", "next", "j,down", "Next", "Next question", show=False),
    KeyCommand("previous", "previous", "k,up", "Prev", "Previous question", show=False),
    KeyCommand("reply", "reply", "r", "Reply", "Reply in the composer"),
    KeyCommand(
        "editor",
        "reply_in_editor",
        "e",
        "Editor",
        "Compose the reply in $VISUAL/$EDITOR",
        show=False,
    ),
    KeyCommand("tag", "tag", "t", "Tag", "Tag as an insight"),
    KeyCommand("handoff", "hand_off", "h", "Hand off", "Hand off to a team with a note"),
    KeyCommand("snooze", "snooze", "z", "Snooze", "Snooze until later"),
    KeyCommand("skip", "skip", "s", "Skip", "Skip for today"),
    KeyCommand("more", "pull_next", "n", "More", "Pull the next best question", show=False),
    KeyCommand("refresh", "refresh", "ctrl+r", "Refresh", "Fetch new questions now", show=False),
    KeyCommand("end", "end_session", "q", "Wrap up", "End the session and show the wrap-up"),
)

COMPOSER_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("send", "send", "ctrl+s", "Send", "Send the reply", priority=True),
    KeyCommand("close", "close", "escape", "Close", "Close and keep the draft", priority=True),
)

WRAPUP_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand(
        "finish", "finish", "ctrl+s", "Finish", "Save the reflection and leave", priority=True
    ),
)

TAG_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("tag_save", "save", "ctrl+s", "Save", "Save the insight", priority=True),
    KeyCommand("tag_cancel", "cancel", "escape", "Cancel", "Close the insight form unsaved"),
)

TIMEUP_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("timeup_wrap", "wrap_up", "w", "Wrap up", "Time is up: wrap up now"),
    KeyCommand("timeup_more", "more", "f", "5 more minutes", "Time is up: take five more minutes"),
)

ALL_GROUPS: tuple[tuple[str, tuple[KeyCommand, ...]], ...] = (
    ("Everywhere", APP_COMMANDS),
    ("Start", START_COMMANDS),
    ("Session", SESSION_COMMANDS),
    ("Composer", COMPOSER_COMMANDS),
    ("Wrap-up", WRAPUP_COMMANDS),
    ("Insight form", TAG_COMMANDS),
    ("Time is up", TIMEUP_COMMANDS),
    ("Stats", STATS_COMMANDS),
    ("Digest", DIGEST_COMMANDS),
    ("Digest export", DIGEST_EXPORT_COMMANDS),
    ("Promises and outbox", PROMISES_COMMANDS),
    ("Risky words", RISKY_COMMANDS),
    ("The team answered", COLLISION_COMMANDS),
)


def bindings(commands: tuple[KeyCommand, ...]) -> list[Binding]:
    """Bindings for a screen's BINDINGS."""
    return [command.binding() for command in commands]


def display_keys(keys: str) -> str:
    """Keys as a person reads them: 'j,down' -> 'j / ↓'."""
    names = {"down": "↓", "up": "↑", "question_mark": "?", "escape": "esc", "enter": "enter"}
    return " / ".join(names.get(k.strip(), k.strip()) for k in keys.split(","))
