"""The ``github`` channel: issues (and discussions) opened by people outside the
organisation, answered with a comment.

Config::

    [channels.oss]
    kind = "github"
    repos = ["acme/widgets", "acme/cli"]       # or "acme/widgets, acme/cli"
    discussions = true                          # optional (default false)
    base_url = "https://api.github.com"         # optional; GHES: https://HOST/api/v3
    graphql_url = "https://api.github.com/graphql"   # optional; GHES: https://HOST/api/graphql
    since_days = 14                             # optional: how far back the first fetch reads

Secret (``cxdaily login NAME``): a token (fine-grained with Issues, and Discussions,
read and write on the repositories; a classic one with ``repo``; or an App installation
token), sent as ``Authorization: Bearer`` with ``Accept: application/vnd.github+json``
and ``X-GitHub-Api-Version: 2022-11-28`` to ``base_url`` and ``graphql_url`` only.

Fetching, per repository: ``GET /repos/{owner}/{repo}/issues?state=open&since=...&
sort=updated&direction=asc&per_page=100``, following ``Link`` pages (pull requests are
left out); the comments of an issue a customer opened come from
``GET /repos/{owner}/{repo}/issues/{number}/comments`` (a failed read costs only that
issue's context, with a warning). With ``discussions``, GraphQL's discussions, most
recently updated first, down to the checkpoint (a walk the page cap cut short goes on
at the next fetch: :class:`~cxdaily.connectors.github_graphql.DiscussionWalk`). The
question is the opener's latest turn not answered by a member (see
:mod:`cxdaily.connectors.github_parse`); answered turns are settled. The checkpoint
keeps the newest update seen per repository, except when an issue's comments, or a
discussion or comment GraphQL answered an error for, were left unread by a failure that
may pass (a timeout, a 5xx, GraphQL's "Something went wrong"): then it stays where it was
and the next fetch reads them again.

Replying: ``POST /repos/{owner}/{repo}/issues/{number}/comments`` ``{"body"}`` or the
``addDiscussionComment`` mutation, sent once. GitHub has no idempotency key: after an
unknown outcome the thread's comments are read for ours (by the token's login, from
``GET /user``).

Rate limits: ``x-ratelimit-*`` (a reset epoch) and ``retry-after`` on 403/429 are the
HTTP layer's; GraphQL's RATE_LIMITED (HTTP 200) is read here.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from msgspec.structs import replace

from cxdaily.connectors import github_graphql as gql
from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.github_graphql import default_graphql_url
from cxdaily.connectors.github_parse import (
    Post,
    Thread,
    asks,
    check_repo,
    iso,
    login_of,
    parse_issue,
    read_marks,
    rest_post,
    split_thread,
    thread_questions,
    web_link,
)
from cxdaily.connectors.helpdesk import LOOKUP_FAILURES, read_at_once
from cxdaily.connectors.http import BadResponseError, HttpResult, StatusError, describe_url
from cxdaily.connectors.http_base import HttpConnector
from cxdaily.connectors.http_errors import bare_message
from cxdaily.connectors.options import HTTP_OPTIONS, Option
from cxdaily.connectors.pagination import PageTrail, link_pages, pages_allowed
from cxdaily.connectors.parsing import QuestionShapeError, id_field
from cxdaily.connectors.public_channel import public_capabilities
from cxdaily.connectors.skipped import SkippedItems, next_checkpoint
from cxdaily.connectors.thread_replies import answers_by_team, find_reply
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError
from cxdaily.core.models import Message, Question
from cxdaily.core.safe_text import one_line
from cxdaily.settings import ChannelSettings

API_VERSION = "2022-11-28"
PER_PAGE = 100
READS_AT_ONCE = 4
MAX_DISCUSSION_PAGES = 20
"""Pages of 50 discussions one fetch reads per repository at the most."""
SKIPPED_STATUSES = (404, 410)
"""A repository that answers these (gone, not visible to the token, issues turned off)
costs only itself, with a warning."""


class RepoListOption(Option, frozen=True):
    """Repositories: a TOML list of ``owner/name``, or text separated by commas."""

    def convert(self, raw: Any, channel: ChannelSettings) -> Any:
        """A tuple of ``owner/name``, each once, in the order given."""
        items = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            raise ConfigError(
                f'[channels.{channel.name}] {self.name} must be repositories, like ["acme/widgets"]'
            )
        names = [i.strip().strip("/") for i in items if i.strip()]
        if not names:
            raise ConfigError(f'[channels.{channel.name}] needs {self.name} = ["owner/name"]')
        for name in names:
            if check_repo(name) is not None:
                raise ConfigError(
                    f"[channels.{channel.name}] {self.name}: {name[:60]!r} is not a repository "
                    "such as acme/widgets (owner/name)"
                )
        return tuple(dict.fromkeys(names))


@dataclass
class _Run:
    """What one fetch gathers as it goes."""

    headers: dict[str, str]
    login: str | None
    skipped: SkippedItems = field(default_factory=SkippedItems)
    questions: list[Question] = field(default_factory=list)
    settled: list[Question] = field(default_factory=list)
    walks: dict[str, gql.DiscussionWalk] = field(default_factory=dict)
    """Per repository, the discussion walk the next fetch goes on with."""


class GitHubConnector(HttpConnector):
    """Issues and discussions of a few repositories; replies are comments."""

    kind = "github"
    capabilities = public_capabilities()
    declared_options = HTTP_OPTIONS.extended(
        RepoListOption("repos", "text", "the repositories watched (owner/name: a list, or "
                       "separated by commas)", required=True),
        Option("discussions", "bool", "fetch discussions too (through GraphQL)", default=False),
        Option("graphql_url", "url", "the GraphQL endpoint (default: base_url/graphql, or "
               "https://HOST/api/graphql for base_url https://HOST/api/v3)"),
        Option("since_days", "int", "how many days back the first fetch reads", default=14,
               minimum=1, maximum=365, unit="days"),
    )  # fmt: skip

    def configure(self) -> None:
        """The repositories and the GraphQL endpoint from the options."""
        super().configure()
        self.repos: tuple[str, ...] = self.option("repos")
        assert self.base_url is not None
        configured = self.option("graphql_url")
        self.graphql_url: str = configured or default_graphql_url(self.base_url)
        if configured:
            self.allow_credentials_to(configured)
        self._login: str | None = None

    # -- requests -----------------------------------------------------------------------
    async def _headers(self) -> dict[str, str]:
        token = (await self.read_secret()).strip()
        return {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
        }

    def _repo_url(self, repo: str, tail: str = "") -> str:
        owner, name = repo.split("/", 1)
        return self.endpoint(f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}{tail}")

    async def _graphql(
        self, query: str, variables: dict[str, Any], headers: dict[str, str], *,
        repeatable: bool = True, partial: list[ConnectorError] | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """POST a GraphQL document; its ``data`` (errors raised, one line each; with
        ``partial``, errors about single items there: see :func:`gql.graphql_data`)."""
        result = await self.http.request(
            "POST", self.graphql_url, json_body={"query": query, "variables": variables},
            headers=headers, repeatable=repeatable,
        )  # fmt: skip
        return gql.graphql_data(
            self.http.decode_json(result), where=f"POST {describe_url(result.url)}",
            headers=result.headers, now_epoch=self.http.wall_clock(), channel=self.name,
            partial=partial,
        )  # fmt: skip

    async def _whoami(self, headers: dict[str, str]) -> str | None:
        """The token's login (``GET /user``, once); ``None`` when it cannot be read (an
        App installation token has no user)."""
        if self._login is None:
            with contextlib.suppress(AuthError, *LOOKUP_FAILURES):
                data, _ = await self.http.get_json(self.endpoint("/user"), headers=headers)
                self._login = login_of(data.get("login")) if isinstance(data, dict) else None
        return self._login

    async def _lists(
        self, url: str, params: dict[str, Any], headers: dict[str, str], what: str
    ) -> AsyncIterator[list[Any]]:
        """The items of every page of a REST list (``Link`` pages); a page that is not a
        list is a one-line error naming ``what`` it should have listed."""
        async for data, result in link_pages(self.http, url, params=params, headers=headers):
            if not isinstance(data, list):
                raise BadResponseError(
                    f"GET {describe_url(result.url)} answered, but not with a list of {what}",
                    channel=self.name,
                )
            yield data

    async def _comments(self, repo: str, number: int, headers: dict[str, str],
                        skipped: list[str] | None = None) -> list[Post]:  # fmt: skip
        """Every comment of an issue (``Link`` pages); a bad one is skipped."""
        url = self._repo_url(repo, f"/issues/{number}/comments")
        posts: list[Post] = []
        async for data in self._lists(url, {"per_page": PER_PAGE}, headers, "comments"):
            for index, item in enumerate(data, 1):
                try:
                    posts.append(rest_post(item, f"comment {index}"))
                except QuestionShapeError as exc:
                    if skipped is not None:
                        skipped.append(f"{repo}#{number}: {exc}")
        return posts

    # -- fetching -----------------------------------------------------------------------
    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Issues (and discussions) updated since the checkpoint, as questions and
        settled turns; the checkpoint moves only over what was read."""
        headers = await self._headers()
        run = _Run(headers, await self._whoami(headers), walks=gql.read_walks(checkpoint))
        kept = dict(run.walks)
        start = self.now() - timedelta(days=self.option("since_days"))
        marks: dict[str, dict[str, Any]] = {"issues": {}, "discussions": {}}
        parts = [("issues", self._issues)]
        if self.option("discussions"):
            parts.append(("discussions", self._discussions))
        for part, read in parts:
            stored = read_marks(checkpoint, part)
            for repo in self.repos:
                since = stored.get(repo, start)
                unread = run.skipped.unread
                try:
                    newest = await read(repo, since, run)
                except StatusError as exc:
                    if exc.status not in SKIPPED_STATUSES:
                        raise
                    run.skipped.add(f"{repo}: its {part} cannot be read ({bare_message(exc)})")
                    newest = None
                    if repo not in stored:
                        continue
                # not past what a failure that may pass left unread in this repository
                marks[part][repo] = iso(
                    next_checkpoint(since, newest or since, run.skipped, unread)
                )
                if part == "discussions" and run.skipped.unread > unread:
                    run.walks.pop(repo, None)  # its walk stays where it was too
                    if repo in kept:
                        run.walks[repo] = kept[repo]
        if not self.option("discussions"):
            marks.pop("discussions")
        elif walks := {r: w.mark() for r, w in run.walks.items() if r in self.repos}:
            marks[gql.WALKS_KEY] = walks
        return FetchResult(
            questions=run.questions,
            settled=run.settled,
            warnings=run.skipped.lines(),
            checkpoint=marks,
        )

    def _add(self, thread: Thread, run: _Run) -> None:
        question, settled = thread_questions(
            thread, our_login=run.login, channel=self.name, kind=self.kind
        )
        if question is not None:
            run.questions.append(question)
        run.settled.extend(settled)

    async def _issues(self, repo: str, since: datetime, run: _Run) -> datetime | None:
        """The repository's open issues updated since ``since``; the newest update seen."""
        params = {"state": "open", "since": iso(since), "sort": "updated", "direction": "asc",
                  "per_page": PER_PAGE}  # fmt: skip
        threads: list[Thread] = []
        newest: datetime | None = None
        pages = self._lists(self._repo_url(repo, "/issues"), params, run.headers, "issues")
        page = 0
        async for data in pages:
            page += 1
            for index, item in enumerate(data, 1):
                try:
                    thread, updated = parse_issue(item, repo)
                except QuestionShapeError as exc:
                    run.skipped.add(f"{repo}, page {page}, issue {index} skipped: {exc}")
                    continue
                newest = max(newest or updated, updated)
                if thread is not None and asks(thread, run.login):
                    threads.append(thread)
        for thread in await read_at_once([self._read(t, run) for t in threads], READS_AT_ONCE):
            self._add(thread, run)
        return newest

    async def _read(self, thread: Thread, run: _Run) -> Thread:
        """The issue with its comments (a failed read costs its context, with a warning)."""
        if thread.comment_count == 0:
            return thread
        bad: list[str] = []
        try:
            comments = await self._comments(thread.repo, thread.number, run.headers, bad)
        except LOOKUP_FAILURES as exc:
            run.skipped.not_read(
                f"{thread.thread_id}: its comments cannot be read ({bare_message(exc)}); "
                "shown without them",
                exc,
            )
            return thread
        for line in bad:
            run.skipped.add(line)
        return replace(thread, comments=tuple(comments))

    async def _discussions(self, repo: str, since: datetime, run: _Run) -> datetime | None:
        """The repository's discussions updated since ``since`` (newest first, down to it);
        the newest update seen, or ``None`` when the pages allowed ran out first: the
        walk is then kept in ``run.walks`` (left as it was if this raises). A kept walk is
        gone on with: the discussions updated since its newest first, then the older ones
        from its cursor."""
        walk = run.walks.get(repo)
        pages = pages_allowed(self.http, MAX_DISCUSSION_PAGES)
        seen: set[str] = set()
        stop = walk.newest if walk else since
        newest, left, cut = await self._walk_down(repo, None, stop, pages, run, seen, bool(walk))
        if walk is not None:
            newest = max(newest or walk.newest, walk.newest)
            if not cut:  # down to where the last fetch began: on from where it stopped
                try:
                    older, left, cut = await self._walk_down(
                        repo, walk.cursor, since, pages, run, seen
                    )
                except gql.CursorRefused as exc:
                    self.http.note(f"{repo}: {bare_message(exc)}; discussions read again "
                                   "from the newest")  # fmt: skip
                    older, left, cut = await self._walk_down(repo, None, since, pages, run, seen)
                newest = max(newest, older or newest)
        run.walks.pop(repo, None)
        if not cut:
            return newest
        if left is not None:  # else the next fetch starts from the newest again
            run.walks[repo] = gql.DiscussionWalk(left, newest or since)
        self.http.note(
            f"{repo}: stopped reading discussions at the fetch's cap; the rest is read by the "
            "next fetch"
        )
        return None

    async def _walk_down(
        self, repo: str, cursor: str | None, stop: datetime, pages: Iterator[int], run: _Run,
        seen: set[str], top: bool = False,
    ) -> tuple[datetime | None, str | None, bool]:  # fmt: skip
        """Discussions newest first from ``cursor`` (``None``: the newest) down to one
        updated before ``stop`` (with ``top``, at or before it) or the last page, while
        ``pages`` allows; each taken in once (``seen``). The newest update read, the
        cursor to go on from, and whether ``pages`` ran out before the walk's end."""
        owner, name = repo.split("/", 1)
        newest: datetime | None = None
        trail = PageTrail(self.http, f"discussions of {repo}", cursor)
        while next(pages, None) is not None:
            variables = {"owner": owner, "name": name, "cursor": cursor}
            partial: list[ConnectorError] = []
            data = await self._graphql(
                gql.DISCUSSIONS_QUERY, variables, run.headers, partial=partial
            )
            for error in partial:
                run.skipped.not_read(bare_message(error), error)
            nodes, following = gql.discussions_page(data, f"discussions of {repo}", self.name)
            reached = False
            for index, node in enumerate(nodes, 1):
                bad: list[str] = []
                try:
                    thread, updated = gql.parse_discussion(node, repo, bad)
                except QuestionShapeError as exc:
                    run.skipped.add(f"{repo}, discussion {index} skipped: {exc}")
                    continue
                for line in bad:
                    run.skipped.add(f"{thread.thread_id}: {line}")
                reached = reached or updated < stop or (top and updated == stop)
                if updated < stop:
                    continue
                newest = max(newest or updated, updated)
                if thread.thread_id not in seen:
                    seen.add(thread.thread_id)
                    self._add(thread, run)
            if reached or following is None or trail.loops(following):
                return newest, None, False
            cursor = following
        return newest, cursor, True

    # -- replying -----------------------------------------------------------------------
    def _where(self, question: Question) -> tuple[str, int]:
        found = split_thread(question.thread_id)
        if found is None:
            raise ConnectorError(
                f"{one_line(question.thread_id, 80)!r} is not an issue or discussion "
                "(owner/name#number)",
                channel=self.name,
            )
        return found

    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """Comment on the issue or discussion (sent once)."""
        self.refuse_long_reply(body, question, takes="GitHub takes at most")
        repo, number = self._where(question)
        headers = await self._headers()
        if question.meta.get("type") == "discussion":
            ident = question.meta.get("discussion_id")
            if not isinstance(ident, str) or not ident.strip():
                ident = (await self._discussion(repo, number, headers)).get("id")
            data = await self._graphql(
                gql.ADD_COMMENT, {"id": ident, "body": body}, headers, repeatable=False
            )
            reply_id, url = gql.added_comment(data)
            where = f"POST {describe_url(self.graphql_url)}"
        else:
            result = await self.http.request(
                "POST", self._repo_url(repo, f"/issues/{number}/comments"),
                json_body={"body": body}, headers=headers, repeatable=False,
            )  # fmt: skip
            reply_id, url = self._comment_of(result)
            where = f"POST {describe_url(result.url)}"
        if reply_id is not None:
            return SentReply(remote_id=reply_id, url=url)
        with contextlib.suppress(*LOOKUP_FAILURES):  # accepted: a failed look is no failure
            found = await self.find_own_reply(question, body, idempotency_key)
            if found is not None:
                return found
        raise BadResponseError(
            f"{where} accepted the reply but named no id for it, and it is not in the thread yet",
            channel=self.name,
        )

    def _comment_of(self, result: HttpResult) -> tuple[str | None, str | None]:
        """The id and ``html_url`` of a created issue comment (``None`` if unnamed)."""
        with contextlib.suppress(BadResponseError, QuestionShapeError):
            data = self.http.decode_json(result)
            if isinstance(data, dict):
                return id_field(data.get("id"), "id"), web_link(data.get("html_url"))
        return None, None

    async def _discussion(self, repo: str, number: int, headers: dict[str, str]) -> dict[str, Any]:
        owner, name = repo.split("/", 1)
        variables = {"owner": owner, "name": name, "number": number}
        data = await self._graphql(gql.DISCUSSION_QUERY, variables, headers)
        return gql.one_discussion(data, f"discussion {repo}#{number}", self.name)

    async def _thread_posts(self, question: Question) -> tuple[list[Post], str | None]:
        """The comments of the question's issue or discussion, read again, and our login."""
        repo, number = self._where(question)
        headers = await self._headers()
        login = await self._whoami(headers)
        if question.meta.get("type") == "discussion":
            discussion = await self._discussion(repo, number, headers)
            return gql.comment_posts(discussion, f"discussion {number}"), login
        return await self._comments(repo, number, headers), login

    async def answers_since(self, question: Question, since: datetime) -> list[Message]:
        """Members' comments on the issue or discussion after ``since`` (the collision
        guard)."""
        posts, login = await self._thread_posts(question)
        return answers_by_team([p.ticket_message(login) for p in posts], since)

    async def find_own_reply(
        self, question: Question, body: str, idempotency_key: str
    ) -> SentReply | None:
        """Our comment with this text after the question (by the token's login when
        GitHub names it)."""
        posts, login = await self._thread_posts(question)
        if login is not None:
            posts = [p for p in posts if (p.login or "").lower() == login.lower()]
        messages = [p.ticket_message(login) for p in posts]
        found = find_reply(messages, body, author_id=None, after=question.created_at)
        if found is None:
            return None
        url = next((p.url for p in posts if p.id == found.id), None)
        return SentReply(remote_id=found.id, url=url)

    async def check(self) -> str:
        """The token is accepted (``GET /user``) and the repositories can be read."""
        headers = await self._headers()
        data, result = await self.http.get_json(self.endpoint("/user"), headers=headers)
        login = login_of(data.get("login")) if isinstance(data, dict) else None
        missing: list[str] = []
        for repo in self.repos:
            found = await self.http.request(
                "GET", self._repo_url(repo), headers=headers, allow_statuses=set(SKIPPED_STATUSES)
            )
            if found.status in SKIPPED_STATUSES:
                missing.append(repo)
        if self.option("discussions"):
            await self._graphql(gql.VIEWER_QUERY, {}, headers)
        readable = len(self.repos) - len(missing)
        said = f"signed in as {login or 'an app'} on {result.url.host}; repos: {readable} readable"
        if missing:
            said += f" (not found: {', '.join(missing[:5])})"
        return said
