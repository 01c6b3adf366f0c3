"""A stateful fake of the X API v2 (the part the ``x`` connector uses), shaped like its
documented answers: the brand's mentions timeline and its own posts timeline (newest
first, ``since_id`` / ``start_time``, ``meta.next_token`` pages, ``includes.users`` and
``includes.tweets``), ``POST /2/tweets`` replies (403 on duplicate content),
``GET /2/users/me``, the OAuth 2.0 token endpoint (refresh tokens, rotated on use),
Bearer tokens that expire on demand (401), and 429s on demand (``x-rate-limit-reset``,
no ``Retry-After``; ``usage-capped`` too).

``FakeX.handler(seen)`` answers a loopback server's requests (see ``loopback_kit``);
``FakeX.respond(...)`` is the same answer for any transport (the unit tests wrap it in
an ``httpx.MockTransport``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import parse_qs

from tests.integration.loopback_kit import Answer, Seen

TOKEN = "x-user-access-token-0001"
REFRESH = "x-refresh-token-0001"
CLIENT_ID = "Y2xpZW50LWlkLTAwMQ"
BRAND_ID = "1500000000000000001"
BRAND = "acme"
T0 = 1_796_371_200.0  # 2026-12-04T08:00:00Z
EPOCH_MS = 1288834974657


def snowflake(at: float, sequence: int) -> str:
    """A post id as X makes them: milliseconds since its epoch, shifted, plus a sequence."""
    return str(((int(at * 1000) - EPOCH_MS) << 22) + sequence)


def iso(at: float) -> str:
    """A time as X writes ``created_at``."""
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def problem(status: int, title: str, detail: str, kind: str = "about:blank") -> dict[str, Any]:
    """An error body as X sends one (an RFC 7807 Problem)."""
    return {"title": title, "detail": detail, "type": kind, "status": status}


@dataclass
class FakeX:
    """One brand account on X, its customers and their posts."""

    token: str = TOKEN
    refresh_token: str = REFRESH
    page_size: int = 100
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    tweets: dict[str, dict[str, Any]] = field(default_factory=dict)
    replies: list[dict[str, Any]] = field(default_factory=list)
    """The JSON of every ``POST /2/tweets`` accepted."""
    refreshes: list[dict[str, list[str]]] = field(default_factory=list)
    """The form of every token request."""
    seen: list[Seen] = field(default_factory=list)
    throttled: list[tuple[dict[str, Any], dict[str, str]]] = field(default_factory=list)
    clock: float = T0
    sequence: int = 0

    def __post_init__(self) -> None:
        self.add_user(BRAND_ID, BRAND, "Acme", followers=52_000, verified=True)

    # -- state -------------------------------------------------------------------
    def add_user(
        self, ident: str, username: str, name: str, *, followers: int = 10, verified: bool = False
    ) -> dict[str, Any]:
        """A user, as ``includes.users`` shows one."""
        self.users[ident] = {
            "id": ident,
            "name": name,
            "username": username,
            "verified": verified,
            "public_metrics": {
                "followers_count": followers,
                "following_count": 3,
                "tweet_count": 40,
                "listed_count": 0,
                "like_count": 7,
            },
        }
        return self.users[ident]

    def post(
        self, author: str, text: str, *, reply_to: str | None = None, at: float | None = None,
        retweet_of: str | None = None, lang: str = "en",
    ) -> dict[str, Any]:  # fmt: skip
        """A new post by ``author`` (a user id), perhaps replying to another post."""
        self.clock = at if at is not None else self.clock + 60
        self.sequence += 1
        ident = snowflake(self.clock, self.sequence)
        refs = []
        parent = self.tweets.get(reply_to or "")
        if reply_to:
            refs.append({"type": "replied_to", "id": reply_to})
        if retweet_of:
            refs.append({"type": "retweeted", "id": retweet_of})
        tweet: dict[str, Any] = {
            "id": ident,
            "text": escape(text, quote=False),  # X writes &, < and > as entities
            "author_id": author,
            "created_at": iso(self.clock),
            "conversation_id": parent["conversation_id"] if parent else ident,
            "lang": lang,
            "edit_history_tweet_ids": [ident],
            "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 1,
                               "quote_count": 0, "bookmark_count": 0, "impression_count": 9},
        }  # fmt: skip
        if parent:
            tweet["in_reply_to_user_id"] = parent["author_id"]
        if refs:
            tweet["referenced_tweets"] = refs
        self.tweets[ident] = tweet
        return tweet

    def mention(self, author: str, text: str, **kwargs: Any) -> dict[str, Any]:
        """A customer's post naming the brand."""
        return self.post(author, text, **kwargs)

    def brand_replies(self, to: str, text: str) -> dict[str, Any]:
        """The brand answers a post in the X app itself."""
        return self.post(BRAND_ID, f"@{self._username(to)} {text}", reply_to=to)

    def _username(self, tweet_id: str) -> str:
        return self.users[self.tweets[tweet_id]["author_id"]]["username"]

    def expire_token(self) -> None:
        """The access token stops working (it is two hours old)."""
        self.token = "not-" + self.token

    def throttle(self, *, reset: float | None = None, usage_capped: bool = False) -> None:
        """Answer the next API request with a 429 (as X: ``x-rate-limit-*``, no Retry-After)."""
        headers = {"x-rate-limit-limit": "300", "x-rate-limit-remaining": "0"}
        if reset is not None:
            headers["x-rate-limit-reset"] = str(int(reset))
        if usage_capped:
            body = problem(429, "UsageCapExceeded", "Usage cap exceeded: Monthly product cap",
                           "https://api.x.com/2/problems/usage-capped")  # fmt: skip
            body.update(period="Monthly", scope="Product")
        else:
            body = problem(429, "Too Many Requests", "Too Many Requests")
        self.throttled.append((body, headers))

    # -- the API -------------------------------------------------------------------
    def handler(self, seen: Seen) -> Answer:
        """Answer one request of a loopback server."""
        return self.respond(seen)

    def respond(self, seen: Seen) -> Answer:
        """X's answer to one request."""
        self.seen.append(seen)
        if seen.method == "POST" and seen.path == "/2/oauth2/token":
            return self._token(parse_qs(seen.body.decode()))
        if self.throttled:
            body, headers = self.throttled.pop(0)
            return Answer(429, body, headers=headers)
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            return Answer(401, problem(401, "Unauthorized", "Unauthorized"))
        parts = seen.path.strip("/").split("/")
        if seen.method == "GET" and parts == ["2", "users", "me"]:
            me = self.users[BRAND_ID]
            return Answer(200, {"data": {k: me[k] for k in ("id", "name", "username")}})
        if seen.method == "GET" and parts[:3] == ["2", "users", BRAND_ID]:
            if parts[3:] == ["mentions"]:
                mine = [t for t in self.tweets.values() if f"@{BRAND}" in t["text"].lower()]
                return self._timeline(seen, mine)
            if parts[3:] == ["tweets"]:
                own = [t for t in self.tweets.values() if t["author_id"] == BRAND_ID]
                return self._timeline(seen, own)
        if seen.method == "POST" and parts == ["2", "tweets"]:
            return self._create(json.loads(seen.body))
        return Answer(404, problem(404, "Not Found Error", "Not found",
                                   "https://api.x.com/2/problems/resource-not-found"))  # fmt: skip

    def _timeline(self, seen: Seen, tweets: list[dict[str, Any]]) -> Answer:
        query = {k: v[0] for k, v in seen.query.items()}
        if "since_id" in query:
            tweets = [t for t in tweets if _number(t["id"]) > int(query["since_id"])]
        if "start_time" in query:
            tweets = [t for t in tweets if t["created_at"][:19] >= query["start_time"][:19]]
        tweets = sorted(tweets, key=lambda t: -_number(t["id"]))
        limit = min(int(query.get("max_results", "10")), self.page_size)
        start = int(query.get("pagination_token", "0").removeprefix("tok"))
        page = tweets[start : start + limit]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta["newest_id"], meta["oldest_id"] = page[0]["id"], page[-1]["id"]
        if start + limit < len(tweets):
            meta["next_token"] = f"tok{start + limit}"
        if not page:
            return Answer(200, {"meta": meta})
        expansions = query.get("expansions", "").split(",")
        users: dict[str, dict[str, Any]] = {}
        referenced: dict[str, dict[str, Any]] = {}
        for tweet in page:
            if "author_id" in expansions:
                users.setdefault(tweet["author_id"], self.users[tweet["author_id"]])
            for ref in tweet.get("referenced_tweets", []):
                parent = self.tweets.get(ref["id"])
                if parent is not None and "referenced_tweets.id" in expansions:
                    referenced.setdefault(parent["id"], parent)
                    if "referenced_tweets.id.author_id" in expansions:
                        users.setdefault(parent["author_id"], self.users[parent["author_id"]])
        body: dict[str, Any] = {"data": page, "meta": meta}
        includes: dict[str, Any] = {}
        if users:
            includes["users"] = list(users.values())
        if referenced:
            includes["tweets"] = list(referenced.values())
        if includes:
            body["includes"] = includes
        return Answer(200, body)

    def _create(self, posted: dict[str, Any]) -> Answer:
        text = posted.get("text")
        reply = posted.get("reply") or {}
        target = reply.get("in_reply_to_tweet_id")
        if not isinstance(text, str) or target not in self.tweets:
            return Answer(400, problem(400, "Invalid Request", "One or more parameters to "
                                       "your request was invalid.",
                                       "https://api.x.com/2/problems/invalid-request"))  # fmt: skip
        if any(t["author_id"] == BRAND_ID and t["text"] == escape(text, quote=False)
               for t in self.tweets.values()):  # fmt: skip
            return Answer(403, problem(403, "Forbidden", "You are not allowed to create a "
                                       "Tweet with duplicate content."))  # fmt: skip
        self.replies.append(posted)
        tweet = self.post(BRAND_ID, text, reply_to=target)
        return Answer(201, {"data": {"id": tweet["id"], "text": tweet["text"],
                                     "edit_history_tweet_ids": [tweet["id"]]}})  # fmt: skip

    def _token(self, form: dict[str, list[str]]) -> Answer:
        self.refreshes.append(form)
        grant = (form.get("grant_type") or [""])[0]
        given = (form.get("refresh_token") or [""])[0]
        if grant != "refresh_token" or given != self.refresh_token:
            refused = "Value passed for the token was invalid."
            return Answer(400, {"error": "invalid_request", "error_description": refused})
        count = len(self.refreshes)
        self.token = f"{TOKEN}-refreshed-{count}"
        self.refresh_token = f"{REFRESH}-rotated-{count}"
        scopes = "tweet.read tweet.write users.read offline.access"
        granted = {"token_type": "bearer", "expires_in": 7200, "scope": scopes}
        return Answer(200, {**granted, "access_token": self.token,
                            "refresh_token": self.refresh_token})  # fmt: skip


def _number(ident: object) -> int:
    """A post id as a number for sorting (a test may have broken it on purpose)."""
    return int(ident) if isinstance(ident, str) and ident.isdigit() else 0
