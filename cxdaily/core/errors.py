"""The error hierarchy: every failure a user can meet is one of these, with a one-line message.

The command line prints ``str(error)`` and exits 1; the app shows it as a notification.
Messages never contain secrets.
"""

from __future__ import annotations


class CxDailyError(Exception):
    """Base of every error cxdaily reports to the user as a single line."""

    def __str__(self) -> str:
        text = super().__str__()
        return " ".join(text.split())  # always one line


class ConfigError(CxDailyError):
    """The config file (or a setting in it) cannot be used."""


class UsageError(CxDailyError):
    """Options given on the command line that cannot go together or cannot be read (an
    empty ``--since``/``--until`` range, say): the command line exits 2."""


class StoreError(CxDailyError):
    """The local data store cannot be read or written."""


class StoreLockedError(StoreError):
    """Another cxdaily process holds the data folder."""


class StoreCorruptError(StoreError):
    """A data file is unreadable; it is kept untouched for recovery."""


class NotFoundError(CxDailyError):
    """A question, reply or channel named by the user does not exist."""


class CredentialError(CxDailyError):
    """A secret is missing or the keyring cannot be used."""


class ConnectorError(CxDailyError):
    """A channel failed: unreachable, refused, or answered with something unusable."""

    def __init__(self, message: str, *, channel: str | None = None) -> None:
        self.channel = channel
        super().__init__(f"{channel}: {message}" if channel else message)


class AuthError(ConnectorError):
    """The service refused the credentials (401/403 that is not a throttle)."""


class RateLimited(ConnectorError):
    """The service asked us to slow down; ``retry_after`` is in seconds."""

    def __init__(self, message: str, *, retry_after: float, channel: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message, channel=channel)


class ReplyRejected(CxDailyError):
    """A reply cannot be sent as written (too long, empty, or refused by a check)."""
