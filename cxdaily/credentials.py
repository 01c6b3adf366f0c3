"""Secrets: from ``CXDAILY_SECRET_<NAME>[_<FIELD>]``, then the OS keyring, else a clear error.

Secrets never go in the config file, logs or error messages.
"""

from __future__ import annotations

import os
import re

from cxdaily.errors import CredentialError

SERVICE = "cxdaily"


def env_name(channel: str, field: str = "") -> str:
    """The environment variable holding a channel's secret (or one named field of it)."""
    name = re.sub(r"[^A-Z0-9]", "_", channel.upper())
    if field:
        name += "_" + re.sub(r"[^A-Z0-9]", "_", field.upper())
    return f"CXDAILY_SECRET_{name}"


def keyring_user(channel: str, field: str = "") -> str:
    """The keyring user name of a channel's secret: ``<name>`` or ``<name>:<field>``."""
    return f"{channel}:{field}" if field else channel


def read_secret(channel: str, field: str = "") -> str:
    """Return a channel's secret, or raise CredentialError saying exactly what to do."""
    variable = env_name(channel, field)
    value = os.environ.get(variable)
    if value:
        return value
    what = f"the {field} of channel {channel!r}" if field else f"the secret of channel {channel!r}"
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            stored = keyring.get_password(SERVICE, keyring_user(channel, field))
        except KeyringError as exc:
            raise CredentialError(
                f"{what} is not in {variable} and the keyring cannot be used "
                f"({type(exc).__name__}); set {variable}"
            ) from None
    except ImportError:  # pragma: no cover - keyring is a dependency
        stored = None
    if stored:
        return stored
    raise CredentialError(f"{what} is missing: run `cxdaily login {channel}` or set {variable}")


def secret_reader(channel: str):
    """A callable reading one field of this channel's secrets (for connectors)."""
    return lambda field="": read_secret(channel, field)
