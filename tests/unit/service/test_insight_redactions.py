"""After each fetch, the months whose insight file changed are checked: insights written
before their digest form was stored (or before the code that makes it changed) get it,
and the months whose every insight has a current form are recorded, so that a digest
reading them need not check each stamp. Damage in one month costs that month only; a
file changed since (a tag, an edit by hand) is checked insight by insight again."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cxdaily.insights import stored_redaction
from cxdaily.insights.source import DigestRequest
from cxdaily.service import Service
from cxdaily.store.insights import CHECKED_FORMS, check_version
from tests.unit.insights.digest_kit import insight

PRIVATE = "Call me on +49 151 2345 6789"
MASKED = "Call me on +•• ••• •••• ••89"


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
        if path.name == CHECKED_FORMS:
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        for doc in data["insights"].values():
            del doc["digest_stamp"], doc["digest_form"]
        path.write_text(json.dumps(data), encoding="utf-8")
    service.close()


def stored_docs(home_service: Service) -> list[dict]:
    docs = []
    for path in sorted(insights_folder(home_service).glob("*.json")):
        if path.name != CHECKED_FORMS:
            docs += json.loads(path.read_text(encoding="utf-8"))["insights"].values()
    return docs


def record(service: Service) -> dict:
    return json.loads((insights_folder(service) / CHECKED_FORMS).read_text(encoding="utf-8"))


def checked_by_month(service: Service) -> dict[str, set[bool]]:
    """For each month read, whether its insights came marked as checked."""
    found: dict[str, set[bool]] = {}
    for read in service.store.insights.between():
        found.setdefault(read.created_at.strftime("%Y-%m"), set()).add(read.form_checked)
    return found


def test_a_fetch_stores_every_missing_redaction_and_records_the_months(service: Service) -> None:
    write_unstamped(service, ["2026-09-10 10:00", "2026-10-10 10:00", "2026-10-11 10:00"])
    (insights_folder(service) / ".redaction").write_text("123", encoding="ascii")  # older mark
    with Service.open("demo") as again:
        assert all("digest_stamp" not in doc for doc in stored_docs(again))
        assert checked_by_month(again) == {"2026-09": {False}, "2026-10": {False}}
        assert again.daily.store_insight_redactions() == 3
        docs = stored_docs(again)
        assert all(doc["digest_form"]["quote"] == MASKED for doc in docs)
        assert record(again)["version"] == check_version()
        assert sorted(record(again)["months"]) == ["2026-09", "2026-10"]
        assert not (insights_folder(again) / ".redaction").exists()
        assert again.store.insights.months_to_redact() == []
        assert again.daily.store_insight_redactions() == 0
    with Service.open("demo", read_only=True) as reader:
        assert checked_by_month(reader) == {"2026-09": {True}, "2026-10": {True}}


def test_a_tag_leaves_its_month_to_check_again_after_the_next_fetch(service: Service) -> None:
    service.store.insights.add(insight("2026-09-10 10:00", quote=PRIVATE))
    service.store.insights.add(insight("2026-10-10 10:00", quote=PRIVATE))
    assert service.daily.store_insight_redactions() == 0  # written with it already
    assert checked_by_month(service) == {"2026-09": {True}, "2026-10": {True}}
    service.store.insights.add(insight("2026-10-12 10:00", quote=PRIVATE))
    assert checked_by_month(service) == {"2026-09": {True}, "2026-10": {False}}
    assert service.store.insights.months_to_redact() == ["2026-10"]
    assert service.daily.store_insight_redactions() == 0
    assert checked_by_month(service) == {"2026-09": {True}, "2026-10": {True}}


def test_an_edit_by_hand_keeping_size_and_time_is_still_seen_by_a_digest(
    service: Service,
) -> None:
    service.store.insights.add(insight("2026-10-10 10:00", quote="Quote one12"))
    service.daily.store_insight_redactions()
    service.close()
    path = insights_folder(service) / "2026-10.json"
    status = path.stat()
    text = path.read_text(encoding="utf-8")
    edited = text.replace("Quote one12", "a@b.example")  # the same length
    assert len(edited) == len(text)
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    with Service.open("demo", read_only=True) as reader:
        assert reader.store.insights.months_to_redact() == []  # read-only: never
        assert checked_by_month(reader) == {"2026-10": {False}}
        digest = reader.digest(DigestRequest(since="2026-10-01", until="2026-11-01"))
        (shown,) = digest.insights
        assert shown.quote == "a***@b.example"  # redacted now, not as stored


def test_new_redaction_code_stores_them_again(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    service.store.insights.add(insight("2026-10-10 10:00", quote=PRIVATE, note=None))
    assert service.daily.store_insight_redactions() == 0  # written with it already
    recorded = record(service)["version"]
    monkeypatch.setattr(stored_redaction, "REDACTION_VERSION", 0xBADC0DE)
    assert checked_by_month(service) == {"2026-10": {False}}
    assert service.store.insights.months_to_redact() == ["2026-10"]
    assert service.daily.store_insight_redactions() == 1
    (doc,) = stored_docs(service)
    (read,) = service.store.insights.between()
    assert read.form_checked
    assert doc["digest_stamp"] == stored_redaction.stamp(read, doc["digest_form"])
    assert record(service)["version"] == check_version() != recorded


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
        assert sorted(record(again)["months"]) == ["2026-10"]
        assert again.store.insights.months_to_redact() == ["2026-09"]


@pytest.mark.parametrize(
    "damage", ["", "not json", "[]", '{"version": "x"}', '{"version": 1, "months": []}']
)
def test_a_damaged_record_only_costs_a_check_of_every_month(service: Service, damage: str) -> None:
    service.store.insights.add(insight("2026-10-10 10:00", quote=PRIVATE))
    service.daily.store_insight_redactions()
    (insights_folder(service) / CHECKED_FORMS).write_text(damage, encoding="utf-8")
    assert checked_by_month(service) == {"2026-10": {False}}
    assert service.store.insights.months_to_redact() == ["2026-10"]
    assert service.daily.store_insight_redactions() == 0
    assert checked_by_month(service) == {"2026-10": {True}}


def test_an_entry_of_the_wrong_shape_is_checked_again(service: Service) -> None:
    service.store.insights.add(insight("2026-10-10 10:00", quote=PRIVATE))
    service.daily.store_insight_redactions()
    written = record(service)
    written["months"]["2026-10"]["checksum"] = "1234"
    (insights_folder(service) / CHECKED_FORMS).write_text(json.dumps(written), encoding="utf-8")
    assert checked_by_month(service) == {"2026-10": {False}}
    assert service.store.insights.months_to_redact() == ["2026-10"]


def test_a_read_only_store_is_left_as_it_is(service: Service) -> None:
    write_unstamped(service, ["2026-10-10 10:00"])
    with Service.open("demo") as writer, Service.open("demo", read_only=True) as reader:
        assert reader.daily.store_insight_redactions() == 0
        assert all("digest_stamp" not in doc for doc in stored_docs(writer))
        assert not (insights_folder(writer) / CHECKED_FORMS).exists()


def test_refresh_stores_them(service: Service) -> None:
    write_unstamped(service, ["2026-10-10 10:00"])
    with Service.open("demo") as again:
        again.refresh([])
        (doc,) = stored_docs(again)
        assert doc["digest_stamp"] is not None
        assert checked_by_month(again) == {"2026-10": {True}}
