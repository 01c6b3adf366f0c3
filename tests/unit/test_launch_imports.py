"""What a launch loads before its first frame: checking a channel that is not an HTTP
service (a JSON-lines file) never loads the HTTP layer, and its options are still
checked."""

from __future__ import annotations

from pathlib import Path

from tests.child_python_kit import run_python


def open_in_child(home: Path, env: dict[str, str], deadline: str, then: str, how: str = "") -> str:
    """What a child ``python`` prints after opening the default profile (``how``: the
    arguments of :meth:`Service.open`), whose one channel reads an empty JSON-lines file
    with ``deadline``; ``then`` runs after the open with ``service`` (or ``problem``,
    the ConfigError's text) set."""
    inbox = home / "inbox.jsonl"
    inbox.write_text("")
    channel = f'kind = "jsonl"\npath = "{inbox}"\ndeadline = "{deadline}"\n'
    (home / "config.toml").write_text(f"[channels.acme]\n{channel}")
    opening = (
        "import sys\nfrom cxdaily.core.errors import ConfigError\n"
        "from cxdaily.service import Service\nservice = problem = None\n"
        f"try:\n    service = Service.open({how})\n"
        "except ConfigError as exc:\n    problem = str(exc)\n"
    )
    return run_python(opening + then, env)


def test_checking_a_file_channel_does_not_load_httpx(subprocess_env, home: Path) -> None:
    then = "print(service.settings.channels['acme'].kind, 'httpx' in sys.modules)"
    assert open_in_child(home, subprocess_env, "30s", then) == "jsonl False"


def test_a_bad_deadline_is_still_refused(subprocess_env, home: Path) -> None:
    said = open_in_child(home, subprocess_env, "soon", "print(problem)")
    assert '[channels.acme] deadline = "soon" is not a duration' in said


def test_a_second_launch_does_not_load_the_connectors(subprocess_env, home: Path) -> None:
    """An open checks the channel and remembers it (once the data folder is there); the
    next one skips the check and loads no connector module
    (:mod:`cxdaily.settings.checked`)."""
    then = "print('cxdaily.connectors' in sys.modules, problem)"
    (home / "data").mkdir(mode=0o700)
    assert open_in_child(home, subprocess_env, "30s", then) == "True None"
    assert open_in_child(home, subprocess_env, "30s", then) == "False None"
    said = open_in_child(home, subprocess_env, "soon", then)  # a new config: checked
    assert said.startswith("True ") and 'deadline = "soon" is not a duration' in said


def test_a_read_only_open_remembers_nothing(subprocess_env, home: Path) -> None:
    then = "print('cxdaily.connectors' in sys.modules)"
    (home / "data").mkdir(mode=0o700)
    for _ in range(2):
        assert open_in_child(home, subprocess_env, "30s", then, "read_only=True") == "True"
    assert not (home / "data" / "checked-config").exists()


#: The modules of curating a batch: its pipeline, what it reads of a stored question, and
#: the text analysis with its word lists.
CURATING = (
    "cxdaily.curation.engine",
    "cxdaily.curation.candidates",
    "cxdaily.curation.analysis",
    "cxdaily.curation.text",
    "cxdaily.curation.sentiment",
    "cxdaily.curation.lexicon",
)


def test_a_launch_showing_a_kept_batch_loads_no_curation(subprocess_env, home: Path) -> None:
    """The batch kept by the last fetch is shown without curating, so the launch loads
    neither the pipeline nor the text analysis before its first frame (the app's own
    modules included); curating a batch loads them."""
    (home / "data").mkdir(mode=0o700)
    loaded = f"[m for m in {CURATING!r} if m in sys.modules]"
    curated = open_in_child(
        home, subprocess_env, "30s", f"service.batch(keep=True)\nprint({loaded})"
    )
    assert curated == repr(list(CURATING))
    launch = (
        "import cxdaily.ui.app, cxdaily.ui.screens.start\n"
        f"print(service.kept_batch() is not None, {loaded})"
    )
    assert open_in_child(home, subprocess_env, "30s", launch) == "True []"


def test_a_launch_does_not_load_the_serve_command(subprocess_env) -> None:
    """Asking whether the app runs in a browser tab (every launch does) leaves the
    ``serve`` command's module (its token, address and socket handling) unloaded."""
    said = run_python(
        "import sys\nfrom cxdaily.cli import app_terminal_problem\napp_terminal_problem()\n"
        "print('cxdaily.cli.serve' in sys.modules)\n",
        subprocess_env,
    )
    assert said == "False"


#: Lists the dataclasses of the cxdaily modules loaded, and counts the Structs.
DATACLASSES = """
import dataclasses, sys, msgspec
classes = {c for m in list(sys.modules.values()) if m.__name__.startswith('cxdaily')
           for c in vars(m).values() if isinstance(c, type) and c.__module__ == m.__name__}
print(sorted(c.__qualname__ for c in classes if dataclasses.is_dataclass(c)),
      sum(1 for c in classes if issubclass(c, msgspec.Struct)) > 30)
"""


def test_a_launch_builds_no_dataclass(subprocess_env) -> None:
    """The records and values a launch imports (the models, settings, the batch, the
    streak...) are msgspec Structs, whose classes are made in C, and its services and
    messages plain classes: a dataclass's methods are compiled from source as its module
    is imported (a frozen one's cost every launch about 30 ms; any one a tenth of a
    millisecond or more)."""
    said = run_python(
        "import cxdaily.cli, cxdaily.ui.app, cxdaily.ui.screens.start, cxdaily.service\n"
        "from cxdaily.cli.outbox import send_left_in_undo_window\n" + DATACLASSES,
        subprocess_env,
    )
    assert said == "[] True"


#: Modules a launch leaves for their first use: the parser (the bare app needs none),
#: the digests, the question search, the outbox's rules and the promises' model.
LOADED_ON_USE = (
    "argparse",
    "cxdaily.cli.arguments",
    "cxdaily.service.digests",
    "cxdaily.service.search",
    "cxdaily.replies.outbox",
    "cxdaily.replies.promises",
)


def test_a_launch_leaves_what_it_does_not_use_before_its_first_frame(
    subprocess_env, home: Path
) -> None:
    """Opening the profile and the app's first screen, and reading the kept batch, load
    none of :data:`LOADED_ON_USE`; the work that needs them loads them."""
    (home / "data").mkdir(mode=0o700)
    loaded = f"[m for m in {LOADED_ON_USE!r} if m in sys.modules]"
    launch = (
        "import cxdaily.cli, cxdaily.ui.app, cxdaily.ui.screens.start\n"
        "from cxdaily.cli import parse_arguments\nparse_arguments([])\n"
        f"service.kept_batch()\nprint({loaded})\n"
        "service.next_send_due(), service.promises(), service.search_questions('x')\n"
        "parse_arguments(['--demo']), service.digests\n"
        f"print({loaded})"
    )
    said = open_in_child(home, subprocess_env, "30s", launch).splitlines()
    assert said == ["[]", repr(list(LOADED_ON_USE))]


def test_a_launch_does_not_load_openssl_hashing(subprocess_env) -> None:
    """``import hashlib`` loads OpenSSL (2.5 ms): a launch fingerprints its kept batch's
    inputs with BLAKE2s alone, and the ids of new records load hashlib when first made."""
    said = run_python(
        "import sys\nimport cxdaily.cli, cxdaily.ui.app, cxdaily.ui.screens.start\n"
        "from cxdaily.service import Service\nfrom cxdaily.core.files import fingerprint\n"
        "fingerprint(('batch', 1))\nprint('_hashlib' in sys.modules)\n",
        subprocess_env,
    )
    assert said == "False"


def test_the_bare_app_is_launched_without_a_parser(subprocess_env) -> None:
    """``cxdaily`` with no argument gets the parser's defaults without building it (nor
    loading argparse); any argument goes through the parser."""
    code = (
        "import sys\nfrom cxdaily.cli import cmd_app, parse_arguments\n"
        "bare = vars(parse_arguments([]))\n"
        "print(sorted(bare.items(), key=str) == sorted({'handler': cmd_app, 'command': None,"
        " 'demo': False}.items(), key=str), 'argparse' in sys.modules)\n"
        "parsed = vars(parse_arguments(['--demo']))\n"
        "print(parsed['demo'], parsed['handler'] is cmd_app, 'argparse' in sys.modules)\n"
        "from cxdaily.cli import build_parser\n"
        "print(vars(build_parser().parse_args([])) == bare)\n"
    )
    assert run_python(code, subprocess_env).split("\n") == [
        "True False",
        "True True True",
        "True",
    ]
