"""Updating a ``Static`` without laying the screen out when its size stays the same.

``Static.update`` lays the whole screen out, since new text may take more or fewer rows.
:func:`update_in_place` checks first and repaints the widget alone when its size cannot
change: its height is set in lines and its width does not follow its text
(:func:`size_is_fixed`), or its width is set by the layout and the new text wraps to as
many rows as the widget has.
"""

from __future__ import annotations

from textual.content import Content
from textual.css.styles import RulesMap
from textual.widgets import Static


def update_in_place(widget: Static, content: Content) -> None:
    """Show ``content`` in ``widget``, laying the screen out only when its size may change."""
    widget.update(content, layout=_size_may_change(widget, content))


def size_is_fixed(widget: Static) -> bool:
    """Whether the widget's size never follows its text: its height is set in lines and
    its width does not follow the text (unless a theme says otherwise)."""
    height, width = widget.styles.height, widget.styles.width
    return height is not None and height.is_cells and (width is None or not width.is_auto)


def _size_may_change(widget: Static, content: Content) -> bool:
    """Whether ``content`` may give ``widget`` another size than the text it shows."""
    if size_is_fixed(widget):
        return False
    width = widget.content_region.width
    styles = widget.styles
    set_width = styles.width
    if width <= 0 or (set_width is not None and (set_width.is_auto or set_width.is_fraction)):
        return True  # not laid out yet, or a width that may follow the text
    wrapping = RulesMap(
        text_wrap=styles.text_wrap, text_overflow=styles.text_overflow, line_pad=styles.line_pad
    )
    return content.get_height(wrapping, width) != widget.size.height
