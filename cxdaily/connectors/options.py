"""Connector options, declared once.

Each connector lists the options of its ``[channels.NAME]`` table in one
:class:`OptionSpec` (``Connector.declared_options``): name, type, default, whether it is
required, and a one-line description. Everything else comes from that declaration:

- checking a channel's table (unknown options, missing required ones, wrong types, out of
  range numbers, unsafe URLs, bad durations), with one-line messages naming
  ``[channels.NAME]``;
- the values a connector reads (``connector.option_values``: converted, defaults filled);
- ``cxdaily channels add`` (which asks for missing required options at a terminal) and
  ``cxdaily channels kinds KIND`` (which lists them).

Options every channel shares (``signature``, ``deadline``) and those every HTTP channel
shares (``base_url``, ``retries``, ``max_fetch_mb``) are declared here, once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import msgspec

from cxdaily.core import durations
from cxdaily.core.errors import ConfigError
from cxdaily.settings import ChannelSettings

#: The types an option can have, as ``channels kinds`` shows them.
OPTION_TYPES = ("text", "url", "bool", "int", "duration", "path", "enum")

_EXAMPLES = {
    "text": '"..."',
    "url": '"..."',
    "path": '"..."',
    "bool": "true",
    "int": "<number>",
    "duration": '"20s"',
}


MIN_DEADLINE_S = 0.1
MAX_DEADLINE_S = 3600.0


def parse_seconds(value: object, *, setting: str) -> float:
    """A deadline in the one grammar of :mod:`cxdaily.core.durations` (``"5s"``, ``"1.5s"``,
    ``"500ms"``, ``"2m"``); a bare number is seconds, as documented."""
    seconds = durations.parse_duration(
        value, setting=setting, bare_unit="s", example='"20s" or "2m"'
    )
    if not MIN_DEADLINE_S <= seconds <= MAX_DEADLINE_S:
        raise ConfigError(f"{setting} = {value!r} must be between 0.1 s and 1 h")
    return float(seconds)


def full_match(pattern: str, must_be: str) -> Callable[[str], str | None]:
    """An option ``check``: a value must match ``pattern`` as a whole, else the check
    answers ``must_be`` (what the value must be, said after the option's name)."""
    compiled = re.compile(pattern)

    def check(value: str) -> str | None:
        return None if compiled.fullmatch(value) else must_be

    return check


class Option(msgspec.Struct, frozen=True):
    """One option of a channel's table."""

    name: str
    type: str
    """One of :data:`OPTION_TYPES`."""
    description: str
    """One line: what the option does."""
    default: Any = None
    """The value when the option is not given, as it is written in the config file."""
    required: bool = False
    minimum: int | None = None
    """``int``: the smallest value accepted."""
    maximum: int | None = None
    """``int``: the largest value accepted."""
    unit: str = ""
    """``int``: what the number counts, for messages (``megabytes``)."""
    choices: tuple[str, ...] = ()
    """``enum``: the accepted values."""
    relative: bool = False
    """``url``: a path, joined to ``base_url`` by the connector, is accepted too."""
    check: Callable[[str], str | None] | None = None
    """``text``/``url``: a further rule; returns what is wrong (after the name) or None."""

    def __post_init__(self) -> None:
        if self.type not in OPTION_TYPES:
            raise ValueError(f"option {self.name}: unknown type {self.type!r}")
        if self.type == "enum" and not self.choices:
            raise ValueError(f"option {self.name}: an enum needs choices")

    @property
    def example(self) -> str:
        """How a value is written in the config file: ``"https://..."``, ``true``."""
        if self.type == "enum":
            return f'"{self.choices[0]}"'
        return _EXAMPLES[self.type]

    def read(self, channel: ChannelSettings) -> Any:
        """This option's value for ``channel``: converted, or its default when not given.

        Raises a one-line :class:`ConfigError` starting ``[channels.NAME]``.
        """
        raw = channel.options.get(self.name)
        if raw is None or (isinstance(raw, str) and not raw.strip() and self.type != "enum"):
            if self.required:
                raise _error(channel, f"needs {self.name} = {self.example} (kind {channel.kind!r})")
            raw = self.default
            if raw is None:
                return None
        return self.convert(raw, channel)

    def convert(self, raw: Any, channel: ChannelSettings) -> Any:
        """``raw`` (as written in the config file) checked and converted to its type."""
        if self.type == "text" and isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)  # an id written unquoted (``agent_id = 814860``) is its digits
        if self.type in ("text", "url", "path"):
            return self._text(raw, channel)
        if self.type == "bool":
            if not isinstance(raw, bool):
                raise _error(channel, f"{self.name} must be true or false")
            return raw
        if self.type == "int":
            return self._whole_number(raw, channel)
        if self.type == "duration":
            return parse_seconds(raw, setting=f"[channels.{channel.name}] {self.name}")
        if not isinstance(raw, str) or raw.strip() not in self.choices:
            raise _error(channel, f"{self.name} must be one of {', '.join(self.choices)}")
        return raw.strip()

    def _text(self, raw: Any, channel: ChannelSettings) -> Any:
        if not isinstance(raw, str):
            raise _error(channel, f"{self.name} must be text")
        value = raw.strip()
        if self.check is not None:
            problem = self.check(value)
            if problem:
                raise _error(channel, f"{self.name} {problem}")
        if self.type == "path":
            return Path(os.path.expandvars(value)).expanduser()
        if self.type == "url" and value:
            self._check_url(value, channel)
        return value

    def _check_url(self, value: str, channel: ChannelSettings) -> None:
        """A URL (or, for a ``relative`` one, a path) as the config file may hold it: no
        secret in it, a whole address for ``base_url``; an absolute one https, or http to
        this machine."""
        # only HTTP kinds have URLs
        from cxdaily.connectors.http_errors import LOGIN_HINT, check_url, configured_url_reason

        absolute = "://" in value
        problem = configured_url_reason(
            value if absolute else f"https://relative.invalid/{value.lstrip('/')}",
            address_only=self.name == "base_url",
        )
        if problem:
            secret = problem.startswith("holds")
            hint = f"; {LOGIN_HINT.format(channel=channel.name)}" if secret else ""
            raise _error(channel, f"{self.name} {problem}{hint}")
        if absolute or not self.relative:
            check_url(value, channel=channel.name)

    def text_list(self, raw: Any, channel: ChannelSettings, must_be: str) -> list[str]:
        """``raw`` as texts: a TOML list of them, or one text separated by commas (list
        options convert from this); else a :class:`ConfigError` that the option ``must
        be`` ``must_be``."""
        items = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            raise _error(channel, f"{self.name} must be {must_be}")
        return list(items)

    def _whole_number(self, raw: Any, channel: ChannelSettings) -> int:
        low, high = self.minimum, self.maximum
        if (
            isinstance(raw, bool)
            or not isinstance(raw, int)
            or (low is not None and raw < low)
            or (high is not None and raw > high)
        ):
            raise _error(channel, f"{self.name} must be {self.number_rule}")
        return raw

    @property
    def number_rule(self) -> str:
        """``a whole number from 0 to 10``, ``a whole number above 0`` ..."""
        what = f"a whole number of {self.unit}" if self.unit else "a whole number"
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            return f"{what} from {low} to {high}"
        if low is not None:
            return f"{what} above {low - 1}"
        if high is not None:
            return f"{what} up to {high}"
        return what

    def to_dict(self) -> dict[str, Any]:
        """The declaration as data (for ``channels kinds --json``)."""
        data: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "default": self.default,
            "description": self.description,
        }
        if self.type == "int" and (self.minimum is not None or self.maximum is not None):
            data["minimum"], data["maximum"] = self.minimum, self.maximum
        if self.choices:
            data["choices"] = list(self.choices)
        return data


def _error(channel: ChannelSettings, message: str) -> ConfigError:
    return ConfigError(f"[channels.{channel.name}] {message}")


class OptionSpec:
    """The options of one kind of channel, in the order they are shown and checked."""

    def __init__(self, *options: Option) -> None:
        self._options: dict[str, Option] = {}
        for option in options:
            if option.name in self._options or option.name == "kind":
                raise ValueError(f"option {option.name!r} is declared twice")
            self._options[option.name] = option

    def extended(self, *more: Option) -> OptionSpec:
        """A new declaration: these options followed by ``more``."""
        return OptionSpec(*self._options.values(), *more)

    def __iter__(self) -> Iterator[Option]:
        return iter(self._options.values())

    def __len__(self) -> int:
        return len(self._options)

    def __contains__(self, name: object) -> bool:
        return name in self._options

    def __getitem__(self, name: str) -> Option:
        return self._options[name]

    def names(self) -> list[str]:
        """Every option's name, sorted."""
        return sorted(self._options)

    def read(self, channel: ChannelSettings) -> dict[str, Any]:
        """Every option's value for ``channel`` (defaults filled in, ``None`` when unset).

        Raises a one-line :class:`ConfigError` for the first problem: an unknown option (a
        typo would otherwise be silently ignored), a missing required one, a bad value.
        """
        for key in channel.options:
            if key not in self._options:
                raise _error(
                    channel,
                    f"unknown option {key!r} for kind {channel.kind!r} "
                    f"(known: {', '.join(self.names()) or 'none'})",
                )
        return {option.name: option.read(channel) for option in self}

    def missing(self, given: Mapping[str, Any]) -> list[Option]:
        """The required options ``given`` lacks (or gives as blank text)."""
        return [
            option
            for option in self
            if option.required
            and (given.get(option.name) is None or str(given.get(option.name)).strip() == "")
        ]


# ----------------------------------------------------------------------------- shared
SIGNATURE = Option("signature", "text", "a line added under every reply (counts toward its limit)")
DEADLINE = Option(
    "deadline", "duration", "the most one fetch or check of the channel may take", default="60s"
)
BASE_URL = Option(
    "base_url", "url", "the service's address (a self-hosted, enterprise or test server)"
)
RETRIES = Option(
    "retries",
    "int",
    "retries of a failed request (network errors, 5xx); a 429 is waited out up to 3 times",
    default=3,
    minimum=0,
    maximum=10,
)
DEFAULT_MAX_FETCH_MB = 50
MAX_FETCH_MB_LIMIT = 2048
MAX_FETCH_MB = Option(
    "max_fetch_mb",
    "int",
    "the most one fetch may read, in megabytes",
    default=DEFAULT_MAX_FETCH_MB,
    minimum=1,
    maximum=MAX_FETCH_MB_LIMIT,
    unit="megabytes",
)


def since_days(default: int, *, maximum: int = 365, of: str = "") -> Option:
    """The ``since_days`` option: how many days (of ``of``: "posts", "mentions") the
    first fetch of a channel reads, when it has no checkpoint yet."""
    return Option(
        "since_days",
        "int",
        f"how many days {f'of {of} ' if of else 'back '}the first fetch reads",
        default=default,
        minimum=1,
        maximum=maximum,
        unit="days",
    )


#: Options every channel accepts, whatever its kind.
CHANNEL_OPTIONS = OptionSpec(SIGNATURE, DEADLINE)

#: Options every HTTP channel accepts.
HTTP_OPTIONS = CHANNEL_OPTIONS.extended(BASE_URL, RETRIES, MAX_FETCH_MB)
