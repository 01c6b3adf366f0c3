"""The ``linear`` destination through the service, over ``httpx.MockTransport`` against a
fake of Linear's GraphQL API: one issue per theme, new evidence as a comment, Markdown
from customers inert, the API key, ``RATELIMITED``, and no duplicates after a failure
half-way or a lost answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxdaily.core.errors import ConfigError
from cxdaily.insights.delivery.model import OutcomeStatus, PeriodState
from cxdaily.insights.delivery.trackers import theme_reference
from tests.integration.trackers_fake_kit import LinearFake, mock_handler
from tests.unit.connectors.tracker_kit import LATER_SUMMARY, send_a_later_week, send_twice
from tests.unit.insights.delivery_kit import EMAIL, WEEK_KEY, seed_week, service, write_config

KEY = "lin_api_very_secret_key"
OAUTH = "lin_oauth_very_secret_token"
TEAM = "9cfb482a-81e3-4154-b5b9-2c805e70a02d"


@pytest.fixture
def linear(home: Path, monkeypatch) -> Path:
    seed_week(home)
    monkeypatch.setenv("CXDAILY_SECRET_LINEAR", KEY)
    options = {"kind": "linear", "team_id": TEAM, "label_ids": ["label-1"], "project_id": "p-1"}
    write_config(home, {"linear": options})
    return home


def fake(key: str = KEY) -> LinearFake:
    return LinearFake(base="https://api.linear.app", key=key, team_id=TEAM)


def by_title(fake: LinearFake) -> dict[str, dict]:
    return {issue["title"]: issue for issue in fake.issues}


def test_one_issue_per_theme_with_the_api_key_as_is(linear):
    issues = fake()
    with service(mock_handler(issues)) as s:
        (outcome,) = s.send_digest()
        items = s.delivery.repository.items("linear")
    assert outcome.status is OutcomeStatus.SENT
    assert outcome.detail == "2 Linear issues opened, 0 updated"
    assert issues.requests[0].headers["authorization"] == KEY
    assert sorted(by_title(issues)) == ["Billing", "Export"]
    billing = by_title(issues)["Billing"]
    assert billing["teamId"] == TEAM and billing["labelIds"] == ["label-1"]
    assert billing["projectId"] == "p-1" and "stateId" not in billing
    assert theme_reference("tag:billing") in billing["description"]
    assert "**Evidence:** 2 insights" in billing["description"]
    record = items["theme:tag:billing"]
    assert record.remote_id == billing["id"] and len(record.evidence) == 2
    assert record.url == billing["url"]


def test_customer_markdown_is_escaped_and_personal_data_stays_out(linear):
    issues = fake()
    with service(mock_handler(issues)) as s:
        s.send_digest()
    description = by_title(issues)["Billing"]["description"]
    assert "<script>" not in description and "\\<script\\>" in description
    assert "[x](https://evil.example)" not in description and "\\[x\\]" in description
    assert "**bold**" not in description and "\\*\\*bold\\*\\*" in description
    assert "> " in description  # the strongest quote, as a block quote
    assert EMAIL not in json.dumps(issues.issues)


def test_an_oauth_token_goes_as_a_bearer_token(linear, monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_LINEAR", OAUTH)
    issues = fake(OAUTH)
    with service(mock_handler(issues)) as s:
        (outcome,) = s.send_digest()
    assert outcome.status is OutcomeStatus.SENT
    assert issues.requests[0].headers["authorization"] == f"Bearer {OAUTH}"


def test_a_refused_key_is_one_line_naming_the_secret(linear, monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_LINEAR", "lin_api_wrong_4711")
    with service(mock_handler(fake())) as s:
        (outcome,) = s.send_digest()
        stored = s.delivery.repository.period("linear", WEEK_KEY)
    assert outcome.status is OutcomeStatus.FAILED and "\n" not in outcome.line
    assert "refused the API key" in outcome.detail and "cxdaily login linear" in outcome.detail
    assert "may have gone out" not in outcome.detail
    for text in (outcome.line, stored.error if stored else ""):
        assert "lin_api_wrong_4711" not in text


def test_a_later_period_comments_only_the_new_evidence(linear, monkeypatch):
    issues = fake()
    later, again = send_a_later_week(linear, issues, monkeypatch)
    assert later.detail == "0 Linear issues opened, 1 updated"
    assert again.detail == "0 Linear issues opened, 0 updated"
    (comment,) = issues.comments
    assert comment["issueId"] == by_title(issues)["Billing"]["id"]
    assert LATER_SUMMARY in comment["body"] and "1 insight" in comment["body"]
    assert "Refund took weeks" not in comment["body"] and len(issues.issues) == 2


def test_a_failure_half_way_then_the_retry_opens_only_the_rest(linear):
    issues = fake()
    first, second, record = send_twice(issues, "linear", "refuse")
    assert first.status is OutcomeStatus.FAILED and "Linear refused the request" in first.detail
    assert second.detail == "1 Linear issue opened, 0 updated"
    assert sorted(by_title(issues)) == ["Billing", "Export"]
    assert record is not None and record.state is PeriodState.SENT


def test_a_lost_answer_is_found_by_the_themes_reference(linear):
    issues = fake()
    first, second, _ = send_twice(issues, "linear", "lose")
    assert "may have gone out" in first.detail
    assert second.detail == "1 Linear issue opened, 0 updated, 1 found again"
    assert len(issues.issues) == 2


def test_ratelimited_is_waited_out(linear):
    issues = fake()
    issues.faults = {1: "throttle"}
    with service(mock_handler(issues)) as s:
        (outcome,) = s.send_digest()
    assert outcome.status is OutcomeStatus.SENT and len(issues.issues) == 2


def test_a_missing_team_is_a_config_error_naming_the_table(linear):
    write_config(linear, {"linear": {"kind": "linear"}})
    with pytest.raises(ConfigError, match=r"\[destinations\.linear\] .*team_id"):
        service(mock_handler(fake()))
