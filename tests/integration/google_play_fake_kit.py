"""A stateful fake of the Google Play Developer API's reviews (the part the ``google_play``
connector uses) and of Google's OAuth token endpoint, for the loopback server and the
unit tests.

:class:`GooglePlayFake` keeps one app's reviews, the service account it trusts (the public
half of :data:`KEY_JSON`'s key) and every reply posted. :meth:`GooglePlayFake.handler`
answers a request (a :class:`~tests.integration.loopback_kit.Seen`) as documented:

- ``POST .../token`` (a form: ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``,
  ``assertion``) checks the RS256 JWT (signature, ``kid``, ``iss``, ``scope``, ``aud``
  ending in ``/token``, at most an hour) and issues ``{"access_token", "expires_in",
  "token_type"}``; a bad assertion is 400 ``invalid_grant``. Every other endpoint wants
  ``Authorization: Bearer`` with a token it issued and did not revoke, else 401.
- ``GET .../applications/{pkg}/reviews?maxResults=&token=``: the most recently changed
  user comment first, ``tokenPagination.nextPageToken``; ``reviews`` is left out of an
  empty page, as Google does.
- ``GET .../applications/{pkg}/reviews/{reviewId}``: one review.
- ``POST .../applications/{pkg}/reviews/{reviewId}:reply`` (``{"replyText"}``): sets (or
  replaces) the developer comment; answers ``{"result": {"replyText", "lastEdited"}}``.
- :attr:`throttle` answers that many requests with 429 ``RESOURCE_EXHAUSTED``;
  :attr:`quota_used_up` answers 403 ``dailyLimitExceeded``. No rate-limit headers.

Paths are matched by their parts after ``/applications/``, so the fake serves any
``base_url`` and ``token_url`` on one server. :func:`mock_transport` serves it to an
``httpx.MockTransport``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import parse_qs, unquote

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.integration.loopback_kit import Answer, Seen
from tests.integration.loopback_kit import seen_of as _seen_of

PACKAGE = "com.acme.notes"
CLIENT_EMAIL = "cxdaily-replies@acme-play-1234.iam.gserviceaccount.com"
KEY_ID = "4f1c0ffee9d2b7a86e5d3c21b0a9f8e7d6c5b4a3"
SCOPE = "https://www.googleapis.com/auth/androidpublisher"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
START = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
PEOPLE = {"ana": "Ana Lima", "ben": "Ben Okafor", "cy": "Cy Park"}


@cache
def private_key() -> rsa.RSAPrivateKey:
    """The service account's RSA key (made once per test run)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey | None = None) -> str:
    """A private key in PEM, as Google's JSON key holds it."""
    return (
        (key or private_key())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode("ascii")
    )


def key_json(**changes: Any) -> str:
    """A service account's JSON key on one line (``changes`` replace or, as ``None``,
    remove fields)."""
    data: dict[str, Any] = {
        "type": "service_account",
        "project_id": "acme-play-1234",
        "private_key_id": KEY_ID,
        "private_key": private_pem(),
        "client_email": CLIENT_EMAIL,
        "client_id": "104918273645501928374",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    data.update(changes)
    return json.dumps({k: v for k, v in data.items() if v is not None})


KEY_BODY = private_pem().split("-----")[2].strip().splitlines()[5]
"""One line from the middle of the private key: it must never show anywhere."""


def stamp(when: datetime) -> dict[str, Any]:
    """Google's Timestamp: ``seconds`` as text (an int64), ``nanos`` as a number."""
    return {"seconds": str(int(when.timestamp())), "nanos": when.microsecond * 1000}


def google_error(status: int, message: str, reason: str | None = None, state: str = "") -> Any:
    """A Google API error body."""
    error: dict[str, Any] = {"code": status, "message": message}
    if state:
        error["status"] = state
    if reason:
        error["errors"] = [{"message": message, "domain": "global", "reason": reason}]
    return {"error": error}


@dataclass
class GooglePlayFake:
    """One app's reviews on Google Play (see the module's docstring)."""

    package: str = PACKAGE
    client_email: str = CLIENT_EMAIL
    key_id: str = KEY_ID
    page_size: int = 100
    expires_in: int = 3599
    throttle: int = 0
    quota_used_up: bool = False
    reviews: dict[str, dict[str, Any]] = field(default_factory=dict)
    posted: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """Every reply posted: ``(reviewId, JSON body)``."""
    tokens: list[str] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)
    assertions: list[dict[str, Any]] = field(default_factory=list)
    """The claims and header of every assertion the token endpoint accepted."""
    now: datetime = START
    changed: dict[str, datetime] = field(default_factory=dict)
    """When each review's user comment last changed (the list's order, newest first)."""
    _next: int = 100

    # -- building the app's reviews -------------------------------------------------
    def tick(self, minutes: int = 1) -> datetime:
        """Move the clock on; returns the new time."""
        self.now += timedelta(minutes=minutes, microseconds=250_000)
        return self.now

    def review(self, who: str, text: str, stars: int = 3, **extra: Any) -> str:
        """A new review by ``who`` (a key of PEOPLE); returns its id."""
        self._next += 1
        ident = f"gp:AOqpTO{self._next:06d}Hk2vYq"
        self.changed[ident] = self.tick()
        comment: dict[str, Any] = {
            "text": text,
            "lastModified": stamp(self.now),
            "starRating": stars,
            "reviewerLanguage": "en",
            "device": "a52q",
            "androidOsVersion": 34,
            "appVersionCode": 4120,
            "appVersionName": "4.12.0",
            "thumbsUpCount": 2,
            "thumbsDownCount": 0,
            "deviceMetadata": {
                "productName": "a52q (Galaxy A52 5G)",
                "manufacturer": "Samsung",
                "deviceClass": "phone",
                "screenWidthPx": 1080,
                "screenHeightPx": 2400,
                "nativePlatform": "arm64-v8a",
                "screenDensityDpi": 450,
                "glEsVersion": 196610,
                "cpuModel": "Snapdragon 750G",
                "cpuMake": "Qualcomm",
                "ramMb": 5800,
            },
            **extra,
        }
        self.reviews[ident] = {
            "reviewId": ident,
            "authorName": PEOPLE[who],
            "comments": [{"userComment": comment}],
        }
        return ident

    def _comment(self, ident: str, key: str) -> dict[str, Any] | None:
        for entry in self.reviews[ident]["comments"]:
            if key in entry:
                return entry[key]
        return None

    def edit(self, ident: str, text: str) -> None:
        """The user changes their review's text."""
        comment = self._comment(ident, "userComment")
        assert comment is not None
        self.changed[ident] = self.tick()
        comment.update(text=text, lastModified=stamp(self.now))

    def answer(self, ident: str, text: str) -> dict[str, Any]:
        """The developer replies (or replaces the reply) to a review; returns the reply."""
        reply = {"text": text, "lastModified": stamp(self.tick())}
        comments = self.reviews[ident]["comments"]
        comments[:] = [c for c in comments if "developerComment" not in c]
        comments.append({"developerComment": reply})
        return reply

    def reply_text(self, ident: str) -> str | None:
        """The review's developer reply now."""
        comment = self._comment(ident, "developerComment")
        return None if comment is None else comment["text"]

    # -- the API --------------------------------------------------------------------
    def handler(self, seen: Seen) -> Answer:
        """Answer one request like Google Play and Google's token endpoint."""
        path = unquote(seen.path)
        if seen.method == "POST" and path.rstrip("/").endswith("/token"):
            return self._token(seen)
        token = seen.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.tokens or token in self.revoked:
            said = "Request had invalid authentication credentials."
            return Answer(401, google_error(401, said, None, "UNAUTHENTICATED"))
        if self.quota_used_up:
            said = "Daily Limit Exceeded."
            return Answer(403, google_error(403, said, "dailyLimitExceeded"))
        if self.throttle > 0:
            self.throttle -= 1
            said = "Quota exceeded for quota metric 'Queries' of service androidpublisher."
            return Answer(429, google_error(429, said, None, "RESOURCE_EXHAUSTED"))
        _, _, rest = path.partition("/applications/")
        package, _, rest = rest.partition("/")
        if package != self.package:
            return Answer(404, google_error(404, "Package not found: " + package, "notFound"))
        parts = rest.split("/", 1)
        query = {k: v[0] for k, v in seen.query.items()}
        if parts == ["reviews"] and seen.method == "GET":
            return self._list(query)
        if len(parts) == 2 and parts[0] == "reviews":
            ident = parts[1]
            if seen.method == "POST" and ident.endswith(":reply"):
                return self._reply(ident.removesuffix(":reply"), json.loads(seen.body or b"{}"))
            if seen.method == "GET" and ident in self.reviews:
                return Answer(200, self.reviews[ident])
        return Answer(404, google_error(404, "Requested entity was not found.", "notFound"))

    def _token(self, seen: Seen) -> Answer:
        form = {k: v[0] for k, v in parse_qs(seen.body.decode()).items()}
        if form.get("grant_type") != JWT_BEARER:
            return Answer(
                400,
                {"error": "unsupported_grant_type", "error_description": "Invalid grant_type: "},
            )
        assertion = form.get("assertion", "")
        try:
            header = jwt.get_unverified_header(assertion)
            claims = jwt.decode(
                assertion,
                private_key().public_key(),
                algorithms=["RS256"],
                options={"verify_aud": False, "require": ["iss", "aud", "iat", "exp"]},
            )
        except jwt.PyJWTError:
            return Answer(
                400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
            )
        valid = (
            header.get("kid") == self.key_id
            and claims.get("iss") == self.client_email
            and claims.get("scope") == SCOPE
            and str(claims.get("aud", "")).endswith("/token")
            and 0 < claims["exp"] - claims["iat"] <= 3600
        )
        if not valid:
            return Answer(
                400, {"error": "invalid_grant", "error_description": "Invalid JWT: claims refused."}
            )
        self.assertions.append({"header": header, "claims": claims})
        token = f"ya29.play-access-{len(self.tokens) + 1}"
        self.tokens.append(token)
        return Answer(
            200, {"access_token": token, "expires_in": self.expires_in, "token_type": "Bearer"}
        )

    def _list(self, query: dict[str, str]) -> Answer:
        newest_first = sorted(self.reviews, key=lambda i: self.changed.get(i, START), reverse=True)
        size = min(int(query.get("maxResults", "100")), 100, self.page_size)
        start = int(query.get("token", "Cg0x0").removeprefix("Cg0x"))
        items = [self.reviews[i] for i in newest_first[start : start + size]]
        body: dict[str, Any] = {
            "pageInfo": {
                "totalResults": len(newest_first),
                "resultPerPage": size,
                "startIndex": start,
            }
        }
        if items:
            body["reviews"] = items
        if start + size < len(newest_first):
            body["tokenPagination"] = {"nextPageToken": f"Cg0x{start + size}"}
        return Answer(200, body)

    def _reply(self, ident: str, body: dict[str, Any]) -> Answer:
        if ident not in self.reviews:
            return Answer(404, google_error(404, "Review not found.", "notFound"))
        text = body.get("replyText")
        if not isinstance(text, str) or not text.strip():
            return Answer(400, google_error(400, "Reply text is required.", "badRequest"))
        if len(text) > 350:
            return Answer(400, google_error(400, "Reply too long.", "badRequest"))
        self.posted.append((ident, body))
        reply = self.answer(ident, text)
        return Answer(200, {"result": {"replyText": text, "lastEdited": reply["lastModified"]}})


def mock_transport(fake: GooglePlayFake, before: Callable[[Any], Any] | None = None) -> Any:
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
