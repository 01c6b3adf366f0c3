"""The session's queue: one line per question with what was done to it."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from cxdaily.curation import BatchItem
from cxdaily.ui.text import safe_line

#: Marks shown before a question once something was done with it.
STATUS_MARKS = {
    "": ("·", "dim"),
    "answered": ("✓", "$success"),
    "tagged": ("★", "$accent"),
    "answered+tagged": ("✓", "$accent"),
    "handed_off": ("→", "$secondary"),
    "snoozed": ("z", "dim"),
    "skipped": ("–", "dim"),
}


def queue_prompt(item: BatchItem, status: str) -> Content:
    """The line of one question in the queue (customer text kept literal)."""
    mark, style = STATUS_MARKS.get(status, ("·", "dim"))
    question = item.question
    label = question.title or question.body
    who = question.author.name or question.author.handle or "unknown"
    return Content.assemble(
        Content.styled(f"{mark} ", style),
        safe_line(who, 18, "bold"),
        "\n  ",
        safe_line(label, 60, "dim" if status else ""),
    )


class QuestionQueue(OptionList):
    """The list of the session's questions."""

    def set_items(self, items: list[BatchItem], statuses: dict[str, str]) -> None:
        """Replace the list, keeping the highlighted position."""
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(
            [
                Option(queue_prompt(item, statuses.get(item.question.id, "")), id=item.question.id)
                for item in items
            ]
        )
        if items:
            self.highlighted = min(highlighted or 0, len(items) - 1)

    def set_status(self, index: int, item: BatchItem, status: str) -> None:
        """Update one line after an action."""
        self.replace_option_prompt_at_index(index, queue_prompt(item, status))
