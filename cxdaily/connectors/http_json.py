"""The ``http`` channel: any system that serves questions as JSON.

Config::

    [channels.portal]
    kind = "http"
    url = "https://portal.example.com/api/questions"
    reply_url = "https://portal.example.com/api/replies"   # optional
    thread_url = "https://portal.example.com/api/threads/{native_id}"  # optional
    idempotency_keys = false     # optional: true when the service drops a repeated key
    max_reply_length = 2000      # optional: longest reply, in characters
    public = false               # optional: replies are public (risky words are flagged)
    deadline = "30s"                                        # optional

Fetching: ``GET url`` answers a JSON array of questions in the shape of
:mod:`cxdaily.connectors.parsing`, following ``Link: <...>; rel="next"`` pages. Later
fetches add ``?since=<ISO-8601>``: the newest ``created_at`` seen so far.

Replying: ``POST reply_url`` with ``{"question_id", "native_id", "body",
"idempotency_key"}``; the key stays the same for every attempt of one reply, and the
answer's ``id`` is the reply's id. By default (``idempotency_keys = false``) a failed
post is never repeated blindly: the outbox reads the thread first, or holds the reply.
Only with ``idempotency_keys = true`` (a service that drops a repeated
``Idempotency-Key`` header, which is then sent too) may the outbox repeat it.

Threads (optional): ``GET thread_url`` answers the thread's messages (see
:mod:`cxdaily.connectors.http_thread`). The outbox reads it to find its own reply after
an unknown outcome, and to see whether the team answered before a reply goes out.

The channel's secret is optional: when set (``cxdaily login NAME`` or
``CXDAILY_SECRET_<NAME>``) it is sent as ``Authorization: Bearer <secret>``, and only to
the origins of ``base_url``, ``url``, ``reply_url`` and ``thread_url``: a next page or a
redirect elsewhere goes without it.
"""

from __future__ import annotations

import contextlib
from string import Formatter
from typing import Any

from msgspec.structs import replace

from cxdaily.connectors.base import Capabilities, FetchResult, SentReply
from cxdaily.connectors.http import BadResponseError, check_url, describe_url
from cxdaily.connectors.http_base import HttpConnector
from cxdaily.connectors.http_thread import (
    answers_by_others,
    own_reply,
    parse_thread,
    thread_address,
)
from cxdaily.connectors.options import HTTP_OPTIONS, Option
from cxdaily.connectors.pagination import link_pages
from cxdaily.connectors.parsing import QuestionShapeError, parse_question
from cxdaily.core.clock import parse_instant, to_iso
from cxdaily.core.errors import ConnectorError, CxDailyError
from cxdaily.core.models import Message, Question
from cxdaily.core.words import plural

MAX_LISTED_WARNINGS = 20
MAX_REPLY_ID_CHARS = 200
THREAD_PLACEHOLDERS = ("native_id", "thread_id", "question_id")


def placeholder_problem(template: str) -> str | None:
    """What is wrong with the ``{...}`` placeholders of a URL template, or ``None``."""
    try:
        fields = [
            (f, spec, conv) for _, f, spec, conv in Formatter().parse(template) if f is not None
        ]
    except ValueError as exc:
        return f"has a broken placeholder ({exc}); write {{{{ and }}}} for literal braces"
    known = ", ".join("{" + name + "}" for name in THREAD_PLACEHOLDERS)
    for name, spec, conversion in fields:
        if name not in THREAD_PLACEHOLDERS:
            return f"has an unknown placeholder {{{name}}} (known: {known})"
        if spec or conversion:
            return f"placeholders take no format spec or conversion (known: {known})"
    return None


def reply_id_of(data: Any) -> str | None:
    """The reply id in a reply answer: a non-empty string or a whole number, else ``None``."""
    reply_id = data.get("id") if isinstance(data, dict) else None
    if isinstance(reply_id, bool) or not isinstance(reply_id, str | int):
        return None
    text = str(reply_id).strip()
    return text if text and len(text) <= MAX_REPLY_ID_CHARS else None


class HttpJsonConnector(HttpConnector):
    """Questions from a JSON endpoint; replies posted to another."""

    kind = "http"
    capabilities = Capabilities(max_reply_length=None, idempotency_keys=False, threads=True)
    secret_fields = ("",)
    secret_optional = True
    summary = "any system that serves questions as JSON (a portal, a bridge, a test server)"
    declared_options = HTTP_OPTIONS.extended(
        Option("url", "url", "where questions are fetched (GET, a JSON array)", required=True,
               relative=True),
        Option("reply_url", "url", "where replies are posted (POST); none: read-only",
               relative=True),
        Option("thread_url", "url", "a thread's messages, with {native_id}, {thread_id} or "
               "{question_id}", relative=True, check=placeholder_problem),
        Option("max_pages", "int", "the most pages one fetch follows", default=100, minimum=1),
        Option("idempotency_keys", "bool", "the service drops a reply repeated with the same "
               "Idempotency-Key", default=False),
        Option("max_reply_length", "int", "the longest reply, in characters", minimum=1),
        Option("public", "bool", "replies are public (risky wording is flagged)", default=False),
    )  # fmt: skip

    def configure(self) -> None:
        """The channel's URLs and capabilities from its options."""
        super().configure()
        self.url = self._absolute(self.option("url"))
        reply_url = self.option("reply_url")
        self.reply_url = self._absolute(reply_url) if reply_url else None
        self.max_pages: int = self.option("max_pages")
        if self.reply_url is None:
            self.capabilities = replace(self.capabilities, can_reply=False)
        thread_url = self.option("thread_url")
        self.thread_url = self._absolute(thread_url) if thread_url else None
        for configured in (self.url, self.reply_url, self.thread_url):
            if configured:
                self.allow_credentials_to(configured)
        self.capabilities = replace(
            self.capabilities,
            idempotency_keys=self.option("idempotency_keys"),
            public=self.option("public"),
            max_reply_length=self.option("max_reply_length"),
            finds_own_replies=self.thread_url is not None,
        )

    def _absolute(self, url: str) -> str:
        """An absolute URL, or a path joined to ``base_url``; checked for safety."""
        if "://" not in url and self.base_url:
            url = self.endpoint(url)
        check_url(url, channel=self.name)
        return url

    async def _auth(self) -> dict[str, Any]:
        return self.bearer(await self.optional_secret())

    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Every page of questions (created since the checkpoint on later fetches)."""
        since = (checkpoint or {}).get("since")
        params = {"since": since} if isinstance(since, str) and since else None
        headers = await self._auth()
        questions: dict[str, Question] = {}
        warnings: list[str] = []
        bad = 0
        page_number = 0
        async for data, result in link_pages(
            self.http, self.url, params=params, headers=headers, max_pages=self.max_pages
        ):
            page_number += 1
            if not isinstance(data, list):
                what = "an object" if isinstance(data, dict) else type(data).__name__
                raise BadResponseError(
                    f"GET {describe_url(result.url)} answered {what}, not a JSON array of "
                    "questions",
                    channel=self.name,
                )
            for index, item in enumerate(data):
                try:
                    question = parse_question(item, channel=self.name, kind=self.kind)
                except QuestionShapeError as exc:
                    bad += 1
                    if len(warnings) < MAX_LISTED_WARNINGS:
                        warnings.append(f"page {page_number}, item {index + 1}: {exc}")
                    continue
                questions[question.id] = question
        if bad > len(warnings):
            warnings.append(f"{bad - len(warnings)} more bad items were skipped")
        return FetchResult(
            questions=list(questions.values()),
            checkpoint={"since": _newest(questions.values(), since)},
            warnings=warnings,
        )

    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """POST the reply with an Idempotency-Key that is the same on every attempt."""
        if self.reply_url is None:
            raise ConnectorError(
                'replies cannot be sent: the channel has no reply_url = "..."', channel=self.name
            )
        headers = await self._auth()
        payload = {
            "question_id": question.id,
            "native_id": question.native_id,
            "body": body,
            "idempotency_key": idempotency_key,  # kept with the reply: found in the thread
        }
        if self.capabilities.idempotency_keys:  # the service drops a repeated key
            headers["Idempotency-Key"] = idempotency_key
        result = await self.http.request("POST", self.reply_url, json_body=payload, headers=headers)
        data = self.http.decode_json(result)
        reply_id = reply_id_of(data)
        if reply_id is None:
            raise BadResponseError(
                f"POST {describe_url(self.reply_url)} did not answer a usable id for the reply "
                f"(a text or a number of at most {MAX_REPLY_ID_CHARS} characters)",
                channel=self.name,
            )
        url = data.get("url")
        return SentReply(remote_id=reply_id, url=url if isinstance(url, str) else None)

    async def _thread(self, question: Question):
        """The messages of a question's thread (``thread_url``)."""
        assert self.thread_url is not None
        url = thread_address(self.thread_url, question)
        data, result = await self.http.get_json(url, headers=await self._auth())
        try:
            return parse_thread(data)
        except QuestionShapeError as exc:
            raise BadResponseError(
                f"GET {describe_url(result.url)} answered a thread that cannot be read: {exc}",
                channel=self.name,
            ) from None

    async def answers_since(self, question: Question, since) -> list[Message]:
        """Replies by the team in the thread after ``since`` (none without thread_url)."""
        if self.thread_url is None:
            return []
        return answers_by_others(await self._thread(question), question, since)

    async def find_own_reply(
        self, question: Question, body: str, idempotency_key: str
    ) -> SentReply | None:
        """Our reply in the thread (by idempotency key, else by its exact text)."""
        if self.thread_url is None:
            return None
        found = own_reply(await self._thread(question), question, body, idempotency_key)
        return SentReply(remote_id=found.id) if found else None

    async def check(self) -> str:
        """Fetch the first page: the service is reachable, accepts the secret, speaks JSON."""
        headers = await self._auth()
        data, result = await self.http.get_json(self.url, headers=headers)
        if not isinstance(data, list):
            raise BadResponseError(
                f"GET {describe_url(result.url)} answered, but not with a JSON array of questions",
                channel=self.name,
            )
        auth = "with the secret" if headers else "without a secret"
        return (
            f"GET {describe_url(result.url)} answered HTTP {result.status} {auth}: "
            f"{plural(len(data), 'question')} on the first page"
        )


def _newest(questions: Any, current: str | None) -> str | None:
    """The latest ``created_at`` among ``questions`` and the previous checkpoint."""
    times = [q.created_at for q in questions]
    if isinstance(current, str) and current:
        with contextlib.suppress(CxDailyError):
            times.append(parse_instant(current))
    return to_iso(max(times)) if times else None
