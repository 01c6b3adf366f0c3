"""The digest as Markdown (CommonMark with GitHub tables), to paste into a wiki or a chat.

The themes that matter come first (a numbered list, each with its evidence and its
strongest quote), then the numbers, then every insight once: a heading per team, a
sub-heading per primary tag, one list item per insight with its other tags, the whole
quote and a link to the source.

Customer text is escaped so that it is read as text, never as Markdown: no link, image,
HTML tag, table cell break or heading can come from a customer. Links back to the source
are written only for http(s) URLs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import chain, compress, count, islice
from operator import itemgetter

from cxdaily.insights import words
from cxdaily.insights.cleaning import flagged as found_in
from cxdaily.insights.cleaning import holding, line, trimmed_lines
from cxdaily.insights.model import Change, Digest, DigestInsight

_SPECIAL_CHARS = "\\`*_[]<>|~"
_SPECIAL = re.compile(r"[\\`*_\[\]<>|~]")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LIST_NUMBER = re.compile(r"^(\d+)([.)])")
_AUTOLINK_SCHEME = re.compile(r"\b(https?|ftp):(?=//)", re.IGNORECASE)
_AUTOLINK_WWW = re.compile(r"\bwww\.")
"""Where GitHub-flavoured Markdown (GitHub, GitLab, Linear...) makes a bare URL a link:
``https://...`` and ``www....``. A backslash before the ``:`` or the ``.`` keeps the text
as it reads and makes no link."""
_INLINE_SPECIAL = (*_SPECIAL_CHARS, "&", "://", "www.")
"""What :func:`_escape_inline` may change."""
_BLOCK_START = ("#", "-", "+", "=", ">")
"""First characters that may start a Markdown block (digits too: ``1.``)."""
_FIRST_CHARACTER = itemgetter(slice(0, 1))
_LINE_START = re.compile(r"\n[#\-+=\d ]")
"""A line that may start a block, or starts with a space (in texts joined by newlines)."""
_QUOTE_NEEDLES = (*_INLINE_SPECIAL, "  ", " \n")
"""What makes a quote other than plain anywhere in it: a character to escape, a double
space, a space ending a line (in quotes joined by newlines)."""


@lru_cache(maxsize=16384)
def md_text(text: str) -> str:
    """One line of literal text: every character Markdown could act on is escaped
    (``#`` and list markers only where they would start a block). Cached: names,
    channels, tags and summaries recur all through a digest."""
    return _escape(text, every_hash=False)


def md_heading(text: object) -> str:
    """Text for a heading: as :func:`md_text`, with every ``#`` escaped as well (a
    trailing ``#`` would otherwise close the heading)."""
    return _escape(text, every_hash=True)


def _escape(text: object, *, every_hash: bool) -> str:
    return _escape_start(_escape_inline(line(text)), every_hash=every_hash)


def _escape_inline(escaped: str) -> str:
    """Every character Markdown could act on anywhere in a line, escaped, and a bare URL
    kept from becoming a link (see :data:`_AUTOLINK_SCHEME`)."""
    if _SPECIAL.search(escaped):
        for ch in _SPECIAL_CHARS:  # the backslash first; str.replace beats str.translate
            if ch in escaped:
                escaped = escaped.replace(ch, "\\" + ch)
    if "&" in escaped:
        escaped = _ENTITY.sub(r"\\&", escaped)
    if "://" in escaped:
        escaped = _AUTOLINK_SCHEME.sub(r"\1\\:", escaped)
    if "www." in escaped:
        escaped = _AUTOLINK_WWW.sub(r"www\\.", escaped)
    return escaped


def _escape_start(escaped: str, *, every_hash: bool) -> str:
    """``#``, list markers and the like escaped where they would start a block (every
    ``#`` with ``every_hash``)."""
    if every_hash:
        escaped = escaped.replace("#", "\\#")
    elif escaped[:1] == "#":
        escaped = "\\" + escaped
    if escaped[:1] in ("-", "+", "=", ">"):
        return "\\" + escaped
    if escaped[:1].isdigit():
        return _LIST_NUMBER.sub(r"\1\\\2", escaped)
    return escaped


_CHUNK = 256
"""How many texts a batch looks at together (see :func:`md_texts`): their join stays
small, in the processor's cache, and reuses the memory of the chunk before (a year's
quotes joined are megabytes, taken fresh from the system), and a wide character (an
emoji makes every character of a join four bytes wide) widens its own chunk only."""


def md_texts(texts: Sequence[str]) -> list[str]:
    """``[md_text(t) for t in texts]``, with a few searches over the texts of each chunk
    of :data:`_CHUNK` at once (joined by newlines, which folded text never holds) for the
    few that need escaping."""
    escaped: list[str] = []
    for _, chunk in _chunks(texts):
        escaped += _md_chunk(chunk)
    return escaped


def _chunks(texts: Sequence[str]) -> Iterator[tuple[int, Sequence[str]]]:
    """Each chunk of :data:`_CHUNK` texts, with the position of its first."""
    for start in range(0, len(texts), _CHUNK):
        yield start, texts[start : start + _CHUNK]


def _md_chunk(texts: Sequence[str]) -> list[str]:
    """:func:`md_texts` of one chunk."""
    escaped = list(texts)
    filled = list(compress(count(), escaped))  # empty texts stay empty
    lines = escaped if len(filled) == len(escaped) else [escaped[i] for i in filled]
    joined = "\n".join(lines)
    if not _all_folded(joined, lines):
        lines = [line(text) for text in lines]
        joined = "\n".join(lines)
    for position in holding(lines, _INLINE_SPECIAL, "\n", joined):
        lines[position] = _escape_inline(lines[position])
    firsts = list(map(_FIRST_CHARACTER, lines))
    starting = {first for first in set(firsts) if first in _BLOCK_START or first.isdigit()}
    for position in compress(count(), map(starting.__contains__, firsts)):
        lines[position] = _escape_start(lines[position], every_hash=False)
    if lines is not escaped:
        for index, text in zip(filled, lines, strict=True):
            escaped[index] = text
    return escaped


def _all_folded(joined: str, lines: Sequence[str]) -> bool:
    """Whether the non-empty ``lines`` (``joined``: them joined by newlines) are each
    what :func:`line` makes of them: trimmed plain lines with single spaces (one look
    at them all)."""
    return trimmed_lines(lines, joined) and "  " not in joined


def md_quote(text: str, indent: str) -> list[str]:
    """A whole quote as a block quote inside a list item (``indent`` deep), line by line,
    each line literal text."""
    if not text:
        return []
    return [f"{indent}> {md_text(part)}".rstrip() for part in text.split("\n")]


_URL_CODES = (
    ("\\", "%5C"),  # "a\\)" would escape the link's closing parenthesis
    ("(", "%28"),
    (")", "%29"),
    (" ", "%20"),
    ("<", "%3C"),
    (">", "%3E"),
)
"""What a link's target has encoded (the backslash first)."""


def md_link(label: str, url: str | None) -> str:
    """``[label](url)`` for an http(s) URL (parentheses and spaces encoded), else ``""``."""
    return _md_links(label, [url])[0]


def _md_links(label: str, urls: Sequence[str | None]) -> list[str]:
    """:func:`md_link` of ``label`` and each of ``urls``, the characters to encode looked
    for once in them all (a digest links every insight to its source)."""
    targets = list(map(words.safe_url, urls))
    joined = "\n".join(target for target in targets if target)
    codes = [(ch, code) for ch, code in _URL_CODES if ch in joined]
    opening = f"[{md_text(label)}]("
    links = []
    for target in targets:
        if target is None:
            links.append("")
            continue
        for ch, code in codes:
            target = target.replace(ch, code)
        links.append(f"{opening}{target})")
    return links


def render_markdown(digest: Digest) -> str:
    """The whole digest as a Markdown document."""
    out: list[str] = [
        f"# {md_heading(digest.title)}",
        "",
        md_text(words.generated_line(digest)),
        "",
    ]
    if digest.empty:
        out += [f"**{md_text(words.EMPTY_NOTICE)}**", ""]
    out += _themes(digest)
    out += ["## At a glance", ""]
    first, *rest = words.headline_lines(digest)
    out.append(f"- **{md_text(first)}**")
    out += [f"- {md_text(line)}" for line in rest]
    out.append("")
    out += _change_table("Tags", "Tag", digest.tags, digest)
    out += _change_table("Teams", "Team", digest.teams, digest)
    out += _change_table("Areas", "Area", digest.areas, digest)
    out += _sentiment_table(digest)
    out += _insights(digest)
    out += _reflections(digest)
    out += _handoffs(digest)
    return _document(out)


def _document(lines: list[str]) -> str:
    """``lines`` as one document, white space at its end trimmed, ending in one newline
    (trimmed line by line: the document is megabytes, and each copy of it costs)."""
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return "\n"
    lines[-1] = lines[-1].rstrip()
    lines.append("")
    return "\n".join(lines)


def _change_table(title: str, column: str, rows: tuple[Change, ...], digest: Digest) -> list[str]:
    if not rows:
        return []
    out = [
        f"## {title}",
        "",
        f"| {column} | Insights | Previous | Change |",
        "| --- | ---: | ---: | --- |",
    ]
    out += [f"| {md_text(r.name)} | {r.count} | {r.previous} | {r.words} |" for r in rows]
    return [*out, ""]


def _sentiment_table(digest: Digest) -> list[str]:
    previous = {c.name: c.previous for c in digest.sentiment}
    rows = [
        f"| {md_text(name)} | {count} | {percent}% | {previous.get(name, 0)} |"
        for name, count, percent in words.shares(digest.sentiment)
        if count or previous.get(name)
    ]
    if not rows:
        return ["## Sentiment", "", "No insights in either period.", ""]
    header = ["| Sentiment | Insights | Share | Previous |", "| --- | ---: | ---: | ---: |"]
    return ["## Sentiment", "", *header, *rows, ""]


def _themes(digest: Digest) -> list[str]:
    if not digest.themes:
        return []
    out = [f"## {words.THEMES_TITLE}", ""]
    for rank, theme in enumerate(digest.themes, 1):
        out.append(f"{rank}. {md_text(theme.summary)}")
        out.append(f"   *{md_text(words.theme_team(theme))}*")
        out += md_quote(theme.quote, "   ")
    return [*out, ""]


def _insights(digest: Digest) -> list[str]:
    out = ["## Insights", ""]
    if not digest.insights:
        return [*out, "No insights in this period.", ""]
    items = iter(_insight_items(digest.ordered))
    for team in digest.groups:
        out += [f"### {md_heading(words.team_heading(team))}", ""]
        for group in team.tags:
            out += [f"#### {md_heading(group.tag)} ({len(group.insights)})", ""]
            out += chain.from_iterable(islice(items, len(group.insights)))
            out.append("")
    return out


def _insight_items(insights: Sequence[DigestInsight]) -> list[tuple[str, ...]]:
    """The list item of each insight, in order: its first lines (joined), then the lines
    of its quote (joined) where it has one. The quote stays apart: quotes are most of a
    digest's text, and joined into the item they would be copied once more (four bytes
    a character for all of it, when the quote holds an emoji). Their texts are escaped
    field by field, each field of every insight in one batch (the question id only where
    there is no source link, the note only where there is one)."""
    columns = words.insight_columns(insights)
    question_ids, notes = columns["question_id"], columns["note"]
    facts = list(
        map(
            " · ".join,
            zip(
                columns["customer"],
                columns["channel"],
                columns["day_label"],
                columns["sentiment"],
                strict=True,
            ),
        )
    )
    facts = [
        f"{fact} · also {', '.join(also)}" if also else fact
        for fact, also in zip(facts, columns["other_tags"], strict=True)
    ]
    links = _md_links("source", columns["url"])
    unlinked = [index for index, link in enumerate(links) if not link]
    escaped_ids = md_texts([question_ids[index] for index in unlinked])
    for index, escaped_id in zip(unlinked, escaped_ids, strict=True):
        links[index] = f"question {escaped_id}"
    noted = [index for index, note in enumerate(notes) if note]
    shown_notes = [""] * len(insights)
    for index, note in zip(noted, md_texts([notes[i] for i in noted]), strict=True):
        # before the quote: a line after a quote would continue the quote
        shown_notes[index] = f"\n  *Note:* {note}"
    firsts = [
        f"- **+{importance} · {headline}** · {meta} · {link}{note}"
        for importance, headline, meta, link, note in zip(
            columns["importance"],
            md_texts(columns["headline"]),
            md_texts(facts),
            links,
            shown_notes,
            strict=True,
        )
    ]
    quotes = _quote_blocks(columns["quote"])
    return [
        (first, quote) if quote else (first,) for first, quote in zip(firsts, quotes, strict=True)
    ]


def _quote_blocks(quotes: Sequence[str]) -> list[str]:
    """Each quote as the block quote lines of a list item, joined (``""`` for none).
    Most quotes are plain (see :func:`_plain_quotes`) and only have their lines
    prefixed; the lines of the others are escaped in one batch."""
    blocks = [""] * len(quotes)
    quoted = [index for index, quote in enumerate(quotes) if quote]
    plain = _plain_quotes([quotes[index] for index in quoted])
    for position in plain:
        index = quoted[position]
        quote = quotes[index]
        block = "  > " + quote.replace("\n", "\n  > ")
        if "\n\n" in quote or quote[0] == "\n" or quote[-1] == "\n":
            # an empty line is a bare ">" (a plain quote holds no ">" of its own)
            block = block.replace("> \n", ">\n")
            block = block[:-1] if block[-2:] == "> " else block
        blocks[index] = block
    done = {quoted[position] for position in plain}
    others = [index for index in quoted if index not in done]
    split = [quotes[index].split("\n") for index in others]
    escaped = iter(md_texts(list(chain.from_iterable(split))))
    for index, lines in zip(others, split, strict=True):
        parts = list(islice(escaped, len(lines)))
        if "" in parts:  # an empty line is a bare ">"
            blocks[index] = "\n".join([f"  > {part}" if part else "  >" for part in parts])
        else:
            blocks[index] = "  > " + "\n  > ".join(parts)
    return blocks


def _plain_quotes(quotes: Sequence[str]) -> list[int]:
    """The positions of the ``quotes`` each line of which :func:`md_text` leaves as it
    is: printable, folded (single spaces, none at either end) and holding nothing to
    escape, anywhere or where a line starts. Found with a few searches over each chunk
    of them (see :data:`_CHUNK`) joined by newlines."""
    plain: list[int] = []
    for start, chunk in _chunks(quotes):
        unplain = _unplain(chunk)
        plain += [start + at for at in range(len(chunk)) if at not in unplain]
    return plain


def _unplain(texts: Sequence[str]) -> set[int]:
    """The indices of the ``texts`` (quotes) that are not plain (see :func:`_plain_quotes`)."""
    if not texts:
        return set()
    joined = "\n".join(texts)
    found = holding(texts, _QUOTE_NEEDLES, "\n", joined)
    # A line starts after each newline of the join (a match stands for the character
    # after its newline: offset 1), and at the first text's start. No copy of the join
    # is made.
    found |= found_in(_LINE_START, texts, "\n", joined, offset=1)
    if _LINE_START.match("\n" + texts[0][:1]):
        found.add(0)
    if joined[-1] == " ":
        found.add(len(texts) - 1)
    found.update(
        index
        for index, text in enumerate(texts)
        if not text.isprintable() and not _printable_lines(text)
    )
    return found


def _printable_lines(text: str) -> bool:
    return text.replace("\n", " ").isprintable()


def _reflections(digest: Digest) -> list[str]:
    if not digest.reflections:
        return []
    out = ["## Reflections", ""]
    out += [f"- {words.day_label(r.day)}: {md_text(r.text)}" for r in digest.reflections]
    return [*out, ""]


def _handoffs(digest: Digest) -> list[str]:
    if not digest.handoffs:
        return []
    out = ["## Handed off", ""]
    for h in digest.handoffs:
        parts = [words.day_label(h.day), f"**{md_text(h.team)}**", md_text(h.customer)]
        if h.channel:
            parts.append(md_text(h.channel))
        if h.note:
            parts.append(md_text(h.note))
        parts.append(md_link("source", h.url) or f"question {md_text(h.question_id)}")
        out.append("- " + " · ".join(parts))
    return [*out, ""]
