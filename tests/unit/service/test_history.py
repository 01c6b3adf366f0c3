"""The service's history look-ups over a real store: fresh after every kind of write,
links that persist, and the locks that keep workers apart."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from msgspec.structs import replace

from cxdaily.core.errors import CxDailyError, NotFoundError
from cxdaily.core.models import Author, InsightEntry
from cxdaily.curation import CurationSettings
from cxdaily.paths import locations
from cxdaily.service import Service
from cxdaily.settings import ChannelSettings, Settings
from tests.time_kit import FIXED_NOW
from tests.unit.history.history_kit import email_author, question, reply, social_author

SETTINGS = Settings(
    channels={name: ChannelSettings(name=name, kind="demo") for name in ("support", "inbox")},
    curation=CurationSettings(vip_emails=frozenset({"ceo@bigco.example.com"})),
)
ANNA = email_author("anna@acme.example.com")
INVOICES = "How do I export all my invoices as a CSV file for my accountant?"
ANSWER = "Billing > Invoices > Export gives you a CSV of every invoice."


def _open(read_only: bool = False) -> Service:
    return Service(locations(), SETTINGS, now=lambda: FIXED_NOW, read_only=read_only)


@pytest.fixture
def service(home: Path) -> Iterator[Service]:
    """A service over an empty data folder, with Anna's first ticket stored."""
    with _open() as opened:
        opened.store.questions.upsert_many([question("1", author=ANNA, body=INVOICES, days_ago=30)])
        yield opened


def _other_ids(service: Service, question_id: str) -> list[str]:
    return [q.id for q in service.customer_history(question_id).questions]


def test_an_unknown_question_is_a_not_found_error(service):
    with pytest.raises(NotFoundError, match="no question with id 'support:nope'"):
        service.customer_history("support:nope")
    with pytest.raises(NotFoundError):
        service.similar_answers("support:nope")


def test_new_questions_join_the_history_after_the_first_look_up(service):
    assert _other_ids(service, "support:1") == []
    mail = question(
        "m1", channel="inbox", kind="email", author=email_author("Anna@acme.example.com")
    )
    service.store.questions.upsert_many([mail])
    assert _other_ids(service, mail.id) == ["support:1"]


def test_a_reply_an_insight_and_a_hand_off_show_at_once(service):
    later = question("2", author=ANNA, body="Thanks, and can I get them monthly?")
    service.store.questions.upsert_many([later])
    assert service.customer_history(later.id).replies == 0  # the index is built now
    service.store.outbox.save(reply("r1", "support:1", ANSWER))
    service.tag("support:1", InsightEntry(tags=("billing",), summary="CSV export"))
    service.hand_off("support:1", "product", "monthly export?")
    history = service.customer_history(later.id)
    (past,) = history.questions
    assert [r.body for r in past.replies] == [ANSWER]
    assert [i.summary for i in past.insights] == ["CSV export"]
    assert [(h.team, h.note) for h in past.hand_offs] == [("product", "monthly export?")]


def test_a_sent_reply_becomes_an_earlier_answer_for_a_similar_question(service):
    other = question("9", author=Author(name="Bo"), body="Can I export invoices to CSV?")
    service.store.questions.upsert_many([other])
    assert service.similar_answers(other.id) == []
    service.store.outbox.save(reply("r1", "support:1", ANSWER))
    (found,) = service.similar_answers(other.id)
    assert (found.question_id, found.reply_id, found.body) == ("support:1", "r1", ANSWER)
    service.store.outbox.save(replace(reply("r1", "support:1", ANSWER), body="Changed wording"))
    assert [a.body for a in service.similar_answers(other.id)] == ["Changed wording"]


def test_archived_questions_stay_in_the_history(service):
    old = question("old", author=ANNA, days_ago=400)
    service.store.questions.upsert_many([old])
    assert set(_other_ids(service, "support:1")) == {old.id}
    assert service.archive_old_questions() >= 1
    assert old.id not in service.store.questions.known([old.id])
    assert set(_other_ids(service, "support:1")) == {old.id}


def test_replies_moved_to_the_outbox_archive_stay_in_the_history(service):
    later = question("2", author=ANNA, body="Thanks, and can I get them monthly?")
    other = question("9", author=Author(name="Bo"), body="Can I export invoices to CSV?")
    service.store.questions.upsert_many([later, other])
    service.store.outbox.save(reply("r1", "support:1", ANSWER, days_ago=45))
    assert [r.body for r in service.customer_history(later.id).questions[0].replies] == [ANSWER]
    assert service.archive_old_replies() == 1  # the index has seen the reply leave the outbox
    assert "r1" not in {r.id for r in service.store.outbox.sent_since(FIXED_NOW - timedelta(1))}
    assert [r.body for r in service.customer_history(later.id).questions[0].replies] == [ANSWER]
    assert [a.reply_id for a in service.similar_answers(other.id)] == ["r1"]
    with _open(read_only=True) as fresh:  # a new index reads the archive from the start
        assert [r.id for r in fresh.customer_history(later.id).questions[0].replies] == ["r1"]


def test_links_persist_join_transitively_and_undo(service, home):
    tweet = question("t", channel="inbox", kind="x", author=social_author("@annab"))
    forum = question("f", channel="inbox", kind="discourse", author=social_author("anna_b"))
    service.store.questions.upsert_many([tweet, forum])
    service.link_customers(tweet.id, "support:1")
    service.link_customers(forum.id, tweet.id)
    assert set(_other_ids(service, "support:1")) == {tweet.id, forum.id}
    service.close()
    with _open() as reopened:
        assert set(_other_ids(reopened, forum.id)) == {tweet.id, "support:1"}
        assert reopened.unlink_customers("support:1", tweet.id) == 1
        assert _other_ids(reopened, "support:1") == []
        assert _other_ids(reopened, forum.id) == [tweet.id]
        assert reopened.unlink_customers("support:1", tweet.id) == 0


def test_a_question_cannot_be_linked_to_itself_or_to_an_unknown_one(service):
    with pytest.raises(CxDailyError, match="cannot be linked to itself"):
        service.link_customers("support:1", "support:1")
    with pytest.raises(NotFoundError):
        service.link_customers("support:1", "support:nope")


def test_vip_comes_from_the_curation_settings(service):
    boss = question("b", author=email_author("CEO@bigco.example.com", name="Dee"))
    service.store.questions.upsert_many([boss])
    assert service.customer_history(boss.id).customer.vip
    assert not service.customer_history("support:1").customer.vip


def test_a_read_only_service_looks_up_without_writing(service, home):
    service.store.outbox.save(reply("r1", "support:1", ANSWER))
    service.close()
    with _open(read_only=True) as reader:
        assert reader.customer_history("support:1").total_questions == 0
        assert not (home / "data" / "customers.json").exists()


def test_look_ups_from_workers_and_writes_interleave_safely(service):
    service.store.questions.upsert_many(
        [question(f"q{n}", author=ANNA, body=INVOICES, days_ago=n) for n in range(2, 40)]
    )
    errors: list[BaseException] = []

    def look_up() -> None:
        try:
            for _ in range(15):
                service.customer_history("support:1")
                service.similar_answers("support:1")
        except BaseException as exc:  # reported below
            errors.append(exc)

    workers = [threading.Thread(target=look_up) for _ in range(3)]
    for worker in workers:
        worker.start()
    for n in range(2, 12):
        service.skip(f"support:q{n}")
        service.store.outbox.save(reply(f"r{n}", f"support:q{n}", ANSWER))
    for worker in workers:
        worker.join()
    assert errors == []
    assert service.customer_history("support:1").replies == 10
