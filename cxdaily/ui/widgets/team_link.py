"""The team link's line under the session's clock (team mode only): connected, offline
since when, writes waiting, the last error. Without ``[team]`` it is never shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from cxdaily.ui.text import safe_line

if TYPE_CHECKING:
    from cxdaily.team.link import LinkState


def link_content(state: LinkState) -> Content:
    """``team: connected``, or ``team: offline since 09:12, 3 writes waiting · <the last
    error>`` (the error comes from the database or the network: kept literal)."""
    style = "$success" if state.connected else "$warning"
    parts: list[Content | str] = [Content.styled(state.words, style)]
    if state.last_error:
        parts.extend([Content.styled(" · ", "dim"), safe_line(state.last_error, 200, "dim")])
    return Content.assemble(*parts)


class TeamLinkLine(Static):
    """One line with the state of the link to the team database (hidden until told)."""

    DEFAULT_CSS = """
    TeamLinkLine {
        height: 1;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def on_mount(self) -> None:
        """Hidden until the first state arrives (never, without team mode)."""
        self.display = False

    def show_state(self, state: LinkState) -> None:
        """Show the link's state."""
        self.update(link_content(state))
        self.display = True
