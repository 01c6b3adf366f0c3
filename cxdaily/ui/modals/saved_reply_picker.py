"""Pick one of the leader's saved replies by a few typed letters.

The replies are read once, in a thread worker, when the picker opens (the files live in
the config folder's ``replies/``); typing then ranks them in memory
(:func:`cxdaily.replies.saved_search.search_saved_replies`). The picker returns the
name of the reply picked; the session fills it for the question and inserts it
(:mod:`cxdaily.ui.saved_reply_insert`). With no saved reply yet it says how to add one.
The files are the leader's own, but what is shown of them is literal text all the same.
"""

from __future__ import annotations

from textual.content import Content

from cxdaily.core.errors import CxDailyError
from cxdaily.core.safe_text import one_line
from cxdaily.core.words import plural
from cxdaily.replies.saved import SavedReply
from cxdaily.replies.saved_search import search_saved_replies
from cxdaily.ui.app import service_of
from cxdaily.ui.keys import key_names
from cxdaily.ui.modals.search_pick import SearchPickScreen
from cxdaily.ui.text import safe_line

ADD_HINT = "cxdaily replies add NAME"
"""The command that adds a saved reply (named when there is none)."""


def saved_reply_prompt(reply: SavedReply) -> Content:
    """'Refund on the way  refund-on-the-way' and the text's first line under it."""
    return Content.assemble(
        safe_line(reply.title, 50, "bold"),
        Content.styled("  ", ""),
        safe_line(reply.name, 30, "dim"),
        "\n  ",
        safe_line(reply.first_line, 70, "dim"),
    )


def empty_note(query: str, loaded: bool) -> Content:
    """What the picker says when it lists nothing: how to add a first reply, or that
    nothing matches."""
    if not loaded:
        return Content.styled("No saved replies yet. Add one from a terminal:\n", "") + (
            Content.styled(f"  {ADD_HINT}", "bold")
        )
    return Content.assemble(
        Content.styled("No saved reply matches ", "dim"),
        safe_line(f'"{query}"', 40, "dim"),
        Content.styled(f". Add one with {ADD_HINT}.", "dim"),
    )


class SavedReplyPicker(SearchPickScreen[str]):
    """Returns the name of the saved reply picked, or None."""

    def __init__(self) -> None:
        super().__init__(
            Content.styled("Insert a saved reply", "bold"),
            "type to search by name, title or words",
            form_id="saved-reply-picker",
        )
        self.replies: list[SavedReply] | None = None  # None: still reading the files
        self.matches: list[SavedReply] = []
        self.warnings: tuple[str, ...] = ()

    def on_mount(self) -> None:
        """Read the saved replies off the UI thread."""
        super().on_mount()
        service = service_of(self)

        def read() -> None:
            try:
                loaded = service.saved.load()
                replies = service.saved_replies("")
            except CxDailyError as exc:
                self.app.call_from_thread(self._failed, exc)
                return
            self.app.call_from_thread(self._loaded, replies, loaded.warnings)

        self.run_worker(read, thread=True, group="saved-replies", exit_on_error=False)

    def _failed(self, exc: CxDailyError) -> None:
        self.replies = []
        self.show_matches([], Content.styled(f"The saved replies cannot be read: {exc}", ""))

    def _loaded(self, replies: list[SavedReply], warnings: tuple[str, ...]) -> None:
        self.replies = replies
        self.warnings = warnings
        self.refilter(self.query_text)

    def refilter(self, query: str) -> None:
        """Rank the saved replies for ``query`` (all of them, by name, when empty)."""
        if self.replies is None:
            self.show_matches([], Content.styled("Reading your saved replies…", "dim"))
            return
        self.matches = search_saved_replies(self.replies, query) if self.replies else []
        note = None
        if not self.matches:
            note = empty_note(query, bool(self.replies))
        elif self.warnings:
            skipped = plural(len(self.warnings), "file")
            note = Content.styled(f"{skipped} skipped: {one_line(self.warnings[0], 80)}", "dim")
        else:
            keys = key_names(self)
            note = Content.styled(keys.hint("pick_choose", "pick_cancel"), "dim")
        self.show_matches([saved_reply_prompt(reply) for reply in self.matches], note)

    def picked(self, index: int) -> str | None:
        """The name of the reply at ``index``."""
        return self.matches[index].name if 0 <= index < len(self.matches) else None
