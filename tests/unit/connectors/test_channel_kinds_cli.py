"""`cxdaily channels kinds [KIND]` and the prompts of `channels add`, from the
connectors' declarations."""

from __future__ import annotations

import io
import json
import tomllib

import pytest

from cxdaily.cli import main
from cxdaily.cli.channel_kinds import ask_missing_options
from cxdaily.connectors import builtin_kinds
from cxdaily.core.errors import ConfigError


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("CXDAILY_HOME", str(tmp_path))
    return tmp_path


def test_kinds_lists_every_kind_with_one_line(home, capsys):
    assert main(["channels", "kinds"]) == 0
    lines = capsys.readouterr().out.splitlines()
    kinds = [line.split()[0] for line in lines[:-1]]
    assert kinds == builtin_kinds()
    assert {
        "demo",
        "http",
        "jsonl",
        "zendesk",
        "freshdesk",
        "helpscout",
        "intercom",
        "front",
    } <= set(kinds)
    assert "JSON-lines file" in lines[kinds.index("jsonl")]


def test_kinds_shows_one_kinds_options_and_secrets(home, capsys):
    assert main(["channels", "kinds", "http"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("http: ")
    assert lines[2].split()[:3] == ["url", "url", "required"]  # required options first
    assert lines[2].endswith("where questions are fetched (GET, a JSON array)")
    assert any(line.split()[:4] == ["retries", "int", "default", "3"] for line in lines)
    assert any(line.split()[:4] == ["deadline", "duration", "default", '"60s"'] for line in lines)
    assert "secrets (optional): secret" in out


def test_kinds_of_a_kind_without_secrets(home, capsys):
    assert main(["channels", "kinds", "jsonl"]) == 0
    out = capsys.readouterr().out
    assert "path" in out and "secrets: none" in out


def test_kinds_json(home, capsys):
    assert main(["channels", "kinds", "--json"]) == 0
    kinds = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [k["kind"] for k in kinds] == builtin_kinds()
    http = next(k for k in kinds if k["kind"] == "http")
    url = next(o for o in http["options"] if o["name"] == "url")
    assert url == {
        "name": "url", "type": "url", "required": True, "default": None,
        "description": "where questions are fetched (GET, a JSON array)",
    }  # fmt: skip
    assert http["secrets"] == ["secret"] and http["secret_optional"] is True
    assert http["secret_variables"] == ["CXDAILY_SECRET_<NAME>"]
    assert main(["channels", "kinds", "jsonl", "--json"]) == 0
    (jsonl,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert jsonl["kind"] == "jsonl" and jsonl["secrets"] == []


@pytest.mark.parametrize(
    ("kind", "line"),
    [
        (
            "zendesk",
            "secrets (any one of them): secret (CXDAILY_SECRET_<NAME>), oauth_token "
            "(CXDAILY_SECRET_<NAME>_OAUTH_TOKEN); store with `cxdaily login NAME`, or set "
            "the variables",
        ),
        (
            "helpscout",
            "secrets: client_id (CXDAILY_SECRET_<NAME>_CLIENT_ID), client_secret "
            "(CXDAILY_SECRET_<NAME>_CLIENT_SECRET); store with `cxdaily login NAME`, or set "
            "the variables",
        ),
    ],
)
def test_a_kind_names_the_variable_of_each_secret(home, capsys, kind, line):
    """It said "or set CXDAILY_SECRET_<NAME>" for kinds whose secrets each have their
    own variable, and not which secrets are alternatives."""
    assert main(["channels", "kinds", kind]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == line


def test_kinds_of_an_unknown_kind_is_a_one_line_error(home, capsys):
    assert main(["channels", "kinds", "nosuch"]) == 1
    err = capsys.readouterr().err
    assert f"unknown channel kind 'nosuch' (known: {', '.join(builtin_kinds())})" in err


def test_add_without_a_required_option_names_it_in_one_line(home, capsys):
    assert main(["channels", "add", "q", "jsonl"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        "cxdaily: [channels.q] needs path = \"...\" (kind 'jsonl'); give it as KEY=VALUE"
    )
    assert not (home / "config.toml").exists()


def test_add_at_a_terminal_asks_for_the_missing_required_options(home, capsys, monkeypatch):
    answers = io.StringIO(f"{home / 'q.jsonl'}\n")
    answers.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stdin", answers)
    assert main(["channels", "add", "q", "jsonl", "deadline=5s"]) == 0
    out = capsys.readouterr().out
    assert "path (path: the file of questions" in out
    table = tomllib.loads((home / "config.toml").read_text())["channels"]["q"]
    assert table == {"kind": "jsonl", "deadline": "5s", "path": str(home / "q.jsonl")}


def test_an_empty_answer_adds_nothing(home, capsys, monkeypatch):
    answers = io.StringIO("\n")
    answers.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stdin", answers)
    assert main(["channels", "add", "q", "jsonl"]) == 1
    assert 'needs path = "..."' in capsys.readouterr().err
    assert not (home / "config.toml").exists()


def test_typed_answers_are_read_as_toml():
    filled = ask_missing_options("p", "http", {}, interactive=True, ask=lambda _: "https://h/q")
    assert filled == {"url": "https://h/q"}
    with pytest.raises(ConfigError, match=r"needs url = \"...\" \(kind 'http'\)"):
        ask_missing_options("p", "http", {}, interactive=False)
    assert ask_missing_options("p", "nosuch", {"a": 1}, interactive=False) == {"a": 1}
