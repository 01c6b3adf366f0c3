"""HTML from a service as readable plain text, and a plain-text reply as HTML
(:mod:`cxdaily.connectors.html_text`)."""

from __future__ import annotations

import time

import pytest

from cxdaily.connectors.html_text import html_to_text, looks_like_html, same_text, text_to_html


# ----------------------------------------------------------------------------- html_to_text
@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Hello</p><p>World</p>", "Hello\n\nWorld"),
        ("<div>Line one<br>Line two<br/>Line three</div>", "Line one\nLine two\nLine three"),
        ("<h1>Export broken</h1><p>Since Monday.</p>", "Export broken\n\nSince Monday."),
        ("<div><div><p>nested</p></div></div>", "nested"),
        ("<p>first</p>\n\n\n<p>second</p>", "first\n\nsecond"),
        ("<p>a   lot\n\n of \t  space</p>", "a lot of space"),
        ("<p>one <b>bold</b> and <i>italic</i> word</p>", "one bold and italic word"),
    ],
)
def test_paragraphs_and_line_breaks(html, text):
    assert html_to_text(html) == text


def test_lists_become_dashed_items():
    html = "<p>Steps:</p><ul><li>open</li><li>export</li></ul><ol><li>one<li>two</ol><p>end</p>"
    assert html_to_text(html) == "Steps:\n\n- open\n- export\n\n- one\n- two\n\nend"
    assert html_to_text("<li>outside a list</li>") == "- outside a list"


def test_quotes_are_marked_and_nest():
    html = (
        "<p>Still broken.</p><blockquote><p>Did you try again?</p>"
        "<blockquote>It fails</blockquote></blockquote><p>Ana</p>"
    )
    assert html_to_text(html).split("\n") == [
        "Still broken.",
        "",
        "> Did you try again?",
        "",
        "> > It fails",
        "",
        "Ana",
    ]


def test_a_deep_quote_nesting_is_capped_not_repeated_on_every_line():
    html = "<blockquote>" * 5000 + "line<br>" * 5000
    text = html_to_text(html)
    lines = text.split("\n")
    assert len(lines) == 5000 and len(set(lines)) == 1
    assert lines[0].endswith("> line") and len(lines[0]) < 100
    assert len(text) < 100 * len(html)


def test_links_show_their_address_when_it_says_more_than_their_text():
    html = (
        '<p>See <a href="https://help.example.com/export">the guide</a>, '
        '<a href="https://help.example.com/">help.example.com</a>, '
        '<a href="https://x.example/a">https://x.example/a</a>, '
        '<a href="mailto:ana@example.com">Ana</a>, <a href="#top">top</a>, '
        '<a href="javascript:alert(1)">click</a>, <a>no address</a> and '
        '<a href="https://img.example/p"><img src="p.png"></a>.</p>'
    )
    assert html_to_text(html) == (
        "See the guide (https://help.example.com/export), help.example.com, "
        "https://x.example/a, Ana, top, click, no address and ."
    )


def test_a_link_broken_across_lines_shows_its_address_after_the_text_it_ends_with():
    html = '<p>Read <a href="https://help.example.com/a">this<br>guide</a> now</p>'
    assert html_to_text(html) == "Read this\nguide (https://help.example.com/a) now"


def test_table_cells_are_kept_apart():
    html = "<table><tr><th>Order</th><th>Total</th></tr><tr><td>1234</td><td>€5</td></tr></table>"
    assert html_to_text(html) == "Order Total\n1234 €5"


def test_preformatted_text_keeps_its_spaces_and_lines():
    html = "<pre>  code\n    indented\n</pre><p>after</p>"
    assert html_to_text(html) == "  code\n    indented\n\nafter"


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert('x')</script><p>kept</p>",
        "<style>p { color: red }</style><p>kept</p>",
        "<p>kept</p><!-- a comment -->",
        "<noscript>enable scripts</noscript><template><p>hidden</p></template><p>kept</p>",
        "<!DOCTYPE html><html><head><title>T</title></head><body><p>kept</p></body></html>",
        "<svg><script>evil()</script></svg><p>kept</p>",
        "<p>kept</p><script>never closed",
    ],
)
def test_scripts_styles_comments_and_the_head_are_dropped(html):
    assert html_to_text(html) == "kept"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>unclosed <b>bold <i>italic</p><div>next", "unclosed bold italic\n\nnext"),
        ("</p></div><p>stray ends", "stray ends"),
        ("<", "<"),
        ("a < b and c > d", "a < b and c > d"),
        ("<a href='x'>", ""),
        ("<![CDATA[x]]><p>y</p>", "y"),
        ("<div <p>>odd</div>", ">odd"),
        ("", ""),
    ],
)
def test_broken_markup_never_raises(html, text):
    assert html_to_text(html) == text


@pytest.mark.parametrize("html", ["<p class=>x</p", "<p>x</p><!-- never closed", "<p>x</p><div"])
def test_markup_cut_off_at_the_end_never_raises(html):
    # what the parser makes of the cut-off part differs between Python versions
    assert html_to_text(html).startswith("x")


def test_entities_are_decoded():
    html = "<p>&lt;b&gt; &amp; &eacute; &#233; &#xE9; &#x1F600; &nbsp;x &unknown;</p>"
    assert html_to_text(html) == "<b> & é é é 😀 x &unknown;"


@pytest.mark.parametrize("entity", ["&#0;", "&#xD800;", "&#1114112;", "&#99999999999;"])
def test_an_entity_of_no_character_becomes_the_replacement_character(entity):
    assert html_to_text(f"<p>a{entity}b</p>") == "a\ufffdb"


@pytest.mark.parametrize(
    "html",
    [
        "<p>" + "word " * 500_000 + "</p>",
        "<a href='https://example.com/1'>x</a> " * 60_000,
        "<li>x" * 400_000,
        "&amp;" * 400_000,
        "<div>" * 400_000,
    ],
    ids=["words", "links", "items", "entities", "tags"],
)
def test_huge_input_is_read_in_bounded_time_and_size(html):
    started = time.perf_counter()
    text = html_to_text(html)
    assert time.perf_counter() - started < 10
    assert len(text) <= 12 * 2_000_000


def test_input_past_the_limit_is_cut():
    text = html_to_text("<p>" + "a" * 3_000_000 + "</p>")
    assert text == "a" * (2_000_000 - 3)


# ----------------------------------------------------------------------------- text_to_html
def test_text_to_html_escapes_every_character_of_markup():
    html = text_to_html("Hi <b>Ana</b> & co \"q\" 'a' <script>x</script>")
    assert html == (
        "<p>Hi &lt;b&gt;Ana&lt;/b&gt; &amp; co &quot;q&quot; &#x27;a&#x27; "
        "&lt;script&gt;x&lt;/script&gt;</p>"
    )


def test_text_to_html_makes_paragraphs_and_line_breaks():
    assert text_to_html("Hi Ana,\n\n\nThe export\nworks.\n \nSam\n") == (
        "<p>Hi Ana,</p><p>The export<br>works.</p><p>Sam</p>"
    )
    assert text_to_html("") == "" and text_to_html("  \n\n ") == ""


@pytest.mark.parametrize(
    "text",
    [
        "Thanks Ana,\n\nthe export works again.\nBest, Sam",
        "Use <b> for bold & <i> for italics",
        "5 &lt; 6 and AT&T",
        "- one\n- two",
        "> quoted\nreply",
        "see https://x.example/a?b=1&c=2",
    ],
)
def test_text_to_html_reads_back_as_the_same_text(text):
    html = text_to_html(text)
    assert looks_like_html(html)
    assert " ".join(html_to_text(html).split()) == " ".join(text.split())


# ----------------------------------------------------------------------------- same_text
@pytest.mark.parametrize(
    "text",
    [
        "Thanks Ana,\n\nthe export works again.",
        "Use <b> for bold & <i> for italics",
        "5 &lt; 6",
        "Type <script> in the field, then save.",
    ],
)
def test_same_text_finds_a_text_in_the_html_it_was_sent_as(text):
    assert same_text(text_to_html(text), text)
    assert same_text(text, text_to_html(text))
    assert same_text(text, " ".join(text.split()))


def test_same_text_ignores_markup_and_spacing_only():
    assert same_text("<p>Thanks &amp; bye</p>", "Thanks & bye")
    assert same_text("<div>a<br>b</div>", "a\nb")
    assert same_text("a  b\n c", "a b c")
    assert not same_text("Thanks", "Thanks!")
    assert not same_text("<p>Thanks</p>", "Thanks, Ana")
    assert not same_text("", "Thanks")


def test_same_text_does_not_match_two_texts_that_differ_after_a_tag_like_word():
    # read as HTML, both would end at <script>: they are two different texts
    assert not same_text("Type <script> to test A", "Type <script> to test B")


# ----------------------------------------------------------------------------- looks_like_html
@pytest.mark.parametrize(
    "text",
    ["<b>bold</b>", "<p>x", "</div>", "<br/>", "<img src=x>", "a &amp; b", "&#233;", "<BR>"],
)
def test_markup_looks_like_html(text):
    assert looks_like_html(text)


@pytest.mark.parametrize(
    "text",
    ["plain", "a < b", "x<3", "<3 you", "AT&T", "Tom & Jerry", "<user@example.com>", "", "1 <2"],
)
def test_plain_text_does_not_look_like_html(text):
    assert not looks_like_html(text)


@pytest.mark.parametrize("text", ["<a" + " " * 2_000_000, "<a x" * 500_000, "&" + "a" * 2_000_000])
def test_looks_like_html_is_quick_on_huge_text(text):
    started = time.perf_counter()
    looks_like_html(text)
    assert time.perf_counter() - started < 2
