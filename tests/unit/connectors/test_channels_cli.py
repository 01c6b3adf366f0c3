"""`cxdaily channels list|add|test|remove`, `cxdaily login` and `cxdaily fetch`, in-process."""

from __future__ import annotations

import json
import tomllib

import keyring
import pytest
from keyring.backends import fail

from cxdaily.cli import main


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("CXDAILY_HOME", str(tmp_path))
    monkeypatch.setenv("CXDAILY_NOW", "2026-11-22T09:00:00Z")
    return tmp_path


def config(home) -> dict:
    return tomllib.loads((home / "config.toml").read_text())


def write_questions(path, *ids: str) -> None:
    with path.open("a") as handle:
        for native_id in ids:
            record = {
                "id": native_id,
                "body": f"q{native_id}",
                "created_at": "2026-11-21T08:00:00Z",
            }
            handle.write(json.dumps(record) + "\n")


def test_add_writes_the_channel_and_checks_options(home, capsys):
    assert main(["channels", "add", "imp", "jsonl", f"path={home / 'q.jsonl'}", "deadline=5s"]) == 0
    assert config(home)["channels"]["imp"] == {
        "kind": "jsonl",
        "path": str(home / "q.jsonl"),
        "deadline": "5s",
    }
    assert "channels test imp" in capsys.readouterr().out


def test_add_parses_numbers(home):
    assert main(["channels", "add", "p", "http", "url=https://h.example/q", "retries=1"]) == 0
    assert config(home)["channels"]["p"]["retries"] == 1


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["channels", "add", "p", "http"], "needs url"),
        (["channels", "add", "p", "http", "url=http://h.example/q"], "refusing"),
        (["channels", "add", "p", "http", "url=https://h/q", "token=abc"], "secrets do not belong"),
        (["channels", "add", "p", "nosuchkind"], "unknown channel kind"),
        (["channels", "add", "p", "jsonl", "path=x", "deadline=soon"], "not a duration"),
        (["channels", "add", "bad name", "jsonl", "path=x"], "channel name"),
    ],  # an option that is not key=value is a usage error: see test_cli_hygiene
)
def test_add_refuses_bad_channels_and_writes_nothing(home, capsys, argv, problem):
    assert main(argv) == 1
    assert problem in capsys.readouterr().err
    assert not (home / "config.toml").exists()


def test_add_refuses_a_duplicate_unless_replacing(home, capsys):
    assert main(["channels", "add", "imp", "jsonl", f"path={home / 'a'}"]) == 0
    assert capsys.readouterr().out.startswith("added channel imp (jsonl) in ")
    assert main(["channels", "add", "imp", "jsonl", f"path={home / 'b'}"]) == 1
    assert "--replace" in capsys.readouterr().err
    assert main(["channels", "add", "imp", "jsonl", f"path={home / 'b'}", "--replace"]) == 0
    assert capsys.readouterr().out.startswith("replaced channel imp (jsonl) in ")
    assert config(home)["channels"]["imp"]["path"] == str(home / "b")


def test_add_makes_a_relative_path_absolute(home, monkeypatch, tmp_path_factory):
    """A relative path is the file the leader meant where they typed it: a fetch started
    from any other folder reads that same file."""
    typed_in = tmp_path_factory.mktemp("typed-in")
    write_questions(typed_in / "q.jsonl", "1")
    monkeypatch.chdir(typed_in)
    assert main(["channels", "add", "imp", "jsonl", "path=q.jsonl"]) == 0
    assert config(home)["channels"]["imp"]["path"] == str(typed_in / "q.jsonl")
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    assert main(["fetch", "--channel", "imp"]) == 0


def test_add_refuses_an_option_given_twice(home, capsys):
    argv = ["channels", "add", "p", "http", "url=https://a.example/q", "url=https://c.example/q"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "url given more than once" in err and err.count("\n") == 1
    assert not (home / "config.toml").exists()


@pytest.mark.parametrize(
    ("option", "problem"),
    [
        ("url=https://anna:tok-FAKE-777777@h.example/q", "holds a user name or password"),
        ("url=https://tok-FAKE-777777@h.example/q", "holds a user name or password"),
        ("url=https://h.example/q?api_key=tok-FAKE-777777", "credential in its query (api_key=)"),
        ("url=https://h.example/q?x=1&Access_Token=tok-FAKE-777777", "(access_token=)"),
        ("reply_url=/r?token=tok-FAKE-777777", "credential in its query (token=)"),
        ("url=https://h.example:99999/q", "port out of range"),
        ("url=https://a b.example/q", "character no address may hold"),
    ],
)
def test_add_refuses_a_url_holding_a_secret_or_broken(home, capsys, option, problem):
    """The config file is no place for a secret (and one in a URL would go out instead of
    the stored one); the message never repeats it."""
    argv = ["channels", "add", "p", "http", option]
    if not option.startswith("url="):
        argv.append("url=https://h.example/q")
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert problem in err and "tok-FAKE" not in err and err.count("\n") == 1
    if "holds" in problem or "credential" in problem:
        assert "cxdaily login p" in err
    assert not (home / "config.toml").exists()


@pytest.mark.parametrize("base_url", ["https://m.example/?x=1", "https://m.example/api#top"])
def test_add_refuses_a_base_address_with_a_query_or_fragment(home, capsys, base_url):
    """API paths are joined to base_url: a query or fragment there would swallow them."""
    assert main(["channels", "add", "m", "mastodon", f"base_url={base_url}"]) == 1
    assert "without ?query or #fragment" in capsys.readouterr().err


def test_add_keeps_an_ordinary_query_in_a_url(home):
    assert main(["channels", "add", "p", "http", "url=https://h.example/q?status=open"]) == 0
    assert config(home)["channels"]["p"]["url"] == "https://h.example/q?status=open"


def test_list_tells_a_missing_secret_from_one_not_needed(home, capsys, monkeypatch):
    """Both read "unavailable": a Zendesk token given makes the OAuth one unneeded, and a
    Reddit secret not set is missing, with the variable that fixes it."""
    main(["channels", "add", "desk", "zendesk", "subdomain=acme", "email=me@acme.example"])
    main(["channels", "add", "rd", "reddit", "client_id=abc", "username=me", "subreddits=x"])
    monkeypatch.setenv("CXDAILY_SECRET_DESK", "token-value")
    monkeypatch.setenv("CXDAILY_SECRET_RD_PASSWORD", "pw-value")
    capsys.readouterr()
    assert main(["channels", "list"]) == 0
    out = capsys.readouterr().out
    assert "secret: env, oauth_token: not set (not needed: secret is set);" in out
    assert "client_secret: missing" in out and "set CXDAILY_SECRET_RD_CLIENT_SECRET" in out
    assert "password: env;" in out
    assert "token-value" not in out and "pw-value" not in out


def test_list_shows_secret_sources_never_secrets(home, capsys, memory_keyring, monkeypatch):
    main(["channels", "add", "portal", "http", "url=https://h.example/q"])
    main(["channels", "add", "imp", "jsonl", f"path={home / 'q.jsonl'}"])
    memory_keyring.set_password("cxdaily", "portal", "very-secret-value")
    capsys.readouterr()
    assert main(["channels", "list"]) == 0
    out = capsys.readouterr().out
    assert "portal  http  https://h.example/q" in out
    assert "secret: keyring (optional)" in out
    assert "no secret needed" in out
    assert "never fetched" in out
    assert "very-secret-value" not in out
    monkeypatch.setenv("CXDAILY_SECRET_PORTAL", "another-secret")
    assert main(["channels", "list", "--json"]) == 0
    out = capsys.readouterr().out
    rows = [json.loads(x) for x in out.splitlines()]
    assert rows[0]["secrets"] == {"secret": "env"}
    assert "another-secret" not in out


def test_login_stores_each_secret_without_echo(home, capsys, memory_keyring, monkeypatch):
    main(["channels", "add", "portal", "http", "url=https://h.example/q"])
    prompts = []

    def fake_getpass(prompt):
        prompts.append(prompt)
        return "  typed-secret  "

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    assert main(["login", "portal"]) == 0
    assert prompts == ["Secret for portal: "]
    assert memory_keyring.entries[("cxdaily", "portal")] == "typed-secret"
    assert "typed-secret" not in capsys.readouterr().out


def test_login_refuses_a_keyring_that_cannot_keep_secrets(home, capsys, monkeypatch):
    main(["channels", "add", "portal", "http", "url=https://h.example/q"])
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setattr("getpass.getpass", lambda prompt: pytest.fail("must not prompt"))
    assert main(["login", "portal"]) == 1
    err = capsys.readouterr().err
    assert "CXDAILY_SECRET_PORTAL" in err
    assert err.count("\n") == 1
    # a kind that needs one secret of two names them as alternatives
    main(["channels", "add", "zd", "zendesk", "subdomain=acme", "email=a@acme.example"])
    capsys.readouterr()
    assert main(["login", "zd"]) == 1
    assert "set CXDAILY_SECRET_ZD or CXDAILY_SECRET_ZD_OAUTH_TOKEN in" in capsys.readouterr().err


def test_login_with_nothing_typed_stores_nothing(home, capsys, memory_keyring, monkeypatch):
    main(["channels", "add", "portal", "http", "url=https://h.example/q"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: "")
    assert main(["login", "portal"]) == 1
    assert "nothing was entered" in capsys.readouterr().err
    assert memory_keyring.entries == {}


def test_login_to_a_kind_with_alternative_secrets_needs_only_one(
    home, capsys, memory_keyring, monkeypatch
):
    # Zendesk takes an API token or an OAuth token: the leader types one, skips the other
    main(["channels", "add", "desk", "zendesk", "subdomain=acme", "email=lead@acme.example"])
    assert "CXDAILY_SECRET_DESK or CXDAILY_SECRET_DESK_OAUTH_TOKEN" in capsys.readouterr().out
    answers = iter(["", "oauth-typed"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert main(["login", "desk"]) == 0
    out = capsys.readouterr().out
    assert "needs one of: secret, oauth_token" in out and "oauth-typed" not in out
    assert memory_keyring.entries == {("cxdaily", "desk:oauth_token"): "oauth-typed"}

    monkeypatch.setattr("getpass.getpass", lambda prompt: " ")
    assert main(["login", "desk"]) == 1
    assert "no secret of desk was stored" in capsys.readouterr().err


def test_login_for_unknown_or_secretless_channels(home, capsys):
    assert main(["login", "nope"]) == 1
    assert "cxdaily channels add" in capsys.readouterr().err
    main(["channels", "add", "imp", "jsonl", "path=x"])
    assert main(["login", "imp"]) == 1
    assert "needs no secret" in capsys.readouterr().err


def test_remove_deletes_the_channel_and_its_secret(home, capsys, memory_keyring):
    main(["channels", "add", "portal", "http", "url=https://h.example/q"])
    memory_keyring.set_password("cxdaily", "portal", "s")
    assert main(["channels", "remove", "portal"]) == 0
    assert "portal" not in config(home).get("channels", {})
    assert memory_keyring.entries == {}
    assert main(["channels", "remove", "portal"]) == 1


def test_remove_deletes_the_secrets_the_connector_stored_itself(home, capsys, memory_keyring):
    """A Bluesky session the connector kept is removed with the channel, as is its app
    password; a secret of another channel stays."""
    main(["channels", "add", "sky", "bluesky", "handle=brand.bsky.social"])
    memory_keyring.set_password("cxdaily", "sky", "app-password")
    memory_keyring.set_password("cxdaily", "sky:session", '{"accessJwt": "a"}')
    memory_keyring.set_password("cxdaily", "other", "kept")
    capsys.readouterr()
    assert main(["channels", "remove", "sky"]) == 0
    assert "deleted from the keyring: secret, session" in capsys.readouterr().out
    assert memory_keyring.entries == {("cxdaily", "other"): "kept"}


def test_test_says_what_is_wrong_per_channel(home, capsys):
    write_questions(home / "q.jsonl", "1")
    main(["channels", "add", "good", "jsonl", f"path={home / 'q.jsonl'}"])
    main(["channels", "add", "gone", "jsonl", f"path={home / 'missing.jsonl'}"])
    capsys.readouterr()
    assert main(["channels", "test"]) == 3
    captured = capsys.readouterr()
    assert "good: ok:" in captured.out
    assert "cxdaily: gone: the file" in captured.err and "does not exist" in captured.err
    assert main(["channels", "test", "gone"]) == 1
    assert main(["channels", "test", "good"]) == 0


def test_fetch_json_prints_normalized_questions_and_names_failures(home, capsys):
    write_questions(home / "q.jsonl", "1", "2")
    main(["channels", "add", "good", "jsonl", f"path={home / 'q.jsonl'}"])
    main(["channels", "add", "gone", "jsonl", f"path={home / 'missing.jsonl'}"])
    capsys.readouterr()
    assert main(["fetch", "--json"]) == 3
    captured = capsys.readouterr()
    rows = [json.loads(x) for x in captured.out.splitlines()]
    assert [r["id"] for r in rows] == ["good:1", "good:2"]
    assert set(rows[0]) == {
        "id", "channel", "kind", "native_id", "thread_id", "url", "author", "title", "body",
        "created_at", "context", "meta",
    }  # fmt: skip
    assert "cxdaily: gone:" in captured.err
    assert "\r" not in captured.err  # no progress line when not on a terminal
    assert main(["fetch", "--channel", "good"]) == 0
    assert capsys.readouterr().out == "good: 0 questions\n"
    assert main(["fetch", "--channel", "gone"]) == 1
    assert main(["fetch", "--channel", "nope"]) == 1


def test_fetch_reports_bad_lines_as_warnings(home, capsys):
    (home / "q.jsonl").write_text("broken\n")
    write_questions(home / "q.jsonl", "1")
    main(["channels", "add", "good", "jsonl", f"path={home / 'q.jsonl'}"])
    capsys.readouterr()
    assert main(["fetch"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "good: 1 question\n"
    assert "cxdaily: good: q.jsonl: line 1 skipped: not valid JSON" in captured.err


def test_channels_are_not_managed_in_the_demo_profile(home, capsys):
    assert main(["--demo", "channels", "add", "imp", "jsonl", "path=x"]) == 1
    assert "without --demo" in capsys.readouterr().err
    assert not (home / "config.toml").exists()


# ----------------------------------------------------------------------------- issue 11, item 16
@pytest.fixture
def silent_server():
    """A loopback port that accepts connections and never answers (a hanging service)."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)  # the kernel completes the handshakes; nobody ever reads or writes
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def test_channels_are_tested_concurrently(home, capsys, silent_server):
    """Two hanging channels take about one deadline, not two; one line per channel."""
    import time

    write_questions(home / "q.jsonl", "1")
    for name in ("hang1", "hang2"):
        assert (
            main(["channels", "add", name, "http", f"url={silent_server}/q", "deadline=1.5s"]) == 0
        )
    main(["channels", "add", "good", "jsonl", f"path={home / 'q.jsonl'}"])
    capsys.readouterr()
    started = time.monotonic()
    assert main(["channels", "test"]) == 3
    elapsed = time.monotonic() - started
    captured = capsys.readouterr()
    assert 1.4 <= elapsed < 2.7, elapsed  # sequentially it would be over 3 s
    [ok] = captured.out.splitlines()
    assert ok.startswith("good: ok: ")
    errors = captured.err.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith("cxdaily: hang1: ") and errors[1].startswith("cxdaily: hang2: ")
    assert all("1.5 s" in line for line in errors)


def test_channels_test_exits_1_when_every_channel_fails(home, capsys, silent_server):
    for name in ("hang1", "hang2"):
        main(["channels", "add", name, "http", f"url={silent_server}/q", "deadline=0.5s"])
    capsys.readouterr()
    assert main(["channels", "test"]) == 1
    assert len(capsys.readouterr().err.splitlines()) == 2


def test_add_points_to_the_variable_when_no_keyring_can_keep_the_secret(
    home, capsys, memory_keyring
):
    """`login` would refuse on a machine without a keyring: the next step named is the
    environment variable."""
    assert main(["channels", "add", "zd", "zendesk", "subdomain=acme", "email=a@acme.example"]) == 0
    assert "next: `cxdaily login zd`" in capsys.readouterr().out
    keyring.set_keyring(fail.Keyring())
    argv = ["channels", "add", "zd2", "zendesk", "subdomain=acme", "email=a@acme.example"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "next: set CXDAILY_SECRET_ZD2" in out and "cxdaily login zd2`" not in out


def test_add_keeps_text_options_as_typed(home):
    """An option declared as text stays the text typed (``subdomain=5`` is "5", not the
    number; ``signature=true`` the word true); numbers and lists keep TOML's reading."""
    assert main(["channels", "add", "b", "zendesk", "subdomain=5", "email=x@y.example"]) == 0
    argv = ["channels", "add", "s", "jsonl", f"path={home / 'q.jsonl'}", "signature=true"]
    assert main(argv) == 0
    argv = ["channels", "add", "r", "reddit", "username=acme_support", "client_id=abc123"]
    argv.append('subreddits=["a", "b"]')
    assert main([*argv, "retries=2"]) == 0
    channels = config(home)["channels"]
    assert channels["b"]["subdomain"] == "5"
    assert channels["s"]["signature"] == "true"
    assert channels["r"]["subreddits"] == ["a", "b"] and channels["r"]["retries"] == 2
