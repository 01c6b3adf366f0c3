"""The bluesky channel keeps its session across runs: a second run reuses the stored
session without signing in, an expired one is refreshed, a refused refresh signs in with
the app password, and a keyring that cannot store changes nothing but the sign-ins."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import keyring
import pytest

from cxdaily.connectors.bluesky import BlueskyConnector
from cxdaily.connectors.bluesky_session import PROCESS_SESSIONS, read_session
from cxdaily.settings import ChannelSettings
from tests.integration.bluesky_fake_kit import DID, HANDLE, PASSWORD, T0, FakeBluesky
from tests.integration.loopback_kit import mock_response, seen_of
from tests.unit.connectors.renewal_kit import (
    ReadOnlyKeyring,
    as_fetch_builds,
    logged,
    new_process,
    watch_log,
)

SESSION = ("cxdaily", "bsky:session")


@pytest.fixture(autouse=True)
def _fresh(memory_keyring):
    memory_keyring.set_password("cxdaily", "bsky", PASSWORD)
    new_process(PROCESS_SESSIONS)
    yield
    new_process(PROCESS_SESSIONS)


@pytest.fixture
def fake() -> FakeBluesky:
    fake = FakeBluesky()
    fake.mention("jane.bsky.social", "@brand.bsky.social my export fails")
    return fake


def run(fake: FakeBluesky, fake_sleep, base_url: str = "https://bsky.social") -> BlueskyConnector:
    """A connector as ``cxdaily fetch`` builds it."""
    settings = ChannelSettings(name="bsky", kind="bluesky",
                               options={"handle": HANDLE, "base_url": base_url})  # fmt: skip
    return as_fetch_builds(
        BlueskyConnector, settings, lambda r: mock_response(fake.respond(seen_of(r))),
        now=lambda: datetime.fromtimestamp(T0 + 3600, UTC), sleep=fake_sleep,
        wall_clock=lambda: T0,
    )  # fmt: skip


def stored(memory_keyring) -> dict:
    return json.loads(memory_keyring.get_password(*SESSION))


async def test_a_second_run_reuses_the_stored_session(fake, fake_sleep, memory_keyring, caplog):
    watch_log(caplog)
    assert len((await run(fake, fake_sleep).fetch(None)).questions) == 1
    first = stored(memory_keyring)
    assert first["did"] == DID and first["accessJwt"] in fake.access
    assert first["service"] == "https://bsky.social" and first["identifier"] == HANDLE
    new_process(PROCESS_SESSIONS)
    assert len((await run(fake, fake_sleep).fetch(None)).questions) == 1
    assert fake.sessions_created == 1 and fake.refreshed == 0
    assert logged(caplog, 0) == []


async def test_an_expired_stored_session_is_refreshed_and_stored_again(
    fake, fake_sleep, memory_keyring
):
    await run(fake, fake_sleep).fetch(None)
    first = stored(memory_keyring)
    fake.expire_tokens()
    new_process(PROCESS_SESSIONS)
    assert len((await run(fake, fake_sleep).fetch(None)).questions) == 1
    assert fake.refreshed == 1 and fake.sessions_created == 1
    second = stored(memory_keyring)
    assert second["refreshJwt"] != first["refreshJwt"] and second["accessJwt"] in fake.access
    new_process(PROCESS_SESSIONS)  # a third run goes on from the refreshed session
    await run(fake, fake_sleep).fetch(None)
    assert fake.refreshed == 1 and fake.sessions_created == 1


async def test_a_refused_refresh_signs_in_with_the_app_password(fake, fake_sleep, memory_keyring):
    await run(fake, fake_sleep).fetch(None)
    fake.expire_tokens()
    fake.refresh_tokens.clear()  # the stored session was revoked
    new_process(PROCESS_SESSIONS)
    assert len((await run(fake, fake_sleep).fetch(None)).questions) == 1
    assert fake.sessions_created == 2
    assert stored(memory_keyring)["accessJwt"] in fake.access - fake.expired


async def test_a_session_of_another_server_or_account_is_not_used(fake, fake_sleep, memory_keyring):
    await run(fake, fake_sleep).fetch(None)
    new_process(PROCESS_SESSIONS)
    await run(fake, fake_sleep, base_url="https://pds.example.com").fetch(None)
    assert fake.sessions_created == 2
    text = memory_keyring.get_password(*SESSION)
    assert read_session(text, "https://bsky.social", "other.bsky.social") is None
    assert read_session("{not json", "https://pds.example.com", HANDLE) is None


async def test_a_keyring_that_cannot_store_only_costs_sign_ins(fake, fake_sleep, caplog):
    watch_log(caplog)
    keyring.set_keyring(ReadOnlyKeyring({("cxdaily", "bsky"): PASSWORD}))
    assert len((await run(fake, fake_sleep).fetch(None)).questions) == 1
    await run(fake, fake_sleep).fetch(None)
    assert fake.sessions_created == 1  # kept in memory for this process
    assert logged(caplog) == []  # a session can be created again: a note, not a warning
    tokens = fake.access | fake.refresh_tokens | {PASSWORD}
    assert not any(token in caplog.text for token in tokens)
