"""The digest, rendered: Textual's Markdown widget over the Markdown renderer's text.

The renderer (:mod:`cxdaily.insights.render_md`) escapes customer text so it is read as
text; the widget adds a second fence: its parser has no raw HTML, no images and no
bare-address links, and a clicked link opens only when it is an http(s) address (the
renderer writes links only for the sources' web addresses).

Textual's Markdown mounts a widget per block: a year's digest (15,000 insights, 46,000
lines) would take minutes to mount (600 of its lines took 9 s). So a digest with more than
:data:`FULL_DIGEST_LIMIT` insights is shown shortened: the themes, the numbers and the
first :data:`INSIGHTS_PER_TEAM` insights of each team, with a line per team saying how
many more there are and that the export holds them all (see :func:`preview_markdown`);
a year's digest then shows in about 2 s (building it takes 0.8 s of that).
"""

from __future__ import annotations

import msgspec
from markdown_it import MarkdownIt
from msgspec.structs import replace
from textual.widgets import Markdown

from cxdaily.core.words import plural
from cxdaily.insights.model import Digest, TagGroup, TeamGroup
from cxdaily.insights.output import render
from cxdaily.insights.render_md import md_heading
from cxdaily.insights.words import team_heading
from cxdaily.ui.source_link import open_source_link

FULL_DIGEST_LIMIT = 60
"""Digests with up to this many insights are shown whole."""
INSIGHTS_PER_TEAM = 5
"""Insights shown per team in a shortened digest (the most important first)."""


def safe_parser() -> MarkdownIt:
    """A CommonMark parser with GitHub tables and nothing that could reach out: no raw
    HTML, no images, no bare addresses turned into links."""
    parser = MarkdownIt("gfm-like", {"html": False, "linkify": False, "typographer": False})
    return parser.disable(["image", "linkify"], ignoreInvalid=True)


class DigestPreview(msgspec.Struct, frozen=True):
    """The Markdown the screen shows, and how much of the digest it holds."""

    markdown: str
    shown: int
    """Insights in the Markdown (all of them unless shortened)."""
    total: int

    @property
    def shortened(self) -> bool:
        """Whether some insights are left for the export."""
        return self.shown < self.total


def preview_markdown(digest: Digest, export_key: str) -> DigestPreview:
    """The digest's Markdown, whole when it has at most :data:`FULL_DIGEST_LIMIT`
    insights; else with the first :data:`INSIGHTS_PER_TEAM` insights of each team and a
    "… N more" line per team naming ``export_key`` (the tag headings keep their full
    counts)."""
    total = len(digest.insights)
    if total <= FULL_DIGEST_LIMIT:
        return DigestPreview(render(digest, "md"), total, total)
    groups = tuple(_first_of_team(team, INSIGHTS_PER_TEAM) for team in digest.groups)
    kept = tuple(i for team in groups for group in team.tags for i in group.insights)
    markdown = render(replace(digest, groups=groups, insights=kept), "md")
    markdown = _with_counts_and_more(markdown, digest.groups, groups, export_key)
    return DigestPreview(markdown, len(kept), total)


def more_line(hidden: int, export_key: str) -> str:
    """``… 120 more insights in this team: x exports them all.``"""
    return f"… {plural(hidden, 'more insight')} in this team: {export_key} exports them all."


def _first_of_team(team: TeamGroup, count: int) -> TeamGroup:
    """The team with only its first ``count`` insights (its count unchanged)."""
    tags: list[TagGroup] = []
    left = count
    for group in team.tags:
        if left <= 0:
            break
        tags.append(replace(group, insights=group.insights[:left]))
        left -= len(tags[-1].insights)
    return replace(team, tags=tuple(tags))


def _with_counts_and_more(
    markdown: str,
    full: tuple[TeamGroup, ...],
    shown: tuple[TeamGroup, ...],
    export_key: str,
) -> str:
    """The shortened Markdown with each tag heading's full count, and after each team
    that lost insights a line saying how many more the export holds."""
    headings = {
        f"### {md_heading(team_heading(team))}": (whole, team)
        for whole, team in zip(full, shown, strict=True)
    }
    out: list[str] = []
    pending = ""

    def close_team() -> None:
        nonlocal pending
        if pending:
            out.extend([pending, ""])
            pending = ""

    counts: dict[str, str] = {}
    for line in markdown.split("\n"):
        if line.startswith(("## ", "### ")):
            close_team()
        if line in headings:
            whole, team = headings[line]
            counts = {
                f"#### {md_heading(group.tag)} ({len(group.insights)})": (
                    f"#### {md_heading(group.tag)} ({len(original.insights)})"
                )
                for original, group in zip(whole.tags, team.tags, strict=False)
            }
            hidden = whole.count - sum(len(group.insights) for group in team.tags)
            if hidden > 0:
                pending = f"*{more_line(hidden, export_key)}*"
        out.append(counts.get(line, line))
    close_team()
    return "\n".join(out)


class DigestView(Markdown):
    """The rendered digest; a clicked link opens only when it is a web address."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, parser_factory=safe_parser, open_links=False)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        """Open an http(s) link in the browser; say why anything else is not opened."""
        event.stop()
        open_source_link(self, event.href)
