"""Open a question's source link in the browser: web addresses only.

A question's ``url`` comes from a channel (and, through it, from whoever wrote the
message), so it is checked before anything is opened: only an ``http`` or ``https``
address with a host, without spaces or control characters, goes to
:func:`webbrowser.open`; anything else (``file:``, ``javascript:``, a bare path) is
refused with a one-line notice. In a terminal the browser is started in a thread
worker (starting it can take a while and must not hold the keys). When the app is served
in a browser tab (``cxdaily serve``), the link is handed to that browser through
:meth:`textual.app.App.open_url`, so it opens beside the leader's tab and not on the
machine that serves the app.
"""

from __future__ import annotations

import webbrowser
from urllib.parse import urlsplit

from textual.widget import Widget

from cxdaily.core.safe_text import one_line

WEB_SCHEMES = ("http", "https")


def web_link(url: str | None) -> str | None:
    """``url`` when it is an http or https address with a host, else None."""
    if not url:
        return None
    candidate = url.strip()
    if any(ch.isspace() or ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        return None
    return candidate


def open_source_link(node: Widget, url: str | None) -> None:
    """Open ``url`` in the browser, or say in one line why not."""
    link = web_link(url)
    if link is None:
        node.notify(
            "This question has no source link."
            if not url
            else "Not opened: the source link is not a web address (http or https).",
            severity="warning",
            markup=False,
        )
        return
    if node.app.is_web:
        node.app.open_url(link)
        node.notify("Opened in a new browser tab.", timeout=2, markup=False)
        return

    def start_browser() -> None:
        try:
            opened = webbrowser.open(link)
        except webbrowser.Error as exc:
            opened = False
            reason = one_line(exc, 200)
        else:
            reason = "no browser is available"
        if opened:
            node.app.call_from_thread(
                node.notify, "Opened in the browser.", timeout=2, markup=False
            )
        else:
            node.app.call_from_thread(
                node.notify, f"Not opened: {reason}.", severity="warning", markup=False
            )

    node.run_worker(start_browser, thread=True, group="open-link", exit_on_error=False)
