"""Every key of the app, declared once.

Bindings, the footer, the help screen, the command palette and every hint, button label
and toast that names a key are built from these declarations. Each command has an id:
``[keys]`` in the config remaps it (``reply = "R"``), and :class:`KeyNames` answers "which
key does the leader press for this?" with the remapped key, so no text names a default
key by hand.

The package's parts: :mod:`.table` (the commands, by group, as data, and the groups
under the names the screens use), :mod:`.command` (one command, its binding, how a
key reads) and :mod:`.names` (the keymap in force). Import from here.

A screen or widget declares its group once, with :class:`KeyedNode`:
``class TagScreen(KeyedNode, ModalScreen[...], commands=TAG_COMMANDS)`` gives it its
``BINDINGS`` and its ``KEY_COMMANDS`` (the palette lists them).
"""

from cxdaily.ui.keys.command import KEY_NAMES, KeyCommand, KeyedNode, bindings, display_keys
from cxdaily.ui.keys.names import DEFAULT_KEY_NAMES, KeyNames, key_names, without_conflicts
from cxdaily.ui.keys.table import (
    ALL_GROUPS,
    APP_COMMANDS,
    COLLISION_COMMANDS,
    COMMANDS_BY_ID,
    COMPOSER_COMMANDS,
    DIGEST_COMMANDS,
    DIGEST_EXPORT_COMMANDS,
    DIGEST_SEND_COMMANDS,
    DISCARD_INSIGHT_COMMANDS,
    EARLY_END_COMMANDS,
    FILTER_COMMANDS,
    HANDOFF_COMMANDS,
    HELP_COMMANDS,
    HISTORY_COMMANDS,
    PAST_QUESTION_COMMANDS,
    PICK_COMMANDS,
    PROMISES_COMMANDS,
    RISKY_COMMANDS,
    SEARCH_COMMANDS,
    SESSION_COMMANDS,
    SNOOZE_COMMANDS,
    START_COMMANDS,
    STATS_COMMANDS,
    TAG_COMMANDS,
    TIMEUP_COMMANDS,
    WRAPUP_COMMANDS,
)

__all__ = [
    "ALL_GROUPS",
    "APP_COMMANDS",
    "COLLISION_COMMANDS",
    "COMMANDS_BY_ID",
    "COMPOSER_COMMANDS",
    "DEFAULT_KEY_NAMES",
    "DIGEST_COMMANDS",
    "DIGEST_EXPORT_COMMANDS",
    "DIGEST_SEND_COMMANDS",
    "DISCARD_INSIGHT_COMMANDS",
    "EARLY_END_COMMANDS",
    "FILTER_COMMANDS",
    "HANDOFF_COMMANDS",
    "HELP_COMMANDS",
    "HISTORY_COMMANDS",
    "KEY_NAMES",
    "PAST_QUESTION_COMMANDS",
    "PICK_COMMANDS",
    "PROMISES_COMMANDS",
    "RISKY_COMMANDS",
    "SEARCH_COMMANDS",
    "SESSION_COMMANDS",
    "SNOOZE_COMMANDS",
    "START_COMMANDS",
    "STATS_COMMANDS",
    "TAG_COMMANDS",
    "TIMEUP_COMMANDS",
    "WRAPUP_COMMANDS",
    "KeyCommand",
    "KeyNames",
    "KeyedNode",
    "bindings",
    "display_keys",
    "key_names",
    "without_conflicts",
]
