"""The watch keywords found in a question when it is stored, kept under the fingerprint
of the configured keywords, give the very batch a fresh reading gives; kept matches of
other keywords, or of the wrong shape, are looked for again (and a writer keeps them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxdaily.curation import curate
from cxdaily.curation.candidates import StoredQuestions
from cxdaily.curation.settings import CurationSettings
from cxdaily.curation.text import TextReader, analyse
from cxdaily.store import Store
from tests.unit.curation.curation_kit import DAY_START, KEYWORD_CONFIGS, NOW, ask, text_corpus


def _kept(data_dir: Path) -> dict[str, object]:
    """The keyword matches each stored question keeps, by id, as written on disk."""
    data = json.loads((data_dir / "questions.json").read_text())
    return {doc["id"]: doc.get("watch") for doc in data["questions"].values()}


def _store(data_dir: Path, settings: CurationSettings) -> None:
    """Store the corpus as a fetch under ``settings`` would."""
    with Store(data_dir, watch_keywords=settings.watch_keywords) as store:
        store.questions.upsert_many(text_corpus())


def _curated(data_dir: Path, settings: CurationSettings, *, read_only: bool = True):
    """The batch of the stored questions under ``settings``, and how many questions were
    read with their kept matches."""
    with Store(data_dir, read_only=read_only, watch_keywords=settings.watch_keywords) as store:
        questions, analyses = store.questions.analysed()
    assert isinstance(questions, StoredQuestions)
    reader = TextReader(settings.watch_keywords)
    kept = sum(reader.stored_matches(c.matches) is not None for c in questions.candidates)
    batch = curate(questions, {}, NOW, DAY_START, 1800, settings=settings, analyses=analyses)
    return batch, kept


def _fresh(settings: CurationSettings):
    """The batch of the corpus given as models (every text read afresh)."""
    return curate(text_corpus(), {}, NOW, DAY_START, 1800, settings=settings)


@pytest.mark.parametrize("config", sorted(KEYWORD_CONFIGS))
def test_the_batch_from_kept_matches_is_the_batch_read_fresh(config, tmp_path):
    settings = KEYWORD_CONFIGS[config]
    _store(tmp_path, settings)
    batch, kept = _curated(tmp_path, settings)
    assert kept == len(text_corpus()), "every question is read with its kept matches"
    assert batch == _fresh(settings)
    assert batch.items


@pytest.mark.parametrize("config", sorted(set(KEYWORD_CONFIGS) - {"default"}))
def test_matches_kept_for_other_keywords_are_looked_for_again(config, tmp_path):
    settings = KEYWORD_CONFIGS[config]
    _store(tmp_path, KEYWORD_CONFIGS["default"])
    before = (tmp_path / "questions.json").read_bytes()
    batch, kept = _curated(tmp_path, settings)
    assert kept == 0, "no question is read with the matches of other keywords"
    assert batch == _fresh(settings)
    assert (tmp_path / "questions.json").read_bytes() == before, "a reader writes nothing"


def test_a_writer_keeps_the_matches_of_new_keywords_once(tmp_path, monkeypatch):
    _store(tmp_path, KEYWORD_CONFIGS["default"])
    phrases = KEYWORD_CONFIGS["phrases"]
    batch, kept = _curated(tmp_path, phrases, read_only=False)
    assert kept == len(text_corpus()), "the matches were made while reading"
    assert batch == _fresh(phrases)
    fingerprint = TextReader(phrases.watch_keywords).fingerprint
    on_disk = _kept(tmp_path)
    assert {record[0] for record in on_disk.values()} == {fingerprint}
    assert on_disk["demo:zd-48177"] == [fingerprint, "lawyer", "cancel"]
    assert on_disk["acme:loss"] == [fingerprint, "data loss"]
    looked: list[str] = []
    real = TextReader.matches_record
    monkeypatch.setattr(
        TextReader,
        "matches_record",
        lambda self, q, a: looked.append(q.id) or real(self, q, a),
    )
    before = (tmp_path / "questions.json").read_bytes()
    assert _curated(tmp_path, phrases, read_only=False)[0] == batch
    assert looked == [], "kept matches are not made again"
    assert (tmp_path / "questions.json").read_bytes() == before


def test_kept_matches_are_named_by_the_keywords_and_their_order():
    first = TextReader(["refund", "cancel"])
    assert TextReader(["refund", "cancel"]).fingerprint == first.fingerprint
    assert TextReader(["cancel", "refund"]).fingerprint != first.fingerprint
    assert TextReader(["refund"]).fingerprint != first.fingerprint
    assert TextReader([]).fingerprint != first.fingerprint
    question = ask("c", "I want to cancel, and a refund for March")
    assert first.matches_record(question, analyse(question)) == [
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
