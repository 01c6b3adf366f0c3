"""Signals, weights and reasons: every pick can be explained in a few words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cxdaily.core.models import Author
from cxdaily.curation.history import LeaderHistory
from cxdaily.curation.scoring import Scorer, score_question, waiting_signal
from cxdaily.curation.settings import CurationSettings, Weights, curation_from_dict
from cxdaily.insights.taxonomy import suggest_sentiment
from tests.unit.curation.curation_kit import NOW, ask, demo_inbox


def score(question, settings=None, history=None):
    return score_question(question, NOW, settings, history)


def test_waiting_grows_to_the_sla_then_slowly_and_is_capped():
    values = [waiting_signal(h, 24) for h in (0, 6, 12, 24, 48, 96, 10_000)]
    assert values == sorted(values)
    assert values[3] == 1.0 and values[4] == 2.0 and values[-1] == 3.0
    younger = score(ask("1", "ok", age=timedelta(hours=1))).value
    older = score(ask("2", "ok", age=timedelta(hours=40))).value
    assert older > younger


def test_waiting_is_said_in_hours_or_days_from_four_hours_on():
    assert "waiting 26 h" in score(ask("1", age=timedelta(hours=26))).reasons
    assert "waiting 3 days" in score(ask("1", age=timedelta(days=3, hours=2))).reasons
    assert not any(r.startswith("waiting") for r in score(ask("1", age=timedelta(hours=3))).reasons)


def test_a_question_in_the_future_counts_as_brand_new():
    result = score(ask("1", "Where is my invoice?", age=-timedelta(days=3)))
    assert result.hours == 0
    assert not any(r.startswith("waiting") for r in result.reasons)


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        (ask("1", "hello?", followers=12_400), "12k followers"),
        (ask("1", "hello?", subscribers=250_000), "250k subscribers"),
        (ask("1", "hello?", likes=1874, reposts=212), "2.3k reactions"),
        (ask("1", "hello?", score=312, comments=88), "488 reactions"),
    ],
)
def test_reach_from_followers_subscribers_and_reactions(question, reason):
    result = score(question)
    assert reason in result.reasons
    assert result.value > score(ask("2", "hello?")).value


def test_reach_ignores_numbers_that_are_not_counts():
    for odd in ("many", True, -5, float("nan"), None, [1]):
        result = score(ask("1", "hello?", likes=odd, subscribers=odd))
        assert not any("reactions" in r or "subscribers" in r for r in result.reasons)


@pytest.mark.parametrize(
    "author",
    [
        Author(handle="@BigCustomer"),
        Author(handle="bigcustomer"),
        Author(handle="Boss@Client.example"),
        Author(handle="someone@client.example"),
        Author(handle="someone@eu.client.example"),
    ],
)
def test_vip_by_handle_email_or_domain(author):
    settings = CurationSettings(
        vip_handles=frozenset({"bigcustomer"}),
        vip_emails=frozenset({"boss@client.example"}),
        vip_domains=("client.example",),
    )
    assert "VIP" in score(ask("1", "hi", author=author), settings).reasons
    assert "VIP" not in score(ask("1", "hi", author=author)).reasons


def test_vip_from_the_channel_and_not_from_a_lookalike_domain():
    assert "VIP" in score(ask("1", "hi", vip=True)).reasons
    settings = CurationSettings(vip_domains=("client.example",))
    lookalike = ask("1", "hi", author=Author(handle="x@evilclient.example"))
    assert "VIP" not in score(lookalike, settings).reasons


@pytest.mark.parametrize("organization", ["Acme Corp", "acme corp", "  ACME CORP ", "Acme Corp\n"])
def test_vip_by_organization_ignores_case_and_surrounding_spaces(organization):
    settings = CurationSettings(vip_organizations=frozenset({"acme corp"}))
    question = ask("1", "hi", organization=organization)
    assert "VIP" in score(question, settings).reasons
    assert Scorer(settings, NOW).is_vip(question)
    assert "VIP" not in score(question).reasons  # no list: not a VIP


@pytest.mark.parametrize(
    "organization",
    ["Acme Corporation", "Acme", "Acme  Corp", "Not Acme Corp", "", None, 42, ["Acme Corp"]],
)
def test_vip_by_organization_is_an_exact_match_of_a_name(organization):
    settings = CurationSettings(vip_organizations=frozenset({"acme corp"}))
    question = ask("1", "hi", organization=organization)
    assert "VIP" not in score(question, settings).reasons
    assert not Scorer(settings, NOW).is_vip(question)


def test_a_vip_organization_read_from_the_config_makes_its_questions_urgent():
    settings = curation_from_dict({"vip_organizations": [" Acme Corp "], "weights": {"vip": 4}})
    vip, other = ask("1", "hi", organization="ACME Corp"), ask("2", "hi", organization="Globex")
    assert score(vip, settings).urgent and not score(other, settings).urgent
    assert score(vip, settings).value > score(other, settings).value


def test_a_low_rating_counts_as_negative_and_says_its_stars():
    assert "1-star review" in score(ask("1", "Meh.", rating=1)).reasons
    assert "2-star review" in score(ask("1", "Meh.", rating=2)).reasons
    assert not any("star" in r for r in score(ask("1", "Meh.", rating=4)).reasons)


@pytest.mark.parametrize("rating", [4, 5])
def test_a_good_review_that_mentions_a_flaw_is_not_negative(rating):
    body = "Muy buena app. Los recordatorios a veces llegan tarde, ¿podrían revisarlo? ¡Gracias!"
    assert "negative" not in score(ask("1", body, rating=rating)).reasons
    assert "negative" in score(ask("1", "Terrible update, the app is broken", rating=3)).reasons


def test_curation_and_the_tag_form_read_every_demo_question_alike():
    for question in demo_inbox():
        reasons = score(question).reasons
        suggested = suggest_sentiment(question)
        upset = "negative" in reasons or "frustrated" in reasons
        if "negative" in reasons:
            assert suggested == "negative", question.id
        if upset:
            assert suggested != "positive", question.id
        elif not any(r.endswith("-star review") for r in reasons):
            assert suggested != "negative", question.id


def test_watch_keywords_come_from_the_config():
    settings = CurationSettings(watch_keywords=("gdpr", "data loss"))
    result = score(ask("1", "We had a data loss incident"), settings)
    assert "keyword: data loss" in result.reasons
    assert "keyword: refund" not in score(ask("1", "refund please"), settings).reasons


def test_a_passing_mention_keeps_only_part_of_its_value():
    mention = score(ask("1", "Monday planning ritual with the app"))
    asking = score(ask("2", "Monday planning ritual with the app: how do I share it?"))
    assert mention.factor == CurationSettings().passing_mention
    assert asking.factor == 1.0
    assert mention.value < asking.value
    assert "asks a question" in asking.reasons


def test_a_weight_of_zero_turns_a_signal_off_and_a_bigger_weight_counts_more():
    question = ask("1", "Refund please!", followers=50_000)
    off = CurationSettings(weights=Weights(keyword=0, reach=0))
    assert not any(
        r.startswith("keyword") or "followers" in r for r in score(question, off).reasons
    )
    loud = CurationSettings(weights=Weights(reach=3))
    assert score(question, loud).value > score(question).value


def test_reasons_come_most_important_first_and_there_is_always_one():
    result = score(ask("1", "I will cancel. This is broken.", vip=True, age=timedelta(hours=5)))
    assert result.reasons[0] == "VIP"
    assert score(ask("1", "ok", age=timedelta(minutes=30))).reasons == ("new, 30 min ago",)


def test_urgent_means_vip_urgent_priority_past_the_sla_frustration_or_an_angry_keyword():
    assert score(ask("1", "hi", vip=True)).urgent
    assert score(ask("1", "hi", priority="urgent")).urgent
    assert score(ask("1", "hi", age=timedelta(days=2))).urgent
    assert score(ask("1", "Third message, still no reply")).urgent
    assert score(ask("1", "This is broken and useless, I want a refund")).urgent
    assert not score(ask("1", "How do I export my invoices?")).urgent


def test_coverage_pulls_towards_a_channel_not_read_lately():
    history = LeaderHistory(
        actions=40,
        last_read={"discourse": NOW - timedelta(days=9), "x": NOW - timedelta(hours=3)},
        last_segment_read={"community": NOW - timedelta(days=9), "social": NOW},
    )
    forum = ask("1", "How do webhooks work?", service="discourse", kind="demo")
    tweet = ask("2", "How do webhooks work?", service="x", kind="demo")
    forum_score, tweet_score = score(forum, history=history), score(tweet, history=history)
    assert "no Discourse read in 9 days" in forum_score.reasons
    assert not any(r.startswith("no ") for r in tweet_score.reasons)
    assert forum_score.value > tweet_score.value
    never = ask("3", "How do webhooks work?", service="google_play", kind="demo")
    assert "no Google Play read in 60+ days" in score(never, history=history).reasons


def test_history_signals_stay_quiet_for_a_new_leader():
    result = score(ask("1", "How do webhooks work?", service="discourse", kind="demo"))
    assert not any(r.startswith("no ") or r == "new topic" for r in result.reasons)


def test_novelty_marks_a_topic_not_seen_lately():
    seen = frozenset({b"invoice", b"invoices", b"billing", b"export", b"vat", b"address"})
    history = LeaderHistory(actions=30, seen_terms=seen, seen_questions=12)
    familiar = ask("1", "Can I export invoices with our VAT number and billing address?")
    new = ask("2", "Does the Apple Watch complication show the next meeting?")
    assert "new topic" not in score(familiar, history=history).reasons
    assert "new topic" in score(new, history=history).reasons
    scorer = Scorer(CurationSettings(weights=Weights(novelty=0)), NOW, history)
    assert not scorer.novelty_on
