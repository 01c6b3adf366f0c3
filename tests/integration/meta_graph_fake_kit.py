"""A stateful fake of Meta's Graph API (the parts the ``facebook`` and ``instagram``
connectors use), shaped like its documented answers.

Facebook: a Page (``GET /{page}``), its feed with each post's comments embedded (newest
first, ``filter(stream)``: replies included with ``parent``), one post shown the same way
(``GET /{post}``), a post's or a comment's comments, replies posted as the Page, and
Messenger conversations with the Send API.
Instagram: a professional account, its media, each media's comments with their
``replies``, replies posted as the account, and the renewal of an Instagram Login token
(``GET /refresh_access_token?grant_type=ig_refresh_token&access_token=``, unversioned: a
new token, and the old one stops working). Everything else is under ``/{version}/``,
lists are cursor pages (``paging.cursors`` and ``paging.next``), the token must come as
``Authorization: Bearer`` (else a Graph error 190 with HTTP 401), and throttles
(a Graph error code with usage headers) are answered on demand.

``FakeGraph.handler(seen)`` answers a loopback server's requests (see ``loopback_kit``);
``FakeGraph.respond(seen)`` is the same answer for any transport.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

from tests.integration.loopback_kit import Answer, Seen

TOKEN = "EAAGraphPageToken0001xyz"
VERSION = "v26.0"
PAGE_ID = "104523859874321"
PAGE_NAME = "Acme Coffee"
IG_USER_ID = "17841400008460056"
IG_USERNAME = "acmecoffee"
T0 = 1_796_371_200.0  # 2026-12-04T08:00:00Z
PUBLIC_HOST = "https://graph.facebook.com"
"""Where Graph's ``paging.next`` links point (the connector never calls them)."""


def graph_time(epoch: float) -> str:
    """A time as Facebook writes one: ``2026-12-04T08:00:00+0000``."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def graph_error(code: int, message: str, kind: str = "OAuthException", subcode: int | None = None):
    """A Graph API error body."""
    error: dict[str, Any] = {"message": message, "type": kind, "code": code,
                             "fbtrace_id": "AbCdEfGhIjK"}  # fmt: skip
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


def _cursor(index: int) -> str:
    return base64.b64encode(f"idx:{index}".encode()).decode().rstrip("=")


def _index(cursor: str) -> int:
    padded = cursor + "=" * (-len(cursor) % 4)
    return int(base64.b64decode(padded).decode().split(":")[1])


@dataclass
class FakeGraph:
    """One Facebook Page (with Messenger) and one Instagram professional account."""

    token: str = TOKEN
    page_id: str = PAGE_ID
    ig_user_id: str = IG_USER_ID
    page_size: int = 2
    embedded_size: int = 3
    """Comments embedded in a feed post before ``paging.next`` says there are more."""
    clock: float = T0
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Comments (and replies) of each post or media, oldest first."""
    conversations: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    replies: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """``(target id, what was posted)`` of every reply or message received."""
    seen: list[Seen] = field(default_factory=list)
    throttled: list[Answer] = field(default_factory=list)
    counter: int = 300
    token_renewals: int = 0
    """How many times the token was renewed (``refresh_access_token``)."""

    # -- state ---------------------------------------------------------------------
    def tick(self, at: float | None = None) -> float:
        """The time of the next event (``at``, or one minute after the last)."""
        self.clock = at if at is not None else self.clock + 60
        return self.clock

    def _next_id(self) -> str:
        self.counter += 1
        return str(self.counter)

    def post(self, text: str, *, at: float | None = None, author: dict | None = None) -> str:
        """The Page (or ``author``) posts ``text`` on the Page; returns the post id."""
        ident = f"{self.page_id}_{self._next_id()}"
        when = self.tick(at)
        self.posts[ident] = {
            "id": ident, "message": text, "created_time": graph_time(when),
            "permalink_url": f"https://www.facebook.com/{self.page_id}/posts/{ident}",
            "from": author or {"name": PAGE_NAME, "id": self.page_id},
        }  # fmt: skip
        self.comments[ident] = []
        return ident

    def comment(
        self, on: str, text: str | None, *, person: tuple[str, str] | None = ("Jane Roe", "9001"),
        parent: str | None = None, at: float | None = None,
    ) -> str:  # fmt: skip
        """A comment on post ``on`` (a reply under ``parent``); ``person=None``: the Page,
        ``person=()``: an author the API does not show (no ``from``)."""
        suffix = on.split("_")[-1]
        ident = f"{suffix}_{self._next_id()}"
        when = self.tick(at)
        item: dict[str, Any] = {
            "id": ident, "created_time": graph_time(when),
            "permalink_url": f"https://www.facebook.com/{on}?comment_id={ident}",
            "like_count": 0, "comment_count": 0,
        }  # fmt: skip
        if text is not None:
            item["message"] = text
        if person is None:
            item["from"] = {"name": PAGE_NAME, "id": self.page_id}
        elif person:
            item["from"] = {"name": person[0], "id": person[1]}
        if parent is not None:
            item["parent"] = {"id": parent}
            for other in self.comments[on]:
                if other["id"] == parent:
                    other["comment_count"] += 1
        self.comments[on].append(item)
        return ident

    def chat(self, conversation: str, text: str, *, psid: str = "6200011", name: str = "Ana Lima",
             from_page: bool = False, at: float | None = None) -> str:  # fmt: skip
        """A Messenger message in ``conversation`` (created on its first message)."""
        when = self.tick(at)
        page = {"name": PAGE_NAME, "email": f"{self.page_id}@facebook.com", "id": self.page_id}
        person = {"name": name, "email": f"{psid}@facebook.com", "id": psid}
        chat = self.conversations.setdefault(conversation, {
            "id": conversation, "participants": {"data": [person, page]}, "messages": [],
        })  # fmt: skip
        ident = f"m_{self._next_id()}"
        sender, receiver = (page, person) if from_page else (person, page)
        chat["messages"].append({
            "id": ident, "message": text, "from": sender, "to": {"data": [receiver]},
            "created_time": graph_time(when),
        })  # fmt: skip
        chat["updated_time"] = graph_time(when)
        return ident

    # -- Instagram state ------------------------------------------------------------
    def ig_media(self, caption: str, *, at: float | None = None) -> str:
        """The account publishes a media with ``caption``; returns its id."""
        ident = f"179{self._next_id()}"
        when = self.tick(at)
        self.media[ident] = {
            "id": ident, "caption": caption, "timestamp": graph_time(when),
            "permalink": f"https://www.instagram.com/p/C{ident}/", "comments_count": 0,
        }  # fmt: skip
        self.comments[ident] = []
        return ident

    def ig_comment(
        self, media: str, text: str, *, username: str = "jane.roe", user_id: str = "1789001",
        parent: str | None = None, at: float | None = None, ours: bool = False,
    ) -> str:  # fmt: skip
        """A comment on ``media`` (a reply under ``parent``; ``ours``: by the account)."""
        ident = f"180{self._next_id()}"
        when = self.tick(at)
        if ours:
            username, user_id = IG_USERNAME, self.ig_user_id
        item: dict[str, Any] = {
            "id": ident, "text": text, "timestamp": graph_time(when), "username": username,
            "from": {"id": user_id, "username": username}, "like_count": 0,
        }  # fmt: skip
        if parent is not None:
            item["parent_id"] = parent
        self.comments[media].append(item)
        self.media[media]["comments_count"] += 1
        return ident

    # -- the API -------------------------------------------------------------------
    def handler(self, seen: Seen) -> Answer:
        """Answer one request of a loopback server."""
        return self.respond(seen)

    def respond(self, seen: Seen) -> Answer:
        """Graph's answer to one request."""
        self.seen.append(seen)
        if self.throttled:
            return self.throttled.pop(0)
        if seen.method == "GET" and seen.path == "/refresh_access_token":
            return self._renew_token(seen)
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            return Answer(401, graph_error(190, "Invalid OAuth access token - Cannot parse"))
        parts = seen.path.strip("/").split("/")
        if not parts or parts[0] != VERSION:
            return Answer(400, graph_error(2635, "Unknown or deprecated API version"))
        parts = parts[1:]
        get = seen.method == "GET"
        if get and parts == [self.page_id]:
            return Answer(200, {"id": self.page_id, "name": PAGE_NAME})
        if get and parts == [self.ig_user_id]:
            return Answer(200, {"id": self.ig_user_id, "username": IG_USERNAME})
        if get and parts == [self.page_id, "feed"]:
            return self._feed(seen)
        if get and len(parts) == 1 and parts[0] in self.posts:
            return Answer(200, self._shown_post(parts[0], self.posts[parts[0]]))
        if get and parts == [self.page_id, "conversations"]:
            listed = sorted(self.conversations.values(), key=lambda c: c["updated_time"],
                            reverse=True)  # fmt: skip
            return self._page(seen, [self._conversation(c, 10) for c in listed])
        if get and len(parts) == 1 and parts[0] in self.conversations:
            return Answer(200, {"id": parts[0],
                                "messages": self._conversation(self.conversations[parts[0]],
                                                               25)["messages"]})  # fmt: skip
        if seen.method == "POST" and parts == [self.page_id, "messages"]:
            return self._send(json.loads(seen.body))
        if get and parts == [self.ig_user_id, "media"]:
            listed = sorted(self.media.values(), key=lambda m: m["timestamp"], reverse=True)
            return self._page(seen, listed)
        if len(parts) == 2 and parts[1] == "comments":
            return self._comments(seen, parts[0])
        if len(parts) == 2 and parts[1] == "replies" and seen.method == "POST":
            return self._ig_reply(seen, parts[0])
        if get and len(parts) == 2 and parts[1] == "replies":
            for media, listed in self.comments.items():
                if media in self.media and any(c["id"] == parts[0] for c in listed):
                    under = [c for c in listed if c.get("parent_id") == parts[0]]
                    return self._page(seen, [_reply_fields(c) for c in under])
        return Answer(400, graph_error(100, "Unsupported request - method type: get",
                                       kind="GraphMethodException"))  # fmt: skip

    def _renew_token(self, seen: Seen) -> Answer:
        """A long-lived Instagram Login token renewed for 60 days (the token is taken from
        the query, as the documented call sends it)."""
        given = (seen.query.get("access_token") or [""])[0]
        if (seen.query.get("grant_type") or [""])[0] != "ig_refresh_token" or given != self.token:
            return Answer(400, graph_error(190, "Invalid OAuth access token - Cannot parse"))
        self.token_renewals += 1
        self.token = f"IGAARenewedToken{self.token_renewals:04d}xyz"
        return Answer(200, {"access_token": self.token, "token_type": "bearer",
                            "expires_in": 5183944})  # fmt: skip

    def _feed(self, seen: Seen) -> Answer:
        since = float((seen.query.get("since") or ["0"])[0])
        posts = [(k, p) for k, p in self.posts.items() if _epoch(p["created_time"]) >= since]
        posts.sort(key=lambda kp: kp[1]["created_time"], reverse=True)
        return self._page(seen, [self._shown_post(key, post) for key, post in posts])

    def _shown_post(self, key: str, post: dict[str, Any]) -> dict[str, Any]:
        """A post as the feed (or ``GET /{post_id}``) shows it: its newest comments
        embedded, with a cursor to the rest."""
        item = dict(post)
        newest_first = list(reversed(self.comments[key]))
        if newest_first:
            item["comments"] = self._list(newest_first, 0, self.embedded_size,
                                          f"/{VERSION}/{key}/comments", {})  # fmt: skip
        return item

    def _comments(self, seen: Seen, target: str) -> Answer:
        if seen.method == "POST":
            return self._fb_reply(seen, target)
        if target in self.posts:
            items = list(reversed(self.comments[target]))
            return self._page(seen, items)
        if target in self.media:
            return self._page(
                seen,
                [
                    self._ig_with_replies(target, c)
                    for c in self.comments[target]
                    if "parent_id" not in c
                ],
            )
        for post, listed in self.comments.items():
            if post in self.posts and any(c["id"] == target for c in listed):
                under = [c for c in reversed(listed) if c.get("parent", {}).get("id") == target]
                return self._page(seen, under)
        return Answer(400, graph_error(100, "Object does not exist", kind="GraphMethodException",
                                       subcode=33))  # fmt: skip

    def _fb_reply(self, seen: Seen, target: str) -> Answer:
        form = {k: v[0] for k, v in parse_qs(seen.body.decode()).items()}
        if not form.get("message"):
            return Answer(400, graph_error(100, "(#100) Missing message or attachment"))
        for post, listed in self.comments.items():
            if post in self.posts and any(c["id"] == target for c in listed):
                self.replies.append((target, form))
                ident = self.comment(post, form["message"], person=None, parent=target)
                return Answer(200, {"id": ident})
        return Answer(400, graph_error(100, "Object does not exist", subcode=33))

    def _send(self, posted: dict[str, Any]) -> Answer:
        psid = (posted.get("recipient") or {}).get("id")
        for cid, chat in self.conversations.items():
            people = [p["id"] for p in chat["participants"]["data"]]
            if psid in people:
                self.replies.append((cid, posted))
                ident = self.chat(cid, posted["message"]["text"], psid=psid, from_page=True)
                return Answer(200, {"recipient_id": psid, "message_id": ident})
        return Answer(400, graph_error(100, "(#100) No matching user found", subcode=2018001))

    def _ig_reply(self, seen: Seen, target: str) -> Answer:
        form = {k: v[0] for k, v in parse_qs(seen.body.decode()).items()}
        for media, listed in self.comments.items():
            if media in self.media and any(c["id"] == target for c in listed):
                self.replies.append((target, form))
                return Answer(
                    200,
                    {
                        "id": self.ig_comment(
                            media, form.get("message", ""), parent=target, ours=True
                        )
                    },
                )
        return Answer(400, graph_error(100, "Object does not exist", subcode=33))

    def _ig_with_replies(self, media: str, item: dict[str, Any]) -> dict[str, Any]:
        under = [_reply_fields(c) for c in self.comments[media] if c.get("parent_id") == item["id"]]
        shown = {k: v for k, v in item.items() if k != "parent_id"}
        if under:  # the first replies, with a cursor to the rest as Graph pages an edge
            path = f"/{VERSION}/{item['id']}/replies"
            shown["replies"] = self._list(under, 0, self.embedded_size, path, {})
        return shown

    def _conversation(self, chat: dict[str, Any], limit: int) -> dict[str, Any]:
        newest = list(reversed(chat["messages"]))[:limit]
        return {"id": chat["id"], "updated_time": chat["updated_time"],
                "participants": chat["participants"],
                "messages": {"data": newest, "paging": {"cursors": {}}}}  # fmt: skip

    def _page(self, seen: Seen, items: list[dict[str, Any]]) -> Answer:
        asked = int((seen.query.get("limit") or ["25"])[0])
        start = _index(seen.query["after"][0]) if "after" in seen.query else 0
        query = {k: v[0] for k, v in seen.query.items() if k != "after"}
        return Answer(200, self._list(items, start, min(asked, self.page_size), seen.path, query))

    def _list(self, items, start, size, path, query) -> dict[str, Any]:
        end = start + size
        page: dict[str, Any] = {"data": items[start:end]}
        if items:
            paging: dict[str, Any] = {"cursors": {"before": _cursor(start), "after": _cursor(end)}}
            if end < len(items):
                asked = urlencode({**query, "access_token": "EAAfromthequery", "limit": size,
                                   "after": _cursor(end)})  # fmt: skip
                paging["next"] = f"{PUBLIC_HOST}{path}?{asked}"
            page["paging"] = paging
        return page

    def throttle(self, code: int = 32, *, status: int = 400, minutes: int | None = None,
                 header: str = "X-Business-Use-Case-Usage") -> None:  # fmt: skip
        """Answer the next request with a Graph throttling error (and a usage header
        giving ``estimated_time_to_regain_access`` in minutes, when given)."""
        headers: dict[str, str] = {}
        if minutes is not None:
            usage = {"type": "pages", "call_count": 100, "total_cputime": 40, "total_time": 55,
                     "estimated_time_to_regain_access": minutes}  # fmt: skip
            value = {self.page_id: [usage]} if "business" in header.lower() else usage
            headers[header] = json.dumps(value)
        messages = {
            4: "(#4) Application request limit reached",
            17: "(#17) User request limit reached",
            32: "(#32) Page request limit reached",
        }
        message = messages.get(code, f"(#{code}) There have been too many calls")
        self.throttled.append(Answer(status, graph_error(code, message), headers=headers))


def _reply_fields(item: dict[str, Any]) -> dict[str, Any]:
    return {k: item[k] for k in ("id", "text", "username", "timestamp", "from") if k in item}


def _epoch(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z").timestamp()
