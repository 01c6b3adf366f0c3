"""The local store: TinyDB lives here and nowhere else."""

from __future__ import annotations

from pathlib import Path

from cxdaily.curation.settings import CurationSettings
from cxdaily.store.activity import ActivityRepository
from cxdaily.store.database import DataFolder
from cxdaily.store.insights import InsightRepository
from cxdaily.store.outbox import OutboxRepository
from cxdaily.store.promises import PromiseRepository
from cxdaily.store.repositories import QuestionRepository

_DEFAULT_CURATION = CurationSettings()


class Store:
    """The opened data folder with one repository per kind of record."""

    def __init__(
        self,
        data_dir: Path,
        *,
        read_only: bool = False,
        curation: CurationSettings = _DEFAULT_CURATION,
    ) -> None:
        """Open the data folder ``data_dir``; ``curation`` are the curation settings
        (what curation reads of a question under them is kept with it when stored)."""
        self.folder = DataFolder(data_dir, read_only=read_only)
        try:
            self.questions = QuestionRepository(self.folder, curation)
            self.activity = ActivityRepository(self.folder)
            self.outbox = OutboxRepository(self.folder)
            self.promises = PromiseRepository(self.folder)
            self.insights = InsightRepository(self.folder)
        except Exception:
            self.folder.close()
            raise

    def hold_for_session(self) -> None:
        """The app holds the folder for a whole session (see
        :meth:`DataFolder.hold_for_session`)."""
        self.folder.hold_for_session()

    def close(self) -> None:
        """Close every file and release the single-instance lock."""
        self.folder.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["Store"]
