"""The ``demo`` channel: a built-in inbox of realistic questions, offline.

Times in the inbox are ages ("posted 26 hours ago") turned into timestamps against
``now`` so the demo is always fresh. Replies are recorded locally and sent nowhere.
"""

from __future__ import annotations

import json
from datetime import timedelta
from functools import cache
from importlib import resources
from typing import Any

from cxdaily.connectors.base import Capabilities, Connector, FetchResult, SentReply
from cxdaily.connectors.options import CHANNEL_OPTIONS
from cxdaily.core.models import Author, Message, Question
from cxdaily.core.services import PUBLIC_SERVICES


@cache
def load_inbox() -> dict[str, Any]:
    """The demo inbox as shipped in the package."""
    text = resources.files("cxdaily.connectors").joinpath("demo_inbox.json").read_text("utf-8")
    return json.loads(text)


class DemoConnector(Connector):
    """Serves the built-in demo inbox and records replies locally."""

    kind = "demo"
    summary = "a realistic sample inbox, offline; replies are kept, never sent"
    declared_options = CHANNEL_OPTIONS
    capabilities = Capabilities(max_reply_length=5000, idempotency_keys=True, threads=True)

    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Every demo question, with times relative to now."""
        now = self.now()
        questions = []
        for item in load_inbox()["questions"]:
            created = now - timedelta(minutes=int(item["age_minutes"]))
            context = tuple(
                Message(
                    author=Author.from_dict(m.get("author")),
                    body=m["body"],
                    created_at=now - timedelta(minutes=int(m["age_minutes"])),
                )
                for m in item.get("context", ())
            )
            meta = dict(item.get("meta") or {})
            meta["service"] = item["service"]
            questions.append(
                Question(
                    id=self.question_id(item["native_id"]),
                    channel=self.name,
                    kind=self.kind,
                    native_id=item["native_id"],
                    thread_id=item.get("thread_id") or item["native_id"],
                    url=item.get("url"),
                    author=Author.from_dict(item.get("author")),
                    title=item.get("title"),
                    body=item["body"],
                    created_at=created,
                    context=context,
                    meta=meta,
                )
            )
        return FetchResult(questions=questions, checkpoint={"fetched_at": now.isoformat()})

    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """Record the reply locally: the demo sends nothing anywhere."""
        import uuid  # only when a demo reply is sent

        return SentReply(
            remote_id=f"demo-{uuid.uuid5(uuid.NAMESPACE_URL, idempotency_key).hex[:12]}"
        )

    def is_public(self, question: Question) -> bool:
        """Replies to the imitated social, community and review services are public."""
        return question.meta.get("service") in PUBLIC_SERVICES

    async def check(self) -> str:
        """The demo inbox is always reachable."""
        return f"{len(load_inbox()['questions'])} sample questions, offline"
