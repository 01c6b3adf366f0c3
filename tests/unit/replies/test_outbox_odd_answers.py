"""Odd answers to a reply are explained, not hidden (issue 11, item 10).

Whatever a service answers (an over-long integer id, deep JSON, a body that cannot be
read, an endless ``Retry-After``) and whatever a connector raises, the attempt ends as
``failed`` with a one-line reason: never left ``sending``, never a traceback, never an
overflow. An attempt that failed after the post went out keeps the exactly-once rules:
it is an unknown outcome (looked up, resent with the same key, or held), never
re-posted blindly.
"""

from __future__ import annotations

import json
import math
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from cxdaily.cli import main
from cxdaily.connectors.base import Capabilities, SentReply
from cxdaily.connectors.http import make_client
from cxdaily.core.errors import ConnectorError, RateLimited
from cxdaily.core.models import ReplyState
from cxdaily.paths import locations
from cxdaily.replies.outbox import (
    MAX_REMOTE_ID_CHARS,
    RATE_LIMIT_CAP_S,
    checked_sent_reply,
    failure_of,
    next_attempt,
)
from cxdaily.service import Service
from cxdaily.settings import ChannelSettings, SessionSettings, Settings
from tests.time_kit import FIXED_NOW
from tests.unit.replies.outbox_kit import question

BASE = "https://portal.example.com/api"
TEXT = "Thanks Ana, the export works again."
DAY = timedelta(seconds=RATE_LIMIT_CAP_S)

#: Answers to the POST of a reply that carry no usable id (all with HTTP 200).
ODD_BODIES = {
    "5001-digit id": b'{"id": 1' + b"0" * 5000 + b"}",
    "4000-digit id": b'{"id": 1' + b"0" * 3999 + b"}",
    "deep JSON": b"[" * 100_000 + b"]" * 100_000,
    "deep id": b'{"id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "NaN id": b'{"id": NaN}',
    "cut off": b'{"id": "r1"',
    "not UTF-8": b'{"id": "\xff\xfe"}',
    "HTML": b"<html><body>Thanks!</body></html>",
    "null id": b'{"id": null}',
    "object id": b'{"id": {"x": 1}}',
    "5000-character id": json.dumps({"id": "x" * 5000}).encode(),
    "a list": b"[1, 2, 3]",
    "empty": b"",
}


def one_line_reason(text: str | None) -> str:
    assert text, "a failed reply says why"
    assert "\n" not in text and "Traceback" not in text
    return text


@pytest.fixture
def http_portal(home: Path):
    """A service whose ``portal`` channel is the ``http`` kind, answered by ``respond``."""
    state: dict = {"respond": None, "posts": []}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            state["posts"].append(request)
            return state["respond"](request)
        return httpx.Response(200, json=[])

    channel = ChannelSettings(
        name="portal",
        kind="http",
        options={"url": f"{BASE}/questions", "reply_url": f"{BASE}/replies", "retries": 0},
    )
    settings = Settings(
        session=SessionSettings(timezone="Europe/Berlin"), channels={"portal": channel}
    )
    service = Service(
        locations(),
        settings,
        now=lambda: FIXED_NOW,
        make_client=lambda: make_client(transport=httpx.MockTransport(handler)),
    )
    service.store.questions.upsert_many([question("q1", kind="http")])
    state["service"] = service
    yield state
    service.close()


# ----------------------------------------------------------------------------- the http kind
@pytest.mark.parametrize("body", list(ODD_BODIES.values()), ids=list(ODD_BODIES))
def test_an_unusable_answer_to_the_post_fails_the_reply_with_its_reason(http_portal, body):
    http_portal["respond"] = lambda request: httpx.Response(
        200, content=body, headers={"content-type": "application/json"}
    )
    service = http_portal["service"]
    reply = service.reply("portal:q1", TEXT)
    assert reply.state is ReplyState.FAILED
    assert service.find_reply(reply.id).state is ReplyState.FAILED, "never left sending"
    reason = one_line_reason(reply.error)
    assert reason.startswith("portal: ") and len(reason) <= 300
    assert reply.uncertain, "the post went out: its outcome is unknown"
    assert reply.remote_id is None
    assert FIXED_NOW < reply.next_attempt_at <= FIXED_NOW + timedelta(seconds=30)
    assert len(http_portal["posts"]) == 1


def test_an_unknown_outcome_is_held_not_reposted_by_a_channel_that_cannot_check(http_portal):
    http_portal["respond"] = lambda request: httpx.Response(200, content=ODD_BODIES["deep id"])
    service = http_portal["service"]
    failed = service.reply("portal:q1", TEXT)
    assert failed.uncertain
    (held,) = service.retry()  # neither deduplication nor a thread: the leader decides
    assert held.hold and "cannot be checked" in held.hold
    assert held.error == failed.error, "the reason stays with the held reply"
    assert len(http_portal["posts"]) == 1, "never re-posted blindly"


@pytest.mark.parametrize(
    ("value", "wait"),
    [
        ("inf", DAY),
        ("1e12", DAY),
        ("9" * 5000, DAY),
        ("Fri, 31 Dec 9999 23:59:59 GMT", DAY),
        ("nan", None),
        ("-5", None),
        ("soon-ish", None),
    ],
)
def test_an_odd_retry_after_on_the_post_fails_the_reply_with_a_finite_wait(
    http_portal, value, wait
):
    http_portal["respond"] = lambda request: httpx.Response(429, headers={"Retry-After": value})
    reply = http_portal["service"].reply("portal:q1", TEXT)
    assert reply.state is ReplyState.FAILED and not reply.uncertain  # refused: not posted
    reason = one_line_reason(reply.error)
    assert "rate-limited" in reason and "inf" not in reason and "nan" not in reason
    delay = reply.next_attempt_at - FIXED_NOW
    if wait is None:  # no usable hint: the usual back-off
        assert timedelta(seconds=15) <= delay <= timedelta(seconds=30)
    else:
        assert delay == wait
    assert len(http_portal["posts"]) == 1


def test_the_cli_shows_the_reason_in_reply_and_in_outbox_list(home: Path, capsys):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(200, content=ODD_BODIES["5001-digit id"])
        return httpx.Response(
            200, json=[{"id": "q1", "body": "Help", "created_at": "2026-11-21T08:00:00Z"}]
        )

    def cli(*argv: str) -> int:
        """The command line, its HTTP requests answered by ``handler``."""
        return main(
            list(argv), make_client=lambda: make_client(transport=httpx.MockTransport(handler))
        )

    (home / "config.toml").write_text(
        f'[channels.portal]\nkind = "http"\nurl = "{BASE}/questions"\n'
        f'reply_url = "{BASE}/replies"\nretries = 0\n',
        encoding="utf-8",
    )
    assert cli("fetch") == 0
    capsys.readouterr()
    code = cli("reply", "portal:q1", "--text", TEXT, "--yes")
    out, err = capsys.readouterr()
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "is in the outbox, not sent yet" in err and "portal: " in err

    assert cli("outbox", "list") == 0
    out, _ = capsys.readouterr()
    first, second = out.splitlines()
    assert "failed" in first
    assert "1 attempt;" in second and "portal: " in second and "next try after" in second

    assert cli("outbox", "list", "--json") == 0
    (listed,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert listed["state"] == "failed" and listed["uncertain"] is True
    assert one_line_reason(listed["error"]).startswith("portal: ")


# ----------------------------------------------------------------------------- any exception
UNEXPECTED = [
    RecursionError("maximum recursion depth exceeded while decoding a JSON array"),
    ValueError("Exceeds the limit (4300 digits) for integer string conversion"),
    OverflowError("date value out of range"),
    KeyError("id"),
    TypeError("unhashable type: 'list'"),
    UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"),
]


@pytest.mark.parametrize("error", UNEXPECTED, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("applied", [False, True], ids=["not-applied", "applied"])
def test_any_exception_while_posting_fails_the_reply_as_an_unknown_outcome(
    scripted, script, error, applied
):
    script.apply_then_fail = applied
    script.outcomes = [error]
    failed = scripted.reply("portal:q1", TEXT)
    assert failed.state is ReplyState.FAILED and failed.uncertain
    stored = scripted.find_reply(failed.id)
    assert stored.state is ReplyState.FAILED and stored.error == failed.error
    reason = one_line_reason(failed.error)
    assert reason.startswith(f"portal: the attempt failed unexpectedly ({type(error).__name__}")
    assert failed.next_attempt_at is not None


@pytest.mark.parametrize("applied", [False, True], ids=["not-applied", "applied"])
def test_after_an_exception_the_reply_is_looked_up_before_any_repeat(scripted, script, applied):
    script.capabilities = Capabilities(finds_own_replies=True)
    script.apply_then_fail = applied
    script.outcomes = [RecursionError("deep")]
    failed = scripted.reply("portal:q1", TEXT)
    (sent,) = scripted.retry()
    assert sent.state is ReplyState.SENT and sent.error is None
    assert len(script.thread) == 1, "the service holds the reply exactly once"
    assert script.looks == 1 and len(script.posts) == (1 if applied else 2)
    assert sent.idempotency_key == failed.idempotency_key


def test_after_an_exception_a_deduplicating_service_gets_the_same_key(scripted, script):
    script.capabilities = Capabilities(idempotency_keys=True)
    script.apply_then_fail = True
    script.outcomes = [ValueError("Exceeds the limit (4300 digits)")]
    failed = scripted.reply("portal:q1", TEXT)
    (sent,) = scripted.retry()
    assert sent.state is ReplyState.SENT and len(script.thread) == 1
    assert [key for _, key in script.posts] == [failed.idempotency_key] * 2


def test_after_an_exception_a_channel_that_cannot_check_holds_the_reply(scripted, script):
    script.apply_then_fail = True
    script.outcomes = [OverflowError("date value out of range")]
    scripted.reply("portal:q1", TEXT)
    (held,) = scripted.retry()
    assert held.hold and "OverflowError" in held.error
    assert len(script.posts) == 1 and len(script.thread) == 1


def test_an_exception_while_looking_in_the_thread_fails_without_posting(
    scripted, script, monkeypatch
):
    script.capabilities = Capabilities(finds_own_replies=True)
    script.apply_then_fail = True
    script.outcomes = [RecursionError("deep")]
    scripted.reply("portal:q1", TEXT)

    async def broken_lookup(self, question, body, key):
        raise KeyError("messages")

    monkeypatch.setattr(type(scripted.connector("portal")), "find_own_reply", broken_lookup)
    (again,) = scripted.retry()
    assert again.state is ReplyState.FAILED and again.uncertain
    assert "KeyError" in again.error and len(script.posts) == 1


def test_an_exception_before_the_post_is_not_an_unknown_outcome(scripted, script, monkeypatch):
    def broken(self, channel, client=None):
        raise AttributeError("'NoneType' object has no attribute 'capabilities'")

    queued = scripted.queue_reply("portal:q1", TEXT)
    monkeypatch.setattr(type(scripted.channels), "connector", broken)
    failed = scripted.send(queued)
    assert failed.state is ReplyState.FAILED and not failed.uncertain
    assert "AttributeError" in one_line_reason(failed.error) and script.posts == []


@pytest.mark.parametrize(
    "sent",
    [
        SentReply(remote_id=None),  # type: ignore[arg-type]
        SentReply(remote_id=12345),  # type: ignore[arg-type]
        SentReply(remote_id="   "),
        SentReply(remote_id="9" * (MAX_REMOTE_ID_CHARS + 1)),
        None,
        "remote-1",
    ],
    ids=["none", "int", "blank", "too-long", "no-record", "a-string"],
)
def test_a_connector_that_answers_no_usable_id_fails_the_reply(scripted, script, monkeypatch, sent):
    async def odd(self, question, body, key):
        script.posts.append((body, key))
        return sent

    monkeypatch.setattr(type(scripted.connector("portal")), "send_reply", odd)
    failed = scripted.reply("portal:q1", TEXT)
    assert failed.state is ReplyState.FAILED and failed.uncertain
    assert "no usable id" in failed.error or "characters" in failed.error
    assert failed.remote_id is None


def test_a_usable_id_is_cleaned_for_the_store():
    checked = checked_sent_reply(SentReply(remote_id=" r\ud8001 ", url=7), "portal")  # type: ignore[arg-type]
    assert checked == SentReply(remote_id="r\ufffd1", url=None)
    assert checked_sent_reply(SentReply("r1", "https://x.example/r1"), "p").url == (
        "https://x.example/r1"
    )


# ----------------------------------------------------------------------------- the rules
@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        (math.inf, DAY),
        (1e12, DAY),
        (10**5000, DAY),
        (math.nan, timedelta(seconds=15)),
        (-5.0, timedelta(seconds=15)),
        (600.0, timedelta(seconds=600)),
    ],
    ids=["inf", "1e12", "huge-int", "nan", "negative", "ten-minutes"],
)
def test_next_attempt_never_overflows_on_an_odd_rate_limit(retry_after, expected):
    error = RateLimited("slow down", retry_after=retry_after, channel="acme")
    assert next_attempt(FIXED_NOW, 1, error, rand=lambda: 0.0) - FIXED_NOW == expected


def test_failure_of_keeps_our_errors_and_names_others_in_one_line():
    ours = ConnectorError("HTTP 502", channel="acme")
    assert failure_of(ours, "acme") is ours
    theirs = failure_of(RecursionError("maximum\nrecursion depth"), "acme")
    assert isinstance(theirs, ConnectorError)
    assert str(theirs) == (
        "acme: the attempt failed unexpectedly (RecursionError: maximum recursion depth)"
    )
    assert str(failure_of(KeyError(), "acme")) == "acme: the attempt failed unexpectedly (KeyError)"
