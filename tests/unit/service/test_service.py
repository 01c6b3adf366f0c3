"""The service facade on the demo profile, under an isolated CXDAILY_HOME and a fixed clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

import pytest

from cxdaily.connectors import connector_class
from cxdaily.connectors.base import Connector, FetchResult
from cxdaily.connectors.demo import DemoConnector
from cxdaily.core.errors import NotFoundError, ReplyRejected, StoreLockedError
from cxdaily.core.models import Disposition, InsightEntry, ReplyState
from cxdaily.curation import RESERVE
from cxdaily.service import Service


@pytest.fixture
def service(home: Path) -> Iterator[Service]:
    """The demo profile, opened (and locked) for writing."""
    with Service.open("demo") as opened:
        yield opened


@pytest.fixture
def demo(service: Service) -> Service:
    """The demo profile with its inbox fetched."""
    report = service.refresh()
    assert not report.failed, report.failed
    return service


def _latest(service: Service, question_id: str):
    return service.store.activity.latest_by_question()[question_id]


def _first_question_id(service: Service) -> str:
    return service.batch().items[0].question.id


# ----------------------------------------------------------------------------- refresh
def test_the_demo_profile_lives_in_its_own_folder(service: Service, home: Path):
    assert service.locations.data_dir == home / "data" / "demo"
    assert set(service.settings.channels) == {"demo"}
    service.refresh()
    assert (home / "data" / "demo" / "questions.json").is_file()
    assert not (home / "data" / "questions.json").exists()


def test_refresh_stores_the_demo_inbox(service: Service, fixed_now):
    report = service.refresh()
    assert report.failed == []
    assert [o.channel for o in report.outcomes] == ["demo"]
    assert report.added >= 80 and report.updated == 0
    questions = service.store.questions.all()
    assert len(questions) == report.added
    assert all(q.id.startswith("demo:") and q.channel == "demo" for q in questions)
    assert all(q.created_at <= fixed_now for q in questions)  # ages turned into times
    assert service.store.questions.checkpoint("demo") is not None


def test_refreshing_twice_does_not_duplicate(service: Service):
    first = service.refresh()
    second = service.refresh()
    assert second.added == 0
    assert second.updated == first.added
    assert len(service.store.questions.all()) == first.added


def test_refresh_reports_progress_per_channel(service: Service):
    seen = []
    service.refresh(on_done=seen.append)
    assert [o.channel for o in seen] == ["demo"]
    assert seen[0].result is not None and seen[0].error is None


def test_an_unknown_channel_is_not_found(service: Service):
    with pytest.raises(NotFoundError, match=r"'nope'.*demo"):
        service.connector("nope")


# ----------------------------------------------------------------------------- batch
def test_the_batch_is_non_empty_and_fits_the_budget(demo: Service):
    batch = demo.batch()
    assert batch.items
    assert batch.budget_s == demo.settings.session.budget_s == 30 * 60
    assert batch.estimate_s <= batch.budget_s * (1 - RESERVE)
    assert all(item.reasons for item in batch.items)
    assert len({item.question.id for item in batch.items}) == len(batch.items)


def test_a_smaller_budget_gives_a_smaller_batch(demo: Service):
    small = demo.batch(budget_s=5 * 60)
    assert 0 < small.estimate_s <= 5 * 60 * (1 - RESERVE)
    assert len(small.items) < len(demo.batch().items)


def test_the_batch_is_the_same_for_the_same_now(demo: Service):
    assert [i.question.id for i in demo.batch().items] == [
        i.question.id for i in demo.batch().items
    ]


def test_the_batch_is_empty_before_any_fetch(service: Service):
    assert service.batch().items == ()


def test_next_best_skips_what_is_already_in_the_session(demo: Service):
    planned = [item.question.id for item in demo.batch().items]
    extra = demo.next_best(planned)
    assert extra is not None and extra.question.id not in planned


# ----------------------------------------------------------------------------- reply
def test_a_reply_is_sent_through_the_outbox(demo: Service, fixed_now):
    question_id = _first_question_id(demo)
    demo.save_draft(question_id, "Dear customer, work in progress")
    reply = demo.reply(question_id, "  Thank you, a fix ships on Monday.  ")
    assert reply.state is ReplyState.SENT
    assert reply.remote_id and reply.remote_id.startswith("demo-")
    assert reply.body == "Thank you, a fix ships on Monday."
    assert reply.attempts == 1 and reply.sent_at == fixed_now and reply.error is None
    assert demo.outbox() == [reply]  # stored as sent, once
    assert demo.draft(question_id) is None  # the draft is gone
    assert _latest(demo, question_id).disposition is Disposition.ANSWERED
    assert question_id not in [i.question.id for i in demo.batch().items]


def test_replying_twice_to_a_question_is_refused(demo: Service):
    question_id = _first_question_id(demo)
    demo.reply(question_id, "First answer")
    with pytest.raises(ReplyRejected):
        demo.reply(question_id, "Second answer")
    assert len(demo.outbox()) == 1


@pytest.mark.parametrize("body", ["", "   ", "\n\t", "\x00\x01\r\n", "\x1b[31m\x1b[0m \ufeff"])
def test_an_empty_reply_is_rejected(demo: Service, body):
    question_id = _first_question_id(demo)
    with pytest.raises(ReplyRejected, match="empty"):
        demo.reply(question_id, body)
    assert demo.outbox() == []
    assert demo.store.activity.actions() == []


def test_a_reply_goes_out_without_control_characters(demo: Service):
    """Text pasted from a terminal or a file: its colours, stray control characters and
    Windows line ends never reach the customer; right-to-left marks do."""
    question_id = _first_question_id(demo)
    reply = demo.reply(question_id, "\x1b[1mThanks\x1b[0m,\r\nwe refund\x00 it.\t\u200fשלום")
    assert reply.body == "Thanks,\nwe refund it.\t\u200fשלום"
    assert [r.body for r in demo.outbox()] == [reply.body]


def test_a_reply_over_the_channel_limit_is_rejected(demo: Service):
    question_id = _first_question_id(demo)
    with pytest.raises(ReplyRejected, match="at most 5000"):
        demo.reply(question_id, "x" * 5001)
    assert demo.outbox() == []


# ----------------------------------------------------------------------------- tag
def test_tagging_stores_an_insight_and_marks_the_question(demo: Service, fixed_now):
    question = demo.question(_first_question_id(demo))
    entry = InsightEntry(
        tags=("Bug", " billing ", "bug", ""),
        team="product",
        sentiment="negative",
        importance=2,
        summary="  Export is broken  ",
        quote="I can't export",
        note="  ",
    )
    insight = demo.tag(question.id, entry, session_id="s1")
    assert insight.tags == ("bug", "billing")  # trimmed, lower-cased, deduplicated
    assert insight.question_id == question.id
    assert insight.channel == "demo"
    assert insight.url == question.url
    assert insight.customer_name == question.author.name
    assert insight.customer_handle == question.author.handle
    assert (insight.team, insight.sentiment, insight.importance) == ("product", "negative", 2)
    assert (insight.summary, insight.quote, insight.note) == (
        "Export is broken",
        "I can't export",
        None,
    )
    assert insight.created_at == fixed_now and insight.session_id == "s1"
    assert demo.store.insights.between() == [insight]
    assert _latest(demo, question.id).disposition is Disposition.TAGGED
    assert demo.known_tags()[:2] == ["bug", "billing"]


@pytest.mark.parametrize(
    ("tags", "importance", "message"),
    [([], 1, "at least one tag"), (["  "], 1, "at least one tag"), (["bug"], 4, "1, 2 or 3")],
)
def test_bad_insights_are_rejected(demo: Service, tags, importance, message):
    with pytest.raises(ReplyRejected, match=message):
        demo.tag(_first_question_id(demo), InsightEntry(tags=tags, importance=importance))
    assert demo.store.insights.between() == []


# ------------------------------------------------------------------- hand off, snooze, skip
def test_hand_off_snooze_and_skip_are_recorded(demo: Service, fixed_now):
    first, second, third = (item.question.id for item in demo.batch().items[:3])
    handed = demo.hand_off(first, "support", "  Please call her back  ", session_id="s1")
    snoozed = demo.snooze(second, until=fixed_now + timedelta(days=1))
    skipped = demo.skip(third)
    assert (handed.disposition, handed.team, handed.note) == (
        Disposition.HANDED_OFF,
        "support",
        "Please call her back",
    )
    assert snoozed.disposition is Disposition.SNOOZED
    assert snoozed.until == fixed_now + timedelta(days=1)
    assert skipped.disposition is Disposition.SKIPPED
    assert demo.store.activity.latest_by_question() == {
        first: handed,
        second: snoozed,
        third: skipped,
    }
    remaining = {item.question.id for item in demo.batch().items}
    assert not remaining & {first, second, third}


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.reply("demo:does-not-exist", "hi"),
        lambda s: s.tag("demo:does-not-exist", InsightEntry(tags=("bug",))),
        lambda s: s.hand_off("demo:does-not-exist", "support", "note"),
        lambda s: s.skip("demo:does-not-exist"),
        lambda s: s.snooze("demo:does-not-exist", until=s.now()),
        lambda s: s.question("demo:does-not-exist"),
    ],
)
def test_an_unknown_question_is_not_found(demo: Service, call):
    with pytest.raises(NotFoundError, match="demo:does-not-exist"):
        call(demo)
    assert demo.store.activity.actions() == []
    assert demo.outbox() == []


# ----------------------------------------------------------------------------- drafts
def test_drafts_round_trip_and_a_blank_draft_is_removed(demo: Service):
    question_id = _first_question_id(demo)
    assert demo.draft(question_id) is None
    demo.save_draft(question_id, "Dear Jane,")
    assert demo.draft(question_id) == "Dear Jane,"
    demo.save_draft(question_id, "Dear Jane, thanks for writing.")
    assert demo.draft(question_id) == "Dear Jane, thanks for writing."
    demo.save_draft(question_id, "   ")
    assert demo.draft(question_id) is None


def test_a_draft_survives_closing_the_service(home: Path):
    with Service.open("demo") as service:
        service.refresh()
        question_id = _first_question_id(service)
        service.save_draft(question_id, "half-written")
    with Service.open("demo") as service:
        assert service.draft(question_id) == "half-written"


# ----------------------------------------------------------------------------- sessions, streak
def test_a_session_is_summarized(demo: Service):
    batch = demo.batch()
    session = demo.start_session(batch)
    assert session.planned == tuple(item.question.id for item in batch.items)
    assert demo.store.activity.sessions() == [session]
    a, b, c, d = (item.question.id for item in batch.items[:4])
    demo.reply(a, "Thanks!", session_id=session.id)
    demo.tag(b, InsightEntry(tags=("praise",)), session_id=session.id)
    demo.skip(c, session_id=session.id)
    demo.hand_off(d, "sales", "renewal", session_id=session.id)
    demo.skip(batch.items[4].question.id)  # outside the session: not counted
    summary = demo.summarize(session)
    assert summary.counts == {"answered": 1, "tagged": 1, "skipped": 1, "handed_off": 1}
    assert summary.insights == 1
    assert summary.minutes_used == 0  # the clock is frozen
    assert summary.streak.current == 1


def test_a_question_answered_and_tagged_counts_both_ways(demo: Service):
    """The wrap-up counts every way a question was handled (a reply, then an insight from
    it), and a question skipped then snoozed once, as snoozed."""
    batch = demo.batch()
    session = demo.start_session(batch)
    a, b, c = (item.question.id for item in batch.items[:3])
    demo.reply(a, "Thanks!", session_id=session.id)
    demo.tag(a, InsightEntry(tags=("praise",)), session_id=session.id)
    demo.skip(b, session_id=session.id)
    demo.snooze(b, demo.now() + timedelta(days=1), session_id=session.id)
    demo.skip(c, session_id=session.id)
    demo.reply(c, "Found it after all.", session_id=session.id)
    summary = demo.summarize(session)
    assert summary.counts == {"answered": 2, "tagged": 1, "snoozed": 1}
    assert summary.insights == 1


def test_insights_for_near_duplicates_outside_the_session_are_counted_apart(demo: Service):
    """One question tagged for its group of four read "4 tagged as insights" while the
    session's header counted one question handled."""
    batch = demo.batch()
    session = demo.start_session(batch)
    mine = [item.question.id for item in batch.items]
    outside = [q.id for q in demo.store.questions.all() if q.id not in mine][:3]
    entry = InsightEntry(tags=("widget",))
    for question_id in (mine[0], *outside):  # the group's tag, saved for each of them
        demo.tag(question_id, entry, session_id=session.id)
    demo.reply(mine[1], "Thanks!", session_id=session.id)
    summary = demo.summarize(session, mine)
    assert summary.counts == {"answered": 1, "tagged": 1}
    assert (summary.insights, summary.tagged_along) == (4, 3)
    every = demo.summarize(session)  # without the session's questions: every one counts
    assert every.counts == {"answered": 1, "tagged": 4} and every.tagged_along == 0


def test_an_ended_session_is_saved(demo: Service, fixed_now):
    from msgspec.structs import replace

    session = demo.start_session(demo.batch())
    ended = replace(session, ended_at=fixed_now + timedelta(minutes=28), reflection="Good day")
    demo.update_session(ended)
    assert demo.store.activity.sessions() == [ended]
    assert demo.summarize(ended).minutes_used == 28


def test_the_streak_starts_with_one_handled_question(demo: Service, fixed_now):
    before = demo.streak()
    assert (before.current, before.today_counts) == (0, False)
    demo.skip(_first_question_id(demo))
    assert demo.streak().current == 0  # a skip is not a handled question
    demo.reply(_first_question_id(demo), "Thanks for the kind words!")
    after = demo.streak()
    assert (after.current, after.longest, after.total_days) == (1, 1, 1)
    assert after.today_counts and after.handled_today == 1
    assert after.calendar == {fixed_now.date(): 1}


# ----------------------------------------------------------------------------- the lock
def test_a_second_service_on_the_same_profile_is_refused_but_can_read(demo: Service):
    demo.hold_for_session()  # as the app does: nobody waits for it
    with pytest.raises(StoreLockedError, match="finish that session first"):
        Service.open("demo")
    with Service.open("demo", read_only=True) as reader:
        assert len(reader.batch().items) == len(demo.batch().items)


# ----------------------------------------------------------------------------- failures
def test_a_broken_channel_never_blocks_the_others(home: Path):
    from cxdaily.paths import locations
    from cxdaily.settings import ChannelSettings, Settings

    settings = Settings(
        channels={
            "broken": ChannelSettings(name="broken", kind="no-such-kind"),
            "demo": ChannelSettings(name="demo", kind="demo"),
        }
    )
    with Service(locations(), settings) as service:
        report = service.refresh()
        assert [o.channel for o in report.failed] == ["broken"]
        assert "no-such-kind" in report.failed[0].error
        assert "\n" not in report.failed[0].error
        assert report.added >= 80
        assert {q.channel for q in service.store.questions.all()} == {"demo"}


def test_a_sent_reply_is_never_posted_twice(demo: Service, monkeypatch):
    from cxdaily.connectors.demo import DemoConnector

    posted = []
    original = DemoConnector.send_reply

    async def counting(self, question, body, idempotency_key):
        posted.append(idempotency_key)
        return await original(self, question, body, idempotency_key)

    monkeypatch.setattr(DemoConnector, "send_reply", counting)
    sent = demo.reply(_first_question_id(demo), "Thanks!")
    assert len(posted) == 1
    try:
        again = demo.send(sent)
    except ReplyRejected:
        again = None
    assert len(posted) == 1, "an already-sent reply went out a second time"
    assert again is None or again.state is ReplyState.SENT
    assert demo.outbox() == [sent]
    assert demo.send_pending() == []
    assert len(posted) == 1


# ----------------------------------------------------------------------------- settings
def test_the_config_file_sets_budget_zone_and_day_start(home: Path, monkeypatch):
    from datetime import UTC, date, datetime

    (home / "config.toml").write_text(
        '[session]\nbudget = "10m"\ntimezone = "Asia/Tokyo"\nday_start = "04:00"\n'
    )
    monkeypatch.setenv("CXDAILY_NOW", "2026-11-21T23:30:00Z")  # 08:30 on the 22nd in Tokyo
    with Service.open("demo") as service:
        assert service.today_start() == datetime(2026, 11, 21, 19, 0, tzinfo=UTC)
        service.refresh()
        batch = service.batch()
        assert batch.budget_s == 600 and batch.estimate_s <= 600 * (1 - RESERVE)
        service.reply(batch.items[0].question.id, "Thanks!")
        assert service.streak().calendar == {date(2026, 11, 22): 1}


# ----------------------------------------------------------------------------- store problems
class FakeConnector(DemoConnector):
    """A channel that brings the questions a test gives it (after a delay, if given)."""

    kind = "fake"
    fetched: ClassVar[dict[str, list]] = {}
    delays: ClassVar[dict[str, float]] = {}

    async def fetch(self, checkpoint):
        await asyncio.sleep(self.delays.get(self.name, 0))
        return FetchResult(questions=self.fetched[self.name], checkpoint={"seen": self.name})


def _fake_channels(monkeypatch, fetched: dict[str, list], delays: dict[str, float]) -> None:
    """Make the fake channels bring ``fetched[channel]`` (after ``delays[channel]``)."""
    monkeypatch.setattr(FakeConnector, "fetched", fetched)
    monkeypatch.setattr(FakeConnector, "delays", delays)


def _fake_service(names: list[str]) -> Service:
    from cxdaily.paths import locations
    from cxdaily.settings import ChannelSettings, Settings

    channels = {name: ChannelSettings(name=name, kind="fake") for name in names}
    return Service(locations(), Settings(channels=channels), connectors=_with_fake)


def _fake_as(fake_kind: str) -> Callable[[str], type[Connector]]:
    """A connector registry where ``fake_kind`` is the fake, every other kind built in."""
    return lambda kind: FakeConnector if kind == fake_kind else connector_class(kind)


#: The connector registry of the fake service: kind ``fake``, then the built-in kinds.
_with_fake = _fake_as("fake")


def test_an_unstorable_question_is_skipped_and_never_breaks_a_later_channel(
    home: Path, monkeypatch, make_question
):
    hostile = [
        make_question("1", channel="hostile"),
        make_question("2", channel="hostile", body="caf\ud800"),
        make_question("3", channel="hostile", meta={"score": float("nan")}),
        make_question("4", channel="hostile"),
    ]
    later = [make_question(str(n), channel="later") for n in range(1, 4)]
    _fake_channels(monkeypatch, {"hostile": hostile, "later": later}, {"later": 0.2})
    seen = []
    with _fake_service(["hostile", "later"]) as service:
        report = service.refresh(on_done=seen.append)
        assert report.failed == []
        by_name = {o.channel: o for o in report.outcomes}
        warnings = by_name["hostile"].result.warnings
        assert len(warnings) == 2
        assert "hostile:2 was not saved" in warnings[0] and "lone surrogate" in warnings[0]
        assert "hostile:3 was not saved" in warnings[1] and "not finite" in warnings[1]
        assert [q.native_id for q in by_name["hostile"].result.questions] == ["1", "4"]
        assert by_name["later"].count == 3
        assert report.added == 5
        assert {o.channel: len(o.result.warnings) for o in seen} == {"hostile": 2, "later": 0}
        stored = {(q.channel, q.native_id) for q in service.store.questions.all()}
        assert stored == {("hostile", "1"), ("hostile", "4")} | {
            ("later", str(n)) for n in range(1, 4)
        }
        statuses = {s.channel: s for s in service.channel_status()}
        assert (statuses["hostile"].count, statuses["hostile"].warnings) == (2, 2)
        assert statuses["later"].error is None


def test_fetch_prints_skipped_questions_as_warnings(home: Path, monkeypatch, make_question, capsys):
    from cxdaily.cli import main

    # the config file is checked against the built-in kinds: the fake stands in for the demo
    (home / "config.toml").write_text('[channels.hostile]\nkind = "demo"\n')
    bad = make_question("2", channel="hostile", title="\udc80")
    _fake_channels(monkeypatch, {"hostile": [make_question("1", channel="hostile"), bad]}, {})
    assert main(["fetch"], connectors=_fake_as("demo")) == 0
    out, err = capsys.readouterr()
    assert "hostile: 1 question" in out
    assert "cxdaily: hostile: question hostile:2 was not saved" in err
    assert "Traceback" not in err


def test_a_store_failure_is_reported_as_the_store_not_the_connector(
    home: Path, monkeypatch, make_question
):
    from cxdaily.store.repositories import QuestionRepository

    _fake_channels(monkeypatch, {"acme": [make_question("1")]}, {})
    with _fake_service(["acme"]) as service:
        questions_file = service.locations.data_dir / "questions.json"
        questions_file.chmod(0o444)
        (outcome,) = service.refresh().failed
        assert outcome.error.startswith("acme: cannot save ")
        assert str(questions_file) in outcome.error and "read-only" in outcome.error
        assert "connector" not in outcome.error
        questions_file.chmod(0o600)

        def broken(self, questions, *, skipped=None):
            raise KeyError("id")

        monkeypatch.setattr(QuestionRepository, "upsert_many", broken)
        (outcome,) = service.refresh().failed
        assert "cannot save what acme brought" in outcome.error
        assert "store" in outcome.error and "connector" not in outcome.error


def test_a_damaged_archive_document_fails_the_fetch_as_a_store_problem(
    home: Path, monkeypatch, make_question
):
    """An old question looks in its month's archive; a document there without an id used
    to be ``KeyError: 'id'`` blamed on the connector."""
    import json

    old = make_question("9", age=timedelta(days=300))
    _fake_channels(monkeypatch, {"acme": [make_question("1"), old]}, {})
    with _fake_service(["acme"]) as service:
        month = old.created_at.strftime("%Y-%m")
        archive = service.locations.data_dir / "questions-archive" / f"{month}.json"
        archive.parent.mkdir(parents=True)
        stamp = {"1": {"format": 1, "file": archive.name}}
        damaged = {"_meta": stamp, "questions": {"1": {"channel": "acme"}}}
        archive.write_text(json.dumps(damaged))
        before = archive.read_bytes()
        (outcome,) = service.refresh().failed
        assert str(archive) in outcome.error and "'id' is missing" in outcome.error
        assert "connector" not in outcome.error and "\n" not in outcome.error
        assert archive.read_bytes() == before


def test_an_insight_without_a_sentiment_takes_the_questions_as_curation_read_it(
    demo: Service, fixed_now
):
    """A calm body under an angry title: the batch says negative, and so does the insight
    tagged without a sentiment (the body alone read neutral); a quote given is read on
    its own."""
    from msgspec.structs import replace

    question = replace(
        demo.store.questions.get(_first_question_id(demo)),
        title="Terrible: charged twice, I am furious",
        body="Can you look at my invoice please?",
    )
    demo.store.questions.upsert_many([question])
    insight = demo.tag(question.id, InsightEntry(tags=("billing",)))
    assert insight.sentiment == "negative"
    quoted = InsightEntry(tags=("praise",), quote="Love the new export, thank you so much!")
    assert demo.tag(question.id, quoted).sentiment == "positive"
