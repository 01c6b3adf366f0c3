"""The text analysis kept with a stored question gives the very batch a fresh reading gives."""

from __future__ import annotations

import gc
import json
from datetime import timedelta

import pytest

from cxdaily.core.models import Question
from cxdaily.curation import build_history, curate, rank
from cxdaily.curation.analysis import (
    ANALYSIS_VERSION,
    TextAnalysis,
    analysis_record,
    read_analysis_record,
)
from cxdaily.curation.text import TextReader, analyse
from tests.unit.curation.curation_kit import (
    DAY_START,
    KEYWORD_CONFIGS,
    NOW,
    ask,
    text_corpus,
    timed_session,
)


def _stored(questions: list[Question]) -> dict[str, TextAnalysis]:
    """Each question's analysis as a store keeps it: written as JSON and read back."""
    kept = {}
    for question in questions:
        record = json.loads(json.dumps(analysis_record(analyse(question))))
        analysis = read_analysis_record(record)
        assert analysis is not None
        kept[question.id] = analysis
    return kept


@pytest.mark.parametrize("config", sorted(KEYWORD_CONFIGS))
def test_the_batch_from_kept_analyses_is_the_batch_read_fresh(config):
    settings = KEYWORD_CONFIGS[config]
    questions = text_corpus()
    handled = questions[:6]
    actions, session = timed_session(handled, 90, NOW - timedelta(days=2))
    history = build_history(actions, [session], {q.id: q for q in handled}, NOW)
    latest = {a.question_id: a for a in actions}
    args = (questions, latest, NOW, DAY_START, 30 * 60)
    fresh = curate(*args, settings=settings, history=history)
    kept = curate(*args, settings=settings, history=history, analyses=_stored(questions))
    assert kept == fresh
    assert fresh.items, "the corpus makes a batch"


@pytest.mark.parametrize("config", sorted(KEYWORD_CONFIGS))
def test_the_features_from_a_kept_analysis_are_those_of_a_fresh_reading(config):
    reader = TextReader(KEYWORD_CONFIGS[config].watch_keywords)
    questions = text_corpus()
    kept = _stored(questions)
    for question in questions:
        assert reader.features(question, kept[question.id]) == reader.read(question), question.id


def test_keywords_are_found_in_the_kept_words_and_stop_words_by_reading_again():
    stop = ask("s", "It is not working, 42 days now")
    loss = ask("l", "We had data loss after the sync")
    assert TextReader(["not", "42"]).features(stop, analyse(stop)).keywords == ("not", "42")
    assert "not" not in analyse(stop).words.split(), "stop words are not kept"
    assert TextReader(["data loss"]).features(loss, analyse(loss)).keywords == ("data loss",)
    assert TextReader(["refund"]).features(loss, analyse(loss)).keywords == ()


def test_a_kept_analysis_is_compact_and_versioned():
    question = ask("v", "Please fix the export, it has been broken since Monday?")
    record = analysis_record(analyse(question))
    assert record[0] == ANALYSIS_VERSION
    assert read_analysis_record(record) == analyse(question)
    assert len(json.dumps(record)) < len(question.body) + 80
    assert analyse(question).asks == 1 and analyse(question).requests


@pytest.mark.parametrize(
    "record",
    [
        None,
        "text",
        [],
        [ANALYSIS_VERSION + 1, 0, False, 0, False, 10, "", []],
        [ANALYSIS_VERSION, "0", False, 0, False, 10, "", []],
        [ANALYSIS_VERSION, 0, 0, 0, False, 10, "", []],
        [ANALYSIS_VERSION, 0, False, 0, False, 10, ["words"], []],
        [ANALYSIS_VERSION, 0, False, 0, False, 10, "", [1]],
        [ANALYSIS_VERSION, 0, False, 0, False, 10, ""],
    ],
)
def test_a_kept_analysis_of_another_version_or_shape_is_made_again(record):
    assert read_analysis_record(record) is None


def test_the_must_see_kinds_come_from_the_kept_analysis():
    question = ask("m", "Someone logged into my account from Russia, is my data safe?")
    assert analyse(question).must_see == ("security",)
    ranked = rank([question], NOW, analyses={question.id: analyse(question)})
    assert ranked[0].question == question


def test_cxdaily_batch_over_stored_questions_is_the_batch_read_fresh(home, monkeypatch, capsys):
    from cxdaily.cli import main
    from cxdaily.core.clock import to_iso
    from cxdaily.service import Service
    from cxdaily.store import Store

    monkeypatch.setenv("CXDAILY_NOW", to_iso(NOW))
    questions = text_corpus()
    with Store(home / "data") as store:
        store.questions.upsert_many(questions)
    with Service.open(read_only=True) as service:
        settings = service.settings
        day_start = service.today_start(NOW)
    fresh = curate(
        questions,
        {},
        NOW,
        day_start,
        settings.session.budget_s,
        settings=settings.curation,
        history=build_history([], [], {}, NOW),
    )
    assert main(["batch", "--json"]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert printed == [
        {
            "id": item.question.id,
            "score": item.score,
            "estimate_s": item.estimate_s,
            "reasons": list(item.reasons),
            "must_see": list(item.must_see),
            "group": list(item.group),
        }
        for item in fresh.items
    ]
    assert fresh.items, "the corpus makes a batch"
    assert gc.isenabled(), "the command gives the collector back"
