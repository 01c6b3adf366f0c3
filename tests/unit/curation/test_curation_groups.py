"""Near-duplicates: one group per thing asked, within and across channels, in linear time."""

from __future__ import annotations

import random
import time
from datetime import timedelta

from cxdaily.curation import rank
from cxdaily.curation.dedupe import TermStats, group_leaders
from tests.unit.curation.curation_kit import NOW, VAT_GROUP, WIDGET_GROUP, ask, demo_inbox


def groups_of(items) -> dict[str, frozenset[str]]:
    """Each question id -> its whole group (itself and its near-duplicates)."""
    return {i.question.id: frozenset({i.question.id, *i.group}) for i in items}


def test_the_demo_widget_reports_from_four_channels_form_one_group():
    groups = groups_of(rank(demo_inbox(), NOW))
    assert groups["demo:zd-48213"] == WIDGET_GROUP
    for question_id in WIDGET_GROUP:
        assert groups[question_id] == WIDGET_GROUP
    channels = {qid.split(":")[1].split("-")[0] for qid in WIDGET_GROUP}
    assert channels == {"zd", "tw", "as", "rd"}  # Zendesk, X, App Store, Reddit


def test_the_demo_vat_invoices_form_one_group_and_unrelated_questions_stay_alone():
    groups = groups_of(rank(demo_inbox(), NOW))
    assert groups["demo:fd-9921"] == VAT_GROUP
    for alone in ("demo:zd-48177", "demo:zd-48222", "demo:hs-3310", "demo:ic-77060"):
        assert groups[alone] == {alone}, alone
    assert not (groups["demo:zd-48213"] & VAT_GROUP)


def test_a_group_lists_its_best_question_first_and_says_how_often_it_was_asked():
    items = rank(demo_inbox(), NOW)
    members = [i for i in items if i.question.id in WIDGET_GROUP]
    best = members[0]
    assert all(m.group[0] == best.question.id for m in members[1:])
    assert all("asked 4 times" in m.reasons for m in members)


def test_the_same_question_worded_differently_on_three_channels_is_grouped():
    questions = [
        ask("1", "Since 5.1 the Outlook add-in crashes on startup, please fix", channel="desk"),
        ask("2", "outlook add-in crashes at startup after the 5.1 update?", channel="x"),
        ask(
            "3", "The Outlook add-in crashes on startup since 5.1, any workaround?", channel="forum"
        ),
        ask("4", "How do I change the billing email on my invoices?", channel="desk"),
        ask("5", "Love the new dark mode!", channel="x"),
    ]
    groups = groups_of(rank(questions, NOW))
    assert groups["desk:1"] == {"desk:1", "x:2", "forum:3"}
    assert groups["desk:4"] == {"desk:4"} and groups["x:5"] == {"x:5"}


def test_groups_do_not_depend_on_the_order_questions_come_in():
    questions = demo_inbox()
    first = groups_of(rank(questions, NOW))
    shuffled = list(questions)
    random.Random(5).shuffle(shuffled)
    assert groups_of(rank(shuffled, NOW)) == first


def test_grouping_is_linear_even_for_thousands_of_copies_of_one_question():
    body = "The widget on my home screen stopped refreshing after the 4.2 update, any fix?"
    words = [
        "alpha",
        "bravo",
        "charlie",
        "delta",
        "echo",
        "foxtrot",
        "golf",
        "hotel",
        "india",
        "juliet",
    ]
    questions = [
        ask(str(n), f"{body} {words[n % 9]} {n}", age=timedelta(minutes=n % 900))
        for n in range(4000)
    ]
    terms = [frozenset(body.lower().split()) | {str(n).encode()} for n in range(4000)]
    stats = TermStats(terms)
    started = time.perf_counter()
    leaders = group_leaders(terms, stats)
    assert time.perf_counter() - started < 1.0
    assert len(leaders) == 4000
    started = time.perf_counter()
    items = rank(questions, NOW)
    assert time.perf_counter() - started < 2.0
    asked = [r for i in items for r in i.reasons if r.startswith("asked ")]
    assert max(int(r.split()[1]) for r in asked) > 1000  # they are one group ...
    assert all(len(i.group) <= 50 for i in items)  # ... listed by its best members
