"""The ``trustpilot`` channel: service reviews of one Trustpilot business unit, answered
with the company's public reply.

Config::

    [channels.reviews]
    kind = "trustpilot"
    business_unit_id = "507f191e810c19729de860ea"   # the business unit (profile)
    author_business_user_id = "..."                 # optional: who replies
    base_url = "https://api.trustpilot.com"         # optional
    token_url = "https://api.trustpilot.com/v1/oauth/oauth-business-users-for-applications/accesstoken"
    refresh_url = "https://api.trustpilot.com/v1/oauth/oauth-business-users-for-applications/refresh"
    web_url = "https://www.trustpilot.com"          # optional: public links

Secrets (``cxdaily login NAME --field F``): ``api_key`` and ``api_secret`` (the API
application of the Trustpilot Business account), ``username`` and ``password`` (a
business user's sign-in). They buy an access token with the password grant (``POST
token_url``, HTTP Basic ``api_key:api_secret``, form ``grant_type=password&username=
&password=``), kept in memory until shortly before it expires; its refresh token then
buys the next one (``POST refresh_url``, ``grant_type=refresh_token``), and the password
grant is asked again only when the refresh token is refused. An access token the API
refuses (401) is renewed once. Each new refresh token is stored (the secret field
``refresh_token``, in the keyring), so the next run renews with it instead of signing in
with the password again.

Fetching: ``GET /v1/private/business-units/{id}/reviews?orderBy=createdat.desc&
perPage=100&page=N``, newest first, until a review older than the checkpoint (the newest
``createdAt`` seen); the first fetch reads back :data:`FIRST_FETCH_DAYS` days. A walk cut
short by :data:`MAX_PAGES` or the byte budget keeps the old checkpoint with the newest
review seen and the page to go on from (``resume_page``: the last page read, read again
so that reviews deleted meanwhile do not move an unread one past it), and the next fetch
reads on from there until it reaches the checkpoint. A review
with text and no ``companyReply`` is a question (``stars`` as ``meta["rating"]``, the
consumer's ``displayName`` as the author's name, their ``numberOfReviews`` as
``meta["consumer_reviews"]``, ``numberOfLikes`` as ``meta["likes"]``); a review with a
``companyReply`` is settled (``team_answered``).

Replying: ``POST /v1/private/reviews/{reviewId}/reply`` with ``{"message",
"authorBusinessUserId"}`` (the author only when configured). A review keeps one company
reply: posting again replaces it, so sending is an upsert and a retry after an unknown
outcome is harmless. The reply's remote id is the review's id. ``find_own_reply`` and
``answers_since`` read ``GET /v1/private/reviews/{reviewId}``: its ``companyReply``.

Rate limits: Trustpilot answers 429 (no documented headers); the HTTP layer waits it
out (``Retry-After`` when sent, else backing off) on reads and the token endpoint.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import msgspec

from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.channel_tokens import (
    LazyGrant,
    secret_pair,
    store_again_advice,
    token_endpoint,
)
from cxdaily.connectors.helpdesk import TicketMessage, message_text, optional_id, optional_text
from cxdaily.connectors.http import BadResponseError, describe_url
from cxdaily.connectors.http_base import HttpConnector
from cxdaily.connectors.oauth import PROCESS_REFRESH_TOKENS, PROCESS_TOKENS, ClientCredentialsToken
from cxdaily.connectors.options import HTTP_OPTIONS, Option
from cxdaily.connectors.pagination import DEFAULT_MAX_PAGES, numbered_pages
from cxdaily.connectors.parsing import (
    QuestionShapeError,
    channel_question,
    checkpoint_marks,
    id_field,
    parse_time,
)
from cxdaily.connectors.public_channel import public_capabilities, web_url_option
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.connectors.thread_replies import ThreadReplies, answers_by_team
from cxdaily.core.models import Author, Message, Question
from cxdaily.core.safe_text import clean, one_line

DEFAULT_WEB_URL = "https://www.trustpilot.com"
OAUTH_PATH = "/v1/oauth/oauth-business-users-for-applications"
PAGE_SIZE = 100
"""The most reviews a page may hold (``perPage``: 1 to 100)."""
MAX_PAGES = DEFAULT_MAX_PAGES
"""Pages read in one fetch; a longer walk goes on at the next fetch (``resume_page``)."""
MAX_RESUME_PAGE = 10**6
"""The highest page number a stored checkpoint may name (a larger one is ignored)."""
FIRST_FETCH_DAYS = 30
"""How far back the first fetch reads."""
REFRESH_LIFETIME_S = 30 * 24 * 3600.0
"""How long a refresh token is kept (Trustpilot's live 30 days)."""
MAX_NAME_CHARS = 200
MAX_TITLE_CHARS = 500
REFRESH_TOKENS = PROCESS_REFRESH_TOKENS
"""The refresh tokens of this process, by the same key as the access tokens."""
REFRESH_FIELD = "refresh_token"
"""The secret field the latest refresh token is stored in (by cxdaily, not the leader)."""


def _plain_id(value: str) -> str | None:
    if not value or any(c.isspace() or c in "/?#%&,\\" for c in value):
        return "must be one Trustpilot id (no spaces, slashes or ?#%&,)"
    return None


class PasswordGrant(ClientCredentialsToken):
    """Access tokens bought with a business user's password, renewed with the refresh
    token the password grant returns (``grant_type=refresh_token`` at ``refresh_url``)."""

    refused_what = "the sign-in"
    sending_what = "the API key and secret"

    def __init__(self, *args: Any, form: dict[str, str], **kwargs: Any) -> None:
        kwargs.setdefault("refresh_tokens", REFRESH_TOKENS)
        kwargs.setdefault("refresh_lifetime", REFRESH_LIFETIME_S)
        super().__init__(*args, form={"grant_type": "password", **form}, **kwargs)

    def advice(self) -> str:
        """What to check when Trustpilot refuses the sign-in (one line)."""
        return store_again_advice(self.http.channel, TrustpilotConnector.secret_fields)


class TrustpilotConnector(HttpConnector):
    """Service reviews of one Trustpilot business unit; the company's public reply."""

    kind = "trustpilot"
    capabilities = public_capabilities(threads=False, one_reply=True)
    renewed_secret_fields = (REFRESH_FIELD,)
    declared_options = HTTP_OPTIONS.extended(
        Option("business_unit_id", "text", "the business unit whose reviews are fetched and "
               "answered", required=True, check=_plain_id),
        Option("author_business_user_id", "text", "the business user replies are posted "
               "as (authorBusinessUserId; default: Trustpilot's choice)", check=_plain_id),
        Option("token_url", "url", "where access tokens are asked for (default: "
               f"{{base_url}}{OAUTH_PATH}/accesstoken)"),
        Option("refresh_url", "url", "where access tokens are renewed with the refresh "
               f"token (default: {{base_url}}{OAUTH_PATH}/refresh)"),
        web_url_option(DEFAULT_WEB_URL, "reviews"),
    )  # fmt: skip

    def configure(self) -> None:
        """The business unit, the replying user and the token endpoints from the options."""
        super().configure()
        self.business_unit_id: str = self.option("business_unit_id")
        self.author_id: str | None = self.option("author_business_user_id")
        self.web_url: str = self.option("web_url").rstrip("/")
        self.token_url = token_endpoint(self, "token_url", f"{OAUTH_PATH}/accesstoken")
        self.refresh_url = token_endpoint(self, "refresh_url", f"{OAUTH_PATH}/refresh")
        self.signed_in = LazyGrant(self._grant)
        self.thread_replies = ThreadReplies(self._reply_thread, author=self.author_id)

    # -- auth -------------------------------------------------------------------------
    async def tokens(self) -> PasswordGrant:
        """The channel's access tokens (built on first use, on this channel's HTTP)."""
        return await self.signed_in.grant()

    async def _grant(self) -> PasswordGrant:
        """The business user's password grant, renewed with the latest refresh token."""
        username = (await self.read_secret("username")).strip()
        password = await self.read_secret("password")
        password = password.removesuffix("\n").removesuffix("\r")
        return PasswordGrant(
            self.http, self.token_url, cache=PROCESS_TOKENS,
            credentials=secret_pair(self, "api_key", "api_secret"),
            basic_auth=True, form={"username": username, "password": password},
            refresh_url=self.refresh_url,
            refresh_token=await self.optional_secret(REFRESH_FIELD),
            keep_refresh_token=self.secret_keeper(REFRESH_FIELD),
        )  # fmt: skip

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> tuple[Any, Any]:
        """GET an API path with an access token (renewed once if refused): ``(json, result)``."""
        url = self.endpoint(path)
        return await self.signed_in.call(
            lambda h: self.http.get_json(url, params=params, headers=h)
        )

    # -- fetch ------------------------------------------------------------------------
    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Reviews written since the checkpoint: questions, and answered ones settled."""
        return await self.signed_in.call(lambda headers: self._fetch(checkpoint, headers))

    async def _fetch(
        self, checkpoint: dict[str, Any] | None, headers: dict[str, str]
    ) -> FetchResult:
        mark = read_checkpoint(checkpoint)
        since, seen_ids = mark.since, mark.ids
        oldest = since or self.now() - timedelta(days=FIRST_FETCH_DAYS)
        url = self.endpoint(f"/v1/private/business-units/{_path(self.business_unit_id)}/reviews")
        found: dict[str, tuple[Question, bool]] = {}  # by id: pages shift as reviews arrive
        skipped = SkippedItems()
        newest, newest_ids = _later(since, set(seen_ids), mark.newest, mark.newest_ids)
        first = mark.resume_page or 1
        page, cut_before = first - 1, self.http.walks_cut_short
        pages = numbered_pages(
            self.http, url, items=lambda data: _reviews(data, url, self.name),
            first_page=first, per_page=PAGE_SIZE, per_page_param="perPage",
            params={"orderBy": "createdat.desc"}, headers=headers, max_pages=MAX_PAGES,
        )  # fmt: skip
        async for data, _ in pages:
            page += 1
            items = _reviews(data, url, self.name)
            older_seen = False
            for index, item in enumerate(items):
                try:
                    review = self.review(item)
                except QuestionShapeError as exc:
                    skipped.add(f"review {_reference(item, index)} skipped: {exc}")
                    continue
                if review is None:
                    continue
                question, _answered = review
                when = question.created_at
                if when < oldest:
                    older_seen = True
                    continue
                if since is not None and when == since and question.native_id in seen_ids:
                    older_seen = True  # fetched before: what follows is no newer
                    continue
                newest, newest_ids = _later(newest, newest_ids, when, {question.native_id})
                found[question.native_id] = review
            if older_seen:
                break  # newest first: the rest is older than the checkpoint
        cut_short = self.http.walks_cut_short > cut_before  # the rest comes next time
        return FetchResult(
            questions=[q for q, answered in found.values() if not answered],
            checkpoint=_checkpoint(
                checkpoint, mark, newest, newest_ids, _resume_at(first, page) if cut_short else None
            ),
            warnings=[self.scrubber.scrub(line) for line in skipped.lines()],
            settled=[q for q, answered in found.values() if answered],
        )

    def review(self, item: Any) -> tuple[Question, bool] | None:
        """One review as a question, and whether the company has answered it; ``None``
        for a review without text. Raises :class:`QuestionShapeError` for a bad one."""
        if not isinstance(item, dict):
            raise QuestionShapeError("expected a JSON object")
        review_id = id_field(item.get("id"), "id", required=True) or ""
        created_at = parse_time(item.get("createdAt"), "createdAt")
        body = _body(item.get("text"), "text")
        if not body:
            return None
        consumer = _object(item.get("consumer"))
        author = Author(
            id=id_field(optional_id(consumer.get("id")), "consumer.id"),
            name=_line(consumer.get("displayName"), "consumer.displayName", MAX_NAME_CHARS),
        )
        answered = isinstance(item.get("companyReply"), dict)
        meta: dict[str, Any] = {"service": self.kind, "review_id": review_id}
        for key, field, low, high in (("rating", "stars", 1, 5),
                                      ("consumer_reviews", "numberOfReviews", 0, 10**9),
                                      ("likes", "numberOfLikes", 0, 10**9)):  # fmt: skip
            source = consumer if key == "consumer_reviews" else item
            value = source.get(field)
            if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
                meta[key] = value
        for key, field in (("language", "language"), ("status", "status")):
            word = item.get(field)
            if isinstance(word, str) and len(word) <= 40 and _line(word, field, 40):
                meta[key] = _line(word, field, 40)
        if isinstance(item.get("isVerified"), bool):
            meta["verified"] = item["isVerified"]
        if answered:
            meta["team_answered"] = True
        question = channel_question(
            channel=self.name, kind=self.kind, native=review_id, thread_id=review_id,
            author=author, url=f"{self.web_url}/reviews/{_path(review_id)}",
            title=_line(item.get("title"), "title", MAX_TITLE_CHARS), body=body,
            created_at=created_at, meta=meta,
        )  # fmt: skip
        return question, answered

    # -- the company reply ------------------------------------------------------------
    async def company_reply(self, question: Question) -> TicketMessage | None:
        """The review's company reply as it stands now (``None``: there is none)."""
        data, result = await self._get(f"/v1/private/reviews/{_path(question.thread_id)}")
        if not isinstance(data, dict):
            raise BadResponseError(
                f"GET {describe_url(result.url)} answered without a review", channel=self.name
            )
        reply = data.get("companyReply")
        if not isinstance(reply, dict):
            return None
        try:
            text = _body(reply.get("text"), "companyReply.text") or ""
            stamps = [reply.get(k) for k in ("updatedAt", "createdAt") if reply.get(k)]
            when = parse_time(stamps[0], "companyReply.createdAt") if stamps else None
            author = id_field(optional_id(reply.get("authorBusinessUserId")), "author")
        except QuestionShapeError as exc:
            raise BadResponseError(
                f"GET {describe_url(result.url)}: the company reply is unreadable ({exc})",
                channel=self.name,
            ) from None
        return TicketMessage(
            id=question.thread_id, author=Author(id=author, name="company reply"), body=text,
            created_at=when or self.now(), from_customer=False,
        )  # fmt: skip

    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """POST the company reply to the review (it replaces an earlier one)."""
        url = self.endpoint(f"/v1/private/reviews/{_path(question.thread_id)}/reply")
        payload: dict[str, Any] = {"message": body}
        if self.author_id:
            payload["authorBusinessUserId"] = self.author_id
        await self.signed_in.call(  # a refused POST did nothing: safe to ask again
            lambda headers: self.http.request(
                "POST", url, json_body=payload, headers=headers, repeatable=False
            )
        )
        return SentReply(remote_id=question.thread_id, url=question.url)

    async def _reply_thread(self, question: Question) -> list[TicketMessage]:
        """The review's company reply as a thread (where ``find_own_reply`` looks for the
        text we sent, after an unknown outcome)."""
        reply = await self.company_reply(question)
        return [] if reply is None else [reply]

    async def answers_since(self, question: Question, since: datetime) -> list[Message]:
        """The company reply when it was written or changed after ``since`` by someone else
        than the configured business user (the collision guard)."""
        reply = await self.company_reply(question)
        if reply is None or (self.author_id is not None and reply.author.id == self.author_id):
            return []
        return answers_by_team([reply], since)

    async def check(self) -> str:
        """Sign in, read the business unit and one page of its private reviews."""
        unit = _path(self.business_unit_id)
        await self._get(f"/v1/private/business-units/{unit}/reviews", {"perPage": 1})
        api_key = (await self.read_secret("api_key")).strip()  # the public endpoint's key
        url = self.endpoint(f"/v1/business-units/{unit}")
        data, _ = await self.http.get_json(url, headers={"apikey": api_key})
        label = self.business_unit_id
        if isinstance(data, dict):
            shown = data.get("displayName")
            site = _object(data.get("name")).get("identifying")
            if isinstance(shown, str) and shown.strip():
                label = one_line(shown, MAX_NAME_CHARS)
                if isinstance(site, str) and site.strip() and site.strip() != shown.strip():
                    label += f" ({one_line(site, MAX_NAME_CHARS)})"
        host = httpx.URL(self.base_url or "").host
        return f"signed in on {host}: business unit {label}, reviews readable"


# ----------------------------------------------------------------------------- checkpoints
class Mark(msgspec.Struct, frozen=True):
    """What a checkpoint remembers.

    ``since`` and ``ids``: the walk down the newest-first list stops at a review older
    than ``since`` (those written at that instant and named in ``ids`` were read already).
    ``newest``, ``newest_ids`` and ``resume_page``: a walk cut short goes on from that page
    at the next fetch; once it reaches ``since``, ``newest`` becomes ``since``.
    """

    since: datetime | None
    ids: frozenset[str]
    newest: datetime | None = None
    newest_ids: frozenset[str] = frozenset()
    resume_page: int | None = None


def read_checkpoint(checkpoint: dict[str, Any] | None) -> Mark:
    """A stored checkpoint (one without ``resume_page``, as older versions stored it,
    included); its damaged parts are ignored."""
    since, ids = checkpoint_marks(checkpoint, "created_at", "ids", PAGE_SIZE * 10)
    newest, newest_ids = checkpoint_marks(checkpoint, "newest", "newest_ids", PAGE_SIZE * 10)
    page = checkpoint.get("resume_page") if isinstance(checkpoint, dict) else None
    usable = type(page) is int and 1 < page <= MAX_RESUME_PAGE
    return Mark(
        since=since, ids=frozenset(ids), newest=newest, newest_ids=frozenset(newest_ids),
        resume_page=page if usable else None,
    )  # fmt: skip


def _later(
    newest: datetime | None, ids: set[str], when: datetime | None, more: set[str] | frozenset[str]
) -> tuple[datetime | None, set[str]]:
    """The later of two marks (a time and the ids written at it); at the same time, the
    ids of both."""
    if when is None or (newest is not None and when < newest):
        return newest, ids
    if newest is not None and when == newest:
        return newest, ids | more
    return when, set(more)


def _resume_at(first: int, last: int) -> int:
    """The page a walk cut short after page ``last`` (it began at ``first``) goes on from:
    the last page read again, so that a review moved up by deletions in between (up to a
    page of them) is still read; the next page when the walk read one page only (it
    would not move on otherwise). New reviews move the rest down: read twice, stored once.
    """
    return last if last > first else last + 1


def _checkpoint(
    previous: dict[str, Any] | None,
    mark: Mark,
    newest: datetime | None,
    newest_ids: set[str],
    resume_page: int | None,
) -> dict[str, Any] | None:
    """Where the next fetch starts: the newest review seen once the walk reached the
    checkpoint (or the end of the list); otherwise the old checkpoint, the newest review
    seen so far and the page to go on from."""
    if resume_page is None:
        if newest is None:  # nothing read since a first fetch began
            return previous if mark.resume_page is None else {"created_at": None, "ids": []}
        return {"created_at": newest.isoformat(), "ids": sorted(newest_ids)}
    return {
        "created_at": mark.since.isoformat() if mark.since else None,
        "ids": sorted(mark.ids),
        "newest": newest.isoformat() if newest else None,
        "newest_ids": sorted(newest_ids),
        "resume_page": resume_page,
    }


# ----------------------------------------------------------------------------- parsing
def _reviews(data: Any, url: str, channel: str) -> list[Any]:
    """A page's ``reviews`` list; a page of another shape is a :class:`BadResponseError`."""
    items = data.get("reviews") if isinstance(data, dict) else None
    if isinstance(items, list):
        return items
    if isinstance(data, dict) and "reviews" not in data and "links" in data:
        return []  # a page past the end, without the list
    raise BadResponseError(
        f"GET {describe_url(url)} answered without a list of reviews", channel=channel
    )


def _body(value: Any, where: str) -> str | None:
    """A review's or reply's text, cleaned of markup, terminal escapes and controls."""
    text = message_text(value, where) if isinstance(value, str) else None
    return clean(text).strip() if text is not None else None


def _object(value: Any) -> dict[str, Any]:
    """A JSON object field, or an empty one when it is missing or of another type."""
    return value if isinstance(value, dict) else {}


def _line(value: Any, where: str, limit: int) -> str | None:
    """A short optional text (a name, a title) as one clean line; ``None`` when absent."""
    text = optional_text(value, where)
    return one_line(text, limit) or None if text is not None else None


def _path(value: str) -> str:
    """An id as one path segment."""
    return quote(value, safe="")


def _reference(item: Any, index: int) -> str:
    """How a warning names a review: its id, else its place on the page."""
    ident = item.get("id") if isinstance(item, dict) else None
    fits = isinstance(ident, str | int) and not isinstance(ident, bool) and len(str(ident)) <= 40
    return one_line(ident, 40) if fits else f"#{index + 1} on its page"
