"""Command-line hygiene (issue 11, items 9, 14 and 16): one line, never a traceback.

Each case goes through the real entry point (``main([...])`` or ``python -m cxdaily``)
and checks the exit code and that stderr is a single ``cxdaily: ...`` line.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from subprocess import PIPE

import pytest

from cxdaily.cli import EXIT_BROKEN_PIPE, main
from cxdaily.core.limits import (
    MAX_ID_CHARS,
    MAX_NOTE_CHARS,
    MAX_PERIOD_CHARS,
    MAX_QUOTE_CHARS,
    MAX_SUMMARY_CHARS,
    MAX_TAG_CHARS,
    MAX_TAGS,
)

REPO_ROOT = Path(__file__).resolve().parents[3]


def one_line_error(err: str) -> str:
    """The single stderr line, checked to be a cxdaily error without a traceback."""
    assert "Traceback" not in err, err
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    assert lines[0].startswith("cxdaily: "), err
    return lines[0]


def exit_code(capsys, *argv: str) -> tuple[int, str, str]:
    """Run ``main`` (a usage error's SystemExit counts as its exit code)."""
    try:
        code = main(list(argv))
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def cxdaily(env: dict[str, str], *argv: str | bytes, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("capture_output", True)
    return subprocess.run(
        [sys.executable, "-m", "cxdaily", *argv], env=env, cwd=REPO_ROOT, timeout=60, **kwargs
    )


# ----------------------------------------------------------------------------- item 9: caps
@pytest.fixture
def question_id(home: Path, capsys) -> str:
    """A question of the demo inbox, fetched."""
    assert main(["--demo", "fetch"]) == 0
    capsys.readouterr()
    return "demo:zd-48177"


@pytest.mark.parametrize(
    ("option", "limit", "words"),
    [
        ("--tag", MAX_TAG_CHARS, "a tag is"),
        ("--team", MAX_TAG_CHARS, "a team is"),
        ("--summary", MAX_SUMMARY_CHARS, "the summary is"),
        ("--quote", MAX_QUOTE_CHARS, "the quote is"),
        ("--note", MAX_NOTE_CHARS, "the note is"),
    ],
)
def test_tag_refuses_text_over_its_limit_and_records_nothing(
    question_id, capsys, option, limit, words
):
    extra = [] if option == "--tag" else ["--tag", "billing"]
    code, _, err = exit_code(
        capsys, "--demo", "tag", question_id, *extra, option, "x" * (limit + 1)
    )
    assert code == 2
    line = one_line_error(err)
    assert words in line and f"the limit is {limit:,}" in line
    assert len(line) < 300  # the text itself is never echoed
    assert insights_recorded(capsys) == 0
    if option == "--team":
        return  # a team must also be one of the taxonomy's
    code, out, err = exit_code(capsys, "--demo", "tag", question_id, *extra, option, "x" * limit)
    assert code == 0, err  # at the limit it is accepted
    assert out.startswith("recorded insight")
    assert insights_recorded(capsys) == 1


def insights_recorded(capsys) -> int:
    code, out, err = exit_code(capsys, "--demo", "digest", "--format", "json")
    assert code == 0, err
    return len(json.loads(out)["insights"])


def test_tag_refuses_a_100k_character_tag(question_id, capsys):
    code, _, err = exit_code(capsys, "--demo", "tag", question_id, "--tag", "t" * 100_000)
    assert code == 2
    assert "100,000 characters" in one_line_error(err)


@pytest.mark.parametrize(
    ("tag", "words"),
    [("", "cannot be empty"), ("   ", "cannot be empty"), ("a,b", "cannot hold a comma")],
)
def test_tag_refuses_an_empty_tag_or_one_with_a_comma_as_a_usage_error(
    question_id, capsys, tag, words
):
    """The app reads tags as a comma-separated list: "a,b" stored as one tag read as two."""
    code, _, err = exit_code(capsys, "--demo", "tag", question_id, "--tag", tag)
    assert code == 2 and words in one_line_error(err)


def test_tag_refuses_too_many_tags_and_a_huge_question_id(question_id, capsys):
    tags = [word for n in range(MAX_TAGS + 1) for word in ("--tag", f"t{n}")]
    code, _, err = exit_code(capsys, "--demo", "tag", question_id, *tags)
    assert code == 2
    assert f"at most {MAX_TAGS}" in one_line_error(err)
    code, _, err = exit_code(capsys, "--demo", "tag", "q" * (MAX_ID_CHARS + 1), "--tag", "a")
    assert code == 2
    assert "a question id is" in one_line_error(err)


@pytest.mark.parametrize(
    "argv",
    [
        ("digest", "--tag", "t" * (MAX_TAG_CHARS + 1)),
        ("digest", "--team", "t" * (MAX_TAG_CHARS + 1)),
        ("digest", "--since", "7" * (MAX_PERIOD_CHARS + 1)),
        ("fetch", "--channel", "c" * (MAX_ID_CHARS + 1)),
        ("channels", "add", "n", "jsonl", "path=" + "p" * 5000),
        ("channels", "test", "c" * (MAX_ID_CHARS + 1)),
        ("login", "c" * (MAX_ID_CHARS + 1)),
    ],
)
def test_other_text_arguments_are_capped(home, capsys, argv):
    code, _, err = exit_code(capsys, *argv)
    assert code == 2
    assert "the limit is" in one_line_error(err)
    assert not (home / "config.toml").exists()


# ----------------------------------------------------------------------------- item 14
@pytest.mark.parametrize("budget", ["9" * 5000, "1" * 41 + "m"])
def test_a_huge_budget_is_one_line(home, capsys, budget):
    """A 5,000-digit number used to reach int() and fail with a traceback."""
    code, _, err = exit_code(capsys, "--demo", "batch", "--budget", budget)
    assert code == 2  # a usage error
    assert "argument --budget: a " in one_line_error(err) and "is not a duration" in err


def test_a_usage_error_is_one_line_pointing_to_help(home, capsys):
    code, _, err = exit_code(capsys, "tag", "q", "--importance", "5")
    assert code == 2
    assert one_line_error(err).endswith("usage: `cxdaily tag --help`")


@pytest.mark.parametrize("option", ["--since", "--until"])
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "9999", "0001-01", "9000y"])
def test_digest_dates_out_of_range_are_one_line(home, capsys, option, value):
    code, out, err = exit_code(capsys, "--demo", "digest", option, value)
    assert code == 2 and out == ""
    assert "outside the years a digest can cover" in one_line_error(err)


def test_digest_since_the_earliest_supported_year_works(home, capsys):
    code, _, err = exit_code(capsys, "--demo", "digest", "--since", "1970-01-01")
    assert code == 0, err


EVERY_COMMAND = [
    ("streak",),
    ("batch",),
    ("fetch",),
    ("--demo", "fetch"),
    ("--demo", "batch", "--json"),
    ("--demo", "digest"),
    ("promises",),
    ("outbox", "list"),
    ("channels", "list"),
    ("locate", "data"),
]


@pytest.mark.parametrize("now", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
@pytest.mark.parametrize("argv", EVERY_COMMAND, ids=" ".join)
def test_an_unusable_cxdaily_now_is_one_line_for_every_command(
    home, capsys, monkeypatch, now, argv
):
    monkeypatch.setenv("CXDAILY_NOW", now)
    code, out, err = exit_code(capsys, *argv)
    assert code == 1 and out == ""
    line = one_line_error(err)
    assert line.startswith("cxdaily: CXDAILY_NOW:") and "1970 to 2999" in line


def test_cxdaily_now_beyond_what_python_can_count_is_one_line(home, capsys, monkeypatch):
    monkeypatch.setenv("CXDAILY_NOW", "0001-01-01T00:00:00+01:00")
    code, _, err = exit_code(capsys, "--demo", "batch")
    assert code == 1
    assert "CXDAILY_NOW" in one_line_error(err)


@pytest.mark.parametrize("store", ["missing.pem", "not-certificates.pem"])
def test_an_unusable_ssl_cert_file_is_one_line(home, capsys, monkeypatch, store):
    """A company bundle named by SSL_CERT_FILE that is missing, or holds no certificate,
    stops a fetch with one line saying what to do (it used to end in a traceback)."""
    bundle = home / store
    if store == "not-certificates.pem":
        bundle.write_text("not a certificate\n")
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    code, out, err = exit_code(capsys, "--demo", "fetch")
    assert code == 1 and out == ""
    line = one_line_error(err)
    assert f"SSL_CERT_FILE={bundle}" in line and "point it at a PEM bundle" in line
    monkeypatch.delenv("SSL_CERT_FILE")
    code, out, _ = exit_code(capsys, "--demo", "fetch")
    assert code == 0 and "demo: 95 questions" in out  # fetched once the bundle is gone


def test_a_non_utf8_argument_is_refused_in_one_line(subprocess_env, home):
    proc = cxdaily(subprocess_env, "--demo", "tag", "demo:zd-48177", "--tag", b"caf\xe9")
    assert proc.returncode == 2
    line = one_line_error(proc.stderr.decode("utf-8"))
    assert "caf\\xe9" in line and "not UTF-8" in line
    proc = cxdaily(subprocess_env, "--demo", "reply", "demo:zd-48177", "--text", b"caf\xe9")
    assert proc.returncode == 2
    assert "not UTF-8" in one_line_error(proc.stderr.decode("utf-8"))
    assert not (home / "data").exists()  # refused before anything was opened


def test_a_non_utf8_argument_in_process(home, capsys):
    code, _, err = exit_code(capsys, "--demo", "tag", "demo:1", "--tag", "caf\udce9")
    assert code == 2
    assert "'caf\\xe9' is not UTF-8" in one_line_error(err)


@pytest.mark.parametrize(
    "argv",
    [("--demo", "fetch", "--json"), ("--demo", "batch", "--json"), ("--demo", "streak", "--json")],
    ids=" ".join,
)
def test_output_to_a_reader_that_went_away_is_no_traceback(subprocess_env, home, argv):
    """``cxdaily ... | head``: the pipe is closed before cxdaily writes."""
    assert cxdaily(subprocess_env, "--demo", "fetch").returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxdaily", *argv],
        env=subprocess_env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # the reader is gone before the first line
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT_BROKEN_PIPE
    # nothing to say of the pipe: the reader had what it wanted (as `head` does); the
    # batch names the must-see questions that did not fit on stderr before its lines
    said = err.splitlines()
    assert all(line.startswith((b"Not in today's batch: ", b"  ! ")) for line in said), err


def test_a_reader_that_leaves_after_one_line_stops_fetch_cleanly(subprocess_env, home):
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxdaily", "--demo", "fetch", "--json"],
        env=subprocess_env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout.readline().startswith(b'{"id": "demo:')
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT_BROKEN_PIPE and b"Traceback" not in err
    # what was fetched is stored all the same
    batch = cxdaily(subprocess_env, "--demo", "batch", "--json")
    assert batch.returncode == 0 and batch.stdout.count(b"\n") > 0


@pytest.mark.parametrize(
    "argv",
    [("--demo", "fetch", "--json"), ("--demo", "batch"), ("--demo", "streak")],
    ids=" ".join,
)
def test_output_to_a_full_disk_is_one_line(subprocess_env, home, argv):
    """``cxdaily ... > /dev/full``: one line and exit 1, and what was done is kept."""
    with open("/dev/full", "wb") as full:
        proc = cxdaily(subprocess_env, *argv, capture_output=False, stdout=full, stderr=PIPE)
    assert proc.returncode == 1
    assert proc.stderr.decode().splitlines()[-1] == (
        "cxdaily: the output could not be written (No space left on device)"
    ), proc.stderr
    assert b"Traceback" not in proc.stderr
    if "fetch" in argv:  # the questions fetched are stored all the same
        batch = cxdaily(subprocess_env, "--demo", "batch", "--json")
        assert batch.returncode == 0 and batch.stdout.count(b"\n") > 0


def test_a_closed_output_is_no_traceback(subprocess_env, home):
    """``cxdaily fetch >&-`` (as some schedulers start a command): it fetches all the same."""
    command = f"exec '{sys.executable}' -m cxdaily --demo fetch --json >&-"
    proc = subprocess.run(
        ["sh", "-c", command], env=subprocess_env, cwd=REPO_ROOT, capture_output=True, timeout=60
    )
    assert proc.returncode == 0 and proc.stderr == b"", proc.stderr
    batch = cxdaily(subprocess_env, "--demo", "batch", "--json")
    assert batch.returncode == 0 and batch.stdout.count(b"\n") > 0


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_an_output_that_is_not_utf8_is_no_traceback(subprocess_env, home, encoding):
    """An ASCII or Latin-1 locale: text lines write ``?`` for what the encoding lacks,
    ``--json`` escapes it (the same questions as in UTF-8), and a digest stays UTF-8."""
    env = {**subprocess_env, "PYTHONIOENCODING": encoding}
    utf8 = {**subprocess_env, "PYTHONIOENCODING": "utf-8"}
    fetched = cxdaily(env, "--demo", "fetch", "--json")
    assert fetched.returncode == 0 and b"Traceback" not in fetched.stderr, fetched.stderr
    fetched.stdout.decode("ascii")  # every non-ASCII character escaped
    text = cxdaily(env, "--demo", "batch")
    assert text.returncode == 0 and b"Traceback" not in text.stderr, text.stderr
    separator = " · " if encoding == "latin-1" else " ? "  # ASCII has no "·"
    assert separator in text.stdout.decode(encoding)
    as_json = cxdaily(env, "--demo", "batch", "--json").stdout.decode("ascii").splitlines()
    in_utf8 = cxdaily(utf8, "--demo", "batch", "--json").stdout.decode().splitlines()
    assert [json.loads(line) for line in as_json] == [json.loads(line) for line in in_utf8]
    tagged = cxdaily(env, "--demo", "tag", "demo:zd-48177", "--tag", "café")
    assert tagged.returncode == 0, tagged.stderr
    digest = cxdaily(env, "--demo", "digest", "--format", "md")
    assert digest.returncode == 0 and "café" in digest.stdout.decode("utf-8")


def test_commands_run_at_once_wait_for_each_other(subprocess_env, home):
    """Scripts that tag at the same moment: each waits for the folder, none fails."""
    assert cxdaily(subprocess_env, "--demo", "fetch").returncode == 0
    tags = [
        subprocess.Popen(
            [sys.executable, "-m", "cxdaily", "--demo", "tag", "demo:zd-48177", "--tag", f"t{n}"],
            env=subprocess_env,
            cwd=REPO_ROOT,
            stdout=PIPE,
            stderr=PIPE,
        )
        for n in range(4)
    ]
    said = [tag.communicate(timeout=60) for tag in tags]
    assert [tag.returncode for tag in tags] == [0, 0, 0, 0], said
    digest = cxdaily(subprocess_env, "--demo", "digest", "--format", "json")
    tagged = {tag for insight in json.loads(digest.stdout)["insights"] for tag in insight["tags"]}
    assert {"t0", "t1", "t2", "t3"} <= tagged


# ----------------------------------------------------------------------------- item 16
def test_fetch_without_channels_exits_1_saying_how_to_add_one(home, capsys):
    code, out, err = exit_code(capsys, "fetch")
    assert code == 1 and out == ""
    line = one_line_error(err)
    assert "no channels configured" in line
    assert "cxdaily channels add NAME KIND" in line and "cxdaily demo" in line
    code, _, err = exit_code(capsys, "fetch", "--json")
    assert code == 1 and "cxdaily channels add" in one_line_error(err)


def test_channels_test_without_channels_exits_1(home, capsys):
    code, _, err = exit_code(capsys, "channels", "test")
    assert code == 1
    assert "cxdaily channels add NAME KIND" in one_line_error(err)


def test_the_demo_fetch_still_exits_0(home, capsys):
    started = time.monotonic()
    code, out, _ = exit_code(capsys, "--demo", "fetch")
    assert code == 0 and out.startswith("demo: ")
    assert time.monotonic() - started < 30


# ----------------------------------------------------------------------------- item 15
BAD_CHANNEL = '[channels.good]\nkind = "demo"\n\n[channels.portal]\nkind = "http"\nurl = "{url}"\n'


@pytest.mark.parametrize("url", ["http://example.com/q", "file:///etc/passwd"])
@pytest.mark.parametrize(
    "argv",
    [("fetch",), ("channels", "list"), ("channels", "test"), ("login", "portal")],
    ids=" ".join,
)
def test_a_bad_channel_stops_every_command_that_uses_channels(home, capsys, url, argv):
    (home / "config.toml").write_text(BAD_CHANNEL.format(url=url))
    code, out, err = exit_code(capsys, *argv)
    assert code == 1 and out == ""
    line = one_line_error(err)
    assert line.startswith(f"cxdaily: {home / 'config.toml'}: [channels.portal] refusing ")


@pytest.mark.parametrize("url", ["http://example.com/q", "file:///etc/passwd"])
@pytest.mark.parametrize(
    "argv",
    [
        ("batch",),
        ("batch", "--json"),
        ("streak",),
        ("digest",),
        ("promises",),
        ("outbox", "list"),
    ],
    ids=" ".join,
)
def test_a_command_that_uses_no_channel_names_a_bad_one_and_goes_on(home, capsys, url, argv):
    """Every command finds a bad channel table when it reads the file and names it with
    the file; one that uses no channel (the batch, a digest, the streak, the outbox's
    list) says so in one line on stderr and does its work: one broken table does not
    keep the leader from the rest."""
    (home / "config.toml").write_text(BAD_CHANNEL.format(url=url))
    code, _, err = exit_code(capsys, *argv)
    assert code == 0
    line = one_line_error(err)
    assert line.startswith(f"cxdaily: warning: {home / 'config.toml'}: [channels.portal] refusing ")
    assert line.endswith("(this command uses no channel: it goes on; fetching needs it fixed)")


def test_tag_names_a_bad_channel_and_still_records_the_insight(home, capsys):
    (home / "config.toml").write_text('[channels.good]\nkind = "demo"\n')
    assert exit_code(capsys, "fetch")[0] == 0
    (home / "config.toml").write_text(BAD_CHANNEL.format(url="file:///etc/passwd"))
    question_id = "good:zd-48213"
    code, _, err = exit_code(capsys, "tag", question_id, "--tag", "billing")
    assert code == 0, err
    assert "warning:" in one_line_error(err) and "[channels.portal] refusing" in err


def test_the_demo_ignores_the_configured_channels(home, capsys):
    (home / "config.toml").write_text(BAD_CHANNEL.format(url="file:///etc/passwd"))
    code, out, err = exit_code(capsys, "--demo", "fetch")
    assert code == 0, err
    assert out.startswith("demo: ")


def test_a_bad_channel_can_be_removed_or_replaced(home, capsys):
    (home / "config.toml").write_text(BAD_CHANNEL.format(url="http://example.com/q"))
    code, _, err = exit_code(
        capsys, "channels", "add", "portal", "http", "url=https://h.example/q", "--replace"
    )
    assert code == 0, err
    assert exit_code(capsys, "channels", "list")[0] == 0
    (home / "config.toml").write_text(BAD_CHANNEL.format(url="http://example.com/q"))
    assert exit_code(capsys, "channels", "remove", "portal")[0] == 0
    code, out, _ = exit_code(capsys, "fetch")
    assert code == 0 and out.startswith("good: ")


SECRET_IN_CONFIG = (
    '[channels.good]\nkind = "demo"\n\n[channels.portal]\nkind = "http"\n'
    'url = "https://h.example/q"\ntoken = "s3cr3t-VALUE"\n'
)


def test_a_secret_written_in_the_config_is_a_channel_problem_the_repairs_fix(home, capsys):
    """It stopped every command, even those the README says repair the file."""
    (home / "config.toml").write_text('[channels.good]\nkind = "demo"\n')
    assert exit_code(capsys, "fetch")[0] == 0
    (home / "config.toml").write_text(SECRET_IN_CONFIG)
    code, out, err = exit_code(capsys, "batch")  # uses no channel: says so and goes on
    assert code == 0 and "warning: " in err and "secrets do not belong" in err
    code, _, err = exit_code(capsys, "fetch")  # uses them: stops, naming the table
    assert code == 1 and "[channels.portal] token: secrets do not belong" in err
    assert "delete it there, and change the secret" in err
    code, out, err = exit_code(capsys, "channels", "list")
    assert "s3cr3t" not in out + err
    replaced = ("channels", "add", "portal", "http", "url=https://h.example/q", "--replace")
    code, _, err = exit_code(capsys, *replaced)
    assert code == 0, err
    assert "s3cr3t" not in (home / "config.toml").read_text()  # gone from the file
    code, out, _ = exit_code(capsys, "fetch", "--channel", "good")
    assert code == 0 and out.startswith("good: ")
    (home / "config.toml").write_text(SECRET_IN_CONFIG)
    assert exit_code(capsys, "channels", "remove", "portal")[0] == 0
    assert "s3cr3t" not in (home / "config.toml").read_text()


def test_the_demo_profile_does_not_load_the_http_stack_to_check_channels(subprocess_env, home):
    """Checking channels builds their connectors (httpx); the demo never uses them."""
    (home / "config.toml").write_text(BAD_CHANNEL.format(url="https://h.example/q"))
    code = (
        "import contextlib, io, sys\n"
        "from cxdaily.cli import main\n"
        "from cxdaily.service import Service\n"
        "Service.open('demo', read_only=True).close()\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['--demo', 'streak']) == 0\n"
        "print('httpx' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=subprocess_env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_adding_a_channel_whose_secret_another_one_has_is_refused(home, capsys):
    config = home / "config.toml"
    config.write_text('[channels.acme-eu]\nkind = "http"\nurl = "https://h.example/q"\n')
    before = config.read_text()
    code, out, err = exit_code(
        capsys, "channels", "add", "acme_eu", "http", "url=https://other.example/q"
    )
    assert code == 1 and out == ""
    assert one_line_error(err) == (
        "cxdaily: [channels.acme_eu]: its secret would be read from CXDAILY_SECRET_ACME_EU, "
        "as [channels.acme-eu]'s secret is; rename the channel"
    )
    assert config.read_text() == before


# ----------------------------------------------------------------------------- usage errors
@pytest.mark.parametrize(
    ("budget", "words"),
    [("abc", "is not a duration"), ("31x", "is not a duration"), ("0m", "between 1 minute"),
     ("99999h", "between 1 minute")],
)  # fmt: skip
def test_a_bad_budget_is_a_usage_error_naming_batch_help(home, capsys, budget, words):
    code, out, err = exit_code(capsys, "--demo", "batch", "--budget", budget)
    line = one_line_error(err)
    assert code == 2 and out == ""
    assert words in line and line.endswith("usage: `cxdaily batch --help`")


def test_an_option_that_is_not_key_value_is_a_usage_error(home, capsys):
    code, _, err = exit_code(capsys, "channels", "add", "inbox", "jsonl", "path")
    line = one_line_error(err)
    assert code == 2 and "'path' is not an option like key=value" in line
    assert line.endswith("usage: `cxdaily channels add --help`")
    assert not (home / "config.toml").exists()  # nothing written


@pytest.mark.parametrize(
    ("argv", "command"),
    [(["fetch", "--bogus"], "fetch"), (["batch", "extra"], "batch"),
     (["outbox", "list", "--bogus"], "outbox list"), (["--bogus"], "")],
)  # fmt: skip
def test_an_unknown_argument_names_the_help_of_its_own_command(home, capsys, argv, command):
    code, _, err = exit_code(capsys, *argv)
    line = one_line_error(err)
    assert code == 2 and "unrecognized arguments" in line
    assert line.endswith(f"usage: `{' '.join(['cxdaily', command]).strip()} --help`")


def test_login_with_a_field_the_channel_does_not_have_says_which_it_has(home, capsys):
    config = home / "config.toml"
    config.write_text(
        '[channels.desk]\nkind = "zendesk"\nsubdomain = "acme"\nemail = "me@acme.io"\n\n'
        '[channels.web]\nkind = "http"\nurl = "https://acme.example/questions"\n'
    )
    code, _, err = exit_code(capsys, "login", "web", "--field", "bogus")
    assert code == 1
    assert "'web' has no secret field 'bogus': it has one secret: leave out --field" in (
        one_line_error(err)
    )
