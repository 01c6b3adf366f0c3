"""What the public channels (app stores, review sites, social networks, communities) share.

- :func:`public_capabilities`: a public channel whose connector reads the thread for its
  own replies, declared in one line; :func:`web_url_option`: where its public links point;
- :func:`json_object`: an answer's JSON object, or a one-line :class:`BadResponseError`;
- :func:`confirmed_reply`: a reply the service accepted without naming it, looked for in
  the thread before it is called an error;
- :func:`whole_count`: counts as the services give them, damaged values ignored (stored
  checkpoints are read by :mod:`cxdaily.connectors.parsing`).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from cxdaily.connectors.base import Capabilities, SentReply
from cxdaily.connectors.helpdesk import LOOKUP_FAILURES
from cxdaily.connectors.http import BadResponseError, HttpResult, describe_url
from cxdaily.connectors.options import Option
from cxdaily.connectors.parsing import MAX_FOLLOWERS
from cxdaily.core.models import Question
from cxdaily.core.safe_json import is_digits

if TYPE_CHECKING:
    from cxdaily.connectors.http_base import HttpConnector

MAX_COUNT_DIGITS = 13
"""Digits of the longest count read from text (:data:`MAX_FOLLOWERS` has 13)."""


def public_capabilities(**choices: bool) -> Capabilities:
    """The capabilities of a public channel whose connector finds its own replies (after an
    unknown outcome); ``choices`` sets the others (``threads=False``, ``one_reply=True``
    when a new reply replaces the earlier one, as a review's developer response does).
    The reply limit comes from the kind's service catalogue entry (see
    :func:`~cxdaily.connectors.base.take_catalogue_data`)."""
    return Capabilities(public=True, finds_own_replies=True, **choices)


def web_url_option(default: str, linked: str) -> Option:
    """The ``web_url`` option: the service's web address, where the links to ``linked``
    ("comments", "posts") point."""
    text = f"the service's web address, for the links to {linked}"
    return Option("web_url", "url", text, default=default)


def json_object(connector: HttpConnector, result: HttpResult, what: str) -> dict[str, Any]:
    """The JSON object of an answer; anything else is a one-line :class:`BadResponseError`
    saying the answer was not ``what`` ("a review", "a JSON:API document ...")."""
    data = connector.http.decode_json(result)
    if not isinstance(data, dict):
        raise BadResponseError(
            f"{result.method} {describe_url(result.url)} answered, but not with {what}",
            channel=connector.name,
        )
    return data


async def confirmed_reply(
    connector: HttpConnector,
    question: Question,
    body: str,
    idempotency_key: str,
    result: HttpResult,
    *,
    not_found: str,
) -> SentReply:
    """The reply the service accepted (``result``) without naming it: found in the thread
    by ``find_own_reply`` (a failed look is no failure), else a :class:`BadResponseError`
    ending in ``not_found`` ("it is not in the thread yet")."""
    with contextlib.suppress(*LOOKUP_FAILURES):
        found = await connector.find_own_reply(question, body, idempotency_key)
        if found is not None:
            return found
    raise BadResponseError(
        f"{result.method} {describe_url(result.url)} accepted the reply (HTTP {result.status}) "
        f"but named no id for it, and {not_found}",
        channel=connector.name,
    )


def whole_count(value: Any, limit: int = MAX_FOLLOWERS) -> int | None:
    """A count from 0 to ``limit`` a service gives as a number or as digits in a string
    (``"1200"``); ``None`` when it is missing or not a plausible count."""
    if (
        isinstance(value, str)
        and is_digits(value.strip())
        and len(value.strip()) <= MAX_COUNT_DIGITS
    ):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= limit else None
