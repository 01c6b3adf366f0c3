"""A stateful fake of Help Scout's Mailbox API 2.0, for the loopback server and the unit tests.

:class:`HelpScoutFake` keeps conversations, their threads, the replies posted and the
app credentials it expects; :meth:`HelpScoutFake.handler` answers a request (a
:class:`~tests.integration.loopback_kit.Seen`) the way the documented API does:

- ``POST /v2/oauth2/token`` (a form: ``grant_type=client_credentials``, ``client_id``,
  ``client_secret``) issues ``{"token_type": "bearer", "access_token", "expires_in"}``;
  wrong credentials get 401. Every other endpoint wants ``Authorization: Bearer`` with
  a token it issued (and not revoked), else 401.
- ``GET /v2/users/me``: the app's user.
- ``GET /v2/conversations`` with ``mailbox``, ``status`` (default ``active``; ``all``),
  ``modifiedSince``, ``sortField=modifiedAt``, ``sortOrder``, ``page`` and
  ``embed=threads``: HAL pages of :attr:`page_size` under ``_embedded.conversations``,
  with ``page{size,totalElements,totalPages,number}`` and ``_links.next.href``.
- ``GET /v2/conversations/{id}/threads``: ``_embedded.threads``, newest first.
- ``POST /v2/conversations/{id}/reply`` (``{"customer": {"id"}, "text", "user"}``):
  a published ``reply`` thread, the conversation active again; 201 with ``Resource-ID``.
- :attr:`throttle` answers that many requests with 429 and ``X-RateLimit-Retry-After``.

:func:`mock_transport` serves the same fake to an ``httpx.MockTransport`` (unit tests).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode

from tests.integration.loopback_kit import Answer, Seen
from tests.integration.loopback_kit import seen_of as _seen_of

MAILBOX = 85
CLIENT_ID = "hs-app-id-7f3a9c"
CLIENT_SECRET = "hs-app-secret-Q8w2Ez5rT1"
USER = {
    "id": 4,
    "firstName": "Vernon",
    "lastName": "Bear",
    "email": "vernon@acme.example",
    "role": "owner",
    "type": "user",
}
START = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def iso(when: datetime) -> str:
    """``2026-12-04T08:00:00Z``, as Help Scout writes times."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class HelpScoutFake:
    """One Help Scout account with one mailbox (see the module's docstring)."""

    base_url: str = "https://api.helpscout.net"
    """Where the fake is served (the host of ``_links`` addresses)."""
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    mailbox_id: int = MAILBOX
    user: dict[str, Any] = field(default_factory=lambda: dict(USER))
    page_size: int = 25
    embed_threads: bool = True
    """``embed=threads`` is honoured (False: threads must be asked for)."""
    expires_in: int = 172800
    throttle: int = 0
    """Answer this many of the next requests with 429."""
    retry_after: str = "7"
    conversations: dict[int, dict[str, Any]] = field(default_factory=dict)
    threads: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    replies: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    """Every reply posted: ``(conversation id, JSON body)``."""
    tokens: list[str] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)
    now: datetime = START
    _next_id: int = 1000

    # -- building the account ------------------------------------------------------
    def tick(self, minutes: int = 1) -> str:
        """Move the fake's clock on; returns the new time."""
        self.now += timedelta(minutes=minutes)
        return iso(self.now)

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def conversation(
        self,
        subject: str,
        customer: dict[str, Any],
        body: str,
        *,
        status: str = "active",
        tags: tuple[str, ...] = (),
    ) -> int:
        """A new conversation started by ``customer`` (``id``, ``first``, ``last``, ``email``)."""
        conv_id = self.new_id()
        at = self.tick()
        self.conversations[conv_id] = {
            "id": conv_id,
            "number": conv_id - 700,
            "threads": 0,
            "type": "email",
            "folderId": 1,
            "status": status,
            "state": "published",
            "subject": subject,
            "preview": body[:185],
            "mailboxId": self.mailbox_id,
            "assignee": None,
            "createdBy": {"id": customer["id"], "type": "customer", "email": customer["email"]},
            "createdAt": at,
            "closedAt": None,
            "userUpdatedAt": at,
            "modifiedAt": at,
            "customerWaitingSince": {"time": at, "friendly": "1 min ago"},
            "source": {"type": "email", "via": "customer"},
            "tags": [{"id": n + 1, "color": "#929499", "tag": t} for n, t in enumerate(tags)],
            "cc": [],
            "bcc": [],
            "primaryCustomer": dict(customer),
            "customFields": [],
        }
        self.threads[conv_id] = []
        self.customer_writes(conv_id, body)
        self.conversations[conv_id]["status"] = status
        return conv_id

    def _thread(self, conv_id: int, kind: str, body: str, author: dict[str, Any]) -> int:
        at = self.tick()
        thread_id = self.new_id()
        conv = self.conversations[conv_id]
        thread: dict[str, Any] = {
            "id": thread_id,
            "type": kind,
            "status": "active",
            "state": "published",
            "body": body,
            "source": {"type": "email", "via": "customer" if kind == "customer" else "user"},
            "createdBy": author,
            "createdAt": at,
            "_links": {},
        }
        if kind == "customer":
            thread["customer"] = {k: v for k, v in author.items() if k != "type"}
        self.threads[conv_id].insert(0, thread)  # newest first, as the API lists them
        conv["threads"] = len(self.threads[conv_id])
        conv["modifiedAt"] = conv["userUpdatedAt"] = at
        conv["preview"] = body[:185]
        return thread_id

    def customer_writes(self, conv_id: int, body: str) -> int:
        """The customer writes again: the conversation is active."""
        customer = self.conversations[conv_id]["primaryCustomer"]
        self.conversations[conv_id]["status"] = "active"
        return self._thread(conv_id, "customer", body, {**customer, "type": "customer"})

    def agent_replies(self, conv_id: int, body: str, *, status: str = "pending") -> int:
        """A teammate (not our app's user) answers and sets the status."""
        mate = {
            "id": 9,
            "type": "user",
            "first": "Jack",
            "last": "Sprout",
            "email": "jack@acme.example",
        }
        self.conversations[conv_id]["status"] = status
        return self._thread(conv_id, "reply", body, mate)

    def note(self, conv_id: int, body: str) -> int:
        """An internal note (never shown to the customer)."""
        mate = {"id": 9, "type": "user", "first": "Jack", "last": "Sprout"}
        return self._thread(conv_id, "note", body, mate)

    # -- the API -------------------------------------------------------------------
    def handler(self, seen: Seen) -> Answer:
        """Answer one request like Help Scout's API (see the module's docstring)."""
        if self.throttle > 0:
            self.throttle -= 1
            return Answer(
                429,
                {"error": "Too many requests"},
                headers={
                    "X-RateLimit-Limit-Minute": "200",
                    "X-RateLimit-Remaining-Minute": "0",
                    "X-RateLimit-Retry-After": self.retry_after,
                },
            )
        if seen.method == "POST" and seen.path == "/v2/oauth2/token":
            return self._token(seen)
        token = seen.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.tokens or token in self.revoked:
            return Answer(401, {"error": "invalid_token", "message": "Not authorized"})
        parts = seen.path.strip("/").split("/")
        if parts == ["v2", "users", "me"] and seen.method == "GET":
            return Answer(200, {**self.user, "_links": {}})
        if parts == ["v2", "conversations"] and seen.method == "GET":
            return self._list(seen)
        if len(parts) == 4 and parts[:2] == ["v2", "conversations"] and parts[2].isdigit():
            conv_id = int(parts[2])
            if conv_id not in self.conversations:
                return Answer(404, {"message": "Conversation not found"})
            if parts[3] == "threads" and seen.method == "GET":
                return Answer(200, self._hal("threads", self.threads[conv_id], 1, seen))
            if parts[3] == "reply" and seen.method == "POST":
                return self._reply(conv_id, seen)
        return Answer(404, {"message": "Not found"})

    def _token(self, seen: Seen) -> Answer:
        form = {k: v[0] for k, v in parse_qs(seen.body.decode()).items()}
        if form.get("grant_type") != "client_credentials":
            return Answer(400, {"error": "unsupported_grant_type"})
        if (form.get("client_id"), form.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return Answer(401, {"error": "invalid_client", "error_description": "Bad credentials"})
        token = f"hs-token-{len(self.tokens) + 1}-b71e"
        self.tokens.append(token)
        return Answer(
            200, {"token_type": "bearer", "access_token": token, "expires_in": self.expires_in}
        )

    def _list(self, seen: Seen) -> Answer:
        query = {k: v[0] for k, v in seen.query.items()}
        status = query.get("status", "active")
        since = query.get("modifiedSince")
        chosen = [
            c
            for c in self.conversations.values()
            if str(c["mailboxId"]) == query.get("mailbox", str(c["mailboxId"]))
            and (status == "all" or c["status"] == status)
            and (since is None or c["modifiedAt"] >= since)
        ]
        chosen.sort(key=lambda c: c["modifiedAt"], reverse=query.get("sortOrder") != "asc")
        if query.get("embed") == "threads" and self.embed_threads:
            chosen = [
                {**c, "_embedded": {"threads": self.threads.get(c["id"], [])}} for c in chosen
            ]
        page = int(query.get("page", "1"))
        return Answer(200, self._hal("conversations", chosen, page, seen, query))

    def _hal(
        self,
        name: str,
        items: list[Any],
        page: int,
        seen: Seen,
        query: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        size = self.page_size
        total_pages = max(1, -(-len(items) // size))
        here = items[(page - 1) * size : page * size]
        links: dict[str, Any] = {"self": {"href": self._href(seen.path, query, page)}}
        if page < total_pages:
            links["next"] = {"href": self._href(seen.path, query, page + 1)}
        return {
            "_embedded": {name: here},
            "_links": links,
            "page": {
                "size": size,
                "totalElements": len(items),
                "totalPages": total_pages,
                "number": page,
            },
        }

    def _href(self, path: str, query: dict[str, str] | None, page: int) -> str:
        return f"{self.base_url}{path}?{urlencode({**(query or {}), 'page': page})}"

    def _reply(self, conv_id: int, seen: Seen) -> Answer:
        body = json.loads(seen.body)
        conv = self.conversations[conv_id]
        customer = body.get("customer") or {}
        if customer.get("id") != conv["primaryCustomer"]["id"] or not body.get("text"):
            return Answer(400, {"message": "Validation error", "_embedded": {"errors": []}})
        self.replies.append((conv_id, body))
        user = {**self.user, "first": self.user["firstName"], "last": self.user["lastName"]}
        if body.get("user") not in (None, self.user["id"]):
            user = {"id": body["user"], "type": "user"}
        thread_id = self._thread(conv_id, "reply", body["text"], user)
        conv["status"] = body.get("status", "active")
        return Answer(201, b"", headers={"Resource-ID": str(thread_id)})


def mock_transport(fake: HelpScoutFake, before: Callable[[Any], Any] | None = None) -> Any:
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
