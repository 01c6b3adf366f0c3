"""What every help desk's fetch shares beyond one ticket: the questions and settled turns
of all the tickets it read (:class:`cxdaily.connectors.helpdesk.TicketTurns`), and the
option naming a help desk account (:func:`cxdaily.connectors.helpdesk.account_name_option`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cxdaily.connectors.helpdesk import Ticket, TicketMessage, TicketTurns, account_name_option
from cxdaily.core.errors import ConfigError
from cxdaily.core.models import Author
from cxdaily.settings import ChannelSettings

OPENED = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
CUSTOMER = Author(id="501", handle="jane@shop.example", name="Jane Doe")
AGENT = Author(id="900", name="Anna Berg")


def message(ident: str, minutes: int, *, by_customer: bool = True) -> TicketMessage:
    """A public message ``minutes`` after the ticket was opened."""
    return TicketMessage(
        id=ident,
        author=CUSTOMER if by_customer else AGENT,
        body=f"text of {ident}",
        created_at=OPENED + timedelta(minutes=minutes),
        from_customer=by_customer,
    )


def ticket(ident: str, *messages: TicketMessage, waiting: bool = True) -> Ticket:
    """A ticket of Jane's with these public messages."""
    return Ticket(
        id=ident, requester=CUSTOMER, messages=messages, waiting_on_team=waiting,
        created_at=OPENED, subject="Export broken",
    )  # fmt: skip


def test_the_questions_and_settled_turns_of_every_ticket_make_the_fetch_result():
    turns = TicketTurns("desk", "zendesk")
    turns.add(ticket("T1", message("m1", 0)))
    turns.add(ticket("T2", message("m1", 0), message("m2", 5, by_customer=False)))
    result = turns.result({"cursor": "c2"}, ["one warning"])
    assert [q.id for q in result.questions] == ["desk:T1:m1"]
    # each ticket's id alone is settled too (a question stored while its thread was unreadable)
    assert [q.id for q in result.settled] == ["desk:T1", "desk:T2:m1", "desk:T2"]
    assert all(q.meta["team_answered"] is True for q in result.settled)
    assert result.checkpoint == {"cursor": "c2"} and result.warnings == ["one warning"]


def test_a_ticket_met_twice_counts_in_the_state_it_was_met_in_last():
    turns = TicketTurns("desk", "intercom")
    turns.add(ticket("T1", message("m1", 0)))
    turns.add(ticket("T1", message("m1", 0), message("m2", 5, by_customer=False)))
    assert turns.questions == []
    assert sorted(q.id for q in turns.settled) == ["desk:T1", "desk:T1:m1"]
    turns.add(ticket("T1", message("m1", 0)))  # reopened: the question is back, once
    assert [q.id for q in turns.questions] == ["desk:T1:m1"]
    assert [q.id for q in turns.settled] == ["desk:T1"]


def test_a_ticket_listed_twice_while_it_waits_is_one_question():
    turns = TicketTurns("desk", "freshdesk")
    first = ticket("T1", message("m1", 0))
    turns.add(first)
    turns.add(first)
    assert [q.id for q in turns.questions] == ["desk:T1:m1"]
    assert [q.id for q in turns.settled] == ["desk:T1"]


def test_the_account_option_takes_one_name_before_the_domain():
    option = account_name_option("subdomain", "zendesk.com")
    assert option.description == "the account: https://SUBDOMAIN.zendesk.com (or base_url)"
    desk = ChannelSettings(name="desk", kind="zendesk", options={"subdomain": " acme-eu "})
    assert option.read(desk) == "acme-eu"


@pytest.mark.parametrize("value", ["acme.evil.example", "-acme", "acme/x", "a" * 64, "ac me"])
def test_the_account_option_refuses_anything_but_one_name(value: str):
    option = account_name_option("domain", "freshdesk.com")
    desk = ChannelSettings(name="desk", kind="freshdesk", options={"domain": value})
    with pytest.raises(ConfigError) as caught:
        option.read(desk)
    assert str(caught.value) == (
        '[channels.desk] domain must be the name before .freshdesk.com, such as "acme"'
    )
