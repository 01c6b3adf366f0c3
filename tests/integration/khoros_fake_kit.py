"""A stateful fake of a Khoros Community's API (the part the ``khoros`` connector uses),
shaped like its documented answers: the OAuth 2.0 refresh at ``/auth/refreshToken`` (its
refresh token rotated on use when ``rotate`` is set),
Community API v2 envelopes (``{"status", "message", "http_code", "data", "metadata"}``),
LiQL searches of messages (``post_time >`` with an optional ``board.id IN``, or
``parent.id =``; ``ORDER BY post_time ASC``, ``LIMIT``, ``CURSOR``), single messages,
``/users/self``, replies (``POST /api/2.0/messages``), a 401 envelope for an unknown or
expired Bearer token, and 429s on demand.

``FakeKhoros.handler(seen)`` answers a loopback server's requests (see ``loopback_kit``);
``FakeKhoros.respond(seen)`` is the same answer for any transport.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import parse_qs

from tests.integration.loopback_kit import Answer, Seen

CLIENT_ID = "khoros-client-id-0001"
CLIENT_SECRET = "khoros-client-secret-0002-abcdef"
REFRESH_TOKEN = "khoros-refresh-token-0003-ghijkl"
SECRETS = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN}
BOT = "acme_support"
WEB = "https://community.acme.example"
T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)

_QUERY = re.compile(
    r"SELECT (?P<fields>.+?) FROM messages WHERE (?P<where>.+?) ORDER BY post_time ASC "
    r"LIMIT (?P<limit>\d+)(?: CURSOR '(?P<cursor>[^']*)')?",
    re.DOTALL,
)


def stamp(when: datetime) -> str:
    """Khoros's time format (milliseconds and an offset)."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+00:00"


def envelope(data: Any) -> dict[str, Any]:
    """A v2 success envelope around ``data``."""
    return {"status": "success", "message": "", "http_code": 200, "data": data, "metadata": {}}


def error(status: int, message: str, code: int = 0) -> Answer:
    """A v2 error envelope answered with HTTP ``status``."""
    return Answer(status, {"status": "error", "message": message, "http_code": status,
                           "data": {"type": "error_data", "code": code,
                                    "developer_message": "", "more_info": ""},
                           "metadata": {}})  # fmt: skip


@dataclass
class FakeKhoros:
    """One community, as its API shows it to the API app signed in as ``BOT``."""

    clock: datetime = T0
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    replies: list[dict[str, Any]] = field(default_factory=list)
    """The JSON of every ``POST /api/2.0/messages`` accepted."""
    seen: list[Seen] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    refreshes: list[dict[str, str]] = field(default_factory=list)
    throttled: list[dict[str, str]] = field(default_factory=list)
    errors: dict[str, Answer] = field(default_factory=dict)
    """Answers forced for a path (a message that cannot be read)."""
    next_id: int = 100
    rotate: bool = False
    """Each refresh answers a new refresh token, and the one used stops working."""
    refresh_token: str = REFRESH_TOKEN
    """The refresh token the community accepts now."""

    def __post_init__(self) -> None:
        self.user("1", BOT, "Khoros Staff")
        self.user("2", "jane", "Contributor")
        self.user("3", "omar", "Regular Visitor")
        self.user("4", "anna_mod", "Moderator")

    # -- state -------------------------------------------------------------------
    def user(self, ident: str, login: str, rank: str) -> None:
        """A member with a rank."""
        self.users[login] = {"type": "user", "id": ident, "href": f"/users/{ident}",
                             "view_href": f"{WEB}/t5/user/viewprofilepage/user-id/{ident}",
                             "login": login, "rank": {"type": "rank", "id": ident,
                                                      "name": rank}}  # fmt: skip

    def tick(self) -> datetime:
        """The time of the next event: one minute after the last."""
        self.clock += timedelta(minutes=1)
        return self.clock

    def post(
        self, subject: str, body: str, *, by: str = "jane", board: str = "support",
        parent: str | None = None, kudos: int = 0,
    ) -> str:  # fmt: skip
        """``by`` posts a topic (or a reply to ``parent``); returns the message id."""
        ident = str(self.next_id)
        self.next_id += 1
        above = self.messages.get(parent) if parent else None
        conversation = above["conversation"]["id"] if above else ident
        board = above["board"]["id"] if above else board
        message = {
            "type": "message", "id": ident, "subject": subject,
            "body": f"<p>{escape(body)}</p>" if not body.startswith("<") else body,
            "author": dict(self.users[by]), "post_time": stamp(self.tick()),
            "view_href": f"{WEB}/t5/{board}/x/m-p/{conversation}#M{ident}",
            "conversation": {"type": "conversation", "id": conversation, "style": "forum",
                             "solved": False, "view_href": f"{WEB}/t5/{board}/td-p/{conversation}"},
            "depth": above["depth"] + 1 if above else 0,
            "board": {"type": "board", "id": board, "href": f"/boards/{board}"},
            "kudos": {"sum": {"weight": kudos}},
        }  # fmt: skip
        if above:
            message["parent"] = {"type": "message", "id": parent, "href": f"/messages/{parent}"}
        self.messages[ident] = message
        return ident

    def throttle(self, headers: dict[str, str] | None = None) -> None:
        """Answer the next API request with a 429."""
        self.throttled.append(headers or {})

    def expire_tokens(self) -> None:
        """Every access token issued so far stops working (the next call gets a 401)."""
        self.tokens.clear()

    # -- the API -------------------------------------------------------------------
    def handler(self, seen: Seen) -> Answer:
        """Answer one request of a loopback server."""
        return self.respond(seen)

    def respond(self, seen: Seen) -> Answer:
        """The community's answer to one request."""
        self.seen.append(seen)
        if seen.method == "POST" and seen.path == "/auth/refreshToken":
            return self._refresh(seen)
        if self.throttled:
            return Answer(429, "Too Many Requests", headers=self.throttled.pop(0))
        auth = seen.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return error(401, "The access token is invalid or has expired.", 302)
        if seen.path in self.errors:
            return self.errors[seen.path]
        if seen.method == "GET" and seen.path == "/api/2.0/users/self":
            return Answer(200, envelope(dict(self.users[BOT])))
        if seen.method == "GET" and seen.path == "/api/2.0/search":
            return self._search((seen.query.get("q") or [""])[0])
        found = re.fullmatch(r"/api/2\.0/messages/([^/]+)", seen.path)
        if seen.method == "GET" and found:
            message = self.messages.get(found[1])
            if message is None:
                return error(404, f"The message {found[1]} was not found.", 301)
            return Answer(200, envelope(dict(message)))
        if seen.method == "POST" and seen.path == "/api/2.0/messages":
            return self._create(json.loads(seen.body))
        return error(404, "The resource was not found.")

    def _refresh(self, seen: Seen) -> Answer:
        form = {k: v[0] for k, v in parse_qs(seen.body.decode()).items()}
        self.refreshes.append(form)
        expected = {"grant_type": "refresh_token", **SECRETS, "refresh_token": self.refresh_token}
        if any(form.get(k) != v for k, v in expected.items()):
            return error(401, "Invalid client credentials or refresh token.")
        token = f"access-{len(self.refreshes):04d}-mnopqrstu"
        self.tokens.add(token)
        if self.rotate:
            self.refresh_token = f"khoros-refresh-token-{len(self.refreshes):04d}-rotated"
        return Answer(200, envelope({"access_token": token, "token_type": "bearer",
                                     "expires_in": 86400, "refresh_token": self.refresh_token,
                                     "user_id": 1}))  # fmt: skip

    def _search(self, liql: str) -> Answer:
        found = _QUERY.fullmatch(liql.strip())
        if found is None:
            return error(400, "Invalid query syntax.", 601)
        where = found["where"]
        chosen = list(self.messages.values())
        after = re.search(r"post_time > '([^']+)'", where)
        if after:
            since = datetime.fromisoformat(after[1])
            chosen = [m for m in chosen if _posted(m) > since]
        boards = re.search(r"board\.id IN \(([^)]*)\)", where)
        if boards:
            wanted = set(re.findall(r"'([^']*)'", boards[1]))
            chosen = [m for m in chosen if m["board"]["id"] in wanted]
        parent = re.fullmatch(r"parent\.id = '([^']+)'", where)
        if parent:
            chosen = [m for m in chosen if m.get("parent", {}).get("id") == parent[1]]
        if not (after or parent):
            return error(400, "Unsupported query.", 601)
        chosen.sort(key=lambda m: m["post_time"])
        start = int(base64.b64decode(found["cursor"]).decode()) if found["cursor"] else 0
        limit = int(found["limit"])
        page = chosen[start : start + limit]
        data: dict[str, Any] = {"type": "messages", "list_item_type": "message",
                                "size": len(page), "items": [dict(m) for m in page]}  # fmt: skip
        if start + limit < len(chosen):
            data["next_cursor"] = base64.b64encode(str(start + limit).encode()).decode()
        return Answer(200, envelope(data))

    def _create(self, posted: dict[str, Any]) -> Answer:
        data = posted.get("data") if isinstance(posted, dict) else None
        parent = (data or {}).get("parent", {}).get("id")
        if (
            not isinstance(data, dict)
            or data.get("type") != "message"
            or parent not in self.messages
        ):
            return error(400, "The message could not be created.", 303)
        self.replies.append(posted)
        ident = self.post(data.get("subject", ""), data.get("body", ""), by=BOT, parent=parent)
        return Answer(200, envelope(dict(self.messages[ident])))


def _posted(message: dict[str, Any]) -> datetime:
    """A message's time (one a test corrupted counts as the newest, so it is listed)."""
    try:
        return datetime.fromisoformat(message["post_time"])
    except (TypeError, ValueError):
        return datetime.max.replace(tzinfo=UTC)
