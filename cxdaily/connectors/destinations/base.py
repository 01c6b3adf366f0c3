"""The interface every digest destination kind implements, and the options they share.

A destination kind is one :class:`Destination` subclass (its ``kind``, one-line
``summary`` and service name come from its entry in
:data:`~cxdaily.connectors.destinations.kinds.DESTINATION_KINDS`): its options declared
once (``declared_options``, an :class:`OptionSpec` starting from
:data:`DESTINATION_OPTIONS`), its ``secret_fields`` (read like a channel's:
``CXDAILY_SECRET_<NAME>`` then the keyring, stored with ``cxdaily login NAME``), and
:meth:`Destination.deliver`. Checking a ``[destinations.NAME]`` table, ``cxdaily
destinations kinds`` and the one-line errors naming the table all come from the
declaration.

A **whole-digest** kind (``itemwise = False``: email, webhooks) sends the parcel once; the
service records the period as sent, so it goes at most once per period. An **item-wise**
kind (``itemwise = True``: a note per insight, an issue per theme) sends items one by one
and writes each to the :class:`Ledger` as soon as it is sent; it skips the items the
ledger already holds, so a retry after a failure half-way sends only the rest.

Requests go through :attr:`Destination.http` (the shared HTTP layer: deadline, rate-limit
handling, secrets scrubbed from messages, credentials only to the origins allowed with
``allow_credentials_to``). Every URL comes from an option or a secret, never from code.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from cxdaily.connectors.base import SecretReader, SecretScrubber
from cxdaily.connectors.destinations.kinds import registered_kind
from cxdaily.connectors.options import DEADLINE, Option, OptionSpec
from cxdaily.core.errors import ConfigError, CredentialError, CxDailyError
from cxdaily.settings import ChannelSettings
from cxdaily.settings.delivery import DestinationSettings

if TYPE_CHECKING:
    import httpx

    from cxdaily.connectors.http import ChannelHttp
    from cxdaily.insights.delivery.model import Delivered, ItemRecord, Parcel

#: Options every destination accepts, whatever its kind.
DESTINATION_OPTIONS = OptionSpec(
    DEADLINE,
    Option("team", "text", "send only this team's insights"),
    Option("tag", "text", "send only the insights with this tag"),
    Option("initials", "bool", "customers' names as initials (on top of redaction)", default=False),
)


class Ledger(Protocol):
    """The item records of one destination, for an item-wise kind: what went out already
    (in any period), and the way to record an item the moment it is sent."""

    def sent(self) -> Mapping[str, ItemRecord]:
        """Every item sent to this destination, by item key (``insight:<id>``)."""
        ...

    def record(
        self,
        item: str,
        remote_id: str,
        *,
        url: str | None = None,
        evidence: Sequence[str] = (),
    ) -> ItemRecord:
        """Durably record that ``item`` was sent (or updated) as ``remote_id``."""
        ...


def destination_error(destination: DestinationSettings, exc: BaseException) -> ConfigError:
    """``exc`` (raised while reading a destination's options, worded for a channel table)
    as a one-line ConfigError starting with the destination's table."""
    text = str(exc)
    for prefix in (f"[channels.{destination.name}] ", f"[channels.{destination.name}]: "):
        text = text.removeprefix(prefix)
    for prefix in (f"{destination.table} ", f"{destination.table}: ", f"{destination.name}: "):
        text = text.removeprefix(prefix)
    return ConfigError(f"{destination.table} {text}")


class Destination(ABC):
    """Base class of every destination kind; subclasses implement ``deliver``."""

    kind: ClassVar[str]
    summary: ClassVar[str] = ""
    """One line: what this kind sends where (``destinations kinds`` shows it)."""
    service: ClassVar[str] = ""
    """The service's name in outcomes (``Linear``)."""
    declared_options: ClassVar[OptionSpec] = DESTINATION_OPTIONS
    """Every option of this kind's ``[destinations.NAME]`` table."""
    secret_fields: ClassVar[tuple[str, ...]] = ()
    """Secret fields: ``("",)`` for one default secret, or names."""
    secret_optional: ClassVar[bool] = False
    """The destination also works without its secrets."""
    itemwise: ClassVar[bool] = False
    """Items are sent one by one and recorded in the ledger (see the module docstring)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A registered kind's ``kind``, ``summary`` and ``service`` come from its entry
        in the destination registry."""
        super().__init_subclass__(**kwargs)
        entry = registered_kind(cls)
        if entry is not None:
            cls.kind, cls.summary, cls.service = entry.key, entry.summary, entry.service

    def __init__(
        self,
        settings: DestinationSettings,
        *,
        client: httpx.AsyncClient | None = None,
        secrets: SecretReader | None = None,
        channels: Mapping[str, ChannelSettings] | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        """Read and check the options (a one-line ConfigError naming the table); no
        network work. ``channels`` are the configured channels (an email destination may
        use one's SMTP server)."""
        from cxdaily.core import clock

        self.settings = settings
        self.name = settings.name
        self.client = client
        self.channels: Mapping[str, ChannelSettings] = channels or {}
        self.now = now or clock.now
        self.scrubber = SecretScrubber()
        """Every secret this destination has read; removed from every error it raises."""
        self._secrets = secrets
        self._http: ChannelHttp | None = None
        self.headers: dict[str, str] = {}
        """What every request of the destination carries: its credentials, once read."""
        view = ChannelSettings(settings.name, settings.kind, settings.options)
        try:
            self.option_values: dict[str, Any] = type(self).declared_options.read(view)
            self.configure()
        except CxDailyError as exc:
            raise destination_error(settings, exc) from None

    def configure(self) -> None:  # noqa: B027 (a hook; doing nothing is its default)
        """Set the destination up from its checked ``option_values`` (raise ConfigError for
        a combination of options that cannot work)."""

    def option(self, name: str) -> Any:
        """The value of one declared option (its default when the table does not set it)."""
        return self.option_values.get(name)

    def problem(self, text: str) -> ConfigError:
        """A one-line ConfigError about this destination's table."""
        return ConfigError(f"{self.settings.table} {text}")

    # -- secrets ----------------------------------------------------------------------
    def secret(self, field_name: str = "") -> str:
        """One of this destination's secrets (never shown; scrubbed from every message)."""
        if self._secrets is None:
            raise CredentialError(f"{self.name}: no secret source configured")
        value = self._secrets(field_name)
        self.scrubber.add(value)
        return value

    def optional_secret(self, field_name: str = "") -> str | None:
        """A secret the destination may have; ``None`` when it is set nowhere."""
        from cxdaily.credentials import SecretRefusedError

        try:
            return self.secret(field_name)
        except SecretRefusedError:  # set, but unusable: say so rather than go without
            raise
        except CredentialError:
            return None

    # -- HTTP -------------------------------------------------------------------------
    @property
    def http(self) -> ChannelHttp:
        """This destination's request sender, on the shared client (built once)."""
        if self._http is None:
            from cxdaily.connectors.http import ChannelHttp, HttpPolicy
            from cxdaily.core.errors import ConnectorError

            if self.client is None:
                raise ConnectorError("no HTTP client was given", channel=self.name)
            http = ChannelHttp(
                self.client,
                channel=self.name,
                policy=HttpPolicy(deadline_s=self.option("deadline")),
            )
            http.scrubber = self.scrubber
            self._http = http
        return self._http

    # -- the work ---------------------------------------------------------------------
    def describe(self) -> str:
        """Where this destination sends, in a few words (no secret): ``email to 2
        addresses``."""
        return self.kind

    @abstractmethod
    async def deliver(self, parcel: Parcel, ledger: Ledger) -> Delivered:
        """Send the parcel (item-wise kinds: the items the ledger does not hold yet,
        recording each as it goes); raise one of cxdaily's errors when it fails."""
