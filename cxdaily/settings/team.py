"""The ``[team]`` table: team mode, where the shared part lives on PostgreSQL.

```toml
[team]
url = "postgresql://anna@db.acme.com:5432/cxdaily?sslmode=verify-full"
member = "Anna Berg"      # this leader's name as the other leaders see it
claim_for = "15m"         # how long a claim on a question holds without a reply
```

The password never goes in the URL or the file: it is the secret named
:data:`TEAM_SECRET` (``cxdaily login team`` or ``CXDAILY_SECRET_TEAM``). TLS is required
(``sslmode`` ``verify-full``, the default, or ``require``) unless the host is this machine
(loopback or a Unix socket folder). Without ``[team]`` nothing of team mode loads.
"""

from __future__ import annotations

from typing import Any

import msgspec

from cxdaily.core import durations
from cxdaily.core.config_tables import config_table
from cxdaily.core.errors import ConfigError
from cxdaily.core.safe_text import one_line

TEAM_SECRET = "team"
"""The secret's name: ``CXDAILY_SECRET_TEAM`` or the keyring entry ``cxdaily/team``."""
TEAM_KEYS = {"url", "member", "claim_for"}
DEFAULT_CLAIM_S = 15 * 60
MAX_MEMBER_CHARS = 64
#: sslmode values that encrypt the link (verify-full also checks the server's name).
TLS_MODES = ("verify-full", "verify-ca", "require")
#: Query parameters a team URL may carry (no password, nothing that runs code).
URL_PARAMETERS = {"sslmode", "sslrootcert", "sslcert", "sslkey", "application_name"}
SSL_MODES = {"disable", "allow", "prefer", *TLS_MODES}


class TeamSettings(msgspec.Struct, frozen=True):
    """The ``[team]`` table, checked: where the team database is and who this leader is."""

    url: str
    """The connection URL as written (no password in it)."""
    member: str
    """This leader's name as the other leaders see it (``"Anna is answering this"``)."""
    host: str
    port: int
    database: str
    role: str
    """The leader's own database role (the URL's user): row-level security is keyed on it."""
    sslmode: str
    parameters: tuple[tuple[str, str], ...] = ()
    """The other query parameters (``sslrootcert`` ...), as given."""
    claim_s: int = DEFAULT_CLAIM_S
    """How long a claim holds before another leader may take the question."""

    @property
    def where(self) -> str:
        """``db.acme.com:5432/cxdaily as anna``: the link in words, never a secret."""
        return f"{self.host}:{self.port}/{self.database} as {self.role}"

    def connect_arguments(self, password: str | None, connect_timeout: float) -> dict[str, Any]:
        """Keyword arguments for the driver's ``connect`` (the password passed on its own,
        never spliced into a URL)."""
        arguments: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "dbname": self.database,
            "user": self.role,
            "sslmode": self.sslmode,
            "connect_timeout": max(1, round(connect_timeout)),
            "application_name": "cxdaily",
            **dict(self.parameters),
        }
        if password:
            arguments["password"] = password
        return arguments


def _is_local(host: str) -> bool:
    """Whether ``host`` is this machine: a loopback name or address, or a socket folder."""
    from cxdaily.core.hosts import is_loopback_host  # only with [team]: not at start-up

    return host.startswith("/") or is_loopback_host(host)


def _url_parts(url: str) -> tuple[str, int, str, str, dict[str, str]]:
    """Host, port, database, role and query parameters of a team URL (ConfigError)."""
    from urllib.parse import parse_qsl, unquote, urlsplit  # only with [team]

    shown = one_line(url, 120)
    try:
        parts = urlsplit(url)
        port = parts.port or 5432
    except ValueError:
        raise ConfigError(f"[team] url = {shown!r} is not a PostgreSQL URL") from None
    if parts.scheme not in ("postgresql", "postgres"):
        raise ConfigError(
            '[team] url must start with postgresql://, like "postgresql://anna@db.acme.com/cxdaily"'
        )
    if parts.password is not None:
        raise ConfigError(
            f"[team] url holds a password: remove it and run `cxdaily login {TEAM_SECRET}` "
            "or set CXDAILY_SECRET_TEAM"
        )
    if parts.fragment:
        raise ConfigError("[team] url must not have a #fragment")
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    host = unquote(parts.hostname or "") or query.pop("host", "")
    role = unquote(parts.username or "")
    database = unquote(parts.path.lstrip("/"))
    if not host:
        raise ConfigError("[team] url needs a host, like postgresql://anna@db.acme.com/cxdaily")
    if not role:
        raise ConfigError(
            "[team] url needs the leader's database role as its user, like postgresql://anna@..."
        )
    if not database or "/" in database:
        raise ConfigError("[team] url needs one database name, like .../cxdaily")
    for key in query:
        if "password" in key.lower() or key not in URL_PARAMETERS:
            raise ConfigError(
                f"[team] url: parameter {one_line(key, 40)!r} is not allowed "
                f"(allowed: {', '.join(sorted(URL_PARAMETERS))})"
            )
    return host, port, database, role, query


def _sslmode(host: str, query: dict[str, str]) -> str:
    """The URL's sslmode, checked: TLS unless the host is this machine."""
    local = _is_local(host)
    mode = query.pop("sslmode", "prefer" if local else "verify-full")
    if mode not in SSL_MODES:
        raise ConfigError(
            f"[team] url: sslmode={one_line(mode, 20)!r} is not one of "
            f"{', '.join(sorted(SSL_MODES))}"
        )
    if not local and mode not in TLS_MODES:
        raise ConfigError(
            f"[team] url: sslmode={mode} would send the team's data in clear to {host}; "
            "use sslmode=verify-full (or require): only a loopback host may go without TLS"
        )
    return mode


def _member(value: Any) -> str:
    """The member name, checked: one line, not blank, at most :data:`MAX_MEMBER_CHARS`."""
    if not isinstance(value, str) or not value.strip() or one_line(value) != value.strip():
        raise ConfigError(
            '[team] needs member = "..." on one line: your name as the other leaders see it'
        )
    if len(value.strip()) > MAX_MEMBER_CHARS:
        raise ConfigError(f"[team] member is longer than {MAX_MEMBER_CHARS} characters")
    return value.strip()


def team_from_dict(raw: Any) -> TeamSettings | None:
    """Validate the parsed ``[team]`` table; ``None`` when the file has none."""
    if raw is None:
        return None
    raw = config_table(raw, "team", TEAM_KEYS)
    url = raw.get("url")
    if not isinstance(url, str) or not url.strip():
        raise ConfigError('[team] needs url = "postgresql://ROLE@HOST/DATABASE"')
    host, port, database, role, query = _url_parts(url.strip())
    sslmode = _sslmode(host, query)
    seconds = durations.parse_duration(
        raw.get("claim_for", "15m"), setting="[team] claim_for", bare_unit="m", example="15m"
    )
    if not 60 <= seconds <= 24 * 3600:
        raise ConfigError("[team] claim_for must be between 1 minute and 24 hours")
    return TeamSettings(
        url=url.strip(),
        member=_member(raw.get("member")),
        host=host,
        port=port,
        database=database,
        role=role,
        sslmode=sslmode,
        parameters=tuple(sorted(query.items())),
        claim_s=round(seconds),
    )


def team_to_dict(settings: TeamSettings | None) -> dict[str, Any]:
    """The ``[team]`` table for TOML (empty without team mode)."""
    if settings is None:
        return {}
    doc: dict[str, Any] = {"url": settings.url, "member": settings.member}
    if settings.claim_s != DEFAULT_CLAIM_S:
        doc["claim_for"] = durations.format_duration(settings.claim_s)
    return doc
