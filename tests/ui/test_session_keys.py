"""Moving through the queue, drafts that survive closing the composer, and the clock."""

from __future__ import annotations

import pytest
from textual.widgets import TextArea

from cxdaily.core.safe_text import clean
from cxdaily.service import Service
from cxdaily.store import Store
from cxdaily.ui.modals.confirm import ConfirmScreen
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.screens.wrapup import WrapUpScreen
from cxdaily.ui.session_clock import EXTRA_S
from cxdaily.ui.widgets.queue import QuestionQueue
from tests.ui.pilot_kit import (
    SMALL,
    begin,
    composing,
    make_app,
    plain,
    screen_text,
    shown_part,
    type_text,
    wait_for_start,
)


def assert_shows(screen: SessionScreen, index: int) -> None:
    """The queue highlights ``index`` and the question view shows that question."""
    assert screen.query_one(QuestionQueue).highlighted == index
    question = screen.items[index].question
    assert shown_part(screen, "body") == clean(question.body)
    title = shown_part(screen, "title")
    assert title == (clean(question.title) if question.title else "")


async def test_j_k_and_the_arrows_move_the_selection_and_the_view_follows(
    service: Service,
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        assert len(screen.items) >= 3
        assert_shows(screen, 0)
        bodies = {clean(item.question.body) for item in screen.items}
        assert len(bodies) == len(screen.items), "the demo questions are distinct"
        for key, expected in (("j", 1), ("down", 2), ("k", 1), ("up", 0), ("j", 1)):
            await pilot.press(key)
            await pilot.pause()
            assert_shows(screen, expected)
        # The heading names the highlighted question's author on the terminal too.
        author = screen.items[1].question.author.display
        assert author in shown_part(screen, "heading")
        assert author[:12] in screen_text(app)


async def test_escape_keeps_the_draft_and_r_restores_it(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        qid = screen.items[0].question.id
        assert service.draft(qid) is None

        await pilot.press("r")
        await pilot.pause()
        assert composing(app)
        await type_text(pilot, "Half a thought")
        assert service.draft(qid) == "Half a thought", "saved while typing"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and not composing(app)
        assert service.draft(qid) == "Half a thought"
        assert "A draft reply is saved" in shown_part(screen, "status")
        with Store(service.locations.data_dir, read_only=True) as store:
            assert store.activity.draft(qid) == "Half a thought", "the draft is on disk"

        # Another question has no draft and its composer opens empty.
        await pilot.press("j")
        await pilot.pause()
        assert "draft" not in shown_part(screen, "status")
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.query_one(TextArea).text == ""
        await pilot.press("escape")
        await pilot.pause()
        assert service.draft(screen.items[1].question.id) is None

        await pilot.press("k", "r")
        await pilot.pause()
        assert composing(app)
        area = app.screen.query_one(TextArea)
        assert area.text == "Half a thought"
        assert area.cursor_location == area.document.end, "the cursor waits at the end"
        await type_text(pilot, ".")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen and not composing(app)
    assert service.draft(qid) is None, "a queued reply removes its draft"
    assert [r.body for r in service.outbox()] == ["Half a thought."]


async def test_an_empty_reply_is_not_sent(service: Service) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await begin(app, pilot)
        await pilot.press("r")
        await pilot.pause()
        await type_text(pilot, "  ")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert composing(app)
        assert recorder.find("The reply is empty.")
    assert service.outbox() == []


def stored_session(service: Service, session_id: str):
    """The session as saved on disk."""
    with Store(service.locations.data_dir, read_only=True) as store:
        return next(s for s in store.activity.sessions() if s.id == session_id)


async def test_the_clock_warns_at_80_percent_and_asks_at_100_percent(service: Service) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        budget = screen.session.budget_s
        assert budget == 30 * 60
        timer = plain(screen.query_one("#timer"))
        assert "left" in timer and ("29:5" in timer or "30:00" in timer), timer
        screen.tick()
        assert not recorder.find("Heads up")

        # 80% of the budget gone: one warning, no question yet.
        screen.started -= budget * 0.8 + 1
        screen.tick()
        await pilot.pause()
        warnings = recorder.find("Heads up")
        assert len(warnings) == 1
        assert "minutes left" in warnings[0]["message"]
        assert any("Heads up" in str(t.render()) for t in app.screen.query("Toast"))
        assert app.screen is screen
        screen.tick()
        assert len(recorder.find("Heads up")) == 1, "the warning is given once"

        # 100%: the time-up question.
        screen.started -= budget * 0.2
        screen.tick()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and app.screen.question.id == "timeup"
        assert "time is up" in plain(screen.query_one("#timer"))
        assert "Your time is up." in screen_text(app)

        # f: five more minutes, saved with the session.
        await pilot.press("f")
        await pilot.pause()
        assert app.screen is screen
        assert screen.session.extra_s == EXTRA_S == 300
        assert stored_session(service, screen.session.id).extra_s == 300
        assert recorder.find("Five more minutes.")
        screen.tick()
        await pilot.pause()
        assert app.screen is screen, "not asked again while the extra time runs"

        # The extra time runs out too: w goes to the wrap-up.
        screen.started -= EXTRA_S
        screen.tick()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and app.screen.question.id == "timeup"
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, WrapUpScreen)
        summary = plain(app.screen.query_one("#wrapup-summary"))
        assert "of 35." in summary, summary  # the budget shown includes the extra minutes
        saved = stored_session(service, screen.session.id)
        assert saved.ended_at is not None and saved.extra_s == 300


async def test_time_up_waits_while_the_leader_writes(service: Service) -> None:
    """The time-up question answers to single letters (w, f): asked while the composer
    has the keys, it would take the reply's next letters as answers (a "w" ending the
    session mid-sentence). It waits, says so once, and comes when the composer closes;
    the text typed meanwhile stays in the reply."""
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        qid = screen.items[0].question.id
        await pilot.press("r")
        await pilot.pause()
        await type_text(pilot, "Thanks so much")
        screen.started -= screen.total_s + 1
        screen.tick()
        await pilot.pause()
        assert app.screen is screen and composing(app)
        assert len(recorder.find("Time is up")) == 1
        await type_text(pilot, " we will fix it")
        screen.tick()
        await pilot.pause()
        assert app.screen is screen and len(recorder.find("Time is up")) == 1
        assert service.draft(qid) == "Thanks so much we will fix it"
        await pilot.press("escape")  # the composer closes, its draft kept
        await pilot.pause()
        screen.tick()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and app.screen.question.id == "timeup"
        assert service.draft(qid) == "Thanks so much we will fix it"


async def test_escape_on_the_time_up_question_keeps_going(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        screen.started -= screen.total_s + 1
        screen.tick()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and app.screen.question.id == "timeup"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert screen.session.extra_s == EXTRA_S


async def test_e_without_an_editor_says_how_to_set_one(service: Service) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        assert app.screen is screen
        [call] = recorder.find("Set $EDITOR")
        assert call["severity"] == "warning"


async def test_e_on_a_terminal_that_cannot_suspend_keeps_the_app(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "true")
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        assert app.screen is screen and app.is_running
        assert recorder.find("cannot hand over to an editor")


async def test_q_on_the_start_screen_leaves_without_a_session(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running
    assert app.return_code == 0
    assert service.store.activity.sessions() == []


class _EditorHost:
    """What compose_in_editor needs of the app: suspend (a terminal that can) and notify."""

    def __init__(self) -> None:
        self.told: list[str] = []

    def suspend(self):
        import contextlib

        return contextlib.nullcontext()

    def notify(self, message: str, **options: object) -> None:
        self.told.append(message)


@pytest.mark.parametrize(
    ("editor", "draft", "result", "told"),
    [
        ("truncate -s 0", "A long draft to the customer.", None, "left no text; draft kept."),
        ('sh -c \'printf "New text\\n" > "$0"\'', "Old", "New text", None),
        ("truncate -s 0", "", "", None),  # nothing was lost: an empty reply stays empty
    ],
)
def test_an_editor_that_leaves_no_text_keeps_the_draft(editor, draft, result, told) -> None:
    """An editor that empties the file (and exits 0) wiped the draft without a word."""
    from cxdaily.ui.compose_reply import compose_in_editor

    host = _EditorHost()
    assert compose_in_editor(host, draft, editor) == result  # type: ignore[arg-type]
    assert (told in host.told[0]) if told else host.told == []
