"""Benchmark: the streak at launch costs the same after five years as after a few weeks:
a launch reads the settled days kept in ``streak-days.json`` and the records of the last
weeks, never every action and session.

The five-year folder is seeded through the real store (:func:`bench_action_cost.seed_home`:
about 25,000 actions and 1,450 sessions) or given with ``--home`` (a ``CXDAILY_HOME``
holding one: it is copied, never changed). Each launch is a fresh process that opens the
service and times ``Service.streak()``, as the app computes it after its first frame;
rounds alternate a launch without the file (the first launch, which folds every record
and writes it) and one with it (every later launch). Each process then folds every
record itself (untimed) and checks that the streak is the same.

Target: the median of the later launches is at most 20 ms.

Usage: python tests/benchmarks/bench_streak_launch.py [--home DIR]   (BENCH_RUNS=9 for
more rounds; ``CXDAILY_NOW`` sets the clock, by default the seeded history's now)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import bench_action_cost as action_cost
from bench_startup import compile_cxdaily

from cxdaily.core.clock import to_iso
from cxdaily.service.streak_days import SETTLED_FILE

REPO = Path(__file__).resolve().parents[2]
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
TARGET_MS = 20.0
#: One launch: the streak timed, then checked against a fold of every record.
LAUNCH = """
import gc, json, time
from cxdaily.service import Service
from cxdaily.streaks import compute_streak
with Service.open() as service:
    gc.collect()
    began = time.perf_counter()
    streak = service.streak()
    took = (time.perf_counter() - began) * 1000
    activity, s = service.store.activity, service.settings
    full = compute_streak(activity.actions(), service.now(), s.session.zone,
                          s.session.day_start, rules=s.streak, sessions=activity.sessions())
print(json.dumps({"ms": took, "same": streak == full, "current": streak.current,
                  "days": len(streak.calendar)}))
"""


def launch(env: dict[str, str]) -> dict[str, object]:
    """One launch in a fresh process: its streak's time, and whether it was right."""
    done = subprocess.run(
        [sys.executable, "-c", LAUNCH], env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="a CXDAILY_HOME with five years of history")
    args = parser.parse_args()
    print(f"cxdaily from {compile_cxdaily()} (byte-compiled)")
    home = Path(tempfile.mkdtemp(prefix="cxdaily-bench-")) / "home"
    if args.home:
        shutil.copytree(args.home, home, symlinks=True)
    else:
        print("seeding five years of history (this takes minutes)")
        action_cost.seed_home(home, action_cost.YEARS * 365)
    now = os.environ.get("CXDAILY_NOW") or to_iso(action_cost.NOW)
    env = {**os.environ, "CXDAILY_HOME": str(home), "CXDAILY_NOW": now, "PYTHONPATH": str(REPO)}
    settled = home / "data" / SETTLED_FILE
    first: list[float] = []
    later: list[float] = []
    right = True
    for _ in range(RUNS):
        settled.unlink(missing_ok=True)
        for times in (first, later):
            found = launch(env)
            times.append(float(str(found["ms"])))
            right = right and found["same"] is True
    print(f"streak: {found['current']} days, {found['days']} days in the calendar")
    for label, times in (("first launch (writes the file)", first), ("later launches", later)):
        print(f"{label:<32} median {statistics.median(times):7.1f} ms   best {min(times):7.1f} ms")
    median = statistics.median(later)
    verdict = "PASS" if right and median <= TARGET_MS else "FAIL"
    print(
        f"{verdict}: later launches' median {median:.1f} ms (target <= {TARGET_MS} ms), "
        f"{'the same streak as a fold of every record' if right else 'A DIFFERENT STREAK'}"
    )
    shutil.rmtree(home.parent, ignore_errors=True)
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
