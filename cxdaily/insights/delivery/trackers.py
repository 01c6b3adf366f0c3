"""What the tracker destinations send, as pure data: a Productboard note per insight and
a Linear issue per theme (its Markdown description, and a comment with new evidence).

Every customer's word is escaped for its target, where it enters the payload:

- **Productboard** note content is HTML (Productboard keeps a few tags and strips the
  rest): every text goes through :func:`cxdaily.insights.render_html.h`, so no tag,
  attribute or entity can come from a customer; links only to http(s) URLs;
- **Linear** descriptions and comments are Markdown: every text goes through
  :func:`cxdaily.insights.render_md.md_text` (no link, image, HTML, heading or list can
  come from it); the strongest quote is a block quote of literal lines.

A theme's issue carries a stable reference (:func:`theme_reference`, made from the
theme's key) so that an issue whose creation may have gone out can be found again.
The Jira payloads (Atlassian Document Format) are :mod:`cxdaily.insights.delivery.adf`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from typing import Any

from cxdaily.core.words import plural
from cxdaily.insights.cleaning import block, line
from cxdaily.insights.model import Digest, DigestInsight, Theme
from cxdaily.insights.render_html import h, link
from cxdaily.insights.render_md import md_link, md_quote, md_text
from cxdaily.insights.words import day_label, safe_url, theme_team

SOURCE_SYSTEM = "cxdaily"
"""Productboard's ``metadata.source.system`` of every note cxdaily creates."""
NOTE_TYPE = "textNote"
"""The v2 note type of a plain note (the v2 reference's canonical name; ``simple`` is
its legacy alias)."""
NOTE_TITLE_CHARS = 200
ISSUE_TITLE_CHARS = 250
"""Jira takes at most 255 characters of summary; Linear titles stay as short."""
MAX_CUSTOMERS = 10
"""Customers named in a theme's issue (the rest are counted)."""
REFERENCE_PREFIX = "cxdaily-theme-"

_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def theme_reference(theme_key: str) -> str:
    """``cxdaily-theme-1a2b3c4d5e``: a short, stable reference to a theme (the same key
    gives the same reference in every period), usable as a Jira label."""
    digest = hashlib.sha256(theme_key.encode("utf-8")).hexdigest()[:10]
    return REFERENCE_PREFIX + digest


def cut(text: object, limit: int) -> str:
    """``text`` on one clean line, at most ``limit`` characters (an ellipsis when cut)."""
    value = line(text)
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def theme_insights(
    digest: Digest, theme: Theme, only: Iterable[str] | None = None
) -> list[DigestInsight]:
    """The theme's insights as the digest holds them, most important first (only the ids
    in ``only`` when given)."""
    wanted = set(theme.insight_ids if only is None else only)
    by_id = {i.id: i for i in digest.insights if i.id in wanted}
    return [by_id[i] for i in theme.insight_ids if i in by_id]


def new_evidence(theme: Theme, known: Sequence[str]) -> list[str]:
    """The theme's insight ids not yet attached to its issue (``known``), in order."""
    seen = set(known)
    return [i for i in theme.insight_ids if i not in seen]


def customers(insights: Iterable[DigestInsight]) -> list[str]:
    """The distinct customers of ``insights`` (as the digest shows them), in order."""
    return list(dict.fromkeys(line(i.customer) for i in insights))


def evidence_line(theme: Theme) -> str:
    """``3 insights from 2 customers · rising · negative · Team: billing``."""
    parts = [
        f"{plural(theme.evidence, 'insight')} from {plural(theme.customers, 'customer')}",
        theme.trend,
        theme.sentiment,
        theme_team(theme),
    ]
    return " · ".join(line(p) for p in parts if p)


# ----------------------------------------------------------------------- Productboard
def customer_email(insight: DigestInsight, digest: Digest) -> str | None:
    """The customer's email address, when the handle is one and the digest is not
    redacted (with redaction on, the default, no address ever leaves)."""
    handle = (insight.customer_handle or "").strip()
    if digest.redaction.enabled or not _EMAIL.fullmatch(handle):
        return None
    return handle


def note_tags(insight: DigestInsight) -> list[str]:
    """The insight's tags on one clean line each, empty ones dropped, in order."""
    return [t for t in (line(tag) for tag in insight.tags) if t]


def note_content(insight: DigestInsight) -> str:
    """A note's HTML content: the summary, the quote, the details (customer, channel,
    team, sentiment, importance, day, tags), the leader's note and the source link; every
    text escaped, so no tag, attribute or entity comes from a customer."""
    content = [f"<p><b>{h(line(insight.headline))}</b></p>"]
    quote = block(insight.quote)
    if quote:
        quoted = "<br>".join(h(part) for part in quote.split("\n"))
        content.append(f"<blockquote>{quoted}</blockquote>")
    details = [
        f"Customer: {line(insight.customer)}",
        f"Channel: {line(insight.channel)}",
        f"Team: {line(insight.team)}",
        f"Sentiment: {line(insight.sentiment)}",
        f"Importance: {insight.importance}",
        day_label(insight.day),
    ]
    tags = note_tags(insight)
    if tags:
        details.append(f"Tags: {', '.join(tags)}")
    content.append(f"<p>{h(' · '.join(details))}</p>")
    note = line(insight.note)
    if note:
        content.append(f"<p><i>Note:</i> {h(note)}</p>")
    source = link("Source", insight.url)
    if source:
        content.append(f"<p>{source}</p>")
    return "".join(content)


def productboard_note(
    insight: DigestInsight, digest: Digest, *, optional_parts: bool = True
) -> dict[str, Any]:
    """The body of ``POST /v2/notes`` (Productboard REST API v2) for one insight::

        {"data": {"type": "textNote",
                  "fields": {"name": <title>, "content": <HTML>, "tags": [{"name": ...}]},
                  "metadata": {"source": {"system": "cxdaily", "recordId": <insight id>,
                                          "url": <source, http(s) only>}},
                  "relationships": [{"type": "customer",
                                     "target": {"type": "user", "email": <address>}}]}}

    ``tags`` only when the insight has some; ``relationships`` only when redaction
    allows the customer's address. ``optional_parts=False`` leaves both out (the note
    sent again after Productboard refused one of them: the content still names the
    customer and the tags)."""
    fields: dict[str, Any] = {
        "name": cut(insight.headline, NOTE_TITLE_CHARS),
        "content": note_content(insight),
    }
    source: dict[str, Any] = {"system": SOURCE_SYSTEM, "recordId": insight.id}
    url = safe_url(insight.url)
    if url:
        source["url"] = url
    data: dict[str, Any] = {
        "type": NOTE_TYPE,
        "fields": fields,
        "metadata": {"source": source},
    }
    if not optional_parts:
        return {"data": data}
    tags = note_tags(insight)
    if tags:
        # The shape of a tag value ({"name": ...}) is not shown on the pages of the v2
        # reference we could read; v1 took plain strings.
        fields["tags"] = [{"name": tag} for tag in tags]
    email = customer_email(insight, digest)
    if email:
        data["relationships"] = [{"type": "customer", "target": {"type": "user", "email": email}}]
    return {"data": data}


def has_optional_parts(body: dict[str, Any]) -> bool:
    """Whether a note body from :func:`productboard_note` carries tags or a customer
    (the parts Productboard may refuse when they do not exist in the workspace)."""
    data = body.get("data", {})
    return bool(data.get("relationships") or data.get("fields", {}).get("tags"))


# ----------------------------------------------------------------------------- Linear
def issue_title(theme: Theme) -> str:
    """A theme's issue title: its title on one line, cut to an issue's length."""
    return cut(theme.title, ISSUE_TITLE_CHARS)


def _md_insight(insight: DigestInsight) -> str:
    parts = [f"**{md_text(line(insight.headline))}**", md_text(line(insight.customer))]
    parts.append(day_label(insight.day))
    source = md_link("source", insight.url)
    if source:
        parts.append(source)
    return "- " + " · ".join(parts)


def linear_description(digest: Digest, theme: Theme) -> str:
    """A theme's Linear issue description (Markdown): the summary sentence, the
    evidence, the customers, the strongest quote, every insight with its link, and the
    theme's reference."""
    insights = theme_insights(digest, theme)
    named = customers(insights)
    shown = ", ".join(md_text(c) for c in named[:MAX_CUSTOMERS])
    if len(named) > MAX_CUSTOMERS:
        shown += f" and {len(named) - MAX_CUSTOMERS} more"
    out = [md_text(line(theme.summary)), "", f"**Evidence:** {md_text(evidence_line(theme))}"]
    if shown:
        out.append(f"**Customers:** {shown}")
    quote = md_quote(block(theme.quote), "")
    if quote:
        out += ["", *quote]
    out += ["", f"**Insights ({digest.period.label}):**", ""]
    out += [_md_insight(i) for i in insights]
    out += ["", f"*{md_text(reference_line(theme))}*"]
    return "\n".join(out)


def linear_comment(digest: Digest, theme: Theme, insight_ids: Sequence[str]) -> str:
    """A comment on a theme's Linear issue with only the new evidence: a line saying how
    much, then each new insight."""
    insights = theme_insights(digest, theme, insight_ids)
    out = [f"**{md_text(new_evidence_line(digest, len(insights)))}**", ""]
    quote = md_quote(block(theme.quote), "")
    if quote and any(i.quote and line(i.quote) == line(theme.quote) for i in insights):
        out += [*quote, ""]
    out += [_md_insight(i) for i in insights]
    return "\n".join(out)


def new_evidence_line(digest: Digest, count: int) -> str:
    """``New evidence, 13 Nov 2026 – 19 Nov 2026 (UTC): 2 insights``."""
    return f"New evidence, {digest.period.label}: {plural(count, 'insight')}"


def reference_line(theme: Theme) -> str:
    """``cxdaily theme tag:billing (cxdaily-theme-1a2b3c4d5e)``: how a theme's issue is
    found again."""
    return f"cxdaily theme {line(theme.key)} ({theme_reference(theme.key)})"
