"""What every table of the config file is checked for first: that it is a table, and that
each of its keys is a setting it knows.

The messages are one line and the same for every table: ``[streak] must be a table``,
``unknown setting [curation] volume (known: channel_share, coverage_after, ...)``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from cxdaily.core.errors import ConfigError


def config_table(value: Any, name: str, known: Collection[str] | None = None) -> dict[str, Any]:
    """``value`` as the table ``[name]``: a ConfigError when it is not a table, or holds a
    key that is not in ``known`` (the first such key in sorted order, with the known ones
    listed). ``known=None`` takes any key (a table of channels or key bindings)."""
    if not isinstance(value, dict):
        raise ConfigError(f"[{name}] must be a table")
    if known is not None:
        unknown = sorted(set(value) - set(known))
        if unknown:
            listed = ", ".join(sorted(known))
            raise ConfigError(f"unknown setting [{name}] {unknown[0]} (known: {listed})")
    return value
