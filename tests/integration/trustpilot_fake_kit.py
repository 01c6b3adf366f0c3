"""A stateful fake of Trustpilot's business APIs, for the loopback server and the unit tests.

:class:`TrustpilotFake` keeps one business unit's reviews, the company replies posted and
the credentials it expects; :meth:`TrustpilotFake.handler` answers a request (a
:class:`~tests.integration.loopback_kit.Seen`) the way the documented API does:

- ``POST /v1/oauth/oauth-business-users-for-applications/accesstoken`` (HTTP Basic
  ``api_key:api_secret``, form ``grant_type=password&username=&password=``) issues
  ``access_token``, ``refresh_token`` and ``expires_in`` (as text, as Trustpilot writes
  them); ``.../refresh`` (``grant_type=refresh_token&refresh_token=``) issues a new pair.
  Wrong credentials or an unknown refresh token get 401.
- ``GET /v1/business-units/{id}`` (the public endpoint, ``apikey`` header): the unit.
- Every ``/v1/private/...`` endpoint wants ``Authorization: Bearer`` with a token it
  issued (and not expired or revoked), else 401.
- ``GET /v1/private/business-units/{id}/reviews`` with ``orderBy`` (``createdat.desc``
  by default), ``page`` and ``perPage`` (1-100, default 20): ``{"reviews": [...],
  "links": [...]}``; an empty list past the end.
- ``GET /v1/private/reviews/{id}``: one review.
- ``POST /v1/private/reviews/{id}/reply`` (``{"message", "authorBusinessUserId"}``):
  the review's ``companyReply`` is set (replacing an earlier one); 201 without a body.
- :attr:`throttle` answers that many requests with 429 and ``Retry-After``.

:func:`mock_transport` serves the same fake to an ``httpx.MockTransport`` (unit tests).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from tests.integration.loopback_kit import Answer, Seen
from tests.integration.loopback_kit import seen_of as _seen_of

BUSINESS_UNIT = "5f3c9a1b2d4e6f8a0b1c2d3e"
BUSINESS_USER = "6a1b2c3d4e5f60718293a4b5"
API_KEY = "tp-api-key-Xk29Wq7LmN"
API_SECRET = "tp-api-secret-Vb83Hs1PqZ"
USERNAME = "owner@acme.example"
PASSWORD = "Tr0ub4dor&3-horse"
OAUTH = "/v1/oauth/oauth-business-users-for-applications"
START = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def iso(when: datetime) -> str:
    """``2026-12-04T08:00:00Z``, as Trustpilot writes times."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class TrustpilotFake:
    """One Trustpilot business unit (see the module's docstring)."""

    api_key: str = API_KEY
    api_secret: str = API_SECRET
    username: str = USERNAME
    password: str = PASSWORD
    business_unit_id: str = BUSINESS_UNIT
    expires_in: str = "359999"
    throttle: int = 0
    """Answer this many of the next requests with 429."""
    retry_after: str = "7"
    reviews: dict[str, dict[str, Any]] = field(default_factory=dict)
    replies: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """Every reply posted: ``(review id, JSON body)``."""
    tokens: list[str] = field(default_factory=list)
    refresh_tokens: list[str] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)
    grants: list[str] = field(default_factory=list)
    """The ``grant_type`` of every token request."""
    now: datetime = START
    _next_id: int = 0

    # -- building the business unit -------------------------------------------------
    def tick(self, minutes: int = 1) -> str:
        """Move the fake's clock on; returns the new time."""
        self.now += timedelta(minutes=minutes)
        return iso(self.now)

    def review(
        self,
        text: str,
        *,
        stars: int = 2,
        name: str = "Jane Doe",
        title: str = "Slow delivery",
        reviews_written: int | None = 3,
    ) -> str:
        """A new review by a consumer; returns its id."""
        self._next_id += 1
        review_id = f"65a0{self._next_id:020x}"
        at = self.tick()
        consumer: dict[str, Any] = {
            "id": f"5b{self._next_id:022x}",
            "displayName": name,
            "displayLocation": "Leeds, GB",
            "countryCode": "GB",
            "links": [],
        }
        if reviews_written is not None:
            consumer["numberOfReviews"] = reviews_written
        self.reviews[review_id] = {
            "id": review_id,
            "links": [{"href": f"/v1/reviews/{review_id}", "method": "GET", "rel": "self"}],
            "consumer": consumer,
            "businessUnit": {"id": self.business_unit_id, "identifyingName": "acme.example"},
            "stars": stars,
            "title": title,
            "text": text,
            "language": "en",
            "createdAt": at,
            "updatedAt": None,
            "experiencedAt": at,
            "status": "active",
            "isVerified": True,
            "numberOfLikes": 1,
            "referenceId": f"order-{self._next_id}",
            "referralEmail": f"customer{self._next_id}@example.com",
            "companyReply": None,
        }
        return review_id

    def company_replies(self, review_id: str, text: str, author: str = "other-user") -> None:
        """Someone of the company answers on Trustpilot's website."""
        at = self.tick()
        earlier = self.reviews[review_id].get("companyReply") or {}
        self.reviews[review_id]["companyReply"] = {
            "text": text,
            "authorBusinessUserId": author,
            "authorBusinessUserName": "Support",
            "createdAt": earlier.get("createdAt", at),
            "updatedAt": at,
        }

    # -- the API -------------------------------------------------------------------
    def handler(self, seen: Seen) -> Answer:
        """Answer one request like Trustpilot's API (see the module's docstring)."""
        if self.throttle > 0:
            self.throttle -= 1
            return Answer(
                429, {"message": "Too Many Requests"}, headers={"Retry-After": self.retry_after}
            )
        if seen.method == "POST" and seen.path in (f"{OAUTH}/accesstoken", f"{OAUTH}/refresh"):
            return self._token(seen)
        parts = seen.path.strip("/").split("/")
        if parts == ["v1", "business-units", self.business_unit_id] and seen.method == "GET":
            if seen.headers.get("apikey") != self.api_key:
                return Answer(401, {"message": "Invalid ApiKey"})
            return Answer(200, self._unit())
        if parts[:2] != ["v1", "private"]:
            return Answer(404, {"message": "Not found"})
        token = seen.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.tokens or token in self.revoked:
            return Answer(401, {"message": "Unauthorized", "details": "Invalid access token"})
        rest = parts[2:]
        if rest == ["business-units", self.business_unit_id, "reviews"] and seen.method == "GET":
            return self._list(seen)
        if len(rest) >= 2 and rest[0] == "reviews":
            review = self.reviews.get(rest[1])
            if review is None:
                return Answer(404, {"message": "Review not found"})
            if len(rest) == 2 and seen.method == "GET":
                return Answer(200, review)
            if rest[2:] == ["reply"] and seen.method == "POST":
                return self._reply(rest[1], seen)
        return Answer(404, {"message": "Not found"})

    def _token(self, seen: Seen) -> Answer:
        basic = seen.headers.get("authorization", "").removeprefix("Basic ")
        try:
            pair = base64.b64decode(basic).decode()
        except ValueError:
            pair = ""
        if pair != f"{self.api_key}:{self.api_secret}":
            return Answer(401, {"fault": {"faultstring": "Invalid client identifier"}})
        form = {k: v[0] for k, v in parse_qs(seen.body.decode()).items()}
        grant = form.get("grant_type", "")
        self.grants.append(grant)
        if seen.path.endswith("/accesstoken"):
            if grant != "password":
                return Answer(400, {"error": "unsupported_grant_type"})
            if (form.get("username"), form.get("password")) != (self.username, self.password):
                return Answer(401, {"error": "invalid_grant", "reason": "Bad credentials"})
        elif grant != "refresh_token" or form.get("refresh_token") not in self.refresh_tokens:
            return Answer(401, {"error": "invalid_grant", "reason": "Invalid refresh token"})
        else:
            self.refresh_tokens.remove(form["refresh_token"])
        number = len(self.tokens) + 1
        token, refresh = f"tp-access-{number}-c41d", f"tp-refresh-{number}-9e07"
        self.tokens.append(token)
        self.refresh_tokens.append(refresh)
        return Answer(
            200,
            {
                "access_token": token,
                "refresh_token": refresh,
                "expires_in": self.expires_in,
                "refresh_token_expires_in": "2591999",
                "issued_at": "1764835200000",
                "token_type": "BearerToken",
                "status": "approved",
            },
        )

    def _unit(self) -> dict[str, Any]:
        return {
            "id": self.business_unit_id,
            "displayName": "Acme Shop",
            "name": {"identifying": "acme.example", "referring": ["acme.example"]},
            "websiteUrl": "https://acme.example",
            "country": "GB",
            "numberOfReviews": {"total": len(self.reviews)},
            "score": {"stars": 3.5, "trustScore": 3.6},
            "status": "active",
            "links": [],
        }

    def _list(self, seen: Seen) -> Answer:
        query = {k: v[0] for k, v in seen.query.items()}
        order = query.get("orderBy", "createdat.desc")
        chosen = sorted(
            self.reviews.values(), key=lambda r: r["createdAt"], reverse=order == "createdat.desc"
        )
        page = int(query.get("page", "1"))
        size = min(max(int(query.get("perPage", "20")), 1), 100)
        here = chosen[(page - 1) * size : page * size]
        links = [{"href": seen.path, "method": "GET", "rel": "self"}]
        if page * size < len(chosen):
            links.append({"href": f"{seen.path}?page={page + 1}", "method": "GET", "rel": "next"})
        return Answer(200, {"reviews": here, "links": links})

    def _reply(self, review_id: str, seen: Seen) -> Answer:
        body = json.loads(seen.body)
        if not isinstance(body.get("message"), str) or not body["message"].strip():
            return Answer(400, {"message": "message is required"})
        self.replies.append((review_id, body))
        self.company_replies(review_id, body["message"], body.get("authorBusinessUserId") or "")
        return Answer(201, b"")


def mock_transport(fake: TrustpilotFake, before: Callable[[Any], Any] | None = None) -> Any:
    """An ``httpx.MockTransport`` answering with ``fake``; ``before(request)`` may answer
    first (an ``httpx.Response``), raise, or return ``None`` to let the fake answer."""
    import httpx

    def handle(request: httpx.Request) -> httpx.Response:
        early = before(request) if before is not None else None
        if early is not None:
            return early
        answer = fake.handler(seen_of(request))
        content, content_type = answer.payload()
        headers = {"content-type": content_type, **answer.headers}
        return httpx.Response(answer.status, content=content, headers=headers)

    return httpx.MockTransport(handle)


def seen_of(request: Any) -> Seen:
    """An ``httpx.Request`` as the loopback server would have seen it (blank query
    values dropped, as the server's parser does)."""
    return _seen_of(request, keep_blank_values=False)
