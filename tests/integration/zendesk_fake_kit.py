"""A loopback fake of Zendesk Support for the ``zendesk`` channel's integration tests.

:class:`ZendeskFake` keeps tickets, their comments and users, and speaks the part of
the Support API the connector uses, shaped as documented:

- ``GET /api/v2/incremental/tickets/cursor.json`` (``start_time`` or ``cursor``;
  ``after_cursor``, ``end_of_stream``; ``include=users,organizations`` sideloads),
  ``page_size`` tickets a page, in the order they last changed;
- ``GET /api/v2/tickets/{id}/comments.json`` (cursor pages: ``page[size]``,
  ``page[after]``, ``meta.has_more``, ``links.next``; ``include=users``);
- ``GET /api/v2/users/me.json`` and ``GET /api/v2/users/{id}.json``;
- ``PUT /api/v2/tickets/{id}.json`` adding a comment (answered with the ticket and its
  audit, whose ``Comment`` event is the new comment).

Every request needs the credentials it was made with (HTTP Basic
``{email}/token:{token}``, or ``Bearer {oauth_token}``): anything else is a 401.
:meth:`ZendeskFake.throttle` makes the next requests a 429 with Zendesk's headers.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.integration.loopback_kit import Answer, Seen

EXPORT = "/api/v2/incremental/tickets/cursor.json"


@dataclass
class ZendeskFake:
    """One Zendesk account with one agent, served on loopback by :meth:`handler`."""

    email: str = "anna@acme.example"
    token: str | None = None
    oauth_token: str | None = None
    agent: dict[str, Any] = field(
        default_factory=lambda: {"id": 900, "name": "Anna Berg", "role": "admin"}
    )
    now: str = "2026-12-04T08:30:00Z"
    """When a reply posted through the API is stamped."""
    page_size: int = 2
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    organizations: dict[int, dict[str, Any]] = field(default_factory=dict)
    replies: list[dict[str, Any]] = field(default_factory=list)
    """Every comment added through ``PUT /api/v2/tickets/{id}.json``: its ticket id, the
    comment as sent, and the Authorization header it came with."""
    exports: list[dict[str, list[str]]] = field(default_factory=list)
    """The query of every export request."""
    changes: list[int] = field(default_factory=list)
    """Ticket ids in the order they last changed (the export's order)."""
    throttled: int = 0
    _next_id: int = 8000

    def __post_init__(self) -> None:
        self.agent = {**self.agent, "email": self.email}
        self.users[self.agent["id"]] = self.agent

    # -- the account ---------------------------------------------------------------
    def customer(self, user_id: int, name: str, email: str, organization: str | None = None):
        """A requester (an end-user, maybe of an organisation)."""
        org_id = None
        if organization:
            org_id = 70 + len(self.organizations)
            self.organizations[org_id] = {"id": org_id, "name": organization}
        self.users[user_id] = {
            "id": user_id,
            "name": name,
            "email": email,
            "role": "end-user",
            "organization_id": org_id,
        }

    def ticket(self, ticket_id: int, requester: int, subject: str, status: str, at: str) -> None:
        """A ticket (its first comment comes with :meth:`comment`)."""
        self.tickets[ticket_id] = {
            "id": ticket_id,
            "url": f"https://acme.zendesk.com/api/v2/tickets/{ticket_id}.json",
            "subject": subject,
            "description": "",
            "requester_id": requester,
            "submitter_id": requester,
            "organization_id": self.users[requester].get("organization_id"),
            "status": status,
            "priority": "normal",
            "tags": [],
            "via": {"channel": "email"},
            "created_at": at,
            "updated_at": at,
        }
        self._changed(ticket_id)

    def comment(self, ticket_id: int, author: int, body: str, at: str, public: bool = True):
        """A comment on a ticket (an internal note when not public); returns its id."""
        self._next_id += 1
        self.comments.setdefault(ticket_id, []).append(
            {
                "id": self._next_id,
                "type": "Comment",
                "author_id": author,
                "body": body,
                "html_body": f'<div class="zd-comment" dir="auto"><p>{body}</p></div>',
                "plain_body": body,
                "public": public,
                "attachments": [],
                "audit_id": self._next_id + 50_000,
                "via": {"channel": "web"},
                "created_at": at,
                "metadata": {"system": {}},
            }
        )
        ticket = self.tickets[ticket_id]
        if not ticket["description"]:
            ticket["description"] = body
        ticket["updated_at"] = at
        self._changed(ticket_id)
        return self._next_id

    def set_status(self, ticket_id: int, status: str) -> None:
        """The ticket's status changes (it appears in the next export)."""
        self.tickets[ticket_id]["status"] = status
        self._changed(ticket_id)

    def throttle(self, times: int = 1) -> None:
        """Answer the next ``times`` requests with a 429 and Zendesk's rate-limit headers."""
        self.throttled += times

    def _changed(self, ticket_id: int) -> None:
        if ticket_id in self.changes:
            self.changes.remove(ticket_id)
        self.changes.append(ticket_id)

    # -- the API -------------------------------------------------------------------
    def authorized(self, seen: Seen) -> bool:
        """Whether the request carries this account's credentials."""
        given = seen.headers.get("authorization", "")
        wanted = set()
        if self.token:
            pair = f"{self.email}/token:{self.token}".encode()
            wanted.add("Basic " + base64.b64encode(pair).decode())
        if self.oauth_token:
            wanted.add(f"Bearer {self.oauth_token}")
        return given in wanted

    def handler(self, seen: Seen) -> Answer:
        """Answer one request as Zendesk would."""
        if self.throttled:
            self.throttled -= 1
            limits = {"Retry-After": "1", "X-Rate-Limit": "700", "X-Rate-Limit-Remaining": "0"}
            return Answer(429, {"error": "TooManyRequests"}, headers=limits)
        if not self.authorized(seen):
            return Answer(401, {"error": "Couldn't authenticate you"})
        parts = seen.path.strip("/").removesuffix(".json").split("/")
        if seen.method == "GET" and seen.path == EXPORT:
            return self._export(seen)
        if seen.method == "GET" and parts[:3] == ["api", "v2", "users"]:
            user = self.agent if parts[3] == "me" else self.users.get(_number(parts[3]))
            return Answer(200, {"user": user}) if user else _not_found()
        if parts[:3] != ["api", "v2", "tickets"] or _number(parts[3]) not in self.tickets:
            return _not_found()
        ticket_id = _number(parts[3])
        if seen.method == "GET" and parts[4:] == ["comments"]:
            return self._comments(seen, ticket_id)
        if seen.method == "PUT" and len(parts) == 4:
            return self._update(seen, ticket_id)
        return _not_found()

    def _export(self, seen: Seen) -> Answer:
        self.exports.append(seen.query)
        cursor = seen.query.get("cursor", [""])[0]
        if cursor:
            done = json.loads(base64.urlsafe_b64decode(cursor))
            pending = [t for t in self.changes if t not in done]
        else:
            start = int(seen.query["start_time"][0])
            pending = [t for t in self.changes if _epoch(self.tickets[t]["updated_at"]) >= start]
            done = [t for t in self.changes if t not in pending]
        page = pending[: self.page_size]
        seen_now = done + page
        after = base64.urlsafe_b64encode(json.dumps(seen_now).encode()).decode()
        tickets = [self.tickets[t] for t in page]
        includes = seen.query.get("include", [""])[0].split(",")
        body: dict[str, Any] = {
            "tickets": tickets,
            "after_url": f"https://acme.zendesk.com{EXPORT}?cursor={after}",
            "after_cursor": after,
            "before_url": None,
            "before_cursor": None,
            "end_of_stream": len(pending) <= self.page_size,
        }
        if "users" in includes:
            body["users"] = [self.users[t["requester_id"]] for t in tickets]
        if "organizations" in includes:
            ids = {t["organization_id"] for t in tickets} - {None}
            body["organizations"] = [self.organizations[i] for i in sorted(ids)]
        return Answer(200, body)

    def _comments(self, seen: Seen, ticket_id: int) -> Answer:
        size = int(seen.query.get("page[size]", ["100"])[0])
        start = int(seen.query.get("page[after]", ["0"])[0])
        thread = self.comments.get(ticket_id, [])
        chunk, more = thread[start : start + size], start + size < len(thread)
        following = f"{seen.path}?page[size]={size}&page[after]={start + size}"
        body = {
            "comments": chunk,
            "meta": {"has_more": more, "after_cursor": str(start + size), "before_cursor": None},
            "links": {"next": f"http://{seen.headers['host']}{following}" if more else None},
        }
        if "users" in seen.query.get("include", [""])[0]:
            body["users"] = [self.users[c["author_id"]] for c in chunk]
        return Answer(200, body)

    def _update(self, seen: Seen, ticket_id: int) -> Answer:
        sent = json.loads(seen.body)["ticket"]["comment"]
        author = sent.get("author_id", self.agent["id"])
        new_id = self.comment(ticket_id, author, sent["body"], self.now, sent.get("public", True))
        self.replies.append(
            {"ticket_id": ticket_id, "comment": sent, "auth": seen.headers.get("authorization")}
        )
        event = {"id": new_id, "type": "Comment", "body": sent["body"], "public": True}
        audit = {"id": new_id + 50_000, "ticket_id": ticket_id, "events": [event]}
        return Answer(200, {"ticket": self.tickets[ticket_id], "audit": audit})


def _number(text: str) -> int:
    return int(text) if text.isdigit() else -1


def _epoch(when: str) -> int:
    return int(datetime.strptime(when, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def _not_found() -> Answer:
    return Answer(404, {"error": "RecordNotFound", "description": "Not found"})
