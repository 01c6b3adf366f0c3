"""The outbox's rules, as pure functions: when to retry, which failures may have reached
the service, and what must happen before a reply is sent again.

A reply is sent exactly once:

- it is recorded (``queued``) before any network call, and marked ``sending`` just
  before the request that posts it;
- it is marked ``sent`` only with the service's id for it;
- a reply whose last attempt may have reached the service (a timeout, a 5xx, a crash
  while ``sending``) has an *unknown outcome*. Where the service deduplicates by
  idempotency key it is simply sent again with the same key; elsewhere the thread is
  read first and the reply is marked sent if our own reply is there; a channel that can
  do neither holds the reply until the leader decides;
- failures are retried with exponential back-off and jitter (capped); a held reply is
  never retried automatically.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cxdaily.errors import AuthError, ConnectorError, CxDailyError, RateLimited
from cxdaily.models import Reply, ReplyState

BACKOFF_BASE_S = 30.0
BACKOFF_CAP_S = 3600.0
#: A reply queued longer ago than this (say, offline) is checked again for answers by
#: the team before it goes out.
RECHECK_AFTER = timedelta(minutes=5)
#: Statuses that mean the service refused the request (it did not post the reply).
_REFUSED = frozenset(range(400, 500)) - {408, 409}


def backoff_s(attempts: int, rand: float) -> float:
    """Seconds to wait after ``attempts`` failed attempts: 30 s doubling to 1 h, jittered.

    ``rand`` in [0, 1) spreads the delay over [50 %, 100 %] of the nominal value so that
    many waiting replies do not retry in lockstep.
    """
    nominal = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** max(attempts - 1, 0))
    return nominal * (0.5 + rand / 2)


def next_attempt(
    now: datetime,
    attempts: int,
    error: CxDailyError,
    rand: Callable[[], float] = random.random,
) -> datetime:
    """When to try again after a failure (a rate limit's wait is honoured)."""
    delay = backoff_s(attempts, rand())
    if isinstance(error, RateLimited):
        delay = max(delay, error.retry_after)
    return now + timedelta(seconds=delay)


def may_have_reached_service(error: BaseException) -> bool:
    """Whether a failed post may nonetheless have been applied by the service.

    Only answers that say the service refused the request (401/403, 429, other 4xx)
    and failures before any request count as not delivered; timeouts, dropped
    connections, 5xx and unreadable answers leave the outcome unknown. A 409 is
    unknown too: some services answer it to a duplicate of a reply they already have.
    """
    if isinstance(error, AuthError | RateLimited):
        return False
    status = getattr(error, "status", None)
    if isinstance(status, int) and status in _REFUSED:
        return False
    if not isinstance(error, ConnectorError):
        return False  # configuration and secrets fail before any request
    from cxdaily.connectors.http_errors import UnsafeURLError  # the HTTP layer, lazily

    return not isinstance(error, UnsafeURLError)


class Step(StrEnum):
    """What an attempt must do first."""

    SEND = "send"
    """Post the reply (first attempt, or a retry that is known not to have arrived)."""
    RESEND_SAME_KEY = "resend_same_key"
    """Post again with the same idempotency key: the service drops the duplicate."""
    LOOK_THEN_SEND = "look_then_send"
    """Read the thread for our own reply; post only if it is not there."""
    HOLD = "hold"
    """The outcome is unknown and cannot be checked: wait for the leader."""


@dataclass(frozen=True)
class Plan:
    """How the next attempt at a reply goes."""

    step: Step
    check_collision: bool
    """Look for answers by the team first (the last look is older than RECHECK_AFTER)."""


def plan_attempt(
    reply: Reply,
    *,
    now: datetime,
    idempotency_keys: bool,
    finds_own_replies: bool,
    force: bool,
) -> Plan:
    """Decide the next attempt for a stored reply (``sending`` in the store = unknown)."""
    unknown = reply.uncertain or reply.state is ReplyState.SENDING
    if not unknown:
        step = Step.SEND
    elif idempotency_keys:
        step = Step.RESEND_SAME_KEY
    elif finds_own_replies:
        step = Step.LOOK_THEN_SEND
    else:
        step = Step.SEND if force else Step.HOLD
    stale = reply.checked_at is None or now - reply.checked_at > RECHECK_AFTER
    check = not force and not unknown and stale
    return Plan(step=step, check_collision=check)


def is_due(reply: Reply, now: datetime) -> bool:
    """Whether an automatic retry may send this reply now."""
    if not reply.unsent or reply.hold:
        return False
    return reply.next_attempt_at is None or reply.next_attempt_at <= now


def unknown_outcome_hold(channel: str) -> str:
    """The hold reason for an unknown outcome that the channel cannot check."""
    return (
        f"the last attempt may have reached {channel}, which cannot be checked from here: "
        "look at the thread before sending it again"
    )


def collision_hold(who: str, said: str) -> str:
    """The hold reason when the team answered while the reply waited."""
    return f'{who} answered meanwhile: "{said}"'
