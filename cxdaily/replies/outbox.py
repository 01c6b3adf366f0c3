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
  never retried automatically;
- a reply queued with an undo window (``send_after``) goes out only once the window has
  passed, unless the leader says "send now"; until its first attempt it can be pulled
  back (:func:`pull_back_refusal`), and a pulled-back reply is never sent;
- every failure of an attempt, whatever raised it (a connector bug, an answer nothing
  expected), ends the attempt as ``failed`` with a one-line reason
  (:func:`failure_of`); an answer without a usable id for the reply
  (:func:`checked_sent_reply`) is such a failure, with an unknown outcome.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

import msgspec

from cxdaily.core.errors import AuthError, ConnectorError, CxDailyError, RateLimited, ReplyRejected
from cxdaily.core.models import Reply, ReplyState
from cxdaily.core.safe_json import clean_surrogates
from cxdaily.core.safe_text import one_line

if TYPE_CHECKING:
    from cxdaily.connectors.base import SentReply

BACKOFF_BASE_S = 30.0
BACKOFF_CAP_S = 3600.0
#: The longest a rate limit can postpone a reply (a service's daily quota); a longer or
#: endless wait (``Retry-After: inf``) counts as this long.
RATE_LIMIT_CAP_S = 24 * 3600.0
#: A reply queued longer ago than this (say, offline) is checked again for answers by
#: the team before it goes out.
RECHECK_AFTER = timedelta(minutes=5)
#: Statuses that mean the service refused the request (it did not post the reply).
_REFUSED = frozenset(range(400, 500)) - {408, 409}
#: The longest id (or URL) of a sent reply that is kept; real ids have under 100 characters.
MAX_REMOTE_ID_CHARS = 1000


def backoff_s(attempts: int, rand: float) -> float:
    """Seconds to wait after ``attempts`` failed attempts: 30 s doubling to 1 h, jittered.

    ``rand`` in [0, 1) spreads the delay over [50 %, 100 %] of the nominal value so that
    many waiting replies do not retry in lockstep.
    """
    nominal = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** max(attempts - 1, 0))
    return nominal * (0.5 + rand / 2)


def _rate_limit_wait(value: object) -> float:
    """A rate limit's wait in seconds, from 0 to RATE_LIMIT_CAP_S (0 when not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    try:
        wait = float(value)
    except OverflowError:  # an integer beyond any float: endless
        wait = math.inf
    return 0.0 if math.isnan(wait) else min(max(wait, 0.0), RATE_LIMIT_CAP_S)


def next_attempt(
    now: datetime,
    attempts: int,
    error: CxDailyError,
    rand: Callable[[], float] = random.random,
) -> datetime:
    """When to try again after a failure (a rate limit's wait is honoured, up to a day;
    a wait that is not a number is ignored)."""
    delay = backoff_s(attempts, rand())
    if isinstance(error, RateLimited):
        delay = max(delay, _rate_limit_wait(error.retry_after))
    try:
        return now + timedelta(seconds=delay)
    except OverflowError:  # a clock at the end of time: retry whenever asked
        return now


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


def failure_of(error: BaseException, channel: str) -> CxDailyError:
    """The error recorded on a reply for a failed attempt.

    cxdaily's own errors are kept as they are; anything else (a connector bug, an answer
    no code expected) becomes a :class:`ConnectorError` that names it in one line. It
    counts as possibly delivered when it came after the post went out.
    """
    if isinstance(error, CxDailyError):
        return error
    detail = one_line(error, 200)
    said = f": {detail}" if detail else ""
    return ConnectorError(
        f"the attempt failed unexpectedly ({type(error).__name__}{said})", channel=channel
    )


def checked_sent_reply(
    sent: object, channel: str, what: str = "the answer to the post"
) -> SentReply:
    """A connector's record of a sent reply, once it is known to be usable.

    The id must be non-blank text of at most :data:`MAX_REMOTE_ID_CHARS` characters (lone
    surrogates are replaced so it can be stored); a URL that is not short text is dropped.
    Anything else raises a :class:`ConnectorError` naming ``what``, so the attempt fails
    with its reason instead of storing an unusable id.
    """
    from cxdaily.connectors.base import SentReply

    remote_id = getattr(sent, "remote_id", None)
    if not isinstance(remote_id, str) or not remote_id.strip():
        raise ConnectorError(f"{what} has no usable id for the reply", channel=channel)
    if len(remote_id) > MAX_REMOTE_ID_CHARS:
        raise ConnectorError(
            f"{what} gives the reply an id of {len(remote_id)} characters "
            f"(at most {MAX_REMOTE_ID_CHARS} are kept)",
            channel=channel,
        )
    url = getattr(sent, "url", None)
    if not isinstance(url, str) or len(url) > MAX_REMOTE_ID_CHARS:
        url = None
    return SentReply(
        remote_id=clean_surrogates(remote_id.strip()),
        url=clean_surrogates(url) if url else None,
    )


#: What a sent reply keeps of its earlier failed attempts: nothing.
_CLEARED_WHEN_SENT = {"error": None, "next_attempt_at": None, "uncertain": False, "hold": None}


def marked_sent(reply: Reply, sent: SentReply, now: datetime) -> Reply:
    """``reply`` as sent ``now``, with the service's id and link for it, and nothing left
    of earlier failures (their error, retry time, unknown outcome or hold)."""
    return reply.with_changes(
        state=ReplyState.SENT,
        remote_id=sent.remote_id,
        remote_url=sent.url,
        sent_at=now,
        updated_at=now,
        **_CLEARED_WHEN_SENT,
    )


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


class Plan(msgspec.Struct, frozen=True):
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
    """Whether an automatic retry may send this reply now (its undo window has passed,
    and the back-off after a failure too)."""
    if not reply.unsent or reply.hold or in_undo_window(reply, now):
        return False
    return reply.next_attempt_at is None or reply.next_attempt_at <= now


def in_undo_window(reply: Reply, now: datetime) -> bool:
    """Whether an unsent reply still waits for its undo window to pass (only the leader's
    "send now" sends it before then)."""
    return reply.unsent and reply.send_after is not None and now < reply.send_after


def undo_seconds_left(reply: Reply, now: datetime) -> float:
    """Seconds until the reply's undo window passes (0 when it has, or it has none)."""
    if not in_undo_window(reply, now) or reply.send_after is None:
        return 0.0
    return (reply.send_after - now).total_seconds()


def next_window_end(replies: Iterable[Reply], now: datetime) -> datetime | None:
    """When the first of ``replies`` still in its undo window may go out, or None."""
    ends = [r.send_after for r in replies if r.send_after is not None and in_undo_window(r, now)]
    return min(ends, default=None)


class TooLateToPullBack(ReplyRejected):
    """The reply cannot be pulled back: it is going out, went out, or was attempted."""


def pull_back_refusal(reply: Reply, in_flight: bool) -> str | None:
    """Why a reply can no longer be pulled back into the composer, or None when it can:
    only a reply whose sending never began (queued, never attempted, not being sent by a
    worker right now, ``in_flight``) comes back whole."""
    if reply.state is ReplyState.SENT:
        return f"reply {reply.id} was already sent; it cannot be pulled back"
    if reply.state is ReplyState.CANCELLED:
        return f"reply {reply.id} was already pulled back or cancelled"
    if in_flight:
        return f"reply {reply.id} is being sent right now; it cannot be pulled back"
    if reply.state is not ReplyState.QUEUED or reply.attempts > 0:
        return (
            f"sending reply {reply.id} already began; cancel it from the outbox "
            f"(cxdaily outbox cancel {reply.id}) and check the thread"
        )
    return None


def unknown_outcome_hold(channel: str) -> str:
    """The hold reason for an unknown outcome that the channel cannot check."""
    return (
        f"the last attempt may have reached {channel}, which cannot be checked from here: "
        "look at the thread before sending it again"
    )


def collision_hold(who: str, said: str) -> str:
    """The hold reason when the team answered while the reply waited."""
    return f'{who} answered meanwhile: "{said}"'
