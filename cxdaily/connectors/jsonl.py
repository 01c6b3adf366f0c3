"""The ``jsonl`` channel: import questions from a file of JSON lines.

Config::

    [channels.import]
    kind = "jsonl"
    path = "~/exports/questions.jsonl"

Each line is one question in the shape of :mod:`cxdaily.connectors.parsing`. A bad line
is reported with its line number (in ``FetchResult.warnings``) and skipped; the good
lines import. The checkpoint remembers how far the file was read (byte offset and line
number) and which file it was (device, inode and a hash of the part already read), so a
later fetch reads only new lines, and a replaced or rewritten file is read again from
the start (questions read again are updated, never duplicated). A last line without a
newline may still be being written: it is imported but read again next time.

Lines are decoded with :func:`cxdaily.core.safe_json.loads`, so a line with a huge number,
deep nesting or a lone surrogate costs only itself (surrogates are cleaned; the others
make the line a warning). A fetch reads at most what the file held when it started, and
at most ``max_fetch_mb`` megabytes (default 50): a bigger file is read over several
fetches, each saying so in a warning.

Replies are appended to ``<path>.replies.jsonl``, one JSON object per reply:
``{"id", "question_id", "native_id", "body", "sent_at", "idempotency_key"}``. A reply
sent again with the same idempotency key is found there and not written twice.

Both files must be regular files: a FIFO, a device (``/dev/zero``), a socket or a folder
is refused with a one-line error before anything is read, and files are opened
non-blocking, so a fetch or a reply never hangs on them. All file work runs in a worker
thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxdaily.connectors.base import Capabilities, Connector, FetchResult, SentReply
from cxdaily.connectors.options import CHANNEL_OPTIONS, MAX_FETCH_MB, Option
from cxdaily.connectors.parsing import QuestionShapeError, parse_question
from cxdaily.core.clock import to_iso
from cxdaily.core.errors import ConnectorError
from cxdaily.core.files import NotRegularFileError, open_regular_file
from cxdaily.core.models import Question
from cxdaily.core.safe_json import JSONUnreadableError, clean_surrogates, loads

#: How many bad lines are listed one by one before they are only counted.
MAX_LISTED_WARNINGS = 20
#: Bytes at the start of the file whose hash tells the same file from a rewritten one.
HEAD_BYTES = 4096
#: Longest line read; a longer one is skipped with a warning.
MAX_LINE_BYTES = 4 * 1024 * 1024
#: Megabytes one fetch reads at most, unless the channel sets ``max_fetch_mb``.


@dataclass
class _ReadState:
    """What one pass over the file found."""

    questions: dict[str, Question] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    bad_lines: int = 0
    offset: int = 0
    line: int = 0
    stopped_at_budget: bool = False

    def warn(self, line: int, problem: str) -> None:
        self.bad_lines += 1
        if len(self.warnings) < MAX_LISTED_WARNINGS:
            self.warnings.append(f"line {line} skipped: {problem}")


class JsonlConnector(Connector):
    """Reads questions from a JSON-lines file; writes replies to a sibling file."""

    kind = "jsonl"
    capabilities = Capabilities(max_reply_length=None, idempotency_keys=True, threads=True)
    summary = "questions from a JSON-lines file; replies appended to a file beside it"
    declared_options = CHANNEL_OPTIONS.extended(
        Option("path", "path", "the file of questions, one JSON object a line", required=True),
        MAX_FETCH_MB,
    )

    def configure(self) -> None:
        """The file and the byte budget from the options."""
        super().configure()
        self.max_fetch_bytes: int = self.option("max_fetch_mb") * 2**20
        self.path: Path = self.option("path")

    @property
    def replies_path(self) -> Path:
        """Where replies to this channel's questions are appended."""
        return self.path.with_name(self.path.name + ".replies.jsonl")

    # fetching -------------------------------------------------------------------
    def _file_error(
        self, exc: OSError, path: Path | None = None, verb: str = "read"
    ) -> ConnectorError:
        """The one-line error for a file that cannot be read (or written)."""
        path = path or self.path
        if isinstance(exc, NotRegularFileError):
            if exc.is_folder:
                return ConnectorError(f"{path} is a folder, not a file", channel=self.name)
            return ConnectorError(str(exc), channel=self.name)
        if isinstance(exc, FileNotFoundError):
            return ConnectorError(f"the file {path} does not exist", channel=self.name)
        if isinstance(exc, IsADirectoryError):
            return ConnectorError(f"{path} is a folder, not a file", channel=self.name)
        return ConnectorError(f"cannot {verb} {path}: {exc.strerror or exc}", channel=self.name)

    def _open(self, path: Path) -> Any:
        """``path`` opened for binary reading, if it is a regular file (never blocks)."""
        return os.fdopen(open_regular_file(path), "rb")

    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Questions from the lines added since the checkpoint (or the whole file)."""
        return await asyncio.to_thread(self._read, checkpoint)

    def _read(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        try:
            with self._open(self.path) as handle:
                info = os.fstat(handle.fileno())
                start, line = self._resume_point(handle, info, checkpoint)
                handle.seek(start)
                state = _ReadState(offset=start, line=line)
                # what the file held when the fetch began, and at most the budget of it
                end = min(info.st_size, start + self.max_fetch_bytes)
                self._read_lines(handle, state, end, info.st_size)
                head = _head_hash(handle, state.offset)
        except OSError as exc:
            raise self._file_error(exc) from None
        if state.bad_lines > len(state.warnings):
            state.warnings.append(
                f"{state.bad_lines - len(state.warnings)} more bad lines were skipped"
            )
        if state.stopped_at_budget:
            state.warnings.append(
                f"stopped at line {state.line} after {self.max_fetch_bytes // 2**20} MB (the byte "
                "budget of one fetch, max_fetch_mb); the rest comes with the next fetch"
            )
        return FetchResult(
            questions=list(state.questions.values()),
            checkpoint={
                "offset": state.offset,
                "line": state.line,
                "device": info.st_dev,
                "inode": info.st_ino,
                "head_sha256": head,
            },
            warnings=[f"{self.path.name}: {w}" for w in state.warnings],
        )

    def _resume_point(
        self, handle: Any, info: os.stat_result, checkpoint: dict[str, Any] | None
    ) -> tuple[int, int]:
        """Where to start reading: after the checkpoint if it is the same file, else 0."""
        if not checkpoint:
            return 0, 0
        try:
            offset = int(checkpoint["offset"])
            line = int(checkpoint["line"])
            same_file = (checkpoint["device"], checkpoint["inode"]) == (info.st_dev, info.st_ino)
            head = checkpoint["head_sha256"]
        except (KeyError, TypeError, ValueError):
            return 0, 0
        if not same_file or offset < 0 or offset > info.st_size:
            return 0, 0
        if _head_hash(handle, offset) != head:
            return 0, 0  # rewritten in place: read it all again
        return offset, line

    def _read_lines(self, handle: Any, state: _ReadState, end: int, size: int) -> None:
        """Read the lines that start before ``end`` (``size``: the file's size at the start)."""
        while True:
            if handle.tell() >= end:
                # before ``size``: stopped by the budget (else: lines added since the fetch
                # began, read by the next fetch)
                state.stopped_at_budget = handle.tell() < size
                return
            raw = handle.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            complete = raw.endswith(b"\n")
            number = state.line + 1
            if len(raw) > MAX_LINE_BYTES and not complete:
                state.warn(number, f"longer than {MAX_LINE_BYTES} bytes")
                _skip_rest_of_line(handle)
                state.offset, state.line = handle.tell(), number
                continue
            question, problem = self._parse_line(raw)
            if not complete:
                # maybe still being written: use it if it parses, but read it again next time
                if question is not None:
                    state.questions[question.id] = question
                elif raw.strip():
                    state.warn(number, f"{problem} (incomplete last line; read again next time)")
                return
            state.offset, state.line = handle.tell(), number
            if question is not None:
                state.questions[question.id] = question
            elif problem:
                state.warn(number, problem)

    def _parse_line(self, raw: bytes) -> tuple[Question | None, str | None]:
        """The question of one line, or why the line is skipped (``None, None``: blank)."""
        text = raw.strip()
        if not text:
            return None, None  # blank lines are fine
        try:
            data = loads(text.decode("utf-8"))
        except UnicodeDecodeError:
            return None, "not UTF-8 text"
        except JSONUnreadableError as exc:
            # one line of the file is always line 1 of its own document: give the column only
            return None, f"not valid JSON ({str(exc).replace('at line 1, column', 'at column')})"
        try:
            return parse_question(data, channel=self.name, kind=self.kind), None
        except QuestionShapeError as exc:
            return None, str(exc)

    # replying ---------------------------------------------------------------------
    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """Append the reply to ``<path>.replies.jsonl`` (once per idempotency key)."""
        return await asyncio.to_thread(self._append_reply, question, body, idempotency_key)

    def _append_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        existing = self._find_reply(idempotency_key)
        if existing is not None:
            return existing
        reply_id = _reply_id(idempotency_key)
        record = {
            "id": reply_id,
            "question_id": question.id,
            "native_id": question.native_id,
            "body": body,
            "sent_at": to_iso(self.now()),
            "idempotency_key": idempotency_key,
        }
        # a lone surrogate (from a mangled argument) becomes U+FFFD instead of failing to encode
        line = clean_surrogates(json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            fd = open_regular_file(self.replies_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise self._file_error(exc, self.replies_path, "write") from None
        return SentReply(remote_id=reply_id)

    def _find_reply(self, idempotency_key: str) -> SentReply | None:
        """The reply written with ``idempotency_key``, if the replies file has one."""
        try:
            with self._open(self.replies_path) as handle:
                size = os.fstat(handle.fileno()).st_size
                while handle.tell() < size:  # what the file held: it cannot grow forever
                    raw = handle.readline(MAX_LINE_BYTES + 1)
                    if not raw:
                        break
                    if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                        _skip_rest_of_line(handle)  # not a line cxdaily wrote
                        continue
                    found = _reply_in_line(raw, idempotency_key)
                    if found is not None:
                        return found
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._file_error(exc, self.replies_path) from None
        return None

    async def find_own_reply(
        self, question: Question, body: str, idempotency_key: str
    ) -> SentReply | None:
        """The reply already written with this idempotency key, if any."""
        return await asyncio.to_thread(self._find_reply, idempotency_key)

    async def check(self) -> str:
        """The file exists, is a regular file and can be read."""

        def probe() -> str:
            try:
                with self._open(self.path) as handle:
                    size = os.fstat(handle.fileno()).st_size
                    handle.read(1)
            except OSError as exc:
                raise self._file_error(exc) from None
            return f"{self.path} is readable ({size} bytes)"

        return await asyncio.to_thread(probe)


def _reply_in_line(raw: bytes, idempotency_key: str) -> SentReply | None:
    """The reply recorded on one line of the replies file, if it has ``idempotency_key``."""
    try:
        record = loads(raw)
    except JSONUnreadableError:
        return None
    if not isinstance(record, dict) or record.get("idempotency_key") != idempotency_key:
        return None
    reply_id = record.get("id")
    if not isinstance(reply_id, str) or not reply_id:
        reply_id = _reply_id(idempotency_key)  # what was written with it
    return SentReply(remote_id=reply_id)


def _reply_id(idempotency_key: str) -> str:
    """The id of the reply written with ``idempotency_key`` (the same on every attempt)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"cxdaily:{idempotency_key}").hex[:16]


def _skip_rest_of_line(handle: Any) -> None:
    """Read past the end of an over-long line, a bounded chunk at a time."""
    raw = b" "
    while raw and not raw.endswith(b"\n"):
        raw = handle.readline(MAX_LINE_BYTES)


def _head_hash(handle: Any, upto: int) -> str:
    """Hash of the first ``min(upto, HEAD_BYTES)`` bytes (restores the file position)."""
    position = handle.tell()
    handle.seek(0)
    data = handle.read(min(upto, HEAD_BYTES))
    handle.seek(position)
    return hashlib.sha256(data).hexdigest()
