"""The instagram channel renews an Instagram Login token once a day and stores the new
one, so it never runs out; a Facebook Login (Page) token is left alone; a renewal that
fails, a token from the environment or a keyring that cannot store cost a warning at
most, never the fetch, and the token is never shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import keyring
import pytest

from cxdaily.connectors.instagram import RENEW_AFTER, InstagramConnector
from cxdaily.core.clock import to_iso
from cxdaily.settings import ChannelSettings
from tests.integration.loopback_kit import Answer, mock_response, seen_of
from tests.integration.meta_graph_fake_kit import IG_USER_ID, T0, TOKEN, FakeGraph, graph_error
from tests.unit.connectors.renewal_kit import (
    ReadOnlyKeyring,
    as_fetch_builds,
    logged,
    new_process,
    watch_log,
)

LOGIN = "https://graph.instagram.com"
DAY0 = datetime.fromtimestamp(T0, UTC) + timedelta(hours=1)
ENTRY = ("cxdaily", "ig")
RENEWED_1, RENEWED_2 = "IGAARenewedToken0001xyz", "IGAARenewedToken0002xyz"


@pytest.fixture(autouse=True)
def _fresh(memory_keyring):
    memory_keyring.set_password(*ENTRY, TOKEN)
    new_process()
    yield
    new_process()


@pytest.fixture
def fake() -> FakeGraph:
    fake = FakeGraph()
    media = fake.ig_media("New latte art")
    fake.ig_comment(media, "Which beans is this?")
    return fake


def run(fake, fake_sleep, now: datetime, seen: list[httpx.Request] | None = None, **options):
    """A connector as ``cxdaily fetch`` builds it at ``now``; ``seen`` gets its requests."""
    options = {"ig_user_id": IG_USER_ID, "base_url": LOGIN, **options}
    settings = ChannelSettings(name="ig", kind="instagram", options=options)

    def answer(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return mock_response(fake.respond(seen_of(request)))

    return as_fetch_builds(InstagramConnector, settings, answer, now=lambda: now,
                           sleep=fake_sleep, wall_clock=lambda: T0)  # fmt: skip


def renewals(seen: list[httpx.Request]) -> list[httpx.Request]:
    return [r for r in seen if r.url.path == "/refresh_access_token"]


async def test_the_token_is_renewed_a_day_later_and_stored_for_the_next_run(
    fake, fake_sleep, memory_keyring, caplog
):
    watch_log(caplog)
    seen: list[httpx.Request] = []
    first = await run(fake, fake_sleep, DAY0, seen).fetch(None)
    assert len(first.questions) == 1 and renewals(seen) == []  # it may be minutes old
    assert first.checkpoint[RENEW_AFTER] == to_iso(DAY0 + timedelta(days=1))
    later = DAY0 + timedelta(days=1, minutes=5)
    second = await run(fake, fake_sleep, later, seen).fetch(first.checkpoint)
    [renewal] = renewals(seen)
    assert renewal.method == "GET" and renewal.url.host == "graph.instagram.com"
    assert dict(renewal.url.params) == {"grant_type": "ig_refresh_token", "access_token": TOKEN}
    assert memory_keyring.get_password(*ENTRY) == RENEWED_1
    assert seen[-1].headers["authorization"] == f"Bearer {RENEWED_1}"  # the old one is gone
    assert second.checkpoint[RENEW_AFTER] == to_iso(later + timedelta(days=1))
    new_process()  # the next run reads the renewed token from the keyring
    seen.clear()
    third = await run(fake, fake_sleep, later + timedelta(hours=2), seen).fetch(second.checkpoint)
    assert renewals(seen) == [] and third.checkpoint[RENEW_AFTER] == second.checkpoint[RENEW_AFTER]
    assert {r.headers["authorization"] for r in seen} == {f"Bearer {RENEWED_1}"}
    assert logged(caplog) == [] and TOKEN not in caplog.text


async def test_a_facebook_login_token_is_not_renewed(fake, fake_sleep):
    seen: list[httpx.Request] = []
    connector = run(fake, fake_sleep, DAY0, seen, base_url="https://graph.facebook.com")
    result = await connector.fetch({"after": to_iso(DAY0), RENEW_AFTER: to_iso(DAY0)})
    assert connector.refresh_url is None and renewals(seen) == []
    assert RENEW_AFTER not in result.checkpoint


async def test_refresh_url_names_where_the_token_is_renewed(fake, fake_sleep, memory_keyring):
    seen: list[httpx.Request] = []
    proxy = "https://ig.proxy.example"
    connector = run(fake, fake_sleep, DAY0, seen, base_url=proxy,
                    refresh_url=f"{proxy}/refresh_access_token")  # fmt: skip
    await connector.fetch({RENEW_AFTER: to_iso(DAY0 - timedelta(minutes=1))})
    assert [r.url.host for r in renewals(seen)] == ["ig.proxy.example"]
    assert memory_keyring.get_password(*ENTRY) == RENEWED_1


async def test_a_refused_renewal_is_a_warning_and_the_fetch_goes_on(
    fake, fake_sleep, memory_keyring, caplog
):
    watch_log(caplog)
    fake.throttled.append(Answer(400, graph_error(190, f"Token too new: {TOKEN}")))
    result = await run(fake, fake_sleep, DAY0).fetch({RENEW_AFTER: to_iso(DAY0)})
    assert len(result.questions) == 1
    assert result.checkpoint[RENEW_AFTER] == to_iso(DAY0 + timedelta(days=1))
    [warning] = logged(caplog)
    assert "refresh_access_token" in warning and "renewed again in a day" in warning
    assert TOKEN not in caplog.text and memory_keyring.get_password(*ENTRY) == TOKEN


async def test_a_token_from_the_environment_is_renewed_but_not_written(
    fake, fake_sleep, memory_keyring, monkeypatch, caplog
):
    watch_log(caplog)
    memory_keyring.entries.clear()
    monkeypatch.setenv("CXDAILY_SECRET_IG", TOKEN)
    seen: list[httpx.Request] = []
    result = await run(fake, fake_sleep, DAY0, seen).fetch({RENEW_AFTER: to_iso(DAY0)})
    assert len(result.questions) == 1 and memory_keyring.entries == {}
    assert seen[-1].headers["authorization"] == f"Bearer {RENEWED_1}"
    [warning] = logged(caplog)
    assert "CXDAILY_SECRET_IG" in warning and RENEWED_1 not in caplog.text


async def test_a_keyring_that_refuses_costs_a_warning_not_the_fetch(fake, fake_sleep, caplog):
    watch_log(caplog)
    keyring.set_keyring(ReadOnlyKeyring({ENTRY: TOKEN}))
    result = await run(fake, fake_sleep, DAY0).fetch({RENEW_AFTER: to_iso(DAY0)})
    assert len(result.questions) == 1 and fake.token_renewals == 1
    [warning] = logged(caplog)
    assert "refused to keep it" in warning and RENEWED_1 not in caplog.text
    assert RENEWED_2 not in caplog.text
