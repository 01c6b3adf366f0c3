"""What the tracker destinations (Productboard, Linear, Jira) share: creating an item at
most once, updating a theme's issue with new evidence, and waiting out a throttle.

**Created at most once.** Before an item (a note, an issue) is created, the ledger
records it as :data:`PENDING`; once the service answers, the ledger records its id. An
item left pending means its creation may have gone out (a timeout after the request was
sent, a process that stopped): the next send first looks for it at the destination
(:meth:`TrackerDestination.find`: Productboard by the note's ``metadata.source``,
Linear by the reference in the issue's description, Jira by the theme's label) and
records what it finds, and creates it only when nothing is there. So nothing is created
twice, whatever the client heard.

**One issue per theme** (:class:`ThemeIssueDestination`): a theme not sent yet opens an
issue with every insight of the theme; a theme sent in an earlier period gets one
comment with only the insights its record does not hold yet (nothing when there is
none). A comment whose outcome is unknown counts as posted (a duplicate comment is worse
than a missing one; the next period's evidence still goes out).

**Throttles.** The HTTP layer never repeats a POST; a 429 (or a service's own "rate
limited" answer, raised as :class:`~cxdaily.core.errors.RateLimited`) means the service
took nothing, so :meth:`TrackerDestination.send` waits as asked and sends it again, a few
times at most and never past the destination's deadline.
"""

from __future__ import annotations

import asyncio
from abc import abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

import httpx
import msgspec

from cxdaily.connectors.destinations.base import Destination, Ledger
from cxdaily.connectors.http_client import HttpResult, current_deadline
from cxdaily.connectors.options import Option
from cxdaily.core.errors import ConfigError, CxDailyError, RateLimited
from cxdaily.core.words import plural
from cxdaily.insights.delivery.model import Delivered, ItemRecord, Parcel
from cxdaily.insights.delivery.trackers import new_evidence
from cxdaily.insights.model import Digest, Theme
from cxdaily.settings import ChannelSettings

PENDING = "(pending)"
"""The remote id of an item whose creation was started and not confirmed."""
MAX_THROTTLE_WAITS = 3
"""How often one request is sent again after a throttle."""
MAX_THROTTLE_WAIT_S = 60.0
"""The longest wait asked for that is waited out (a longer one fails the send)."""


class TextListOption(Option, frozen=True):
    """Texts (ids, labels): a TOML list, or one text separated by commas; each checked by
    the option's ``check`` (what is wrong, or ``None``)."""

    def convert(self, raw: Any, channel: ChannelSettings) -> Any:
        """A tuple of distinct, trimmed texts."""
        items = self.text_list(raw, channel, 'a list of texts, like ["one", "two"]')
        values = tuple(dict.fromkeys(i.strip() for i in items if i.strip()))
        for value in values:
            problem = self.check(value) if self.check is not None else None
            if problem:
                raise ConfigError(f"{self.name}: {value!r} {problem}")
        return values


class Remote(msgspec.Struct, frozen=True):
    """An item as the destination knows it: its id and, when it has one, its link."""

    remote_id: str
    url: str | None = None


def is_pending(record: ItemRecord | None) -> bool:
    """Whether ``record`` is an item whose creation may or may not have gone out."""
    return record is not None and record.remote_id == PENDING


class TrackerDestination(Destination):
    """An item-wise destination that creates items at most once (see the module); its
    one secret is the service's token or key."""

    itemwise = True
    secret_fields = ("",)

    def configure(self) -> None:
        """The service's address, from the ``base_url`` option every tracker declares."""
        self.base_url = base_of(self.option("base_url"))

    async def send(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        repeatable: bool | None = None,
        allow_statuses: frozenset[int] = frozenset(),
    ) -> HttpResult:
        """One request through the HTTP layer, sent again after a throttle (which means
        the service took nothing) when the wait fits in the deadline."""
        waits = 0
        while True:
            try:
                result = await self.http.request(
                    method,
                    url,
                    json_body=json_body,
                    params=params,
                    headers=headers,
                    repeatable=repeatable,
                    allow_statuses=allow_statuses,
                )
                self.check_throttle(result)
                return result
            except RateLimited as exc:
                waits += 1
                if not self._may_wait(exc.retry_after, waits):
                    raise
                await self.http.sleep(exc.retry_after)

    def check_throttle(self, result: HttpResult) -> None:
        """Raise RateLimited when an answer the HTTP layer let through is a throttle in
        the service's own words (Linear's ``RATELIMITED``)."""

    def _may_wait(self, seconds: float, waits: int) -> bool:
        if waits > MAX_THROTTLE_WAITS or not 0 <= seconds <= MAX_THROTTLE_WAIT_S:
            return False
        deadline = current_deadline()
        return deadline is None or asyncio.get_running_loop().time() + seconds < deadline[0]

    def json_of(self, result: HttpResult, *keys: str) -> Any:
        """The value at ``keys`` in an answer's JSON object (``data``, ``id``), or a
        one-line BadResponseError naming what is missing."""
        from cxdaily.connectors.http_errors import BadResponseError, describe_url

        value: Any = self.http.decode_json(result)
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                where = f"{result.method} {describe_url(result.url)}"
                raise BadResponseError(
                    f"{where} answered without {'.'.join(keys)}", channel=self.name
                )
            value = value[key]
        return value

    async def create_once(
        self,
        ledger: Ledger,
        key: str,
        record: ItemRecord | None,
        evidence: Sequence[str],
        create: Callable[[], Awaitable[Remote]],
    ) -> bool:
        """Create item ``key`` unless it exists: a pending one is looked for first.
        Records it (with ``evidence``) and says whether it was created now (``False``:
        found again)."""
        if is_pending(record):
            assert record is not None
            found = await self.find(key, record)
            if found is not None:
                ledger.record(key, found.remote_id, url=found.url, evidence=evidence)
                return False
        else:
            ledger.record(key, PENDING)
        made = await create()
        ledger.record(key, made.remote_id, url=made.url, evidence=evidence)
        return True

    @abstractmethod
    async def find(self, key: str, record: ItemRecord) -> Remote | None:
        """The item ``key`` at the destination, when a creation that may have gone out
        did (``record`` is its pending record)."""

    async def prepare(self) -> None:
        """Read the secrets (off the event loop: a keyring may block) and allow the
        destination's own origin to receive them."""


class ThemeIssueDestination(TrackerDestination):
    """One issue per theme, updated with new evidence (Linear, Jira)."""

    async def deliver(self, parcel: Parcel, ledger: Ledger) -> Delivered:
        """Open an issue per theme not sent yet; comment the new evidence on the others."""
        await self.prepare()
        digest = parcel.digest
        sent = ledger.sent()
        opened = found = updated = 0
        for theme in digest.themes:
            key = f"theme:{theme.key}"
            record = sent.get(key)
            if record is None or is_pending(record):
                create = partial(self.open_issue, digest, theme)
                if await self.create_once(ledger, key, record, theme.insight_ids, create):
                    opened += 1
                else:
                    found += 1
                continue
            fresh = new_evidence(theme, record.evidence)
            if fresh:
                await self._comment_once(ledger, record, digest, theme, fresh)
                updated += 1
        detail = f"{plural(opened, f'{self.service} issue')} opened, {updated} updated"
        if found:
            detail += f", {found} found again"
        return Delivered(items=opened + updated + found, detail=detail)

    async def _comment_once(
        self, ledger: Ledger, record: ItemRecord, digest: Digest, theme: Theme, fresh: list[str]
    ) -> None:
        from cxdaily.connectors.destinations import may_have_gone_out

        try:
            await self.add_evidence(record, digest, theme, fresh)
        except CxDailyError as exc:
            if may_have_gone_out(exc):  # counted as posted: never a second comment
                ledger.record(record.item, record.remote_id, evidence=fresh)
            raise
        ledger.record(record.item, record.remote_id, evidence=fresh)

    @abstractmethod
    async def open_issue(self, digest: Digest, theme: Theme) -> Remote:
        """Create the theme's issue with all its evidence."""

    @abstractmethod
    async def add_evidence(
        self, record: ItemRecord, digest: Digest, theme: Theme, insight_ids: list[str]
    ) -> None:
        """Comment the new evidence on the theme's issue (``record.remote_id``)."""


def base_of(url: str) -> str:
    """``url`` without a trailing slash (options give bases with or without one)."""
    return str(httpx.URL(url)).rstrip("/")
