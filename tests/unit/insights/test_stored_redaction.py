"""The digest's form of an insight (cleaned, redacted) is made when the insight is stored,
and used only while it matches: a digest from stored insights is exactly the digest that
cleaning and redacting now give, whatever happened to the records since (hand edits,
damage, new redaction code)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from msgspec.structs import replace

from cxdaily.core.models import Insight, mark_form_checked
from cxdaily.insights import export, stored_redaction
from cxdaily.insights.build import DayFinder, build_digest, primaries_for
from cxdaily.insights.cleaning import line
from cxdaily.insights.export import export_insights
from cxdaily.insights.output import render
from cxdaily.insights.redact import Redaction, redact_texts
from cxdaily.insights.redactor import Redactor
from cxdaily.insights.stored_redaction import (
    stale_forms,
    with_stored_redaction,
    with_stored_redactions,
)
from cxdaily.store import Store
from tests.unit.insights.corpus_kit import hostile_insights, realistic_insights
from tests.unit.insights.digest_kit import BERLIN, REDACTIONS, at, insight, period

NOW = at("2026-11-23 08:00")
MONTHS = period("2026-09-20 00:00", "2026-11-23 00:00", BERLIN)


def corpus() -> list[Insight]:
    rng = random.Random(21)
    return hostile_insights(rng, 300, NOW) + realistic_insights(
        rng, 400, NOW, span=timedelta(days=60)
    )


def bare(insights: list[Insight]) -> list[Insight]:
    """The insights without any stored form (as records written before it)."""
    return [replace(i, digest_stamp=None, digest_form=None) for i in insights]


def planted(original: Insight, form: dict) -> Insight:
    """``original`` stored with ``form`` as its digest form, stamped for it (as if the
    code had made that form)."""
    return replace(
        with_stored_redaction(original),
        digest_form=form,
        digest_stamp=stored_redaction.stamp(original, form),
    )


def exported(insights: list[Insight], options: Redaction) -> list:
    finder = DayFinder(MONTHS)
    redactor = Redactor(options, [(i.customer_name, i.customer_handle) for i in insights])
    return export_insights(insights, redactor, finder.each, primaries_for(None))


def stored_file(data: Path) -> list[dict]:
    (path,) = sorted((data / "insights").glob("*.json"))
    return list(json.loads(path.read_text(encoding="utf-8"))["insights"].values())


def stored_and_edited(tmp_path: Path, original: Insight, edit: Callable[[dict], None]) -> Insight:
    """``original`` stored, its document then changed by ``edit`` in the file, and read
    back."""
    with Store(tmp_path / "data") as store:
        store.insights.add(original)
    (path,) = sorted((tmp_path / "data" / "insights").glob("*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    (doc,) = data["insights"].values()
    edit(doc)
    path.write_text(json.dumps(data), encoding="utf-8")
    with Store(tmp_path / "data") as store:
        (read,) = store.insights.between()
    return read


def test_the_store_writes_the_form_with_the_insight(tmp_path):
    private = insight(
        "2026-11-20 10:00",
        quote="Write to jane.doe@example.com",
        customer_handle="jane.doe@example.com",
        team="  support ",
        note=None,
    )
    nothing = insight("2026-11-20 11:00", quote="The export is slow", note=None)
    with Store(tmp_path / "data") as store:
        store.insights.add(private)
        store.insights.add_many([nothing])
        read = {i.id: i for i in store.insights.between()}
    docs = {doc["id"]: doc for doc in stored_file(tmp_path / "data")}
    assert docs[private.id]["digest_form"] == {
        "customer_handle": "j***@example.com",
        "team": "support",
        "quote": "Write to j***@example.com",
    }
    assert docs[private.id]["digest_stamp"] == stored_redaction.stamp(
        private, docs[private.id]["digest_form"]
    )
    assert docs[nothing.id]["digest_form"] is None  # shown as stored: nothing more is kept
    assert docs[nothing.id]["digest_stamp"] == stored_redaction.stamp(nothing, None)
    assert read[private.id] == private  # the stored form is no part of the insight
    assert read[private.id].digest_form == docs[private.id]["digest_form"]
    assert stale_forms(list(read.values())) == []


def test_stamped_insights_are_shown_from_their_form_without_the_long_way(monkeypatch):
    stamped = [with_stored_redaction(i) for i in corpus()]
    assert any(i.digest_form for i in stamped) and any(i.digest_form is None for i in stamped)
    expected = exported(stamped, Redaction())

    def no_long_way(*args, **kwargs):
        raise AssertionError("an insight with a standing form took the long way")

    monkeypatch.setattr(export, "_prepared", no_long_way)
    assert exported(stamped, Redaction()) == expected


@pytest.mark.parametrize("options", REDACTIONS)
def test_export_from_stored_forms_is_exactly_a_fresh_export(options):
    insights = corpus()
    stamped = [with_stored_redaction(i) for i in insights]
    assert exported(stamped, options) == exported(bare(insights), options)


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "json", "notes"])
def test_every_format_is_byte_identical_with_and_without_stored_forms(fmt):
    insights = corpus()
    stamped = [with_stored_redaction(i) for i in insights]
    fresh = render(build_digest(bare(insights), MONTHS, now=NOW), fmt)
    assert render(build_digest(stamped, MONTHS, now=NOW), fmt) == fresh


@pytest.mark.parametrize(
    "edit",
    [
        {"quote": "Call me on +49 151 2345 6789"},
        {"customer_handle": "+49 151 2345 6789"},
        {"url": "https://acme.example/u/jane.doe@example.com"},
        {"tags": ("bug", "call +49 151 2345 6789")},
        {"tags": ("bug\x01x",)},
        {"summary": "Phone +49 151 2345 6789", "note": "Card 4242 4242 4242 4242"},
    ],
)
def test_a_field_edited_by_hand_is_cleaned_and_redacted_again(edit):
    stored = with_stored_redaction(insight("2026-11-20 10:00", quote="All fine", note=None))
    edited = replace(stored, **edit)
    assert exported([edited], Redaction()) == exported(bare([edited]), Redaction())
    (item,) = exported([edited], Redaction())
    if "tags" in edit:  # the leader's words, cleaned, and redacted as any text is
        assert item.tags == tuple(redact_texts([line(tag) for tag in edit["tags"]]))
        assert "2345 6789" not in repr(item)
    else:
        assert "2345 6789" not in repr(item) and "4242 4242 4242 4242" not in repr(item)


def test_a_break_moved_between_fields_is_not_taken_for_the_same_insight():
    stored = with_stored_redaction(
        insight("2026-11-20 10:00", summary="a", quote="b\x01c", note=None)
    )
    moved = replace(stored, summary="a\x01b", quote="c")
    (item,) = exported([moved], Redaction())
    assert (item.summary, item.quote) == (line("a\x01b"), "c")


@pytest.mark.parametrize(
    "form",
    [
        {"quote": "quote \x1b]8;;https://evil.example\x07 here"},  # an escape sequence
        {"quote": "quote\u202e"},  # a bidi override
        {"summary": "two\nlines"},  # a one-line field broken
        {"tags": ["bug\x1b[2J"]},
        {},  # read from a form of the wrong shape
    ],
)
@pytest.mark.parametrize("restamped", [False, True])
def test_a_damaged_stored_form_is_never_used(form, restamped):
    original = insight("2026-11-20 10:00", summary="Card", quote="Card 4242 4242 4242 4242")
    damaged = replace(with_stored_redaction(original), digest_form=form)
    stored = planted(original, form) if restamped else damaged
    (item,) = exported([stored], Redaction())
    (fresh,) = exported(bare([original]), Redaction())
    assert item == fresh
    assert item.quote == "Card •••• •••• •••• 4242"


def test_new_redaction_code_makes_every_stored_form_stale(monkeypatch):
    original = insight("2026-11-20 10:00", quote="Write to jane.doe@example.com", note=None)
    stored = planted(original, {"quote": "planted text"})
    (used,) = exported([stored], Redaction())
    assert used.quote == "planted text"  # the stamp matches: the stored form stands
    monkeypatch.setattr(stored_redaction, "REDACTION_VERSION", 0xBADC0DE)
    (again,) = exported([stored], Redaction())
    assert again.quote == "Write to j***@example.com"


@pytest.mark.parametrize("cut", ["quote", "customer_handle", "all"])
def test_a_stored_form_cut_short_no_longer_matches_its_stamp(cut):
    original = insight(
        "2026-11-20 10:00",
        quote="Write to jane.doe@example.com",
        customer_handle="jane.doe@example.com",
        note=None,
    )
    stored = with_stored_redaction(original)
    assert stored.digest_form is not None and cut in (*stored.digest_form, "all")
    left = None if cut == "all" else {k: v for k, v in stored.digest_form.items() if k != cut}
    (item,) = exported([replace(stored, digest_form=left)], Redaction())
    assert (item.quote, item.customer_handle) == ("Write to j***@example.com", "j***@example.com")


def test_without_redaction_the_stored_form_is_not_used():
    original = insight("2026-11-20 10:00", quote="Write to jane.doe@example.com", note=None)
    (item,) = exported([with_stored_redaction(original)], Redaction(enabled=False))
    assert item.quote == "Write to jane.doe@example.com"


def test_initials_use_the_stored_texts_and_mask_the_customer():
    original = insight(
        "2026-11-20 10:00",
        customer_name="Jane Doe",
        quote="Jane Doe here, mail jane.doe@example.com",
        note=None,
    )
    stored = planted(original, {"quote": "Jane Doe here, planted"})
    (item,) = exported([stored], Redaction(initials=True))
    assert (item.quote, item.customer_name) == ("J. D. here, planted", "J. D.")


def test_unknown_redaction_code_uses_no_stored_form(monkeypatch):
    original = insight("2026-11-20 10:00", quote="Write to jane.doe@example.com", note=None)
    stored = planted(original, {"quote": "planted text"})
    monkeypatch.setattr(stored_redaction, "REDACTION_VERSION", None)
    assert stored_redaction.stamp(original, None) is None
    (item,) = exported([stored], Redaction())
    assert item.quote == "Write to j***@example.com"


@pytest.mark.parametrize(
    ("stamp", "form"),
    [
        ("12ab", None),
        (None, 42),
        (1.5, ["x"]),
        (True, {"a": 1}),
        (7, {"quote": 3}),
        (7, {"summary": None}),
        (7, {"tags": "bug"}),
        (7, {"unknown": "x"}),
    ],
)
def test_a_stored_form_of_the_wrong_shape_costs_the_insight_nothing(tmp_path, stamp, form):
    original = insight("2026-11-20 10:00", quote="Write to jane.doe@example.com", note=None)

    def damage(doc: dict) -> None:
        doc["digest_stamp"], doc["digest_form"] = stamp, form

    read = stored_and_edited(tmp_path, original, damage)
    assert read == original
    assert read.digest_form is None or read.digest_form == {}
    (item,) = exported([read], Redaction())
    assert item.quote == "Write to j***@example.com"


def test_records_written_before_the_form_read_as_unstamped(tmp_path):
    original = insight("2026-11-20 10:00", quote="Write to jane.doe@example.com", note=None)

    def earlier_shape(doc: dict) -> None:
        del doc["digest_stamp"], doc["digest_form"]
        doc["redaction"], doc["redacted"] = 123, "s\x01planted\x01"

    read = stored_and_edited(tmp_path, original, earlier_shape)
    assert (read.digest_stamp, read.digest_form) == (None, None)
    assert stale_forms([read]) == [0]
    (item,) = exported([read], Redaction())
    assert item.quote == "Write to j***@example.com"


def test_forms_made_in_a_batch_are_those_made_one_by_one():
    insights = corpus()
    one_by_one = [with_stored_redaction(i) for i in insights]
    batch = with_stored_redactions(insights)
    assert [(i.digest_stamp, i.digest_form) for i in batch] == [
        (i.digest_stamp, i.digest_form) for i in one_by_one
    ]
    assert batch == insights  # the form is no part of the insight


def test_insights_the_store_checked_skip_the_stamp_but_the_others_do_not(monkeypatch):
    stamped = [with_stored_redaction(i) for i in corpus()]
    unchecked = stamped[1::2]
    changed = {i.id for i in unchecked[:5]}
    insights = [
        replace(i, summary=i.summary + " edited") if i.id in changed else i for i in stamped
    ]
    mark_form_checked(insights[0::2])
    columns = export.read_fields(insights)
    usable, todo = stored_redaction.stored_forms(columns)
    assert {insights[index].id for index in todo} == changed  # edited after their stamp
    assert sorted(usable + todo) == list(range(len(insights)))
    seen: list[int] = []
    real = stored_redaction._checked_forms

    def counting(columns):
        seen.append(len(columns["digest_stamp"]))
        return real(columns)

    monkeypatch.setattr(stored_redaction, "_checked_forms", counting)
    stored_redaction.stored_forms(columns)
    assert seen == [len(insights[1::2])]  # only the unchecked ones were checked
    assert exported(insights, Redaction()) == exported(bare(insights), Redaction())


def test_the_checked_mark_is_never_written_nor_copied():
    (marked,) = [with_stored_redaction(insight("2026-11-20 10:00"))]
    mark_form_checked([marked])
    assert marked.form_checked and "form_checked" not in marked.to_dict()
    assert not replace(marked, summary="other").form_checked
    assert Insight.from_dict(marked.to_dict()).form_checked is False
    assert Insight.from_dict(marked.to_dict()) == marked
