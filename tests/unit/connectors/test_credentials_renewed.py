"""Renewed secrets: stored in the keyring for the next run, kept in memory when the
environment holds the field or the keyring cannot store, never shown, never fatal."""

from __future__ import annotations

import logging

import keyring
import pytest
from keyring.backends import fail

from cxdaily.connectors.base import PROCESS_RENEWED, Connector, FetchResult, SentReply
from cxdaily.core.errors import CredentialError
from cxdaily.credentials import secret_reader, secret_writer, store_renewed_secret
from cxdaily.settings import ChannelSettings
from tests.unit.connectors.renewal_kit import ReadOnlyKeyring, logged, watch_log

OLD, NEW, NEWER = "refresh-old-0001-abcdef", "refresh-new-0002-ghijkl", "refresh-new-0003-mnopqr"


class Plain(Connector):
    """A connector with nothing but secrets."""

    kind = "plain"

    async def fetch(self, checkpoint):  # pragma: no cover - never fetched here
        return FetchResult([], None)

    async def send_reply(self, question, body, idempotency_key):  # pragma: no cover
        return SentReply("1")


def plain(*, writer: bool = True) -> Plain:
    """A new connector of channel ``acme`` on the real secret reader (and writer)."""
    settings = ChannelSettings(name="acme", kind="plain", options={})
    return Plain(settings, secrets=secret_reader("acme"),
                 secret_writer=secret_writer("acme") if writer else None)  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh():
    PROCESS_RENEWED.clear()
    yield
    PROCESS_RENEWED.clear()


def test_a_renewed_secret_goes_to_the_keyring(memory_keyring):
    memory_keyring.set_password("cxdaily", "acme:refresh_token", OLD)
    assert store_renewed_secret("acme", "refresh_token", NEW) is None
    assert memory_keyring.get_password("cxdaily", "acme:refresh_token") == NEW


def test_an_environment_variable_is_never_written_over(monkeypatch, memory_keyring):
    monkeypatch.setenv("CXDAILY_SECRET_ACME_REFRESH_TOKEN", OLD)
    said = store_renewed_secret("acme", "refresh_token", NEW)
    assert said is not None and "CXDAILY_SECRET_ACME_REFRESH_TOKEN" in said
    assert "`cxdaily login acme --field refresh_token`" in said and "\n" not in said
    assert NEW not in said and OLD not in said
    assert memory_keyring.entries == {}


@pytest.mark.parametrize(
    ("backend", "reason"),
    [(fail.Keyring(), "no usable keyring"), (ReadOnlyKeyring({}), "refused to keep it")],
)
def test_a_keyring_that_cannot_store_is_said_in_one_line(backend, reason):
    keyring.set_keyring(backend)  # the autouse fixture puts the memory keyring back
    said = store_renewed_secret("acme", "refresh_token", NEW)
    assert said is not None and reason in said and NEW not in said and "\n" not in said


def test_a_value_with_a_control_character_is_not_stored(memory_keyring):
    said = store_renewed_secret("acme", "", "token\nwith-a-break")
    assert said is not None and "cannot have" in said and "with-a-break" not in said
    assert memory_keyring.entries == {}


async def test_the_next_run_reads_what_was_stored(memory_keyring, caplog):
    watch_log(caplog)
    memory_keyring.set_password("cxdaily", "acme:refresh_token", OLD)
    first = plain()
    assert first.secret("refresh_token") == OLD
    await first.persist_secret("refresh_token", NEW)
    PROCESS_RENEWED.clear()  # a new process: only the keyring remembers
    assert plain().secret("refresh_token") == NEW
    assert logged(caplog, logging.INFO) == []


async def test_from_the_environment_the_new_value_lives_in_this_process_only(
    monkeypatch, memory_keyring, caplog
):
    watch_log(caplog)
    monkeypatch.setenv("CXDAILY_SECRET_ACME_REFRESH_TOKEN", OLD)
    await plain().persist_secret("refresh_token", NEW)
    assert plain().secret("refresh_token") == NEW  # the next operation of this process
    await plain().persist_secret("refresh_token", NEWER)  # renewed again
    assert plain().secret("refresh_token") == NEWER
    assert memory_keyring.entries == {}
    warnings = logged(caplog)
    assert len(warnings) == 2  # one for each renewal
    assert all("CXDAILY_SECRET_ACME_REFRESH_TOKEN" in w and "\n" not in w for w in warnings)
    assert all(s not in caplog.text for s in (OLD, NEW, NEWER))
    PROCESS_RENEWED.clear()
    assert plain().secret("refresh_token") == OLD  # a new process starts from the variable


async def test_a_keyring_that_refuses_costs_nothing_but_a_warning(caplog):
    watch_log(caplog)
    backend = ReadOnlyKeyring({("cxdaily", "acme:refresh_token"): OLD})
    keyring.set_keyring(backend)
    connector = plain()
    await connector.persist_secret("refresh_token", NEW)  # does not raise
    assert backend.refused == 1 and connector.secret("refresh_token") == NEW
    [warning] = logged(caplog)
    assert "refused to keep it" in warning and NEW not in caplog.text and OLD not in caplog.text
    assert connector.scrubber.scrub(f"echo {NEW}") == "echo ***"
    [note] = connector.fetch_notes()  # the app shows it with the fetch's warnings
    assert note == warning and NEW not in note and OLD not in note


async def test_a_secret_stored_anew_wins_over_the_one_in_memory(memory_keyring):
    keyring.set_keyring(ReadOnlyKeyring({("cxdaily", "acme:refresh_token"): OLD}))
    await plain().persist_secret("refresh_token", NEW)
    keyring.set_keyring(memory_keyring)
    memory_keyring.set_password("cxdaily", "acme:refresh_token", NEWER)  # `cxdaily login`
    assert plain().secret("refresh_token") == NEWER


async def test_a_missing_field_can_be_renewed_in_memory():
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(CredentialError):
        plain().secret("session")
    await plain().persist_secret("session", NEW, renewable=True)
    assert plain().secret("session") == NEW


async def test_without_a_writer_the_value_is_kept_quietly(memory_keyring, caplog):
    watch_log(caplog)
    memory_keyring.set_password("cxdaily", "acme", OLD)
    quiet = plain(writer=False)
    await quiet.persist_secret("", NEW)
    assert plain(writer=False).secret() == NEW and quiet.fetch_notes() == []
    assert memory_keyring.get_password("cxdaily", "acme") == OLD
    assert logged(caplog) == [] and NEW not in caplog.text


async def test_a_writer_that_breaks_never_costs_the_work(memory_keyring, caplog):
    watch_log(caplog)

    def broken(field: str, value: str) -> str | None:
        raise RuntimeError(f"boom {value}")

    settings = ChannelSettings(name="acme", kind="plain", options={})
    connector = Plain(settings, secrets=secret_reader("acme"), secret_writer=broken)
    await connector.persist_secret("refresh_token", NEW)
    assert connector.secret("refresh_token") == NEW
    [warning] = logged(caplog)
    assert "RuntimeError" in warning and NEW not in caplog.text
