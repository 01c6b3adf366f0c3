"""Loopback fakes of Productboard, Linear and Jira Cloud for the tracker destinations.

Each fake keeps what it received (notes, issues, comments) and speaks the part of the
API the destination uses, shaped as documented; :meth:`TrackerFake.handler` serves it on
a :class:`~tests.integration.loopback_kit.LoopbackServer`, and :func:`mock_handler`
serves it over ``httpx.MockTransport`` for the unit tests.

Faults are scripted per *write* (a note, an issue or a comment created), counted from 1:
``refuse`` answers a server error and keeps nothing; ``lose`` keeps the write and then
answers too late (over a mock transport: a read timeout), so the client cannot know it
went out; ``throttle`` answers the service's "too many requests" once, asking for no
wait, and keeps nothing.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.integration.loopback_kit import Answer, Seen, mock_response, seen_of

LOST_ANSWER_DELAY = 5.0
"""How late a lost answer comes on loopback (longer than the tests' deadlines)."""


@dataclass
class TrackerFake:
    """What every fake shares: the credentials it takes, the write script, the log."""

    base: str = ""
    """The fake's own address (for the links it answers with)."""
    faults: dict[int, str] = field(default_factory=dict)
    """Write number -> ``refuse``, ``lose`` or ``throttle``."""
    writes: int = 0
    requests: list[Seen] = field(default_factory=list)

    def fault(self) -> str | None:
        """Count one write; the fault scripted for it, if any."""
        self.writes += 1
        return self.faults.pop(self.writes, None)

    def handler(self, seen: Seen) -> Answer:
        """Answer one request (recorded first)."""
        self.requests.append(seen)
        return self.respond(seen)

    def respond(self, seen: Seen) -> Answer:
        """The fake's answer to ``seen``."""
        raise NotImplementedError


def mock_handler(fake: TrackerFake) -> Callable[[httpx.Request], httpx.Response]:
    """``fake`` as an ``httpx.MockTransport`` handler: a lost answer is a read timeout
    after the fake kept the write."""

    def handle(request: httpx.Request) -> httpx.Response:
        answer = fake.handler(seen_of(request))
        if answer.delay:
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return mock_response(answer)

    return handle


def body_of(seen: Seen) -> Any:
    """The JSON body of a request."""
    return json.loads(seen.body or b"null")


# ---------------------------------------------------------------------- Productboard
NOTE_TYPES = ("textNote", "simple")
"""The v2 type of a plain note, and its legacy alias (both accepted on create)."""
PAGE_SIZE = 2


@dataclass
class ProductboardFake(TrackerFake):
    """Productboard's REST API v2 notes: ``POST /v2/notes`` and ``GET /v2/notes`` (the
    ``metadata[source]`` filters, 2 notes a page, ``links.next`` with an opaque
    ``pageCursor`` that keeps the filters). Notes are kept as v2 resources (``id``,
    ``type``, ``fields``, ``metadata``, ``relationships``, ``links``)."""

    token: str = "pb-token"
    notes: list[dict[str, Any]] = field(default_factory=list)
    users: set[str] = field(default_factory=set)
    """Emails of the workspace's users (a customer relationship to another is a 404)."""
    tags: set[str] | None = None
    """The workspace's tag values (another is a 422); ``None`` takes any tag."""
    html_on_create: bool = False
    """Whether the create answer carries ``links.html`` (the guide shows only ``self``)."""
    ignores_filters: bool = False
    """List every note, whatever the filters ask (the client must check each one)."""
    cursors: dict[str, tuple[dict[str, str], int]] = field(default_factory=dict)

    @property
    def record_ids(self) -> list[str]:
        """The ``metadata.source.recordId`` of every note kept, in order."""
        return [n["metadata"]["source"]["recordId"] for n in self.notes]

    def respond(self, seen: Seen) -> Answer:
        """Notes created and listed; a 401 without the bearer token."""
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            return Answer(401, _pb_error("authentication.failed", "Unauthorized"))
        if seen.method == "POST" and seen.path == "/v2/notes":
            return self._create(body_of(seen))
        if seen.method == "GET" and seen.path == "/v2/notes":
            return self._list(seen)
        return Answer(404, _pb_error("resource.notFound", "Not found"))

    def _create(self, body: dict[str, Any]) -> Answer:
        fault = self.fault()
        if fault == "refuse":
            return Answer(503, _pb_error("server.unavailable", "Service unavailable"))
        if fault == "throttle":
            return Answer(429, _pb_error("rateLimit", "Too many"), headers={"Retry-After": "0"})
        data = body.get("data") or {}
        fields = data.get("fields") or {}
        if data.get("type") not in NOTE_TYPES or not fields.get("name"):
            return Answer(422, _pb_error("validation.failed", "type and fields.name are required"))
        customers = [r["target"] for r in data.get("relationships", []) if r["type"] == "customer"]
        if any(t.get("email") not in self.users for t in customers):
            return Answer(404, _pb_error("resource.notFound", "User not found"))
        names = [t["name"] for t in fields.get("tags", [])]
        if self.tags is not None and any(n not in self.tags for n in names):
            return Answer(422, _pb_error("selectOption.notFound", "Tag value not found"))
        note_id = f"5b1c{len(self.notes):04d}-0000-4000-8000-000000000000"
        links = {"self": f"{self.base}/v2/notes/{note_id}", "html": self._html(note_id)}
        self.notes.append({"id": note_id, **data, "links": links})
        answer_links = links if self.html_on_create else {"self": links["self"]}
        answer = {"data": {"id": note_id, "type": data["type"], "links": answer_links}}
        return Answer(201, answer, delay=LOST_ANSWER_DELAY if fault == "lose" else 0.0)

    def _html(self, note_id: str) -> str:
        return f"{self.base}/app/insights/notes/{note_id}"

    def _list(self, seen: Seen) -> Answer:
        cursor = seen.query.get("pageCursor", [""])[0]
        if cursor:
            if cursor not in self.cursors:
                return Answer(400, _pb_error("pagination.invalid", "Invalid page cursor"))
            filters, start = self.cursors[cursor]
        else:
            filters = {k: v[0] for k, v in seen.query.items() if k.startswith("metadata[")}
            start = 0
        wanted = [n for n in self.notes if self.ignores_filters or _source_matches(n, filters)]
        more = start + PAGE_SIZE < len(wanted)
        following = None
        if more:
            token = f"c{len(self.cursors)}"
            self.cursors[token] = (filters, start + PAGE_SIZE)
            following = f"{self.base}/v2/notes?pageCursor={token}"
        return Answer(
            200, {"data": wanted[start : start + PAGE_SIZE], "links": {"next": following}}
        )


def _source_matches(note: dict[str, Any], filters: dict[str, str]) -> bool:
    source = note.get("metadata", {}).get("source", {})
    system = filters.get("metadata[source][system]")
    record = filters.get("metadata[source][recordId]")
    return (system is None or source.get("system") == system) and (
        record is None or source.get("recordId") == record
    )


def _pb_error(code: str, detail: str) -> dict[str, Any]:
    return {"errors": [{"code": code, "detail": detail}]}


# ----------------------------------------------------------------------------- Linear
@dataclass
class LinearFake(TrackerFake):
    """Linear's GraphQL API: ``issueCreate``, ``commentCreate`` and ``issues(filter)``."""

    key: str = "lin_api_key"
    team_id: str = "team-1"
    issues: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)

    def respond(self, seen: Seen) -> Answer:
        """GraphQL answers; errors as Linear words them (HTTP 400 with ``errors``)."""
        auth = seen.headers.get("authorization")
        if auth not in (self.key, f"Bearer {self.key}") or (
            self.key.startswith("lin_oauth_") != (auth or "").startswith("Bearer ")
        ):
            return _graphql_error(
                "Authentication required, not authenticated", "AUTHENTICATION_ERROR"
            )
        if seen.method != "POST" or seen.path != "/graphql":
            return Answer(404, "not found")
        body = body_of(seen)
        query, variables = body.get("query", ""), body.get("variables") or {}
        if "issueCreate(" in query:
            return self._write(lambda: self._issue(variables["input"]))
        if "commentCreate(" in query:
            return self._write(lambda: self._comment(variables["input"]))
        if "issues(" in query:
            return self._find(variables.get("filter") or {})
        return _graphql_error("Unknown query", "GRAPHQL_VALIDATION_FAILED")

    def _write(self, apply: Callable[[], Answer]) -> Answer:
        fault = self.fault()
        if fault == "refuse":
            return _graphql_error("Internal server error", "INTERNAL_SERVER_ERROR")
        if fault == "throttle":
            reset = str(int(time.time() * 1000))
            answer = _graphql_error("Rate limit exceeded", "RATELIMITED")
            answer.headers["X-RateLimit-Requests-Reset"] = reset
            return answer
        answer = apply()
        answer.delay = LOST_ANSWER_DELAY if fault == "lose" else 0.0
        return answer

    def _issue(self, fields: dict[str, Any]) -> Answer:
        if fields.get("teamId") != self.team_id:
            return _graphql_error("Entity not found: Team", "INVALID_INPUT")
        number = len(self.issues) + 1
        issue = {
            "id": f"issue-{number}",
            "identifier": f"CX-{number}",
            "url": f"https://linear.app/acme/issue/CX-{number}",
            **fields,
        }
        self.issues.append(issue)
        node = {k: issue[k] for k in ("id", "identifier", "url")}
        return Answer(200, {"data": {"issueCreate": {"success": True, "issue": node}}})

    def _comment(self, fields: dict[str, Any]) -> Answer:
        if not any(i["id"] == fields.get("issueId") for i in self.issues):
            return _graphql_error("Entity not found: Issue", "INVALID_INPUT")
        self.comments.append(fields)
        comment = {"id": f"comment-{len(self.comments)}"}
        return Answer(200, {"data": {"commentCreate": {"success": True, "comment": comment}}})

    def _find(self, issue_filter: dict[str, Any]) -> Answer:
        team = issue_filter.get("team", {}).get("id", {}).get("eq")
        needle = issue_filter.get("description", {}).get("contains", "")
        nodes = [
            {k: i[k] for k in ("id", "identifier", "url")}
            for i in self.issues
            if i["teamId"] == team and needle and needle in i.get("description", "")
        ]
        return Answer(200, {"data": {"issues": {"nodes": nodes[:1]}}})


def _graphql_error(message: str, code: str) -> Answer:
    return Answer(400, {"errors": [{"message": message, "extensions": {"code": code}}]})


# ------------------------------------------------------------------------------- Jira
@dataclass
class JiraFake(TrackerFake):
    """Jira Cloud's REST API v3: create an issue, comment on one, search with JQL."""

    email: str = "dana@acme.example"
    token: str = "jira-token"
    project: str = "CX"
    issues: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)

    def respond(self, seen: Seen) -> Answer:
        """Issues, comments and JQL searches; a 401 without the Basic credentials."""
        expected = base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
        if seen.headers.get("authorization") != f"Basic {expected}":
            return Answer(401, {"errorMessages": ["Client must be authenticated"]})
        if seen.method == "POST" and seen.path == "/rest/api/3/issue":
            return self._write(lambda: self._issue(body_of(seen)["fields"]))
        comment = re.fullmatch(r"/rest/api/3/issue/([^/]+)/comment", seen.path)
        if seen.method == "POST" and comment:
            return self._write(lambda: self._comment(comment.group(1), body_of(seen)))
        if seen.method == "GET" and seen.path == "/rest/api/3/search/jql":
            return self._search(seen.query.get("jql", [""])[0])
        return Answer(404, {"errorMessages": ["Not found"]})

    def _write(self, apply: Callable[[], Answer]) -> Answer:
        fault = self.fault()
        if fault == "refuse":
            return Answer(503, {"errorMessages": ["Service unavailable"]})
        if fault == "throttle":
            return Answer(429, {"errorMessages": ["Rate limited"]}, headers={"Retry-After": "0"})
        answer = apply()
        answer.delay = LOST_ANSWER_DELAY if fault == "lose" else 0.0
        return answer

    def _issue(self, fields: dict[str, Any]) -> Answer:
        if fields.get("project", {}).get("key") != self.project:
            return Answer(400, {"errors": {"project": "valid project is required"}})
        if fields.get("description", {}).get("type") != "doc":
            return Answer(400, {"errors": {"description": "Operation value must be an ADF"}})
        if any(" " in label for label in fields.get("labels", [])):
            return Answer(400, {"errors": {"labels": "label cannot contain spaces"}})
        number = len(self.issues) + 1
        key = f"{self.project}-{number}"
        self.issues.append({"id": str(10000 + number), "key": key, "fields": fields})
        return Answer(
            201,
            {"id": str(10000 + number), "key": key, "self": f"{self.base}/rest/api/3/issue/{key}"},
        )

    def _comment(self, key: str, body: dict[str, Any]) -> Answer:
        if not any(i["key"] == key for i in self.issues):
            return Answer(404, {"errorMessages": ["Issue does not exist"]})
        self.comments.append({"issue": key, **body})
        return Answer(201, {"id": str(len(self.comments))})

    def _search(self, jql: str) -> Answer:
        project = re.search(r'project = "([^"]+)"', jql)
        label = re.search(r'labels = "([^"]+)"', jql)
        found = [
            {"id": i["id"], "key": i["key"]}
            for i in self.issues
            if project
            and label
            and i["key"].startswith(project.group(1) + "-")
            and label.group(1) in i["fields"].get("labels", [])
        ]
        return Answer(200, {"issues": found, "isLast": True})
