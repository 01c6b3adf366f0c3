"""What went to each digest destination (``deliveries.json``), so nothing goes twice.

Two tables, each written atomically at every change (the data folder's storage: temp file,
fsync, replace), under the folder's single-writer lock:

- ``periods``: one record per destination and digest period (sending, sent, failed, or an
  outcome nobody knows), replaced as the attempt goes on;
- ``items``: one record per destination and item, for kinds that send items one by one
  (a note per insight, an issue per theme): written as soon as the item is sent, so a
  send that fails half-way keeps what went out and a retry sends only the rest.

Small and rarely written: a week adds one record per destination (and one per new item).
"""

from __future__ import annotations

from cxdaily.insights.delivery.model import ItemRecord, PeriodRecord, record_id
from cxdaily.store.database import DataFolder, KeyedTable

DELIVERIES_FILE = "deliveries.json"


class DeliveryRepository:
    """The delivery records of the data folder."""

    def __init__(self, folder: DataFolder) -> None:
        self._periods = KeyedTable(folder.db(DELIVERIES_FILE).table("periods"))
        self._items = KeyedTable(folder.db(DELIVERIES_FILE).table("items"))

    # periods ---------------------------------------------------------------------------
    def period(self, destination: str, period: str) -> PeriodRecord | None:
        """What was sent to ``destination`` for the period with key ``period``, if any."""
        doc = self._periods.get(record_id(destination, period))
        return None if doc is None else self._periods.parse(doc, PeriodRecord.from_dict)

    def save_period(self, record: PeriodRecord) -> None:
        """Durably record (or replace) a destination's state for a period."""
        self._periods.put(record.to_dict())

    def periods(self, destination: str | None = None) -> list[PeriodRecord]:
        """Every period record (of one destination), oldest change first."""
        records = self._periods.records(PeriodRecord.from_dict)
        chosen = [r for r in records if destination is None or r.destination == destination]
        return sorted(chosen, key=lambda r: r.updated_at)

    def last_sent(self, destination: str) -> PeriodRecord | None:
        """The destination's latest period that went out, if any."""
        sent = [r for r in self.periods(destination) if r.sent_at is not None]
        return max(sent, key=lambda r: r.sent_at or r.updated_at, default=None)

    # items -----------------------------------------------------------------------------
    def items(self, destination: str) -> dict[str, ItemRecord]:
        """Every item sent to ``destination``, by item key."""
        records = self._items.records(ItemRecord.from_dict)
        return {r.item: r for r in records if r.destination == destination}

    def save_item(self, record: ItemRecord) -> None:
        """Durably record (or update) one sent item."""
        self._items.put(record.to_dict())
