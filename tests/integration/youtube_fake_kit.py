"""A stateful fake of the YouTube Data API v3 (the part the ``youtube`` connector uses) and
of Google's OAuth token endpoint, for the loopback server and the unit tests.

:class:`YouTubeFake` keeps one channel's comment threads, the subscriber counts of the
commenters, the OAuth client it accepts and every reply posted. :meth:`YouTubeFake.handler`
answers a request (a :class:`~tests.integration.loopback_kit.Seen`) as documented:

- ``POST .../token`` (a form: ``grant_type=refresh_token``, ``client_id``,
  ``client_secret``, ``refresh_token``) issues ``{"access_token", "expires_in",
  "scope", "token_type"}``; a wrong client is 401 ``invalid_client``, a wrong refresh
  token 400 ``invalid_grant``. Every other endpoint wants ``Authorization: Bearer`` with
  a token it issued and did not revoke, else 401 (Google's error shape).
- ``GET .../commentThreads?part=snippet,replies&allThreadsRelatedToChannelId=...
  &order=time&maxResults=...&pageToken=...``: newest first, ``nextPageToken``; each
  thread embeds at most :attr:`embedded` replies under ``replies.comments``.
- ``GET .../commentThreads?part=snippet,replies&id=a,b``: threads by id (no pages; those
  that no longer exist are left out).
- ``GET .../comments?part=snippet&parentId=...``: a thread's replies, paged the same way.
- ``POST .../comments?part=snippet`` (``{"snippet": {"parentId", "textOriginal"}}``): a
  reply by our channel; 403 ``commentsDisabled`` on a video without comments.
- ``GET .../channels?part=statistics|snippet&id=a,b``: channels by id.
- :attr:`quota_used_up` answers 403 ``quotaExceeded``; :attr:`throttle` answers that many
  requests with 403 ``rateLimitExceeded``. YouTube sends no rate-limit headers.

Paths are matched by their last part, so the fake serves any ``base_url`` and
``token_url`` on one server. :func:`mock_transport` serves it to an
``httpx.MockTransport``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from tests.integration.loopback_kit import Answer, Seen
from tests.integration.loopback_kit import seen_of as _seen_of

CHANNEL = "UCbrandChannel000000001"
CLIENT_ID = "yt-client-1234.apps.example"
CLIENT_SECRET = "yt-client-secret-Zq81xw"
REFRESH_TOKEN = "1//yt-refresh-token-Kp3vQ"
START = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
PEOPLE = {
    "ana": ("UCana0000000000000000001", "Ana Lima", "@analima", "1200"),
    "ben": ("UCben0000000000000000002", "Ben Okafor", "@benokafor", "37"),
    "cy": ("UCcy00000000000000000003", "Cy Park", "@cypark", None),  # hidden count
}


def iso(when: datetime) -> str:
    """``2026-12-04T08:00:00Z``, as YouTube writes times."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def google_error(status: int, reason: str, message: str, domain: str = "youtube") -> Any:
    """A Google API error body."""
    return {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }


@dataclass
class YouTubeFake:
    """One YouTube channel with comments on its videos (see the module's docstring)."""

    channel_id: str = CHANNEL
    title: str = "Acme Studio"
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    refresh_token: str = REFRESH_TOKEN
    page_size: int = 100
    embedded: int = 5
    expires_in: int = 3599
    quota_used_up: bool = False
    throttle: int = 0
    disabled_videos: set[str] = field(default_factory=set)
    threads: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Thread id -> ``{"video": id, "top": comment, "replies": [comment]}``."""
    subscribers: dict[str, str | None] = field(default_factory=dict)
    """Channel id -> subscriberCount (``None``: hidden)."""
    posted: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """Every reply posted: ``(parentId, JSON body)``."""
    tokens: list[str] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)
    now: datetime = START
    _next: int = 100

    def __post_init__(self) -> None:
        for ident, _, _, count in PEOPLE.values():
            self.subscribers.setdefault(ident, count)

    # -- building the channel -------------------------------------------------------
    def tick(self, minutes: int = 1) -> datetime:
        """Move the clock on; returns the new time."""
        self.now += timedelta(minutes=minutes)
        return self.now

    def comment(self, who: str, text: str, video: str, parent: str | None = None) -> dict[str, Any]:
        """A comment resource by ``who`` (a key of PEOPLE, or "us")."""
        self._next += 1
        ident = f"Ug{self._next:06d}xYz" if parent is None else f"{parent}.{self._next:06d}"
        if who == "us":
            author, name, handle = self.channel_id, self.title, "@acmestudio"
        else:
            author, name, handle, _ = PEOPLE[who]
        at = iso(self.tick())
        snippet: dict[str, Any] = {
            "channelId": self.channel_id,
            "videoId": video,
            "textDisplay": text,
            "textOriginal": text,
            "authorDisplayName": name,
            "authorProfileImageUrl": f"https://yt3.ggpht.example/{author}.jpg",
            "authorChannelUrl": f"http://www.youtube.com/{handle}",
            "authorChannelId": {"value": author},
            "canRate": True,
            "viewerRating": "none",
            "likeCount": 3,
            "publishedAt": at,
            "updatedAt": at,
        }
        if parent is not None:
            snippet["parentId"] = parent
        return {"kind": "youtube#comment", "etag": f"e{self._next}", "id": ident,
                "snippet": snippet}  # fmt: skip

    def ask(self, who: str, text: str, video: str = "vid00000001") -> str:
        """A new top-level comment; returns the thread's id."""
        top = self.comment(who, text, video)
        self.threads[top["id"]] = {"video": video, "top": top, "replies": []}
        return str(top["id"])

    def reply(self, thread: str, who: str, text: str) -> dict[str, Any]:
        """A reply in ``thread`` by ``who`` ("us": our channel, outside cxdaily)."""
        item = self.comment(who, text, self.threads[thread]["video"], parent=thread)
        self.threads[thread]["replies"].append(item)
        return item

    # -- the API --------------------------------------------------------------------
    def handler(self, seen: Seen) -> Answer:
        """Answer one request like YouTube and Google's token endpoint."""
        last = seen.path.rstrip("/").rsplit("/", 1)[-1]
        if seen.method == "POST" and last == "token":
            return self._token(seen)
        token = seen.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.tokens or token in self.revoked:
            return Answer(401, google_error(401, "authError", "Invalid Credentials", "global"))
        if self.quota_used_up:
            text = "The request cannot be completed because you have exceeded your quota."
            return Answer(403, google_error(403, "quotaExceeded", text, "youtube.quota"))
        if self.throttle > 0:
            self.throttle -= 1
            text = "The request cannot be completed due to rate limiting."
            return Answer(403, google_error(403, "rateLimitExceeded", text, "usageLimits"))
        query = {k: v[0] for k, v in seen.query.items()}
        if seen.method == "GET" and last == "commentThreads":
            return self._threads(query)
        if seen.method == "GET" and last == "comments":
            return self._replies(query)
        if seen.method == "POST" and last == "comments":
            return self._post(json.loads(seen.body or b"{}"))
        if seen.method == "GET" and last == "channels":
            return self._channels(query)
        return Answer(404, google_error(404, "notFound", "Not Found", "global"))

    def _token(self, seen: Seen) -> Answer:
        form = {k: v[0] for k, v in parse_qs(seen.body.decode()).items()}
        if (form.get("client_id"), form.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return Answer(401, {"error": "invalid_client", "error_description": "Unauthorized"})
        if form.get("grant_type") != "refresh_token":
            return Answer(400, {"error": "unsupported_grant_type"})
        if form.get("refresh_token") != self.refresh_token:
            text = "Token has been expired or revoked."
            return Answer(400, {"error": "invalid_grant", "error_description": text})
        token = f"ya29.fake-access-{len(self.tokens) + 1}"
        self.tokens.append(token)
        return Answer(200, {"access_token": token, "expires_in": self.expires_in,
                            "scope": "https://www.googleapis.com/auth/youtube.force-ssl",
                            "token_type": "Bearer"})  # fmt: skip

    def _page(self, query: dict[str, str], items: list[Any], kind: str) -> Answer:
        size = min(int(query.get("maxResults", "20")), 100, self.page_size)
        start = int(query.get("pageToken", "QUFB0").removeprefix("QUFB"))
        body: dict[str, Any] = {
            "kind": kind,
            "etag": "etag-page",
            "pageInfo": {"totalResults": len(items), "resultsPerPage": size},
            "items": items[start : start + size],
        }
        if start + size < len(items):
            body["nextPageToken"] = f"QUFB{start + size}"
        return Answer(200, body)

    def _thread(self, ident: str) -> dict[str, Any]:
        thread = self.threads[ident]
        replies = thread["replies"]
        item: dict[str, Any] = {
            "kind": "youtube#commentThread",
            "etag": f"t{ident}",
            "id": ident,
            "snippet": {
                "channelId": self.channel_id,
                "videoId": thread["video"],
                "topLevelComment": thread["top"],
                "canReply": thread["video"] not in self.disabled_videos,
                "totalReplyCount": len(replies),
                "isPublic": True,
            },
        }
        if replies:
            item["replies"] = {"comments": replies[: self.embedded]}
        return item

    def _threads(self, query: dict[str, str]) -> Answer:
        if "id" in query:  # by id: those that exist, in no set order, no pages
            if "maxResults" in query or "order" in query:
                text = "The id filter does not support maxResults or order."
                return Answer(400, google_error(400, "incompatibleParameters", text))
            wanted = [t for t in query["id"].split(",") if t in self.threads]
            items = [self._thread(t) for t in sorted(wanted)]
            return Answer(200, {"kind": "youtube#commentThreadListResponse", "etag": "etag-ids",
                                "pageInfo": {"totalResults": len(items),
                                             "resultsPerPage": len(items)},
                                "items": items})  # fmt: skip
        if query.get("allThreadsRelatedToChannelId") != self.channel_id:
            return Answer(400, google_error(400, "missingRequiredParameter", "No filter."))
        newest_first = sorted(
            self.threads, key=lambda t: self.threads[t]["top"]["snippet"]["publishedAt"],
            reverse=True,
        )  # fmt: skip
        items = [self._thread(t) for t in newest_first]
        return self._page(query, items, "youtube#commentThreadListResponse")

    def _replies(self, query: dict[str, str]) -> Answer:
        thread = self.threads.get(query.get("parentId", ""))
        if thread is None:
            return Answer(404, google_error(404, "commentNotFound", "Comment not found."))
        return self._page(query, list(thread["replies"]), "youtube#commentListResponse")

    def _post(self, body: dict[str, Any]) -> Answer:
        snippet = body.get("snippet") or {}
        parent, text = snippet.get("parentId"), snippet.get("textOriginal")
        if parent not in self.threads:
            return Answer(404, google_error(404, "parentCommentNotFound", "Parent not found."))
        if not isinstance(text, str) or not text:
            return Answer(400, google_error(400, "commentTextRequired", "Text is required."))
        if len(text) > 10_000:
            return Answer(400, google_error(400, "commentTextTooLong", "Text is too long."))
        if self.threads[parent]["video"] in self.disabled_videos:
            text = "Comments are disabled for this video."
            return Answer(403, google_error(403, "commentsDisabled", text))
        self.posted.append((parent, body))
        return Answer(200, self.reply(parent, "us", text))

    def _channels(self, query: dict[str, str]) -> Answer:
        items = []
        for ident in query.get("id", "").split(","):
            if ident == self.channel_id:
                snippet = {"title": self.title, "customUrl": "@acmestudio"}
                items.append({"kind": "youtube#channel", "id": ident, "snippet": snippet,
                              "statistics": {"subscriberCount": "52000",
                                             "hiddenSubscriberCount": False}})  # fmt: skip
            elif ident in self.subscribers:
                count = self.subscribers[ident]
                stats = {"viewCount": "10", "videoCount": "1",
                         "hiddenSubscriberCount": count is None}  # fmt: skip
                if count is not None:
                    stats["subscriberCount"] = count
                items.append({"kind": "youtube#channel", "id": ident, "statistics": stats})
        return Answer(200, {"kind": "youtube#channelListResponse", "etag": "c",
                            "pageInfo": {"totalResults": len(items), "resultsPerPage": 50},
                            "items": items})  # fmt: skip


def mock_transport(fake: YouTubeFake, before: Callable[[Any], Any] | None = None) -> Any:
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
