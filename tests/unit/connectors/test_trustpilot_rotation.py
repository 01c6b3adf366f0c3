"""The trustpilot channel stores each refresh token it is given, so the next run renews
with it instead of signing in with the password; a refused one falls back to the
password; a keyring that cannot store costs a warning, never the fetch."""

from __future__ import annotations

from datetime import UTC, datetime

import keyring
import pytest

from cxdaily.connectors.http import make_client
from cxdaily.connectors.oauth import PROCESS_TOKENS
from cxdaily.connectors.trustpilot import REFRESH_TOKENS, TrustpilotConnector
from cxdaily.credentials import secret_reader, secret_writer
from cxdaily.settings import ChannelSettings
from tests.integration.trustpilot_fake_kit import (
    API_KEY,
    API_SECRET,
    BUSINESS_UNIT,
    PASSWORD,
    USERNAME,
    TrustpilotFake,
    mock_transport,
)
from tests.unit.connectors.renewal_kit import (
    ReadOnlyKeyring,
    logged,
    new_process,
    store_secrets,
    watch_log,
)

ENTRY = ("cxdaily", "reviews:refresh_token")
SIGN_IN = {"api_key": API_KEY, "api_secret": API_SECRET, "username": USERNAME,
           "password": PASSWORD}  # fmt: skip


def forget_tokens() -> None:
    """A new run: no access or refresh tokens kept in this process."""
    new_process(PROCESS_TOKENS, REFRESH_TOKENS)


@pytest.fixture(autouse=True)
def _fresh(memory_keyring):
    store_secrets(memory_keyring, "reviews", SIGN_IN)
    forget_tokens()
    yield
    forget_tokens()


@pytest.fixture
def fake() -> TrustpilotFake:
    fake = TrustpilotFake()
    fake.review("Where is my refund?", stars=2, name="Kim Lee", title="Refund")
    return fake


def run(fake: TrustpilotFake) -> TrustpilotConnector:
    """A connector as ``cxdaily fetch`` builds it: the real secret reader and writer."""
    settings = ChannelSettings(name="reviews", kind="trustpilot",
                               options={"business_unit_id": BUSINESS_UNIT})  # fmt: skip
    return TrustpilotConnector(
        settings, client=make_client(transport=mock_transport(fake)),
        secrets=secret_reader("reviews"), secret_writer=secret_writer("reviews"),
        now=lambda: datetime(2026, 12, 4, 12, 0, tzinfo=UTC),
    )  # fmt: skip


async def test_the_next_run_renews_with_the_stored_refresh_token(fake, memory_keyring, caplog):
    watch_log(caplog)
    assert len((await run(fake).fetch(None)).questions) == 1
    assert memory_keyring.get_password(*ENTRY) == "tp-refresh-1-9e07"
    forget_tokens()
    assert len((await run(fake).fetch(None)).questions) == 1
    assert fake.grants == ["password", "refresh_token"]  # no second sign-in
    assert memory_keyring.get_password(*ENTRY) == "tp-refresh-2-9e07"
    forget_tokens()
    await run(fake).fetch(None)
    assert fake.grants == ["password", "refresh_token", "refresh_token"]
    assert logged(caplog) == []


async def test_a_refused_stored_refresh_token_falls_back_to_the_password(fake, memory_keyring):
    memory_keyring.set_password(*ENTRY, "tp-refresh-revoked-0000")
    assert len((await run(fake).fetch(None)).questions) == 1
    assert fake.grants == ["refresh_token", "password"]
    assert memory_keyring.get_password(*ENTRY) == "tp-refresh-1-9e07"


async def test_a_keyring_that_refuses_costs_a_warning_not_the_fetch(fake, caplog):
    watch_log(caplog)
    backend = ReadOnlyKeyring({("cxdaily", f"reviews:{k}"): v for k, v in SIGN_IN.items()})
    keyring.set_keyring(backend)
    assert len((await run(fake).fetch(None)).questions) == 1
    [warning] = logged(caplog)
    assert "refresh_token of channel 'reviews'" in warning and "refused to keep it" in warning
    assert not any(s in caplog.text for s in ("tp-refresh-", "tp-access-", PASSWORD))


async def test_a_refresh_token_set_in_the_environment_is_not_written(
    fake, memory_keyring, monkeypatch, caplog
):
    watch_log(caplog)
    monkeypatch.setenv("CXDAILY_SECRET_REVIEWS_REFRESH_TOKEN", "tp-refresh-revoked-0000")
    assert len((await run(fake).fetch(None)).questions) == 1
    assert fake.grants == ["refresh_token", "password"]
    assert memory_keyring.get_password(*ENTRY) is None
    [warning] = logged(caplog)
    assert "CXDAILY_SECRET_REVIEWS_REFRESH_TOKEN" in warning and "tp-refresh" not in caplog.text
