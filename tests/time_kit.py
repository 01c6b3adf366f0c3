"""The fixed instant tests live at, shared by every tier (import it; never a conftest).

``home`` (in ``tests/conftest.py``) sets ``CXDAILY_NOW`` to :data:`FIXED_NOW_ISO`, so a
test that builds data relative to "now" uses :data:`FIXED_NOW`.
"""

from __future__ import annotations

from datetime import UTC, datetime

#: The instant every ``home`` test lives at (a Saturday, noon UTC).
FIXED_NOW = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)
FIXED_NOW_ISO = "2026-11-21T12:00:00Z"
