"""Every format round-trips through a parser: Markdown (markdown-it, CommonMark with
tables), HTML (html.parser), CSV (csv), JSON and notes (the shipped schemas)."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from cxdaily.core.models import Action, Disposition, Session
from cxdaily.insights.build import build_digest
from cxdaily.insights.model import HandoffSource
from cxdaily.insights.render_csv import COLUMNS, TAG_SEPARATOR, render_csv
from cxdaily.insights.render_html import render_html
from cxdaily.insights.render_json import load_schema, render_json, render_notes
from cxdaily.insights.render_md import md_text, render_markdown
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
    """The plain text a renderer shows for an inline token."""
    return "".join(
        child.content for child in token.children or () if child.type in ("text", "code_inline")
    )


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
        "At a glance",
        "Tags",
        "Teams",
        "Sentiment",
        "Insights",
        "Reflections",
        "Handed off",
    ]
    assert [text for tag, text in headings if tag == "h3"] == [
        "Product (2)",
        "Marketing (1)",
        "Unassigned (1)",
    ]
    assert [text for tag, text in headings if tag == "h4"][:3] == [
        "=cmd|' /C calc'!A0 (1)",  # literal, not a table cell break
        "billing (1)",
        "churn risk (1)",
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


def test_markdown_customer_text_reads_back_literally():
    digest = sample_digest()
    tokens = md_tokens(render_markdown(digest))
    texts = [inline_text(tok) for tok in tokens if tok.type == "inline"]
    quote = " ".join(digest.insights[0].quote.split())
    assert quote in texts  # the whole quote is one paragraph of plain text
    reflection = next(t for t in texts if t.startswith("17 Nov 2026: "))
    assert reflection == f"17 Nov 2026: Think {TRICKY}"
    items = [tok for tok in tokens if tok.type == "list_item_open"]
    insight_lines = sum(len(g.insights) for team in digest.groups for g in team.tags)
    assert len(items) == 6 + insight_lines + 1 + 1  # headline, insights, reflection, hand-off


@pytest.mark.parametrize("text", [TRICKY, "-x", "+x", "> x", "# x", "12) x", "a  b\nc"])
def test_md_text_is_read_back_as_the_same_text(text):
    tokens = md_tokens(f"- {md_text(text)}\n")
    inline = next(tok for tok in tokens if tok.type == "inline")
    assert inline_text(inline) == " ".join(text.split())


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
    assert hrefs.count("https://acme.example/tickets/1?a=(b)&c=d") == 2  # under both tags
    insights = [a for t, a in page.tags if t == "li" and "insight" in (a.get("class") or "")]
    assert {a["data-id"] for a in insights} == {i.id for i in digest.insights}


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
    assert len(rows) == 1 + len(digest.insights)
    records = [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]
    first = records[0]
    source = digest.insights[0]
    assert first["quote"] == source.quote  # newlines and quotes survive
    assert first["tags"].split(TAG_SEPARATOR) == list(source.tags)
    assert int(first["importance"]) == 3 and first["created_at"] == "2026-11-17T10:00:00Z"
    assert first["day"] == "2026-11-17" and first["url"] == source.url
    formula = next(r for r in records if r["summary"].endswith("-2+3"))
    assert formula["summary"] == "'-2+3" and formula["quote"] == "'@SUM(1)"
    assert formula["tags"].startswith("'=")  # a spreadsheet shows text, never runs it


def test_an_empty_digest_in_csv_is_just_the_header():
    assert render_csv(build_digest([], WEEK, now=NOW)) == ",".join(COLUMNS) + "\r\n"


# ----------------------------------------------------------------------------- JSON
def test_json_matches_its_schema_and_the_digest():
    digest = sample_digest()
    data = json.loads(render_json(digest))
    assert validate(data, load_schema("digest")) == []
    assert data["headline"]["insights"] == 4 and data["headline"]["previous_insights"] == 1
    assert [i["id"] for i in data["insights"]] == [i.id for i in digest.insights]
    ids = {i["id"] for i in data["insights"]}
    assert {x for g in data["groups"] for t in g["tags"] for x in t["insight_ids"]} == ids
    assert data["period"]["since"] == "2026-11-16T00:00:00Z"
    assert data["insights"][0]["quote"] == digest.insights[0].quote


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
    assert len(notes) == len(digest.insights)
    first = notes[0]
    assert first["title"] == "Charged after cancelling | twice"
    assert first["source_url"] == "https://acme.example/tickets/1?a=(b)&c=d"
    assert first["tags"] == ["billing", "churn risk"]
    assert digest.insights[0].quote in first["content"]
    assert "Leader's note: Refund <today>" in first["content"]
    unsafe = next(n for n in notes if n["source"]["record_id"] == digest.insights[-1].id)
    assert unsafe["source_url"] is None or unsafe["source_url"].startswith("http")
    assert all(n["source_url"] != "javascript:alert(1)" for n in notes)


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
