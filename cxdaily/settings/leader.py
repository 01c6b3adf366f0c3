"""The ``[leader]`` table: about the leader and what they speak for.

```toml
[leader]
product = "Acme Cloud"    # what {product} becomes in a saved reply
```
"""

from __future__ import annotations

from typing import Any

import msgspec

from cxdaily.core.config_tables import config_table
from cxdaily.core.errors import ConfigError

LEADER_KEYS = {"product"}
MAX_PRODUCT_CHARS = 100
"""Longest product name (it goes into replies, in the middle of a sentence)."""


class LeaderSettings(msgspec.Struct, frozen=True):
    """The ``[leader]`` table."""

    product: str | None = None
    """The product's name as customers know it: the ``{product}`` placeholder of saved
    replies (``product = "Acme Cloud"``); unset, ``{product}`` stays to be filled in."""


def leader_from_dict(raw: Any) -> LeaderSettings:
    """Validate the parsed ``[leader]`` table."""
    raw = config_table(raw, "leader", LEADER_KEYS)
    product = raw.get("product")
    if product is None:
        return LeaderSettings()
    if not isinstance(product, str) or "\n" in product or not product.strip():
        raise ConfigError(
            f'[leader] product = {product!r} must be a name on one line, like "Acme Cloud"'
        )
    if len(product.strip()) > MAX_PRODUCT_CHARS:
        raise ConfigError(f"[leader] product is longer than {MAX_PRODUCT_CHARS} characters")
    return LeaderSettings(product=product.strip())


def leader_to_dict(settings: LeaderSettings) -> dict[str, Any]:
    """The ``[leader]`` table for TOML: only the settings that are set."""
    return {"product": settings.product} if settings.product else {}
