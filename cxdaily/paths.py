"""Where files live: the one module that knows.

With ``CXDAILY_HOME`` set, everything is under that folder (``config.toml``, ``data/``,
``themes/``). Otherwise the platform's config and data folders are used. The demo runs
in its own profile (``data/demo`` or ``<data>/demo``) so it never mixes with real data.
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

APP_NAME = "cxdaily"
DEMO_PROFILE = "demo"
CONFIG_BACKUP_SUFFIX = ".bak"
"""The previous config file, kept beside it when cxdaily edits it, is named with this
added (``config.toml.bak``)."""


class Locations(msgspec.Struct, frozen=True):
    """The folders and files one profile uses."""

    config_file: Path
    data_dir: Path
    user_themes_dir: Path

    @property
    def config_dir(self) -> Path:
        """The folder holding the config file."""
        return self.config_file.parent


def _base_dirs() -> tuple[Path, Path]:
    home = os.environ.get("CXDAILY_HOME")
    if home:
        root = Path(os.path.abspath(Path(home).expanduser()))  # what `locate` prints too
        if root.exists() and not root.is_dir():
            from cxdaily.core.errors import ConfigError

            raise ConfigError(f"CXDAILY_HOME is {root}, which is not a folder")
        return root, root / "data"
    import platformdirs  # only when CXDAILY_HOME does not say where

    config_dir = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    data_dir = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    if config_dir == data_dir:  # macOS puts both in one folder
        data_dir = data_dir / "data"
    return config_dir, data_dir


def locations(profile: str | None = None) -> Locations:
    """Return the locations of the default profile, or of a named one such as the demo."""
    config_dir, data_dir = _base_dirs()
    if profile:
        data_dir = data_dir / profile
    return Locations(
        config_file=config_dir / "config.toml",
        data_dir=data_dir,
        user_themes_dir=config_dir / "themes",
    )


def own_file_role(path: str | os.PathLike[str]) -> str | None:
    """What ``path`` is to cxdaily when replacing it would destroy cxdaily's own records:
    a file in the data folder (any profile's), the config file or its backup; else ``None``.

    Links are followed on both sides, so a link into the data folder counts as the data
    folder. A file the user names for an export (a digest's ``-o``) must not be one of
    these: the export would replace the outbox, the insights or the config.
    """
    own = locations()
    config_file, data_dir = own.config_file, own.data_dir
    target = Path(os.path.realpath(path))
    data = Path(os.path.realpath(data_dir))
    if target == data or data in target.parents:
        return f"in cxdaily's data folder ({data_dir})"
    backup = config_file.with_name(config_file.name + CONFIG_BACKUP_SUFFIX)
    roles = (
        (config_file, "cxdaily's config file"),
        (backup, "the backup of cxdaily's config file"),
    )
    for file, role in roles:
        if target == Path(os.path.realpath(file)):
            return f"{role} ({file})"
    return None


def builtin_themes_dir() -> Path:
    """The built-in stylesheets and themes: inside an installed wheel, or the checkout's."""
    package_dir = Path(__file__).resolve().parent
    for candidate in (package_dir / "_themes", package_dir.parent / "themes"):
        if (candidate / "app.tcss").is_file():
            return candidate
    from cxdaily.core.errors import CxDailyError

    raise CxDailyError(
        f"cxdaily's themes folder is missing (looked in {package_dir / '_themes'} "
        f"and {package_dir.parent / 'themes'}); reinstall cxdaily"
    )
