"""The jsonl channel: import with bad lines, checkpoints, rewritten files, replies."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import pytest

from cxdaily.connectors import connector_class
from cxdaily.connectors.jsonl import JsonlConnector
from cxdaily.core.errors import ConfigError, ConnectorError
from cxdaily.settings import ChannelSettings

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def line(native_id: str, body: str = "question", **extra) -> str:
    return json.dumps(
        {"id": native_id, "body": body, "created_at": "2026-11-21T10:00:00Z", **extra}
    )


def connector(path) -> JsonlConnector:
    settings = ChannelSettings(name="imp", kind="jsonl", options={"path": str(path)})
    return JsonlConnector(settings, now=lambda: NOW)


def test_registered_as_a_builtin_kind():
    assert connector_class("jsonl") is JsonlConnector


def test_path_is_required():
    with pytest.raises(ConfigError, match="needs path"):
        JsonlConnector(ChannelSettings(name="imp", kind="jsonl"))


def test_unknown_options_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="unknown option 'pth'"):
        JsonlConnector(ChannelSettings(name="imp", kind="jsonl", options={"pth": "x"}))


async def test_bad_lines_are_reported_with_numbers_and_good_lines_import(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(
        "\n".join(
            [
                line("1"),
                "{not json",
                "",
                json.dumps({"id": "3", "body": "no time"}),
                line("4", author={"name": "Ann", "followers": 3}),
                "[1, 2]",
            ]
        )
        + "\n"
    )
    result = await connector(path).fetch(None)
    assert [q.native_id for q in result.questions] == ["1", "4"]
    assert result.questions[1].author.name == "Ann"
    assert result.warnings == [
        "q.jsonl: line 2 skipped: not valid JSON (expecting property name enclosed in double "
        "quotes at column 2)",
        "q.jsonl: line 4 skipped: created_at is missing",
        "q.jsonl: line 6 skipped: expected a JSON object, got a list",
    ]


async def test_refetch_reads_only_new_lines(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(line("1") + "\n" + line("2") + "\n")
    c = connector(path)
    first = await c.fetch(None)
    assert len(first.questions) == 2
    again = await c.fetch(first.checkpoint)
    assert again.questions == []
    with path.open("a") as handle:
        handle.write("oops\n" + line("3") + "\n")
    third = await c.fetch(again.checkpoint)
    assert [q.native_id for q in third.questions] == ["3"]
    assert third.warnings == [
        "q.jsonl: line 3 skipped: not valid JSON (expecting value at column 1)"
    ]
    assert third.checkpoint["line"] == 4


async def test_a_rewritten_file_is_read_again_from_the_start(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(line("1", "old") + "\n" + line("2") + "\n")
    c = connector(path)
    first = await c.fetch(None)
    with path.open("r+") as handle:  # same inode, different content
        handle.write(line("1", "new") + "\n" + line("2") + "\n" + line("3") + "\n")
    second = await c.fetch(first.checkpoint)
    assert [q.native_id for q in second.questions] == ["1", "2", "3"]
    assert second.questions[0].body == "new"


async def test_a_replaced_file_is_read_again(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(line("1") + "\n")
    c = connector(path)
    first = await c.fetch(None)
    replacement = tmp_path / "new.jsonl"
    replacement.write_text(line("1") + "\n" + line("2") + "\n")
    os.replace(replacement, path)
    second = await c.fetch(first.checkpoint)
    assert [q.native_id for q in second.questions] == ["1", "2"]


async def test_a_shorter_file_is_read_again(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(line("1") + "\n" + line("2") + "\n")
    c = connector(path)
    first = await c.fetch(None)
    path.write_text(line("9") + "\n")
    second = await c.fetch(first.checkpoint)
    assert [q.native_id for q in second.questions] == ["9"]


async def test_an_unterminated_last_line_is_used_and_read_again(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(line("1") + "\n" + line("2"))
    c = connector(path)
    first = await c.fetch(None)
    assert [q.native_id for q in first.questions] == ["1", "2"]
    assert first.checkpoint["line"] == 1
    with path.open("a") as handle:
        handle.write("\n" + line("3") + "\n")
    second = await c.fetch(first.checkpoint)
    assert [q.native_id for q in second.questions] == ["2", "3"]


async def test_a_half_written_last_line_is_not_lost(tmp_path):
    path = tmp_path / "q.jsonl"
    full = line("2")
    path.write_text(line("1") + "\n" + full[:10])
    c = connector(path)
    first = await c.fetch(None)
    assert [q.native_id for q in first.questions] == ["1"]
    assert "incomplete last line" in first.warnings[0]
    with path.open("a") as handle:
        handle.write(full[10:] + "\n")
    second = await c.fetch(first.checkpoint)
    assert [q.native_id for q in second.questions] == ["2"]


async def test_many_bad_lines_are_counted_not_all_listed(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text("bad\n" * 50 + line("1") + "\n")
    result = await connector(path).fetch(None)
    assert len(result.questions) == 1
    assert len(result.warnings) == 21
    assert result.warnings[-1] == "q.jsonl: 30 more bad lines were skipped"


async def test_a_missing_file_is_a_typed_error(tmp_path):
    with pytest.raises(ConnectorError) as caught:
        await connector(tmp_path / "nope.jsonl").fetch(None)
    assert "does not exist" in str(caught.value)
    assert str(caught.value).startswith("imp: ")


async def test_a_folder_is_a_typed_error(tmp_path):
    with pytest.raises(ConnectorError, match="folder"):
        await connector(tmp_path).fetch(None)


async def test_replies_are_appended_once_per_idempotency_key(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(line("1") + "\n")
    c = connector(path)
    question = (await c.fetch(None)).questions[0]
    sent = await c.send_reply(question, "Thanks, fixed!", "key-1")
    again = await c.send_reply(question, "Thanks, fixed!", "key-1")
    other = await c.send_reply(question, "One more thing", "key-2")
    assert sent.remote_id == again.remote_id != other.remote_id
    records = [json.loads(x) for x in (tmp_path / "q.jsonl.replies.jsonl").read_text().splitlines()]
    assert len(records) == 2
    assert records[0]["question_id"] == "imp:1"
    assert records[0]["native_id"] == "1"
    assert records[0]["body"] == "Thanks, fixed!"
    assert records[0]["sent_at"] == "2026-11-22T09:00:00Z"
    found = await c.find_own_reply(question, "Thanks, fixed!", "key-1")
    assert found is not None and found.remote_id == sent.remote_id


async def test_check_says_what_was_checked(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(line("1") + "\n")
    assert "readable" in await connector(path).check()
    with pytest.raises(ConnectorError, match="does not exist"):
        await connector(tmp_path / "missing.jsonl").check()


def test_home_folder_is_expanded(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    c = connector("~/q.jsonl")
    assert c.path == tmp_path / "q.jsonl"
