"""Benchmark: ``cxdaily batch --json`` over 20,000 stored candidates costs at most 2x
reading the questions file with ``json.load``, and 40,000 at most 2.1x 20,000.

The candidates are the realistic synthetic inbox of :mod:`bench_curation` (demo
questions reworded, 12 channels, 18 services, ages up to 13 days, followers, ratings,
priorities), stored through the real store (:class:`cxdaily.store.Store`) in a fresh
data folder, so ``questions.json`` holds what a fetch would have stored.

What is compared, fairly: two whole processes started by the same interpreter,
alternated run by run.

- the command: ``python -m cxdaily batch --json`` (argument parsing, config, opening the
  store, reading every question, curating, printing the batch);
- the reference: ``python -c "import json; json.load(open(questions.json, 'rb'))"``.

Both include the interpreter's start-up, so the ratio is the whole command against the
least a process reading the same data must do. The CPU seconds of each process are
printed beside the wall-clock figures: on a machine shared with other work they vary
less. Both run from byte-compiled modules (the
benchmark compiles cxdaily first, as ``pip install`` does). ``CXDAILY_NOW`` pins the
clock to the inbox's ``now``. Figures are medians of ``BENCH_RUNS`` runs (default 7).

Targets: batch(20k) / json.load(20k) <= 2.0, and batch(40k) / batch(20k) <= 2.1.

Usage: python tests/benchmarks/bench_batch_scale.py   (BENCH_RUNS=11 for more rounds;
``--keep DIR`` leaves the seeded homes in DIR for profiling, and reuses them: their
readings are then brought up to date first, as the app's first start after an upgrade
does, since ``cxdaily batch`` only reads)
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench_curation import NOW, synthetic_inbox
from bench_startup import compile_cxdaily

from cxdaily.core.clock import to_iso
from cxdaily.store import Store

RUNS = int(os.environ.get("BENCH_RUNS", "7"))
SMALL, LARGE = 20_000, 40_000
TARGET_LOAD_RATIO = 2.0
TARGET_SCALE_RATIO = 2.1
JSON_LOAD = "import json, sys\nwith open(sys.argv[1], 'rb') as f:\n    json.load(f)\n"


def seed(home: Path, count: int) -> Path:
    """Store ``count`` synthetic candidates in the data folder under ``home``; returns
    the questions file."""
    data_dir = home / "data"
    with Store(data_dir) as store:
        store.questions.upsert_many(synthetic_inbox(count))
    return data_dir / "questions.json"


def bring_up_to_date(home: Path) -> None:
    """Make again, once, the readings kept with questions seeded by other code (a
    change to the curation code makes them stale), as the app's writer does when it
    first reads them."""
    with Store(home / "data") as store:
        store.questions.analysed()


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds one process takes, start to exit, and the CPU seconds it used (its output
    is checked, then dropped)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if done.returncode != 0:
        raise RuntimeError(f"{argv[1:3]} failed: {done.stderr.decode(errors='replace')[-400:]}")
    if "batch" in argv and not done.stdout.strip():
        raise RuntimeError("cxdaily batch --json printed no batch")
    return seconds, cpu


def measure(home: Path, questions_file: Path) -> dict[str, float]:
    """Median wall-clock and CPU seconds of the batch command and of ``json.load`` (runs
    alternated)."""
    env = {**os.environ, "CXDAILY_HOME": str(home), "CXDAILY_NOW": to_iso(NOW)}
    batch_argv = [sys.executable, "-m", "cxdaily", "batch", "--json"]
    load_argv = [sys.executable, "-c", JSON_LOAD, str(questions_file)]
    run(batch_argv, env)  # warm the file cache (and write back anything a first run fills in)
    run(load_argv, env)
    batches, loads = [], []
    for _ in range(RUNS):
        batches.append(run(batch_argv, env))
        loads.append(run(load_argv, env))
    return {
        "batch": statistics.median(wall for wall, _ in batches),
        "load": statistics.median(wall for wall, _ in loads),
        "batch_cpu": statistics.median(cpu for _, cpu in batches),
        "load_cpu": statistics.median(cpu for _, cpu in loads),
    }


def main(argv: list[str] | None = None) -> int:
    """Seed both stores, time them, print the figures; exit 1 on a missed target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="seed under this folder and keep it")
    args = parser.parse_args(argv)
    print(f"cxdaily from {compile_cxdaily()} (byte-compiled); {RUNS} runs each")
    root = args.keep or Path(tempfile.mkdtemp(prefix="cxdaily-batch-scale-"))
    figures: dict[int, dict[str, float]] = {}
    for count in (SMALL, LARGE):
        home = root / f"home-{count}"
        questions_file = home / "data" / "questions.json"
        if not questions_file.exists():
            seed(home, count)
        else:
            bring_up_to_date(home)
        figures[count] = measure(home, questions_file)
        size = questions_file.stat().st_size / 1e6
        got = figures[count]
        print(
            f"{count:>6,} candidates ({size:.1f} MB): batch --json {got['batch'] * 1000:7.1f} ms"
            f" (CPU {got['batch_cpu'] * 1000:6.1f}), json.load {got['load'] * 1000:6.1f} ms"
            f" (CPU {got['load_cpu'] * 1000:6.1f}), ratio {got['batch'] / got['load']:.2f}"
            f" (CPU {got['batch_cpu'] / got['load_cpu']:.2f})"
        )
    small, large = figures[SMALL], figures[LARGE]
    load_ratio = small["batch"] / small["load"]
    scale_ratio = large["batch"] / small["batch"]
    print(
        f"batch(20k) / json.load(20k) = {load_ratio:.2f} (CPU "
        f"{small['batch_cpu'] / small['load_cpu']:.2f}; target <= {TARGET_LOAD_RATIO})"
    )
    print(
        f"batch(40k) / batch(20k)     = {scale_ratio:.2f} (CPU "
        f"{large['batch_cpu'] / small['batch_cpu']:.2f}; target <= {TARGET_SCALE_RATIO})"
    )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    ok = load_ratio <= TARGET_LOAD_RATIO and scale_ratio <= TARGET_SCALE_RATIO
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
