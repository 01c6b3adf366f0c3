"""The ``linear`` destination: one Linear issue per theme, updated with new evidence
instead of opened again.

Config::

    [destinations.linear]
    kind = "linear"
    team_id = "9cfb482a-81e3-4154-b5b9-2c805e70a02d"
    label_ids = ["a1b2c3d4-..."]          # optional
    # project_id = "..."  state_id = "..."   (optional)

Linear's GraphQL API (``POST {base_url}/graphql``): ``issueCreate`` with the theme's
title and a Markdown description (see
:func:`cxdaily.insights.delivery.trackers.linear_description`), then, in later periods,
``commentCreate`` on that issue with only the new evidence. The secret is a personal API
key (sent as ``Authorization: <key>``) or an OAuth access token (``Authorization: Bearer
<token>``: a ``lin_oauth_`` token, or ``token_type = "oauth"``).

Errors come back as ``{"errors": [{"message", "extensions": {"code"}}]}`` (often with
HTTP 400): each becomes one line; ``RATELIMITED`` is a throttle, waited out by the time
in ``X-RateLimit-Requests-Reset`` (epoch milliseconds) when it is short. An issue whose
creation may have gone out is looked for by the theme's reference in its description.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from cxdaily.connectors.destinations.base import DESTINATION_OPTIONS
from cxdaily.connectors.destinations.trackers import (
    Remote,
    TextListOption,
    ThemeIssueDestination,
)
from cxdaily.connectors.http_client import HttpResult
from cxdaily.connectors.http_errors import StatusError, describe_url
from cxdaily.connectors.options import Option
from cxdaily.connectors.ratelimit import parse_reset
from cxdaily.core.errors import AuthError, RateLimited
from cxdaily.credentials import env_name
from cxdaily.insights.delivery.model import ItemRecord
from cxdaily.insights.delivery.trackers import (
    issue_title,
    linear_comment,
    linear_description,
    theme_reference,
)
from cxdaily.insights.model import Digest, Theme

DEFAULT_BASE_URL = "https://api.linear.app"
OAUTH_PREFIX = "lin_oauth_"
TOKEN_TYPES = ("auto", "api_key", "oauth")
RESET_HEADER = "x-ratelimit-requests-reset"
AUTH_CODES = frozenset({"AUTHENTICATION_ERROR", "FORBIDDEN"})
THROTTLE_CODE = "RATELIMITED"

ISSUE_CREATE = """
mutation CxdailyIssueCreate($input: IssueCreateInput!) {
  issueCreate(input: $input) { success issue { id identifier url } }
}"""
COMMENT_CREATE = """
mutation CxdailyCommentCreate($input: CommentCreateInput!) {
  commentCreate(input: $input) { success comment { id } }
}"""
FIND_ISSUE = """
query CxdailyFindIssue($filter: IssueFilter) {
  issues(filter: $filter, first: 1) { nodes { id identifier url } }
}"""


#: The options of a ``linear`` destination.
OPTIONS = DESTINATION_OPTIONS.extended(
    Option("team_id", "text", "the team the issues are created in (its id)", required=True),
    TextListOption("label_ids", "text", "labels put on each issue (their ids)"),
    Option("project_id", "text", "a project the issues belong to (its id)"),
    Option("state_id", "text", "the workflow state new issues start in (its id)"),
    Option(
        "token_type",
        "enum",
        "the secret: api_key (sent as is), oauth (Bearer), auto (by its lin_oauth_ prefix)",
        default="auto",
        choices=TOKEN_TYPES,
    ),
    Option("base_url", "url", "the Linear API's address", default=DEFAULT_BASE_URL),
)


class LinearDestination(ThemeIssueDestination):
    """A Linear issue per theme; new evidence as a comment."""

    declared_options = OPTIONS

    def configure(self) -> None:
        """The endpoint and the issue fields every issue gets."""
        super().configure()
        self.endpoint = self.base_url + "/graphql"

    def describe(self) -> str:
        """``Linear issues at api.linear.app``."""
        return f"Linear issues at {urlsplit(self.endpoint).hostname}"

    async def prepare(self) -> None:
        """Read the key and allow only the API's origin to receive it."""
        token = await asyncio.to_thread(self.secret)
        kind = self.option("token_type")
        oauth = kind == "oauth" or (kind == "auto" and token.startswith(OAUTH_PREFIX))
        self.http.allow_credentials_to(self.endpoint)
        self.headers = {"Authorization": f"Bearer {token}" if oauth else token}

    def issue_input(self, digest: Digest, theme: Theme) -> dict[str, Any]:
        """``IssueCreateInput`` for a theme."""
        fields: dict[str, Any] = {
            "teamId": self.option("team_id"),
            "title": issue_title(theme),
            "description": linear_description(digest, theme),
        }
        if self.option("label_ids"):
            fields["labelIds"] = list(self.option("label_ids"))
        for option, field in (("project_id", "projectId"), ("state_id", "stateId")):
            if self.option(option):
                fields[field] = self.option(option)
        return fields

    async def open_issue(self, digest: Digest, theme: Theme) -> Remote:
        """``issueCreate``; the new issue's id and link."""
        data = await self.graphql(ISSUE_CREATE, {"input": self.issue_input(digest, theme)})
        issue = self._success(data, "issueCreate").get("issue")
        if not isinstance(issue, dict) or not issue.get("id"):
            raise self._refused("issueCreate answered without an issue")
        url = issue.get("url")
        return Remote(str(issue["id"]), url if isinstance(url, str) else None)

    async def add_evidence(
        self, record: ItemRecord, digest: Digest, theme: Theme, insight_ids: list[str]
    ) -> None:
        """``commentCreate`` on the theme's issue with the new evidence."""
        body = linear_comment(digest, theme, insight_ids)
        data = await self.graphql(
            COMMENT_CREATE, {"input": {"issueId": record.remote_id, "body": body}}
        )
        self._success(data, "commentCreate")

    async def find(self, key: str, record: ItemRecord) -> Remote | None:
        """The team's issue whose description holds the theme's reference."""
        reference = theme_reference(key.removeprefix("theme:"))
        issue_filter = {
            "team": {"id": {"eq": self.option("team_id")}},
            "description": {"contains": reference},
        }
        data = await self.graphql(FIND_ISSUE, {"filter": issue_filter}, repeatable=True)
        issues = data.get("issues")
        nodes = issues.get("nodes") if isinstance(issues, dict) else None
        for node in nodes if isinstance(nodes, list) else []:
            if isinstance(node, dict) and node.get("id"):
                url = node.get("url")
                return Remote(str(node["id"]), url if isinstance(url, str) else None)
        return None

    async def graphql(
        self, query: str, variables: dict[str, Any], *, repeatable: bool | None = None
    ) -> dict[str, Any]:
        """The ``data`` of one GraphQL request; its errors as one-line typed errors."""
        result = await self.send(
            "POST",
            self.endpoint,
            json_body={"query": query, "variables": variables},
            headers=self.headers,
            repeatable=repeatable,
            allow_statuses=frozenset({400}),
        )
        body = self.http.decode_json(result)
        errors = body.get("errors") if isinstance(body, dict) else None
        if isinstance(errors, list) and errors:
            raise self._graphql_error(result, errors[0])
        if result.status == 400:
            raise self.http.status_error(result)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise self._refused("the answer holds no data")
        return data

    def check_throttle(self, result: HttpResult) -> None:
        """A ``RATELIMITED`` error is a throttle (waited out by :meth:`send`)."""
        error = _first_error(result) if result.status in (200, 400) else None
        if error is not None and _code(error) == THROTTLE_CODE:
            raise self._graphql_error(result, error)

    def _graphql_error(self, result: HttpResult, error: Any) -> Exception:
        """A GraphQL error as cxdaily's error: a throttle, refused credentials, or a
        refusal (nothing was created)."""
        message = error.get("message") if isinstance(error, dict) else None
        code = _code(error)
        said = self.http.scrub(message or code or "an error", 160)
        where = f"POST {describe_url(result.url)}"
        if code == THROTTLE_CODE:
            reset = result.headers.get(RESET_HEADER)
            wait = parse_reset(reset, self.http.wall_clock()) if reset else None
            return RateLimited(
                f"rate-limited by {where} ({said}); the service asks to wait {wait or 60:.0f} s",
                retry_after=wait if wait is not None else 60.0,
                channel=self.name,
            )
        if code in AUTH_CODES:
            return AuthError(
                f"{where} refused the API key ({said}); run `cxdaily login {self.name}` or "
                f"set {env_name(self.name)}",
                channel=self.name,
            )
        return self._refused(said)

    def _success(self, data: dict[str, Any], field: str) -> dict[str, Any]:
        """The payload of a mutation that says it succeeded (else a one-line refusal)."""
        payload = data.get(field)
        if not isinstance(payload, dict) or payload.get("success") is not True:
            raise self._refused(f"{field} did not succeed")
        return payload

    def _refused(self, said: str) -> StatusError:
        """Linear refused the request (a GraphQL error): nothing was created."""
        return StatusError(f"Linear refused the request: {said}", status=400, channel=self.name)


def _first_error(result: HttpResult) -> Any:
    """The first GraphQL error of an answer, if it has one (a cheap look: the body
    starts with a JSON object holding ``errors``)."""
    from cxdaily.connectors.http_errors import error_body

    body = error_body(result.content)
    errors = body.get("errors") if body is not None else None
    return errors[0] if isinstance(errors, list) and errors else None


def _code(error: Any) -> str | None:
    """A GraphQL error's ``extensions.code``."""
    extensions = error.get("extensions") if isinstance(error, dict) else None
    code = extensions.get("code") if isinstance(extensions, dict) else None
    return code if isinstance(code, str) else None
