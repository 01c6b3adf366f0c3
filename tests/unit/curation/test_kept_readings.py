"""What curation keeps with a stored question under the curation settings (the watch
keywords found in it, its standing) gives the very batch a fresh reading gives; readings
kept under other settings, or of the wrong shape, are made again (and a writer keeps
them)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from msgspec.structs import replace

from cxdaily.curation import build_history, curate
from cxdaily.curation.candidates import StoredQuestions, candidate_of
from cxdaily.curation.kept import KeptReadings
from cxdaily.curation.scoring import Scorer, standing_fingerprint
from cxdaily.curation.settings import CurationSettings, Weights
from cxdaily.curation.text import TextReader, analyse
from cxdaily.store import Store
from tests.unit.curation.curation_kit import (
    DAY_START,
    KEYWORD_CONFIGS,
    NOW,
    ask,
    text_corpus,
    timed_session,
)

#: The keyword settings, and settings that change every part of a standing.
CONFIGS = {
    **KEYWORD_CONFIGS,
    "weights and VIPs": CurationSettings(
        weights=Weights(vip=2.5, negative=0.7, reach=2.0, asks=0.3, thread=1.1, coverage=2.0),
        vip_handles=frozenset({"@userstop", "userthread"}),
        vip_domains=("acme.example.com",),
        passing_mention=0.45,
    ),
}


def _kept(data_dir: Path, field: str = "watch") -> dict[str, object]:
    """What each stored question keeps in ``field``, by id, as written on disk."""
    data = json.loads((data_dir / "questions.json").read_text())
    return {doc["id"]: doc.get(field) for doc in data["questions"].values()}


def _store(data_dir: Path, settings: CurationSettings) -> None:
    """Store the corpus as a fetch under ``settings`` would."""
    with Store(data_dir, curation=settings) as store:
        store.questions.upsert_many(text_corpus())


def _history():
    """A leader's history (six questions handled two days ago): coverage counts."""
    handled = text_corpus()[:6]
    actions, session = timed_session(handled, 90, NOW - timedelta(days=2))
    return build_history(actions, [session], {q.id: q for q in handled}, NOW)


def _curated(data_dir: Path, settings: CurationSettings, *, read_only: bool = True):
    """The batch of the stored questions under ``settings``, and how many questions were
    read with current kept readings."""
    with Store(data_dir, read_only=read_only, curation=settings) as store:
        questions, analyses = store.questions.analysed()
    assert isinstance(questions, StoredQuestions)
    readings = KeptReadings(settings)
    kept = sum(readings.current(c) for c in questions.candidates)
    batch = curate(
        questions,
        {},
        NOW,
        DAY_START,
        1800,
        settings=settings,
        history=_history(),
        analyses=analyses,
    )
    return batch, kept


def _fresh(settings: CurationSettings):
    """The batch of the corpus given as models (every text read afresh)."""
    return curate(text_corpus(), {}, NOW, DAY_START, 1800, settings=settings, history=_history())


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_the_batch_from_kept_readings_is_the_batch_read_fresh(config, tmp_path):
    settings = CONFIGS[config]
    _store(tmp_path, settings)
    batch, kept = _curated(tmp_path, settings)
    assert kept == len(text_corpus()), "every question is read with its kept matches"
    assert batch == _fresh(settings)
    assert batch.items


@pytest.mark.parametrize("config", sorted(set(CONFIGS) - {"default"}))
def test_readings_kept_for_other_settings_are_made_again(config, tmp_path):
    settings = CONFIGS[config]
    _store(tmp_path, KEYWORD_CONFIGS["default"])
    before = (tmp_path / "questions.json").read_bytes()
    batch, kept = _curated(tmp_path, settings)
    assert kept == 0, "no question is read with the readings of other settings"
    assert batch == _fresh(settings)
    assert (tmp_path / "questions.json").read_bytes() == before, "a reader writes nothing"


def test_a_writer_keeps_the_readings_of_new_settings_once(tmp_path, monkeypatch):
    _store(tmp_path, CONFIGS["default"])
    phrases = CONFIGS["phrases"]
    batch, kept = _curated(tmp_path, phrases, read_only=False)
    assert kept == len(text_corpus()), "the readings were made while reading"
    assert batch == _fresh(phrases)
    fingerprint = TextReader(phrases.watch_keywords).fingerprint
    on_disk = _kept(tmp_path)
    assert {record[0] for record in on_disk.values()} == {fingerprint}
    assert on_disk["demo:zd-48177"] == [fingerprint, "lawyer", "cancel"]
    assert on_disk["acme:loss"] == [fingerprint, "data loss"]
    standings = _kept(tmp_path, "standing")
    assert {record[0] for record in standings.values()} == {standing_fingerprint(phrases)}
    made: list[str] = []
    real = KeptReadings.of_candidate
    monkeypatch.setattr(
        KeptReadings, "of_candidate", lambda self, c: made.append(c.id) or real(self, c)
    )
    before = (tmp_path / "questions.json").read_bytes()
    assert _curated(tmp_path, phrases, read_only=False)[0] == batch
    assert made == [], "kept readings are not made again"
    assert (tmp_path / "questions.json").read_bytes() == before


def test_the_value_from_a_kept_standing_is_the_value_rated_afresh():
    history = _history()
    questions = text_corpus()
    for settings in CONFIGS.values():
        for hours in (0, 3, 30, 400):
            scorer = Scorer(settings, NOW + timedelta(hours=hours), history)
            for question in questions:
                candidate = candidate_of(question, analyse(question))
                text = scorer.reader.features(candidate, candidate.analysis)
                record = json.loads(json.dumps(scorer.standing_record(candidate, text)))
                kept = scorer.kept_standing(record)
                assert kept is not None
                assert scorer.value(candidate, *kept) == scorer.rate(candidate, text).value


def test_a_standing_is_named_by_the_settings_it_depends_on():
    base = CurationSettings()
    same = {
        standing_fingerprint(replace(base, max_age_s=3600)),
        standing_fingerprint(replace(base, sla_s=60)),
    }
    assert same == {standing_fingerprint(base)}, "the time and age settings do not count"
    others = [
        replace(base, weights=replace(base.weights, vip=1.0)),
        replace(base, vip_handles=frozenset({"ana"})),
        replace(base, vip_emails=frozenset({"a@b.example"})),
        replace(base, vip_domains=("b.example",)),
        replace(base, vip_organizations=frozenset({"acme"})),
        replace(base, passing_mention=0.4),
        replace(base, watch_keywords=("refund",)),
    ]
    fingerprints = {standing_fingerprint(settings) for settings in others}
    assert len(fingerprints) == len(others) and standing_fingerprint(base) not in fingerprints


@pytest.mark.parametrize(
    "kept",
    [
        lambda fingerprint: None,
        lambda fingerprint: [],
        lambda fingerprint: [fingerprint, 1.0],
        lambda fingerprint: ["another fingerprint", 1.0, 1.0],
        lambda fingerprint: [fingerprint, 1, 1.0],
        lambda fingerprint: [fingerprint, 1.0, "1.0"],
        lambda fingerprint: [fingerprint, 1.0, 1.0, 1.0],
    ],
)
def test_a_kept_standing_of_the_wrong_shape_is_rated_afresh(kept):
    scorer = Scorer(CurationSettings(), NOW)
    assert scorer.kept_standing(kept(scorer.standing_key)) is None
    assert scorer.kept_standing([scorer.standing_key, 1.5, 1.0]) == (1.5, 1.0)


def test_kept_matches_are_named_by_the_keywords_and_their_order():
    first = TextReader(["refund", "cancel"])
    assert TextReader(["refund", "cancel"]).fingerprint == first.fingerprint
    assert TextReader(["cancel", "refund"]).fingerprint != first.fingerprint
    assert TextReader(["refund"]).fingerprint != first.fingerprint
    assert TextReader([]).fingerprint != first.fingerprint
    question = ask("c", "I want to cancel, and a refund for March")
    assert first.matches_record(first.read(question)) == [
        first.fingerprint,
        "refund",
        "cancel",
    ]


@pytest.mark.parametrize(
    "kept",
    [
        lambda fingerprint: "refund",
        lambda fingerprint: [],
        lambda fingerprint: ["another fingerprint", "refund"],
        lambda fingerprint: [None, "refund"],
        lambda fingerprint: [fingerprint, 1],
        lambda fingerprint: [fingerprint, ["refund"]],
        lambda fingerprint: [fingerprint, "lawyer"],  # not one of the reader's keywords
    ],
)
def test_kept_matches_of_the_wrong_shape_are_looked_for_again(kept):
    reader = TextReader(["refund", "cancel"])
    record = kept(reader.fingerprint)
    question = ask("w", "Still broken. Cancel my plan or refund me?")
    assert reader.stored_matches(record) is None
    assert reader.features(question, analyse(question), record) == reader.read(question)
    assert reader.read(question).keywords == ("refund", "cancel")
