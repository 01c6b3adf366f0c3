"""Finding a saved reply by a few typed letters: ranking, folding, close names."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxdaily.replies.saved import SavedReply
from cxdaily.replies.saved_search import close_names, fold, search_saved_replies


def reply(name: str, title: str, body: str = "Some text.") -> SavedReply:
    return SavedReply(name=name, title=title, body=body, path=Path(f"/r/{name}.md"))


REFUND = reply("refund-on-the-way", "Refund on the way", "Your money is coming back.")
DELAY = reply("shipping-delay", "Shipping delay", "Sorry, the refund of shipping is slow.")
THANKS = reply("thanks", "Thank you", "Thanks for the kind words.")
CAFE = reply("cafe", "Café opening hours", "We open at nine.")
PRICES = reply("prices", "Prices", "See the plans and their prices.")
LIBRARY = (THANKS, DELAY, REFUND, CAFE, PRICES)


def names(query: str) -> list[str]:
    return [r.name for r in search_saved_replies(LIBRARY, query)]


@pytest.mark.parametrize("query", ["", "   ", "{}", "?!"])
def test_a_query_without_words_lists_everything_alphabetically_by_title(query):
    assert names(query) == ["cafe", "prices", "refund-on-the-way", "shipping-delay", "thanks"]


def test_a_title_match_ranks_above_a_body_match():
    assert names("refund") == ["refund-on-the-way", "shipping-delay"]


def test_a_word_start_ranks_above_a_match_inside_a_word():
    # 'ship' starts 'Shipping' in a title, and is only inside a word elsewhere.
    many = (*LIBRARY, reply("friendship", "Friendship notes", "Old friends."))
    assert [r.name for r in search_saved_replies(many, "ship")] == ["shipping-delay", "friendship"]


def test_letters_in_order_match_titles_and_names_but_not_texts():
    assert names("rfnd") == ["refund-on-the-way"]
    assert names("rotw") == ["refund-on-the-way"]
    # 'mnycm' is in order in 'money is coming' (a text): not a match.
    assert names("mnycm") == []


def test_every_word_of_the_query_must_match():
    assert names("refund way") == ["refund-on-the-way"]
    assert names("refund banana") == []


def test_case_and_accents_do_not_matter():
    assert names("CAFE") == ["cafe"]
    assert names("opéning") == ["cafe"]
    assert fold("Émile ÇA ß") == "emile ca ss"


def test_a_title_that_starts_with_the_query_comes_first_among_equals():
    both = (reply("b", "Plans and prices"), reply("a", "Prices and plans"))
    assert [r.name for r in search_saved_replies(both, "prices")] == ["a", "b"]


def test_equal_scores_are_alphabetical_by_title():
    same = (reply("z", "Zebra note", "hello"), reply("y", "Apple note", "hello"))
    assert [r.name for r in search_saved_replies(same, "hello")] == ["y", "z"]


def test_the_name_counts_like_the_title():
    assert names("delay") == ["shipping-delay"]


def test_close_names_by_spelling_then_by_letters():
    assert close_names("refnud-on-the-way", LIBRARY) == ["refund-on-the-way"]
    assert close_names("thnks", LIBRARY) == ["thanks"]
    assert close_names("banana", LIBRARY) == []
