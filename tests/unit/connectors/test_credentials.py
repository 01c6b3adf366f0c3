"""Secrets: environment first, then the keyring; refusing unsafe keyrings; clear messages."""

from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.errors import KeyringLocked

from cxdaily.core.errors import CredentialError
from cxdaily.credentials import (
    SecretRefusedError,
    delete_secret,
    env_name,
    keyring_problem,
    keyring_user,
    read_secret,
    secret_source,
    store_secret,
)


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
    assert "keyring cannot be used: this machine has no keyring" in str(caught.value)
    assert "Error" not in str(caught.value)  # words, not the backend's class name
    assert "set CXDAILY_SECRET_ACME_TOKEN" in str(caught.value)
    assert secret_source("acme", "token") == "unavailable"


def test_a_locked_keyring_is_a_credential_error_not_a_crash():
    keyring.set_keyring(LockedKeyring())
    with pytest.raises(CredentialError, match="the keyring is locked"):
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


# ----------------------------------------------------------------------------- issue 11, item 2
CANARY = "sk-canary-0123456789"


@pytest.mark.parametrize("padded", [f"{CANARY}\n", f"  {CANARY}\r\n", f"\t{CANARY} "])
def test_a_secret_from_the_environment_is_trimmed(monkeypatch, padded):
    monkeypatch.setenv("CXDAILY_SECRET_ACME", padded)
    assert read_secret("acme") == CANARY
    assert secret_source("acme") == "env"


def test_a_secret_from_the_keyring_is_trimmed(memory_keyring):
    memory_keyring.set_password("cxdaily", "acme:token", f"{CANARY}\n")
    assert read_secret("acme", "token") == CANARY


@pytest.mark.parametrize("control", ["\n", "\r", "\x1b", "\x7f", "\x85", "\u2028"])
def test_a_secret_from_the_environment_with_a_control_character_is_refused(monkeypatch, control):
    monkeypatch.setenv("CXDAILY_SECRET_ACME_TOKEN", f"{CANARY}{control}tail")
    with pytest.raises(SecretRefusedError) as caught:
        read_secret("acme", "token")
    message = str(caught.value)
    assert isinstance(caught.value, CredentialError)
    assert "CXDAILY_SECRET_ACME_TOKEN" in message and "control character" in message
    assert CANARY not in message and "tail" not in message
    assert "\n" not in message
    assert secret_source("acme", "token") == "invalid env"


def test_a_refused_environment_secret_does_not_fall_back_to_the_keyring(
    monkeypatch, memory_keyring
):
    memory_keyring.set_password("cxdaily", "acme", "from-keyring")
    monkeypatch.setenv("CXDAILY_SECRET_ACME", "a\nb")
    with pytest.raises(SecretRefusedError):
        read_secret("acme")


@pytest.mark.parametrize("control", ["\r\n", "\x00", "\x9b"])
def test_a_secret_in_the_keyring_with_a_control_character_is_refused(memory_keyring, control):
    memory_keyring.set_password("cxdaily", "acme", f"{CANARY}{control}Injected: yes")
    with pytest.raises(SecretRefusedError) as caught:
        read_secret("acme")
    message = str(caught.value)
    assert "keyring entry cxdaily/acme" in message and "cxdaily login acme" in message
    assert CANARY not in message and "Injected" not in message
    assert secret_source("acme") == "invalid keyring"


@pytest.mark.parametrize("value", [f"{CANARY}\nX", f"{CANARY}\x00", "a\x1b[31mb"])
def test_store_refuses_a_secret_with_a_control_character(memory_keyring, value):
    with pytest.raises(SecretRefusedError) as caught:
        store_secret("acme", "", value)
    assert CANARY not in str(caught.value)
    assert memory_keyring.entries == {}


@pytest.mark.parametrize("beyond_ascii", ["ä", "\u00a0", "\u200b", "🔑"])
def test_a_secret_beyond_plain_ascii_is_refused_wherever_it_comes_from(
    monkeypatch, memory_keyring, beyond_ascii
):
    """No header, IMAP or SMTP login can carry it: it is refused in one line that never
    quotes the character or where it sits, at login, from the environment and from the
    keyring (rather than failing every fetch as an encoding error quoting it)."""
    secret = f"{CANARY}{beyond_ascii}tail"
    with pytest.raises(SecretRefusedError) as stored:
        store_secret("acme", "", secret)
    assert memory_keyring.entries == {}
    monkeypatch.setenv("CXDAILY_SECRET_ACME_TOKEN", secret)
    with pytest.raises(SecretRefusedError) as from_env:
        read_secret("acme", "token")
    memory_keyring.set_password("cxdaily", "acme", secret)
    with pytest.raises(SecretRefusedError) as from_keyring:
        read_secret("acme")
    for caught in (stored, from_env, from_keyring):
        message = str(caught.value)
        assert "plain ASCII" in message and "\n" not in message
        assert CANARY not in message and beyond_ascii not in message and "tail" not in message
        assert "position" not in message
    assert "CXDAILY_SECRET_ACME_TOKEN" in str(from_env.value)
    assert "keyring entry cxdaily/acme" in str(from_keyring.value)


def test_store_trims_the_secret(memory_keyring):
    store_secret("acme", "", f"  {CANARY}\n")
    assert memory_keyring.entries[("cxdaily", "acme")] == CANARY


async def test_an_optional_secret_that_is_refused_is_an_error_not_no_auth(monkeypatch):
    """The http kind's secret is optional; a bad one must not silently mean "no auth"."""
    from cxdaily.connectors.http_json import HttpJsonConnector
    from cxdaily.credentials import secret_reader
    from cxdaily.settings import ChannelSettings

    monkeypatch.setenv("CXDAILY_SECRET_PORTAL", f"{CANARY}\nX")
    connector = HttpJsonConnector(
        ChannelSettings("portal", "http", {"url": "https://h.example/q"}),
        secrets=secret_reader("portal"),
    )
    with pytest.raises(SecretRefusedError) as caught:
        await connector.optional_secret()
    assert "CXDAILY_SECRET_PORTAL" in str(caught.value) and CANARY not in str(caught.value)


# ----------------------------------------------------------------------------- issue 11, item 3
def _backend(name: str, module: str, priority, bases=(KeyringBackend,), **extra):
    """A keyring backend class called ``name`` defined in ``module``; it keeps what it is
    given in a dict it exposes as ``written``, like a plaintext file would."""
    written: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return written.get((service, username))

    def set_password(self, service, username, password):
        written[(service, username)] = password

    def delete_password(self, service, username):
        written.pop((service, username), None)

    namespace = {
        "__module__": module,
        "priority": priority,
        "written": written,
        "get_password": get_password,
        "set_password": set_password,
        "delete_password": delete_password,
        **extra,
    }
    return type(name, bases, namespace)


def _refused(backend, *stores) -> str:
    """The reason ``backend`` is refused; checks nothing reached it (or ``stores``)."""
    keyring.set_keyring(backend)
    problem = keyring_problem()
    assert problem is not None
    with pytest.raises(CredentialError) as caught:
        store_secret("acme", "", CANARY)
    assert CANARY not in str(caught.value)
    assert "CXDAILY_SECRET_ACME" in str(caught.value)
    for written in stores or (type(backend).written,):
        assert written == {}  # nothing was written anywhere
    return problem


def test_a_keyrings_alt_file_backend_under_an_innocent_name_is_refused():
    """The issue's case: keyrings.alt's plaintext file backend, renamed ``FileKeyring``."""
    file_keyring = _backend("FileKeyring", "keyrings.alt.file", 0.5)
    assert "keyrings.alt" in _refused(file_keyring())


def test_a_keyrings_alt_backend_is_refused_whatever_its_priority():
    assert _refused(_backend("Vault", "keyrings.alt.Windows", 5)())


def test_a_backend_derived_from_a_keyrings_alt_class_is_refused():
    base = _backend("Keyring", "keyrings.alt.file_base", 0.5)
    derived = _backend("CorporateVault", "acme.vault", 3, bases=(base,))
    assert "keyrings.alt" in _refused(derived())


def test_a_low_priority_backend_with_a_normal_name_is_refused():
    """keyring's convention: below 1 is a fallback (its plaintext file has 0.5)."""
    problem = _refused(_backend("FileKeyring", "mypackage.backends", 0.5)())
    assert "priority 0.5" in problem


def test_a_backend_whose_priority_says_it_cannot_run_is_refused():
    def not_viable(cls):
        raise RuntimeError("requires a service that is not running")

    from keyring.compat import properties

    backend = _backend("SomeKeyring", "mypackage.backends", properties.classproperty(not_viable))
    assert "cannot be used" in _refused(backend())


def test_a_chainer_is_judged_by_the_backend_it_writes_to():
    from keyring.backends.chainer import ChainerBackend

    plaintext = _backend("FileKeyring", "keyrings.alt.file", 0.5)()
    safe = _backend("SecretService", "mypackage.backends", 5)()
    chain_to_plaintext = type("Chain", (ChainerBackend,), {"backends": [plaintext, safe]})
    assert "keyrings.alt" in _refused(
        chain_to_plaintext(), type(plaintext).written, type(safe).written
    )
    empty_chain = type("Chain", (ChainerBackend,), {"backends": []})
    keyring.set_keyring(empty_chain())
    assert "no usable keyring" in keyring_problem()

    chain_to_safe = type("Chain", (ChainerBackend,), {"backends": [safe, plaintext]})
    keyring.set_keyring(chain_to_safe())
    assert keyring_problem() is None
    store_secret("acme", "", CANARY)
    assert type(safe).written == {("cxdaily", "acme"): CANARY}
    assert type(plaintext).written == {}
    assert read_secret("acme") == CANARY


def test_a_keyring_service_and_the_test_memory_keyring_are_accepted(memory_keyring):
    assert keyring_problem() is None  # conftest's MemoryKeyring: priority 1
    keyring.set_keyring(_backend("SecretServiceKeyring", "keyring.backends.SecretService", 5)())
    assert keyring_problem() is None
    assert store_secret("acme", "", CANARY)


@pytest.mark.parametrize("blank", ["", "   ", "\n"])
def test_a_blank_variable_is_said_to_be_blank(monkeypatch, memory_keyring, blank):
    """Set but blank, the variable does not hold the secret: the message says so rather
    than that it is not set (the keyring still answers when it has the secret)."""
    monkeypatch.setenv("CXDAILY_SECRET_FORUM_OK", blank)
    with pytest.raises(CredentialError) as missing:
        read_secret("forum-ok")
    assert "CXDAILY_SECRET_FORUM_OK is set but blank" in str(missing.value)
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(CredentialError) as no_keyring:
        read_secret("forum-ok")
    assert "CXDAILY_SECRET_FORUM_OK (set but blank)" in str(no_keyring.value)
    keyring.set_keyring(memory_keyring)
    memory_keyring.set_password("cxdaily", "forum-ok", CANARY)
    assert read_secret("forum-ok") == CANARY


def test_a_missing_secret_names_the_channels_other_missing_ones():
    """A Help Scout channel without its two secrets said only the first: a fix-and-retry
    loop, one secret a run."""
    from cxdaily.connectors.helpscout import HelpScoutConnector
    from cxdaily.credentials import secret_reader
    from cxdaily.settings import ChannelSettings

    settings = ChannelSettings("hs", "helpscout", {"mailbox_id": 1})
    connector = HelpScoutConnector(settings, secrets=secret_reader("hs"))
    with pytest.raises(CredentialError) as caught:
        connector.secret("client_id")
    message = str(caught.value)
    assert "CXDAILY_SECRET_HS_CLIENT_ID" in message
    assert message.endswith("; missing too: client_secret (CXDAILY_SECRET_HS_CLIENT_SECRET)")


def test_secrets_of_which_one_is_enough_name_only_the_one_asked(monkeypatch):
    from cxdaily.connectors.zendesk import ZendeskConnector
    from cxdaily.credentials import secret_reader
    from cxdaily.settings import ChannelSettings

    settings = ChannelSettings("desk", "zendesk", {"subdomain": "acme", "email": "a@b.example"})
    connector = ZendeskConnector(settings, secrets=secret_reader("desk"))
    with pytest.raises(CredentialError) as caught:
        connector.secret("")
    assert "missing too" not in str(caught.value)
