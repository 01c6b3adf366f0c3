"""Every key of the app, declared once.

Bindings, the footer, the help screen, the command palette and every hint, button label
and toast that names a key are built from these declarations. Each command has an id:
``[keys]`` in the config remaps it (``reply = "R"``), and :class:`KeyNames` answers "which
key does the leader press for this?" with the remapped key, so no text names a default
key by hand.

Screens declare their commands as ``KEY_COMMANDS`` (the palette lists them) and build
``BINDINGS`` from them with :func:`bindings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.binding import Binding, BindingType

if TYPE_CHECKING:
    from textual.dom import DOMNode


@dataclass(frozen=True)
class KeyCommand:
    """One action the user can take: its id, default keys, and words for footer and help.

    ``title`` names the command in the palette when it is an app-wide command ("Stats");
    a screen's commands are listed under their ``help``. ``palette`` False keeps a command
    out of the palette (the palette's own key)."""

    id: str
    action: str
    keys: str
    label: str
    help: str
    show: bool = True
    priority: bool = False
    title: str = ""
    palette: bool = True

    def binding(self) -> Binding:
        """The Textual binding of this command."""
        return Binding(
            self.keys, self.action, self.label, show=self.show, id=self.id, priority=self.priority
        )

    def palette_entry(self, names: KeyNames) -> tuple[str, str]:
        """(title, description) of this command in the command palette."""
        keys = names.all(self.id)
        if self.title:
            return self.title, f"{self.help} ({keys})"
        return self.help, f"Key: {keys}"


APP_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("help", "help", "f1,question_mark", "Help", "Show every key", title="Help"),
    KeyCommand(
        "palette",
        "command_palette",
        "ctrl+p",
        "Commands",
        "Open the command palette",
        show=False,
        priority=True,  # over dialogs too: their commands are in the palette
        palette=False,
    ),
    KeyCommand(
        "stats",
        "stats",
        "S",
        "Stats",
        "Streak, calendar and personal stats",
        show=False,
        title="Stats",
    ),
    KeyCommand(
        "promises",
        "promises",
        "p",
        "Promises",
        "Open promises and unsent replies",
        show=False,
        title="Promises and outbox",
    ),
    KeyCommand(
        "digest",
        "digest",
        "D",
        "Digest",
        "Insight digest for the teams: preview, export",
        show=False,
        title="Digest",
    ),
)

HELP_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("help_close", "close", "escape,q,f1,question_mark", "Close", "Close help"),
    KeyCommand("help_find", "find", "slash", "Find", "Find a key by its key or its words"),
)

DIGEST_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand(
        "digest_period_previous",
        "period(-1)",
        "left_square_bracket",
        "Prev period",
        "Digest: the previous period in the list",
        show=False,
    ),
    KeyCommand(
        "digest_period_next",
        "period(1)",
        "right_square_bracket",
        "Next period",
        "Digest: the next period",
    ),
    KeyCommand("digest_team", "cycle_team", "t", "Team", "Digest: the next team (or all teams)"),
    KeyCommand("digest_tag", "cycle_tag", "g", "Tag", "Digest: the next tag (or all tags)"),
    KeyCommand(
        "digest_company", "toggle_company", "c", "Company", "Digest: the company's, or yours"
    ),
    KeyCommand("digest_export", "export", "x", "Export", "Export the digest to a file"),
    KeyCommand("digest_send", "send", "s", "Send", "Send the digest to its destinations"),
    KeyCommand("digest_tab", "open_in_tab", "o", "In a tab", "Open the HTML digest in a new tab"),
    KeyCommand("back", "back", "escape,q", "Back", "Close the digest"),
)

DIGEST_SEND_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand(
        "digest_send_confirm",
        "confirm",
        "ctrl+s",
        "Send",
        "Send the digest to the ticked destinations",
        priority=True,
    ),
    KeyCommand("digest_send_all", "toggle_all", "a", "All", "Tick every destination, or none"),
    KeyCommand("digest_send_close", "close", "escape", "Close", "Close the send dialog"),
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
    KeyCommand("risky_edit", "no", "e,escape", "Edit", "Risky words: back to the composer"),
    KeyCommand("risky_send", "yes", "y", "Send as written", "Risky words: send as written"),
)
"""The risky-words question (a confirm dialog: the first command answers no)."""

COLLISION_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand(
        "collision_keep", "no", "n,escape", "Keep as draft", "The team answered: keep a draft"
    ),
    KeyCommand(
        "collision_send", "yes", "y", "Send mine anyway", "The team answered: send yours anyway"
    ),
)
"""The team-answered question (a confirm dialog: the first command answers no)."""

STATS_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("back", "back", "escape,q", "Back", "Close the stats screen"),
)

START_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("begin", "begin", "enter", "Begin", "Begin the session on today's batch"),
    KeyCommand("refresh", "refresh", "ctrl+r", "Refresh", "Fetch new questions now"),
    KeyCommand(
        "add_must_see",
        "add_must_see",
        "a",
        "Add must-see",
        "Add the must-see questions that do not fit (the session grows by their time)",
    ),
    KeyCommand(
        "digest_week_send",
        "send_digest_week",
        "s",
        "Send digest",
        "Send the week's digest to the destinations that have not had it",
    ),
    KeyCommand(
        "digest_week",
        "read_digest_week",
        "D",
        "Week's digest",
        "Read the week's digest (the digest screen on the digest week)",
        show=False,
    ),
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
    KeyCommand("search", "search", "slash", "Find", "Find in the batch and the stored questions"),
    KeyCommand(
        "filter", "filter", "f", "Filter", "Filter the queue by channel, tag or state", show=False
    ),
    KeyCommand(
        "clear_filter",
        "clear_filter",
        "escape",
        "Clear filter",
        "Clear the search and the filter",
        show=False,
    ),
    KeyCommand(
        "open_link",
        "open_link",
        "o",
        "Open link",
        "Open the question's source link in the browser (http and https only)",
        show=False,
    ),
    KeyCommand(
        "undo",
        "undo",
        "u",
        "Undo",
        "Pull back a reply not sent yet, else undo the last action",
    ),
    KeyCommand(
        "history",
        "customer_history",
        "c",
        "Customer",
        "The customer's history: who they are, earlier questions",
        show=False,
    ),
    KeyCommand("end", "end_session", "q", "Wrap up", "End the session and show the wrap-up"),
)

COMPOSER_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("send", "send", "ctrl+s", "Send", "Send the reply", priority=True),
    KeyCommand("close", "close", "escape", "Close", "Close and keep the draft", priority=True),
    KeyCommand(
        "question_up",
        "scroll_question(-1)",
        "ctrl+up",
        "Scroll up",
        "Scroll the question up while writing",
        show=False,
        priority=True,
    ),
    KeyCommand(
        "question_down",
        "scroll_question(1)",
        "ctrl+down",
        "Scroll down",
        "Scroll the question down while writing",
        show=False,
        priority=True,
    ),
    KeyCommand(
        "saved_reply",
        "screen.saved_reply",
        "ctrl+o",
        "Saved reply",
        "Insert a saved reply at the cursor",
        priority=True,
    ),
    KeyCommand(
        "earlier_answers",
        "screen.earlier_answers",
        "ctrl+g",
        "Earlier answer",
        "Your earlier answers to questions like this one",
        show=False,
        priority=True,
    ),
)
"""The reply composer, docked in the session screen beside or below the question (the
session screen runs the saved-reply and earlier-answer keys: they open dialogs over it)."""

PICK_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand(
        "pick_choose",
        "pick",
        "enter",
        "Choose",
        "Choose the highlighted one (reply, answer, question)",
    ),
    KeyCommand(
        "pick_matches",
        "to_matches",
        "down",
        "Matches",
        "From the search field to the matches",
        show=False,
    ),
    KeyCommand("pick_cancel", "cancel", "escape", "Cancel", "Close without choosing"),
)
"""A list to choose from, under a search field or not: a saved reply to insert, an earlier
answer to start from (nothing is sent), the question of the same person."""

HISTORY_BACK = KeyCommand(
    "history_back", "back", "escape,q", "Back", "Close the history (or the earlier question)"
)

HISTORY_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("history_open", "open", "enter", "Open", "Show the highlighted question in full"),
    KeyCommand(
        "history_link",
        "link",
        "l",
        "Same person",
        "Link another stored question's author as the same person",
    ),
    KeyCommand(
        "history_unlink", "unlink", "x", "Undo link", "Undo the highlighted link you confirmed"
    ),
    HISTORY_BACK,
)

PAST_QUESTION_COMMANDS: tuple[KeyCommand, ...] = (HISTORY_BACK,)
"""An earlier question of the customer, in full (its one key is the history's)."""

SEARCH_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("search_open", "open_match", "enter", "Open", "Open the first match", priority=True),
    KeyCommand(
        "search_matches",
        "to_matches",
        "down",
        "Matches",
        "From the search field to the matches",
        show=False,
    ),
    KeyCommand(
        "search_close",
        "close",
        "escape",
        "Close",
        "Close the search field (the queue shows every question again)",
        priority=True,
    ),
)
"""The search field of the session (``/``)."""

FILTER_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("filter_cancel", "cancel", "escape", "Cancel", "Close the filter list unchanged"),
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

DISCARD_INSIGHT_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("discard_keep", "no", "escape,k", "Keep editing", "Filled insight form: keep it"),
    KeyCommand("discard_insight", "yes", "d", "Discard", "Filled insight form: discard it"),
)
"""Escape on a filled insight form asks first (a confirm dialog: no keeps the form)."""

HANDOFF_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("handoff_cancel", "cancel", "escape", "Cancel", "Close the hand-off unsent"),
)

SNOOZE_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("snooze_cancel", "cancel", "escape", "Cancel", "Close without snoozing"),
)

TIMEUP_COMMANDS: tuple[KeyCommand, ...] = (
    KeyCommand("timeup_wrap", "no", "w", "Wrap up", "Time is up: wrap up now"),
    KeyCommand("timeup_more", "yes", "f", "5 more minutes", "Time is up: take five more minutes"),
    KeyCommand(
        "timeup_keep_going",
        "yes",
        "escape",
        "Keep going",
        "Time is up: keep going (five more minutes)",
        show=False,
    ),
)
"""The time-up question (a confirm dialog: the first command answers no, the second yes;
escape is one more way to say yes)."""

ALL_GROUPS: tuple[tuple[str, tuple[KeyCommand, ...]], ...] = (
    ("Everywhere", APP_COMMANDS),
    ("Help", HELP_COMMANDS),
    ("Start", START_COMMANDS),
    ("Session", SESSION_COMMANDS),
    ("Composer", COMPOSER_COMMANDS),
    ("Find", SEARCH_COMMANDS),
    ("Filter", FILTER_COMMANDS),
    ("Customer history", HISTORY_COMMANDS),
    ("Choose from a list", PICK_COMMANDS),
    ("Wrap-up", WRAPUP_COMMANDS),
    ("Insight form", TAG_COMMANDS),
    ("Discard an insight", DISCARD_INSIGHT_COMMANDS),
    ("Hand off", HANDOFF_COMMANDS),
    ("Snooze", SNOOZE_COMMANDS),
    ("Time is up", TIMEUP_COMMANDS),
    ("Stats", STATS_COMMANDS),
    ("Digest", DIGEST_COMMANDS),
    ("Digest export", DIGEST_EXPORT_COMMANDS),
    ("Send the digest", DIGEST_SEND_COMMANDS),
    ("Promises and outbox", PROMISES_COMMANDS),
    ("Risky words", RISKY_COMMANDS),
    ("The team answered", COLLISION_COMMANDS),
)

COMMANDS_BY_ID: dict[str, KeyCommand] = {
    command.id: command for _, group in reversed(ALL_GROUPS) for command in group
}
"""Every command by id (an id shared by screens, such as ``back``, has the same keys)."""


def _key_set(keys: str) -> set[str]:
    return {k.strip() for k in keys.split(",") if k.strip()}


def without_conflicts(keymap: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The remaps that clash with no other command on a screen where both are active,
    and a warning for each one refused (its command keeps its default keys, and so does
    the command whose key it wanted)."""
    kept: dict[str, str] = {}
    warnings: list[str] = []

    def keys_of(command_id: str) -> set[str]:
        return _key_set(kept.get(command_id) or COMMANDS_BY_ID[command_id].keys)

    for command_id, keys in keymap.items():
        wanted = _key_set(keys)
        clash = None
        for group_name, group in ALL_GROUPS:
            active = group if group is APP_COMMANDS else APP_COMMANDS + group
            if all(c.id != command_id for c in active):
                continue
            for other in active:
                taken = wanted & keys_of(other.id) if other.id != command_id else set()
                if taken:
                    clash = (other, group_name, sorted(taken)[0])
                    break
            if clash:
                break
        if clash is None:
            kept[command_id] = keys
            continue
        other, where, key = clash
        default = display_keys(COMMANDS_BY_ID[command_id].keys)
        warnings.append(
            f'[keys] {command_id} = "{keys}": {display_keys(key)} is already the key of '
            f"{other.id} ({where}); {command_id} keeps {default}"
        )
    return kept, warnings


def bindings(commands: tuple[KeyCommand, ...]) -> list[BindingType]:
    """Bindings for a screen's BINDINGS."""
    return [command.binding() for command in commands]


KEY_NAMES = {
    "down": "↓",
    "up": "↑",
    "question_mark": "?",
    "slash": "/",
    "escape": "esc",
    "enter": "enter",
    "ctrl+up": "ctrl+↑",
    "ctrl+down": "ctrl+↓",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
}


def display_keys(keys: str) -> str:
    """Keys as a person reads them: 'j,down' -> 'j / ↓'."""
    return " / ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


class KeyNames:
    """The keys the leader presses, as hints name them: the table's defaults, overridden
    by the ``[keys]`` keymap (ids the table does not know are ignored)."""

    def __init__(self, keymap: Mapping[str, str] | None = None) -> None:
        known = {k: v for k, v in (keymap or {}).items() if k in COMMANDS_BY_ID and v}
        self.keymap, self.conflicts = without_conflicts(known)
        """The remaps in force, and one sentence per remap refused for a clash."""

    def keys(self, command_id: str) -> str:
        """The command's keys as Textual names them ('escape,q')."""
        return self.keymap.get(command_id) or COMMANDS_BY_ID[command_id].keys

    def all(self, command_id: str) -> str:
        """Every key of the command, for help and the palette ('esc / q')."""
        return display_keys(self.keys(command_id))

    def key(self, command_id: str) -> str:
        """The command's first key, for a hint, a button or a toast ('esc')."""
        return display_keys(self.keys(command_id).split(",")[0])

    def hint(self, *command_ids: str) -> str:
        """A hint line: 'enter begin · ctrl+r refresh · q quit'."""
        return " · ".join(
            f"{self.key(command_id)} {COMMANDS_BY_ID[command_id].label.lower()}"
            for command_id in command_ids
        )

    def label(self, command_id: str) -> str:
        """A button label: the command's label and its key ('Edit (e)')."""
        return f"{COMMANDS_BY_ID[command_id].label} ({self.key(command_id)})"


DEFAULT_KEY_NAMES = KeyNames()
"""The keys with no keymap (tests and text built outside the app)."""


def key_names(node: DOMNode) -> KeyNames:
    """The keys of the app ``node`` runs in (the defaults outside the cxdaily app)."""
    names = getattr(node.app, "key_names", None)
    return names if isinstance(names, KeyNames) else DEFAULT_KEY_NAMES
