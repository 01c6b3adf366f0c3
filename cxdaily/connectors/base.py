"""The connector interface every channel implements.

A connector turns one service's API into normalized :class:`Question` objects and posts
replies back. Connectors get an injected ``httpx.AsyncClient`` (never their own), read
secrets through the ``secrets`` callable, keep the secrets a service renews (a rotated
refresh token, a new session) through :meth:`Connector.persist_secret` and the
``secret_writer`` callable, and raise only :mod:`cxdaily.core.errors` types.

Each connector declares its options once, as an :class:`OptionSpec` of :class:`Option`
(see :mod:`cxdaily.connectors.options`) in ``declared_options``; the base class checks a
channel's table against it and gives the connector ``option_values``. No connector
checks its options by hand.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote, quote_plus

import msgspec
from msgspec.structs import replace

from cxdaily.connectors.options import Option, OptionSpec
from cxdaily.core.errors import CredentialError, ReplyRejected
from cxdaily.core.models import Message, Question
from cxdaily.core.services import service_entry
from cxdaily.settings import ChannelSettings

if TYPE_CHECKING:
    import httpx

    from cxdaily.connectors.thread_replies import ThreadReplies


class Capabilities(msgspec.Struct, frozen=True):
    """What a channel can do, for the composer and the outbox."""

    max_reply_length: int | None = None
    """Longest reply the service accepts, in characters (None: no documented limit)."""
    idempotency_keys: bool = False
    """The service deduplicates a reply sent twice with the same key."""
    threads: bool = True
    """Questions carry earlier messages of their conversation."""
    can_reply: bool = True
    """Replies can be posted through the API."""
    public: bool = False
    """Replies are public (social posts, reviews, forums), so risky wording matters more."""
    finds_own_replies: bool = False
    """``find_own_reply`` can read the thread for a reply we posted (after an unknown
    outcome, the outbox looks there before sending again)."""
    one_reply: bool = False
    """The service keeps one reply per question (a review's developer response): a new
    reply replaces the earlier one, and the composer says so before sending."""


class FetchResult(msgspec.Struct, frozen=True):
    """What one fetch brought: questions and the checkpoint to save after storing them."""

    questions: list[Question]
    checkpoint: dict[str, Any] | None
    warnings: list[str] = msgspec.field(default_factory=list)
    settled: list[Question] = msgspec.field(default_factory=list)
    """Questions the service says need no answer now (the team answered last, the ticket
    is solved or waits on the customer), marked so in ``meta``: a stored one is updated
    and leaves the candidates; one never stored is not added."""
    held: int = 0
    """Look-ups that failed in a way that may pass and held the checkpoint before the
    items they left unread (set by the fetch runner: see :mod:`cxdaily.connectors.holding`)."""


class SentReply(msgspec.Struct, frozen=True):
    """The service's record of a reply we posted."""

    remote_id: str
    url: str | None = None


#: Reads one secret field of this channel ("" is the default secret); raises CredentialError.
SecretReader = Callable[[str], str]
#: Stores one renewed secret field of this channel where the next run reads it (the
#: keyring): ``None`` when stored, else one line saying why not (never the value).
SecretWriter = Callable[[str, str], str | None]

logger = logging.getLogger("cxdaily.connectors")


class RenewedSecrets:
    """Secrets a service renewed in this process that the secret source does not give
    back: the field is set in the environment, the keyring could not store it, or the
    connector has no writer. Connectors are built anew for each operation, so the next
    one of the process reads the renewed value from here.

    Each value stands in for the one it replaced (known by a digest, never kept), and only
    while the source still gives that one: a secret stored anew (``cxdaily login``) wins.
    """

    def __init__(self) -> None:
        self._values: dict[tuple[str, str], tuple[str, str]] = {}
        self._lock = threading.Lock()  # channels work from several threads at once

    @staticmethod
    def _digest(value: str | None) -> str:
        return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest() if value else ""

    def put(self, channel: str, field_name: str, replaced: str | None, value: str) -> None:
        """Use ``value`` for ``channel``'s field while its source gives ``replaced``."""
        with self._lock:
            self._values[(channel, field_name)] = (self._digest(replaced), value)

    def get(self, channel: str, field_name: str, source: str | None) -> str | None:
        """The renewed value standing in for ``source`` (what the source gives now)."""
        with self._lock:
            entry = self._values.get((channel, field_name))
        if entry is None or entry[0] != self._digest(source):
            return None
        return entry[1]

    def forget(self, channel: str, field_name: str) -> None:
        """Drop the renewed value of one field (the source holds it now)."""
        with self._lock:
            self._values.pop((channel, field_name), None)

    def clear(self) -> None:
        """Forget every renewed value."""
        with self._lock:
            self._values.clear()


PROCESS_RENEWED = RenewedSecrets()
"""The renewed secrets of this process that no secret source holds."""

#: The connector methods whose errors are scrubbed of the channel's secrets (see below).
SCRUBBED_METHODS = ("fetch", "send_reply", "check", "answers_since", "find_own_reply")


class SecretScrubber:
    """Every secret a channel has read, and the one function that removes them from text.

    A secret is replaced in each form it can take in a message: as is, escaped as
    ``repr`` shows it (``\\n``), and percent-encoded as in a URL path or query.
    """

    MIN_LENGTH = 4

    def __init__(self) -> None:
        self._forms: set[str] = set()

    def add(self, secret: str | None) -> None:
        """Remember ``secret`` (and its escaped and URL-encoded forms)."""
        if not secret:
            return
        for value in {secret, secret.strip()}:
            if len(value) < self.MIN_LENGTH:
                continue
            escaped = value.encode("unicode_escape").decode("ascii")
            as_bytes = repr(value.encode("utf-8", "surrogatepass"))[2:-1]
            encoded = (quote(value, safe=""), quote(value), quote_plus(value))
            self._forms.update((value, escaped, as_bytes, *encoded))

    def __bool__(self) -> bool:
        return bool(self._forms)

    def holds(self, text: str) -> bool:
        """Whether ``text`` contains any form of any secret."""
        return any(form in text for form in self._forms)

    def scrub(self, text: str) -> str:
        """``text`` with every form of every secret replaced by ``***`` (longest first)."""
        for form in sorted(self._forms, key=len, reverse=True):
            if form in text:
                text = text.replace(form, "***")
        return text

    def scrub_error(self, exc: BaseException) -> None:
        """Scrub ``exc``'s message in place and drop its chained causes (they may hold one)."""
        if not self._forms:
            return
        text = str(exc)
        cleaned = self.scrub(text)
        if cleaned != text or any(self.holds(str(a)) for a in exc.args):
            exc.args = (cleaned,)
        exc.__cause__ = None
        exc.__suppress_context__ = True


#: What a connector class reads from its kind's service catalogue entry (when the class
#: does not declare it itself).
CATALOGUE_ATTRIBUTES = ("summary", "secret_fields", "auth_hint", "default_base_url")


def take_catalogue_data(cls: type[Connector]) -> None:
    """Give a connector class whose ``kind`` is a catalogued service its descriptive data
    from the catalogue entry: the attributes of :data:`CATALOGUE_ATTRIBUTES` the entry holds
    and the class does not declare, and the entry's public flag and reply limit in its
    ``capabilities``. Other kinds (``jsonl``, ``demo``, plugins) keep their own."""
    entry = service_entry(cls.__dict__.get("kind", ""))
    if entry is None:
        return
    for name in CATALOGUE_ATTRIBUTES:
        value = getattr(entry, name)
        if value is not None and name not in cls.__dict__:
            setattr(cls, name, value)
    cls.capabilities = replace(
        cls.capabilities, public=entry.public, max_reply_length=entry.reply_limit
    )


def _scrubbing(method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a connector coroutine so any error leaving it carries none of its secrets."""

    @functools.wraps(method)
    async def wrapper(self: Connector, *args: Any, **kwargs: Any) -> Any:
        try:
            return await method(self, *args, **kwargs)
        except Exception as exc:
            self.scrubber.scrub_error(exc)
            raise

    wrapper.__scrubbing__ = True  # type: ignore[attr-defined]
    return wrapper


class Connector(ABC):
    """Base class of every connector; subclasses set ``kind`` and ``capabilities``.

    A kind in the service catalogue (:mod:`cxdaily.core.services`) reads its ``summary``,
    ``secret_fields``, ``auth_hint``, ``default_base_url``, public flag and reply limit
    from its entry; other kinds declare their own."""

    kind: ClassVar[str]
    summary: ClassVar[str] = ""
    """One line: what this kind of channel is (``channels kinds`` shows it)."""
    capabilities: Capabilities = Capabilities()
    """What channels of this kind can do (a connector may narrow it per channel)."""
    declared_options: ClassVar[OptionSpec | None] = None
    """Every option of this kind's ``[channels.NAME]`` table (start from
    :data:`~cxdaily.connectors.options.CHANNEL_OPTIONS` or ``HTTP_OPTIONS``). ``None``:
    undeclared (an older plugin), and the table is passed on unchecked."""
    secret_fields: ClassVar[tuple[str, ...]] = ()
    """Secret fields this connector needs: ``("",)`` for one default secret, or names."""
    secret_optional: ClassVar[bool] = False
    """The channel also works without its secrets (they add authentication when set)."""
    renewed_secret_fields: ClassVar[tuple[str, ...]] = ()
    """Secret fields the connector stores itself, renewed by the service (a session, a
    rotated refresh token) beyond ``secret_fields``: removed with the channel."""
    secrets_any_one: ClassVar[bool] = False
    """The secret fields are alternatives: any one of them is enough (an API token or an
    OAuth token), so ``cxdaily login`` lets the leader skip the others."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A catalogued kind's descriptive data comes from its catalogue entry (see
        :func:`take_catalogue_data`), and every connector's network methods scrub the
        channel's secrets from their errors.

        No connector can forget it: a secret echoed by a service (a redirect to a path
        holding the token, a header value in an httpx message) never reaches a message,
        a stored error or an output.
        """
        super().__init_subclass__(**kwargs)
        take_catalogue_data(cls)
        for name in SCRUBBED_METHODS:
            method = cls.__dict__.get(name)
            if method is not None and not getattr(method, "__scrubbing__", False):
                setattr(cls, name, _scrubbing(method))

    def __init__(
        self,
        settings: ChannelSettings,
        *,
        client: httpx.AsyncClient | None = None,
        secrets: SecretReader | None = None,
        secret_writer: SecretWriter | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        from cxdaily.core import clock

        self.settings = settings
        self.name = settings.name
        spec = type(self).declared_options
        self.option_values: dict[str, Any] = (
            spec.read(settings) if spec is not None else dict(settings.options)
        )
        """The channel's options: checked against ``declared_options``, defaults filled in."""
        self.client = client
        self._secrets = secrets
        self._secret_writer = secret_writer
        self.now = now or clock.now
        self.scrubber = SecretScrubber()
        self.thread_replies: ThreadReplies | None = None
        """Set in ``configure`` by a connector that reads its own replies in a question's
        thread: ``answers_since`` and ``find_own_reply`` come from it."""
        self._renewal_warnings: list[str] = []  # renewed secrets that were not stored
        """The secrets this channel has read; removed from every error it raises."""
        self.configure()

    def configure(self) -> None:  # noqa: B027 (a hook; doing nothing is its default)
        """Set the connector up from its checked ``option_values`` (called once, at the end
        of construction): subclasses override this rather than ``__init__``."""

    def option(self, name: str) -> Any:
        """The value of one declared option (its default when the channel does not set it)."""
        return self.option_values.get(name)

    def secret(self, field_name: str = "") -> str:
        """Read one of this channel's secrets (env var, then keyring, or the value the
        service renewed it to in this process); it is never shown."""
        if self._secrets is None:
            raise CredentialError(f"{self.name}: no secret source configured")
        try:
            source: str | None = self._secrets(field_name)
        except CredentialError as exc:
            source = None
            renewed = PROCESS_RENEWED.get(self.name, field_name, None)
            if renewed is None:
                raise self._missing_too(field_name, exc) from None
        else:
            renewed = PROCESS_RENEWED.get(self.name, field_name, source)
        self.scrubber.add(source)
        value = renewed or source
        assert value is not None
        self.scrubber.add(value)
        return value

    def _missing_too(self, field_name: str, exc: CredentialError) -> CredentialError:
        """``exc`` (a secret missing), naming also the channel's other required secrets
        that are not set either: one check tells all a channel needs (a YouTube channel
        needs three), not one at a time."""
        read = self._secrets
        if read is None or type(exc) is not CredentialError:
            return exc  # no source, or a value refused (not missing)
        if self.secret_optional or self.secrets_any_one:
            return exc  # none of them needed, or any one of them enough

        def missing(field: str) -> bool:
            try:
                read(field)
            except CredentialError:
                return PROCESS_RENEWED.get(self.name, field, None) is None
            return False

        others = [f for f in self.secret_fields if f != field_name and missing(f)]
        if not others:
            return exc
        from cxdaily.credentials import env_name

        names = ", ".join(f"{f or 'secret'} ({env_name(self.name, f)})" for f in others)
        return CredentialError(f"{exc}; missing too: {names}")

    async def persist_secret(self, field_name: str, value: str, *, renewable: bool = False) -> None:
        """Keep a secret the service renewed (a rotated refresh token, a new session) for
        later operations and the next run: written through the ``secret_writer`` (the
        keyring) off the event loop, scrubbed from every message from now on.

        When it cannot be written (the field is set in the environment, the keyring cannot
        store, no writer), it is kept in memory for this process and one line is logged:
        a warning, or only a note when the service can issue it again from the other
        secrets (``renewable``: an access token, a session). Never raises: a keyring that
        fails never costs the work under way.
        """
        self.scrubber.add(value)
        await asyncio.to_thread(self._persist, field_name, value, renewable)

    def secret_keeper(
        self, field_name: str, *, renewable: bool = False
    ) -> Callable[[str], Awaitable[None]]:
        """:meth:`persist_secret` for one field, for a helper that renews it (the OAuth
        token helper's ``keep_refresh_token``, a session's ``keep``)."""
        return functools.partial(self.persist_secret, field_name, renewable=renewable)

    def _persist(self, field_name: str, value: str, renewable: bool) -> None:
        """:meth:`persist_secret`'s blocking part (keyring reads and writes)."""
        try:
            replaced: str | None = self._secrets(field_name) if self._secrets else None
        except Exception:  # missing, or a keyring that cannot be read
            replaced = None
        self.scrubber.add(replaced)
        if replaced == value:
            PROCESS_RENEWED.forget(self.name, field_name)
            return
        problem: str | None = f"{self.name}: the renewed {field_name or 'secret'} is kept in memory"
        if self._secret_writer is not None:
            try:
                problem = self._secret_writer(field_name, value)
            except Exception as exc:  # a writer's bug must not cost the fetch
                problem = (
                    f"{self.name}: the renewed {field_name or 'secret'} was not stored "
                    f"({type(exc).__name__}) and is kept for this run only"
                )
        if problem is None:
            PROCESS_RENEWED.forget(self.name, field_name)
            return
        PROCESS_RENEWED.put(self.name, field_name, replaced, value)
        quiet = renewable or self._secret_writer is None
        line = self.scrubber.scrub(problem)
        logger.log(logging.INFO if quiet else logging.WARNING, "%s", line)
        if not quiet:  # the leader must act before the next run: it joins the fetch's warnings
            self._renewal_warnings.append(line)

    def fetch_notes(self) -> list[str]:
        """What the last fetch's warnings add: a renewed secret that could not be stored
        (and, for HTTP connectors, why the fetch stopped early)."""
        return list(self._renewal_warnings)

    def question_id(self, native_id: str) -> str:
        """The global id of a question of this channel."""
        return Question.make_id(self.name, native_id)

    @abstractmethod
    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Fetch questions that are new since ``checkpoint`` (None: the first fetch)."""

    @abstractmethod
    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """Post a reply; return the service's id for it."""

    async def check(self) -> str:
        """Check reachability and auth; return a short description of what was checked."""
        await self.fetch(None)
        return "fetched successfully"

    def reply_limit(self, question: Question) -> int | None:
        """The longest reply to ``question`` (``capabilities.max_reply_length`` here; a
        service whose private messages take less than its comments says so per question)."""
        return self.capabilities.max_reply_length

    def reply_length(self, text: str, question: Question | None = None) -> int:
        """How long the reply ``text`` to ``question`` is, the way the service counts it
        against ``capabilities.max_reply_length``: characters here; X weighs URLs and
        wide characters, Bluesky counts graphemes, Mastodon adds the mentions it puts in
        front of the reply."""
        return len(text)

    def refuse_long_reply(
        self,
        body: str,
        question: Question,
        limit: int | None = None,
        takes: str = "the service takes at most",
        unit: str = "characters",
    ) -> None:
        """A :class:`ReplyRejected` when ``body`` is longer than ``limit`` (by default
        :meth:`reply_limit`, the catalogue's; none: no check) as :meth:`reply_length`
        counts it: "NAME: the reply has N {unit}; {takes} {limit}" (``takes``: "GitHub
        takes at most")."""
        limit = self.reply_limit(question) if limit is None else limit
        if limit is None:
            return
        length = self.reply_length(body, question)
        if length > limit:
            raise ReplyRejected(f"{self.name}: the reply has {length} {unit}; {takes} {limit}")

    def is_public(self, question: Question) -> bool:
        """Whether a reply to ``question`` will be public (risky wording is flagged then)."""
        return self.capabilities.public

    async def answers_since(self, question: Question, since: datetime) -> list[Message]:
        """Answers by others (the support team) posted after ``since``; [] when unknown.

        Neither the customer's own messages nor replies posted through cxdaily count.
        From :attr:`thread_replies` when the connector set one.
        """
        if self.thread_replies is None:
            return []
        return await self.thread_replies.answers_since(question, since)

    async def find_own_reply(
        self, question: Question, body: str, idempotency_key: str
    ) -> SentReply | None:
        """Look in the thread for a reply we already posted (after an unknown outcome);
        from :attr:`thread_replies` when the connector set one."""
        if self.thread_replies is None:
            return None
        return await self.thread_replies.find(question, body)


__all__ = [
    "PROCESS_RENEWED",
    "Capabilities",
    "Connector",
    "FetchResult",
    "Option",
    "OptionSpec",
    "RenewedSecrets",
    "SecretReader",
    "SecretScrubber",
    "SecretWriter",
    "SentReply",
]
