"""The x channel's single-use refresh tokens: the token X rotates is stored with the new
access token, so a second run goes on from them; a refresh token set in the environment
or a keyring that cannot store costs a warning, never the fetch, and no token is shown."""

from __future__ import annotations

from datetime import UTC, datetime

import keyring
import pytest

from cxdaily.connectors.x import XConnector
from cxdaily.settings import ChannelSettings
from tests.integration.loopback_kit import mock_response, seen_of
from tests.integration.x_fake_kit import BRAND_ID, CLIENT_ID, REFRESH, T0, TOKEN, FakeX
from tests.unit.connectors.renewal_kit import (
    ReadOnlyKeyring,
    as_fetch_builds,
    logged,
    new_process,
    watch_log,
)

JANE = "2000000000000000001"
ACCESS, REFRESH_ENTRY = ("cxdaily", "x"), ("cxdaily", "x:refresh_token")


@pytest.fixture(autouse=True)
def _fresh():
    new_process()
    yield
    new_process()


@pytest.fixture
def fake() -> FakeX:
    fake = FakeX()
    fake.add_user(JANE, "jane_roe", "Jane Roe")
    fake.mention(JANE, "@acme my export fails")
    return fake


def run(fake: FakeX, fake_sleep) -> XConnector:
    """A connector as ``cxdaily fetch`` builds it."""
    settings = ChannelSettings(name="x", kind="x", options={"user_id": BRAND_ID,
                                                            "client_id": CLIENT_ID})  # fmt: skip
    return as_fetch_builds(
        XConnector, settings, lambda r: mock_response(fake.respond(seen_of(r))),
        now=lambda: datetime.fromtimestamp(T0 + 3600, UTC), sleep=fake_sleep,
        wall_clock=lambda: T0,
    )  # fmt: skip


async def test_the_rotated_refresh_token_is_stored_and_the_next_run_uses_it(
    fake, fake_sleep, memory_keyring, caplog
):
    watch_log(caplog)
    memory_keyring.set_password(*ACCESS, TOKEN)
    memory_keyring.set_password(*REFRESH_ENTRY, REFRESH)
    fake.expire_token()
    assert len((await run(fake, fake_sleep).fetch(None)).questions) == 1
    assert memory_keyring.get_password(*REFRESH_ENTRY) == f"{REFRESH}-rotated-1"
    assert memory_keyring.get_password(*ACCESS) == f"{TOKEN}-refreshed-1"
    new_process()  # a second run
    assert len((await run(fake, fake_sleep).fetch(None)).questions) == 1
    assert len(fake.refreshes) == 1  # the stored access token still works
    fake.expire_token()
    await run(fake, fake_sleep).check()
    assert fake.refreshes[-1]["refresh_token"] == [f"{REFRESH}-rotated-1"]
    assert memory_keyring.get_password(*REFRESH_ENTRY) == f"{REFRESH}-rotated-2"
    assert logged(caplog) == []


async def test_a_refresh_token_alone_buys_the_first_access_token(fake, fake_sleep, memory_keyring):
    memory_keyring.set_password(*REFRESH_ENTRY, REFRESH)
    await run(fake, fake_sleep).fetch(None)
    assert memory_keyring.get_password(*ACCESS) == f"{TOKEN}-refreshed-1"
    await run(fake, fake_sleep).fetch(None)
    assert len(fake.refreshes) == 1


async def test_another_operations_renewal_is_used_rather_than_refreshing_again(
    fake, fake_sleep, memory_keyring
):
    memory_keyring.set_password(*ACCESS, TOKEN)
    memory_keyring.set_password(*REFRESH_ENTRY, REFRESH)
    slow = run(fake, fake_sleep)
    fake.expire_token()
    await run(fake, fake_sleep).fetch(None)  # renews while ``slow`` still holds the old one
    token = await slow._token()
    assert token == f"{TOKEN}-refreshed-1"
    assert await slow._renew_refused(TOKEN) and len(fake.refreshes) == 1


async def test_a_refresh_token_from_the_environment_is_not_written(
    fake, fake_sleep, memory_keyring, monkeypatch, caplog
):
    watch_log(caplog)
    monkeypatch.setenv("CXDAILY_SECRET_X", TOKEN)
    monkeypatch.setenv("CXDAILY_SECRET_X_REFRESH_TOKEN", REFRESH)
    fake.expire_token()
    assert len((await run(fake, fake_sleep).fetch(None)).questions) == 1
    assert memory_keyring.entries == {}
    [warning] = logged(caplog)
    assert "CXDAILY_SECRET_X_REFRESH_TOKEN" in warning and "kept for this run only" in warning
    fake.expire_token()  # later in the same process: the rotated one is used
    await run(fake, fake_sleep).check()
    assert fake.refreshes[-1]["refresh_token"] == [f"{REFRESH}-rotated-1"]
    secrets = (TOKEN, REFRESH, f"{REFRESH}-rotated-1", f"{REFRESH}-rotated-2")
    assert not any(s in caplog.text for s in secrets)


async def test_a_keyring_that_refuses_to_store_costs_a_warning_not_the_fetch(
    fake, fake_sleep, caplog
):
    watch_log(caplog)
    backend = ReadOnlyKeyring({ACCESS: TOKEN, REFRESH_ENTRY: REFRESH})
    keyring.set_keyring(backend)
    fake.expire_token()
    assert len((await run(fake, fake_sleep).fetch(None)).questions) == 1
    assert backend.refused == 2  # the refresh token and the access token
    [warning] = logged(caplog)
    assert "refresh_token of channel 'x'" in warning and "refused to keep it" in warning
    assert f"{REFRESH}-rotated-1" not in caplog.text and REFRESH not in caplog.text
