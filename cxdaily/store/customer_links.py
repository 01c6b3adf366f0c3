"""Links the leader confirmed between customers (``customers.json``, table ``links``).

One record per pair of questions whose authors the leader said are one person (see
:mod:`cxdaily.history.links`); undoing a link removes its record. Small and rarely
written: the file is read once and kept in memory like the others.
"""

from __future__ import annotations

from collections.abc import Iterable

from cxdaily.history.links import CustomerLink
from cxdaily.store.database import DataFolder, KeyedTable


class CustomerLinkRepository:
    """Confirmed customer links."""

    def __init__(self, folder: DataFolder) -> None:
        self._links = KeyedTable(folder.db("customers.json").table("links"))

    def all(self) -> list[CustomerLink]:
        """Every link, oldest first."""
        return sorted(self._links.records(CustomerLink.from_dict), key=lambda link: link.at)

    def add(self, link: CustomerLink) -> None:
        """Durably record a link (a link with a known id replaces it)."""
        self._links.put(link.to_dict())

    def remove(self, link_ids: Iterable[str]) -> int:
        """Durably remove links in one write; returns how many there were."""
        return self._links.delete_many(link_ids)
