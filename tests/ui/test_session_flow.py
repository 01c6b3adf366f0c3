"""A whole daily session driven only with the documented keys, checked on disk."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input, TextArea

from cxdaily.core.models import Disposition, ReplyState
from cxdaily.service import Service
from cxdaily.store import Store
from cxdaily.ui.modals.confirm import ConfirmScreen
from cxdaily.ui.modals.handoff import HandoffScreen
from cxdaily.ui.modals.snooze import SnoozeScreen
from cxdaily.ui.modals.tag import TagScreen
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.screens.wrapup import WrapUpScreen
from tests.ui.pilot_kit import SMALL, WIDE, begin, composing, make_app, plain, settle, type_text

REPLY_TEXT = "Fixed, sorry!"
SUMMARY = "Refunds hurt"
NOTE = "Call back"
REFLECTION = "Good day"


def current_id(screen: SessionScreen) -> str:
    """The id of the highlighted question."""
    item = screen.current()
    assert item is not None
    return item.question.id


async def test_a_whole_session_with_the_documented_keys(service: Service) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        session_id = screen.session.id

        # r: reply in the composer; ctrl+s sends through the outbox.
        replied = current_id(screen)
        await pilot.press("r")
        await pilot.pause()
        assert composing(app)
        await type_text(pilot, REPLY_TEXT)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen and not composing(app)
        assert screen.statuses[replied] == "answered"
        assert recorder.find("Reply sent.")

        # t on the next question: tags, summary, ctrl+s.
        tagged = current_id(screen)
        assert tagged != replied, "the selection moves on after an action"
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TagScreen)
        await type_text(pilot, "bug, billing")
        for _ in range(6):
            if app.focused is not None and app.focused.id == "tag-summary":
                break
            await pilot.press("tab")
        assert app.focused is not None and app.focused.id == "tag-summary"
        await type_text(pilot, SUMMARY)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert screen.statuses[tagged] == "tagged"

        # s: skip.
        skipped = current_id(screen)
        await pilot.press("s")
        await pilot.pause()
        assert screen.statuses[skipped] == "skipped"

        # h: hand off with a note, enter.
        handed = current_id(screen)
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HandoffScreen)
        await type_text(pilot, NOTE)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert screen.statuses[handed] == "handed_off"
        assert recorder.find("Handed off to support.")  # which team takes it over

        # z: snooze, pick "Tomorrow".
        snoozed = current_id(screen)
        await pilot.press("z")
        await pilot.pause()
        assert isinstance(app.screen, SnoozeScreen)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen is screen
        assert screen.statuses[snoozed] == "snoozed"
        assert len({replied, tagged, skipped, handed, snoozed}) == 5

        # q: questions are still open and time is left, so it asks first; q again wraps
        # up. The wrap-up shows what was done; a reflection and enter finish.
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and app.screen.question.id == "endearly"
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, WrapUpScreen)
        summary = plain(app.screen.query_one("#wrapup-summary"))
        for words in ("1 answered", "1 tagged as an insight", "1 handed off", "1 snoozed"):
            assert words in summary, summary
        assert "1 skipped" in summary
        assert "Insights captured: 1." in summary
        assert "Streak: 1 day (today counts)" in summary
        assert isinstance(app.focused, Input)
        await type_text(pilot, REFLECTION)
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_code in (0, None)
    assert not app.is_running

    with Store(service.locations.data_dir, read_only=True) as store:  # what is on disk
        replies = store.outbox.all()
        assert [(r.question_id, r.body, r.state) for r in replies] == [
            (replied, REPLY_TEXT, ReplyState.SENT)
        ]
        assert replies[0].remote_id and replies[0].remote_id.startswith("demo-")
        assert replies[0].attempts == 1
        assert store.activity.draft(replied) is None

        insights = store.insights.between()
        assert len(insights) == 1
        insight = insights[0]
        assert insight.question_id == tagged
        assert insight.tags == ("bug", "billing")
        assert insight.summary == SUMMARY
        assert insight.session_id == session_id
        assert insight.quote, "the customer's words are prefilled as the quote"

        actions = {
            (a.question_id, a.disposition): a
            for a in store.activity.actions()
            if a.session_id == session_id
        }
        assert set(actions) == {
            (replied, Disposition.ANSWERED),
            (tagged, Disposition.TAGGED),
            (skipped, Disposition.SKIPPED),
            (handed, Disposition.HANDED_OFF),
            (snoozed, Disposition.SNOOZED),
        }
        hand_off = actions[(handed, Disposition.HANDED_OFF)]
        assert hand_off.note == NOTE and hand_off.team == "support"
        snooze = actions[(snoozed, Disposition.SNOOZED)]
        assert snooze.until == service.today_start() + timedelta(days=1)

        sessions = store.activity.sessions()
        assert [s.id for s in sessions] == [session_id]
        assert sessions[0].ended_at is not None
        assert sessions[0].ended_at >= sessions[0].started_at
        assert sessions[0].reflection == REFLECTION
        assert set(sessions[0].planned) >= {replied, tagged, skipped, handed, snoozed}

    assert service.streak().current == 1


async def test_begin_and_reply_on_a_wide_terminal(service: Service) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        screen = await begin(app, pilot)
        assert app.size == WIDE
        replied = current_id(screen)
        await pilot.press("r")
        await pilot.pause()
        assert composing(app)
        await type_text(pilot, "On it.")
        assert app.screen.query_one(TextArea).text == "On it."
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert screen.statuses[replied] == "answered"
        assert recorder.find("Reply sent.")
        # A second r on the answered question does not open the composer again.
        await pilot.press("k")
        await pilot.pause()
        assert current_id(screen) == replied
        await pilot.press("r")
        await pilot.pause()
        assert app.screen is screen and not composing(app)
        assert recorder.find("You already replied to this question.")

    sent = [r for r in service.outbox() if r.question_id == replied]
    assert len(sent) == 1 and sent[0].state is ReplyState.SENT and sent[0].remote_id
