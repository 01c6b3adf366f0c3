"""Secrets: from ``CXDAILY_SECRET_<NAME>[_<FIELD>]``, then the OS keyring, else a clear error.

A channel's default secret is the environment variable ``CXDAILY_SECRET_<NAME>`` or the
keyring entry (service ``cxdaily``, user ``<name>``). A connector that needs several
secrets names them as fields: ``CXDAILY_SECRET_<NAME>_<FIELD>`` or user ``<name>:<field>``.

Secrets are stored only in a keyring that keeps them safe: the plaintext, null and fail
backends are refused (a headless machine without a keyring service gets the fail
backend; ``keyrings.alt`` makes a plaintext file the default). Secrets never go in the
config file, logs or error messages.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

from cxdaily.errors import CredentialError

SERVICE = "cxdaily"

#: Backend modules and class names that must never hold a secret.
_REFUSED_MODULES = ("keyring.backends.fail", "keyring.backends.null")
_PLAINTEXT_NAMES = ("plaintext", "uncrypted", "unencrypted")


def env_name(channel: str, field: str = "") -> str:
    """The environment variable holding a channel's secret (or one named field of it)."""
    name = re.sub(r"[^A-Z0-9]", "_", channel.upper())
    if field:
        name += "_" + re.sub(r"[^A-Z0-9]", "_", field.upper())
    return f"CXDAILY_SECRET_{name}"


def keyring_user(channel: str, field: str = "") -> str:
    """The keyring user name of a channel's secret: ``<name>`` or ``<name>:<field>``."""
    return f"{channel}:{field}" if field else channel


def describe_secret(channel: str, field: str = "") -> str:
    """Human words for one secret: ``the secret of channel 'x'`` or ``the token of ...``."""
    return f"the {field} of channel {channel!r}" if field else f"the secret of channel {channel!r}"


def _keyring() -> Any:
    import keyring

    return keyring


def backend_name(backend: Any) -> str:
    """A short name for a keyring backend, such as ``SecretService Keyring``."""
    name = getattr(backend, "name", None)
    return str(name) if name else type(backend).__name__


def _unsafe_reason(backend: Any) -> str | None:
    module = type(backend).__module__
    name = type(backend).__name__.lower()
    if module.startswith(_REFUSED_MODULES):
        return "no usable keyring was found on this machine"
    if any(word in name for word in _PLAINTEXT_NAMES) or "plaintext" in module.lower():
        return f"the keyring backend {backend_name(backend)!r} keeps secrets in plain text"
    inner = getattr(backend, "backends", None)  # the chainer: judge what it chains
    if inner is not None:
        usable = [b for b in inner if _unsafe_reason(b) is None]
        if not usable:
            return "no usable keyring was found on this machine"
    return None


def keyring_problem() -> str | None:
    """Why secrets cannot be stored in the keyring here, or ``None`` when they can."""
    try:
        backend = _keyring().get_keyring()
    except Exception as exc:
        return f"the keyring cannot be loaded ({type(exc).__name__})"
    return _unsafe_reason(backend)


def _from_keyring(channel: str, field: str) -> str | None:
    """The stored secret, ``None`` when absent; CredentialError when the keyring fails."""
    variable = env_name(channel, field)
    try:
        return _keyring().get_password(SERVICE, keyring_user(channel, field))
    except Exception as exc:  # NoKeyringError, a locked or broken D-Bus service ...
        raise CredentialError(
            f"{describe_secret(channel, field)} is not in {variable} and the keyring cannot "
            f"be used ({type(exc).__name__}); set {variable}"
        ) from None


def read_secret(channel: str, field: str = "") -> str:
    """Return a channel's secret, or raise CredentialError saying exactly what to do."""
    variable = env_name(channel, field)
    value = os.environ.get(variable)
    if value:
        return value
    stored = _from_keyring(channel, field)
    if stored:
        return stored
    raise CredentialError(
        f"{describe_secret(channel, field)} is missing: run `cxdaily login {channel}` "
        f"or set {variable}"
    )


def secret_source(channel: str, field: str = "") -> str:
    """Where a secret would come from: ``env``, ``keyring``, ``missing`` or ``unavailable``.

    Never returns or shows the secret itself.
    """
    if os.environ.get(env_name(channel, field)):
        return "env"
    try:
        stored = _from_keyring(channel, field)
    except CredentialError:
        return "unavailable"
    return "keyring" if stored else "missing"


def store_secret(channel: str, field: str, value: str) -> str:
    """Save a secret in the keyring; returns the backend's name.

    Refuses an empty value and a plaintext, null or fail backend, and checks that the
    secret reads back, so a silently failing keyring is caught now rather than at fetch.
    """
    if not value or not value.strip():
        raise CredentialError("an empty secret was not stored")
    variable = env_name(channel, field)
    problem = keyring_problem()
    if problem:
        raise CredentialError(
            f"{problem}; {describe_secret(channel, field)} was not stored. Set {variable} "
            "in the environment instead, or install a keyring service (GNOME Keyring, "
            "KWallet, macOS Keychain, Windows Credential Manager)"
        )
    keyring = _keyring()
    user = keyring_user(channel, field)
    try:
        keyring.set_password(SERVICE, user, value)
        stored = keyring.get_password(SERVICE, user)
    except Exception as exc:
        raise CredentialError(
            f"the keyring refused to store {describe_secret(channel, field)} "
            f"({type(exc).__name__}); set {variable} instead"
        ) from None
    if stored != value:
        raise CredentialError(
            f"the keyring did not keep {describe_secret(channel, field)}; set {variable} instead"
        )
    return backend_name(keyring.get_keyring())


def delete_secret(channel: str, field: str = "") -> bool:
    """Remove a stored secret; returns whether one was removed (never raises)."""
    keyring = _keyring()
    try:
        if keyring.get_password(SERVICE, keyring_user(channel, field)) is None:
            return False
        keyring.delete_password(SERVICE, keyring_user(channel, field))
    except Exception:
        return False
    return True


def secret_reader(channel: str) -> Callable[[str], str]:
    """A callable reading one field of this channel's secrets (for connectors)."""
    return lambda field="": read_secret(channel, field)
