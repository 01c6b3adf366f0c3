"""How the customer's history reads: who they are, then each earlier question.

Pure builders from :mod:`cxdaily.history` records to ``Content``; every string that came
from a customer or a service goes through :mod:`cxdaily.ui.text` (literal, cleaned).
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from textual.content import Content

from cxdaily.core.models import ReplyState
from cxdaily.core.words import plural
from cxdaily.history import CustomerHistory, LinkShown, PastQuestion
from cxdaily.ui.keys import DEFAULT_KEY_NAMES, KeyNames
from cxdaily.ui.text import flow, safe_line
from cxdaily.ui.widgets.earlier_answer import day_words, service_words

IDENTITIES_SHOWN = 6
"""Identities listed on the customer's line (the rest are counted)."""


def counts_words(history: CustomerHistory) -> list[str]:
    """'2 other questions', '1 reply', '1 insight', '0 hand-offs' (and how many are
    listed, when not all)."""
    counts = [
        plural(history.total_questions, "other question"),
        plural(history.replies, "reply", "replies"),
        plural(history.insights, "insight"),
        plural(history.hand_offs, "hand-off"),
    ]
    listed = len(history.questions)
    if listed < history.total_questions:
        counts.append(f"the newest {listed} listed")
    return counts


def profile_content(history: CustomerHistory, width: int = 0) -> Content:
    """'Anna Berg · VIP', what they asked and what was done ('2 other questions · 1 reply
    ...', on lines of ``width`` cells broken between counts), their addresses and
    handles, and the organisation (the screen cuts a long line with an ellipsis)."""
    customer = history.customer
    name = customer.name or (customer.identities[0].label if customer.identities else "")
    lines = [
        Content.assemble(
            safe_line(name or "Unknown customer", 60, "bold"),
            Content.styled(" · VIP", "bold $warning") if customer.vip else Content(""),
        ),
        *flow(Content(""), [Content.styled(w, "dim") for w in counts_words(history)], width),
    ]
    if customer.identities:
        shown = [
            safe_line(identity.label + (" (linked by you)" if identity.linked else ""), 60)
            for identity in customer.identities[:IDENTITIES_SHOWN]
        ]
        more = len(customer.identities) - IDENTITIES_SHOWN
        if more > 0:
            shown.append(Content.styled(f"{more} more", "dim"))
        lines.append(
            Content.assemble(Content.styled("Known as ", "dim"), Content(" · ").join(shown))
        )
    organisation = customer.organisation
    if organisation is not None:
        where = "a hint from the email domain" if organisation.from_domain else organisation.source
        lines.append(
            Content.assemble(
                Content.styled("Organisation ", "dim"),
                safe_line(organisation.name, 60, "bold"),
                Content.styled(" (", "dim"),
                safe_line(where, 40, "dim"),
                Content.styled(")", "dim"),
            )
        )
    return Content("\n").join(lines)


def state_words(past: PastQuestion) -> str:
    """'answered, tagged', 'reply in the outbox', 'handed off to product' or 'no action'."""
    words = []
    states = {reply.state for reply in past.replies}
    if ReplyState.SENT in states:
        words.append("answered")
    elif states - {ReplyState.CANCELLED}:
        words.append("reply in the outbox")
    if past.hand_offs:
        team = past.hand_offs[-1].team
        words.append(f"handed off to {team}" if team else "handed off")
    if past.insights:
        words.append("tagged")
    return ", ".join(words) or "no action"


def past_question_prompt(past: PastQuestion, now: datetime, zone: tzinfo | None) -> Content:
    """Date, channel, state and title; the reply sent (its first words); insight tags."""
    lines = [
        Content.assemble(
            Content.styled(f"{day_words(past.created_at, now, zone):<11} ", "bold"),
            safe_line(service_words(past.service), 16, "$accent"),
            Content.styled(" · ", "dim"),
            safe_line(past.channel, 20, "dim"),
            Content.styled(f" · {state_words(past)}", "italic"),
        ),
        Content.assemble("  ", safe_line(past.title or past.excerpt, 90)),
    ]
    sent = [r for r in past.replies if r.state is ReplyState.SENT]
    if sent:
        lines.append(
            Content.assemble(
                Content.styled("  You replied: ", "dim"), safe_line(sent[-1].body, 90, "dim")
            )
        )
    tags = sorted({tag for insight in past.insights for tag in insight.tags})
    if tags:
        lines.append(
            Content.assemble(Content.styled("  Tags: ", "dim"), safe_line(", ".join(tags), 80))
        )
    return Content("\n").join(lines)


def link_prompt(
    link: LinkShown, now: datetime, zone: tzinfo | None, keys: KeyNames = DEFAULT_KEY_NAMES
) -> Content:
    """'anna@acme.example = @anna on X · linked by you, 3 Mar (x undoes it)': who is
    linked first, so a narrow terminal cuts the date and the key, not the customers."""
    return Content.assemble(
        safe_line(link.label_a, 40, "bold"),
        Content.styled(" = ", "dim"),
        safe_line(link.label_b, 40, "bold"),
        Content.styled(f" · linked by you, {day_words(link.at, now, zone)} ", "dim"),
        Content.styled(f"({keys.key('history_unlink')} undoes it)", "dim"),
    )
