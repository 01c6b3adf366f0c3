"""The ``x`` channel: posts on X that mention the brand, answered with a reply post
(X API v2).

Config::

    [channels.x]
    kind = "x"
    user_id = 2244994945                  # the brand's numeric user id
    client_id = "rG9n6402A3dbUJKzXTNX"    # optional: refreshes an expired access token
    base_url = "https://api.x.com"        # optional
    web_url = "https://x.com"             # optional: where public links point
    token_url = "https://api.x.com/2/oauth2/token"   # optional

Secrets (``cxdaily login NAME``): the OAuth 2.0 user access token (the default field,
sent as ``Authorization: Bearer``; scopes ``tweet.read tweet.write users.read``), and
optionally ``refresh_token`` (scope ``offline.access``). With a refresh token, an access
token X refuses (HTTP 401), or none stored at all, is renewed once at ``token_url``
(``grant_type=refresh_token``, plus ``client_id`` when set). X's refresh tokens are
single-use: each refresh answers a new one, which is stored in place of the old one (in
the keyring), with the new access token, so the next run goes on from them. A refresh
token set in ``CXDAILY_SECRET_<NAME>_REFRESH_TOKEN`` cannot be replaced that way: the new
one is used for this run only, and a warning says so.

Fetching: ``GET /2/users/{id}/mentions`` with ``since_id`` (the checkpoint, the highest
id seen; the first fetch asks for ``start_time`` = ``since_days`` ago), 100 a page,
following ``meta.next_token`` as ``pagination_token``. A post longer than 280 characters
is read from ``note_tweet.text`` (its ``text`` is cut short). Authors come from
``includes.users`` (username, name, followers); the post a mention replies to comes
from ``includes.tweets`` and is its context (no extra request per mention). The brand's
own posts and retweets are left out. ``GET /2/users/{id}/tweets`` (the brand's own
posts since the last fetch) tells which mentions the brand already answered: those are
settled, whether they came in this fetch or an earlier one.

Replying: ``POST /2/tweets`` with ``{"text": ..., "reply": {"in_reply_to_tweet_id":
ID}}``, once. X has no idempotency key: after an unknown outcome, the brand's posts
since the question are read for a reply to it with the same text. Length is X's
weighted count (:mod:`cxdaily.connectors.x_text`). Rate limits: X answers 429 with
``x-rate-limit-reset`` (UNIX seconds) and no ``Retry-After``; a ``usage-capped`` 429 (the
app's monthly cap) and a 403 for duplicate content are one-line errors of their own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any, Unpack
from urllib.parse import quote

import httpx
from msgspec.structs import replace

from cxdaily.connectors import ratelimit
from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.helpdesk import LOOKUP_FAILURES, TicketMessage
from cxdaily.connectors.http import (
    BadResponseError,
    HttpResult,
    RequestOptions,
    StatusError,
    describe_url,
)
from cxdaily.connectors.http_base import HttpConnector
from cxdaily.connectors.http_client import allowing
from cxdaily.connectors.options import HTTP_OPTIONS, Option, since_days
from cxdaily.connectors.pagination import PageTrail, newest_id, pages_allowed
from cxdaily.connectors.parsing import QuestionShapeError
from cxdaily.connectors.public_channel import public_capabilities, web_url_option
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.connectors.thread_replies import ThreadReplies
from cxdaily.connectors.x_parse import (
    PER_PAGE,
    REFRESH_FIELD,
    Includes,
    TweetParts,
    client_id_problem,
    includes_of,
    next_token,
    own_reply,
    page_items,
    read_checkpoint,
    read_resume,
    refusal,
    reply_context,
    service_problem,
    timeline_params,
    tweet_parts,
    usable_token,
    user_id_problem,
)
from cxdaily.connectors.x_text import MAX_WEIGHTED_LENGTH, weighted_length, without_urls
from cxdaily.core.clock import to_iso
from cxdaily.core.errors import AuthError, ConnectorError, RateLimited, ReplyRejected
from cxdaily.core.models import Author, Question
from cxdaily.core.safe_json import is_digits

DEFAULT_WEB_URL = "https://x.com"
MENTION_PAGES = 10
"""X keeps the latest 800 mentions reachable: 8 pages of 100, with room to spare."""
OWN_PAGES = 5
"""Pages of the brand's own posts read to find its replies (500 posts)."""


class XConnector(HttpConnector):
    """Mentions of one X account; replies as reply posts by that account."""

    kind = "x"
    capabilities = public_capabilities()
    secrets_any_one = True
    declared_options = HTTP_OPTIONS.extended(
        Option("user_id", "text", "the brand's numeric X user id (GET /2/users/me shows it)",
               required=True, check=user_id_problem),
        web_url_option(DEFAULT_WEB_URL, "posts"),
        Option("token_url", "url", "the OAuth 2.0 token endpoint for refreshing the access "
               "token (default: base_url + /2/oauth2/token)"),
        Option("client_id", "text", "the app's OAuth 2.0 Client ID, sent when refreshing",
               check=client_id_problem),
        since_days(7),
    )  # fmt: skip

    def configure(self) -> None:
        """The brand's id, the public site and the token endpoint from the options."""
        super().configure()
        self.user_id: str = self.option("user_id")
        self.web_url: str = self.option("web_url").rstrip("/")
        configured = self.option("token_url")
        self.token_url: str = configured or self.endpoint("/2/oauth2/token")
        if configured:
            self.allow_credentials_to(configured)
        self.thread_replies = ThreadReplies(  # X's t.co links set aside when comparing
            self._our_replies,
            author=self.user_id,
            link=lambda _, found: self.post_url(found.id),
            compared=without_urls,
        )

    def reply_length(self, text: str, question: Question | None = None) -> int:
        """X's weighted length (URLs 23, wide characters and emoji 2); the question does
        not change it (X adds the reply's context without counting it)."""
        return weighted_length(text)

    def post_url(self, tweet_id: str, username: str | None = None) -> str:
        """The public link of a post (``/{username}/status/{id}``, or ``/i/web/status/{id}``
        when the author's username is not known)."""
        who = quote(username, safe="") if username else "i/web"
        return f"{self.web_url}/{who}/status/{quote(tweet_id, safe='')}"

    # -- credentials -------------------------------------------------------------------
    async def _token(self) -> str:
        """The access token: the stored (or last renewed) one, else one a refresh buys."""
        token = await self.optional_secret("")
        if token:
            return token
        refresh = await self.optional_secret(REFRESH_FIELD)
        return await self._refresh(refresh) if refresh else await self.read_secret("")

    async def _refresh(self, refresh: str) -> str:
        """A new access token from ``token_url``; it and the refresh token X rotated are
        stored for the next operation and the next run (see the module's docstring)."""
        where = f"POST {describe_url(self.token_url)}"
        if not self.http.may_send_credentials(self.token_url):
            raise ConnectorError(
                f"refusing to send the refresh token to {describe_url(self.token_url)}: it is "
                "not one of the channel's own addresses",
                channel=self.name,
            )
        form = {"grant_type": "refresh_token", "refresh_token": refresh}
        if self.option("client_id"):
            form["client_id"] = self.option("client_id")
        result = await self.http.request(
            "POST", self.token_url, form_body=form, allow_statuses={400, 401}, repeatable=False
        )  # a refresh that went through rotated the token: asking again cannot help
        if result.status in (400, 401):
            said = service_problem(result.content, self.http.scrub)
            raise AuthError(
                f"{where} refused the refresh token (HTTP {result.status}"
                f"{': ' + said if said else ''}); store a new one with `cxdaily login "
                f"{self.name} --field {REFRESH_FIELD}` (and check the client_id option)",
                channel=self.name,
            )
        data = self.http.decode_json(result)
        data = data if isinstance(data, dict) else {}
        token, rotated = data.get("access_token"), data.get("refresh_token")
        if not usable_token(token):
            raise BadResponseError(f"{where} answered without a usable access_token",
                                   channel=self.name)  # fmt: skip
        assert isinstance(token, str)
        self.http.register_secret(token)
        if usable_token(rotated):
            assert isinstance(rotated, str)
            await self.persist_secret(REFRESH_FIELD, rotated)
        await self.persist_secret("", token, renewable=True)
        return token

    async def _renew_refused(self, refused: str) -> bool:
        """After X refused the access token ``refused``: the one another operation renewed
        meanwhile, else a refresh; ``False`` when there is no refresh token."""
        current = await self.optional_secret("")
        if current and current != refused:
            return True
        refresh = await self.optional_secret(REFRESH_FIELD)
        if not refresh:
            return False
        await self._refresh(refresh)
        return True

    # -- requests ----------------------------------------------------------------------
    async def _call(
        self,
        method: str,
        url: str,
        **options: Unpack[RequestOptions],
    ) -> HttpResult:
        """One request with the channel's token: a refused token is refreshed once (with
        a refresh token), a 429 is waited out as ``x-rate-limit-reset`` says (repeatable
        requests only: ``repeatable`` is said by every caller; unsaid, it is not), and X's
        own refusals become one-line errors."""
        repeatable = options["repeatable"] = bool(options.get("repeatable"))
        sent = allowing(options, 401, 403, 429)
        refreshed = False
        throttles = 0
        while True:
            token = await self._token()
            result = await self.http.request(method, url, headers=self.bearer(token), **sent)
            if result.status == 401 and not refreshed:
                refreshed = True
                if await self._renew_refused(token):
                    continue
            if result.status == 429:
                throttles += 1
                await self._wait_out(result, throttles, repeatable)
                continue
            if result.status in (401, 403):
                raise refusal(self.http, result)
            return result

    async def _wait_out(self, result: HttpResult, throttles: int, repeatable: bool) -> None:
        """Wait until ``x-rate-limit-reset``, or fail with :class:`RateLimited`."""
        where = f"{result.method} {describe_url(result.url)}"
        wait = ratelimit.retry_delay(result.headers, self.http.wall_clock())
        said = service_problem(result.content, self.http.scrub)
        if "usage-capped" in said or "usagecap" in said.lower().replace(" ", ""):
            raise RateLimited(
                f"{where}: the X app's usage cap is used up (HTTP 429 usage-capped: {said}); "
                "nothing more can be read or posted until the cap resets or the plan is "
                "raised in the X Developer Console",
                retry_after=wait if wait is not None else ratelimit.MAX_HINT_S,
                channel=self.name,
            )
        if wait is None:
            wait = self.http.backoff_wait(throttles)
        error = RateLimited(
            f"rate-limited by {where} (HTTP 429); X asks to wait {wait:.0f} s (x-rate-limit-reset)",
            retry_after=wait,
            channel=self.name,
        )
        await self.http.wait_out(wait, throttles, repeatable, error)

    async def _pages(
        self, url: str, params: dict[str, Any], max_pages: int, start: str | None = None
    ) -> AsyncIterator[tuple[dict[str, Any], HttpResult, str | None]]:
        """Every page of a timeline (from the page ``start`` names, when given), following
        ``meta.next_token`` as ``pagination_token``; each with the token of the page after
        it (``None``: the last page, or a page already read). A walk stopped by the page
        cap or the byte budget ends on a page with a token (noted with the warnings). A
        stored token X refuses (HTTP 400) is dropped with a note: the walk starts over."""
        token = start
        trail = PageTrail(self.http, "pages of posts", start)
        for page in pages_allowed(self.http, max_pages):
            query = {**params, **({"pagination_token": token} if token else {})}
            try:
                result = await self._call("GET", url, params=query, repeatable=True)
            except StatusError as exc:
                if not (page == 1 and token and exc.status == 400):
                    raise
                self.http.note("the stored page token was refused: read again from the newest")
                result = await self._call("GET", url, params=params, repeatable=True)
            data = self.http.decode_json(result)
            if not isinstance(data, dict):
                raise BadResponseError(
                    f"GET {describe_url(result.url)} answered without a page of posts",
                    channel=self.name,
                )
            following = next_token(data)
            if following is not None and trail.loops(following):
                following = None
            yield data, result, following
            if following is None:
                return
            token = following

    # -- fetching ----------------------------------------------------------------------
    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Mentions since the checkpoint as questions; the ones the brand answered settled."""
        since_id, own_since = read_checkpoint(checkpoint)
        resume = read_resume(checkpoint)
        start_time = None if since_id else self.now() - timedelta(days=self.option("since_days"))
        if resume is not None and resume.start_time is not None and not since_id:
            start_time = resume.start_time  # the same query as the walk it goes on with
        skipped = SkippedItems()
        questions: dict[str, Question] = {}
        newest = newest_id([resume.newest] if resume and resume.newest else [], since_id)
        url = self.endpoint(f"/2/users/{self.user_id}/mentions")
        params = timeline_params(since_id, start_time, "author_id,referenced_tweets.id")
        following: str | None = None
        pages = self._pages(url, params, MENTION_PAGES, resume.token if resume else None)
        async for data, result, next_page in pages:
            following = next_page
            includes = includes_of(data)
            for index, item in enumerate(page_items(data, result, self.name)):
                try:
                    parts = tweet_parts(item)
                except QuestionShapeError as exc:
                    skipped.add(f"mention #{index + 1} of a page skipped: {exc}")
                    continue
                newest = newest_id([parts.id], newest)
                if parts.author_id == self.user_id or parts.retweet:
                    continue
                questions[parts.id] = self._question(parts, includes, skipped)
        settled, own_newest = await self._answered(
            questions, own_since or since_id, start_time, skipped
        )
        mark: dict[str, Any] = {"since_id": newest} if newest else {}
        if following is not None:  # stopped at a cap: the older mentions come next time
            mark = {"since_id": since_id, "pagination_token": following, "newest_id": newest,
                    "start_time": to_iso(start_time) if start_time else None}  # fmt: skip
            mark = {key: value for key, value in mark.items() if value}
        if own_newest or own_since:
            mark["own_since_id"] = own_newest or own_since
        return FetchResult(
            questions=list(questions.values()),
            checkpoint=mark or None,
            warnings=skipped.lines(),
            settled=settled,
        )

    def _question(self, parts: TweetParts, includes: Includes, skipped: SkippedItems) -> Question:
        """A mention as a question: its author, its link and the post it replies to."""
        user = includes.users.get(parts.author_id or "")
        meta: dict[str, Any] = {"service": self.kind, **parts.meta}
        meta["reply_to_brand"] = parts.in_reply_to_user_id == self.user_id
        if user is not None and user.verified is not None:
            meta["verified"] = user.verified
        return Question(
            id=self.question_id(parts.id),
            channel=self.name,
            kind=self.kind,
            native_id=parts.id,
            thread_id=parts.id,
            url=self.post_url(parts.id, user.username if user else None),
            author=user.author if user else Author(id=parts.author_id),
            title=None,
            body=parts.body,
            created_at=parts.created_at,
            context=reply_context(parts, includes, skipped),
            meta=meta,
        )

    async def _answered(
        self,
        questions: dict[str, Question],
        since_id: str | None,
        start_time: datetime | None,
        skipped: SkippedItems,
    ) -> tuple[list[Question], str | None]:
        """The mentions the brand's own posts since ``since_id`` answer (taken out of
        ``questions``), as settled questions, and the newest own post's id. A failed read
        costs only this: the questions stay, with a warning."""
        url = self.endpoint(f"/2/users/{self.user_id}/tweets")
        params = timeline_params(since_id, start_time, "referenced_tweets.id,"
                                  "referenced_tweets.id.author_id")  # fmt: skip
        settled: dict[str, Question] = {}
        newest: str | None = None
        try:
            async for data, result, _ in self._pages(url, params, OWN_PAGES):
                includes = includes_of(data)
                for item in page_items(data, result, self.name):
                    try:
                        parts = tweet_parts(item)
                    except QuestionShapeError:
                        continue  # one of our own posts: nothing to answer
                    newest = newest_id([parts.id], newest)
                    target = parts.replied_to
                    if not target or target in settled:
                        continue
                    question = questions.pop(target, None)
                    if question is None and target in includes.tweets:
                        parent = includes.tweets[target]
                        if parent.author_id == self.user_id or parent.retweet:
                            continue
                        question = self._question(parent, includes, SkippedItems())
                    if question is not None:
                        meta = {**question.meta, "team_answered": True}
                        settled[target] = replace(question, meta=meta)
        except LOOKUP_FAILURES as exc:
            skipped.add(f"the brand's own posts could not be read, so answered mentions "
                        f"may still show ({exc})")  # fmt: skip
            return list(settled.values()), None
        return list(settled.values()), newest

    # -- the thread of one mention -----------------------------------------------------
    async def _our_replies(self, question: Question) -> list[TicketMessage]:
        """The brand's posts replying to the question's post (read from its timeline)."""
        url = self.endpoint(f"/2/users/{self.user_id}/tweets")
        params = {
            "since_id": question.thread_id,
            "max_results": PER_PAGE,
            "tweet.fields": "referenced_tweets,created_at,author_id,conversation_id,note_tweet",
        }
        messages: list[TicketMessage] = []
        async for data, result, _ in self._pages(url, params, OWN_PAGES):
            for item in page_items(data, result, self.name):
                message = own_reply(item, question.thread_id, self.user_id)
                if message is not None:
                    messages.append(message)
        return messages

    # -- replying ----------------------------------------------------------------------
    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """One reply post to the mention (never repeated here)."""
        length = self.reply_length(body)
        if length > MAX_WEIGHTED_LENGTH:
            raise ReplyRejected(
                f"the reply is {length} characters as X counts them (links 23, wide "
                f"characters and emoji 2); X accepts at most {MAX_WEIGHTED_LENGTH}"
            )
        url = self.endpoint("/2/tweets")
        payload = {"text": body, "reply": {"in_reply_to_tweet_id": question.thread_id}}
        result = await self._call("POST", url, json_body=payload, repeatable=False)
        data = self.http.decode_json(result)
        created = data.get("data") if isinstance(data, dict) else None
        ident = created.get("id") if isinstance(created, dict) else None
        if not isinstance(ident, str | int) or isinstance(ident, bool) or not is_digits(str(ident)):
            raise BadResponseError(
                f"POST {describe_url(result.url)} answered without the new post's id, so the "
                "reply may or may not be there; the brand's posts are read before any new "
                "attempt",
                channel=self.name,
            )
        return SentReply(remote_id=str(ident), url=self.post_url(str(ident)))

    async def check(self) -> str:
        """``GET /2/users/me``: whose token it is, and whether it is the configured user."""
        result = await self._call("GET", self.endpoint("/2/users/me"), repeatable=True)
        data = self.http.decode_json(result)
        me = data.get("data") if isinstance(data, dict) else None
        if not isinstance(me, dict):
            raise BadResponseError(
                f"GET {describe_url(result.url)} answered without the signed-in user",
                channel=self.name,
            )
        parts = includes_of({"includes": {"users": [me]}}).users
        user = next(iter(parts.values()), None)
        handle = user.author.handle if user and user.author.handle else "an unnamed account"
        text = f"signed in as {handle} on {httpx.URL(self.base_url or '').host}"
        if user is not None and user.author.id != self.user_id:
            text += (f"; note: user_id is {self.user_id} but the token is user "
                     f"{user.author.id}'s, and replies would come from {handle}")  # fmt: skip
        return text


__all__ = ["XConnector"]
