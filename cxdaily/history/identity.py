"""Who wrote a question, as keys that name one person across channels.

An :class:`IdentityKey` names one person on one system, in a form that compares:

- ``email``: an email address, from the author's handle or id when it is one (help
  desks, the inbox and blog comments give the requester's address there) or from a
  requester address a channel puts in ``meta`` (``email``, ``requester_email``). Lower-
  cased, the domain in its IDNA (ASCII) form, so ``Anna@Bücher.example`` and
  ``anna@xn--bcher-kva.example`` are one key. The same address on a help desk, in the
  inbox and under a blog post is one person.
- ``handle``: a handle on one network, scoped by it: ``@anna`` on X is not ``anna`` on
  Reddit. A network whose names are global (X, Bluesky, Reddit ...) scopes by the
  network alone, so two channels of it share keys; elsewhere (a forum, a Mastodon
  instance's local accounts, an imported file) names are local to a site, and the key
  names the channel too.
- ``id``: the channel's own id for the author, scoped the same way.

Never a key, so never a join: a display name (two Annas are two people), an email
domain (anna@acme.com and bob@acme.com are two customers of one company), a handle with
spaces or equal to the display name on a site of local names (a display name in
disguise), a review site's nickname, a mailbox no person writes from (``noreply@``),
an anonymous placeholder (``[deleted]``). Missing fields give no key.

The domain of an address that is not a free-mail or reserved one is an *organisation
hint* (:func:`organisation_hint`): shown to the leader, never used for joining.
"""

from __future__ import annotations

import re
import unicodedata
from email.utils import parseaddr
from typing import NamedTuple

from cxdaily.core.models import Question
from cxdaily.core.safe_text import one_line
from cxdaily.core.services import REVIEWS, segment_of_service, service_name

EMAIL, HANDLE, ACCOUNT = "email", "handle", "id"

#: Networks whose handles and ids name the same person on every channel of theirs.
GLOBAL_NAME_SERVICES = frozenset(
    {"x", "bluesky", "reddit", "instagram", "youtube", "github", "facebook", "trustpilot"}
)
#: ``meta`` fields in which a channel may give the requester's email address.
EMAIL_META_FIELDS = ("email", "requester_email", "customer_email")
#: Mailboxes nobody writes from in person: never an identity.
ROLE_MAILBOXES = frozenset(
    {"noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "mailer-daemon",
     "postmaster", "bounce", "bounces"}
)  # fmt: skip
#: Handles that stand for nobody in particular.
ANONYMOUS_HANDLES = frozenset(
    {"[deleted]", "[removed]", "deleted", "anonymous", "unknown", "guest", "user", "null"}
)


def _domains(text: str) -> frozenset[str]:
    """The domains of a block of text (a list kept readable)."""
    return frozenset(text.split())


#: Domains anyone can have an address at: they say nothing about an organisation.
FREE_MAIL_DOMAINS = _domains(
    """
    gmail.com googlemail.com outlook.com hotmail.com hotmail.co.uk hotmail.fr hotmail.de
    live.com live.co.uk msn.com yahoo.com yahoo.co.uk yahoo.fr yahoo.de yahoo.es
    ymail.com rocketmail.com icloud.com me.com mac.com aol.com proton.me protonmail.com
    pm.me gmx.com gmx.de gmx.net gmx.at gmx.ch web.de mail.com email.com yandex.com
    yandex.ru mail.ru zoho.com zohomail.com fastmail.com fastmail.fm hey.com tutanota.com
    tuta.io qq.com 163.com 126.com naver.com orange.fr free.fr laposte.net sfr.fr
    t-online.de freenet.de libero.it virgilio.it btinternet.com sky.com comcast.net
    verizon.net att.net bigpond.com shaw.ca rogers.com seznam.cz wp.pl o2.pl
    example.com example.net example.org
    """
)
#: Top-level domains that are not real places to write to.
RESERVED_TLDS = frozenset({"test", "invalid", "localhost", "local", "example", "internal"})


#: An address: a local part (not starting with a dot) and a domain of two labels or more.
_LOCAL_CHAR = r'[^\s@<>()\[\],;:"\\]'
_LABEL = r'[^\s@<>()\[\],;:"\\.]+'
_ADDRESS = re.compile(rf"(?!\.){_LOCAL_CHAR}{{1,64}}@(?:{_LABEL}\.)+{_LABEL}\.?")


class IdentityKey(NamedTuple):
    """One person on one system: ``(kind, scope, value)``."""

    kind: str
    """:data:`EMAIL`, :data:`HANDLE` or :data:`ACCOUNT`."""
    scope: str
    """Where the value means that person: ``""`` for an email address, a network
    (``x``) or a network on one channel (``discourse@community``) otherwise."""
    value: str
    """The address, the handle (no leading ``@``, case-folded) or the id."""


def email_address(text: str | None) -> str | None:
    """``text`` as a comparable email address (lower-cased, IDNA domain), or ``None``
    when it is not one (a handle, a name, a role mailbox such as ``noreply@``)."""
    if not text or "@" not in text:
        return None
    value = text.strip()
    if "<" in value:  # "Anna Li <anna@acme.example>"
        value = parseaddr(value)[1]
    value = unicodedata.normalize("NFC", value).removeprefix("mailto:")
    if _ADDRESS.fullmatch(value) is None:
        return None
    local, _, domain = value.rpartition("@")
    domain = domain.rstrip(".").lower()
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return None  # a label too long or not a host name
    local = local.lower()
    return None if local in ROLE_MAILBOXES else f"{local}@{domain}"


def service_of(question: Question) -> str:
    """The service a question comes from: ``meta["service"]`` when the channel gathers
    several (the demo inbox, an HTTP bridge), else its kind."""
    service = question.meta.get("service")
    return service if isinstance(service, str) and service else question.kind


def scope_of(service: str, channel: str) -> str:
    """Where a handle or an id of ``service`` names one person (see the module doc)."""
    return service if service in GLOBAL_NAME_SERVICES else f"{service}@{channel}"


def _handle(text: str, service: str) -> str | None:
    """A handle as it compares (no ``@`` or ``u/``, NFC, case-folded), or ``None``."""
    value = unicodedata.normalize("NFC", text.strip())
    if service == "reddit":
        value = value.removeprefix("/").removeprefix("u/")
    value = value.removeprefix("@").casefold()
    if not value or any(c.isspace() for c in value) or value in ANONYMOUS_HANDLES:
        return None
    return value


def identity_keys(question: Question) -> tuple[IdentityKey, ...]:
    """Every key naming the author of ``question`` (none when it gives nothing that
    names one person: see the module doc)."""
    author, service = question.author, service_of(question)
    scope = scope_of(service, question.channel)
    keys: dict[IdentityKey, None] = {}
    texts = [author.handle, author.id]
    texts += [v for f in EMAIL_META_FIELDS if isinstance(v := question.meta.get(f), str)]
    for text in texts:
        address = email_address(text)
        if address is not None:
            keys[IdentityKey(EMAIL, "", address)] = None
    if author.id and email_address(author.id) is None:
        ident = unicodedata.normalize("NFC", author.id.strip())
        if ident:
            keys[IdentityKey(ACCOUNT, scope, ident)] = None
    handle = author.handle
    if handle and email_address(handle) is None and segment_of_service(service) != REVIEWS:
        value = _handle(handle, service)
        name = _handle(author.name or "", service)
        if value is not None and (service in GLOBAL_NAME_SERVICES or value != name):
            keys[IdentityKey(HANDLE, scope, value)] = None
    return tuple(keys)


def describe(key: IdentityKey) -> str:
    """How the leader reads a key: ``anna@acme.example``, ``@anna on X``, ``u/anna on
    Reddit``, ``@anna on Discourse (community)``, ``Zendesk account 42 (support)``."""
    service, _, channel = key.scope.partition("@")
    where = service_name(service) + (f" ({channel})" if channel else "")
    if key.kind == EMAIL:
        return one_line(key.value)
    if key.kind == HANDLE:
        shown = f"u/{key.value}" if service == "reddit" else f"@{key.value}"
        return one_line(f"{shown} on {where}")
    return one_line(f"{where} account {key.value}")


def organisation_hint(address: str) -> str | None:
    """The domain of a comparable address when it may name an organisation (not a
    free-mail or reserved domain), else ``None``. Shown as a hint, never joined on."""
    domain = address.rpartition("@")[2]
    if domain in FREE_MAIL_DOMAINS or domain.rpartition(".")[2] in RESERVED_TLDS:
        return None
    return domain
