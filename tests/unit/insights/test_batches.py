"""A digest does its per-insight work in batches (redaction, cleaning, escaping, JSON and
CSV encoding): each batch gives exactly what doing the items one by one gives, on a
realistic corpus and on a hostile one."""

from __future__ import annotations

import csv
import io
import json
import random
import re
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxdaily.insights.build import DayFinder, build_digest, primaries_for, primary_of, primary_tag
from cxdaily.insights.cleaning import (
    block,
    flagged,
    holding,
    is_clean,
    is_plain_line,
    line,
    not_clean,
    not_plain,
    trimmed_lines,
)
from cxdaily.insights.export import export_insights
from cxdaily.insights.model import UNASSIGNED, UNKNOWN_SENTIMENT, DigestInsight
from cxdaily.insights.redact import (
    BATCH_BREAK,
    Redaction,
    redact_link,
    redact_links,
    redact_text,
    redact_texts,
)
from cxdaily.insights.redactor import Redactor
from cxdaily.insights.render_csv import render_csv
from cxdaily.insights.render_html import h, h_texts
from cxdaily.insights.render_json import (
    Encoded,
    insight_dict,
    insight_json,
    layout,
    note_dict,
    note_json,
)
from cxdaily.insights.render_md import _md_links, _quote_blocks, md_text, md_texts
from cxdaily.insights.words import safe_url
from tests.unit.insights.corpus_kit import hostile_insights, realistic_insights, varied_texts
from tests.unit.insights.digest_kit import BERLIN, REDACTIONS, at, period

NOW = at("2026-11-23 08:00")
MONTHS = period("2026-09-20 00:00", "2026-11-23 00:00", BERLIN)
# Texts where a pattern, a look-around or a per-text check is easy to get wrong in a batch.
EDGE_TEXTS = (
    "",
    "(555)\t-(123)-(4567)",  # a phone with no run of seven digits: never masked
    "555 1234",
    "+49 151 2345 6789",
    "Hauptstraße 5, 10115 Berlin",
    "HAUPTSTRASSE 7",
    "x 5 ſTRASSE 7",  # long s: matches "s" when case is ignored, not in lower()
    "3 vıa Roma 4",  # dotless i: matches "i" when case is ignored
    "İ 5 via Roma",  # lower-cases into two characters
    "12 Kirchweg Road 4",
    "10 RUE de Rivoli",
    "12 calle Mayor 5551234567",
    "card 4242 4242 4242 4242.",
    "jane.doe@example.com wrote from bob%40example.org",
    "mail:<a@b.example>",
    "https://x.example/u/jane@example.com/5551234567",
    "Ana Silva, 221B Baker Street; Ana's number: 555-123-4567",
    "card=4111 1111 1111 1111, Tel.0151 2345678, Kartennr4111111111111111",
    "C/ Mayor 12, 3ºB and Via Roma 5; Kerkstraat 12, Storgatan 3",
    "x ſTORGATAN 3, Vıale Monza 4, \u212aATU 5",  # letters that match others when case is ignored
    "İ Calle Mayor 12",
)


def corpus(size: int = 1500) -> list[str]:
    """Varied texts (quotes, summaries, notes, hostile samples) plus the edge cases,
    cleaned as a digest cleans them, some joined as a digest joins an insight's."""
    texts = [block(text) for text in varied_texts(random.Random(5), size)] + list(EDGE_TEXTS)
    joined = ["\x01".join(texts[n : n + 3]) for n in range(0, 300, 3)]
    return texts + joined


def test_batched_redaction_is_byte_identical_to_text_by_text():
    texts = corpus()
    batched = redact_texts(texts)
    assert batched == [redact_text(text) for text in texts]
    assert sum(a != b for a, b in zip(texts, batched, strict=True)) > 100  # it did mask


def test_texts_holding_the_batch_break_are_redacted_one_by_one():
    texts = ["call 555 123 4567", f"a{BATCH_BREAK}b 555 123 4567", "x@y.example"]
    assert redact_texts(texts) == [redact_text(text) for text in texts]
    assert redact_links(texts) == [redact_link(text) for text in texts]


def test_batched_links_names_and_handles_match_one_by_one():
    texts = [text for text in corpus(600) if text]
    for options in REDACTIONS:
        redactor = Redactor(options)
        assert redactor.texts(texts) == [redactor.text(text) for text in texts]
        assert redactor.links(texts) == [redactor.link(text) for text in texts]
        assert redactor.names(texts) == [redactor.name(text) for text in texts]
        assert redactor.handles(texts) == [redactor.handle(text) for text in texts]


def exported_alone(insight, redactor: Redactor, finder: DayFinder) -> DigestInsight:
    """One insight cleaned and redacted on its own (what a digest promises), with the
    people ``redactor`` knows (everyone in the digest) masked in its texts."""
    short = (
        insight.id,
        insight.question_id,
        insight.url or "",
        insight.channel,
        insight.customer_name or "",
        insight.customer_handle or "",
        insight.team or "",
        insight.sentiment or "",
        insight.summary,
        *insight.tags,
    )
    to_line = str.strip if is_plain_line(" ".join(short)) else line
    note = insight.note or ""
    to_block = str.strip if is_clean(f"{insight.quote}\n{note}") else block
    joined = "\x00".join((to_line(insight.summary), to_block(insight.quote), to_block(note)))
    summary, quote, note = redactor.text(joined).split("\x00")
    return DigestInsight(
        to_line(insight.id),
        redactor.link(to_line(insight.question_id)) or "",
        redactor.link(to_line(insight.url or "")) or None,
        to_line(insight.channel),
        redactor.name(to_line(insight.customer_name or "")) or None,
        redactor.handle(to_line(insight.customer_handle or "")) or None,
        tuple(map(to_line, insight.tags)),
        to_line(insight.team or "") or UNASSIGNED,
        to_line(insight.sentiment or "") or UNKNOWN_SENTIMENT,
        insight.importance,
        summary,
        quote,
        note,
        insight.created_at,
        finder(insight.created_at),
        primary_of(insight, None),
    )


@pytest.mark.parametrize("options", REDACTIONS)
def test_exported_insights_match_cleaning_and_redacting_each_alone(options):
    rng = random.Random(9)
    insights = hostile_insights(rng, 300, NOW) + realistic_insights(
        rng, 300, NOW, span=timedelta(days=60)
    )
    people = [(i.customer_name, i.customer_handle) for i in insights]
    redactor, finder = Redactor(options, people), DayFinder(MONTHS)
    exported = export_insights(insights, redactor, finder.each, primaries_for(None))
    assert exported == [exported_alone(i, redactor, finder) for i in insights]


def test_primaries_of_many_tag_lists_match_one_by_one():
    lists = [("Billing", "export"), (), ("  Export  ",), ("billing",), ("API", "billing"), ()]
    for tag in (None, "Billing"):
        assert primaries_for(tag)(lists) == [primary_tag(tags, tag) for tags in lists]
    assert primaries_for(None)(lists) == [
        "billing",
        "untagged",
        "export",
        "billing",
        "api",
        "untagged",
    ]


def test_the_day_finder_gives_each_day_in_one_call():
    finder = DayFinder(MONTHS)
    instants = [at("2026-09-01 00:00") + timedelta(minutes=97 * n) for n in range(1500)]
    assert finder.each(instants) == [finder(instant) for instant in instants]


def test_one_search_finds_the_texts_one_check_each_would():
    texts = [*corpus(400), "\u202e", "a\tb", "  ", "x\x1by"]
    assert not_plain(texts) == {i for i, t in enumerate(texts) if not is_plain_line(t)}
    assert not_clean(texts) == {i for i, t in enumerate(texts) if not is_clean(t)}
    assert holding(texts, ("@", "%40", "ß")) == {
        i for i, t in enumerate(texts) if "@" in t or "%40" in t or "ß" in t
    }
    digits = re.compile(r"\d")
    assert flagged(digits, texts, "\x00") == {i for i, t in enumerate(texts) if digits.search(t)}


@pytest.mark.parametrize(
    "extra",
    [(), ("",), (" a",), ("a ",), ("a\nb",), ("a\u00a0b",), ("\u2028",), ("a  b",), ("\x1b",)],
)
def test_one_look_tells_whether_texts_are_trimmed_plain_lines(extra):
    texts = [line(text) for text in corpus(200)] + list(extra)
    expected = all(is_plain_line(t) and t == t.strip() for t in texts)
    if all(map(str.isprintable, texts)):
        assert trimmed_lines(texts) is expected
    else:  # a character it cannot vouch for (a no-break space): the long way, to be safe
        assert trimmed_lines(texts) is False
    assert trimmed_lines([]) is True


def test_markdown_and_html_escaping_in_a_batch_match_one_by_one():
    texts = [*corpus(600), "# title", "- item", "1. one", "2) two", "&amp; &x", "  a  b ", "\t"]
    texts += ["", "\u0663. three", "+ plus", "> quote", "=", "", " # spaced", "x\u00a0y"]
    assert md_texts(texts) == [md_text(text) for text in texts]
    folded = [line(text) for text in texts]  # the fast path: texts already on one line
    assert md_texts(folded) == [md_text(text) for text in folded]
    assert h_texts(texts) == [h(text) for text in texts]


def md_link_alone(label: str, url: str | None) -> str:
    """One link, encoded on its own: the reference."""
    target = safe_url(url)
    if target is None:
        return ""
    for ch, code in (
        ("\\", "%5C"),
        ("(", "%28"),
        (")", "%29"),
        (" ", "%20"),
        ("<", "%3C"),
        (">", "%3E"),
    ):
        target = target.replace(ch, code)
    return f"[{md_text(label)}]({target})"


URLS = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from(list("ab/:.()<>\\ #?")), max_size=12),
    st.text(alphabet=st.sampled_from(list("ab/.()<>\\?#%")), max_size=12).map(
        "https://x.example/".__add__
    ),
)


@given(st.lists(URLS, max_size=8))
def test_markdown_links_in_a_batch_match_one_by_one(urls):
    assert _md_links("source [1]", urls) == [md_link_alone("source [1]", url) for url in urls]


def quote_block(quote: str) -> str:
    """A quote's block in a Markdown list item, line by line: the reference."""
    parts = [md_text(part) for part in quote.split("\n")] if quote else []
    return "\n".join(f"  > {part}" if part else "  >" for part in parts)


QUOTE_LINES = st.text(alphabet=st.sampled_from(list("ab #-+=1.)> *_&;\t\u00e9")), max_size=8)


@given(st.lists(st.lists(QUOTE_LINES, max_size=4).map("\n".join), max_size=6))
def test_quote_blocks_in_a_batch_match_line_by_line(quotes):
    assert _quote_blocks(quotes) == [quote_block(quote) for quote in quotes]


def test_quote_blocks_of_a_corpus_match_line_by_line():
    quotes = [text for text in corpus(600) if "\x01" not in text]
    quotes += ["a\n\nb", "a\n\n\nb", "# x\n- y\n+ z\n= w\n3. v\n4) u", "x\n 1. y", "a \nb"]
    quotes += ["a\nb ", " a", "a  b\nc", "x &amp; y", "one\n12 two", "é\n# x", "a\r\nb"]
    assert _quote_blocks(quotes) == [quote_block(quote) for quote in quotes]


def hostile_digest(options: Redaction | None = None):
    """A digest of 200 hostile insights over two months."""
    insights = hostile_insights(random.Random(3), 200, NOW)
    return build_digest(insights, MONTHS, now=NOW, redaction=options)


@pytest.mark.parametrize("options", REDACTIONS[:3])
def test_insights_and_notes_written_field_by_field_match_the_json_encoder(options):
    digest = hostile_digest(options)
    encoder = json.JSONEncoder(ensure_ascii=False)
    ranks = digest.theme_ranks()
    assert digest.themes
    for insight in digest.ordered:
        rank = ranks.get(insight.id)
        theme = rank[1] if rank else None
        assert insight_json(insight, theme) == encoder.encode(insight_dict(insight, theme))
        assert note_json(insight, rank) == encoder.encode(note_dict(insight, rank))


def test_layout_of_encoded_objects_matches_layout_of_the_objects():
    items = [{"a": n, "b": f"x{n}\n\u2028é"} for n in range(5)]
    encoded = Encoded(json.dumps(item, ensure_ascii=False) for item in items)
    assert layout({"k": items, "e": []}) == layout({"k": encoded, "e": Encoded()})
    assert layout(items) == layout(encoded)
    assert json.loads(layout({"k": encoded})) == {"k": items}


def test_csv_quotes_exactly_as_the_csv_module_does():
    text = render_csv(hostile_digest())
    rows = list(csv.reader(io.StringIO(text, newline="")))
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    assert buffer.getvalue() == text
    assert len(rows) == 201 and any('"' in cell for row in rows for cell in row)
