"""Which key the leader presses for a command: the table's defaults and the ``[keys]``
keymap, with remaps that would clash refused."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from cxdaily.ui.keys.command import KeyCommand, display_keys
from cxdaily.ui.keys.table import ALL_GROUPS, APP_COMMANDS, COMMANDS_BY_ID

if TYPE_CHECKING:
    from textual.dom import DOMNode


def _key_set(keys: str) -> set[str]:
    """The keys of a comma-separated key list ('escape,q' -> {'escape', 'q'})."""
    return {k.strip() for k in keys.split(",") if k.strip()}


def without_conflicts(keymap: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The remaps that clash with no other command on a screen where both are active,
    and a warning for each one refused (its command keeps its default keys, and so does
    the command whose key it wanted).

    Each remap is checked against the keys every other command ends up with (its own
    remap, else its defaults), whatever the order of the lines: two commands can swap
    keys (``undo = "r"`` with ``reply = "R"``). A clash refuses the first remap, in the
    file's order, that takes part in one; the others are checked again without it."""
    kept = dict(keymap)
    warnings: list[str] = []
    while True:
        refused = next(
            ((command_id, clash) for command_id in kept if (clash := _clash(command_id, kept))),
            None,
        )
        if refused is None:
            return kept, warnings
        command_id, (other, where, key) = refused
        keys = kept.pop(command_id)
        default = display_keys(COMMANDS_BY_ID[command_id].keys)
        warnings.append(
            f'[keys] {command_id} = "{keys}": {display_keys(key)} is already the key of '
            f"{other.id} ({where}); {command_id} keeps {default}"
        )


def _clash(command_id: str, keymap: Mapping[str, str]) -> tuple[KeyCommand, str, str] | None:
    """Another command (and its group, and the key) that has one of the keys ``keymap``
    gives ``command_id`` on a screen where both are active; ``None`` when none does."""
    wanted = _key_set(keymap[command_id])
    for group_name, group in ALL_GROUPS:
        active = group if group is APP_COMMANDS else APP_COMMANDS + group
        if all(c.id != command_id for c in active):
            continue
        for other in active:
            if other.id == command_id:
                continue
            taken = wanted & _key_set(keymap.get(other.id) or COMMANDS_BY_ID[other.id].keys)
            if taken:
                return other, group_name, sorted(taken)[0]
    return None


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
