"""The ``jira`` destination through the service, over ``httpx.MockTransport`` against a
fake of Jira Cloud's REST API v3: one issue per theme in Atlassian Document Format, new
evidence as a comment, customer text only in text nodes, Basic authentication, 429, and
no duplicates after a failure half-way or a lost answer (found again with JQL)."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cxdaily.core.errors import ConfigError
from cxdaily.insights.delivery.model import OutcomeStatus, PeriodState
from cxdaily.insights.delivery.trackers import theme_reference
from tests.integration.trackers_fake_kit import JiraFake, mock_handler
from tests.unit.connectors.tracker_kit import LATER_SUMMARY, send_a_later_week, send_twice
from tests.unit.insights.delivery_kit import (
    EMAIL,
    HOSTILE,
    WEEK_KEY,
    seed_week,
    service,
    write_config,
)

SITE = "https://acme.atlassian.net"
TOKEN = "jira-token-very-secret"
OPTIONS = {
    "kind": "jira",
    "base_url": SITE,
    "email": "dana@acme.example",
    "project_key": "CX",
    "labels": ["customer-voice"],
}


@pytest.fixture
def jira(home: Path, monkeypatch) -> Path:
    seed_week(home)
    monkeypatch.setenv("CXDAILY_SECRET_JIRA", TOKEN)
    write_config(home, {"jira": OPTIONS})
    return home


def fake() -> JiraFake:
    return JiraFake(base=SITE, email="dana@acme.example", token=TOKEN)


def nodes(node: Any) -> Iterator[dict]:
    """Every node of an ADF tree."""
    if isinstance(node, dict):
        yield node
        for child in node.get("content", []):
            yield from nodes(child)


def by_summary(fake: JiraFake) -> dict[str, dict]:
    return {issue["fields"]["summary"]: issue for issue in fake.issues}


def test_one_issue_per_theme_with_an_adf_description_and_the_themes_label(jira):
    issues = fake()
    with service(mock_handler(issues)) as s:
        (outcome,) = s.send_digest()
        items = s.delivery.repository.items("jira")
    assert outcome.status is OutcomeStatus.SENT
    assert outcome.detail == "2 Jira issues opened, 0 updated"
    billing = by_summary(issues)["Billing"]["fields"]
    assert billing["project"] == {"key": "CX"} and billing["issuetype"] == {"name": "Task"}
    assert billing["labels"] == ["customer-voice", theme_reference("tag:billing")]
    description = billing["description"]
    assert description["type"] == "doc" and description["version"] == 1
    types = {n["type"] for n in nodes(description)}
    assert {"paragraph", "blockquote", "bulletList", "listItem", "text"} <= types
    record = items["theme:tag:billing"]
    key = by_summary(issues)["Billing"]["key"]
    assert record.remote_id == key and record.url == f"{SITE}/browse/{key}"


def test_customer_text_only_in_text_nodes_and_links_only_to_web_addresses(jira):
    issues = fake()
    with service(mock_handler(issues)) as s:
        s.send_digest()
    description = by_summary(issues)["Billing"]["fields"]["description"]
    texts = [n for n in nodes(description) if n["type"] == "text"]
    assert all(n["text"] for n in texts)
    assert any("<script>alert(1)</script>" in n["text"] for n in texts)  # inert: plain text
    links = [m["attrs"]["href"] for n in texts for m in n.get("marks", []) if m["type"] == "link"]
    assert links and all(url.startswith("https://acme.example/tickets/") for url in links)
    assert HOSTILE not in json.dumps(description)  # the email in it is redacted
    assert EMAIL not in json.dumps(issues.issues)


def test_basic_authentication_with_the_email_and_the_api_token(jira):
    issues = fake()
    with service(mock_handler(issues)) as s:
        s.send_digest()
    scheme, _, value = issues.requests[0].headers["authorization"].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(value).decode() == f"dana@acme.example:{TOKEN}"


def test_a_refused_token_is_one_line_naming_the_secret(jira, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("CXDAILY_SECRET_JIRA", "wrong-token-4711")
    with service(mock_handler(fake())) as s:
        (outcome,) = s.send_digest()
        stored = s.delivery.repository.period("jira", WEEK_KEY)
    assert outcome.status is OutcomeStatus.FAILED and "HTTP 401" in outcome.detail
    assert "the email option and the API token" in outcome.detail
    assert "cxdaily login jira" in outcome.detail and "\n" not in outcome.line
    for text in (outcome.line, stored.error if stored else "", caplog.text):
        assert "wrong-token-4711" not in text and "Basic" not in text


def test_a_later_period_comments_only_the_new_evidence(jira, monkeypatch):
    issues = fake()
    later, again = send_a_later_week(jira, issues, monkeypatch)
    assert later.detail == "0 Jira issues opened, 1 updated"
    assert again.detail == "0 Jira issues opened, 0 updated"
    (comment,) = issues.comments
    assert comment["issue"] == by_summary(issues)["Billing"]["key"]
    words = json.dumps(comment["body"])
    assert comment["body"]["type"] == "doc" and LATER_SUMMARY in words
    assert "Refund took weeks" not in words and len(issues.issues) == 2


def test_a_failure_half_way_then_the_retry_opens_only_the_rest(jira):
    issues = fake()
    first, second, record = send_twice(issues, "jira", "refuse")
    assert first.status is OutcomeStatus.FAILED and "HTTP 503" in first.detail
    assert second.detail == "1 Jira issue opened, 0 updated"
    assert sorted(by_summary(issues)) == ["Billing", "Export"]
    assert record is not None and record.state is PeriodState.SENT


def test_a_lost_answer_is_found_again_with_jql_instead_of_opened_twice(jira):
    issues = fake()
    first, second, _ = send_twice(issues, "jira", "lose")
    assert "may have gone out" in first.detail
    assert second.detail == "1 Jira issue opened, 0 updated, 1 found again"
    (search,) = [r for r in issues.requests if r.method == "GET"]
    assert search.path == "/rest/api/3/search/jql" and len(issues.issues) == 2
    assert theme_reference("tag:billing") in search.query["jql"][0]


def test_a_429_is_waited_out(jira):
    issues = fake()
    issues.faults = {1: "throttle"}
    with service(mock_handler(issues)) as s:
        (outcome,) = s.send_digest()
    assert outcome.status is OutcomeStatus.SENT and len(issues.issues) == 2


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"project_key": "cx ops"}, "project_key must be a project key"),
        ({"labels": ["two words"]}, "Jira labels hold no spaces"),
        ({"base_url": None}, "needs base_url"),
    ],
)
def test_bad_options_are_one_line_naming_the_table(jira, change, problem):
    options = {k: v for k, v in {**OPTIONS, **change}.items() if v is not None}
    write_config(jira, {"jira": options})
    with pytest.raises(ConfigError, match=r"\[destinations\.jira\] ") as caught:
        service(mock_handler(fake()))
    assert problem in str(caught.value) and "\n" not in str(caught.value)
