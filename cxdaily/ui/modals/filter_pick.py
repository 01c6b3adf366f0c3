"""Pick what the session's queue shows: a state, a channel or a tag given in this session."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cxdaily.ui.keys import FILTER_COMMANDS, KeyedNode, key_names
from cxdaily.ui.queue_filter import QueueFilter
from cxdaily.ui.text import safe_line
from cxdaily.ui.widgets.key_footer import KeyFooter

KIND_WORDS = {"state": "State", "channel": "Channel", "tag": "Tag"}


def choice_prompt(queue_filter: QueueFilter, count: int, active: bool) -> Content:
    """'State    answered    3' (the active filter marked)."""
    return Content.assemble(
        Content.styled(f"{'•' if active else ' '} {KIND_WORDS[queue_filter.kind]:<8}", "dim"),
        safe_line(queue_filter.value, 30, "bold" if active else ""),
        Content.styled(f"  {count}", "dim"),
    )


class FilterScreen(KeyedNode, ModalScreen[QueueFilter | None], commands=FILTER_COMMANDS):
    """Returns the filter picked, or None when closed unchanged."""

    def __init__(self, choices: list[tuple[QueueFilter, int]], active: QueueFilter | None) -> None:
        super().__init__()
        self.choices = choices
        self.active = active

    def compose(self) -> ComposeResult:
        """The choices, the active one highlighted."""
        with Vertical(id="filter-form"):
            yield Static(Content.styled("Show only…", "bold"))
            yield OptionList(
                *[
                    Option(choice_prompt(choice, count, choice == self.active), id=str(i))
                    for i, (choice, count) in enumerate(self.choices)
                ],
                id="filter-choices",
            )
            hint = f"{key_names(self).key('clear_filter')} in the queue shows every question"
            yield Static(Content.styled(hint, "dim"), id="filter-hint")
        yield KeyFooter()  # this dialog's keys, over the screen's

    def on_mount(self) -> None:
        """Start on the active filter."""
        options = self.query_one(OptionList)
        for index, (choice, _) in enumerate(self.choices):
            if choice == self.active:
                options.highlighted = index

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A filter chosen (enter or a click): return it."""
        self.dismiss(self.choices[event.option_index][0])

    def action_choose(self) -> None:
        """Choose the highlighted filter, as a click does."""
        self.query_one("#filter-choices", OptionList).action_select()

    def action_cancel(self) -> None:
        """Close unchanged."""
        self.dismiss(None)
