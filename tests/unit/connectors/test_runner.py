"""The runner: all channels at once, each failure typed and kept to its own channel."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from cxdaily.connectors.base import Connector, FetchResult, SentReply
from cxdaily.connectors.http import ChannelTimeoutError
from cxdaily.connectors.options import parse_seconds
from cxdaily.connectors.runner import (
    ChannelOutcome,
    channel_deadline_s,
    fetch_all,
    run_with_deadline,
)
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError, CredentialError
from cxdaily.core.models import Author, Question
from cxdaily.settings import ChannelSettings


class ScriptedConnector(Connector):
    """A connector whose fetch does whatever the test says."""

    kind = "scripted"

    def __init__(self, name: str, behaviour) -> None:
        super().__init__(ChannelSettings(name=name, kind="scripted"))
        self.behaviour = behaviour

    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        return await self.behaviour(self, checkpoint)

    async def send_reply(self, question, body, idempotency_key) -> SentReply:
        return SentReply(remote_id="x")


def question(channel: str, native_id: str) -> Question:
    return Question(
        id=Question.make_id(channel, native_id),
        channel=channel,
        kind="scripted",
        native_id=native_id,
        thread_id=native_id,
        url=None,
        author=Author(),
        title=None,
        body="hi",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


async def healthy(connector, checkpoint):
    await asyncio.sleep(0.05)
    return FetchResult([question(connector.name, "1")], {"n": 1})


async def slow(connector, checkpoint):
    await asyncio.sleep(30)
    return FetchResult([], None)


async def refused(connector, checkpoint):
    raise AuthError("the token was refused (HTTP 401)", channel=connector.name)


async def buggy(connector, checkpoint):
    return {}["missing"]


async def no_secret(connector, checkpoint):
    raise CredentialError("the secret of channel 'nosecret' is missing: run `cxdaily login`")


async def test_one_channel_failing_in_each_way_leaves_the_others_alone():
    connectors = {
        "ok": ScriptedConnector("ok", healthy),
        "slow": ScriptedConnector("slow", slow),
        "refused": ScriptedConnector("refused", refused),
        "buggy": ScriptedConnector("buggy", buggy),
        "nosecret": ScriptedConnector("nosecret", no_secret),
        "badconfig": ConfigError("[channels.badconfig] needs url"),
    }
    done: list[str] = []
    loop = asyncio.get_running_loop()
    started = loop.time()
    outcomes = await fetch_all(
        connectors,
        {},
        deadlines={"slow": 0.3},
        on_done=lambda outcome: done.append(outcome.channel),
    )
    assert loop.time() - started < 2
    by_name = {o.channel: o for o in outcomes}
    assert [o.channel for o in outcomes] == list(connectors)
    assert by_name["ok"].ok and by_name["ok"].count == 1
    assert isinstance(by_name["slow"].exception, ChannelTimeoutError)
    assert "0.3 s" in by_name["slow"].error
    assert isinstance(by_name["refused"].exception, AuthError)
    assert by_name["refused"].error == "refused: the token was refused (HTTP 401)"
    assert "unexpected KeyError" in by_name["buggy"].error
    assert isinstance(by_name["nosecret"].exception, CredentialError)
    assert by_name["nosecret"].error.startswith("nosecret: ")
    assert by_name["badconfig"].error == "badconfig: [channels.badconfig] needs url"
    assert sorted(done) == sorted(connectors)
    for outcome in outcomes:
        assert outcome.error is None or "\n" not in outcome.error


async def test_channels_run_concurrently():
    async def sleepy(connector, checkpoint):
        await asyncio.sleep(0.2)
        return FetchResult([], None)

    connectors = {f"c{n}": ScriptedConnector(f"c{n}", sleepy) for n in range(8)}
    loop = asyncio.get_running_loop()
    started = loop.time()
    outcomes = await fetch_all(connectors, {})
    assert all(o.ok for o in outcomes)
    assert loop.time() - started < 0.6


async def test_checkpoints_are_passed_to_each_channel():
    seen = {}

    async def remember(connector, checkpoint):
        seen[connector.name] = checkpoint
        return FetchResult([], checkpoint)

    await fetch_all(
        {"a": ScriptedConnector("a", remember), "b": ScriptedConnector("b", remember)},
        {"a": {"offset": 10}},
    )
    assert seen == {"a": {"offset": 10}, "b": None}


async def test_a_failing_on_done_fails_only_that_channel():
    def on_done(outcome: ChannelOutcome) -> None:
        if outcome.channel == "a":
            raise ConnectorError("the disk is full", channel="a")

    outcomes = await fetch_all(
        {"a": ScriptedConnector("a", healthy), "b": ScriptedConnector("b", healthy)},
        {},
        on_done=on_done,
    )
    assert outcomes[0].error == "a: the disk is full"
    assert outcomes[1].ok


async def test_run_with_deadline_raises_a_typed_timeout():
    with pytest.raises(ChannelTimeoutError, match=r"x: no answer within 0\.1 s"):
        await run_with_deadline("x", asyncio.sleep(5), 0.1)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("5s", 5), ("1.5s", 1.5), ("500ms", 0.5), ("2m", 120), ("1h", 3600), (30, 30), ("7", 7)],
)
def test_parse_seconds(text, seconds):
    assert parse_seconds(text, setting="deadline") == seconds


@pytest.mark.parametrize("text", ["soon", "-1s", "0s", "2d", True, "5 hours"])
def test_parse_seconds_refuses_nonsense(text):
    with pytest.raises(ConfigError):
        parse_seconds(text, setting="deadline")


def test_channel_deadline_option():
    assert channel_deadline_s(ChannelSettings("a", "http", {"deadline": "5s"})) == 5
    assert channel_deadline_s(ChannelSettings("a", "http")) == 60
