"""A stateful fake of GitHub's REST and GraphQL APIs (the part the ``github`` connector
uses), shaped like the documented answers: ``GET /user``, ``GET /repos/{o}/{r}``, the
issues list (``state``, ``since``, ``sort=updated``, ``direction``, ``per_page`` and
``page``, with ``Link: <...>; rel="next"`` pages), an issue's comments (paged the same
way), a new issue comment (201), and GraphQL discussions (cursor pages, one discussion
by number, ``addDiscussionComment``). A wrong token is a 401 ("Bad credentials"); a
primary (403, ``x-ratelimit-remaining: 0``) or secondary (429, ``retry-after``) rate
limit is answered on demand.

``FakeGitHub.handler(seen)`` answers a loopback server's requests (see ``loopback_kit``);
``FakeGitHub.respond(seen)`` is the same answer for any transport.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from tests.integration.loopback_kit import Answer, Seen

TOKEN = "ghp_faketoken0123456789abcdefABCDEF"
REPO = "acme/widgets"
BOT = "acme-support"
"""The login the token belongs to (a member of the organisation)."""
WEB = "https://github.com"
T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def when(moment: datetime) -> str:
    """A time as GitHub writes it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def user(login: str, ident: int, kind: str = "User") -> dict[str, Any]:
    """A simple user object."""
    return {
        "login": login,
        "id": ident,
        "node_id": f"U_{ident}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{ident}?v=4",
        "html_url": f"{WEB}/{login}",
        "type": kind,
        "site_admin": False,
    }


def reactions(url: str, total: int = 0) -> dict[str, Any]:
    """A reaction rollup."""
    return {"url": url + "/reactions", "total_count": total, "+1": total, "-1": 0,
            "laugh": 0, "hooray": 0, "confused": 0, "heart": 0, "rocket": 0, "eyes": 0}  # fmt: skip


@dataclass
class FakeGitHub:
    """A few repositories as GitHub's API shows them to one token."""

    token: str = TOKEN
    origin: str = "https://api.github.com"
    """Where the ``Link`` headers point (set to the loopback server's URL)."""
    prefix: str = ""
    """The path the API is served under (``/api/v3`` on Enterprise Server)."""
    page_size: int = 100
    repos: set[str] = field(default_factory=lambda: {REPO})
    issues: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    comments: dict[tuple[str, int], list[dict[str, Any]]] = field(default_factory=dict)
    discussions: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    replies: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """``(owner/name#number, what was posted)`` of every reply received."""
    seen: list[Seen] = field(default_factory=list)
    throttled: list[Answer] = field(default_factory=list)
    broken_comments: set[int] = field(default_factory=set)
    """Issues whose comments answer 500."""
    clock: datetime = T0
    _next_id: int = 1000

    # -- state ---------------------------------------------------------------------------
    def tick(self) -> datetime:
        """The time of the next event (a minute after the last)."""
        self.clock += timedelta(minutes=1)
        return self.clock

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    def open_issue(
        self, number: int, title: str, body: str | None, *, login: str = "jane",
        association: str = "NONE", repo: str = REPO, pull: bool = False, total: int = 0,
        labels: tuple[str, ...] = (),
    ) -> dict[str, Any]:  # fmt: skip
        """Someone opens an issue (or a pull request)."""
        at = when(self.tick())
        api = f"{self.origin}/repos/{repo}/issues/{number}"
        issue: dict[str, Any] = {
            "id": self._id(), "node_id": f"I_{number}", "url": api,
            "repository_url": f"{self.origin}/repos/{repo}", "comments_url": api + "/comments",
            "html_url": f"{WEB}/{repo}/{'pull' if pull else 'issues'}/{number}",
            "number": number, "state": "open", "title": title, "body": body,
            "user": user(login, 500 + len(login)),
            "labels": [{"id": n, "name": lab, "color": "ededed", "default": False}
                       for n, lab in enumerate(labels)],
            "assignee": None, "assignees": [], "milestone": None, "locked": False,
            "comments": 0, "created_at": at, "updated_at": at, "closed_at": None,
            "author_association": association, "reactions": reactions(api, total),
            "state_reason": None,
        }  # fmt: skip
        if pull:
            issue["pull_request"] = {"url": f"{self.origin}/repos/{repo}/pulls/{number}"}
        self.issues.setdefault(repo, {})[number] = issue
        self.comments[(repo, number)] = []
        return issue

    def comment(
        self, number: int, body: str, *, login: str = "jane", association: str = "NONE",
        repo: str = REPO, kind: str = "User",
    ) -> dict[str, Any]:  # fmt: skip
        """Someone comments on an issue."""
        at = when(self.tick())
        issue = self.issues[repo][number]
        ident = self._id()
        item = {
            "id": ident, "node_id": f"IC_{ident}",
            "url": f"{self.origin}/repos/{repo}/issues/comments/{ident}",
            "html_url": f"{issue['html_url']}#issuecomment-{ident}", "body": body,
            "user": user(login, 500 + len(login), kind), "created_at": at, "updated_at": at,
            "issue_url": issue["url"], "author_association": association,
            "reactions": reactions(f"{self.origin}/repos/{repo}/issues/comments/{ident}"),
        }  # fmt: skip
        self.comments[(repo, number)].append(item)
        issue["comments"] += 1
        issue["updated_at"] = at
        return item

    def open_discussion(
        self, number: int, title: str, body: str, *, login: str = "jane",
        association: str = "NONE", repo: str = REPO, answerable: bool = True,
    ) -> dict[str, Any]:  # fmt: skip
        """Someone starts a discussion."""
        at = when(self.tick())
        node = {
            "id": f"D_kwDO{number}", "number": number, "title": title, "body": body,
            "url": f"{WEB}/{repo}/discussions/{number}", "createdAt": at, "updatedAt": at,
            "author": {"login": login}, "authorAssociation": association,
            "category": {"name": "Q&A" if answerable else "General",
                         "isAnswerable": answerable},
            "isAnswered": False, "comments": {"nodes": []},
        }  # fmt: skip
        self.discussions.setdefault(repo, {})[number] = node
        return node

    def discuss(
        self, number: int, body: str, *, login: str = "jane", association: str = "NONE",
        repo: str = REPO,
    ) -> dict[str, Any]:  # fmt: skip
        """Someone comments on a discussion."""
        at = when(self.tick())
        node = self.discussions[repo][number]
        ident = f"DC_kwDO{self._id()}"
        item = {"id": ident, "body": body, "author": {"login": login},
                "authorAssociation": association, "createdAt": at,
                "url": f"{node['url']}#discussioncomment-{ident}"}  # fmt: skip
        node["comments"]["nodes"].append(item)
        node["updatedAt"] = at
        return item

    def throttle(self, status: int = 429, **headers: str) -> None:
        """Answer the next request with a rate limit carrying these headers."""
        named = {name.replace("_", "-"): value for name, value in headers.items()}
        message = "You have exceeded a secondary rate limit."
        if status == 403 and "retry-after" not in named:
            message = "API rate limit exceeded for user ID 1."
        self.throttled.append(Answer(status, _error(message), headers=named))

    # -- the API ------------------------------------------------------------------------
    def handler(self, seen: Seen) -> Answer:
        """Answer one request of a loopback server."""
        return self.respond(seen)

    def respond(self, seen: Seen) -> Answer:
        """GitHub's answer to one request."""
        self.seen.append(seen)
        if self.throttled:
            return self.throttled.pop(0)
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            return Answer(401, _error("Bad credentials"))
        path = seen.path.removeprefix(self.prefix)
        if seen.method == "POST" and path.rstrip("/").endswith("graphql"):
            return self._graphql(json.loads(seen.body))
        parts = path.strip("/").split("/")
        if seen.method == "GET" and parts == ["user"]:
            return Answer(200, {**user(BOT, 1), "name": "Acme Support"})
        if len(parts) < 3 or parts[0] != "repos" or f"{parts[1]}/{parts[2]}" not in self.repos:
            return Answer(404, _error("Not Found"))
        repo, rest = f"{parts[1]}/{parts[2]}", parts[3:]
        if seen.method == "GET" and not rest:
            return Answer(200, {"id": 1, "full_name": repo, "private": False})
        if seen.method == "GET" and rest == ["issues"]:
            return self._issues(seen, repo)
        if len(rest) == 3 and rest[0] == "issues" and rest[2] == "comments":
            number = int(rest[1]) if rest[1].isdigit() else -1
            if number not in self.issues.get(repo, {}):
                return Answer(404, _error("Not Found"))
            if seen.method == "GET":
                if number in self.broken_comments:
                    return Answer(500, _error("Server Error"))
                return self._page(seen, self.comments[(repo, number)])
            if seen.method == "POST":
                return self._reply(repo, number, json.loads(seen.body))
        return Answer(404, _error("Not Found"))

    def _issues(self, seen: Seen, repo: str) -> Answer:
        query = {k: v[0] for k, v in seen.query.items()}
        state = query.get("state", "open")
        since = query.get("since", "")
        items = [
            i for i in self.issues.get(repo, {}).values()
            if (state == "all" or i["state"] == state) and i["updated_at"] >= since
        ]  # fmt: skip
        items.sort(key=lambda i: i["updated_at"], reverse=query.get("direction") != "asc")
        return self._page(seen, items)

    def _page(self, seen: Seen, items: list[dict[str, Any]]) -> Answer:
        size = min(int((seen.query.get("per_page") or ["30"])[0]), 100, self.page_size)
        page = int((seen.query.get("page") or ["1"])[0])
        start = (page - 1) * size
        headers = {}
        if start + size < len(items):
            query = {k: v for k, v in seen.query.items() if k != "page"}
            query["page"] = [str(page + 1)]
            target = f"{self.origin}{seen.path}?{urlencode(query, doseq=True)}"
            headers["link"] = f'<{target}>; rel="next", <{target}>; rel="last"'
        return Answer(200, items[start : start + size], headers=headers)

    def _reply(self, repo: str, number: int, posted: dict[str, Any]) -> Answer:
        if not isinstance(posted.get("body"), str) or not posted["body"]:
            return Answer(422, _error("Validation Failed"))
        self.replies.append((f"{repo}#{number}", posted))
        item = self.comment(number, posted["body"], login=BOT, association="MEMBER", repo=repo)
        return Answer(201, item)

    # -- GraphQL ------------------------------------------------------------------------
    def _graphql(self, posted: dict[str, Any]) -> Answer:
        query, variables = posted.get("query", ""), posted.get("variables") or {}
        if "addDiscussionComment" in query:
            return self._add_comment(variables)
        if "viewer" in query:
            return Answer(200, {"data": {"viewer": {"login": BOT}}})
        repo = f"{variables.get('owner')}/{variables.get('name')}"
        if repo not in self.repos:
            said = f"Could not resolve to a Repository with the name '{repo}'."
            error = {"type": "NOT_FOUND", "path": ["repository"], "message": said}
            return Answer(200, {"data": {"repository": None}, "errors": [error]})
        nodes = self.discussions.get(repo, {})
        if "discussion(number" in query:
            found = nodes.get(variables.get("number"))
            return Answer(200, {"data": {"repository": {"discussion": found}}})
        ordered = sorted(nodes.values(), key=lambda d: d["updatedAt"], reverse=True)
        start = int(variables.get("cursor") or 0)
        size = min(50, self.page_size)
        more = start + size < len(ordered)
        page = {"pageInfo": {"hasNextPage": more, "endCursor": str(start + size) if more else None},
                "nodes": ordered[start : start + size]}  # fmt: skip
        return Answer(200, {"data": {"repository": {"discussions": page}}})

    def _add_comment(self, variables: dict[str, Any]) -> Answer:
        for repo, nodes in self.discussions.items():
            for number, node in nodes.items():
                if node["id"] == variables.get("id"):
                    self.replies.append((f"{repo}#{number}", {"body": variables.get("body")}))
                    item = self.discuss(number, variables.get("body") or "", login=BOT,
                                        association="MEMBER", repo=repo)  # fmt: skip
                    added = {"comment": {"id": item["id"], "url": item["url"]}}
                    return Answer(200, {"data": {"addDiscussionComment": added}})
        return Answer(200, {"data": {"addDiscussionComment": None}, "errors": [{
            "type": "NOT_FOUND", "path": ["addDiscussionComment"],
            "message": "Could not resolve to a node with the global id."}]})  # fmt: skip


def _error(message: str) -> dict[str, Any]:
    return {"message": message,
            "documentation_url": "https://docs.github.com/rest"}  # fmt: skip
