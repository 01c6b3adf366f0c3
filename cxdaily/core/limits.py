"""Every size limit on what a user hands the command line, in one place.

Each text a command stores or sends is capped, so a runaway script or a file like
``/dev/urandom`` gives a one-line error instead of filling memory or the data folder.
The numbers are generous for real use; the README's "Limits" list quotes them.

- a tag (``--tag``) and a team (``--team``): :data:`MAX_TAG_CHARS` characters each, at
  most :data:`MAX_TAGS` tags per insight;
- an insight's ``--summary``: :data:`MAX_SUMMARY_CHARS`; its ``--quote`` and ``--note``:
  :data:`MAX_QUOTE_CHARS` and :data:`MAX_NOTE_CHARS`;
- a question id or channel name given as an argument: :data:`MAX_ID_CHARS`;
- a period expression (``--since``/``--until``): :data:`MAX_PERIOD_CHARS`;
- a channel option given to ``channels add`` (``key=value``): :data:`MAX_OPTION_CHARS`;
- a reply (``reply --text`` or ``--file``): :data:`MAX_REPLY_CHARS` characters, read from
  at most :data:`MAX_REPLY_FILE_BYTES` bytes of a regular file.
"""

from __future__ import annotations

MAX_TAG_CHARS = 100
"""Longest tag or team name (taxonomy names are a few words)."""
MAX_TAGS = 20
"""Most tags one insight carries."""
MAX_SUMMARY_CHARS = 2_000
"""Longest insight summary (a few sentences)."""
MAX_QUOTE_CHARS = 10_000
"""Longest quote of a customer (a long message)."""
MAX_NOTE_CHARS = 10_000
"""Longest note on an insight or a hand-off."""
MAX_ID_CHARS = 500
"""Longest question id, reply id or channel name accepted as an argument."""
MAX_PERIOD_CHARS = 100
"""Longest period expression such as ``last monday`` or ``2026-01-01``."""
MAX_OPTION_CHARS = 4_000
"""Longest ``key=value`` channel option (a long URL template fits)."""
MAX_REPLY_CHARS = 64 * 1024
"""Longest reply text: above the longest reply any supported service accepts (~64k)."""
MAX_REPLY_FILE_BYTES = 4 * MAX_REPLY_CHARS
"""Most bytes read from ``reply --file`` (every character fits in 4 UTF-8 bytes)."""


def length_problem(text: str, limit: int, what: str) -> str | None:
    """Why ``text`` is too long to be ``what`` (one line), or ``None`` when it fits."""
    if len(text) <= limit:
        return None
    return f"{what} is {len(text):,} characters long; the limit is {limit:,}"
