"""Where a question comes from, as curation counts it: its source and its segment.

A *source* is what the leader thinks of as a channel: the configured channel, or, for a
channel that gathers several services (the demo inbox, an ``http`` bridge), the
service named in ``meta["service"]``. The diversity cap and the coverage signal work on
sources. A *segment* is the family of the source: help desk, social, community, email
or reviews.

Connectors tell whether the team already answered a question on the source system
through ``meta``: ``answered`` (or ``team_answered``) set to ``true``, or a ``status``
that means the ball is in the customer's court (``solved``, ``closed``, ``pending`` ...).
A connector that cannot tell sets nothing, and the question stays a candidate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cxdaily.core.models import Question
from cxdaily.core.services import SERVICE_NAMES
from cxdaily.curation.lexicon import SEGMENTS

if TYPE_CHECKING:  # candidates are read with the routes of this module
    from cxdaily.curation.candidates import Candidate

#: Ticket statuses meaning the team has already answered (help desks' own words).
ANSWERED_STATUSES = frozenset({"solved", "closed", "resolved", "answered", "pending", "replied"})

_ANSWER_KEYS = frozenset({"answered", "team_answered", "status"})


def source_of(question: Question) -> str:
    """The source key: ``meta["service"]`` when the channel names one, else the channel."""
    service = question.meta.get("service")
    if isinstance(service, str) and service:
        return service
    return question.channel


def route(meta: Mapping[str, Any], channel: str, kind: str) -> tuple[str, str]:
    """The source and segment of a question from its ``meta``, channel and kind."""
    service = meta.get("service")
    if isinstance(service, str) and service:
        return service, SEGMENTS.get(service) or SEGMENTS.get(kind, "other")
    return channel, SEGMENTS.get(kind, "other")


def source_name(source: str) -> str:
    """A source as the leader reads it in a sentence: ``discourse`` -> ``Discourse``,
    ``email`` -> ``email`` (a common noun, not a brand)."""
    name = SERVICE_NAMES.get(source, source)
    return "email" if name == "Email" else name


def segment_of(question: Question) -> str:
    """The customer segment of a question's source: help desk, social, community ..."""
    service = question.meta.get("service")
    if isinstance(service, str) and service in SEGMENTS:
        return SEGMENTS[service]
    return SEGMENTS.get(question.kind, "other")


def team_answered(question: Question | Candidate) -> bool:
    """Whether the connector says the team already answered on the source system."""
    meta = question.meta
    if not meta or _ANSWER_KEYS.isdisjoint(meta):
        return False
    if meta.get("answered") is True or meta.get("team_answered") is True:
        return True
    status = meta.get("status")
    return isinstance(status, str) and status.strip().lower() in ANSWERED_STATUSES
