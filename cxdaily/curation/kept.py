"""What curation keeps with each stored question, made once when it is stored.

Besides its text analysis (:func:`~cxdaily.curation.text.analyse`, which depends on the
question alone), a stored question keeps two readings that depend on the curation
settings too, each under a fingerprint of what it depends on:

- the watch keywords found in it (:meth:`~cxdaily.curation.text.TextReader.matches_record`);
- its *standing*: the part of its score that depends neither on the time nor on the
  leader's history, and its factor (:meth:`~cxdaily.curation.scoring.Scorer.standing`).

With both kept, curation works out only the waiting and the coverage of each candidate,
and reads the whole score, with its reasons, for the shortlist alone. A reading kept
under another fingerprint (the settings or the code changed) is ignored and made again;
a writer keeps the new one (see
:meth:`cxdaily.store.repositories.QuestionRepository.analysed`).
"""

from __future__ import annotations

from cxdaily.core.models import Question
from cxdaily.curation.analysis import TextAnalysis
from cxdaily.curation.candidates import Candidate, candidate_of
from cxdaily.curation.scoring import standing_scorer
from cxdaily.curation.settings import CurationSettings


class KeptReadings:
    """Makes and checks the readings kept with stored questions under one config."""

    def __init__(self, settings: CurationSettings) -> None:
        self._scorer = standing_scorer(settings)
        self._reader = self._scorer.reader

    def of_question(self, question: Question, analysis: TextAnalysis) -> tuple[object, object]:
        """The keyword matches and the standing to keep with a question being stored
        (the standing is ``None`` when the code's version is unknown)."""
        return self.of_candidate(candidate_of(question, analysis))

    def of_candidate(self, candidate: Candidate) -> tuple[object, object]:
        """The keyword matches and the standing of a candidate, made afresh."""
        text = self._reader.features(candidate, candidate.analysis)
        return self._reader.matches_record(text), self._scorer.standing_record(candidate, text)

    def current(self, candidate: Candidate) -> bool:
        """Whether a candidate's kept readings are those of this config and code."""
        scorer = self._scorer
        return self._reader.stored_matches(candidate.matches) is not None and (
            scorer.standing_key is None or scorer.kept_standing(candidate.standing) is not None
        )
