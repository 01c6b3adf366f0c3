"""``cxdaily batch`` in words: the must-see questions that did not fit come first, then
each pick with its estimate, score, reasons and group, then what was left out and why."""

from __future__ import annotations

from typing import TextIO

from cxdaily.cli.arguments import NO_CHANNELS
from cxdaily.core.words import about_minutes, plural
from cxdaily.curation.batch import Batch


def print_batch(batch: Batch, has_channels: bool = True) -> None:
    """The batch in words: each pick with its reasons and group, then what was left out;
    an empty one says what to do (fetch, or first add a channel)."""
    from cxdaily.core.safe_text import one_line
    from cxdaily.curation.explain import (
        excluded_summary,
        group_note,
        left_out_summary,
        most_valuable_left_out,
        shown_reasons,
    )

    print_must_see_left_out(batch)
    minutes = about_minutes(batch.estimate_s, least=0)
    print(
        f"{plural(len(batch.items), 'question')}, about {plural(minutes, 'minute')} "
        f"(budget {batch.budget_s // 60} min)"
    )
    for n, item in enumerate(batch.items, 1):
        q = item.question
        print(f"{n:>2}. {one_line(q.id, 60)}  {one_line(q.title or q.body, 60)}")
        print(
            f"    {item.estimate_s // 60}m{item.estimate_s % 60:02d}s · score {item.score:.1f} · "
            f"{one_line(', '.join(shown_reasons(item)), 90)}"
        )
        if item.group:
            print(f"    {one_line(group_note(item.group), 90)}")
    if summary := left_out_summary(batch):
        print(f"left out: {summary}")
        for entry in most_valuable_left_out(batch):
            q = entry.item.question
            print(
                f"  - {one_line(q.id, 40)}  {one_line(q.title or q.body, 40)}: "
                f"{one_line(entry.reason, 70)}"
            )
    if summary := excluded_summary(batch):
        print(f"not candidates: {summary}")
    if not batch.items and not batch.left_out and not batch.excluded:
        print(
            "no question waits: fetch new ones with `cxdaily fetch`"
            if has_channels
            else f"no question waits: {NO_CHANNELS}"
        )


def print_must_see_left_out(batch: Batch, file: TextIO | None = None) -> None:
    """First, each must-see question that did not fit (VIP, data loss, security, legal,
    churn), who asked, and the budget that makes room for it (on ``file``: stderr beside
    ``--json``, whose lines are the picks)."""
    from cxdaily.core.safe_text import one_line
    from cxdaily.curation.explain import budget_with_must_see, must_see_label

    missing = batch.must_see_left_out
    if not missing:
        return
    minutes = budget_with_must_see(batch) // 60
    them = "it" if len(missing) == 1 else "them"
    print(
        f"Not in today's batch: {plural(len(missing), 'must-see question')} "
        f"(run the batch again with --budget {minutes}m to add {them})",
        file=file,
    )
    for entry in missing:
        item, q = entry.item, entry.item.question
        who = one_line(q.author.display, 40)
        organization = q.meta.get("organization")
        if isinstance(organization, str) and one_line(organization):
            who += f" ({one_line(organization, 40)})"
        print(
            f"  ! {must_see_label(item)} · {who} · {one_line(q.id, 60)}  "
            f"{one_line(q.title or q.body, 60)} · ~{about_minutes(item.estimate_s)} min"
            f" · {one_line(entry.reason, 70)}",
            file=file,
        )
