"""Filling a saved reply's placeholders (a missing value stays visible and flagged, never an
empty string) and putting several into one reply."""

from __future__ import annotations

from datetime import date

import pytest

from cxdaily.core.models import Author
from cxdaily.replies.saved_fill import (
    PLACEHOLDERS,
    FilledReply,
    Gap,
    channel_display_name,
    fill_placeholders,
    first_name,
    insert_block,
    placeholder_values,
    placeholders_left,
    readable_day,
    real_name,
)

ALL = {
    "first_name": "Jane",
    "name": "Jane Doe",
    "channel": "Help Scout",
    "product": "Acme Cloud",
    "today": "Saturday 21 November 2026",
}


def gap_texts(filled: FilledReply) -> list[str]:
    return [filled.text[gap.start : gap.end] for gap in filled.gaps]


# ----------------------------------------------------------------------------- filling
def test_every_placeholder_is_filled():
    template = "Hi {first_name} ({name}), thanks for writing on {channel} about {product}, {today}."
    filled = fill_placeholders(template, ALL)
    assert filled.text == (
        "Hi Jane (Jane Doe), thanks for writing on Help Scout about Acme Cloud, "
        "Saturday 21 November 2026."
    )
    assert filled.missing == () and filled.gaps == () and filled.complete


def test_the_list_of_placeholders_is_what_the_values_give():
    assert set(PLACEHOLDERS) == set(ALL)


@pytest.mark.parametrize("empty", [None, "", "   ", "\x1b[0m", "\u200b"])
def test_a_missing_value_stays_visible_and_is_flagged(empty):
    filled = fill_placeholders("Hi {first_name}, about {product}.", {**ALL, "first_name": empty})
    assert filled.text == "Hi {first_name}, about Acme Cloud."
    assert filled.missing == ("first_name",) and filled.unknown == ()
    assert not filled.complete
    assert gap_texts(filled) == ["{first_name}"]


def test_a_placeholder_with_no_value_at_all_stays_as_written():
    filled = fill_placeholders("Hi { First_Name },", {})
    assert filled.text == "Hi { First_Name },"
    assert filled.missing == ("first_name",) and gap_texts(filled) == ["{ First_Name }"]


def test_unknown_placeholders_stay_and_are_reported_as_unknown():
    filled = fill_placeholders("Hi {frist_name}, {first_name}, {frist_name}", ALL)
    assert filled.text == "Hi {frist_name}, Jane, {frist_name}"
    assert filled.missing == ("frist_name",) and filled.unknown == ("frist_name",)
    assert gap_texts(filled) == ["{frist_name}", "{frist_name}"]


def test_case_and_spaces_inside_braces_are_forgiven():
    assert fill_placeholders("{FIRST_NAME} { product }", ALL).text == "Jane Acme Cloud"


def test_double_braces_write_literal_braces_and_are_never_filled():
    filled = fill_placeholders("Use {{first_name}} or {{ }} then {first_name}}}", ALL)
    assert filled.text == "Use {first_name} or { } then Jane}"
    assert filled.missing == ()


def test_gaps_point_at_the_right_place_after_escapes_and_values():
    filled = fill_placeholders("{{x}} {name} {today} {product}", {"name": "Jane Doe"})
    assert filled.text == "{x} Jane Doe {today} {product}"
    assert filled.gaps == (Gap(13, 20, "today"), Gap(21, 30, "product"))


def test_braces_that_are_not_placeholders_are_left_alone():
    text = 'Send {"id": 1} or {} or { two words } or {1st}'
    filled = fill_placeholders(text, ALL)
    assert filled.text == text and filled.missing == ()


def test_only_the_products_placeholders_are_left_to_fill_at_sending():
    """What a send checks: ``{{id}}`` wrote a literal ``{id}`` the leader meant, and hand-
    written or misspelt braces are text too; the product's own names are gaps."""
    literal = fill_placeholders("Call GET /orders/{{id}} with {{token}}.", ALL).text
    assert literal == "Call GET /orders/{id} with {token}." and placeholders_left(literal) == ()
    assert placeholders_left('{"id": 1} {frist_name} {x_y} {1st}') == ()
    left = fill_placeholders("Hi {first_name}, {{id}} is {product} on {today}", {}).text
    assert [gap.name for gap in placeholders_left(left)] == ["first_name", "product", "today"]
    assert [left[g.start : g.end] for g in placeholders_left(left)] == [
        "{first_name}",
        "{product}",
        "{today}",
    ]
    assert placeholders_left("Hi { First_Name }!") == (Gap(3, 17, "first_name"),)


def test_a_value_is_put_on_one_line_without_escape_sequences():
    filled = fill_placeholders("Hi {product}!", {"product": "Acme\n\x1b]0;x\x07Cloud\u202e"})
    assert filled.text == "Hi Acme Cloud!"
    assert fill_placeholders("{product}", {"product": "Acme\udc80"}).text == "Acme\ufffd"


# ----------------------------------------------------------------------------- names
@pytest.mark.parametrize(
    ("name", "handle", "expected"),
    [
        ("Jane Doe", "jdoe", "Jane"),
        ("jane doe", None, "jane"),
        ("Anne-Marie O'Brien", None, "Anne-Marie"),
        ("Dr. Jane Doe", None, "Jane"),
        ("Mrs Smith", None, None),
        ("Prof. Ada", None, None),
        ("🌸 Jane Doe", None, "Jane"),
        ("José Álvarez", None, "José"),
        ("Jane", "jane_42", "Jane"),
        ("J. Doe", None, None),
        ("jdoe", None, None),
        ("JaneDoe", "janedoe", None),
        ("@jane", None, None),
        ("jane.doe@example.com", None, None),
        ("jane_doe", None, None),
        ("user12345", None, None),
        ("Customer", None, None),
        ("https://example.com Jane", None, None),
        (None, "jdoe", None),
        ("", None, None),
        ("A" * 41 + " Doe", None, None),
    ],
)
def test_first_name_is_the_first_word_of_a_real_name(name, handle, expected):
    assert first_name(Author(name=name, handle=handle)) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("\x1b]52;c;ZXZpbA==\x07Jane\x1b[2J Doe", "Jane"),  # OSC 52 clipboard write, clear screen
        ("\u202eJane Doe", "Jane"),  # right-to-left override
        ("Ja\u200bne\u200d Doe", "Jane"),  # zero-width space and joiner
        ("Jane\x9b31m Doe", "Jane"),  # 8-bit CSI
        ("Jane\x00\x07 Doe", "Jane"),  # control characters
        ("[@click=app.quit]Jane[/] Doe", None),  # markup is no name
        ("\ud800Jane Doe", None),  # a lone surrogate is no letter
    ],
)
def test_hostile_author_names_are_cleaned_or_refused(name, expected):
    author = Author(name=name)
    assert first_name(author) == expected
    filled = fill_placeholders("Hi {first_name}, dear {name}", placeholder_values_for(author))
    for bad in ("\x1b", "\x9b", "\u202e", "\u200b", "\x00", "\x07", "[@click", "\ud800"):
        assert bad not in filled.text
    assert ("first_name" in filled.missing) is (expected is None)


def placeholder_values_for(author: Author) -> dict[str, str | None]:
    return {"first_name": first_name(author), "name": real_name(author)}


def test_real_name_is_the_whole_name_under_the_same_rules():
    assert real_name(Author(name="  Jane \n Doe ")) == "Jane Doe"
    assert real_name(Author(name="jdoe", handle="jdoe")) is None
    assert real_name(Author(name="Jane Doe", handle="@janedoe")) == "Jane Doe"


# ----------------------------------------------------------------------------- channel, today
def test_channel_is_the_services_display_name(make_question):
    assert channel_display_name(make_question(kind="helpscout")) == "Help Scout"
    demo = make_question(kind="demo", meta={"service": "app_store"})
    assert channel_display_name(demo) == "App Store"
    assert channel_display_name(make_question(kind="jsonl")) is None


def test_a_day_reads_as_words():
    assert readable_day(date(2026, 11, 21)) == "Saturday 21 November 2026"
    assert readable_day(date(2027, 1, 4)) == "Monday 4 January 2027"


def test_values_for_a_question(make_question):
    question = make_question(kind="mastodon", author=Author(name="Jane Doe", handle="@jd"))
    values = placeholder_values(question, product=" Acme\nCloud ", today=date(2026, 11, 21))
    assert values == {
        "first_name": "Jane",
        "name": "Jane Doe",
        "channel": "Mastodon",
        "product": "Acme Cloud",
        "today": "Saturday 21 November 2026",
    }
    unknown = placeholder_values(make_question(kind="jsonl"), product=None, today=date(2026, 1, 1))
    assert unknown["product"] is None and unknown["channel"] is None


# ----------------------------------------------------------------------------- inserting
def test_into_an_empty_reply_the_block_is_the_reply():
    done = insert_block("", 0, "Hi Jane,\n")
    assert (done.text, done.cursor) == ("Hi Jane,", 8)


def test_a_block_at_the_end_goes_after_a_blank_line():
    done = insert_block("Hi Jane,\n", 9, "Thanks for writing.")
    assert done.text == "Hi Jane,\n\nThanks for writing."
    assert done.cursor == len(done.text)


def test_a_block_in_the_middle_of_a_line_splits_it_into_paragraphs():
    done = insert_block("Hello world", 6, "BLOCK")
    assert done.text == "Hello\n\nBLOCK\n\nworld"
    assert done.text[: done.cursor] == "Hello\n\nBLOCK"


def test_a_block_at_the_start_goes_before_the_text():
    done = insert_block("— Dana", 0, "\n\nThanks!\n\n")
    assert done.text == "Thanks!\n\n— Dana" and done.cursor == 7


def test_several_blocks_build_one_reply_in_order():
    first = insert_block("Hi Jane,", 8, "Your refund is on its way.")
    second = insert_block(first.text, first.cursor, "Thanks for your patience.")
    assert second.text == "Hi Jane,\n\nYour refund is on its way.\n\nThanks for your patience."


def test_a_cursor_out_of_range_is_held_to_the_text():
    assert insert_block("Hi", 99, "B").text == "Hi\n\nB"
    assert insert_block("Hi", -5, "B").text == "B\n\nHi"


def test_the_gaps_of_an_inserted_reply_move_with_it():
    filled = fill_placeholders("\nDear {first_name}, about {product}\n", {"product": "Acme"})
    done = insert_block("Hello", 5, filled)
    assert done.text == "Hello\n\nDear {first_name}, about Acme"
    assert [done.text[g.start : g.end] for g in done.gaps] == ["{first_name}"]
