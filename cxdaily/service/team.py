"""Team mode in the service: the team writes queued as the leader acts, and what the
app asks of the team (claims, answered questions, the link's state, the company digest).

Built only when ``[team]`` is configured (:class:`TeamService`); without it the service
has no team part and nothing of the PostgreSQL driver is imported. Every write goes to
the local queue first (a disk write, never the network) and the flusher thread of
:class:`~cxdaily.team.link.TeamLink` applies it; everything the app reads comes from
memory, so no call here waits on the network except :meth:`TeamService.company_digest`
and :meth:`TeamService.sync`, which the app runs in a worker and the command line runs
directly.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from msgspec.structs import replace

from cxdaily.core.errors import ConfigError, CredentialError, NotFoundError, StoreError
from cxdaily.core.models import Action, Insight, Question, Reply
from cxdaily.service.context import ServiceContext

if TYPE_CHECKING:
    from cxdaily.insights.build import Digest
    from cxdaily.insights.source import DigestRequest
    from cxdaily.settings.team import TeamSettings
    from cxdaily.store.team_queue import TeamQueueRepository
    from cxdaily.team.database import TeamClaim
    from cxdaily.team.link import LinkState
    from cxdaily.team.writes import TeamWrite


class TeamRecorder(Protocol):
    """What the daily work and the replies tell team mode, at the moment they record it."""

    def insight_recorded(self, insight: Insight) -> None:
        """An insight was stored locally."""
        ...

    def handed_off(self, action: Action) -> None:
        """A hand-off was stored locally."""
        ...

    def reply_sent(self, reply: Reply) -> None:
        """A reply went out."""
        ...

    def reply_withdrawn(self, reply: Reply) -> None:
        """An unsent reply was pulled back or cancelled."""
        ...

    def insight_removed(self, insight: Insight) -> None:
        """An insight was removed (its tag undone)."""
        ...

    def handoff_removed(self, action: Action) -> None:
        """A hand-off was removed (undone)."""
        ...

    def draft_started(self, question_id: str) -> None:
        """The leader is writing a reply to this question."""
        ...

    def without_answered(self, questions: list[Question]) -> list[Question]:
        """``questions`` without those another leader already answered."""
        ...


def team_password() -> str | None:
    """The team password (``CXDAILY_SECRET_TEAM`` or the keyring), ``None`` when none is
    set (a server may trust a loopback login); a refused one raises."""
    from cxdaily.credentials import SecretRefusedError, read_secret
    from cxdaily.settings.team import TEAM_SECRET

    try:
        return read_secret(TEAM_SECRET)
    except SecretRefusedError:
        raise
    except CredentialError:
        return None


class LockedQueue:
    """The team queue behind the store's lock (the flusher thread uses it too)."""

    def __init__(self, repository: TeamQueueRepository, context: ServiceContext) -> None:
        self._repository = repository
        self._lock = context.lock
        self._read_only = context.store.folder.read_only

    def add(self, write: TeamWrite) -> None:
        """Save a write."""
        with self._lock:
            self._repository.add(write)

    def pending(self, limit: int | None = None) -> list[TeamWrite]:
        """The writes not applied yet, oldest first."""
        with self._lock:
            return self._repository.pending(limit)

    def done(self, writes: list[TeamWrite]) -> int:
        """Remove applied writes (those not replaced meanwhile)."""
        with self._lock:
            return self._repository.done(writes)

    def count(self) -> int:
        """How many writes wait."""
        with self._lock:
            return self._repository.count()

    def save_state(self, name: str, value: dict[str, Any]) -> None:
        """Cache a piece of team state (not in a read-only store)."""
        if not self._read_only:
            with self._lock:
                self._repository.save_state(name, value)


class TeamService:
    """One leader's side of team mode."""

    def __init__(self, context: ServiceContext, settings: TeamSettings) -> None:
        """Open the local queue and, in a writable store, start the flusher thread."""
        from cxdaily.store.team_queue import TeamQueueRepository
        from cxdaily.team.link import TeamLink, answered_from_doc

        self._context = context
        self._settings = settings
        self._claimed: dict[str, float] = {}
        with context.lock:
            repository = TeamQueueRepository(context.store.folder)
            answered = answered_from_doc(repository.state("answered"))
            cached = repository.state("taxonomy")
        self._queue = LockedQueue(repository, context)
        self.link = TeamLink(
            settings, self._queue, password=team_password, now=context.now, answered=answered
        )
        self._taxonomy_doc: dict[str, Any] | None = None
        self._adopt_taxonomy((cached or {}).get("document"))
        self._writable = not context.store.folder.read_only
        if self._writable:
            self.link.start()

    @property
    def settings(self) -> TeamSettings:
        """The ``[team]`` settings."""
        return self._settings

    def close(self) -> None:
        """Stop the flusher (one last round when writes wait) and close the link."""
        self.link.stop()

    # writes, queued first ----------------------------------------------------------
    def _enqueue(self, write: TeamWrite) -> None:
        """Save a write in the queue and wake the flusher; a queue that cannot be written
        never undoes what the leader did (the reason shows as the link's last error)."""
        try:
            self._queue.add(write)
        except StoreError as exc:
            self.link.note_problem(f"a team {write.kind.value} could not be queued: {exc}")
            return
        self.link.poke()

    def insight_recorded(self, insight: Insight) -> None:
        """Queue an insight for the team (again: the same id replaces it)."""
        from cxdaily.team.writes import insight_write

        self._enqueue(insight_write(insight, self._question(insight.question_id)))

    def handed_off(self, action: Action) -> None:
        """Queue a hand-off for the team."""
        from cxdaily.team.writes import handoff_write

        question = self._question(action.question_id)
        if question is not None:
            self._enqueue(handoff_write(action, question))

    def reply_sent(self, reply: Reply) -> None:
        """Queue "answered" for the team (every batch leaves the question out)."""
        from cxdaily.team.writes import sent_write

        question = self._question(reply.question_id)
        if question is not None:
            self._enqueue(sent_write(reply, question))

    def reply_withdrawn(self, reply: Reply) -> None:
        """Release the claim on the question of a reply pulled back or cancelled (the
        leader is no longer answering it; writing the draft again claims it again)."""
        with contextlib.suppress(NotFoundError):
            self.release(reply.question_id)

    def insight_removed(self, insight: Insight) -> None:
        """Queue the removal of the leader's own insight from the team (its tag undone)."""
        from cxdaily.team.writes import RemovedRecord, removal_write

        self._enqueue(removal_write(RemovedRecord.INSIGHT, insight.id, self._context.now()))

    def handoff_removed(self, action: Action) -> None:
        """Queue the removal of the leader's own hand-off from the team (undone)."""
        from cxdaily.team.writes import RemovedRecord, handoff_id, removal_write

        record_id = handoff_id(action)
        self._enqueue(removal_write(RemovedRecord.HANDOFF, record_id, self._context.now()))

    def draft_started(self, question_id: str) -> None:
        """Claim the question the leader is writing to (at most once a third of the claim
        time: a draft is saved often); a draft of a question no longer stored claims
        nothing."""
        with contextlib.suppress(NotFoundError):
            self.claim(question_id)

    def claim(self, question_id: str) -> TeamClaim | None:
        """Claim a question (queued); returns another leader's claim on it, if known."""
        from cxdaily.team.writes import claim_write, question_key

        question = self._known_question(question_id)
        key = question_key(question)
        now = self._context.now()
        last = self._claimed.get(key)
        if last is None or now.timestamp() - last > self._settings.claim_s / 3:
            self._claimed[key] = now.timestamp()
            self._enqueue(claim_write(question, now))
        held = self.link.claims().get(key)
        return held if held is not None and not held.mine else None

    def release(self, question_id: str) -> None:
        """Release the leader's claim on a question (queued)."""
        from cxdaily.team.writes import question_key, release_write

        question = self._known_question(question_id)
        self._claimed.pop(question_key(question), None)
        self._enqueue(release_write(question, self._context.now()))

    # what the app reads, from memory ------------------------------------------------
    def claims(self, questions: Iterable[Question] | None = None) -> dict[str, TeamClaim]:
        """Who is answering what: by question id for ``questions``, else by team key."""
        from cxdaily.team.writes import question_key

        self._adopt_taxonomy(self.link.taxonomy())
        known = self.link.claims()
        if questions is None:
            return known
        found = {q.id: known.get(question_key(q)) for q in questions}
        return {qid: claim for qid, claim in found.items() if claim is not None}

    def others_on(self, question: Question) -> list[str]:
        """What the collision guard says of the rest of the team on ``question``, from
        memory: another leader's live claim ("Anna Berg is answering this (3 min ago)")
        and another leader's reply already sent; empty when none is known."""
        from cxdaily.core.words import ago
        from cxdaily.team.writes import question_key

        now = self._context.now()
        found = []
        claim = self.link.claims().get(question_key(question))
        if claim is not None and not claim.mine:
            found.append(claim.words(now))
        sent = self.link.answered().get(question_key(question))
        if sent is not None and sent.role != self._settings.role:
            found.append(f"{sent.member} already sent a reply ({ago(sent.sent_at, now)})")
        return found

    def without_answered(self, questions: list[Question]) -> list[Question]:
        """``questions`` without those a leader of the team already answered."""
        from cxdaily.team.writes import question_key

        self._adopt_taxonomy(self.link.taxonomy())
        answered = self.link.answered()
        if not answered:
            return questions
        return [q for q in questions if question_key(q) not in answered]

    def status(self) -> LinkState:
        """The link's state: connected, offline since, writes waiting, last error."""
        self._adopt_taxonomy(self.link.taxonomy())
        return self.link.state()

    # network work (a worker in the app, directly in the command line) ----------------
    def sync(self) -> LinkState:
        """One round now: apply the queue (in a writable store), refresh what is shown."""
        if self._writable:
            state = self.link.sync()
        else:
            from cxdaily.team.migrate import schema_version

            with contextlib.suppress(Exception):  # the state holds the reason
                self.link.query(schema_version)
            state = self.link.state()
        self._adopt_taxonomy(self.link.taxonomy())
        return state

    def company_digest(self, request: DigestRequest) -> Digest:
        """The company digest across every leader (own queued writes applied first)."""
        from cxdaily.team.company import company_digest

        if self._writable:
            self.link.sync()
        context = self._context
        return company_digest(self.link.query, context.settings, request, context.now())

    # helpers ---------------------------------------------------------------------------
    def _known_question(self, question_id: str) -> Question:
        """A stored question (NotFoundError for an unknown id)."""
        with self._context.lock:
            return self._context.store.questions.get(question_id)

    def _question(self, question_id: str) -> Question | None:
        """A stored question, or ``None`` when it is no longer stored."""
        try:
            return self._known_question(question_id)
        except NotFoundError:
            return None

    def _adopt_taxonomy(self, document: dict[str, Any] | None) -> None:
        """Use the team's shared taxonomy (tags, areas, teams) when the team has one."""
        if document is None or document == self._taxonomy_doc:
            return
        from cxdaily.insights.taxonomy import taxonomy_from_dict

        self._taxonomy_doc = document
        try:
            shared = taxonomy_from_dict(document)
        except ConfigError as exc:
            self.link.note_problem(f"the team's shared taxonomy cannot be used: {exc}")
            return
        context = self._context
        context.settings = replace(context.settings, taxonomy=shared)
