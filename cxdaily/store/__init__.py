"""The local store: TinyDB lives here and nowhere else."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cxdaily.curation.settings import DEFAULT_WATCH_KEYWORDS
from cxdaily.store.activity import ActivityRepository
from cxdaily.store.database import DataFolder
from cxdaily.store.insights import InsightRepository
from cxdaily.store.outbox import OutboxRepository
from cxdaily.store.promises import PromiseRepository
from cxdaily.store.repositories import QuestionRepository


class Store:
    """The opened data folder with one repository per kind of record."""

    def __init__(
        self,
        data_dir: Path,
        *,
        read_only: bool = False,
        watch_keywords: Iterable[str] = DEFAULT_WATCH_KEYWORDS,
    ) -> None:
        """Open the data folder ``data_dir``; ``watch_keywords`` are the curation
        settings' (those found in a question are kept with it when it is stored)."""
        self.folder = DataFolder(data_dir, read_only=read_only)
        try:
            self.questions = QuestionRepository(self.folder, watch_keywords)
            self.activity = ActivityRepository(self.folder)
            self.outbox = OutboxRepository(self.folder)
            self.promises = PromiseRepository(self.folder)
            self.insights = InsightRepository(self.folder)
        except Exception:
            self.folder.close()
            raise

    def close(self) -> None:
        """Close every file and release the single-instance lock."""
        self.folder.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["Store"]
