"""Every format round-trips through a parser: Markdown (markdown-it, CommonMark with
tables), HTML (html.parser), CSV (csv), JSON and notes (the shipped schemas); each shows
the themes first and every insight exactly once, with whole quotes and inert customer
text."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from cxdaily.core.models import Action, Disposition, Session
from cxdaily.insights.build import build_digest
from cxdaily.insights.model import HandoffSource
from cxdaily.insights.render_csv import COLUMNS, TAG_SEPARATOR, render_csv
from cxdaily.insights.render_html import render_html
from cxdaily.insights.render_json import (
    DIGEST_SCHEMA_ID,
    DIGEST_SCHEMA_VERSION,
    load_schema,
    render_json,
    render_notes,
)
from cxdaily.insights.render_md import md_text, render_markdown
from cxdaily.insights.words import shares
from tests.unit.insights.digest_kit import at, insight, period, validate

WEEK = period("2026-11-16 00:00", "2026-11-23 00:00")
NOW = at("2026-11-23 08:00")
TRICKY = (
    "*bold* _it_ [link](javascript:alert(1)) <script>alert(1)</script> a|b `code` "
    "# not a heading &amp; \\ back ~strike~ 1. item"
)


def sample_digest():
    items = [
        insight(
            "2026-11-17 10:00",
            tags=("billing", "churn risk"),
            team="product",
            importance=3,
            summary="Charged after cancelling | twice",
            quote=f"Line one\nLine two {TRICKY}",
            note="Refund <today>",
            url="https://acme.example/tickets/1?a=(b)&c=d",
        ),
        insight("2026-11-18 10:00", tags=("praise",), team="marketing", sentiment="positive"),
        insight("2026-11-19 10:00", tags=("bug",), team=None, url="javascript:alert(1)"),
        insight("2026-11-20 10:00", tags=("=cmd|' /C calc'!A0",), summary="-2+3", quote="@SUM(1)"),
    ]
    before = [insight("2026-11-10 10:00", tags=("billing",))]
    sessions = [Session("s1", at("2026-11-17 08:00"), 1800, (), reflection=f"Think {TRICKY}")]
    handoff = HandoffSource(
        Action("acme:9", Disposition.HANDED_OFF, at("2026-11-18 11:00"), team="support", note="x"),
        None,
    )
    return build_digest(
        items, WEEK, now=NOW, previous=before, sessions=sessions, handoffs=[handoff]
    )


# ----------------------------------------------------------------------------- Markdown
def md_tokens(text: str):
    return MarkdownIt("commonmark").enable("table").parse(text)


def inline_text(token) -> str:
    """The plain text a renderer shows for an inline token (a soft line break as ``\n``)."""
    return "".join(
        "\n" if child.type == "softbreak" else child.content
        for child in token.children or ()
        if child.type in ("text", "code_inline", "softbreak")
    )


def section(tokens, title: str) -> list:
    """The tokens under the level-2 heading ``title``, up to the next one."""
    start = next(
        i
        for i, tok in enumerate(tokens)
        if tok.type == "heading_open" and tok.tag == "h2" and inline_text(tokens[i + 1]) == title
    )
    end = next(
        (i for i in range(start + 3, len(tokens)) if tokens[i].type == "heading_open"
         and tokens[i].tag == "h2"),
        len(tokens),
    )  # fmt: skip
    return tokens[start + 3 : end]


def blockquotes(tokens) -> list[str]:
    """The text of every block quote (its lines joined by newlines)."""
    found, depth, lines = [], 0, []
    for tok in tokens:
        if tok.type == "blockquote_open":
            depth, lines = depth + 1, []
        elif tok.type == "blockquote_close":
            depth -= 1
            found.append("\n".join(lines))
        elif depth and tok.type == "inline":
            lines.append(inline_text(tok))
    return found


def test_markdown_structure_round_trips():
    digest = sample_digest()
    tokens = md_tokens(render_markdown(digest))
    headings = [
        (tok.tag, inline_text(tokens[i + 1]))
        for i, tok in enumerate(tokens)
        if tok.type == "heading_open"
    ]
    assert headings[0][0] == "h1" and headings[0][1] == digest.title
    h2 = [text for tag, text in headings if tag == "h2"]
    assert h2 == [
        "What matters",
        "At a glance",
        "Tags",
        "Teams",
        "Sentiment",
        "Insights",
        "Reflections",
        "Handed off",
    ]
    assert [text for tag, text in headings if tag == "h3"] == [
        "Product (2)",  # the team with the +3 first
        "Marketing (1)",
        "Unassigned (1)",
    ]
    assert [text for tag, text in headings if tag == "h4"] == [
        "billing (1)",  # each insight under its primary tag only
        "=cmd|' /c calc'!a0 (1)",  # literal, not a table cell break
        "praise (1)",
        "bug (1)",
    ]
    # Tables: every row has as many cells as the header.
    rows, cells = 0, 0
    for tok in tokens:
        if tok.type == "tr_open":
            rows += 1
        if tok.type in ("th_open", "td_open"):
            cells += 1
    assert rows and cells == rows * 4
    # Links go only to the http(s) sources, never to javascript:.
    hrefs = [
        child.attrs.get("href")
        for tok in tokens
        if tok.type == "inline"
        for child in tok.children or ()
        if child.type == "link_open"
    ]
    assert "https://acme.example/tickets/1?a=%28b%29&c=d" in hrefs
    assert all(h.startswith("https://") for h in hrefs)
    assert not [tok for tok in tokens if tok.type in ("html_inline", "html_block")]


def test_markdown_opens_with_the_themes_each_with_its_whole_quote():
    digest = sample_digest()
    themes = section(md_tokens(render_markdown(digest)), "What matters")
    items = [tok for tok in themes if tok.type == "list_item_open"]
    assert len(items) == len(digest.themes) == 3
    texts = [inline_text(tok) for tok in themes if tok.type == "inline"]
    summaries = [t.split("\n")[0] for t in texts if "\nTeam: " in t]
    assert summaries == [theme.summary for theme in digest.themes]
    assert blockquotes(themes) == [theme.quote for theme in digest.themes]
    assert digest.themes[0].quote.endswith(TRICKY)  # the hostile quote, read back literally


def test_markdown_shows_each_insight_once_with_its_whole_quote():
    digest = sample_digest()
    insights = section(md_tokens(render_markdown(digest)), "Insights")
    heads = [
        inline_text(tok)
        for tok in insights
        if tok.type == "inline" and inline_text(tok).startswith("+")
    ]
    assert len(heads) == len(digest.insights) == 4
    links = [
        child.attrs["href"]
        for tok in insights
        if tok.type == "inline"
        for child in tok.children or ()
        if child.type == "link_open"
    ]
    for item in digest.insights:  # each found once, by its link or its question id
        if item.url and item.url.startswith("https://"):
            assert links.count(item.url.replace("(", "%28").replace(")", "%29")) == 1
        else:
            assert sum(f"question {item.question_id}" in h for h in heads) == 1
    assert blockquotes(insights) == [i.quote for i in digest.ordered]
    first = next(h for h in heads if h.startswith("+3"))
    assert "also churn risk" in first  # the other tags beside it


def test_markdown_customer_text_reads_back_literally():
    digest = sample_digest()
    tokens = md_tokens(render_markdown(digest))
    texts = [inline_text(tok) for tok in tokens if tok.type == "inline"]
    reflection = next(t for t in texts if t.startswith("17 Nov 2026: "))
    assert reflection == f"17 Nov 2026: Think {TRICKY}"
    assert digest.insights[0].quote in blockquotes(tokens)
    items = [tok for tok in tokens if tok.type == "list_item_open"]
    # themes, headline, each insight once, the reflection, the hand-off
    assert len(items) == len(digest.themes) + 6 + len(digest.insights) + 1 + 1


@pytest.mark.parametrize(
    "text",
    [TRICKY, "-x", "+x", "> x", "# x", "12) x", "a  b\nc", "go to https://evil.example/a?b=1",
     "HTTPS://x.example and www.evil.example"],
)  # fmt: skip
def test_md_text_is_read_back_as_the_same_text(text):
    tokens = md_tokens(f"- {md_text(text)}\n")
    inline = next(tok for tok in tokens if tok.type == "inline")
    assert inline_text(inline) == " ".join(text.split())


def test_a_bare_url_from_a_customer_makes_no_link_in_flavoured_markdown():
    """GitHub-flavoured Markdown (GitHub, GitLab, Linear) links bare URLs; a backslash
    before the scheme's colon, or after www, keeps them text (checked with cmark-gfm)."""
    assert md_text("reset at https://evil.example/login") == "reset at https\\://evil.example/login"
    assert md_text("or FTP://x.example, www.evil.example") == (
        "or FTP\\://x.example, www\\.evil.example"
    )
    quote = "Log in at https://evil.example/login\nor www.e.example"
    digest = build_digest([insight("2026-11-17 10:00", quote=quote)], WEEK, now=NOW)
    text = render_markdown(digest)
    assert "https\\://evil.example/login" in text and "www\\.e.example" in text
    assert "https://evil.example" not in text and " www.e.example" not in text


def test_an_empty_digest_in_markdown_says_so():
    text = render_markdown(build_digest([], WEEK, now=NOW))
    assert "No insights, reflections or hand-offs in this period." in text
    assert "No insights in this period." in text
    md_tokens(text)


# ----------------------------------------------------------------------------- HTML
class Collector(HTMLParser):
    """Tags, attributes, the text inside each class, and what could load a resource."""

    VOID = {"meta", "br", "img", "link", "input", "hr", "rect", "line", "circle", "polyline"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.text_by_class: dict[str, list[str]] = {}
        self._classes: list[list[str]] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag in ("script", "iframe", "object", "embed", "img", "link"):
            self.problems.append(f"<{tag}>")
        for name, value in attributes.items():
            if name in ("src", "srcset") or (name == "href" and tag != "a"):
                self.problems.append(f"{tag} {name}={value}")
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}")
        if tag == "a" and not attributes.get("href", "").startswith(("https://", "http://")):
            self.problems.append(f"a href={attributes.get('href')}")
        if tag not in self.VOID:
            self.stack.append(tag)
            self._classes.append((attributes.get("class") or "").split())

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()
        self._classes.pop()

    def handle_data(self, data):
        for classes in self._classes:
            for name in classes:
                self.text_by_class.setdefault(name, []).append(data)


def parse_html(text: str) -> Collector:
    collector = Collector()
    collector.feed(text)
    collector.close()
    assert collector.stack == [], collector.stack
    return collector


def test_html_is_well_formed_self_contained_and_escaped():
    digest = sample_digest()
    text = render_html(digest)
    page = parse_html(text)
    assert page.problems == []
    assert "url(" not in text and "@import" not in text
    csp = next(a for t, a in page.tags if t == "meta" and a.get("http-equiv"))
    assert "default-src 'none'" in csp["content"]
    quotes = ["".join(parts) for parts in [page.text_by_class["quote"]]]
    assert digest.insights[0].quote in quotes[0]  # unescapes to the very same text
    assert "<script>" not in text and "&lt;script&gt;" in text
    summaries = page.text_by_class["summary"]
    assert "Charged after cancelling | twice" in summaries
    assert [t for t, _ in page.tags].count("svg") == 2  # tags over time, sentiment
    series = [a["data-tag"] for t, a in page.tags if t == "polyline"]
    assert series == list(digest.trend.tags)
    hrefs = [a["href"] for t, a in page.tags if t == "a"]
    assert hrefs.count("https://acme.example/tickets/1?a=(b)&c=d") == 1  # listed once
    insights = [a for t, a in page.tags if t == "li" and "insight" in (a.get("class") or "")]
    assert Counter(a["data-id"] for a in insights) == Counter(i.id for i in digest.ordered)
    assert [a["data-id"] for a in insights] == [i.id for i in digest.ordered]
    assert page.text_by_class["quote"] == [i.quote for i in digest.ordered]  # whole


def test_html_opens_with_the_themes():
    digest = sample_digest()
    page = parse_html(render_html(digest))
    sections = [a.get("id") for t, a in page.tags if t == "section" and a.get("id")]
    assert sections[:2] == ["themes", "headline"]
    keys = [a["data-key"] for t, a in page.tags if t == "li" and a.get("class") == "theme"]
    assert keys == [theme.key for theme in digest.themes]
    assert page.text_by_class["theme-summary"] == [theme.summary for theme in digest.themes]
    assert page.text_by_class["theme-quote"] == [theme.quote for theme in digest.themes]
    assert "churn risk" in "".join(page.text_by_class["also"])


def test_an_empty_digest_in_html_says_so():
    page = parse_html(render_html(build_digest([], WEEK, now=NOW)))
    assert "No insights, reflections or hand-offs in this period." in "".join(
        page.text_by_class["empty"]
    )


# ----------------------------------------------------------------------------- CSV
def test_csv_reads_back_one_row_per_insight():
    digest = sample_digest()
    rows = list(csv.reader(io.StringIO(render_csv(digest), newline="")))
    assert tuple(rows[0]) == COLUMNS
    records = [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]
    assert [r["id"] for r in records] == [i.id for i in digest.ordered]  # each once, in order
    first = records[0]
    source = digest.ordered[0]
    assert first["quote"] == source.quote  # whole: newlines and quotes survive
    assert first["tags"].split(TAG_SEPARATOR) == list(source.tags)
    assert (first["primary_tag"], first["other_tags"]) == ("billing", "churn risk")
    assert (first["theme_rank"], first["theme"]) == ("1", "Billing")
    assert int(first["importance"]) == 3 and first["created_at"] == "2026-11-17T10:00:00Z"
    assert first["day"] == "2026-11-17" and first["url"] == source.url
    ranked = {r["id"]: r["theme_rank"] for r in records}
    for rank, theme in enumerate(digest.themes, 1):
        assert [i for i, r in ranked.items() if r == str(rank)] == list(theme.insight_ids)
    assert [r["theme"] for r in records if r["primary_tag"] == "praise"] == [""]  # in no theme
    formula = next(r for r in records if r["summary"].endswith("-2+3"))
    assert formula["summary"] == "'-2+3" and formula["quote"] == "'@SUM(1)"
    assert formula["tags"].startswith("'=")  # a spreadsheet shows text, never runs it
    assert formula["theme"].startswith("'=") and formula["primary_tag"].startswith("'=")


def test_an_empty_digest_in_csv_is_just_the_header():
    assert render_csv(build_digest([], WEEK, now=NOW)) == ",".join(COLUMNS) + "\r\n"


# ----------------------------------------------------------------------------- JSON
def test_json_matches_its_schema_and_the_digest():
    digest = sample_digest()
    data = json.loads(render_json(digest))
    assert validate(data, load_schema("digest")) == []
    assert (data["schema"], data["schema_version"]) == (DIGEST_SCHEMA_ID, DIGEST_SCHEMA_VERSION)
    assert load_schema("digest")["$id"] == DIGEST_SCHEMA_ID
    assert data["headline"]["insights"] == 4 and data["headline"]["previous_insights"] == 1
    assert [i["id"] for i in data["insights"]] == [i.id for i in digest.ordered]
    grouped = [x for g in data["groups"] for t in g["tags"] for x in t["insight_ids"]]
    assert grouped == [i.id for i in digest.ordered]  # each insight exactly once
    assert [g["top_importance"] for g in data["groups"]] == [3, 1, 1]
    assert data["period"]["since"] == "2026-11-16T00:00:00Z"
    assert data["insights"][0]["quote"] == digest.ordered[0].quote
    assert data["insights"][0]["primary_tag"] == "billing"
    assert data["insights"][0]["other_tags"] == ["churn risk"]
    themes = data["themes"]
    assert [(t["rank"], t["key"]) for t in themes] == [
        (n, theme.key) for n, theme in enumerate(digest.themes, 1)
    ]
    assert themes[0]["quote"] == digest.themes[0].quote and themes[0]["evidence"] == 1
    by_id = {i["id"]: i for i in data["insights"]}
    for theme in themes:
        assert {by_id[x]["theme"] for x in theme["insight_ids"]} == {theme["key"]}
    assert data["tags"] and data["trend"]["buckets"]  # trends against the previous period stay


def test_an_empty_digest_in_json_is_valid():
    data = json.loads(render_json(build_digest([], WEEK, now=NOW)))
    assert validate(data, load_schema("digest")) == []
    assert data["empty"] is True and data["insights"] == []


def test_the_schema_checker_finds_violations():
    data = json.loads(render_json(sample_digest()))
    data["insights"][0]["importance"] = 7
    data["headline"]["extra"] = 1
    del data["period"]["since"]
    problems = validate(data, load_schema("digest"))
    assert len(problems) == 3, problems


def test_notes_match_their_schema():
    digest = sample_digest()
    notes = json.loads(render_notes(digest))
    assert validate(notes, load_schema("notes")) == []
    assert [n["source"]["record_id"] for n in notes] == [i.id for i in digest.ordered]
    first = notes[0]
    assert first["title"] == "Charged after cancelling | twice"
    assert first["source_url"] == "https://acme.example/tickets/1?a=(b)&c=d"
    assert first["tags"] == ["billing", "churn risk"] and first["primary_tag"] == "billing"
    assert first["theme"] == {"key": "tag:billing", "title": "Billing", "rank": 1}
    assert digest.ordered[0].quote in first["content"]
    assert "Leader's note: Refund <today>" in first["content"]
    assert next(n for n in notes if n["primary_tag"] == "praise")["theme"] is None
    assert all(n["source_url"] != "javascript:alert(1)" for n in notes)


def test_a_long_note_title_is_cut_between_sentences():
    long_summary = "First sentence is here. " + "Second sentence goes on and on " * 6 + "end."
    item = insight("2026-11-17 10:00", summary="", quote=long_summary)
    notes = json.loads(render_notes(build_digest([item], WEEK, now=NOW)))
    assert notes[0]["title"] == "First sentence is here. …"
    assert long_summary in notes[0]["content"]


def test_schemas_are_documented():
    for name in ("digest", "notes"):
        schema = load_schema(name)
        assert schema["$schema"].endswith("2020-12/schema") and schema["description"]
        stack = [schema]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if "properties" in node:
                    for key, sub in node["properties"].items():
                        assert "description" in sub or "$ref" in sub, (name, key)
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)


# ----------------------------------------------------------------------------- hostile tags
HOSTILE_TAGS = ("\x1b[2Jbilling", "\u202eevil", "ok\x07\x9b31m")


@pytest.mark.parametrize("render", [render_markdown, render_html, render_csv, render_json,
                                    render_notes])  # fmt: skip
def test_a_stored_tag_with_control_characters_is_shown_clean_in_every_format(render):
    """Tags stored before they were cleaned on entry (or written by another tool) carry
    no escape sequence, control or bidirectional character into any export: not in the
    insights, nor in the tag tables, charts and trends."""
    items = [insight("2026-11-17 10:00", tags=HOSTILE_TAGS), insight("2026-11-18 10:00")]
    before = [insight("2026-11-10 10:00", tags=HOSTILE_TAGS)]
    digest = build_digest(items, WEEK, now=NOW, previous=before)
    assert {c.name for c in digest.tags} == {"billing", "evil", "ok", "bug"}
    assert {c.name: c.previous for c in digest.tags}["evil"] == 1
    text = render(digest)
    for ch in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert ch not in text, (render.__name__, ascii(ch))
    assert "billing" in text and "evil" in text


def _luminance(colour: str) -> float:
    """Relative luminance of a #rgb or #rrggbb colour (WCAG 2)."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_sentiment_shares_are_readable_on_every_segment():
    """Each share printed on a sentiment segment contrasts with it at 3:1 or more (white
    on the light grey of 'unknown' could not be read)."""
    import re

    from cxdaily.insights.charts import sentiment_svg
    from cxdaily.insights.model import Change

    names = ("negative", "neutral", "positive", "unknown")
    svg = sentiment_svg(tuple(Change(name, 25, 25) for name in names))
    segments = re.findall(r'data-sentiment="(\w+)"[^>]*fill="(#\w+)"', svg)
    labels = re.findall(r'style="fill:(#\w+)">\d+%</text>', svg)
    assert [name for name, _ in segments] == [*names, *names]
    assert len(labels) == len(segments)
    for (name, background), text in zip(segments, labels, strict=True):
        light, dark = sorted((_luminance(background), _luminance(text)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 3, (name, background, text)


def test_sentiment_chart_shows_the_shares_the_words_give():
    """The chart's shares are the digest's own (adding up to 100), not each one rounded on
    its own: 22/23/26/22 of 93 reads 24/25/28/23 in the words and in the chart."""
    import re

    from cxdaily.insights.charts import sentiment_svg
    from cxdaily.insights.model import Change
    from cxdaily.insights.words import sentiment_words

    counts = {"negative": 22, "neutral": 23, "positive": 26, "unknown": 22}
    mix = tuple(Change(name, count, count) for name, count in counts.items())
    words = sentiment_words(mix)
    assert words == "24% negative · 25% neutral · 28% positive · 23% unknown"
    svg = sentiment_svg(mix)
    shown = [int(p) for p in re.findall(r">(\d+)%</text>", svg)]
    assert shown == [24, 25, 28, 23] * 2  # this period, then the previous one
    titles = re.findall(r"<title>(\w+): (\d+) \((\d+)%\)</title>", svg)
    assert [(n, int(c), int(p)) for n, c, p in titles[:4]] == [
        ("negative", 22, 24),
        ("neutral", 23, 25),
        ("positive", 26, 28),
        ("unknown", 22, 23),
    ]


def test_every_format_gives_a_link_only_where_every_other_does():
    """A URL with user info (or no http(s)) is no link in md, html and notes, and was
    kept as data in json and csv; a backslash at a link's end escaped its closing
    parenthesis in Markdown, so no link was rendered."""
    items = [
        insight("2026-11-17 10:00", url="https://user:p***@x.example/a"),
        insight("2026-11-18 10:00", url="javascript:alert(1)"),
        insight("2026-11-19 10:00", url="https://x.example/a\\"),
    ]
    digest = build_digest(items, WEEK, now=NOW)
    by_id = {i.id: i for i in items}
    data = json.loads(render_json(digest))
    json_urls = {i["id"]: i["url"] for i in data["insights"]}
    rows = list(csv.DictReader(io.StringIO(render_csv(digest))))
    csv_urls = {row["id"]: row["url"] for row in rows}
    for insight_id, item in by_id.items():
        expected = None if "@" in item.url or item.url.startswith("javascript") else item.url
        assert json_urls[insight_id] == expected
        assert csv_urls[insight_id] == (expected or "")
    tokens = MarkdownIt().parse(render_markdown(digest))
    hrefs = [
        dict(child.attrs).get("href")
        for token in tokens
        if token.children
        for child in token.children
        if child.type == "link_open"
    ]
    assert hrefs == ["https://x.example/a%5C"]


def test_the_negative_share_is_the_same_in_every_format():
    """1 negative, 1 neutral, 1 positive: the words said 34% negative, the JSON 33."""
    items = [
        insight("2026-11-17 10:00", sentiment="negative"),
        insight("2026-11-18 10:00", sentiment="neutral"),
        insight("2026-11-19 10:00", sentiment="positive"),
    ]
    digest = build_digest(items, WEEK, now=NOW)
    words_share = next(p for n, _, p in shares(digest.sentiment) if n == "negative")
    assert digest.headline.negative_percent == words_share == 34
    assert json.loads(render_json(digest))["headline"]["negative_percent"] == 34
    assert "34% negative" in render_markdown(digest)


def test_a_long_word_wraps_and_narrow_screens_scroll_tables_and_charts():
    """A word too long for the line breaks; other words break only between them (at
    400 px cells read "Insig|hts"), and tables and charts scroll sideways rather than
    shrink their words to nothing."""
    page = render_html(build_digest([], WEEK, now=NOW))
    assert "overflow-wrap: break-word" in page and "anywhere" not in page
    assert "overflow-x: auto" in page.split("table {", 1)[1].split("}", 1)[0]
    assert "#charts svg { min-width: 34rem; }" in page
