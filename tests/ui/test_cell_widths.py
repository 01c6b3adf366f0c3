"""Scripts written with spacing marks (Devanagari, Tamil ...) are measured as the
terminal draws them, so a customer's name never pushes the list's column."""

from __future__ import annotations

import unicodedata

import rich.cells
from rich.cells import cell_len

from cxdaily.service import Service
from cxdaily.ui.app import CxDailyApp
from cxdaily.ui.cell_widths import count_spacing_marks


def drawn_width(text: str) -> int:
    """Cells a wcwidth terminal (xterm, VTE, tmux) draws: marks that do not space are 0."""
    width = 0
    for character in text:
        if unicodedata.category(character) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(character) in "WF" else 1
    return width


def test_spacing_marks_take_the_cell_the_terminal_gives_them():
    count_spacing_marks()
    for text in ["प्रियंका शर्मा", "ऑर्डर की स्थिति क्या है?", "தமிழ் வாடிக்கையாளர்", "ক্রেতা"]:
        assert cell_len(text) == drawn_width(text), text
    assert cell_len("\u094d") == 0  # the virama does not space
    assert cell_len("Jane Doe") == 8 and cell_len("日本") == 4


def test_installing_twice_changes_nothing_and_the_app_installs_it(ui_home):
    count_spacing_marks()
    installed = rich.cells.load_cell_table
    count_spacing_marks()
    assert rich.cells.load_cell_table is installed
    service = Service.open("demo")
    try:
        CxDailyApp(service)
        assert cell_len("कि") == 2
    finally:
        service.close()
