"""Team mode in the app, with the team stubbed at the service's boundary (no database):
the claim mark in the queue and "Anna Berg is answering this" in the question view, the
team link's line under the clock, a claim when the composer opens and its release when
it closes without a draft, and the collision guard that names the other leader. Without
``[team]`` nothing of it shows and nothing of team mode loads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import pytest
from textual.widgets import Static

from cxdaily.core.models import Question
from cxdaily.service import Service
from cxdaily.team.database import TeamClaim
from cxdaily.team.link import LinkState
from cxdaily.ui.modals.confirm import ConfirmScreen
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.widgets.queue import CLAIM_MARK
from cxdaily.ui.widgets.team_link import TeamLinkLine
from tests.ui.pilot_kit import (
    SMALL,
    UI_NOW,
    begin,
    composing,
    footer_once,
    make_app,
    open_digest,
    plain,
    settle,
    shown_part,
    start_reply,
    type_text,
)
from tests.unit.team.team_kit import assert_team_mode_not_loaded

TINY = (60, 15)


class StubTeam:
    """What the app asks of team mode, answered from memory, recording claims and
    releases (the service's own team part queues them for the database)."""

    def __init__(self) -> None:
        self.state = LinkState(
            "db.acme.test:5432/cxdaily",
            offline_since=UI_NOW - timedelta(minutes=20),
            pending=2,
            last_error="team database db.acme.test: [b]connection refused[/b]",
        )
        self.held: dict[str, TeamClaim] = {}
        self.written: list[tuple[str, str]] = []
        self.others: list[str] = []

    def hold(self, question_id: str, member: str = "Anna Berg") -> None:
        """Another leader claimed the question three minutes ago."""
        self.held[question_id] = TeamClaim(
            key=f"demo:{question_id}", question_id=question_id, member=member, role="anna",
            claimed_at=UI_NOW - timedelta(minutes=3), expires_at=UI_NOW + timedelta(hours=1),
            mine=False,
        )  # fmt: skip

    def status(self) -> LinkState:
        return self.state

    def claims(self, questions: Iterable[Question] | None = None) -> dict[str, TeamClaim]:
        wanted = {q.id for q in questions or []}
        return {qid: claim for qid, claim in self.held.items() if qid in wanted}

    def claim(self, question_id: str) -> TeamClaim | None:
        self.written.append(("claim", question_id))
        return self.held.get(question_id)

    def release(self, question_id: str) -> None:
        self.written.append(("release", question_id))

    def others_on(self, question: Question) -> list[str]:
        return list(self.others)

    def close(self) -> None:
        """Nothing to stop."""


@pytest.fixture
def team(service: Service) -> StubTeam:
    """The demo service with its team part stubbed."""
    stub = StubTeam()
    service.team = stub  # type: ignore[assignment]
    return stub


def queue_lines(screen: SessionScreen) -> list[str]:
    queue = screen.pane.queue
    return [queue.get_option_at_index(i).prompt.plain for i in range(queue.option_count)]


@pytest.mark.parametrize("size", [SMALL, TINY])
async def test_a_question_another_leader_claimed_is_marked_and_named(
    service: Service, team: StubTeam, size: tuple[int, int]
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=size) as pilot:
        screen = await begin(app, pilot)
        first, second = (item.question.id for item in screen.items[:2])
        team.hold(second)
        screen.team.refresh()
        await settle(app, pilot)
        lines = queue_lines(screen)
        assert CLAIM_MARK not in lines[0] and CLAIM_MARK in lines[1]
        link = screen.query_one(TeamLinkLine)
        assert link.display and link.region.height == 1
        words = plain(link)
        assert words.startswith("team: offline since 07:40, 2 writes waiting")
        assert "[b]connection refused[/b]" in words, "the error is shown literally"
        await pilot.press("j")
        await settle(app, pilot)
        status = shown_part(screen, "status")
        assert "Anna Berg is answering this (3 min ago)" in status
        team.held.clear()  # the claim ended
        screen.team.refresh()
        await settle(app, pilot)
        assert CLAIM_MARK not in queue_lines(screen)[1]
        assert "answering this" not in shown_part(screen, "status")
        assert first != second


async def test_the_composer_claims_and_closing_it_empty_releases(
    service: Service, team: StubTeam
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        first, second = (item.question.id for item in screen.items[:2])
        composer = await start_reply(app, pilot)
        composer.query_one("#composer-text").clear()  # type: ignore[attr-defined]
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert team.written == [("claim", first), ("release", first)]

        await pilot.press("j")
        await start_reply(app, pilot)
        await type_text(pilot, "On it")
        await pilot.press("escape")  # a draft is kept, and the claim with it
        await settle(app, pilot)
        assert team.written[2:] == [("claim", second)]


async def test_opening_a_question_another_leader_holds_says_so(
    service: Service, team: StubTeam
) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        team.hold(screen.items[0].question.id, member="Bob Stone")
        await start_reply(app, pilot)
        await settle(app, pilot)
        assert recorder.find("Bob Stone is answering this (3 min ago)")


async def test_the_collision_guard_names_the_leader_on_the_question(
    service: Service, team: StubTeam
) -> None:
    team.others = ["Anna Berg is answering this (3 min ago)", "Bob Stone already sent a reply"]
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        question_id = screen.items[0].question.id
        await start_reply(app, pilot)
        await type_text(pilot, "We fixed it today.")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        text = plain(app.screen.query_one("#collision-team", Static))
        assert "Anna Berg is answering this" in text and "Bob Stone already sent" in text
        await pilot.press("n")  # keep it as the draft
        await settle(app, pilot)
        assert app.screen is screen and not composing(app)
        assert service.draft(question_id) == "We fixed it today."
        assert service.store.outbox.for_question(question_id) == []


async def test_without_team_mode_the_link_line_never_shows(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        await settle(app, pilot)
        assert not screen.query_one(TeamLinkLine).display
        assert not screen.team.enabled


def test_the_app_starts_without_loading_team_mode(subprocess_env) -> None:
    code = "import cxdaily.ui.app, cxdaily.ui.screens.session, cxdaily.ui.team_presence\n"
    assert_team_mode_not_loaded(code, subprocess_env)


async def test_the_digest_screen_switches_to_the_company_digest_in_team_mode(
    service: Service, team: StubTeam
) -> None:
    asked: list[object] = []
    own_digest = service.digest

    def company_digest(request):  # every leader's insights: here the store's own
        asked.append(request)
        return own_digest(request)

    team.company_digest = company_digest  # type: ignore[attr-defined]
    app, _ = make_app(service)
    async with app.run_test(size=TINY) as pilot:
        await settle(app, pilot)
        screen = await open_digest(app, pilot)
        assert plain(screen.query_one("#digest-header", Static)).startswith("Digest · ")
        await pilot.press("c")
        await settle(app, pilot)
        header = plain(screen.query_one("#digest-header", Static))
        assert header.startswith("Company digest · ") and len(asked) == 1
        await pilot.press("c")  # back to the leader's own
        await settle(app, pilot)
        assert plain(screen.query_one("#digest-header", Static)).startswith("Digest · ")
        assert len(asked) == 1


async def test_at_60_columns_the_team_digest_footer_keeps_back(
    service: Service, team: StubTeam
) -> None:
    """The company key made the digest's footer too long for 60 columns, and its last key,
    the way back, was cut: the key that leaves the screen comes right after help."""
    app, _ = make_app(service)
    async with app.run_test(size=(60, 15)) as pilot:
        await settle(app, pilot)
        await open_digest(app, pilot)
        # the keys that do not fit are left out whole, never cut ("x Expor"), once the
        # footer is laid out (a frame later)
        footer = await footer_once(app, pilot, lambda line: line.endswith("c Company"))
        assert footer.startswith("f1 Help esc Back ] Period "), footer
        assert footer.endswith("t Team g Tag c Company"), footer
        await pilot.resize_terminal(140, 30)  # room again: every key comes back
        wide = await footer_once(app, pilot, lambda line: "s Send" in line)
        assert "c Company  x Export  s Send" in wide, wide


async def test_without_team_mode_the_digest_has_no_company_key(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        screen = await open_digest(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        assert plain(screen.query_one("#digest-header", Static)).startswith("Digest · ")
