"""The ``app_store`` channel: customer reviews of one app on the App Store, answered with
the developer response (App Store Connect API).

Config::

    [channels.ios]
    kind = "app_store"
    app_id = "1234567890"                                   # the app's Apple ID
    issuer_id = "57246542-96fe-1a63-e053-0824d011072a"      # Users and Access -> Integrations
    key_id = "2X9R4HXF34"                                   # the team API key's id
    since_days = 14                                         # optional: the first fetch's reach
    base_url = "https://api.appstoreconnect.apple.com"      # optional

The secret (``cxdaily login NAME``) is the API key's private key, the ``AuthKey_*.p8``
file. A secret is one line, so it is stored base64-encoded (``base64 -w0 AuthKey_X.p8``)
or as the file's text with its line breaks written ``\\n`` (see
:func:`~cxdaily.connectors.app_store_parse.pem_private_key`). The connector signs its own
ES256 token with it (PyJWT): header ``kid`` = ``key_id``, claims ``iss`` = ``issuer_id``,
``aud`` = ``appstoreconnect-v1``, valid 19 minutes (Apple accepts at most 20), reused
until two minutes before it expires and minted again once when Apple refuses it.

Fetching: ``GET /v1/apps/{app_id}/customerReviews?sort=-createdDate&limit=200&include=response``,
newest first, page by page (``links.next``) until a review no newer than the checkpoint
(App Store Connect has no "since" filter; a first fetch stops at reviews older than
``since_days``, that cutoff being its checkpoint), at most :data:`MAX_PAGES` pages a fetch.
A walk cut short goes on from its stored page at the next fetch, after reading the top of
the list down to the newest review it read (so a review written meanwhile is not held
back). A review with words is a question (``rating`` 1-5 and
``territory`` in ``meta``, the reviewer's nickname as author); one that has a developer
response is returned as settled, also when it is older than the checkpoint and on a page
read anyway. Reviews have no public link: ``url`` stays empty.

Replying: ``POST /v1/customerReviewResponses``, which Apple documents as "create or
update": a review keeps one response and posting again overwrites it, so a second reply
replaces the first and a retry after an unknown outcome is harmless. Should the service
answer 409 (a response exists and is not replaced), the current one is read: ours is
kept, another is deleted (``DELETE /v1/customerReviewResponses/{id}``) and ours posted.
The response's id is the reply's id; it shows on the App Store once its ``state`` turns
from ``PENDING_PUBLISH`` to ``PUBLISHED``.

Rate limits: answers carry ``X-Rate-Limit: user-hour-lim:3500;user-hour-rem:N;`` (a rolling
hour per key) and a 429 gives no wait. A 429 with ``user-hour-rem:0`` fails at once with
:class:`~cxdaily.core.errors.RateLimited` asking for an hour (no reset time is given);
another 429 (Apple's short-term limits) is retried by reads after a short back-off.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any, Unpack
from urllib.parse import quote

import httpx
import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from msgspec.structs import replace

from cxdaily.connectors.app_store_parse import (
    MAX_TRACKED,
    RESPONSE_TYPE,
    REVIEW_TYPE,
    Found,
    Mark,
    ReviewResponse,
    hour_requests_left,
    included_responses,
    next_link,
    page_items,
    parse_response,
    parse_review,
    pem_private_key,
    read_checkpoint,
    review_question,
    seen_before,
)
from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.html_text import same_text
from cxdaily.connectors.http import (
    BadResponseError,
    HttpResult,
    RequestOptions,
    StatusError,
    describe_url,
)
from cxdaily.connectors.http_base import HttpConnector
from cxdaily.connectors.http_client import allowing
from cxdaily.connectors.options import HTTP_OPTIONS, Option, since_days
from cxdaily.connectors.pagination import PageTrail, pages_allowed
from cxdaily.connectors.parsing import QuestionShapeError
from cxdaily.connectors.public_channel import json_object, public_capabilities
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.core.clock import to_iso
from cxdaily.core.errors import CredentialError, RateLimited
from cxdaily.core.models import Author, Message, Question
from cxdaily.core.safe_json import is_digits
from cxdaily.core.safe_text import one_line

PAGE_SIZE = 200
"""Reviews per page (the API's maximum ``limit``)."""
MAX_PAGES = 10
"""Pages read in one fetch (2,000 reviews), the top of the list included while a walk cut
short goes on; a longer walk goes on at the next fetch."""
AUDIENCE = "appstoreconnect-v1"
TOKEN_LIFETIME = timedelta(minutes=19)
"""How long a signed token is valid (App Store Connect refuses more than 20 minutes)."""
TOKEN_MARGIN = timedelta(minutes=2)
"""A token is signed again this long before it expires."""
HOUR_S = 3600.0
"""The wait once the hourly allowance is used up: the hour is rolling and Apple gives no
reset time, so the whole hour is the safe figure."""
LIST_PARAMS: dict[str, Any] = {"sort": "-createdDate", "limit": PAGE_SIZE, "include": "response"}
DEVELOPER = Author(name="the developer response")


def _digits(value: str) -> str | None:
    return None if is_digits(value) else "must be the app's Apple ID, digits only"


def _plain(value: str) -> str | None:
    if not value or any(c.isspace() or c in "/?#%\\\"'" for c in value) or not value.isprintable():
        return "must be one id as App Store Connect shows it (no spaces, slashes or quotes)"
    return None


def link_tail(named: str, base_url: str) -> str | None:
    """A next-page link as a path and query below ``base_url`` (its host is never used:
    the token goes to ``base_url`` only); ``None`` when it is not a link."""
    try:
        target = httpx.URL(base_url.rstrip("/") + "/").join(named)
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    raw = target.raw_path.decode("ascii", "replace")
    prefix = httpx.URL(base_url).path.rstrip("/")
    if prefix and raw.startswith(prefix + "/"):
        raw = raw[len(prefix) :]
    return raw if raw.startswith("/") else None


class AppStoreConnector(HttpConnector):
    """Customer reviews of one app; answered with the review's one developer response."""

    kind = "app_store"
    capabilities = public_capabilities(threads=False, one_reply=True)
    declared_options = HTTP_OPTIONS.extended(
        Option("app_id", "text", "the app whose reviews are fetched (its Apple ID, digits)",
               required=True, check=_digits),
        Option("issuer_id", "text", "the issuer id of the team's API keys (Users and Access "
               "-> Integrations)", required=True, check=_plain),
        Option("key_id", "text", "the id of the API key whose private key is the secret",
               required=True, check=_plain),
        since_days(14, maximum=3650, of="reviews"),
    )  # fmt: skip

    def configure(self) -> None:
        """The app and the API key's ids from the options; no request is made."""
        super().configure()
        self.app_id: str = self.option("app_id")
        self.issuer_id: str = self.option("issuer_id")
        self.key_id: str = self.option("key_id")
        self._token: str | None = None
        self._token_until: datetime | None = None
        self._sent: set[str] = set()
        """Ids of responses this connector posted (not someone else's answer)."""

    # -- auth -------------------------------------------------------------------------
    async def _signing_key(self) -> ec.EllipticCurvePrivateKey:
        refused = CredentialError(
            f"{self.name}: the private key is not a readable App Store Connect .p8 key; store "
            f"the AuthKey file base64-encoded (base64 -w0 AuthKey_{self.key_id}.p8) with "
            f"`cxdaily login {self.name}`"
        )
        pem = pem_private_key(await self.read_secret())
        if pem is None:
            raise refused
        self.scrubber.add(pem)
        try:
            key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise refused from None
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise refused
        return key

    async def bearer_token(self, *, fresh: bool = False) -> str:
        """A signed ES256 token (reused until shortly before it expires)."""
        now = self.now()
        if not fresh and self._token and self._token_until and now < self._token_until:
            return self._token
        key = await self._signing_key()
        issued = int(now.timestamp())
        claims = {
            "iss": self.issuer_id,
            "iat": issued,
            "exp": issued + int(TOKEN_LIFETIME.total_seconds()),
            "aud": AUDIENCE,
        }
        try:
            token = jwt.encode(
                claims, key, algorithm="ES256", headers={"kid": self.key_id, "typ": "JWT"}
            )
        except (jwt.PyJWTError, ValueError, TypeError):
            raise CredentialError(
                f"{self.name}: the private key cannot sign an ES256 token"
            ) from None
        self.scrubber.add(token)
        self._token, self._token_until = token, now + TOKEN_LIFETIME - TOKEN_MARGIN
        return token

    def throttle_wait(self, result: HttpResult, now_epoch: float) -> float | None:
        """A 429 whose ``X-Rate-Limit`` says ``user-hour-rem:0``: the API key's hourly
        allowance is used up, and :class:`RateLimited` asks for an hour at once (Apple
        gives no reset time). Any other 429 (a short-term limit, or no readable header)
        is left to the HTTP layer: a read waits its short back-off, a write is not sent
        again."""
        if hour_requests_left(result.headers.get("x-rate-limit")) != 0:
            return None
        where = f"{result.method} {describe_url(result.url)}"
        raise RateLimited(
            f"rate-limited by {where} (HTTP 429): the API key's hourly request allowance "
            "is used up (X-Rate-Limit user-hour-rem:0); App Store Connect gives no reset "
            "time, so the channel waits an hour",
            retry_after=HOUR_S,
            channel=self.name,
        )

    async def _call(
        self,
        method: str,
        path: str,
        **options: Unpack[RequestOptions],
    ) -> HttpResult:
        """One request with the signed token; a refused token is signed again once (an
        expired token is refused with 401, and a refused request did nothing)."""
        url = self.endpoint(path)
        options["repeatable"] = method in ("GET", "DELETE")
        token = await self.bearer_token()
        first = allowing(options, 401)
        result = await self.http.request(method, url, headers=self.bearer(token), **first)
        if result.status != 401:
            return result
        token = await self.bearer_token(fresh=True)
        return await self.http.request(method, url, headers=self.bearer(token), **options)

    def _document(self, result: HttpResult) -> dict[str, Any]:
        return json_object(self, result, "a JSON:API document (an object with data)")

    def _reviews_path(self) -> str:
        return f"/v1/apps/{quote(self.app_id, safe='')}/customerReviews"

    # -- fetching ---------------------------------------------------------------------
    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Reviews new since the checkpoint, as questions; answered ones as settled."""
        mark = read_checkpoint(checkpoint)
        if mark.since is None:  # a first fetch: its since_days cutoff is the checkpoint
            cutoff = self.now() - timedelta(days=self.option("since_days"))
            mark = replace(mark, since=cutoff, at=frozenset())
        found = Found(mark.newest, set(mark.newest_at))
        skipped = SkippedItems()
        pages, resume = 0, mark.resume
        if resume is not None:  # first the top, down to the newest review the walk read
            pages, top_left = await self._walk(found, skipped, None, mark.newest,
                                               mark.newest_at, MAX_PAGES)  # fmt: skip
            if top_left is not None:  # more new reviews than a fetch reads: the old walk
                found.newest, found.newest_at = mark.newest, set(mark.newest_at)  # waits
                return self._result(found, skipped, self._checkpoint(mark, found, resume))
        left = resume
        if pages < MAX_PAGES:
            _, left = await self._walk(found, skipped, resume, mark.since, mark.at,
                                       MAX_PAGES - pages)  # fmt: skip
        else:
            self.http.note(f"stopped after {MAX_PAGES} pages; the rest comes with the next fetch")
        return self._result(found, skipped, self._checkpoint(mark, found, left))

    async def _walk(
        self,
        found: Found,
        skipped: SkippedItems,
        start: str | None,
        since: datetime | None,
        at: frozenset[str],
        max_pages: int,
    ) -> tuple[int, str | None]:
        """Pages of reviews, newest first from ``start`` (a stored next page; ``None``: the
        top), until one read before (see :func:`seen_before`), the last page or
        ``max_pages``. Returns the pages read and the page to go on from (``None``: done)."""
        assert self.base_url is not None
        path: str | None = start or self._reviews_path()
        params: dict[str, Any] | None = None if start else LIST_PARAMS
        trail = PageTrail(self.http, "pages of reviews", start)
        page = 0
        for page in pages_allowed(self.http, max_pages):
            assert path is not None
            try:
                result = await self._call("GET", path, params=params)
            except StatusError as exc:
                if not (page == 1 and start and exc.status in (400, 404, 410)):
                    raise
                self.http.note("the stored next page was refused: read again from the newest")
                path, params = self._reviews_path(), LIST_PARAMS
                result = await self._call("GET", path, params=params)
            document = self._document(result)
            items = page_items(document)
            if items is None:
                raise BadResponseError(
                    f"GET {describe_url(result.url)} answered, but not with a page of reviews "
                    "(an object with a data list)",
                    channel=self.name,
                )
            responses = included_responses(document)
            reached = False
            for number, item in enumerate(items, 1):
                try:
                    review = parse_review(item, responses, f"page {page}, review {number}")
                except QuestionShapeError as exc:
                    skipped.add(str(exc))
                    continue
                if review is None:
                    continue
                seen = seen_before(review, since, at)
                reached = reached or seen
                question = review_question(review, channel=self.name, kind=self.kind)
                found.take(review, question, seen=seen)
            following = next_link(document)
            path, params = (link_tail(following, self.base_url) if following else None), None
            if following and path is None:
                raise BadResponseError(
                    f"GET {describe_url(result.url)}: the next page it names is not a link",
                    channel=self.name,
                )
            if reached or path is None or trail.loops(path):
                return page, None
        return page, path

    @staticmethod
    def _result(found: Found, skipped: SkippedItems, checkpoint: dict[str, Any]) -> FetchResult:
        """The fetch's answer from what its walks found."""
        return FetchResult(
            questions=list(found.questions.values()),
            settled=list(found.settled.values()),
            warnings=skipped.lines(),
            checkpoint=checkpoint,
        )

    @staticmethod
    def _checkpoint(mark: Mark, found: Found, resume: str | None) -> dict[str, Any]:
        """Where the next fetch starts: the newest review seen once the walk reached the
        checkpoint (or the end); otherwise the old one and the page to go on from."""
        newest, newest_at = found.newest, found.newest_at
        if resume is None:
            since, at = mark.since, set(mark.at)
            if newest is not None and (since is None or newest > since):
                since, at = newest, newest_at
            elif newest is not None and newest == since:
                at |= newest_at
            return {
                "since": to_iso(since) if since else None,
                "at": sorted(at)[:MAX_TRACKED],
            }
        return {
            "since": to_iso(mark.since) if mark.since else None,
            "at": sorted(mark.at)[:MAX_TRACKED],
            "newest": to_iso(newest) if newest else None,
            "newest_at": sorted(newest_at)[:MAX_TRACKED],
            "resume": resume,
        }

    # -- the review's response ----------------------------------------------------------
    async def current_response(self, review_id: str) -> ReviewResponse | None:
        """The review's developer response as it is now (``None``: it has none)."""
        path = f"/v1/customerReviews/{quote(review_id, safe='')}/response"
        result = await self._call("GET", path, allow_statuses=frozenset({404}))
        if result.status == 404:
            return None
        data = self._document(result).get("data")
        if data is None:
            return None
        try:
            return parse_response(data, "data")
        except QuestionShapeError as exc:
            raise BadResponseError(
                f"GET {describe_url(result.url)} answered with a response that cannot be "
                f"read ({exc})",
                channel=self.name,
            ) from None

    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """Create the review's developer response, or replace the one it has."""
        review_id = question.thread_id or question.native_id
        payload = {
            "data": {
                "type": RESPONSE_TYPE,
                "attributes": {"responseBody": body},
                "relationships": {"review": {"data": {"type": REVIEW_TYPE, "id": review_id}}},
            }
        }
        path = "/v1/customerReviewResponses"
        result = await self._call("POST", path, json_body=payload, allow_statuses=frozenset({409}))
        if result.status == 409:  # a response exists and was not overwritten
            existing = await self.current_response(review_id)
            if existing is not None and same_text(existing.body, body):
                return self._sent_reply(existing)
            if existing is not None:
                await self._call(
                    "DELETE",
                    f"{path}/{quote(existing.id, safe='')}",
                    allow_statuses=frozenset({404}),
                )
            result = await self._call("POST", path, json_body=payload)
        response: ReviewResponse | None = None
        with contextlib.suppress(BadResponseError, QuestionShapeError):
            response = parse_response(self._document(result).get("data"), "data")
        if response is None:  # accepted without a readable answer: read the review's
            response = await self.current_response(review_id)
            if response is None or not same_text(response.body, body):
                raise BadResponseError(
                    f"POST {describe_url(result.url)} accepted the response (HTTP "
                    f"{result.status}) but named no id for it, and the review does not show it",
                    channel=self.name,
                )
        return self._sent_reply(response)

    def _sent_reply(self, response: ReviewResponse) -> SentReply:
        self._sent.add(response.id)
        return SentReply(remote_id=response.id)

    async def find_own_reply(
        self, question: Question, body: str, idempotency_key: str
    ) -> SentReply | None:
        """The review's response, when it says what we sent (after an unknown outcome)."""
        response = await self.current_response(question.thread_id or question.native_id)
        if response is None or not same_text(response.body, body):
            return None
        return self._sent_reply(response)

    async def answers_since(self, question: Question, since: datetime) -> list[Message]:
        """The review's response when someone else wrote or changed it after ``since``."""
        response = await self.current_response(question.thread_id or question.native_id)
        if response is None or response.id in self._sent:
            return []
        if response.modified_at is not None and response.modified_at <= since:
            return []
        message = response.as_message(DEVELOPER)
        return [message or Message(author=DEVELOPER, body=response.body, created_at=since)]

    async def check(self) -> str:
        """The signed token is accepted and the app can be read (``GET /v1/apps/{id}``)."""
        result = await self._call("GET", f"/v1/apps/{quote(self.app_id, safe='')}")
        data = self._document(result).get("data")
        attributes = data.get("attributes") if isinstance(data, dict) else None
        name = attributes.get("name") if isinstance(attributes, dict) else None
        bundle = attributes.get("bundleId") if isinstance(attributes, dict) else None
        label = one_line(name, 80) if isinstance(name, str) and name.strip() else self.app_id
        if isinstance(bundle, str) and bundle.strip():
            label += f" ({one_line(bundle, 80)})"
        return f"API key {self.key_id} accepted; app {label} readable on {result.url.host}"
