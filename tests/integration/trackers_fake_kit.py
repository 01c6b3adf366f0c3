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
@dataclass
class ProductboardFake(TrackerFake):
    """Productboard's notes API: ``POST /notes`` and ``GET /notes`` (2 notes a page)."""

    token: str = "pb-token"
    notes: list[dict[str, Any]] = field(default_factory=list)

    def respond(self, seen: Seen) -> Answer:
        """Notes created and listed; a 401 without the bearer token, a 400 without
        ``X-Version: 1``."""
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            return Answer(401, {"errors": [{"detail": "Unauthorized"}]})
        if seen.headers.get("x-version") != "1":
            return Answer(400, {"errors": [{"detail": "X-Version header is required"}]})
        if seen.method == "POST" and seen.path == "/notes":
            return self._create(body_of(seen))
        if seen.method == "GET" and seen.path == "/notes":
            return self._list(seen)
        return Answer(404, {"errors": [{"detail": "Not found"}]})

    def _create(self, body: dict[str, Any]) -> Answer:
        fault = self.fault()
        if fault == "refuse":
            return Answer(503, {"errors": [{"detail": "Service unavailable"}]})
        if fault == "throttle":
            return Answer(429, {"errors": [{"detail": "Too many"}]}, headers={"Retry-After": "0"})
        if not body.get("title") or not body.get("content"):
            return Answer(422, {"errors": [{"detail": "title and content are required"}]})
        note_id = f"5b1c{len(self.notes):04d}-0000-4000-8000-000000000000"
        self.notes.append({"id": note_id, **body})
        answer = {"data": {"id": note_id}, "links": {"html": f"{self.base}/notes/{note_id}"}}
        return Answer(201, answer, delay=LOST_ANSWER_DELAY if fault == "lose" else 0.0)

    def _list(self, seen: Seen) -> Answer:
        start = int(seen.query.get("pageCursor", ["0"])[0])
        page = self.notes[start : start + 2]
        data = [
            {
                "id": n["id"],
                "title": n["title"],
                "source": n.get("source"),
                "displayUrl": f"{self.base}/notes/{n['id']}",
            }
            for n in page
        ]
        more = start + 2 < len(self.notes)
        following = f"{self.base}/notes?pageCursor={start + 2}" if more else None
        return Answer(200, {"data": data, "links": {"next": following}})


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
