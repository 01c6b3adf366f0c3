"""Settings: a documented record (a frozen msgspec Struct) per table, loaded from and saved
to TOML.

The secret of a channel never goes in this file (see ``credentials``). A bad file gives a
one-line :class:`ConfigError` naming the file, the line when known, and the problem.
Every channel's options are checked when the file is read, by the connector of its kind
(:func:`cxdaily.connectors.check_channel_settings`: no network work), so an unknown kind,
a missing ``url`` or ``path``, an unsafe URL or a bad ``deadline`` stops every command
with the file's name rather than failing later, at fetch time.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from cxdaily.core import durations
from cxdaily.core.config_tables import config_table
from cxdaily.core.days import LeaderDays
from cxdaily.core.errors import ConfigError
from cxdaily.curation.settings import CurationSettings, curation_from_dict, curation_to_dict
from cxdaily.insights.taxonomy import TaxonomySettings, taxonomy_from_dict, taxonomy_to_dict
from cxdaily.settings.delivery import (
    DestinationSettings,
    DigestSettings,
    check_destinations,
    destinations_from_dict,
    destinations_to_dict,
    digest_from_dict,
    digest_to_dict,
)
from cxdaily.settings.leader import LeaderSettings, leader_from_dict, leader_to_dict
from cxdaily.streaks.rules import StreakRules, streak_rules_from_dict, streak_rules_to_dict

if TYPE_CHECKING:  # team mode's module loads only when a config has [team]
    from collections.abc import Callable

    from cxdaily.settings.team import TeamSettings

DEFAULT_BUDGET_S = 30 * 60
DEFAULT_UNDO_S = 10
"""How long a sent reply waits in the outbox, when ``[session] undo_seconds`` is not set."""
MAX_UNDO_S = 300
"""The longest undo window: a reply that waits longer is a reply not sent."""
MAX_CONFIG_BYTES = 1024 * 1024
"""A config file is a few kilobytes; a larger one is refused rather than parsed."""


def parse_duration(text: object, *, setting: str = "duration") -> int:
    """A budget in whole seconds, in the one grammar of :mod:`cxdaily.core.durations`
    (``30m``, ``1h``, ``1h15m``, ``90s``); a bare number is minutes, as documented."""
    seconds = durations.parse_duration(
        text, setting=setting, bare_unit="m", example="30m, 1h or 1h15m"
    )
    if not 60 <= seconds <= 8 * 3600:
        raise ConfigError(f"{setting} = {text!r} must be between 1 minute and 8 hours")
    return round(seconds)


def format_duration(seconds: int) -> str:
    """Seconds as the config writes them: ``30m``, ``1h15m``, ``1m30s`` (exact, round-trips)."""
    return durations.format_duration(seconds)


def parse_day_start(text: str, *, setting: str = "[session] day_start") -> time:
    """Parse ``HH:MM`` into a time."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", str(text))
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ConfigError(f"{setting} = {text!r} is not a time of day like 04:00")
    return time(int(match[1]), int(match[2]))


def parse_undo_seconds(value: object, *, setting: str = "[session] undo_seconds") -> int | None:
    """The undo window in whole seconds, from 0 (replies go out at once) to
    :data:`MAX_UNDO_S`; a bare number is seconds (``10``, ``"10s"``, ``"1m"``). ``None``
    (not set) stays ``None``: the default applies."""
    if value is None:
        return None
    seconds = durations.parse_duration(value, setting=setting, bare_unit="s", example="10 or 30s")
    if not 0 <= seconds <= MAX_UNDO_S or seconds != int(seconds):
        raise ConfigError(
            f"{setting} = {value!r} must be whole seconds from 0 (off) to {MAX_UNDO_S}"
        )
    return int(seconds)


def parse_timezone(name: str, *, setting: str = "[session] timezone") -> ZoneInfo:
    """Resolve an IANA time zone name such as ``Europe/Berlin``."""
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(
            f"{setting} = {name!r} is not a known time zone (use a name like Europe/Berlin)"
        ) from None


def system_timezone_name() -> str:
    """Best guess at the machine's IANA zone name, falling back to UTC."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz:
        try:
            ZoneInfo(tz)
            return tz
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    return "UTC"


class SessionSettings(msgspec.Struct, frozen=True):
    """The ``[session]`` table."""

    budget_s: int = DEFAULT_BUDGET_S
    """Time budget of a daily session (``budget = "30m"``)."""
    timezone: str = "UTC"
    """Home time zone in which days are counted (``timezone = "Europe/Berlin"``)."""
    day_start: time = time(4, 0)
    """When a new day starts, so a session at 01:30 counts for the day before."""
    undo_s: int | None = None
    """Seconds a sent reply waits in the outbox, when it can still be pulled back
    (``undo_seconds = 10``; 0 sends at once); None: not set, :data:`DEFAULT_UNDO_S`."""

    @property
    def undo_window(self) -> timedelta:
        """How long a sent reply waits before it goes out (zero: it goes out at once)."""
        return timedelta(seconds=DEFAULT_UNDO_S if self.undo_s is None else self.undo_s)

    @property
    def zone(self) -> ZoneInfo:
        """The home time zone."""
        return ZoneInfo(self.timezone)

    @property
    def days(self) -> LeaderDays:
        """The leader's days: which day it is, and when it began (zone and day_start)."""
        return LeaderDays(self.zone, self.day_start)


class ChannelSettings(msgspec.Struct, frozen=True):
    """A ``[channels.NAME]`` table: ``kind`` plus connector-specific options."""

    name: str
    kind: str
    options: dict[str, Any] = msgspec.field(default_factory=dict)
    refused: str = ""
    """Why the table cannot be used as written, told by the channel checks (a secret
    written in it, left out of ``options``): a channel problem, so the commands that use
    no channel go on and ``channels remove`` or ``add --replace`` repair the file."""


class Settings(msgspec.Struct, frozen=True):
    """Everything in ``config.toml``."""

    session: SessionSettings = msgspec.field(default_factory=SessionSettings)
    channels: dict[str, ChannelSettings] = msgspec.field(default_factory=dict)
    theme: str = "cxdaily-dark"
    """Name of a built-in theme or of a user theme in the config folder's ``themes/``."""
    keys: dict[str, str] = msgspec.field(default_factory=dict)
    """Remapped key bindings: binding id -> comma-separated keys (``[keys] reply = "R"``)."""
    editor: str | None = None
    """Command for composing replies; defaults to ``$VISUAL`` then ``$EDITOR``."""
    taxonomy: TaxonomySettings = msgspec.field(default_factory=TaxonomySettings)
    """The ``[taxonomy]`` table: tags, areas and teams for insights and digests."""
    streak: StreakRules = msgspec.field(default_factory=StreakRules)
    """The ``[streak]`` table: what makes a day count, off days and freezes."""
    curation: CurationSettings = msgspec.field(default_factory=CurationSettings)
    """The ``[curation]`` table: signal weights, limits, VIPs and watch keywords."""
    leader: LeaderSettings = msgspec.field(default_factory=LeaderSettings)
    """The ``[leader]`` table: the product's name for saved replies' ``{product}``."""
    destinations: dict[str, DestinationSettings] = msgspec.field(default_factory=dict)
    """The ``[destinations.NAME]`` tables: where digests are sent (see ``settings.delivery``)."""
    digest: DigestSettings = msgspec.field(default_factory=DigestSettings)
    """The ``[digest]`` table: the digest day of the weekly rhythm."""
    team: TeamSettings | None = None
    """The ``[team]`` table: team mode on PostgreSQL (``None``: this leader works alone)."""


_SESSION_KEYS = {"budget", "timezone", "day_start", "undo_seconds"}
_UI_KEYS = {"theme", "editor"}
_TOP_KEYS = {
    *("session", "channels", "ui", "keys", "taxonomy", "streak", "curation", "leader"),
    "team",
    *("destinations", "digest"),
}
_CHANNEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _decode_error(path: Path, exc: tomllib.TOMLDecodeError) -> ConfigError:
    message = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    problem = re.sub(r"\s*\(at line \d+, column \d+\)", "", message).strip()
    if match:
        return ConfigError(f"{path}: line {match[1]}, column {match[2]}: {problem}")
    return ConfigError(f"{path}: {problem}")


def load_settings(
    path: Path,
    *,
    check_channels: bool = True,
    on_channel_problem: Callable[[str], None] | None = None,
    remember_checks_in: Path | None = None,
) -> Settings:
    """Load settings from ``path``; a missing file means the defaults.

    Every channel is checked by its connector (see :func:`check_channel_options`) unless
    ``check_channels`` is false: the demo profile, which never uses them (and so never
    loads the HTTP stack at start-up), and the commands that repair a broken channel.
    With ``on_channel_problem``, what is wrong with the channels (or the digest
    destinations) is told to it instead of raised: a command that uses no channel (the
    batch, a digest export, the streak) is not stopped by one broken channel table.
    With ``remember_checks_in`` (the data folder), checks that passed are remembered
    there and not run again while the file and the code are the same
    (:mod:`cxdaily.settings.checked`).
    """
    try:
        data = _read_config_bytes(path)
    except FileNotFoundError:
        return Settings(session=SessionSettings(timezone=system_timezone_name()))
    document = _parse_toml(path, data)  # its errors name the file already
    try:
        settings = settings_from_dict(document)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if not check_channels or not (settings.channels or settings.destinations):
        return settings
    from cxdaily.settings.checked import PassedChecks, checks_key

    passed = PassedChecks(remember_checks_in) if remember_checks_in is not None else None
    key = checks_key(data) if passed is not None else None
    if passed is not None and passed.holds(key):
        return settings
    try:
        all_built_in = check_channel_options(settings)
        check_destinations(settings.destinations, settings.channels)
        check_secret_places(settings)
    except ConfigError as exc:
        if on_channel_problem is None:
            raise ConfigError(f"{path}: {exc}") from None
        on_channel_problem(f"{path}: {exc}")
    else:
        if passed is not None and all_built_in:
            passed.record(key)
    return settings


def _read_config_bytes(path: Path) -> bytes:
    """The file's bytes; FileNotFoundError when absent, else ConfigError when it cannot
    be read (not a regular file, too large)."""
    from cxdaily.core.files import NotRegularFileError, open_regular_file, read_at_most

    try:
        fd = open_regular_file(path)
        try:
            data = read_at_most(fd, MAX_CONFIG_BYTES + 1)
        finally:
            os.close(fd)
    except NotRegularFileError as exc:
        what = "it is a folder, not a file" if exc.is_folder else "it is not a regular file"
        raise ConfigError(f"{path}: cannot be read ({what})") from None
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: cannot be read (larger than {MAX_CONFIG_BYTES // 1024} KiB)")
    return data


def _parse_toml(path: Path, data: bytes) -> dict[str, Any]:
    """The parsed file, else ConfigError for anything wrong (not UTF-8, not TOML, a
    number too long, too deep)."""
    try:
        return tomllib.loads(data.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise _decode_error(path, exc) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: is not UTF-8 text (byte {exc.start + 1})") from None
    except ValueError:  # tomllib turns an integer of over 4,300 digits into int()
        raise ConfigError(f"{path}: a number has too many digits") from None
    except RecursionError:
        raise ConfigError(f"{path}: arrays or tables are nested too deeply") from None


def check_channel_options(settings: Settings) -> bool:
    """Check every channel with the connector of its kind (the first problem is raised);
    returns whether every kind is built in (none comes from a plugin).

    Builds each connector without an HTTP client, which reads and checks its options
    and does no network work; nothing is imported when no channel is configured.
    """
    if not settings.channels:
        return True
    from cxdaily.connectors import check_channel_settings, connector_class

    for channel in settings.channels.values():
        check_channel_settings(channel)
    return all(
        connector_class(channel.kind).__module__.startswith("cxdaily.")
        for channel in settings.channels.values()
    )


def check_secret_places(settings: Settings) -> None:
    """Refuse a config where two secrets would be read from one place (see
    :mod:`cxdaily.connectors.secret_names`); nothing is imported without channels or
    destinations."""
    if settings.channels or settings.destinations:
        from cxdaily.connectors.secret_names import check_secret_names

        check_secret_names(settings.channels, settings.destinations, team=settings.team is not None)


def settings_from_dict(raw: dict[str, Any]) -> Settings:
    """Validate a parsed TOML document into Settings."""
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise ConfigError(
            f"unknown table or setting {sorted(unknown)[0]!r} "
            f"(known: {', '.join(sorted(_TOP_KEYS))})"
        )
    session_raw = config_table(raw.get("session", {}), "session", _SESSION_KEYS)
    timezone = _text_setting(session_raw, "session", "timezone", "Europe/Berlin")
    timezone = timezone or system_timezone_name()
    parse_timezone(timezone)
    session = SessionSettings(
        budget_s=parse_duration(session_raw.get("budget", "30m"), setting="[session] budget"),
        timezone=timezone,
        day_start=parse_day_start(session_raw.get("day_start", "04:00")),
        undo_s=parse_undo_seconds(session_raw.get("undo_seconds")),
    )
    ui_raw = config_table(raw.get("ui", {}), "ui", _UI_KEYS)
    keys_raw = _table(raw, "keys")
    for binding, keys in keys_raw.items():
        if not isinstance(keys, str) or not keys.strip():
            raise ConfigError(f'[keys] {binding} must be a key name like "ctrl+r"')
    channels: dict[str, ChannelSettings] = {}
    for name, table in _table(raw, "channels").items():
        channels[name] = channel_from_dict(name, table)
    theme = _text_setting(ui_raw, "ui", "theme", "cxdaily-light")
    editor = _text_setting(ui_raw, "ui", "editor", "code --wait")
    return Settings(
        session=session,
        channels=channels,
        theme="cxdaily-dark" if theme is None else theme,
        keys={k: v.strip() for k, v in keys_raw.items()},
        editor=editor or None,
        taxonomy=taxonomy_from_dict(_table(raw, "taxonomy")),
        streak=streak_rules_from_dict(_table(raw, "streak")),
        curation=curation_from_dict(_table(raw, "curation")),
        leader=leader_from_dict(raw.get("leader", {})),
        destinations=destinations_from_dict(raw.get("destinations", {}), channels),
        digest=digest_from_dict(raw.get("digest", {})),
        team=_team(raw.get("team")),
    )


def _text_setting(table: dict[str, Any], name: str, key: str, example: str) -> str | None:
    """The setting ``[name] key`` of ``table`` when it is text (``None`` when absent); a
    number, a list or a table there is a ConfigError showing an ``example``."""
    value = table.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ConfigError(f'[{name}] {key} must be text, like {key} = "{example}"')


def _team(raw: Any) -> TeamSettings | None:
    """The ``[team]`` table (``None`` without it; its module loads only with it)."""
    if raw is None:
        return None
    from cxdaily.settings.team import team_from_dict

    return team_from_dict(raw)


def channel_from_dict(
    name: str, table: Any, *, section: str = "channels", example: str = "zendesk"
) -> ChannelSettings:
    """Validate one ``[channels.NAME]`` table (or, with ``section``, a table of the same
    shape, such as ``[destinations.NAME]``)."""
    where = f"[{section}.{name}]"
    if not _CHANNEL_NAME.match(name):
        raise ConfigError(f"{where}: a {section[:-1]} name uses letters, digits, '-', '_' or '.'")
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    kind = table.get("kind")
    if not isinstance(kind, str) or not kind:
        raise ConfigError(f'{where} needs kind = "..." (for example "{example}")')
    secrets = [key for key in table if _names_a_secret(key)]
    refused = (
        f"{secrets[0]}: secrets do not belong in the config file (delete it there, and "
        f"change the secret if it was saved in it); run `cxdaily login {name}` or set "
        "CXDAILY_SECRET_… instead"
        if secrets
        else ""
    )
    options = {k: v for k, v in table.items() if k != "kind" and k not in secrets}
    return ChannelSettings(name=name, kind=kind, options=options, refused=refused)


def _names_a_secret(key: str) -> bool:
    """Whether a channel option's name says it holds a secret (``api_token``,
    ``password``); an address such as ``token_url`` does not."""
    lowered = key.lower()
    if lowered.endswith("_url"):
        return False
    return any(word in lowered for word in ("secret", "token", "password", "api_key"))


def _table(raw: dict[str, Any], name: str) -> dict[str, Any]:
    """The table ``[name]`` (empty when the file has none)."""
    return config_table(raw.get(name, {}), name)


def settings_to_dict(settings: Settings) -> dict[str, Any]:
    """The TOML document for ``settings`` (no ``None`` values; tomli_w rejects them)."""
    doc: dict[str, Any] = {
        "session": {
            "budget": format_duration(settings.session.budget_s),
            "timezone": settings.session.timezone,
            "day_start": settings.session.day_start.strftime("%H:%M"),
            **(
                {"undo_seconds": settings.session.undo_s}
                if settings.session.undo_s is not None
                else {}
            ),
        },
        "ui": {"theme": settings.theme, **({"editor": settings.editor} if settings.editor else {})},
    }
    if settings.keys:
        doc["keys"] = dict(settings.keys)
    if taxonomy_to_dict(settings.taxonomy):
        doc["taxonomy"] = taxonomy_to_dict(settings.taxonomy)
    if streak_rules_to_dict(settings.streak):
        doc["streak"] = streak_rules_to_dict(settings.streak)
    if curation_to_dict(settings.curation):
        doc["curation"] = curation_to_dict(settings.curation)
    if leader_to_dict(settings.leader):
        doc["leader"] = leader_to_dict(settings.leader)
    if settings.team is not None:
        from cxdaily.settings.team import team_to_dict

        doc["team"] = team_to_dict(settings.team)
    if digest_to_dict(settings.digest):
        doc["digest"] = digest_to_dict(settings.digest)
    if settings.destinations:
        doc["destinations"] = destinations_to_dict(settings.destinations)
    if settings.channels:
        doc["channels"] = {
            name: {"kind": ch.kind, **{k: v for k, v in ch.options.items() if v is not None}}
            for name, ch in settings.channels.items()
        }
    return doc


def save_settings(path: Path, settings: Settings) -> None:
    """Write settings atomically (temp file, fsync, replace)."""
    from cxdaily.store.storage import atomic_write_bytes, ensure_private_dir

    ensure_private_dir(path.parent)
    try:
        import tomli_w

        atomic_write_bytes(path, tomli_w.dumps(settings_to_dict(settings)).encode("utf-8"))
    except Exception as exc:  # StoreError carries the one-line reason
        raise ConfigError(str(exc)) from exc
