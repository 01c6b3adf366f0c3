"""The ``jira`` destination: one Jira Cloud issue per theme, updated with new evidence
instead of opened again.

Config::

    [destinations.jira]
    kind = "jira"
    base_url = "https://acme.atlassian.net"
    email = "dana@acme.com"            # the API token: cxdaily login jira
    project_key = "CX"
    issue_type = "Task"                # default
    labels = ["customer-voice"]        # optional

Jira Cloud's REST API v3 with Basic authentication (the ``email`` option and an API
token): ``POST /rest/api/3/issue`` with the theme's ``summary``, a ``description`` in
Atlassian Document Format (see :mod:`cxdaily.insights.delivery.adf`: customer text only
in text nodes, links only to http(s) URLs) and ``labels``, among them the theme's own
(``cxdaily-theme-<hash of its key>``); the answer is ``{"id", "key", "self"}`` and the
issue's link is ``{base_url}/browse/{key}``. In later periods, ``POST
/rest/api/3/issue/{key}/comment`` adds only the new evidence.

An issue whose creation may have gone out is looked for with JQL (``GET
/rest/api/3/search/jql``, ``project = "CX" AND labels = "cxdaily-theme-..."``) before it
is created: a lost answer never makes a second issue.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any
from urllib.parse import quote, urlsplit

from cxdaily.connectors.destinations.base import DESTINATION_OPTIONS
from cxdaily.connectors.destinations.trackers import (
    Remote,
    TextListOption,
    ThemeIssueDestination,
)
from cxdaily.connectors.options import Option, full_match
from cxdaily.insights.delivery.adf import jira_comment, jira_description
from cxdaily.insights.delivery.model import ItemRecord
from cxdaily.insights.delivery.trackers import issue_title, theme_reference
from cxdaily.insights.model import Digest, Theme

API = "/rest/api/3"
_project_key_check = full_match(r"[A-Z][A-Z0-9_]{0,254}", "must be a project key, like CX")


def _label_check(value: str) -> str | None:
    if any(c.isspace() for c in value) or len(value) > 255:
        return "must be one word (Jira labels hold no spaces)"
    return None


#: The options of a ``jira`` destination.
OPTIONS = DESTINATION_OPTIONS.extended(
    Option("base_url", "url", "the Jira site, like https://acme.atlassian.net", required=True),
    Option("email", "text", "the Atlassian account's email address", required=True),
    Option(
        "project_key",
        "text",
        "the project the issues are created in",
        required=True,
        check=_project_key_check,
    ),
    Option("issue_type", "text", "the issue type of new issues", default="Task"),
    TextListOption("labels", "text", "labels put on each issue", check=_label_check),
)


class JiraDestination(ThemeIssueDestination):
    """A Jira issue per theme; new evidence as a comment."""

    declared_options = OPTIONS

    def describe(self) -> str:
        """``Jira issues in CX at acme.atlassian.net``."""
        host = urlsplit(self.base_url).hostname
        return f"Jira issues in {self.option('project_key')} at {host}"

    async def prepare(self) -> None:
        """Read the API token; Basic authentication to the site's origin only."""
        token = await asyncio.to_thread(self.secret)
        basic = base64.b64encode(f"{self.option('email')}:{token}".encode()).decode("ascii")
        self.scrubber.add(basic)
        self.http.allow_credentials_to(self.base_url)
        self.http.auth_hint = "the email option and the API token"
        self.headers = {"Authorization": f"Basic {basic}", "Accept": "application/json"}

    def issue_fields(self, digest: Digest, theme: Theme) -> dict[str, Any]:
        """The ``fields`` of a theme's new issue."""
        labels = [*(self.option("labels") or ()), theme_reference(theme.key)]
        return {
            "project": {"key": self.option("project_key")},
            "issuetype": {"name": self.option("issue_type")},
            "summary": issue_title(theme),
            "description": jira_description(digest, theme),
            "labels": list(dict.fromkeys(labels)),
        }

    async def open_issue(self, digest: Digest, theme: Theme) -> Remote:
        """``POST /issue``; the new issue's key and link."""
        result = await self.send(
            "POST",
            f"{self.base_url}{API}/issue",
            json_body={"fields": self.issue_fields(digest, theme)},
            headers=self.headers,
        )
        return self.remote(self.json_of(result, "key"))

    async def add_evidence(
        self, record: ItemRecord, digest: Digest, theme: Theme, insight_ids: list[str]
    ) -> None:
        """``POST /issue/{key}/comment`` with the new evidence."""
        await self.send(
            "POST",
            f"{self.base_url}{API}/issue/{quote(record.remote_id, safe='')}/comment",
            json_body={"body": jira_comment(digest, theme, insight_ids)},
            headers=self.headers,
        )

    async def find(self, key: str, record: ItemRecord) -> Remote | None:
        """The project's issue carrying the theme's label (JQL search)."""
        label = theme_reference(key.removeprefix("theme:"))
        jql = f'project = "{self.option("project_key")}" AND labels = "{label}"'
        result = await self.send(
            "GET",
            f"{self.base_url}{API}/search/jql",
            params={"jql": jql, "fields": "summary", "maxResults": 1},
            headers=self.headers,
        )
        issues = self.json_of(result, "issues")
        for issue in issues if isinstance(issues, list) else []:
            if isinstance(issue, dict) and issue.get("key"):
                return self.remote(issue["key"])
        return None

    def remote(self, issue_key: Any) -> Remote:
        """An issue by its key, with its link on the site."""
        value = str(issue_key)
        return Remote(value, f"{self.base_url}/browse/{quote(value, safe='')}")
