"""What a launch loads before its first frame: checking a channel that is not an HTTP
service (a JSON-lines file) never loads the HTTP layer, and its options are still
checked."""

from __future__ import annotations

from pathlib import Path

from tests.child_python_kit import run_python


def open_in_child(home: Path, env: dict[str, str], deadline: str, then: str) -> str:
    """What a child ``python`` prints after opening the default profile, whose one
    channel reads an empty JSON-lines file with ``deadline``; ``then`` runs after the
    open with ``service`` (or ``problem``, the ConfigError's text) set."""
    inbox = home / "inbox.jsonl"
    inbox.write_text("")
    channel = f'kind = "jsonl"\npath = "{inbox}"\ndeadline = "{deadline}"\n'
    (home / "config.toml").write_text(f"[channels.acme]\n{channel}")
    opening = (
        "import sys\nfrom cxdaily.core.errors import ConfigError\n"
        "from cxdaily.service import Service\nservice = problem = None\n"
        "try:\n    service = Service.open()\nexcept ConfigError as exc:\n    problem = str(exc)\n"
    )
    return run_python(opening + then, env)


def test_checking_a_file_channel_does_not_load_httpx(subprocess_env, home: Path) -> None:
    then = "print(service.settings.channels['acme'].kind, 'httpx' in sys.modules)"
    assert open_in_child(home, subprocess_env, "30s", then) == "jsonl False"


def test_a_bad_deadline_is_still_refused(subprocess_env, home: Path) -> None:
    said = open_in_child(home, subprocess_env, "soon", "print(problem)")
    assert '[channels.acme] deadline = "soon" is not a duration' in said
