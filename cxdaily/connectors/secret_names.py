"""No two secrets are read from one place: each channel's, each destination's and
cxdaily's own (the team database's password, the served app's token).

A secret is read from ``CXDAILY_SECRET_<NAME>[_<FIELD>]`` (the name upper-cased, every
other character an underscore) before the keyring. Channels named ``a-b`` and ``a_b``, a
channel ``desk`` with a ``token`` field and a destination ``desk-token``, or a channel
named ``team`` in team mode would share one variable: the secret meant for one service would be sent
to another. :func:`check_secret_names` refuses such a config with one line naming both.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from cxdaily.core.errors import ConfigError
from cxdaily.credentials import OWN_SECRETS, env_name
from cxdaily.settings import ChannelSettings
from cxdaily.settings.delivery import DestinationSettings
from cxdaily.settings.team import TEAM_SECRET


def check_secret_names(
    channels: Mapping[str, ChannelSettings],
    destinations: Mapping[str, DestinationSettings],
    *,
    team: bool = True,
) -> None:
    """Raise a one-line ConfigError when a channel's or destination's secret would be read
    from the same variable as another secret; ``team``: team mode is configured (then its
    database password counts too). Call after each kind was checked (the kinds' classes
    are looked up here)."""
    seen = {
        env_name(owner, field): what
        for (owner, field), what in OWN_SECRETS.items()
        if team or owner != TEAM_SECRET
    }
    for section, name, fields in _declared(channels, destinations):
        table = f"[{section}s.{name}]"
        for field in dict.fromkeys(fields):
            variable = env_name(name, field)
            other = seen.get(variable)
            if other is not None:
                raise ConfigError(
                    f"{table}: its {field or 'secret'} would be read from {variable}, as "
                    f"{other} is; rename the {section}"
                )
            seen[variable] = f"{table}'s {field or 'secret'}"


def _declared(
    channels: Mapping[str, ChannelSettings], destinations: Mapping[str, DestinationSettings]
) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """Each table's section (``channel``, ``destination``), its name and the secret fields
    its kind reads."""
    from cxdaily.connectors import connector_class

    for name, channel in channels.items():
        cls = connector_class(channel.kind)
        yield "channel", name, (*cls.secret_fields, *cls.renewed_secret_fields)
    if destinations:
        from cxdaily.connectors.destinations import destination_class

        for name, destination in destinations.items():
            yield "destination", name, destination_class(destination.kind).secret_fields
