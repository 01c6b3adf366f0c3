"""The key table as data: ``TABLE`` read into groups of commands, every group named
for the screens, and :class:`KeyedNode` giving a screen its bindings and palette entries
from one declaration."""

from __future__ import annotations

import pytest
from textual.binding import Binding
from textual.screen import Screen

from cxdaily.ui import keys
from cxdaily.ui.keys import ALL_GROUPS, COMMANDS_BY_ID, STATS_COMMANDS, KeyCommand, KeyedNode
from cxdaily.ui.keys.table import GROUPS, read_groups


def test_a_group_is_read_in_order_with_the_defaults_filled_in() -> None:
    table = {
        "Demo": {
            "go": {"action": "go", "keys": "g", "label": "Go", "help": "Go on"},
            "stop": {
                "action": "stop",
                "keys": "escape,q",
                "label": "Stop",
                "help": "Stop",
                "show": False,
            },
        }
    }
    ((name, commands),) = read_groups(table)
    assert name == "Demo"
    assert commands == (
        KeyCommand("go", "go", "g", "Go", "Go on"),
        KeyCommand("stop", "stop", "escape,q", "Stop", "Stop", show=False),
    )
    assert commands[0].priority is False and commands[0].palette is True


def test_a_misspelt_field_fails_at_once_naming_it() -> None:
    go = {"action": "go", "keys": "g", "label": "Go", "help": "Go", "shwo": False}
    with pytest.raises(TypeError, match="shwo"):
        read_groups({"Demo": {"go": go}})


def test_every_named_group_is_a_group_of_the_table_and_every_group_has_a_name() -> None:
    named = {
        name: value
        for name, value in vars(keys).items()
        if name.endswith("_COMMANDS") and name != "PAST_QUESTION_COMMANDS"
    }
    groups = [group for _, group in ALL_GROUPS]
    assert all(any(value is group for group in groups) for value in named.values())
    assert all(any(group is value for value in named.values()) for group in groups)
    assert len(GROUPS) == len(ALL_GROUPS) == 23


def test_the_table_keeps_its_commands_and_help_order() -> None:
    names = [name for name, _ in ALL_GROUPS]
    assert names[:4] == ["Everywhere", "Help", "Start", "Session"]
    assert COMMANDS_BY_ID["palette"].priority and not COMMANDS_BY_ID["palette"].palette
    assert COMMANDS_BY_ID["reply"] == KeyCommand(
        "reply", "reply", "r", "Reply", "Reply in the composer"
    )
    (only,) = keys.PAST_QUESTION_COMMANDS
    assert only is COMMANDS_BY_ID["history_back"]


def test_a_keyed_screen_gets_its_bindings_and_palette_entries_from_one_group() -> None:
    class Probe(KeyedNode, Screen, commands=STATS_COMMANDS):
        """A screen declaring the stats screen's keys."""

    class ProbeChild(Probe):
        """A subclass that declares nothing of its own."""

    assert Probe.KEY_COMMANDS is STATS_COMMANDS
    bound = [b for b in Probe.BINDINGS if isinstance(b, Binding)]
    assert [(b.key, b.action, b.id) for b in bound] == [("escape,q", "back", "back")]
    assert ProbeChild.KEY_COMMANDS is STATS_COMMANDS
    assert "escape" in ProbeChild._merged_bindings.key_to_bindings
