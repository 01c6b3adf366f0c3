"""The ``youtube`` channel: comments on one YouTube channel's videos, answered as the channel.

Config::

    [channels.videos]
    kind = "youtube"
    channel_id = "UC..."                                      # the channel to watch
    base_url = "https://www.googleapis.com/youtube/v3"        # optional
    token_url = "https://oauth2.googleapis.com/token"         # optional
    web_url = "https://www.youtube.com"                       # optional: public links

Secrets (``cxdaily login NAME``): ``client_id``, ``client_secret`` and ``refresh_token``
of an OAuth 2.0 client with the ``youtube.force-ssl`` scope, granted by the channel's
owner. They buy an access token (``grant_type=refresh_token`` at ``token_url``), kept in
memory until shortly before it expires and renewed once when the API refuses it.

Fetching: ``GET {base_url}/commentThreads?part=snippet,replies&
allThreadsRelatedToChannelId=...&order=time&maxResults=100&textFormat=plainText``, newest
first, page by page (``nextPageToken``) until a thread with nothing newer than the
checkpoint, at most :data:`MAX_PAGES` pages a fetch (the next fetch goes on from there).
A thread whose reply count exceeds the replies it embeds is read in full with
``GET /comments?parentId=...``. Until our channel replies, a top-level comment is a
question; after our reply, the latest comment someone else wrote is (see
:func:`~cxdaily.connectors.youtube_parse.thread_questions`). Authors' subscriber counts
come from ``GET /channels?part=statistics&id=...`` (50 ids a call).

Replying: ``POST /comments?part=snippet`` with ``{"snippet": {"parentId", "textOriginal"}}``,
sent once. YouTube has no idempotency key: after an unknown outcome the thread's replies
are read for ours.

Quota: YouTube sends no rate-limit headers. A 403 ``quotaExceeded`` (the project's daily
quota, reset at midnight Pacific time) is a one-line :class:`RateLimited` that waits for
the reset; a 403 ``rateLimitExceeded`` is waited out briefly on reads.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from cxdaily.connectors.base import Capabilities, FetchResult, SentReply
from cxdaily.connectors.google_api import GoogleLimits, GoogleRequests, read_checkpoint
from cxdaily.connectors.helpdesk import LOOKUP_FAILURES, read_at_once
from cxdaily.connectors.http import BadResponseError, HttpResult, StatusError, describe_url
from cxdaily.connectors.http_base import HttpConnector
from cxdaily.connectors.http_errors import bare_message, service_message, status_error
from cxdaily.connectors.oauth import PROCESS_TOKENS, ClientCredentialsToken
from cxdaily.connectors.options import HTTP_OPTIONS, Option
from cxdaily.connectors.parsing import QuestionShapeError, SkippedItems, id_field
from cxdaily.connectors.thread_replies import ThreadReplies
from cxdaily.connectors.youtube_parse import (
    Comment,
    Thread,
    as_ticket_message,
    comment_url,
    parse_comment,
    parse_thread,
    subscriber_counts,
    thread_questions,
    with_followers,
)
from cxdaily.core.clock import to_iso
from cxdaily.core.errors import RateLimited
from cxdaily.core.models import Question
from cxdaily.core.safe_text import one_line

DEFAULT_BASE_URL = "https://www.googleapis.com/youtube/v3"
DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"
DEFAULT_WEB_URL = "https://www.youtube.com"
MAX_REPLY_CHARS = 10_000
PAGE_SIZE = 100
MAX_PAGES = 10
"""Pages of comment threads read in one fetch (one quota unit each)."""
MAX_REPLY_PAGES = 20
"""Pages of one thread's replies read at most."""
IDS_PER_LOOKUP = 50
"""Channel ids ``channels.list`` takes in one call."""
READS_AT_ONCE = 4
LIMITS = GoogleLimits(
    "YouTube",
    daily_reasons=frozenset({"quotaexceeded", "dailylimitexceeded"}),
    throttle_reasons=frozenset({"ratelimitexceeded", "userratelimitexceeded"}),
    statuses=frozenset({400, 403, 429}),
)
SCOPE = "https://www.googleapis.com/auth/youtube.force-ssl"
LIST_PARAMS = {"part": "snippet,replies", "order": "time", "maxResults": PAGE_SIZE,
               "textFormat": "plainText"}  # fmt: skip
REPLY_PARAMS = {"part": "snippet", "maxResults": PAGE_SIZE, "textFormat": "plainText"}


def _plain_id(value: str) -> str | None:
    if not value or any(c.isspace() or c in "/?#%&,\\" for c in value):
        return "must be one channel id such as UC... (no spaces, slashes or ?#%&,)"
    return None


class RefreshTokenGrant(ClientCredentialsToken):
    """Access tokens bought with a refresh token (``grant_type=refresh_token``)."""

    def advice(self) -> str:
        """What to check when Google refuses the client or the refresh token."""
        name = self.http.channel
        return (
            "check the client_id, client_secret and refresh_token secrets (store them again "
            f"with `cxdaily login {name} --field client_id`, `--field client_secret` and "
            "`--field refresh_token`); a refresh token is revoked when access is withdrawn"
        )


class YouTubeConnector(HttpConnector):
    """Comments on one YouTube channel's videos; public replies posted as the channel."""

    kind = "youtube"
    summary = "YouTube: comments on one channel's videos, answered as the channel (Data API v3)"
    capabilities = Capabilities(
        max_reply_length=MAX_REPLY_CHARS, idempotency_keys=False, threads=True, public=True,
        finds_own_replies=True,
    )  # fmt: skip
    secret_fields = ("client_id", "client_secret", "refresh_token")
    default_base_url = DEFAULT_BASE_URL
    auth_hint = (
        "the client_id, client_secret and refresh_token secrets (an OAuth client with the "
        "youtube.force-ssl scope, granted by the channel's owner)"
    )
    declared_options = HTTP_OPTIONS.extended(
        Option("channel_id", "text", "the YouTube channel whose comments are fetched and "
               "answered (UC...)", required=True, check=_plain_id),
        Option("token_url", "url", "where access tokens are asked for",
               default=DEFAULT_TOKEN_URL),
        Option("web_url", "url", "YouTube's web address, for the links to comments",
               default=DEFAULT_WEB_URL),
    )  # fmt: skip

    def configure(self) -> None:
        """The channel, the token endpoint and the web address from the options."""
        super().configure()
        self.channel_id: str = self.option("channel_id")
        self.token_url: str = self.option("token_url")
        self.web_url: str = self.option("web_url").rstrip("/")
        self.allow_credentials_to(self.token_url)  # the token endpoint is a host of its own
        self._tokens: RefreshTokenGrant | None = None
        self._api = GoogleRequests(self, LIMITS, self._refusal)
        self.thread_replies = ThreadReplies(
            self._thread_messages,
            author=self.channel_id,
            link=lambda question, found: self._reply_url(question, found.id),
        )

    # -- auth -------------------------------------------------------------------------
    async def tokens(self) -> RefreshTokenGrant:
        """The channel's access tokens (built on first use, on this channel's HTTP)."""
        if self._tokens is None:
            refresh = (await self.read_secret("refresh_token")).strip()
            self._tokens = RefreshTokenGrant(
                self.http, self.token_url, credentials=self._credentials, cache=PROCESS_TOKENS,
                form={"grant_type": "refresh_token", "refresh_token": refresh},
            )  # fmt: skip
        return self._tokens

    async def _credentials(self) -> tuple[str, str]:
        client_id = (await self.read_secret("client_id")).strip()
        return client_id, (await self.read_secret("client_secret")).strip()

    async def _signed_in(self, operation: Callable[[dict[str, str]], Awaitable[Any]]) -> Any:
        """``operation(headers)`` with an access token (renewed once if it is refused)."""
        return await (await self.tokens()).call(operation)

    # -- requests ---------------------------------------------------------------------
    def _refusal(self, result: HttpResult, reason: str | None, where: str) -> Exception:
        said = service_message(result.content, self.http.scrub)
        said = f": {said}" if said else ""
        if reason == "commentsdisabled":
            text = f"{where}: comments are turned off for this video (HTTP 403){said}"
            return StatusError(text, status=403, channel=self.name)
        if reason in ("ineligibleaccount", "forbidden") and result.method == "POST":
            text = (
                f"{where}: YouTube does not let this account comment here (HTTP 403 {reason})"
                f"{said}; check that the refresh token belongs to the channel "
                f"{self.channel_id} or one of its managers, with the {SCOPE} scope"
            )
            return StatusError(text, status=403, channel=self.name)
        if result.status == 400 and reason:
            text = f"{where} refused the request (HTTP 400 {reason}){said}"
            return StatusError(text, status=400, channel=self.name)
        return status_error(
            method=result.method, url=result.url, status=result.status, content=result.content,
            channel=self.name, scrub=self.http.scrub, auth_hint=self.http.auth_hint,
            secret_variables=self.http.secret_variables,
        )  # fmt: skip

    def _decode(self, result: HttpResult, *, items: bool = True) -> Any:
        """The JSON object of an answer; a page without an ``items`` list is malformed."""
        data = self.http.decode_json(result)
        if not isinstance(data, dict) or (items and not isinstance(data.get("items"), list)):
            raise BadResponseError(
                f"{result.method} {describe_url(result.url)} answered, but not with a list "
                "resource (an object with items)",
                channel=self.name,
            )
        return data

    # -- fetching ---------------------------------------------------------------------
    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Comments new since the checkpoint, as questions and settled comments."""
        result: FetchResult = await self._signed_in(lambda h: self._fetch(checkpoint, h))
        return result

    async def _fetch(
        self, checkpoint: dict[str, Any] | None, headers: dict[str, str]
    ) -> FetchResult:
        since, newest, token = read_checkpoint(checkpoint)
        skipped = SkippedItems()
        questions: list[Question] = []
        settled: list[Question] = []
        params = {**LIST_PARAMS, "allThreadsRelatedToChannelId": self.channel_id}
        done = False
        for page in range(1, MAX_PAGES + 1):
            query = {**params, **({"pageToken": token} if token else {})}
            try:
                result = await self._api.send(
                    "GET", "/commentThreads", params=query, headers=headers
                )
            except StatusError as exc:
                if not (page == 1 and token and exc.status == 400):
                    raise
                self.http.note("the stored page token was refused: read again from the newest")
                token = None  # the walk that stopped at its cap starts over from the top
                query = dict(params)
                result = await self._api.send(
                    "GET", "/commentThreads", params=query, headers=headers
                )
            data = self._decode(result)
            threads, done = self._page_threads(data["items"], page, since, skipped)
            for thread in threads:
                newest = max(newest or thread.activity, thread.activity)
            threads = await self._complete(threads, headers, skipped)
            asked, answered = self._questions(threads)
            questions += await self._with_reach(asked, headers, skipped)
            settled += answered
            following = data.get("nextPageToken")
            token = following if isinstance(following, str) and following.strip() else None
            if done or token is None:
                done = True
                break
        if not done:
            self.http.note(
                f"stopped after {MAX_PAGES} pages of comment threads (the page cap); the "
                "older ones come with the next fetch"
            )
            mark = {"since": to_iso(since) if since else None, "page_token": token,
                    "newest": to_iso(newest) if newest else None}  # fmt: skip
        else:
            mark = {"since": to_iso(newest) if newest else (to_iso(since) if since else None)}
        return FetchResult(
            questions=questions, settled=settled, warnings=skipped.lines(), checkpoint=mark
        )

    def _page_threads(
        self, items: list[Any], page: int, since: datetime | None, skipped: SkippedItems
    ) -> tuple[list[Thread], bool]:
        """The threads of a page with anything newer than ``since``, and whether the
        page reached ``since`` (no older page is needed)."""
        threads: list[Thread] = []
        reached = False
        for number, item in enumerate(items, 1):
            try:
                thread = parse_thread(item)
            except QuestionShapeError as exc:
                skipped.add(f"page {page}, comment thread {number} skipped: {exc}")
                continue
            if since is not None and thread.activity <= since:
                reached = True
                continue
            threads.append(thread)
        return threads, reached

    async def _complete(
        self, threads: list[Thread], headers: dict[str, str], skipped: SkippedItems
    ) -> list[Thread]:
        """Threads whose replies are not all embedded, with every reply read (a failed
        read costs only that thread's context, with a warning)."""

        async def complete(thread: Thread) -> Thread:
            if not thread.incomplete:
                return thread
            try:
                replies = await self._replies(thread.id, headers, skipped)
            except LOOKUP_FAILURES as exc:
                skipped.add(f"thread {thread.id}: its replies cannot be read ({bare_message(exc)})")
                return thread
            known = {r.id: r for r in thread.replies}
            known.update((r.id, r) for r in replies if r.id != thread.top.id)
            return Thread(thread.id, thread.top, tuple(known.values()), thread.video_id,
                          thread.total_replies, thread.can_reply, thread.meta)  # fmt: skip

        return await read_at_once([complete(t) for t in threads], READS_AT_ONCE)

    async def _replies(
        self, thread_id: str, headers: dict[str, str], skipped: SkippedItems | None = None
    ) -> list[Comment]:
        """Every reply of a thread (``comments.list?parentId=``), page by page."""
        replies: list[Comment] = []
        token: str | None = None
        for _ in range(MAX_REPLY_PAGES):
            query = {
                **REPLY_PARAMS,
                "parentId": thread_id,
                **({"pageToken": token} if token else {}),
            }
            data = self._decode(
                await self._api.send("GET", "/comments", params=query, headers=headers)
            )
            for number, item in enumerate(data["items"], 1):
                try:
                    replies.append(parse_comment(item, f"reply {number}"))
                except QuestionShapeError as exc:
                    if skipped is not None:
                        skipped.add(f"thread {thread_id}: {exc}")
            following = data.get("nextPageToken")
            if not isinstance(following, str) or not following.strip() or following == token:
                return replies
            token = following
        self.http.note(f"thread {thread_id}: stopped after {MAX_REPLY_PAGES} pages of replies")
        return replies

    def _questions(self, threads: list[Thread]) -> tuple[list[Question], list[Question]]:
        asked: list[Question] = []
        settled: list[Question] = []
        for thread in threads:
            question, answered = thread_questions(
                thread, channel_id=self.channel_id, channel=self.name, kind=self.kind,
                web_url=self.web_url,
            )  # fmt: skip
            if question is not None:
                asked.append(question)
            settled.extend(answered)
        return asked, settled

    async def _with_reach(
        self, questions: list[Question], headers: dict[str, str], skipped: SkippedItems
    ) -> list[Question]:
        """The questions with their authors' subscriber counts (a failed look-up costs
        only the counts, with a warning)."""
        ids = sorted({q.author.id for q in questions if q.author.id})
        counts: dict[str, int | None] = {}
        for start in range(0, len(ids), IDS_PER_LOOKUP):
            chunk = ids[start : start + IDS_PER_LOOKUP]
            query = {"part": "statistics", "id": ",".join(chunk), "maxResults": IDS_PER_LOOKUP}
            try:
                result = await self._api.send("GET", "/channels", params=query, headers=headers)
                counts.update(subscriber_counts(self._decode(result, items=False)))
            except (*LOOKUP_FAILURES, RateLimited) as exc:
                skipped.add(f"subscriber counts of {len(chunk)} authors cannot be read "
                            f"({bare_message(exc)})")  # fmt: skip
        return [with_followers(q, counts) for q in questions]

    # -- replying ---------------------------------------------------------------------
    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """Post the reply under the question's top-level comment (sent once)."""
        payload = {"snippet": {"parentId": question.thread_id, "textOriginal": body}}

        async def post(headers: dict[str, str]) -> HttpResult:
            return await self._api.send(
                "POST", "/comments", params={"part": "snippet"}, json_body=payload,
                headers=headers, doing="the reply can be sent again then",
            )  # fmt: skip

        result: HttpResult = await self._signed_in(post)
        reply_id = None
        with contextlib.suppress(BadResponseError, QuestionShapeError):
            data = self.http.decode_json(result)
            reply_id = id_field(data.get("id"), "id") if isinstance(data, dict) else None
        if reply_id is None:
            with contextlib.suppress(*LOOKUP_FAILURES):  # accepted: a failed look is no failure
                found = await self.find_own_reply(question, body, idempotency_key)
                if found is not None:
                    return found
            raise BadResponseError(
                f"POST {describe_url(result.url)} accepted the reply (HTTP {result.status}) but "
                "named no id for it, and it is not in the thread yet",
                channel=self.name,
            )
        return SentReply(remote_id=reply_id, url=self._reply_url(question, reply_id))

    def _reply_url(self, question: Question, reply_id: str) -> str | None:
        video = question.meta.get("video_id")
        return comment_url(self.web_url, video if isinstance(video, str) else None, reply_id)

    async def _thread_messages(self, question: Question) -> list[Any]:
        async def read(headers: dict[str, str]) -> list[Comment]:
            return await self._replies(question.thread_id, headers)

        replies: list[Comment] = await self._signed_in(read)
        return [as_ticket_message(c, self.channel_id) for c in replies]

    async def check(self) -> str:
        """The credentials buy a token and the channel can be read (``channels.list``)."""

        async def read(headers: dict[str, str]) -> HttpResult:
            query = {"part": "snippet", "id": self.channel_id}
            return await self._api.send("GET", "/channels", params=query, headers=headers)

        result: HttpResult = await self._signed_in(read)
        items = self._decode(result)["items"]
        first = items[0] if items and isinstance(items[0], dict) else {}
        snippet = first.get("snippet")
        title = snippet.get("title") if isinstance(snippet, dict) else None
        if not items:
            raise StatusError(
                f"GET {describe_url(result.url)}: no channel {self.channel_id}; check the "
                "channel_id option",
                status=404,
                channel=self.name,
            )
        name = one_line(title, 80) if isinstance(title, str) and title.strip() else self.channel_id
        return f"signed in; channel {name}"
