"""Service.refresh and Service.channel_status: stored once, updated not duplicated, isolated."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from cxdaily.connectors.http import make_client
from cxdaily.paths import Locations
from cxdaily.service import Service
from cxdaily.settings import ChannelSettings, Settings

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def write(path, records) -> None:
    with path.open("a") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")


def record(native_id: str, body: str = "q") -> dict:
    return {"id": native_id, "body": body, "created_at": "2026-11-21T08:00:00Z"}


@pytest.fixture
def service_for(tmp_path):
    opened: list[Service] = []

    def build(channels: dict[str, ChannelSettings], **injected: Any) -> Service:
        where = Locations(
            config_file=tmp_path / "config.toml",
            data_dir=tmp_path / "data",
            user_themes_dir=tmp_path / "themes",
        )
        service = Service(where, Settings(channels=channels), now=lambda: NOW, **injected)
        opened.append(service)
        return service

    yield build
    for service in opened:
        service.close()


def jsonl(name: str, path) -> ChannelSettings:
    return ChannelSettings(name=name, kind="jsonl", options={"path": str(path)})


def test_refresh_stores_updates_and_never_duplicates(tmp_path, service_for):
    path = tmp_path / "q.jsonl"
    write(path, [record("1"), record("2")])
    service = service_for({"imp": jsonl("imp", path)})
    report = service.refresh()
    assert (report.added, report.updated) == (2, 0)
    # the file is rewritten with a changed question: read again, updated in place
    path.write_text("")
    write(path, [record("1", "changed"), record("2"), record("3")])
    report = service.refresh()
    assert (report.added, report.updated) == (1, 2)
    stored = {q.id: q for q in service.store.questions.all()}
    assert sorted(stored) == ["imp:1", "imp:2", "imp:3"]
    assert stored["imp:1"].body == "changed"


def test_one_failing_channel_does_not_stop_the_others(tmp_path, service_for):
    path = tmp_path / "q.jsonl"
    write(path, [record("1")])
    service = service_for(
        {
            "good": jsonl("good", path),
            "gone": jsonl("gone", tmp_path / "missing.jsonl"),
            "broken": ChannelSettings(name="broken", kind="http", options={}),
            "alien": ChannelSettings(name="alien", kind="nosuchkind"),
        }
    )
    seen = []
    report = service.refresh(on_done=lambda outcome: seen.append(outcome.channel))
    assert sorted(seen) == ["alien", "broken", "gone", "good"]
    errors = {o.channel: o.error for o in report.failed}
    assert set(errors) == {"gone", "broken", "alien"}
    assert "needs url" in errors["broken"]
    assert "unknown channel kind" in errors["alien"]
    assert [q.id for q in service.store.questions.all()] == ["good:1"]


def test_channel_status_reports_last_fetch_count_and_error(tmp_path, service_for):
    path = tmp_path / "q.jsonl"
    write(path, [record("1"), record("2"), "not an object"])
    service = service_for(
        {
            "good": jsonl("good", path),
            "gone": jsonl("gone", tmp_path / "missing.jsonl"),
            "later": jsonl("later", path),
        }
    )
    service.refresh(["good", "gone"])
    status = {s.channel: s for s in service.channel_status()}
    assert list(status) == ["good", "gone", "later"]
    assert status["good"].last_attempt_at == NOW
    assert status["good"].count == 2
    assert status["good"].error is None
    assert status["good"].warnings == 1
    assert status["gone"].error.startswith("gone: the file")
    assert status["gone"].last_success_at is None
    assert status["later"].last_attempt_at is None


def test_a_failure_keeps_the_last_success_and_checkpoint(tmp_path, service_for):
    path = tmp_path / "q.jsonl"
    write(path, [record("1")])
    service = service_for({"imp": jsonl("imp", path)})
    service.refresh()
    checkpoint = service.store.questions.checkpoint("imp")
    path.unlink()
    service.refresh()
    status = service.channel_status()[0]
    assert status.error is not None
    assert status.last_success_at == NOW
    assert status.count == 1
    assert service.store.questions.checkpoint("imp") == checkpoint


def test_refresh_fetches_http_channels_on_one_shared_client(tmp_path, service_for):
    clients = []

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[record(request.url.path.strip("/"))])

    def fake_make_client() -> httpx.AsyncClient:
        client = make_client(transport=httpx.MockTransport(handler))
        clients.append(client)
        return client

    channels = {
        f"h{n}": ChannelSettings(f"h{n}", "http", {"url": f"https://h.example/{n}"})
        for n in range(3)
    }
    service = service_for(channels, make_client=fake_make_client)
    report = service.refresh()
    assert report.added == 3
    assert len(clients) == 1
    assert clients[0].is_closed
