"""The page with the terminal, as the browser gets it: nothing from another site.

textual-serve's page template links its terminal font from a web font service, so every
visit would tell that service who opened cxdaily, and offline the terminal would lose its
font. :func:`own_origin_page` replaces that link with the same font served from the
page's own origin (textual-serve ships it), and :func:`page_policy` is the page's
Content-Security-Policy: scripts, styles, images and fonts from its own origin only (the
page's inline script and styles included), the websocket to its own server, no frame,
no form, no other site, whatever a later template links.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_FONT_SERVICE_LINK = re.compile(r"<link\b[^>]*\bhref=\"https?://fonts\.[^\"]*\"[^>]*>", re.S)
"""The template's link to a web font service."""
_FONTS = (
    ("normal", "RobotoMono-VariableFont_wght.ttf"),
    ("italic", "RobotoMono-Italic-VariableFont_wght.ttf"),
)
"""The terminal font's files in textual-serve's static folder, by style."""


def own_font_faces(static_url: str) -> str:
    """A ``<style>`` declaring the terminal font ("Roboto Mono") from ``static_url``."""
    faces = "".join(
        f'@font-face{{font-family:"Roboto Mono";font-style:{style};font-weight:100 700;'
        f'src:url("{static_url}fonts/{name}") format("truetype")}}'
        for style, name in _FONTS
    )
    return f"<style>{faces}</style>"


def own_origin_page(page: str, static_url: str) -> str:
    """The rendered page with its web font link replaced by the same font from
    ``static_url`` (the page's own static folder)."""
    return _FONT_SERVICE_LINK.sub(lambda _: own_font_faces(static_url), page)


def page_policy(websocket_url: str) -> str:
    """The page's Content-Security-Policy; ``websocket_url`` is the page's own websocket."""
    parts = urlsplit(websocket_url)
    websocket_origin = f"{parts.scheme}://{parts.netloc}"
    return (
        "default-src 'none'; script-src 'self' 'unsafe-inline'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        f"connect-src 'self' {websocket_origin}; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )
