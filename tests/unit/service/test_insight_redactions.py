"""Insights written before their digest form was stored (or before the code that makes it
changed) get it after a fetch, month by month; once all are done a mark makes later
fetches cost one small file read. Damage in one month costs that month only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cxdaily.insights import stored_redaction
from cxdaily.service import Service
from cxdaily.store.insights import REDACTION_MARK
from tests.unit.insights.digest_kit import insight

PRIVATE = "Call me on +49 151 2345 6789"


@pytest.fixture
def service(home: Path) -> Iterator[Service]:
    """The demo profile's service (nothing fetched: the store holds what a test puts)."""
    with Service.open("demo") as opened:
        yield opened


def insights_folder(service: Service) -> Path:
    return service.store.folder.data_dir / "insights"


def write_unstamped(service: Service, month_dates: list[str]) -> None:
    """Insights as stored before the redaction was kept with them: no stamp, no text."""
    for created in month_dates:
        service.store.insights.add(insight(created, quote=PRIVATE, note=None))
    for path in insights_folder(service).glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        for doc in data["insights"].values():
            del doc["digest_stamp"], doc["digest_form"]
        path.write_text(json.dumps(data), encoding="utf-8")
    service.close()


def stored_docs(home_service: Service) -> list[dict]:
    docs = []
    for path in sorted(insights_folder(home_service).glob("*.json")):
        docs += json.loads(path.read_text(encoding="utf-8"))["insights"].values()
    return docs


def test_a_fetch_stores_every_missing_redaction_and_marks_the_folder(service: Service) -> None:
    write_unstamped(service, ["2026-09-10 10:00", "2026-10-10 10:00", "2026-10-11 10:00"])
    with Service.open("demo") as again:
        assert all("digest_stamp" not in doc for doc in stored_docs(again))
        assert again.daily.store_insight_redactions() == 3
        docs = stored_docs(again)
        assert all(doc["digest_form"]["quote"] == "Call me on +•• ••• •••• ••89" for doc in docs)
        mark = insights_folder(again) / REDACTION_MARK
        assert mark.read_text() == str(stored_redaction.REDACTION_VERSION)
        assert again.store.insights.months_to_redact() == []
        assert again.daily.store_insight_redactions() == 0


def test_new_redaction_code_stores_them_again(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    service.store.insights.add(insight("2026-10-10 10:00", quote=PRIVATE, note=None))
    assert service.daily.store_insight_redactions() == 0  # written with it already
    monkeypatch.setattr(stored_redaction, "REDACTION_VERSION", 0xBADC0DE)
    assert service.store.insights.months_to_redact() == ["2026-10"]
    assert service.daily.store_insight_redactions() == 1
    (doc,) = stored_docs(service)
    (read,) = service.store.insights.between()
    assert doc["digest_stamp"] == stored_redaction.stamp(read, doc["digest_form"])
    assert (insights_folder(service) / REDACTION_MARK).read_text() == str(0xBADC0DE)


def test_a_damaged_month_costs_only_that_month(service: Service) -> None:
    write_unstamped(service, ["2026-09-10 10:00", "2026-10-10 10:00"])
    damaged = insights_folder(service) / "2026-09.json"
    data = json.loads(damaged.read_text(encoding="utf-8"))
    for doc in data["insights"].values():
        doc["created_at"] = "not a time"
    damaged.write_text(json.dumps(data), encoding="utf-8")
    with Service.open("demo") as again:
        assert again.daily.store_insight_redactions() == 1
        october = json.loads((insights_folder(again) / "2026-10.json").read_text())
        assert all("digest_stamp" in doc for doc in october["insights"].values())
        assert not (insights_folder(again) / REDACTION_MARK).exists()  # not every month done
        assert again.store.insights.months_to_redact() == ["2026-09", "2026-10"]


def test_a_read_only_store_is_left_as_it_is(service: Service) -> None:
    write_unstamped(service, ["2026-10-10 10:00"])
    with Service.open("demo") as writer, Service.open("demo", read_only=True) as reader:
        assert reader.daily.store_insight_redactions() == 0
        assert all("digest_stamp" not in doc for doc in stored_docs(writer))


def test_refresh_stores_them(service: Service) -> None:
    write_unstamped(service, ["2026-10-10 10:00"])
    with Service.open("demo") as again:
        again.refresh([])
        (doc,) = stored_docs(again)
        assert doc["digest_stamp"] is not None
