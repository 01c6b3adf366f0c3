"""Streak computation over a year of history, as the start screen does it.

Target (issue: streaks and personal stats): the pure streak computation stays a few
milliseconds for a year of history (about 5,000 actions and 300 sessions). Measured
three ways: with the day stored on every action (what the app records), with older
records that have no stored day (computed in the home zone), and end to end through
``Service.streak()`` on a store holding that year (one file per month).

Usage: python tests/benchmarks/bench_streak.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from msgspec.structs import replace

from cxdaily.core.models import Action, Disposition, Session
from cxdaily.streaks import compute_streak, day_start_instant, record_day
from cxdaily.streaks.rules import Pause, StreakRules
from cxdaily.streaks.stats import compute_stats

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
TARGET_MS = 5.0
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Berlin")
DAY_START = datetime.strptime("04:00", "%H:%M").time()
RULES = StreakRules(
    workdays_only=True,
    rest_weekdays=frozenset({6}),
    pauses=(Pause(NOW.date() - timedelta(days=120), NOW.date() - timedelta(days=110)),),
)


def year_of_history(seed: int = 3) -> tuple[list[Action], list[Session]]:
    """About 5,000 actions in 300 sessions over the last year (16-17 questions a day)."""
    rng = random.Random(seed)
    actions: list[Action] = []
    sessions: list[Session] = []
    for n in range(365):
        if len(sessions) >= 300 or rng.random() < 0.17:
            continue
        start = NOW - timedelta(days=365 - n, hours=rng.randint(0, 6))
        planned = tuple(f"acme:{n}-{k}" for k in range(17))
        session = Session(f"s{n}", start, 1800, planned, ended_at=start + timedelta(minutes=29))
        sessions.append(session)
        for k, question in enumerate(planned):
            at = start + timedelta(minutes=1 + k)
            disposition = rng.choice(list(Disposition))
            day = record_day(at, ZONE, DAY_START, start)
            actions.append(Action(question, disposition, at, session_id=session.id, day=day))
    return actions, sessions


def best_and_median(fn) -> tuple[float, float]:
    """Milliseconds: best and median of RUNS calls."""
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return min(times), statistics.median(times)


def through_the_store(
    actions: list[Action], sessions: list[Session]
) -> tuple[float, tuple[float, float]]:
    """Service.streak() on a real data folder holding the year."""
    from cxdaily.paths import locations
    from cxdaily.service import Service
    from cxdaily.settings import SessionSettings, Settings

    with tempfile.TemporaryDirectory() as home:
        os.environ["CXDAILY_HOME"] = home
        settings = Settings(session=SessionSettings(timezone="Europe/Berlin"), streak=RULES)
        with Service(locations(), settings, now=lambda: NOW) as service:
            by_month: dict[str, list[dict]] = {}
            for n, action in enumerate(actions):
                by_month.setdefault(action.at.strftime("%Y-%m"), []).append(
                    {**action.to_dict(), "id": f"a{n}"}
                )
            tables = service.store.activity._actions  # bulk seeding: one write per month
            for month, docs in by_month.items():
                tables.for_month(month).put_many(docs)
            for session in sessions:
                service.store.activity.save_session(session)
        with Service(locations(), settings, now=lambda: NOW, read_only=True) as service:
            began = time.perf_counter()
            service.streak()  # first call: reads and parses the month files
            first = (time.perf_counter() - began) * 1000
            warm = best_and_median(service.streak)
    return first, warm


def main() -> int:
    actions, sessions = year_of_history()
    legacy = [replace(a, day=None) for a in actions]
    print(f"history: {len(actions)} actions, {len(sessions)} sessions, rules: {RULES.describe()}")

    def stored() -> None:
        compute_streak(actions, NOW, ZONE, DAY_START, rules=RULES, sessions=sessions)

    def computed() -> None:
        day_start_instant.cache_clear()
        compute_streak(legacy, NOW, ZONE, DAY_START, rules=RULES, sessions=sessions)

    def stats() -> None:
        compute_stats(sessions, actions, [NOW - timedelta(days=n) for n in range(200)], NOW)

    results = {
        "streak, days stored on actions": best_and_median(stored),
        "streak, days computed (cold cache)": best_and_median(computed),
        "personal stats": best_and_median(stats),
    }
    for label, (best, median) in results.items():
        print(f"{label:<38} best {best:6.2f} ms   median {median:6.2f} ms")
    first, (best, median) = through_the_store(actions, sessions)
    print(f"{'Service.streak() first call (disk)':<38} {first:6.2f} ms")
    print(f"{'Service.streak() warm':<38} best {best:6.2f} ms   median {median:6.2f} ms")
    pure = results["streak, days stored on actions"][1]
    verdict = "PASS" if pure <= TARGET_MS else "FAIL"
    print(f"{verdict}: pure streak median {pure:.2f} ms (target <= {TARGET_MS} ms)")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
