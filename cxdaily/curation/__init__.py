"""Curation: the batch that deserves the leader's time budget, and why each item is there.

- :mod:`.engine`: candidates, ranking, packing, the batch (the pipeline);
- :mod:`.candidates`: what curation reads of a stored question, without its model;
- :mod:`.scoring`: explainable weighted signals; :mod:`.text`: text features;
- :mod:`.estimate`: seconds to read and answer, calibrated from history;
- :mod:`.dedupe`: near-duplicate groups without quadratic work;
- :mod:`.pack`: value-dense packing with a per-channel share, then session order;
- :mod:`.history`: what the leader's actions and sessions say;
- :mod:`.settings`: the ``[curation]`` config table.

Headless and pure: everything takes ``now`` and data, nothing reads the clock or the store.
"""

from __future__ import annotations

from datetime import timedelta

from cxdaily.curation.batch import Batch, BatchItem, LeftOut
from cxdaily.curation.engine import (
    Screening,
    candidates,
    collector_paused,
    curate,
    evaluate,
    next_best,
    pack,
    rank,
)
from cxdaily.curation.history import LeaderHistory, build_history, latest_actions
from cxdaily.curation.settings import CurationSettings, Weights

#: Default age past which questions are left out (``[curation] max_age``).
MAX_AGE = timedelta(seconds=CurationSettings().max_age_s)
#: Default share of the budget kept free (``[curation] reserve``).
RESERVE = CurationSettings().reserve

__all__ = [
    "MAX_AGE",
    "RESERVE",
    "Batch",
    "BatchItem",
    "CurationSettings",
    "LeaderHistory",
    "LeftOut",
    "Screening",
    "Weights",
    "build_history",
    "candidates",
    "collector_paused",
    "curate",
    "evaluate",
    "latest_actions",
    "next_best",
    "pack",
    "rank",
]
