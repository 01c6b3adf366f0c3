"""The digest as one self-contained HTML file: inline CSS, inline SVG charts (tags over
time, the sentiment mix), no script and no external resource (a Content-Security-Policy
forbids loading any). Every piece of text is escaped; links go only to http(s) URLs.

The structure is the Markdown digest's: the themes that matter first, then the numbers,
then every insight once under its team and primary tag, with its whole quote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial
from html import escape

from cxdaily.insights.charts import sentiment_svg, trend_svg
from cxdaily.insights.cleaning import holding
from cxdaily.insights.model import Change, Digest, DigestInsight
from cxdaily.insights.words import (
    EMPTY_NOTICE,
    THEMES_TITLE,
    day_label,
    generated_line,
    headline_lines,
    insight_columns,
    safe_url,
    shares,
    team_heading,
    theme_team,
)

_HTML_SPECIAL_CHARS = "&<>\"'"
_HTML_SPECIAL = re.compile(f"[{_HTML_SPECIAL_CHARS}]")
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

STYLE = """
:root { color-scheme: light dark; --muted: #5f6b7a; --line: #d5dbe3; --accent: #2f6fde; }
@media (prefers-color-scheme: dark) { :root { --muted: #9aa7b8; --line: #3a4452; } }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; overflow-wrap: break-word; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { border-bottom: 1px solid var(--line); padding-bottom: .2rem; margin-top: 2rem; }
.muted, .meta { color: var(--muted); }
.empty { font-weight: bold; padding: .6rem; border: 1px dashed var(--line); }
table { border-collapse: collapse; margin: .5rem 0; display: block; max-width: 100%;
        overflow-x: auto; }
th, td { border-bottom: 1px solid var(--line); padding: .2rem .8rem; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
ol.insights { padding-left: 1.2rem; }
li.insight { margin: .6rem 0; }
.importance { display: inline-block; min-width: 1.8rem; font-weight: bold; color: var(--accent); }
blockquote { margin: .2rem 0 .2rem .2rem; padding-left: .8rem; border-left: 3px solid var(--line);
             white-space: pre-line; }
ol.themes li { margin: .5rem 0; }
.also { color: var(--muted); }
.note { font-style: italic; }
li.insight p { margin: .15rem 0; }
svg { max-width: 100%; height: auto; }
#charts { overflow-x: auto; }
#charts svg { min-width: 34rem; }  /* narrow screens scroll the charts, never shrink their words */
svg text { font: 11px system-ui, sans-serif; fill: currentColor; }
"""


def h(text: object) -> str:
    """Escaped text for HTML content and attribute values."""
    value = "" if text is None else str(text)
    return escape(value, quote=True) if _HTML_SPECIAL.search(value) else value


def link(label: str, url: str | None, css: str = "source") -> str:
    """An anchor to an http(s) URL, or ``""``."""
    target = safe_url(url)
    if target is None:
        return ""
    return f'<a class="{css}" href="{h(target)}" rel="noopener noreferrer">{h(label)}</a>'


_SOURCE_LINK = partial(link, "source")
_QUOTE = '<blockquote class="quote">{}</blockquote>'
_NOTE = '<p class="note">Note: {}</p>'
_ALSO = ' · <span class="also">also {}</span>'


def render_html(digest: Digest) -> str:
    """The whole digest as a self-contained HTML document."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{h(digest.title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{h(digest.title)}</h1>",
        f'<p class="muted generated">{h(generated_line(digest))}</p>',
    ]
    if digest.empty:
        parts.append(f'<p class="empty">{h(EMPTY_NOTICE)}</p>')
    parts += _themes(digest)
    parts += _headline(digest)
    parts += _charts(digest)
    parts += _change_table("tags", "Tags", "Tag", digest.tags, digest)
    parts += _change_table("teams", "Teams", "Team", digest.teams, digest)
    parts += _change_table("areas", "Areas", "Area", digest.areas, digest)
    parts += _sentiment_table(digest)
    parts += _insights(digest)
    parts += _reflections(digest)
    parts += _handoffs(digest)
    parts += ["</body>", "</html>", ""]  # the last one ends the document with a newline
    return "\n".join(parts)


def _list_section(
    section_id: str, title: str, items: list[str], numbered: str | None = None
) -> list[str]:
    """A section of the page that is a titled list of ``<li>`` items (already HTML);
    ``numbered``: the class of a numbered list (a bulleted one without it)."""
    opening = f'<ol class="{numbered}">' if numbered else "<ul>"
    return [
        f'<section id="{section_id}">',
        f"<h2>{h(title)}</h2>",
        opening,
        *items,
        "</ol>" if numbered else "</ul>",
        "</section>",
    ]


def _headline(digest: Digest) -> list[str]:
    first, *rest = headline_lines(digest)
    items = [f"<li><strong>{h(first)}</strong></li>"] + [f"<li>{h(line)}</li>" for line in rest]
    return _list_section("headline", "At a glance", items)


def _charts(digest: Digest) -> list[str]:
    if not digest.insights:
        return []
    return [
        '<section id="charts">',
        f"<h2>Tags over time (per {h(digest.trend.unit)})</h2>",
        trend_svg(digest.trend),
        "<h2>Sentiment mix</h2>",
        sentiment_svg(digest.sentiment),
        "</section>",
    ]


def _change_table(
    key: str, title: str, column: str, rows: tuple[Change, ...], digest: Digest
) -> list[str]:
    if not rows:
        return []
    body = [
        f'<tr><td>{h(r.name)}</td><td class="num">{r.count}</td>'
        f'<td class="num">{r.previous}</td><td>{h(r.words)}</td></tr>'
        for r in rows
    ]
    return [
        f'<section id="{key}">',
        f"<h2>{h(title)}</h2>",
        "<table>",
        f'<thead><tr><th>{h(column)}</th><th class="num">Insights</th>'
        '<th class="num">Previous</th><th>Change</th></tr></thead>',
        "<tbody>",
        *body,
        "</tbody>",
        "</table>",
        "</section>",
    ]


def _sentiment_table(digest: Digest) -> list[str]:
    previous = {c.name: c.previous for c in digest.sentiment}
    rows = [
        f'<tr><td>{h(name)}</td><td class="num">{count}</td><td class="num">{pct}%</td>'
        f'<td class="num">{previous.get(name, 0)}</td></tr>'
        for name, count, pct in shares(digest.sentiment)
        if count or previous.get(name)
    ]
    if not rows:
        return [
            '<section id="sentiment">',
            "<h2>Sentiment</h2>",
            "<p>No insights in either period.</p>",
            "</section>",
        ]
    return [
        '<section id="sentiment">',
        "<h2>Sentiment</h2>",
        "<table>",
        '<thead><tr><th>Sentiment</th><th class="num">Insights</th><th class="num">Share</th>'
        '<th class="num">Previous</th></tr></thead>',
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
        "</section>",
    ]


def _themes(digest: Digest) -> list[str]:
    if not digest.themes:
        return []
    items = [
        f'<li class="theme" data-key="{h(theme.key)}" data-evidence="{theme.evidence}">'
        f'<strong class="theme-summary">{h(theme.summary)}</strong>'
        f'<p class="meta">{h(theme_team(theme))}</p>'
        + (f'<blockquote class="theme-quote">{h(theme.quote)}</blockquote>' if theme.quote else "")
        + "</li>"
        for theme in digest.themes
    ]
    return _list_section("themes", THEMES_TITLE, items, numbered="themes")


def _insights(digest: Digest) -> list[str]:
    out = ['<section id="insights">', "<h2>Insights</h2>"]
    if not digest.insights:
        return [*out, "<p>No insights in this period.</p>", "</section>"]
    items = iter(_insight_items(digest.ordered))
    for team in digest.groups:
        out.append(f'<section class="team" data-team="{h(team.team)}">')
        out.append(f"<h3>{h(team_heading(team))}</h3>")
        for group in team.tags:
            out.append(f"<h4>{h(group.tag)} ({len(group.insights)})</h4>")
            out.append('<ol class="insights">')
            out += [next(items) for _ in group.insights]
            out.append("</ol>")
        out.append("</section>")
    out.append("</section>")
    return out


def h_texts(texts: Sequence[str]) -> list[str]:
    """``[h(t) for t in texts]``, with one search over them all for those to escape."""
    escaped = list(texts)
    for index in holding(escaped, _HTML_SPECIAL_CHARS):
        escaped[index] = escape(escaped[index], quote=True)
    return escaped


def h_distinct(texts: Sequence[str]) -> list[str]:
    """:func:`h_texts`, each distinct text escaped once (for fields whose values recur:
    channels, days, sentiments, tags)."""
    distinct = list(dict.fromkeys(texts))
    escaped = dict(zip(distinct, h_texts(distinct), strict=True))
    return list(map(escaped.__getitem__, texts))


def _insight_items(insights: Sequence[DigestInsight]) -> list[str]:
    """The ``<li>`` of each insight, in order: their texts escaped field by field, each
    field of every insight in one batch."""
    columns = insight_columns(insights)
    others = list(map(", ".join, columns["other_tags"]))
    links = list(map(_SOURCE_LINK, columns["url"]))
    return [
        f'<li class="insight" data-id="{ident}" data-importance="{importance}">'
        f'<span class="importance">+{importance}</span> '
        f'<strong class="summary">{headline}</strong>'
        f"{_QUOTE.format(quote) if quote else ''}{_NOTE.format(note) if note else ''}"
        f'<p class="meta"><span class="customer">{customer}</span> · '
        f'<span class="channel">{channel}</span> · <span class="day">{day}</span> · '
        f'<span class="sentiment">{sentiment}</span>'
        f"{_ALSO.format(also) if also else ''} · {source or f'question {question_id}'}</p></li>"
        for (
            ident,
            importance,
            headline,
            quote,
            note,
            customer,
            channel,
            day,
            sentiment,
            also,
            source,
            question_id,
        ) in zip(
            h_texts(columns["id"]),
            columns["importance"],
            h_texts(columns["headline"]),
            h_texts(columns["quote"]),
            h_texts(columns["note"]),
            h_texts(columns["customer"]),
            h_distinct(columns["channel"]),
            h_distinct(columns["day_label"]),
            h_distinct(columns["sentiment"]),
            h_distinct(others),
            links,
            h_texts(columns["question_id"]),
            strict=True,
        )
    ]


def _reflections(digest: Digest) -> list[str]:
    if not digest.reflections:
        return []
    items = [
        f'<li><span class="day">{h(day_label(r.day))}</span>: '
        f'<span class="reflection">{h(r.text)}</span></li>'
        for r in digest.reflections
    ]
    return _list_section("reflections", "Reflections", items)


def _handoffs(digest: Digest) -> list[str]:
    if not digest.handoffs:
        return []
    items = []
    for ho in digest.handoffs:
        fields = [
            f'<span class="day">{h(day_label(ho.day))}</span>',
            f'<strong class="team">{h(ho.team)}</strong>',
            f'<span class="customer">{h(ho.customer)}</span>',
        ]
        if ho.channel:
            fields.append(f'<span class="channel">{h(ho.channel)}</span>')
        if ho.note:
            fields.append(f'<span class="note">{h(ho.note)}</span>')
        fields.append(link("source", ho.url) or f"question {h(ho.question_id)}")
        items.append(f'<li class="handoff">{" · ".join(fields)}</li>')
    return _list_section("handoffs", "Handed off", items)
