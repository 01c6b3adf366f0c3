"""The key table: every command of the app, by group, read once from ``table.toml``.

The groups are data (ids, actions, default keys, words), kept in ``table.toml`` beside
this module; here they become :class:`~cxdaily.ui.keys.command.KeyCommand` tuples under
the names the screens use.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from cxdaily.ui.keys.command import KeyCommand

TABLE_FILE = Path(__file__).with_name("table.toml")
"""The table's data, shipped inside the package."""


def read_groups(text: str) -> tuple[tuple[str, tuple[KeyCommand, ...]], ...]:
    """(group name, commands) for each table of the TOML ``text``, in its order."""
    table: dict[str, dict[str, dict[str, Any]]] = tomllib.loads(text)
    return tuple(
        (name, tuple(KeyCommand(command_id, **fields) for command_id, fields in rows.items()))
        for name, rows in table.items()
    )


ALL_GROUPS: tuple[tuple[str, tuple[KeyCommand, ...]], ...] = read_groups(
    TABLE_FILE.read_text(encoding="utf-8")
)
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
