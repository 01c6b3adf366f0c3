"""Benchmark: fetching 6 channels at once takes little longer than the slowest one alone.

Six real HTTP servers on loopback each take 0.3 s to answer (``kind = "http"``
channels). The script times ``Service.refresh`` for each channel alone and for all six
together (the median of several rounds, each on a fresh data folder, so storing is
included) and checks that all six finish in under 1.3 times the slowest single channel.

Run it with ``python tests/benchmarks/bench_fetch.py [--rounds N]``; it prints the
figures and exits 1 when the target is missed. It is not collected by pytest.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from cxdaily.paths import Locations  # noqa: E402
from cxdaily.service import Service  # noqa: E402
from cxdaily.settings import ChannelSettings, Settings  # noqa: E402

CHANNELS = 6
DELAY_S = 0.3
QUESTIONS_PER_CHANNEL = 25
TARGET_RATIO = 1.3


def load_loopback():
    """The loopback server helpers shared with the integration tests."""
    from tests.integration import loopback_kit

    return loopback_kit


def questions(channel: int) -> list[dict]:
    """A page of realistic questions for one channel."""
    return [
        {
            "id": f"{channel}-{n}",
            "body": f"Question {n} from channel {channel}: my invoice export is stuck at 99%.",
            "created_at": f"2026-11-21T{8 + n % 10:02d}:{n % 60:02d}:00Z",
            "author": {"id": f"u{n}", "handle": f"@user{n}", "name": f"User {n}", "followers": n},
            "title": f"Export problem {n}",
        }
        for n in range(QUESTIONS_PER_CHANNEL)
    ]


def timed_refresh(channels: dict[str, ChannelSettings], names: list[str] | None) -> float:
    """Seconds one refresh takes on a fresh data folder; fails loudly on any channel error."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        where = Locations(root / "config.toml", root / "data", root / "themes")
        service = Service(where, Settings(channels=channels))
        try:
            started = time.perf_counter()
            report = service.refresh(names)
            elapsed = time.perf_counter() - started
        finally:
            service.close()
    if report.failed:
        raise SystemExit(f"benchmark broken: {[o.error for o in report.failed]}")
    expected = QUESTIONS_PER_CHANNEL * (len(names) if names else len(channels))
    if report.added != expected:
        raise SystemExit(f"benchmark broken: stored {report.added} questions, not {expected}")
    return elapsed


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds per measurement")
    args = parser.parse_args()

    loopback = load_loopback()
    servers = []
    channels: dict[str, ChannelSettings] = {}
    for n in range(CHANNELS):
        page = questions(n)
        server = loopback.LoopbackServer(
            lambda seen, page=page: loopback.Answer(body=page, delay=DELAY_S)
        ).start()
        servers.append(server)
        name = f"bench{n}"
        channels[name] = ChannelSettings(name, "http", {"url": f"{server.url}/questions"})
    try:
        timed_refresh(channels, [next(iter(channels))])  # warm-up: imports, first connection
        singles = {
            name: statistics.median(timed_refresh(channels, [name]) for _ in range(args.rounds))
            for name in channels
        }
        together = [timed_refresh(channels, None) for _ in range(args.rounds)]
    finally:
        for server in servers:
            server.stop()

    slowest_name, slowest = max(singles.items(), key=lambda item: item[1])
    all_at_once = statistics.median(together)
    ratio = all_at_once / slowest
    print(f"fetch benchmark: {CHANNELS} http channels on loopback, each answering in {DELAY_S} s")
    print(f"  {QUESTIONS_PER_CHANNEL} questions per channel, median of {args.rounds} rounds")
    for name, seconds in singles.items():
        print(f"  {name} alone:        {seconds:6.3f} s")
    print(f"  slowest alone:      {slowest:6.3f} s ({slowest_name})")
    rounds = ", ".join(f"{t:.3f}" for t in together)
    print(f"  all {CHANNELS} at once:     {all_at_once:6.3f} s (rounds: {rounds})")
    print(f"  sequential would be about {sum(singles.values()):.3f} s")
    verdict = "PASS" if ratio < TARGET_RATIO else "FAIL"
    print(f"  ratio all/slowest:  {ratio:6.3f} (target < {TARGET_RATIO}) {verdict}")
    return 0 if ratio < TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
