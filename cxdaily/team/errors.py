"""Team mode's errors: one line each, never holding the password."""

from __future__ import annotations

from cxdaily.core.errors import CxDailyError


class TeamError(CxDailyError):
    """The team database refused something, or team mode cannot be used as configured."""


class TeamOffline(TeamError):
    """The team database cannot be reached right now (the writes wait in the queue)."""
