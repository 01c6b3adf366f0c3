"""Insight digests for product teams: a period's insights grouped by team and tag, with
counts against the previous period, the sentiment mix, the leader's reflections and the
hand-offs, rendered as Markdown, HTML, CSV, JSON or feedback-tool notes.

- :mod:`~cxdaily.insights.period` turns ``7d``, ``last monday``, ``this month`` or a date
  into instants, in the home time zone;
- :mod:`~cxdaily.insights.source` reads the store; :mod:`~cxdaily.insights.build` is pure
  data; :mod:`~cxdaily.insights.redact` masks personal data before anything is rendered;
- :mod:`~cxdaily.insights.formats` is the registry of export formats; ``render_*`` turn
  a :class:`~cxdaily.insights.build.Digest` into text; :mod:`~cxdaily.insights.output`
  writes it atomically.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

from cxdaily.insights.formats import DIGEST_FORMATS

FORMATS = tuple(DIGEST_FORMATS)
"""Every export format, as ``--format`` spells it (from :mod:`.formats`)."""

#: The ``--since``/``--until`` forms :mod:`~cxdaily.insights.period` reads (for help texts).
FORMS = (
    "a date (2026-11-21), a month (2026-11), 7d, 12h, 2w, 3mo, today, yesterday, "
    "monday, last monday, this week, last week, this month, last month, this year"
)
EXTENSIONS = {name: fmt.extension for name, fmt in DIGEST_FORMATS.items()}
"""The file extension of each format (from :mod:`.formats`)."""


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk job.

    A year of insights means hundreds of thousands of short-lived containers; the
    collector would otherwise scan them over and over (measured: a third of a digest's
    time). Nothing in a digest creates reference cycles, and the collector runs again
    as soon as the job ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
