"""Reading data files: the whole file in one read as its size says, a limit kept, and a
file that is not a regular file refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cxdaily.core.files import NotRegularFileError, read_at_most, read_regular_file


@pytest.mark.parametrize("size", [0, 1, 65_535, 65_536, 65_537, 300_000])
def test_a_file_is_read_whole_whatever_its_size(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    (tmp_path / "f").write_bytes(data)
    assert read_regular_file(tmp_path / "f", 1 << 20) == data


def test_the_limit_is_kept_and_one_more_byte_tells_the_file_is_larger(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x" * 100_000)
    assert len(read_regular_file(tmp_path / "f", 10)) == 10
    assert len(read_regular_file(tmp_path / "f", 100_001)) == 100_000
    assert len(read_regular_file(tmp_path / "f", 99_999)) == 99_999


def test_a_file_grown_after_its_size_was_read_is_read_to_its_end(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"a" * 10)
    fd = os.open(path, os.O_RDONLY)
    try:
        real_fstat = os.fstat
        with pytest.MonkeyPatch.context() as patch:

            def fstat_then_grow(fd_: int) -> os.stat_result:
                found = real_fstat(fd_)
                with path.open("ab") as grow:  # the writer appends once the size is known
                    grow.write(b"b" * 200_000)
                return found

            patch.setattr(os, "fstat", fstat_then_grow)
            data = read_at_most(fd, 1 << 20)
    finally:
        os.close(fd)
    assert data == b"a" * 10 + b"b" * 200_000


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(NotRegularFileError):
        read_regular_file(tmp_path / "pipe", 100)
