"""The khoros channel keeps a refresh token the community rotates: stored in place of the
old one for the next run, without a new refresh per operation in one process; from the
environment or with a keyring that cannot store, a warning and the fetch goes on."""

from __future__ import annotations

import keyring
import pytest

from cxdaily.connectors.khoros import KhorosConnector
from cxdaily.connectors.oauth import PROCESS_TOKENS
from cxdaily.settings import ChannelSettings
from tests.integration.khoros_fake_kit import REFRESH_TOKEN, SECRETS, T0, FakeKhoros
from tests.integration.loopback_kit import mock_response, seen_of
from tests.unit.connectors.renewal_kit import (
    ReadOnlyKeyring,
    as_fetch_builds,
    logged,
    new_process,
    store_secrets,
    watch_log,
)

BASE = "https://community.acme.example"
ENTRY = ("cxdaily", "community:refresh_token")
ROTATED_1, ROTATED_2 = "khoros-refresh-token-0001-rotated", "khoros-refresh-token-0002-rotated"


@pytest.fixture(autouse=True)
def _fresh(memory_keyring):
    store_secrets(memory_keyring, "community", SECRETS)
    new_process(PROCESS_TOKENS)
    yield
    new_process(PROCESS_TOKENS)


@pytest.fixture
def fake() -> FakeKhoros:
    fake = FakeKhoros(rotate=True)
    fake.post("Export fails", "My export fails.")
    return fake


def run(fake: FakeKhoros, fake_sleep) -> KhorosConnector:
    """A connector as ``cxdaily fetch`` builds it."""
    settings = ChannelSettings(name="community", kind="khoros", options={"base_url": BASE})
    return as_fetch_builds(
        KhorosConnector, settings, lambda r: mock_response(fake.respond(seen_of(r))),
        now=lambda: fake.clock, sleep=fake_sleep, wall_clock=lambda: T0.timestamp(),
    )  # fmt: skip


def refreshed_with(fake: FakeKhoros) -> list[str]:
    return [form["refresh_token"] for form in fake.refreshes]


async def test_the_rotated_refresh_token_is_stored_for_the_next_run(
    fake, fake_sleep, memory_keyring, caplog
):
    watch_log(caplog)
    assert len((await run(fake, fake_sleep).fetch(None)).questions) == 1
    assert memory_keyring.get_password(*ENTRY) == ROTATED_1
    await run(fake, fake_sleep).fetch(None)  # the same process: the cached token serves
    assert refreshed_with(fake) == [REFRESH_TOKEN]
    new_process(PROCESS_TOKENS)
    assert len((await run(fake, fake_sleep).fetch(None)).questions) == 1
    assert refreshed_with(fake) == [REFRESH_TOKEN, ROTATED_1]
    assert memory_keyring.get_password(*ENTRY) == ROTATED_2
    assert logged(caplog) == []


async def test_an_expired_token_in_the_same_run_refreshes_with_the_rotated_one(
    fake, fake_sleep, memory_keyring
):
    connector = run(fake, fake_sleep)
    await connector.fetch(None)
    fake.expire_tokens()
    await connector.fetch(None)
    await run(fake, fake_sleep).fetch(None)
    assert refreshed_with(fake) == [REFRESH_TOKEN, ROTATED_1]
    assert memory_keyring.get_password(*ENTRY) == ROTATED_2


async def test_a_refresh_token_from_the_environment_is_not_written(
    fake, fake_sleep, memory_keyring, monkeypatch, caplog
):
    watch_log(caplog)
    monkeypatch.setenv("CXDAILY_SECRET_COMMUNITY_REFRESH_TOKEN", REFRESH_TOKEN)
    assert len((await run(fake, fake_sleep).fetch(None)).questions) == 1
    assert memory_keyring.get_password(*ENTRY) == REFRESH_TOKEN  # untouched
    [warning] = logged(caplog)
    assert "CXDAILY_SECRET_COMMUNITY_REFRESH_TOKEN" in warning
    PROCESS_TOKENS.clear()  # the access token expires; the process goes on
    await run(fake, fake_sleep).fetch(None)
    assert refreshed_with(fake) == [REFRESH_TOKEN, ROTATED_1]
    assert not any(s in caplog.text for s in (REFRESH_TOKEN, ROTATED_1, ROTATED_2))


async def test_a_keyring_that_refuses_costs_a_warning_not_the_fetch(fake, fake_sleep, caplog):
    watch_log(caplog)
    backend = ReadOnlyKeyring({("cxdaily", f"community:{k}"): v for k, v in SECRETS.items()})
    keyring.set_keyring(backend)
    assert len((await run(fake, fake_sleep).fetch(None)).questions) == 1
    [warning] = logged(caplog)
    assert "refresh_token of channel 'community'" in warning and ROTATED_1 not in caplog.text
    assert backend.refused == 1
