"""Customer text is hostile input: every view that shows it keeps markup literal and lets
no escape sequence, control character or bidi override reach the terminal.

Each hostile question carries one payload in every customer field (author name and
handle, title, body, thread, URL, and the service label). For every view the tests check
that the app survives, that markup payloads are shown as the literal text the customer
typed, that clicking them does nothing, and that the exact output a driver would write
holds nothing but text, colours and cursor moves.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.app import App, ComposeResult
from textual.content import Content
from textual.widgets import Static, TextArea

from cxdaily.connectors.demo import DemoConnector
from cxdaily.core.errors import ConnectorError
from cxdaily.core.models import Author, Message, Question
from cxdaily.core.safe_text import clean, one_line
from cxdaily.service import Service
from cxdaily.ui.modals.handoff import HandoffScreen
from cxdaily.ui.modals.tag import TagScreen
from cxdaily.ui.question_parts import channel_label
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.screens.start import StartScreen
from cxdaily.ui.widgets.question_view import QuestionView
from cxdaily.ui.widgets.queue import QuestionQueue
from tests.ui.pilot_kit import (
    SMALL,
    UI_NOW,
    assert_cells_safe,
    assert_terminal_safe,
    assert_widget_safe,
    composing,
    find_on_screen,
    make_app,
    plain,
    screen_text,
    shown_part,
    type_text,
    wait_for_start,
)

CLICK = "[@click=app.quit]x[/]"
LINK = "[link=https://evil.example]x[/link]"
STRAY = "a stray [/] closer"
BOLD = "[b]bold[/b]"
MARKUP = (CLICK, LINK, STRAY, BOLD)
PAYLOADS = (
    *MARKUP,
    "\x1b]52;c;SGVsbG8=\x07",  # OSC 52: write to the clipboard
    "\x1b]0;pwned\x07",  # OSC 0: set the window title
    "\x1b[31mred\x1b[0m",  # CSI colours
    "\x9b2J",  # 8-bit CSI: clear the screen
    "\u202eevil",  # bidi override
    "\x00\x07\x08",  # NUL, BEL, backspace
)
ALL_AT_ONCE = " ".join(PAYLOADS)
#: Text that only exists inside escape sequences: it must never be shown.
NEVER_SHOWN = ("SGVsbG8", "pwned", "2J", "[31m", "]52;", "]0;")


def hostile_question(n: int, payload: str) -> Question:
    """A question that pushes to the top of the batch, with ``payload`` everywhere."""
    native = f"evil-{n}"
    return Question(
        id=Question.make_id("demo", native),
        channel="demo",
        kind="demo",
        native_id=native,
        thread_id=native,
        url=f"https://example.com/t/{n}?q={payload}",
        author=Author(
            id=f"e{n}", handle=f"@h{n}{payload}", name=f"{payload} N{n}", followers=50_000
        ),
        title=f"{payload} title {n}",
        body=f"Body {n}: {payload} please cancel my plan?",
        created_at=UI_NOW - timedelta(hours=40) + timedelta(minutes=n),  # payload 0 first
        context=(
            Message(
                author=Author(handle=f"@c{n}{payload}", name=f"{payload} ctx{n}"),
                body=f"earlier {payload} message {n}",
                created_at=UI_NOW - timedelta(hours=50),
            ),
        ),
        meta={"vip": True, "service": payload},
    )


HOSTILE = [
    *(hostile_question(n, p) for n, p in enumerate(PAYLOADS)),
    hostile_question(len(PAYLOADS), ALL_AT_ONCE),
]
HOSTILE_IDS = {q.id for q in HOSTILE}
#: The questions the modals are opened on: each markup payload, and every payload at once.
MODAL_IDS = {q.id for q in HOSTILE[: len(MARKUP)]} | {HOSTILE[-1].id}


@pytest.fixture
def hostile_service(service: Service) -> Service:
    """The demo profile with the hostile questions stored beside the demo inbox."""
    service.store.questions.upsert_many(HOSTILE)
    return service


def assert_not_leaked(text: str) -> None:
    """Nothing that only lives inside an escape sequence is shown."""
    for needle in NEVER_SHOWN:
        assert needle not in text, f"{needle!r} is shown: {text!r}"


async def click_literal(app: App, pilot, needle: str = CLICK) -> None:
    """Click where ``needle`` is drawn; the app must still be running on the same screen."""
    position = find_on_screen(app, needle)
    assert position is not None, f"{needle!r} is not shown:\n{screen_text(app)}"
    screen = app.screen
    x, y = position
    for dx in (0, 1, needle.index("]") + 1):  # the bracket, the action, the text "x"
        await pilot.click(offset=(x + dx, y))
        await pilot.pause()
        assert app.is_running and app.return_code is None, "a click ran the customer's action"
        assert app.screen is screen


# -- the harness catches what it should ------------------------------------------------
class _Active(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(Content.from_markup(f"{CLICK} [link='https://evil.example']y[/]"), id="markup")
        yield Static(Content(PAYLOADS[4] + " ok"), id="escape")


async def test_the_checks_catch_an_active_payload() -> None:
    """Guard against vacuous checks: parsed markup and raw escapes are detected."""
    app = _Active()
    async with app.run_test(size=(60, 4)) as pilot:
        with pytest.raises(AssertionError):
            assert_widget_safe(app.query_one("#markup"))
        with pytest.raises(AssertionError):
            assert_widget_safe(app.query_one("#escape"))
        with pytest.raises(AssertionError):
            assert_terminal_safe(app)
        position = find_on_screen(app, "x")
        assert position is not None
        await pilot.click(offset=position)
        await pilot.pause()
        assert not app.is_running, "an unescaped [@click] really runs the action"


# -- the start screen ----------------------------------------------------------------
async def test_the_start_screen_batch_list(hostile_service: Service) -> None:
    app, _ = make_app(hostile_service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        start = await wait_for_start(app, pilot)
        assert {item.question.id for item in start.todays_batch.items} >= HOSTILE_IDS
        listing = plain(start.query_one("#start-list"))
        for question in HOSTILE:
            assert one_line(question.title) in listing
            assert one_line(channel_label(question), 24) in listing
        for literal in MARKUP:
            assert literal in listing
        assert_not_leaked(listing)
        assert_widget_safe(start.query_one("#start-list"))  # rows scrolled out of view too

        app.clear_notifications()
        await pilot.pause()
        text = assert_terminal_safe(app)
        assert CLICK in text
        assert_not_leaked(text)
        await click_literal(app, pilot)
        assert isinstance(app.screen, StartScreen)


async def test_a_channel_error_quoting_hostile_text(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def fail(self, checkpoint):
        raise ConnectorError(f"HTTP 500: {ALL_AT_ONCE}", channel=self.name)

    monkeypatch.setattr(DemoConnector, "fetch", fail)
    service.store.questions.upsert_many(HOSTILE)  # cached questions still show
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        start = await wait_for_start(app, pilot)
        channels = plain(start.query_one("#start-channels"))
        assert channels.startswith("✗ demo")
        assert f"HTTP 500: {CLICK} {LINK} {STRAY} {BOLD} red evil" in channels
        assert_not_leaked(channels)
        app.clear_notifications()
        await pilot.pause()
        assert CLICK in assert_terminal_safe(app)
        await click_literal(app, pilot)


# -- the session: queue and question view ----------------------------------------------
async def test_the_session_queue_and_every_part_of_the_question_view(
    hostile_service: Service,
) -> None:
    app, _ = make_app(hostile_service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        app.clear_notifications()
        queue = screen.query_one(QuestionQueue)
        by_id = {q.id: q for q in HOSTILE}
        positions = [i for i, item in enumerate(screen.items) if item.question.id in by_id]
        assert len(positions) == len(HOSTILE)

        # The queue: one line per question, literal and clean.
        for index in positions:
            question = screen.items[index].question
            prompt = queue.get_option_at_index(index).prompt
            assert isinstance(prompt, Content)
            assert one_line(question.author.name, 18) in prompt.plain
            assert one_line(question.title, 60) in prompt.plain
            assert_not_leaked(prompt.plain)
        assert_widget_safe(queue)

        # The question view, question by question.
        seen_markup = set()
        for index in positions:
            queue.highlighted = index
            await pilot.pause()
            question = screen.items[index].question
            view = {part: shown_part(screen, part) for part in QUESTION_PARTS}
            assert one_line(channel_label(question), 40) in view["heading"]
            assert one_line(question.author.name, 60) in view["heading"]
            assert one_line(question.author.handle, 60) in view["heading"]
            assert view["reasons"].startswith("Why: churn, VIP")  # must-see kinds first
            assert view["title"] == clean(question.title)
            context = question.context[0]
            assert one_line(context.author.name, 60) in view["thread"]
            assert clean(context.body) in view["thread"]
            assert view["body"] == clean(question.body)
            assert f"Source: {clean(question.url)}" in view["status"]
            for text in view.values():
                assert_not_leaked(text)
            question_view = screen.query_one(QuestionView)
            for strip in question_view.drawn_lines():
                assert_cells_safe(strip, question_view)
            shown = assert_terminal_safe(app)
            # the view's lines are what reaches the terminal; a literal may wrap
            drawn = " ".join(strip.text.strip() for strip in question_view.drawn_lines())
            for literal in MARKUP:
                if literal in question.body:
                    assert literal in drawn, f"{literal!r} is not drawn literally"
                    seen_markup.add(literal)
            assert_not_leaked(shown)
            for literal in (CLICK, LINK):
                if literal in question.body:
                    await click_literal(app, pilot, literal)
        assert seen_markup == set(MARKUP)


QUESTION_PARTS = ("heading", "reasons", "title", "thread", "body", "status")


# -- modals ----------------------------------------------------------------------------
async def test_the_composer_tag_and_hand_off_modals(hostile_service: Service) -> None:
    app, _ = make_app(hostile_service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        app.clear_notifications()
        queue = screen.query_one(QuestionQueue)
        for index, item in enumerate(screen.items):
            question = item.question
            if question.id not in MODAL_IDS:
                continue
            name = one_line(question.author.name, 40)
            queue.highlighted = index
            await pilot.pause()

            await pilot.press("r")
            await pilot.pause()
            assert composing(app)
            heading = plain(app.screen.query_one("#composer-heading"))
            assert heading == f"Reply to {name} on demo"
            assert_widget_safe(app.screen.query_one("#composer-heading"))
            shown = assert_terminal_safe(app)
            if question.author.name.startswith(CLICK):
                assert CLICK in shown
                await click_literal(app, pilot)
            await pilot.press("escape")
            await pilot.pause()

            await pilot.press("t")
            await pilot.pause()
            assert isinstance(app.screen, TagScreen)
            tag_heading = app.screen.query_one("#tag-form > Static")
            assert plain(tag_heading) == f"Insight from {name}"
            quote = app.screen.query_one("#tag-quote", TextArea)
            assert quote.text == one_line(question.body)[:280]
            assert_widget_safe(tag_heading)
            assert_widget_safe(quote)
            shown = assert_terminal_safe(app)
            assert_not_leaked(shown)
            if question.author.name.startswith(CLICK):
                assert CLICK in shown
                await click_literal(app, pilot)
            await pilot.press("escape")
            await pilot.pause()

            await pilot.press("h")
            await pilot.pause()
            assert isinstance(app.screen, HandoffScreen)
            handoff_heading = app.screen.query_one("#handoff-form > Static")
            assert plain(handoff_heading) == f"Hand off {name}"
            assert_widget_safe(handoff_heading)
            assert_not_leaked(assert_terminal_safe(app))
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen
        assert app.is_running


# -- notifications ---------------------------------------------------------------------
def toasts(app: App) -> list[str]:
    """The text of every toast on the screen."""
    return [t.render().plain for t in app.screen.query("Toast")]


async def test_a_failed_send_quoting_hostile_text_in_a_notification(
    hostile_service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refuse(self, question, body, idempotency_key):
        raise ConnectorError(f"HTTP 422: {ALL_AT_ONCE}", channel=self.name)

    monkeypatch.setattr(DemoConnector, "send_reply", refuse)
    app, recorder = make_app(hostile_service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        app.clear_notifications()
        await pilot.press("r")
        await pilot.pause()
        await type_text(pilot, "Hi")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert len(recorder.find("Reply kept in the outbox")) == 1
        [toast] = [t for t in toasts(app) if "Reply kept in the outbox" in t]
        assert CLICK in toast and LINK in toast
        assert_not_leaked(toast)
        for widget in app.screen.query("Toast"):
            assert_widget_safe(widget)
        assert_not_leaked(assert_terminal_safe(app))
        assert app.is_running


async def test_an_error_quoting_hostile_text_in_a_notification(
    hostile_service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args, **kwargs):
        raise ConnectorError(f"the service said: {ALL_AT_ONCE}", channel="demo")

    monkeypatch.setattr(hostile_service, "skip", refuse)
    app, _ = make_app(hostile_service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        app.clear_notifications()
        await pilot.press("s")
        await pilot.pause()
        assert app.is_running
        [toast] = [t for t in toasts(app) if "the service said" in t]
        assert CLICK in toast
        assert_not_leaked(toast)
        assert_terminal_safe(app)
