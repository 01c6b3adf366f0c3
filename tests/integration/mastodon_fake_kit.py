"""A stateful fake of one Mastodon instance (the part the ``mastodon`` connector uses),
shaped like the documented entities: accounts, statuses with HTML content, mention
notifications, ``/statuses/:id/context``, posting a status (with ``Idempotency-Key``),
``Link`` header pagination (``rel="next"`` with ``max_id``, ``rel="prev"`` with
``min_id``), the access token it accepts (401 otherwise) and 429s on demand.

``FakeMastodon.handler(seen)`` answers a loopback server's requests (see
``loopback_kit``); ``FakeMastodon.respond(seen)`` is the same answer for any transport
(the unit tests wrap it in an ``httpx.MockTransport``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import parse_qs, urlencode

from tests.integration.loopback_kit import Answer, Seen

TOKEN = "masto-user-token-0001"
T0 = 1_796_371_200.0  # 2026-12-04T08:00:00Z
BRAND_ID = "1001"
INSTANCE = "https://mastodon.social"
"""Where the fake's accounts and status links live (its web address)."""

_WORD = re.compile(r"(@[\w.]+(?:@[\w.-]*\w)?|https?://\S+)")


def iso(at: float) -> str:
    """A time as Mastodon writes it."""
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def account(ident: str, username: str, *, domain: str | None = None, name: str = "",
            followers: int = 10, bot: bool = False) -> dict[str, Any]:  # fmt: skip
    """An Account entity (``domain``: a remote account, its acct is ``user@domain``)."""
    acct = f"{username}@{domain}" if domain else username
    home = f"https://{domain}" if domain else INSTANCE
    return {
        "id": ident, "username": username, "acct": acct, "url": f"{home}/@{username}",
        "display_name": name, "note": "<p></p>", "avatar": f"{home}/a.png",
        "avatar_static": f"{home}/a.png", "header": f"{home}/h.png",
        "header_static": f"{home}/h.png", "locked": False, "fields": [], "emojis": [],
        "bot": bot, "group": False, "discoverable": True,
        "created_at": "2022-11-01T00:00:00.000Z", "last_status_at": "2026-12-04",
        "statuses_count": 5, "followers_count": followers, "following_count": 3,
    }  # fmt: skip


BRAND = account(BRAND_ID, "acme", name="Acme", followers=5000)
JANE = account("2001", "jane", name="Jane Roe", followers=120)
BOB = account("2002", "bob", domain="fosstodon.org", name="Bob", followers=42)


@dataclass
class FakeMastodon:
    """One instance with the brand's account, as its REST API shows it."""

    token: str = TOKEN
    me: dict[str, Any] = field(default_factory=lambda: dict(BRAND))
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    statuses: dict[str, dict[str, Any]] = field(default_factory=dict)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    posted: list[dict[str, Any]] = field(default_factory=list)
    """Every status posted through the API: its JSON body and ``idempotency_key``."""
    keys: dict[str, str] = field(default_factory=dict)
    """Idempotency keys seen, and the status each one made."""
    seen: list[Seen] = field(default_factory=list)
    throttled: list[dict[str, str]] = field(default_factory=list)
    link_origin: str | None = None
    """Where ``Link`` headers point (None: ``http://`` + the request's Host)."""
    clock: float = T0
    next_status: int = 113_000_000_000_000_000
    next_note: int = 9_000

    def __post_init__(self) -> None:
        for who in (self.me, JANE, BOB):
            self.accounts[who["id"]] = who

    # -- state -------------------------------------------------------------------
    def tick(self) -> float:
        self.clock += 60
        return self.clock

    def status(self, author: dict[str, Any], text: str, *, reply_to: str | None = None,
               visibility: str = "public", spoiler: str = "",
               content: str | None = None) -> dict[str, Any]:  # fmt: skip
        """A new status by ``author`` (no notification)."""
        self.next_status += 65_536
        ident = str(self.next_status)
        mentioned = [a for a in self.accounts.values() if f"@{a['acct']}" in text.split()]
        parent = self.statuses.get(reply_to or "")
        item = {
            "id": ident, "uri": f"{INSTANCE}/users/{author['username']}/statuses/{ident}",
            "url": f"{INSTANCE}/@{author['acct']}/{ident}", "created_at": iso(self.tick()),
            "account": author, "content": content if content is not None else html(text),
            "visibility": visibility, "sensitive": bool(spoiler), "spoiler_text": spoiler,
            "media_attachments": [], "application": None,
            "mentions": [{"id": a["id"], "username": a["username"], "url": a["url"],
                          "acct": a["acct"]} for a in mentioned],
            "tags": [], "emojis": [], "reblogs_count": 0, "favourites_count": 0,
            "replies_count": 0, "in_reply_to_id": reply_to,
            "in_reply_to_account_id": parent["account"]["id"] if parent else None,
            "reblog": None, "poll": None, "card": None, "language": "en", "text": None,
            "edited_at": None,
        }  # fmt: skip
        self.statuses[ident] = item
        return item

    def mention(self, author: dict[str, Any], text: str, **kwargs: Any) -> dict[str, Any]:
        """``author`` writes a status mentioning the brand: a status and a notification."""
        item = self.status(author, f"@{self.me['acct']} {text}", **kwargs)
        self.notify(item)
        return item

    def notify(self, item: dict[str, Any], kind: str = "mention") -> dict[str, Any]:
        self.next_note += 1
        note = {"id": str(self.next_note), "type": kind, "created_at": item["created_at"],
                "account": item["account"], "status": item}  # fmt: skip
        self.notifications.append(note)
        return note

    def brand_replies(self, reply_to: str, text: str) -> dict[str, Any]:
        """The brand answers in Mastodon's own app (not through cxdaily)."""
        parent = self.statuses[reply_to]
        return self.status(self.me, f"@{parent['account']['acct']} {text}", reply_to=reply_to)

    def throttle(self, **headers: str) -> None:
        """Answer the next request with a 429 carrying these headers."""
        self.throttled.append({k.replace("_", "-"): v for k, v in headers.items()})

    # -- the API -------------------------------------------------------------------
    def handler(self, seen: Seen) -> Answer:
        """Answer one request of a loopback server."""
        return self.respond(seen)

    def respond(self, seen: Seen) -> Answer:
        """The instance's answer to one request."""
        self.seen.append(seen)
        if self.throttled:
            return Answer(429, {"error": "Too many requests"}, headers=self.throttled.pop(0))
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            return Answer(401, {"error": "The access token is invalid"})
        parts = seen.path.strip("/").split("/")
        if parts[:2] != ["api", "v1"]:
            return Answer(404, {"error": "Record not found"})
        parts = parts[2:]
        if seen.method == "GET" and parts == ["accounts", "verify_credentials"]:
            return Answer(200, {**self.me, "source": {"privacy": "public", "note": ""}})
        if seen.method == "GET" and parts == ["notifications"]:
            types = seen.query.get("types[]")
            notes = [n for n in self.notifications if not types or n["type"] in types]
            return self._page(seen, notes)
        if seen.method == "GET" and len(parts) == 3 and parts[::2] == ["accounts", "statuses"]:
            own = [s for s in self.statuses.values() if s["account"]["id"] == parts[1]]
            return self._page(seen, own)
        if seen.method == "POST" and parts == ["statuses"]:
            return self._post(seen)
        if seen.method == "GET" and parts[:1] == ["statuses"] and parts[1:2]:
            item = self.statuses.get(parts[1])
            if item is None:
                return Answer(404, {"error": "Record not found"})
            if parts[2:] == ["context"]:
                return Answer(200, self._context(parts[1]))
            if not parts[2:]:
                return Answer(200, item)
        return Answer(404, {"error": "Record not found"})

    def _page(self, seen: Seen, items: list[dict[str, Any]]) -> Answer:
        """Newest first, with since_id / min_id / max_id / limit and a Link header."""
        q = {k: v[0] for k, v in seen.query.items()}
        limit = min(int(q.get("limit", 40)), 80)
        ordered = sorted(items, key=lambda i: _number(i["id"]))
        if "max_id" in q:
            ordered = [i for i in ordered if _number(i["id"]) < int(q["max_id"])]
        if "since_id" in q:
            ordered = [i for i in ordered if _number(i["id"]) > int(q["since_id"])]
        if "min_id" in q:
            ordered = [i for i in ordered if _number(i["id"]) > int(q["min_id"])][:limit]
        page = list(reversed(ordered))[:limit]
        headers = {}
        if page:
            keep = {k: v for k, v in seen.query.items() if k in ("limit", "types[]")}
            origin = self.link_origin or f"http://{seen.headers.get('host', 'localhost')}"
            base = f"{origin}{seen.path}"
            after = urlencode({**keep, "max_id": [page[-1]["id"]]}, doseq=True)
            before = urlencode({**keep, "min_id": [page[0]["id"]]}, doseq=True)
            headers["Link"] = f'<{base}?{after}>; rel="next", <{base}?{before}>; rel="prev"'
        return Answer(200, page, headers=headers)

    def _context(self, ident: str) -> dict[str, Any]:
        ancestors, parent = [], self.statuses[ident].get("in_reply_to_id")
        while parent in self.statuses:
            ancestors.insert(0, self.statuses[parent])
            parent = self.statuses[parent].get("in_reply_to_id")
        below, frontier = [], {ident}
        for item in sorted(self.statuses.values(), key=lambda s: int(s["id"])):
            if item.get("in_reply_to_id") in frontier:
                below.append(item)
                frontier.add(item["id"])
        return {"ancestors": ancestors, "descendants": below}

    def _post(self, seen: Seen) -> Answer:
        content_type = seen.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            body = json.loads(seen.body)
        else:
            body = {k: v[0] for k, v in parse_qs(seen.body.decode()).items()}
        key = seen.headers.get("idempotency-key")
        if key and key in self.keys:  # the same submission again: the same status
            return Answer(200, self.statuses[self.keys[key]])
        text = body.get("status")
        if not isinstance(text, str) or not text.strip():
            return Answer(422, {"error": "Validation failed: Text can't be blank"})
        reply_to = body.get("in_reply_to_id")
        if reply_to is not None and reply_to not in self.statuses:
            return Answer(404, {"error": "Record not found"})
        self.posted.append({**body, "idempotency_key": key})
        item = self.status(self.me, text, reply_to=reply_to,
                           visibility=body.get("visibility", "public"))  # fmt: skip
        if key:
            self.keys[key] = item["id"]
        return Answer(200, item)


def _number(ident: Any) -> int:
    """An id as a number for ordering (a test may have broken it on purpose)."""
    return int(ident) if isinstance(ident, str) and ident.isdigit() else 0


def html(text: str) -> str:
    """Plain text as Mastodon renders a status: mentions and links as anchors."""

    def piece(word: str) -> str:
        if word.startswith("@"):
            user = word[1:].split("@")[0]
            domain = word[1:].split("@")[1] if "@" in word[1:] else INSTANCE[8:]
            return (f'<span class="h-card" translate="no"><a href="https://{domain}/@{user}" '
                    f'class="u-url mention">@<span>{escape(user)}</span></a></span>')  # fmt: skip
        if word.startswith("http"):
            scheme, rest = word.split("://", 1)
            return (f'<a href="{escape(word)}" target="_blank" rel="nofollow noopener" '
                    f'translate="no"><span class="invisible">{scheme}://</span><span class="">'
                    f'{escape(rest)}</span><span class="invisible"></span></a>')  # fmt: skip
        return escape(word)

    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    rendered = []
    for paragraph in paragraphs:
        lines = ["".join(piece(w) for w in _WORD.split(line)) for line in paragraph.split("\n")]
        rendered.append("<p>" + "<br />".join(lines) + "</p>")
    return "".join(rendered)
