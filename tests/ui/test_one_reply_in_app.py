"""A question whose service keeps one reply (a review's response) can be answered again
in the app: the composer says the new reply replaces the one sent."""

from __future__ import annotations

from msgspec.structs import replace

from cxdaily.connectors import connector_class
from cxdaily.connectors.base import Connector
from cxdaily.connectors.demo import DemoConnector
from cxdaily.service import Service
from tests.ui.pilot_kit import begin, composing, make_app, plain, settle, type_text


class OneReplyDemo(DemoConnector):
    """The demo inbox, answered like a review: one response per question."""

    capabilities = replace(DemoConnector.capabilities, one_reply=True)


def registry(kind: str) -> type[Connector]:
    return OneReplyDemo if kind == "demo" else connector_class(kind)


async def test_a_second_reply_opens_the_composer_and_says_it_replaces(ui_home) -> None:
    service = Service.open("demo", connectors=registry)
    try:
        app, recorder = make_app(service)
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            screen = await begin(app, pilot)
            first = screen.items[0].question.id
            service.queue_reply(first, "Thanks for the review!")
            service.replies.retry()
            await pilot.press("r")
            await pilot.pause()
            assert composing(app)
            counter = plain(app.screen.query_one("#composer-counter"))
            assert "replaces your earlier response" in counter
            await type_text(pilot, "Update: the fix is out.")
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            if type(app.screen).__name__ == "ConfirmScreen":
                await pilot.press("y")
                await settle(app, pilot)
            bodies = [r.body for r in service.outbox() if r.question_id == first]
            assert bodies[-1].startswith("Update: the fix is out.")
            assert not recorder.find("You already replied")
    finally:
        service.close()
