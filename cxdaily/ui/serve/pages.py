"""The small HTML pages the server answers with instead of the app: a session already
open, a missing token, a request from elsewhere. Self-contained (no script, no external
resource), so they show even when the page's own assets would be refused."""

from __future__ import annotations

from html import escape

import msgspec

SESSION_ELSEWHERE = "The session is open in another tab or terminal"


class Refusal(msgspec.Struct, frozen=True):
    """A page that refuses a request: its HTTP status, its headline and one explanation."""

    status: int
    title: str
    detail: str

    def html(self) -> str:
        """The whole page."""
        title, detail = escape(self.title), escape(self.detail)
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>cxdaily · {title}</title>"
            "<style>body{font-family:system-ui,sans-serif;background:#0c181f;color:#e8eef2;"
            "display:flex;min-height:90vh;align-items:center;justify-content:center}"
            "main{max-width:36em;padding:2em}h1{font-size:1.4em}</style></head>"
            f'<body><main><h1 id="refusal">{title}</h1><p>{detail}</p></main></body></html>\n'
        )


SESSION_OPEN = Refusal(
    409,
    SESSION_ELSEWHERE,
    "cxdaily keeps one session per store, so nothing is written twice. Finish or close "
    "the other session (quit with q there), then reload this page.",
)
TOKEN_NEEDED = Refusal(
    401,
    "This cxdaily needs its access token",
    "Open the address `cxdaily serve` printed when the token was made (it ends in "
    "?token=...). Lost it? Run `cxdaily serve --new-token` for a new one.",
)
WRONG_HOST = Refusal(
    403,
    "This address is not served here",
    "The server answers only to the names it was started for. Open the address "
    "`cxdaily serve` printed.",
)
OTHER_ORIGIN = Refusal(
    403,
    "Refused: the request came from another site",
    "Only pages of this server may talk to the app.",
)
