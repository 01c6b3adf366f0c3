"""The digest as data: filters, grouping and order, counts against the previous period,
the sentiment mix, trends, reflections and hand-offs."""

from __future__ import annotations

from datetime import time

from cxdaily.core.models import Action, Author, Disposition, Question, Session
from cxdaily.insights.build import build_digest
from cxdaily.insights.model import UNASSIGNED, HandoffSource
from cxdaily.insights.redact import Redaction
from tests.unit.insights.digest_kit import BERLIN, at, insight, period

WEEK = period("2026-11-16 00:00", "2026-11-23 00:00")
NOW = at("2026-11-23 08:00")


def test_an_empty_period_is_a_valid_digest_that_says_so():
    digest = build_digest([], WEEK, now=NOW)
    assert digest.empty
    assert digest.insights == () and digest.groups == () and digest.tags == ()
    assert digest.headline.insights.count == 0 and digest.headline.negative_percent is None
    assert [c.name for c in digest.sentiment] == ["negative", "neutral", "positive"]
    assert len(digest.trend.buckets) == 7  # the days are there, empty
    assert all(b.total == 0 for b in digest.trend.buckets)


def test_insights_outside_the_period_are_left_out():
    inside = insight("2026-11-16 00:00")
    digest = build_digest(
        [insight("2026-11-15 23:59"), inside, insight("2026-11-23 00:00")], WEEK, now=NOW
    )
    assert [i.id for i in digest.insights] == [inside.id]


def test_most_important_first_then_newest():
    low = insight("2026-11-20 10:00", importance=1)
    high_old = insight("2026-11-17 10:00", importance=3, sentiment="positive")
    high_oldest = insight("2026-11-16 10:00", importance=3, sentiment="negative")
    high_new = insight("2026-11-21 10:00", importance=3, sentiment="positive")
    digest = build_digest([low, high_old, high_oldest, high_new], WEEK, now=NOW)
    assert [i.id for i in digest.insights] == [high_new.id, high_old.id, high_oldest.id, low.id]


def test_each_insight_once_under_its_primary_tag_with_its_other_tags():
    a = insight("2026-11-17 10:00", tags=("bug", "billing"), team="product", importance=2)
    b = insight("2026-11-17 11:00", tags=("billing",), team="product", importance=3)
    c = insight("2026-11-18 10:00", tags=("praise",), team="marketing")
    d = insight("2026-11-18 11:00", tags=("pricing",), team=None)
    digest = build_digest([a, b, c, d], WEEK, now=NOW)
    teams = [(g.team, g.count) for g in digest.groups]
    assert teams == [("product", 2), ("marketing", 1), (UNASSIGNED, 1)]
    product = digest.groups[0]
    assert [(t.tag, [i.id for i in t.insights]) for t in product.tags] == [
        ("billing", [b.id]),  # the group with the +3 first
        ("bug", [a.id]),  # a is listed once, under its first tag
    ]
    shown = [i.id for i in digest.ordered]
    assert sorted(shown) == sorted(i.id for i in digest.insights)  # each exactly once
    first_tagged = next(i for i in digest.ordered if i.id == a.id)
    assert first_tagged.primary_tag == "bug" and first_tagged.other_tags == ("billing",)
    assert {c.name: c.count for c in digest.tags} == {
        "billing": 2,
        "bug": 1,
        "praise": 1,
        "pricing": 1,
    }  # the tag table still counts every tag


def test_a_team_with_a_plus_three_comes_before_a_larger_team_of_plus_ones():
    ones = [insight(f"2026-11-17 1{n}:00", team="support", importance=1) for n in range(5)]
    three = insight("2026-11-16 10:00", team="sales", importance=3)
    two = insight("2026-11-18 10:00", team="sales", importance=2, tags=("pricing",))
    digest = build_digest([*ones, three, two], WEEK, now=NOW)
    assert [(g.team, g.count, g.top_importance) for g in digest.groups] == [
        ("sales", 2, 3),
        ("support", 5, 1),
    ]
    assert [i.importance for i in digest.ordered][:2] == [3, 2]
    newest_first = [i.created_at for i in digest.groups[1].tags[0].insights]
    assert newest_first == sorted(newest_first, reverse=True)


def test_near_identical_tags_share_a_group():
    items = [
        insight("2026-11-17 10:00", tags=("Churn-Risk",)),
        insight("2026-11-17 11:00", tags=("churn_risk", "billing")),
        insight("2026-11-17 12:00", tags=("churn risk",)),
    ]
    digest = build_digest(items, WEEK, now=NOW)
    assert [(t.tag, len(t.insights)) for t in digest.groups[0].tags] == [("churn risk", 3)]
    assert digest.ordered[1].other_tags == ("billing",)


def test_counts_and_changes_against_the_previous_period():
    now = [insight("2026-11-17 10:00", tags=("bug",)) for _ in range(3)]
    now.append(insight("2026-11-18 10:00", tags=("praise",), sentiment="positive"))
    before = [insight("2026-11-10 10:00", tags=("bug",)) for _ in range(2)]
    before.append(insight("2026-11-11 10:00", tags=("docs",), sentiment="neutral"))
    digest = build_digest(now, WEEK, now=NOW, previous=before)
    head = digest.headline.insights
    assert (head.count, head.previous, head.delta, head.percent) == (4, 3, 1, 33)
    tags = {c.name: (c.count, c.previous, c.words) for c in digest.tags}
    assert tags == {
        "bug": (3, 2, "+1 (+50%)"),
        "praise": (1, 0, "new"),
        "docs": (0, 1, "-1 (-100%)"),
    }
    sentiment = {c.name: (c.count, c.previous) for c in digest.sentiment}
    assert sentiment == {"negative": (3, 2), "neutral": (0, 1), "positive": (1, 0)}
    assert digest.headline.negative_percent == 75


def test_the_previous_period_is_read_in_its_own_bounds():
    too_early = insight("2026-11-08 23:59")
    first = insight("2026-11-09 00:00")
    digest = build_digest([], WEEK, now=NOW, previous=[too_early, first])
    assert digest.headline.insights.previous == 1


def test_team_and_tag_filters_apply_to_both_periods():
    items = [
        insight("2026-11-17 10:00", tags=("bug",), team="product"),
        insight("2026-11-17 10:00", tags=("billing",), team="support"),
        insight("2026-11-17 10:00", tags=("bug", "billing"), team="support"),
        insight("2026-11-17 10:00", tags=("bug",), team=None),
    ]
    before = [insight("2026-11-10 10:00", tags=("billing",), team="support")]
    digest = build_digest(items, WEEK, now=NOW, previous=before, team="support")
    assert len(digest.insights) == 2 and digest.headline.insights.previous == 1
    digest = build_digest(items, WEEK, now=NOW, previous=before, tag="billing")
    assert len(digest.insights) == 2
    assert [t.tag for g in digest.groups for t in g.tags] == ["billing"]  # under the filter
    assert [t.key for t in digest.themes] == ["tag:billing"]
    digest = build_digest(items, WEEK, now=NOW, team=UNASSIGNED)
    assert len(digest.insights) == 1
    assert "team support" in build_digest(items, WEEK, now=NOW, team="support").title


def test_areas_are_counted_among_the_tags():
    items = [
        insight("2026-11-17 10:00", tags=("logistics", "bug")),
        insight("2026-11-17 10:00", tags=("logistics",)),
    ]
    digest = build_digest(items, WEEK, now=NOW, areas=("product", "logistics"))
    assert [(a.name, a.count) for a in digest.areas] == [("logistics", 2)]


def test_tags_over_time_by_day_week_or_month():
    items = [
        insight("2026-11-16 10:00", tags=("bug",)),
        insight("2026-11-16 11:00", tags=("bug", "billing")),
        insight("2026-11-20 10:00", tags=("billing",)),
    ]
    trend = build_digest(items, WEEK, now=NOW).trend
    assert trend.unit == "day" and trend.tags == ("billing", "bug")  # ties: by name
    monday, friday = trend.buckets[0], trend.buckets[4]
    assert (monday.label, monday.total, monday.counts) == ("16 Nov", 2, {"bug": 2, "billing": 1})
    assert (friday.total, friday.counts) == (1, {"bug": 0, "billing": 1})
    quarter = period("2026-08-23 00:00", "2026-11-23 00:00")
    assert build_digest(items, quarter, now=NOW).trend.unit == "week"
    year = period("2025-11-23 00:00", "2026-11-23 00:00")
    trend = build_digest(items, year, now=NOW).trend
    assert trend.unit == "month" and len(trend.buckets) == 13  # Nov 2025 … Nov 2026
    assert trend.buckets[-1].label == "Nov 2026" and trend.buckets[-1].total == 3


def test_the_trend_follows_at_most_six_tags():
    items = [insight("2026-11-17 10:00", tags=(f"t{n}",)) for n in range(9)]
    assert len(build_digest(items, WEEK, now=NOW).trend.tags) == 6


def test_days_follow_the_home_zone_and_day_start():
    berlin_week = period("2026-11-15 23:00", "2026-11-22 23:00", BERLIN, time(0, 0))
    late = insight("2026-11-16 23:30")  # 00:30 on the 17th in Berlin
    digest = build_digest([late], berlin_week, now=NOW)
    assert digest.insights[0].day.isoformat() == "2026-11-17"
    assert digest.trend.buckets[1].total == 1


def test_reflections_and_sessions_in_the_period():
    sessions = [
        Session("s1", at("2026-11-17 08:00"), 1800, (), reflection="Billing hurts"),
        Session("s2", at("2026-11-18 08:00"), 1800, (), reflection="  "),
        Session("s3", at("2026-11-10 08:00"), 1800, (), reflection="Too early"),
        Session("s4", at("2026-11-19 08:00"), 1800, ()),
    ]
    digest = build_digest([], WEEK, now=NOW, sessions=sessions)
    assert [(r.day.isoformat(), r.text) for r in digest.reflections] == [
        ("2026-11-17", "Billing hurts")
    ]
    assert digest.headline.sessions == 3
    assert not digest.empty  # a reflection is something to report


def _handoff(when: str, team: str | None, question: Question | None, qid: str = "acme:9"):
    action = Action(qid, Disposition.HANDED_OFF, at(when), team=team, note="Call her back")
    return HandoffSource(action, question)


def test_handoffs_with_their_customer_and_link():
    question = Question(
        id="acme:9",
        channel="acme",
        kind="zendesk",
        native_id="9",
        thread_id="9",
        url="https://acme.example/tickets/9",
        author=Author(handle="@rosa", name="Rosa Vasquez"),
        title=None,
        body="Help",
        created_at=at("2026-11-15 10:00"),
    )
    sources = [
        _handoff("2026-11-18 10:00", "support", question),
        _handoff("2026-11-19 10:00", "sales", None, qid="acme:gone"),
        _handoff("2026-11-01 10:00", "support", question),  # before the period
    ]
    digest = build_digest([], WEEK, now=NOW, handoffs=sources)
    assert [(h.team, h.customer, h.url) for h in digest.handoffs] == [
        ("support", "Rosa Vasquez (@rosa)", "https://acme.example/tickets/9"),
        ("sales", "unknown", None),
    ]
    assert digest.headline.handoffs == 2
    only_support = build_digest([], WEEK, now=NOW, handoffs=sources, team="support")
    assert [h.team for h in only_support.handoffs] == ["support"]
    initials = build_digest([], WEEK, now=NOW, handoffs=sources, redaction=Redaction(initials=True))
    assert initials.handoffs[0].customer == "R. V. (@r***)"


def test_handoffs_with_a_tag_filter_keep_only_the_tagged_questions():
    tagged = insight("2026-11-17 10:00", question_id="acme:9", tags=("billing",))
    sources = [
        _handoff("2026-11-18 10:00", "support", None, qid="acme:9"),
        _handoff("2026-11-18 10:00", "support", None, qid="acme:10"),
    ]
    digest = build_digest([tagged], WEEK, now=NOW, handoffs=sources, tag="billing")
    assert [h.question_id for h in digest.handoffs] == ["acme:9"]


def test_control_characters_never_reach_the_digest():
    hostile = insight(
        "2026-11-17 10:00",
        summary="\x1b]52;c;cGF5\x07Refund\x1b[2J now",
        quote="line one\r\nline\u202e two\x9b31m",
        customer_name="Eve\x00 \x1b[31mRed",
        channel="acme\nx",
        tags=("bug\x07",),
        note="\x1b]0;title\x07ok",
    )
    exported = build_digest([hostile], WEEK, now=NOW).insights[0]
    text = " ".join(
        [
            exported.summary,
            exported.quote,
            exported.customer_name or "",
            exported.channel,
            *exported.tags,
            exported.note,
        ]
    )
    assert not any(ch in text for ch in "\x1b\x07\x00\x9b\u202e\r")
    assert exported.summary == "Refund now" and exported.quote == "line one\nline two"
    assert exported.channel == "acme x" and exported.tags == ("bug",)


def test_personal_data_in_a_tag_is_redacted_like_any_text():
    """A tag is free text too: an address typed as a tag reached every format whole,
    under a header saying personal data was redacted."""
    items = [
        insight("2026-11-17 10:00", tags=("billing", "bob@example.com")),
        insight("2026-11-18 10:00", tags=("bob@example.com",)),
    ]
    digest = build_digest(items, WEEK, now=NOW)
    shown = {tag for exported in digest.insights for tag in exported.tags}
    assert "bob@example.com" not in shown and "billing" in shown
    assert [c.name for c in digest.tags] == ["b***@example.com", "billing"]  # still one tag
    assert "bob@example.com" not in str(digest.trend)
    plain = build_digest(items, WEEK, now=NOW, redaction=Redaction(enabled=False))
    assert "bob@example.com" in {tag for i in plain.insights for tag in i.tags}


def test_with_initials_a_link_that_names_its_customer_is_left_out():
    """The handle read "@j***" while its post's address said jess_ships in full."""
    post = insight(
        "2026-11-17 10:00",
        customer_name="Jess Ships",
        customer_handle="@jess_ships",
        url="https://x.example/jess_ships/status/1",
    )
    ticket = insight(
        "2026-11-18 10:00",
        customer_name="Ann Lee",
        customer_handle="ann@example.com",
        url="https://desk.example/tickets/7",
    )
    hidden = build_digest([post, ticket], WEEK, now=NOW, redaction=Redaction(initials=True))
    assert {i.customer_handle: i.url for i in hidden.insights} == {
        "@j***": None,
        "a***@example.com": "https://desk.example/tickets/7",
    }
    shown = build_digest([post, ticket], WEEK, now=NOW)  # without initials the links stay
    assert "https://x.example/jess_ships/status/1" in {i.url for i in shown.insights}


def test_the_day_finder_agrees_with_the_period_across_dst():
    from datetime import timedelta

    from cxdaily.insights.build import DayFinder

    # Berlin, days from 04:00, over the end of summer time (25 Oct 2026).
    berlin = period("2026-10-20 02:00", "2026-10-30 03:00", BERLIN, time(4, 0))
    find = DayFinder(berlin)
    instant = at("2026-10-19 00:00")
    while instant < at("2026-10-31 06:00"):  # also before and after the period
        assert find(instant) == berlin.day(instant), instant
        instant += timedelta(minutes=17)


def test_a_tags_spellings_are_one_tag_in_the_tables_the_trend_and_the_filter():
    """Themes counted ``churn-risk`` and ``churn risk`` as one tag; the tags table listed
    both, the trend followed two series, and ``--tag "churn risk"`` missed the other."""
    from cxdaily.insights.build import matches

    week = period("2026-11-16 00:00", "2026-11-23 00:00")
    items = [
        insight("2026-11-17 10:00", tags=("churn-risk",)),
        insight("2026-11-18 10:00", tags=("churn risk",)),
        insight("2026-11-19 10:00", tags=("churn risk", "billing")),
    ]
    before = [insight("2026-11-10 10:00", tags=("churn_risk",))]
    digest = build_digest(items, week, now=at("2026-11-23 08:00"), previous=before)
    assert [(c.name, c.count, c.previous) for c in digest.tags] == [
        ("churn risk", 3, 1),
        ("billing", 1, 0),
    ]
    assert digest.trend.tags == ("churn risk", "billing")
    assert sum(b.counts["churn risk"] for b in digest.trend.buckets) == 3
    assert all(matches(i, None, "Churn Risk") for i in items)
    only = build_digest(items, week, now=at("2026-11-23 08:00"), tag="churn risk")
    assert len(only.insights) == 3
