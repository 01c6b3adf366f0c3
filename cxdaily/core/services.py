"""The service catalogue: every service customers write from, described once.

One :class:`ServiceEntry` per service says how the leader reads its name, which customer
segment it belongs to (help desk, social, community, email, reviews), whether a reply is
seen by everyone, the longest reply it accepts, whether its replies are short posts, and
the descriptive data of its connector kind (summary, secret fields, auth hint, default
base URL). Labels, curation's segments, the demo's public services, the composer's limits
and every connector class read this table: adding a service is one entry in
:data:`ENTRIES` below (plus its connector).

The entries are data, checked once at import; a malformed entry is a one-line
:class:`CatalogueError` naming the entry and the field. They are Python data rather than
a TOML file so that they load with the byte-compiled module: parsing them cost every
command and launch most of a millisecond. Reply limits come from
the services' documentation (``docs/channel-apis.md``); ``None`` means no limit is
documented (or the only figure found is unconfirmed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec

HELP_DESK = "help desk"
SOCIAL = "social"
COMMUNITY = "community"
EMAIL = "email"
REVIEWS = "reviews"
OTHER = "other"

#: Every customer segment, in the order the leader reads them.
SEGMENTS = (HELP_DESK, SOCIAL, COMMUNITY, EMAIL, REVIEWS)

#: What ``reply_limit`` may count.
REPLY_LIMIT_UNITS = ("characters", "weighted characters", "graphemes")


class CatalogueError(ValueError):
    """An entry of the service catalogue's data file is malformed."""


class ServiceEntry(msgspec.Struct, frozen=True):
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
    summary: str | None = None
    """One line: what a channel of this kind is (``channels kinds`` shows it)."""
    secret_fields: tuple[str, ...] | None = None
    """The secret fields its connector reads (``""``: the default secret); ``None``: the
    connector's own (inherited) declaration stands."""
    auth_hint: str | None = None
    """What to check when the service refuses the credentials ("the access token and the
    admin_id option")."""
    default_base_url: str | None = None
    """The public service's API address; ``None`` when each channel names one."""


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _is_limit(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


#: Each field of an entry: (does the data file's value fit, what it must be).
_FIELD_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "name": (lambda value: isinstance(value, str) and bool(value), "a non-empty text"),
    "segment": (lambda value: value in SEGMENTS, f"one of {', '.join(SEGMENTS)}"),
    "public": (lambda value: isinstance(value, bool), "true or false"),
    "reply_limit": (_is_limit, "a positive whole number"),
    "reply_limit_unit": (
        lambda value: value in REPLY_LIMIT_UNITS,
        f"one of {', '.join(REPLY_LIMIT_UNITS)}",
    ),
    "short_replies": (lambda value: isinstance(value, bool), "true or false"),
    "summary": (lambda value: isinstance(value, str), "a text"),
    "secret_fields": (_is_text_list, "a list of texts"),
    "auth_hint": (lambda value: isinstance(value, str), "a text"),
    "default_base_url": (
        lambda value: isinstance(value, str) and value.startswith("https://"),
        "an https:// address",
    ),
}

#: The fields every entry must have.
_REQUIRED_FIELDS = ("name", "segment")


def _entry(key: str, table: Any) -> ServiceEntry:
    """The entry ``key`` of the data file, or a CatalogueError naming it and its field."""
    where = f"service catalogue entry [{key}]"
    if not isinstance(table, dict):
        raise CatalogueError(f"{where} must be a table")
    for name in _REQUIRED_FIELDS:
        if name not in table:
            raise CatalogueError(f"{where}: {name} is missing")
    for name, value in table.items():
        check = _FIELD_CHECKS.get(name)
        if check is None:
            raise CatalogueError(f"{where}: unknown field {name!r}")
        fits, wanted = check
        if not fits(value):
            raise CatalogueError(f"{where}: {name} must be {wanted}")
    values = dict(table)
    if "secret_fields" in values:
        values["secret_fields"] = tuple(values["secret_fields"])
    return ServiceEntry(key=key, **values)


def parse_catalogue(tables: Mapping[str, Any]) -> dict[str, ServiceEntry]:
    """The entries of ``tables`` (one table of fields per service, as in
    :data:`ENTRIES`), by key; a malformed entry is a one-line CatalogueError naming the
    entry and field."""
    return {key: _entry(key, table) for key, table in tables.items()}


# One table per service; its key is how `kind` and `meta["service"]` spell it, and the
# connector module of that name under cxdaily/connectors/ reads its descriptive data here.
#
#   name              how the leader reads it ("Help Scout")
#   segment           help desk, social, community, email or reviews
#   public            replies are seen by everyone (default False)
#   reply_limit       the longest reply the service accepts (absent: none documented)
#   reply_limit_unit  characters (default), weighted characters (X) or graphemes
#   short_replies     replies are short posts (default False)
#   summary           one line: what a channel of this kind is (`channels kinds`)
#   secret_fields     the secret fields its connector reads ("" is the default secret)
#   auth_hint         what to check when the service refuses the credentials
#   default_base_url  the public service's API address (absent: the channel names one)
#
# Reply limits come from the services' documentation (docs/channel-apis.md).
ENTRIES: dict[str, dict[str, Any]] = {
    # help desks: private answers to tickets and conversations
    "zendesk": {
        "name": "Zendesk",
        "segment": "help desk",
        "summary": "Zendesk Support tickets waiting on the team; replies as public comments",
        "secret_fields": ["", "oauth_token"],
        "auth_hint": "the email option and the API token or oauth_token of an admin",
    },
    "freshdesk": {
        "name": "Freshdesk",
        "segment": "help desk",
        "summary": "Freshdesk tickets waiting on the team; replies as public ticket replies",
        "auth_hint": "the API key (Freshdesk: Profile settings, Your API Key) and the domain",
    },
    "helpscout": {
        "name": "Help Scout",
        "segment": "help desk",
        "summary": "a Help Scout mailbox: active conversations, public replies (Mailbox API 2.0)",
        "secret_fields": ["client_id", "client_secret"],
        "default_base_url": "https://api.helpscout.net",
        "auth_hint": "the client_id and client_secret secrets, the app's App ID and App Secret",
    },
    "intercom": {
        "name": "Intercom",
        "segment": "help desk",
        "summary": "Intercom conversations: open ones are questions, replies go out as a teammate",
        "default_base_url": "https://api.intercom.io",
        "auth_hint": "the access token and the admin_id option",
    },
    "front": {
        "name": "Front",
        "segment": "help desk",
        "summary": "Front: open conversations of one inbox, answered as a teammate",
        "default_base_url": "https://api2.frontapp.com",
        "auth_hint": (
            "the API token and its scopes (conversations:read, messages:read, messages:send)"
        ),
    },
    # social networks: public, mostly short posts
    "x": {
        "name": "X",
        "segment": "social",
        "public": True,
        "reply_limit": 280,
        "reply_limit_unit": "weighted characters",
        "short_replies": True,
        "summary": "X (Twitter) mentions of the brand's account; replies as reply posts (API v2)",
        "secret_fields": ["", "refresh_token"],
        "default_base_url": "https://api.x.com",
        "auth_hint": (
            "the OAuth 2.0 user access token (scopes tweet.read tweet.write users.read) and the "
            "user_id option"
        ),
    },
    "mastodon": {
        "name": "Mastodon",
        "segment": "social",
        "public": True,
        "reply_limit": 500,
        "short_replies": True,
        "summary": (
            "Mastodon mentions and direct messages to the brand's account; replies in thread"
        ),
        "secret_fields": [""],
        "auth_hint": (
            "the access token (scopes read:accounts read:notifications read:statuses "
            "write:statuses) and base_url"
        ),
    },
    "bluesky": {
        "name": "Bluesky",
        "segment": "social",
        "public": True,
        "reply_limit": 300,
        "reply_limit_unit": "graphemes",
        "short_replies": True,
        "summary": "Bluesky: mentions, replies and quotes of your account, answered in the thread",
        "secret_fields": [""],
        "default_base_url": "https://bsky.social",
        "auth_hint": "the handle option and the app password",
    },
    "reddit": {
        "name": "Reddit",
        "segment": "social",
        "public": True,
        "reply_limit": 10000,
        "summary": "Reddit: mentions, replies, messages and new posts, answered as one account",
        "secret_fields": ["client_secret", "password"],
        "default_base_url": "https://oauth.reddit.com",
        "auth_hint": (
            "the username and client_id options and the client_secret and password secrets (a "
            "script app whose developers include the account)"
        ),
    },
    "facebook": {
        "name": "Facebook",
        "segment": "social",
        "public": True,
        "reply_limit": 8000,
        "short_replies": True,
        "summary": (
            "Facebook Page: comments on its posts (and Messenger chats) answered as the Page"
        ),
        "auth_hint": "the Page access token and the page_id option",
    },
    "instagram": {
        "name": "Instagram",
        "segment": "social",
        "public": True,
        "reply_limit": 2200,
        "short_replies": True,
        "summary": (
            "Instagram professional account: comments on its recent media, answered in thread"
        ),
        "auth_hint": "the access token and the ig_user_id option",
    },
    "youtube": {
        "name": "YouTube",
        "segment": "social",
        "public": True,
        "reply_limit": 10000,
        "short_replies": True,
        "summary": (
            "YouTube: comments on one channel's videos, answered as the channel (Data API v3)"
        ),
        "secret_fields": ["client_id", "client_secret", "refresh_token"],
        "default_base_url": "https://www.googleapis.com/youtube/v3",
        "auth_hint": (
            "the client_id, client_secret and refresh_token secrets (an OAuth client with the "
            "youtube.force-ssl scope, granted by the channel's owner)"
        ),
    },
    # community and blogs: public threads
    "discourse": {
        "name": "Discourse",
        "segment": "community",
        "public": True,
        "reply_limit": 32000,
        "summary": "Discourse forum: new topics and replies by members, answered in the topic",
        "secret_fields": [""],
        "auth_hint": "the API key and api_username (a user the key may act as)",
    },
    "khoros": {
        "name": "Khoros",
        "segment": "community",
        "public": True,
        "summary": "Khoros Community: members' new topics and replies, answered in the thread",
        "secret_fields": ["client_id", "client_secret", "refresh_token"],
        "auth_hint": (
            "the client_id, client_secret and refresh_token secrets (the community's API app and a "
            "refresh token of the user replies are posted as)"
        ),
    },
    "wordpress": {
        "name": "WordPress",
        "segment": "community",
        "public": True,
        "reply_limit": 65525,
        "summary": "WordPress: blog comments awaiting an answer, replied to as a site user",
        "secret_fields": [""],
        "auth_hint": (
            "the username option and the application password (Users > Profile > Application "
            "Passwords); the user must be able to moderate comments (Editor or Administrator)"
        ),
    },
    "github": {
        "name": "GitHub",
        "segment": "community",
        "public": True,
        "reply_limit": 65536,
        "summary": "GitHub: issues and discussions opened by outsiders, answered with a comment",
        "secret_fields": [""],
        "default_base_url": "https://api.github.com",
        "auth_hint": (
            "the token and its access to the repos (issues read and write; discussions too when "
            "they are fetched)"
        ),
    },
    # email: IMAP for questions, SMTP for replies
    "email": {
        "name": "Email",
        "segment": "email",
        "summary": "questions from an IMAP folder, replies by SMTP (threaded, sent once)",
        "secret_fields": ["", "imap_password", "smtp_password"],
    },
    "imap": {
        "name": "Email",
        "segment": "email",
    },
    # reviews: one public reply per review
    "app_store": {
        "name": "App Store",
        "segment": "reviews",
        "public": True,
        "reply_limit": 5970,
        "short_replies": True,
        "summary": "App Store: customer reviews of one app, answered with the developer response",
        "secret_fields": [""],
        "default_base_url": "https://api.appstoreconnect.apple.com",
        "auth_hint": (
            "the issuer_id and key_id options and the private key (an App Store Connect team API "
            "key whose role may read and answer customer reviews)"
        ),
    },
    "google_play": {
        "name": "Google Play",
        "segment": "reviews",
        "public": True,
        "reply_limit": 350,
        "short_replies": True,
        "summary": "Google Play: reviews of one Android app, answered with the developer reply",
        "secret_fields": [""],
        "default_base_url": "https://androidpublisher.googleapis.com/androidpublisher/v3",
        "auth_hint": (
            "the service account's JSON key, and that Play Console grants the account the 'Reply "
            "to reviews' permission for the app"
        ),
    },
    "trustpilot": {
        "name": "Trustpilot",
        "segment": "reviews",
        "public": True,
        "summary": (
            "Trustpilot: service reviews of one business unit, answered with the company reply"
        ),
        "secret_fields": ["api_key", "api_secret", "username", "password"],
        "default_base_url": "https://api.trustpilot.com",
        "auth_hint": (
            "the api_key, api_secret, username and password secrets (a business user of the "
            "business unit, with API access)"
        ),
    },
}
"""The catalogue's data: every service customers write from, in the order it is listed."""

#: Every known service, by key (in the order of :data:`ENTRIES`).
CATALOGUE: dict[str, ServiceEntry] = parse_catalogue(ENTRIES)


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
