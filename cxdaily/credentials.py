"""Secrets: from ``CXDAILY_SECRET_<NAME>[_<FIELD>]``, then the OS keyring, else a clear error.

A channel's default secret is the environment variable ``CXDAILY_SECRET_<NAME>`` or the
keyring entry (service ``cxdaily``, user ``<name>``). A connector that needs several
secrets names them as fields: ``CXDAILY_SECRET_<NAME>_<FIELD>`` or user ``<name>:<field>``.

A secret is trimmed of surrounding whitespace when it is read (a value pasted into an
environment variable often ends in a newline); one that still holds a control character
(newline, carriage return, NUL, any other C0 or C1 character) or any character beyond
plain ASCII is refused with a one-line :class:`SecretRefusedError` naming the variable or
keyring entry, never the value, since it would break the ``Authorization`` header (or an
IMAP or SMTP login) and end up quoted in an error.

Secrets are stored only in a keyring that keeps them safe, judged by what the backend
is rather than by its class name: keyring's own priority convention ("a priority of one
or greater is recommended": the fail backend has 0, null -1, keyrings.alt's plaintext
file 0.5 and its encrypted file 0.6), the module it comes from (anything in
``keyrings.alt``, ``keyring.backends.fail``, ``keyring.backends.null``, also as a base
class) and, for keyring's chainer, the backend a secret would be written to. A headless
machine without a keyring service gets the fail backend; ``keyrings.alt`` makes a
plaintext file the default. Secrets never go in the config file, logs or error messages.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

from cxdaily.core.errors import CredentialError

SERVICE = "cxdaily"

#: cxdaily's own secrets, beside the channels' and destinations': (owner, field) -> what
#: it is. No channel or destination may have a secret read from the same place.
OWN_SECRETS = {
    ("team", ""): "the team database's password (`cxdaily login team`)",
    ("serve", "token"): "the served app's access token",
}

#: Backend modules that cannot keep a secret at all (no keyring service was found).
_NO_KEYRING_MODULES = ("keyring.backends.fail", "keyring.backends.null")
#: The package whose backends keep secrets in a file of their own (plain text, or
#: encrypted with a password typed through ``getpass``, which fights the app for the
#: terminal): keyrings.alt's file, Windows-file, Gnome, Google and multipart backends.
_FILE_KEYRING_PACKAGE = "keyrings.alt"
_CHAINER_MODULE = "keyring.backends.chainer"
#: Class-name words that give a plaintext backend away (on top of the checks above).
_PLAINTEXT_NAMES = ("plaintext", "uncrypted", "unencrypted")
#: keyring's convention: "a priority of one or greater is recommended"; below is a fallback.
MIN_PRIORITY = 1.0
#: Control characters a secret must not hold: C0, DEL, C1 and the Unicode line breaks.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class SecretRefusedError(CredentialError):
    """A secret is set but cannot be used as it is (it holds a control character)."""


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


def _modules(backend: Any) -> list[str]:
    """The modules of a backend's class and of every class it derives from."""
    return [klass.__module__ for klass in type(backend).__mro__]


def _within(module: str, package: str) -> bool:
    """Whether ``module`` is ``package`` or one of its submodules."""
    return module == package or module.startswith(package + ".")


def _priority(backend: Any) -> float | None:
    """The backend's priority; ``None`` when it says it cannot run here (or has none)."""
    try:
        value = backend.priority
    except Exception:  # keyring backends raise RuntimeError when not viable
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return float(value)


def _is_chainer(backend: Any) -> bool:
    """Whether ``backend`` is keyring's chainer (or derives from it)."""
    return any(
        klass.__module__ == _CHAINER_MODULE and klass.__name__ == "ChainerBackend"
        for klass in type(backend).__mro__
    )


def storage_backend(backend: Any) -> Any:
    """The backend a secret given to ``backend`` is written to: keyring's chainer writes
    to the first of its chained backends (highest priority first); others to themselves.
    ``None`` for a chainer with nothing to chain."""
    if not _is_chainer(backend):
        return backend
    try:
        chained = list(backend.backends)
    except Exception:
        return None
    return chained[0] if chained else None


def unsafe_reason(backend: Any) -> str | None:
    """Why ``backend`` must not hold a secret, or ``None`` when it may.

    Decided by what the backend is: its module (and its base classes' modules), its
    priority by keyring's convention, and for the chainer the backend it writes to.
    """
    if _is_chainer(backend):
        target = storage_backend(backend)
        if target is None:
            return "no usable keyring was found on this machine"
        return unsafe_reason(target)
    modules = _modules(backend)
    if any(_within(m, p) for m in modules for p in _NO_KEYRING_MODULES):
        return "no usable keyring was found on this machine"
    shown = backend_name(backend)
    if any(_within(m, _FILE_KEYRING_PACKAGE) for m in modules):
        return (
            f"the keyring backend {shown!r} (from keyrings.alt) keeps secrets in a file of "
            "its own, in plain text or behind a password prompt"
        )
    name = type(backend).__name__.lower()
    if any(word in name for word in _PLAINTEXT_NAMES) or any(
        "plaintext" in m.lower() for m in modules
    ):
        return f"the keyring backend {shown!r} keeps secrets in plain text"
    priority = _priority(backend)
    if priority is None:
        return f"the keyring backend {shown!r} cannot be used on this machine"
    if priority < MIN_PRIORITY:
        return (
            f"the keyring backend {shown!r} is only a fallback (priority {priority:g}; a "
            f"keyring service has {MIN_PRIORITY:g} or more) and may keep secrets in plain text"
        )
    return None


def _keyring_failure(exc: BaseException) -> str:
    """What went wrong with the keyring, in words ("this machine has no keyring"), not
    the class name of the backend's exception."""
    import keyring.errors

    if isinstance(exc, keyring.errors.NoKeyringError):
        return "this machine has no keyring"
    if isinstance(exc, keyring.errors.KeyringLocked):
        return "the keyring is locked"
    return f"the keyring failed ({type(exc).__name__})"


def keyring_problem() -> str | None:
    """Why secrets cannot be stored in the keyring here, or ``None`` when they can."""
    try:
        backend = _keyring().get_keyring()
    except Exception as exc:
        return _keyring_failure(exc)
    return unsafe_reason(backend)


def _usable(value: str, where: str) -> str:
    """``value`` trimmed of surrounding whitespace; SecretRefusedError when it still holds
    a control character, or any character beyond plain ASCII (no HTTP header, IMAP or SMTP
    login can carry one: each would fail as an encoding error that quotes the character
    and its place in the secret). ``where`` names the variable or keyring entry, never
    the value, and the message never quotes the secret's characters."""
    trimmed = value.strip()
    found = _CONTROL.search(trimmed)
    if found:
        raise SecretRefusedError(
            f"{where} holds a control character (U+{ord(found[0]):04X}) inside the secret; "
            "set it again without line breaks or other control characters"
        )
    if not trimmed.isascii():
        raise SecretRefusedError(
            f"{where} holds a character other than plain ASCII; API tokens, keys and app "
            "passwords are plain ASCII: set it again exactly as the service shows it"
        )
    return trimmed


def keyring_entry(channel: str, field: str = "") -> str:
    """The keyring entry of a secret in words: ``the keyring entry cxdaily/<user>``."""
    return f"the keyring entry {SERVICE}/{keyring_user(channel, field)}"


def _from_env(channel: str, field: str) -> str | None:
    """The secret in the channel's variable, trimmed; ``None`` when unset or blank."""
    variable = env_name(channel, field)
    value = os.environ.get(variable)
    if not value or not value.strip():
        return None
    return _usable(value, f"{variable} ({describe_secret(channel, field)})")


def _from_keyring(channel: str, field: str) -> str | None:
    """The stored secret (trimmed), ``None`` when absent; CredentialError when the keyring
    fails, SecretRefusedError when the stored value holds a control character."""
    variable = env_name(channel, field)
    try:
        stored = _keyring().get_password(SERVICE, keyring_user(channel, field))
    except Exception as exc:  # no keyring, a locked or broken D-Bus service ...
        raise CredentialError(
            f"{describe_secret(channel, field)} is not in {_env_state(variable)}, and the "
            f"keyring cannot be used: {_keyring_failure(exc)}; set {variable}"
        ) from None
    if not isinstance(stored, str) or not stored.strip():
        return None
    try:
        return _usable(
            stored, f"{keyring_entry(channel, field)} ({describe_secret(channel, field)})"
        )
    except SecretRefusedError as exc:
        raise SecretRefusedError(f"{exc} with `cxdaily login {channel}`") from None


def read_secret(channel: str, field: str = "") -> str:
    """Return a channel's secret (trimmed), or raise CredentialError saying what to do.

    A secret holding a control character raises :class:`SecretRefusedError`.
    """
    variable = env_name(channel, field)
    value = _from_env(channel, field)
    if value:
        return value
    stored = _from_keyring(channel, field)
    if stored:
        return stored
    blank = f" ({variable} is set but blank)" if variable in os.environ else ""
    raise CredentialError(
        f"{describe_secret(channel, field)} is missing{blank}: run `cxdaily login {channel}` "
        f"or set {variable}"
    )


def _env_state(variable: str) -> str:
    """``CXDAILY_SECRET_X``, or ``CXDAILY_SECRET_X (set but blank)`` when it is."""
    return f"{variable} (set but blank)" if variable in os.environ else variable


def secret_source(channel: str, field: str = "") -> str:
    """Where a secret would come from: ``env``, ``keyring``, ``missing``, ``unavailable``
    (the keyring cannot be used), or ``invalid env`` / ``invalid keyring`` (set there but
    refused: it holds a control character).

    Never returns or shows the secret itself.
    """
    try:
        if _from_env(channel, field):
            return "env"
    except SecretRefusedError:
        return "invalid env"
    try:
        stored = _from_keyring(channel, field)
    except SecretRefusedError:
        return "invalid keyring"
    except CredentialError:
        return "unavailable"
    return "keyring" if stored else "missing"


def store_secret(channel: str, field: str, value: str) -> str:
    """Save a secret in the keyring; returns the backend's name.

    The value is trimmed of surrounding whitespace. Refuses an empty value, one holding a
    control character, and a backend that is not a safe keyring (see
    :func:`unsafe_reason`); writes to the backend judged (for keyring's chainer, the one
    it chains first), and checks that the secret reads back, so a silently failing keyring
    is caught now rather than at fetch.
    """
    if not value or not value.strip():
        raise CredentialError("an empty secret was not stored")
    value = _usable(value, f"the value given for {describe_secret(channel, field)}")
    variable = env_name(channel, field)
    problem = keyring_problem()
    if problem:
        raise CredentialError(
            f"{problem}; {describe_secret(channel, field)} was not stored. Set {variable} "
            "in the environment instead, or install a keyring service (GNOME Keyring, "
            "KWallet, macOS Keychain, Windows Credential Manager)"
        )
    keyring = storage_backend(_keyring().get_keyring())
    user = keyring_user(channel, field)
    try:
        keyring.set_password(SERVICE, user, value)
        stored = keyring.get_password(SERVICE, user)
    except Exception as exc:
        raise CredentialError(
            f"the keyring refused to store {describe_secret(channel, field)} "
            f"({_keyring_failure(exc)}); set {variable} instead"
        ) from None
    if stored != value:
        raise CredentialError(
            f"the keyring did not keep {describe_secret(channel, field)}; set {variable} instead"
        )
    return backend_name(keyring)


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

    def read_field(field: str = "") -> str:
        return read_secret(channel, field)

    return read_field


def _login_command(channel: str, field: str) -> str:
    """``cxdaily login NAME [--field F]``: how the leader stores one secret."""
    return f"cxdaily login {channel}" + (f" --field {field}" if field else "")


def store_renewed_secret(channel: str, field: str, value: str) -> str | None:
    """Store a secret the service renewed (a rotated refresh token, a new session) in the
    keyring, so the next run starts from it; ``None`` when it was stored.

    Otherwise it returns why not, as one line naming the variable or the keyring's
    problem, never the value: the field is set by ``CXDAILY_SECRET_<NAME>[_<FIELD>]``
    (the environment wins over the keyring, so a stored copy would never be read), the
    keyring is not a safe one (see :func:`unsafe_reason`), or it refused the write. It
    never raises: the caller keeps the value in memory for this process and goes on.
    """
    what = describe_secret(channel, field)
    variable = env_name(channel, field)
    if os.environ.get(variable, "").strip():
        return (
            f"{what} was renewed by the service, but {variable} holds the old one, so the new "
            f"one is kept for this run only: unset {variable} and store the secret with "
            f"`{_login_command(channel, field)}`, where renewals are kept"
        )
    problem = keyring_problem()
    if problem is None:
        try:
            store_secret(channel, field, value)
        except SecretRefusedError:
            problem = "it holds a character a secret cannot have"
        except Exception:  # CredentialError, or a backend failing in a way of its own
            problem = "the keyring refused to keep it"
        else:
            return None
    return (
        f"{what} was renewed by the service but not stored ({problem}), so the new one is "
        f"kept for this run only and the next run may need `{_login_command(channel, field)}`"
    )


def secret_writer(channel: str) -> Callable[[str, str], str | None]:
    """A callable storing one renewed field of this channel's secrets (for connectors):
    see :func:`store_renewed_secret`."""

    def write_field(field: str, value: str) -> str | None:
        return store_renewed_secret(channel, field, value)

    return write_field
