"""HTML from a service (a ticket body, a toot, a blog comment, an HTML-only email) as clean,
readable plain text.

The text keeps what a reader needs: paragraphs and line breaks, list items (``- ``),
quoted text (``> ``, at most :data:`MAX_QUOTE_DEPTH` deep), table cells apart, and links
whose text differs from their address as ``text (address)``. Scripts, styles and
comments are dropped, entities decoded, runs of spaces collapsed. Nothing is ever
interpreted: the result is plain text for the question's body, cleaned like any other
customer text where it is stored.

Malformed HTML never raises: the standard library's tolerant parser reads what it can,
in time and memory linear in the input.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "fieldset"),
        *("figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr"),
        "ul",
    }
)
_SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript"})
_CELLS = frozenset({"td", "th"})
MAX_QUOTE_DEPTH = 10
"""Quote levels marked at the most: deeper quotes get no more ``> `` (every line would
repeat them, so a deep nesting would blow a small input up into a huge text)."""
_MAX_HTML_CHARS = 2_000_000
"""Longer HTML is cut before parsing (the parser is linear, but memory is not free)."""


class _TextCollector(HTMLParser):
    """Collects the text of an HTML document, line by line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip_depth = 0
        self.quote_depth = 0
        self.pre_depth = 0
        self.link: tuple[str | None, int] | None = None
        """The open link's address and the index in ``current`` where its text starts (a
        link opened inside another closes that one first, as browsers do: every piece of
        text belongs to one link at the most, so reading links stays linear)."""

    # -- the parser's callbacks ----------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skip_depth += 1
            return
        if tag == "br":
            self.end_line()
        elif tag in _BLOCKS:
            self.end_line()
            if tag == "blockquote":
                self.quote_depth += 1
            elif tag == "pre":
                self.pre_depth += 1
            elif tag == "li":
                self.current.append("- ")
        elif tag in _CELLS:
            if self.current:
                self.current.append(" ")  # "Order" "1234": two cells, not "Order1234"
        elif tag == "a":
            self.end_link()
            self.link = (dict(attrs).get("href"), len(self.current))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" or tag in _BLOCKS:
            self.end_line()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag == "a":
            self.end_link()
        elif tag in _BLOCKS:
            self.end_line(keep_spaces=tag == "pre")
            if tag == "blockquote":
                self.quote_depth = max(0, self.quote_depth - 1)
            elif tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)
            if tag in ("p", "div", "blockquote", "ul", "ol", "table", "pre") or tag[0] == "h":
                self.blank_line()

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.pre_depth:
            first, *rest = data.split("\n")
            self.current.append(first)
            for line in rest:
                self.end_line(keep_spaces=True)
                self.current.append(line)
            return
        self.current.append(re.sub(r"\s+", " ", data))

    def end_link(self) -> None:
        """Close the open link, adding its address after its text when it says more."""
        if self.link is None:
            return
        href, start = self.link
        self.link = None
        shown = "".join(self.current[start:]).strip()
        if _worth_showing(href, shown):
            self.current.append(f" ({href})")

    # -- lines ---------------------------------------------------------------------
    def end_line(self, *, keep_spaces: bool = False) -> None:
        """Finish the line being written (if it has any text)."""
        text = "".join(self.current)
        text = text.rstrip() if keep_spaces else " ".join(text.split())
        self.current = []
        if self.link is not None:
            self.link = (self.link[0], 0)  # an open link goes on on the next line
        if text:
            self.lines.append("> " * min(self.quote_depth, MAX_QUOTE_DEPTH) + text)

    def blank_line(self) -> None:
        """A paragraph break (never two in a row, never at the start)."""
        if self.lines and self.lines[-1] != "":
            self.lines.append("")


def _worth_showing(href: str | None, shown: str) -> bool:
    """A link's address is added when it says more than its text (not mailto, not anchors)."""
    if not href or href.startswith(("#", "mailto:", "javascript:")):
        return False
    bare = href.removeprefix("https://").removeprefix("http://").rstrip("/")
    return bool(shown) and bare not in shown and href not in shown


def html_to_text(html: str) -> str:
    """The readable plain text of ``html`` (paragraphs separated by a blank line)."""
    collector = _TextCollector()
    try:
        collector.feed(html[:_MAX_HTML_CHARS])
        collector.close()
    except (AssertionError, ValueError):  # the parser gives up on some broken markup
        pass
    collector.end_line()
    lines = collector.lines
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines)


def looks_like_html(text: str) -> bool:
    """Whether ``text`` holds HTML markup (a tag or an entity), not just plain text."""
    return bool(re.search(r"<(?:[a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>|</[a-zA-Z]|&#?\w+;", text))


def text_to_html(text: str) -> str:
    """A plain-text reply as simple HTML for a service whose reply body is HTML: every
    character escaped, paragraphs as ``<p>``, single line breaks as ``<br>``."""
    from html import escape

    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(escape(line) for line in p.strip().split("\n")) + "</p>"
        for p in paragraphs
    )


def same_text(a: str, b: str) -> bool:
    """Whether two bodies say the same once markup and spacing are set aside (a reply we
    sent as text, read back as the service's HTML).

    Each body is compared as it is and, when it looks like HTML, as its text; but never
    both as text: plain text with a tag-like word in it ("type <script> to test") is
    not HTML, and reading both as HTML would cut both short at that word and find two
    different texts the same.
    """

    def spaced(text: str) -> str:
        return " ".join(text.split())

    plain_a, plain_b = spaced(a), spaced(b)
    if plain_a == plain_b:
        return True
    if looks_like_html(a) and spaced(html_to_text(a)) == plain_b:
        return True
    return looks_like_html(b) and spaced(html_to_text(b)) == plain_a
