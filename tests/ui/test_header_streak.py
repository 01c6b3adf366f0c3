"""The session header's streak updates as soon as today starts to count."""

from __future__ import annotations

from cxdaily.service import Service
from cxdaily.ui.modals.handoff import HandoffScreen
from tests.ui.pilot_kit import SMALL, begin, make_app, plain, type_text


async def test_the_header_streak_counts_today_once_a_question_is_handled(
    service: Service,
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        screen.tick()
        assert "streak 0 days" in plain(screen.query_one("#timer"))
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HandoffScreen)
        await type_text(pilot, "Billing: please refund the double charge")
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert service.streak().today_counts
        assert "streak 1 day" in plain(screen.query_one("#timer"))


async def test_a_cancelled_reply_reopens_its_question_in_the_session(service: Service) -> None:
    from cxdaily.ui.messages import ReplyCancelled

    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        item = screen.items[0]
        screen.record_status(item, "answered")
        assert screen.statuses[item.question.id] == "answered"
        app.post_message(ReplyCancelled(item.question.id))
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert item.question.id not in screen.statuses
        assert item in screen.pending()
