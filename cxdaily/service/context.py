"""What every part of the service shares: the opened store, its lock, the settings, the clock.

One :class:`ServiceContext` is made by :class:`cxdaily.service.Service` and handed to each
of its collaborators (channels, daily work, replies, progress, digests). All store access
goes through ``lock`` so the app's worker threads never interleave writes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cxdaily.paths import Locations
    from cxdaily.settings import Settings
    from cxdaily.store import Store


class ServiceContext:
    """The state the service's collaborators share (one per opened service)."""

    locations: Locations
    """The profile's config and data folders."""
    settings: Settings
    """The profile's settings, as loaded when the service was opened."""
    store: Store
    """The opened data folder (it holds the single-instance lock)."""
    now: Callable[[], datetime]
    """The clock: every "now" of the service comes from here."""
    lock: threading.RLock
    """Held around every store access."""

    def __init__(
        self,
        locations: Locations,
        settings: Settings,
        store: Store,
        now: Callable[[], datetime],
        lock: threading.RLock | None = None,
    ) -> None:
        """The shared state of one opened service (``lock``: a new one by default)."""
        self.locations = locations
        self.settings = settings
        self.store = store
        self.now = now
        self.lock = threading.RLock() if lock is None else lock
