"""The rules every help desk shares (:mod:`cxdaily.connectors.helpdesk`): one question per
customer turn, settled turns, the collision guard, our own reply found again, and the
people and text a help desk hands over."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from msgspec.structs import replace

from cxdaily.connectors.helpdesk import (
    Ticket,
    TicketMessage,
    email_author,
    message_text,
    read_at_once,
    tag_names,
    ticket_questions,
)
from cxdaily.connectors.html_text import text_to_html
from cxdaily.connectors.parsing import MAX_CONTEXT_MESSAGES, MAX_TEXT_CHARS, QuestionShapeError
from cxdaily.connectors.thread_replies import answers_by_team, find_reply
from cxdaily.core.models import Author, Message

START = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
CUSTOMER = Author(id="501", handle="jane@shop.example", name="Jane Doe")
AGENT = Author(id="900", handle="anna@acme.example", name="Anna Berg")
BOT = Author(id="901", name="Helpful Bot")


def at(minutes: float) -> datetime:
    """``minutes`` after the ticket was opened."""
    return START + timedelta(minutes=minutes)


def said(ident: str, minutes: float, body: str, *, by: Author = CUSTOMER) -> TicketMessage:
    """A public message, the customer's unless ``by`` says otherwise."""
    return TicketMessage(
        id=ident, author=by, body=body, created_at=at(minutes), from_customer=by is CUSTOMER
    )


def ticket(*messages: TicketMessage, waiting: bool = True, **fields) -> Ticket:
    """Ticket ``T1`` from Jane with these public messages."""
    return Ticket(
        id=fields.pop("id", "T1"),
        requester=fields.pop("requester", CUSTOMER),
        messages=messages,
        waiting_on_team=waiting,
        created_at=fields.pop("created_at", START),
        subject=fields.pop("subject", "Export broken"),
        **fields,
    )


def questions(t: Ticket):
    return ticket_questions(t, channel="desk", kind="zendesk")


# ------------------------------------------------------------------------ one question per turn
def test_a_new_ticket_is_one_question_with_everything_the_customer_wrote():
    question, _ = questions(ticket(said("m1", 0, "The export fails."), said("m2", 5, "Any news?")))
    assert question is not None
    assert question.id == "desk:T1:m1" and question.native_id == "T1:m1"
    assert question.thread_id == "T1" and question.channel == "desk" and question.kind == "zendesk"
    assert question.body == "The export fails.\n\nAny news?"
    assert question.title == "Export broken"
    assert question.created_at == at(0) and question.context == ()
    assert question.author == CUSTOMER
    assert question.meta == {"service": "zendesk", "ticket_id": "T1"}


def test_a_customer_turn_after_an_answer_is_a_new_question_with_the_thread_as_context():
    thread = (
        said("m1", 0, "The export fails."),
        said("r1", 30, "Try again now?", by=AGENT),
        said("m2", 60, "Still failing."),
        said("m3", 61, "Same error."),
    )
    question, settled = questions(ticket(*reversed(thread)))  # any order: sorted by time
    assert question is not None and question.native_id == "T1:m2"
    assert question.body == "Still failing.\n\nSame error."
    assert question.created_at == at(60)
    assert question.context == (
        Message(author=CUSTOMER, body="The export fails.", created_at=at(0)),
        Message(author=AGENT, body="Try again now?", created_at=at(30)),
    )
    earlier = [q for q in settled if q.native_id == "T1:m1"]
    assert len(earlier) == 1 and earlier[0].meta["team_answered"] is True
    assert "team_answered" not in question.meta
    assert all(q.native_id != "T1:m2" for q in settled)


def test_every_other_id_the_ticket_could_have_asked_under_is_settled():
    """One live question per ticket: a question stored under another of its customer
    messages (the turn began later before the team's answer was removed) or under the
    ticket's id (stored from the fallback body) leaves the candidates."""
    question, settled = questions(
        ticket(said("m1", 0, "The export fails."), said("m2", 5, "Any news?"))
    )
    assert question is not None and question.native_id == "T1:m1"
    assert sorted(q.native_id for q in settled) == ["T1", "T1:m2"]
    assert all(q.meta["team_answered"] is True for q in settled)


def test_the_context_keeps_the_latest_messages_only():
    earlier = []
    for n in range(MAX_CONTEXT_MESSAGES + 10):
        earlier.append(said(f"c{n:04}", n, f"question {n}"))
        earlier.append(said(f"a{n:04}", n + 0.5, f"answer {n}", by=AGENT))
    question, _ = questions(ticket(*earlier, said("last", 10_000, "And now?")))
    assert question is not None
    assert len(question.context) == MAX_CONTEXT_MESSAGES
    assert question.context[-1].body == f"answer {MAX_CONTEXT_MESSAGES + 9}"


def test_the_ticket_fields_go_into_meta():
    t = ticket(
        said("m1", 0, "Help"),
        status="open",
        priority="urgent",
        tags=("billing", "vip"),
        organization="Acme Corp",
        url="https://acme.zendesk.com/agent/tickets/1",
        meta={"channel": "email", "score": 3},
    )
    question, _ = questions(t)
    assert question is not None and question.url == "https://acme.zendesk.com/agent/tickets/1"
    assert question.meta == {
        "channel": "email",
        "score": 3,
        "service": "zendesk",
        "ticket_id": "T1",
        "status": "open",
        "priority": "urgent",
        "tags": ["billing", "vip"],
        "organization": "Acme Corp",
    }


def test_the_ticket_own_fields_win_over_its_meta():
    t = ticket(said("m1", 0, "Help"), meta={"service": "spoofed", "ticket_id": "X"})
    question, _ = questions(t)
    assert question is not None
    assert (question.meta["service"], question.meta["ticket_id"]) == ("zendesk", "T1")


def test_the_author_is_the_requester_completed_by_the_message_author():
    requester = Author(handle="jane@shop.example")
    writer = Author(id="501", handle="other@shop.example", name="Jane D.")
    message = TicketMessage(id="m1", author=writer, body="Hi", created_at=at(0), from_customer=True)
    question, _ = questions(ticket(message, requester=requester))
    assert question is not None
    assert question.author == Author(id="501", handle="jane@shop.example", name="Jane D.")


def test_a_blank_turn_reads_as_the_subject():
    question, _ = questions(ticket(said("m1", 0, "  "), said("m2", 1, "\n")))
    assert question is not None and question.body == "Export broken"


# ----------------------------------------------------------------------------- settled turns
def test_a_ticket_answered_by_the_team_last_asks_nothing_and_settles_every_turn():
    thread = (
        said("m1", 0, "The export fails."),
        said("r1", 30, "Fixed, try again.", by=AGENT),
        said("m2", 60, "Works, thanks!"),
        said("r2", 70, "Glad to hear.", by=AGENT),
    )
    question, settled = questions(ticket(*thread))
    assert question is None
    assert {q.native_id for q in settled} == {"T1:m1", "T1:m2", "T1"}
    assert all(q.meta["team_answered"] is True for q in settled)


def test_a_bot_or_teammate_answer_counts_as_the_team():
    thread = (said("m1", 0, "Hello?"), said("b1", 1, "We got your message.", by=BOT))
    question, settled = questions(ticket(*thread))
    assert question is None and "T1:m1" in {q.native_id for q in settled}


@pytest.mark.parametrize("status", ["pending", "solved", "closed", "snoozed"])
def test_a_ticket_not_waiting_on_the_team_settles_its_last_turn_too(status):
    thread = (
        said("m1", 0, "The export fails."),
        said("r1", 30, "Can you send a screenshot?", by=AGENT),
        said("m2", 60, "Here it is."),
    )
    question, settled = questions(ticket(*thread, waiting=False, status=status))
    assert question is None
    last = [q for q in settled if q.native_id == "T1:m2"]
    assert len(last) == 1
    assert last[0].body == "Here it is." and len(last[0].context) == 2
    assert last[0].meta["team_answered"] is True and last[0].meta["status"] == status


def test_a_question_stored_from_the_fallback_body_is_settled_once_the_thread_is_read():
    question, settled = questions(ticket(said("m1", 0, "The export fails.")))
    assert question is not None and question.native_id == "T1:m1"
    (fallback,) = settled
    assert fallback.native_id == "T1" and fallback.meta["team_answered"] is True


# ----------------------------------------------------------------------------- the fallback body
def test_a_ticket_whose_thread_is_empty_asks_with_its_fallback_body():
    t = ticket(fallback_body="First message, from the ticket itself", created_at=at(-5))
    question, settled = questions(t)
    assert settled == []
    assert question is not None
    assert question.native_id == "T1" and question.thread_id == "T1"
    assert question.body == "First message, from the ticket itself"
    assert question.created_at == at(-5) and question.author == CUSTOMER
    assert "team_answered" not in question.meta


def test_a_fallback_body_of_a_ticket_not_waiting_on_the_team_is_settled():
    question, settled = questions(ticket(fallback_body="Thanks, all good", waiting=False))
    assert question is None
    (done,) = settled
    assert done.native_id == "T1" and done.meta["team_answered"] is True


def test_a_ticket_with_neither_thread_nor_fallback_asks_nothing():
    assert questions(ticket()) == (None, [])
    assert questions(ticket(waiting=False)) == (None, [])


def test_a_blank_fallback_body_reads_as_the_subject():
    question, _ = questions(ticket(fallback_body=""))
    assert question is not None and question.body == "Export broken"


# ----------------------------------------------------------------------------- hostile text
def test_hostile_text_is_kept_as_plain_text():
    body = "<script>alert(1)</script>\x1b[31mred\x1b[0m \u202eevil\u202c café \U0001f600"
    subject = "\u200b<b>Subject</b>\n\nline"
    question, _ = questions(ticket(said("m1", 0, body), subject=subject))
    assert question is not None
    assert question.body == body and question.title == subject  # cleaned where it is stored


def test_message_text_turns_html_into_text_and_cleans_it():
    assert message_text("<p>Hi &amp; bye</p><script>x()</script>", "body") == "Hi & bye"
    assert message_text("plain a < b", "body") == "plain a < b"
    assert message_text("caf\udce9", "body") == "caf\ufffd"
    assert message_text(None, "body") is None
    assert (
        message_text("<p>" + "a" * (MAX_TEXT_CHARS + 10) + "</p>", "body") == "a" * MAX_TEXT_CHARS
    )
    with pytest.raises(QuestionShapeError, match="body must be a string"):
        message_text(42, "body")


def test_an_id_too_long_for_a_question_is_refused_in_one_line():
    message = said("m" * 300, 0, "Hi")
    with pytest.raises(QuestionShapeError, match="longer than"):
        questions(ticket(message))


# ----------------------------------------------------------------------------- the collision guard
def test_answers_by_team_lists_the_team_replies_after_a_time_oldest_first():
    thread = [
        said("r2", 50, "Second answer", by=AGENT),
        said("m1", 0, "Question"),
        said("r0", 10, "Too early", by=AGENT),
        said("b1", 40, "Bot answer", by=BOT),
        said("m2", 45, "Customer again"),
    ]
    assert answers_by_team(thread, at(10)) == [
        Message(author=BOT, body="Bot answer", created_at=at(40)),
        Message(author=AGENT, body="Second answer", created_at=at(50)),
    ]
    assert answers_by_team(thread, at(60)) == []
    assert answers_by_team([], at(0)) == []


# ------------------------------------------------------------------------ our reply found again
REPLY = "Thanks Jane,\n\nthe export works again.\nAnna"


def read_back(ident: str, minutes: float, body: str, by: Author = AGENT) -> TicketMessage:
    """A team message as the connector reads it back: the service's HTML as plain text."""
    text = message_text(text_to_html(body), "body")
    assert text is not None
    return said(ident, minutes, text, by=by)


def test_find_reply_finds_our_reply_by_its_author_and_text():
    ours = read_back("r2", 20, REPLY)
    thread = [said("m1", 0, REPLY), read_back("r1", 10, "Something else"), ours]
    assert find_reply(thread, REPLY, author_id="900", after=at(0)) == ours


def test_find_reply_takes_a_reply_by_another_agent_only_when_its_author_is_unknown():
    other = read_back("r1", 20, REPLY, by=Author(id="777", name="Other Agent"))
    assert find_reply([other], REPLY, author_id="900", after=at(0)) is None
    assert find_reply([other], REPLY, author_id=None, after=at(0)) == other
    nameless = read_back("r2", 20, REPLY, by=Author(name="Support"))
    assert find_reply([nameless], REPLY, author_id="900", after=at(0)) == nameless


def test_find_reply_looks_after_the_question_only():
    before = read_back("r1", -10, REPLY)
    assert find_reply([before], REPLY, author_id="900", after=at(0)) is None
    exactly = read_back("r2", 0, REPLY)
    assert find_reply([before, exactly], REPLY, author_id="900", after=at(0)) == exactly


def test_find_reply_takes_the_latest_of_two_copies():
    first, second = read_back("r1", 10, REPLY), read_back("r2", 20, REPLY)
    assert find_reply([second, first], REPLY, author_id="900", after=at(0)) == second


def test_find_reply_never_takes_a_customer_message_or_another_text():
    assert find_reply([said("m1", 10, REPLY)], REPLY, author_id=None, after=at(0)) is None
    other = read_back("r1", 10, REPLY + " PS: call me")
    assert find_reply([other], REPLY, author_id="900", after=at(0)) is None


@pytest.mark.parametrize(
    "body",
    [
        "Use <b> for bold & <i> for italics",
        "Type <script> in the field, then save.",
        "5 &lt; 6",
        "- one\n- two\n\n> quoted",
    ],
)
def test_find_reply_finds_a_reply_with_markup_like_text(body):
    ours = read_back("r1", 10, body)
    assert find_reply([ours], body, author_id="900", after=at(0)) == ours
    assert find_reply([replace(ours, body=text_to_html(body))], body, author_id="900", after=at(0))


def test_find_reply_does_not_mistake_a_reply_that_differs_after_a_tag_like_word():
    sent = "Type <script> in the field, then save."
    other = read_back("r1", 10, "Type <script> in the search box instead.")
    assert find_reply([other], sent, author_id="900", after=at(0)) is None


# ----------------------------------------------------------------------------- people
def test_email_author_takes_the_email_as_the_handle():
    assert email_author(501, "Jane Doe", "jane@shop.example", "requester") == Author(
        id="501", handle="jane@shop.example", name="Jane Doe"
    )
    assert email_author("u-1", " Jane ", " jane@shop.example ", "requester") == Author(
        id="u-1", handle="jane@shop.example", name="Jane"
    )


@pytest.mark.parametrize("value", [None, "", "   ", 42, ["jane"], {"name": "x"}])
def test_email_author_leaves_out_what_is_missing_blank_or_not_text(value):
    assert email_author(None, value, value, "requester") == Author()


def test_email_author_cleans_hostile_text():
    author = email_author(1, "Jane\udce9", "jane\ud800@shop.example", "requester")
    assert author.name == "Jane\ufffd" and author.handle == "jane\ufffd@shop.example"


def test_email_author_refuses_a_bad_id_and_cuts_an_overlong_name():
    with pytest.raises(QuestionShapeError, match=r"requester\.id"):
        email_author(True, "Jane", None, "requester")
    author = email_author(1, "J" * 5000, "  ", "requester")
    assert author.name == "J" * 1000 and author.handle is None


def test_tag_names_read_plain_lists_and_lists_of_objects():
    assert tag_names(["vip", " ", "vip", "bill\x1b[2Jing\udce9", 7]) == ["vip", "billing\ufffd"]
    assert tag_names([{"name": "refund"}, {"name": None}, "x"], key="name") == ["refund"]
    assert tag_names("vip") == [] and tag_names(None) == []
    assert len(tag_names([f"t{n}" for n in range(500)])) == 100


async def test_read_at_once_keeps_order_and_limits_how_many_run():
    running = peak = 0

    async def job(n: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.001 * (5 - n % 5))
        running -= 1
        return n

    assert await read_at_once([job(n) for n in range(12)], 3) == list(range(12))
    assert peak == 3


async def test_read_at_once_cancels_the_rest_after_a_failure():
    finished: list[int] = []

    async def job(n: int) -> int:
        if n == 0:
            raise ValueError("thread 0 failed")
        await asyncio.sleep(0.05)
        finished.append(n)
        return n

    with pytest.raises(ValueError, match="thread 0 failed"):
        await read_at_once([job(n) for n in range(6)], 2)
    await asyncio.sleep(0.1)
    assert finished == []
