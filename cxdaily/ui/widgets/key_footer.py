"""The footer of every screen: the keys that work here, help first, fitted to the width.

Textual's footer lists a screen's keys, then the app's, then the palette's; at 80 columns
the session's last keys were cut ("q Wr", and no help at all). This one puts ``f1 Help``
first (as htop and nano do: whatever the width, the leader sees where every key is
listed) and the key that leaves the screen (``esc Back``) right after it, so that a narrow
terminal cuts only the screen's own commands; it turns compact (less space around each
key) below :data:`ROOMY_COLUMNS`, and leaves out the palette's key there (the palette is
listed in help, and ``ctrl+p`` still opens it).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.events import Resize
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

ROOMY_COLUMNS = 100
"""Below this width the footer is compact and without the palette's key."""
HELP_ACTIONS = frozenset({"help", "app.help"})
LEAVE_ACTIONS = frozenset({"back"})
"""The actions that close a screen (stats, digest, promises, a customer's history)."""


class KeyFooter(Footer):
    """The footer: help first, compact and without the palette's key when narrow."""

    def __init__(self) -> None:
        roomy = self._roomy()
        super().__init__(compact=not roomy, show_command_palette=roomy)

    def _roomy(self) -> bool:
        """Whether the terminal is wide enough for the roomy footer."""
        try:
            return self.app.size.width >= ROOMY_COLUMNS
        except Exception:  # no app yet (built outside one): the roomy default
            return True

    def compose(self) -> ComposeResult:
        """Textual's keys, help first, then the key that leaves the screen, then the
        screen's in the order its key table gives (a key remapped in ``[keys]`` is bound
        anew, and Textual listed it last)."""
        keys = list(super().compose())
        order = {c.action: n for n, c in enumerate(getattr(self.screen, "KEY_COMMANDS", ()))}

        def place(key: object) -> tuple[int, int]:
            if not isinstance(key, FooterKey):
                return (2, 0)  # the palette's key, after every other
            if key.action in HELP_ACTIONS:
                return (0, 0)
            if key.action in LEAVE_ACTIONS:
                return (0, 1)
            return (1, order.get(key.action, len(order)))

        yield from sorted(keys, key=place)  # a stable sort: ties keep Textual's order

    async def recompose(self) -> None:
        """Compose the keys anew (Textual does on every change of the screen's bindings)
        and fit them to the width before the next frame: no frame shows a cut key."""
        with self.app.batch_update():
            await super().recompose()
            self._fit_keys(self.size.width or self.app.size.width)

    def _fit_keys(self, width: int) -> None:
        """Hide the first key a footer ``width`` columns wide would cut, and every key
        after it: a key shows whole or not at all ("x Expor" said nothing; help lists
        every key). Each key's width is its text and spacing, as Textual lays it out, so
        this needs no layout and runs before the keys are first drawn."""
        every = list(self.query_children(FooterKey))
        palette = [key for key in every if key.has_class("-command-palette")]
        right = width - sum(_columns(key) for key in palette)  # docked at the right
        left = 0
        cut = False
        for key in every:
            if key in palette:
                continue
            left += key.styles.margin.left
            columns = _columns(key)
            cut = cut or left + columns > right
            key.display = not cut
            left += columns + key.styles.margin.right

    def on_resize(self, event: Resize) -> None:
        """Fit the footer to the new width."""
        roomy = event.size.width >= ROOMY_COLUMNS
        if roomy == self.show_command_palette and roomy != self.compact:
            self._fit_keys(event.size.width)
            return
        self.compact = not roomy
        self.show_command_palette = roomy
        self.refresh(recompose=True)


def _columns(key: FooterKey) -> int:
    """The columns ``key`` takes without its margins: its text, padding and border."""
    size = key.app.size
    return key.get_content_width(size, size) + key.styles.gutter.width
