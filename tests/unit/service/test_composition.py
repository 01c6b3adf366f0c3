"""The service is composed, not mixed in: its collaborators receive what they use, and the
connector registry and the HTTP client factory are injected, never patched in."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx

from cxdaily.connectors import connector_class
from cxdaily.connectors.base import Capabilities, Connector, FetchResult, SentReply
from cxdaily.connectors.http import make_client
from cxdaily.core.models import Message, Question, Reply, ReplyState
from cxdaily.paths import locations
from cxdaily.replies.sender import OutboxSender
from cxdaily.service import Service
from cxdaily.settings import ChannelSettings, SessionSettings, Settings
from cxdaily.store import Store
from tests.time_kit import FIXED_NOW

T = TypeVar("T")


class ClientRecorder(Connector):
    """A channel that records the HTTP client it was built on, and answers at once."""

    kind = "recorder"
    clients: list[Any] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.client is not None:
            self.clients.append(self.client)

    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        return FetchResult(questions=[], checkpoint=None)

    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        return SentReply(remote_id="r1")

    async def answers_since(self, question: Question, since: datetime) -> list[Message]:
        return []


def test_every_piece_of_channel_work_runs_on_the_injected_client_factory(home: Path, make_question):
    made: list[httpx.AsyncClient] = []

    def factory() -> httpx.AsyncClient:
        client = make_client(transport=httpx.MockTransport(lambda r: httpx.Response(500)))
        made.append(client)
        return client

    def registry(kind: str) -> type[Connector]:
        return ClientRecorder if kind == "recorder" else connector_class(kind)

    ClientRecorder.clients = []
    settings = Settings(
        session=SessionSettings(timezone="Europe/Berlin"),
        channels={"acme": ChannelSettings(name="acme", kind="recorder")},
    )
    with Service(
        locations(), settings, now=lambda: FIXED_NOW, connectors=registry, make_client=factory
    ) as service:
        service.store.questions.upsert_many([make_question("1")])
        assert service.check_channel("acme") == "fetched successfully"
        assert service.refresh().failed == []
        assert service.answers_since_loaded("acme:1") == []
        assert service.reply("acme:1", "Thanks, it is fixed.").state is ReplyState.SENT
    assert len(made) == 4 and ClientRecorder.clients == made
    assert all(client.is_closed for client in made)


class OneChannel:
    """The channels the sender is given: one connector, run on a private event loop."""

    def __init__(self, connector: Any, capabilities: Capabilities) -> None:
        self.connector = connector
        self.caps = capabilities
        self.runs = 0

    def capabilities(self, name: str) -> Capabilities:
        return self.caps

    def run(self, name: str, work: Callable[[Any], Awaitable[T]]) -> T:
        self.runs += 1

        async def main() -> T:
            return await work(self.connector)

        return asyncio.run(main())


class Posting:
    """A connector stand-in that takes every post."""

    def __init__(self) -> None:
        self.posts: list[str] = []

    async def answers_since(self, question: Question, since: datetime) -> list[Message]:
        return []

    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        self.posts.append(body)
        return SentReply(remote_id=f"r{len(self.posts)}")


def test_the_sender_works_on_what_it_is_given(tmp_path: Path, make_question):
    question = make_question("1")
    connector = Posting()
    channels = OneChannel(connector, Capabilities())
    store = Store(tmp_path / "data")
    try:
        sender = OutboxSender(
            store,
            threading.RLock(),
            lambda: FIXED_NOW,
            SessionSettings(timezone="Europe/Berlin"),
            question=lambda question_id: question,
            channels=channels,
        )
        reply = Reply(
            id="reply1",
            question_id=question.id,
            channel=question.channel,
            body="I'll call you tomorrow.",
            state=ReplyState.QUEUED,
            created_at=FIXED_NOW,
            updated_at=FIXED_NOW,
            idempotency_key="key1",
        )
        sender.save(reply)
        sent = sender.send(reply)
        assert sent.state is ReplyState.SENT and sent.remote_id == "r1"
        assert connector.posts == ["I'll call you tomorrow."] and channels.runs == 1
        assert sender.send(sent) == store.outbox.get("reply1")  # sent once, never again
        assert connector.posts == ["I'll call you tomorrow."]
        assert [p.reply_id for p in store.promises.all()] == ["reply1"]
        assert not sender.is_sending("reply1")
    finally:
        store.close()
