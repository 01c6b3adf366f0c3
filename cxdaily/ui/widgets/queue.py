"""The session's queue: one line per question with what was done to it, a mark on
questions with a saved draft, and (team mode) a mark on questions another leader is
answering."""

from __future__ import annotations

from collections.abc import Collection

import msgspec
from textual.content import Content
from textual.geometry import Region
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from cxdaily.curation import BatchItem
from cxdaily.ui.text import safe_line


class QueueStatus(msgspec.Struct, frozen=True):
    """How the session shows what was done to a question: the mark before it in the
    queue (with its style) and the words under it in the question view."""

    mark: str
    style: str
    words: str


#: Every status a question of the session can have ("": nothing done yet).
STATUSES: dict[str, QueueStatus] = {
    "": QueueStatus("·", "dim", ""),
    "answered": QueueStatus("✓", "$success", "Answered."),
    "tagged": QueueStatus("★", "$accent", "Tagged as an insight."),
    "answered+tagged": QueueStatus("✓", "$accent", "Answered and tagged as an insight."),
    "handed_off": QueueStatus("→", "$secondary", "Handed off to the team."),
    "snoozed": QueueStatus("z", "dim", "Snoozed."),
    "skipped": QueueStatus("–", "dim", "Skipped for today."),
}
DONE = frozenset(status for status in STATUSES if status)
"""The statuses of a question dealt with (no longer pending)."""

DRAFT_MARK = "✎"
"""Shown after the mark of a question with a saved draft (one cell wide everywhere)."""


CLAIM_MARK = "⚑"
"""Shown on a question another leader of the team is answering (one cell wide)."""


def queue_prompt(
    item: BatchItem, status: str, drafted: bool = False, claimed: bool = False
) -> Content:
    """The line of one question in the queue (customer text kept literal)."""
    look = STATUSES.get(status, STATUSES[""])
    question = item.question
    label = question.title or question.body
    who = question.author.name or question.author.handle or "unknown"
    return Content.assemble(
        Content.styled(f"{look.mark} ", look.style),
        Content.styled(f"{DRAFT_MARK} ", "$warning") if drafted else "",
        Content.styled(f"{CLAIM_MARK} ", "bold $error") if claimed else "",
        safe_line(who, 18, "bold"),
        "\n  ",
        safe_line(label, 60, "dim" if status else ""),
    )


class QuestionQueue(OptionList):
    """The list of the session's questions shown (all of them, or those a search or a
    filter keeps); each option's id is its question's id."""

    highlighted: reactive[int | None] = reactive(None, repaint=False)
    """The highlighted option's index. Moving it redraws just the two options it changes
    (see :meth:`watch_highlighted`), not the whole list: ``j``/``k`` stay within a frame."""

    _drawn_highlight: int | None = None
    """The option drawn highlighted (its lines are redrawn when the highlight leaves)."""

    next_list: OptionList | None = None
    """The list after this one (a search's stored matches): down on the last question
    goes on to it while it lists any, as down from the search field reaches the queue."""

    def action_cursor_down(self) -> None:
        """The next question; on the last one, the list after this one when it lists
        anything (else back to the first, as an option list does)."""
        after = self.next_list
        at_end = self.option_count and self.highlighted == self.option_count - 1
        if at_end and after is not None and after.display and after.option_count:
            after.highlighted = 0
            after.focus()
            return
        super().action_cursor_down()

    def watch_highlighted(self, highlighted: int | None) -> None:
        """Scroll to the new highlight, say so, and redraw the options it moved between."""
        super().watch_highlighted(highlighted)
        for index in (self._drawn_highlight, highlighted):
            self._redraw_option(index)
        self._drawn_highlight = highlighted

    def scroll_to_highlight(self, top: bool = False) -> None:
        """Bring the highlight into view: nothing moves while it is in view. When
        ``j``/``k`` take it just past an edge, the list turns a page, as a pager does:
        the question it came from goes to the other edge, still in view, and the next
        page of moves needs no scroll (each scroll redraws the whole screen: one per page,
        not one per move). A highlight further away comes to the middle."""
        highlighted = self.highlighted
        if top or highlighted is None or not self.is_mounted:
            super().scroll_to_highlight(top)
            return
        self._update_lines()
        try:
            y, height = self._index_to_line[highlighted], self._heights[highlighted]
        except KeyError:
            return
        shown_from = round(self.scroll_y)
        view = self.scrollable_content_region.height
        if shown_from <= y and y + height <= shown_from + view:
            return
        came_from = highlighted - 1 if y >= shown_from else highlighted + 1
        from_y = self._index_to_line.get(came_from)
        if from_y is not None and shown_from <= from_y < shown_from + view:
            from_height = self._heights[came_from]
            if y > from_y and from_height + height <= view:  # down: it goes to the top
                self.scroll_to(y=from_y, animate=False, force=True, immediate=True)
                return
            if y < from_y and height + from_height <= view:  # up: it goes to the bottom
                target = max(from_y + from_height - view, 0)
                self.scroll_to(y=target, animate=False, force=True, immediate=True)
                return
        region = Region(0, y, self.scrollable_content_region.width, height)
        self.scroll_to_region(region, force=True, animate=False, center=True, immediate=True)

    def _redraw_option(self, index: int | None) -> None:
        """Redraw the lines of one option (the whole list when its lines are not known)."""
        if index is None:
            return
        try:
            first_line, height = self._index_to_line[index], self._heights[index]
        except KeyError:
            self.refresh()
            return
        self.refresh_lines(first_line, height)

    def set_items(
        self,
        items: list[BatchItem],
        statuses: dict[str, str],
        drafted: Collection[str] = (),
        keep: str | None = None,
        claimed: Collection[str] = (),
    ) -> None:
        """Replace the list; the question ``keep`` (default: the highlighted one) stays
        highlighted when it is still listed, else the same position is."""
        keep = keep if keep is not None else self.highlighted_id
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(
            [
                Option(
                    queue_prompt(
                        item,
                        statuses.get(item.question.id, ""),
                        item.question.id in drafted,
                        item.question.id in claimed,
                    ),
                    id=item.question.id,
                )
                for item in items
            ]
        )
        if not items:
            return
        ids = [item.question.id for item in items]
        if keep in ids:
            self.highlighted = ids.index(keep)
        else:
            self.highlighted = min(highlighted or 0, len(items) - 1)

    @property
    def highlighted_id(self) -> str | None:
        """The id of the highlighted question (None when the list is empty)."""
        if self.highlighted is None or self.highlighted >= self.option_count:
            return None
        return self.get_option_at_index(self.highlighted).id

    def highlight_id(self, question_id: str) -> bool:
        """Highlight the question; False when it is not listed."""
        try:
            self.highlighted = self.get_option_index(question_id)
        except OptionDoesNotExist:
            return False
        return True

    def shows(self, question_id: str) -> bool:
        """Whether the question is listed."""
        try:
            self.get_option_index(question_id)
        except OptionDoesNotExist:
            return False
        return True

    def set_status(
        self, item: BatchItem, status: str, drafted: bool = False, claimed: bool = False
    ) -> None:
        """Update one line after an action, a draft change or a claim (nothing when not
        listed)."""
        try:
            index = self.get_option_index(item.question.id)
        except OptionDoesNotExist:
            return
        self.replace_option_prompt_at_index(index, queue_prompt(item, status, drafted, claimed))
