"""Packing for the most value within the budget, the channel share, and session order."""

from __future__ import annotations

from datetime import timedelta

from msgspec.structs import replace

from cxdaily.curation import curate, rank
from cxdaily.curation.must_see import text_must_see
from cxdaily.curation.settings import CurationSettings
from cxdaily.curation.sources import source_of
from tests.unit.curation.curation_kit import DAY_START, NOW, WIDGET_GROUP, ask, demo_inbox

CALM = "How do I change the billing email on my invoices?"


def batch_of(questions, budget_s=30 * 60, settings=None, history=None):
    return curate(
        questions,
        {},
        NOW,
        DAY_START,
        budget_s,
        settings=settings or CurationSettings(),
        history=history,
    )


def on_channel(questions, channel: str, **changes):
    """Demo questions moved to one plain channel (no service of their own)."""
    return [
        replace(
            q,
            id=f"{channel}:{q.native_id}",
            channel=channel,
            meta={k: v for k, v in q.meta.items() if k not in ("service", "priority")},
            **changes,
        )
        for q in questions
    ]


def test_a_held_back_question_far_more_valuable_than_the_rest_still_goes_in():
    asks = [
        "Our renewal needs the new DPA before legal signs, when can you send it?",
        "Can your team join a call about single sign-on for 400 seats?",
        "Which region hosts our data, and can we move it to Frankfurt?",
    ]
    vip = [ask(f"v{n}", text, vip=True) for n, text in enumerate(asks)]
    trivia = [
        ask(f"t{n}", text, channel="x", kind="x")
        for n, text in enumerate(["nice colours", "coffee and calendars", "monday again", "ok"])
    ]
    capacity_for_two = sum(sorted(i.estimate_s for i in rank(vip, NOW))[:2])
    settings = CurationSettings(channel_share=0.2, reserve=0.0)
    batch = batch_of(vip + trivia, budget_s=capacity_for_two + 60, settings=settings)
    assert sum(1 for i in batch.items if i.question.channel == "acme") == 2


def ordinary(questions):
    """The questions that are not must-see (those go in before any share applies)."""
    return [q for q in questions if not q.meta.get("vip") and not text_must_see(q)]


def test_one_channel_keeps_to_its_share_while_others_have_questions():
    inbox = [replace(q, created_at=NOW - timedelta(hours=30)) for q in ordinary(demo_inbox())]
    loud = [  # a little more valuable than the rest, question for question
        replace(q, meta={**q.meta, "priority": "high"}) for q in on_channel(inbox[:32], "loud")
    ]
    calm = on_channel(inbox[32:64], "calm")
    quiet = on_channel(inbox[64:], "quiet")
    batch = batch_of(loud + calm + quiet, settings=CurationSettings(channel_share=0.4))
    capacity = batch.budget_s - batch.reserve_s
    loud_time = sum(i.estimate_s for i in batch.items if i.question.channel == "loud")
    assert 0 < loud_time <= 0.4 * capacity
    assert any(i.question.channel == "calm" for i in batch.items)
    held = [lo for lo in batch.left_out if lo.reason.startswith("channel share: loud")]
    assert held, "what the share held back says so"
    assert batch.estimate_s > 0.8 * capacity  # and the time is still used


def test_when_every_channel_has_its_share_the_best_questions_use_the_time_left():
    inbox = demo_inbox()
    loud = on_channel(inbox[:48], "loud", created_at=NOW - timedelta(hours=30))
    calm = on_channel(inbox[48:], "calm", created_at=NOW - timedelta(minutes=20))
    batch = batch_of(loud + calm, settings=CurationSettings(channel_share=0.4))
    capacity = batch.budget_s - batch.reserve_s
    assert batch.estimate_s > 0.8 * capacity  # 2 x 40% cannot fill it: the rest is used


def test_a_single_channel_still_fills_the_budget():
    only = on_channel(demo_inbox(), "only", created_at=NOW - timedelta(hours=30))
    batch = batch_of(only, settings=CurationSettings(channel_share=0.2))
    assert batch.estimate_s > 0.8 * (batch.budget_s - batch.reserve_s)
    assert not [lo for lo in batch.left_out if lo.reason.startswith("channel share")]


def test_the_demo_batch_spreads_over_services():
    batch = batch_of(demo_inbox())
    capacity = batch.budget_s - batch.reserve_s
    per_source: dict[str, int] = {}
    for item in batch.items:
        source = source_of(item.question)
        per_source[source] = per_source.get(source, 0) + item.estimate_s
    assert len(per_source) >= 5
    assert max(per_source.values()) <= CurationSettings().channel_share * capacity


def test_urgent_questions_come_first_and_a_group_stays_together():
    batch = batch_of(demo_inbox(), budget_s=60 * 60)
    urgent = [item.urgent for item in batch.items]
    assert urgent == sorted(urgent, reverse=True)
    positions = [n for n, i in enumerate(batch.items) if i.question.id in WIDGET_GROUP]
    assert len(positions) >= 2
    assert positions == list(range(positions[0], positions[0] + len(positions)))


def test_a_near_duplicate_after_the_first_is_a_quick_follow_up():
    batch = batch_of(demo_inbox(), budget_s=60 * 60)
    members = [i for i in batch.items if i.question.id in WIDGET_GROUP]
    _, *rest = members
    assert rest
    alone = {i.question.id: i for i in rank(demo_inbox(), NOW)}
    for member in rest:
        assert member.estimate_s < alone[member.question.id].estimate_s


def test_with_time_to_spare_the_whole_group_comes_in():
    same = [ask(str(n), "The export button is greyed out since Monday?") for n in range(4)]
    batch = batch_of(same, budget_s=4 * 3600)
    assert {i.question.id for i in batch.items} == {q.id for q in same}
    assert all(len(i.group) == 3 for i in batch.items)


def test_group_members_past_group_max_are_left_out_as_near_duplicates():
    same = [ask(str(n), "The export button is greyed out since Monday?") for n in range(7)]
    batch = batch_of(same, budget_s=4 * 3600, settings=CurationSettings(group_max=3))
    assert len(batch.items) == 3
    assert all(lo.reason.startswith("near-duplicate: same as") for lo in batch.left_out)
    assert [kind for kind, _ in batch.left_out_counts()] == ["near-duplicate"]


def test_a_question_too_long_for_the_budget_says_so():
    long = ask("1", "Please read all of this. " + "Details, details. " * 3000)
    batch = batch_of([long], budget_s=3 * 60)
    assert batch.items == ()
    assert batch.left_out[0].reason == "too long"


def test_what_was_filtered_before_scoring_is_counted_by_reason():
    questions = [
        ask("old", CALM, age=timedelta(days=20)),
        ask("solved", CALM, status="solved"),
        ask("answered", CALM, answered=True),
        ask("open", CALM, status="open"),
    ]
    batch = batch_of(questions)
    assert [i.question.native_id for i in batch.items] == ["open"]
    assert dict(batch.excluded) == {"answered by the team": 2, "older than 14d": 1}
    shorter = batch_of(questions, settings=CurationSettings(max_age_s=30 * 86400))
    assert dict(shorter.excluded) == {"answered by the team": 2}
