"""The company digest: every leader's insights and hand-offs, built like a leader's own.

The team's rows are read for the period (and the previous one, for the trends), turned
back into :class:`~cxdaily.core.models.Insight` records and hand-off sources, and given
to the same :func:`~cxdaily.insights.build.build_digest` with the same redaction. The
insight model has no leader field, so each record is attributed through its note
(:func:`attributed`): ``from Anna Berg`` or ``from Anna Berg: <the leader's note>``, which
every format already shows and redaction already covers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from msgspec.structs import replace

from cxdaily.core.errors import NotFoundError
from cxdaily.core.models import Action, Author, Disposition, Insight, Question
from cxdaily.core.record_fields import RecordError
from cxdaily.insights import paused_gc
from cxdaily.insights.build import UNASSIGNED, Digest, HandoffSource, build_digest
from cxdaily.insights.source import KNOWN_TAGS_WINDOW, DigestRequest, period_for
from cxdaily.insights.taxonomy import known_list, normalize_name
from cxdaily.settings import Settings
from cxdaily.team import database as db

if TYPE_CHECKING:
    import psycopg

Query = Callable[[Callable[["psycopg.Connection"], Any]], Any]
"""Runs a function on the team connection (:meth:`cxdaily.team.link.TeamLink.query`)."""


def attributed(note: str | None, member: str) -> str:
    """A note that names the leader it comes from."""
    note = (note or "").strip()
    return f"from {member}: {note}" if note else f"from {member}"


def team_insight(member: str, record: dict[str, Any]) -> Insight | None:
    """A team row as an insight attributed to its leader (``None`` when damaged)."""
    try:
        insight = Insight.from_dict(record)
    except (RecordError, KeyError, TypeError, ValueError):
        return None
    return replace(insight, note=attributed(insight.note, member))


def team_handoff(row: tuple[Any, ...]) -> HandoffSource:
    """A team hand-off row as the digest's hand-off source, attributed to its leader."""
    member, question_id, channel, name, handle, team, note, at, key = row
    action = Action(
        question_id=question_id,
        disposition=Disposition.HANDED_OFF,
        at=at,
        note=attributed(note, member),
        team=team,
    )
    kind, _, native_id = str(key).partition(":")
    question = Question(
        id=question_id,
        channel=channel,
        kind=kind,
        native_id=native_id or question_id,
        thread_id=native_id or question_id,
        url=None,
        author=Author(handle=handle, name=name),
        title=None,
        body="",
        created_at=at,
    )
    return HandoffSource(action, question)


def company_digest(
    query: Query, settings: Settings, request: DigestRequest, now: datetime
) -> Digest:
    """The company digest the request asks for, across every leader of the team."""
    period = period_for(request, settings, now)
    earliest = min(period.previous.since, period.until - KNOWN_TAGS_WINDOW)
    until = None if period.through_now else period.until

    wanted_team = normalize_name(request.team) if request.team and request.team.strip() else None

    def read(conn: psycopg.Connection) -> tuple[list[Any], list[Any]]:
        return (
            db.insights_between(conn, earliest, until, wanted_team),
            db.handoffs_between(conn, period.since, until),
        )

    with paused_gc():
        rows, handoff_rows = query(read)
        loaded = [i for i in (team_insight(m, r) for m, r in rows) if i is not None]
        handoffs = [team_handoff(row) for row in handoff_rows]
        taxonomy = settings.taxonomy
        teams = [*taxonomy.teams, *(i.team for i in loaded if i.team), UNASSIGNED]
        teams += [h.action.team for h in handoffs if h.action.team]
        team = _known(request.team, "team", teams)
        tag = _known(
            request.tag, "tag", [*taxonomy.vocabulary, *(t for i in loaded for t in i.tags)]
        )
        return build_digest(
            [i for i in loaded if period.contains(i.created_at)],
            period,
            now=now,
            previous=[i for i in loaded if period.previous.contains(i.created_at)],
            handoffs=handoffs,
            team=team,
            tag=tag,
            areas=taxonomy.areas,
            redaction=request.redaction,
        )


def _known(wanted: str | None, what: str, names: list[str]) -> str | None:
    """The filter as stored, or NotFoundError listing the team's known names."""
    if wanted is None or not wanted.strip():
        return None
    name = normalize_name(wanted)
    if name not in names:
        raise NotFoundError(f"unknown {what} {name!r} in the team (known: {known_list(names)})")
    return name
