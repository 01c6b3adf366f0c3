"""Helpers the command-line tests share: running ``main`` and reading its one-line errors."""

from __future__ import annotations

from cxdaily.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run ``main`` with ``argv``: the exit code (a usage error's too), stdout and stderr."""
    try:
        code = main(list(argv))
    except SystemExit as stop:  # a usage error
        code = stop.code if isinstance(stop.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    """The single stderr line, checked to be a cxdaily error without a traceback."""
    assert "Traceback" not in err, err
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    assert lines[0].startswith("cxdaily: "), err
    return lines[0]
