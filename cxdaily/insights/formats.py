"""The digest formats: one registry entry per format.

The command line's ``--format`` choices and help, the app's export dialog, the choice of
a format from a file name, rendering and the README's format table all read
:data:`DIGEST_FORMATS`. Adding a format is one renderer module plus one entry here.

Renderers are named as ``"module:function"`` and imported only when used, so reading the
registry (for ``--help`` or the dialog) loads no renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:
    from cxdaily.insights.model import Digest


class DigestFormat(msgspec.Struct, frozen=True):
    """One export format of the digest."""

    name: str
    """How ``--format`` spells it: ``md``, ``html`` ..."""
    extension: str
    """The file extension of an export, with its dot: ``.md``."""
    media_type: str
    """The MIME type of the text (for destinations that upload it)."""
    renderer: str
    """``"module:function"`` of the function that turns a digest into text."""
    title: str
    """The format's name as the leader reads it: ``Markdown``."""
    description: str
    """What it is for, in a few words: ``wikis, chat``."""
    other_extensions: tuple[str, ...] = ()
    """More file extensions that mean this format (``.markdown``, ``.htm``)."""

    @property
    def label(self) -> str:
        """``Markdown (wikis, chat)``: the format in a list of choices."""
        return f"{self.title} ({self.description})"

    def render_function(self) -> Callable[[Digest], str]:
        """The renderer, imported now."""
        module_name, function_name = self.renderer.split(":")
        function: Callable[[Digest], str] = getattr(import_module(module_name), function_name)
        return function


def _registry(*formats: DigestFormat) -> dict[str, DigestFormat]:
    return {f.name: f for f in formats}


#: Every digest format, by name, in the order they are offered (the first is the default).
DIGEST_FORMATS: dict[str, DigestFormat] = _registry(
    DigestFormat(
        "md",
        ".md",
        "text/markdown",
        "cxdaily.insights.render_md:render_markdown",
        "Markdown",
        "wikis, chat",
        other_extensions=(".markdown",),
    ),
    DigestFormat(
        "html",
        ".html",
        "text/html",
        "cxdaily.insights.render_html:render_html",
        "HTML",
        "one file, charts",
        other_extensions=(".htm",),
    ),
    DigestFormat(
        "csv", ".csv", "text/csv", "cxdaily.insights.render_csv:render_csv", "CSV", "spreadsheets"
    ),
    DigestFormat(
        "json",
        ".json",
        "application/json",
        "cxdaily.insights.render_json:render_json",
        "JSON",
        "documented schema",
    ),
    DigestFormat(
        "notes",
        ".json",
        "application/json",
        "cxdaily.insights.render_json:render_notes",
        "Notes",
        "feedback tools",
    ),
)

DEFAULT_FORMAT = next(iter(DIGEST_FORMATS))
"""The format used when neither ``--format`` nor the file name says (``md``)."""


def format_names() -> tuple[str, ...]:
    """Every format's name, in registry order."""
    return tuple(DIGEST_FORMATS)


def format_by_extension() -> dict[str, str]:
    """File extension -> format name; an extension two formats share goes to the first."""
    found: dict[str, str] = {}
    for fmt in DIGEST_FORMATS.values():
        for extension in (fmt.extension, *fmt.other_extensions):
            found.setdefault(extension, fmt.name)
    return found
