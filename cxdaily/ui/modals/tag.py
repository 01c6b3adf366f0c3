"""Tag a question as an insight: tags (with completion), team, sentiment, importance,
a one-line summary, the customer's own words as a quote, and the leader's note.

Teams come from the configured taxonomy (``[taxonomy] teams``); tags complete from the
configured tags and areas and every tag used before."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Label, Select, Static, TextArea

from cxdaily.core.models import InsightEntry, Question
from cxdaily.core.safe_text import clean
from cxdaily.core.words import whole_sentences
from cxdaily.insights.taxonomy import SENTIMENTS, suggest_sentiment
from cxdaily.ui.app import service_of
from cxdaily.ui.keys import DISCARD_INSIGHT_COMMANDS, TAG_COMMANDS, KeyedNode, key_names
from cxdaily.ui.modals.confirm import ConfirmScreen, Part
from cxdaily.ui.modals.confirm import Question as Confirmation
from cxdaily.ui.text import customer_heading
from cxdaily.ui.widgets.command_button import form_buttons
from cxdaily.ui.widgets.key_footer import KeyFooter


class TagSuggester(Suggester):
    """Completes the last comma-separated tag from known tags."""

    def __init__(self, known: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.known = known

    async def get_suggestion(self, value: str) -> str | None:
        """The value with its last tag completed."""
        head, _, last = value.rpartition(",")
        stem = last.lstrip().lower()
        if not stem:
            return None
        for tag in self.known:
            if tag.lower().startswith(stem) and tag.lower() != stem:
                prefix = f"{head}, " if head else ""
                return prefix + tag
        return None


def _options(values) -> list[tuple[Content, str]]:
    return [(Content(str(v)), str(v)) for v in values]


class TagScreen(KeyedNode, ModalScreen[InsightEntry | None], commands=TAG_COMMANDS):
    """Returns the insight's fields, or None when cancelled."""

    def __init__(self, question: Question, known_tags: list[str]) -> None:
        super().__init__()
        self.question = question
        self.known_tags = known_tags

    def compose(self) -> ComposeResult:
        """The form."""
        text = clean(self.question.body)
        quote = whole_sentences(text)  # the customer's words, cut only between sentences
        self._quote = quote
        with VerticalScroll(id="tag-form"):  # scrolls on a small terminal: nothing out of reach
            yield Static(customer_heading("Insight from ", self.question))
            yield Label("Tags (comma-separated; → completes)")
            yield Input(
                placeholder="bug, billing",
                id="tag-tags",
                suggester=TagSuggester(self.known_tags),
                compact=True,
            )
            with Horizontal(classes="tag-row"):
                teams = service_of(self).settings.taxonomy.teams
                yield Select(
                    _options(teams),
                    prompt="Team",
                    id="tag-team",
                    value="product" if "product" in teams else Select.BLANK,
                    compact=True,
                )
                yield Select(
                    _options(SENTIMENTS),
                    prompt="Sentiment",
                    id="tag-sentiment",
                    value=suggest_sentiment(self.question),  # as curation read it
                    allow_blank=False,
                    compact=True,
                )
                yield Select(
                    [(Content(f"+{n}"), n) for n in (1, 2, 3)],
                    id="tag-importance",
                    value=1,
                    allow_blank=False,
                    compact=True,
                )
            yield Label("One-line summary")
            yield Input(placeholder="What should the team know?", id="tag-summary", compact=True)
            yield Label("The customer's words (quote)")
            yield TextArea(
                quote, id="tag-quote", soft_wrap=True, tab_behavior="focus", compact=True
            )
            yield Label("Your note for the team (optional)")
            yield Input(placeholder="Context, what to do next", id="tag-note", compact=True)
            yield form_buttons(
                key_names(self), "tag_save", "tag_cancel", ids=("tag-save", "tag-cancel")
            )
        yield KeyFooter()  # this dialog's keys, over the screen's

    def on_mount(self) -> None:
        """Start in the tags field."""
        self.query_one("#tag-tags", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a field moves on; enter in the summary or the note saves."""
        if event.input.id in ("tag-summary", "tag-note"):
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        """Validate and return the fields."""
        tags = tuple(
            t.strip().lower()
            for t in self.query_one("#tag-tags", Input).value.split(",")
            if t.strip()
        )
        if not tags:
            self.notify("Add at least one tag.", severity="warning")
            self.query_one("#tag-tags", Input).focus()
            return
        team = self.query_one("#tag-team", Select).value
        sentiment = self.query_one("#tag-sentiment", Select).value
        importance = self.query_one("#tag-importance", Select).value
        self.dismiss(
            InsightEntry(
                tags=tags,
                team=None if team is Select.NULL else str(team),
                sentiment=None if sentiment is Select.NULL else str(sentiment),
                importance=int(importance) if isinstance(importance, int) else 1,
                summary=self.query_one("#tag-summary", Input).value.strip(),
                quote=self.query_one("#tag-quote", TextArea).text.strip(),
                note=self.query_one("#tag-note", Input).value.strip(),
            )
        )

    def filled(self) -> bool:
        """Whether the leader wrote anything the form would lose (tags, summary, note, or an
        edited quote)."""
        typed = any(
            self.query_one(f"#{i}", Input).value.strip()
            for i in ("tag-tags", "tag-summary", "tag-note")
        )
        return typed or self.query_one("#tag-quote", TextArea).text.strip() != self._quote.strip()

    def action_cancel(self) -> None:
        """Close without recording; a filled form asks first."""
        if not self.filled():
            self.dismiss(None)
            return

        def decided(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(discard_question()), decided)


def discard_question() -> Confirmation:
    """Escape on a filled insight form: keep editing (the default) or discard it."""
    return Confirmation(
        id="discard",
        title="Discard this insight?",
        parts=(Part("discard-text", Content("What you typed in the form will be lost.")),),
        commands=DISCARD_INSIGHT_COMMANDS,
        no_variant="primary",
        yes_variant="error",
    )
