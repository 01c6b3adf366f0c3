"""The customer's history across channels, and the leader's own earlier answers.

- :mod:`.identity`: who wrote a question, as keys that join one person's questions
  across channels (email, a handle scoped by its network, an account), never a name
  or a company domain;
- :mod:`.links`: links the leader confirms between two questions' authors (transitive);
- :mod:`.customers`: the customer index: their questions, replies, insights, hand-offs,
  organisation and VIP status;
- :mod:`.similar`: earlier sent replies to questions like the one in view (TF-IDF over
  normalised terms, local, no model);
- :mod:`.index`: both kept up to date record by record;
- :mod:`.records`: what the look-ups answer (the package exports the records the
  service and the screens name; the parts of a history are read there).

Pure: it never reads the store or the clock. :mod:`cxdaily.service.history` feeds it
what changed in the store (:mod:`cxdaily.store.changes`) before each look-up.
"""

from __future__ import annotations

from cxdaily.history.index import HistoryIndex
from cxdaily.history.links import CustomerLink
from cxdaily.history.records import CustomerHistory, EarlierAnswer, LinkShown, PastQuestion

__all__ = [
    "CustomerHistory",
    "CustomerLink",
    "EarlierAnswer",
    "HistoryIndex",
    "LinkShown",
    "PastQuestion",
]
