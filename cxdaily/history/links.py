"""Links the leader confirms: "the author of this question is the author of that one".

Matching by email and handle (:mod:`cxdaily.history.identity`) never joins a customer's
X account to their help-desk address: only the leader knows that. A
:class:`CustomerLink` records one such confirmation between the authors of two
questions; links are transitive (A is B and B is C: A is C), which :class:`LinkGroups`
works out with a union-find. Undoing a link removes its record; the groups are made
again from the links that remain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from cxdaily.core.record_fields import StoredRecord


class CustomerLink(StoredRecord, frozen=True):
    """The leader confirmed that two questions' authors are one person."""

    id: str
    question_a: str
    question_b: str
    at: datetime
    """When the leader confirmed it."""

    @classmethod
    def between(cls, question_a: str, question_b: str, at: datetime) -> CustomerLink:
        """A new link (its id the same whichever way round the questions are given, so
        confirming a link twice keeps one record)."""
        first, second = sorted((question_a, question_b))
        digest = hashlib.sha256(f"{first}\n{second}".encode()).hexdigest()[:24]
        return cls(id=digest, question_a=first, question_b=second, at=at)


class LinkGroups:
    """Questions joined by confirmed links, transitively (a union-find)."""

    def __init__(self, links: Iterable[CustomerLink] = ()) -> None:
        self._parent: dict[str, str] = {}
        self._members: dict[str, set[str]] = {}
        self.links: tuple[CustomerLink, ...] = tuple(links)
        for link in self.links:
            self._union(link.question_a, link.question_b)

    def _find(self, item: str) -> str:
        parent = self._parent
        root = item
        while parent.get(root, root) != root:
            root = parent[root]
        while item != root:  # path compression
            parent[item], item = root, parent[item]
        return root

    def _union(self, a: str, b: str) -> None:
        root_a, root_b = self._find(a), self._find(b)
        if root_a == root_b:
            return
        members_a = self._members.pop(root_a, {root_a})
        members_b = self._members.pop(root_b, {root_b})
        if len(members_a) < len(members_b):  # the smaller group joins the larger
            root_a, root_b, members_a, members_b = root_b, root_a, members_b, members_a
        self._parent[root_b] = root_a
        self._parent.setdefault(root_a, root_a)
        members_a |= members_b
        self._members[root_a] = members_a

    def group(self, question_id: str) -> frozenset[str]:
        """Every question linked to ``question_id`` (itself included)."""
        return frozenset(self._members.get(self._find(question_id), {question_id}))

    def linked(self, question_a: str, question_b: str) -> bool:
        """Whether the two questions are joined by links (directly or through others)."""
        return self._find(question_a) == self._find(question_b)
