"""What the start screen says of a batch: the summary line, the must-see line, one line
per pick with its reasons, and what was left out (customer text cut to one safe line)."""

from __future__ import annotations

from textual.content import Content

from cxdaily.core.words import about_minutes, plural
from cxdaily.curation import Batch, LeftOut
from cxdaily.curation.explain import (
    must_see_extra_s,
    must_see_label,
    must_see_summary,
    shown_reasons,
)
from cxdaily.streaks import Streak
from cxdaily.ui.question_parts import channel_label
from cxdaily.ui.text import safe_line


def summary_line(batch: Batch, streak: Streak | None) -> Content:
    """'11 questions, about 27 minutes · budget 30 min · streak 41 days' ('streak …'
    while the streak is being read)."""
    count = len(batch.items)
    if streak is None:
        streak_part = Content.styled("streak …", "dim")
    elif streak.current:
        streak_part = Content.styled(f"streak {plural(streak.current, 'day')}", "$accent bold")
    else:
        streak_part = Content.styled("streak starts today", "$accent")
    return Content.assemble(
        Content.styled(plural(count, "question"), "bold"),
        f", about {plural(about_minutes(batch.estimate_s, least=0), 'minute')} · "
        f"budget {batch.budget_s // 60} min · ",
        streak_part,
        ""
        if streak is None or streak.today_counts or streak.current == 0
        else " (today keeps it going)",
    )


#: Must-see questions left out that the start screen lists by name.
MUST_SEE_LISTED = 10


def must_see_line(batch: Batch, add_key: str) -> Content:
    """'1 VIP question does not fit today's 10 minutes · a add it (+4 min)' (empty when
    every must-see question is in the batch)."""
    summary = must_see_summary(batch)
    if not summary:
        return Content("")
    them = "it" if len(batch.must_see_left_out) == 1 else "them"
    minutes = must_see_extra_s(batch) // 60
    return Content.assemble(
        Content.styled(summary, "$warning bold"),
        Content.styled(f" · {add_key} add {them} (+{minutes} min)", "$warning"),
    )


def batch_lines(batch: Batch) -> Content:
    """One line per pick with its reasons, then what was left out."""
    lines: list[Content] = []
    for n, item in enumerate(batch.items, 1):
        q = item.question
        lines.append(
            Content.assemble(
                Content.styled(f"{n:>2} ", "dim"),
                safe_line(channel_label(q), 24, "$accent"),
                " ",
                safe_line(q.title or q.body, 110, "bold"),
                "\n   ",
                Content.styled(f"~{about_minutes(item.estimate_s)} min · ", "dim"),
                safe_line(", ".join(shown_reasons(item)), 120, "dim"),
            )
        )
    lines.extend(left_out_lines(batch))
    return Content("\n").join(lines)


def left_out_lines(batch: Batch, limit: int = 5) -> list[Content]:
    """What was left out and why: counts by reason, the must-see questions that did not
    fit and the most valuable few others, non-candidates."""
    from cxdaily.curation.explain import excluded_summary, left_out_summary

    lines: list[Content] = []
    if summary := left_out_summary(batch):
        lines.append(Content.styled(f"\nLeft out: {summary}.", "dim italic"))
        missing = batch.must_see_left_out
        must_see = missing[:MUST_SEE_LISTED]
        shown = {entry.item.question.id for entry in missing}
        others: list[LeftOut] = []
        for entry in batch.left_out:
            if len(must_see) + len(others) >= limit:
                break
            if entry.item.question.id not in shown:
                others.append(entry)
        for entry in (*must_see, *others):
            q = entry.item.question
            label = must_see_label(entry.item)
            lines.append(
                Content.assemble(
                    Content.styled("   · ", "dim"),
                    Content.styled(f"{label} · ", "$warning") if label else "",
                    safe_line(q.title or q.body, 60, "dim"),
                    Content.styled(" — ", "dim"),
                    safe_line(entry.reason, 80, "dim italic"),
                )
            )
        if len(missing) > len(must_see):
            more = plural(len(missing) - len(must_see), "more must-see question")
            lines.append(Content.styled(f"   · and {more}", "$warning"))
    if summary := excluded_summary(batch):
        lines.append(Content.styled(f"Not candidates: {summary}.", "dim italic"))
    return lines
