"""The selected question, drawn: its parts (:mod:`cxdaily.ui.question_parts`) in one
scrollable view, and the leader's reply to it.

The reply is read from the outbox in a thread worker, so moving through the queue never
waits on it. A send that finishes while the question is shown updates it
(:func:`show_reply_everywhere`).
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual.content import Content
from textual.events import Resize
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip
from textual.visual import Visual

from cxdaily.core.errors import CxDailyError
from cxdaily.core.models import Reply, ReplyState
from cxdaily.curation import BatchItem
from cxdaily.ui.app import service_of
from cxdaily.ui.keys import key_names
from cxdaily.ui.messages import ReplyChanged
from cxdaily.ui.question_parts import (
    COMPACT_SECTIONS,
    EMPTY_PARTS,
    NOTHING_BESIDE,
    SECTIONS,
    SPACED,
    Beside,
    question_parts,
    reply_content,
)

if TYPE_CHECKING:
    from textual.app import App

    from cxdaily.service import Service


def show_reply_everywhere(app: App, reply: Reply) -> None:
    """On the UI thread: every question view showing the reply's question shows it anew
    (a send finished, or a retry), and every screen open is told (the outbox's list)."""
    for screen in app.screen_stack:
        for view in screen.query(QuestionView):
            view.reply_changed(reply)
        screen.post_message(ReplyChanged(reply.id))


THREAD_BAR = "▎ "
"""Before each line of the thread (two cells), setting it apart from the question."""

DRAWINGS_KEPT = 16
"""Texts whose drawn lines the view keeps (the questions around the one shown)."""


class QuestionView(ScrollView):
    """Shows one question with its thread and the reply to it; empty until a question is
    selected.

    The view draws its own lines: moving to another question changes its text, never
    its size, so ``j``/``k`` repaint the view alone instead of laying the whole screen
    out (twice: once for the new heights, once for the scroll area). Only a question
    longer than the view changes its scroll area (its scrollbar). The lines of the last
    :data:`DRAWINGS_KEPT` texts are kept, and the session draws the questions beside the
    one shown ahead of time (:meth:`prepare`), so a move mostly shows lines drawn
    already. Text can be selected and copied as in any other view.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {f"question-view--{name}" for name in SECTIONS} | {
        "question-view--thread-bar"
    }

    DEFAULT_CSS = """
    QuestionView {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
    }
    """

    question_id: str | None = None
    """The question shown (None: nothing selected)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._parts: dict[str, Content] = dict(EMPTY_PARTS)
        self._text: tuple[int, Content] | None = None
        """Every shown part in one text, styled, and the width it was made for (the
        thread is cut to the width)."""
        self._drawings: OrderedDict[tuple[object, ...], list[Strip]] = OrderedDict()
        """Lines drawn by text and width, the most recently used last."""
        self._fitted_width = 0
        """The width the scrollable size was set for."""
        self._shown_lines: tuple[int, list[Strip]] | None = None
        """The shown text's lines and their width (each line of a frame asks for them)."""
        self._selected: tuple[tuple[object, ...], Content, list[Strip]] | None = None
        """The lines drawn with a selection: its width, selection and style, the text."""

    @property
    def compact(self) -> bool:
        """Whether the view is beside the composer: the title, the last messages of the
        thread (one line each) and the question only."""
        return self.has_class("-compact")

    def set_compact(self, on: bool) -> None:
        """Show the compact view (beside the composer), or the full one."""
        if on != self.compact:
            self.set_class(on, "-compact")
            self._changed()

    def section(self, name: str) -> Content:
        """The text of one part of the view (see :data:`SECTIONS`) as it is shown now:
        empty when the part is empty or not shown (the reply before it is read, the
        heading and the reasons in the compact view)."""
        return self._part(self._parts, name, self.compact)

    @staticmethod
    def _part(parts: dict[str, Content], name: str, compact: bool) -> Content:
        """One part of ``parts`` as the full or the compact view shows it."""
        if compact and name not in COMPACT_SECTIONS:
            return Content("")
        return parts["last_messages" if compact and name == "thread" else name]

    def show(self, item: BatchItem | None, now: datetime, beside: Beside = NOTHING_BESIDE) -> None:
        """Display ``item`` (or an empty-state message) with what ``beside`` says."""
        if item is None:
            self.question_id = None
            self._parts = dict(EMPTY_PARTS)
            self._changed()
            return
        question_id = item.question.id
        parts = question_parts(item, now, beside, key_names(self))
        if question_id == self.question_id:
            parts["reply"] = self._parts["reply"]  # kept until the look-up says otherwise
        self.question_id = question_id
        self._parts = parts
        self._look_up_reply(question_id)
        self._changed()
        self.scroll_home(animate=False)

    def prepare(self, item: BatchItem, now: datetime, beside: Beside) -> None:
        """Draw ``item`` ahead of time, as :meth:`show` would (its reply apart), so that
        showing it soon finds its lines drawn (nothing while the view has no width)."""
        width = self.scrollable_content_region.width
        if width > 0:
            parts = question_parts(item, now, beside, key_names(self))
            self._draw(parts, width)

    # drawing -----------------------------------------------------------------------------
    def _changed(self) -> None:
        """The text changed: draw it again, and fit the scroll area to it."""
        self._text = self._shown_lines = None
        self._fit()
        self.refresh()

    def _fit(self) -> None:
        """Set the scrollable size to the text's lines at the view's width. A text that
        fits has no scroll area at all (a height of 0): the same for every question that
        fits, so moving between them changes nothing of the view's size."""
        region = self.scrollable_content_region
        if region.width <= 0:
            return  # not laid out yet: fitted on its first resize
        self._fitted_width = region.width
        lines = len(self._drawn(region.width))
        size = Size(region.width, lines if lines > region.height else 0)
        if size != self.virtual_size:
            # the scrollbar's range and thumb, set as scrolling sets them: only a scrollbar
            # that comes or goes lays the screen out (``show_vertical_scrollbar``)
            self.set_reactive(QuestionView.virtual_size, size)
            self._scroll_update(size)

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        """A layout gave the view its size. The compositor gives a scroll view its region
        as its scrollable size; the view's own is its text's (:meth:`_fit`), which is what
        a change is told by (else every layout of the screen would redraw the scrollbar)."""
        return super()._size_updated(size, self.virtual_size, container_size, layout)

    def on_resize(self, event: Resize) -> None:
        """Fit the text to the new size."""
        self._fit()

    def notify_style_update(self) -> None:
        """A theme or a class changed the styles: the parts are styled and drawn again."""
        super().notify_style_update()
        self._text = self._shown_lines = None
        self._drawings.clear()

    def selection_updated(self, selection: Selection | None) -> None:
        """Draw the selection."""
        self.refresh()

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected text (for copying)."""
        width = self.scrollable_content_region.width
        return selection.extract(self._shown_text(width).plain), "\n"

    def render_line(self, y: int) -> Strip:
        """One line of the view, scrolled."""
        width = self.scrollable_content_region.width
        lines = self._drawn(width)
        if width != self._fitted_width:
            self.call_after_refresh(self._fit)  # a scrollbar came or went (a theme's gutter)
        row = self.scroll_offset.y + y
        style = self.visual_style.rich_style
        if row < len(lines):
            return lines[row].extend_cell_length(self.size.width, style)
        return Strip.blank(self.size.width, style)

    def drawn_lines(self) -> list[Strip]:
        """Every line of the view as drawn at its width, those scrolled away too."""
        return list(self._drawn(self.scrollable_content_region.width))

    def _drawn(self, width: int) -> list[Strip]:
        """The shown text's lines at ``width`` (with a selection: drawn for it, and kept
        apart from the other drawings)."""
        if width <= 0:
            return []
        selection = self.text_selection
        if selection is None:
            shown = self._shown_lines
            if shown is None or shown[0] != width:
                shown = self._shown_lines = (width, self._draw(self._parts, width, shown=True))
            return shown[1]
        text = self._shown_text(width)
        key = (width, selection, self.visual_style)
        kept = self._selected
        if kept is None or kept[0] != key or kept[1] is not text:
            lines = Visual.to_strips(self, text, width, None, self.visual_style)
            kept = self._selected = (key, text, lines)
        return kept[2]

    def _draw(self, parts: dict[str, Content], width: int, shown: bool = False) -> list[Strip]:
        """The lines of ``parts`` at ``width``, drawn once while kept (``shown``: the
        parts shown, whose styled text is kept)."""
        compact = self.compact
        names = COMPACT_SECTIONS if compact else SECTIONS
        shown_parts = [self._part(parts, name, compact) for name in names]
        style = self.visual_style
        key = (width, compact, style, *((part.plain, *part.spans) for part in shown_parts))
        lines = self._drawings.get(key)
        if lines is not None:
            self._drawings.move_to_end(key)
            return lines
        text = self._shown_text(width) if shown else self._styled_text(parts, width)
        lines = Visual.to_strips(self, text, width, None, style, apply_selection=False)
        self._drawings[key] = lines
        if len(self._drawings) > DRAWINGS_KEPT:
            self._drawings.popitem(last=False)
        return lines

    def _shown_text(self, width: int) -> Content:
        """The shown parts in one styled text at ``width`` (made once per change)."""
        if self._text is None or self._text[0] != width:
            self._text = (width, self._styled_text(self._parts, width))
        return self._text[1]

    def _styled_text(self, parts: dict[str, Content], width: int) -> Content:
        """``parts`` in one text for ``width``, each styled by its component class, with a
        blank line between them (none in the compact view)."""
        compact = self.compact
        width = max(width, len(THREAD_BAR) + 1)
        pieces: list[Content] = []
        for name in COMPACT_SECTIONS if compact else SECTIONS:
            content = self._part(parts, name, compact)
            if not content:
                continue
            style = self.get_visual_style(f"question-view--{name}", partial=True)
            content = content.stylize_before(style)
            if name == "thread":
                content = self._thread_lines(content, width, compact)
            if not compact and (not pieces or name in SPACED):
                pieces.append(Content(""))  # above the heading, and between the parts
            pieces.append(content)
        return Content("\n").join(pieces)

    def _thread_lines(self, thread: Content, width: int, compact: bool) -> Content:
        """The thread cut to ``width``: in the compact view one line per message (ending
        in an ellipsis), else wrapped after a bar."""
        if compact:
            lines = [line.truncate(width, ellipsis=True) for line in thread.split("\n")]
            return Content("\n").join(lines)
        bar = Content.styled(THREAD_BAR, self.get_visual_style("question-view--thread-bar"))
        wrapped = thread.wrap(width - len(THREAD_BAR))
        return Content("\n").join([bar + line for line in wrapped])

    # the reply ---------------------------------------------------------------------------
    def _service(self) -> Service | None:
        """The cxdaily app's service (None outside it: the view then shows no reply)."""
        try:
            return service_of(self)
        except TypeError:
            return None

    def _look_up_reply(self, question_id: str) -> None:
        """Read the question's reply in a thread worker, then show it."""
        service = self._service()
        if service is None:
            return

        def look() -> None:
            try:
                reply = service.replies.latest_reply(question_id)
                in_flight = reply is not None and service.is_sending(reply.id)
            except CxDailyError:
                return  # the outbox cannot be read now: the pane says nothing of a reply
            self.app.call_from_thread(self._show_reply, question_id, reply, in_flight)

        self.run_worker(
            look, thread=True, group="question-reply", exclusive=True, exit_on_error=False
        )

    def reply_changed(self, reply: Reply) -> None:
        """A reply changed (a send finished): show it if its question is the one shown."""
        if reply.question_id == self.question_id:
            service = self._service()
            in_flight = service is not None and service.is_sending(reply.id)
            self._show_reply(reply.question_id, reply, in_flight)

    def _show_reply(self, question_id: str, reply: Reply | None, in_flight: bool) -> None:
        if question_id != self.question_id:
            return  # the leader moved on meanwhile
        shown = Content("")
        if reply is not None and reply.state is not ReplyState.CANCELLED:
            service = self._service()
            now = service.now() if service is not None else reply.updated_at
            zone = service.settings.session.zone if service is not None else None
            shown = reply_content(reply, now, zone, in_flight, key_names(self))
        before = self._parts["reply"]
        if shown.plain == before.plain and shown.spans == before.spans:
            return  # no change: nothing to draw again
        self._parts["reply"] = shown
        self._changed()
