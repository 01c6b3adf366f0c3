"""What a :class:`cxdaily.service.Service` is made of, and its lifetime.

:class:`ServiceParts` opens a profile's data folder (and its single-instance lock), keeps
the settings and the clock in one :class:`~cxdaily.service.context.ServiceContext`, and
builds the collaborators from it, each given what it uses. The parts every command needs
are made at once; fetching, replying, sending digests, the customer's history and saved
replies load the connectors, the HTTP layer or feature modules that ``cxdaily batch`` or
the app's first screen never use, so each of them is made (and its modules loaded) the
first time it is asked for, once, whichever thread asks first. Team mode's part exists
only with ``[team]``. :class:`cxdaily.service.Service` adds the methods that delegate to
these parts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Self, TypeVar

from msgspec.structs import replace

from cxdaily.core import clock
from cxdaily.paths import DEMO_PROFILE, Locations, locations
from cxdaily.service.actions import ActionLog
from cxdaily.service.context import ServiceContext
from cxdaily.service.daily import Daily
from cxdaily.service.progress import Progress
from cxdaily.service.undo import SessionUndo, UndoWindows
from cxdaily.settings import ChannelSettings, Settings, load_settings
from cxdaily.store import Store

if TYPE_CHECKING:  # the connectors, the HTTP layer and the feature modules load on first use
    from cxdaily.connectors import Connector
    from cxdaily.connectors.runner import ClientFactory
    from cxdaily.service.channels import Channels, ConnectorRegistry
    from cxdaily.service.delivery import Delivery
    from cxdaily.service.digests import Digests
    from cxdaily.service.history import History
    from cxdaily.service.replies import Replies
    from cxdaily.service.saved_replies import SavedReplies
    from cxdaily.service.search import QuestionSearch
    from cxdaily.service.team import TeamService

#: The demo profile's one channel (its configured channels are never used).
DEMO_CHANNEL = ChannelSettings(name="demo", kind="demo")
_Part = TypeVar("_Part")


def builtin_connector_class(kind: str) -> type[Connector]:
    """The connector class of ``kind`` among the built-in kinds and plugins (see
    :func:`cxdaily.connectors.connector_class`; the connectors load on first use, so a
    command that never fetches, such as ``cxdaily batch``, never loads them)."""
    from cxdaily.connectors import connector_class

    return connector_class(kind)


class ServiceParts:
    """The opened profile and the collaborators built over it."""

    def __init__(
        self,
        where: Locations,
        settings: Settings,
        *,
        read_only: bool = False,
        now: Callable[[], datetime] = clock.now,
        connectors: ConnectorRegistry = builtin_connector_class,
        make_client: ClientFactory | None = None,
    ) -> None:
        """Open the data folder of ``where``. ``connectors`` gives the connector class of
        a kind; ``make_client`` makes the HTTP client channel work runs on (by default
        :func:`cxdaily.connectors.http.make_client`, loaded on first use)."""
        self.context = ServiceContext(
            locations=where,
            settings=settings,
            store=Store(
                where.data_dir,
                read_only=read_only,
                curation=settings.curation,
            ),
            now=now,
        )
        self._connectors = connectors
        self._make_client = make_client
        self._parts: dict[str, object] = {}
        self._parts_lock = threading.RLock()  # a part may need another part
        self.actions = ActionLog(self.context)
        self.progress = Progress(self.context)
        self.team = self._open_team(settings)
        self.undo = SessionUndo(self.context, self.team)
        self.daily = Daily(self.context, self.actions, self.progress, self.undo, self.team)
        self.undo_windows = UndoWindows(self.context)

    @classmethod
    def open(
        cls,
        profile: str | None = None,
        *,
        read_only: bool = False,
        connectors: ConnectorRegistry = builtin_connector_class,
        make_client: ClientFactory | None = None,
        on_channel_problem: Callable[[str], None] | None = None,
    ) -> Self:
        """Open the default profile (or the demo) with its config and data folder;
        ``connectors`` and ``make_client`` as for the constructor; ``on_channel_problem``
        as for :func:`~cxdaily.settings.load_settings` (for work that uses no channel)."""
        where = locations(profile)
        # the demo never uses the configured channels: they are not checked (nor httpx loaded)
        settings = load_settings(
            where.config_file,
            check_channels=profile != DEMO_PROFILE,
            on_channel_problem=on_channel_problem,
            remember_checks_in=None if read_only else where.data_dir,
        )
        if profile == DEMO_PROFILE:
            settings = replace(settings, channels={"demo": DEMO_CHANNEL})
        return cls(
            where, settings, read_only=read_only, connectors=connectors, make_client=make_client
        )

    def _open_team(self, settings: Settings) -> TeamService | None:
        """Team mode's part when ``[team]`` is configured (else nothing is loaded)."""
        if settings.team is None:
            return None
        from cxdaily.service.team import TeamService

        try:
            return TeamService(self.context, settings.team)
        except Exception:
            self.store.close()
            raise

    def hold_for_session(self) -> None:
        """The app holds the data folder for a whole session: it says so in the lock, so
        a command started meanwhile is refused at once rather than waiting for it."""
        self.store.hold_for_session()

    def close(self) -> None:
        """Stop the team link (when there is one), then release the store and its lock."""
        if self.team is not None:
            self.team.close()
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # what the service is bound to -------------------------------------------------
    @property
    def locations(self) -> Locations:
        """The profile's config and data folders."""
        return self.context.locations

    @property
    def settings(self) -> Settings:
        """The profile's settings."""
        return self.context.settings

    @property
    def store(self) -> Store:
        """The opened data folder."""
        return self.context.store

    def now(self) -> datetime:
        """The service's clock."""
        return self.context.now()

    # the parts a command may never need: made (and their modules loaded) on first use
    def _part(self, name: str, make: Callable[[], _Part]) -> _Part:
        """The part called ``name``, made by ``make`` the first time it is asked for
        (once, whichever thread asks first)."""
        with self._parts_lock:
            part = self._parts.get(name)
            if part is None:
                part = self._parts[name] = make()
        return part  # type: ignore[return-value]

    @property
    def digests(self) -> Digests:
        """Insight digests."""
        from cxdaily.service.digests import Digests

        return self._part("digests", lambda: Digests(self.context))

    @property
    def search(self) -> QuestionSearch:
        """Finding stored questions by their words."""
        from cxdaily.service.search import QuestionSearch

        return self._part("search", lambda: QuestionSearch(self.context))

    @property
    def channels(self) -> Channels:
        """Connectors, refresh, channel status and checks."""
        from cxdaily.service.channels import Channels

        return self._part(
            "channels",
            lambda: Channels(
                self.context, connector_class=self._connectors, make_client=self._make_client
            ),
        )

    @property
    def replies(self) -> Replies:
        """Drafts, checks, the outbox and promises."""
        from cxdaily.service.replies import Replies

        return self._part(
            "replies", lambda: Replies(self.context, self.actions, self.channels, self.team)
        )

    @property
    def delivery(self) -> Delivery:
        """Digests sent to destinations, and the weekly rhythm."""
        from cxdaily.service.delivery import Delivery

        return self._part(
            "delivery", lambda: Delivery(self.context, self.digests, make_client=self._make_client)
        )

    @property
    def history(self) -> History:
        """The customer's history and earlier answers."""
        from cxdaily.service.history import History

        return self._part("history", lambda: History(self.context))

    @property
    def saved(self) -> SavedReplies:
        """The leader's saved replies."""
        from cxdaily.service.saved_replies import SavedReplies

        return self._part("saved", lambda: SavedReplies(self.context, self.actions))
