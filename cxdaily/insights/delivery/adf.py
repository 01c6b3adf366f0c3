"""Jira's issue descriptions and comments in Atlassian Document Format (ADF), as pure data.

ADF is a tree of typed nodes (``doc`` > ``paragraph`` / ``blockquote`` / ``bulletList`` >
``listItem`` > ``text``), so customer text is never parsed: it goes only into the
``text`` of text nodes (cleaned, never empty, since Jira refuses an empty text node),
and a ``link`` mark is added only for an http(s) URL. No wiki markup, Markdown or HTML
from a customer can act in Jira.

Shapes follow Atlassian's ADF reference: ``{"type": "doc", "version": 1, "content":
[...]}``; a text node ``{"type": "text", "text": ..., "marks": [{"type": "strong"}]}``;
a link mark ``{"type": "link", "attrs": {"href": url}}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cxdaily.insights.cleaning import block, line
from cxdaily.insights.delivery.trackers import (
    MAX_CUSTOMERS,
    customers,
    evidence_line,
    new_evidence_line,
    reference_line,
    theme_insights,
)
from cxdaily.insights.model import Digest, DigestInsight, Theme
from cxdaily.insights.words import day_label, safe_url

Node = dict[str, Any]


def text(
    value: object,
    *,
    strong: bool = False,
    href: str | None = None,
    lead: str = "",
    tail: str = "",
) -> Node | None:
    """A text node of ``value`` on one clean line (``None`` when nothing is left),
    between ``lead`` and ``tail`` (separators of ours, such as ``" · "``): bold with
    ``strong``, a link with ``href`` when it is an http(s) URL."""
    content = line(value)
    if not content:
        return None
    node: Node = {"type": "text", "text": lead + content + tail}
    marks: list[Node] = []
    if strong:
        marks.append({"type": "strong"})
    url = safe_url(href)
    if url:
        marks.append({"type": "link", "attrs": {"href": url}})
    if marks:
        node["marks"] = marks
    return node


def paragraph(*parts: Node | None) -> Node:
    """A paragraph of the given text nodes (the empty ones left out)."""
    return {"type": "paragraph", "content": [p for p in parts if p is not None]}


def blockquote(quote: object) -> Node | None:
    """A block quote of a whole quote, one paragraph per line (``None`` when empty)."""
    lines = [paragraph(text(part)) for part in block(quote).split("\n") if line(part)]
    return {"type": "blockquote", "content": lines} if lines else None


def bullet_list(items: Sequence[Node]) -> Node:
    """A bullet list with one paragraph per item."""
    return {
        "type": "bulletList",
        "content": [{"type": "listItem", "content": [item]} for item in items],
    }


def document(*nodes: Node | None) -> Node:
    """An ADF document of the given block nodes (the missing ones left out)."""
    return {"type": "doc", "version": 1, "content": [n for n in nodes if n is not None]}


def _insight_item(insight: DigestInsight) -> Node:
    url = safe_url(insight.url)
    return paragraph(
        text(insight.headline, strong=True),
        text(
            f"{line(insight.customer)} · {day_label(insight.day)}",
            lead=" · ",
            tail=" · " if url else "",
        ),
        text("source", href=url) if url else None,
    )


def jira_description(digest: Digest, theme: Theme) -> Node:
    """A theme's Jira issue description: the summary sentence, the evidence, the
    customers, the strongest quote, every insight with its link, and the theme's
    reference."""
    insights = theme_insights(digest, theme)
    named = customers(insights)
    shown = ", ".join(named[:MAX_CUSTOMERS])
    if len(named) > MAX_CUSTOMERS:
        shown += f" and {len(named) - MAX_CUSTOMERS} more"
    return document(
        paragraph(text(theme.summary)),
        paragraph(text("Evidence:", strong=True), text(evidence_line(theme), lead=" ")),
        paragraph(text("Customers:", strong=True), text(shown, lead=" ")) if shown else None,
        blockquote(theme.quote),
        paragraph(text(f"Insights ({digest.period.label}):", strong=True)),
        bullet_list([_insight_item(i) for i in insights]) if insights else None,
        paragraph(text(reference_line(theme))),
    )


def jira_comment(digest: Digest, theme: Theme, insight_ids: Sequence[str]) -> Node:
    """A comment body with only the new evidence: a line saying how much, then each new
    insight."""
    insights = theme_insights(digest, theme, insight_ids)
    return document(
        paragraph(text(new_evidence_line(digest, len(insights)), strong=True)),
        bullet_list([_insight_item(i) for i in insights]) if insights else None,
    )
