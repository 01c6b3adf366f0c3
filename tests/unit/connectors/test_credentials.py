"""Secrets: environment first, then the keyring; refusing unsafe keyrings; clear messages."""

from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.errors import KeyringLocked

from cxdaily.credentials import (
    delete_secret,
    env_name,
    keyring_problem,
    keyring_user,
    read_secret,
    secret_source,
    store_secret,
)
from cxdaily.errors import CredentialError


class PlaintextKeyring(KeyringBackend):
    """Stands in for keyrings.alt's plaintext file backend."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        raise AssertionError("must never be asked to store")

    def delete_password(self, service, username):
        pass


class LockedKeyring(KeyringBackend):
    """A keyring whose every call fails, like a locked or broken D-Bus service."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service, username):
        raise KeyringLocked("locked")

    def set_password(self, service, username, password):
        raise KeyringLocked("locked")

    def delete_password(self, service, username):
        raise KeyringLocked("locked")


class ForgetfulKeyring(KeyringBackend):
    """Accepts secrets and silently drops them."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        pass

    def delete_password(self, service, username):
        pass


def test_names():
    assert env_name("acme-support") == "CXDAILY_SECRET_ACME_SUPPORT"
    assert env_name("x.y", "api token") == "CXDAILY_SECRET_X_Y_API_TOKEN"
    assert keyring_user("bsky") == "bsky"
    assert keyring_user("bsky", "app_password") == "bsky:app_password"


def test_environment_wins_over_the_keyring(monkeypatch, memory_keyring):
    memory_keyring.set_password("cxdaily", "acme", "from-keyring")
    monkeypatch.setenv("CXDAILY_SECRET_ACME", "from-env")
    assert read_secret("acme") == "from-env"
    assert secret_source("acme") == "env"


def test_keyring_is_read_for_default_and_named_fields(memory_keyring):
    memory_keyring.set_password("cxdaily", "acme", "main")
    memory_keyring.set_password("cxdaily", "acme:client_secret", "second")
    assert read_secret("acme") == "main"
    assert read_secret("acme", "client_secret") == "second"
    assert secret_source("acme", "client_secret") == "keyring"


def test_named_fields_come_from_their_own_variable(monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_ACME_CLIENT_SECRET", "s")
    assert read_secret("acme", "client_secret") == "s"


def test_missing_secret_says_exactly_what_to_do():
    with pytest.raises(CredentialError) as caught:
        read_secret("acme")
    message = str(caught.value)
    assert "cxdaily login acme" in message
    assert "CXDAILY_SECRET_ACME" in message
    assert "\n" not in message
    assert secret_source("acme") == "missing"


def test_unusable_keyring_says_to_use_the_variable():
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(CredentialError) as caught:
        read_secret("acme", "token")
    assert "keyring cannot be used" in str(caught.value)
    assert "set CXDAILY_SECRET_ACME_TOKEN" in str(caught.value)
    assert secret_source("acme", "token") == "unavailable"


def test_a_locked_keyring_is_a_credential_error_not_a_crash():
    keyring.set_keyring(LockedKeyring())
    with pytest.raises(CredentialError, match="KeyringLocked"):
        read_secret("acme")


def test_store_round_trips_in_a_safe_keyring(memory_keyring):
    backend = store_secret("acme", "", "s3cret")
    assert backend
    assert memory_keyring.entries[("cxdaily", "acme")] == "s3cret"
    assert read_secret("acme") == "s3cret"
    assert delete_secret("acme") is True
    assert delete_secret("acme") is False


@pytest.mark.parametrize(
    ("backend", "words"),
    [
        (fail.Keyring(), "no usable keyring"),
        (null.Keyring(), "no usable keyring"),
        (PlaintextKeyring(), "plain text"),
    ],
)
def test_store_refuses_unsafe_backends(backend, words):
    keyring.set_keyring(backend)
    assert keyring_problem() is not None
    with pytest.raises(CredentialError) as caught:
        store_secret("acme", "", "s3cret")
    assert words in str(caught.value)
    assert "CXDAILY_SECRET_ACME" in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_store_reports_a_failing_backend():
    keyring.set_keyring(LockedKeyring())
    with pytest.raises(CredentialError, match="refused to store"):
        store_secret("acme", "", "s3cret")


def test_store_notices_a_backend_that_drops_secrets():
    keyring.set_keyring(ForgetfulKeyring())
    with pytest.raises(CredentialError, match="did not keep"):
        store_secret("acme", "", "s3cret")


def test_store_refuses_an_empty_secret(memory_keyring):
    with pytest.raises(CredentialError, match="empty"):
        store_secret("acme", "", "   ")
    assert memory_keyring.entries == {}
