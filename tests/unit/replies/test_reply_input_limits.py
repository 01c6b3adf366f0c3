"""``cxdaily reply`` caps its input (issue 11, item 9).

``--file`` must be a regular file: a FIFO, ``/dev/zero``, ``/dev/urandom`` or a folder
is refused with one line and never read; at most ``MAX_REPLY_FILE_BYTES + 1`` bytes are
read from any file; ``--text`` and ``--file`` are capped at ``MAX_REPLY_CHARS``
characters. Every refusal is one line on stderr, exit 1, before anything is stored.
"""

from __future__ import annotations

import argparse
import os
import threading
from pathlib import Path

import pytest

from cxdaily.cli import main
from cxdaily.cli import outbox as cli_outbox
from cxdaily.core.errors import CxDailyError
from cxdaily.core.limits import MAX_REPLY_CHARS, MAX_REPLY_FILE_BYTES


def refused(capsys, *argv: str) -> str:
    """Run ``cxdaily reply ...``; assert it is refused with one line; return the line."""
    code = main(["reply", "demo:q1", *argv])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("cxdaily: ") and "Traceback" not in err
    return err.strip()


@pytest.fixture
def bytes_read(monkeypatch) -> list[int]:
    """How many bytes each ``os.read`` of the reply reader returned."""
    sizes: list[int] = []
    real_read = os.read

    def counting_read(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        sizes.append(len(data))
        return data

    monkeypatch.setattr(cli_outbox.os, "read", counting_read)
    return sizes


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_waiting_for_a_writer(home: Path, capsys, bytes_read):
    fifo = home / "reply.fifo"
    os.mkfifo(fifo)
    result: list[str] = []
    worker = threading.Thread(target=lambda: result.append(refused(capsys, "--file", str(fifo))))
    worker.daemon = True
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "opening the FIFO blocked"
    assert result == [f"cxdaily: cannot read {fifo}: it is a pipe (FIFO); give a text file"]
    assert bytes_read == []


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_endless_devices_are_refused_unread(home: Path, capsys, bytes_read, device):
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    line = refused(capsys, "--file", device)
    assert line == f"cxdaily: cannot read {device}: it is a device; give a text file"
    assert bytes_read == []


def test_a_folder_is_refused(home: Path, capsys):
    line = refused(capsys, "--file", str(home))
    assert line == f"cxdaily: cannot read {home}: it is a folder; give a text file"


def test_a_huge_file_is_refused_after_reading_at_most_the_cap(home: Path, capsys, bytes_read):
    huge = home / "huge.txt"
    with huge.open("wb") as handle:  # 1 GiB, sparse: nothing is really written
        handle.truncate(1 << 30)
    line = refused(capsys, "--file", str(huge))
    assert line == (
        f"cxdaily: cannot read {huge}: it is larger than {MAX_REPLY_FILE_BYTES // 1024} KiB "
        "(the most a reply's file may hold)"
    )
    assert sum(bytes_read) == MAX_REPLY_FILE_BYTES + 1


def test_too_many_characters_are_refused_from_a_file_and_from_text(home: Path, capsys):
    long_file = home / "long.txt"
    long_file.write_text("x" * (MAX_REPLY_CHARS + 1), encoding="utf-8")
    expected = (
        f"cxdaily: not sent: the reply is {MAX_REPLY_CHARS + 1:,} characters long; "
        f"the limit is {MAX_REPLY_CHARS:,}"
    )
    assert refused(capsys, "--file", str(long_file)) == expected
    assert refused(capsys, "--text", "x" * (MAX_REPLY_CHARS + 1)) == expected


def test_a_file_at_the_limits_is_read_whole(home: Path):
    widest = home / "widest.txt"  # the most characters, each of 4 UTF-8 bytes: both caps
    widest.write_text("😀" * MAX_REPLY_CHARS, encoding="utf-8")
    assert widest.stat().st_size == MAX_REPLY_FILE_BYTES
    assert cli_outbox.read_reply_file(str(widest)) == "😀" * MAX_REPLY_CHARS
    with_bom = home / "bom.txt"
    with_bom.write_bytes(b"\xef\xbb\xbfThanks!\n")
    assert cli_outbox.read_reply_file(str(with_bom)) == "Thanks!\n"


def test_unreadable_text_is_one_line(home: Path, capsys):
    latin1 = home / "latin1.txt"
    latin1.write_bytes("café".encode("latin-1"))
    assert refused(capsys, "--file", str(latin1)) == (
        f"cxdaily: cannot read {latin1}: it is not UTF-8 text (byte 4)"
    )
    missing = home / "missing.txt"
    assert refused(capsys, "--file", str(missing)) == (
        f"cxdaily: cannot read {missing}: No such file or directory"
    )
    # A non-UTF-8 argument arrives as lone surrogates (surrogateescape): refused, never
    # stored, also when cmd_reply is called without the command line's own argument check.
    args = argparse.Namespace(text="caf\udce9", file=None)
    with pytest.raises(CxDailyError, match=r"^--text is not valid UTF-8"):
        cli_outbox._read_body(args)


def test_the_reader_refuses_a_nul_in_the_path():
    with pytest.raises(CxDailyError, match="cannot read"):
        cli_outbox.read_reply_file("reply\x00.txt")
