"""The tracker destinations (Productboard v2, Linear, Jira) against loopback fakes that
record what they received, through the real ``cxdaily digest --send``: a failure mid-send
is retried without duplicates, a lost answer is found again instead of created twice,
and a later week updates each theme's issue with only its new evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.cli_kit import run_cxdaily
from tests.integration.trackers_fake_kit import JiraFake, LinearFake, ProductboardFake
from tests.unit.insights.delivery_kit import EMAIL, seed_week, write_config
from tests.unit.insights.digest_kit import insight

FRIDAY = "2026-11-20T10:00:00Z"
NEXT_FRIDAY = "2026-11-27T10:00:00Z"
SECRETS = {"board": "pb-token-4711", "linear": "lin_api_key_4711", "jira": "jira-token-4711"}


@pytest.fixture
def trackers(tmp_path: Path, loopback):
    """The three fakes on loopback, and a config naming them."""
    board = ProductboardFake(token=SECRETS["board"])
    linear = LinearFake(key=SECRETS["linear"], team_id="team-1")
    jira = JiraFake(email="dana@acme.example", token=SECRETS["jira"], project="CX")
    for fake in (board, linear, jira):
        fake.base = loopback(fake.handler).url
    seed_week(tmp_path)
    configure(tmp_path, board, linear, jira)
    return tmp_path, board, linear, jira


def configure(home: Path, board, linear, jira, deadline: str = "20s") -> None:
    write_config(
        home,
        {
            "board": {"kind": "productboard", "base_url": board.base, "deadline": deadline},
            "linear": {
                "kind": "linear",
                "base_url": linear.base,
                "team_id": "team-1",
                "deadline": deadline,
            },
            "jira": {
                "kind": "jira",
                "base_url": jira.base,
                "email": "dana@acme.example",
                "project_key": "CX",
                "deadline": deadline,
            },
        },
    )


def send(home: Path, *args: str, now: str = FRIDAY):
    return run_cxdaily(home, "digest", "--send", *args, env={"CXDAILY_NOW": now}, secrets=SECRETS)


def test_a_failure_mid_send_is_retried_without_duplicates(trackers):
    home, board, linear, jira = trackers
    for fake in (board, linear, jira):
        fake.faults = {2: "refuse"}
    first = send(home)
    assert first.returncode == 1 and first.stdout == ""
    assert first.stderr.count("\n") == 3
    assert len(board.notes) == 1 and len(linear.issues) == 1 and len(jira.issues) == 1
    second = send(home)
    assert second.returncode == 0, second.stderr
    assert "board: sent (2 notes to Productboard)" in second.stdout
    assert "linear: sent (1 Linear issue opened, 0 updated)" in second.stdout
    assert "jira: sent (1 Jira issue opened, 0 updated)" in second.stdout
    assert len(set(board.record_ids)) == len(board.notes) == 3
    assert all(r.path == "/v2/notes" and "x-version" not in r.headers for r in board.requests)
    assert sorted(i["title"] for i in linear.issues) == ["Billing", "Export"]
    assert sorted(i["fields"]["summary"] for i in jira.issues) == ["Billing", "Export"]
    received = json.dumps([board.notes, linear.issues, jira.issues])
    assert EMAIL not in received and "<script>" not in json.dumps(board.notes)
    assert all(
        n["type"] == "textNote" and n["metadata"]["source"]["system"] == "cxdaily"
        for n in board.notes
    )
    for secret in SECRETS.values():
        assert secret not in first.stdout + first.stderr + second.stdout + second.stderr
    third = send(home)
    assert third.returncode == 0 and third.stdout.count("already sent") == 3


def test_lost_answers_are_found_again_instead_of_created_twice(trackers):
    home, board, linear, jira = trackers
    configure(home, board, linear, jira, deadline="2s")
    for fake in (board, linear, jira):
        fake.faults = {1: "lose"}
    first = send(home)
    assert first.returncode == 1 and first.stderr.count("may have gone out") == 3
    second = send(home)
    assert second.returncode == 0, second.stderr
    assert "board: sent (2 notes to Productboard, 1 found again)" in second.stdout
    assert "linear: sent (1 Linear issue opened, 0 updated, 1 found again)" in second.stdout
    assert "jira: sent (1 Jira issue opened, 0 updated, 1 found again)" in second.stdout
    assert len(board.notes) == 3 and len(linear.issues) == 2 and len(jira.issues) == 2
    (lookup,) = [r for r in board.requests if r.method == "GET"]
    assert lookup.query["metadata[source][recordId]"] == [board.record_ids[0]]
    searches = [r for r in jira.requests if r.path == "/rest/api/3/search/jql"]
    assert len(searches) == 1 and "labels = " in searches[0].query["jql"][0]


def test_a_later_week_comments_only_its_new_evidence_on_each_themes_issue(trackers):
    home, board, linear, jira = trackers
    assert send(home).returncode == 0
    seed_week(home, [insight("2026-11-24 09:00", tags=("billing",), summary="Refund again")])
    later = send(home, now=NEXT_FRIDAY)
    assert later.returncode == 0, later.stderr
    assert "board: sent (1 note to Productboard)" in later.stdout
    assert "linear: sent (0 Linear issues opened, 1 updated)" in later.stdout
    assert "jira: sent (0 Jira issues opened, 1 updated)" in later.stdout
    (linear_comment,) = linear.comments
    (jira_comment,) = jira.comments
    assert "Refund again" in linear_comment["body"]
    assert "Refund took weeks" not in linear_comment["body"]
    assert "Refund again" in json.dumps(jira_comment["body"])
    assert len(linear.issues) == 2 and len(jira.issues) == 2 and len(board.notes) == 4
