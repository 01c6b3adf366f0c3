"""A loopback fake of the Freshdesk API v2, for the ``freshdesk`` kind's integration tests.

:class:`FreshdeskFake` keeps tickets, their conversations (public replies and private
notes), companies, one agent and the replies posted, and answers through
``handler(seen) -> Answer`` (serve it with the ``loopback`` fixture) the endpoints the
connector uses:

- ``GET /api/v2/agents/me``;
- ``GET /api/v2/tickets`` with ``updated_since``, ``order_by=updated_at``,
  ``order_type``, ``page``/``per_page`` and ``include=requester,description``, paged
  with a ``Link: <...>; rel="next"`` header that repeats the query (a small
  ``page_size`` makes a few tickets span several pages);
- ``GET /api/v2/tickets/{id}/conversations`` (paged the same way);
- ``GET /api/v2/companies/{id}``;
- ``POST /api/v2/tickets/{id}/reply`` (the new conversation, HTTP 201).

Every request must carry HTTP Basic ``API_KEY:X``, else HTTP 401 as Freshdesk words it.
``throttle_next = N`` answers the next N requests with HTTP 429, ``Retry-After`` and
Freshdesk's ``X-RateLimit-*`` headers.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import urlencode

from tests.integration.loopback_kit import Answer, Seen

SUPPORT_EMAIL = "support@acme.freshdesk.com"


class FreshdeskFake:
    """A small stateful Freshdesk account with one agent."""

    def __init__(
        self,
        *,
        api_key: str,
        agent_id: int = 77,
        agent_name: str = "Anna Agent",
        page_size: int = 2,
        now: str = "2026-12-04T08:30:00Z",
    ) -> None:
        self.api_key = api_key
        self.agent = {
            "id": agent_id,
            "available": True,
            "occasional": False,
            "ticket_scope": 1,
            "type": "support_agent",
            "created_at": "2025-01-10T09:00:00Z",
            "updated_at": "2026-11-01T09:00:00Z",
            "contact": {"name": agent_name, "email": "anna@acme.example", "active": True},
        }
        self.page_size = page_size
        self.now = now
        """The time given to replies posted (set it as the test's clock moves)."""
        self.tickets: dict[int, dict[str, Any]] = {}
        self.contacts: dict[int, dict[str, Any]] = {}
        self.conversations: dict[int, list[dict[str, Any]]] = {}
        self.companies: dict[int, dict[str, Any]] = {}
        self.replies: list[tuple[int, dict[str, Any], dict[str, str]]] = []
        """Every reply posted: (ticket id, JSON body, request headers)."""
        self.ticket_queries: list[dict[str, list[str]]] = []
        """The query of every ticket-list request, in order."""
        self.throttle_next = 0
        self._ids = 5000

    # -- the account ------------------------------------------------------------------
    def add_contact(self, contact_id: int, name: str, email: str) -> None:
        """A customer who can be a requester."""
        self.contacts[contact_id] = {
            "id": contact_id,
            "name": name,
            "email": email,
            "mobile": None,
            "phone": None,
        }

    def add_company(self, company_id: int, name: str) -> None:
        """A company tickets can belong to."""
        self.companies[company_id] = {
            "id": company_id,
            "name": name,
            "description": None,
            "domains": [],
            "created_at": "2025-01-01T00:00:00Z",
            "updated_at": "2025-01-01T00:00:00Z",
        }

    def add_ticket(
        self,
        ticket_id: int,
        *,
        requester_id: int,
        subject: str,
        description: str,
        created_at: str,
        updated_at: str | None = None,
        status: int = 2,
        priority: int = 2,
        company_id: int | None = None,
        tags: tuple[str, ...] = (),
    ) -> None:
        """A ticket as the customer opened it (by email)."""
        self.tickets[ticket_id] = {
            "id": ticket_id,
            "subject": subject,
            "description": f"<div>{description}</div>",
            "description_text": description,
            "status": status,
            "priority": priority,
            "source": 1,
            "type": None,
            "spam": False,
            "requester_id": requester_id,
            "responder_id": None,
            "group_id": None,
            "company_id": company_id,
            "email_config_id": None,
            "product_id": None,
            "fr_escalated": False,
            "is_escalated": False,
            "cc_emails": [],
            "fwd_emails": [],
            "reply_cc_emails": [],
            "to_emails": None,
            "tags": list(tags),
            "custom_fields": {},
            "due_by": "2026-12-06T08:00:00Z",
            "fr_due_by": "2026-12-05T08:00:00Z",
            "created_at": created_at,
            "updated_at": updated_at or created_at,
        }
        self.conversations.setdefault(ticket_id, [])

    def add_conversation(
        self,
        ticket_id: int,
        *,
        body: str,
        created_at: str,
        incoming: bool,
        user_id: int,
        private: bool = False,
    ) -> int:
        """A reply or a note in a ticket's thread; the ticket's ``updated_at`` moves."""
        self._ids += 1
        self.conversations[ticket_id].append(
            {
                "id": self._ids,
                "body": f"<div>{body}</div>",
                "body_text": body,
                "incoming": incoming,
                "private": private,
                "user_id": user_id,
                "ticket_id": ticket_id,
                "source": 2 if private else 0,
                "category": 2,
                "support_email": None if incoming else SUPPORT_EMAIL,
                "from_email": None,
                "to_emails": [],
                "cc_emails": [],
                "bcc_emails": [],
                "attachments": [],
                "created_at": created_at,
                "updated_at": created_at,
            }
        )
        self.tickets[ticket_id]["updated_at"] = max(
            self.tickets[ticket_id]["updated_at"], created_at
        )
        return self._ids

    # -- the API ----------------------------------------------------------------------
    def handler(self, seen: Seen) -> Answer:
        """Answer one request as Freshdesk would."""
        if self.throttle_next > 0:
            self.throttle_next -= 1
            return Answer(
                429,
                {"message": "You have exceeded the limit of requests per minute"},
                headers={"Retry-After": "1", **self._limits(remaining=0)},
            )
        if seen.headers.get("authorization") != self._expected_auth():
            return Answer(
                401,
                {
                    "code": "invalid_credentials",
                    "message": "You have to be logged in to perform this action.",
                },
            )
        path = seen.path.rstrip("/")
        if seen.method == "GET" and path == "/api/v2/agents/me":
            return self._ok(self.agent)
        if seen.method == "GET" and path == "/api/v2/tickets":
            return self._ticket_list(seen)
        match = re.fullmatch(r"/api/v2/tickets/(\d+)/(conversations|reply)", path)
        if match and int(match[1]) in self.tickets:
            ticket_id = int(match[1])
            if seen.method == "GET" and match[2] == "conversations":
                return self._paged(seen, self.conversations[ticket_id])
            if seen.method == "POST" and match[2] == "reply":
                return self._reply(ticket_id, seen)
        match = re.fullmatch(r"/api/v2/companies/(\d+)", path)
        if seen.method == "GET" and match and int(match[1]) in self.companies:
            return self._ok(self.companies[int(match[1])])
        return Answer(404, b"")

    def _expected_auth(self) -> str:
        return "Basic " + base64.b64encode(f"{self.api_key}:X".encode()).decode("ascii")

    def _limits(self, remaining: int = 199) -> dict[str, str]:
        return {
            "X-RateLimit-Total": "200",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Used-CurrentRequest": "1",
        }

    def _ok(self, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
        return Answer(status, body, headers={**self._limits(), **(headers or {})})

    def _ticket_list(self, seen: Seen) -> Answer:
        self.ticket_queries.append(seen.query)
        since = _one(seen.query, "updated_since") or "0000"
        include = (_one(seen.query, "include") or "").split(",")
        found = sorted(
            (t for t in self.tickets.values() if t["updated_at"] >= since),
            key=lambda t: (t["updated_at"], t["id"]),
            reverse=_one(seen.query, "order_type") == "desc",
        )
        shown = []
        for ticket in found:
            item = dict(ticket)
            if "description" not in include:
                item.pop("description")
                item.pop("description_text")
            if "requester" in include:
                item["requester"] = self.contacts.get(ticket["requester_id"])
            shown.append(item)
        return self._paged(seen, shown)

    def _paged(self, seen: Seen, items: list[dict[str, Any]]) -> Answer:
        """One page of ``items``; a Link header to the next one repeats the query."""
        page = int(_one(seen.query, "page") or 1)
        size = min(int(_one(seen.query, "per_page") or 30), self.page_size)
        chosen = items[(page - 1) * size : page * size]
        headers = {}
        if page * size < len(items):
            query = {k: v[0] for k, v in seen.query.items()} | {"page": str(page + 1)}
            url = f"http://{seen.headers['host']}{seen.path}?{urlencode(query)}"
            headers["Link"] = f'<{url}>; rel="next"'
        return self._ok(chosen, headers=headers)

    def _reply(self, ticket_id: int, seen: Seen) -> Answer:
        payload = json.loads(seen.body)
        self.replies.append((ticket_id, payload, dict(seen.headers)))
        text = re.sub(r"<[^>]+>", " ", payload.get("body", ""))
        reply_id = self.add_conversation(
            ticket_id,
            body="",
            created_at=self.now,
            incoming=False,
            user_id=payload.get("user_id", self.agent["id"]),
        )
        conversation = self.conversations[ticket_id][-1]
        conversation["body"] = payload.get("body", "")
        conversation["body_text"] = " ".join(text.split())
        answer = {
            "id": reply_id,
            "body": conversation["body"],
            "body_text": conversation["body_text"],
            "user_id": conversation["user_id"],
            "ticket_id": ticket_id,
            "from_email": SUPPORT_EMAIL,
            "cc_emails": [],
            "bcc_emails": [],
            "attachments": [],
            "created_at": self.now,
            "updated_at": self.now,
        }
        return self._ok(answer, status=201)


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None
