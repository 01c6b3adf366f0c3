"""Cell widths that agree with the terminal for scripts written with spacing marks.

Rich measures a spacing combining mark (Unicode category ``Mc``: the vowel signs of
Devanagari, Bengali, Tamil, Telugu, Sinhala, Myanmar ...) as zero cells, while the
terminals that follow ``wcwidth`` (xterm, VTE, tmux, Windows Terminal, Terminal.app)
draw it in one. A customer named "प्रियंका शर्मा" then pushed every column to the right
of her name by three cells: the queue's border and the detail pane moved on her row.

:func:`count_spacing_marks` makes the app measure those marks as one cell, like the
terminal draws them. Non-spacing marks (``Mn``, such as the virama) stay zero-width.
The app installs it once when it starts; installing again does nothing.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Any

import rich.cells

_original_load = rich.cells.load_cell_table


def _without_spacing_marks(widths: Any) -> list[tuple[int, int, int]]:
    """The width table with every spacing mark taken out of its zero-width ranges (a
    code point the table does not list measures one cell)."""
    table: list[tuple[int, int, int]] = []
    for start, end, width in widths:
        if width != 0:
            table.append((start, end, width))
            continue
        run_start: int | None = None
        for code in range(start, end + 1):
            spacing = unicodedata.category(chr(code)) == "Mc"
            if spacing and run_start is not None:
                table.append((run_start, code - 1, 0))
                run_start = None
            elif not spacing and run_start is None:
                run_start = code
        if run_start is not None:
            table.append((run_start, end, 0))
    return table


@cache
def _load_counting_spacing_marks(unicode_version: str = "auto") -> Any:
    """Rich's cell table for ``unicode_version``, spacing marks one cell wide."""
    original = _original_load(unicode_version)
    return original._replace(widths=_without_spacing_marks(original.widths))


def count_spacing_marks() -> None:
    """Measure spacing marks as one cell everywhere the app measures text."""
    if rich.cells.load_cell_table is _load_counting_spacing_marks:
        return
    rich.cells.load_cell_table = _load_counting_spacing_marks
    rich.cells.get_character_cell_size.cache_clear()
    rich.cells.cached_cell_len.cache_clear()


__all__ = ["count_spacing_marks"]
