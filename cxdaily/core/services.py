"""The service catalogue: every service customers write from, described once.

One :class:`ServiceEntry` per service says how the leader reads its name, which customer
segment it belongs to (help desk, social, community, email, reviews), whether a reply is
seen by everyone, the longest reply it accepts, whether its replies are short posts, and
the descriptive data of its connector kind (summary, secret fields, auth hint, default
base URL). Labels, curation's segments, the demo's public services, the composer's limits
and every connector class read this table: adding a service is one entry in
``services.toml`` beside this module (plus its connector).

The entries are data, read once at import from ``services.toml``; a malformed entry is a
one-line :class:`CatalogueError` naming the entry and the field. Reply limits come from
the services' documentation (``docs/channel-apis.md``); ``None`` means no limit is
documented (or the only figure found is unconfirmed).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
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

#: The data file the catalogue is read from (in this package).
CATALOGUE_FILE = "services.toml"


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


def parse_catalogue(text: str) -> dict[str, ServiceEntry]:
    """The entries of a catalogue data file's ``text`` (TOML: one table per service), by
    key; a malformed file or entry is a one-line CatalogueError naming the entry and field."""
    try:
        tables = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"the service catalogue is not valid TOML: {exc}") from None
    return {key: _entry(key, table) for key, table in tables.items()}


def _read_catalogue() -> dict[str, ServiceEntry]:
    """The catalogue from its data file beside this module (read as a file: the
    package is installed as files, and ``importlib.resources`` would add its own
    imports to every command's start)."""
    return parse_catalogue(Path(__file__).with_name(CATALOGUE_FILE).read_text("utf-8"))


#: Every known service, by key (in the data file's order).
CATALOGUE: dict[str, ServiceEntry] = _read_catalogue()


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
