"""One line per channel: when it was last fetched, how many questions, or its error."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from textual.content import Content

from cxdaily.core.patterns import lazy_compile
from cxdaily.core.words import ago
from cxdaily.store.repositories import ChannelStatus
from cxdaily.ui.text import safe_line

MAX_LINES = 3
_REQUEST = lazy_compile(r"^(?:GET|POST|PUT|PATCH|DELETE) https?://\S+: ")
"""The request an error starts with ("GET https://host/path: "): the line leaves it out,
so what went wrong shows on a narrow screen (`cxdaily channels list` says it whole)."""


def status_content(statuses: Iterable[ChannelStatus], fetching: set[str], now: datetime) -> Content:
    """The status of every channel; channels being fetched right now say so. With more
    channels than fit, one summary line and the failing channels."""
    statuses = list(statuses)
    if len(statuses) > MAX_LINES:
        failing = [s for s in statuses if s.error and s.channel not in fetching]
        healthy = len(statuses) - len(failing) - len(fetching & {s.channel for s in statuses})
        summary = Content.assemble(
            *_summary_words(len(statuses), healthy, len(failing)),
            Content.styled(f", {len(fetching)} fetching" if fetching else "", "dim"),
            Content.styled(" · cxdaily channels list shows each", "dim"),
        )
        rest = status_content(failing[: MAX_LINES - 1], set(), now) if failing else None
        return Content("\n").join([summary, rest] if rest else [summary])
    lines: list[Content] = []
    for status in statuses:
        name = safe_line(status.channel, 24, "bold")
        if status.channel in fetching:
            lines.append(
                Content.assemble(
                    Content.styled("… ", "dim"), name, Content.styled(" fetching", "dim")
                )
            )
        elif status.error:
            when = f" ({ago(status.last_attempt_at, now)})" if status.last_attempt_at else ""
            detail = _REQUEST.sub("", status.error.removeprefix(f"{status.channel}: "), 1)
            lines.append(
                Content.assemble(
                    Content.styled("✗ ", "$error"),
                    name,
                    " ",
                    safe_line(detail, 200, "$error"),
                    Content.styled(when, "dim"),
                )
            )
        elif status.last_success_at is not None:
            fresh = _fetched_words(status)
            when = ago(status.last_success_at, now)
            lines.append(
                Content.assemble(
                    Content.styled("✓ ", "$success"),
                    name,
                    Content.styled(f" {fresh}, fetched {when}", "dim"),
                )
            )
        else:
            lines.append(
                Content.assemble(
                    Content.styled("· ", "dim"), name, Content.styled(" not fetched yet", "dim")
                )
            )
    return Content("\n").join(lines)


def _summary_words(total: int, healthy: int, failing: int) -> tuple[Content, ...]:
    """'✓ 14 of 14 channels fetched', or, when some failed, '✗ 13 of 14 channels failed,
    1 fetched' in the error's colour: the count of failures first, as the lines below
    show only the first of them."""
    if not failing:
        return Content.styled("✓ ", "$success"), Content(f"{healthy} of {total} channels fetched")
    return (
        Content.styled("✗ ", "$error"),
        Content.styled(f"{failing} of {total} channels failed", "$error"),
        Content(f", {healthy} fetched"),
    )


def _fetched_words(status: ChannelStatus) -> str:
    """ "3 new of 95", "nothing new" (of questions already stored), or "95 fetched"."""
    count = status.count or 0
    if status.added is None:  # recorded before new questions were counted
        return f"{count} fetched" if count else "nothing fetched"
    if not status.added:
        return "nothing new"
    return f"{status.added} new" if status.added == count else f"{status.added} new of {count}"
