"""The service catalogue: every service customers write from, described once.

One :class:`ServiceEntry` per service says how the leader reads its name, which customer
segment it belongs to (help desk, social, community, email, reviews), whether a reply is
seen by everyone, the longest reply it accepts, and whether its replies are short posts.
Labels, curation's segments, the demo's public services and the composer's limits all
read this table: adding a service is one entry here (plus its connector).

Reply limits come from the services' documentation (``docs/channel-apis.md``); ``None``
means no limit is documented (or the only figure found is unconfirmed).
"""

from __future__ import annotations

from dataclasses import dataclass

HELP_DESK = "help desk"
SOCIAL = "social"
COMMUNITY = "community"
EMAIL = "email"
REVIEWS = "reviews"
OTHER = "other"

#: Every customer segment, in the order the leader reads them.
SEGMENTS = (HELP_DESK, SOCIAL, COMMUNITY, EMAIL, REVIEWS)


@dataclass(frozen=True)
class ServiceEntry:
    """One service in the catalogue."""

    key: str
    """How ``kind`` and ``meta["service"]`` spell it: ``zendesk``, ``app_store`` ..."""
    name: str
    """How the leader reads it: ``Help Scout``, ``App Store``."""
    segment: str
    """The customer segment: one of :data:`SEGMENTS`."""
    public: bool = False
    """Replies are seen by everyone (posts, comments, reviews): risky wording matters more."""
    reply_limit: int | None = None
    """The longest reply the service accepts, in ``reply_limit_unit`` (None: not documented)."""
    reply_limit_unit: str = "characters"
    """What ``reply_limit`` counts: characters, weighted characters (X), graphemes."""
    short_replies: bool = False
    """Replies are short posts, quicker to write than a help-desk answer."""


def _entries(*entries: ServiceEntry) -> dict[str, ServiceEntry]:
    return {entry.key: entry for entry in entries}


#: Every known service, by key.
CATALOGUE: dict[str, ServiceEntry] = _entries(
    # help desks: private answers to tickets and conversations
    ServiceEntry("zendesk", "Zendesk", HELP_DESK),
    ServiceEntry("freshdesk", "Freshdesk", HELP_DESK),
    ServiceEntry("helpscout", "Help Scout", HELP_DESK),
    ServiceEntry("intercom", "Intercom", HELP_DESK),
    ServiceEntry("front", "Front", HELP_DESK),
    # social networks: public, mostly short posts
    ServiceEntry("x", "X", SOCIAL, public=True, reply_limit=280,
                 reply_limit_unit="weighted characters", short_replies=True),
    ServiceEntry("mastodon", "Mastodon", SOCIAL, public=True, reply_limit=500,
                 short_replies=True),
    ServiceEntry("bluesky", "Bluesky", SOCIAL, public=True, reply_limit=300,
                 reply_limit_unit="graphemes", short_replies=True),
    ServiceEntry("reddit", "Reddit", SOCIAL, public=True, reply_limit=10_000),
    ServiceEntry("facebook", "Facebook", SOCIAL, public=True, reply_limit=8000,
                 short_replies=True),
    ServiceEntry("instagram", "Instagram", SOCIAL, public=True, reply_limit=2200,
                 short_replies=True),
    ServiceEntry("youtube", "YouTube", SOCIAL, public=True, reply_limit=10_000,
                 short_replies=True),
    # community and blogs: public threads
    ServiceEntry("discourse", "Discourse", COMMUNITY, public=True, reply_limit=32_000),
    ServiceEntry("khoros", "Khoros", COMMUNITY, public=True),
    ServiceEntry("wordpress", "WordPress", COMMUNITY, public=True, reply_limit=65_525),
    ServiceEntry("github", "GitHub", COMMUNITY, public=True, reply_limit=65_536),
    # email: IMAP for questions, SMTP for replies
    ServiceEntry("email", "Email", EMAIL),
    ServiceEntry("imap", "Email", EMAIL),
    # reviews: one public reply per review
    ServiceEntry("app_store", "App Store", REVIEWS, public=True, reply_limit=5970,
                 short_replies=True),
    ServiceEntry("google_play", "Google Play", REVIEWS, public=True, reply_limit=350,
                 short_replies=True),
    ServiceEntry("trustpilot", "Trustpilot", REVIEWS, public=True),
)  # fmt: skip


def service_entry(key: str) -> ServiceEntry | None:
    """The catalogue entry of ``key``, or ``None`` for a service it does not know."""
    return CATALOGUE.get(key)


def service_name(key: str) -> str:
    """How the leader reads a service: ``helpscout`` -> ``Help Scout``; unknown: as is."""
    entry = CATALOGUE.get(key)
    return entry.name if entry is not None else key


def segment_of_service(key: str) -> str | None:
    """The customer segment of a service, or ``None`` for one the catalogue does not know."""
    entry = CATALOGUE.get(key)
    return entry.segment if entry is not None else None


#: Display names by key (for labels and reasons).
SERVICE_NAMES: dict[str, str] = {key: entry.name for key, entry in CATALOGUE.items()}

#: Services whose replies everyone can read.
PUBLIC_SERVICES: frozenset[str] = frozenset(k for k, e in CATALOGUE.items() if e.public)

#: Services whose replies are short posts.
SHORT_REPLY_SERVICES: frozenset[str] = frozenset(k for k, e in CATALOGUE.items() if e.short_replies)
