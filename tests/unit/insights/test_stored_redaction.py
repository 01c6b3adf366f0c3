"""The digest's redaction of an insight is made when the insight is stored, and used only
while it matches: a digest from stored insights is exactly the digest redacting now gives,
whatever happened to the records since (hand edits, damage, new redaction code)."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from cxdaily.core.models import Insight
from cxdaily.insights import stored_redaction
from cxdaily.insights.build import DayFinder, build_digest, primary_tag
from cxdaily.insights.export import export_insights
from cxdaily.insights.output import render
from cxdaily.insights.redact import Redaction, Redactor
from cxdaily.insights.stored_redaction import (
    FIELD_BREAK,
    digest_texts,
    stored_redactions,
    with_stored_redaction,
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
    """The insights without any stored redaction (as records written before it)."""
    return [replace(i, redaction=None, redacted=None) for i in insights]


def exported(insights: list[Insight], options: Redaction) -> list:
    finder = DayFinder(MONTHS)
    return export_insights(insights, Redactor(options), finder.each, lambda t: primary_tag(t, None))


def stored_file(data: Path) -> list[dict]:
    (path,) = sorted((data / "insights").glob("*.json"))
    return list(json.loads(path.read_text(encoding="utf-8"))["insights"].values())


def test_the_store_writes_the_redaction_with_the_insight(tmp_path):
    private = insight("2026-11-20 10:00", quote="Write to jane.doe@example.com", note=None)
    nothing = insight("2026-11-20 11:00", quote="The export is slow", note=None)
    with Store(tmp_path / "data") as store:
        store.insights.add(private)
        store.insights.add_many([nothing])
        read = {i.id: i for i in store.insights.between()}
    docs = {doc["id"]: doc for doc in stored_file(tmp_path / "data")}
    assert docs[private.id]["redacted"].split(FIELD_BREAK)[1] == "Write to j***@example.com"
    assert docs[private.id]["redaction"] == stored_redaction.stamp(digest_texts(private))
    assert docs[nothing.id]["redacted"] is None  # nothing to mask: nothing more stored
    assert docs[nothing.id]["redaction"] == stored_redaction.stamp(digest_texts(nothing))
    assert read[private.id] == private  # the stored redaction is no part of the insight
    assert read[private.id].redacted == docs[private.id]["redacted"]


def test_stamped_insights_need_no_redaction_at_export():
    stamped = [with_stored_redaction(i) for i in corpus()]
    texts = [digest_texts(i) for i in stamped]
    found, todo = stored_redactions(stamped, texts)
    assert todo == []
    assert found == {n: i.redacted for n, i in enumerate(stamped) if i.redacted is not None}
    assert any(i.redacted for i in stamped) and any(i.redacted is None for i in stamped)


@pytest.mark.parametrize("options", REDACTIONS)
def test_export_from_stored_redaction_is_exactly_a_fresh_export(options):
    insights = corpus()
    stamped = [with_stored_redaction(i) for i in insights]
    assert exported(stamped, options) == exported(bare(insights), options)


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "json", "notes"])
def test_every_format_is_byte_identical_with_and_without_stored_redaction(fmt):
    insights = corpus()
    stamped = [with_stored_redaction(i) for i in insights]
    fresh = render(build_digest(bare(insights), MONTHS, now=NOW), fmt)
    assert render(build_digest(stamped, MONTHS, now=NOW), fmt) == fresh


def test_a_quote_edited_by_hand_is_redacted_again():
    stored = with_stored_redaction(insight("2026-11-20 10:00", quote="All fine", note=None))
    edited = replace(stored, quote="Call me on +49 151 2345 6789")
    (item,) = exported([edited], Redaction())
    assert item.quote == "Call me on +•• ••• •••• ••89"


@pytest.mark.parametrize(
    "redacted",
    [
        "summary\x01quote \x1b]8;;https://evil.example\x07 here\x01",  # an escape sequence
        "summary\x01only two parts",  # a field lost
        "summary\x01quote\x01note\x01more",  # a field too many
        "summary\x01quote\u202e\x01",  # a bidi override
    ],
)
def test_a_damaged_stored_redaction_is_never_used(redacted):
    original = insight("2026-11-20 10:00", summary="Card", quote="Card 4242 4242 4242 4242")
    stored = replace(with_stored_redaction(original), redacted=redacted)
    (item,) = exported([stored], Redaction())
    (fresh,) = exported(bare([original]), Redaction())
    assert item == fresh
    assert item.quote == "Card •••• •••• •••• 4242"


def test_new_redaction_code_makes_every_stored_redaction_stale(monkeypatch):
    original = insight("2026-11-20 10:00", quote="Write to jane.doe@example.com", note=None)
    stored = replace(with_stored_redaction(original), redacted="s\x01planted text\x01")
    (used,) = exported([stored], Redaction())
    assert used.quote == "planted text"  # the stamp matches: the stored text stands
    monkeypatch.setattr(stored_redaction, "REDACTION_VERSION", 0xBADC0DE)
    (again,) = exported([stored], Redaction())
    assert again.quote == "Write to j***@example.com"


def test_without_redaction_the_stored_text_is_not_used():
    original = insight("2026-11-20 10:00", quote="Write to jane.doe@example.com", note=None)
    (item,) = exported([with_stored_redaction(original)], Redaction(enabled=False))
    assert item.quote == "Write to jane.doe@example.com"


def test_unknown_redaction_code_uses_no_stored_redaction(monkeypatch):
    original = insight("2026-11-20 10:00", quote="Write to jane.doe@example.com", note=None)
    stored = replace(with_stored_redaction(original), redacted="s\x01planted text\x01")
    monkeypatch.setattr(stored_redaction, "REDACTION_VERSION", None)
    assert stored_redaction.stamp("anything") is None
    (item,) = exported([stored], Redaction())
    assert item.quote == "Write to j***@example.com"


@pytest.mark.parametrize(
    ("redaction", "redacted"), [("12ab", None), (None, 42), (1.5, ["x"]), (True, {"a": 1})]
)
def test_a_stored_redaction_of_the_wrong_shape_costs_the_insight_nothing(
    tmp_path, redaction, redacted
):
    original = insight("2026-11-20 10:00", quote="Write to jane.doe@example.com", note=None)
    with Store(tmp_path / "data") as store:
        store.insights.add(original)
    (path,) = sorted((tmp_path / "data" / "insights").glob("*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    (doc,) = data["insights"].values()
    doc["redaction"], doc["redacted"] = redaction, redacted
    path.write_text(json.dumps(data), encoding="utf-8")
    with Store(tmp_path / "data") as store:
        (read,) = store.insights.between()
    assert read == original
    assert (read.redaction, read.redacted) == (None, None)
    (item,) = exported([read], Redaction())
    assert item.quote == "Write to j***@example.com"
