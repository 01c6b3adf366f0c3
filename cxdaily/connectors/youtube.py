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
``GET /comments?parentId=...``; replies that cannot be read cost only themselves, with a
warning (when the failure may pass, a timeout or a 5xx, the checkpoint stays where it was
and the next fetch reads them again). YouTube documents no order for a thread's replies,
so all of them are read (up to :data:`MAX_REPLY_PAGES` pages): a walk the byte budget cut
short keeps the checkpoint where it was (the next fetch reads the thread again), and one
cut by the page cap is said in a warning. Until our channel replies, a top-level comment is a
question; after our reply, the latest comment someone else wrote is (see
:func:`~cxdaily.connectors.youtube_parse.thread_questions`). YouTube lists threads by when
they were started, so the threads a conversation is under way in are followed: those the
walk does not list are read again by id, 50 a call (see :mod:`.youtube_follow`). Authors'
subscriber counts come from ``GET /channels?part=statistics&id=...`` (50 ids a call).

Replying: ``POST /comments?part=snippet`` with ``{"snippet": {"parentId", "textOriginal"}}``,
sent once. YouTube has no idempotency key: after an unknown outcome the thread's replies
are read for ours.

Quota: YouTube sends no rate-limit headers. A 403 ``quotaExceeded`` (the project's daily
quota, reset at midnight Pacific time) is a one-line :class:`RateLimited` that waits for
the reset; a 403 ``rateLimitExceeded`` is waited out briefly on reads.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cxdaily.connectors import google_api
from cxdaily.connectors import youtube_follow as follow
from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.channel_tokens import (
    LazyGrant,
    secret_pair,
    store_again_advice,
    token_endpoint,
)
from cxdaily.connectors.helpdesk import LOOKUP_FAILURES, read_at_once
from cxdaily.connectors.http import BadResponseError, HttpResult, StatusError, describe_url
from cxdaily.connectors.http_base import HttpConnector
from cxdaily.connectors.http_errors import bare_message, service_message, status_error
from cxdaily.connectors.oauth import PROCESS_TOKENS, ClientCredentialsToken
from cxdaily.connectors.options import Option
from cxdaily.connectors.pagination import DEFAULT_MAX_PAGES, PageTrail, pages_allowed
from cxdaily.connectors.parsing import QuestionShapeError, id_field
from cxdaily.connectors.public_channel import confirmed_reply, public_capabilities, web_url_option
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.connectors.thread_replies import ThreadReplies
from cxdaily.connectors.youtube_parse import (
    IDS_PER_CALL,
    Comment,
    Thread,
    as_ticket_message,
    comment_url,
    id_lists,
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
from cxdaily.core.words import plural

DEFAULT_WEB_URL = "https://www.youtube.com"
PAGE_SIZE = 100
MAX_PAGES = 10
"""Pages of comment threads read in one fetch (one quota unit each)."""
MAX_REPLY_PAGES = DEFAULT_MAX_PAGES
"""Pages of one thread's replies read at most (one quota unit each). YouTube documents no
order for ``comments?parentId=``, so the newest replies may be on any page: a thread is
read whole, up to this many pages."""
READS_AT_ONCE = 4
LIMITS = google_api.GoogleLimits(
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


def _held(checkpoint: Any) -> dict[str, Any]:
    """The checkpoint a fetch started from, kept as it was (its damaged parts dropped):
    the times of replies a look-up left unread are unknown, so only it is sure not to
    pass them, and the next fetch reads the same threads again."""
    since, newest, token = google_api.read_checkpoint(checkpoint)
    held: dict[str, Any] = {"since": to_iso(since) if since else None}
    if token:
        held.update(page_token=token, newest=to_iso(newest) if newest else None)
    return held


@dataclass
class _Run:
    """One fetch's state: what it gathers, and the followed threads (see
    :mod:`.youtube_follow`): as the checkpoint kept them, those the walk listed, those a
    conversation was read in, and those followed as they were."""

    harvest: google_api.ListingHarvest
    headers: dict[str, str]
    followed: dict[str, follow.Seen]
    listed: set[str] = field(default_factory=set)
    talks: list[Thread] = field(default_factory=list)
    keep: set[str] = field(default_factory=set)


class RefreshTokenGrant(ClientCredentialsToken):
    """Access tokens bought with a refresh token (``grant_type=refresh_token``)."""

    def advice(self) -> str:
        """What to check when Google refuses the client or the refresh token."""
        fields = ("client_id", "client_secret", "refresh_token")
        advice = store_again_advice(self.http.channel, fields)
        return f"{advice}; a refresh token is revoked when access is withdrawn"


class YouTubeConnector(HttpConnector):
    """Comments on one YouTube channel's videos; public replies posted as the channel."""

    kind = "youtube"
    capabilities = public_capabilities()
    declared_options = google_api.GOOGLE_OPTIONS.extended(
        Option("channel_id", "text", "the YouTube channel whose comments are fetched and "
               "answered (UC...)", required=True, check=_plain_id),
        web_url_option(DEFAULT_WEB_URL, "comments"),
    )  # fmt: skip

    def configure(self) -> None:
        """The channel, the token endpoint and the web address from the options."""
        super().configure()
        self.channel_id: str = self.option("channel_id")
        self.web_url: str = self.option("web_url").rstrip("/")
        self.token_url = token_endpoint(self, "token_url")
        self.signed_in = LazyGrant(self._grant)
        self._api = google_api.GoogleRequests(self, LIMITS, self._refusal)
        self.thread_replies = ThreadReplies(
            self._thread_messages,
            author=self.channel_id,
            link=lambda question, found: self._reply_url(question, found.id),
        )

    # -- auth -------------------------------------------------------------------------
    async def _grant(self) -> RefreshTokenGrant:
        """The refresh-token grant of the channel's OAuth client."""
        refresh = (await self.read_secret("refresh_token")).strip()
        return RefreshTokenGrant(
            self.http, self.token_url, cache=PROCESS_TOKENS,
            credentials=secret_pair(self, "client_id", "client_secret"),
            form={"grant_type": "refresh_token", "refresh_token": refresh},
        )  # fmt: skip

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
        result: FetchResult = await self.signed_in.call(lambda h: self._fetch(checkpoint, h))
        return result

    async def _fetch(
        self, checkpoint: dict[str, Any] | None, headers: dict[str, str]
    ) -> FetchResult:
        harvest = google_api.ListingHarvest()
        params = {**LIST_PARAMS, "allThreadsRelatedToChannelId": self.channel_id}
        run = _Run(harvest, headers, follow.read_followed(checkpoint))

        async def read(token: str | None) -> HttpResult:
            query = {**params, **({"pageToken": token} if token else {})}
            return await self._api.send("GET", "/commentThreads", params=query, headers=headers)

        async def take(
            result: HttpResult, page: int, since: datetime | None
        ) -> google_api.ListingPage:
            data = self._decode(result)
            threads, reached = self._page_threads(data["items"], page, since, run)
            newest = max((t.activity for t in threads), default=None)
            await self._take(threads, run)
            following = data.get("nextPageToken")
            usable = isinstance(following, str) and following.strip()
            return google_api.ListingPage(following if usable else None, reached, newest)

        mark = await google_api.walk_listing(
            self, checkpoint, read, take,
            max_pages=MAX_PAGES, what="pages of comment threads", iso=to_iso,
        )  # fmt: skip
        await self._read_followed(run)
        if harvest.skipped.unread:  # replies left unread: not past them
            mark = _held(checkpoint)
        mark["follow"] = follow.followed_after(run.followed, run.talks, run.keep, self.now())
        return harvest.fetch_result(mark)

    async def _take(self, threads: list[Thread], run: _Run) -> None:
        """Take in threads with something new: their questions and settled comments,
        and each thread a conversation is under way in (see :mod:`.youtube_follow`)."""
        harvest = run.harvest
        threads = await self._complete(threads, run)
        asked, answered = self._questions(threads, run.talks)
        harvest.questions.extend(await self._with_reach(asked, run.headers, harvest.skipped))
        harvest.settled.extend(answered)

    async def _read_followed(self, run: _Run) -> None:
        """Read again the followed threads the walk did not list, and take those with
        something new (see :mod:`.youtube_follow`)."""
        unlisted = [tid for tid in run.followed if tid not in run.listed]
        skipped = run.harvest.skipped
        for ids in id_lists(unlisted):
            query = {"part": "snippet,replies", "id": ",".join(ids), "textFormat": "plainText"}
            try:
                result = await self._api.send(
                    "GET", "/commentThreads", params=query, headers=run.headers
                )
                items = self._decode(result)["items"]
            except LOOKUP_FAILURES as exc:
                threads = plural(len(ids), "followed comment thread")
                said = f"{threads} cannot be read ({bare_message(exc)})"
                if skipped.not_read(said, exc):
                    run.keep.update(ids)  # followed as they were, read next time
                continue
            fresh: list[Thread] = []
            for number, item in enumerate(items, 1):
                try:
                    thread = parse_thread(item)
                except QuestionShapeError as exc:
                    skipped.add(f"followed comment thread {number} skipped: {exc}")
                    continue
                if follow.changed(thread, run.followed.get(thread.id)):
                    fresh.append(thread)
                else:
                    run.keep.add(thread.id)  # nothing new: followed as it was
            await self._take(fresh, run)

    def _page_threads(
        self, items: list[Any], page: int, since: datetime | None, run: _Run
    ) -> tuple[list[Thread], bool]:
        """The threads of a page with anything newer than ``since`` (a followed one: with
        anything new since it was read), and whether the page reached ``since`` (no older
        page is needed)."""
        threads: list[Thread] = []
        reached = False
        for number, item in enumerate(items, 1):
            try:
                thread = parse_thread(item)
            except QuestionShapeError as exc:
                run.harvest.skipped.add(f"page {page}, comment thread {number} skipped: {exc}")
                continue
            run.listed.add(thread.id)
            seen = run.followed.get(thread.id)
            if since is not None and thread.activity <= since:
                reached = True
                if not follow.changed(thread, seen):
                    if seen is not None:
                        run.keep.add(thread.id)  # nothing new: followed as it was
                    continue
            threads.append(thread)
        return threads, reached

    async def _complete(self, threads: list[Thread], run: _Run) -> list[Thread]:
        """Threads whose replies are not all embedded, with every reply read (a failed
        read costs only that thread's replies not embedded, with a warning; when the
        failure may pass, the thread stays followed as it was: ``run.keep``). A thread
        whose replies the byte budget cut short counts as left unread (the fetch keeps
        its checkpoint); one cut by :data:`MAX_REPLY_PAGES` is warned about."""
        headers, skipped = run.headers, run.harvest.skipped

        async def complete(thread: Thread) -> Thread:
            if not thread.incomplete:
                return thread
            try:
                replies, cut_short = await self._replies(thread.id, headers, skipped)
            except LOOKUP_FAILURES as exc:
                said = f"thread {thread.id}: its replies cannot be read ({bare_message(exc)})"
                if skipped.not_read(said, exc):
                    run.keep.add(thread.id)
                return thread
            if cut_short:
                read = f"thread {thread.id}: {len(replies)} of its {thread.total_replies} replies"
                if self.http.budget_spent():  # a new fetch has a new budget
                    skipped.unread_later(f"{read} read (the byte budget)")
                else:  # would stop there again: said, since a newer one may be past it
                    skipped.add(f"{read} read (the page cap); a newer reply may be missing")
            known = {r.id: r for r in thread.replies}
            known.update((r.id, r) for r in replies if r.id != thread.top.id)
            return Thread(thread.id, thread.top, tuple(known.values()), thread.video_id,
                          thread.total_replies, thread.can_reply, thread.meta)  # fmt: skip

        return await read_at_once([complete(t) for t in threads], READS_AT_ONCE)

    async def _replies(
        self, thread_id: str, headers: dict[str, str], skipped: SkippedItems | None = None
    ) -> tuple[list[Comment], bool]:
        """Every reply of a thread (``comments.list?parentId=``), page by page, and
        whether the walk was cut short by :data:`MAX_REPLY_PAGES` or the byte budget
        (noted) with replies left, which may be the newest."""
        replies: list[Comment] = []
        token: str | None = None
        trail = PageTrail(self.http, f"replies of thread {thread_id}")
        for _ in pages_allowed(self.http, MAX_REPLY_PAGES):
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
            if not isinstance(following, str) or not following.strip() or trail.loops(following):
                return replies, False
            token = following
        return replies, True

    def _questions(
        self, threads: list[Thread], talks: list[Thread]
    ) -> tuple[list[Question], list[Question]]:
        """The questions the threads ask and the comments they settle; each thread that
        gave either goes to ``talks`` (a conversation is under way in it)."""
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
            if question is not None or answered:
                talks.append(thread)
        return asked, settled

    async def _with_reach(
        self, questions: list[Question], headers: dict[str, str], skipped: SkippedItems
    ) -> list[Question]:
        """The questions with their authors' subscriber counts (a failed look-up costs
        only the counts, with a warning)."""
        ids = sorted({q.author.id for q in questions if q.author.id})
        counts: dict[str, int | None] = {}
        for chunk in id_lists(ids):
            query = {"part": "statistics", "id": ",".join(chunk), "maxResults": IDS_PER_CALL}
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

        result: HttpResult = await self.signed_in.call(post)
        reply_id = None
        with contextlib.suppress(BadResponseError, QuestionShapeError):
            data = self.http.decode_json(result)
            reply_id = id_field(data.get("id"), "id") if isinstance(data, dict) else None
        if reply_id is None:
            return await confirmed_reply(
                self,
                question,
                body,
                idempotency_key,
                result,
                not_found="it is not in the thread yet",
            )
        return SentReply(remote_id=reply_id, url=self._reply_url(question, reply_id))

    def _reply_url(self, question: Question, reply_id: str) -> str | None:
        video = question.meta.get("video_id")
        return comment_url(self.web_url, video if isinstance(video, str) else None, reply_id)

    async def _thread_messages(self, question: Question) -> list[Any]:
        async def read(headers: dict[str, str]) -> list[Comment]:
            replies, _ = await self._replies(question.thread_id, headers)
            return replies

        replies: list[Comment] = await self.signed_in.call(read)
        return [as_ticket_message(c, self.channel_id) for c in replies]

    async def check(self) -> str:
        """The credentials buy a token and the channel can be read (``channels.list``)."""

        async def read(headers: dict[str, str]) -> HttpResult:
            query = {"part": "snippet", "id": self.channel_id}
            return await self._api.send("GET", "/channels", params=query, headers=headers)

        result: HttpResult = await self.signed_in.call(read)
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
