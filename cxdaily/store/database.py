"""The data folder: its files, its single-instance lock, and its format version.

Files (all owner-only JSON, written atomically):

- ``questions.json``: fetched questions and per-channel checkpoints;
- ``activity.json``: what the leader did (actions), drafts, and sessions;
- ``outbox.json``: replies, from queued to sent;
- ``insights/YYYY-MM.json``: insights, one file per month so history never slows a write.

Opening for writing takes a lock on the folder; a second process gets a clear
:class:`StoreLockedError` instead of interleaving writes. Read-only opens take no lock
(atomic replaces mean a reader always sees a whole file).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Table

from cxdaily.errors import StoreError, StoreLockedError
from cxdaily.store.lock import FolderLock, LockBusy
from cxdaily.store.storage import AtomicJSONStorage, ensure_private_dir

FORMAT_VERSION = 1
META_TABLE = "_meta"


def open_db(path: Path, *, read_only: bool) -> TinyDB:
    """Open one data file and check (or stamp) its format version."""
    db = TinyDB(path, storage=AtomicJSONStorage, read_only=read_only)
    meta = db.table(META_TABLE)
    stamp = meta.get(doc_id=1)
    if stamp is None:
        if not read_only:
            meta.insert({"format": FORMAT_VERSION, "file": path.name})
    elif int(stamp.get("format", 0)) > FORMAT_VERSION:
        raise StoreError(
            f"{path} was written by a newer cxdaily (format {stamp['format']}); upgrade cxdaily"
        )
    return db


class KeyedTable:
    """A TinyDB table addressed by a string key, with batched upserts.

    TinyDB finds documents by scanning; this keeps a key -> doc_id index so that a
    lookup is O(1) and an upsert of many documents is at most two file writes.
    """

    def __init__(self, table: Table, key: str = "id") -> None:
        self._table = table
        self._key = key
        self._index: dict[str, int] | None = None

    def _ids(self) -> dict[str, int]:
        if self._index is None:
            self._index = {doc[self._key]: doc.doc_id for doc in self._table.all()}
        return self._index

    def get(self, key: str) -> dict[str, Any] | None:
        """The document with this key, or ``None``."""
        doc_id = self._ids().get(key)
        if doc_id is None:
            return None
        doc = self._table.get(doc_id=doc_id)
        return dict(doc) if doc is not None else None

    def __contains__(self, key: str) -> bool:
        return key in self._ids()

    def all(self) -> list[dict[str, Any]]:
        """Every document, in insertion order."""
        return [dict(doc) for doc in self._table.all()]

    def keys(self) -> list[str]:
        """Every key."""
        return list(self._ids())

    def put(self, doc: dict[str, Any]) -> None:
        """Insert or replace one document (one durable write)."""
        self.put_many([doc])

    def put_many(self, docs: Iterable[dict[str, Any]]) -> tuple[int, int]:
        """Insert or replace many documents in at most two writes; returns (added, updated)."""
        ids = self._ids()
        new: dict[str, dict[str, Any]] = {}
        changed: dict[int, dict[str, Any]] = {}
        for doc in docs:
            key = doc[self._key]
            if key in ids:
                changed[ids[key]] = doc
            else:
                new[key] = doc  # a key repeated in one batch keeps its last version
        try:
            if changed:
                by_key = {doc[self._key]: doc for doc in changed.values()}

                def replace_docs(document: dict[str, Any]) -> None:
                    fresh = by_key[document[self._key]]
                    document.clear()
                    document.update(fresh)

                self._table.update(replace_docs, doc_ids=list(changed))
            if new:
                doc_ids = self._table.insert_multiple(list(new.values()))
                ids.update(zip(new.keys(), doc_ids, strict=True))
        except StoreError:
            self._index = None  # the failed write may have left the index ahead of disk
            raise
        return len(new), len(changed)

    def delete(self, key: str) -> bool:
        """Remove the document with this key; returns whether it existed."""
        doc_id = self._ids().get(key)
        if doc_id is None:
            return False
        try:
            self._table.remove(doc_ids=[doc_id])
        finally:
            self._index = None
        return True

    def delete_many(self, keys: Iterable[str]) -> int:
        """Remove the documents with these keys in one write; returns how many existed."""
        ids = self._ids()
        doc_ids = [ids[key] for key in dict.fromkeys(keys) if key in ids]
        if not doc_ids:
            return 0
        try:
            self._table.remove(doc_ids=doc_ids)
        finally:
            self._index = None
        return len(doc_ids)

    def update(self, key: str, change: Callable[[dict[str, Any]], None]) -> bool:
        """Apply ``change`` to the stored document in place (one durable write)."""
        doc_id = self._ids().get(key)
        if doc_id is None:
            return False
        self._table.update(change, doc_ids=[doc_id])
        return True


class DataFolder:
    """The opened data folder: the lock and the TinyDB files."""

    def __init__(self, data_dir: Path, *, read_only: bool = False) -> None:
        self.data_dir = data_dir
        self.read_only = read_only
        self._lock: FolderLock | None = None
        self._dbs: dict[str, TinyDB] = {}
        if not read_only:
            try:
                ensure_private_dir(data_dir)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the data folder {data_dir}: {exc.strerror or exc}"
                ) from exc
            self._lock = FolderLock(data_dir / ".lock")
            try:
                self._lock.acquire()
                self._remove_stale_temp_files()
            except LockBusy:
                raise StoreLockedError(
                    f"another cxdaily is already running with {data_dir}; finish that session first"
                ) from None
            except OSError as exc:
                raise StoreError(f"cannot lock {data_dir}: {exc.strerror or exc}") from exc

    def _remove_stale_temp_files(self) -> None:
        """Remove temporary files a killed writer left (the lock says none is writing)."""
        for stale in self.data_dir.glob("**/.*.json.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()

    def db(self, relative: str) -> TinyDB:
        """Open (once) the data file at ``relative`` inside the folder."""
        if relative not in self._dbs:
            if not self.read_only:
                try:
                    ensure_private_dir((self.data_dir / relative).parent)
                except OSError as exc:
                    raise StoreError(f"cannot create {self.data_dir / relative}: {exc}") from exc
            self._dbs[relative] = open_db(self.data_dir / relative, read_only=self.read_only)
        return self._dbs[relative]

    def existing(self, pattern: str) -> list[str]:
        """Relative names of existing data files matching a glob pattern."""
        return sorted(str(p.relative_to(self.data_dir)) for p in self.data_dir.glob(pattern))

    def close(self) -> None:
        """Close the files and release the lock."""
        for db in self._dbs.values():
            db.close()
        self._dbs.clear()
        if self._lock is not None:
            self._lock.release()
            self._lock = None
