"""Saved replies through the service: search, and filling one for a stored question with the
leader's settings (``[leader] product``, the home time zone and ``day_start``)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from cxdaily.core.errors import ConfigError, NotFoundError
from cxdaily.core.models import Author
from cxdaily.paths import locations
from cxdaily.service import Service
from cxdaily.settings import (
    SessionSettings,
    Settings,
    load_settings,
    settings_from_dict,
    settings_to_dict,
)
from cxdaily.settings.leader import LeaderSettings

TEMPLATE = "# Refund\n\nHi {first_name}, on {channel} about {product}, {today}.\n"


def service_at(now: datetime, *, zone: str = "UTC", day_start: time = time(4, 0), product=None):
    settings = Settings(
        session=SessionSettings(timezone=zone, day_start=day_start),
        leader=LeaderSettings(product=product),
    )
    return Service(locations(), settings, now=lambda: now)


@pytest.fixture
def replies_folder(home: Path) -> Path:
    folder = home / "replies"
    folder.mkdir()
    (folder / "refund.md").write_text(TEMPLATE, encoding="utf-8")
    (folder / "thanks.md").write_text("# Thank you\n\nThanks, {name}!", encoding="utf-8")
    (folder / "broken.md").write_bytes(b"\xff\xfe")
    return folder


def test_search_and_warnings_through_the_service(replies_folder: Path):
    with service_at(datetime(2026, 11, 21, 12, tzinfo=UTC)) as service:
        assert [r.name for r in service.saved_replies()] == ["refund", "thanks"]
        assert [r.name for r in service.saved_replies("thank")] == ["thanks"]
        [warning] = service.saved.load().warnings
        assert "broken.md" in warning and "not UTF-8" in warning


def test_fill_for_a_question_uses_its_author_channel_and_the_settings(
    replies_folder: Path, make_question
):
    question = make_question("7", kind="helpscout", author=Author(name="Jane Doe", handle="jd"))
    with service_at(datetime(2026, 11, 21, 12, tzinfo=UTC), product="Acme Cloud") as service:
        service.store.questions.upsert_many([question])
        filled = service.fill_saved_reply("refund", question.id)
    assert filled.text == ("Hi Jane, on Help Scout about Acme Cloud, Saturday 21 November 2026.")
    assert filled.complete


def test_fill_keeps_and_flags_what_is_unknown(replies_folder: Path, make_question):
    question = make_question("8", kind="jsonl", author=Author(handle="@jd"))
    with service_at(datetime(2026, 11, 21, 12, tzinfo=UTC)) as service:
        service.store.questions.upsert_many([question])
        filled = service.fill_saved_reply("refund", question.id)
    assert (
        filled.text == "Hi {first_name}, on {channel} about {product}, Saturday 21 November 2026."
    )
    assert filled.missing == ("first_name", "channel", "product")


@pytest.mark.parametrize(
    ("now", "zone", "day_start", "today"),
    [
        # 12:30 UTC is 04:30 in Los Angeles: before a 05:00 day start, still Friday.
        ("2026-11-21T12:30:00", "America/Los_Angeles", time(5, 0), "Friday 20 November 2026"),
        ("2026-11-21T13:30:00", "America/Los_Angeles", time(5, 0), "Saturday 21 November 2026"),
        # 18:30 UTC is 03:30 on the 22nd in Tokyo: before 04:00, still Saturday the 21st.
        ("2026-11-21T18:30:00", "Asia/Tokyo", time(4, 0), "Saturday 21 November 2026"),
        ("2026-11-21T19:30:00", "Asia/Tokyo", time(4, 0), "Sunday 22 November 2026"),
    ],
)
def test_today_is_the_leaders_day_at_a_day_start_boundary(
    replies_folder: Path, make_question, now, zone, day_start, today
):
    question = make_question("9")
    instant = datetime.fromisoformat(now).replace(tzinfo=UTC)
    with service_at(instant, zone=zone, day_start=day_start) as service:
        service.store.questions.upsert_many([question])
        assert service.saved.values(question)["today"] == today
        assert service.fill_saved_reply("refund", question.id).text.endswith(f"{today}.")


def test_fill_an_unknown_reply_or_question(replies_folder: Path):
    with service_at(datetime(2026, 11, 21, 12, tzinfo=UTC)) as service:
        with pytest.raises(NotFoundError, match="close names: refund"):
            service.fill_saved_reply("refnud", "acme:1")
        with pytest.raises(NotFoundError):
            service.fill_saved_reply("refund", "acme:404")


# ----------------------------------------------------------------------------- [leader]
def test_product_is_read_from_the_leader_table(home: Path):
    (home / "config.toml").write_text('[leader]\nproduct = " Acme Cloud "\n', encoding="utf-8")
    settings = load_settings(home / "config.toml")
    assert settings.leader.product == "Acme Cloud"
    assert settings_to_dict(settings)["leader"] == {"product": "Acme Cloud"}
    assert "leader" not in settings_to_dict(Settings())


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"product": 3}, "[leader] product = 3 must be a name on one line"),
        ({"product": "a\nb"}, "must be a name on one line"),
        ({"product": "  "}, "must be a name on one line"),
        ({"product": "x" * 101}, "longer than 100 characters"),
        ({"produkt": "x"}, "unknown setting [leader] produkt (known: product)"),
    ],
)
def test_a_bad_product_setting_is_one_line(table, message):
    with pytest.raises(ConfigError) as caught:
        settings_from_dict({"leader": table})
    assert message in str(caught.value)


def test_leader_must_be_a_table():
    with pytest.raises(ConfigError, match=r"\[leader\] must be a table"):
        settings_from_dict({"leader": "Acme"})
