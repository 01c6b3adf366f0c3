"""Curation: the batch that deserves the leader's time budget, and why each item is there.

- :mod:`.engine`: candidates, ranking, packing, the batch (the pipeline);
- :mod:`.candidates`: what curation reads of a stored question, without its model;
- :mod:`.scoring`: explainable weighted signals; :mod:`.text`: text features, and
  :mod:`.analysis` the part kept with each stored question;
- :mod:`.must_see`: the questions the leader must see; :mod:`.explain`: words for it all;
- :mod:`.estimate`: seconds to read and answer, calibrated from history;
- :mod:`.dedupe`: near-duplicate groups without quadratic work;
- :mod:`.pack`: value-dense packing with a per-channel share, then session order;
- :mod:`.history`: what the leader's actions and sessions say;
- :mod:`.settings`: the ``[curation]`` config table.

Headless and pure: everything takes ``now`` and data, nothing reads the clock or the store.
"""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from typing import TYPE_CHECKING, Any

from cxdaily.core.collector import collector_paused
from cxdaily.curation.batch import Batch, BatchItem, LeftOut
from cxdaily.curation.settings import CurationSettings, Weights

if TYPE_CHECKING:
    from cxdaily.curation.engine import (
        Screening,
        curate,
        evaluate,
        next_best,
        rank,
    )
    from cxdaily.curation.history import LeaderHistory, build_history, latest_actions

#: The names the pipeline's modules give, loaded on first use: a launch that shows a
#: kept batch never curates, and the text analysis behind the pipeline is a good part
#: of the imports before its first frame. (The engine's ``candidates`` and ``pack`` are
#: not among them: they share their names with modules of this package, which the
#: package's attributes name once those are imported.)
_LOADED_ON_USE = {
    **dict.fromkeys(
        ("Screening", "curate", "evaluate", "next_best", "rank"),
        "cxdaily.curation.engine",
    ),
    **dict.fromkeys(("LeaderHistory", "build_history", "latest_actions"),
                    "cxdaily.curation.history"),
}  # fmt: skip


def __getattr__(name: str) -> Any:
    """The pipeline's names (:data:`_LOADED_ON_USE`), imported when first asked for."""
    module = _LOADED_ON_USE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


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
    "collector_paused",
    "curate",
    "evaluate",
    "latest_actions",
    "next_best",
    "rank",
]
