"""Drafts written behind the typing (issue 13, item 14): staged in memory at once,
written by a background thread at most every half second (only the latest text),
flushed on demand, failures told once without losing the text; and the service reads
the staged text first and never brings back the draft of a queued reply."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cxdaily.core.errors import StoreError
from cxdaily.service import Service
from cxdaily.service.drafts import DraftWriter
from cxdaily.store import Store


class Disk:
    """A fake durable write: records (thread, question, text, time); can fail or stall."""

    def __init__(self) -> None:
        self.writes: list[tuple[int, str, str, float]] = []
        self.error: Exception | None = None
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()  # a write has begun

    def save(self, question_id: str, text: str) -> None:
        self.entered.set()
        self.gate.wait(10)
        if self.error is not None:
            raise self.error
        self.writes.append((threading.get_ident(), question_id, text, time.monotonic()))

    @property
    def texts(self) -> list[str]:
        return [text for _, _, text, _ in self.writes]


def wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_typing_is_coalesced_and_written_off_the_calling_thread():
    disk = Disk()
    writer = DraftWriter(disk.save, every_s=0.2)
    began = time.monotonic()
    text = ""
    for letter in "Thanks for writing, we are on it":
        text += letter
        writer.stage("q1", text)
        time.sleep(0.01)
    typing_s = time.monotonic() - began
    assert writer.flush(timeout=5)
    assert disk.texts[-1] == text, "the latest text is what is on disk"
    assert len(disk.writes) <= typing_s / 0.2 + 2, "one write per interval, not per key"
    assert all(thread != threading.get_ident() for thread, *_ in disk.writes)
    times = [at for *_, at in disk.writes[:-1]]  # the flush may write at once
    assert all(b - a >= 0.19 for a, b in itertools.pairwise(times))
    assert writer.pending("q1") is None and not writer.busy


def test_stage_never_waits_for_a_write_under_way():
    disk = Disk()
    writer = DraftWriter(disk.save, every_s=0.0)
    disk.gate.clear()  # the disk stalls (a concurrent writer fsyncing a big file)
    writer.stage("q1", "H")
    time.sleep(0.05)  # the thread is now stuck in the write
    began = time.monotonic()
    for n in range(100):
        writer.stage("q1", "Hello"[: n % 5 + 1])
    assert time.monotonic() - began < 0.05, "staging waited on the disk"
    assert writer.pending("q1") == "Hello"[: 99 % 5 + 1], "reads see the text typed last"
    disk.gate.set()
    assert writer.flush(timeout=5)
    assert disk.texts[-1] == "Hello"[: 99 % 5 + 1]


def test_a_flush_that_cannot_finish_in_time_says_so():
    disk = Disk()
    writer = DraftWriter(disk.save, every_s=0.0)
    disk.gate.clear()
    writer.stage("q1", "Hi")
    began = time.monotonic()
    assert writer.flush(timeout=0.1) is False
    assert time.monotonic() - began < 1
    assert writer.pending("q1") == "Hi"
    disk.gate.set()
    assert writer.flush(timeout=5)


def test_a_failing_disk_is_told_once_and_the_text_is_kept_until_a_write_works():
    disk = Disk()
    told: list[tuple[str, str]] = []
    writer = DraftWriter(
        disk.save, on_error=lambda qid, exc: told.append((qid, str(exc))), retry_s=0.05
    )
    disk.error = StoreError("cannot save activity.json: the disk is full")
    writer.stage("q1", "Dear Jane")
    assert writer.flush(timeout=5) is False, "a failed write ends the wait"
    writer.stage("q1", "Dear Jane, sorry")
    time.sleep(0.3)  # several retries fail meanwhile
    assert told == [("q1", "cannot save activity.json: the disk is full")], "told once"
    assert writer.pending("q1") == "Dear Jane, sorry", "the text is never lost"

    disk.error = None  # space was freed
    assert writer.flush(timeout=5)
    assert disk.texts == ["Dear Jane, sorry"] and writer.pending("q1") is None

    disk.error = OSError("I/O error")  # a new failure after a success is told again
    writer.stage("q1", "Dear Jane, sorry!")
    assert writer.flush(timeout=5) is False
    assert [qid for qid, _ in told] == ["q1", "q1"]
    disk.error = None
    assert writer.flush(timeout=5)


def test_text_discarded_while_it_is_written_is_never_written_again():
    disk = Disk()
    writer = DraftWriter(disk.save, every_s=0.0, retry_s=0.01)
    disk.gate.clear()
    writer.stage("q1", "Thanks, fixed")
    assert disk.entered.wait(5)  # the thread is writing it
    writer.discard("q1")  # the reply was queued meanwhile
    assert writer.pending("q1") is None
    disk.error = StoreError("full")
    disk.gate.set()
    assert writer.flush(timeout=5)
    time.sleep(0.05)
    assert writer.pending("q1") is None and not writer.busy and disk.texts == []


def test_an_error_callback_that_raises_never_stops_the_writer():
    disk = Disk()

    def broken(question_id: str, exc: Exception) -> None:
        raise RuntimeError("the app is gone")

    writer = DraftWriter(disk.save, on_error=broken, retry_s=0.01)
    disk.error = StoreError("full")
    writer.stage("q1", "x")
    assert writer.flush(timeout=5) is False
    disk.error = None
    assert writer.flush(timeout=5) and disk.texts == ["x"]


def test_the_thread_waits_for_more_typing_then_ends_and_a_new_stage_starts_it_again():
    disk = Disk()
    writer = DraftWriter(disk.save, every_s=0.0, idle_s=0.3)
    before = set(threading.enumerate())
    writer.stage("q1", "one")
    assert writer.flush(timeout=5)
    time.sleep(0.1)
    started = set(threading.enumerate()) - before
    assert len(started) == 1, "the thread waits for the next keys (starting one costs)"
    writer.stage("q1", "one more")
    assert writer.flush(timeout=5)
    assert set(threading.enumerate()) - before == started, "the same thread wrote again"
    wait_until(lambda: not (set(threading.enumerate()) - before))
    writer.stage("q2", "two")
    assert writer.flush(timeout=5)
    written = [(qid, text) for _, qid, text, _ in disk.writes]
    assert written == [("q1", "one"), ("q1", "one more"), ("q2", "two")]


# ----------------------------------------------------------------------------- the service
@pytest.fixture
def demo(home: Path) -> Iterator[Service]:
    """The demo profile with its inbox fetched."""
    with Service.open("demo") as service:
        assert not service.refresh().failed
        yield service


def on_disk(service: Service, question_id: str) -> str | None:
    with Store(service.locations.data_dir, read_only=True) as store:
        return store.activity.draft(question_id)


def test_a_staged_draft_is_read_at_once_and_on_disk_after_a_flush(demo: Service):
    question_id = demo.batch().items[0].question.id
    demo.replies.stage_draft(question_id, "Half a thought")
    assert demo.draft(question_id) == "Half a thought", "the app reads what was typed"
    assert demo.replies.flush_drafts()
    assert on_disk(demo, question_id) == "Half a thought"
    demo.replies.stage_draft(question_id, "   ")  # everything deleted: no draft
    assert demo.draft(question_id) is None
    assert demo.replies.flush_drafts()
    assert on_disk(demo, question_id) is None


def test_a_direct_save_replaces_the_staged_text(demo: Service):
    question_id = demo.batch().items[0].question.id
    demo.replies.drafts.flush(timeout=0)
    demo.replies.stage_draft(question_id, "typed in the composer")
    demo.save_draft(question_id, "written in $EDITOR")
    assert demo.replies.flush_drafts()
    assert demo.draft(question_id) == "written in $EDITOR"
    assert on_disk(demo, question_id) == "written in $EDITOR"


def test_queueing_the_reply_discards_its_staged_draft_and_a_late_write_never_restores_it(
    demo: Service,
):
    question_id = demo.batch().items[0].question.id
    demo.replies.stage_draft(question_id, "Thanks, fixed")
    demo.queue_reply(question_id, "Thanks, fixed")
    assert demo.replies.flush_drafts()
    assert demo.draft(question_id) is None and on_disk(demo, question_id) is None
    # a write that was already under way when the reply was queued is dropped
    assert demo.replies.save_draft(question_id, "Thanks, fixed") is False
    assert on_disk(demo, question_id) is None


def test_a_cancelled_reply_allows_a_draft_again(demo: Service):
    question_id = demo.batch().items[0].question.id
    reply = demo.queue_reply(question_id, "Written offline")
    demo.cancel(reply.id)
    assert demo.draft(question_id) == "Written offline"
    assert demo.replies.save_draft(question_id, "Written offline, then edited") is True
    assert on_disk(demo, question_id) == "Written offline, then edited"
