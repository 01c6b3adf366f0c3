"""Benchmark: a tag, a skip, a snooze, a draft save or a queued reply costs the same with
five years of history as on day one, and the app stays under 150 MB with that history.

Two data folders, both seeded through the real store:

- day one: one day of questions (:func:`bench_history_start.seed` with one day);
- five years: :func:`bench_history_start.seed` over 5 x 365 days (a session most days,
  17 actions each, archived questions), then :func:`bench_history_lookup.enrich`
  (customers, 8,000 sent replies in the outbox, 6,000 insights).

In each (fresh copies, opened side by side), a :class:`~cxdaily.service.Service` does
what a launch does (the outbox's archiving, which each fetch runs; the batch, a session
started on it), then each action is timed
through the service on today's questions, in one folder then the other, ``BENCH_ACTIONS``
times each (default 40): a tag (an insight and an action),
a skip, a snooze, a draft save (the durable write the composer's writer makes) and a
reply queued in the outbox (pulled back, untimed, so the next round can queue one
again; the five-year outbox holds 8,000 sent replies). Each is durable when the call
returns. Figures: median and p95 in milliseconds, and the ratio
of the five-year median to the day-one median; beside them the median CPU time of the
call (the work itself: on a machine shared with other work, waiting on the disk varies
far more than the work does).

Memory: a separate process opens the five-year folder as the app does, and reports its
resident memory (``VmRSS``) and peak (``VmHWM``, from ``/proc/self/status``) after the
launch (service opened, streak computed) and after the first batch.

Targets: every action's five-year median is at most 1.5x its day-one median; the peak
resident memory stays under 150 MB.

Usage: python tests/benchmarks/bench_action_cost.py   (``--keep DIR`` seeds under DIR
and reuses what is there: seeding five years takes minutes)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import bench_history_lookup as lookup
import bench_history_start as start

from cxdaily.core.models import InsightEntry
from cxdaily.paths import Locations, locations
from cxdaily.service import Service

ACTIONS = int(os.environ.get("BENCH_ACTIONS", "40"))
YEARS = 5
TARGET_RATIO = 1.5
TARGET_RSS_MB = 150.0
NOW = start.NOW
KINDS = ("tag", "skip", "snooze", "draft", "reply")


def seed_home(home: Path, days: int) -> None:
    """Seed ``home`` with ``days`` of history (five years: with replies and insights)."""
    os.environ["CXDAILY_HOME"] = str(home)
    start.QUESTIONS_PER_DAY = lookup.QUESTIONS_PER_DAY
    rng = random.Random(days)
    start.seed(days, rng)
    if days > 1:
        with Service(locations(), start.settings(), now=lambda: NOW) as service:
            lookup.enrich(service, days, rng)
    (home / "seeded").write_text(str(days))


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(median, p95) of the samples."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def timed(call: Callable[[], object]) -> tuple[float, float]:
    """Milliseconds one call takes, and the CPU milliseconds this thread spent on it
    (the work, without waiting on the disk or on other processes)."""
    began, cpu = time.perf_counter(), time.thread_time()
    call()
    return (time.perf_counter() - began) * 1000, (time.thread_time() - cpu) * 1000


def where(home: Path) -> Locations:
    """The default profile's locations under ``home`` (as ``CXDAILY_HOME`` would say)."""
    os.environ["CXDAILY_HOME"] = str(home)
    return locations()


def perform(service: Service, kind: str, question_id: str, session_id: str, n: int) -> None:
    """One action of ``kind`` on a question, through the service (durable on return)."""
    if kind == "tag":
        service.tag(question_id, InsightEntry(tags=("billing",), summary=f"n{n}"), session_id)
    elif kind == "skip":
        service.skip(question_id, session_id)
    elif kind == "snooze":
        service.snooze(question_id, NOW + timedelta(days=1, seconds=n), session_id)
    elif kind == "draft":
        service.save_draft(question_id, f"Hello, this is draft number {n}")
    else:
        body = f"Thanks for writing, this is reply number {n}."
        service.queue_reply(question_id, body, session_id=session_id)


def action_costs(homes: dict[str, Path]) -> dict[str, dict[str, list[tuple[float, float]]]]:
    """Milliseconds of each action in each folder, ``ACTIONS`` times each: one service
    per folder, opened side by side, each action timed in every folder in turn (so a
    busy moment of the machine falls on both)."""
    clock = [NOW]
    today = [f"acme:0-{n}" for n in range(lookup.QUESTIONS_PER_DAY)]
    costs: dict[str, dict[str, list[tuple[float, float]]]] = {
        label: {kind: [] for kind in KINDS} for label in homes
    }
    with contextlib.ExitStack() as stack:
        services = {
            label: stack.enter_context(Service(where(home), start.settings(), now=lambda: clock[0]))
            for label, home in homes.items()
        }
        for service in services.values():  # as the launch's fetch does, every day
            service.archive_old_replies()
        sessions = {label: s.start_session(s.batch()) for label, s in services.items()}
        unanswered = [  # a reply is queued on each in turn: none answered in either folder
            q for q in today if not any(s.replies.has_replied(q) for s in services.values())
        ]
        for n in range(ACTIONS):
            clock[0] = NOW + timedelta(seconds=n)  # actions a second apart
            question_id = today[n % len(today)]
            for kind in KINDS:
                on = unanswered[n % len(unanswered)] if kind == "reply" else question_id
                for label, service in services.items():
                    act = partial(perform, service, kind, on, sessions[label].id, n)
                    costs[label][kind].append(timed(act))
            for service in services.values():  # untimed: the reply goes back to a draft
                for reply in service.replies_in_undo_window():
                    service.pull_back(reply.id)
    return costs


MEMORY_PROBE = """
import os, sys
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[2])
import bench_history_start as start
from cxdaily.paths import locations
from cxdaily.service import Service

def status():
    with open("/proc/self/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return [int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM")]

with Service(locations(), start.settings(), now=lambda: start.NOW) as service:
    service.streak()
    launched = status()
    service.batch()
    batched = status()
print(*launched, *batched)
"""


def memory(home: Path) -> tuple[float, float, float, float]:
    """(RSS, peak) in MB after the launch and after the first batch, in a new process."""
    env = {**os.environ, "CXDAILY_HOME": str(home)}
    here = Path(__file__).resolve()
    argv = [sys.executable, "-c", MEMORY_PROBE, str(here.parents[2]), str(here.parent)]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    rss, peak, batch_rss, batch_peak = (float(x) for x in done.stdout.split())
    return rss, peak, batch_rss, batch_peak


def describe(home: Path) -> str:
    """What a data folder holds, in one line (files and their total size)."""
    files = [p for p in (home / "data").rglob("*.json")]
    size = sum(p.stat().st_size for p in files) / 1e6
    biggest = sorted(files, key=lambda p: p.stat().st_size)[-3:]
    named = ", ".join(
        f"{p.relative_to(home / 'data')} {p.stat().st_size / 1e6:.1f} MB" for p in biggest
    )
    return f"{len(files)} files, {size:.1f} MB (largest: {named})"


def main(argv: list[str] | None = None) -> int:
    """Seed (or reuse), time the actions, measure the memory; exit 1 on a missed target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="seed under this folder and reuse it")
    args = parser.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="cxdaily-action-cost-"))
    homes = {"day one": root / "day-one", f"{YEARS} years": root / f"{YEARS}-years"}
    for (label, home), days in zip(homes.items(), (1, YEARS * 365), strict=True):
        if not (home / "seeded").exists():
            began = time.perf_counter()
            home.mkdir(parents=True, exist_ok=True)
            seed_home(home, days)
            print(f"seeded {label} in {time.perf_counter() - began:.0f} s")
        print(f"{label}: {describe(home)}")
    # fresh copies: the timed actions add to the history, and each run starts the same
    with tempfile.TemporaryDirectory() as scratch:
        copies = {}
        for label, home in homes.items():
            copies[label] = Path(scratch) / home.name
            subprocess.run(["cp", "-a", str(home), str(copies[label])], check=True)
        figures = action_costs(copies)
        memory_home = Path(scratch) / "memory"  # the app moves an older folder's sessions
        subprocess.run(["cp", "-a", str(homes[f"{YEARS} years"]), str(memory_home)], check=True)
        rss, peak, batch_rss, batch_peak = memory(memory_home)
    ok = True
    first, last = figures["day one"], figures[f"{YEARS} years"]
    for kind in KINDS:
        (m1, p1), (m5, p5) = (percentiles([w for w, _ in f[kind]]) for f in (first, last))
        cpu1, cpu5 = (statistics.median(c for _, c in f[kind]) for f in (first, last))
        ratio = m5 / m1
        ok &= ratio <= TARGET_RATIO
        print(
            f"{kind:<7} day one: median {m1:5.1f} ms (CPU {cpu1:4.1f}), p95 {p1:5.1f} | "
            f"{YEARS} years: median {m5:5.1f} ms (CPU {cpu5:4.1f}), p95 {p5:5.1f} | "
            f"ratio {ratio:.2f}, CPU {cpu5 / cpu1:.2f} (target <= {TARGET_RATIO})"
        )
    print(
        f"memory with {YEARS} years: after launch RSS {rss:.0f} MB (peak {peak:.0f} MB), "
        f"after the first batch RSS {batch_rss:.0f} MB (peak {batch_peak:.0f} MB); "
        f"target: under {TARGET_RSS_MB:.0f} MB"
    )
    ok &= max(peak, batch_peak) < TARGET_RSS_MB
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
