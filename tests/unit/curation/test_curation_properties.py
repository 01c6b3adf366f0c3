"""Properties that hold for any inbox, budget, config and history (hypothesis)."""

from __future__ import annotations

import random
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cxdaily.core.models import Action, Author, Disposition, Message
from cxdaily.curation import build_history, curate, latest_actions
from cxdaily.curation.settings import CurationSettings
from tests.unit.curation.curation_kit import DAY_START, NOW, ask, timed_session

SENTENCES = [
    "How do I export my invoices?",
    "The sync is broken again and nobody answers.",
    "I want a refund or I will cancel.",
    "Thanks, love the app!",
    "Since 4.2 the widget does not refresh.",
    "Can you add our VAT number to the invoice?",
    "Third message: still no reply.",
    "My lawyer will be in touch.",
    "Dark mode finally!",
    "Wie kann ich meine Daten löschen?",
    "返金してください",
    "",
]
SERVICES = ["zendesk", "x", "discourse", "app_store", "email", None]


@st.composite
def questions(draw):
    """A question with any mix of text, author, channel and metadata."""
    n = draw(st.integers(0, 10**6))
    body = " ".join(draw(st.lists(st.sampled_from(SENTENCES), max_size=4)))
    if draw(st.booleans()):
        body += " " + draw(st.text(max_size=80))
    meta = {}
    service = draw(st.sampled_from(SERVICES))
    if service:
        meta["service"] = service
    for key, values in (
        ("vip", [True, False, "yes"]),
        ("priority", ["urgent", "high", "low", 3]),
        ("rating", [1, 2, 5, "bad", None]),
        ("likes", [0, 40, 2000, -1, "many"]),
        ("status", ["open", "solved", "pending"]),
    ):
        if draw(st.booleans()):
            meta[key] = draw(st.sampled_from(values))
    author = draw(
        st.sampled_from(
            [
                Author(),
                Author(handle="@big", followers=250_000),
                Author(handle="ceo@client.example", name="Dana"),
                Author(name="No handle", followers=10),
            ]
        )
    )
    context = tuple(
        Message(Author(name="Earlier"), s, NOW - timedelta(days=1))
        for s in draw(st.lists(st.sampled_from(SENTENCES), max_size=3))
    )
    return ask(
        str(n),
        body,
        channel=draw(st.sampled_from(["desk", "social", "forum"])),
        kind=draw(st.sampled_from(["zendesk", "demo", "x"])),
        title=draw(st.one_of(st.none(), st.sampled_from(SENTENCES))),
        age=timedelta(minutes=draw(st.integers(-3 * 24 * 60, 20 * 24 * 60))),
        author=author,
        context=context,
        **meta,
    )


config = st.builds(
    CurationSettings,
    reserve=st.sampled_from([0.0, 0.1, 0.3]),
    channel_share=st.sampled_from([0.2, 0.4, 1.0]),
    group_max=st.integers(1, 5),
    vip_domains=st.sampled_from([(), ("client.example",)]),
)


def history_for(inbox, seed: int):
    """A history acting on some of the inbox, in one timed session."""
    chosen = random.Random(seed).sample(inbox, k=len(inbox) // 3) if inbox else []
    actions, session = timed_session(chosen, 90, NOW - timedelta(days=1))
    skipped = [
        Action(q.id, Disposition.SKIPPED, DAY_START + timedelta(hours=1)) for q in chosen[:2]
    ]
    return actions + skipped, session


def signature(batch):
    return [(i.question.id, i.score, i.estimate_s, i.reasons, i.group) for i in batch.items]


@settings(max_examples=80, deadline=None)
@given(
    inbox=st.lists(questions(), max_size=40, unique_by=lambda q: q.id),
    budget_s=st.integers(60, 8 * 3600),
    curation=config,
    with_history=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_a_batch_fits_the_budget_has_no_repeats_explains_itself_and_is_deterministic(
    inbox, budget_s, curation, with_history, seed
):
    actions, sessions, history = [], [], None
    if with_history:
        actions, session = history_for(inbox, seed)
        sessions = [session]
        history = build_history(actions, sessions, {q.id: q for q in inbox}, NOW)
    latest = latest_actions(actions)

    def run(questions):
        return curate(
            questions, latest, NOW, DAY_START, budget_s, settings=curation, history=history
        )

    batch = run(inbox)
    assert batch.estimate_s <= budget_s * (1 - curation.reserve)
    ids = [item.question.id for item in batch.items]
    assert len(ids) == len(set(ids))
    assert all(item.reasons and all(r.strip() for r in item.reasons) for item in batch.items)
    assert all(item.question.id not in item.group for item in batch.items)
    left = [entry.item.question.id for entry in batch.left_out]
    assert not set(left) & set(ids)
    assert all(entry.reason for entry in batch.left_out)
    shuffled = list(inbox)
    random.Random(seed).shuffle(shuffled)
    assert signature(run(shuffled)) == signature(batch)
    assert signature(run(inbox)) == signature(batch)
