"""The tracker payloads as pure data, without a network: a Productboard v2 note, a Linear
description and comment in escaped Markdown, Jira's ADF built from text nodes only, and
the theme reference that finds an issue again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from cxdaily.insights.build import build_digest
from cxdaily.insights.delivery.adf import document, jira_comment, jira_description, text
from cxdaily.insights.delivery.trackers import (
    has_optional_parts,
    linear_comment,
    linear_description,
    new_evidence,
    productboard_note,
    theme_reference,
)
from cxdaily.insights.model import Digest
from cxdaily.insights.redact import Redaction
from tests.unit.insights.digest_kit import at, insight, period

ADDRESS = "jane.doe@example.com"
HOSTILE_MD = "# heading [x](javascript:alert(1)) ![i](https://evil.example/i.png) <b>hi</b>"


def digest(redact: bool = True, **fields: Any) -> Digest:
    insights = [
        insight(
            "2026-11-16 10:00",
            tags=("billing",),
            summary=HOSTILE_MD,
            quote="line one\n> line two",
            customer_handle=ADDRESS,
            url="javascript:alert(1)",
            **fields,
        ),
        insight("2026-11-17 10:00", tags=("billing",), summary="Refund took weeks"),
    ]
    return build_digest(
        insights,
        period("2026-11-13 00:00", "2026-11-20 00:00"),
        now=at("2026-11-21 12:00"),
        redaction=Redaction(enabled=redact),
    )


def hostile(built: Digest):
    return next(i for i in built.insights if i.summary.startswith("# heading"))


def walk(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for child in node.get("content", []):
            yield from walk(child)


def test_a_note_escapes_html_and_links_only_web_addresses():
    built = digest()
    note = productboard_note(hostile(built), built)["data"]
    content = note["fields"]["content"]
    assert "<b>hi</b>" not in content and "&lt;b&gt;hi&lt;/b&gt;" in content
    assert 'href="javascript' not in content and "url" not in note["metadata"]["source"]
    assert "relationships" not in note and ADDRESS not in json.dumps(note)


def test_a_note_is_a_v2_text_note_whose_source_finds_it_again():
    built = digest()
    other = next(i for i in built.insights if i != hostile(built))
    body = productboard_note(other, built)
    assert set(body) == {"data"} and body["data"]["type"] == "textNote"
    assert body["data"]["fields"]["name"] == "Refund took weeks"
    assert body["data"]["fields"]["tags"] == [{"name": "billing"}]
    assert body["data"]["metadata"] == {
        "source": {"system": "cxdaily", "recordId": other.id, "url": other.url}
    }
    assert has_optional_parts(body)
    bare = productboard_note(other, built, optional_parts=False)
    assert "tags" not in bare["data"]["fields"] and not has_optional_parts(bare)
    assert "Tags: billing" in bare["data"]["fields"]["content"]


def test_the_customer_needs_redaction_off_and_a_handle_that_is_an_address():
    plain = digest(redact=False)
    other = next(i for i in plain.insights if i != hostile(plain))
    attributed = productboard_note(hostile(plain), plain)["data"]
    customer = {"type": "customer", "target": {"type": "user", "email": ADDRESS}}
    assert attributed["relationships"] == [customer]
    assert "relationships" not in productboard_note(other, plain)["data"]
    bare = productboard_note(hostile(plain), plain, optional_parts=False)["data"]
    assert "relationships" not in bare and ADDRESS in bare["fields"]["content"]


def test_linear_markdown_from_customers_is_literal():
    built = digest()
    (theme,) = built.themes
    description = linear_description(built, theme)
    assert "\\# heading" in description and "\\[x\\]" in description
    assert "[x](javascript:" not in description and "!\\[i\\]" in description
    assert theme_reference(theme.key) in description
    other = next(i for i in built.insights if i != hostile(built))
    comment = linear_comment(built, theme, [other.id])
    assert "Refund took weeks" in comment and "heading" not in comment


def test_adf_holds_customer_text_in_non_empty_text_nodes_and_links_only_web_addresses():
    built = digest()
    (theme,) = built.themes
    description = jira_description(built, theme)
    texts = [n for n in walk(description) if n["type"] == "text"]
    assert texts and all(n["text"] for n in texts)
    marks = [m for n in texts for m in n.get("marks", [])]
    other = next(i for i in built.insights if i != hostile(built))
    assert [m["attrs"]["href"] for m in marks if m["type"] == "link"] == [other.url]
    quote = next(n for n in walk(description) if n["type"] == "blockquote")
    assert len(quote["content"]) == 2  # one paragraph per line of the quote
    assert jira_comment(built, theme, [])["content"][0]["type"] == "paragraph"


def test_empty_text_makes_no_node_and_a_document_drops_missing_parts():
    assert text("   \x1b[31m ") is None
    assert document(None, {"type": "paragraph", "content": []})["content"] == [
        {"type": "paragraph", "content": []}
    ]


def test_the_theme_reference_is_stable_and_new_evidence_keeps_the_themes_order():
    built = digest()
    (theme,) = built.themes
    assert theme_reference(theme.key) == theme_reference("tag:billing")
    assert theme_reference("tag:billing") != theme_reference("tag:export")
    assert new_evidence(theme, [theme.insight_ids[0]]) == list(theme.insight_ids[1:])
    assert new_evidence(theme, theme.insight_ids) == []
