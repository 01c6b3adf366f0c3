"""A digest over a year of insights (15,000) in every format.

Budget: building the digest of a year of insights (15,000 of them: themes, groups,
trends, redaction) and rendering it takes at most :data:`BUDGET_RATIO` times as long as
``json.load`` of those insights' files, in every format.

Both are measured as a ``cxdaily digest`` run meets them: each in a fresh process (the
first ``json.load`` of the files after the same imports; the first build and render
after reading the insights from the store), alternated run by run, best CPU time of
:data:`RUNS` processes each (CPU time, user and system: a first load also pays for the
memory it takes from the system, and so does a first build). Repeated in one process,
both would reuse memory freed by the run before, and ``json.load`` (which allocates
little else) gains far more from that than a build does: such ratios say little.

Also printed: the whole path from opening the store to the rendered text
(``Service.digest`` + rendering; target under 1 s), in wall and CPU time.

The script fills a fresh data folder with 15,000 insights spread over the 12 months
before a fixed "now" (one file per month, as the app stores them), plus a year of
sessions with reflections and hand-offs. Every insight has its own quote (one to nine
sentences, some in paragraphs), summary and customer, and about one in seven quotes holds
personal data to redact (emails, phone and card numbers, street addresses, names) or a
link, as real ones do (:mod:`tests.unit.insights.corpus_kit`). Usage:
python tests/benchmarks/bench_digest.py [--keep DIR]  (DIR: fill once, reuse after; a
folder filled by older code first gets its stored digest forms made again, as the first
fetch with new code does)
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from cxdaily.core.models import Action, Author, Disposition, Insight, Question, Session  # noqa: E402
from cxdaily.insights import FORMATS, paused_gc  # noqa: E402
from cxdaily.insights.build import build_digest  # noqa: E402
from cxdaily.insights.output import render, renderer  # noqa: E402
from cxdaily.insights.source import DigestRequest, period_for  # noqa: E402
from cxdaily.paths import Locations  # noqa: E402
from cxdaily.service import Service  # noqa: E402
from cxdaily.settings import Settings  # noqa: E402
from tests.unit.insights.corpus_kit import (  # noqa: E402
    note_text,
    quote_text,
    realistic_insights,
    summary_text,
)

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
INSIGHTS = 15_000
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
TARGET_S = 1.0
BUDGET_RATIO = 3.0
"""Build + render may take at most this many times ``json.load`` of the insight files."""


def make_insights(rng: random.Random) -> list[Insight]:
    """15,000 insights over the year before NOW, each with its own words (see
    :mod:`tests.unit.insights.corpus_kit`): texts do not repeat, so no cache of
    already-redacted texts flatters the figures."""
    return realistic_insights(rng, INSIGHTS, NOW)


def fill(service: Service, rng: random.Random) -> None:
    """Insights, questions for the hand-offs, sessions with reflections, hand-offs; then
    the pass that runs after each fetch, which checks the months' digest forms."""
    service.store.insights.add_many(make_insights(rng))
    questions = [
        Question(
            id=f"acme:{n}",
            channel="acme",
            kind="demo",
            native_id=str(n),
            thread_id=str(n),
            url=f"https://acme.example/tickets/{n}",
            author=Author(id=str(n), handle=f"user{n}@example.com", name="Jane Doe"),
            title=None,
            body="Please help",
            created_at=NOW - timedelta(days=n % 365),
        )
        for n in range(365)
    ]
    service.store.questions.upsert_many(questions)
    for day in range(365):
        started = NOW - timedelta(days=day, hours=1)
        service.store.activity.save_session(
            Session(
                id=f"s{day}",
                started_at=started,
                budget_s=1800,
                planned=(),
                ended_at=started + timedelta(minutes=30),
                reflection=summary_text(rng) if day % 3 == 0 else None,
            )
        )
    for day in range(0, 365, 2):
        service.store.activity.record(
            Action(
                question_id=f"acme:{day}",
                disposition=Disposition.HANDED_OFF,
                at=NOW - timedelta(days=day, minutes=10),
                team="support",
                note=note_text(rng) or quote_text(rng),
            )
        )
    service.daily.store_insight_redactions()


def time_format(where: Locations, settings: Settings, fmt: str) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds per run: open the store read-only, build the digest, render it."""
    wall, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        with Service(where, settings, read_only=True, now=lambda: NOW) as service:
            digest = service.digest(DigestRequest(since="1y"))
            text = render(digest, fmt)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert len(digest.insights) == INSIGHTS, len(digest.insights)
        assert text
    return wall, cpu


def load_files(paths: list[Path]) -> None:
    """``json.load`` every insight file (the yardstick of the budget)."""
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            json.load(handle)


def child(kind: str, data_dir: str) -> None:
    """In a fresh process: print the CPU seconds of one ``json.load`` of every insight
    file (``kind`` ``load``), or of one build and render in format ``kind`` after reading
    the insights from the store, as ``cxdaily digest`` does."""
    where = Locations(
        config_file=Path(data_dir).parent / "config.toml",
        data_dir=Path(data_dir),
        user_themes_dir=Path(data_dir).parent / "themes",
    )
    settings = Settings()
    if kind == "load":
        paths = sorted((where.data_dir / "insights").glob("[0-9]*.json"))
        start = time.process_time()
        load_files(paths)
        print(time.process_time() - start)
        return
    with Service(where, settings, read_only=True, now=lambda: NOW) as service:
        period = period_for(DigestRequest(since="1y"), settings, NOW)
        loaded = service.store.insights.between(period.previous.since, None)
    current = [i for i in loaded if period.contains(i.created_at)]
    previous = [i for i in loaded if period.previous.contains(i.created_at)]
    render_text = renderer(kind)
    start = time.process_time()
    with paused_gc():
        render_text(build_digest(current, period, now=NOW, previous=previous))
    print(time.process_time() - start)


def fresh_ratios(where: Locations) -> float:
    """Each format's first build + render in a fresh process against the first
    ``json.load`` of the files in a fresh process, alternated run by run (best of
    :data:`RUNS` each); print them, return the worst ratio."""
    kinds = ("load", *FORMATS)
    best = dict.fromkeys(kinds, float("inf"))
    for _ in range(RUNS):
        for kind in kinds:
            argv = [sys.executable, __file__, "--child", kind, str(where.data_dir)]
            done = subprocess.run(argv, capture_output=True, text=True, check=True)
            best[kind] = min(best[kind], float(done.stdout.strip().splitlines()[-1]))
    yardstick = best["load"]
    print(f"json.load of the insight files, fresh process: {yardstick * 1000:.0f} ms (CPU, best)")
    worst = 0.0
    for fmt in FORMATS:
        ratio = best[fmt] / yardstick
        worst = max(worst, ratio)
        print(
            f"{fmt:>5}: build + render, fresh process {best[fmt] * 1000:5.0f} ms = "
            f"{ratio:4.1f}x json.load (budget {BUDGET_RATIO:.0f}x)"
        )
    return worst


def main(keep: str | None = None) -> int:
    """Fill a data folder (in ``keep`` when given, kept and reused by later runs; else a
    temporary one), time every format, print the figures; exit 1 over budget."""
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as scratch:
        root = keep or scratch
        where = Locations(
            config_file=Path(root) / "config.toml",
            data_dir=Path(root) / "data",
            user_themes_dir=Path(root) / "themes",
        )
        settings = Settings()
        if not (where.data_dir / "insights").is_dir():
            start = time.perf_counter()
            with Service(where, settings, now=lambda: NOW) as service:
                fill(service, rng)
            print(f"filled {INSIGHTS} insights in {time.perf_counter() - start:.2f} s")
        with Service(where, settings, now=lambda: NOW) as service:
            # a kept folder filled by older code: its stored digest forms are stale, and
            # the first fetch with this code makes them again (as here) before a digest
            if restamped := service.daily.store_insight_redactions():
                print(f"stored digest forms made again for this code: {restamped}")
        paths = sorted((where.data_dir / "insights").glob("[0-9]*.json"))
        print(f"insight files: {len(paths)} ({paths[0].name} … {paths[-1].name})")
        worst_ratio = fresh_ratios(where)
        print("from the store to the text (Service.digest + render):")
        worst = 0.0
        for fmt in FORMATS:
            wall, cpu = time_format(where, settings, fmt)
            median = statistics.median(wall)
            worst = max(worst, median)
            print(
                f"{fmt:>5}: median {median * 1000:6.0f} ms, best {min(wall) * 1000:6.0f} ms "
                f"(CPU median {statistics.median(cpu) * 1000:4.0f} ms) over {RUNS} runs"
            )
    within = worst_ratio <= BUDGET_RATIO
    print(
        f"{'PASS' if within else 'FAIL'}: worst build + render {worst_ratio:.1f}x json.load "
        f"(budget {BUDGET_RATIO:.0f}x)"
    )
    print(
        f"{'PASS' if worst < TARGET_S else 'FAIL'}: slowest median from the store "
        f"{worst * 1000:.0f} ms (target < {TARGET_S * 1000:.0f} ms)"
    )
    return 0 if within and worst < TARGET_S else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
        sys.exit(0)
    keep_at = sys.argv.index("--keep") + 1 if "--keep" in sys.argv else 0
    sys.exit(main(sys.argv[keep_at] if keep_at else None))
