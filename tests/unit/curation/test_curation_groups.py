"""Near-duplicates: one group per thing asked, within and across channels and languages,
never for a shared frame or for junk, in linear time."""

from __future__ import annotations

import random
import time
from datetime import timedelta

from cxdaily.curation import rank
from cxdaily.curation.dedupe import TermStats, group_leaders
from cxdaily.curation.term_keys import term_key
from cxdaily.curation.text import question_terms
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


def asked(items) -> dict[str, str]:
    """Each question id -> its "asked N times" reason, or ""."""
    return {
        i.question.id: next((r for r in i.reasons if r.startswith("asked ")), "") for i in items
    }


def background() -> list:
    """A realistic pool around the questions under test: the demo inbox."""
    return demo_inbox()


#: A few unrelated questions: a small pool, where a shared frame weighs the most.
FEW_OTHERS = [
    ask("b1", "How do I change the billing email on my invoices?", channel="desk"),
    ask("b2", "Love the new dark mode!", channel="x"),
    ask("b3", "Can I export all my orders to CSV for my accountant?", channel="desk"),
    ask("b4", "The card reader will not pair with my iPad since the update", channel="x"),
]


def test_two_complaints_that_share_only_a_frame_are_not_grouped():
    questions = [
        ask("1", "Your status page says all green but /login returns 502", channel="x"),
        ask("2", "Your pricing page says $10 but I was billed $12", channel="x"),
        ask("3", "Your help page says gift cards never expire, mine expired after a year"),
        *FEW_OTHERS,
    ]
    assert not any(asked(rank(questions, NOW)).values())


def test_junk_never_joins_a_group():
    questions = [
        ask("1", "asdf", title="A" * 300),
        ask("2", "\x1b]0;pwned\x07\x1b[2J\x1b[31mtest\x1b[0m escape sequence test", title="test"),
        ask("3", "a" * 300, channel="x"),
        ask("4", "a" * 300, channel="x"),
        ask("5", "😂😂😂😂😂😂", channel="x"),
        ask("6", "😂😂😂", channel="x"),
        ask("7", " \n\t ", title="(no subject)"),
        ask("8", "\n\n", title="(no subject)"),
        ask("9", "lorem ipsum dolor sit amet consectetur adipiscing elit", title="Test"),
        ask("10", "Lorem ipsum dolor sit amet, consectetur adipiscing elit.", title="Test"),
        *background(),
    ]
    reasons = asked(rank(questions, NOW))
    assert not any(reasons[q.id] for q in questions[:10]), reasons


def test_one_question_in_two_languages_is_grouped():
    questions = [
        ask(
            "1",
            "Our payouts have been on hold since Tuesday with the message 'ERR_KYC_212: "
            "additional verification required'. We uploaded the business registration the "
            "same day. How long does the review take?",
            title="Payouts on hold: ERR_KYC_212",
        ),
        ask(
            "2",
            "Hola, nuestros pagos están retenidos desde el martes con el mensaje 'ERR_KYC_212: "
            "additional verification required'. Ya subimos el registro mercantil. ¿Cuánto "
            "tarda la revisión?",
            title="Pagos retenidos: ERR_KYC_212",
        ),
        ask("3", "Die App stürzt sofort beim Öffnen ab. Neu installiert, stürzt immer noch ab."),
        ask("4", "The app crashes as soon as I open it. Reinstalled, still crashes."),
        *background(),
    ]
    groups = groups_of(rank(questions, NOW))
    assert groups["acme:1"] == {"acme:1", "acme:2"}
    assert groups["acme:3"] == {"acme:3", "acme:4"}


def test_comparable_keys_fold_inflections_languages_and_junk():
    refund = {term_key(w.encode()) for w in ("refund", "refunded", "reembolso", "remboursement")}
    assert refund == {term_key(b"refunds")}
    assert term_key("Rückerstattung".lower().encode()) == term_key(b"refund")
    assert term_key(b"crashed") == term_key(b"crashes") == term_key("stürzt".encode())
    assert term_key(b"e47") == b"e47" and term_key(b"6.3.2") == b"6.3.2"
    for junk in (b"aaaaaaaaaa", b"hahahaha", "😂😂".encode(), b"\x1b[31m", b"lorem", b"'"):
        assert term_key(junk) is None, junk


def test_a_shared_signature_or_escape_codes_are_not_what_a_question_asks():
    signature = (
        "\n\n--\nDaniel Okafor\nOperations Manager, Tidewell Ceramics\n14 Harbour Road, "
        "Portland ME\nThis email and any attachments are confidential."
    )
    questions = [
        ask("1", "Hello,\n\nWhere can I find the tax report by state for Q1?" + signature),
        ask(
            "2", "Hello,\n\nHow do I rotate our Admin API key without breaking our ERP?" + signature
        ),
        ask("3", "\x1b[31mURGENT\x1b[0m the card reader shows error E47 on every payment"),
        ask("4", "\x1b[31mURGENT\x1b[0m shipping labels print blank since this morning"),
        *FEW_OTHERS,
    ]
    assert not any(asked(rank(questions, NOW)).values())
    terms = question_terms(questions[0])
    assert b"okafor" not in terms and b"tax" in terms
    assert not any(
        b"\x1b" in term or term in (b"31m", b"0m") for term in question_terms(questions[2])
    )
