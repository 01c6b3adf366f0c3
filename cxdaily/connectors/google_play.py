"""The ``google_play`` channel: reviews of one Android app on Google Play, answered with the
developer's public reply.

Config::

    [channels.play]
    kind = "google_play"
    package_name = "com.example.app"                                      # the app
    base_url = "https://androidpublisher.googleapis.com/androidpublisher/v3"  # optional
    token_url = "https://oauth2.googleapis.com/token"                     # optional

Secret (``cxdaily login NAME``, or ``CXDAILY_SECRET_<NAME>``): the JSON key of a Google
Cloud service account that Play Console lets "Reply to reviews", as one line (``jq -c .
key.json``). Its ``client_email``, ``private_key`` and ``private_key_id`` sign an RS256
JWT (PyJWT; ``iss`` the account, ``scope`` androidpublisher, ``aud`` the token URL, one
hour at most, ``kid`` the key's id) that buys an access token (``POST token_url``, form
``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=...``), kept in memory
until shortly before it expires and renewed once when the API refuses it.

Fetching: ``GET {base_url}/applications/{package}/reviews?maxResults=100&token=...``: the
reviews created or changed in the last week only (Google keeps no older ones in the API),
the most recently changed user comment first, page by page
(``tokenPagination.nextPageToken``) until a review no newer than the checkpoint, at most
:data:`MAX_PAGES` pages a fetch (the next fetch goes on from there). A review whose user
comment is newer than its developer reply (or has none) is a question: ``starRating`` as
``meta["rating"]``, ``authorName`` as the author's name, the device and app version in
``meta``; a review with a newer developer reply is settled (see
:mod:`~cxdaily.connectors.google_play_parse`). Google Play has no public link to a review.

Replying: ``POST /applications/{package}/reviews/{reviewId}:reply`` with
``{"replyText"}``. A review keeps one developer reply, which a new one replaces: sending
is an upsert, so a retry after an unknown outcome is harmless. At most 350 characters
(counted as UTF-16 code units, so a character outside the Basic Multilingual Plane
counts twice: never more than Google's count); HTML tags are stripped by Google. The
reply's remote id is the review's id. ``find_own_reply`` and ``answers_since`` read
``GET /applications/{package}/reviews/{reviewId}``: its ``developerComment``.

Quota: no rate-limit headers. A 429 or a 403 ``rateLimitExceeded`` (Google's per-minute
buckets) is waited out briefly on reads (``Retry-After`` when sent) and is a one-line
:class:`RateLimited` otherwise; a 403 ``quotaExceeded`` waits an hour, a 403
``dailyLimitExceeded`` until midnight Pacific time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import jwt

from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.channel_tokens import LazyGrant, token_endpoint
from cxdaily.connectors.google_api import (
    GOOGLE_OPTIONS,
    GoogleLimits,
    GoogleRequests,
    ListingHarvest,
    ListingPage,
    walk_listing,
)
from cxdaily.connectors.google_play_parse import (
    Review,
    ServiceAccountKey,
    parse_review,
    read_key,
    review_messages,
    review_questions,
)
from cxdaily.connectors.helpdesk import TicketMessage
from cxdaily.connectors.http import BadResponseError, HttpResult, StatusError, describe_url
from cxdaily.connectors.http_base import HttpConnector
from cxdaily.connectors.http_errors import service_message, status_error
from cxdaily.connectors.oauth import PROCESS_TOKENS, ClientCredentialsToken
from cxdaily.connectors.options import Option
from cxdaily.connectors.parsing import QuestionShapeError
from cxdaily.connectors.public_channel import json_object, public_capabilities
from cxdaily.connectors.thread_replies import ThreadReplies
from cxdaily.core.errors import ConnectorError, CredentialError
from cxdaily.core.models import Question

SCOPE = "https://www.googleapis.com/auth/androidpublisher"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
JWT_LIFETIME_S = 3600
"""How long a signed assertion is valid (Google accepts one hour at most)."""
PAGE_SIZE = 100
MAX_PAGES = 20
"""Pages of reviews read in one fetch (the API holds one week of reviews)."""
LIMITS = GoogleLimits(
    "Google Play",
    daily_reasons=frozenset({"dailylimitexceeded"}),
    # Google's reply-to-reviews quotas count per hour (reads) and per day (replies)
    hourly_reasons=frozenset({"quotaexceeded"}),
    throttle_reasons=frozenset({"ratelimitexceeded", "userratelimitexceeded", "resourceexhausted"}),
    statuses=frozenset({403, 404, 429}),
)


def _iso(value: datetime) -> str:
    """A checkpoint time, to the microsecond (Google's times carry fractions of a second)."""
    return value.isoformat().replace("+00:00", "Z")


def _package_name(value: str) -> str | None:
    parts = value.split(".")
    valid = len(parts) >= 2 and all(
        p[:1].isalpha() and p.isascii() and p.replace("_", "").isalnum() for p in parts
    )
    return None if valid else "must be an app's package name such as com.example.app"


class ServiceAccountToken(ClientCredentialsToken):
    """Access tokens bought with a JWT the service account signs (RS256, RFC 7523)."""

    refused_what = "the service account"
    sending_what = "the signed assertion"

    def __init__(self, *args: Any, key: ServiceAccountKey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key = key

    def assertion(self) -> str:
        """A signed JWT asking for the androidpublisher scope at ``token_url``."""
        now = int(self.http.wall_clock())
        claims = {"iss": self.key.client_email, "scope": SCOPE, "aud": self.token_url,
                  "iat": now, "exp": now + JWT_LIFETIME_S}  # fmt: skip
        try:
            return jwt.encode(claims, self.key.private_key, algorithm="RS256",
                              headers={"kid": self.key.private_key_id})  # fmt: skip
        except Exception:  # PyJWT and cryptography raise many types for a bad key
            raise CredentialError(
                f"{self.http.channel}: the private_key of the service account's JSON key "
                f"cannot sign (it must be the RSA key in PEM that Google issued); {self.advice()}"
            ) from None

    def token_request(
        self, client_id: str, client_secret: str
    ) -> tuple[dict[str, str], dict[str, str]]:
        """A freshly signed assertion to trade for an access token."""
        signed = self.assertion()
        self.http.register_secret(signed)
        return {"grant_type": JWT_BEARER, "assertion": signed}, {}

    def advice(self) -> str:
        """What to check when Google refuses the service account (one line)."""
        name = self.http.channel
        return (
            f"check the service account's JSON key (store it again with `jq -c . key.json | "
            f"cxdaily login {name}`); a deleted or disabled key is refused"
        )


class GooglePlayConnector(HttpConnector):
    """Reviews of one app on Google Play; the developer's public reply (one per review)."""

    kind = "google_play"
    capabilities = public_capabilities(one_reply=True)
    declared_options = GOOGLE_OPTIONS.extended(
        Option("package_name", "text", "the app whose reviews are fetched and answered "
               "(com.example.app)", required=True, check=_package_name),
    )  # fmt: skip

    def configure(self) -> None:
        """The app and the token endpoint from the options."""
        super().configure()
        self.package: str = self.option("package_name")
        self.token_url = token_endpoint(self, "token_url")
        self.signed_in = LazyGrant(self._grant)
        self._api = GoogleRequests(self, LIMITS, self._refusal)
        self.thread_replies = ThreadReplies(self._review_thread)  # the reply's id: the review's

    def reply_length(self, text: str, question: Question | None = None) -> int:
        """UTF-16 code units: never less than Google's count, whichever unit it uses."""
        return len(text.encode("utf-16-le", "surrogatepass")) // 2

    # -- auth -------------------------------------------------------------------------
    async def _grant(self) -> ServiceAccountToken:
        """The service account's token grant, from its JSON key (the channel's secret)."""
        key = read_key(await self.read_secret(""), self.name)
        for line in (key.private_key, *key.private_key.splitlines()):
            if len(line.strip()) >= 16 and not line.startswith("-----"):
                self.http.register_secret(line.strip())  # the key, and each of its lines

        async def credentials() -> tuple[str, str]:
            return key.client_email, key.private_key

        return ServiceAccountToken(
            self.http, self.token_url, credentials=credentials, cache=PROCESS_TOKENS,
            key=key, form={"scope": SCOPE},
        )  # fmt: skip

    # -- requests ---------------------------------------------------------------------
    def _path(self, review_id: str | None = None, suffix: str = "") -> str:
        path = f"/applications/{quote(self.package, safe='')}/reviews"
        return path if review_id is None else f"{path}/{quote(review_id, safe='')}{suffix}"

    def _refusal(self, result: HttpResult, reason: str | None, where: str) -> ConnectorError:
        if result.status == 404:
            review = not result.url.path.rstrip("/").endswith("/reviews")
            said = service_message(result.content, self.http.scrub)
            gone = "the review is gone (its author deleted it?), or " if review else ""
            return StatusError(
                f"{where} was not found (HTTP 404{': ' + said if said else ''}); {gone}check "
                f"the package_name option ({self.package}) and base_url",
                status=404,
                channel=self.name,
            )
        return status_error(
            method=result.method, url=result.url, status=result.status, content=result.content,
            channel=self.name, scrub=self.http.scrub, auth_hint=self.http.auth_hint,
            secret_variables=self.http.secret_variables,
        )  # fmt: skip

    def _page_items(self, result: HttpResult) -> tuple[list[Any], str | None]:
        """The reviews of a list page (Google leaves ``reviews`` out of an empty page) and
        the next page's token."""
        data = json_object(self, result, "an object")
        items = data.get("reviews", [])
        paging = data.get("tokenPagination")
        following = paging.get("nextPageToken") if isinstance(paging, dict) else None
        if items is None:
            items = []
        if not isinstance(items, list) or not (paging is None or isinstance(paging, dict)):
            raise BadResponseError(
                f"{result.method} {describe_url(result.url)} answered, but not with a list of "
                "reviews",
                channel=self.name,
            )
        usable = isinstance(following, str) and following.strip() and following.isprintable()
        return items, following if usable else None

    # -- fetching ---------------------------------------------------------------------
    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Reviews new since the checkpoint, as questions and settled reviews."""
        result: FetchResult = await self.signed_in.call(lambda h: self._fetch(checkpoint, h))
        return result

    async def _list(self, token: str | None, headers: dict[str, str]) -> HttpResult:
        params = {"maxResults": PAGE_SIZE, **({"token": token} if token else {})}
        return await self._api.send("GET", self._path(), params=params, headers=headers)

    async def _fetch(
        self, checkpoint: dict[str, Any] | None, headers: dict[str, str]
    ) -> FetchResult:
        harvest = ListingHarvest()

        async def take(result: HttpResult, page: int, since: datetime | None) -> ListingPage:
            items, following = self._page_items(result)
            reached, newest = False, None
            for number, item in enumerate(items, 1):
                try:
                    review = parse_review(item)
                except QuestionShapeError as exc:
                    harvest.skipped.add(f"page {page}, review {number} skipped: {exc}")
                    continue
                new = since is None or review.written > since
                reached = reached or not new
                if new:
                    newest = max(newest or review.written, review.written)
                asked, answered = review_questions(
                    review, channel=self.name, kind=self.kind, package=self.package
                )
                if asked is not None and new:
                    harvest.questions.append(asked)
                harvest.settled.extend(answered)
            return ListingPage(following, reached, newest)

        mark = await walk_listing(
            self, checkpoint, lambda token: self._list(token, headers), take,
            max_pages=MAX_PAGES, what="pages of reviews", iso=_iso,
        )  # fmt: skip
        return harvest.fetch_result(mark)

    # -- replying ---------------------------------------------------------------------
    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """Set the review's developer reply (replacing any earlier one)."""
        path = self._path(question.thread_id, ":reply")

        async def post(headers: dict[str, str]) -> HttpResult:
            return await self._api.send(
                "POST", path, json_body={"replyText": body}, headers=headers,
                doing="the reply can be sent again then",
            )  # fmt: skip

        await self.signed_in.call(
            post
        )  # its answer ({"result": {replyText, lastEdited}}) adds nothing
        return SentReply(remote_id=question.thread_id, url=None)

    async def _review(self, question: Question) -> Review:
        async def read(headers: dict[str, str]) -> HttpResult:
            return await self._api.send("GET", self._path(question.thread_id), headers=headers)

        result: HttpResult = await self.signed_in.call(read)
        try:
            return parse_review(json_object(self, result, "an object"))
        except QuestionShapeError as exc:
            raise BadResponseError(
                f"GET {describe_url(result.url)} answered with a review that cannot be read "
                f"({exc})",
                channel=self.name,
            ) from None

    async def _review_thread(self, question: Question) -> list[TicketMessage]:
        """The review as a thread: the user's comment and the developer's reply (whose
        change after a time is the collision guard's answer, and whose text finds ours)."""
        return review_messages(await self._review(question), self.package)

    async def check(self) -> str:
        """The key buys a token and the app's reviews can be listed (one review)."""

        async def read(headers: dict[str, str]) -> HttpResult:
            params = {"maxResults": 1}
            return await self._api.send("GET", self._path(), params=params, headers=headers)

        result: HttpResult = await self.signed_in.call(read)
        self._page_items(result)
        return f"package {self.package} readable"
