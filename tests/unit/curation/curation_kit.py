"""Builders for the curation tests: questions, the demo inbox, a leader's history."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from msgspec.structs import replace

from cxdaily.connectors.demo import DemoConnector
from cxdaily.core.models import Action, Author, Disposition, Message, Question, Session
from cxdaily.curation.settings import CurationSettings
from cxdaily.settings import ChannelSettings

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
DAY_START = datetime(2026, 11, 21, 4, 0, tzinfo=UTC)

#: The demo inbox's planted near-duplicates: the iOS widget stopped refreshing after 4.2.0.
WIDGET_GROUP = frozenset(
    {
        "demo:zd-48213",
        "demo:tw-1906612384410297344",
        "demo:as-11290384756",
        "demo:rd-1jnq8xa",
    }
)
#: ... and the VAT number missing from invoices.
VAT_GROUP = frozenset({"demo:fd-9921", "demo:em-a3d5510e", "demo:dc-1842-4"})


def ask(
    native_id: str,
    body: str = "How do I export my invoices?",
    *,
    channel: str = "acme",
    kind: str = "zendesk",
    title: str | None = None,
    age: timedelta = timedelta(hours=2),
    author: Author | None = None,
    followers: int | None = None,
    context: tuple[Message, ...] = (),
    now: datetime = NOW,
    **meta: Any,
) -> Question:
    """A question with sensible defaults; keyword arguments beyond these go in ``meta``."""
    return Question(
        id=Question.make_id(channel, native_id),
        channel=channel,
        kind=kind,
        native_id=native_id,
        thread_id=native_id,
        url=None,
        author=author
        or Author(id=f"u-{native_id}", handle=f"@user{native_id}", followers=followers),
        title=title,
        body=body,
        created_at=now - age,
        context=context,
        meta=dict(meta),
    )


def demo_inbox(now: datetime = NOW) -> list[Question]:
    """The built-in demo inbox as of ``now``."""
    connector = DemoConnector(ChannelSettings(name="demo", kind="demo"), now=lambda: now)
    return asyncio.run(connector.fetch(None)).questions


def timed_session(
    questions: list[Question],
    seconds_each: float,
    started: datetime,
    session_id: str = "s1",
    disposition: Disposition = Disposition.ANSWERED,
) -> tuple[list[Action], Session]:
    """A session in which each question took ``seconds_each`` to handle."""
    session = Session(id=session_id, started_at=started, budget_s=1800, planned=())
    actions = []
    at = started
    for question in questions:
        at += timedelta(seconds=seconds_each)
        actions.append(Action(question.id, disposition, at, session_id=session_id))
    return actions, session


#: Questions that exercise the text analysis: a threat at the end of a long body, a
#: phrase, stop words as keywords, a translation, a thread, a rating, hostile text.
LONG_TAIL = " ".join(["We moved the whole team over last spring and it went fine."] * 8)
EXTRA = [
    ask("lawyer", LONG_TAIL + " Not acceptable: my lawyer will be in touch.", title="Billing"),
    ask("loss", "After the sync we had data loss in three projects, please help!!"),
    ask("stop", "It is not working and it is not fixed, 42 days now?"),
    ask("kuendigung", "Ich möchte die Kündigung, das ist das dritte Mal, keine Antwort."),
    ask("thread", "Still no reply??", context=(Message(Author(name="Kim"), "Any news?", NOW),)),
    ask("praise", "Love the new calendar view, great work", channel="x", kind="x"),
    ask("rating", "Crashes on start", kind="app_store", rating=1, age=timedelta(hours=30)),
    ask("hostile", "refund \x1b]52;c;bad\x07 now", channel="x", kind="x"),
]
#: Watch keyword settings that take each path of the keyword matching.
KEYWORD_CONFIGS = {
    "default": CurationSettings(),
    "stop-word keyword": CurationSettings(watch_keywords=("not", "42", "refund")),
    "phrases": CurationSettings(watch_keywords=("data loss", "lawyer", "cancel")),
    "no keywords": CurationSettings(watch_keywords=()),
}


def text_corpus() -> list[Question]:
    """The demo inbox, reworded copies of it on other channels, and the planted extras."""
    inbox = demo_inbox()
    copies = [
        replace(q, id=f"copy:{n}", channel="copy", native_id=str(n), body=q.body[::-1])
        for n, q in enumerate(inbox[:20])
    ]
    return [*inbox, *copies, *EXTRA]
