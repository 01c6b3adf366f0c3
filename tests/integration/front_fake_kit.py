"""A stateful fake of Front's Core API (the part the ``front`` connector uses), shaped like
its documented answers: conversations of an inbox, their messages, replies posted by a
teammate, the API token it accepts, cursor pages whose ``_pagination.next`` links name the
company's own host (``https://{company}.api.frontapp.com``), and 429s on demand.

``FakeFront.handler(seen)`` answers a loopback server's requests (see ``loopback_kit``);
``FakeFront.respond(...)`` is the same answer for any transport (the unit tests wrap it
in an ``httpx.MockTransport``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import urlencode

from tests.integration.loopback_kit import Answer, Seen

TOKEN = "front-api-token-0001"
INBOX = "inb_1"
TEAMMATE = "tea_1"
COMPANY_HOST = "https://acme.api.frontapp.com"
"""Where Front's next-page links point: not the configured base URL."""
T0 = 1_796_371_200.0  # 2026-12-04T08:00:00Z
CUSTOMER = ("Jane Roe", "jane@example.com")


def teammate(ident: str = TEAMMATE) -> dict[str, Any]:
    """A TeammateResponse."""
    return {
        "_links": {"self": f"{COMPANY_HOST}/teammates/{ident}"},
        "id": ident,
        "email": "anna@acme.example",
        "username": "anna",
        "first_name": "Anna",
        "last_name": "Agent",
        "is_admin": False,
        "is_available": True,
        "is_blocked": False,
        "type": "user",
        "custom_fields": {},
    }


def html(text: str) -> str:
    """Text as the HTML body Front stores."""
    return "<div>" + "<br>".join(escape(line) for line in text.split("\n")) + "</div>"


def message(
    ident: str,
    cid: str,
    text: str,
    at: float,
    *,
    inbound: bool,
    customer: tuple[str, str] = CUSTOMER,
    author: str = TEAMMATE,
    body: str | None = None,
) -> dict[str, Any]:
    """A MessageResponse: the customer's (inbound) or a teammate's (outbound)."""
    name, handle = customer
    sender = {"handle": handle, "name": name, "role": "from", "_links": {"related": {}}}
    inbox = {"handle": "support@acme.example", "name": "Acme", "role": "to", "_links": {}}
    return {
        "_links": {
            "self": f"{COMPANY_HOST}/messages/{ident}",
            "related": {"conversation": f"{COMPANY_HOST}/conversations/{cid}"},
        },
        "id": ident,
        "message_uid": f"uid{ident}",
        "type": "email",
        "is_inbound": inbound,
        "draft_mode": None,
        "error_type": None,
        "version": None,
        "created_at": at,
        "subject": "Re: help",
        "blurb": text[:100],
        "author": None if inbound else teammate(author),
        "recipients": [sender, inbox] if inbound else [{**inbox, "role": "from"}, sender],
        "body": body if body is not None else html(text),
        "text": text,
        "attachments": [],
        "signature": None,
        "metadata": {},
    }


@dataclass
class FakeFront:
    """One Front company with one inbox, as its API shows it."""

    token: str = TOKEN
    inbox_id: str = INBOX
    page_size: int = 2
    next_origin: str = COMPANY_HOST
    conversations: dict[str, dict[str, Any]] = field(default_factory=dict)
    threads: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    replies: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """``(conversation_id, posted JSON)`` of every reply received."""
    seen: list[Seen] = field(default_factory=list)
    throttled: list[dict[str, str]] = field(default_factory=list)
    """Headers of the 429s to answer next, one per request."""
    reply_answer: str = "message"
    """What a reply is answered with: the ``message``, or only a ``message_uid``."""
    clock: float = T0

    # -- state -------------------------------------------------------------------
    def tick(self, at: float | None = None) -> float:
        """The time of the next event (``at``, or one minute after the last)."""
        self.clock = at if at is not None else self.clock + 60
        return self.clock

    def add(
        self, cid: str, subject: str, text: str, *, customer: tuple[str, str] = CUSTOMER,
        tags: tuple[str, ...] = (), at: float | None = None, **fields: Any,
    ) -> dict[str, Any]:  # fmt: skip
        """A new conversation opened by the customer's first message."""
        name, handle = customer
        when = self.tick(at)
        self.conversations[cid] = {
            "_links": {"self": f"{COMPANY_HOST}/conversations/{cid}", "related": {}},
            "id": cid,
            "subject": subject,
            "status": "unassigned",
            "ticket_ids": [],
            "assignee": None,
            "recipient": {
                "_links": {"related": {}},
                "name": name,
                "handle": handle,
                "role": "from",
            },
            "tags": [{"id": f"tag_{n}", "name": tag} for n, tag in enumerate(tags)],
            "links": [],
            "custom_fields": {},
            "created_at": when,
            "updated_at": when,
            "waiting_since": when,
            "is_private": False,
            "scheduled_reminders": [],
            "metadata": {},
            **fields,
        }
        self.threads[cid] = []
        self.customer_writes(cid, text, at=when, customer=customer)
        return self.conversations[cid]

    def _append(self, cid: str, item: dict[str, Any]) -> dict[str, Any]:
        conversation = self.conversations[cid]
        self.threads[cid].append(item)
        conversation["updated_at"] = item["created_at"]
        conversation["last_message"] = item  # the deprecated field of the inbox list
        inbound = item["is_inbound"]
        if inbound and conversation.get("waiting_since") is None:
            conversation["waiting_since"] = item["created_at"]
        elif not inbound:
            conversation["waiting_since"] = None
        return item

    def customer_writes(
        self, cid: str, text: str, *, at: float | None = None, customer: tuple[str, str] = CUSTOMER
    ) -> dict[str, Any]:
        """The customer writes in ``cid`` (it opens again if it was archived)."""
        ident = f"msg_{cid}_{len(self.threads[cid]) + 1}"
        self.conversations[cid]["status"] = "unassigned"
        when = self.tick(at)
        return self._append(cid, message(ident, cid, text, when, inbound=True, customer=customer))

    def team_writes(
        self, cid: str, text: str, *, at: float | None = None, author: str = TEAMMATE,
        archive: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        """A teammate answers in Front itself (archiving the conversation, if asked)."""
        ident = f"msg_{cid}_{len(self.threads[cid]) + 1}"
        when = self.tick(at)
        item = self._append(cid, message(ident, cid, text, when, inbound=False, author=author))
        if archive:
            self.conversations[cid]["status"] = "archived"
        return item

    # -- the API -------------------------------------------------------------------
    def handler(self, seen: Seen) -> Answer:
        """Answer one request of a loopback server."""
        return self.respond(seen)

    def respond(self, seen: Seen) -> Answer:
        """Front's answer to one request."""
        self.seen.append(seen)
        if self.throttled:
            return Answer(429, _error(429, "Too many requests"), headers=self.throttled.pop(0))
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            return Answer(401, _error(401, "Unauthenticated: the API token is invalid"))
        parts = seen.path.strip("/").split("/")
        if seen.method == "GET" and parts == ["me"]:
            return Answer(200, {"_links": {"self": f"{COMPANY_HOST}/me"}, "id": "cmp_1",
                                "name": "Acme Inc"})  # fmt: skip
        if seen.method == "GET" and parts == ["inboxes", self.inbox_id, "conversations"]:
            return self._list(seen)
        if len(parts) >= 2 and parts[0] == "conversations" and parts[1] in self.conversations:
            cid = parts[1]
            if seen.method == "GET" and len(parts) == 2:
                return Answer(200, self.conversations[cid])
            if seen.method == "GET" and parts[2:] == ["messages"]:
                newest_first = sorted(
                    self.threads[cid], key=lambda m: -_number(m.get("created_at"))
                )
                return self._page(seen, newest_first)
            if seen.method == "POST" and parts[2:] == ["messages"]:
                return self._reply(cid, json.loads(seen.body))
        return Answer(404, _error(404, "Not found"))

    def _list(self, seen: Seen) -> Answer:
        statuses = seen.query.get("q[statuses][]") or ["unassigned", "assigned", "archived"]
        listed = [c for c in self.conversations.values() if c["status"] in statuses]
        return self._page(seen, sorted(listed, key=lambda c: -_number(c.get("updated_at"))))

    def _page(self, seen: Seen, items: list[dict[str, Any]]) -> Answer:
        limit = min(int((seen.query.get("limit") or ["25"])[0]), 100, self.page_size)
        start = int((seen.query.get("page_token") or ["0"])[0])
        end = start + limit
        following = None
        if end < len(items):
            query = {k: v for k, v in seen.query.items() if k != "page_token"}
            query["page_token"] = [str(end)]
            following = f"{self.next_origin}{seen.path}?{urlencode(query, doseq=True)}"
        return Answer(200, {"_pagination": {"next": following},
                            "_links": {"self": f"{self.next_origin}{seen.path}"},
                            "_results": items[start:end]})  # fmt: skip

    def _reply(self, cid: str, posted: dict[str, Any]) -> Answer:
        if not isinstance(posted.get("body"), str) or not posted.get("author_id"):
            return Answer(400, _error(400, "body and author_id are required"))
        self.replies.append((cid, posted))
        ident = f"msg_{cid}_{len(self.threads[cid]) + 1}"
        when = self.tick()
        item = message(ident, cid, "", when, inbound=False, author=posted["author_id"],
                       body=posted["body"])  # fmt: skip
        self._append(cid, item)
        if (posted.get("options") or {}).get("archive", True):
            self.conversations[cid]["status"] = "archived"
        if self.reply_answer == "message":
            return Answer(202, item)
        return Answer(202, {"_links": {}, "message_uid": item["message_uid"]})

    def throttle(self, **headers: str) -> None:
        """Answer the next request with a 429 carrying these headers (as Front names them)."""
        self.throttled.append({name.replace("_", "-"): value for name, value in headers.items()})


def _error(status: int, message_text: str) -> dict[str, Any]:
    return {"_error": {"status": status, "title": message_text.split(":")[0],
                       "message": message_text, "details": []}}  # fmt: skip


def _number(value: Any) -> float:
    """A time as a number for sorting (a test may have broken it on purpose)."""
    return float(value) if isinstance(value, int | float) else 0.0
