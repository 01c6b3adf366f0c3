"""The helpers the public channels share: capabilities, the web_url option, a question's
identity, an answer's JSON object, a reply accepted without an id, counts and checkpoints."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.http import BadResponseError, StatusError, make_client
from cxdaily.connectors.http_base import HttpConnector
from cxdaily.connectors.parsing import channel_question, checkpoint_ids, checkpoint_time
from cxdaily.connectors.public_channel import (
    confirmed_reply,
    json_object,
    public_capabilities,
    web_url_option,
    whole_count,
)
from cxdaily.core.models import Author, Question
from cxdaily.settings import ChannelSettings

BASE = "https://api.example.test"
WHEN = datetime(2026, 11, 21, 14, 3, 7, tzinfo=UTC)


class ProbeConnector(HttpConnector):
    """A public channel whose own reply is found (or not) in a thread the test sets."""

    kind = "probe"
    default_base_url = BASE

    def configure(self) -> None:
        """No thread read yet."""
        super().configure()
        self.thread: list[SentReply] = []
        self.thread_reads = 0
        self.thread_error: Exception | None = None

    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Nothing to fetch."""
        return FetchResult(questions=[], checkpoint=checkpoint)

    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """The probe sends no replies."""
        raise AssertionError("the probe connector sends no replies")

    async def find_own_reply(
        self, question: Question, body: str, idempotency_key: str
    ) -> SentReply | None:
        """The first reply of the thread the test set, or the error it set."""
        self.thread_reads += 1
        if self.thread_error is not None:
            raise self.thread_error
        return self.thread[0] if self.thread else None


def probe(answer: httpx.Response) -> ProbeConnector:
    """A probe connector whose every request gets ``answer``."""
    client = make_client(transport=httpx.MockTransport(lambda request: answer))
    settings = ChannelSettings(name="pub", kind="probe", options={})
    return ProbeConnector(settings, client=client, secrets=lambda field="": "unused")


def question() -> Question:
    return channel_question(
        channel="pub", kind="probe", native="42", thread_id="42", author=Author(name="Ana"),
        url=None, title=None, body="Is it down?", created_at=WHEN,
    )  # fmt: skip


async def accepted(connector: ProbeConnector) -> Any:
    return await connector.http.request("POST", f"{BASE}/replies", json_body={"text": "Hi"})


def test_public_capabilities_are_public_and_find_their_own_replies():
    caps = public_capabilities()
    assert (caps.max_reply_length, caps.public, caps.finds_own_replies) == (None, True, True)
    assert (caps.threads, caps.one_reply, caps.idempotency_keys) == (True, False, False)
    review = public_capabilities(threads=False, one_reply=True)
    assert (review.threads, review.one_reply) == (False, True)
    assert review.public and review.finds_own_replies


def test_the_web_url_option_names_what_its_links_point_to():
    option = web_url_option("https://www.example.test", "reviews")
    assert (option.name, option.default) == ("web_url", "https://www.example.test")
    assert option.description.endswith("for the links to reviews")


def test_a_channel_question_takes_its_global_id_from_the_channel_and_the_native_id():
    made = question()
    assert (made.id, made.channel, made.kind, made.native_id) == ("pub:42", "pub", "probe", "42")
    assert (made.thread_id, made.body, made.created_at) == ("42", "Is it down?", WHEN)


async def test_json_object_returns_an_object_and_refuses_anything_else():
    good = probe(httpx.Response(200, json={"id": "7"}))
    assert json_object(good, await accepted(good), "a reply") == {"id": "7"}
    bad = probe(httpx.Response(200, json=["not", "an", "object"]))
    with pytest.raises(BadResponseError) as caught:
        json_object(bad, await accepted(bad), "a reply")
    assert str(caught.value).endswith("answered, but not with a reply")
    assert "\n" not in str(caught.value)


async def test_a_reply_accepted_without_an_id_is_looked_for_in_the_thread():
    connector = probe(httpx.Response(202))
    connector.thread = [SentReply("r-9", "https://www.example.test/r-9")]
    found = await confirmed_reply(
        connector, question(), "Hi", "key-1", await accepted(connector), not_found="unseen"
    )
    assert found == SentReply("r-9", "https://www.example.test/r-9")
    assert connector.thread_reads == 1


@pytest.mark.parametrize("failure", [None, StatusError("thread gone", status=404)])
async def test_a_reply_missing_from_the_thread_is_a_one_line_error(failure):
    connector = probe(httpx.Response(202))
    connector.thread_error = failure  # a failed look is no failure of its own
    with pytest.raises(BadResponseError) as caught:
        await confirmed_reply(
            connector, question(), "Hi", "key-1", await accepted(connector),
            not_found="it is not in the thread yet",
        )  # fmt: skip
    said = str(caught.value)
    assert "accepted the reply (HTTP 202) but named no id for it" in said
    assert said.endswith("it is not in the thread yet") and "\n" not in said


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12, 12), ("1200", 1200), (" 7 ", 7), (0, 0), (-1, None), (True, None), ("1e3", None),
     ("9" * 14, None), (10**13, None), (None, None), (3.5, None)],
)  # fmt: skip
def test_whole_count_reads_numbers_and_digit_text_within_range(value, expected):
    assert whole_count(value) == expected


def test_whole_count_honours_a_lower_limit():
    assert whole_count("5000", limit=1000) is None
    assert whole_count("999", limit=1000) == 999


def test_checkpoint_parts_ignore_damaged_values():
    stored = {"since": "2026-11-21T14:03:07Z", "ids": ["a", 7, "b", None, "c"]}
    assert checkpoint_time(stored, "since") == WHEN
    assert checkpoint_ids(stored, "ids", limit=3) == ["a", "b"]
    for damaged in (None, [], {"since": 12}, {"since": "yesterday"}, {"since": "9999-01-01"}):
        assert checkpoint_time(damaged, "since") is None
    assert checkpoint_ids({"ids": "a,b"}, "ids", limit=10) == []
    assert checkpoint_ids(None, "ids", limit=10) == []
