"""A stateful fake of Reddit's OAuth API (the part the ``reddit`` connector uses), shaped
like its documented answers: the password grant at ``/api/v1/access_token`` (HTTP Basic
client id and secret; a wrong password answers 200 with ``{"error": "invalid_grant"}``),
``bearer`` tokens that can be expired on demand, the inbox (comment messages with
``was_comment``, ``context`` and ``link_title``; private messages ``t4``), subreddits'
new posts, comment trees (``/comments/{article}?comment=&context=``), accounts' karma,
our comments and sent messages, ``POST /api/comment``, ``Listing`` pages with ``after``
cursors, and 429s with ``X-Ratelimit-*`` headers on demand.

``FakeReddit.handler(seen)`` answers a loopback server's requests (see ``loopback_kit``);
``FakeReddit.respond(seen)`` is the same answer for any transport.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from tests.integration.loopback_kit import Answer, Seen

CLIENT_ID = "p-jcoLKBynTLew"
CLIENT_SECRET = "gko_LXELoV07ZBNUXrvWZfzE3aI"
PASSWORD = "hunter2-correct-horse"
BRAND = "acme_support"
T0 = 1_796_371_200.0  # 2026-12-04T08:00:00Z


def listing(children: list[dict[str, Any]], after: str | None = None) -> dict[str, Any]:
    """A ``Listing`` as Reddit sends one."""
    return {
        "kind": "Listing",
        "data": {"after": after, "before": None, "dist": len(children), "modhash": None,
                 "geo_filter": "", "children": children},
    }  # fmt: skip


@dataclass
class FakeReddit:
    """Posts, comments and messages of a small Reddit, and what was posted to it."""

    username: str = BRAND
    page_size: int = 100
    token_lifetime: int = 3600
    now: float = T0
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    inbox: list[tuple[str, str, str]] = field(default_factory=list)
    """``(kind, id, type)`` of each inbox item, oldest first."""
    karma: dict[str, tuple[int, int]] = field(default_factory=dict)
    tokens: list[str] = field(default_factory=list)
    expired: set[str] = field(default_factory=set)
    throttled: list[dict[str, str]] = field(default_factory=list)
    reply_errors: list[list[str]] = field(default_factory=list)
    replies: list[dict[str, str]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)
    """Paths that answer 500 (a look-up that fails)."""
    _ids: int = 0

    # -- building the world ----------------------------------------------------------
    def tick(self) -> float:
        self.now += 60
        return self.now

    def _id(self) -> str:
        self._ids += 1
        return f"a{self._ids:04d}"

    def post(self, subreddit: str, author: str, title: str, text: str = "") -> str:
        """A self post in ``subreddit``; returns its id."""
        ident, at = self._id(), self.tick()
        self.posts[ident] = {
            "id": ident, "name": f"t3_{ident}", "author": author, "title": title,
            "selftext": text, "subreddit": subreddit, "created_utc": at, "created": at,
            "permalink": f"/r/{subreddit}/comments/{ident}/{_slug(title)}/",
            "url": f"https://www.reddit.com/r/{subreddit}/comments/{ident}/{_slug(title)}/",
            "num_comments": 0, "score": 1, "subreddit_subscribers": 1200, "is_self": True,
        }  # fmt: skip
        return ident

    def comment(self, parent: str, author: str, text: str) -> str:
        """A comment under ``parent`` (a fullname); returns its id. A reply to the brand or
        a mention of it reaches the brand's inbox, as on Reddit."""
        ident, at = self._id(), self.tick()
        post = self._post_of(parent)
        where = f"/r/{post['subreddit']}/comments/{post['id']}/{_slug(post['title'])}"
        self.comments[ident] = {
            "id": ident, "name": f"t1_{ident}", "author": author, "body": text,
            "body_html": f"<div class=\"md\"><p>{text}</p></div>", "created_utc": at,
            "parent_id": parent, "link_id": f"t3_{post['id']}", "subreddit": post["subreddit"],
            "permalink": f"{where}/{ident}/",
            "score": 1, "replies": "",
        }  # fmt: skip
        post["num_comments"] += 1
        if author.lower() != self.username.lower():
            parent_author = self._author_of(parent)
            if parent_author == self.username:
                kind = "comment_reply" if parent.startswith("t1_") else "post_reply"
                self.inbox.append(("t1", ident, kind))
            elif f"u/{self.username}".lower() in text.lower():
                self.inbox.append(("t1", ident, "username_mention"))
        return ident

    def message(self, author: str, subject: str, text: str, *, parent: str | None = None) -> str:
        """A private message to (or, from the brand, by) the brand; returns its id."""
        ident, at = self._id(), self.tick()
        dest = self.username if author != self.username else "someone"
        self.messages[ident] = {
            "id": ident, "name": f"t4_{ident}", "author": author, "dest": dest,
            "subject": subject, "body": text, "created_utc": at, "parent_id": parent,
            "first_message_name": parent, "was_comment": False, "context": "",
            "subreddit": None, "type": "unknown", "new": True, "replies": "",
        }  # fmt: skip
        if author != self.username:
            self.inbox.append(("t4", ident, "unknown"))
        return ident

    def _post_of(self, fullname: str) -> dict[str, Any]:
        if fullname.startswith("t3_"):
            return self.posts[fullname[3:]]
        return self.posts[self.comments[fullname[3:]]["link_id"][3:]]

    def _author_of(self, fullname: str) -> str | None:
        table = {"t1": self.comments, "t3": self.posts, "t4": self.messages}[fullname[:2]]
        item = table.get(fullname[3:])
        return item["author"] if item else None

    def throttle(self, **headers: str) -> None:
        """Answer the next request with a 429 and these headers (``X_Ratelimit_Reset``)."""
        self.throttled.append({k.replace("_", "-"): v for k, v in headers.items()})

    def expire_tokens(self) -> None:
        """Every token issued so far is refused from now on (it expired)."""
        self.expired.update(self.tokens)

    # -- answering -------------------------------------------------------------------
    def handler(self, seen: Seen) -> Answer:
        """Answer one request of a loopback server."""
        return self.respond(seen)

    def respond(self, seen: Seen) -> Answer:
        """Reddit's answer to one request."""
        self.seen.append(seen)
        if self.throttled:
            return Answer(429, {"message": "Too Many Requests", "error": 429},
                          headers=self.throttled.pop(0))  # fmt: skip
        if seen.method == "POST" and seen.path == "/api/v1/access_token":
            return self._token(seen)
        token = seen.headers.get("authorization", "")
        if (
            not token.startswith("bearer ")
            or token[7:] not in self.tokens
            or token[7:] in self.expired
        ):
            return Answer(401, {"message": "Unauthorized", "error": 401})
        if seen.path in self.failing:
            return Answer(500, {"message": "Internal Server Error", "error": 500})
        path = seen.path.rstrip("/")
        headers = {"x-ratelimit-used": "3", "x-ratelimit-remaining": "597.0",
                   "x-ratelimit-reset": "420"}  # fmt: skip
        answer = self._route(seen, path)
        answer.headers = {**headers, **answer.headers}
        return answer

    def _route(self, seen: Seen, path: str) -> Answer:
        if seen.method == "POST" and path == "/api/comment":
            return self._reply(parse_qs(seen.body.decode()))
        if seen.method != "GET":
            return Answer(404, {"message": "Not Found", "error": 404})
        if path == "/api/v1/me":
            return Answer(200, {"name": self.username, "id": "k9x2", "link_karma": 1,
                                "comment_karma": 5})  # fmt: skip
        if path == "/message/inbox":
            return self._page(seen, [self._inbox_item(*entry) for entry in reversed(self.inbox)])
        if path == "/message/sent":
            sent = [m for m in self.messages.values() if m["author"] == self.username]
            return self._page(seen, [{"kind": "t4", "data": m} for m in reversed(sent)])
        if match := re.fullmatch(r"/r/(\w+)/new", path):
            posts = [p for p in self.posts.values() if p["subreddit"].lower() == match[1].lower()]
            return self._page(seen, [{"kind": "t3", "data": p} for p in reversed(posts)])
        if match := re.fullmatch(r"/user/([\w-]+)/comments", path):
            mine = [c for c in self.comments.values() if c["author"].lower() == match[1].lower()]
            return self._page(seen, [{"kind": "t1", "data": c} for c in reversed(mine)])
        if match := re.fullmatch(r"/user/([\w-]+)/about", path):
            if match[1] not in self.karma:
                return Answer(404, {"message": "Not Found", "error": 404})
            link, comment = self.karma[match[1]]
            return Answer(200, {"kind": "t2", "data": {"name": match[1], "link_karma": link,
                                                       "comment_karma": comment}})  # fmt: skip
        if match := re.fullmatch(r"/comments/(\w+)", path):
            return self._thread(match[1], seen)
        return Answer(404, {"message": "Not Found", "error": 404})

    def _token(self, seen: Seen) -> Answer:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if seen.headers.get("authorization") != f"Basic {expected}":
            return Answer(401, {"message": "Unauthorized", "error": 401})
        form = parse_qs(seen.body.decode())
        if form.get("grant_type") != ["password"]:
            return Answer(200, {"error": "unsupported_grant_type"})
        if form.get("username") != [self.username] or form.get("password") != [PASSWORD]:
            return Answer(200, {"error": "invalid_grant"})
        token = f"tok-{len(self.tokens) + 1}-x7Qz"
        self.tokens.append(token)
        return Answer(200, {"access_token": token, "token_type": "bearer",
                            "expires_in": self.token_lifetime, "scope": "*"})  # fmt: skip

    def _page(self, seen: Seen, children: list[dict[str, Any]]) -> Answer:
        limit = min(int((seen.query.get("limit") or ["25"])[0]), 100, self.page_size)
        after = (seen.query.get("after") or [None])[0]
        names = [c["data"]["name"] for c in children]
        if after is not None and after not in names:  # deleted or removed since: Reddit
            return Answer(200, listing([]))  # lists nothing after it
        start = names.index(after) + 1 if after in names else 0
        page = children[start : start + limit]
        more = start + limit < len(children)
        return Answer(200, listing(page, page[-1]["data"]["name"] if more and page else None))

    def _inbox_item(self, kind: str, ident: str, what: str) -> dict[str, Any]:
        if kind == "t4":
            return {"kind": "t4", "data": dict(self.messages[ident])}
        c = self.comments[ident]
        post = self.posts[c["link_id"][3:]]
        data = {k: v for k, v in c.items() if k not in ("permalink", "link_id", "replies")}
        subject = {"comment_reply": "comment reply", "post_reply": "post reply"}.get(
            what, "username mention"
        )
        data.update(was_comment=True, type=what, subject=subject, new=True,
                    context=c["permalink"] + "?context=3", link_title=post["title"],
                    dest=self.username, replies="")  # fmt: skip
        return {"kind": "t1", "data": data}

    def _tree(self, ident: str, depth: int) -> dict[str, Any]:
        data = dict(self.comments[ident])
        below = [c for c in self.comments.values() if c["parent_id"] == f"t1_{ident}"]
        if depth > 0 and below:
            data["replies"] = listing([self._tree(c["id"], depth - 1) for c in below])
        return {"kind": "t1", "data": data}

    def _thread(self, article: str, seen: Seen) -> Answer:
        if article not in self.posts:
            return Answer(404, {"message": "Not Found", "error": 404})
        post = listing([{"kind": "t3", "data": self.posts[article]}])
        focus = (seen.query.get("comment") or [None])[0]
        if focus is None or focus not in self.comments:
            top = [c for c in self.comments.values() if c["parent_id"] == f"t3_{article}"]
            return Answer(200, [post, listing([self._tree(c["id"], 1) for c in top])])
        context = int((seen.query.get("context") or ["0"])[0])
        top = focus
        for _ in range(context):
            parent = self.comments[top]["parent_id"]
            if not parent.startswith("t1_"):
                break
            top = parent[3:]
        chain: list[str] = [focus]
        while chain[0] != top:
            chain.insert(0, self.comments[chain[0]]["parent_id"][3:])
        tree = self._tree(focus, 1)
        for ident in reversed(chain[:-1]):
            data = dict(self.comments[ident])
            data["replies"] = listing([tree])
            tree = {"kind": "t1", "data": data}
        return Answer(200, [post, listing([tree])])

    def _reply(self, form: dict[str, list[str]]) -> Answer:
        thing_id = (form.get("thing_id") or [""])[0]
        text = (form.get("text") or [""])[0]
        if (form.get("api_type") or [""])[0] != "json":
            return Answer(400, {"message": "Bad Request", "error": 400})
        if self.reply_errors:
            return Answer(200, {"json": {"errors": [self.reply_errors.pop(0)]}})
        if not text:
            return Answer(
                200, {"json": {"errors": [["NO_TEXT", "we need something here", "text"]]}}
            )
        if self._author_of(thing_id) is None:
            return Answer(
                200, {"json": {"errors": [["NO_THING_ID", "id not specified", "parent"]]}}
            )
        self.replies.append({"thing_id": thing_id, "text": text})
        if thing_id.startswith("t4_"):
            ident = self.message(self.username, "re: " + self.messages[thing_id[3:]]["subject"],
                                 text, parent=thing_id)  # fmt: skip
            return Answer(200, {"json": {"errors": [], "data": {"things": [
                {"kind": "t4", "data": self.messages[ident]}]}}})  # fmt: skip
        ident = self.comment(thing_id, self.username, text)
        return Answer(200, {"json": {"errors": [], "data": {"things": [
            {"kind": "t1", "data": self.comments[ident]}]}}})  # fmt: skip


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:50] or "post"
