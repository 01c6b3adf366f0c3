"""The tag form's quote is the customer's own words, in whole sentences."""

from __future__ import annotations

from textual.widgets import TextArea

from cxdaily.service import Service
from cxdaily.ui.modals.tag import TagScreen
from tests.ui.pilot_kit import begin, make_app


async def test_the_quote_is_whole_sentences(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await begin(app, pilot)
        longest = max(screen.items, key=lambda item: len(item.question.body))
        screen.query_one("QuestionQueue").highlighted = screen.items.index(longest)
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TagScreen)
        area = app.screen.query_one("#tag-quote", TextArea)
        quote = area.text
        assert len(" ".join(longest.question.body.split())) > 600  # long enough to be cut
        assert quote.endswith(" …") and quote[-3] in ".!?"  # cut between sentences


async def test_the_suggested_sentiment_is_the_one_curation_gave(service: Service) -> None:
    """The form's sentiment starts as curation read the question (title, body, priority,
    stars), as its reasons say, not as the body alone reads."""
    from textual.widgets import Select

    from cxdaily.insights.taxonomy import suggest_sentiment

    app, _ = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await begin(app, pilot)
        differing = [
            item
            for item in screen.items
            if suggest_sentiment(item.question) != suggest_sentiment(item.question.body)
        ]
        assert differing, "the demo batch has a question its body alone misreads"
        item = differing[0]
        screen.query_one("QuestionQueue").highlighted = screen.items.index(item)
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TagScreen)
        chosen = app.screen.query_one("#tag-sentiment", Select).value
        assert chosen == suggest_sentiment(item.question)
