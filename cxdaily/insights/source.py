"""Reading what a digest needs from the store, and checking its filters.

:func:`collect_digest` reads the insights of the period and of the previous period of
the same length in one pass over the monthly files, the sessions (for the wrap-up
reflections) and the hand-offs, then hands everything to the pure
:func:`~cxdaily.insights.build.build_digest`. An unknown team or tag is a
:class:`~cxdaily.core.errors.NotFoundError` that lists the known ones.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from operator import attrgetter

import msgspec

from cxdaily.core.errors import NotFoundError
from cxdaily.core.models import Disposition, Insight, Question, Session
from cxdaily.insights import paused_gc
from cxdaily.insights.build import UNASSIGNED, Digest, HandoffSource, build_digest
from cxdaily.insights.model import tag_key
from cxdaily.insights.period import Clock, Period, resolve_period
from cxdaily.insights.redact import Redaction
from cxdaily.insights.taxonomy import known_list, normalize_name
from cxdaily.settings import Settings
from cxdaily.store import Store

_CREATED = attrgetter("created_at")
KNOWN_TAGS_WINDOW = timedelta(days=365)
"""Tags used this long before the end of the period count as known for ``--tag``."""


class DigestRequest(msgspec.Struct, frozen=True):
    """What the user asked for: the period expressions, the filters, the redaction."""

    since: str | None = None
    until: str | None = None
    team: str | None = None
    tag: str | None = None
    redaction: Redaction = msgspec.field(default_factory=Redaction)


def period_for(request: DigestRequest, settings: Settings, now: datetime) -> Period:
    """The request's period in the home time zone and day start of ``settings``."""
    session = settings.session
    clock = Clock(now=now, zone=session.zone, day_start=session.day_start)
    return resolve_period(request.since, request.until, clock)


def collect_digest(
    store: Store,
    settings: Settings,
    request: DigestRequest,
    now: datetime,
    lock: AbstractContextManager[object] | None = None,
) -> Digest:
    """Read the store (holding ``lock`` only while reading) and build the digest the
    request asks for."""
    with paused_gc():
        with lock or contextlib.nullcontext():
            period, inputs = _read(store, settings, request, now)
        return build_digest(
            inputs.current,
            period,
            now=now,
            previous=inputs.previous,
            sessions=inputs.sessions,
            handoffs=inputs.handoffs,
            team=inputs.team,
            tag=inputs.tag,
            areas=settings.taxonomy.areas,
            redaction=request.redaction,
        )


class _Inputs(msgspec.Struct, frozen=True):
    current: list[Insight]
    previous: list[Insight]
    sessions: list[Session]
    handoffs: list[HandoffSource]
    team: str | None
    tag: str | None


def _read(
    store: Store, settings: Settings, request: DigestRequest, now: datetime
) -> tuple[Period, _Inputs]:
    period = period_for(request, settings, now)
    earliest = min(period.previous.since, period.until - KNOWN_TAGS_WINDOW)
    loaded = store.insights.between(earliest, None if period.through_now else period.until)
    actions = [
        a
        for a in store.activity.actions(since=period.since)
        if a.disposition is Disposition.HANDED_OFF and period.contains(a.at)
    ]
    taxonomy = settings.taxonomy
    team = _check(
        request.team,
        "team",
        [
            *taxonomy.teams,
            *(i.team for i in loaded if i.team),
            *(a.team for a in actions if a.team),
            UNASSIGNED,
        ],
    )
    tags = [*taxonomy.vocabulary, *(t for i in loaded for t in i.tags)]
    tag = _check(request.tag, "tag", tags, same=tag_key)  # one tag however it is spelled
    earlier = period.previous
    return period, _Inputs(
        current=period.holding(loaded, _CREATED),
        previous=earlier.holding(loaded, _CREATED),
        sessions=[
            s for s in store.activity.sessions(period.since) if period.contains(s.started_at)
        ],
        handoffs=[HandoffSource(a, _question(store, a.question_id)) for a in actions],
        team=team,
        tag=tag,
    )


def _check(
    wanted: str | None, kind: str, known: list[str], same: Callable[[str], str] = str
) -> str | None:
    """The team or tag ``wanted`` as stored, when one of ``known`` is the ``same``
    (``None`` for none wanted), else a NotFoundError naming those known."""
    if wanted is None or not wanted.strip():
        return None
    name = normalize_name(wanted)
    known = list(dict.fromkeys(known))
    if same(name) not in {same(other) for other in known}:
        # a name of control characters only is nothing once cleaned: say what was given
        said = repr(name) if name else f"{ascii(wanted)[:60]} (only control characters)"
        raise NotFoundError(f"unknown {kind} {said} (known: {known_list(known)})")
    return name


def _question(store: Store, question_id: str) -> Question | None:
    try:
        return store.questions.get(question_id)
    except NotFoundError:
        return None
