"""Undo: a session's last actions, and the window in which a sent reply can come back.

- **Actions.** A skip, snooze, hand-off or tag recorded in a session can be undone, the
  newest first, for the rest of that session. :class:`SessionUndo` keeps one stack of
  :class:`UndoStep` per session, in memory (a restart starts with an empty stack), and
  :meth:`SessionUndo.undo_last` reverses the newest step in the store, durably: the
  action record is forgotten and a tag's insight deleted, so the batch, the streak and
  the stats, all computed from the store, are what they were before the action.
  Hand-offs and insights are local records (nothing delivers them anywhere but the
  digests the leader exports), so an undo removes them entirely; a digest file
  exported before keeps what it held. In team mode the undo follows them to the team
  database: the leader's own insight or hand-off is removed there too (a queued write),
  or the insight as first recorded is written back.
- **Replies.** A reply's "answered" is not on the stack: a reply is undone by pulling it
  back while it waits for its undo window
  (:meth:`cxdaily.service.replies.Replies.pull_back`). :class:`UndoWindows` says which
  replies wait and when the next one goes out, so that the app schedules the send and
  draws a countdown without polling.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import msgspec

from cxdaily.core.errors import CxDailyError, StoreError
from cxdaily.core.models import Action, Disposition, Insight, Question, Reply
from cxdaily.core.safe_text import one_line
from cxdaily.service.context import ServiceContext

if TYPE_CHECKING:
    from cxdaily.service.team import TeamRecorder

#: What each undoable action is called in the words of an undo.
ACTION_NAMES = {
    Disposition.SKIPPED: "skip",
    Disposition.SNOOZED: "snooze",
    Disposition.HANDED_OFF: "hand-off",
    Disposition.TAGGED: "tag",
}


class UndoStep(msgspec.Struct, frozen=True):
    """One action of a session as it was recorded, with what undoing it restores."""

    action: Action
    action_id: str
    """The id the action was recorded with (it finds the record again)."""
    insight: Insight | None = None
    """The insight a tag recorded."""
    replaced_insight: Insight | None = None
    """The same insight as a tag earlier that day recorded it (the tag repeated it): the
    undo puts it back instead of deleting the insight."""
    replaced_action: Action | None = None
    """The action that earlier tag recorded, when this session recorded it."""


class Undone(msgspec.Struct, frozen=True):
    """What an undo reversed: the app puts the question back in the queue."""

    kind: Disposition
    """The action undone: skipped, snoozed, handed off or tagged."""
    question_id: str
    description: str
    """One line for a toast ("Skip undone: Jane Doe's question is back"); the
    customer's name in it is customer text, cleaned to one line."""


class SessionUndo:
    """The undoable actions of each session, newest last, and their undo."""

    def __init__(self, context: ServiceContext, team: TeamRecorder | None = None) -> None:
        self._context = context
        self._team = team
        """Team mode (``None`` without ``[team]``): told of insights and hand-offs undone."""
        self._stacks: dict[str, list[UndoStep]] = {}

    def push(self, session_id: str | None, step: UndoStep) -> None:
        """Remember a recorded action of a session (an action outside a session, from a
        script, has no session to undo it in)."""
        if session_id is None:
            return
        with self._context.lock:
            self._stacks.setdefault(session_id, []).append(step)

    def recorded(self, session_id: str | None, action_id: str) -> Action | None:
        """The action this session last recorded with ``action_id``, if still undoable."""
        with self._context.lock:
            steps = self._stacks.get(session_id or "", [])
            return next((s.action for s in reversed(steps) if s.action_id == action_id), None)

    def can_undo(self, session_id: str) -> bool:
        """Whether the session has an action left to undo."""
        with self._context.lock:
            return bool(self._stacks.get(session_id))

    def undo_last(self, session_id: str) -> Undone | None:
        """Reverse the session's newest undoable action, durably; None when there is
        none. Under the service's lock: two undos at once reverse two steps, never one
        step twice. A store that fails keeps the step on the stack (undo again to finish:
        each reversal can be repeated) and raises a StoreError saying so."""
        context = self._context
        with context.lock:
            stack = self._stacks.get(session_id)
            if not stack:
                return None
            step = stack.pop()
            name = ACTION_NAMES.get(step.action.disposition, step.action.disposition.value)
            try:
                self._reverse(step)
            except StoreError as exc:
                stack.append(step)
                raise StoreError(
                    f"undoing the {name} of {step.action.question_id} failed: {exc}"
                ) from exc
            self._tell_team(step)
        return Undone(
            kind=step.action.disposition,
            question_id=step.action.question_id,
            description=self._description(step, name),
        )

    def _reverse(self, step: UndoStep) -> None:
        """Put the store back as it was before the step: the action first, then a tag's
        insight (the reverse of the order a tag writes them)."""
        activity, insights = self._context.store.activity, self._context.store.insights
        if step.replaced_action is not None:
            activity.record(step.replaced_action, step.action_id)
        elif step.replaced_insight is None:
            activity.forget(step.action_id, step.action.at)
        if step.replaced_insight is not None:
            insights.add(step.replaced_insight)
        elif step.insight is not None:
            insights.remove(step.insight)

    def _tell_team(self, step: UndoStep) -> None:
        """Queue the team write that follows a reversed step (team mode only): the
        earlier insight written back, or the leader's own insight or hand-off removed."""
        team = self._team
        if team is None:
            return
        if step.replaced_insight is not None:
            team.insight_recorded(step.replaced_insight)
        elif step.insight is not None:
            team.insight_removed(step.insight)
        elif step.action.disposition is Disposition.HANDED_OFF:
            team.handoff_removed(step.action)

    def _description(self, step: UndoStep, name: str) -> str:
        """The toast's line for an undone step."""
        question_id = step.action.question_id
        try:
            question: Question | None = self._context.store.questions.get(question_id)
        except CxDailyError:
            question = None
        from cxdaily.replies.outbox_words import customer_label

        whose = f"{one_line(customer_label(question, question_id), 60)}'s question"
        if step.action.disposition is Disposition.TAGGED:
            if step.replaced_insight is not None:
                return f"Tag undone: the insight on {whose} stays as first recorded"
            return f"Tag undone: the insight on {whose} is removed"
        if step.action.disposition is Disposition.HANDED_OFF and step.action.team:
            name = f"{name} to {one_line(step.action.team, 40)}"
        return f"{name[:1].upper()}{name[1:]} undone: {whose} is back"


class UndoWindows:
    """Which replies wait for their undo window, and when the next one goes out."""

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def waiting(self) -> list[Reply]:
        """Replies in their undo window, the first to go out first (each one's
        ``send_after`` says when; read from the store's copy in memory, not the disk)."""
        from cxdaily.replies.outbox import in_undo_window  # loaded with the first reply

        now = self._context.now()
        with self._context.lock:
            unsent = self._context.store.outbox.unsent()
        found = [r for r in unsent if in_undo_window(r, now)]
        return sorted(found, key=lambda r: r.send_after or now)

    def next_send_due(self) -> datetime | None:
        """When the next undo window ends (the app sends that reply then), or None when
        no reply waits for one."""
        from cxdaily.replies.outbox import next_window_end

        return next_window_end(self.waiting(), self._context.now())
