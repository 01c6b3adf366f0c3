"""``cxdaily batch`` loads what curating needs and nothing else: no connectors, no event
loop, no HTTP client, no customer history, no delivery or reply modules."""

from __future__ import annotations

import json
import subprocess
import sys

NOT_NEEDED = (
    "asyncio",
    "httpx",
    "cxdaily.connectors",
    "cxdaily.service.channels",
    "cxdaily.service.replies",
    "cxdaily.service.delivery",
    "cxdaily.service.history",
    "cxdaily.service.saved_replies",
    "cxdaily.history",
    "textual",
)
PROBE = (
    "import json, sys\n"
    "from cxdaily.cli import main\n"
    "code = main(['--demo', 'batch', '--json'])\n"
    "print(json.dumps([code, sorted(sys.modules)]))\n"
)


def test_the_batch_command_loads_no_connector_and_no_feature_it_does_not_use(subprocess_env):
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=subprocess_env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    code, modules = json.loads(done.stdout.splitlines()[-1])
    assert code == 0
    loaded = [name for name in NOT_NEEDED if name in modules]
    assert loaded == [], f"cxdaily batch loaded {loaded}"
    assert "cxdaily.curation.engine" in modules, "the probe ran the batch"


def test_the_parts_a_batch_does_not_use_load_when_first_asked_for(home):
    from cxdaily.service import Service

    with Service.open(read_only=True) as service:
        assert service.channel_status() == []
        assert service.replies is service.replies, "a part is made once"
        assert service.outbox() == []
