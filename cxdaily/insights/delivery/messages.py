"""What a destination sends, as pure data: the email's subject, and the chat messages for
Slack and Microsoft Teams incoming webhooks.

A chat message is the digest's summary, not the digest: the title, the headline numbers,
the themes that matter most (title, one sentence, the strongest quote) and a link to the
full digest when the destination has one (``link``). The email and the generic JSON
webhook carry the whole digest instead (rendered through the format registry).

Every text from a customer (or from the leader's tags) is escaped for its target:

- **Slack** (``mrkdwn``): ``&``, ``<`` and ``>`` become entities, so no link, mention or
  ``<!channel>`` can come from the text; ``@channel``, ``@here`` and ``@everyone`` are
  broken with a zero-width space; text objects are ``verbatim`` (Slack links no names);
- **Teams** (Adaptive Cards): customer text goes only into ``TextRun`` elements, which
  render no Markdown, and ``{{`` is broken so no ``{{DATE()}}`` template function runs.

Payload shapes follow the public docs: Slack's incoming webhooks take ``{"text": fallback,
"blocks": [...]}`` (header, section, divider, context blocks; a section's text at most
3,000 characters, a header's 150, at most 50 blocks); a Teams incoming webhook or
Workflows "post to a channel when a webhook request is received" takes ``{"type":
"message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
"content": AdaptiveCard}]}``.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from cxdaily.core.words import plural
from cxdaily.insights.cleaning import line
from cxdaily.insights.model import Digest
from cxdaily.insights.words import EMPTY_NOTICE, generated_line, headline_lines, safe_url

MAX_ITEMS = 5
"""Themes (or, before themes, insights) a chat message shows."""
QUOTE_CHARS = 280
TEXT_CHARS = 600
SLACK_HEADER_CHARS = 150
SLACK_SECTION_CHARS = 3000
ADAPTIVE_CARD_VERSION = "1.4"
ADAPTIVE_CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
ADAPTIVE_CARD_TYPE = "application/vnd.microsoft.card.adaptive"
LINK_LABEL = "Read the full digest"
PERIOD_PLACEHOLDER = "{period}"

_PING = re.compile(r"@(?=(?:channel|here|everyone)\b)", re.IGNORECASE)
_ZERO_WIDTH_SPACE = "\u200b"


class SummaryItem(msgspec.Struct, frozen=True):
    """One thing a chat message shows: a theme (or an insight, before themes exist)."""

    title: str
    text: str
    quote: str


def summary_items(digest: Digest, limit: int = MAX_ITEMS) -> list[SummaryItem]:
    """The digest's strongest themes; for a digest without themes, its most important
    insights. Each text is cleaned, on one line and cut to a chat-sized length."""
    if digest.themes:
        return [
            SummaryItem(line(t.title), _cut(t.summary, TEXT_CHARS), _cut(t.quote, QUOTE_CHARS))
            for t in digest.themes[:limit]
        ]
    return [
        SummaryItem(
            _cut(i.headline, SLACK_HEADER_CHARS),
            _cut(f"{', '.join(i.tags)} · {i.team} · {i.sentiment} · {i.customer}", TEXT_CHARS),
            _cut(i.quote, QUOTE_CHARS),
        )
        for i in digest.insights[:limit]
    ]


def summary_sentence(digest: Digest) -> str:
    """``12 insights from 9 customers; 3 themes: billing, export, onboarding`` (or the
    empty notice): the one line a notification shows."""
    if digest.empty:
        return EMPTY_NOTICE
    h = digest.headline
    text = f"{plural(h.insights.count, 'insight')} from {plural(h.customers, 'customer')}"
    if digest.themes:
        titles = ", ".join(line(t.title) for t in digest.themes[:MAX_ITEMS])
        text += f"; {plural(len(digest.themes), 'theme')}: {titles}"
    return text


def email_subject(template: str | None, digest: Digest) -> str:
    """The subject: the digest's title, or ``template`` with ``{period}`` replaced by the
    period (on one line; nothing else in the template is interpreted)."""
    if not template:
        return line(digest.title)
    return line(template.replace(PERIOD_PLACEHOLDER, digest.period.label))


def _cut(text: object, limit: int) -> str:
    value = line(text)
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


# ----------------------------------------------------------------------------- Slack
def slack_plain(text: object, limit: int = SLACK_SECTION_CHARS) -> str:
    """Untrusted text for a Slack ``plain_text`` object (which links and mentions nothing):
    one clean line with no ``@channel``/``@here``/``@everyone``, at most ``limit`` long."""
    return _PING.sub("@" + _ZERO_WIDTH_SPACE, _cut(text, limit))


def slack_text(text: object, limit: int = SLACK_SECTION_CHARS) -> str:
    """Untrusted text for Slack ``mrkdwn`` (the message's notification ``text``): as
    :func:`slack_plain`, with ``&``, ``<`` and ``>`` as entities (no link, mention or
    ``<!channel>`` can come from it)."""
    value = slack_plain(text, limit)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain(text: str) -> dict[str, Any]:
    """A ``plain_text`` object: Slack shows it as it is (no formatting, link or mention)."""
    return {"type": "plain_text", "text": text[:SLACK_SECTION_CHARS], "emoji": False}


def _words(text: str, **style: bool) -> dict[str, Any]:
    """A ``rich_text`` text element: literal text (Slack reads no markup in it)."""
    element: dict[str, Any] = {"type": "text", "text": text}
    if style:
        element["style"] = style
    return element


def slack_message(digest: Digest, link: str | None = None) -> dict[str, Any]:
    """The Slack incoming-webhook message: a fallback ``text`` and the ``blocks``. Every
    text from the digest goes in ``plain_text`` objects and ``rich_text`` elements,
    which Slack shows as written: a customer's ``*``, ``_``, ``~`` or backticks format
    nothing (``mrkdwn`` would read them). Only the link to the whole digest is ``mrkdwn``."""
    title = slack_plain(digest.title, SLACK_HEADER_CHARS)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title}},
        {"type": "section", "text": _plain(slack_plain(summary_sentence(digest)))},
    ]
    if not digest.empty:
        numbers = "\n".join(f"• {slack_plain(s, 300)}" for s in headline_lines(digest))
        blocks += [{"type": "section", "text": _plain(numbers)}, {"type": "divider"}]
        for item in summary_items(digest):
            said = [_words(slack_plain(item.title, 300), bold=True),
                    _words("\n" + slack_plain(item.text))]  # fmt: skip
            elements: list[dict[str, Any]] = [{"type": "rich_text_section", "elements": said}]
            if item.quote:
                quote = [_words(slack_plain(item.quote))]
                elements.append({"type": "rich_text_quote", "elements": quote})
            blocks.append({"type": "rich_text", "elements": elements})
    url = safe_url(link)
    if url:
        label = f"<{_slack_url(url)}|{LINK_LABEL}>"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": label}})
    context = slack_plain(generated_line(digest), 300)
    blocks.append({"type": "context", "elements": [_plain(context)]})
    fallback = f"{slack_text(digest.title)}: {slack_text(summary_sentence(digest))}"
    return {"text": fallback, "blocks": blocks}


def _slack_url(url: str) -> str:
    """A link target inside ``<...|label>``: ``|`` and ``>`` would end it early."""
    return url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")


# ----------------------------------------------------------------------------- Teams
def card_text(text: object, limit: int = SLACK_SECTION_CHARS) -> str:
    """Untrusted text for an Adaptive Card ``TextRun``: one clean line, with ``{{`` broken
    (no template function such as ``{{DATE()}}`` can come from it)."""
    return _cut(text, limit).replace("{{", "{" + _ZERO_WIDTH_SPACE + "{")


def _rich(text: str, **style: Any) -> dict[str, Any]:
    """A ``RichTextBlock`` of one ``TextRun`` (a TextRun renders no Markdown)."""
    return {
        "type": "RichTextBlock",
        "inlines": [{"type": "TextRun", "text": text, **style}],
    }


def teams_message(digest: Digest, link: str | None = None) -> dict[str, Any]:
    """The Teams message: one Adaptive Card attachment with the summary and, when the
    destination has a ``link``, a button to the full digest."""
    body: list[dict[str, Any]] = [
        _rich(card_text(digest.title), size="Large", weight="Bolder"),
        _rich(card_text(summary_sentence(digest))),
    ]
    if not digest.empty:
        body += [_rich(card_text(s, 300), isSubtle=True) for s in headline_lines(digest)]
        for item in summary_items(digest):
            parts = [
                _rich(card_text(item.title, 300), weight="Bolder"),
                _rich(card_text(item.text)),
            ]
            if item.quote:
                parts.append(_rich(card_text(f"“{item.quote}”"), italic=True))
            body.append({"type": "Container", "separator": True, "items": parts})
    body.append(_rich(card_text(generated_line(digest), 300), isSubtle=True, size="Small"))
    card: dict[str, Any] = {
        "$schema": ADAPTIVE_CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": ADAPTIVE_CARD_VERSION,
        "body": body,
    }
    url = safe_url(link)
    if url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": LINK_LABEL, "url": url}]
    return {
        "type": "message",
        "attachments": [{"contentType": ADAPTIVE_CARD_TYPE, "contentUrl": None, "content": card}],
    }
