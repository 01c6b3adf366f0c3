"""What a destination sends, as pure data: the Slack and Teams messages (shapes from the
public docs, customer text inert, redaction on) and the email's subject."""

from __future__ import annotations

import json
from typing import Any

from msgspec.structs import replace

from cxdaily.insights.build import build_digest
from cxdaily.insights.delivery.messages import (
    ADAPTIVE_CARD_TYPE,
    LINK_LABEL,
    email_subject,
    slack_message,
    slack_text,
    summary_items,
    teams_message,
)
from cxdaily.insights.model import Digest
from cxdaily.insights.redact import Redaction
from tests.unit.insights.delivery_kit import EMAIL, week_insights
from tests.unit.insights.digest_kit import at, period


def digest(*, redact: bool = True) -> Digest:
    return build_digest(
        week_insights(),
        period("2026-11-13 00:00", "2026-11-20 00:00"),
        now=at("2026-11-21 12:00"),
        redaction=Redaction(enabled=redact),
    )


def texts(value: Any) -> list[str]:
    """Every string inside a payload."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in texts(v)]
    return []


def test_slack_message_has_a_fallback_text_a_header_and_themes_as_sections():
    message = slack_message(digest(), "https://wiki.example/digest")
    assert set(message) == {"text", "blocks"} and "3 insights" in message["text"]
    blocks = message["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": "Customer insights · 13 Nov 2026 – 19 Nov 2026 (UTC)",
        },
    }
    themes = [b["elements"] for b in blocks if b["type"] == "rich_text"]
    titles = [elements[0]["elements"][0] for elements in themes]
    assert {"type": "text", "text": "Billing", "style": {"bold": True}} in titles
    assert {"type": "text", "text": "Export", "style": {"bold": True}} in titles
    assert all(e[-1]["type"] == "rich_text_quote" for e in themes)  # each with its quote
    sections = [b["text"] for b in blocks if b["type"] == "section"]
    link = {"type": "mrkdwn", "text": f"<https://wiki.example/digest|{LINK_LABEL}>"}
    assert link in sections
    assert blocks[-1]["type"] == "context" and len(blocks) <= 50
    for text in sections:
        assert text == link or text["type"] == "plain_text"
        assert len(text["text"]) <= 3000


def test_slack_message_keeps_customer_text_inert():
    """Customer text is only ever plain text (shown as written: no mention, link or
    formatting such as *bold* from it); mrkdwn holds the digest's own link alone."""
    message = slack_message(digest(), "https://wiki.example/digest")
    mrkdwn = [o["text"] for o in objects(message["blocks"]) if o.get("type") == "mrkdwn"]
    assert mrkdwn == [f"<https://wiki.example/digest|{LINK_LABEL}>"]
    payload = json.dumps(message, ensure_ascii=False)
    assert "**bold**" in payload and "<!channel>" in payload  # as written, as plain text
    assert "@here" not in payload and "@\u200bhere" in payload  # no ping even so
    assert "<" not in message["text"]  # the notification text is mrkdwn: no raw "<"
    assert slack_text("a @channel b @HERE c @everyone") == (
        "a @\u200bchannel b @\u200bHERE c @\u200beveryone"
    )
    assert slack_text("x\x1b[2Jy\nz") == "xy z"


def objects(value):
    """Every dict inside a Block Kit value (blocks, text objects, elements)."""
    if isinstance(value, dict):
        return [value, *(o for v in value.values() for o in objects(v))]
    if isinstance(value, list):
        return [o for v in value for o in objects(v)]
    return []


def test_slack_link_refuses_a_link_that_is_not_http():
    blocks = slack_message(digest(), "javascript:alert(1)")["blocks"]
    assert not any(LINK_LABEL in t for t in texts(blocks))


def test_teams_message_is_an_adaptive_card_attachment_with_text_runs_only():
    message = teams_message(digest(), "https://wiki.example/digest")
    assert message["type"] == "message"
    (attachment,) = message["attachments"]
    assert (
        attachment["contentType"] == ADAPTIVE_CARD_TYPE == "application/vnd.microsoft.card.adaptive"
    )
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": LINK_LABEL, "url": "https://wiki.example/digest"}
    ]

    def kinds(elements: list[dict[str, Any]]) -> set[str]:
        found = set()
        for element in elements:
            found.add(element["type"])
            found |= kinds(element.get("items", []))
            found |= {inline["type"] for inline in element.get("inlines", [])}
        return found

    # no TextBlock: a TextRun renders no Markdown, so customer text cannot format or link
    assert kinds(card["body"]) == {"RichTextBlock", "TextRun", "Container"}


def test_teams_message_breaks_template_functions_and_keeps_redaction():
    payload = json.dumps(teams_message(digest()), ensure_ascii=False)
    assert "{{DATE(" not in payload and "{\u200b{DATE(" in payload
    assert EMAIL not in payload and "j***@example.com" in payload


def test_redaction_off_only_when_the_digest_was_built_without_it():
    assert EMAIL not in json.dumps(slack_message(digest()), ensure_ascii=False)
    assert EMAIL in json.dumps(slack_message(digest(redact=False)), ensure_ascii=False)


def test_without_themes_the_summary_shows_the_most_important_insights():
    plain = replace(digest(), themes=())
    items = summary_items(plain)
    assert items[0].title.startswith("Charged twice") and "billing" in items[0].text
    assert len(items) == 3


def test_an_empty_week_says_so():
    empty = build_digest(
        [], period("2026-11-13 00:00", "2026-11-20 00:00"), now=at("2026-11-21 12:00")
    )
    message = slack_message(empty)
    assert "No insights" in message["text"]
    assert [b["type"] for b in message["blocks"]] == ["header", "section", "context"]


def test_email_subject_is_the_title_or_the_template_with_the_period():
    d = digest()
    assert email_subject(None, d) == "Customer insights · 13 Nov 2026 – 19 Nov 2026 (UTC)"
    assert email_subject("Customers {period}\n{x}", d) == (
        "Customers 13 Nov 2026 – 19 Nov 2026 (UTC) {x}"
    )
