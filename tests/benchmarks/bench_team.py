"""Team mode on a real PostgreSQL: 20 leaders writing at once, then the company digest.

What it measures (a throwaway server from ``tests/integration/postgres_kit.py``):

1. **Concurrent writes.** 20 simulated leaders, each with its own role and a small
   psycopg connection pool, apply 50,000 writes between them (40,000 insights and 10,000
   claims, a quarter of the claims on questions another leader also claims) through the
   flusher's path (:func:`cxdaily.team.database.apply_write`, 200 writes a transaction,
   row-level security on). Printed: writes per second, and that every contested question
   was won exactly once.
2. **The company digest over 100,000 insights.** The table is topped up to 100,000
   insights over the last year (``COPY``, then ``ANALYZE``), and the digest of the whole
   year is built as ``cxdaily digest --company --since 12mo`` builds it: read, attribute,
   build, redact. Printed: the read and the build time.

Usage: ``python tests/benchmarks/bench_team.py`` (``BENCH_LEADERS``, ``BENCH_WRITES``).

Measured on the project's machine class (2 CPUs shared with other work, server and
the 20 leaders' threads on the same machine, ``fsync=off`` as the kit runs it): 2,700 to
4,000 writes/s, every contested question won exactly once; the digest over 100,000
insights in 8 to 13 s (read 2.3 to 2.7 s, build 5.7 to 10 s, the build being
:func:`~cxdaily.insights.build.build_digest`'s own cost, the same as a leader's digest of
that size). Run it again for this machine's figures.

Indexes, and the expected cost at 1,000,000 insights and 200 leaders
---------------------------------------------------------------------

- ``insights``: primary key ``(leader_role, id)`` (the upsert's conflict target: one
  B-tree descent per write, O(log n)); ``insights_created_at (created_at)`` for the
  digest's period; ``insights_team_created_at (team, created_at)`` for a digest of one
  team. ``handoffs``: primary key ``(leader_role, id)`` and ``(handed_at)``.
  ``claims``: primary key ``question_key`` (the atomic ``INSERT ... ON CONFLICT DO
  NOTHING``) and ``(expires_at)`` for the live claims every app reads each 15 s.
  ``sent``: primary key ``question_key`` and ``(sent_at)`` for the 30 days apps read.
- Writes: an insight upsert costs one primary-key descent plus two (three) secondary
  index inserts; at 10^6 rows the B-trees are 3-4 levels deep (about 50 MB of index),
  all in shared buffers, so the per-write cost barely moves from 10^5: expect the same
  order of throughput. 200 leaders write at a human pace (a few dozen writes a day each,
  in bursts after an offline spell): far below what one server sustains; the limit is
  connections (one per app), so ``max_connections`` of 300 or a pooler (PgBouncer in
  transaction mode) in front.
- Claims: the table holds about the live claims only (an expired one goes when its
  question is claimed again, or a day later, pruned by any app's refresh), a few hundred
  rows with 200 leaders; each app's 15 s refresh is an
  index range on ``expires_at``: 200 apps make about 13 tiny queries per second.
- The digest reads the period's rows through ``insights_created_at``: it is linear in
  the insights of the period, not in the table. A year at 10^6 insights is 10x this run:
  about 25 s to read and 1 to 2 minutes to build in one process, so a yearly company
  digest is a job for ``cxdaily digest --company -o FILE`` (a script or a schedule),
  while the weekly one (about 20,000 insights at that size) stays around 2 to 3 s. Past
  10^6 rows, partition ``insights`` by month on ``created_at`` so old months leave the
  hot indexes.
"""

from __future__ import annotations

import os
import random
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from psycopg_pool import ConnectionPool  # noqa: E402

from cxdaily.core.models import Insight  # noqa: E402
from cxdaily.insights.source import DigestRequest  # noqa: E402
from cxdaily.settings import Settings  # noqa: E402
from cxdaily.team.company import company_digest  # noqa: E402
from cxdaily.team.database import apply_write  # noqa: E402
from cxdaily.team.writes import TeamWrite, WriteKind  # noqa: E402
from tests.integration.postgres_kit import PostgresServer  # noqa: E402

LEADERS = int(os.environ.get("BENCH_LEADERS", "20"))
WRITES = int(os.environ.get("BENCH_WRITES", "50000"))
DIGEST_INSIGHTS = 100_000
BATCH = 200
PASSWORD = "bench-pass-Lq2"
DATABASE = "bench_team"
NOW = datetime.now(UTC)
TAGS = ("billing", "export", "onboarding", "pricing", "mobile", "sync", "performance")
TEAMS = ("product", "support", "sales", "marketing")
QUOTES = (
    "I can't export my invoices since the update, call me at +1 555 123 4567.",
    "Love the new dashboard, it saves me an hour every Monday!",
    "The pricing page and the invoice disagree. Email me: ana@example.com",
)


def insight_record(n: int, leader: int, created_at: datetime) -> dict:
    """One insight as a leader's app pushes it."""
    rng = random.Random(n)
    return Insight(
        id=f"i{leader:03d}-{n:07d}",
        question_id=f"acme:{n}",
        channel="acme",
        url=f"https://acme.example/t/{n}",
        customer_name=f"Customer {n % 5000}",
        customer_handle=f"c{n % 5000}@example.com",
        tags=(rng.choice(TAGS), rng.choice(TAGS)),
        team=rng.choice(TEAMS),
        sentiment=rng.choice(("negative", "neutral", "positive")),
        importance=rng.randint(1, 3),
        summary=f"Summary {n % 300}",
        quote=rng.choice(QUOTES),
        note=None,
        created_at=created_at,
    ).to_dict()


def leader_writes(leader: int, count: int) -> list[TeamWrite]:
    """A leader's writes: 4 insights to 1 claim; a quarter of the claims contested."""
    writes = []
    for n in range(count):
        at = NOW - timedelta(seconds=n)
        if n % 5 == 4:  # a claim made now (an older one would have expired unapplied)
            at = NOW
            contested = n % 20 == 4
            key = f"zendesk:shared-{n}" if contested else f"zendesk:{leader}-{n}"
            data = {"key": key, "question_id": key}
            writes.append(TeamWrite(f"c{leader}-{n}", WriteKind.CLAIM, at, data))
        else:
            record = insight_record(leader * 1_000_000 + n, leader, at)
            data = {"key": f"zendesk:{n}", "insight": record}
            writes.append(TeamWrite(f"i{leader}-{n}", WriteKind.INSIGHT, at, data))
    return writes


def run_leader(server: PostgresServer, leader: int, writes: list[TeamWrite], won: list) -> None:
    """One leader's flusher: batches of writes, each batch one transaction."""
    role = f"leader{leader:02d}"
    conninfo = (
        f"host=127.0.0.1 port={server.port} dbname={DATABASE} user={role} password={PASSWORD}"
    )
    with ConnectionPool(conninfo, min_size=1, max_size=2, kwargs={"autocommit": True}) as pool:
        for start in range(0, len(writes), BATCH):
            with pool.connection() as conn, conn.transaction():
                for write in writes[start : start + BATCH]:
                    outcome = apply_write(conn, write, role, 900, NOW)
                    if outcome is not None and outcome.won and "shared" in outcome.key:
                        won.append(outcome.key)


def concurrent_writes(server: PostgresServer) -> None:
    per_leader = WRITES // LEADERS
    plans = {leader: leader_writes(leader, per_leader) for leader in range(1, LEADERS + 1)}
    won: list[str] = []
    threads = [
        threading.Thread(target=run_leader, args=(server, leader, plan, won))
        for leader, plan in plans.items()
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    total = sum(len(p) for p in plans.values())
    contested = {
        w.data["key"] for p in plans.values() for w in p if "shared" in w.data.get("key", "")
    }
    print(
        f"{LEADERS} leaders, {total:,} writes in {elapsed:.1f} s: {total / elapsed:,.0f} writes/s"
    )
    once = sorted(won) == sorted(contested)
    print(f"contested questions: {len(contested)}, won: {len(won)}, each exactly once: {once}")


def top_up(server: PostgresServer) -> None:
    """Bring the table to DIGEST_INSIGHTS insights spread over the last year (COPY)."""
    import json

    with server.admin(DATABASE) as conn:
        have = conn.execute("SELECT count(*) FROM cxdaily.insights").fetchone()[0]
        rng = random.Random(7)
        with conn.cursor().copy(
            "COPY cxdaily.insights (leader_role, id, member, created_at, team, tags, record)"
            " FROM STDIN"
        ) as copy:
            for n in range(have, DIGEST_INSIGHTS):
                leader = rng.randint(1, LEADERS)
                at = NOW - timedelta(seconds=rng.randint(0, 364 * 86400))
                record = insight_record(n, leader, at)
                copy.write_row(
                    (f"leader{leader:02d}", record["id"], f"Leader {leader}", at,
                     record["team"], list(record["tags"]), json.dumps(record))
                )  # fmt: skip
        conn.execute("ANALYZE cxdaily.insights")
        total = conn.execute("SELECT count(*) FROM cxdaily.insights").fetchone()[0]
    print(f"insights in the team database: {total:,}")


def digest_time(server: PostgresServer) -> None:
    import psycopg

    conn = psycopg.connect(
        host="127.0.0.1", port=server.port, dbname=DATABASE, user="leader01",
        password=PASSWORD, autocommit=True,
    )  # fmt: skip
    read_s: list[float] = []

    def query(work):
        started = time.perf_counter()
        result = work(conn)
        read_s.append(time.perf_counter() - started)
        return result

    started = time.perf_counter()
    digest = company_digest(query, Settings(), DigestRequest(since="12mo"), NOW)
    total = time.perf_counter() - started
    conn.close()
    print(
        f"company digest over {len(digest.insights):,} insights: {total:.2f} s "
        f"(read {read_s[0]:.2f} s, build {total - read_s[0]:.2f} s)"
    )


def main() -> None:
    server = PostgresServer().start()
    try:
        leaders = [f"leader{n:02d}" for n in range(1, LEADERS + 1)]
        server.team_database(DATABASE, leaders, password=PASSWORD)
        concurrent_writes(server)
        top_up(server)
        digest_time(server)
    finally:
        server.remove()


if __name__ == "__main__":
    main()
