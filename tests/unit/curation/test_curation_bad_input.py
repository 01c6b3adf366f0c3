"""Bad input is scored without error: empty, huge, unknown languages, no author, the future."""

from __future__ import annotations

import time
from datetime import timedelta

from cxdaily.core.models import Author, Message
from cxdaily.curation import curate, rank
from cxdaily.curation.estimate import MAX_ESTIMATE_S, MIN_ESTIMATE_S
from tests.unit.curation.curation_kit import DAY_START, NOW, ask

ODD = [
    ask("empty", ""),
    ask("blank", " \n\t "),
    ask("huge", ("a" * 999 + " ") * 1000),  # 1 MB, one word repeated
    ask("huge-words", "refund broken lawyer " * 50_000, title="x" * 100_000),
    ask("japanese", "ウィジェットが更新されません。返金してください。"),
    ask("arabic", "التطبيق لا يعمل منذ التحديث"),
    ask("greek-title", "", title="Πρόβλημα με τον λογαριασμό"),
    ask("no-author", "Where is my invoice?", author=Author()),
    ask("nameless", "Where is my invoice?", author=Author(id=None, handle="", name="")),
    ask("future", "Where is my order?", age=-timedelta(days=30)),
    ask("ancient-thread", "Still broken?", context=(Message(Author(), "", NOW),) * 200),
    ask("hostile", "\x1b]52;c;SGVsbG8=\x07[@click=app.quit]x[/] \u202e\x9b31m"),
    ask("many-followers", "hi?", followers=10**15),
    ask("odd-meta", "hi?", rating=float("inf"), likes=float("nan"), priority=["urgent"]),
]


def test_odd_questions_are_scored_estimated_and_explained_without_error():
    started = time.perf_counter()
    items = rank(ODD, NOW)
    assert time.perf_counter() - started < 2.0
    assert {i.question.native_id for i in items} == {q.native_id for q in ODD}
    for item in items:
        assert item.reasons and all(isinstance(r, str) and r for r in item.reasons)
        assert MIN_ESTIMATE_S <= item.estimate_s <= MAX_ESTIMATE_S
        assert item.score > 0


def test_odd_questions_can_all_make_a_long_batch():
    batch = curate(ODD, {}, NOW, DAY_START, 8 * 3600)
    picked = {item.question.native_id for item in batch.items}
    assert picked | {lo.item.question.native_id for lo in batch.left_out} == {
        q.native_id for q in ODD
    }
    by_id = {item.question.native_id: item for item in rank(ODD, NOW)}
    assert not any(r.startswith("waiting") for r in by_id["future"].reasons)
    assert by_id["huge-words"].estimate_s == MAX_ESTIMATE_S
    assert "keyword: refund" in by_id["huge-words"].reasons
