"""``cxdaily serve``: its arguments, the access token in the keyring, the address it
prints, and the settings it hands the server (the server's own checks are in
``test_serve_guard.py``; a real browser in ``tests/integration/test_serve_browser.py``)."""

from __future__ import annotations

import os
import shlex
import socket
import sys
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends.null import Keyring as NullKeyring

from cxdaily.cli.browser_tab import served_in_browser
from cxdaily.cli.serve import access_token, address, app_command
from cxdaily.core.errors import CredentialError
from cxdaily.paths import DEMO_PROFILE, locations
from cxdaily.ui.serve.server import CxDailyServer, ServeSettings
from tests.unit.cli.cli_kit import one_line_error, run

TOKEN_ENTRY = ("cxdaily", "serve:token")


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[ServeSettings]:
    """Replace the server's run with one that reports ready at once and returns; the
    settings of every server the command built."""
    built: list[ServeSettings] = []

    def run_once(self: CxDailyServer, on_ready: Any = None) -> None:
        built.append(self.settings)
        if on_ready is not None:
            on_ready()

    monkeypatch.setattr(CxDailyServer, "run", run_once)
    return built


def test_loopback_serves_without_a_token(
    home: Path, served: list[ServeSettings], capsys, memory_keyring
) -> None:
    code, out, err = run(capsys, "serve", "--demo", "--port", "9001")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "cxdaily: serving the demo inbox on http://127.0.0.1:9001/ (ctrl+c stops)"
    ]
    settings = served[0]
    assert settings.token is None and settings.checks_host
    assert settings.data_dir == locations(DEMO_PROFILE).data_dir
    assert settings.command.endswith("-m cxdaily --demo")
    assert memory_keyring.entries == {}, "no token is made for loopback"


def test_the_global_demo_flag_serves_the_demo_too(
    home: Path, served: list[ServeSettings], capsys
) -> None:
    code, _, _ = run(capsys, "--demo", "serve")
    assert code == 0
    assert served[0].data_dir == locations(DEMO_PROFILE).data_dir
    assert served[0].port == 8765


def test_another_address_makes_a_token_shows_it_once_and_keeps_it(
    home: Path, served: list[ServeSettings], capsys, memory_keyring
) -> None:
    code, out, _ = run(capsys, "serve", "--host", "0.0.0.0", "--port", "9002")
    assert code == 0
    token = memory_keyring.entries[TOKEN_ENTRY]
    assert len(token) >= 40 and served[0].token == token
    host = socket.gethostname()
    assert f"open: http://{host}:9002/?token={token}" in out.splitlines()
    assert "shown only now" in out

    code, out, _ = run(capsys, "serve", "--host", "0.0.0.0", "--port", "9002")
    assert code == 0 and token not in out, "shown once"
    assert served[1].token == token, "kept in the keyring"
    assert "--new-token" in out

    code, out, _ = run(capsys, "serve", "--host", "0.0.0.0", "--new-token")
    replaced = memory_keyring.entries[TOKEN_ENTRY]
    assert code == 0 and replaced != token and f"?token={replaced}" in out


def test_a_public_url_asks_for_the_token_even_on_loopback(
    home: Path, served: list[ServeSettings], capsys, memory_keyring
) -> None:
    code, out, _ = run(capsys, "serve", "--public-url", "https://cx.example.com/")
    assert code == 0
    settings = served[0]
    assert settings.token == memory_keyring.entries[TOKEN_ENTRY]
    assert settings.public_url == "https://cx.example.com"
    assert settings.secure_cookie and settings.public_names == frozenset({"cx.example.com"})
    assert f"open: https://cx.example.com/?token={settings.token}" in out


@pytest.mark.parametrize(
    "args",
    [
        ("--port", "0"),
        ("--port", "65536"),
        ("--port", "http"),
        ("--public-url", "ftp://cx.example.com"),
        ("--public-url", "https://cx.example.com/cxdaily"),
        ("--public-url", "https://user:pw@cx.example.com"),
        ("--public-url", "https://cx.example.com:99999"),
    ],
)
def test_unusable_arguments_are_usage_errors(home: Path, capsys, args: tuple[str, ...]) -> None:
    code, _, err = run(capsys, "serve", *args)
    assert code == 2
    assert one_line_error(err).startswith("cxdaily: serve: argument")


def test_a_taken_port_is_one_line_error(home: Path, capsys) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = run(capsys, "serve", "--port", str(port))
    assert (code, out) == (1, "")
    assert one_line_error(err).startswith(f"cxdaily: cannot listen on 127.0.0.1:{port}: ")


def test_the_token_variable_wins_and_cannot_be_replaced_from_here(
    monkeypatch: pytest.MonkeyPatch, memory_keyring
) -> None:
    monkeypatch.setenv("CXDAILY_SECRET_SERVE_TOKEN", "from-the-environment-0123456789\n")
    assert access_token(new=False) == ("from-the-environment-0123456789", False)
    with pytest.raises(CredentialError, match="CXDAILY_SECRET_SERVE_TOKEN is set"):
        access_token(new=True)
    assert memory_keyring.entries == {}


@pytest.mark.parametrize(("where", "value"), [("env", "tiny-1"), ("keyring", "short-1234")])
def test_a_short_token_is_refused(monkeypatch: pytest.MonkeyPatch, memory_keyring, where, value):
    """A token anyone could guess never guards the served app (and is never shown)."""
    if where == "env":
        monkeypatch.setenv("CXDAILY_SECRET_SERVE_TOKEN", value)
    else:
        memory_keyring.entries[TOKEN_ENTRY] = value
    with pytest.raises(CredentialError) as caught:
        access_token(new=False)
    message = str(caught.value)
    assert "shorter than 20 characters" in message and value not in message


def test_open_opens_the_token_address_in_the_browser(
    home: Path, served: list[ServeSettings], capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import webbrowser

    opened: list[tuple[str, str, int]] = []
    done = threading.Event()

    def record(url: str) -> bool:
        page = Path(url.removeprefix("file://"))
        opened.append((url, page.read_text(), page.stat().st_mode & 0o777))
        done.set()
        return True

    monkeypatch.setattr(webbrowser, "open", record)
    monkeypatch.setattr("cxdaily.cli.serve.LAUNCH_PAGE_S", 0.0)
    code, _, _ = run(capsys, "serve", "--host", "0.0.0.0", "--port", "9003", "--open")
    assert code == 0 and done.wait(5)
    ((url, page, mode),) = opened
    token_url = f"http://{socket.gethostname()}:9003/?token={served[0].token}"
    # the browser gets an owner-only page that goes on to the token address: the token is
    # never on the browser's command line, which every user of the machine can read
    assert url.startswith("file://") and served[0].token not in url
    assert f'content="0;url={token_url}"' in page and mode == 0o600


def test_the_served_apps_never_inherit_the_token_variable(
    home: Path, served: list[ServeSettings], capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXDAILY_SECRET_SERVE_TOKEN", "from-the-environment-0123456789")
    code, out, _ = run(capsys, "serve", "--host", "0.0.0.0")
    assert code == 0 and served[0].token == "from-the-environment-0123456789"
    assert "from-the-environment" not in out, "a token the leader set is never printed"
    assert "CXDAILY_SECRET_SERVE_TOKEN" not in os.environ


def test_an_app_knows_when_it_runs_in_a_browser_tab(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    assert not served_in_browser()
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")
    assert served_in_browser()


def test_no_safe_keyring_means_no_token_and_says_what_to_do() -> None:
    keyring.set_keyring(NullKeyring())  # the conftest puts its memory keyring back
    with pytest.raises(CredentialError) as caught:
        access_token(new=False)
    message = str(caught.value)
    assert "CXDAILY_SECRET_SERVE_TOKEN" in message and "loopback" in message
    assert "\n" not in message


def test_addresses_a_browser_can_open() -> None:
    assert address("127.0.0.1", 8765, None) == "http://127.0.0.1:8765/"
    assert address("::1", 8765, None) == "http://[::1]:8765/"
    assert address("0.0.0.0", 80, None) == f"http://{socket.gethostname()}:80/"
    assert address("0.0.0.0", 8765, "https://cx.example.com") == "https://cx.example.com/"


def test_the_app_command_runs_this_python_on_the_same_profile() -> None:
    assert shlex.split(app_command(False)) == [sys.executable, "-m", "cxdaily"]
    assert shlex.split(app_command(True)) == [sys.executable, "-m", "cxdaily", "--demo"]
