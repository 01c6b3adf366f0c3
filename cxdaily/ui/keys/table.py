"""The key table: every command of the app, by group, declared once in :data:`TABLE`.

The groups are data (ids, actions, default keys, words); here they become
:class:`~cxdaily.ui.keys.command.KeyCommand` tuples under the names the screens use. The
table is Python data rather than a TOML file so that it loads with the byte-compiled
module: parsing it as TOML cost every launch about 1.5 ms before the first frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cxdaily.ui.keys.command import KeyCommand

# fmt: off
TABLE: dict[str, dict[str, dict[str, Any]]] = {
    "Everywhere": {
        "help": {"action": "help", "keys": "f1,question_mark", "label": "Help", "help": "Show every key", "title": "Help"},
        # The palette goes over dialogs too (priority): their commands are in the palette.
        "palette": {"action": "command_palette", "keys": "ctrl+p", "label": "Commands", "help": "Open the command palette", "show": False, "priority": True, "palette": False},
        "stats": {"action": "stats", "keys": "S", "label": "Stats", "help": "Streak, calendar and personal stats", "show": False, "title": "Stats"},
        "promises": {"action": "promises", "keys": "p", "label": "Promises", "help": "Open promises and unsent replies", "show": False, "title": "Promises and outbox"},
        "digest": {"action": "digest", "keys": "D", "label": "Digest", "help": "Insight digest for the teams: preview, export", "show": False, "title": "Digest"},
    },

    "Help": {
        "help_close": {"action": "close", "keys": "escape,q,f1,question_mark", "label": "Close", "help": "Close help"},
        "help_find": {"action": "find", "keys": "slash", "label": "Find", "help": "Find a key by its key or its words"},
    },

    "Start": {
        # Priority: begun while the app handles enter, so the keys typed right after it reach the session.
        "begin": {"action": "begin", "keys": "enter", "label": "Begin", "help": "Begin the session on today's batch", "priority": True},
        "refresh": {"action": "refresh", "keys": "ctrl+r", "label": "Refresh", "help": "Fetch new questions now"},
        "add_must_see": {"action": "add_must_see", "keys": "a", "label": "Add must-see", "help": "Add the must-see questions that do not fit (the session grows by their time)"},
        "digest_week_send": {"action": "send_digest_week", "keys": "s", "label": "Send digest", "help": "Send the week's digest to the destinations that have not had it"},
        "digest_week": {"action": "read_digest_week", "keys": "D", "label": "Week's digest", "help": "Read the week's digest (the digest screen on the digest week)", "show": False},
        "demo": {"action": "open_demo", "keys": "d", "label": "Demo", "help": "Open the demo inbox"},
        "quit": {"action": "quit_app", "keys": "q", "label": "Quit", "help": "Leave cxdaily"},
    },

    "Session": {
        "next": {"action": "next", "keys": "j,down", "label": "Next", "help": "Next question", "show": False},
        "previous": {"action": "previous", "keys": "k,up", "label": "Prev", "help": "Previous question", "show": False},
        "reply": {"action": "reply", "keys": "r", "label": "Reply", "help": "Reply in the composer"},
        "editor": {"action": "reply_in_editor", "keys": "e", "label": "Editor", "help": "Compose the reply in $VISUAL/$EDITOR", "show": False},
        "tag": {"action": "tag", "keys": "t", "label": "Tag", "help": "Tag as an insight"},
        "handoff": {"action": "hand_off", "keys": "h", "label": "Hand off", "help": "Hand off to a team with a note"},
        "snooze": {"action": "snooze", "keys": "z", "label": "Snooze", "help": "Snooze until later"},
        "skip": {"action": "skip", "keys": "s", "label": "Skip", "help": "Skip for today"},
        "end": {"action": "end_session", "keys": "q", "label": "Wrap up", "help": "End the session and show the wrap-up"},
        "more": {"action": "pull_next", "keys": "n", "label": "More", "help": "Pull the next best question", "show": False},
        "refresh": {"action": "refresh", "keys": "ctrl+r", "label": "Refresh", "help": "Fetch new questions now", "show": False},
        "search": {"action": "search", "keys": "slash", "label": "Find", "help": "Find in the batch and the stored questions"},
        "filter": {"action": "filter", "keys": "f", "label": "Filter", "help": "Filter the queue by channel, tag or state", "show": False},
        "clear_filter": {"action": "clear_filter", "keys": "escape", "label": "Clear filter", "help": "Clear the search and the filter", "show": False},
        "open_link": {"action": "open_link", "keys": "o", "label": "Open link", "help": "Open the question's source link in the browser (http and https only)", "show": False},
        "undo": {"action": "undo", "keys": "u", "label": "Undo", "help": "Pull back a reply not sent yet, else undo the last action"},
        "history": {"action": "customer_history", "keys": "c", "label": "Customer", "help": "The customer's history: who they are, earlier questions", "show": False},

        # The reply composer, docked in the session screen beside or below the question (the
        # session screen runs the saved-reply and earlier-answer keys: they open dialogs over it).
    },
    "Composer": {
        "send": {"action": "send", "keys": "ctrl+s", "label": "Send", "help": "Send the reply", "priority": True},
        "close": {"action": "close", "keys": "escape", "label": "Close", "help": "Close and keep the draft", "priority": True},
        "question_up": {"action": "scroll_question(-1)", "keys": "ctrl+up", "label": "Scroll up", "help": "Scroll the question up while writing", "show": False, "priority": True},
        "question_down": {"action": "scroll_question(1)", "keys": "ctrl+down", "label": "Scroll down", "help": "Scroll the question down while writing", "show": False, "priority": True},
        "saved_reply": {"action": "screen.saved_reply", "keys": "ctrl+o", "label": "Saved reply", "help": "Insert a saved reply at the cursor", "priority": True},
        "earlier_answers": {"action": "screen.earlier_answers", "keys": "ctrl+g", "label": "Earlier answer", "help": "Your earlier answers to questions like this one", "show": False, "priority": True},

        # The search field of the session (/).
    },
    "Find": {
        "search_open": {"action": "open_match", "keys": "enter", "label": "Open", "help": "Open the first match", "priority": True},
        "search_matches": {"action": "to_matches", "keys": "down", "label": "Matches", "help": "From the search field to the matches", "show": False},
        "search_close": {"action": "close", "keys": "escape", "label": "Close", "help": "Close the search field (the queue shows every question again)", "priority": True},
    },

    "Filter": {
        "filter_choose": {"action": "choose", "keys": "enter", "label": "Show", "help": "Show only the highlighted state, channel or tag", "priority": True},
        "filter_cancel": {"action": "cancel", "keys": "escape", "label": "Cancel", "help": "Close the filter list unchanged"},

        # The customer's history; history_back is also the one key of an earlier question
        # shown in full.
    },
    "Customer history": {
        "history_open": {"action": "open", "keys": "enter", "label": "Open", "help": "Show the highlighted question in full"},
        "history_link": {"action": "link", "keys": "l", "label": "Same person", "help": "Link another stored question's author as the same person"},
        "history_unlink": {"action": "unlink", "keys": "x", "label": "Undo link", "help": "Undo the highlighted link you confirmed"},
        "history_back": {"action": "back", "keys": "escape,q", "label": "Back", "help": "Close the history (or the earlier question)"},

        # A list to choose from, under a search field or not: a saved reply to insert, an
        # earlier answer to start from (nothing is sent), the question of the same person.
    },
    "Choose from a list": {
        "pick_choose": {"action": "pick", "keys": "enter", "label": "Choose", "help": "Choose the highlighted one (reply, answer, question)"},
        "pick_matches": {"action": "to_matches", "keys": "down", "label": "Matches", "help": "From the search field to the matches", "show": False},
        "pick_cancel": {"action": "cancel", "keys": "escape", "label": "Cancel", "help": "Close without choosing"},
    },

    "Wrap-up": {
        "finish": {"action": "finish", "keys": "ctrl+s", "label": "Finish", "help": "Save the reflection and leave", "priority": True},
    },

    "Insight form": {
        "tag_save": {"action": "save", "keys": "ctrl+s", "label": "Save", "help": "Save the insight", "priority": True},
        "tag_cancel": {"action": "cancel", "keys": "escape", "label": "Cancel", "help": "Close the insight form unsaved"},

        # Escape on a filled insight form asks first (a confirm dialog: no keeps the form).
    },
    "Discard an insight": {
        "discard_keep": {"action": "no", "keys": "escape,k", "label": "Keep editing", "help": "Filled insight form: keep it"},
        "discard_insight": {"action": "yes", "keys": "d", "label": "Discard", "help": "Filled insight form: discard it"},

        # The note's enter hands off too (the field's own key).
    },
    "Hand off": {
        "handoff_send": {"action": "send", "keys": "ctrl+s", "label": "Hand off", "help": "Hand off to the chosen team, with the note", "priority": True},
        "handoff_cancel": {"action": "cancel", "keys": "escape", "label": "Cancel", "help": "Close the hand-off unsent"},
    },

    "Snooze": {
        "snooze_choose": {"action": "choose", "keys": "enter", "label": "Snooze", "help": "Snooze until the highlighted time", "priority": True},
        "snooze_cancel": {"action": "cancel", "keys": "escape", "label": "Cancel", "help": "Close without snoozing"},

        # The time-up question (a confirm dialog: the first command answers no, the second
        # yes; escape is one more way to say yes).
    },
    "Time is up": {
        "timeup_wrap": {"action": "no", "keys": "w", "label": "Wrap up", "help": "Time is up: wrap up now"},
        "timeup_more": {"action": "yes", "keys": "f", "label": "5 more minutes", "help": "Time is up: take five more minutes"},
        "timeup_keep_going": {"action": "yes", "keys": "escape", "label": "Keep going", "help": "Time is up: keep going (five more minutes)", "show": False},

        # The session's wrap-up key with questions open and time left asks first (a confirm
        # dialog: as at time up, the first command wraps up, and its button has the focus, so
        # enter wraps up too; the second goes back to the session).
    },
    "Wrap up early": {
        "early_wrap": {"action": "no", "keys": "q", "label": "Wrap up", "help": "Questions open, time left: wrap up anyway"},
        "early_back": {"action": "yes", "keys": "escape", "label": "Back", "help": "Questions open, time left: back to the session (nothing ends)"},
    },

    "Stats": {
        "back": {"action": "back", "keys": "escape,q", "label": "Back", "help": "Close the stats screen"},
    },

    "Digest": {
        "digest_period_previous": {"action": "period(-1)", "keys": "left_square_bracket", "label": "Prev period", "help": "Digest: the previous period in the list", "show": False},
        "digest_period_next": {"action": "period(1)", "keys": "right_square_bracket", "label": "Period", "help": "Digest: the next period in the list (then back to the first)"},
        "digest_team": {"action": "cycle_team", "keys": "t", "label": "Team", "help": "Digest: the next team (or all teams)"},
        "digest_tag": {"action": "cycle_tag", "keys": "g", "label": "Tag", "help": "Digest: the next tag (or all tags)"},
        "digest_company": {"action": "toggle_company", "keys": "c", "label": "Company", "help": "Digest: the company's, or yours"},
        "digest_export": {"action": "export", "keys": "x", "label": "Export", "help": "Export the digest to a file"},
        "digest_send": {"action": "send", "keys": "s", "label": "Send", "help": "Send the digest to its destinations"},
        "digest_tab": {"action": "open_in_tab", "keys": "o", "label": "In a tab", "help": "Open the HTML digest in a new tab"},
        "back": {"action": "back", "keys": "escape,q", "label": "Back", "help": "Close the digest"},
    },

    "Digest export": {
        "export_save": {"action": "save", "keys": "ctrl+s", "label": "Export", "help": "Write the export file", "priority": True},
        "export_cancel": {"action": "cancel", "keys": "escape", "label": "Cancel", "help": "Close the export form"},
    },

    "Send the digest": {
        "digest_send_confirm": {"action": "confirm", "keys": "ctrl+s", "label": "Send", "help": "Send the digest to the ticked destinations", "priority": True},
        "digest_send_all": {"action": "toggle_all", "keys": "a", "label": "All", "help": "Tick every destination, or none"},
        "digest_send_close": {"action": "close", "keys": "escape", "label": "Close", "help": "Close the send dialog"},
    },

    "Promises and outbox": {
        "promise_kept": {"action": "keep_promise", "keys": "d", "label": "Kept", "help": "Mark the highlighted promise kept"},
        "outbox_retry": {"action": "retry_reply", "keys": "r", "label": "Send now", "help": "Send the highlighted unsent reply now"},
        "outbox_cancel": {"action": "cancel_reply", "keys": "x", "label": "Cancel reply", "help": "Cancel the highlighted unsent reply (its text becomes the draft)"},
        "back": {"action": "back", "keys": "escape,q", "label": "Back", "help": "Close the promises screen"},

        # The risky-words question (a confirm dialog: the first command answers no).
    },
    "Risky words": {
        "risky_edit": {"action": "no", "keys": "e,escape", "label": "Edit", "help": "Risky words: back to the composer"},
        "risky_send": {"action": "yes", "keys": "y", "label": "Send as written", "help": "Risky words: send as written"},

        # The team-answered question (a confirm dialog: the first command answers no).
    },
    "The team answered": {
        "collision_keep": {"action": "no", "keys": "n,escape", "label": "Keep as draft", "help": "The team answered: keep a draft"},
        "collision_send": {"action": "yes", "keys": "y", "label": "Send mine anyway", "help": "The team answered: send yours anyway"},
    },
}
# fmt: on
"""Every key of the app, declared once: one dict per group, in the order the help screen
lists them. A command is ``id: {action, keys, label, help}``, with when needed ``show``
False (not in the footer), ``priority`` True (before the focused widget's own keys),
``title`` (an app-wide command's name in the palette) and ``palette`` False. The id is
what ``[keys]`` in the config remaps; an id in several groups (``back``, ``refresh``) has
the same keys in each."""


def read_groups(
    table: Mapping[str, Mapping[str, Mapping[str, Any]]],
) -> tuple[tuple[str, tuple[KeyCommand, ...]], ...]:
    """(group name, commands) for each group of ``table``, in its order; a field
    :class:`KeyCommand` does not have raises TypeError naming it."""
    return tuple(
        (name, tuple(KeyCommand(command_id, **fields) for command_id, fields in rows.items()))
        for name, rows in table.items()
    )


ALL_GROUPS: tuple[tuple[str, tuple[KeyCommand, ...]], ...] = read_groups(TABLE)
"""Every group, in the order the help screen lists them."""

GROUPS: dict[str, tuple[KeyCommand, ...]] = dict(ALL_GROUPS)

COMMANDS_BY_ID: dict[str, KeyCommand] = {
    command.id: command for _, group in reversed(ALL_GROUPS) for command in group
}
"""Every command by id (an id shared by screens, such as ``back``, has the same keys)."""

APP_COMMANDS = GROUPS["Everywhere"]
HELP_COMMANDS = GROUPS["Help"]
START_COMMANDS = GROUPS["Start"]
SESSION_COMMANDS = GROUPS["Session"]
COMPOSER_COMMANDS = GROUPS["Composer"]
SEARCH_COMMANDS = GROUPS["Find"]
FILTER_COMMANDS = GROUPS["Filter"]
HISTORY_COMMANDS = GROUPS["Customer history"]
PICK_COMMANDS = GROUPS["Choose from a list"]
WRAPUP_COMMANDS = GROUPS["Wrap-up"]
TAG_COMMANDS = GROUPS["Insight form"]
DISCARD_INSIGHT_COMMANDS = GROUPS["Discard an insight"]
HANDOFF_COMMANDS = GROUPS["Hand off"]
SNOOZE_COMMANDS = GROUPS["Snooze"]
TIMEUP_COMMANDS = GROUPS["Time is up"]
EARLY_END_COMMANDS = GROUPS["Wrap up early"]
STATS_COMMANDS = GROUPS["Stats"]
DIGEST_COMMANDS = GROUPS["Digest"]
DIGEST_EXPORT_COMMANDS = GROUPS["Digest export"]
DIGEST_SEND_COMMANDS = GROUPS["Send the digest"]
PROMISES_COMMANDS = GROUPS["Promises and outbox"]
RISKY_COMMANDS = GROUPS["Risky words"]
COLLISION_COMMANDS = GROUPS["The team answered"]

PAST_QUESTION_COMMANDS: tuple[KeyCommand, ...] = (COMMANDS_BY_ID["history_back"],)
"""An earlier question of the customer, in full (its one key is the history's)."""
