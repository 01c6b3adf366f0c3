"""The app opens only on a terminal: from a script, a pipe or a cron job, one line says
to use the commands instead."""

from __future__ import annotations

import io
import sys

import pytest

from cxdaily.cli import app_terminal_problem, main


@pytest.mark.parametrize("not_a_terminal", ["stdin", "stdout"])
def test_the_app_does_not_open_without_a_terminal(home, capsys, monkeypatch, not_a_terminal):
    """From a script, a pipe or a cron job the app would wait for keys forever and draw
    escape codes into a file: one line says to use the commands, exit 1."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr(sys, "stdout", Terminal())
    monkeypatch.setattr(sys, not_a_terminal, io.StringIO())
    monkeypatch.setattr(
        "cxdaily.ui.app.CxDailyApp.run", lambda app: pytest.fail("the app must not start")
    )
    assert main(["demo"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("cxdaily: the app needs a terminal") and err.count("\n") == 1
    assert "cxdaily --help" in err
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")
    assert app_terminal_problem() is None  # a browser tab's session has its own driver
