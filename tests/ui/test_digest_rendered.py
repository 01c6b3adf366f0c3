"""The digest screen renders the digest (headings, lists and tables, not Markdown source)
at any size, steps through the tags by key, shortens a long digest with a line per team,
and keeps customer text inert: no link, image or HTML comes from a customer."""

from __future__ import annotations

import re
import webbrowser

import pytest
from textual.geometry import Region
from textual.widgets import Markdown, Static
from textual.widgets._markdown import MarkdownBlock

from cxdaily.service import Service
from cxdaily.ui.screens.digest import DigestScreen
from cxdaily.ui.widgets import digest_view
from cxdaily.ui.widgets.digest_view import DigestView, safe_parser
from tests.ui.pilot_kit import (
    SMALL,
    WIDE,
    assert_terminal_safe,
    make_app,
    open_digest,
    plain,
    screen_lines,
    settle,
    tag_three,
    wait_for_start,
)

HOSTILE = (
    "[click](javascript:alert(1)) ![pixel](https://evil.example/p.png) "
    "<img src=https://evil.example/i.png onerror=alert(1)> https://bare.example "
    "**bold** [@click=app.quit]Quit[/] \x1b]52;c;cGF5\x07 \u202eevil"
)
WEB_LINK = re.compile(r"^link\('https?://[^']+'\)$")


def blocks(screen: DigestScreen) -> list[MarkdownBlock]:
    return list(screen.query_one("#digest-view").query(MarkdownBlock))


def rendered_text(screen: DigestScreen) -> str:
    """The text of every rendered block (scrolled into view or not)."""
    return "\n".join(block._content.plain for block in blocks(screen) if block._content.plain)


def click_actions(screen: DigestScreen) -> list[str]:
    """Every click action in the cells the digest's blocks render."""
    found = []
    for block in blocks(screen):
        width, height = block.size
        for strip in block.render_lines(Region(0, 0, width, height)):
            for segment in strip:
                meta = segment.style.meta if segment.style else None
                if meta and "@click" in meta:
                    found.append(meta["@click"])
    return found


@pytest.mark.parametrize("size", [SMALL, (60, 15)])
async def test_the_digest_is_rendered_not_markdown_source(
    service: Service, size: tuple[int, int]
) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=size, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        tag_three(service)
        screen = await open_digest(app, pilot)
        lines = screen_lines(app)
        text = "\n".join(lines)
        assert lines[1].strip().startswith("Digest · Last 7 days")
        assert "Customer insights" in text and "What matters" in rendered_text(screen)
        assert not any(line.strip("│ ").startswith("#") for line in lines), text
        assert "**" not in text and "- **" not in rendered_text(screen)
        assert screen.query_one("#digest-status").display is False
        assert screen.query_one("#digest-scroll").has_focus
        assert_terminal_safe(app)
        # The digest scrolls with the keyboard down to its insights, rendered as a list.
        await pilot.press("end")
        await pilot.pause()
        assert "Loves exports" in rendered_text(screen)
        assert not recorder.find("Traceback")


async def test_the_tag_key_steps_through_the_tags_of_the_period(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        tag_three(service)
        screen = await open_digest(app, pilot)
        header = screen.query_one("#digest-header", Static)
        assert "all tags · 3 insights" in plain(header)
        await pilot.press("g")
        await settle(app, pilot)
        assert "all teams · billing · 2 insights" in plain(header)
        text = rendered_text(screen)
        assert "Charged after cancelling" in text and "Loves exports" not in text
        await pilot.press("g")
        await settle(app, pilot)
        assert "all teams · praise · 1 insight" in plain(header)
        assert "Loves exports" in rendered_text(screen)
        await pilot.press("g")
        await settle(app, pilot)
        assert "all teams · all tags · 3 insights" in plain(header)


async def test_no_tag_to_step_through_says_so(service: Service) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        screen = await open_digest(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        assert recorder.find("No tags in this period and team.")
        assert "all tags" in plain(screen.query_one("#digest-header", Static))


async def test_links_images_and_html_from_customers_stay_inert(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    app, recorder = make_app(service)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        tag_three(service, hostile=HOSTILE)
        screen = await open_digest(app, pilot)
        text = rendered_text(screen)
        # Shown as the customer wrote it: the Markdown and the markup are text.
        assert "[click](javascript:alert(1))" in text
        assert "![pixel](https://evil.example/p.png)" in text and "🖼" not in text
        assert "<img src=https://evil.example/i.png onerror=alert(1)>" in text
        assert "**bold** [@click=app.quit]Quit[/]" in text
        # The only actions are the sources' web links; no customer address is one.
        actions = click_actions(screen)
        assert actions and all(WEB_LINK.match(action) for action in actions), actions
        assert not any("evil.example" in a or "bare.example" in a for a in actions)
        assert_terminal_safe(app)
        await pilot.click("#digest-view")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, DigestScreen)
        # A link that is not a web address is refused; a web one opens in the browser.
        view = screen.query_one(DigestView)
        view.post_message(Markdown.LinkClicked(view, "javascript:alert(1)"))
        await settle(app, pilot)
        assert recorder.find("Not opened") and opened == []
        view.post_message(Markdown.LinkClicked(view, "https://acme.example/t/1"))
        await settle(app, pilot)
        assert opened == ["https://acme.example/t/1"]
        assert not recorder.find("Traceback")


def test_the_parser_makes_no_image_no_html_and_no_bare_link() -> None:
    source = "![p](https://e.example/p.png) <b>x</b> https://bare.example [s](https://ok.example)"
    (paragraph,) = [t for t in safe_parser().parse(source) if t.type == "inline"]
    kinds = [child.type for child in paragraph.children or []]
    assert "image" not in kinds and "html_inline" not in kinds
    assert kinds.count("link_open") == 2  # [p](...) after a plain "!", and [s](...)
    hrefs = [c.attrs["href"] for c in paragraph.children or [] if c.type == "link_open"]
    assert "https://bare.example" not in hrefs


async def test_a_long_digest_is_shortened_with_a_line_per_team(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digest_view, "FULL_DIGEST_LIMIT", 2)
    monkeypatch.setattr(digest_view, "INSIGHTS_PER_TEAM", 1)
    app, _ = make_app(service)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        tag_three(service)
        screen = await open_digest(app, pilot)
        assert "3 insights · " in plain(screen.query_one("#digest-header", Static))
        assert "· showing 2" in plain(screen.query_one("#digest-header", Static))
        text = rendered_text(screen)
        assert "… 1 more insight in this team: x exports them all." in text
        assert "billing (2)" in text  # the heading keeps the whole count
        listed = text.split("\nInsights\n")[1]  # the themes above quote the others
        assert "Charged after cancelling" in listed and "Card declined twice" not in listed
        assert listed.count("more insight") == 1  # marketing shows its only insight
