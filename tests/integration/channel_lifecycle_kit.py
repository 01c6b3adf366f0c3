"""A channel's whole life through the real ``cxdaily`` command, against a loopback fake of
its service: ``channels add``, ``login``, ``channels test``, ``fetch``, ``batch``,
``reply``, and a reply from the app.

Each service's integration test starts its fake (a :class:`~tests.integration.
loopback_kit.LoopbackServer` with a stateful handler), then drives a
:class:`ChannelHome`::

    home = ChannelHome(tmp_path)
    home.add("desk", "zendesk", base_url=fake.url, email="agent@acme.example")
    home.login("desk", {"": "TOKEN"})
    home.ok("channels", "test", "desk")
    home.ok("fetch")
    ids = home.batch_ids()
    home.ok("reply", ids[0], "--text", "Thanks, fixed.", "--yes")

Secrets go through ``cxdaily login`` into a sandbox keyring (``keyring_kit``), never an
environment variable, so the login path is the one a leader uses.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.integration.cli_kit import run_cxdaily, write_config
from tests.integration.keyring_kit import SandboxKeyring, sandbox_env


class ChannelHome:
    """One leader's CXDAILY_HOME with a sandbox keyring, driven by the real command."""

    def __init__(self, folder: Path, *, now: str | None = None) -> None:
        self.folder = folder / "home"
        """CXDAILY_HOME: config, data and logs (the sandbox keyring is kept beside it)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.env = sandbox_env(folder)
        if now is not None:
            self.env["CXDAILY_NOW"] = now
        write_config(self.folder, {})

    def run(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        """Run ``cxdaily ARGS`` in this home; returns the finished process."""
        return run_cxdaily(self.folder, *args, env=self.env, input=input)

    def ok(self, *args: str, input: str | None = None) -> str:
        """Run ``cxdaily ARGS``, require exit 0 and no traceback; returns stdout."""
        done = self.run(*args, input=input)
        assert done.returncode == 0, f"cxdaily {' '.join(args)}: {done.stderr}{done.stdout}"
        assert "Traceback" not in done.stderr, done.stderr
        return done.stdout

    def add(self, name: str, kind: str, **options: Any) -> str:
        """``cxdaily channels add NAME KIND key=value ...``."""
        pairs = [f"{key}={value}" for key, value in options.items()]
        return self.ok("channels", "add", name, kind, *pairs)

    def login(self, name: str, secrets: dict[str, str]) -> None:
        """``cxdaily login NAME --field F`` for each secret field ("" is the default one)."""
        for field_name, value in secrets.items():
            args = ["login", name] + (["--field", field_name] if field_name else [])
            out = self.ok(*args, input=value + "\n")
            assert "stored" in out, out

    def batch(self, *args: str) -> list[dict[str, Any]]:
        """Today's batch as ``cxdaily batch --json`` prints it (one pick per line)."""
        return _json_lines(self.ok("batch", "--json", *args))

    def batch_ids(self, *args: str) -> list[str]:
        """The question ids of today's batch."""
        return [item["id"] for item in self.batch(*args)]

    def outbox(self) -> list[dict[str, Any]]:
        """Every reply as ``cxdaily outbox list --json`` prints it (one per line)."""
        return _json_lines(self.ok("outbox", "list", "--json"))

    def files_text(self) -> str:
        """Every file under the home (config, data, logs) as text, to look for secrets."""
        return "\n".join(
            path.read_text(errors="replace") for path in self.folder.rglob("*") if path.is_file()
        )


def _json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


async def reply_from_the_app(home: ChannelHome, monkeypatch: pytest.MonkeyPatch, text: str) -> str:
    """Open the app on ``home``, begin the session, reply to the first question with
    ``text`` (confirming a warning if one comes), wait for the send; returns the
    question's id."""
    from cxdaily.service import Service
    from tests.ui.pilot_kit import begin, make_app, settle, type_text

    monkeypatch.setenv("CXDAILY_HOME", str(home.folder))
    for name, value in home.env.items():
        monkeypatch.setenv(name, value)
    import keyring

    # the app reads secrets in this process through keyring's current backend: point it at
    # the sandbox ``cxdaily login`` wrote to (the autouse in-memory keyring is put back after)
    keyring.set_keyring(SandboxKeyring())
    service = Service.open(None)
    try:
        app, _ = make_app(service)
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            screen = await begin(app, pilot)
            question_id = screen.items[0].question.id
            await pilot.press("r")
            await pilot.pause()
            await type_text(pilot, text)
            await pilot.press("ctrl+s")
            await pilot.pause()
            if type(app.screen).__name__ == "ConfirmScreen":
                await pilot.press("y")
            for _ in range(60):  # the reply goes out in the background
                await settle(app, pilot)
                if any(r.state.value == "sent" for r in service.outbox()):
                    break
            await pilot.press("q")  # questions are left: the app asks first
            await settle(app, pilot)
            if type(app.screen).__name__ == "ConfirmScreen":
                await pilot.press("q")
                await settle(app, pilot)
            assert type(app.screen).__name__ == "WrapUpScreen", app.screen
        return question_id
    finally:
        service.close()
