"""The start screen: today's batch, the budget, the estimate and the streak.

Cached questions show at once: the first frame needs only the batch, the one kept after
the last fetch when nothing changed since (:mod:`cxdaily.service.kept_batch`), else one
curated then. The streak is read in a thread right after it (it goes over every recorded
action), and a background refresh brings fresh questions in and curates the batch again
in its own thread (also when the refresh fails, if the kept batch is on screen), so the
keys stay quick while the leader reads. A must-see question (VIP, data loss, security,
legal, churn) that does not fit the budget is named on the very first line, with the key
that adds it to the session (which grows by its estimate). From the digest day on, while
a configured destination has not had the week's digest, a line offers to send it (``s``)
or read it (``D``); it is worked out in a thread worker once the batch is on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from textual import events, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from cxdaily.core.errors import CxDailyError
from cxdaily.core.models import Reply
from cxdaily.core.words import plural
from cxdaily.curation import Batch
from cxdaily.curation.explain import must_see_words
from cxdaily.service import Service
from cxdaily.streaks import Streak
from cxdaily.ui.app import app_of, service_of
from cxdaily.ui.batch_lines import batch_lines, must_see_line, summary_line
from cxdaily.ui.keys import START_COMMANDS, bindings, key_names
from cxdaily.ui.messages import OpenDemo
from cxdaily.ui.text import safe_line
from cxdaily.ui.widgets.channel_status import status_content
from cxdaily.ui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from cxdaily.connectors.runner import ChannelOutcome
    from cxdaily.insights.delivery.model import DeliveryOutcome, DueDigest

Found = TypeVar("Found")
"""What a store read in a thread worker finds (see :meth:`StartScreen._read_then_show`)."""


SHORT_SCREEN_ROWS = 24
"""Below this many rows the start screen leaves the heatmap out, so the batch shows."""
SCREENS_PREPARED_AFTER_S = 0.4
"""How long after the batch's first frame the next screens' stylesheets and the session
screen's modules load, and the session screen is built ahead for the batch (the leader
is reading the batch then; see :meth:`CxDailyApp.prepare_screens` and
:mod:`cxdaily.ui.session_ahead`)."""


class StartScreen(Screen):
    """Shows today's batch; enter begins the session."""

    BINDINGS = bindings(START_COMMANDS)
    KEY_COMMANDS = START_COMMANDS

    def __init__(self) -> None:
        super().__init__()
        self.todays_batch: Batch | None = None
        self.refreshing = False
        self.no_channel_fetched = False
        """Every channel's last fetch failed, as the channels' line last read them."""
        self.kept_shown = False
        """The batch shown is the one kept after the last fetch: curated again after the
        refresh, even when the refresh fails."""
        self.added_must_see: set[str] = set()
        """Must-see questions the leader added beyond the budget (kept across refreshes)."""
        self.digest_due: DueDigest | None = None
        """The week's digest when a destination has not had it (None: nothing to offer)."""
        self.next_screens_prepared = False
        """The next screens' stylesheets and modules are loaded: from then on the session
        screen is built ahead for each batch shown (:mod:`cxdaily.ui.session_ahead`)."""

    @property
    def service(self) -> Service:
        """The app's service."""
        return service_of(self)

    def compose(self) -> ComposeResult:
        """The must-see line, title, summary, channels, the batch, and the keys (the
        footer: the keys that work here, one that waits for a batch dimmed)."""
        must_see = Static(id="start-must-see")
        must_see.display = False
        yield must_see
        yield Static(id="start-title")
        yield Static(Content("Loading today's batch…"), id="start-summary")
        digest_line = Static(id="start-digest")
        digest_line.display = False
        yield digest_line
        yield Static(id="start-channels")
        yield Vertical(id="start-extras")  # promises line and heatmap, one frame later
        with VerticalScroll(id="start-batch"):
            yield Static(id="start-list")
        yield KeyFooter()

    def on_resize(self, event: events.Resize) -> None:
        """On a short terminal the heatmap gives its rows to the batch (S shows it)."""
        self.set_class(event.size.height < SHORT_SCREEN_ROWS, "-short")
        app_of(self).session_ahead.draw()  # at the new size

    def on_mount(self) -> None:
        """Show the cached batch at once, then refresh in the background."""
        service = self.service
        day = service.settings.session.days.today(service.now())
        title = f"cxdaily · {day:%A %-d %B}"
        if app_of(self).demo:
            title += " · demo inbox"
        self.query_one("#start-title", Static).update(Content.styled(title, "bold"))
        self.call_after_refresh(app_of(self).settle_heap)  # once the first frame is up
        if not service.settings.channels:
            self._show_onboarding()
            return
        self.show_batch(kept=True)
        # the channels' line reads their checkpoints, kept with the questions (megabytes):
        # once the batch's first frame is out
        self.call_after_refresh(self.show_channels)
        self.call_after_refresh(self.load_streak)
        self.call_after_refresh(self._mount_extras)
        self.call_after_refresh(self.refresh_channels)
        self.call_after_refresh(self.check_digest_due)
        self.set_timer(SCREENS_PREPARED_AFTER_S, self._prepare_next_screens)

    def _prepare_next_screens(self) -> None:
        """While the leader reads the batch: load what the next screens need, then build
        the session screen for the batch."""
        app_of(self).prepare_screens()
        self.next_screens_prepared = True
        self.build_session_ahead()

    def build_session_ahead(self) -> None:
        """Build the session screen for the batch shown, off the screen (see
        :mod:`cxdaily.ui.session_ahead`): only once the next screens are prepared, and
        while this screen is the one shown."""
        if self.next_screens_prepared and self.is_current and self.todays_batch is not None:
            app_of(self).session_ahead.build(self.todays_batch)

    def on_screen_resume(self) -> None:
        """Back on the start screen: the session screen is built ahead again."""
        self.call_after_refresh(self.build_session_ahead)

    async def _mount_extras(self) -> None:
        """After the batch is on screen: the promises-and-outbox line and the heatmap."""
        from cxdaily.ui.widgets.heatmap import CompactHeatmap
        from cxdaily.ui.widgets.ledger_line import LedgerLine

        await self.query_one("#start-extras", Vertical).mount(
            LedgerLine(id="start-ledger"), CompactHeatmap(id="start-heatmap")
        )
        self._show_heatmap()

    def _show_heatmap(self) -> None:
        streak = app_of(self).streak
        if streak is None or not self.query("#start-heatmap"):
            return  # the heatmap is mounted a frame after the batch
        from cxdaily.ui.widgets.heatmap import CompactHeatmap

        for heatmap in self.query(CompactHeatmap):
            heatmap.show(streak)

    def _show_onboarding(self) -> None:
        keys = key_names(self)
        self.query_one("#start-summary", Static).update(
            Content.styled("No channel is connected yet.", "bold")
        )
        onboarding = self.query_one("#start-list", Static)
        onboarding.add_class("onboarding")  # prose: wrapped, never cut at the edge
        if self.app.is_web:  # the demo is its own app: it cannot start inside this tab
            demo = (
                "To try the demo inbox in a browser, run `cxdaily serve --demo` and open the "
                "address it prints: realistic questions, nothing is sent anywhere.\n\n"
            )
        else:
            demo = (
                f"Press {keys.key('demo')} to try the demo inbox: realistic questions, "
                "nothing is sent anywhere.\n\n"
            )
        onboarding.update(
            Content(
                demo + "Or connect a channel from the command line, for example:\n"
                "  cxdaily channels add desk zendesk subdomain=acme email=me@acme.io\n"
                "  cxdaily login desk\n"
                "  cxdaily channels test desk\n"
                "then run cxdaily again. `cxdaily channels kinds` lists every kind (help "
                "desks, email, social networks, communities, blogs, reviews, JSON-lines "
                "files, any HTTP JSON API) and its settings."
            )
        )
        self.refresh_bindings()

    def show_batch(self, *, kept: bool = False) -> None:
        """Compute and show the batch from stored questions, with the streak as last
        known (:meth:`load_streak` brings it up to date, off the UI thread). With
        ``kept``, the batch kept after the last fetch comes first when nothing changed
        since (:meth:`Service.kept_batch`): the refresh curates it again in its thread."""
        try:
            batch = self.service.kept_batch() if kept else None
            shown_kept = batch is not None
            batch = batch or self.service.batch()
        except CxDailyError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self._display_batch(batch, app_of(self).streak)
        self.kept_shown = shown_kept

    @work(thread=True, exclusive=True, group="streak", exit_on_error=False)
    def load_streak(self) -> None:
        """Read the streak in a thread once the batch is on screen: it goes over every
        recorded action (a quarter of a second with five years of history)."""
        self._read_then_show(self.service.streak, self._show_streak)

    def _read_then_show(self, read: Callable[[], Found], show: Callable[[Found], None]) -> None:
        """In a thread worker: ``read`` the store, then ``show`` what was found on the UI
        thread (a store error becomes a notification)."""
        try:
            found = read()
        except CxDailyError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(show, found)

    def _show_streak(self, streak: Streak) -> None:
        """The streak in the summary line and the heatmap."""
        app = app_of(self)
        app.streak = streak
        if self.todays_batch is not None:
            summary = summary_line(self.todays_batch, streak)
            self.query_one("#start-summary", Static).update(summary)
        self._show_heatmap()
        app.settle_heap()  # the actions behind it stay in memory

    def _todays_batch_and_streak(self) -> tuple[Batch, Streak]:
        """Today's batch and the streak, from the store (the UI thread or a worker)."""
        service = self.service
        return service.batch(keep=True), service.streak()

    def _show_fresh(self, fresh: tuple[Batch, Streak]) -> None:
        """The batch curated again in place of the kept one (the refresh failed)."""
        if self.is_current:
            self._display_batch(*fresh)

    def _display_batch(self, batch: Batch, streak: Streak | None) -> None:
        """Show ``batch`` (with the must-see questions the leader added) and ``streak``
        (None: not read yet)."""
        if self.added_must_see:
            batch = batch.with_must_see(self.added_must_see)
        self.todays_batch = batch
        self.kept_shown = False
        if streak is not None:
            app_of(self).streak = streak
        self._show_must_see()
        self.query_one("#start-summary", Static).update(summary_line(self.todays_batch, streak))
        self._show_heatmap()
        if self.todays_batch.items:
            self.query_one("#start-list", Static).remove_class("onboarding")
            self.query_one("#start-list", Static).update(batch_lines(self.todays_batch))
        else:
            self._show_nothing()
        self.refresh_bindings()
        self.call_after_refresh(self.build_session_ahead)

    def _show_nothing(self) -> None:
        """Why no question waits: they are being fetched, none came, or no channel could
        be fetched (then nothing will come until that is fixed)."""
        if self.refreshing:
            words = "Fetching questions…"
        elif self.no_channel_fetched:
            words = (
                "Nothing to answer: no channel could be fetched. `cxdaily channels test` "
                "says what each one needs."
            )
        else:
            words = "Nothing waiting right now."
        self.query_one("#start-list", Static).update(Content(words))

    def _show_must_see(self) -> None:
        """The first line: the must-see questions that do not fit, and the key that adds
        them (hidden when there are none)."""
        line = self.query_one("#start-must-see", Static)
        batch = self.todays_batch
        content = must_see_line(batch, key_names(self).key("add_must_see")) if batch else None
        line.display = bool(content and content.plain)
        line.update(content or Content(""))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """What the footer offers, and what works: begin is dimmed until there is a batch
        to begin (and left out of the onboarding, with no channel); refresh needs a
        channel; the demo key is for the onboarding in a terminal (served in a browser,
        the line says how to open the demo); the add-must-see key only while a must-see
        question is out; the digest's send key only while the week's digest is offered."""
        if action == "begin":
            if not self.service.settings.channels:
                return False  # the onboarding: nothing to begin until a channel is set up
            return True if self.todays_batch and self.todays_batch.items else None
        if action == "add_must_see":
            return bool(self.todays_batch and self.todays_batch.must_see_left_out)
        if action == "send_digest_week":
            return self.digest_due is not None
        if action == "refresh":
            return bool(self.service.settings.channels)
        if action == "open_demo":
            return not self.app.is_web and not self.service.settings.channels
        return True

    # ------------------------------------------------------------ the week's digest
    @work(thread=True, exclusive=True, group="digest-due", exit_on_error=False)
    def check_digest_due(self) -> None:
        """Whether the week's digest is due somewhere (reads the store: off the UI thread)."""
        self._read_then_show(self.service.digest_due, self._show_digest_due)

    def _show_digest_due(self, due: DueDigest | None) -> None:
        """The offer line (hidden when nothing is due)."""
        from cxdaily.ui.modals.digest_send import due_line

        self.digest_due = due
        line = self.query_one("#start-digest", Static)
        line.display = due is not None
        if due is not None:
            today = self.service.settings.session.days.today(self.service.now())
            line.update(due_line(due, today, key_names(self)))
        self.refresh_bindings()

    def action_send_digest_week(self) -> None:
        """Pick the destinations (those missing the week's digest ticked) and send it."""
        due = self.digest_due
        if due is None:
            return
        from cxdaily.ui.modals.digest_send import DigestSendScreen

        what = Content.assemble(
            Content.styled("The week's digest", "bold"), " · ", safe_line(due.period.label, 60)
        )
        self.app.push_screen(
            DigestSendScreen(None, what, ticked=due.destinations), callback=self._after_send
        )

    def _after_send(self, outcomes: list[DeliveryOutcome] | None) -> None:
        if outcomes is not None:
            self.check_digest_due()

    def action_read_digest_week(self) -> None:
        """The digest screen, on the digest week when its digest is offered."""
        from cxdaily.ui.screens.digest import DIGEST_WEEK, DigestScreen

        self.app.push_screen(DigestScreen(DIGEST_WEEK if self.digest_due else None))

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False)
    def refresh_channels(self) -> None:
        """Fetch every channel in a thread; each channel's status updates as it lands."""
        service = self.service
        fetching = set(service.settings.channels)
        self.app.call_from_thread(self.show_channels, set(fetching))

        def landed(outcome: ChannelOutcome) -> None:
            fetching.discard(outcome.channel)
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self.show_channels, set(fetching))

        self.refreshing = True
        fresh: tuple[Batch, Streak] | None = None
        try:
            report = service.refresh(on_done=landed)
            flushed = service.send_pending()
            if self.is_current:  # curated here, not on the UI thread: keys stay quick
                fresh = self._todays_batch_and_streak()
        except CxDailyError as exc:  # the whole refresh failed: no channel is fetching
            self.app.call_from_thread(self.show_channels)
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            if self.kept_shown and self.is_current:  # the store is read all the same
                self._read_then_show(self._todays_batch_and_streak, self._show_fresh)
            return
        finally:
            self.refreshing = False
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._after_refresh, report.added, fresh)
            self.app.call_from_thread(self._tell_outbox, flushed)

    def show_channels(self, fetching: set[str] | None = None) -> None:
        """Show each channel's last fetch, count or error."""
        service = self.service
        try:
            statuses = service.channel_status()
        except CxDailyError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.query_one("#start-channels", Static).update(
            status_content(statuses, fetching or set(), service.now())
        )
        self.no_channel_fetched = bool(statuses) and all(status.error for status in statuses)
        if self.todays_batch is not None and not self.todays_batch.items:
            self._show_nothing()  # read here, after the first frame: not before it

    def _tell_outbox(self, flushed: list[Reply]) -> None:
        """Say what the outbox just did, and redraw the promises-and-outbox line."""
        from cxdaily.ui.outbox_status import flushed_messages

        for message, severity in flushed_messages(flushed, keys=key_names(self)):
            self.notify(message, severity=severity, markup=False)
        if not self.query("#start-ledger"):
            return
        from cxdaily.ui.widgets.ledger_line import LedgerLine

        for ledger in self.query(LedgerLine):
            ledger.redraw()

    def _after_refresh(self, added: int, fresh: tuple[Batch, Streak] | None) -> None:
        """Show the batch curated after the refresh (curated now when the screen was
        covered then), and say how many questions came in."""
        if self.is_current:
            if fresh is None:
                self.show_batch()
                self.load_streak()
            else:
                self._display_batch(*fresh)
                app_of(self).settle_heap()  # the questions behind it stay in memory
            if added:
                self.notify(f"{plural(added, 'new question')} fetched.")

    def action_begin(self) -> None:
        """Start the session on the batch."""
        if self.todays_batch is None or not self.todays_batch.items:
            self.notify("Nothing to begin yet.", severity="warning")
            return
        app_of(self).begin_session(self.todays_batch)

    def action_add_must_see(self) -> None:
        """Add the must-see questions that do not fit; the session grows by their time."""
        batch = self.todays_batch
        if batch is None or not batch.must_see_left_out:
            return
        missing = batch.must_see_left_out
        self.added_must_see.update(entry.item.question.id for entry in missing)
        self.todays_batch = batch.with_must_see()
        self._show_must_see()
        summary = summary_line(self.todays_batch, app_of(self).streak)
        self.query_one("#start-summary", Static).update(summary)
        self.query_one("#start-list", Static).update(batch_lines(self.todays_batch))
        self.call_after_refresh(self.build_session_ahead)
        self.notify(
            f"Added {must_see_words(missing)}: today's session is "
            f"{plural(self.todays_batch.budget_s // 60, 'minute')}.",
            markup=False,
        )

    def action_refresh(self) -> None:
        """Fetch now."""
        if self.service.settings.channels:
            self.refresh_channels()

    def action_open_demo(self) -> None:
        """Switch to the demo inbox (from the onboarding screen)."""
        self.post_message(OpenDemo())

    def action_quit_app(self) -> None:
        """Leave."""
        self.app.exit()
