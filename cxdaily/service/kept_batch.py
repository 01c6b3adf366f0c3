"""The day's batch as last curated, kept so that the next launch shows it at once.

Curating a few thousand candidates takes a noticeable part of a second, and the start
screen's first frame waits for a batch. Each time the app's refresh curates the batch,
it is kept in ``kept-batch.json`` in the data folder, a derived file
(:mod:`cxdaily.store.derived`). ``cxdaily fetch``, and the app as it closes when the
store changed, keep it together with the next day's batch as curated when that day
begins: tomorrow's first launch finds it even without a fetch in between. Each is
kept as the start screen shows it: the picks, the must-see questions left out, the first
few others, and how many more were left out for each reason. A launch shows the batch
kept for its day when nothing it was curated from has changed since, and curates again
in the background after its fetch, as it does on every launch: the fresh batch then
takes its place.

The file is keyed by what the batches depend on besides their day and the clock: the
budget, the curation and session settings, the code that curates, the size and
modification time of the questions' file and of the monthly files of actions and
sessions curation reads (the months of its window), and the names of the older months'
files (years of them cost a launch nothing). Any fetch, action, session or setting made
since, by this process or another, changes the key, and the batch is curated again; a
batch of another day is never shown.
A tag or a reply from the command line is the exception: it keeps today's batch, when
current, without its question (:meth:`~cxdaily.service.daily.Daily.batch_kept_through`).
Within the day only the clock moves: ages and snoozes are those of the last curation
(for the next day's, of that day's start) until the fresh batch comes, a second or two
later.

Not kept in team mode: whether another leader answered a question comes from the team's
link, not from files. Reading the file never fails (a missing, damaged or stale one is
curated again); writing it never fails either (a read-only folder or a full disk leaves
it as it was).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec

from cxdaily.core.files import fingerprint
from cxdaily.curation.batch import Batch, batch_document, batch_from_json
from cxdaily.service.context import ServiceContext
from cxdaily.store.derived import read_derived, write_derived
from cxdaily.store.monthly import month_of

#: The derived file in the data folder that keeps the last batch curated after a fetch.
KEPT_BATCH_FILE = "kept-batch.json"
#: The left-out questions kept besides the must-see ones (the start screen lists five);
#: the others are kept as counts by reason (see :meth:`Batch.shortened`).
LISTED_LEFT_OUT = 10


class _KeptDays(msgspec.Struct):
    """The file's body: the batch of each day (by the ISO time the day starts), left as
    JSON until the day is asked for."""

    days: list[tuple[str, msgspec.Raw]]


_CURATING_CODE = ("curation", "core", "service/daily.py", "service/kept_batch.py")
"""The code a batch comes from, relative to the package: every module of these folders."""


@lru_cache(maxsize=1)
def _curating_code() -> tuple[tuple[int, int, int], ...] | None:
    """The identity of the code that curates, as this process loaded it (see
    :func:`code_identity`)."""
    return code_identity(Path(__file__).parents[1], _CURATING_CODE)


def code_identity(package: Path, names: tuple[str, ...]) -> tuple[tuple[int, int, int], ...] | None:
    """The identity (size, modification time, inode) of every source named in ``names``
    under ``package`` (a folder: each of its modules): any change to one changes it
    (``None`` when a source cannot be found). Read from the files' metadata, not their
    bytes: reading the 40 sources of curation cost every launch half a millisecond."""
    sources: list[Path] = []
    for name in names:
        path = package / name
        sources.extend(sorted(path.glob("*.py")) if path.is_dir() else [path])
    identities = [_identity(source) for source in sources]
    if not sources or None in identities:
        return None
    return tuple(identity for identity in identities if identity is not None)


class KeptBatch:
    """Keeps today's batch curated after a fetch, and hands it back while still current."""

    def __init__(
        self, context: ServiceContext, window_start: Callable[[datetime], datetime]
    ) -> None:
        """``window_start``: the oldest moment curation reads the leader's actions from,
        at a given moment (:meth:`~cxdaily.service.daily.Daily.window_start`)."""
        self._context = context
        self._window_start = window_start

    def read(self, day_start: datetime, budget_s: int) -> Batch | None:
        """The batch kept for the day starting at ``day_start``, when it was curated for
        ``budget_s`` from the store as it is now, under the current settings and code;
        ``None`` otherwise (or when the file is missing or damaged)."""
        document = (self._current_days(budget_s) or {}).get(day_start.isoformat())
        try:
            return None if document is None else batch_from_json(document)
        except ValueError:
            return None  # written by hand, or by a build that wrote another shape

    def holds(self, day_start: datetime, budget_s: int) -> bool:
        """Whether a batch is kept for the day starting at ``day_start``, curated for
        ``budget_s`` from the store as it is now (under the current settings and code)."""
        return day_start.isoformat() in (self._current_days(budget_s) or {})

    def _current_days(self, budget_s: int) -> dict[str, msgspec.Raw] | None:
        """The documents of the batches kept (by the ISO time their day starts), each
        still JSON (only the day asked for is decoded), when they were curated under the
        key of ``budget_s`` as things are now; ``None`` otherwise, or when the file is
        missing, damaged or of another shape."""
        key = self.key(budget_s)
        folder = self._context.store.folder
        found = read_derived(folder, KEPT_BATCH_FILE, _KeptDays) if key else None
        if found is None or found[0] != key:
            return None
        return dict(found[1].days)

    def write(self, batches: Mapping[datetime, Batch], key: str) -> bool:
        """Keep the batch of each day (by the instant it starts), curated under ``key``
        (see :meth:`key`), as the start screen shows it (:meth:`Batch.shortened`);
        returns whether they were written (never in a folder opened read-only, nor on a
        full disk)."""
        days = [
            [day.isoformat(), batch_document(batch.shortened(LISTED_LEFT_OUT))]
            for day, batch in batches.items()
        ]
        return write_derived(self._context.store.folder, KEPT_BATCH_FILE, key, {"days": days})

    def key(self, budget_s: int) -> str | None:
        """What a batch for ``budget_s`` depends on besides its day and the clock, as
        things are now (call it holding the store's lock, with the curation's reads);
        ``None`` when no batch can be kept (team mode, unknown code or files)."""
        context = self._context
        settings = context.settings
        if settings.team is not None:
            return None
        code = _curating_code()
        now = context.now()
        # the months curation reads actions and their sessions from (a session began at
        # most a day before its first action): older months only count by their names
        first = month_of(self._window_start(now) - timedelta(days=1))
        activity = context.store.activity.files_until(month_of(now), first)
        questions = _identity(context.store.questions.path)
        if code is None or activity is None:
            return None
        curation, session = _canonical(settings.curation), _canonical(settings.session)
        return fingerprint((code, budget_s, curation, session, questions, activity))


def _identity(path: Path) -> tuple[int, int, int] | None:
    """The size, modification time (ns) and inode of a file (``None``: not there)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns, info.st_ino


def _canonical(value: Any) -> str:
    """The settings ``value`` as text that is the same in every process: a set's order
    follows the process's hash seed, so its members are sorted."""
    if isinstance(value, msgspec.Struct):
        fields = (f"{name}={_canonical(getattr(value, name))}" for name in value.__struct_fields__)
        return f"{type(value).__name__}({', '.join(fields)})"
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(_canonical(member) for member in value)) + "}"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_canonical(member) for member in value) + ")"
    if isinstance(value, dict):
        pairs = sorted(f"{_canonical(k)}: {_canonical(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    return repr(value)
