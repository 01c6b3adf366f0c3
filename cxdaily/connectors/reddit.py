"""The ``reddit`` channel: what is addressed to one Reddit account, answered as that account.

Config::

    [channels.reddit]
    kind = "reddit"
    username = "acme_support"          # the brand's account (without u/)
    client_id = "p-jcoLKBynTLew"       # the script app's id (not secret)
    subreddits = ["acme", "acmehelp"]  # optional: new posts there are questions too
    base_url = "https://oauth.reddit.com"   # optional
    auth_url = "https://www.reddit.com"     # optional: where tokens are asked for
    web_url = "https://www.reddit.com"      # optional: the public links
    user_agent_contact = "ops@acme.example" # optional: added to the User-Agent

Secrets (``cxdaily login NAME --field client_secret`` and ``--field password``): the
script app's secret and the account's password. They buy an access token
(``POST {auth_url}/api/v1/access_token``, HTTP Basic ``client_id:client_secret``, the
password grant), kept in memory until shortly before it expires and asked for again
once when the API refuses it. Every request names cxdaily and the account in its
User-Agent, as Reddit asks.

Fetching: ``GET /message/inbox`` (mentions, replies to our posts and comments, private
messages) and ``GET /r/{name}/new`` for each watched subreddit, newest first, page by
page (``after``) back to the checkpoint: the newest ``created_utc`` seen and the
fullnames seen in the last minutes before it (late arrivals are caught, none is taken
twice). A listing whose walk stops at :data:`MAX_PAGES` pages or the fetch's byte budget
keeps its checkpoint and the ``after`` of its next page, where the next fetch goes on
(when that item is gone by then, Reddit lists nothing after it: the walk starts again
from the newest, with a warning).
A watched subreddit that answers 403 or 404 (private, banned, quarantined) is skipped
with a warning naming it, its checkpoint kept, and the rest of the channel is read.
Our own items are left out; an item our account already answered (a comment of ours
under it, a message of ours in reply) is settled. A comment's context is its chain
of parents (``GET /comments/{article}?comment=ID&context=8``), an author's reach their
karma (``GET /user/{name}/about``, a bounded number per fetch); a failed look-up costs
only that detail.

Replying: ``POST /api/comment`` (``thing_id`` = the fullname asked, ``text`` Markdown,
``api_type=json``), sent once. Reddit has no idempotency key: after an unknown outcome
our recent comments (``/user/{username}/comments``, or ``/message/sent`` for a message)
are read for a reply with the same text.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx

from cxdaily import __version__
from cxdaily.connectors import ratelimit
from cxdaily.connectors import reddit_parse as rp
from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.channel_tokens import LazyGrant
from cxdaily.connectors.helpdesk import LOOKUP_FAILURES, TicketMessage, read_at_once
from cxdaily.connectors.http import BadResponseError, HttpResult, describe_url
from cxdaily.connectors.http_base import HttpConnector
from cxdaily.connectors.http_errors import StatusError
from cxdaily.connectors.oauth import PROCESS_TOKENS, ClientCredentialsToken, TokenCache
from cxdaily.connectors.options import HTTP_OPTIONS, Option
from cxdaily.connectors.pagination import DEFAULT_MAX_PAGES, PageTrail, pages_allowed
from cxdaily.connectors.parsing import QuestionShapeError
from cxdaily.connectors.public_channel import public_capabilities, web_url_option
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.connectors.thread_replies import ThreadReplies
from cxdaily.core.errors import ConnectorError, RateLimited
from cxdaily.core.models import Message, Question
from cxdaily.core.safe_text import one_line

DEFAULT_AUTH_URL = "https://www.reddit.com"
DEFAULT_WEB_URL = "https://www.reddit.com"
PAGE_LIMIT = 100
MAX_PAGES = DEFAULT_MAX_PAGES
"""Pages of one listing a fetch reads at the most (the rest comes with the next fetch)."""
FIRST_FETCH = timedelta(days=7)
"""How far back the first fetch reads."""
OVERLAP_S = 600.0
"""Items up to this long before the checkpoint are looked at again (a listing can show
an item late: held by a filter, then approved); their fullnames say which were taken."""
MAX_SEEN = 500
KARMA_LOOKUPS = 25
"""Authors whose karma one fetch asks for at the most."""
AT_ONCE = 4
CONTEXT = 8


class PasswordGrant(ClientCredentialsToken):
    """Access tokens bought with the account's password (the script app's password grant)."""

    refused_what = "the app"
    error_what = "the sign-in"
    refused_statuses = frozenset({400, 401, 403})
    scheme = "bearer"

    def advice(self) -> str:
        """What to check when Reddit refuses the app (one line)."""
        return (
            "check the client_id option and the client_secret secret "
            f"(`cxdaily login {self.http.channel} --field client_secret`)"
        )

    def error_advice(self) -> str:
        """What to check when Reddit refuses the sign-in: it answers a wrong password with
        200 and ``{"error": "invalid_grant"}``."""
        return (
            "check the username option and the password secret "
            f"(`cxdaily login {self.http.channel} --field password`); an account with "
            "two-factor authentication cannot sign in this way"
        )


class ClosedSubreddit(Exception):
    """A watched subreddit cannot be read (HTTP 403 or 404): it is skipped, not the channel."""


@dataclass
class _Run:
    """What one fetch gathers as it goes."""

    headers: dict[str, str]
    skipped: SkippedItems = field(default_factory=SkippedItems)
    checkpoint: dict[str, Any] = field(default_factory=dict)


class RedditConnector(HttpConnector):
    """Mentions, replies, messages and watched subreddits' posts for one Reddit account."""

    kind = "reddit"
    capabilities = public_capabilities()
    declared_options = HTTP_OPTIONS.extended(
        Option("username", "text", "the brand's Reddit account (without u/)", required=True,
               check=rp.check_username),
        Option("client_id", "text", "the script app's client id (prefs/apps; not secret)",
               required=True),
        rp.SubredditListOption("subreddits", "text", "subreddits whose new posts are questions "
                            '(a list, or names separated by commas)'),
        Option("auth_url", "url", "where access tokens are asked for", default=DEFAULT_AUTH_URL),
        web_url_option(DEFAULT_WEB_URL, "posts, comments and messages"),
        Option("user_agent_contact", "text", "a contact added to the User-Agent (an email)"),
    )  # fmt: skip

    def configure(self) -> None:
        """The account, the app, the watched subreddits and the addresses from the options."""
        super().configure()
        self.username: str = self.option("username")
        self.client_id: str = self.option("client_id")
        self.subreddits: tuple[str, ...] = self.option("subreddits") or ()
        self.auth_url: str = self.option("auth_url").rstrip("/")
        self.web_url: str = self.option("web_url").rstrip("/")
        self.allow_credentials_to(self.auth_url)
        contact = "".join(  # a header value: printable ASCII only
            c for c in one_line(self.option("user_agent_contact") or "", 100) if " " <= c <= "~"
        ).strip()
        self.user_agent = (
            f"{sys.platform}:cxdaily:{__version__} (by /u/{self.username}"
            f"{'; ' + contact if contact else ''})"
        )
        self.token_cache: TokenCache = PROCESS_TOKENS
        self.clock: Callable[[], float] = time.monotonic
        self.signed_in = LazyGrant(self._grant)
        self.thread_replies = ThreadReplies(self._replies_to)

    # -- auth -----------------------------------------------------------------------------
    async def _grant(self) -> PasswordGrant:
        """The script app's password grant for the account (built on first use)."""
        password = await self.read_secret("password")
        return PasswordGrant(
            self.http, f"{self.auth_url}/api/v1/access_token",
            credentials=self._credentials, clock=self.clock, cache=self.token_cache,
            basic_auth=True, headers={"User-Agent": self.user_agent},
            form={"grant_type": "password", "username": self.username, "password": password},
        )  # fmt: skip

    async def _credentials(self) -> tuple[str, str]:
        return self.client_id, (await self.read_secret("client_secret")).strip()

    async def _get(self, path: str, params: dict[str, Any], headers: dict[str, str]) -> Any:
        data, _ = await self.http.get_json(
            self.endpoint(path), params={**params, "raw_json": 1}, headers=headers
        )
        return data

    # -- fetching -------------------------------------------------------------------------
    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Inbox items and watched subreddits' posts new since the checkpoint."""
        return await self.signed_in.call(lambda headers: self._fetch(checkpoint or {}, headers))

    async def _fetch(self, checkpoint: dict[str, Any], headers: dict[str, str]) -> FetchResult:
        run = _Run(headers)
        start = (self.now() - FIRST_FETCH).timestamp()
        found: dict[str, rp.Thing] = {}
        sources = [("inbox", "/message/inbox")]
        sources += [(f"r/{sr}", f"/r/{quote(sr)}/new") for sr in self.subreddits]
        for key, path in sources:
            try:
                listed = await self._listing(key, path, checkpoint.get(key), start, run)
            except ClosedSubreddit as exc:
                run.skipped.add(f"{key} skipped: {exc}; its checkpoint is kept")
                if key in checkpoint:
                    run.checkpoint[key] = checkpoint[key]
                continue
            for thing in listed:
                if not rp.is_by(thing.author, self.username):
                    found.setdefault(thing.name, thing)
        things = sorted(found.values(), key=lambda t: (t.created, t.name))
        answered = await self._answered(things, run)
        chains = await read_at_once([self._chain(t, run) for t in things], AT_ONCE)
        reach = await self._karma(things, run)
        questions: list[Question] = []
        settled: list[Question] = []
        for thing, (context, replied) in zip(things, chains, strict=True):
            done = thing.name in answered or replied
            try:
                question = rp.thing_question(
                    thing, channel=self.name, web_url=self.web_url, context=context,
                    followers=reach.get((thing.author or "").lower()), answered=done,
                )  # fmt: skip
            except QuestionShapeError as exc:
                run.skipped.add(f"{thing.name} skipped: {exc}")
                continue
            (settled if done else questions).append(question)
        warnings = [*run.skipped.lines(), *self.fetch_notes()]
        return FetchResult(questions, run.checkpoint, warnings, settled)

    async def _listing(
        self, key: str, path: str, mark: Any, start: float, run: _Run
    ) -> list[rp.Thing]:
        """The items of one listing newer than its mark; records its next mark. A walk
        stopped by its page cap or the byte budget goes on at the next fetch from where
        it stopped (see :func:`~cxdaily.connectors.reddit_parse.next_mark`)."""
        since, seen = rp.read_mark(mark, start, MAX_SEEN)
        resume = rp.read_resume(mark, MAX_SEEN)
        after = resume.after if resume is not None else None
        trail = PageTrail(self.http, f"pages of {key}", after)
        things: list[rp.Thing] = []
        recent: list[tuple[str, float]] = []  # every item listed near the mark, taken or not
        for _ in pages_allowed(self.http, MAX_PAGES + (after is not None)):  # one: see below
            params = {"limit": PAGE_LIMIT, "raw_json": 1, **({"after": after} if after else {})}
            result = await self._listing_page(path, params, run.headers, key.startswith("r/"))
            data = self.http.decode_json(result)
            children = _children(data, result, self.name)
            if not children and after is not None and after == (resume and resume.after):
                # Reddit lists nothing after an item deleted or removed since: the walk
                # starts again from the newest (what it read already is stored once)
                run.skipped.add(f"{key}: the place the last fetch stopped at is gone; read "
                                "again from the newest")  # fmt: skip
                after = None
                continue
            reached = False
            for number, child in enumerate(children, 1):
                try:
                    thing = rp.read_thing(child)
                except QuestionShapeError as exc:
                    run.skipped.add(f"{key}: item {number} skipped: {exc}")
                    continue
                if thing is None:
                    continue
                if thing.created <= since - OVERLAP_S:
                    reached = True  # the listing is newest first: the rest is older
                    continue
                recent.append((thing.name, thing.created))
                if thing.name not in seen:
                    things.append(thing)
            after = rp.after_cursor(data)
            if reached or after is None or trail.loops(after):
                after = None  # the walk is done: nothing is left for the next fetch
                break
        run.checkpoint[key] = rp.next_mark(since, seen, recent, resume=resume, after=after,
                                           overlap=OVERLAP_S, max_seen=MAX_SEEN)  # fmt: skip
        return things

    async def _listing_page(
        self, path: str, params: dict[str, Any], headers: dict[str, str], subreddit: bool
    ) -> HttpResult:
        """One page of a listing. A ``subreddit`` that answers 403 or 404 (private,
        banned, quarantined, or gone) raises :class:`ClosedSubreddit`; a 403 that is a
        throttle is asked again, to be waited out as any other."""
        url = self.endpoint(path)
        closed = {403, 404} if subreddit else set()
        result = await self.http.request("GET", url, params=params, headers=headers,
                                         allow_statuses=closed)  # fmt: skip
        if result.status not in closed:
            return result
        if ratelimit.is_throttle(result.status, result.headers, result.content):
            return await self.http.request("GET", url, params=params, headers=headers)
        raise ClosedSubreddit(f"GET {describe_url(result.url)} answered HTTP {result.status} "
                            "(the subreddit is private, banned, quarantined or gone)")  # fmt: skip

    async def _answered(self, things: list[rp.Thing], run: _Run) -> set[str]:
        """The fullnames among ``things`` our account has already answered."""
        answered = {
            t.name
            for t in things
            if t.kind == "t4"
            and any(rp.is_by(reply.author, self.username) for reply in rp.message_replies(t))
        }
        kinds = {t.kind for t in things}
        wanted = [kind_is_message for kind_is_message in (False, True)
                  if kinds & ({"t4"} if kind_is_message else {"t1", "t3"})]  # fmt: skip
        for messages in wanted:
            try:
                ours = await self._own_replies(messages, run.headers)
            except LOOKUP_FAILURES as exc:
                run.skipped.add(f"our own replies could not be read ({one_line(exc, 120)})")
                continue
            answered |= {parent for parent, _ in ours}
        return answered

    async def _own_replies(
        self, messages: bool, headers: dict[str, str]
    ) -> list[tuple[str, TicketMessage]]:
        """Our latest comments (or sent messages) as ``(parent fullname, message)``."""
        path = "/message/sent" if messages else f"/user/{quote(self.username)}/comments"
        params: dict[str, Any] = {"limit": PAGE_LIMIT}
        if not messages:
            params["sort"] = "new"
        data = await self._get(path, params, headers)
        children = (rp.listing(data) or ([], None))[0]
        found = []
        for child in children:
            try:
                thing = rp.read_thing(child)
                parent = rp.parent_of(thing) if thing is not None else None
                if thing is not None and parent and rp.is_by(thing.author, self.username):
                    found.append((parent, rp.own_message(thing)))
            except QuestionShapeError:
                continue
        return found

    async def _chain(self, thing: rp.Thing, run: _Run) -> tuple[tuple[Message, ...], bool]:
        """A comment's parents (the post first) and whether we replied under it."""
        article = rp.article_of(thing) if thing.kind == "t1" else None
        if article is None:
            return (), False
        params = {"comment": thing.name[3:], "context": CONTEXT}
        try:
            data = await self._get(f"/comments/{article}", params, run.headers)
            chain = rp.comment_chain(data, thing.name)
            if chain is None:
                raise QuestionShapeError("the comment is not in its thread")
            above, below = chain
            context = tuple(rp.as_message(t) for t in above)
        except (*LOOKUP_FAILURES, QuestionShapeError) as exc:
            run.skipped.add(f"{thing.name}: its thread could not be read, so it comes "
                            f"without context ({one_line(exc, 120)})")  # fmt: skip
            return (), False
        return context, any(rp.is_by(t.author, self.username) for t in below)

    async def _karma(self, things: list[rp.Thing], run: _Run) -> dict[str, int]:
        """Karma of the authors (the first :data:`KARMA_LOOKUPS`); a failure costs it only."""
        names = list(
            dict.fromkeys(t.author for t in things if t.author and rp.NAME.fullmatch(t.author))
        )
        names = names[:KARMA_LOOKUPS]

        async def one(name: str) -> int | None:
            try:
                return rp.karma(await self._get(f"/user/{name}/about", {}, run.headers))
            except LOOKUP_FAILURES as exc:
                run.skipped.add(f"u/{name}: karma unknown ({one_line(exc, 120)})")
                return None

        values = await read_at_once([one(n) for n in names], AT_ONCE)
        return {n.lower(): v for n, v in zip(names, values, strict=True) if v is not None}

    # -- replying -------------------------------------------------------------------------
    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """Post ``body`` (Markdown) under the comment, post or message asked."""
        self.refuse_long_reply(body, question, takes="Reddit takes at most")
        thing_id = _thing_id(question, self.name)
        url = self.endpoint("/api/comment")
        form = {"thing_id": thing_id, "text": body, "api_type": "json"}
        result = await self.signed_in.call(  # a refused POST did nothing: safe to ask again
            lambda headers: self.http.request(
                "POST", url, form_body=form, headers=headers, repeatable=False
            )
        )
        data = self.http.decode_json(result)
        errors = rp.reply_errors(data)
        if errors:
            raise _refusal(errors[0], result, self.name)
        posted = rp.posted_thing(data)
        name = None
        if posted is not None:
            kind = thing_id[:2] if thing_id.startswith("t4") else "t1"
            try:
                name = rp.fullname(kind, posted)
            except QuestionShapeError:
                name = None
        if posted is None or name is None:
            raise BadResponseError(
                f"POST {describe_url(result.url)} answered without the reply it posted",
                channel=self.name,
            )
        permalink = posted.get("permalink")
        link = (
            f"{self.web_url}{permalink}"
            if isinstance(permalink, str) and permalink.startswith("/")
            else question.url
        )
        return SentReply(remote_id=name, url=link)

    async def _replies_to(self, question: Question) -> list[TicketMessage]:
        thing_id = _thing_id(question, self.name)
        ours = await self.signed_in.call(
            lambda headers: self._own_replies(thing_id.startswith("t4"), headers)
        )
        return [message for parent, message in ours if parent == thing_id]

    async def check(self) -> str:
        """Sign in and read the account (``GET /api/v1/me``)."""
        data = await self.signed_in.call(lambda headers: self._get("/api/v1/me", {}, headers))
        name = data.get("name") if isinstance(data, dict) else None
        if not isinstance(name, str) or not rp.NAME.fullmatch(name):
            raise BadResponseError("GET /api/v1/me answered without the account's name",
                                   channel=self.name)  # fmt: skip
        host = httpx.URL(self.base_url or "").host
        watched = (
            f"; watching {', '.join('r/' + s for s in self.subreddits)}" if self.subreddits else ""
        )
        return f"signed in as u/{name} on {host}{watched}"


# ----------------------------------------------------------------------------- helpers
def _children(data: Any, result: HttpResult, channel: str) -> list[Any]:
    found = rp.listing(data)
    if found is None:
        raise BadResponseError(
            f"GET {describe_url(result.url)} answered, but not with a listing (data.children)",
            channel=channel,
        )
    return found[0]


def _thing_id(question: Question, channel: str) -> str:
    thing_id = question.thread_id or question.native_id
    if not rp.is_fullname(thing_id):
        raise ConnectorError(
            f"{one_line(thing_id, 40)!r} is not a Reddit comment, post or message id",
            channel=channel,
        )
    return thing_id


def _refusal(error: tuple[str, str], result: HttpResult, channel: str) -> ConnectorError:
    """A ``json.errors`` entry as a one-line error: RATELIMIT waits, others refuse."""
    code, message = error
    said = one_line(f"{code}: {message}" if message else code, 200)
    where = f"POST {describe_url(result.url)}"
    if code == "RATELIMIT":
        wait = rp.ratelimit_wait(message)
        return RateLimited(f"{where} refused the reply for now ({said}); the service asks to "
                           f"wait {wait:.0f} s", retry_after=wait, channel=channel)  # fmt: skip
    return StatusError(f"{where} refused the reply ({said})", status=400, channel=channel)
