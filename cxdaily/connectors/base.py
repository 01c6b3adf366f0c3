"""The connector interface every channel implements.

A connector turns one service's API into normalized :class:`Question` objects and posts
replies back. Connectors get an injected ``httpx.AsyncClient`` (never their own), read
secrets through the ``secrets`` callable, and raise only :mod:`cxdaily.core.errors` types.

Each connector declares its options once, as an :class:`OptionSpec` of :class:`Option`
(see :mod:`cxdaily.connectors.options`) in ``declared_options``; the base class checks a
channel's table against it and gives the connector ``option_values``. No connector
checks its options by hand.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote, quote_plus

from cxdaily.connectors.options import Option, OptionSpec
from cxdaily.core.models import Message, Question
from cxdaily.settings import ChannelSettings

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class Capabilities:
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


@dataclass(frozen=True)
class FetchResult:
    """What one fetch brought: questions and the checkpoint to save after storing them."""

    questions: list[Question]
    checkpoint: dict[str, Any] | None
    warnings: list[str] = field(default_factory=list)
    settled: list[Question] = field(default_factory=list)
    """Questions the service says need no answer now (the team answered last, the ticket
    is solved or waits on the customer), marked so in ``meta``: a stored one is updated
    and leaves the candidates; one never stored is not added."""


@dataclass(frozen=True)
class SentReply:
    """The service's record of a reply we posted."""

    remote_id: str
    url: str | None = None


#: Reads one secret field of this channel ("" is the default secret); raises CredentialError.
SecretReader = Callable[[str], str]

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
    """Base class of every connector; subclasses set ``kind`` and ``capabilities``."""

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
    secrets_any_one: ClassVar[bool] = False
    """The secret fields are alternatives: any one of them is enough (an API token or an
    OAuth token), so ``cxdaily login`` lets the leader skip the others."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every connector's network methods scrub the channel's secrets from their errors.

        No connector can forget it: a secret echoed by a service (a redirect to a path
        holding the token, a header value in an httpx message) never reaches a message,
        a stored error or an output.
        """
        super().__init_subclass__(**kwargs)
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
        self.now = now or clock.now
        self.scrubber = SecretScrubber()
        """The secrets this channel has read; removed from every error it raises."""
        self.configure()

    def configure(self) -> None:  # noqa: B027 (a hook; doing nothing is its default)
        """Set the connector up from its checked ``option_values`` (called once, at the end
        of construction): subclasses override this rather than ``__init__``."""

    def option(self, name: str) -> Any:
        """The value of one declared option (its default when the channel does not set it)."""
        return self.option_values.get(name)

    def secret(self, field_name: str = "") -> str:
        """Read one of this channel's secrets (env var, then keyring); it is never shown."""
        if self._secrets is None:
            from cxdaily.core.errors import CredentialError

            raise CredentialError(f"{self.name}: no secret source configured")
        value = self._secrets(field_name)
        self.scrubber.add(value)
        return value

    def fetch_notes(self) -> list[str]:
        """Why the last fetch stopped early (page or byte cap), for its warnings."""
        return []

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

    def is_public(self, question: Question) -> bool:
        """Whether a reply to ``question`` will be public (risky wording is flagged then)."""
        return self.capabilities.public

    async def answers_since(self, question: Question, since: datetime) -> list[Message]:
        """Answers by others (the support team) posted after ``since``; [] when unknown.

        Neither the customer's own messages nor replies posted through cxdaily count.
        """
        return []

    async def find_own_reply(
        self, question: Question, body: str, idempotency_key: str
    ) -> SentReply | None:
        """Look in the thread for a reply we already posted (after an unknown outcome)."""
        return None


__all__ = [
    "Capabilities",
    "Connector",
    "FetchResult",
    "Option",
    "OptionSpec",
    "SecretReader",
    "SecretScrubber",
    "SentReply",
]
