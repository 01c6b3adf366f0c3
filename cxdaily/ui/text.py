"""Untrusted text to Textual ``Content``: the only door customer text takes into a widget.

Every string that came from a customer, a channel or a service goes through
:func:`safe` (plain) or :func:`template` (app styling around cleaned values). Both clean
escape sequences and control characters first (:mod:`cxdaily.core.safe_text`) and never parse
the untrusted part as markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.content import Content

from cxdaily.core.safe_text import clean, one_line

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cxdaily.core.models import Question


def safe(text: object, style: str = "") -> Content:
    """Untrusted text as literal Content, optionally styled as a whole."""
    cleaned = clean(text).expandtabs(4)
    return Content.styled(cleaned, style) if style else Content(cleaned)


def safe_line(text: object, limit: int | None = None, style: str = "") -> Content:
    """Untrusted text folded to one line (and cut to ``limit``) as literal Content."""
    folded = one_line(text, limit)
    return Content.styled(folded, style) if style else Content(folded)


def customer_heading(lead: str, question: Question, *rest: Content) -> Content:
    """A dialog's bold heading about a question's customer: ``lead`` then their name
    (cut to 40 characters), then ``rest`` (``Reply to Jane Doe`` + `` on email``)."""
    return Content.assemble(
        Content.styled(lead, "bold"), safe_line(question.author.display, 40, "bold"), *rest
    )


def template(markup: str, **values: object) -> Content:
    """App markup with ``$name`` placeholders filled by cleaned, literal values.

    ``template("From [b]$name[/b]", name=customer_name)``: the markup is ours, the
    values are never parsed.
    """
    return Content.from_markup(markup, **{k: clean(v).expandtabs(4) for k, v in values.items()})


def hanging(content: Content, width: int) -> Content:
    """``content`` wrapped to ``width`` cells, the words of an indented line wrapping
    under its words rather than at the left edge (unchanged while ``width`` is unknown:
    0 or less)."""
    if width <= 0:
        return content
    lines: list[Content] = []
    for line in content.split("\n"):
        if cell_len(line.plain) <= width:
            lines.append(line)
            continue
        indent = len(line.plain) - len(line.plain.lstrip(" "))
        if indent * 2 >= width:  # no room to hang: the widget wraps it as it is
            lines.append(line)
            continue
        lines += hang(line[:indent], line[indent:], width)
    return Content("\n").join(lines)


def hang(lead: Content, words: Content, width: int) -> list[Content]:
    """``lead`` then ``words``, wrapped to the ``width`` cells left after the lead, each
    later line indented as far as the lead is wide (a hanging indent)."""
    indent = cell_len(lead.plain)
    first, *more = words.wrap(width - indent)
    return [Content.assemble(lead, first), *(Content.assemble(" " * indent, m) for m in more)]


def flow(lead: Content, parts: Sequence[Content], width: int, glue: str = " · ") -> list[Content]:
    """``lead`` then ``parts`` joined by ``glue``, on lines of at most ``width`` cells
    (0 or less: one line) that break between parts, never inside one ("· D" on one line
    and "Digest" on the next said nothing); a line that goes on ends with the glue's mark
    ("Reply ·"). A part wider than a line is left to the widget to wrap or cut."""
    mark = glue.rstrip()
    lines: list[Content] = []
    line = lead
    for number, part in enumerate(parts):
        joint = Content.styled(glue, "dim") if number else Content("")
        room = width - (0 if number == len(parts) - 1 else cell_len(mark))
        crowded = cell_len(line.plain + joint.plain + part.plain) > room
        if number and width > 0 and crowded:
            lines.append(Content.assemble(line, Content.styled(mark, "dim")))
            line = part
        else:
            line = Content.assemble(line, joint, part)
    return [*lines, line]
