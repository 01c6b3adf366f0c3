"""The jsonl channel against hostile files (issue 11 items 4, 5 and 8).

One bad line costs only itself; a FIFO, ``/dev/zero`` or any other non-regular file is
refused at once, for the questions and for the replies file; a fetch reads a bounded
amount; and no file work runs on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
from datetime import UTC, datetime

import pytest

from cxdaily.cli import main
from cxdaily.connectors import jsonl as jsonl_module
from cxdaily.connectors.jsonl import MAX_LINE_BYTES, JsonlConnector
from cxdaily.core.errors import ConfigError, ConnectorError
from cxdaily.settings import ChannelSettings

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TIME = "2026-11-21T10:00:00Z"
#: Long enough for a slow machine, far shorter than "forever".
PATIENCE_S = 10


def line(native_id: str, body: str = "question", **extra) -> str:
    return json.dumps({"id": native_id, "body": body, "created_at": TIME, **extra})


def connector(path, **options) -> JsonlConnector:
    settings = ChannelSettings(name="imp", kind="jsonl", options={"path": str(path), **options})
    return JsonlConnector(settings, now=lambda: NOW)


@pytest.fixture
def fifo(tmp_path):
    """A named pipe; released at the end so that a blocked open can never hang the run."""
    path = tmp_path / "pipe.jsonl"
    os.mkfifo(path)
    yield path
    release(path)


def release(path) -> None:
    """Wake up a reader or a writer stuck opening the FIFO ``path`` (old code blocked there)."""
    for flags in (os.O_WRONLY, os.O_RDONLY):
        with contextlib.suppress(OSError):
            os.close(os.open(path, flags | os.O_NONBLOCK))


# -- item 4: lone surrogates ------------------------------------------------------------


async def test_a_lone_surrogate_line_lands_cleaned_with_the_15_good_lines(tmp_path):
    path = tmp_path / "q.jsonl"
    good = [line(str(n)) for n in range(1, 16)]
    # json.dumps writes the lone surrogate as the legal escape "\ud800"
    bad = line("16", "broken \ud800 text", author={"name": "Ana\udfff"}, meta={"k\ud800": "v"})
    assert "\\ud800" in bad
    path.write_text("\n".join([*good[:7], bad, *good[7:]]) + "\n")
    result = await connector(path).fetch(None)
    assert result.warnings == []
    assert sorted(int(q.native_id) for q in result.questions) == list(range(1, 17))
    cleaned = next(q for q in result.questions if q.native_id == "16")
    assert cleaned.body == "broken \ufffd text"
    assert cleaned.author.name == "Ana\ufffd"
    assert cleaned.meta == {"k\ufffd": "v"}
    for question in result.questions:
        json.dumps(question.to_dict(), ensure_ascii=False).encode("utf-8")


# -- item 5: huge numbers, long ids, deep nesting -----------------------------------------


async def test_hostile_numbers_and_nesting_skip_only_their_line(tmp_path):
    path = tmp_path / "q.jsonl"
    huge, long_id, deep = "9" * 4000, "9" * 5001, "[" * 100_000 + "]" * 100_000
    lines = [
        line("1"),
        f'{{"id": "2", "body": "x", "created_at": "{TIME}", "author": {{"followers": {huge}}}}}',
        f'{{"id": {long_id}, "body": "x", "created_at": "{TIME}"}}',
        line("x" * 201),
        f'{{"id": "5", "body": "x", "created_at": "{TIME}", "meta": {{"d": {deep}}}}}',
        deep,
        '{"id": "7", "body": "x", "created_at": NaN}',
        line("8"),
    ]
    path.write_text("\n".join(lines) + "\n")
    result = await connector(path).fetch(None)
    assert [q.native_id for q in result.questions] == ["1", "8"]
    assert result.warnings == [
        "q.jsonl: line 2 skipped: author.followers is unreadable (a 4000-digit number)",
        "q.jsonl: line 3 skipped: id is unreadable (a 5001-digit number)",
        "q.jsonl: line 4 skipped: id is longer than 200 characters",
        "q.jsonl: line 5 skipped: meta is nested deeper than 32 levels",
        "q.jsonl: line 6 skipped: expected a JSON object, got a list",
        "q.jsonl: line 7 skipped: created_at is unreadable (NaN is not a number)",
    ]
    assert result.checkpoint["line"] == 8


async def test_malformed_json_is_one_line_with_the_column(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "1", "body": \n' + line("2") + "\n")
    result = await connector(path).fetch(None)
    assert [q.native_id for q in result.questions] == ["2"]
    assert result.warnings == [
        "q.jsonl: line 1 skipped: not valid JSON (expecting value at column 20 (cut off before "
        "its end))"
    ]


# -- item 8: non-regular files never block ---------------------------------------------


async def within_patience(awaitable):
    return await asyncio.wait_for(awaitable, PATIENCE_S)


async def test_a_fifo_is_refused_at_once(fifo):
    c = connector(fifo)
    with pytest.raises(ConnectorError) as caught:
        await within_patience(c.fetch(None))
    assert str(caught.value) == f"imp: {fifo} is a named pipe (FIFO), not a regular file"
    with pytest.raises(ConnectorError, match="named pipe"):
        await within_patience(c.check())


async def test_a_symlink_to_dev_zero_is_refused(tmp_path):
    path = tmp_path / "q.jsonl"
    path.symlink_to("/dev/zero")
    c = connector(path)
    with pytest.raises(ConnectorError, match="is a character device, not a regular file"):
        await within_patience(c.fetch(None))
    with pytest.raises(ConnectorError, match="character device"):
        await within_patience(c.check())


async def test_a_fifo_swapped_in_after_the_check_does_not_block(fifo, monkeypatch, tmp_path):
    """The race: the path was a regular file when checked, a FIFO when opened."""
    regular = tmp_path / "regular.jsonl"
    regular.write_text(line("1") + "\n")
    real_stat = os.stat
    monkeypatch.setattr(os, "stat", lambda p, *a, **k: real_stat(regular if p == fifo else p))
    with pytest.raises(ConnectorError, match="named pipe"):
        await within_patience(connector(fifo).fetch(None))


async def test_a_replies_file_that_is_a_fifo_or_a_device_is_refused(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(line("1") + "\n")
    c = connector(path)
    question = (await c.fetch(None)).questions[0]
    os.mkfifo(c.replies_path)
    try:
        with pytest.raises(ConnectorError, match=r"replies\.jsonl is a named pipe"):
            await within_patience(c.send_reply(question, "Thanks!", "key-1"))
        with pytest.raises(ConnectorError, match=r"replies\.jsonl is a named pipe"):
            await within_patience(c.find_own_reply(question, "Thanks!", "key-1"))
    finally:
        release(c.replies_path)
    c.replies_path.unlink()
    c.replies_path.symlink_to("/dev/zero")
    with pytest.raises(ConnectorError, match="character device, not a regular file"):
        await within_patience(c.send_reply(question, "Thanks!", "key-1"))
    assert c.replies_path.is_symlink()  # left as it was


async def test_no_file_work_runs_on_the_event_loop(tmp_path, monkeypatch):
    opened_on: list[int] = []
    real_open = jsonl_module.open_regular_file

    def recording(*args, **kwargs):
        opened_on.append(threading.get_ident())
        return real_open(*args, **kwargs)

    monkeypatch.setattr(jsonl_module, "open_regular_file", recording)
    path = tmp_path / "q.jsonl"
    path.write_text(line("1") + "\n")
    c = connector(path)
    question = (await c.fetch(None)).questions[0]
    await c.send_reply(question, "Thanks!", "key-1")
    await c.find_own_reply(question, "Thanks!", "key-1")
    await c.check()
    assert len(opened_on) >= 4
    assert threading.get_ident() not in opened_on


async def test_a_fetch_reads_at_most_its_budget_and_says_so(tmp_path):
    path = tmp_path / "q.jsonl"
    filler = "y" * 100_000
    path.write_text("".join(line(str(n), filler) + "\n" for n in range(1, 26)))  # ~2.5 MB
    c = connector(path, max_fetch_mb=1)
    seen: list[str] = []
    checkpoint = None
    for _ in range(3):
        result = await c.fetch(checkpoint)
        seen += [q.native_id for q in result.questions]
        checkpoint = result.checkpoint
        if len(seen) < 25:
            assert len(result.questions) <= 11
            assert result.warnings[-1] == (
                f"q.jsonl: stopped at line {checkpoint['line']} after 1 MB (the byte budget of "
                "one fetch, max_fetch_mb); the rest comes with the next fetch"
            )
        else:
            assert result.warnings == []
    assert seen == [str(n) for n in range(1, 26)]


def test_max_fetch_mb_is_checked_when_the_channel_is_read(tmp_path):
    for bad in (0, -1, "50", True, 10**6):
        with pytest.raises(ConfigError, match="max_fetch_mb must be a whole number"):
            connector(tmp_path / "q.jsonl", max_fetch_mb=bad)


async def test_a_fetch_reads_only_what_the_file_held_when_it_began(tmp_path, monkeypatch):
    """A file that grows while it is read (say, fed by ``yes``) cannot keep a fetch busy."""
    path = tmp_path / "q.jsonl"
    path.write_text(line("1") + "\n")
    c = connector(path)
    real_parse = c._parse_line
    appended = 0

    def parse_and_grow(raw):
        nonlocal appended
        appended += 1
        if appended < 1000:
            with path.open("a") as handle:
                handle.write(line(f"more-{appended}") + "\n")
        return real_parse(raw)

    monkeypatch.setattr(c, "_parse_line", parse_and_grow)
    result = await c.fetch(None)
    assert [q.native_id for q in result.questions] == ["1"]
    again = await connector(path).fetch(result.checkpoint)
    assert [q.native_id for q in again.questions] == ["more-1"]


# -- the replies file: damaged lines cost one line, never a traceback ---------------------


async def test_a_damaged_replies_file_is_read_past(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(line("1") + "\n")
    c = connector(path)
    question = (await c.fetch(None)).questions[0]
    with c.replies_path.open("w") as handle:
        handle.write("[" * 100_000 + "]" * 100_000 + "\n")
        handle.write('{"idempotency_key": "key-1", "n": ' + "9" * 5000 + "}\n")
        handle.write("z" * (MAX_LINE_BYTES + 10) + "\n")
        handle.write("not json\n")
    sent = await c.send_reply(question, "Thanks!", "key-1")
    found = await c.find_own_reply(question, "Thanks!", "key-1")
    assert found is not None and found.remote_id == sent.remote_id


async def test_a_reply_with_a_lone_surrogate_is_written_as_utf8(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(line("1") + "\n")
    c = connector(path)
    question = (await c.fetch(None)).questions[0]
    await c.send_reply(question, "caf\udce9", "key-1")  # a mangled command-line argument
    record = json.loads(c.replies_path.read_bytes().decode("utf-8"))
    assert record["body"] == "caf\ufffd"


# -- end to end: the CLI names the refused file in one line and stores the good channel --


def test_fetch_refuses_a_fifo_channel_and_stores_the_good_one(tmp_path, monkeypatch, capsys, fifo):
    monkeypatch.setenv("CXDAILY_HOME", str(tmp_path))
    monkeypatch.setenv("CXDAILY_NOW", "2026-11-22T09:00:00Z")
    good = tmp_path / "good.jsonl"
    lines = [line(str(n)) for n in range(1, 16)]
    lines.insert(4, line("16", "lone \ud800 surrogate"))
    good.write_text("\n".join(lines) + "\n")
    zero = tmp_path / "zero.jsonl"
    zero.symlink_to("/dev/zero")
    main(["channels", "add", "good", "jsonl", f"path={good}"])
    main(["channels", "add", "pipe", "jsonl", f"path={fifo}", "deadline=3s"])
    main(["channels", "add", "zero", "jsonl", f"path={zero}", "deadline=3s"])
    capsys.readouterr()
    assert main(["fetch", "--json"]) == 3
    captured = capsys.readouterr()
    rows = [json.loads(x) for x in captured.out.splitlines()]
    assert sorted(int(r["native_id"]) for r in rows) == list(range(1, 17))
    errors = captured.err.splitlines()
    assert any(e.startswith("cxdaily: pipe: ") and "named pipe (FIFO)" in e for e in errors)
    assert any(e.startswith("cxdaily: zero: ") and "character device" in e for e in errors)
    assert "Traceback" not in captured.err
    assert main(["fetch", "--channel", "good"]) == 0  # stored: nothing new the second time
    assert capsys.readouterr().out == "good: 0 questions\n"
