"""``cxdaily streak [--json]`` and the service under it, with the clock set by CXDAILY_NOW."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from msgspec.structs import replace

from cxdaily.cli import main
from cxdaily.service import Service

JSON_KEYS = {
    "current",
    "longest",
    "total_days",
    "freezes",
    "today_counts",
    "days_until_break",
    "calendar",
    "handled_today",
    "today",
    "today_off",
    "frozen_days",
    "rules",
    "stats",
}


def streak_json(capsys) -> dict:
    code = main(["--demo", "streak", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    (line,) = out.splitlines()
    return json.loads(line)


def handle_on(monkeypatch, when: str, count: int = 1) -> None:
    """Reply to ``count`` fresh demo questions at the instant ``when``."""
    monkeypatch.setenv("CXDAILY_NOW", when)
    with Service.open("demo") as service:
        service.refresh()
        for item in service.batch().items[:count]:
            service.reply(item.question.id, "Thanks, fixed!")


def write_config(home: Path, text: str) -> None:
    (home / "config.toml").write_text(text, encoding="utf-8")


def test_an_empty_history(home: Path, capsys):
    data = streak_json(capsys)
    assert set(data) >= JSON_KEYS
    assert (data["current"], data["longest"], data["total_days"], data["freezes"]) == (0, 0, 0, 0)
    assert (data["today_counts"], data["days_until_break"], data["calendar"]) == (False, 0, [])
    assert data["today"] == "2026-11-21"


def test_three_days_in_a_row(home: Path, monkeypatch, capsys):
    for day, count in (("19", 1), ("20", 2), ("21", 3)):
        handle_on(monkeypatch, f"2026-11-{day}T09:00:00Z", count)
    monkeypatch.setenv("CXDAILY_NOW", "2026-11-21T18:00:00Z")
    data = streak_json(capsys)
    assert (data["current"], data["longest"], data["total_days"]) == (3, 3, 3)
    assert data["today_counts"] is True and data["handled_today"] == 3
    assert data["days_until_break"] == 1
    assert data["calendar"] == [
        {"date": "2026-11-19", "handled": 1},
        {"date": "2026-11-20", "handled": 2},
        {"date": "2026-11-21", "handled": 3},
    ]
    assert data["stats"]["answered"] == 6
    # Two days later, nothing since: broken, the longest remembered.
    monkeypatch.setenv("CXDAILY_NOW", "2026-11-23T18:00:00Z")
    later = streak_json(capsys)
    assert (later["current"], later["longest"], later["today_counts"]) == (0, 3, False)


def test_the_day_start_and_zone_come_from_the_config(home: Path, monkeypatch, capsys):
    write_config(home, '[session]\ntimezone = "America/New_York"\nday_start = "04:00"\n')
    handle_on(monkeypatch, "2026-11-21T07:30:00Z")  # 02:30 in New York: still the 20th
    monkeypatch.setenv("CXDAILY_NOW", "2026-11-21T08:30:00Z")  # 03:30: still the 20th
    data = streak_json(capsys)
    assert data["today"] == "2026-11-20" and data["today_counts"] is True
    assert data["rules"]["timezone"] == "America/New_York" and data["rules"]["day_start"] == "04:00"


def test_work_days_mode_on_a_saturday(home: Path, monkeypatch, capsys):
    write_config(home, '[session]\ntimezone = "UTC"\n\n[streak]\nworkdays_only = true\n')
    handle_on(monkeypatch, "2026-11-20T09:00:00Z")  # Friday
    monkeypatch.setenv("CXDAILY_NOW", "2026-11-21T12:00:00Z")  # Saturday
    data = streak_json(capsys)
    assert (data["current"], data["today_off"], data["days_until_break"]) == (1, "weekend", 2)
    assert data["rules"]["workdays_only"] is True


def test_a_full_batch_earns_a_freeze_that_covers_a_missed_day(home: Path, monkeypatch, capsys):
    monkeypatch.setenv("CXDAILY_NOW", "2026-11-19T09:00:00Z")
    with Service.open("demo") as service:
        service.refresh()
        batch = service.batch()
        session = service.start_session(batch)
        first, *rest = batch.items
        service.reply(first.question.id, "Thanks!", session_id=session.id)
        for item in rest:
            service.skip(item.question.id, session_id=session.id)
        summary = service.summarize(replace(session, ended_at=service.now()))
    assert summary.completed_batch and summary.streak.freezes == 1
    assert summary.streak.freezes_earned_today == 1
    # The 20th is missed; on the 21st the freeze has kept the streak alive.
    handle_on(monkeypatch, "2026-11-21T09:00:00Z")
    data = streak_json(capsys)
    assert (data["current"], data["freezes"], data["frozen_days"]) == (2, 0, ["2026-11-20"])


def test_recorded_actions_carry_their_day(home: Path, monkeypatch):
    write_config(home, '[session]\ntimezone = "Asia/Tokyo"\n')
    handle_on(monkeypatch, "2026-11-21T23:30:00Z")  # 08:30 on the 22nd in Tokyo
    with Service.open("demo", read_only=True) as service:
        (action,) = service.store.activity.actions()
    assert action.day == date(2026, 11, 22)


def test_a_change_of_home_zone_keeps_history(home: Path, monkeypatch, capsys):
    write_config(home, '[session]\ntimezone = "Asia/Tokyo"\n')
    handle_on(monkeypatch, "2026-11-20T00:30:00Z")  # 09:30 on the 20th in Tokyo
    handle_on(monkeypatch, "2026-11-21T00:30:00Z")  # 09:30 on the 21st in Tokyo
    write_config(home, '[session]\ntimezone = "America/Los_Angeles"\n')
    handle_on(monkeypatch, "2026-11-21T18:00:00Z")  # 10:00 on the 21st in Los Angeles
    data = streak_json(capsys)
    assert data["calendar"] == [
        {"date": "2026-11-20", "handled": 1},
        {"date": "2026-11-21", "handled": 2},
    ]
    assert (data["current"], data["total_days"]) == (2, 2)


def test_the_text_output(home: Path, monkeypatch, capsys):
    handle_on(monkeypatch, "2026-11-21T09:00:00Z", 2)
    code = main(["--demo", "streak"])
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "streak 1 day (longest 1, 1 day in all)"
    assert lines[1] == "today counts (2 handled)"
    assert lines[2] == "freezes: 0 of 2 · until it breaks: 1 day"
    grid = [line for line in lines if line[:4] in ("Mon ", "Wed ", "Fri ", "Sun ")]
    assert len(grid) == 4
    assert next(line for line in lines if line.startswith("    ") and "#" in line)  # today
    assert any(line.startswith("last 1 week: ") for line in lines)
    assert lines[-1].startswith("rules: days in UTC from 04:00 · a day counts with 1 handled")


def test_a_bad_streak_setting_is_a_one_line_error(home: Path, capsys):
    write_config(home, "[streak]\nmax_freezes = 99\n")
    code = main(["--demo", "streak", "--json"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "[streak] max_freezes = 99" in err


@pytest.mark.parametrize(
    ("config", "setting"),
    [
        ('[session]\ntimezone = "Europe/Atlantis"\n', "[session] timezone"),
        ('[session]\nday_start = "25:00"\n', "[session] day_start"),
    ],
)
def test_the_command_names_a_bad_day_setting(subprocess_env, home: Path, config, setting):
    write_config(home, config)
    proc = subprocess.run(
        [sys.executable, "-m", "cxdaily", "streak", "--json"],
        env=subprocess_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1 and proc.stdout == ""
    assert setting in proc.stderr and "Traceback" not in proc.stderr


def test_as_a_process_with_cxdaily_now(subprocess_env, home: Path):
    env = dict(subprocess_env, CXDAILY_NOW="2027-01-04T10:00:00+01:00")
    proc = subprocess.run(
        [sys.executable, "-m", "cxdaily", "--demo", "streak", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["today"] == "2027-01-04" and set(data) >= JSON_KEYS


def test_the_service_reads_past_months_once_and_keeps_up_across_a_month(home: Path, monkeypatch):
    monkeypatch.setenv("CXDAILY_NOW", "2026-11-30T09:00:00Z")
    with Service.open("demo") as service:
        service.refresh()
        questions = [item.question.id for item in service.batch().items]
        service.reply(questions[0], "Thanks!")
        assert service.streak().calendar == {date(2026, 11, 30): 1}
        monkeypatch.setenv("CXDAILY_NOW", "2026-12-01T09:00:00Z")
        service.reply(questions[1], "Thanks!")
        assert service.streak().current == 2
        reads = []
        original = service.store.activity.actions
        monkeypatch.setattr(
            service.store.activity,
            "actions",
            lambda since=None: reads.append(since) or original(since),
        )
        service.reply(questions[2], "Thanks!")
        streak = service.streak()
        assert streak.handled_today == 2 and streak.current == 2
        # only the records since the settled days' cut, a few days before November ended
        assert reads and all(since is not None and since.month == 11 for since in reads)
        monkeypatch.setenv("CXDAILY_NOW", "2026-11-30T20:00:00Z")  # the clock set back
        assert service.streak().calendar == {date(2026, 11, 30): 1}
        assert reads[-1] is None  # a different month: everything read again
