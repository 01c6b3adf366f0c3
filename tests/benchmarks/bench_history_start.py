"""Start-up work as history grows: a year of use must not slow the morning's start.

What the app does before its first frame, through the real store: open the data folder,
curate today's batch, compute the streak. Measured on a data folder holding three months
of history (more than curation and the leader's history look at) and on one holding a
year (about 50 questions a day fetched, a session most
days with 17 actions, after the archiving every fetch does), each in a fresh
:class:`Service` as a new launch would be.

Target (the project's performance rule: work that grows with history must not slow
the daily loop): a year costs at most 1.5x three months. Questions are bounded (the
archive is not read); the streak still reads every month's actions once per launch,
which is what a year adds.

Usage: python tests/benchmarks/bench_history_start.py   (BENCH_RUNS=15 for more rounds)
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

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cxdaily.core.models import Action, Author, Disposition, Question, Session
from cxdaily.paths import locations
from cxdaily.service import Service
from cxdaily.settings import ChannelSettings, SessionSettings, Settings

RUNS = int(os.environ.get("BENCH_RUNS", "9"))
TARGET = 1.5
NOW = datetime(2026, 11, 21, 7, 30, tzinfo=UTC)
QUESTIONS_PER_DAY = 50
WORDS = [
    "export",
    "invoice",
    "billing",
    "refund",
    "login",
    "password",
    "sync",
    "crash",
    "slow",
    "mobile",
    "app",
    "team",
    "seat",
    "plan",
    "upgrade",
    "cancel",
    "import",
    "calendar",
    "reminder",
    "notification",
    "dark",
    "mode",
    "api",
]


def settings() -> Settings:
    """One channel, Berlin time."""
    return Settings(
        session=SessionSettings(timezone="Europe/Berlin"),
        channels={"acme": ChannelSettings(name="acme", kind="demo")},
    )


def seed(days: int, rng: random.Random) -> None:
    """Fill the current CXDAILY_HOME with ``days`` of questions, sessions and actions."""
    with Service(locations(), settings(), now=lambda: NOW) as service:
        questions = []
        for day in range(days):
            for n in range(QUESTIONS_PER_DAY):
                words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 60)))
                questions.append(
                    Question(
                        id=f"acme:{day}-{n}",
                        channel="acme",
                        kind="helpdesk",
                        native_id=f"{day}-{n}",
                        thread_id=f"{day}-{n}",
                        url=None,
                        author=Author(name=f"Customer {n}", followers=rng.randint(0, 9000)),
                        title=" ".join(words.split()[:6]),
                        body=words,
                        created_at=NOW - timedelta(days=day, minutes=rng.randint(0, 1439)),
                    )
                )
        service.store.questions.upsert_many(questions)
        actions: dict[str, list[dict]] = {}
        for day in range(1, days):
            if rng.random() < 0.2:
                continue
            start = NOW - timedelta(days=day, hours=rng.randint(0, 3))
            planned = tuple(f"acme:{day}-{k}" for k in range(17))
            service.store.activity.save_session(
                Session(f"s{day}", start, 1800, planned, ended_at=start + timedelta(minutes=29))
            )
            for k, question_id in enumerate(planned):
                action = Action(
                    question_id,
                    rng.choice(list(Disposition)),
                    start + timedelta(minutes=1 + k),
                    session_id=f"s{day}",
                )
                actions.setdefault(action.at.strftime("%Y-%m"), []).append(
                    {**action.to_dict(), "id": f"a{day}-{k}"}
                )
        for month, docs in actions.items():  # bulk seeding: one write per month
            service.store.activity._actions.for_month(month).put_many(docs)
        service.archive_old_questions()


def start_up() -> float:
    """Milliseconds for what a launch does before its first frame."""
    began = time.perf_counter()
    with Service(locations(), settings(), now=lambda: NOW) as service:
        service.batch()
        service.streak()
    return (time.perf_counter() - began) * 1000


def measure(days: int) -> tuple[float, float, int]:
    """(median ms, best ms, current questions) with ``days`` of history."""
    with tempfile.TemporaryDirectory() as home:
        os.environ["CXDAILY_HOME"] = home
        seed(days, random.Random(days))
        start_up()  # warm the file cache
        times = [start_up() for _ in range(RUNS)]
        with Service(locations(), settings(), now=lambda: NOW, read_only=True) as service:
            current = len(service.store.questions.all())
    return statistics.median(times), min(times), current


def main() -> int:
    """Print both figures and the ratio; exit 1 if the target is missed."""
    quarter = measure(91)
    year = measure(365)
    for label, (median, best, current) in (("3 months", quarter), ("a year", year)):
        print(
            f"{label:<8} of history: median {median:6.1f} ms, best {best:6.1f} ms "
            f"({current} current questions)"
        )
    ratio = year[0] / quarter[0]
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"{verdict}: a year / 3 months = {ratio:.2f} (target <= {TARGET})")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
