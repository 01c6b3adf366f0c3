"""A stateful fake of a Discourse forum's API (the part the ``discourse`` connector uses),
shaped like its documented answers: ``/posts.json`` newest first with ``before=<id>``,
topics (``/t/{id}.json`` carrying the first posts and the whole ``stream`` of ids,
``/t/{id}/posts.json?post_ids[]=`` for the others), single posts with their ``raw``,
categories, the signed-in user, replies (``POST /posts.json``, refusing a body too
similar to the user's last one with a 422), the ``Api-Key``/``Api-Username`` headers it
accepts (others: 403 ``invalid_access``), and 429s on demand.

``FakeDiscourse.handler(seen)`` answers a loopback server's requests (see
``loopback_kit``); ``FakeDiscourse.respond(...)`` is the same answer for any transport.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from tests.integration.loopback_kit import Answer, Seen

API_KEY = "discourse-api-key-0001-abcdef"
BOT = "support_bot"
T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
CATEGORIES = ({"id": 5, "slug": "support", "name": "Support", "subs": [9]},
              {"id": 7, "slug": "lounge", "name": "Lounge", "subs": []})  # fmt: skip
SUBCATEGORY = {"id": 9, "slug": "billing", "name": "Billing", "parent_category_id": 5}


def cook(raw: str) -> str:
    """Markdown as Discourse's HTML (paragraphs, **bold**, escaped), enough for a fake."""
    paragraphs = [p for p in re.split(r"\n\s*\n", raw.strip()) if p.strip()]
    html = [re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escape(p)) for p in paragraphs]
    return "".join(f"<p>{p}</p>" for p in html)


def stamp(when: datetime) -> str:
    """Discourse's time format (milliseconds, Z)."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


@dataclass
class FakeDiscourse:
    """One forum, as its API shows it to an admin key acting as ``BOT``."""

    api_key: str = API_KEY
    page_size: int = 50
    chunk_size: int = 20
    """Posts a topic carries in ``post_stream.posts`` (the rest only in ``stream``)."""
    clock: datetime = T0
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    topics: dict[int, dict[str, Any]] = field(default_factory=dict)
    posts: dict[int, dict[str, Any]] = field(default_factory=dict)
    replies: list[dict[str, Any]] = field(default_factory=list)
    """The JSON of every ``POST /posts.json`` accepted."""
    seen: list[Seen] = field(default_factory=list)
    throttled: list[tuple[dict[str, str], Any]] = field(default_factory=list)
    next_post_id: int = 100
    next_topic_id: int = 10

    def __post_init__(self) -> None:
        self.user("jane", "Jane Roe", trust_level=1)
        self.user("omar", "Omar Q", trust_level=2)
        self.user("anna", "Anna Admin", trust_level=4, staff=True)
        self.user(BOT, "Support Bot", trust_level=4, staff=True)

    # -- state -------------------------------------------------------------------
    def user(self, username: str, name: str, *, trust_level: int, staff: bool = False) -> None:
        """A forum member (``staff``: an admin)."""
        self.users[username] = {"id": len(self.users) + 1, "username": username, "name": name,
                                "trust_level": trust_level, "admin": staff,
                                "moderator": False, "staff": staff}  # fmt: skip

    def tick(self) -> datetime:
        """The time of the next event: one minute after the last."""
        self.clock += timedelta(minutes=1)
        return self.clock

    def topic(self, title: str, raw: str, *, by: str = "jane", category: int = 5) -> int:
        """A new topic opened by ``by``; returns its id."""
        topic_id = self.next_topic_id
        self.next_topic_id += 1
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "topic"
        self.topics[topic_id] = {"id": topic_id, "title": title, "slug": slug,
                                 "category_id": category, "post_ids": []}  # fmt: skip
        self.write(topic_id, raw, by=by)
        return topic_id

    def write(
        self, topic_id: int, raw: str, *, by: str = "jane", reply_to: int | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """``by`` posts ``raw`` in the topic; returns the post."""
        topic = self.topics[topic_id]
        person = self.users[by]
        ident = self.next_post_id
        self.next_post_id += 1
        when = at or self.tick()
        post = {
            "id": ident, "name": person["name"], "username": by,
            "avatar_template": f"/user_avatar/forum/{by}/{{size}}/1.png",
            "created_at": stamp(when), "cooked": cook(raw), "raw": raw,
            "post_number": len(topic["post_ids"]) + 1, "post_type": 1,
            "updated_at": stamp(when), "reply_count": 0, "reply_to_post_number": reply_to,
            "quote_count": 0, "incoming_link_count": 0, "reads": 1, "score": 0.2,
            "yours": False, "topic_id": topic_id, "topic_slug": topic["slug"],
            "topic_title": topic["title"], "topic_html_title": escape(topic["title"]),
            "category_id": topic["category_id"], "display_username": person["name"],
            "primary_group_name": None, "version": 1, "user_id": person["id"],
            "hidden": False, "trust_level": person["trust_level"], "deleted_at": None,
            "user_deleted": False, "moderator": person["moderator"],
            "admin": person["admin"], "staff": person["staff"], "wiki": False,
        }  # fmt: skip
        self.posts[ident] = post
        topic["post_ids"].append(ident)
        return post

    def throttle(self, headers: dict[str, str] | None = None, body: Any = None) -> None:
        """Answer the next request with a 429 (Discourse's body unless ``body`` is given)."""
        default = {"errors": ["You’ve performed this action too many times. Please wait 12 "
                              "seconds before trying again."], "error_type": "rate_limit",
                   "extras": {"wait_seconds": 12, "time_left": "12 seconds"}}  # fmt: skip
        self.throttled.append((headers or {}, default if body is None else body))

    # -- the API -------------------------------------------------------------------
    def handler(self, seen: Seen) -> Answer:
        """Answer one request of a loopback server."""
        return self.respond(seen)

    def respond(self, seen: Seen) -> Answer:
        """The forum's answer to one request."""
        self.seen.append(seen)
        if self.throttled:
            headers, body = self.throttled.pop(0)
            return Answer(429, body, headers=headers)
        username = seen.headers.get("api-username", "")
        if seen.headers.get("api-key") != self.api_key or username not in self.users:
            return Answer(403, {"errors": ["You are not permitted to view the requested "
                                           "resource. The API username or key is invalid."],
                                "error_type": "invalid_access"})  # fmt: skip
        path, query = seen.path, seen.query
        if seen.method == "GET" and path == "/posts.json":
            return self._latest(query)
        if seen.method == "POST" and path == "/posts.json":
            return self._create(username, json.loads(seen.body))
        if seen.method == "GET" and path == "/categories.json":
            return Answer(200, _categories())
        if seen.method == "GET" and path == "/session/current.json":
            return Answer(200, {"current_user": dict(self.users[username])})
        found = re.fullmatch(r"/t/(\d+)(\.json|/posts\.json)", path)
        if seen.method == "GET" and found and int(found[1]) in self.topics:
            return self._topic(int(found[1]), query if found[2] != ".json" else None)
        found = re.fullmatch(r"/posts/(\d+)\.json", path)
        if seen.method == "GET" and found and int(found[1]) in self.posts:
            return Answer(200, self.posts[int(found[1])])
        return Answer(404, {"errors": ["The requested URL or resource could not be found."],
                            "error_type": "not_found"})  # fmt: skip

    def _latest(self, query: dict[str, list[str]]) -> Answer:
        before = int((query.get("before") or ["0"])[0]) or None
        ids = sorted((i for i in self.posts if before is None or i < before), reverse=True)
        return Answer(200, {"latest_posts": [self.posts[i] for i in ids[: self.page_size]]})

    def _topic(self, topic_id: int, query: dict[str, list[str]] | None) -> Answer:
        topic = self.topics[topic_id]
        ids = topic["post_ids"]
        if query is None:
            carried = ids[: self.chunk_size]
        else:
            asked = {int(i) for i in query.get("post_ids[]", [])}
            carried = [i for i in ids if i in asked]
        posts = [_in_topic(self.posts[i]) for i in carried]
        if query is not None:
            return Answer(200, {"post_stream": {"posts": posts}, "id": topic_id})
        return Answer(200, {
            "post_stream": {"posts": posts, "stream": list(ids)},
            "id": topic_id, "title": topic["title"], "fancy_title": topic["title"],
            "slug": topic["slug"], "posts_count": len(ids), "category_id": topic["category_id"],
            "archetype": "regular", "closed": False, "archived": False,
        })  # fmt: skip

    def _create(self, username: str, posted: dict[str, Any]) -> Answer:
        topic_id, raw = posted.get("topic_id"), posted.get("raw")
        if topic_id not in self.topics or not isinstance(raw, str):
            return Answer(422, {"action": "create_post", "errors": ["Topic not found"]})
        mine = [p for p in self.posts.values() if p["username"] == username]
        if mine and mine[-1]["raw"].strip() == raw.strip():
            similar = "Body is too similar to what you recently posted"
            return Answer(422, {"action": "create_post", "errors": [similar]})
        self.replies.append(posted)
        post = self.write(topic_id, raw, by=username, reply_to=posted.get("reply_to_post_number"))
        return Answer(200, post)


def _in_topic(post: dict[str, Any]) -> dict[str, Any]:
    """A post as a topic carries it: no ``raw`` and no topic fields."""
    drop = {"raw", "topic_slug", "topic_title", "topic_html_title", "category_id"}
    return {k: v for k, v in post.items() if k not in drop}


def _categories() -> dict[str, Any]:
    listed = []
    for category in CATEGORIES:
        subs = [SUBCATEGORY] if category["subs"] else []
        listed.append({"id": category["id"], "name": category["name"], "slug": category["slug"],
                       "topic_count": 3, "subcategory_ids": list(category["subs"]),
                       "subcategory_list": [dict(s) for s in subs]})  # fmt: skip
    return {"category_list": {"can_create_category": True, "categories": listed}}
