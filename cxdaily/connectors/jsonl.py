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

Replies are appended to ``<path>.replies.jsonl``, one JSON object per reply:
``{"id", "question_id", "native_id", "body", "sent_at", "idempotency_key"}``. A reply
sent again with the same idempotency key is found there and not written twice.
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

from cxdaily.clock import to_iso
from cxdaily.connectors.base import Capabilities, Connector, FetchResult, SentReply
from cxdaily.connectors.http_base import check_options, string_option
from cxdaily.connectors.parsing import QuestionShapeError, parse_question
from cxdaily.connectors.runner import channel_deadline_s
from cxdaily.errors import ConnectorError
from cxdaily.models import Question

#: How many bad lines are listed one by one before they are only counted.
MAX_LISTED_WARNINGS = 20
#: Bytes at the start of the file whose hash tells the same file from a rewritten one.
HEAD_BYTES = 4096
MAX_LINE_BYTES = 4 * 1024 * 1024


@dataclass
class _ReadState:
    """What one pass over the file found."""

    questions: dict[str, Question] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    bad_lines: int = 0
    offset: int = 0
    line: int = 0

    def warn(self, line: int, problem: str) -> None:
        self.bad_lines += 1
        if len(self.warnings) < MAX_LISTED_WARNINGS:
            self.warnings.append(f"line {line}: {problem}")


class JsonlConnector(Connector):
    """Reads questions from a JSON-lines file; writes replies to a sibling file."""

    kind = "jsonl"
    capabilities = Capabilities(max_reply_length=None, idempotency_keys=True, threads=True)
    known_options = frozenset({"path", "deadline"})

    def __init__(self, settings, **kwargs: Any) -> None:
        super().__init__(settings, **kwargs)
        check_options(settings, self.known_options)
        channel_deadline_s(settings)  # a bad deadline is reported now, not at fetch
        raw = string_option(settings, "path", required=True)
        assert raw is not None
        self.path = Path(os.path.expandvars(raw)).expanduser()

    @property
    def replies_path(self) -> Path:
        """Where replies to this channel's questions are appended."""
        return self.path.with_name(self.path.name + ".replies.jsonl")

    # fetching -------------------------------------------------------------------
    def _file_error(self, exc: OSError) -> ConnectorError:
        """The one-line error for a file that cannot be read."""
        if isinstance(exc, FileNotFoundError):
            return ConnectorError(f"the file {self.path} does not exist", channel=self.name)
        if isinstance(exc, IsADirectoryError):
            return ConnectorError(f"{self.path} is a folder, not a file", channel=self.name)
        return ConnectorError(f"cannot read {self.path}: {exc.strerror or exc}", channel=self.name)

    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Questions from the lines added since the checkpoint (or the whole file)."""
        return await asyncio.to_thread(self._read, checkpoint)

    def _read(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        try:
            with self.path.open("rb") as handle:
                stat = os.fstat(handle.fileno())
                start, line = self._resume_point(handle, stat, checkpoint)
                handle.seek(start)
                state = _ReadState(offset=start, line=line)
                self._read_lines(handle, state)
                head = _head_hash(handle, state.offset)
        except OSError as exc:
            raise self._file_error(exc) from None
        if state.bad_lines > len(state.warnings):
            state.warnings.append(
                f"{state.bad_lines - len(state.warnings)} more bad lines were skipped"
            )
        return FetchResult(
            questions=list(state.questions.values()),
            checkpoint={
                "offset": state.offset,
                "line": state.line,
                "device": stat.st_dev,
                "inode": stat.st_ino,
                "head_sha256": head,
            },
            warnings=[f"{self.path.name}: {w}" for w in state.warnings],
        )

    def _resume_point(
        self, handle: Any, stat: os.stat_result, checkpoint: dict[str, Any] | None
    ) -> tuple[int, int]:
        """Where to start reading: after the checkpoint if it is the same file, else 0."""
        if not checkpoint:
            return 0, 0
        try:
            offset = int(checkpoint["offset"])
            line = int(checkpoint["line"])
            same_file = (checkpoint["device"], checkpoint["inode"]) == (stat.st_dev, stat.st_ino)
            head = checkpoint["head_sha256"]
        except (KeyError, TypeError, ValueError):
            return 0, 0
        if not same_file or offset < 0 or offset > stat.st_size:
            return 0, 0
        if _head_hash(handle, offset) != head:
            return 0, 0  # rewritten in place: read it all again
        return offset, line

    def _read_lines(self, handle: Any, state: _ReadState) -> None:
        while True:
            raw = handle.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            complete = raw.endswith(b"\n")
            number = state.line + 1
            if len(raw) > MAX_LINE_BYTES and not complete:
                state.warn(number, f"longer than {MAX_LINE_BYTES} bytes")
                while raw and not raw.endswith(b"\n"):  # skip the rest of the long line
                    raw = handle.readline(MAX_LINE_BYTES)
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
        text = raw.strip()
        if not text:
            return None, None  # blank lines are fine
        try:
            data = json.loads(text.decode("utf-8"))
        except UnicodeDecodeError:
            return None, "not UTF-8 text"
        except json.JSONDecodeError as exc:
            return None, f"not valid JSON ({exc.msg} at column {exc.colno})"
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
        reply_id = uuid.uuid5(uuid.NAMESPACE_URL, f"cxdaily:{idempotency_key}").hex[:16]
        record = {
            "id": reply_id,
            "question_id": question.id,
            "native_id": question.native_id,
            "body": body,
            "sent_at": to_iso(self.now()),
            "idempotency_key": idempotency_key,
        }
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            fd = os.open(self.replies_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise ConnectorError(
                f"cannot write {self.replies_path}: {exc.strerror or exc}", channel=self.name
            ) from None
        return SentReply(remote_id=reply_id)

    def _find_reply(self, idempotency_key: str) -> SentReply | None:
        try:
            with self.replies_path.open("rb") as handle:
                for raw in handle:
                    try:
                        record = json.loads(raw)
                    except (ValueError, UnicodeDecodeError):
                        continue
                    if (
                        isinstance(record, dict)
                        and record.get("idempotency_key") == idempotency_key
                    ):
                        return SentReply(remote_id=str(record.get("id")))
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ConnectorError(
                f"cannot read {self.replies_path}: {exc.strerror or exc}", channel=self.name
            ) from None
        return None

    async def find_own_reply(
        self, question: Question, body: str, idempotency_key: str
    ) -> SentReply | None:
        """The reply already written with this idempotency key, if any."""
        return await asyncio.to_thread(self._find_reply, idempotency_key)

    async def check(self) -> str:
        """The file exists and can be read."""

        def probe() -> str:
            try:
                with self.path.open("rb") as handle:
                    size = os.fstat(handle.fileno()).st_size
                    handle.read(1)
            except OSError as exc:
                raise self._file_error(exc) from None
            return f"{self.path} is readable ({size} bytes)"

        return await asyncio.to_thread(probe)


def _head_hash(handle: Any, upto: int) -> str:
    """Hash of the first ``min(upto, HEAD_BYTES)`` bytes (restores the file position)."""
    position = handle.tell()
    handle.seek(0)
    data = handle.read(min(upto, HEAD_BYTES))
    handle.seek(position)
    return hashlib.sha256(data).hexdigest()
