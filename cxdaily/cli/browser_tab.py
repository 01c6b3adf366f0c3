"""Whether this process is the app of a browser tab's session (``cxdaily serve``).

Kept apart from :mod:`cxdaily.cli.serve` so that every launch of the app can ask without
loading the server's command (its token, address and socket handling).
"""

from __future__ import annotations

import os

#: The Textual driver textual-serve runs each browser session's app with.
WEB_DRIVER = "web_driver:WebDriver"


def served_in_browser() -> bool:
    """Whether this process is an app session textual-serve started for a browser tab
    (it runs one app: when that app ends, the tab's session ends with it)."""
    return os.environ.get("TEXTUAL_DRIVER", "").endswith(WEB_DRIVER)
