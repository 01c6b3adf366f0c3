"""The ``intercom`` channel: open Intercom conversations as questions, replies as a
teammate's comment.

Config::

    [channels.support]
    kind = "intercom"
    admin_id = "814860"          # the teammate replies are sent as
    workspace_id = "abc123de"    # optional: agent-facing links into the inbox
    base_url = "https://api.eu.intercom.io"   # optional: EU/AU workspaces
    api_version = "2.11"         # optional: the Intercom-Version header

The secret is the workspace's access token, sent as ``Authorization: Bearer``.

Fetching: ``POST /conversations/search`` (a read, repeated after a failure) for the
conversations updated since the checkpoint (the newest ``updated_at`` seen), paged with
``pages.next.starting_after``. The first fetch asks for the open ones of the last
``since_days`` days; later ones for every state, so a conversation closed or snoozed
since settles its stored question. ``GET /conversations/{id}`` reads the thread: the
``source``, the ``comment`` parts, and the ``open``, ``close`` and ``assignment`` parts
that carry a reply (notes are internal and never read; other events carry no message).
A thread that cannot be read costs its conversation the thread (its first message stands
in); when the failure may pass (a timeout, a 5xx) the checkpoint stays before that
conversation, so the next fetch reads it again. A fetch cut short by its page cap keeps
the checkpoint a second before the last conversation read (the next page may hold more of
that second). A rate limit or the channel's deadline met while reading threads stops
the fetch there (:mod:`cxdaily.connectors.helpdesk_backlog`): the conversations read so
far count (they come oldest first), and the checkpoint stays before the first one not
read, so a backlog larger than one fetch can read is read over several instead of failing
every time (met before any was read, it fails the fetch, which starts again from the same
checkpoint). The conversations read that the next fetch lists again (those updated after
the checkpoint it keeps) are kept in it with the ``updated_at`` they were read at
(``read``), and their threads are not read again while that stays the same: a second
shared by more conversations than one fetch can read is read past over several fetches.
Admins, bots and teams are the team; anyone else (users, leads, contacts) the customer.

Replying: ``POST /conversations/{id}/reply``, a ``comment`` from ``admin_id``; our new
part in the conversation it answers is the reply's id. Intercom has no idempotency key:
the post is never repeated blindly, and after an unknown outcome the thread is read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from cxdaily.connectors import helpdesk as desk
from cxdaily.connectors import helpdesk_backlog as backlog
from cxdaily.connectors import intercom_parse as parse
from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.html_text import text_to_html
from cxdaily.connectors.http import BadResponseError, HttpResult, describe_url
from cxdaily.connectors.http_errors import page_list
from cxdaily.connectors.options import HTTP_OPTIONS, Option, full_match, since_days
from cxdaily.connectors.pagination import PageTrail, pages_allowed
from cxdaily.connectors.parsing import (
    QuestionShapeError,
    parse_time,
    text_field,
    what_it_is,
)
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.connectors.thread_replies import find_reply
from cxdaily.core.models import Question
from cxdaily.core.words import plural

INBOX_URL = "https://app.intercom.com/a/inbox/{workspace}/inbox/conversation/{conversation}"
PER_PAGE = 50
MAX_PAGES = 100
PRIORITIES = {"priority": "high", "not_priority": "normal"}

_id_problem = full_match(r"[A-Za-z0-9_.-]{1,64}", 'must be an id such as "814860" or "abc123de"')
_version_problem = full_match(r"\d{1,2}\.\d{1,2}|Unstable", 'must be a version such as "2.11"')


class IntercomConnector(desk.HelpDeskConnector):
    """Open Intercom conversations; replies as the configured teammate's comments."""

    kind = "intercom"
    declared_options = HTTP_OPTIONS.extended(
        Option("admin_id", "text", "the id of the teammate (admin) replies are sent as",
                 required=True, check=_id_problem),
        Option("workspace_id", "text", "the workspace id for inbox links "
                 "(app.intercom.com/a/inbox/ID); none: no links", check=_id_problem),
        Option("api_version", "text", "the Intercom-Version header sent with every request",
               default="2.11", check=_version_problem),
        since_days(14),
    )  # fmt: skip

    def configure(self) -> None:
        """The teammate replies are sent as and the workspace of inbox links."""
        super().configure()
        self.admin_id: str = self.option("admin_id")
        self.workspace_id: str | None = self.option("workspace_id")

    async def _headers(self) -> dict[str, str]:
        token = await self.read_secret()
        return {**self.bearer(token), "Intercom-Version": self.option("api_version")}

    def _conversation_url(self, conversation_id: str) -> str:
        return self.endpoint(f"/conversations/{quote(conversation_id, safe='')}")

    def inbox_url(self, conversation_id: str) -> str | None:
        """The agent-facing link to a conversation (``None`` without ``workspace_id``)."""
        if not self.workspace_id:
            return None
        return INBOX_URL.format(
            workspace=quote(self.workspace_id, safe=""),
            conversation=quote(conversation_id, safe=""),
        )

    # -- fetching ------------------------------------------------------------------
    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Conversations changed since the checkpoint: open ones waiting on the team are
        questions, the turns the team answered (or that were closed) are settled."""
        headers = await self._headers()
        after = parse.checkpoint_epoch(checkpoint)
        open_only = after is None
        if after is None:
            since = self.now() - timedelta(days=self.option("since_days"))
            after = int(since.timestamp())
        newest, unread_from = after, None
        marks = backlog.read_marks(checkpoint)  # read by an earlier fetch, unchanged since
        read_at: dict[str, int] = {}  # the conversations read, by id: their updated_at
        skipped = SkippedItems()
        turns = desk.TicketTurns(self.name, self.kind)
        page_number, cut_before = 0, self.http.walks_cut_short
        read, stopped = 0, []
        async for page, result in self._search_pages(after, open_only, headers):
            page_number += 1
            missing = f"{what_it_is(page)}, not a list of conversations"
            items = page_list(page, "conversations", result, self.name, missing)
            to_read = []
            for index, item in enumerate(items):
                earlier = parse.read_before(item, marks)
                if earlier is not None:  # its thread is as an earlier fetch read it
                    read_at[earlier[0]] = earlier[1]
                    newest = max(newest, earlier[1])
                else:
                    to_read.append((index, item))
            jobs = [
                self._listed(item, f"page {page_number}, item {index + 1}", headers, skipped)
                for index, item in to_read
            ]
            reads = await backlog.read_in_order(jobs, 1)  # one after another: see _listed
            for listed in reads.done:
                if listed is None:  # malformed: skipped with a warning
                    continue
                updated, ticket, left_unread = listed
                newest = max(newest, updated or newest)
                if left_unread and unread_from is None:  # next fetch: from it
                    unread_from = (updated or after + 1) - 1
                elif not left_unread and updated is not None:
                    read_at[ticket.id] = updated
                turns.add(ticket)
                read += 1
            if reads.stopped_by is not None:
                if not read:  # nothing read yet: the error says it best
                    raise reads.stopped_by
                # oldest first: what was read so far counts, the rest comes next time
                updated = parse.listed_summary(to_read[len(reads.done)][1])[1]
                before = (updated or after + 1) - 1  # its second again, with it
                unread_from = min(newest if unread_from is None else unread_from, before)
                left = plural(len(to_read) - len(reads.done), "conversation")
                more = " or more" if isinstance(page, dict) and parse.next_cursor(page) else ""
                stopped.append(backlog.left_for_next_fetch(reads.stopped_by, left + more))
                break
        if self.http.walks_cut_short > cut_before:
            # the next page may hold more conversations of the last second read
            newest = max(after, newest - 1)
        if unread_from is not None:
            newest = max(after, min(newest, unread_from))
        # the conversations read that the next fetch lists again (updated_at > newest):
        # skipped while unchanged, so a second shared by many of them is read past
        again = {i: str(at) for i, at in read_at.items() if at > newest}
        kept = backlog.with_read_marks({"updated_after": newest}, again)
        return turns.result(kept, [*skipped.lines(), *stopped])

    async def _listed(
        self, item: Any, where: str, headers: dict[str, str], skipped: SkippedItems
    ) -> tuple[int | None, desk.Ticket, bool] | None:
        """A search result with its thread: its ``updated_at`` (epoch seconds, when
        readable), the conversation, and whether its thread was left for the next fetch
        (a failure that may pass: told by ``skipped.unread``, so these run one at a time);
        ``None`` when it is malformed (skipped with a warning)."""
        unread = skipped.unread
        try:
            conversation_id, updated = parse.listed_summary(item)
            ticket = await self._ticket(item, conversation_id, headers, skipped)
        except QuestionShapeError as exc:
            skipped.add(f"{where}: skipped: {exc}")
            return None
        return updated, ticket, skipped.unread > unread

    async def _search_pages(
        self, after: int, open_only: bool, headers: dict[str, str]
    ) -> AsyncIterator[tuple[Any, HttpResult]]:
        """Every page of the search, following ``pages.next.starting_after``."""
        url = self.endpoint("/conversations/search")
        filters: list[dict[str, Any]] = [{"field": "updated_at", "operator": ">", "value": after}]
        if open_only:
            filters.append({"field": "state", "operator": "=", "value": "open"})
        cursor: str | None = None
        trail = PageTrail(self.http, "pages of conversations")
        for _ in pages_allowed(self.http, MAX_PAGES):
            pagination: dict[str, Any] = {"per_page": PER_PAGE}
            if cursor:
                pagination["starting_after"] = cursor
            body = {"query": {"operator": "AND", "value": filters}, "pagination": pagination,
                    "sort": {"field": "updated_at", "order": "ascending"}}  # fmt: skip
            result = await self.http.request(
                "POST", url, json_body=body, headers=headers, repeatable=True
            )
            page = self.http.decode_json(result)
            yield page, result
            cursor = parse.next_cursor(page)
            if cursor is None or trail.loops(cursor):
                return

    async def _ticket(
        self,
        item: dict[str, Any],
        conversation_id: str,
        headers: dict[str, str],
        skipped: SkippedItems,
    ) -> desk.Ticket:
        """The conversation with its thread, or without it (with a warning, counted in
        ``skipped.unread`` when the failure may pass: a timeout, a 5xx) when the thread
        cannot be read; QuestionShapeError when the conversation itself is malformed."""
        try:
            thread = await self._read_thread(conversation_id, headers)
        except desk.LOOKUP_FAILURES as exc:  # a rate limit, the deadline, refused credentials:
            # the fetch stops (and its checkpoint stays), rather than hammer every thread
            said = f"conversation {conversation_id}: thread not read ({exc}); kept without it"
            skipped.not_read(said, exc)
        else:
            try:
                return self._parse_ticket(thread, conversation_id, skipped, with_parts=True)
            except QuestionShapeError as exc:
                skipped.add(f"conversation {conversation_id}: thread unreadable ({exc}); "
                            "kept without it")  # fmt: skip
        return self._parse_ticket(item, conversation_id, skipped, with_parts=False)

    async def _read_thread(self, conversation_id: str, headers: dict[str, str]) -> dict[str, Any]:
        """``GET /conversations/{id}``: the conversation with its parts (an object)."""
        data, result = await self.http.get_json(
            self._conversation_url(conversation_id), headers=headers
        )
        if not isinstance(data, dict):
            raise BadResponseError(
                f"GET {describe_url(result.url)} answered {what_it_is(data)}, not a conversation",
                channel=self.name,
            )
        return data

    def _parse_ticket(
        self,
        data: dict[str, Any],
        conversation_id: str,
        skipped: SkippedItems,
        *,
        with_parts: bool,
    ) -> desk.Ticket:
        """A :class:`Ticket` from a conversation object (its parts read only when the
        object is the full conversation)."""
        source = data.get("source")
        source = source if isinstance(source, dict) else {}
        created = parse_time(data.get("created_at"), "created_at")
        messages: list[desk.TicketMessage] = []
        if with_parts:
            messages = parse.thread_messages(data, created, conversation_id, skipped)
        requester = parse.requester(source, messages, data.get("contacts"))
        state = data.get("state")
        status = text_field(parse.cut_long(state), "state") if isinstance(state, str) else None
        priority = data.get("priority")
        fallback_body = (
            None if with_parts else parse.message_body(source.get("body"), "source.body") or ""
        )
        return desk.Ticket(
            id=conversation_id,
            requester=requester,
            messages=messages,
            waiting_on_team=status == "open",
            created_at=created,
            subject=parse.subject_line(data.get("title"), source.get("subject")),
            status=status,
            url=self.inbox_url(conversation_id),
            priority=PRIORITIES.get(priority) if isinstance(priority, str) else None,
            tags=desk.tag_names(parse.tag_list(data.get("tags")), key="name"),
            fallback_body=fallback_body,
        )

    # -- replying ------------------------------------------------------------------
    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """One public comment from ``admin_id`` in the conversation (never repeated here)."""
        conversation_id = question.thread_id
        url = f"{self._conversation_url(conversation_id)}/reply"
        payload = {"message_type": "comment", "type": "admin", "admin_id": self.admin_id,
                   "body": text_to_html(body)}  # fmt: skip
        result = await self.http.request(
            "POST", url, json_body=payload, headers=await self._headers(), repeatable=False
        )
        data = self.http.decode_json(result)
        ours = None
        if isinstance(data, dict):
            created = question.created_at
            messages = parse.thread_messages(data, created, conversation_id, SkippedItems())
            ours = find_reply(messages, body, author_id=self.admin_id, after=created)
        if ours is None:
            raise BadResponseError(
                f"POST {describe_url(result.url)} answered without our new comment, so the "
                "reply may or may not be there; the thread is read before any new attempt",
                channel=self.name,
            )
        return SentReply(remote_id=ours.id, url=self.inbox_url(conversation_id))

    async def question_thread(self, question: Question) -> list[desk.TicketMessage]:
        """The conversation's public parts, read again."""
        conversation_id = question.thread_id
        data = await self._read_thread(conversation_id, await self._headers())
        try:
            created = parse_time(data.get("created_at"), "created_at")
        except QuestionShapeError:
            created = question.created_at
        return parse.thread_messages(data, created, conversation_id, None, channel=self.name)

    async def reply_author_id(self) -> str:
        """The admin replies are posted as."""
        return self.admin_id

    def reply_url(self, question: Question) -> str | None:
        """The conversation in the inbox (when the workspace id is set)."""
        return self.inbox_url(question.thread_id)

    async def check(self) -> str:
        """``GET /me``: the token is accepted; says who it belongs to and on which workspace."""
        data, result = await self.http.get_json(self.endpoint("/me"), headers=await self._headers())
        if not isinstance(data, dict):
            raise BadResponseError(
                f"GET {describe_url(result.url)} answered {what_it_is(data)}, not an admin",
                channel=self.name,
            )
        ident = parse.short_text(data.get("id"))
        about = [parse.short_text(data.get("email")), f"admin {ident}" if ident else None]
        who = parse.short_text(data.get("name")) or "an admin"
        app = data.get("app")
        app = app if isinstance(app, dict) else {}
        code = parse.short_text(app.get("id_code"))
        text = f"signed in as {who} ({', '.join(a for a in about if a) or 'no details'})"
        text += f" on {parse.short_text(app.get('name')) or 'its workspace'}" + (
            f" ({code})" if code else ""
        )
        text += f"; replies go out as admin {self.admin_id}"
        if self.workspace_id and code and code != self.workspace_id:
            text += f"; note: workspace_id is {self.workspace_id}, the token's workspace {code}"
        return text
