"""The command line: a stable contract of output, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import cxdaily.paths as paths_module
from cxdaily import __version__
from cxdaily.cli import COMMAND_GROUPS, build_parser, main
from cxdaily.cli.argv import command_word
from cxdaily.curation import RESERVE

REPO_ROOT = Path(__file__).resolve().parents[3]
QUESTION_KEYS = {
    "id",
    "channel",
    "kind",
    "native_id",
    "thread_id",
    "url",
    "author",
    "title",
    "body",
    "created_at",
    "context",
    "meta",
}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def assert_one_line_error(err: str) -> str:
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    assert lines[0].startswith("cxdaily: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def fetched(home: Path, capsys) -> list[dict]:
    """The demo inbox, fetched through the CLI; returns the printed questions."""
    code, out, err = run(capsys, "--demo", "fetch", "--json")
    assert code == 0, err
    return json_lines(out)


def _cxdaily(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cxdaily", *argv],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


# ----------------------------------------------------------------------------- locate
def test_locate_config_and_data(home: Path, capsys):
    assert run(capsys, "locate", "config") == (0, f"{home / 'config.toml'}\n", "")
    assert run(capsys, "locate", "data") == (0, f"{home / 'data'}\n", "")
    assert run(capsys, "--demo", "locate", "data") == (0, f"{home / 'data' / 'demo'}\n", "")


def test_a_relative_home_is_located_as_a_whole_path(tmp_path: Path, capsys, monkeypatch):
    """``CXDAILY_HOME=rel`` is the folder rel where the command runs: `locate` says which."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CXDAILY_HOME", "rel")
    assert run(capsys, "locate", "config") == (0, f"{tmp_path / 'rel' / 'config.toml'}\n", "")
    assert run(capsys, "locate", "data")[1] == f"{tmp_path / 'rel' / 'data'}\n"


def test_a_home_that_is_a_file_is_one_line(tmp_path: Path, capsys, monkeypatch):
    (tmp_path / "afile").write_text("")
    monkeypatch.setenv("CXDAILY_HOME", str(tmp_path / "afile"))
    for argv in (("locate", "data"), ("batch",), ("--demo", "fetch")):
        assert run(capsys, *argv) == (
            1,
            "",
            f"cxdaily: CXDAILY_HOME is {tmp_path / 'afile'}, which is not a folder\n",
        )


def test_an_unknown_place_to_locate_names_the_places(home: Path, capsys):
    with pytest.raises(SystemExit) as stopped:
        run(capsys, "locate", "bogus")
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "argument config|data|themes: invalid choice: 'bogus'" in err and "what" not in err


def test_locate_themes(home: Path, capsys):
    if not (REPO_ROOT / "themes" / "app.tcss").is_file():
        pytest.skip("themes/app.tcss is not in this checkout yet (it is being written)")
    code, out, _ = run(capsys, "locate", "themes")
    assert code == 0
    assert out.splitlines() == [str(home / "themes"), str(REPO_ROOT / "themes")]


def test_locate_themes_without_themes_is_a_one_line_error(home, capsys, tmp_path, monkeypatch):
    fake_package = tmp_path / "site" / "cxdaily"
    fake_package.mkdir(parents=True)
    monkeypatch.setattr(paths_module, "__file__", str(fake_package / "paths.py"))
    code, _, err = run(capsys, "locate", "themes")
    assert code == 1
    assert "themes" in assert_one_line_error(err)


def test_locate_creates_nothing(home: Path, capsys):
    run(capsys, "--demo", "locate", "data")
    assert list(home.iterdir()) == []


# ----------------------------------------------------------------------------- fetch
def test_fetch_json_prints_normalized_questions(fetched: list[dict]):
    assert len(fetched) >= 80
    for question in fetched:
        assert set(question) == QUESTION_KEYS
        assert set(question["author"]) == {"id", "handle", "name", "followers"}
        assert question["id"] == f"demo:{question['native_id']}"
        assert question["channel"] == "demo" and question["kind"] == "demo"
        assert question["created_at"].endswith("Z")
    assert len({q["id"] for q in fetched}) == len(fetched)


def test_fetch_without_json_prints_a_count_per_channel(home: Path, capsys):
    code, out, _ = run(capsys, "--demo", "fetch")
    assert code == 0
    assert out.startswith("demo: ") and out.rstrip().endswith(" questions")


def test_fetching_twice_prints_the_same_questions(fetched, capsys):
    code, out, err = run(capsys, "--demo", "fetch", "--json")
    assert code == 0, err
    assert [q["id"] for q in json_lines(out)] == [q["id"] for q in fetched]


def test_fetch_of_an_unknown_channel_is_an_error(home: Path, capsys):
    code, out, err = run(capsys, "--demo", "fetch", "--channel", "nope")
    assert code == 1 and out == ""
    assert "'nope'" in assert_one_line_error(err)


def test_fetch_keeps_the_days_batch_for_the_app(fetched):
    from cxdaily.service import Service
    from cxdaily.service.kept_batch import LISTED_LEFT_OUT

    with Service.open("demo") as service:
        kept = service.kept_batch()
        assert kept is not None and kept.items
        assert kept == service.batch().shortened(LISTED_LEFT_OUT)


def test_fetch_goes_on_when_the_batch_cannot_be_curated(home: Path, capsys, monkeypatch):
    from cxdaily.core.errors import StoreCorruptError
    from cxdaily.service import Service

    def damaged(self):
        raise StoreCorruptError("actions/2026-11.json is damaged: record 3")

    monkeypatch.setattr(Service, "keep_batch", damaged)
    code, out, err = run(capsys, "--demo", "fetch")
    assert code == 0 and err == ""  # the app or `cxdaily batch` reports it
    assert out.startswith("demo: ")


def test_closing_the_app_keeps_the_batches_for_the_next_launch(fetched, capsys, monkeypatch):
    """After a session the kept batches are stale; the app keeps them again as it closes,
    so the next launch (later today, or tomorrow before any fetch) opens at once."""
    from cxdaily.service import Service
    from cxdaily.service.kept_batch import LISTED_LEFT_OUT

    with Service.open("demo") as service:
        service.skip(service.batch().items[0].question.id)
        assert service.kept_batch() is None
    monkeypatch.setattr("cxdaily.ui.app.CxDailyApp.run", lambda app: None)  # left at once
    monkeypatch.setattr("cxdaily.cli.app_terminal_problem", lambda: None)
    code, _, err = run(capsys, "demo")
    assert code == 0, err
    with Service.open("demo", read_only=True) as service:
        assert service.kept_batch() == service.batch().shortened(LISTED_LEFT_OUT)


# ----------------------------------------------------------------------------- batch
def test_batch_json_lines(fetched, capsys):
    code, out, err = run(capsys, "--demo", "batch", "--json")
    assert code == 0, err
    items = json_lines(out)
    assert items
    known = {q["id"] for q in fetched}
    for item in items:
        assert set(item) == {"id", "score", "estimate_s", "reasons", "must_see", "group"}
        assert item["id"] in known
        assert isinstance(item["score"], float | int) and isinstance(item["estimate_s"], int)
        assert item["reasons"] and all(isinstance(r, str) for r in item["reasons"])
        assert isinstance(item["group"], list)
    assert sum(i["estimate_s"] for i in items) <= 30 * 60 * (1 - RESERVE)
    assert len({i["id"] for i in items}) == len(items)  # session order, each question once


@pytest.mark.parametrize(
    "argv",
    [
        ("batch", "--json"),
        ("outbox", "list", "--json"),
        ("streak", "--json"),
        ("digest", "--format", "csv"),
    ],
)
def test_demo_may_follow_the_command(fetched, capsys, argv):
    """``cxdaily batch --demo`` is ``cxdaily --demo batch`` (scripts write it both ways);
    without it, the leader's own (empty) profile is read."""
    before = run(capsys, "--demo", *argv)
    after = run(capsys, *argv, "--demo")
    assert before == after and before[0] == 0
    if argv[0] == "batch":
        assert before[1] and run(capsys, *argv)[1] == ""


def test_batch_budget_option(fetched, capsys):
    _, out, _ = run(capsys, "--demo", "batch", "--budget", "5m", "--json")
    items = json_lines(out)
    assert items and sum(i["estimate_s"] for i in items) <= 5 * 60 * (1 - RESERVE)


def test_batch_json_keeps_the_must_see_words(fetched, capsys):
    """What the text output says of must-see questions reaches a script too: each pick's
    must_see, and those that did not fit named on stderr (stdout's lines stay picks)."""
    code, out, err = run(capsys, "--demo", "batch", "--budget", "5m", "--json")
    assert code == 0
    picks = json_lines(out)
    _, text, _ = run(capsys, "--demo", "batch", "--budget", "5m")
    left_out = [line for line in text.splitlines() if line.startswith("  ! ")]
    assert left_out, "the demo has must-see questions that do not fit in 5 minutes"
    assert err.startswith("Not in today's batch: ")
    assert [line for line in err.splitlines() if line.startswith("  ! ")] == left_out
    assert all(isinstance(p["must_see"], list) for p in picks)
    from cxdaily.service import Service

    with Service.open("demo", read_only=True) as service:
        batch = service.batch(5 * 60)
    assert [p["must_see"] for p in picks] == [list(i.must_see) for i in batch.items]


def test_batch_text_output(fetched, capsys):
    code, out, _ = run(capsys, "--demo", "batch")
    assert code == 0
    lines = out.splitlines()
    # the must-see questions that do not fit come first, then the batch's own heading
    heading = next(n for n, line in enumerate(lines) if not line.startswith(("Not in ", "  ! ")))
    assert lines[heading].endswith("(budget 30 min)")
    assert lines[heading + 1].startswith(" 1. demo:")
    # estimate, score and reasons, as the contract says (the score as --json has it)
    first = json.loads(run(capsys, "--demo", "batch", "--json")[1].splitlines()[0])
    assert lines[heading + 2].startswith(f"    3m35s · score {first['score']:.1f} · VIP, ")


def test_a_bad_budget_is_a_one_line_usage_error(home: Path, capsys):
    with pytest.raises(SystemExit) as stopped:
        run(capsys, "--demo", "batch", "--budget", "soonish")
    out, err = capsys.readouterr()
    assert stopped.value.code == 2 and out == ""
    assert "--budget" in assert_one_line_error(err)


@pytest.mark.parametrize("written", [("--budget", "-5m"), ("--budget=-5m",)])
def test_a_negative_budget_is_told_as_a_bad_duration(home: Path, capsys, written):
    """``--budget -5m`` read as an option gave argparse's "expected one argument"."""
    with pytest.raises(SystemExit) as stopped:
        run(capsys, "--demo", "batch", *written)
    err = capsys.readouterr().err
    assert stopped.value.code == 2
    assert '"-5m" is not a duration' in assert_one_line_error(err)


def test_batch_before_any_fetch_is_empty(home: Path, capsys):
    assert run(capsys, "--demo", "batch", "--json") == (0, "", "")
    code, out, _ = run(capsys, "--demo", "batch")  # in words, it says what to do
    assert code == 0 and out.endswith("no question waits: fetch new ones with `cxdaily fetch`\n")


def test_batch_without_a_channel_says_to_add_one_not_to_fetch(home: Path, capsys):
    """With no channel, `cxdaily fetch` fails; the empty batch sent the leader there."""
    code, out, _ = run(capsys, "batch")
    assert code == 0
    assert out.splitlines()[-1] == (
        "no question waits: no channels configured; add one with `cxdaily channels add "
        "NAME KIND KEY=VALUE ...` (kinds: `cxdaily channels kinds`), or try `cxdaily demo`"
    )


def test_an_unknown_id_before_any_fetch_says_to_fetch(home: Path, capsys):
    code, _, err = run(capsys, "--demo", "reply", "demo:hs-3310", "--text", "Thanks")
    assert code == 1
    assert assert_one_line_error(err).endswith(
        "no question is stored yet: fetch first (`cxdaily fetch`)"
    )
    run(capsys, "--demo", "fetch")
    code, _, err = run(capsys, "--demo", "reply", "demo:nope", "--text", "Thanks")
    assert code == 1 and assert_one_line_error(err) == "cxdaily: no question with id 'demo:nope'"


# ----------------------------------------------------------------------------- reply, tag
def test_reply_sends(fetched, capsys):
    question_id = fetched[0]["id"]
    code, out, err = run(capsys, "--demo", "reply", question_id, "--text", "Thanks, fixed!")
    assert code == 0, err
    assert out.startswith("sent reply ") and question_id in out and "remote id demo-" in out
    code, out, _ = run(capsys, "--demo", "outbox", "list", "--json")
    replies = json_lines(out)
    assert code == 0 and len(replies) == 1
    assert replies[0]["state"] == "sent" and replies[0]["body"] == "Thanks, fixed!"


def test_reply_from_a_file(fetched, capsys, tmp_path):
    body = tmp_path / "reply.txt"
    body.write_text("Dear Jane,\n\nIt is fixed.\n", encoding="utf-8")
    code, _, err = run(capsys, "--demo", "reply", fetched[1]["id"], "--file", str(body))
    assert code == 0, err
    _, out, _ = run(capsys, "--demo", "outbox", "list", "--json")
    assert json_lines(out)[0]["body"] == "Dear Jane,\n\nIt is fixed."


def test_reply_from_stdin(fetched, capsys, monkeypatch):
    """``--file -`` reads the reply from standard input: ``echo ... | cxdaily reply``."""
    import io
    import sys

    piped = io.TextIOWrapper(io.BytesIO("Dear Jane,\n\nIt is fixed. ✓\n".encode()), "utf-8")
    monkeypatch.setattr(sys, "stdin", piped)
    code, _, err = run(capsys, "--demo", "reply", fetched[1]["id"], "--file", "-")
    assert code == 0, err
    _, out, _ = run(capsys, "--demo", "outbox", "list", "--json")
    assert json_lines(out)[0]["body"] == "Dear Jane,\n\nIt is fixed. ✓"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfe"), "utf-8"))
    code, _, err = run(capsys, "--demo", "reply", fetched[2]["id"], "--file", "-")
    assert code == 1 and "cannot read stdin: it is not UTF-8" in assert_one_line_error(err)


def test_reply_from_a_missing_file_is_a_one_line_error(fetched, capsys, tmp_path):
    missing = tmp_path / "nope.txt"
    code, _, err = run(capsys, "--demo", "reply", fetched[0]["id"], "--file", str(missing))
    assert code == 1
    assert str(missing) in assert_one_line_error(err)


def test_an_empty_reply_is_a_one_line_error(fetched, capsys):
    code, _, err = run(capsys, "--demo", "reply", fetched[0]["id"], "--text", "  ")
    assert code == 1
    assert "empty" in assert_one_line_error(err)


def test_tag(fetched, capsys):
    question_id = fetched[0]["id"]
    code, out, err = run(
        capsys, "--demo", "tag", question_id, "--tag", "bug", "--importance", "2",
        "--tag", "Billing", "--team", "product", "--summary", "Export broken",
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("recorded insight ") and "(bug, billing)" in out
    from cxdaily.service import Service

    with Service.open("demo", read_only=True) as service:
        (insight,) = service.store.insights.between()
    assert insight.question_id == question_id
    assert insight.tags == ("bug", "billing")
    assert (insight.importance, insight.team, insight.summary) == (2, "product", "Export broken")


@pytest.mark.parametrize(
    "argv",
    [
        ("--demo", "reply", "demo:does-not-exist", "--text", "hi"),
        ("--demo", "tag", "demo:does-not-exist", "--tag", "bug"),
    ],
)
def test_an_unknown_question_is_a_one_line_error(fetched, capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 1 and out == ""
    assert "demo:does-not-exist" in assert_one_line_error(err)


# ----------------------------------------------------------------------------- streak
def test_streak_json(fetched, capsys, fixed_now):
    _, out, _ = run(capsys, "--demo", "streak", "--json")
    (before,) = json_lines(out)
    assert {"current", "longest", "total_days", "today_counts", "calendar"} <= set(before)
    assert (before["current"], before["today_counts"], before["calendar"]) == (0, False, [])
    run(capsys, "--demo", "reply", fetched[0]["id"], "--text", "Thanks!")
    _, out, _ = run(capsys, "--demo", "streak", "--json")
    (after,) = json_lines(out)
    assert after["current"] == after["longest"] == after["total_days"] == 1
    assert after["today_counts"] is True
    assert after["calendar"] == [{"date": fixed_now.date().isoformat(), "handled": 1}]


def test_streak_text(home: Path, capsys):
    code, out, _ = run(capsys, "--demo", "streak")
    assert code == 0
    assert out.splitlines()[0] == "streak 0 days (longest 0, 0 days in all)"


# ----------------------------------------------------------------------------- errors
BROKEN_CONFIG = '[session]\nbudget = "30m"\ntimezone = Europe/Berlin\n'


def test_a_broken_config_is_a_one_line_error_naming_file_and_line(home: Path, capsys):
    (home / "config.toml").write_text(BROKEN_CONFIG)
    for argv in (("streak",), ("--demo", "fetch"), ("--demo", "batch")):
        code, out, err = run(capsys, *argv)
        assert code == 1 and out == ""
        line = assert_one_line_error(err)
        assert str(home / "config.toml") in line and "line 3" in line


@pytest.mark.parametrize(
    "argv",
    [
        ("frobnicate",),
        ("reply", "demo:1"),  # neither --text nor --file
        ("reply", "demo:1", "--text", "a", "--file", "f"),
        ("tag", "demo:1"),  # no --tag
        ("tag", "demo:1", "--tag", "bug", "--importance", "5"),
        ("locate", "everything"),
        ("batch", "--no-such-option"),
    ],
)
def test_bad_usage_exits_2(home: Path, capsys, argv):
    with pytest.raises(SystemExit) as caught:
        main(list(argv))
    assert caught.value.code == 2
    line = assert_one_line_error(capsys.readouterr().err)
    assert "usage: `cxdaily" in line and "--help`" in line


def test_version(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.strip() == f"cxdaily {__version__}"


def test_an_unusable_data_folder_is_a_one_line_error(home: Path, capsys):
    (home / "data").write_text("a file where the data folder should be")
    code, _, err = run(capsys, "--demo", "fetch")
    assert code == 1
    assert str(home / "data") in assert_one_line_error(err)


# ----------------------------------------------------------------------------- as a process
def test_the_module_runs_fetch_and_batch(subprocess_env):
    fetch = _cxdaily(subprocess_env, "--demo", "fetch", "--json")
    assert fetch.returncode == 0, fetch.stderr
    assert len(json_lines(fetch.stdout)) >= 80
    batch = _cxdaily(subprocess_env, "--demo", "batch", "--json")
    assert batch.returncode == 0, batch.stderr
    assert json_lines(batch.stdout)


def test_the_module_reports_errors_in_one_line_with_exit_1(subprocess_env, home: Path):
    unknown = _cxdaily(subprocess_env, "--demo", "reply", "demo:nope", "--text", "hi")
    assert unknown.returncode == 1
    assert "demo:nope" in assert_one_line_error(unknown.stderr)
    (home / "config.toml").write_text(BROKEN_CONFIG)
    broken = _cxdaily(subprocess_env, "streak")
    assert broken.returncode == 1
    line = assert_one_line_error(broken.stderr)
    assert str(home / "config.toml") in line and "line 3" in line


def test_the_module_exits_2_on_bad_usage(subprocess_env):
    proc = _cxdaily(subprocess_env, "frobnicate")
    assert proc.returncode == 2
    assert "usage: `cxdaily --help`" in assert_one_line_error(proc.stderr)


def test_fetch_with_a_failing_channel_exits_3(home: Path, capsys):
    (home / "config.toml").write_text(
        '[channels.demo]\nkind = "demo"\n\n[channels.broken]\nkind = "jsonl"\n'
        f'path = "{home / "missing.jsonl"}"\n'
    )
    code, out, err = run(capsys, "fetch")
    assert code == 3
    assert out.startswith("demo: ")
    line = assert_one_line_error(err)
    assert line.startswith("cxdaily: broken") and "does not exist" in line


# ----------------------------------------------------------------------------- the parser
@pytest.mark.parametrize(
    ("argv", "word"),
    [
        ([], None),
        (["--demo"], None),
        (["--demo", "streak", "--json"], "streak"),
        (["demo", "--reset"], "demo"),
        (["--", "demo"], None),
    ],
)
def test_command_word_is_the_first_word_that_is_not_an_option(argv, word):
    assert command_word(argv) == word


def test_every_command_is_declared_by_its_own_group():
    """The parser built for one command knows that command (and the full one knows all)."""
    every = [name for names, _ in COMMAND_GROUPS for name in names]
    full = build_parser()
    [choices] = [a.choices for a in full._actions if a.dest == "command"]
    assert list(choices) == every
    for name in every:
        [choices] = [a.choices for a in build_parser(only=name)._actions if a.dest == "command"]
        assert name in choices


def test_the_top_level_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    for names, _ in COMMAND_GROUPS:
        for name in names:
            assert f"    {name} " in out or f"    {name}\n" in out  # a long name wraps


def test_launching_the_app_builds_only_its_own_parser(subprocess_env):
    """Every launch parses arguments; the app's own must not import the other commands."""
    code = (
        "import sys\n"
        "from cxdaily.cli import _parser_scope, build_parser\n"
        "for argv in ([], ['--demo'], ['demo', '--reset']):\n"
        "    build_parser(only=_parser_scope(argv)).parse_args(argv)\n"
        "print(sorted(m for m in sys.modules if m.startswith('cxdaily.')))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env
    )
    assert proc.returncode == 0, proc.stderr
    loaded = proc.stdout
    assert "cxdaily.cli" in loaded
    for heavy in ("cli_outbox", "cli_streak", "cli_digest", "cli_channels", "service"):
        assert f"cxdaily.{heavy}'" not in loaded
