"""The digest as Markdown (CommonMark with GitHub tables), to paste into a wiki or a chat.

Customer text is escaped so that it is read as text, never as Markdown: no link, image,
HTML tag, table cell break or heading can come from a customer. Links back to the source
are written only for http(s) URLs.
"""

from __future__ import annotations

import re

from cxdaily.insights.cleaning import line
from cxdaily.insights.model import Change, Digest, DigestInsight
from cxdaily.insights.words import (
    EMPTY_NOTICE,
    day_label,
    generated_line,
    headline_lines,
    safe_url,
    shares,
)

_SPECIAL_CHARS = "\\`*_[]<>|~"
_SPECIAL = re.compile(r"[\\`*_\[\]<>|~]")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LIST_NUMBER = re.compile(r"^(\d+)([.)])")


def md_text(text: object) -> str:
    """One line of literal text: every character Markdown could act on is escaped
    (``#`` and list markers only where they would start a block)."""
    return _escape(text, every_hash=False)


def md_heading(text: object) -> str:
    """Text for a heading: as :func:`md_text`, with every ``#`` escaped as well (a
    trailing ``#`` would otherwise close the heading)."""
    return _escape(text, every_hash=True)


def _escape(text: object, *, every_hash: bool) -> str:
    escaped = line(text)
    if _SPECIAL.search(escaped):
        for ch in _SPECIAL_CHARS:  # the backslash first; str.replace beats str.translate
            if ch in escaped:
                escaped = escaped.replace(ch, "\\" + ch)
    if "&" in escaped:
        escaped = _ENTITY.sub(r"\\&", escaped)
    if every_hash:
        escaped = escaped.replace("#", "\\#")
    elif escaped[:1] == "#":
        escaped = "\\" + escaped
    if escaped[:1] in ("-", "+", "=", ">"):
        return "\\" + escaped
    if escaped[:1].isdigit():
        return _LIST_NUMBER.sub(r"\1\\\2", escaped)
    return escaped


def md_link(label: str, url: str | None) -> str:
    """``[label](url)`` for an http(s) URL (parentheses and spaces encoded), else ``""``."""
    target = safe_url(url)
    if target is None:
        return ""
    for ch, code in (("(", "%28"), (")", "%29"), (" ", "%20"), ("<", "%3C"), (">", "%3E")):
        target = target.replace(ch, code)
    return f"[{md_text(label)}]({target})"


def render_markdown(digest: Digest) -> str:
    """The whole digest as a Markdown document."""
    out: list[str] = [f"# {md_heading(digest.title)}", "", md_text(generated_line(digest)), ""]
    if digest.empty:
        out += [f"**{md_text(EMPTY_NOTICE)}**", ""]
    out += ["## At a glance", ""]
    first, *rest = headline_lines(digest)
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
    return "\n".join(out).rstrip() + "\n"


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
        for name, count, percent in shares(digest.sentiment)
        if count or previous.get(name)
    ]
    if not rows:
        return ["## Sentiment", "", "No insights in either period.", ""]
    header = ["| Sentiment | Insights | Share | Previous |", "| --- | ---: | ---: | ---: |"]
    return ["## Sentiment", "", *header, *rows, ""]


def _insights(digest: Digest) -> list[str]:
    out = ["## Insights", ""]
    if not digest.insights:
        return [*out, "No insights in this period.", ""]
    rendered: dict[str, str] = {}  # an insight with several tags is listed once per tag
    for team in digest.groups:
        out += [f"### {md_heading(team.team.capitalize())} ({team.count})", ""]
        for group in team.tags:
            out += [f"#### {md_heading(group.tag)} ({len(group.insights)})", ""]
            for insight in group.insights:
                if insight.id not in rendered:
                    rendered[insight.id] = "\n".join(_insight(insight))
                out.append(rendered[insight.id])
            out.append("")
    return out


def _insight(insight: DigestInsight) -> list[str]:
    meta = md_text(
        f"{insight.customer} · {insight.channel} · {day_label(insight.day)} · {insight.sentiment}"
    )
    source = md_link("source", insight.url) or f"question {md_text(insight.question_id)}"
    lines = [f"- **+{insight.importance} · {md_text(insight.headline)}** · {meta} · {source}"]
    if insight.note:  # before the quote: a line after a quote would continue the quote
        lines.append(f"  *Note:* {md_text(insight.note)}")
    if insight.quote:
        lines.append(f"  > {md_text(insight.quote)}")
    return lines


def _reflections(digest: Digest) -> list[str]:
    if not digest.reflections:
        return []
    out = ["## Reflections", ""]
    out += [f"- {day_label(r.day)}: {md_text(r.text)}" for r in digest.reflections]
    return [*out, ""]


def _handoffs(digest: Digest) -> list[str]:
    if not digest.handoffs:
        return []
    out = ["## Handed off", ""]
    for h in digest.handoffs:
        parts = [day_label(h.day), f"**{md_text(h.team)}**", md_text(h.customer)]
        if h.channel:
            parts.append(md_text(h.channel))
        if h.note:
            parts.append(md_text(h.note))
        parts.append(md_link("source", h.url) or f"question {md_text(h.question_id)}")
        out.append("- " + " · ".join(parts))
    return [*out, ""]
