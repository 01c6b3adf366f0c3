"""The ``productboard`` destination through the service, over ``httpx.MockTransport``
against a fake of the notes API: the note's shape, customer text inert, redaction, the
token, throttles, and "never twice" (a failure half-way, a lost answer, later sends)."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

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


@pytest.fixture
def board(home: Path, monkeypatch) -> Path:
    insights = week_insights()
    note = f"call back on {PHONE} <i>soon</i>"
    insights[1] = replace(insights[1], customer_handle=EMAIL, note=note)
    seed_week(home, insights)
    monkeypatch.setenv("CXDAILY_SECRET_BOARD", TOKEN)
    write_config(home, {"board": {"kind": "productboard"}})
    return home


def fake() -> ProductboardFake:
    return ProductboardFake(base="https://api.productboard.com", token=TOKEN)


def test_each_insight_is_a_note_shaped_as_the_notes_api_takes_it(board):
    notes = fake()
    with service(mock_handler(notes)) as s:
        (outcome,) = s.send_digest()
        items = s.delivery.repository.items("board")
    assert outcome.status is OutcomeStatus.SENT and outcome.detail == "3 notes to Productboard"
    request = notes.requests[0]
    assert request.headers["x-version"] == "1" and request.headers["authorization"].startswith(
        "Bearer "
    )
    first = notes.notes[0]
    assert set(first) == {"id", "title", "content", "tags", "source", "display_url"}
    assert first["source"] == {"origin": "cxdaily", "record_id": first["source"]["record_id"]}
    assert first["display_url"].startswith("https://acme.example/tickets/")
    assert first["tags"] == ["billing"]
    assert sorted(items) == sorted(f"insight:{n['source']['record_id']}" for n in notes.notes)
    record = items[f"insight:{first['source']['record_id']}"]
    assert record.remote_id == first["id"] and record.url == f"{notes.base}/notes/{first['id']}"


def test_customer_text_is_inert_html_and_personal_data_stays_out(board):
    notes = fake()
    with service(mock_handler(notes)) as s:
        s.send_digest()
    hostile = notes.notes[0]["content"]
    assert "<script>" not in hostile and "&lt;script&gt;" in hostile
    assert "<b>after</b>" not in hostile and "&lt;b&gt;after&lt;/b&gt;" in hostile
    everything = " ".join(str(n) for n in notes.notes)
    assert EMAIL not in everything and "555 0134" not in everything
    assert all("customer_email" not in n for n in notes.notes)
    assert "<i>soon</i>" not in everything and "&lt;i&gt;soon&lt;/i&gt;" in everything


def test_the_customer_email_goes_only_when_the_command_says_no_redaction(board):
    notes = fake()
    with service(mock_handler(notes)) as s:
        s.send_digest(redact=False)
    (with_email,) = [n for n in notes.notes if "customer_email" in n]
    assert with_email["customer_email"] == EMAIL


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
    ids = [n["source"]["record_id"] for n in notes.notes]
    assert len(ids) == len(set(ids)) == 3
    assert record is not None and record.state is PeriodState.SENT


def test_a_lost_answer_is_found_by_its_record_id_instead_of_created_again(board):
    notes = fake()
    first, second, _ = send_twice(notes, "board", "lose")
    with service(mock_handler(notes)) as s:
        items = s.delivery.repository.items("board")
    assert first.status is OutcomeStatus.FAILED and "may have gone out" in first.detail
    assert second.status is OutcomeStatus.SENT
    assert second.detail == "2 notes to Productboard, 1 found again"
    ids = [n["source"]["record_id"] for n in notes.notes]
    assert len(ids) == len(set(ids)) == 3
    assert {r.remote_id for r in items.values()} == {n["id"] for n in notes.notes}
    lookups = [r for r in notes.requests if r.method == "GET"]
    assert lookups and lookups[0].query["createdFrom"] == ["2026-11-20"]


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
    assert notes.notes[-1]["title"] == LATER_SUMMARY and len(notes.notes) == 4
