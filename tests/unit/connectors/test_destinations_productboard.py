"""The ``productboard`` destination through the service, over ``httpx.MockTransport``
against a fake of Productboard's REST API v2 notes: the note's shape, customer text
inert, redaction and customer attribution, the token, throttles, and "never twice" (a
failure half-way, a lost answer found by its ``metadata.source``, later sends)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from msgspec.structs import replace

from cxdaily.insights.delivery.model import OutcomeStatus, PeriodState
from tests.integration.trackers_fake_kit import ProductboardFake, mock_handler
from tests.unit.connectors.tracker_kit import LATER_SUMMARY, send_a_later_week, send_twice
from tests.unit.insights.delivery_kit import (
    EMAIL,
    WEEK_KEY,
    seed_week,
    service,
    week_insights,
    write_config,
)

TOKEN = "pb-token-very-secret"
PHONE = "+1 415 555 0134"
BASE = "https://api.productboard.com"


@pytest.fixture
def board(home: Path, monkeypatch) -> Path:
    insights = week_insights()
    note = f"call back on {PHONE} <i>soon</i>"
    insights[1] = replace(insights[1], customer_handle=EMAIL, note=note)
    seed_week(home, insights)
    monkeypatch.setenv("CXDAILY_SECRET_BOARD", TOKEN)
    write_config(home, {"board": {"kind": "productboard"}})
    return home


def fake(**options) -> ProductboardFake:
    return ProductboardFake(base=BASE, token=TOKEN, **options)


def test_each_insight_is_a_v2_note_shaped_as_the_notes_api_takes_it(board):
    notes = fake()
    with service(mock_handler(notes)) as s:
        (outcome,) = s.send_digest()
        items = s.delivery.repository.items("board")
    assert outcome.status is OutcomeStatus.SENT and outcome.detail == "3 notes to Productboard"
    request = notes.requests[0]
    assert request.method == "POST" and request.path == "/v2/notes"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert "x-version" not in request.headers
    first = notes.notes[0]
    assert set(first) == {"id", "type", "fields", "metadata", "links"}
    assert first["type"] == "textNote" and set(first["fields"]) == {"name", "content", "tags"}
    source = first["metadata"]["source"]
    assert source["system"] == "cxdaily" and set(source) == {"system", "recordId", "url"}
    assert source["url"].startswith("https://acme.example/tickets/")
    assert first["fields"]["tags"] == [{"name": "billing"}]
    assert sorted(items) == sorted(f"insight:{r}" for r in notes.record_ids)
    record = items[f"insight:{source['recordId']}"]
    assert record.remote_id == first["id"] and record.url is None  # the answer has no html


def test_the_notes_page_in_productboard_is_recorded_when_the_answer_links_it(board):
    notes = fake(html_on_create=True)
    with service(mock_handler(notes)) as s:
        s.send_digest()
        items = s.delivery.repository.items("board")
    by_id = {n["id"]: n for n in notes.notes}
    assert {r.url for r in items.values()} == {
        by_id[r.remote_id]["links"]["html"] for r in items.values()
    }
    assert all(r.url and r.url.startswith(f"{BASE}/app/") for r in items.values())


def test_customer_text_is_inert_html_and_personal_data_stays_out(board):
    notes = fake()
    with service(mock_handler(notes)) as s:
        s.send_digest()
    hostile = notes.notes[0]["fields"]["content"]
    assert "<script>" not in hostile and "&lt;script&gt;" in hostile
    assert "<b>after</b>" not in hostile and "&lt;b&gt;after&lt;/b&gt;" in hostile
    everything = json.dumps(notes.notes)
    assert EMAIL not in everything and "555 0134" not in everything
    assert all("relationships" not in n for n in notes.notes)
    assert "<i>soon</i>" not in everything and "&lt;i&gt;soon&lt;/i&gt;" in everything


def test_the_customer_is_attributed_only_when_the_command_says_no_redaction(board):
    notes = fake(users={EMAIL})
    with service(mock_handler(notes)) as s:
        s.send_digest(redact=False)
    (attributed,) = [n for n in notes.notes if "relationships" in n]
    customer = {"type": "customer", "target": {"type": "user", "email": EMAIL}}
    assert attributed["relationships"] == [customer]


def test_an_unknown_user_or_tag_sends_the_note_once_more_without_them(board):
    notes = fake(tags=set())
    with service(mock_handler(notes)) as s:
        (outcome,) = s.send_digest(redact=False)
    assert outcome.status is OutcomeStatus.SENT and outcome.detail == "3 notes to Productboard"
    assert len(notes.notes) == len(set(notes.record_ids)) == 3
    assert all("relationships" not in n and "tags" not in n["fields"] for n in notes.notes)
    posts = [json.loads(r.body) for r in notes.requests if r.method == "POST"]
    refused = [p for p in posts if "relationships" in p["data"] or "tags" in p["data"]["fields"]]
    assert len(refused) == len(posts) - 3 >= 2
    assert "Tags: billing" in notes.notes[0]["fields"]["content"]


def test_a_refused_token_is_one_line_naming_the_secret_and_never_showing_it(
    board, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("CXDAILY_SECRET_BOARD", "wrong-token-4711")
    with service(mock_handler(fake())) as s:
        (outcome,) = s.send_digest()
        stored = s.delivery.repository.period("board", WEEK_KEY)
    assert outcome.status is OutcomeStatus.FAILED and "\n" not in outcome.line
    assert "HTTP 401" in outcome.detail and "cxdaily login board" in outcome.detail
    assert "CXDAILY_SECRET_BOARD" in outcome.detail
    for text in (outcome.line, stored.error if stored else "", caplog.text):
        assert "wrong-token-4711" not in text


def test_a_missing_token_says_how_to_store_it(board, monkeypatch):
    monkeypatch.delenv("CXDAILY_SECRET_BOARD")
    notes = fake()
    with service(mock_handler(notes)) as s:
        (outcome,) = s.send_digest()
    assert outcome.status is OutcomeStatus.FAILED and "cxdaily login board" in outcome.detail
    assert notes.requests == []


def test_a_failure_half_way_keeps_what_went_out_and_the_retry_sends_only_the_rest(board):
    notes = fake()
    first, second, record = send_twice(notes, "board", "refuse")
    with service(mock_handler(notes)) as s:
        (third,) = s.send_digest(again=True)
    assert first.status is OutcomeStatus.FAILED and "503" in first.detail
    assert "may have gone out" not in first.detail
    assert second.status is OutcomeStatus.SENT and second.detail == "2 notes to Productboard"
    assert third.status is OutcomeStatus.SENT and third.detail == "0 notes to Productboard"
    assert len(notes.record_ids) == len(set(notes.record_ids)) == 3
    assert record is not None and record.state is PeriodState.SENT


def test_a_lost_answer_is_found_by_its_metadata_source_instead_of_created_again(board):
    notes = fake()
    first, second, _ = send_twice(notes, "board", "lose")
    with service(mock_handler(notes)) as s:
        items = s.delivery.repository.items("board")
    assert first.status is OutcomeStatus.FAILED and "may have gone out" in first.detail
    assert second.status is OutcomeStatus.SENT
    assert second.detail == "2 notes to Productboard, 1 found again"
    assert len(notes.record_ids) == len(set(notes.record_ids)) == 3
    assert {r.remote_id for r in items.values()} == {n["id"] for n in notes.notes}
    (lookup,) = [r for r in notes.requests if r.method == "GET"]
    assert lookup.query["metadata[source][system]"] == ["cxdaily"]
    assert lookup.query["metadata[source][recordId]"] == [notes.record_ids[0]]
    found = items[f"insight:{notes.record_ids[0]}"]
    assert found.url == notes.notes[0]["links"]["html"]


def test_the_lookup_follows_the_next_page_and_checks_each_note_itself(board):
    notes = fake(ignores_filters=True)
    notes.faults = {3: "lose"}
    with service(mock_handler(notes)) as s:
        (first,) = s.send_digest()
        (second,) = s.send_digest()
        items = s.delivery.repository.items("board")
    assert first.status is OutcomeStatus.FAILED and second.detail == (
        "0 notes to Productboard, 1 found again"
    )
    lost = notes.notes[2]
    assert items[f"insight:{lost['metadata']['source']['recordId']}"].remote_id == lost["id"]
    lookups = [r for r in notes.requests if r.method == "GET"]
    assert len(lookups) == 2 and lookups[1].query == {"pageCursor": ["c0"]}
    assert len(notes.notes) == 3


def test_a_throttle_is_waited_out_and_nothing_is_sent_twice(board):
    notes = fake()
    notes.faults = {1: "throttle"}
    with service(mock_handler(notes)) as s:
        (outcome,) = s.send_digest()
    assert outcome.status is OutcomeStatus.SENT and len(notes.notes) == 3
    assert [r.method for r in notes.requests] == ["POST"] * 4


def test_a_later_period_sends_only_its_own_insights(board, monkeypatch):
    notes = fake()
    later, again = send_a_later_week(board, notes, monkeypatch)
    assert later.status is OutcomeStatus.SENT and later.detail == "1 note to Productboard"
    assert again.detail == "0 notes to Productboard"
    assert notes.notes[-1]["fields"]["name"] == LATER_SUMMARY and len(notes.notes) == 4
