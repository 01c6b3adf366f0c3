"""The ``[destinations.NAME]`` tables and the ``[digest]`` table: where the weekly digest goes.

```toml
[digest]
day = "friday"                  # the digest day (default Friday); the week before it is sent

[destinations.product-mail]
kind = "email"
to = ["product@acme.com", "cto@acme.com"]
smtp_from_channel = "support"   # or smtp_host, smtp_port, smtp_tls, username of its own

[destinations.team-slack]
kind = "webhook"
format = "slack"                # slack, teams or json
```

A destination table holds ``kind`` and the options its kind declares (checked by the kind's
sender when the file is read, see :func:`cxdaily.connectors.destinations.
check_destination_settings`). Destination names share one namespace with channel names, so
``cxdaily login NAME`` and ``CXDAILY_SECRET_<NAME>`` name one thing. Secrets never go in the
file, and redaction cannot be switched off here: only ``cxdaily digest --send --no-redact``
sends unredacted personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import msgspec

from cxdaily.core.config_tables import config_table
from cxdaily.core.errors import ConfigError
from cxdaily.streaks.rules import weekday_number

DEFAULT_DIGEST_DAY = 4
"""Friday (Monday = 0)."""
_A_MONDAY = date(2024, 1, 1)
DIGEST_KEYS = {"day"}
#: Options no destination accepts, with what to do instead.
REFUSED_OPTIONS = {
    "redact": "redaction cannot be switched off per destination; only "
    "`cxdaily digest --send --no-redact` sends personal data unredacted",
}


class DestinationSettings(msgspec.Struct, frozen=True):
    """A ``[destinations.NAME]`` table: ``kind`` plus the options of that kind."""

    name: str
    kind: str
    options: dict[str, Any] = msgspec.field(default_factory=dict)

    @property
    def table(self) -> str:
        """``[destinations.NAME]``: how messages name the table."""
        return f"[destinations.{self.name}]"


class DigestSettings(msgspec.Struct, frozen=True):
    """The ``[digest]`` table."""

    day: int = DEFAULT_DIGEST_DAY
    """The digest day, Monday = 0 (``day = "friday"``): on that day the week before it
    (seven whole days) is due to be sent."""

    @property
    def day_name(self) -> str:
        """``friday``."""
        return weekday_name(self.day).lower()


def weekday_name(weekday: int) -> str:
    """``Friday`` for 4 (Monday = 0)."""
    return f"{_A_MONDAY + timedelta(days=weekday):%A}"


def parse_weekday(value: object, *, setting: str = "[digest] day") -> int:
    """A weekday name (``friday``, or ``fri``) as Monday = 0."""
    number = weekday_number(value) if isinstance(value, str) else None
    if number is None:
        raise ConfigError(f'{setting} = {value!r} is not a day of the week like "friday"')
    return number


def digest_from_dict(raw: Any) -> DigestSettings:
    """Validate the parsed ``[digest]`` table."""
    table = config_table(raw, "digest", DIGEST_KEYS)
    if "day" not in table:
        return DigestSettings()
    return DigestSettings(day=parse_weekday(table["day"]))


def digest_to_dict(settings: DigestSettings) -> dict[str, Any]:
    """The ``[digest]`` table for TOML: only what differs from the defaults."""
    return {} if settings.day == DEFAULT_DIGEST_DAY else {"day": settings.day_name}


def destinations_from_dict(
    raw: Any, channel_names: Mapping[str, object]
) -> dict[str, DestinationSettings]:
    """Validate the ``[destinations]`` tables: names (unique across channels too), a kind,
    no secrets and no switch that turns redaction off. The kinds' own options are checked
    by :func:`check_destinations`."""
    from cxdaily.settings import channel_from_dict  # the package imports this module first

    destinations: dict[str, DestinationSettings] = {}
    for name, table in config_table(raw, "destinations").items():
        parsed = channel_from_dict(name, table, section="destinations", example="email")
        if parsed.refused:
            raise ConfigError(f"[destinations.{name}] {parsed.refused}")
        if name in channel_names:
            raise ConfigError(
                f"[destinations.{name}]: a channel has this name already; destinations and "
                "channels share names (their secrets are both `cxdaily login NAME`)"
            )
        for key, advice in REFUSED_OPTIONS.items():
            if key in parsed.options:
                raise ConfigError(f"[destinations.{name}] {key}: {advice}")
        destinations[name] = DestinationSettings(name, parsed.kind, dict(parsed.options))
    return destinations


def destinations_to_dict(destinations: Mapping[str, DestinationSettings]) -> dict[str, Any]:
    """The ``[destinations]`` tables for TOML (no ``None`` values)."""
    return {
        name: {"kind": d.kind, **{k: v for k, v in d.options.items() if v is not None}}
        for name, d in destinations.items()
    }


def check_destinations(
    destinations: Mapping[str, DestinationSettings], channels: Mapping[str, Any]
) -> None:
    """Check every destination with the sender of its kind (the first problem is raised);
    nothing is imported when none is configured."""
    if not destinations:
        return
    from cxdaily.connectors.destinations import check_destination_settings

    for destination in destinations.values():
        check_destination_settings(destination, channels)
