"""A stateful fake of the App Store Connect API (the part the ``app_store`` connector uses),
shaped like its documented answers: an app, its customer reviews newest first with
``include=response`` and ``links.next`` cursor pages, one developer response per review
(created or overwritten by ``POST /v1/customerReviewResponses``, read by
``GET /v1/customerReviews/{id}/response``, deleted by ``DELETE``), ES256 tokens checked
against the API key's public key (401 ``NOT_AUTHORIZED`` otherwise), and 429s on demand.

``FakeAppStore.handler(seen)`` answers a loopback server's requests (see ``loopback_kit``);
``FakeAppStore.respond(...)`` is the same answer for any transport.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.integration.loopback_kit import Answer, Seen

APP_ID = "1234567890"
ISSUER = "57246542-96fe-1a63-e053-0824d011072a"
KEY_ID = "2X9R4HXF34"
API_HOST = "https://api.appstoreconnect.apple.com"
T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
HOUR_LIMIT = "user-hour-lim:3500;user-hour-rem:3499;"


def _new_key() -> tuple[ec.EllipticCurvePrivateKey, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return key, pem


KEY, PEM = _new_key()
"""The API key: a P-256 key made for the tests, and its ``.p8`` text (PEM, PKCS#8)."""
SECRET = base64.b64encode(PEM.encode("ascii")).decode("ascii")
"""The private key as the leader stores it on one line (``base64 -w0 AuthKey_X.p8``)."""
OTHER_KEY, OTHER_PEM = _new_key()


def apple_time(when: datetime) -> str:
    """A time as App Store Connect writes one (with an offset, Pacific time)."""
    return (when.astimezone(UTC) - timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S") + "-08:00"


def review(
    ident: str,
    at: datetime,
    *,
    title: str | None = "Title",
    body: str | None = "Body",
    rating: int | None = 4,
    nickname: str | None = "Anne Johnson",
    territory: str | None = "USA",
    base: str = API_HOST,
) -> dict[str, Any]:
    """A ``customerReviews`` resource as a list page shows it."""
    return {
        "type": "customerReviews",
        "id": ident,
        "attributes": {
            "rating": rating,
            "title": title,
            "body": body,
            "reviewerNickname": nickname,
            "createdDate": apple_time(at),
            "territory": territory,
        },
        "relationships": {
            "response": {
                "links": {
                    "self": f"{base}/v1/customerReviews/{ident}/relationships/response",
                    "related": f"{base}/v1/customerReviews/{ident}/response",
                }
            }
        },
        "links": {"self": f"{base}/v1/customerReviews/{ident}"},
    }


def response_resource(
    ident: str, text: str, at: datetime, state: str = "PENDING_PUBLISH", base: str = API_HOST
) -> dict[str, Any]:
    """A ``customerReviewResponses`` resource."""
    return {
        "type": "customerReviewResponses",
        "id": ident,
        "attributes": {
            "responseBody": text,
            "lastModifiedDate": apple_time(at),
            "state": state,
        },
        "links": {"self": f"{base}/v1/customerReviewResponses/{ident}"},
    }


def error(status: int, code: str, title: str, detail: str) -> dict[str, Any]:
    """App Store Connect's error document."""
    return {
        "errors": [
            {
                "id": "b2d5f3a8-0000-4000-8000-000000000000",
                "status": str(status),
                "code": code,
                "title": title,
                "detail": detail,
            }
        ]
    }


@dataclass
class FakeAppStore:
    """One App Store Connect team with one app, as its API shows it."""

    public_key: Any = field(default_factory=KEY.public_key)
    page_size: int = 2
    next_host: str = API_HOST
    """The host next-page links name (Apple's own, not the configured base URL)."""
    app_name: str = "Acme Notes"
    reviews: dict[str, dict[str, Any]] = field(default_factory=dict)
    responses: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The developer response of each review, by review id."""
    posted: list[dict[str, Any]] = field(default_factory=list)
    """Every ``POST /v1/customerReviewResponses`` body received."""
    deleted: list[str] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    throttled: list[dict[str, str]] = field(default_factory=list)
    tokens: list[dict[str, Any]] = field(default_factory=list)
    """The header and claims of every token accepted."""
    refuse_replacing: bool = False
    """Answer 409 to a POST for a review that has a response (instead of overwriting)."""
    clock: datetime = T0
    counter: int = 0

    # -- state -------------------------------------------------------------------
    def tick(self) -> datetime:
        self.clock += timedelta(minutes=1)
        return self.clock

    def add(self, ident: str, title: str | None, body: str | None, **fields: Any) -> dict:
        """A customer writes a review (newest so far)."""
        self.reviews[ident] = review(ident, self.tick(), title=title, body=body, **fields)
        return self.reviews[ident]

    def developer_answers(self, review_id: str, text: str) -> dict[str, Any]:
        """The team answers in App Store Connect itself."""
        self.counter += 1
        made = response_resource(f"resp-{self.counter}", text, self.tick())
        self.responses[review_id] = made
        return made

    def throttle(self) -> None:
        """Answer the next request with a 429, as App Store Connect does."""
        self.throttled.append({"X-Rate-Limit": "user-hour-lim:3500;user-hour-rem:0;"})

    # -- the API -------------------------------------------------------------------
    def handler(self, seen: Seen) -> Answer:
        """Answer one request of a loopback server."""
        return self.respond(seen)

    def _authorized(self, seen: Seen) -> bool:
        header = seen.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return False
        token = header.removeprefix("Bearer ")
        try:
            claims = jwt.decode(
                token,
                self.public_key,
                algorithms=["ES256"],
                audience="appstoreconnect-v1",
                issuer=ISSUER,
                options={"verify_exp": False, "verify_iat": False},
            )
            head = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return False
        if head.get("kid") != KEY_ID or head.get("typ") != "JWT":
            return False
        if not 0 < claims["exp"] - claims["iat"] <= 20 * 60:
            return False
        self.tokens.append({"header": head, "claims": claims})
        return True

    def respond(self, seen: Seen) -> Answer:
        """App Store Connect's answer to one request."""
        self.seen.append(seen)
        limits = {"X-Rate-Limit": HOUR_LIMIT}
        if self.throttled:
            body = error(
                429,
                "RATE_LIMIT_EXCEEDED",
                "The request rate limit has been reached.",
                "We've received too many requests for this API.",
            )
            return Answer(429, body, headers=self.throttled.pop(0))
        if not self._authorized(seen):
            body = error(
                401,
                "NOT_AUTHORIZED",
                "Authentication credentials are missing or invalid.",
                "Provide a properly configured and signed bearer token.",
            )
            return Answer(401, body)
        parts = seen.path.strip("/").split("/")
        answer = self._route(seen, parts)
        answer.headers = {**limits, **answer.headers}
        return answer

    def _route(self, seen: Seen, parts: list[str]) -> Answer:
        if seen.method == "GET" and parts == ["v1", "apps", APP_ID]:
            return Answer(
                200,
                {
                    "data": {
                        "type": "apps",
                        "id": APP_ID,
                        "attributes": {
                            "name": self.app_name,
                            "bundleId": "com.acme.notes",
                            "sku": "NOTES1",
                            "primaryLocale": "en-US",
                        },
                    },
                    "links": {"self": f"{API_HOST}/v1/apps/{APP_ID}"},
                },
            )
        if seen.method == "GET" and parts == ["v1", "apps", APP_ID, "customerReviews"]:
            return self._list(seen)
        if (
            seen.method == "GET"
            and len(parts) == 4
            and parts[:2] == ["v1", "customerReviews"]
            and parts[3] == "response"
        ):
            if parts[2] not in self.reviews:
                return Answer(
                    404,
                    error(
                        404,
                        "NOT_FOUND",
                        "The specified resource does not exist",
                        "There is no resource with this id.",
                    ),
                )
            found = self.responses.get(parts[2])
            return Answer(200, {"data": found, "links": {"self": seen.path}})
        if seen.method == "POST" and parts == ["v1", "customerReviewResponses"]:
            return self._post(json.loads(seen.body))
        if seen.method == "DELETE" and parts[:2] == ["v1", "customerReviewResponses"]:
            for review_id, made in list(self.responses.items()):
                if made["id"] == parts[2]:
                    del self.responses[review_id]
                    self.deleted.append(parts[2])
                    return Answer(204, b"")
        return Answer(
            404,
            error(
                404,
                "NOT_FOUND",
                "The specified resource does not exist",
                "The path provided does not match a defined resource type.",
            ),
        )

    def _list(self, seen: Seen) -> Answer:
        newest_first = sorted(
            self.reviews.values(), key=lambda r: r["attributes"]["createdDate"], reverse=True
        )
        limit = min(int((seen.query.get("limit") or ["50"])[0]), 200, self.page_size)
        start = int((seen.query.get("cursor") or ["0"])[0])
        items = newest_first[start : start + limit]
        data, included = [], []
        for item in items:
            item = json.loads(json.dumps(item))
            made = self.responses.get(item["id"])
            if "response" in (seen.query.get("include") or [""])[0].split(","):
                item["relationships"]["response"]["data"] = (
                    {"type": "customerReviewResponses", "id": made["id"]} if made else None
                )
                if made:
                    included.append(made)
            data.append(item)
        links = {"self": f"{self.next_host}{seen.path}"}
        if start + limit < len(newest_first):
            query = {k: v for k, v in seen.query.items() if k != "cursor"}
            query["cursor"] = [str(start + limit)]
            links["next"] = f"{self.next_host}{seen.path}?{urlencode(query, doseq=True)}"
        document: dict[str, Any] = {
            "data": data,
            "links": links,
            "meta": {"paging": {"total": len(newest_first), "limit": limit}},
        }
        if included:
            document["included"] = included
        return Answer(200, document)

    def _post(self, posted: dict[str, Any]) -> Answer:
        self.posted.append(posted)
        try:
            text = posted["data"]["attributes"]["responseBody"]
            review_id = posted["data"]["relationships"]["review"]["data"]["id"]
        except (KeyError, TypeError):
            return Answer(
                422,
                error(
                    422,
                    "ENTITY_ERROR",
                    "The request entity is incorrect",
                    "responseBody and the review are required",
                ),
            )
        if review_id not in self.reviews:
            return Answer(
                404,
                error(
                    404,
                    "NOT_FOUND",
                    "The specified resource does not exist",
                    "There is no review with this id.",
                ),
            )
        existing = self.responses.get(review_id)
        if existing is not None and self.refuse_replacing:
            return Answer(
                409,
                error(
                    409,
                    "ENTITY_ERROR.RELATIONSHIP.INVALID",
                    "The provided entity includes a relationship with an invalid value",
                    "This review already has a response.",
                ),
            )
        if existing is not None:  # create or update: the same response, overwritten
            existing["attributes"]["responseBody"] = text
            existing["attributes"]["lastModifiedDate"] = apple_time(self.tick())
            existing["attributes"]["state"] = "PENDING_PUBLISH"
            return Answer(201, {"data": existing, "links": existing["links"]})
        self.counter += 1
        made = response_resource(f"resp-{self.counter}", text, self.tick())
        self.responses[review_id] = made
        return Answer(201, {"data": made, "links": made["links"]})
