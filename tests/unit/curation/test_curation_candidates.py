"""Stored questions are curated from their records: the same batch as from full models.

The store hands curation :class:`StoredQuestions` (candidates read straight from the
records, a model built only for the questions shown); a script hands it models. On a
varied inbox (every signal, threads, long complaints, stars, reach, VIPs, old and
answered questions, records of unusual shape, a leader's history) both give the same
batch, item for item, with the same left-out list and counts.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from cxdaily.core.errors import StoreCorruptError
from cxdaily.core.models import Action, Author, Disposition, Message, Question
from cxdaily.curation import CurationSettings, build_history, curate, next_best
from cxdaily.curation.candidates import StoredQuestions, candidate_of, read_candidate
from cxdaily.curation.text import analyse
from cxdaily.store import Store
from tests.unit.curation.curation_kit import DAY_START, NOW, ask, demo_inbox, timed_session

BODIES = (
    "How do I export my invoices?",
    "Still no reply. This is the third message, I want a refund now!",
    "Love the new dark mode, thanks!",
    "The app crashes on open since 4.2.0, please fix",
    "Sync broke after the update. " + "Details follow. " * 40 + "My lawyer will be in touch.",
    "¿Dónde está mi factura? Quiero darme de baja.",
    "Ich möchte kündigen, die Rückerstattung fehlt seit Wochen.",
    "@acme your status page says all good but nothing loads",
    "Widget stopped refreshing after 4.2.0 on iOS",
    "GDPR request: delete my data please",
)


def _varied_inbox() -> list[Question]:
    """The demo inbox and 240 questions that between them fire every signal."""
    questions = list(demo_inbox())
    for n in range(240):
        meta: dict[str, object] = {"service": ("zendesk", "x", "app_store", "discourse")[n % 4]}
        if n % 5 == 0:
            meta["rating"] = 1 + n % 5
        if n % 7 == 0:
            meta["priority"] = ("urgent", "high", "low")[n % 3]
        if n % 9 == 0:
            meta.update(likes=n * 3, reposts=n % 11)
        if n % 31 == 0:
            meta["vip"] = True
        if n % 37 == 0:
            meta["status"] = "solved"
        context = tuple(
            Message(Author(handle=f"@c{n}"), f"earlier message {m}", NOW - timedelta(days=1))
            for m in range(n % 3)
        )
        questions.append(
            ask(
                f"v{n}",
                BODIES[n % len(BODIES)] + f" (order {n})",
                channel=("acme", "social", "forum")[n % 3],
                kind=("zendesk", "x", "discourse")[n % 3],
                title=f"Question {n}" if n % 2 else None,
                age=timedelta(hours=1 + (n * 7) % 400),
                followers=(n * 97) % 50_000 if n % 3 else None,
                context=context,
                **meta,
            )
        )
    return questions


def _history_and_actions(questions: list[Question]):
    """A leader's history over some of the questions, and their latest actions."""
    handled, session = timed_session(questions[:8], 150, NOW - timedelta(days=2))
    snoozed = Action(questions[10].id, Disposition.SNOOZED, NOW, until=NOW + timedelta(hours=3))
    skipped = Action(questions[11].id, Disposition.SKIPPED, NOW - timedelta(hours=1))
    actions = [*handled, snoozed, skipped]
    by_id = {q.id: q for q in questions}
    history = build_history(actions, [session], by_id, NOW)
    latest = {a.question_id: a for a in actions}
    return history, latest


def _unusual_shapes(path: Path) -> None:
    """Rewrite some stored records in shapes the models accept but cxdaily does not write
    (a whole-number id, a thread without a list, an author without fields)."""
    data = json.loads(path.read_bytes())
    for n, doc in enumerate(data["questions"].values()):
        if n % 17 == 0 and doc["native_id"].startswith("v"):
            doc["native_id"] = 100 + n
        elif n % 19 == 0:
            doc["author"] = None
        elif n % 23 == 0:
            doc["context"] = None
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    "settings",
    [
        CurationSettings(),
        CurationSettings(watch_keywords=("refund", "not", "data loss", "kündigen")),
        CurationSettings(
            vip_handles=frozenset({"userv3", "userv12", "userv40"}), max_age_s=5 * 86_400
        ),
    ],
    ids=["defaults", "keywords", "vips and a short window"],
)
def test_stored_questions_make_the_batch_the_full_models_make(tmp_path, settings):
    data_dir = tmp_path / "data"
    with Store(data_dir) as store:
        store.questions.upsert_many(_varied_inbox())
    _unusual_shapes(data_dir / "questions.json")
    with Store(data_dir, read_only=True) as store:
        stored, analyses = store.questions.analysed()
    models = list(stored)
    assert isinstance(stored, StoredQuestions) and len(models) > 250
    assert any(read_candidate(doc, analyse(q)) is None for q, doc in _records(data_dir, models))
    history, latest = _history_and_actions(models)
    for budget in (600, 1800, 7200):
        fast = curate(stored, latest, NOW, DAY_START, budget, settings=settings, history=history)
        full = curate(
            models, latest, NOW, DAY_START, budget, settings=settings, history=history,
            analyses=analyses,
        )  # fmt: skip
        assert fast == full
        assert len(fast.items) > 3 and fast.left_out and fast.excluded
    fast_next = next_best(stored, latest, NOW, DAY_START, {models[0].id}, history=history)
    assert fast_next == next_best(models, latest, NOW, DAY_START, {models[0].id}, history=history)


def _records(data_dir: Path, models: list[Question]):
    """Each model with its stored record."""
    docs = json.loads((data_dir / "questions.json").read_bytes())["questions"].values()
    by_id = {doc["id"]: doc for doc in docs}
    return [(q, by_id[q.id]) for q in models]


def test_a_candidate_reads_what_its_model_holds():
    question = ask("1", "Refund please?", followers=1200, title="Billing", service="x")
    candidate = read_candidate(question.to_dict(), analyse(question))
    assert candidate == candidate_of(question, analyse(question))._replace(
        record=candidate.record if candidate else None
    )
    assert candidate is not None and candidate.source == "x" and candidate.followers == 1200


def test_a_stored_model_is_built_only_when_asked_for(tmp_path):
    data_dir = tmp_path / "data"
    questions = [ask(str(n)) for n in range(5)]
    with Store(data_dir) as store:
        store.questions.upsert_many(questions)
    with Store(data_dir, read_only=True) as store:
        stored, _ = store.questions.analysed()
        assert stored.by_id()["acme:3"] == questions[3]
        assert stored[-1] == questions[-1] and stored[1:3] == questions[1:3]
        assert set(stored.by_id()) == {q.id for q in questions} and len(stored.by_id()) == 5


def test_a_damaged_record_is_named_however_low_it_ranks(tmp_path):
    data_dir = tmp_path / "data"
    with Store(data_dir) as store:
        store.questions.upsert_many([ask(str(n)) for n in range(5)])
    path = data_dir / "questions.json"
    data = json.loads(path.read_bytes())
    next(iter(data["questions"].values()))["created_at"] = "yesterday"
    path.write_text(json.dumps(data))
    with Store(data_dir, read_only=True) as store, pytest.raises(StoreCorruptError) as caught:
        store.questions.analysed()
    assert "acme:0" in str(caught.value) and "created_at" in str(caught.value)
