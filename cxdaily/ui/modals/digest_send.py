"""Send the digest: the configured destinations with their last period sent, a tick for
each, and one line per outcome once sent.

The destinations are read in a thread worker (their last sends are in the store); the
send runs in another (:meth:`Service.send_digest`: redacted, at most once per period, a
held destination is never sent twice on its own). Without destinations the dialog says
how to configure one. Destination names and details come from the config and from the
destinations' answers: they reach the widgets only through ``ui.text``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, SelectionList, Static
from textual.widgets.selection_list import Selection

from cxdaily.core.errors import CxDailyError
from cxdaily.core.words import plural
from cxdaily.insights.delivery.model import DeliveryOutcome, DueDigest, OutcomeStatus
from cxdaily.insights.delivery.schedule import weekday_label
from cxdaily.insights.source import DigestRequest
from cxdaily.service.delivery import DestinationStatus
from cxdaily.settings.delivery import weekday_name
from cxdaily.ui.app import service_of
from cxdaily.ui.keys import DIGEST_SEND_COMMANDS, KeyedNode, KeyNames, key_names
from cxdaily.ui.text import safe_line
from cxdaily.ui.widgets.command_button import form_buttons
from cxdaily.ui.widgets.key_footer import KeyFooter

NO_DESTINATION = (
    "No destination is configured. Add a [destinations.NAME] table to config.toml "
    '(an email list, a Slack or Teams webhook, a tracker: see "Sending the digest" in the '
    "README), check it with `cxdaily destinations list`, then send from here."
)

OUTCOME_STYLES = {
    OutcomeStatus.SENT: "$success",
    OutcomeStatus.ALREADY: "dim",
    OutcomeStatus.HELD: "$warning",
    OutcomeStatus.FAILED: "$error",
}


def again_hint(destination: str) -> str:
    """What to do about a held destination (its earlier send may have gone out)."""
    return (
        f"check {destination}, then `cxdaily digest --send {destination} --again` sends it anyway"
    )


def due_line(due: DueDigest, today: date, keys: KeyNames) -> Content:
    """``Friday: the week's digest is ready for 2 destinations — s to send, D to read it``,
    and the held destinations with what to do."""
    day = weekday_name(due.day.weekday()) if due.day == today else weekday_label(due.day)
    ready = f"{day}: the week's digest is ready for {plural(len(due.destinations), 'destination')}"
    keys_part = f" — {keys.key('digest_week_send')} to send, {keys.key('digest_week')} to read it"
    lines = [
        Content.assemble(
            Content.styled(ready, "bold $accent"), Content.styled(keys_part, "$accent")
        )
    ]
    for name in due.held:
        lines.append(
            safe_line(
                f"{name} is held (an earlier send may have gone out): {again_hint(name)}",
                300,
                "$warning",
            )
        )
    return Content("\n").join(lines)


def destination_prompt(status: DestinationStatus) -> Content:
    """``team-slack  Slack message to hooks.slack.com · never sent`` (or its last send)."""
    last = status.last
    if last is None:
        sent = Content.styled("never sent", "dim italic")
    else:
        sent = Content.assemble(
            Content.styled("last: ", "dim"), safe_line(f"{last.label} ({last.state})", 80, "dim")
        )
    return Content.assemble(
        safe_line(status.name, 40, "bold"), "  ", safe_line(status.target, 60, "dim"), " · ", sent
    )


def outcome_lines(outcomes: list[DeliveryOutcome]) -> Content:
    """One line per destination, and what to do about a held one."""
    lines = [safe_line(o.line, 400, OUTCOME_STYLES[o.status]) for o in outcomes]
    for held in (o for o in outcomes if o.status is OutcomeStatus.HELD):
        lines.append(
            safe_line(f"{held.destination}: {again_hint(held.destination)}", 400, "$warning italic")
        )
    return Content("\n").join(lines)


def outcome_summary(outcomes: list[DeliveryOutcome]) -> str:
    """``Digest sent to 2 of 3 destinations.`` for a notification."""
    sent = sum(1 for o in outcomes if o.status is OutcomeStatus.SENT)
    return f"Digest sent to {sent} of {plural(len(outcomes), 'destination')}."


class DigestSendScreen(
    KeyedNode, ModalScreen[list[DeliveryOutcome] | None], commands=DIGEST_SEND_COMMANDS
):
    """Returns the outcomes of the send, or None when closed before sending."""

    def __init__(
        self, request: DigestRequest | None, what: Content, ticked: Collection[str] | None = None
    ) -> None:
        """``request``: the digest to send (None: the latest digest week); ``what``: it in
        words; ``ticked``: the destinations ticked at first (None: all)."""
        super().__init__()
        self.request = request
        self.what = what
        self.ticked = ticked
        self.sending = False
        self.outcomes: list[DeliveryOutcome] | None = None
        self.listed = False
        """The destinations are listed (read, and there is at least one)."""

    def compose(self) -> ComposeResult:
        """What is sent, the destinations, the outcomes, the buttons."""
        keys = key_names(self)
        with Vertical(id="send-form"):
            yield Static(Content.styled("Send the digest", "bold"))
            yield Static(self.what, id="send-what")
            yield SelectionList[str](id="send-list", compact=True)
            yield Static(Content.styled("Reading the destinations…", "dim"), id="send-result")
            yield form_buttons(
                keys,
                "digest_send_confirm",
                "digest_send_close",
                ids=("send-confirm", "send-close"),
                disabled=True,
            )
        yield KeyFooter()  # this dialog's keys, over the screen's

    def on_mount(self) -> None:
        """Read the destinations and their last sends."""
        self.query_one("#send-list").display = False
        self.load_destinations()

    @work(thread=True, group="digest-send", exit_on_error=False)
    def load_destinations(self) -> None:
        """The destinations and their last sends, off the UI thread (the store)."""
        try:
            statuses = service_of(self).digest_destinations()
        except CxDailyError as exc:
            self.app.call_from_thread(self._show_result, safe_line(exc, 300, "$error"))
            return
        self.app.call_from_thread(self._show_destinations, statuses)

    def _show_destinations(self, statuses: list[DestinationStatus]) -> None:
        if not statuses:
            self._show_result(Content(NO_DESTINATION))
            self.query_one("#send-confirm", Button).display = False  # nothing to send to
            return
        chosen = self.query_one("#send-list", SelectionList)
        if self.outcomes is not None:  # read again after the send: each row's last send
            ticked = set(chosen.selected)
            chosen.clear_options()
            chosen.add_options(
                Selection(destination_prompt(s), s.name, s.name in ticked) for s in statuses
            )
            return
        chosen.add_options(
            Selection(
                destination_prompt(status),
                status.name,
                self.ticked is None or status.name in self.ticked,
            )
            for status in statuses
        )
        chosen.display = True
        chosen.highlighted = 0
        chosen.focus()
        keys = key_names(self)
        hint = f"space ticks · {keys.hint('digest_send_all', 'digest_send_confirm')}"
        self._show_result(Content.styled(hint, "dim"))
        self.query_one("#send-confirm", Button).disabled = False
        self.listed = True
        self.refresh_bindings()  # the footer offers to send and tick

    def _show_result(self, content: Content) -> None:
        self.query_one("#send-result", Static).update(content)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Sending and ticking need destinations listed, and once sent the dialog only
        shows the outcomes: until then and after, their keys are not offered."""
        if action in ("confirm", "toggle_all"):
            return self.listed and self.outcomes is None
        return True

    def action_toggle_all(self) -> None:
        """Tick every destination, or none when all are ticked."""
        chosen = self.query_one("#send-list", SelectionList)
        if len(chosen.selected) == chosen.option_count:
            chosen.deselect_all()
        else:
            chosen.select_all()

    def action_confirm(self) -> None:
        """Send to the ticked destinations (once: the dialog then shows the outcomes)."""
        if self.sending or self.outcomes is not None:
            return
        if self.query_one("#send-confirm", Button).disabled:
            return
        names = list(self.query_one("#send-list", SelectionList).selected)
        if not names:
            self.notify("Tick at least one destination.", severity="warning", markup=False)
            return
        self.sending = True
        self.query_one("#send-list", SelectionList).disabled = True
        self.query_one("#send-confirm", Button).disabled = True
        self._show_result(Content.styled(f"Sending to {plural(len(names), 'destination')}…", "dim"))
        self.send(names)

    @work(thread=True, group="digest-send", exit_on_error=False)
    def send(self, names: list[str]) -> None:
        """Send off the UI thread; one outcome per destination."""
        try:
            outcomes = service_of(self).send_digest(self.request, destinations=names)
        except CxDailyError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._sent, outcomes)

    def _failed(self, message: str) -> None:
        self.sending = False
        if self not in self.app.screen_stack:  # closed while sending
            self.app.notify(message, severity="error", markup=False)
            return
        self.query_one("#send-list", SelectionList).disabled = False
        self.query_one("#send-confirm", Button).disabled = False
        self._show_result(safe_line(message, 400, "$error"))
        self.notify(message, severity="error", markup=False)

    def _sent(self, outcomes: list[DeliveryOutcome]) -> None:
        self.sending = False
        self.outcomes = outcomes
        if self in self.app.screen_stack:
            self._show_result(outcome_lines(outcomes))
            self.query_one("#send-confirm", Button).display = False  # sent: nothing to send
            self.query_one("#send-close", Button).focus()
            self.refresh_bindings()  # the footer no longer offers to send or tick
            self.load_destinations()  # the rows said "never sent" of what just went out
        failed = any(o.status in (OutcomeStatus.FAILED, OutcomeStatus.HELD) for o in outcomes)
        self.app.notify(
            outcome_summary(outcomes),
            title="Digest",
            severity="warning" if failed else "information",
            markup=False,
        )

    def action_close(self) -> None:
        """Close (a send under way finishes and is recorded all the same)."""
        self.dismiss(self.outcomes)
