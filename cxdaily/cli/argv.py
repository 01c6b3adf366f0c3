"""The command line's words before any parser reads them: which command they name, values
that look like options, and arguments that are not text.

Nothing here loads :mod:`argparse`: the bare app (``cxdaily``, no argument) needs no
parser, and its launch does without one (see :func:`cxdaily.cli.parse_arguments`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

#: The exit code of a usage error (see :mod:`cxdaily.cli`).
EXIT_USAGE = 2


def command_word(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names (its first word that is not an option), if any."""
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word
    return None


VALUE_OPTIONS_READ_WHOLE = frozenset({"--budget"})
"""Options whose value may look like an option (``--budget -5m``): joined to it, so the
value's own check says what is wrong rather than argparse's "expected one argument"."""


def negative_values_joined(argv: list[str]) -> list[str]:
    """``argv`` with ``--budget -5m`` written as ``--budget=-5m``."""
    joined: list[str] = []
    words = iter(argv)
    for word in words:
        if word == "--":
            joined.append(word)
            joined.extend(words)
            break
        if word in VALUE_OPTIONS_READ_WHOLE:
            value = next(words, None)
            if value is not None and value[:2] in {f"-{d}" for d in "0123456789."}:
                joined.append(f"{word}={value}")
                continue
            joined.append(word)
            if value is not None:
                joined.append(value)
            continue
        joined.append(word)
    return joined


def undecodable_argument(argv: Sequence[str]) -> str | None:
    """Why an argument cannot be used (it is not UTF-8 text), or ``None`` when all can.

    Python hands a non-UTF-8 argument (``--text $'caf\\xe9'``) over as a string with
    escaped bytes that no file, keyring or service accepts: it is refused, shown with
    its bytes escaped, rather than stored in a garbled form or crashing later.
    """
    for word in argv:
        if any("\udc80" <= char <= "\udcff" for char in word):
            from cxdaily.core.safe_text import one_line

            shown = os.fsencode(word).decode("utf-8", "backslashreplace")
            return (
                f"the argument '{one_line(shown, 60)}' is not UTF-8 text; set the terminal "
                "or script to UTF-8 (for example LANG=C.UTF-8) and try again"
            )
    return None
