"""The ``discourse`` channel: new topics and replies on a Discourse forum as questions,
answered as a staff or bot user in the same topic.

Config::

    [channels.forum]
    kind = "discourse"
    base_url = "https://forum.example.com"   # the forum
    api_username = "support_bot"             # replies are posted as this user
    categories = ["support", 12]             # optional: slugs or ids (none: all)
    since_days = 7                           # optional: how far back the first fetch reads

The secret is an API key (Admin -> API -> Keys), sent as ``Api-Key`` with
``Api-Username`` to ``base_url`` only.

Fetching: ``GET /posts.json`` (the newest posts of every topic, newest first), paged
back with ``before=<id>`` to the newest post id of the last fetch (the first fetch to
``since_days``), at most :data:`MAX_PAGES` pages (an empty window of ids on an older
Discourse is stepped over, see ``_read_range``); a fetch stopped by the cap remembers
the range it left and reads it next time. Whispers, small actions and posts outside the
watched categories are left out (when the categories cannot be read for a failure that
may pass, a timeout or a 5xx, the ones given by id are watched without their
subcategories and the checkpoint stays where it was: the next fetch reads those posts
again). A topic's first post or a reply by someone who is not staff
(``staff``/``moderator``/``admin`` false) and not ``api_username`` is a question, unless
a staff post follows it in the topic: then it is settled (and so is an earlier question
once a staff post answers it). ``GET /t/{id}.json`` (and
``/t/{id}/posts.json?post_ids[]=`` for posts it does not carry) gives the posts before
a question as context; a topic that cannot be read costs only that context, and when
the failure may pass the checkpoint stays where it was, so that the next fetch reads the
topic again (a staff post among the new ones settles an earlier question only then).

Replying: ``POST /posts.json`` with ``topic_id``, ``raw`` (Markdown) and
``reply_to_post_number``, sent once. Discourse has no idempotency key: after an unknown
outcome the topic is read again for a post by ``api_username`` replying to that post
with the same text. A 422 ("Body is too similar to what you recently posted") is a
one-line error: nothing new was posted. A 429 is waited out as long as the
``Retry-After`` header or the body's ``extras.wait_seconds`` asks (whichever is longer).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from msgspec.structs import replace

from cxdaily.connectors import discourse_parse as dp
from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.helpdesk import LOOKUP_FAILURES, read_at_once
from cxdaily.connectors.http import BadResponseError, HttpResult, StatusError, describe_url
from cxdaily.connectors.http_base import HttpConnector, site_options
from cxdaily.connectors.http_errors import page_list
from cxdaily.connectors.options import Option, since_days
from cxdaily.connectors.parsing import QuestionShapeError, what_it_is
from cxdaily.connectors.public_channel import confirmed_reply, public_capabilities
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.connectors.thread_replies import answers_by_team, find_reply
from cxdaily.core.errors import AuthError, ConnectorError
from cxdaily.core.models import Message, Question
from cxdaily.core.safe_json import is_digits
from cxdaily.core.safe_text import one_line

MAX_PAGES = 20
"""Pages of ``/posts.json`` read per fetch (Discourse sends 50 posts a page)."""
MAX_TOPIC_READS = 40
"""Topics read per fetch for context and answers; later ones go without."""
CONTEXT_POSTS = 20
"""Posts before a question read as its context."""
AFTER_POSTS = 50
"""Latest posts after a question read to find our reply or the team's answers."""
IDS_PER_REQUEST = 50
AT_ONCE = 4
OWN_RAW_LOOKUPS = 5
"""Our posts read one by one (``GET /posts/{id}.json``) for their Markdown when looking
for a reply we sent."""


@dataclass
class _Run:
    """What one fetch gathers as it goes."""

    headers: dict[str, str]
    skipped: SkippedItems = field(default_factory=SkippedItems)
    pages: int = 0
    newest: int = 0
    """The greatest post id seen on any page."""
    posts: dict[int, dp.Post] = field(default_factory=dict)


class DiscourseConnector(HttpConnector):
    """New topics and replies on a Discourse forum; replies posted in the topic."""

    kind = "discourse"
    capabilities = public_capabilities()
    declared_options = site_options(
        'the forum (e.g. "https://forum.example.com")',
        Option("api_username", "text", "the staff or bot user replies are posted as",
               required=True, check=dp.check_username),
        dp.CategoryListOption("categories", "text", "category slugs or ids to watch (none: all)"),
        since_days(7, of="posts"),
    )  # fmt: skip

    def configure(self) -> None:
        """The user replies are posted as and the watched categories; no request yet."""
        super().configure()
        self.api_username: str = self.option("api_username")
        self.categories: tuple[str, ...] = self.option("categories") or ()

    # -- requests -------------------------------------------------------------------
    async def _headers(self) -> dict[str, str]:
        key = (await self.read_secret()).strip()
        return {"Api-Key": key, "Api-Username": self.api_username, "Accept": "application/json"}

    def throttle_wait(self, result: HttpResult, now_epoch: float) -> float | None:
        """A 429's ``extras.wait_seconds``: Discourse says how long to wait in the body
        (a read waits the longer of it and ``Retry-After``; a reply is never repeated)."""
        return dp.body_wait(result.content, now_epoch)

    async def _get(
        self, path: str, headers: dict[str, str], params: dict[str, Any] | None = None
    ) -> tuple[Any, HttpResult]:
        return await self.http.get_json(self.endpoint(path), params=params, headers=headers)

    def _is_answerer(self, post: dp.Post) -> bool:
        return post.staff or post.username == self.api_username.lower()

    # -- fetching -------------------------------------------------------------------
    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Posts new since the checkpoint, as questions and settled questions."""
        mark = dp.read_mark(checkpoint)
        run = _Run(await self._headers())
        watched = await self._watched(run)
        cutoff = (
            None
            if mark.last is not None
            else self.now() - timedelta(days=self.option("since_days"))
        )
        top_oldest, top_done = await self._read_range(run, None, mark.last, cutoff)
        newest = max(run.newest, mark.last or 0) or None
        gap: tuple[int, int] | None = None
        if not top_done and mark.last is not None and top_oldest is not None:
            lower = mark.gap[1] if mark.gap is not None else mark.last
            gap = (top_oldest, lower) if top_oldest > lower else None  # read again later
        elif mark.gap is not None:
            gap_oldest, gap_done = await self._read_range(run, mark.gap[0], mark.gap[1], None)
            if not gap_done and gap_oldest is not None and gap_oldest > mark.gap[1]:
                gap = (gap_oldest, mark.gap[1])
        posts = [p for p in run.posts.values() if watched is None or p.category_id in watched]
        questions, settled = await self._judge(posts, run)
        # not past posts left out for subcategories a failure that may pass kept unknown
        kept = mark if run.skipped.unread else dp.Mark(newest, gap)
        return FetchResult(
            questions=questions,
            settled=settled,
            warnings=run.skipped.lines(),
            checkpoint=dp.write_mark(kept),
        )

    async def _watched(self, run: _Run) -> set[int] | None:
        """The category ids watched (``None``: every category)."""
        if not self.categories:
            return None
        try:
            data, _ = await self._get(
                "/categories.json", run.headers, {"include_subcategories": "true"}
            )
        except LOOKUP_FAILURES as exc:
            numeric = {int(c) for c in self.categories if is_digits(c) and len(c) <= dp.MAX_DIGITS}
            if len(numeric) != len(self.categories):
                raise
            run.skipped.not_read(f"categories: subcategories unknown ({one_line(exc, 120)})", exc)
            return numeric
        ids, missing = dp.watched_ids(self.categories, data)
        for name in missing:
            run.skipped.add(f"category {name!r} is not on the forum (or the key cannot see it)")
        if not ids:
            raise ConnectorError(
                f"none of the categories {', '.join(self.categories)} is on the forum "
                "(check the categories option)",
                channel=self.name,
            )
        return ids

    async def _read_range(
        self, run: _Run, before: int | None, down_to: int | None, cutoff: datetime | None
    ) -> tuple[int | None, bool]:
        """Read ``/posts.json`` from below ``before`` (the top: ``None``) down to above
        ``down_to`` (or to ``cutoff``); returns the oldest id read and whether it got there.

        Discourse releases before ``LatestPostsQuery`` answer ``before=N`` with the posts
        of the id window ``N-49..N`` that the key may see (``N`` included): a page can be
        empty (private messages, small actions, deleted posts, hidden categories) with
        older posts below it, so an empty window steps down to the next one. Newer
        releases answer the 50 visible posts below ``N``; a page reaching further down
        than one window shows it, and then an empty page is the end."""
        oldest: int | None = None
        keyset = False
        while True:
            if run.pages >= MAX_PAGES:
                later = "with the next fetch" if down_to is not None else "never (a first fetch)"
                self.http.note(
                    f"stopped after {MAX_PAGES} pages of posts (the page cap); older ones come "
                    + later
                )
                return oldest, False
            run.pages += 1
            params = {"before": str(before)} if before is not None else None
            data, result = await self._get("/posts.json", run.headers, params)
            missing = f"{what_it_is(data)}, not with posts (an object with latest_posts)"
            items = page_list(data, "latest_posts", result, self.name, missing)
            ids = [i for i in map(dp.post_id_of, items) if i is not None]
            run.newest = max([run.newest, *ids])
            if items and not ids:
                raise BadResponseError(
                    f"GET {describe_url(result.url)} answered with posts without ids",
                    channel=self.name,
                )
            for number, item in enumerate(items, 1):
                taken = dp.take(item, down_to, cutoff)
                if isinstance(taken, str):
                    run.skipped.add(f"page {run.pages}, post {number}{taken}")
                elif taken is not None:
                    run.posts[taken.id] = taken
            older = [i for i in ids if before is None or i < before]
            if before is not None and ids and min(ids) > before:
                return oldest, True  # the forum ignored ``before``: nothing older comes
            if before is not None and older and min(older) <= before - dp.ID_WINDOW:
                keyset = True  # a page reaching below the window: ``before`` is a keyset
            if not older:
                if before is None or keyset:
                    return oldest, True
                before -= dp.ID_WINDOW  # an id window with nothing the key may see
                oldest = before
                if before <= (down_to or 0):
                    return oldest, True
                continue
            page_oldest = min(older)
            oldest = page_oldest
            reached = down_to is not None and page_oldest <= down_to
            if reached or (cutoff is not None and dp.older_than(items, cutoff)):
                return oldest, True
            before = page_oldest

    async def _judge(
        self, posts: list[dp.Post], run: _Run
    ) -> tuple[list[Question], list[Question]]:
        """The questions and settled questions of the new posts, topic by topic."""
        by_topic: dict[int, list[dp.Post]] = {}
        for post in posts:
            by_topic.setdefault(post.topic_id, []).append(post)
        new_ids = {p.id for p in posts}
        latest_first = sorted(by_topic, key=lambda t: -max(p.id for p in by_topic[t]))
        needs_reading = [  # a new topic's first post has no context: its topic is not read
            topic for topic in latest_first if any(p.number > 1 for p in by_topic[topic])
        ]
        if len(needs_reading) > MAX_TOPIC_READS:
            run.skipped.add(
                f"{len(needs_reading) - MAX_TOPIC_READS} topics were not read (the cap of "
                f"{MAX_TOPIC_READS} a fetch): their questions come without context"
            )
            needs_reading = needs_reading[:MAX_TOPIC_READS]

        async def one(topic: int) -> list[dp.Post]:
            found = by_topic[topic]
            anchor = max(found, key=lambda p: p.number).id
            try:
                return await self._topic_posts(
                    topic, anchor, run.headers, before=CONTEXT_POSTS + len(found), after=0,
                    known={p.id: p for p in found},
                )  # fmt: skip
            except (QuestionShapeError, *LOOKUP_FAILURES) as exc:
                # when it may pass, the next fetch reads the topic again: a staff answer
                # among the new posts settles the earlier questions it answers only then
                said = f"topic {topic}: context unavailable ({one_line(exc, 120)})"
                run.skipped.not_read(said, exc)
                return []

        read = dict(zip(needs_reading, await read_at_once([one(t) for t in needs_reading],
                                                            AT_ONCE), strict=True))  # fmt: skip
        questions: list[Question] = []
        settled: list[Question] = []
        for topic, found in by_topic.items():
            known = {p.id: p for p in read.get(topic, [])}
            known.update((p.id, p) for p in found)  # with their Markdown
            everything = list(known.values())
            outcome = dp.topic_outcome(everything, new_ids, self._is_answerer)
            for done, group in ((False, outcome.open), (True, outcome.settled)):
                for post in group:
                    question = self._question(post, everything, settled=done)
                    (settled if done else questions).append(question)
        return questions, settled

    def _question(self, post: dp.Post, topic_posts: list[dp.Post], *, settled: bool) -> Question:
        assert self.base_url is not None
        return dp.post_question(
            post, channel=self.name, kind=self.kind, base_url=self.base_url,
            context=topic_posts, settled=settled,
        )  # fmt: skip

    async def _topic_posts(
        self,
        topic_id: int,
        anchor: int,
        headers: dict[str, str],
        *,
        before: int,
        after: int,
        known: dict[int, dp.Post] | None = None,
    ) -> list[dp.Post]:
        """Posts of a topic around post ``anchor`` (``before`` before it, the latest
        ``after`` after it), read from ``/t/{id}.json`` and, for the posts it does not
        carry, ``/t/{id}/posts.json?post_ids[]=``. Bad posts are left out."""
        data, _ = await self._get(f"/t/{topic_id}.json", headers)
        fields, stream, carried = dp.topic_stream(data)
        fields["id"] = topic_id
        have: dict[int, dp.Post] = dict(known or {})
        dp.parse_into(have, carried, fields)
        wanted = dp.window(stream, anchor, before=before, after=after)
        missing = [i for i in wanted if i not in have]
        for start in range(0, min(len(missing), 2 * IDS_PER_REQUEST), IDS_PER_REQUEST):
            chunk = missing[start : start + IDS_PER_REQUEST]
            more, _ = await self._get(
                f"/t/{topic_id}/posts.json", headers, {"post_ids[]": [str(i) for i in chunk]}
            )
            dp.parse_into(have, dp.topic_stream(more)[2], fields)
        if wanted:
            keep = set(wanted)
            return [p for i, p in have.items() if i in keep]
        return list(have.values())

    # -- replying -------------------------------------------------------------------
    def _thread(self, question: Question) -> tuple[int, int]:
        found = dp.split_thread(question.thread_id)
        if found is None:
            raise ConnectorError(
                f"{one_line(question.thread_id, 40)!r} is not a Discourse topic:post",
                channel=self.name,
            )
        return found

    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """Post ``body`` (Markdown) in the topic, in reply to the question's post (once)."""
        self.refuse_long_reply(body, question, takes="Discourse takes at most")
        topic_id, number = self._thread(question)
        payload = {"topic_id": topic_id, "raw": body, "reply_to_post_number": number}
        result = await self.http.request(
            "POST", self.endpoint("/posts.json"), json_body=payload, headers=await self._headers(),
            allow_statuses={422},
        )  # fmt: skip
        if result.status == 422:
            reason = dp.refusal_reason(result.content) or "no reason given"
            raise StatusError(
                f"POST {describe_url(result.url)} refused the reply (HTTP 422): {reason}; "
                "nothing was posted",
                status=422,
                channel=self.name,
            )
        try:
            data = self.http.decode_json(result)
        except BadResponseError:
            data = None
        posted = None
        with contextlib.suppress(QuestionShapeError):
            posted = dp.parse_post(data, "post", {"id": topic_id}) if data is not None else None
        if posted is None:  # accepted without naming it: looked for in the topic
            unseen = "it is not in the topic yet"
            return await confirmed_reply(
                self, question, body, idempotency_key, result, not_found=unseen
            )
        return SentReply(str(posted.id), self._reply_url(question, posted))

    def _reply_url(self, question: Question, posted: dp.Post) -> str:
        assert self.base_url is not None
        slug = question.meta.get("topic_slug")
        if posted.topic_slug is None and isinstance(slug, str):
            posted = replace(posted, topic_slug=slug)
        return dp.post_url(self.base_url, posted)

    async def _after(self, question: Question) -> list[dp.Post]:
        """The latest posts of the question's topic after it, read again."""
        topic_id, number = self._thread(question)
        anchor = int(question.native_id) if is_digits(question.native_id) else -1
        posts = await self._topic_posts(
            topic_id, anchor, await self._headers(), before=0, after=AFTER_POSTS
        )
        return sorted((p for p in posts if p.number > number), key=lambda p: p.number)

    async def answers_since(self, question: Question, since: datetime) -> list[Message]:
        """Staff posts (ours included) in the topic after ``since`` (the collision guard)."""
        posts = await self._after(question)
        return answers_by_team([dp.as_message(p, self._is_answerer(p)) for p in posts], since)

    async def find_own_reply(
        self, question: Question, body: str, idempotency_key: str
    ) -> SentReply | None:
        """Our post replying to the question's post with this text, after it was asked."""
        _, number = self._thread(question)
        me = self.api_username.lower()
        ours = [
            p for p in await self._after(question)
            if p.username == me and p.reply_to in (None, number)
        ]  # fmt: skip
        messages = [dp.as_message(p, True) for p in ours]
        found = find_reply(messages, body, author_id=None, after=question.created_at)
        if found is None:  # a topic's posts carry HTML only: compare our Markdown too
            headers = await self._headers()
            for post in sorted(ours, key=lambda p: -p.number)[:OWN_RAW_LOOKUPS]:
                data, _ = await self._get(f"/posts/{post.id}.json", headers)
                with contextlib.suppress(QuestionShapeError):
                    full = dp.parse_post(data, "post", {"id": post.topic_id})
                    if find_reply([dp.as_message(full, True)], body, author_id=None,
                                  after=question.created_at):  # fmt: skip
                        found = dp.as_message(post, True)
                        break
        if found is None:
            return None
        posted = next(p for p in ours if str(p.id) == found.id)
        return SentReply(found.id, self._reply_url(question, posted))

    async def check(self) -> str:
        """The key signs in as ``api_username`` (``GET /session/current.json``)."""
        result = await self.http.request(
            "GET", self.endpoint("/session/current.json"), headers=await self._headers(),
            allow_statuses={404},
        )  # fmt: skip
        host = httpx.URL(self.base_url or "").host
        if result.status == 404:
            raise AuthError(
                f"{host} did not sign in with the API key as {self.api_username} (HTTP 404 "
                f"from /session/current.json); check {self.auth_hint}",
                channel=self.name,
            )
        signed_in = dp.signed_in(self.http.decode_json(result))
        if signed_in is None:
            raise BadResponseError(
                "GET /session/current.json answered without the signed-in user",
                channel=self.name,
            )
        name, staff = signed_in
        role = "staff" if staff else "not staff"
        watching = f"; watching {', '.join(self.categories)}" if self.categories else ""
        return f"signed in as {name} ({role}) on {host}{watching}"
