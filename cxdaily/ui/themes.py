"""Themes as data: built-in and user themes share one TOML schema.

A theme file (``themes/*.theme.toml`` built in, or ``<config>/themes/*.toml`` for the
user) holds ``name``, ``dark``, the Textual colours (``primary``, ``secondary``,
``accent``, ``background``, ``surface``, ``panel``, ``foreground``, ``success``,
``warning``, ``error``) and an optional ``[variables]`` table. A broken user theme is
reported and skipped; the app falls back to the default theme.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import msgspec
from textual.color import Color, ColorParseError
from textual.theme import Theme

from cxdaily.core.safe_text import one_line

DEFAULT_THEME = "cxdaily-dark"
COLOUR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "background",
    "surface",
    "panel",
    "foreground",
    "success",
    "warning",
    "error",
    "boost",
)

#: App-specific variables used in the stylesheets, with literal fallbacks.
VARIABLE_DEFAULTS = {
    "cx-reason": "#9aa5b1",
    "cx-done": "#4caf50",
    "cx-highlight": "#ffb454",
}


class ThemeProblem(msgspec.Struct, frozen=True):
    """A theme file that could not be used, and why (one line)."""

    path: Path
    message: str


def theme_from_file(path: Path) -> Theme:
    """Read one theme file; raises ValueError with a one-line reason."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(one_line(exc, 160)) from None
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError('needs name = "..."')
    if "primary" not in data:
        raise ValueError('needs primary = "#rrggbb"')
    colours: dict[str, str] = {}
    for key in COLOUR_KEYS:
        if key in data:
            value = data[key]
            try:
                Color.parse(str(value))
            except ColorParseError:
                raise ValueError(f"{key} = {value!r} is not a colour") from None
            colours[key] = str(value)
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError("[variables] must be a table")
    unknown = set(data) - set(COLOUR_KEYS) - {"name", "dark", "variables"}
    if unknown:
        raise ValueError(f"unknown key {sorted(unknown)[0]!r}")
    return Theme(
        name=name.strip(),
        primary=colours["primary"],
        secondary=colours.get("secondary"),
        accent=colours.get("accent"),
        background=colours.get("background"),
        surface=colours.get("surface"),
        panel=colours.get("panel"),
        foreground=colours.get("foreground"),
        success=colours.get("success"),
        warning=colours.get("warning"),
        error=colours.get("error"),
        boost=colours.get("boost"),
        dark=bool(data.get("dark", True)),
        variables={str(k): str(v) for k, v in variables.items()},
    )


def load_themes(builtin_dir: Path, user_dir: Path) -> tuple[list[Theme], list[ThemeProblem]]:
    """Built-in themes, then user themes (a user theme may replace a built-in by name)."""
    themes: list[Theme] = []
    problems: list[ThemeProblem] = []
    for path in sorted(builtin_dir.glob("*.theme.toml")):
        themes.append(theme_from_file(path))  # a broken built-in theme is a packaging bug
    if user_dir.is_dir():
        for path in sorted(user_dir.glob("*.toml")):
            try:
                themes.append(theme_from_file(path))
            except ValueError as exc:
                problems.append(ThemeProblem(path, str(exc)))
    return themes, problems
