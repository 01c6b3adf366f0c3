"""Markdown (Reddit, GitHub, Discourse) as readable plain text: emphasis, headings, code
and spoiler marks dropped, ``[text](url)`` kept as ``text (url)``, cleaned of escape
sequences and control characters. Every step is one linear pass."""

from __future__ import annotations

import re
from typing import Any

from cxdaily.connectors.parsing import MAX_TEXT_CHARS, text_field
from cxdaily.core.safe_text import clean

_LINK = re.compile(
    r"\[([^\[\]\n]{0,500})\]\(\s*<?([^()\s<>]{1,2000})>?(?:\s+\"[^\"\n]{0,200}\")?\s*\)"
)
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]*(.*?)[ \t#]*$", re.MULTILINE)
_FENCE = re.compile(r"^[ \t]*(?:```|~~~)[^\n]*$\n?", re.MULTILINE)
_RULE = re.compile(r"^[ \t]*(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$", re.MULTILINE)
_BULLET = re.compile(r"^([ \t]*)[*+][ \t]+", re.MULTILINE)
_QUOTE = re.compile(r"^[ \t]*((?:>[ \t]?)+)", re.MULTILINE)
_EMPHASIS = re.compile(
    r"(?<![\w*])\*{1,3}(?=[^\s*])|(?<=[^\s*])\*{1,3}(?![\w*])"
    r"|(?<![\w_])_{1,3}(?=[^\s_])|(?<=[^\s_])_{1,3}(?![\w_])|~~"
)
_SUPERSCRIPT = re.compile(r"\^\(([^()\n]{0,200})\)|\^(?=\S)")
_SPOILER = re.compile(r">!|!<")
_ESCAPABLE = "\\`*_{}[]()#+-.!>~^|"
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~^|])")
_HIDDEN = "".join(chr(c) for c in (*range(0x01, 0x09), *range(0x0E, 0x20)))[: len(_ESCAPABLE)]
"""Stand-ins for escaped characters while the markup is read (``clean`` has removed
these control characters from the text, so none is there already)."""
_HIDE = str.maketrans(_ESCAPABLE, _HIDDEN)
_SHOW = str.maketrans(_HIDDEN, _ESCAPABLE)
_BLANKS = re.compile(r"\n{3,}")


def _link(match: re.Match[str]) -> str:
    text, url = match[1].strip(), match[2]
    bare = url.removeprefix("https://").removeprefix("http://").rstrip("/")
    if not text or url in text or bare in text:
        return text or url
    return f"{text} ({url})"


def markdown_text(value: Any, where: str) -> str | None:
    """A Markdown body as plain text (``None`` when it is missing); links as ``text (url)``.

    Every step is one linear pass, so a hostile body costs no more than its length.
    """
    text = text_field(value, where, max_chars=None)
    if text is None:
        return None
    text = clean(text[:MAX_TEXT_CHARS]).replace("&#x200B;", "").replace("&nbsp;", " ")
    text = _ESCAPED.sub(lambda m: m[1].translate(_HIDE), text)
    text = _FENCE.sub("", text)
    text = _LINK.sub(_link, text)
    text = _HEADING.sub(r"\1", text)
    text = _RULE.sub("", text)
    text = _BULLET.sub(r"\1- ", text)
    text = _QUOTE.sub(lambda m: "> " * m[1].count(">"), text)
    text = _SPOILER.sub("", text)
    text = _SUPERSCRIPT.sub(lambda m: m[1] or "", text)
    text = _EMPHASIS.sub("", text).replace("`", "")
    text = text.translate(_SHOW)
    return _BLANKS.sub("\n\n", "\n".join(line.rstrip() for line in text.split("\n"))).strip()


__all__ = ["markdown_text"]
