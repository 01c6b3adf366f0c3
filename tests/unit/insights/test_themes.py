"""The themes at the top of a digest: which matter most, how many, what each says, and
that they are as redacted as the rest."""

from __future__ import annotations

from cxdaily.insights.build import build_digest
from cxdaily.insights.redact import Redaction
from cxdaily.insights.themes import FEWEST_THEMES, MOST_THEMES, trend_of
from tests.unit.insights.digest_kit import at, insight, period

WEEK = period("2026-11-16 00:00", "2026-11-23 00:00")
NEXT_WEEK = period("2026-11-23 00:00", "2026-11-30 00:00")
NOW = at("2026-11-23 08:00")


def planted() -> list:
    """A +3 churn theme from 4 customers and a +1 praise theme from 10."""
    churn = [
        insight(
            f"2026-11-1{7 + n % 3} 10:00",
            tags=("churn risk",),
            importance=3,
            sentiment="negative",
            customer_handle=f"@churner{n}",
            summary="Leaving for a cheaper tool",
            quote=f"We will cancel at renewal. Reason {n}.",
        )
        for n in range(4)
    ]
    praise = [
        insight(
            "2026-11-18 10:00",
            tags=("praise",),
            importance=1,
            sentiment="positive",
            customer_handle=f"@fan{n}",
            team="marketing",
        )
        for n in range(10)
    ]
    return churn + praise


def test_a_plus_three_churn_theme_from_four_customers_outranks_plus_one_praise_from_ten():
    digest = build_digest(planted(), WEEK, now=NOW)
    assert [t.key for t in digest.themes] == ["tag:churn risk", "tag:praise"]
    churn, praise = digest.themes
    assert (churn.evidence, churn.customers, churn.sentiment) == (4, 4, "negative")
    assert (praise.evidence, praise.customers, praise.sentiment) == (10, 10, "positive")
    assert churn.title == "Churn risk" and churn.team == "product"
    assert set(churn.insight_ids) == {
        i.id for i in digest.insights if i.primary_tag == "churn risk"
    }


def test_the_summary_is_one_sentence_written_from_the_data():
    before = [insight("2026-11-10 10:00", tags=("churn risk",)) for _ in range(2)]
    digest = build_digest(planted(), WEEK, now=NOW, previous=before)
    churn = digest.themes[0]
    assert churn.trend == "rising"
    assert churn.summary == (
        "Churn risk: Leaving for a cheaper tool — 4 insights from 4 customers, "
        "up from 2 in the previous period, all negative."
    )
    assert digest.themes[1].summary.endswith("new this period, all positive.")


def test_customers_are_counted_once_and_unknown_customers_once_each():
    same = [
        insight("2026-11-17 10:00", customer_handle="@rosa", customer_name="Rosa"),
        insight("2026-11-17 11:00", customer_handle="@ROSA", customer_name="Rosa"),
        insight("2026-11-17 12:00", customer_handle=" @Rosa", customer_name=None),
    ]
    unknown = [
        insight("2026-11-18 10:00", customer_handle=None, customer_name=None) for _ in range(3)
    ]
    digest = build_digest(same + unknown, WEEK, now=NOW)
    (theme,) = digest.themes
    assert (theme.evidence, theme.customers) == (6, 4)


def test_many_reports_from_one_customer_weigh_less_than_as_many_customers():
    one_customer = [
        insight("2026-11-17 10:00", tags=("billing",), customer_handle="@same") for _ in range(6)
    ]
    many = [insight("2026-11-17 10:00", tags=("docs",)) for _ in range(6)]
    digest = build_digest(one_customer + many, WEEK, now=NOW)
    assert [t.key for t in digest.themes] == ["tag:docs", "tag:billing"]


def test_trend_against_the_previous_period_and_a_key_stable_across_periods():
    assert [trend_of(3, 0), trend_of(3, 1), trend_of(1, 3), trend_of(2, 2)] == [
        "new",
        "rising",
        "falling",
        "steady",
    ]
    this_week = [insight("2026-11-17 10:00", tags=("Data-Export",)) for _ in range(2)]
    next_week = [insight("2026-11-24 10:00", tags=("data export",))]
    first = build_digest(this_week, WEEK, now=NOW).themes[0]
    second = build_digest(next_week, NEXT_WEEK, now=NOW, previous=this_week).themes[0]
    assert first.key == second.key == "tag:data export"
    assert (first.trend, second.trend) == ("new", "falling")
    assert "down from 2 in the previous period" in second.summary


def test_three_to_five_themes_fewer_when_the_period_has_fewer():
    strong = [insight("2026-11-17 10:00", tags=(f"topic {n}",), importance=3) for n in range(8)]
    assert len(build_digest(strong, WEEK, now=NOW).themes) == MOST_THEMES
    assert len(build_digest(strong[:2], WEEK, now=NOW).themes) == 2
    assert build_digest([], WEEK, now=NOW).themes == ()
    # Past the third, a theme far weaker than the first is left out.
    weak = [
        insight("2026-11-17 10:00", tags=(f"minor {n}",), sentiment="positive") for n in range(3)
    ]
    themes = build_digest(strong[:1] + weak, WEEK, now=NOW).themes
    assert len(themes) == FEWEST_THEMES and themes[0].key == "tag:topic 0"


def test_the_strongest_quote_is_the_most_important_then_most_negative_and_whole():
    long_quote = (
        "The export stopped working after the update. We tried three browsers! "
        "Nothing helps; our accountant is waiting. Please fix it."
    )
    items = [
        insight("2026-11-17 10:00", importance=2, sentiment="negative", quote="Two, negative."),
        insight("2026-11-17 11:00", importance=3, sentiment="positive", quote="Three, happy."),
        insight("2026-11-17 12:00", importance=3, sentiment="negative", quote="Short."),
        insight("2026-11-17 13:00", importance=3, sentiment="negative", quote=long_quote),
        insight("2026-11-17 14:00", importance=3, sentiment="negative", quote=""),
    ]
    (theme,) = build_digest(items, WEEK, now=NOW).themes
    assert theme.quote == long_quote  # whole, never cut mid-sentence
    assert build_digest(items[:2], WEEK, now=NOW).themes[0].quote == "Three, happy."
    no_quotes = [insight("2026-11-17 10:00", quote="")]
    assert build_digest(no_quotes, WEEK, now=NOW).themes[0].quote == ""


def test_sentiment_and_team_follow_the_majority():
    items = [
        insight("2026-11-17 10:00", sentiment="negative", team="support"),
        insight("2026-11-17 11:00", sentiment="positive", team="support"),
        insight("2026-11-17 12:00", sentiment="neutral", team="product"),
    ]
    (theme,) = build_digest(items, WEEK, now=NOW).themes
    assert (theme.sentiment, theme.team) == ("mixed", "support")
    assert theme.summary.endswith("mixed sentiment.")
    mostly = build_digest(items[:1] * 2 + items[2:], WEEK, now=NOW).themes[0]
    assert mostly.sentiment == "negative" and mostly.summary.endswith("mostly negative.")


def test_themes_are_redacted_like_everything_else():
    items = [
        insight(
            "2026-11-17 10:00",
            importance=3,
            customer_name="Jane Doe",
            customer_handle="@jdoe",
            summary="Jane Doe wants a call on +49 151 2345 6789",
            quote="Mail me at jane.doe@example.com. Card 4242 4242 4242 4242. Jane Doe",
        )
    ]
    theme = build_digest(items, WEEK, now=NOW).themes[0]
    text = theme.summary + theme.quote
    assert "jane.doe@" not in text and "4242 4242 4242 4242" not in text
    assert "2345 6789" not in text
    assert "j***@example.com" in theme.quote
    initials = build_digest(items, WEEK, now=NOW, redaction=Redaction(initials=True)).themes[0]
    assert "Jane" not in initials.summary + initials.quote
    assert "J. D." in initials.quote
    plain = build_digest(items, WEEK, now=NOW, redaction=Redaction(enabled=False)).themes[0]
    assert "jane.doe@example.com" in plain.quote  # only on explicit request


def test_a_theme_is_titled_as_its_tag_is_spelled():
    """``SSO`` and ``iOS app`` keep their capitals (``Sso`` read as a word); a tag in
    lower case starts with a capital; the most common spelling wins."""

    def title(*tag_lists: tuple[str, ...]) -> str:
        insights = [insight("2026-11-18 10:00", tags=tags) for tags in tag_lists]
        return build_digest(insights, WEEK, now=NOW).themes[0].title

    assert title(("SSO",), ("sso",), ("SSO", "login")) == "SSO"
    assert title(("iOS app",), ("ios-app",), ("iOS app",)) == "iOS app"
    assert title(("churn risk",)) == "Churn risk"
    assert title(("Churn_Risk",), ("churn risk",), ("churn risk",)) == "Churn risk"
    assert (
        title(
            ("untagged-looking",),
        )
        == "Untagged-looking"
    )
