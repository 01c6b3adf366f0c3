"""Find and filter in the session: ``/`` searches the batch and the stored questions (any
case or accent, in a worker), a stored match joins the session, ``f`` filters the queue
by state, channel or tag (shown in the queue's header), escape shows everything again,
and ``o`` opens only web links, through ``webbrowser.open`` in a terminal and through the
leader's browser (``App.open_url``) when the app is served in a tab."""

from __future__ import annotations

import threading
import webbrowser

import pytest
from msgspec.structs import replace
from textual.widgets import Input, OptionList

from cxdaily.core.models import Author, Question
from cxdaily.core.safe_text import clean
from cxdaily.service import Service
from cxdaily.service.search import fold
from cxdaily.ui.app import CxDailyApp
from cxdaily.ui.modals.filter_pick import FilterScreen
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.source_link import web_link
from tests.ui.pilot_kit import (
    SMALL,
    UI_NOW,
    assert_terminal_safe,
    assert_widget_safe,
    begin,
    make_app,
    plain,
    settle,
    shown_part,
    type_text,
)

HOSTILE_NAME = "[@click=app.quit]Zoë Quitter[/]"


def listed(screen: SessionScreen) -> list[str]:
    """The ids the queue lists, in order."""
    queue = screen.pane.queue
    return [queue.get_option_at_index(i).id or "" for i in range(queue.option_count)]


def header(screen: SessionScreen) -> str:
    """The queue's header."""
    return plain(screen.query_one("#queue-header"))


def assert_header_fits(screen: SessionScreen) -> None:
    """The header shows whole: with the key that clears the filter when it fits, else
    without (it read "drafted 1/11  esc cle…")."""
    shown = header(screen)
    assert len(shown) <= screen.query_one("#queue-header").content_size.width, shown
    assert shown.endswith("  esc clears") or "esc" not in shown, shown


async def pick_filter(app, pilot, label: str) -> None:
    """Press f and pick the choice whose line holds ``label``."""
    await pilot.press("f")
    await pilot.pause()
    assert isinstance(app.screen, FilterScreen)
    options = app.screen.query_one(OptionList)
    for index in range(options.option_count):
        if label in options.get_option_at_index(index).prompt.plain:
            options.highlighted = index
            break
    else:
        raise AssertionError(f"no filter {label!r}")
    await pilot.press("enter")
    await pilot.pause()


def outside_question(service: Service) -> Question:
    """A stored question with a hostile customer name, asked yesterday: not in today's
    batch until a search finds it."""
    question = Question(
        id="demo:search-outside",
        channel="demo",
        kind="demo",
        native_id="search-outside",
        thread_id="search-outside",
        url="https://example.com/q/1",
        author=Author(id="z1", handle="@zoe", name=HOSTILE_NAME),
        title="Invoice déjà payée",
        body="Ma facture est déjà payée \x1b]52;c;aGk=\x07 mais relancée.",
        created_at=UI_NOW.replace(day=20),
    )
    service.store.questions.upsert_many([question])
    return question


async def test_slash_narrows_the_batch_by_customer_any_case(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        target = screen.items[3].question
        name = target.author.name or target.author.handle or ""
        await pilot.press("slash")
        await pilot.pause()
        field = screen.query_one("#search", Input)
        assert app.focused is field
        await type_text(pilot, name.split()[0].upper())
        await settle(app, pilot)
        assert target.id in listed(screen)
        assert len(listed(screen)) < len(screen.items)
        assert_header_fits(screen)
        assert f" 1/{len(screen.items)}" in header(screen)
        await pilot.press("enter")  # opens the first match: the queue has the focus
        await pilot.pause()
        assert app.focused is screen.pane.queue
        assert screen.current() is not None and screen.current().question.id in listed(screen)
        await pilot.press("escape")  # everything again
        await pilot.pause()
        assert listed(screen) == [item.question.id for item in screen.items]
        assert header(screen) == f"{len(screen.items)} questions"
        assert not field.display


async def test_a_search_finds_stored_questions_in_a_worker_and_adds_one(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = outside_question(service)
    threads: list[str] = []
    real_search = Service.search_questions

    def recording(self: Service, *args, **kwargs):
        threads.append(threading.current_thread().name)
        return real_search(self, *args, **kwargs)

    monkeypatch.setattr(Service, "search_questions", recording)
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        ui_thread = threading.current_thread().name
        await pilot.press("slash")
        await type_text(pilot, "deja payee")  # no accents typed
        await settle(app, pilot)
        assert threads and ui_thread not in threads, threads
        stored = screen.query_one("#stored", OptionList)
        assert stored.display and stored.option_count == 1
        assert stored.get_option_at_index(0).id == outside.id
        assert "Stored questions: 1" in plain(screen.query_one("#stored-heading"))
        assert_widget_safe(stored)
        assert HOSTILE_NAME[:12] in assert_terminal_safe(app), "shown literally"
        assert listed(screen) == [], "nothing in the batch says that"
        await pilot.press("enter")  # no batch match: the stored one opens
        await pilot.pause()
        assert screen.items[-1].question.id == outside.id
        assert screen.current().question.id == outside.id
        assert "found by search" in shown_part(screen, "reasons")
        assert recorder.find("Added to this session")
        assert len(listed(screen)) == len(screen.items), "search closed: every question shows"
        await pilot.press("s")  # worked like any other question
        await pilot.pause()
        assert screen.statuses[outside.id] == "skipped"


async def test_a_stored_match_is_picked_from_its_list(service: Service) -> None:
    outside = outside_question(service)
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        await pilot.press("slash")
        await type_text(pilot, "ZOE")
        await settle(app, pilot)
        stored = screen.query_one("#stored", OptionList)
        stored.focus()
        stored.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert screen.current().question.id == outside.id


async def test_f_filters_by_state_and_tag_and_the_header_says_so(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        total = len(screen.items)
        skipped = screen.current().question.id
        await pilot.press("s")
        await pilot.pause()
        await pick_filter(app, pilot, "skipped")
        assert app.screen is screen
        assert listed(screen) == [skipped]
        assert header(screen).startswith(f"skipped 1/{total}")
        assert_header_fits(screen)
        await pilot.resize_terminal(200, 50)  # room for the key that clears it
        await pilot.pause()
        assert header(screen) == f"skipped 1/{total}  esc clears"
        await pilot.resize_terminal(*SMALL)
        await pilot.pause()
        assert_header_fits(screen)

        await pilot.press("escape")
        await pilot.pause()
        await pick_filter(app, pilot, "open")
        assert skipped not in listed(screen) and len(listed(screen)) == total - 1
        await pilot.press("escape")
        await pilot.pause()

        tagged = screen.current().question.id
        await pilot.press("t")
        await pilot.pause()
        await type_text(pilot, "billing")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert screen.tags[tagged] >= {"billing"}
        await pick_filter(app, pilot, "billing")
        assert tagged in listed(screen)
        assert set(listed(screen)) <= {
            qid for qid, tags in screen.tags.items() if "billing" in tags
        }
        assert header(screen).startswith("tag billing ")
        await pilot.press("escape")
        await pilot.pause()
        assert len(listed(screen)) == total


async def test_f_offers_the_channels_and_drafted_questions(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        drafted = screen.items[1].question.id
        screen.pane.queue.highlighted = 1
        await pilot.press("r")
        await type_text(pilot, "Later")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        choices = [
            app.screen.query_one(OptionList).get_option_at_index(i).prompt.plain
            for i in range(app.screen.query_one(OptionList).option_count)
        ]
        assert any("Channel" in line and "demo" in line for line in choices), choices
        for state in ("open", "answered", "skipped", "snoozed", "handed off", "drafted"):
            assert any(state in line for line in choices), state
        await pilot.press("escape")
        await pilot.pause()
        await pick_filter(app, pilot, "drafted")
        assert listed(screen) == [drafted]


async def test_o_opens_web_links_only(service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        first = screen.items[0]
        screen.items[0] = replace(
            first, question=replace(first.question, url="https://example.com/t/1")
        )
        await pilot.press("o")
        await settle(app, pilot)
        assert opened == ["https://example.com/t/1"]
        assert recorder.find("Opened in the browser.")
        for bad in ("javascript:alert(1)", "file:///etc/passwd", "https://x.test/a b", ""):
            screen.items[0] = replace(first, question=replace(first.question, url=bad or None))
            await pilot.press("o")
            await settle(app, pilot)
            assert opened == ["https://example.com/t/1"], bad
        assert len(recorder.find("not a web address")) == 3
        assert recorder.find("has no source link")


async def test_o_in_a_browser_tab_opens_the_link_in_that_browser(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    def on_the_server(url: str, *args: object, **kwargs: object) -> bool:
        raise AssertionError("the server machine's browser must not open")

    monkeypatch.setattr(webbrowser, "open", on_the_server)
    monkeypatch.setattr(CxDailyApp, "is_web", property(lambda app: True))
    app, recorder = make_app(service)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **k: opened.append(url))
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        first = screen.items[0]
        for url in ("https://example.com/t/2", "javascript:alert(1)"):
            screen.items[0] = replace(first, question=replace(first.question, url=url))
            await pilot.press("o")
            await settle(app, pilot)
        assert opened == ["https://example.com/t/2"], "web addresses only, there too"
        assert recorder.find("Opened in a new browser tab.")
        assert recorder.find("not a web address")


def test_only_http_and_https_addresses_with_a_host_are_web_links() -> None:
    assert web_link("https://support.example.com/t/1") == "https://support.example.com/t/1"
    assert web_link("HTTP://example.com") == "HTTP://example.com"
    for bad in ("ftp://x", "https://", "//example.com", "data:text/html,x", "https://a\x1b.b"):
        assert web_link(bad) is None, bad


def test_search_folds_case_and_accents() -> None:
    assert fold("  Zoë  DÉJÀ ") == "zoe deja"
    assert clean(fold("Wójcik")) == "wojcik"


async def test_a_stored_question_already_answered_joins_as_answered(service: Service) -> None:
    """Found by a search and added, a question replied to earlier showed as open: one
    more "to go", and minutes counted for it, while its view said the reply was sent."""
    outside = outside_question(service)
    service.reply(outside.id, "Thanks, it is sorted.")
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        to_go = len(screen.pending())
        await pilot.press("slash")
        await type_text(pilot, "deja payee")
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.items[-1].question.id == outside.id
        assert screen.statuses[outside.id] == "answered"
        assert len(screen.pending()) == to_go


async def test_the_arrow_goes_on_from_the_queue_to_the_stored_matches(service: Service) -> None:
    """With matches in the queue and in the store, down stopped at the queue's last
    match: the stored questions could be reached only with tab, which nothing said."""
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        word = screen.items[0].question.author.display.split()[-1]
        outside = outside_question(service)
        service.store.questions.upsert_many(
            [replace(outside, body=f"Same trouble as {word} had, please help.")]
        )
        await pilot.press("slash")
        await type_text(pilot, word)
        await settle(app, pilot)
        stored = screen.query_one("#stored", OptionList)
        assert listed(screen) and stored.option_count >= 1
        await pilot.press("down")  # from the field to the queue's matches
        for _ in range(len(listed(screen))):
            await pilot.press("down")
        await pilot.pause()
        assert stored.has_focus
        await pilot.press("enter")
        await pilot.pause()
        assert screen.items[-1].question.id == outside.id
