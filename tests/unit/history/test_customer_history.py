"""The customer index: who joins whom, links, and what a history holds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cxdaily.core.models import Action, Author, Disposition, ReplyState
from cxdaily.history import CustomerLink, HistoryIndex
from tests.time_kit import FIXED_NOW
from tests.unit.history.history_kit import (
    email_author,
    insight,
    question,
    reply,
    social_author,
)


@pytest.fixture
def index() -> HistoryIndex:
    """An empty index; authors whose name starts with "VIP" are VIPs."""
    return HistoryIndex(lambda q: (q.author.name or "").startswith("VIP"))


def _others(index: HistoryIndex, question_id: str) -> list[str]:
    return [q.id for q in index.customer_history(question_id).questions]


# ----------------------------------------------------------------------------- matching
def test_one_address_joins_the_help_desk_and_the_inbox(index):
    desk = question("1", author=email_author("Anna@Acme.example.com"), days_ago=3)
    mail = question(
        "m1", channel="inbox", kind="email", author=email_author("anna@acme.example.com")
    )
    index.put_questions("questions.json", [desk, mail])
    assert _others(index, mail.id) == [desk.id]
    assert _others(index, desk.id) == [mail.id]


def test_no_join_on_a_common_first_name(index):
    anna_one = question("1", author=email_author("anna@one.example.com", name="Anna"))
    anna_two = question("2", author=email_author("anna@two.example.com", name="Anna"))
    reviewer = question("3", kind="google_play", author=Author(name="Anna"))
    index.put_questions("questions.json", [anna_one, anna_two, reviewer])
    for item in (anna_one, anna_two, reviewer):
        assert _others(index, item.id) == []


def test_no_join_on_a_shared_company_domain(index):
    anna = question("1", author=email_author("anna@acme.example.com", name="Anna"))
    bob = question("2", author=email_author("bob@acme.example.com", name="Bob"))
    index.put_questions("questions.json", [anna, bob])
    assert _others(index, anna.id) == []
    history = index.customer_history(bob.id)
    assert history.customer.organisation is not None
    assert history.customer.organisation.name == "acme.example.com"
    assert history.customer.organisation.from_domain


def test_no_join_on_one_handle_on_two_networks(index):
    on_x = question("x1", channel="brand", kind="x", author=social_author("@anna"))
    on_reddit = question("r1", channel="sub", kind="reddit", author=social_author("u/anna"))
    index.put_questions("questions.json", [on_x, on_reddit])
    assert _others(index, on_x.id) == []


def test_shared_keys_join_transitively(index):
    # the help desk knows her address and account; a later ticket gives only the account
    first = question("1", author=email_author("anna@acme.example.com", ident="42"), days_ago=9)
    second = question("2", author=Author(id="42", name="Anna"), days_ago=5)
    mail = question(
        "m", channel="inbox", kind="email", author=email_author("anna@acme.example.com")
    )
    index.put_questions("questions.json", [first, second, mail])
    assert _others(index, mail.id) == [second.id, first.id]  # newest first


# ----------------------------------------------------------------------------- links
def _link(a: str, b: str, minutes: int = 0) -> CustomerLink:
    return CustomerLink.between(a, b, FIXED_NOW + timedelta(minutes=minutes))


def test_a_confirmed_link_joins_and_undoing_it_separates(index):
    desk = question("1", author=email_author("anna@acme.example.com"))
    tweet = question("t1", channel="brand", kind="x", author=social_author("@annab"))
    index.put_questions("questions.json", [desk, tweet])
    index.set_links([_link(tweet.id, desk.id)])
    history = index.customer_history(tweet.id)
    assert [q.id for q in history.questions] == [desk.id]
    linked = {i.label: i.linked for i in history.customer.identities}
    assert linked == {"@annab on X": False, "anna@acme.example.com": True}
    assert [{s.label_a, s.label_b} for s in history.links] == [
        {"anna@acme.example.com", "@annab on X"}
    ]
    index.set_links([])
    assert _others(index, tweet.id) == []


def test_links_are_transitive(index):
    a = question("a", author=email_author("anna@acme.example.com"))
    b = question("b", channel="brand", kind="x", author=social_author("@annab"))
    c = question("c", channel="forum", kind="discourse", author=social_author("anna_b"))
    index.put_questions("questions.json", [a, b, c])
    index.set_links([_link(a.id, b.id), _link(b.id, c.id, 1)])
    assert set(_others(index, a.id)) == {b.id, c.id}
    assert index.customers.links_between(a.id, c.id) == []  # no direct link between them
    assert index.customers.links_between(c.id, b.id) == [_link(b.id, c.id).id]


def test_a_link_joins_whole_customers_not_single_questions(index):
    a1 = question("a1", author=email_author("anna@acme.example.com"), days_ago=4)
    a2 = question("a2", author=email_author("anna@acme.example.com"), days_ago=2)
    b = question("b", channel="brand", kind="x", author=social_author("@annab"))
    index.put_questions("questions.json", [a1, a2, b])
    index.set_links([_link(a1.id, b.id)])
    assert _others(index, b.id) == [a2.id, a1.id]
    assert index.customers.links_between(a2.id, b.id) == [_link(a1.id, b.id).id]


def test_a_link_the_same_either_way_round_has_one_id():
    assert _link("x:1", "y:2").id == _link("y:2", "x:1").id
    assert CustomerLink.from_dict(_link("x:1", "y:2").to_dict()) == _link("x:1", "y:2")


# ----------------------------------------------------------------------------- what a history holds
def test_the_history_holds_replies_insights_and_hand_offs(index):
    old = question("1", author=email_author("anna@acme.example.com"), days_ago=30)
    new = question("2", author=email_author("anna@acme.example.com"))
    index.put_questions("questions.json", [old, new])
    index.put_replies(
        [
            reply("r1", old.id, "Export them from Billing."),
            reply("r2", old.id, "Never mind", state=ReplyState.CANCELLED),
        ]
    )
    index.put_insights([insight("i1", old.id, "billing", "export")])
    at = FIXED_NOW - timedelta(days=29)
    index.put_actions(
        [
            ("a1", Action(old.id, Disposition.HANDED_OFF, at, team="finance", note="refund?")),
            ("a2", Action(old.id, Disposition.SKIPPED, at)),
        ]
    )
    history = index.customer_history(new.id)
    assert history.total_questions == 1
    (past,) = history.questions
    assert [(r.body, r.state) for r in past.replies] == [
        ("Export them from Billing.", ReplyState.SENT),
        ("Never mind", ReplyState.CANCELLED),
    ]
    assert [i.tags for i in past.insights] == [("billing", "export")]
    assert [(h.team, h.note) for h in past.hand_offs] == [("finance", "refund?")]
    assert (history.replies, history.insights, history.hand_offs) == (2, 1, 1)
    index.remove_actions(["a1"])
    index.remove_replies(["r2"])
    history = index.customer_history(new.id)
    assert (history.replies, history.hand_offs) == (1, 0)


def test_the_history_is_bounded_newest_first_with_a_total(index):
    questions = [
        question(str(n), author=email_author("anna@acme.example.com"), days_ago=n)
        for n in range(1, 8)
    ]
    index.put_questions("questions.json", questions)
    history = index.customer_history("support:1", limit=3)
    assert [q.id for q in history.questions] == ["support:2", "support:3", "support:4"]
    assert history.total_questions == 6


def test_organisation_from_the_help_desk_wins_over_the_domain_and_vip_from_any_question(index):
    desk = question(
        "1",
        author=email_author("anna@acme.example.com", name="VIP Anna"),
        meta={"organization": "Acme Corp"},
        days_ago=40,
    )
    mail = question(
        "m", channel="inbox", kind="email", author=email_author("anna@acme.example.com")
    )
    index.put_questions("questions.json", [desk, mail])
    profile = index.customer_history(mail.id).customer
    assert profile.organisation is not None
    assert (profile.organisation.name, profile.organisation.from_domain) == ("Acme Corp", False)
    assert profile.organisation.source == "Zendesk"
    assert profile.vip
    assert profile.name == "Anna Berg"  # the most recent name


def test_a_question_held_by_two_files_stays_until_both_let_go(index):
    old = question("1", author=email_author("anna@acme.example.com"), days_ago=90)
    new = question("2", author=email_author("anna@acme.example.com"))
    index.put_questions("questions.json", [old, new])
    index.put_questions("questions-archive/2026-08.json", [old])  # archived ...
    index.remove_questions("questions.json", [old.id])  # ... then removed from current
    assert _others(index, new.id) == [old.id]
    index.remove_questions("questions-archive/2026-08.json", [old.id])
    assert _others(index, new.id) == []


def test_a_changed_author_moves_the_question_to_its_new_customer(index):
    first = question("1", author=email_author("anna@acme.example.com"))
    other = question("2", author=email_author("anna@acme.example.com"))
    index.put_questions("questions.json", [first, other])
    moved = question("2", author=email_author("bob@acme.example.com"))
    index.put_questions("questions.json", [moved])
    assert _others(index, first.id) == []
