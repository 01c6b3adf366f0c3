"""Curation through the service and the command line: config, history, left-out, groups."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from msgspec.structs import replace

from cxdaily.cli import main
from cxdaily.paths import DEMO_PROFILE, locations
from cxdaily.service import DEMO_CHANNEL, Service
from cxdaily.settings import load_settings
from tests.unit.curation.curation_kit import WIDGET_GROUP, ask


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start) -> None:
        self.at = start

    def __call__(self):
        return self.at

    def tick(self, **delta) -> None:
        self.at += timedelta(**delta)


def open_demo(clock: Clock) -> Service:
    where = locations(DEMO_PROFILE)
    settings = replace(load_settings(where.config_file), channels={"demo": DEMO_CHANNEL})
    return Service(where, settings, now=clock)


@pytest.fixture
def clock(fixed_now) -> Clock:
    return Clock(fixed_now)


@pytest.fixture
def demo(home: Path, clock: Clock):
    with open_demo(clock) as service:
        assert not service.refresh().failed
        yield service


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_service_batch_groups_near_duplicates_and_lists_what_was_left_out(demo: Service):
    batch = demo.batch(60 * 60)  # room beyond the must-see questions
    picked = {item.question.id: item for item in batch.items}
    widget = [picked[qid] for qid in WIDGET_GROUP if qid in picked]
    assert widget and all(set(i.group) | {i.question.id} == WIDGET_GROUP for i in widget)
    assert batch.left_out and all(entry.reason for entry in batch.left_out)
    counted = sum(count for _, count in batch.left_out_counts())
    assert counted == len(batch.left_out) + batch.unlisted


def test_questions_the_team_answered_are_left_out_and_counted(demo: Service):
    demo.store.questions.upsert_many(
        [
            ask("solved", "Where is my invoice?", channel="demo", status="solved"),
            ask("replied", "Where is my invoice?", channel="demo", answered=True),
        ]
    )
    batch = demo.batch()
    ids = {i.question.id for i in batch.items} | {e.item.question.id for e in batch.left_out}
    assert not ids & {"demo:solved", "demo:replied"}
    assert dict(batch.excluded)["answered by the team"] == 2


def test_the_config_weights_change_the_batch(home: Path, clock: Clock):
    (home / "config.toml").write_text("[curation.weights]\nvip = 0\n", encoding="utf-8")
    with open_demo(clock) as service:
        service.refresh()
        reasons = [r for item in service.batch(4 * 3600).items for r in item.reasons]
    assert "VIP" not in reasons


def test_history_calibrates_estimates_and_pulls_towards_channels_not_read(
    demo: Service, clock: Clock
):
    before = {item.question.id: item.estimate_s for item in demo.batch(4 * 3600).items}
    session = demo.start_session(demo.batch())
    for item in demo.batch().items[:8]:
        clock.tick(seconds=item.estimate_s * 3)  # this leader takes three times as long
        demo.hand_off(item.question.id, "support", "please look", session.id)
    clock.tick(days=9)
    batch = demo.batch(4 * 3600)
    after = {item.question.id: item.estimate_s for item in batch.items}
    shared = set(before) & set(after)
    assert shared and all(after[q] >= before[q] for q in shared)
    assert any(after[q] > before[q] for q in shared)
    reasons = [r for item in batch.items for r in item.reasons]
    assert any(r.startswith("no ") and r.endswith("days") for r in reasons)


def test_next_best_skips_the_session_and_prefers_a_new_question(demo: Service):
    planned = [item.question.id for item in demo.batch(5 * 60).items]
    extra = demo.next_best(planned)
    assert extra is not None and extra.question.id not in planned
    assert not set(extra.group) & set(planned)


def test_the_batch_is_the_same_for_the_same_store_and_now(demo: Service, clock: Clock):
    first = [(i.question.id, i.score, i.reasons, i.group) for i in demo.batch().items]
    demo.close()
    with open_demo(clock) as again:
        assert [(i.question.id, i.score, i.reasons, i.group) for i in again.batch().items] == first


def test_cli_batch_json_prints_picks_with_their_group(home: Path, capsys):
    assert run(capsys, "--demo", "fetch")[0] == 0
    code, out, err = run(capsys, "--demo", "batch", "--budget", "60m", "--json")
    assert code == 0, err
    items = [json.loads(line) for line in out.splitlines()]
    assert all(
        set(i) == {"id", "score", "estimate_s", "reasons", "must_see", "group"} for i in items
    )
    by_id = {i["id"]: i for i in items}
    widget = [by_id[q] for q in WIDGET_GROUP if q in by_id]
    assert widget and all(set(i["group"]) | {i["id"]} == WIDGET_GROUP for i in widget)
    assert sum(i["estimate_s"] for i in items) <= 60 * 60


def test_cli_batch_text_says_what_was_left_out_and_why(home: Path, capsys):
    run(capsys, "--demo", "fetch")
    code, out, _ = run(capsys, "--demo", "batch", "--budget", "60m")
    assert code == 0
    assert "\nleft out: " in out and "do not fit the time left" in out
    assert "  - demo:" in out
    assert "also asked in demo:" in out


def test_cli_batch_with_a_bad_weight_is_a_one_line_error(home: Path, capsys):
    (home / "config.toml").write_text('[curation.weights]\nreach = "x"\n', encoding="utf-8")
    code, out, err = run(capsys, "--demo", "batch")
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert "[curation] weights.reach = 'x' is not a number" in lines[0]


def test_a_planned_session_is_the_one_begun_but_nothing_is_saved(demo: Service, clock: Clock):
    store = demo.daily.context.store
    batch = demo.batch()
    planned = demo.plan_session(batch)
    assert planned.planned == tuple(item.question.id for item in batch.items)
    assert planned.budget_s == batch.budget_s and planned.started_at == clock()
    assert store.activity.sessions() == []

    clock.tick(seconds=40)  # the leader reads the batch, then begins
    begun = demo.start_session(batch)
    assert begun.id != planned.id and begun.started_at == clock()
    assert begun.planned == planned.planned
    assert [s.id for s in store.activity.sessions()] == [begun.id]
