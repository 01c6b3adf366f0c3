"""A stateful fake of a WordPress site's REST API (the part the ``wordpress`` connector
uses), shaped like the documented answers: HTTP Basic with an application password
(``401 incorrect_password`` otherwise), the REST root at ``/wp-json/`` and at
``/?rest_route=/``, ``GET /wp/v2/users/me``, ``GET /wp/v2/comments`` (``after`` compared
with the site's *local* time as WordPress does, ``status``, ``parent``, ``author``,
``orderby``/``order``, ``page``/``per_page`` with ``X-WP-Total``, ``X-WP-TotalPages`` and
a ``Link`` header), ``GET /wp/v2/comments/{id}``, ``GET /wp/v2/posts/{id}`` and
``/wp/v2/pages/{id}``, and ``POST /wp/v2/comments`` (201, or 409 ``comment_duplicate``
for the same text by the same user under the same parent). A 429 with ``Retry-After``,
a 500 on a path and a malformed page come on demand.

``FakeWordPress.handler(seen)`` answers a loopback server's requests (see
``loopback_kit``); ``FakeWordPress.respond(seen)`` is the same answer for any transport.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.loopback_kit import Answer, Seen

USERNAME = "acme-support"
APP_PASSWORD = "abcd EFGH 1234 ijkl MNOP 5678"
OUR_ID = 7
T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
SITE = "https://blog.acme.example"
"""Where the links in the fake's answers point (its ``link`` fields)."""


def _error(status: int, code: str, message: str) -> Answer:
    return Answer(status, {"code": code, "message": message, "data": {"status": status}})


@dataclass
class FakeWordPress:
    """Users, posts and comments of a small WordPress site, and what was posted to it."""

    utc_offset_hours: int = 2
    """The site's time zone: ``date`` is local, ``after`` is compared with it."""
    now: datetime = T0
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    posts: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    throttled: list[dict[str, str]] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)
    """Routes (``wp/v2/posts/3``) that answer 500."""
    malformed: set[str] = field(default_factory=set)
    """Routes that answer 200 with something that is not what the docs say."""
    posted: list[dict[str, Any]] = field(default_factory=list)
    """Every ``POST /wp/v2/comments`` body that created a comment."""
    seen: list[Seen] = field(default_factory=list)
    _ids: int = 0

    def __post_init__(self) -> None:
        self.users[OUR_ID] = {"id": OUR_ID, "username": USERNAME, "name": "Acme Support",
                              "slug": USERNAME, "email": "support@acme.example",
                              "roles": ["editor"]}  # fmt: skip

    # -- building the site -----------------------------------------------------------
    def _id(self) -> int:
        self._ids += 1
        return self._ids

    def tick(self, minutes: int = 5) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now

    def post(self, title: str, *, page: bool = False) -> int:
        """A published post (or page); returns its id."""
        ident = self._id()
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "post"
        self.posts[ident] = {"id": ident, "type": "page" if page else "post",
                             "title": {"rendered": title}, "link": f"{SITE}/{slug}/"}  # fmt: skip
        return ident

    def comment(
        self,
        post: int,
        text: str,
        *,
        name: str = "Jane Visitor",
        email: str | None = "jane@example.org",
        author: int = 0,
        parent: int = 0,
        status: str = "approved",
        at: datetime | None = None,
    ) -> int:
        """A comment (``author`` 0: a visitor); returns its id."""
        ident = self._id()
        when = at or self.tick()
        local = when + timedelta(hours=self.utc_offset_hours)
        if author:
            user = self.users[author]
            name, email = user["name"], user["email"]
        self.comments[ident] = {
            "id": ident, "post": post, "parent": parent, "author": author,
            "author_name": name, "author_email": email or "", "author_url": "",
            "author_ip": "127.0.0.1", "author_user_agent": "Mozilla/5.0",
            "date": local.strftime("%Y-%m-%dT%H:%M:%S"),
            "date_gmt": when.strftime("%Y-%m-%dT%H:%M:%S"),
            "content": {"rendered": f"<p>{text}</p>\n", "raw": text},
            "link": f"{self.posts[post]['link']}#comment-{ident}",
            "status": status, "type": "comment",
            "author_avatar_urls": {"24": "https://secure.gravatar.com/avatar/0?s=24"},
            "meta": [],
            "_links": {"up": [{"embeddable": True, "post_type": "post",
                               "href": f"{SITE}/wp-json/wp/v2/posts/{post}"}]},
        }  # fmt: skip
        return ident

    def reply_by_us(self, parent: int, text: str) -> int:
        """A reply of our user under ``parent``."""
        post = self.comments[parent]["post"]
        return self.comment(post, text, author=OUR_ID, parent=parent)

    def throttle(self, **headers: str) -> None:
        """Answer the next request with a 429 and these headers (``Retry_After="7"``)."""
        self.throttled.append({k.replace("_", "-"): v for k, v in headers.items()})

    def children(self, parent: int) -> list[dict[str, Any]]:
        """The comments under ``parent``, oldest first."""
        found = [c for c in self.comments.values() if c["parent"] == parent]
        return sorted(found, key=lambda c: (c["date_gmt"], c["id"]))

    # -- answering -------------------------------------------------------------------
    def handler(self, seen: Seen) -> Answer:
        """Answer one request of a loopback server."""
        return self.respond(seen)

    def respond(self, seen: Seen) -> Answer:
        """The site's answer to one request."""
        self.seen.append(seen)
        if self.throttled:
            return Answer(429, {"code": "too_many_requests", "message": "Slow down."},
                          headers=self.throttled.pop(0))  # fmt: skip
        if seen.path.startswith("/wp-json/"):
            route = seen.path[len("/wp-json/") :]
        elif seen.path in ("/", "") and "rest_route" in seen.query:
            route = seen.query["rest_route"][0].lstrip("/")
        else:
            return Answer(404, "<html>Page not found</html>")
        route = route.rstrip("/")
        pair = f"{USERNAME}:{''.join(APP_PASSWORD.split())}"
        if seen.headers.get("authorization") != f"Basic {base64.b64encode(pair.encode()).decode()}":
            return _error(401, "incorrect_password", "The provided password is an invalid "
                          "application password.")  # fmt: skip
        if route in self.failing:
            return _error(500, "internal_server_error", "There has been a critical error.")
        if route in self.malformed:
            return Answer(200, {"not": "a list"})
        answer = self._route(seen, route)
        answer.headers = {"Link": f'<{SITE}/wp-json/>; rel="https://api.w.org/"',
                          **answer.headers}  # fmt: skip
        return answer

    def _route(self, seen: Seen, route: str) -> Answer:
        if seen.method == "POST" and route == "wp/v2/comments":
            return self._create(json.loads(seen.body or b"{}"))
        if seen.method != "GET":
            return _error(404, "rest_no_route", "No route was found.")
        if route == "wp/v2/users/me":
            return Answer(200, {**self.users[OUR_ID], "link": f"{SITE}/author/{USERNAME}/"})
        if route == "wp/v2/comments":
            return self._list(seen)
        if match := re.fullmatch(r"wp/v2/comments/(\d+)", route):
            found = self.comments.get(int(match[1]))
            if found is None:
                return _error(404, "rest_comment_invalid_id", "Invalid comment ID.")
            return Answer(200, found)
        if match := re.fullmatch(r"wp/v2/(posts|pages)/(\d+)", route):
            post = self.posts.get(int(match[2]))
            if post is None or post["type"] != match[1][:-1]:
                return _error(404, "rest_post_invalid_id", "Invalid post ID.")
            return Answer(200, {"title": post["title"], "link": post["link"]})
        return _error(404, "rest_no_route", "No route was found matching the URL.")

    def _list(self, seen: Seen) -> Answer:
        q = {key: values[0] for key, values in seen.query.items()}
        status = {"approve": "approved"}.get(q.get("status", "approve"), q.get("status"))
        found = [c for c in self.comments.values() if c["status"] == status]
        if "after" in q:  # WordPress compares the local ``date`` (comment_date)
            found = [c for c in found if c["date"] > q["after"]]
        if "parent" in q:
            parents = {int(p) for p in q["parent"].split(",")}
            found = [c for c in found if c["parent"] in parents]
        if "author" in q:
            authors = {int(a) for a in q["author"].split(",")}
            found = [c for c in found if c["author"] in authors]
        key = "date_gmt" if q.get("orderby") == "date_gmt" else "date"
        found.sort(key=lambda c: (c[key], c["id"]), reverse=q.get("order", "desc") == "desc")
        per_page = min(int(q.get("per_page", "10")), 100)
        page = int(q.get("page", "1"))
        pages = max(1, -(-len(found) // per_page))
        if page > pages and found:
            return _error(400, "rest_comment_invalid_page_number", "The page number requested "
                          "is larger than the number of pages available.")  # fmt: skip
        headers = {"X-WP-Total": str(len(found)), "X-WP-TotalPages": str(pages)}
        if page < pages:
            headers["Link"] = f'<{SITE}/wp-json/wp/v2/comments?page={page + 1}>; rel="next"'
        return Answer(200, found[(page - 1) * per_page : page * per_page], headers=headers)

    def _create(self, body: dict[str, Any]) -> Answer:
        post, parent, content = body.get("post"), body.get("parent", 0), body.get("content")
        if post not in self.posts:
            return _error(403, "rest_comment_invalid_post_id", "Sorry, you are not allowed "
                          "to create this comment without a post.")  # fmt: skip
        if not isinstance(content, str) or not content.strip():
            return _error(400, "rest_comment_content_invalid", "Invalid comment content.")
        if parent and parent not in self.comments:
            return _error(400, "rest_comment_invalid_parent", "Invalid comment parent ID.")
        for other in self.comments.values():
            if (other["post"], other["parent"], other["author"]) == (post, parent, OUR_ID) and (
                other["content"]["raw"] == content
            ):
                return _error(409, "comment_duplicate", "Duplicate comment detected; it looks "
                              "as though you&#8217;ve already said that!")  # fmt: skip
        self.posted.append(body)
        ident = self.comment(post, content, author=OUR_ID, parent=parent)
        return Answer(201, self.comments[ident])
