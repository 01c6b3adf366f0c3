"""The ``http`` channel: any system that serves questions as JSON.

Config::

    [channels.portal]
    kind = "http"
    url = "https://portal.example.com/api/questions"
    reply_url = "https://portal.example.com/api/replies"   # optional
    deadline = "30s"                                        # optional

Fetching: ``GET url`` answers a JSON array of questions in the shape of
:mod:`cxdaily.connectors.parsing`, following ``Link: <...>; rel="next"`` pages. Later
fetches add ``?since=<ISO-8601>``: the newest ``created_at`` seen so far.

Replying: ``POST reply_url`` with ``{"question_id", "native_id", "body"}`` and an
``Idempotency-Key`` header that stays the same for every attempt of one reply; the
answer's ``id`` is the reply's id.

The channel's secret is optional: when set (``cxdaily login NAME`` or
``CXDAILY_SECRET_<NAME>``) it is sent as ``Authorization: Bearer <secret>``.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import Any

from cxdaily.clock import parse_instant, to_iso
from cxdaily.connectors.base import Capabilities, FetchResult, SentReply
from cxdaily.connectors.http import BadResponseError, check_url, describe_url
from cxdaily.connectors.http_base import COMMON_HTTP_OPTIONS, HttpConnector, string_option
from cxdaily.connectors.pagination import link_pages
from cxdaily.connectors.parsing import QuestionShapeError, parse_question
from cxdaily.errors import ConfigError, ConnectorError, CxDailyError
from cxdaily.models import Question

MAX_LISTED_WARNINGS = 20


class HttpJsonConnector(HttpConnector):
    """Questions from a JSON endpoint; replies posted to another."""

    kind = "http"
    capabilities = Capabilities(max_reply_length=None, idempotency_keys=True, threads=True)
    secret_fields = ("",)
    secret_optional = True
    known_options = COMMON_HTTP_OPTIONS | {"url", "reply_url", "max_pages"}

    def __init__(self, settings, **kwargs: Any) -> None:
        super().__init__(settings, **kwargs)
        url = string_option(settings, "url", required=True)
        assert url is not None
        self.url = self._absolute(url)
        reply_url = string_option(settings, "reply_url")
        self.reply_url = self._absolute(reply_url) if reply_url else None
        max_pages = settings.options.get("max_pages", 100)
        if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
            raise ConfigError(f"[channels.{self.name}] max_pages must be a whole number above 0")
        self.max_pages = max_pages
        if self.reply_url is None:
            self.capabilities = replace(self.capabilities, can_reply=False)

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
        headers = {**(await self._auth()), "Idempotency-Key": idempotency_key}
        payload = {"question_id": question.id, "native_id": question.native_id, "body": body}
        result = await self.http.request("POST", self.reply_url, json_body=payload, headers=headers)
        data = self.http.decode_json(result)
        reply_id = data.get("id") if isinstance(data, dict) else None
        if reply_id is None or isinstance(reply_id, bool) or str(reply_id).strip() == "":
            raise BadResponseError(
                f"POST {describe_url(self.reply_url)} did not answer the reply's id",
                channel=self.name,
            )
        url = data.get("url")
        return SentReply(remote_id=str(reply_id), url=url if isinstance(url, str) else None)

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
            f"{len(data)} questions on the first page"
        )


def _newest(questions: Any, current: str | None) -> str | None:
    """The latest ``created_at`` among ``questions`` and the previous checkpoint."""
    times = [q.created_at for q in questions]
    if isinstance(current, str) and current:
        with contextlib.suppress(CxDailyError):
            times.append(parse_instant(current))
    return to_iso(max(times)) if times else None
