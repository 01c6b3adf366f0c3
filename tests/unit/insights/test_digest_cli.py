"""``cxdaily digest`` and ``cxdaily tag`` end to end on the demo profile: periods,
filters, formats, -o written atomically, and one-line errors."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from cxdaily.cli import main
from cxdaily.insights.render_csv import COLUMNS
from cxdaily.insights.render_json import DIGEST_SCHEMA_ID, load_schema
from tests.unit.insights.digest_kit import validate


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("cxdaily: "), err
    return lines[0]


@pytest.fixture
def question_ids(home: Path, capsys) -> list[str]:
    """The demo inbox fetched; the ids of its questions."""
    code, out, err = run(capsys, "--demo", "fetch", "--json")
    assert code == 0, err
    return [json.loads(line)["id"] for line in out.splitlines() if line.strip()]


@pytest.fixture
def tagged(question_ids: list[str], capsys) -> list[str]:
    """Three insights recorded from the command line (one with planted personal data)."""
    first, second, third = question_ids[:3]
    for argv in (
        (first, "--tag", "billing", "--tag", "Churn Risk", "--team", "product",
         "--importance", "3", "--summary", "Charged after cancelling",
         "--quote", "Email me at jane.doe@example.com or call +1 415 555 0199",
         "--note", "Refund today"),
        (second, "--tag", "praise", "--team", "marketing", "--sentiment", "positive",
         "--summary", "Loves the export"),
        (third, "--tag", "bug", "--summary", "Crash on upload", "--quote", "It crashes, awful"),
    ):  # fmt: skip
        code, _, err = run(capsys, "--demo", "tag", *argv)
        assert code == 0, err
    return [first, second, third]


def test_tag_records_the_insight_the_app_would(tagged, capsys, home):
    code, out, _ = run(capsys, "--demo", "digest", "--format", "json")
    assert code == 0
    data = json.loads(out)
    by_question = {i["question_id"]: i for i in data["insights"]}
    first = by_question[tagged[0]]
    assert first["tags"] == ["billing", "churn risk"] and first["team"] == "product"
    assert first["importance"] == 3 and first["note"] == "Refund today"
    assert first["quote"] == "Email me at j***@example.com or call +• ••• ••• ••99"
    assert by_question[tagged[1]]["sentiment"] == "positive"
    # Without --sentiment, one is suggested from the customer's words.
    assert by_question[tagged[2]]["sentiment"] == "negative"
    assert by_question[tagged[2]]["team"] == "unassigned"


def test_tag_an_unknown_question_or_team_is_a_clear_error(question_ids, capsys):
    code, _, err = run(capsys, "--demo", "tag", "demo:nope", "--tag", "bug")
    assert code == 1 and "demo:nope" in one_line_error(err)
    code, _, err = run(capsys, "--demo", "tag", question_ids[0], "--tag", "bug", "--team", "hr")
    line = one_line_error(err)
    assert code == 1 and "unknown team 'hr'" in line
    assert "product, marketing, sales, support" in line


def test_strict_taxonomy_refuses_free_form_tags(question_ids, capsys, home):
    (home / "config.toml").write_text(
        '[taxonomy]\ntags = ["bug", "billing"]\nteams = ["product", "success"]\nstrict = true\n',
        encoding="utf-8",
    )
    code, _, err = run(capsys, "--demo", "tag", question_ids[0], "--tag", "vibes")
    assert code == 1 and "unknown tag 'vibes'" in one_line_error(err)
    code, _, err = run(capsys, "--demo", "tag", question_ids[0], "--tag", "logistics")
    assert code == 0, err  # an area is a tag too
    code, _, err = run(
        capsys, "--demo", "tag", question_ids[1], "--tag", "bug", "--team", "Success"
    )
    assert code == 0, err
    code, out, _ = run(capsys, "--demo", "digest", "--team", "success", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["team"] for r in rows] == ["success"]


def test_markdown_to_stdout_by_default(tagged, capsys):
    code, out, err = run(capsys, "--demo", "digest")
    assert code == 0 and err == ""
    assert out.startswith("# Customer insights · 14 Nov 2026 12:00 – 21 Nov 2026 12:00")
    assert "3 insights (none in the previous period)" in out
    assert "j\\*\\*\\*@example.com" in out and "jane.doe" not in out


def test_filters_by_team_and_tag(tagged, capsys):
    code, out, _ = run(capsys, "--demo", "digest", "--team", "Product", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["question_id"] for r in rows] == [tagged[0]]
    code, out, _ = run(capsys, "--demo", "digest", "--tag", "bug", "--format", "csv")
    assert [r["question_id"] for r in csv.DictReader(io.StringIO(out))] == [tagged[2]]


@pytest.mark.parametrize("spelling", ["Churn-Risk", "churn_risk", "churn risk", "CHURN RISK"])
def test_the_tag_filter_takes_any_spelling_of_a_tag(tagged, capsys, spelling):
    """The README says these are one tag; the filter refused all but the stored one."""
    code, out, err = run(capsys, "--demo", "digest", "--tag", spelling, "--format", "csv")
    assert code == 0, err
    assert [r["question_id"] for r in csv.DictReader(io.StringIO(out))] == [tagged[0]]


def test_unknown_team_or_tag_lists_the_known_ones(tagged, capsys):
    code, _, err = run(capsys, "--demo", "digest", "--team", "finance")
    line = one_line_error(err)
    assert code == 1 and "unknown team 'finance'" in line and "marketing" in line
    code, _, err = run(capsys, "--demo", "digest", "--tag", "nonsense")
    line = one_line_error(err)
    assert code == 1 and "unknown tag 'nonsense'" in line and "churn risk" in line
    # a name of control characters only says what was given (it said "unknown team ''")
    code, _, err = run(capsys, "--demo", "digest", "--team", "\x1b[31m")
    line = one_line_error(err)
    assert code == 1 and "unknown team '\\x1b[31m' (only control characters)" in line
    assert "\x1b" not in err


def test_an_empty_period_gives_a_valid_digest_that_says_so(tagged, capsys):
    code, out, _ = run(capsys, "--demo", "digest", "--since", "2026-01-01", "--until", "2026-01-31")
    assert code == 0 and "No insights, reflections or hand-offs in this period." in out
    code, out, _ = run(
        capsys, "--demo", "digest", "--since", "last year", "--until", "last year", "--format",
        "json",
    )  # fmt: skip
    data = json.loads(out)
    assert data["empty"] and validate(data, load_schema("digest")) == []


def test_period_expressions(tagged, capsys):
    for since in ("7d", "today", "this week", "this month", "saturday", "2026-11"):
        code, out, err = run(capsys, "--demo", "digest", "--since", since, "--format", "json")
        assert code == 0, (since, err)
        assert json.loads(out)["headline"]["insights"] == 3, since
    code, out, _ = run(capsys, "--demo", "digest", "--since", "last monday", "--format", "json")
    # Monday 16 Nov, from the default day start (04:00) in the home zone (UTC here).
    assert json.loads(out)["period"]["since"] == "2026-11-16T04:00:00Z"


def test_bad_period_expressions_are_usage_errors(home, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--demo", "digest", "--since", "fortnight"])
    assert caught.value.code == 2
    assert "'fortnight' is not a period" in capsys.readouterr().err
    code, _, err = run(capsys, "--demo", "digest", "--since", "today", "--until", "yesterday")
    assert code == 2 and "does not come before" in one_line_error(err)  # a usage error too
    assert err.startswith("cxdaily: digest: ") and "`cxdaily digest --help`" in err


@pytest.mark.parametrize(
    ("name", "fmt", "check"),
    [
        ("digest.md", None, lambda text: text.startswith("# Customer insights")),
        ("digest.html", None, lambda text: text.startswith("<!DOCTYPE html>")),
        ("digest.csv", None, lambda text: text.startswith(",".join(COLUMNS))),
        ("digest.json", None, lambda text: json.loads(text)["schema"] == DIGEST_SCHEMA_ID),
        ("notes.json", "notes", lambda text: isinstance(json.loads(text), list)),
        ("digest.txt", None, lambda text: text.startswith("# Customer insights")),
    ],
)
def test_output_file_and_format_from_its_extension(tagged, capsys, tmp_path, name, fmt, check):
    target = tmp_path / "out" / name
    target.parent.mkdir()
    argv = ["--demo", "digest", "-o", str(target)] + (["--format", fmt] if fmt else [])
    code, out, err = run(capsys, *argv)
    assert code == 0 and out == ""
    assert err.startswith(f"wrote {target} (3 insights,")
    assert check(target.read_text(encoding="utf-8"))
    assert os.listdir(target.parent) == [name]  # no temporary file left
    assert target.stat().st_mode & 0o077 == 0  # customers' words: owner only


def test_output_dash_is_stdout(tagged, capsys, tmp_path, monkeypatch):
    """``-o -`` is the usual spelling of stdout: no file named ``-`` appears."""
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    code, out, err = run(capsys, "--demo", "digest", "-o", "-", "--format", "json")
    assert code == 0 and err == ""
    assert json.loads(out)["schema"] == DIGEST_SCHEMA_ID
    assert os.listdir(here) == []


def test_an_unwritable_output_leaves_no_file(tagged, capsys, tmp_path):
    tmp_path = tmp_path / "exports"  # tmp_path itself is CXDAILY_HOME
    tmp_path.mkdir()
    missing = tmp_path / "nowhere" / "digest.md"
    code, _, err = run(capsys, "--demo", "digest", "-o", str(missing))
    assert code == 1 and "does not exist" in one_line_error(err)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(capsys, "--demo", "digest", "-o", str(blocker / "digest.md"))
    assert code == 1 and one_line_error(err)
    code, _, err = run(capsys, "--demo", "digest", "-o", str(tmp_path))
    assert code == 1 and "is a folder" in one_line_error(err)
    assert sorted(os.listdir(tmp_path)) == ["file"]


def test_an_output_that_is_not_a_regular_file_is_refused_and_kept(tagged, capsys, tmp_path):
    """A pipe (or a device: ``/dev/null``) is never replaced by a file; a link to one
    neither (``/dev/stdout``)."""
    tmp_path = tmp_path / "exports"
    tmp_path.mkdir()
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    to_pipe = tmp_path / "to-pipe"
    to_pipe.symlink_to(pipe)
    for target in (pipe, to_pipe):
        code, _, err = run(capsys, "--demo", "digest", "-o", str(target))
        assert code == 1 and "it is not a regular file" in one_line_error(err), target
    assert pipe.is_fifo() and to_pipe.is_symlink() and to_pipe.resolve() == pipe
    assert sorted(os.listdir(tmp_path)) == ["pipe", "to-pipe"]


def test_a_link_to_a_file_is_written_through_and_kept(tagged, capsys, tmp_path):
    tmp_path = tmp_path / "exports"
    tmp_path.mkdir()
    report = tmp_path / "report.md"
    report.write_text("last week's digest", encoding="utf-8")
    latest = tmp_path / "latest.md"
    latest.symlink_to(report)
    code, _, err = run(capsys, "--demo", "digest", "-o", str(latest))
    assert code == 0, err
    assert latest.is_symlink() and latest.resolve() == report
    assert report.read_text(encoding="utf-8").startswith("# ")
    assert sorted(os.listdir(tmp_path)) == ["latest.md", "report.md"]


def test_a_failed_write_keeps_the_old_file_whole(tagged, capsys, tmp_path, monkeypatch):
    tmp_path = tmp_path / "exports"
    tmp_path.mkdir()
    target = tmp_path / "digest.md"
    target.write_text("the previous digest", encoding="utf-8")

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    code, _, err = run(capsys, "--demo", "digest", "-o", str(target))
    assert code == 1 and "the disk is full" in one_line_error(err)
    assert target.read_text(encoding="utf-8") == "the previous digest"
    assert os.listdir(tmp_path) == ["digest.md"]


def test_an_output_among_cxdailys_own_files_is_refused_and_they_are_kept(
    tagged, capsys, home, tmp_path
):
    """``-o`` naming a data file (or a new file in the data folder, or a link to a data
    file) or the config file is refused: the digest would replace the outbox, a month of
    insights or the config."""
    data = home / "data"
    outbox = data / "demo" / "outbox.json"
    config = home / "config.toml"
    config.write_text('[session]\nbudget = "30m"\n', encoding="utf-8")
    exports = tmp_path / "exports"
    exports.mkdir()
    link = exports / "latest.json"
    link.symlink_to(outbox)
    before = {path: path.read_bytes() for path in (*data.rglob("*.json"), config)}
    cases = (
        (outbox, f"it is in cxdaily's data folder ({data})"),
        (data / "demo" / "insights" / "2099-01.json", "it is in cxdaily's data folder"),
        (link, f"cannot write {outbox}: it is in cxdaily's data folder"),
        (config, f"it is cxdaily's config file ({config})"),
    )
    for target, message in cases:
        code, out, err = run(capsys, "--demo", "digest", "-o", str(target))
        assert code == 1 and out == "", target
        assert message in one_line_error(err) and "name a file elsewhere" in err, err
    assert {path: path.read_bytes() for path in (*data.rglob("*.json"), config)} == before
    assert not (data / "demo" / "insights" / "2099-01.json").exists()
    assert link.is_symlink() and link.resolve() == outbox


def test_redaction_is_on_unless_asked_and_names_can_be_initials(tagged, capsys):
    code, out, _ = run(capsys, "--demo", "digest", "--format", "csv")
    assert code == 0 and "jane.doe@example.com" not in out and "415 555 0199" not in out
    code, out, _ = run(capsys, "--demo", "digest", "--format", "csv", "--no-redact")
    assert code == 0 and "jane.doe@example.com" in out and "415 555 0199" in out
    code, out, _ = run(capsys, "--demo", "digest", "--format", "json", "--initials")
    assert code == 0
    data = json.loads(out)
    names = [i["customer"]["name"] for i in data["insights"] if i["customer"]["name"]]
    assert names and all(n.replace(". ", "").rstrip(".").isalpha() for n in names)
    assert data["redaction"] == {"enabled": True, "initials": True}


def test_the_digest_reads_while_the_app_holds_the_store(tagged, capsys, home):
    from cxdaily.service import Service

    with Service.open("demo"):  # holds the single-instance lock, like a running app
        code, out, err = run(capsys, "--demo", "digest", "--format", "csv")
    assert code == 0, err
    assert len(list(csv.DictReader(io.StringIO(out)))) == 3


def test_the_written_file_is_named_without_driving_the_terminal(tagged, capsys, tmp_path):
    """A name holding an escape sequence is shown with it written out, not run."""
    target = tmp_path / "\x1b[31mred.md"
    code, _, err = run(capsys, "--demo", "digest", "-o", str(target))
    assert code == 0 and target.exists()
    assert "\x1b" not in err and f"wrote {tmp_path}/\\x1b[31mred.md (3 insights, md)" in err
