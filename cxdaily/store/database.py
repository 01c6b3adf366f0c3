"""The data folder: its files, its single-instance lock, and its format version.

Files (all owner-only JSON, written atomically):

- ``questions.json``: fetched questions and per-channel checkpoints;
  ``questions-archive/YYYY-MM.json``: older questions, by the month they were asked;
- ``activity.json``: the drafts being written;
- ``actions/YYYY-MM.json``, ``sessions/YYYY-MM.json``: what the leader did, and when
  (older folders kept sessions in ``activity.json``: see :mod:`cxdaily.store.activity`);
- ``outbox.json``: replies, from queued to sent (and sent within the last month);
  ``outbox-archive/YYYY-MM.json``: older sent and cancelled replies, by the month they
  were queued, and ``outbox-archive/questions.json``: which months hold each question's;
- ``insights/YYYY-MM.json``: insights, one file per month so history never slows a write;
- ``streak-days.json``: a derived file (:mod:`cxdaily.store.derived`), the totals of the
  streak's settled days, worked out again whenever it is missing, damaged or stale.

Opening for writing takes a lock on the folder; a second process gets a clear
:class:`StoreLockedError` instead of interleaving writes (after waiting a few seconds
when the holder is a command, which ends by itself: see :class:`DataFolder`). Read-only
opens take no lock (atomic replaces mean a reader always sees a whole file).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar, cast

from tinydb import TinyDB
from tinydb.table import Document, Table

from cxdaily.core.errors import CxDailyError, StoreCorruptError, StoreError, StoreLockedError
from cxdaily.core.safe_json import clean_surrogates
from cxdaily.store.lock import SESSION, FolderLock, Holder, LockBusy
from cxdaily.store.storage import (
    KEPT,
    AtomicJSONStorage,
    ReadOnlyError,
    ensure_private_dir,
    record_problem,
    refuse_read_only,
)

FORMAT_VERSION = 1
META_TABLE = "_meta"
LOCK_WAIT_S = 10.0
"""How long opening the folder for writing waits for a command that holds it (a fetch,
a tag from a script) before it is refused."""

T = TypeVar("T")

#: What building a model from a document of the wrong shape raises (the models raise
#: ``RecordError``, a ValueError; a timestamp that is not one raises a CxDailyError).
SHAPE_ERRORS = (ValueError, TypeError, KeyError, AttributeError, OverflowError, CxDailyError)


def open_db(path: Path, *, read_only: bool, checksummed: bool = False) -> TinyDB:
    """Open one data file and check (or stamp) its format version (``checksummed``: keep
    the checksum of its bytes, see :attr:`AtomicJSONStorage.checksum`)."""
    db = TinyDB(path, storage=AtomicJSONStorage, read_only=read_only, checksummed=checksummed)
    meta = db.table(META_TABLE)
    stamp = meta.get(doc_id=1)
    if stamp is None:
        if not read_only:
            meta.insert({"format": FORMAT_VERSION, "file": path.name})
        return db
    version = stamp.get("format", 0)
    if isinstance(version, bool) or not isinstance(version, int):
        raise StoreCorruptError(
            f"{path} is damaged: its format stamp ({_sample(version)}) is not a whole "
            f"number; {KEPT}"
        )
    if version > FORMAT_VERSION:
        raise StoreError(
            f"{path} was written by a newer cxdaily (format {_sample(version)}); upgrade cxdaily"
        )
    return db


def _sample(value: object, limit: int = 40) -> str:
    """A short, printable form of a stored value for a message."""
    text = clean_surrogates(repr(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


class KeyedTable:
    """A TinyDB table addressed by a string key, with batched upserts.

    TinyDB finds documents by scanning; this keeps a key -> doc_id index so that a
    lookup is O(1), and it writes through the storage itself
    (:meth:`AtomicJSONStorage.write_docs`): an upsert of many documents is one file
    write that encodes only the changed documents.

    Every document is checked before it touches the table (:func:`record_problem`), and
    a change that fails leaves the table as the file holds it. A stored document without
    its key, or one a model cannot be built from (:meth:`records`, :meth:`parse`), is a
    :class:`StoreCorruptError` naming the file, the table and the document.
    """

    def __init__(self, table: Table, key: str = "id") -> None:
        self._table = table
        self._key = key
        self._index: dict[str, int] | None = None

    @property
    def path(self) -> Path:
        """The data file this table lives in."""
        # Every table is opened over AtomicJSONStorage (see open_db), which knows its file.
        return cast(AtomicJSONStorage, self._table.storage).path

    def _ids(self) -> dict[str, int]:
        if self._index is None:
            index: dict[str, int] = {}
            for doc in self._table.all():
                key = doc.get(self._key)
                if not isinstance(key, str):
                    what = "is missing" if key is None else f"is {_sample(key)}, not text"
                    raise self.damaged(doc, f"{self._key!r} {what}")
                index[key] = doc.doc_id
            self._index = index
        return self._index

    # reading ---------------------------------------------------------------
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

    def records(self, parse: Callable[[dict[str, Any]], T]) -> list[T]:
        """Every document built by ``parse`` (a model's ``from_dict``), in insertion order;
        a document it cannot be built from is a StoreCorruptError naming it."""
        docs = self._table.all()
        try:
            return [parse(doc) for doc in docs]
        except SHAPE_ERRORS:
            for doc in docs:  # find the culprit (no cost while every document is sound)
                self.parse(doc, parse)
            raise

    def stored_docs(self) -> Mapping[str, dict[str, Any]]:
        """The documents by doc id as the storage holds them (never to be changed). Every
        write makes a new mapping, so the same mapping means an unchanged table."""
        stored = self._table.storage.read() or {}
        docs: Mapping[str, dict[str, Any]] = stored.get(self._table.name) or {}
        return docs

    def stored_records(self, parse: Callable[[dict[str, Any]], T]) -> list[T]:
        """Like :meth:`records`, but ``parse`` reads the documents as the storage holds
        them, not copies: fast for bulk reads, and ``parse`` must never change them."""
        docs = self.stored_docs()
        try:
            return [parse(doc) for doc in docs.values()]
        except SHAPE_ERRORS:
            for doc_id, doc in docs.items():  # name the culprit
                self.parse(Document(doc, int(doc_id)), parse)
            raise

    def checksum(self) -> int | None:
        """The checksum of the file's bytes as the table holds them (loading it first), for
        a file opened ``checksummed`` (see :attr:`AtomicJSONStorage.checksum`)."""
        storage = cast(AtomicJSONStorage, self._table.storage)
        storage.read()
        return storage.checksum

    def forget(self) -> None:
        """Drop what is held in memory: the next read loads the file again."""
        cast(AtomicJSONStorage, self._table.storage).forget()
        self._table.clear_cache()
        self._index = None

    def parse(self, doc: dict[str, Any], parse: Callable[[dict[str, Any]], T]) -> T:
        """``parse(doc)``, or a StoreCorruptError naming the document and what is wrong."""
        try:
            return parse(doc)
        except SHAPE_ERRORS as exc:
            raise self.damaged(doc, _problem(exc)) from None

    def damaged(self, doc: Any, problem: str) -> StoreCorruptError:
        """The error for a stored document of the wrong shape (the file is kept)."""
        key = doc.get(self._key) if isinstance(doc, dict) else None
        which = _sample(key) if isinstance(key, str) else f"#{getattr(doc, 'doc_id', '?')}"
        return StoreCorruptError(
            f"{self.path} is damaged: table {self._table.name!r}, document {which}: "
            f"{problem}; {KEPT}"
        )

    # writing ---------------------------------------------------------------
    @contextlib.contextmanager
    def _changing(self) -> Iterator[None]:
        """Run one change; if it fails, forget every in-memory copy (reloaded from disk)."""
        try:
            yield
        except BaseException:
            self._index = None
            forget = getattr(self._table.storage, "forget", None)
            if forget is not None:
                forget()
            self._table.clear_cache()
            raise

    def check(self, doc: dict[str, Any]) -> None:
        """Raise a StoreError naming ``doc`` when it cannot be stored (nothing is written)."""
        problem = record_problem(doc)
        if problem is not None:
            raise StoreError(
                f"cannot save {self._table.name} record {_sample(doc.get(self._key))} in "
                f"{self.path}: {problem}; nothing was changed"
            )

    def put(self, doc: dict[str, Any]) -> None:
        """Insert or replace one document (one durable write)."""
        self.put_many([doc])

    def put_many(self, docs: Iterable[dict[str, Any]], *, checked: bool = False) -> tuple[int, int]:
        """Insert or replace many documents in one write; returns (added, updated).

        Every document is checked first (unless the caller just did, ``checked``): one
        that cannot be stored refuses the batch (a StoreError naming it) before anything
        is written. A key repeated in one batch keeps its last version."""
        docs = list(docs)
        if not checked:
            for doc in docs:
                self.check(doc)
        ids = self._ids()
        next_id = max(map(int, self.stored_docs()), default=0) + 1  # as TinyDB numbers them
        added: dict[str, int] = {}
        upserts: dict[str, dict[str, Any]] = {}
        for doc in docs:
            key = doc[self._key]
            doc_id = ids.get(key) or added.get(key)
            if doc_id is None:
                doc_id = added[key] = next_id
                next_id += 1
            upserts[str(doc_id)] = dict(doc)
        if upserts:
            self._write(upserts)
            ids.update(added)
        return len(added), len(upserts) - len(added)

    def delete(self, key: str) -> bool:
        """Remove the document with this key; returns whether it existed."""
        return self.delete_many([key]) == 1

    def delete_many(self, keys: Iterable[str]) -> int:
        """Remove the documents with these keys in one write; returns how many existed."""
        ids = self._ids()
        doc_ids = [ids[key] for key in dict.fromkeys(keys) if key in ids]
        if not doc_ids:
            return 0
        try:
            self._write({}, [str(doc_id) for doc_id in doc_ids])
        finally:
            self._index = None
        return len(doc_ids)

    def update(self, key: str, change: Callable[[dict[str, Any]], None]) -> bool:
        """Apply ``change`` to (a copy of) the stored document and store it (one durable
        write)."""
        doc_id = self._ids().get(key)
        if doc_id is None:
            return False
        doc = dict(self.stored_docs()[str(doc_id)])
        change(doc)
        self._write({str(doc_id): doc})
        return True

    def _write(self, upserts: dict[str, dict[str, Any]], removals: Iterable[str] = ()) -> None:
        """Store these documents (by doc id) and remove those in one durable write: only
        the changed documents are encoded (:meth:`AtomicJSONStorage.write_docs`)."""
        storage = cast(AtomicJSONStorage, self._table.storage)
        with self._changing():
            storage.write_docs(self._table.name, upserts, removals)
            self._table.clear_cache()


def _problem(exc: BaseException) -> str:
    """What a model's ``from_dict`` found wrong, in one line."""
    if isinstance(exc, KeyError) and exc.args:
        return f"{_sample(exc.args[0])} is missing"
    text = clean_surrogates(" ".join(str(exc).split()))
    if len(text) > 200:
        text = text[:199] + "…"
    return text or type(exc).__name__


def _locked_words(data_dir: Path, holder: Holder) -> str:
    """Why the folder could not be opened, for the process that holds it."""
    process = f" (process {holder.pid})" if holder.pid else ""
    if holder.role == SESSION:
        return f"cxdaily is open with {data_dir}{process}; finish that session first"
    return (
        f"another cxdaily is still working with {data_dir}{process} after "
        f"{LOCK_WAIT_S:.0f} s; try again once it is done"
    )


class DataFolder:
    """The opened data folder: the lock and the TinyDB files. Opening it for writing
    waits (:data:`LOCK_WAIT_S` at most) for a command that holds it, never for the app
    (see :mod:`cxdaily.store.lock`)."""

    def __init__(self, data_dir: Path, *, read_only: bool = False) -> None:
        self.data_dir = data_dir
        self.read_only = read_only
        self._lock: FolderLock | None = None
        self._dbs: dict[str, TinyDB] = {}
        if not read_only:
            try:
                ensure_private_dir(data_dir)
                refuse_read_only(data_dir, "the data folder")
            except ReadOnlyError as exc:
                raise StoreError(f"cannot open {data_dir} for writing: {exc.strerror}") from None
            except OSError as exc:
                raise StoreError(
                    f"cannot create the data folder {data_dir}: {exc.strerror or exc}"
                ) from exc
            self._lock = FolderLock(data_dir / ".lock")
            try:
                self._lock.acquire(wait_s=LOCK_WAIT_S)
                self._remove_stale_temp_files()
            except LockBusy as busy:
                raise StoreLockedError(_locked_words(data_dir, busy.holder)) from None
            except OSError as exc:
                raise StoreError(
                    f"cannot lock {data_dir} with {self._lock.path.name}: {exc.strerror or exc}"
                ) from exc

    def hold_for_session(self) -> None:
        """Say in the lock file that the app holds the folder for a whole session: a
        command started meanwhile is refused at once instead of waiting for it."""
        if self._lock is not None:
            self._lock.say(SESSION)

    def _remove_stale_temp_files(self) -> None:
        """Remove temporary files a killed writer left (the lock says none is writing)."""
        for stale in self.data_dir.glob("**/.*.json.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()

    def db(self, relative: str, *, checksummed: bool = False) -> TinyDB:
        """Open (once) the data file at ``relative`` inside the folder (``checksummed``:
        see :func:`open_db`; a file opened before without it keeps its checksum from
        its next read on)."""
        if relative not in self._dbs:
            if not self.read_only:
                try:
                    ensure_private_dir((self.data_dir / relative).parent)
                except OSError as exc:
                    raise StoreError(f"cannot create {self.data_dir / relative}: {exc}") from exc
            self._dbs[relative] = open_db(
                self.data_dir / relative, read_only=self.read_only, checksummed=checksummed
            )
        if checksummed:
            cast(AtomicJSONStorage, self._dbs[relative].storage).keep_checksum()
        return self._dbs[relative]

    def close(self) -> None:
        """Close the files and release the lock."""
        for db in self._dbs.values():
            db.close()
        self._dbs.clear()
        if self._lock is not None:
            self._lock.release()
            self._lock = None
