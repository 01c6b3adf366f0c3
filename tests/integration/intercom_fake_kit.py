"""A loopback fake of Intercom's REST API, for the ``intercom`` kind's integration tests.

:class:`FakeIntercom` keeps conversations with their parts, the access token it expects
and the replies posted, and answers (``handler(seen) -> Answer``) the endpoints the
connector uses, shaped as Intercom documents them:

- ``POST /conversations/search``: ``updated_at`` and ``state`` filters (``=``, ``!=``,
  ``>``, ``<``; ``>``/``<`` on dates include the bound, as documented) joined by ``AND``
  or ``OR``, sorted by ``updated_at``, paged with ``pagination.per_page`` and
  ``starting_after`` (the answer's ``pages.next.starting_after``);
- ``GET /conversations/{id}``: the conversation with ``conversation_parts``;
- ``POST /conversations/{id}/reply``: a comment (or note) by an admin; answers the
  conversation;
- ``GET /me``: the admin the token belongs to, with its workspace (``app``).

A wrong or missing bearer token gets ``401`` with an ``error.list``; ``throttle_next``
makes the next requests answer ``429`` with ``X-RateLimit-Limit/Remaining/Reset``.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any

from tests.integration.loopback_kit import Answer, Seen

ADMIN_ID = "814860"
WORKSPACE = "abc123de"


def _error(status: int, code: str, message: str) -> Answer:
    return Answer(status, {"type": "error.list", "errors": [{"code": code, "message": message}]})


class FakeIntercom:
    """A small stateful Intercom workspace."""

    def __init__(self, token: str, *, now: int, admin_id: str = ADMIN_ID) -> None:
        self.token = token
        self.now = now
        """The workspace's clock (epoch seconds): new parts are stamped from it."""
        self.admin = {"type": "admin", "id": admin_id, "name": "Anna Agent",
                      "email": "anna@acme.example"}  # fmt: skip
        self.conversations: dict[str, dict[str, Any]] = {}
        self.replies: list[tuple[str, dict[str, Any]]] = []
        """``(conversation id, request body)`` of every reply posted."""
        self.searches: list[dict[str, Any]] = []
        self.throttle_next = 0
        self._lock = threading.Lock()

    # -- the workspace's data -------------------------------------------------------
    def add_conversation(
        self, cid: str, customer: dict[str, Any], body: str, at: int, *, state: str = "open"
    ) -> None:
        """A conversation started by ``customer`` with ``body`` at ``at``."""
        self.conversations[cid] = {
            "type": "conversation", "id": cid, "title": None, "created_at": at,
            "updated_at": at, "waiting_since": at, "snoozed_until": None,
            "source": {"type": "conversation", "id": f"s{cid}", "delivered_as":
                       "customer_initiated", "subject": "", "body": body,
                       "author": customer, "attachments": [], "url": None, "redacted": False},
            "contacts": {"type": "contact.list",
                         "contacts": [{"type": "contact", "id": customer["id"]}]},
            "open": state == "open", "state": state, "read": False,
            "priority": "not_priority", "tags": {"type": "tag.list", "tags": []},
            "admin_assignee_id": None, "team_assignee_id": None,
            "conversation_parts": {"type": "conversation_part.list",
                                   "conversation_parts": [], "total_count": 0},
        }  # fmt: skip

    def add_part(
        self,
        cid: str,
        author: dict[str, Any],
        body: str | None,
        at: int,
        part_type: str = "comment",
    ) -> dict[str, Any]:
        """Append a part (a comment, a note, a close ...) to a conversation."""
        conversation = self.conversations[cid]
        parts = conversation["conversation_parts"]
        new = {"type": "conversation_part", "id": f"{cid}{len(parts['conversation_parts']):03d}",
               "part_type": part_type, "body": body, "created_at": at, "updated_at": at,
               "notified_at": at, "assigned_to": None, "author": author, "attachments": [],
               "external_id": None, "redacted": False}  # fmt: skip
        parts["conversation_parts"].append(new)
        parts["total_count"] = len(parts["conversation_parts"])
        conversation["updated_at"] = max(conversation["updated_at"], at)
        if part_type == "close":
            conversation.update(state="closed", open=False)
        elif author.get("type") in ("user", "lead", "contact"):
            conversation.update(state="open", open=True, waiting_since=at)
        elif part_type == "comment":
            conversation["waiting_since"] = None
        return new

    # -- the API ----------------------------------------------------------------------
    def handler(self, seen: Seen) -> Answer:
        """Answer one request as Intercom would."""
        with self._lock:
            if seen.headers.get("authorization") != f"Bearer {self.token}":
                return _error(401, "unauthorized", "Access Token Invalid")
            if self.throttle_next > 0:
                self.throttle_next -= 1
                reset = str(int(time.time()) + 1)
                headers = {"X-RateLimit-Limit": "166", "X-RateLimit-Remaining": "0",
                           "X-RateLimit-Reset": reset}  # fmt: skip
                answer = _error(429, "rate_limit_exceeded", "Exceeded rate limit")
                answer.headers = headers
                return answer
            return self._route(seen)

    def _route(self, seen: Seen) -> Answer:
        path = seen.path
        if seen.method == "GET" and path == "/me":
            app = {"type": "app", "id_code": WORKSPACE, "name": "Acme", "region": "US"}
            return Answer(200, {**self.admin, "email_verified": True, "app": app})
        if seen.method == "POST" and path == "/conversations/search":
            return self._search(json.loads(seen.body))
        cid = path.removeprefix("/conversations/").removesuffix("/reply")
        if not path.startswith("/conversations/") or cid not in self.conversations:
            return _error(404, "not_found", "Resource Not Found")
        if seen.method == "POST" and path.endswith("/reply"):
            return self._reply(cid, json.loads(seen.body))
        if seen.method == "GET":
            return Answer(200, self.conversations[cid])
        return _error(404, "not_found", "Resource Not Found")

    def _search(self, body: dict[str, Any]) -> Answer:
        self.searches.append(body)
        found = sorted(
            (c for c in self.conversations.values() if _matches(c, body["query"])),
            key=lambda c: (c["updated_at"], c["id"]),
        )
        pagination = body.get("pagination") or {}
        per_page = int(pagination.get("per_page", 20))
        cursor = pagination.get("starting_after")
        start = int(base64.b64decode(cursor)) if cursor else 0
        listed = [
            {k: v for k, v in c.items() if k != "conversation_parts"}
            for c in found[start : start + per_page]
        ]
        pages: dict[str, Any] = {"type": "pages", "page": start // per_page + 1,
                                 "per_page": per_page,
                                 "total_pages": max(1, -(-len(found) // per_page))}  # fmt: skip
        if start + per_page < len(found):
            following = base64.b64encode(str(start + per_page).encode()).decode()
            pages["next"] = {"page": pages["page"] + 1, "starting_after": following}
        return Answer(200, {"type": "conversation.list", "conversations": listed,
                            "total_count": len(found), "pages": pages})  # fmt: skip

    def _reply(self, cid: str, body: dict[str, Any]) -> Answer:
        if body.get("type") != "admin" or body.get("admin_id") != self.admin["id"]:
            return _error(400, "parameter_invalid", "admin_id not found")
        if body.get("message_type") not in ("comment", "note") or not body.get("body"):
            return _error(400, "parameter_invalid", "message_type or body invalid")
        self.replies.append((cid, body))
        self.now += 1
        self.add_part(cid, self.admin, body["body"], self.now, body["message_type"])
        return Answer(200, self.conversations[cid])


def _matches(conversation: dict[str, Any], query: dict[str, Any]) -> bool:
    """Whether a conversation matches a search query (nested AND/OR of field filters)."""
    if query.get("operator") in ("AND", "OR"):
        results = [_matches(conversation, q) for q in query["value"]]
        return all(results) if query["operator"] == "AND" else any(results)
    actual, wanted = conversation.get(query["field"]), query["value"]
    return {
        "=": actual == wanted,
        "!=": actual != wanted,
        ">": actual is not None and actual >= wanted,
        "<": actual is not None and actual <= wanted,
    }[query["operator"]]
