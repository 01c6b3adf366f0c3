"""The helpscout channel when a conversation leaves the list during a walk (closed while
the first fetch lists active ones, moved to another mailbox): the pages after its old
place slide up by one, ``page.totalElements`` drops, and the checkpoint stays before the
conversation that slid past, so the next fetch reads it. Served by the fake of Help
Scout's Mailbox API 2.0 through ``httpx.MockTransport``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from cxdaily.connectors.helpscout import HelpScoutConnector
from cxdaily.connectors.http import make_client
from cxdaily.connectors.oauth import PROCESS_TOKENS
from cxdaily.credentials import secret_reader
from cxdaily.settings import ChannelSettings
from tests.integration.helpscout_fake_kit import (
    CLIENT_ID,
    CLIENT_SECRET,
    HelpScoutFake,
    mock_transport,
    seen_of,
)

JANE = {"id": 501, "first": "Jane", "last": "Doe", "email": "jane@example.com"}
LATER = {"modified_since": "2026-12-04T07:00:00Z"}
"""A checkpoint before every conversation of :func:`four_waiting`."""
Hook = Callable[[httpx.Request], httpx.Response | None]


@pytest.fixture(autouse=True)
def _fresh_tokens(monkeypatch):
    """Each test starts without cached tokens, with the app's credentials in the env."""
    PROCESS_TOKENS.clear()
    monkeypatch.setenv("CXDAILY_SECRET_DESK_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("CXDAILY_SECRET_DESK_CLIENT_SECRET", CLIENT_SECRET)
    yield
    PROCESS_TOKENS.clear()


class Lists:
    """The conversation list requests the connector sent, and a hook answering first."""

    def __init__(self) -> None:
        self.queries: list[dict[str, str]] = []
        self.hook: Hook | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v2/conversations":
            self.queries.append(dict(request.url.params))
        return self.hook(request) if self.hook else None


def build(fake: HelpScoutFake) -> tuple[HelpScoutConnector, Lists]:
    """The connector over ``fake``, with its list requests recorded."""
    lists = Lists()
    settings = ChannelSettings(
        name="desk", kind="helpscout", options={"mailbox_id": fake.mailbox_id}
    )
    client = make_client(transport=mock_transport(fake, lists))
    return HelpScoutConnector(settings, client=client, secrets=secret_reader("desk")), lists


def four_waiting() -> tuple[HelpScoutFake, list[int]]:
    """Four open conversations, two to a page, oldest change first (08:02 ... 08:08)."""
    fake = HelpScoutFake(page_size=2)
    return fake, [fake.conversation(f"Q{n}", JANE, f"Question {n}?") for n in range(1, 5)]


def close(fake: HelpScoutFake, conv: int) -> None:
    """An agent closes ``conv`` (it leaves the ``active`` list)."""
    at = fake.tick()
    fake.conversations[conv].update(status="closed", closedAt=at, modifiedAt=at)


def move_away(fake: HelpScoutFake, conv: int) -> None:
    """An agent moves ``conv`` to another mailbox (it leaves this mailbox's list)."""
    fake.conversations[conv].update(mailboxId=fake.mailbox_id + 1, modifiedAt=fake.tick())


def after_page_1(
    fake: HelpScoutFake,
    change: Callable[[], None],
    reshape: Callable[[dict[str, Any]], None] | None = None,
) -> Hook:
    """A hook: page 1 of the list is served as it was (passed through ``reshape``), then
    ``change()`` happens, so the next page comes from the list as it is after the change."""
    state = {"done": False}

    def hook(request: httpx.Request) -> httpx.Response | None:
        if state["done"] or request.url.params.get("page", "1") != "1":
            return None
        if request.url.path != "/v2/conversations":
            return None
        state["done"] = True
        content, _ = fake.handler(seen_of(request)).payload()
        data = json.loads(content)
        if reshape is not None:
            reshape(data)
        change()
        return httpx.Response(200, json=data)

    return hook


def reshaping_pages(fake: HelpScoutFake, reshape: Callable[[dict[str, Any]], None]) -> Hook:
    """A hook: every list page is the fake's, passed through ``reshape(page_json)``."""

    def hook(request: httpx.Request) -> httpx.Response | None:
        if request.url.path != "/v2/conversations":
            return None
        content, _ = fake.handler(seen_of(request)).payload()
        data = json.loads(content)
        reshape(data)
        return httpx.Response(200, json=data)

    return hook


def chained(*hooks: Hook) -> Hook:
    """A hook asking ``hooks`` in turn, each answering or passing to the next (the last
    answering or the fake)."""

    def hook(request: httpx.Request) -> httpx.Response | None:
        for each in hooks:
            answer = each(request)
            if answer is not None:
                return answer
        return None

    return hook


def threads_of(result) -> set[str]:
    return {q.thread_id for q in result.questions}


# ------------------------------------------------------------------------------ tests
async def test_a_conversation_closed_during_the_first_fetch_lets_none_slip_past():
    fake, ids = four_waiting()
    c, lists = build(fake)
    lists.hook = after_page_1(fake, lambda: close(fake, ids[1]))
    first = await c.fetch(None)
    # page 2 of the shrunken list: the third slid onto page 1 and was never read
    assert [q["page"] for q in lists.queries] == ["1", "2"]
    assert threads_of(first) == {str(ids[0]), str(ids[1]), str(ids[3])}
    # held a second before the last one page 1 showed (08:04:00, before it closed), so the
    # one that slid past, changed after it, is in the next fetch's window
    assert first.checkpoint == {"modified_since": "2026-12-04T08:03:59Z"}
    assert fake.conversations[ids[2]]["modifiedAt"] > first.checkpoint["modified_since"]
    assert first.warnings == []
    lists.hook = None
    second = await c.fetch(first.checkpoint)
    assert lists.queries[-1]["status"] == "all"
    assert lists.queries[-1]["modifiedSince"] == "2026-12-04T08:03:59Z"
    assert str(ids[2]) in threads_of(second)  # the open customer question is read after all
    assert str(ids[1]) in {q.native_id for q in second.settled}  # the closed one settles
    newest = max(conv["modifiedAt"] for conv in fake.conversations.values())
    assert second.checkpoint == {"modified_since": newest}  # and then on as before
    assert second.warnings == []


async def test_a_conversation_moved_away_during_a_later_fetch_lets_none_slip_past():
    fake, ids = four_waiting()
    c, lists = build(fake)
    lists.hook = after_page_1(fake, lambda: move_away(fake, ids[0]))
    first = await c.fetch(LATER)
    assert threads_of(first) == {str(ids[0]), str(ids[1]), str(ids[3])}
    assert first.checkpoint == {"modified_since": "2026-12-04T08:03:59Z"}
    lists.hook = None
    second = await c.fetch(first.checkpoint)
    assert str(ids[2]) in threads_of(second)


@pytest.mark.parametrize("checkpoint", [None, LATER])
async def test_without_a_drop_the_checkpoint_moves_to_the_newest_change(checkpoint):
    fake, ids = four_waiting()
    c, lists = build(fake)
    first = await c.fetch(checkpoint)
    assert [q["page"] for q in lists.queries] == ["1", "2"]
    assert threads_of(first) == {str(i) for i in ids}
    assert first.checkpoint == {"modified_since": fake.conversations[ids[3]]["modifiedAt"]}


@pytest.mark.parametrize("checkpoint", [None, LATER])
async def test_a_conversation_arriving_during_the_walk_holds_nothing(checkpoint):
    fake, ids = four_waiting()
    c, lists = build(fake)
    arrived: list[int] = []
    lists.hook = after_page_1(
        fake, lambda: arrived.append(fake.conversation("New", JANE, "Hello?"))
    )
    first = await c.fetch(checkpoint)  # the total grows: the newcomer joins at the end
    assert threads_of(first) == {str(i) for i in [*ids, *arrived]}
    assert first.checkpoint == {"modified_since": fake.conversations[arrived[0]]["modifiedAt"]}


MISSING = object()
"""No ``page`` object at all."""


def _without_page(data: dict[str, Any]) -> None:
    data.pop("page", None)


def _without_times(data: dict[str, Any]) -> None:
    for conv in data["_embedded"]["conversations"]:
        conv.pop("modifiedAt")
        conv.pop("userUpdatedAt")


@pytest.mark.parametrize(
    "page",
    [MISSING, None, "3", [], {}, {"totalElements": "3"}, {"totalElements": True},
     {"totalElements": -1}, {"totalElements": 3.0}, {"totalElements": None},
     {"totalElements": 10**60}, {"size": 2, "totalPages": 2, "number": 2}],
)  # fmt: skip
async def test_a_malformed_or_missing_page_object_detects_nothing_and_fails_nothing(page):
    fake, ids = four_waiting()
    c, lists = build(fake)

    def reshape(data: dict[str, Any]) -> None:  # page 2 only: page 1 keeps its shape
        if page is MISSING:
            _without_page(data)
        else:
            data["page"] = page

    closing = after_page_1(fake, lambda: close(fake, ids[1]))
    lists.hook = chained(closing, reshaping_pages(fake, reshape))
    first = await c.fetch(None)
    assert threads_of(first) == {str(ids[0]), str(ids[1]), str(ids[3])}
    assert first.checkpoint == {"modified_since": "2026-12-04T08:08:00Z"}  # as without it
    assert first.warnings == []


async def test_pages_without_a_page_object_read_as_before():
    fake, ids = four_waiting()
    c, lists = build(fake)
    lists.hook = reshaping_pages(fake, _without_page)
    first = await c.fetch(None)
    assert [q["page"] for q in lists.queries] == ["1", "2"]  # the next links still lead
    assert threads_of(first) == {str(i) for i in ids}
    assert first.checkpoint == {"modified_since": fake.conversations[ids[3]]["modifiedAt"]}
    assert first.warnings == []


async def test_a_drop_before_any_time_is_known_keeps_the_first_fetch_a_first_fetch():
    fake, ids = four_waiting()
    c, lists = build(fake)
    lists.hook = after_page_1(fake, lambda: close(fake, ids[0]), reshape=_without_times)
    first = await c.fetch(None)  # page 1 carries no modification times, page 2 does
    assert threads_of(first) == {str(ids[0]), str(ids[1]), str(ids[3])}
    assert first.checkpoint is None  # the next fetch lists the active ones again
