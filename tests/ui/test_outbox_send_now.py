"""The app's outbox status names the customers and counts attempts as the command line
does, and "send now" says which reply it is sending and how it went (issue 13, item 15)."""

from __future__ import annotations

import json

import pytest

from cxdaily.cli import main
from cxdaily.connectors.demo import DemoConnector
from cxdaily.core.errors import ConnectorError
from cxdaily.core.models import Reply, ReplyState
from cxdaily.replies.outbox_words import attempts_words
from cxdaily.service import Service
from cxdaily.ui.outbox_status import flushed_messages, retry_due, send_now
from cxdaily.ui.question_parts import reply_content
from tests.ui.pilot_kit import SMALL, UI_NOW, make_app, settle

REAL_SEND = DemoConnector.send_reply
REASON = "HTTP 502 (bad gateway)"


def failing_for(question_ids: set[str]):
    """A demo connector's send that fails for these questions."""

    async def send(self, question, body, idempotency_key):
        if question.id in question_ids:
            raise ConnectorError(REASON, channel="demo")
        return await REAL_SEND(self, question, body, idempotency_key)

    return send


def queue_three(service: Service) -> dict[str, str]:
    """Three replies in the outbox, never tried: question id -> customer."""
    service.refresh()
    items = service.batch().items[:3]
    for item in items:
        service.queue_reply(item.question.id, "On it, thanks for your patience.")
    return {i.question.id: i.question.author.name or "" for i in items}


async def test_send_now_tells_each_reply_it_sends_and_the_outcome(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    customers = queue_three(service)
    monkeypatch.setattr(DemoConnector, "send_reply", failing_for(set(customers)))
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await settle(app, pilot)  # the start screen's flush: every reply fails once
        waiting = service.unsent_replies()
        assert [r.attempts for r in waiting] == [1, 1, 1]
        names = [customers[r.question_id] for r in waiting]
        last = waiting[-1].question_id
        monkeypatch.setattr(DemoConnector, "send_reply", failing_for({last}))
        recorder.calls.clear()
        send_now(app)
        await settle(app, pilot)
    assert recorder.messages == [
        f"Sending 1 of 3: the reply to {names[0]}…",
        f"Sending 2 of 3: the reply to {names[1]}…",
        f"Sending 3 of 3: the reply to {names[2]}…",
        f"Sent 2 of 3 (to {names[0]}, {names[1]}).",
        f"Not sent yet: demo: {REASON} (the reply to {names[2]}, 2 attempts)",
    ]


async def test_send_now_with_nothing_waiting_says_so(service: Service) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await settle(app, pilot)
        recorder.calls.clear()
        send_now(app)
        await settle(app, pilot)
    assert recorder.messages == ["Nothing waits in the outbox."]


async def test_the_periodic_retry_names_the_customers(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    customers = queue_three(service)
    monkeypatch.setattr(DemoConnector, "send_reply", failing_for(set(customers)))
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await settle(app, pilot)
        for reply in service.unsent_replies():  # their back-off is over
            service.store.outbox.save(reply.with_changes(next_attempt_at=UI_NOW))
        monkeypatch.setattr(DemoConnector, "send_reply", REAL_SEND)
        recorder.calls.clear()
        retry_due(app)
        await settle(app, pilot)
    names = ", ".join(customers.values())
    assert recorder.messages == [f"3 waiting replies sent from the outbox (to {names})."]


def test_names_are_optional_and_cut_after_three():
    replies = [
        Reply(
            id=f"r{n}",
            question_id=f"demo:q{n}",
            channel="demo",
            body="Thanks!",
            state=ReplyState.SENT,
            created_at=UI_NOW,
            updated_at=UI_NOW,
            idempotency_key=f"k{n}",
        )
        for n in range(5)
    ]
    ((plain, _),) = flushed_messages(replies)
    assert plain == "5 waiting replies sent from the outbox."
    names = {f"demo:q{n}": f"Customer {n}" for n in range(5)}
    ((named, _),) = flushed_messages(replies, names=names)
    assert named == (
        "5 waiting replies sent from the outbox "
        "(to Customer 0, Customer 1, Customer 2 and 2 others)."
    )


async def test_the_cli_the_json_and_the_app_count_the_same_attempts(
    service: Service, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    customers = queue_three(service)
    monkeypatch.setattr(DemoConnector, "send_reply", failing_for(set(customers)))
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await settle(app, pilot)
        send_now(app)  # a second attempt, failing too
        await settle(app, pilot)
        stored = service.unsent_replies()
    capsys.readouterr()
    assert main(["--demo", "outbox", "list", "--json"]) == 0
    rows = {row["id"]: row for row in map(json.loads, capsys.readouterr().out.splitlines())}
    assert main(["--demo", "outbox", "list"]) == 0
    listed = capsys.readouterr().out
    for reply in stored:
        words = attempts_words(reply)
        assert words == "2 attempts"
        assert rows[reply.id]["attempts"] == 2
        assert rows[reply.id]["customer"] == customers[reply.question_id]
        assert f"{reply.question_id} · {words}; " in listed
        assert f"failed · {words}" in reply_content(reply, UI_NOW).plain
        assert recorder.find(f"(the reply to {customers[reply.question_id]}, {words})")


async def test_the_outbox_list_follows_a_reply_sent_while_it_is_open(write_config) -> None:
    """Opened during a reply's undo window, the promises and outbox screen kept saying
    "queued" after the reply went out (x then said it was sent already)."""
    from textual.widgets import OptionList

    from cxdaily.ui.screens.promises import PromisesScreen
    from cxdaily.ui.widgets.question_view import show_reply_everywhere

    write_config("[session]\nundo_seconds = 10\n")
    with Service.open("demo") as service:
        service.refresh()
        question_id = service.batch().items[0].question.id
        reply = service.queue_reply(question_id, "On it, thanks for your patience.")
        assert reply.send_after is not None  # in its undo window: the start's flush waits
        app, _ = make_app(service)
        async with app.run_test(size=SMALL) as pilot:
            await settle(app, pilot)
            await app.push_screen(PromisesScreen())
            await pilot.pause()
            screen = app.screen
            assert [r.id for r in screen.unsent] == [reply.id]
            assert screen.query_one("#promises-outbox", OptionList).option_count == 1
            (sent,) = service.retry(reply.id)  # its window ends: it goes out
            assert sent.state is ReplyState.SENT
            show_reply_everywhere(app, sent)  # as the sending worker does
            await pilot.pause()
            assert screen.unsent == []
            (left,) = screen.query_one("#promises-outbox", OptionList).options
            assert left.disabled and "queued" not in str(left.prompt)  # the "none" line
