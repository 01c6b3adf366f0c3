"""The ``freshdesk`` kind through the whole command line and the app, against a loopback
fake of Freshdesk: add, login into the keyring, test, fetch, batch, reply, a second fetch
asking only for what changed, and a reply sent from the app."""

from __future__ import annotations

import base64

from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app
from tests.integration.freshdesk_fake_kit import FreshdeskFake

API_KEY = "fdK3y-Sx9Qw2Lp7Zr4Tt"
NOW = "2026-12-04T09:00:00Z"
AGENT = 77


def account() -> FreshdeskFake:
    """Four tickets over two pages: two wait on the team, one was answered, one is pending."""
    fake = FreshdeskFake(api_key=API_KEY, agent_id=AGENT)
    fake.add_contact(501, "Jane Doe", "jane@globex.example")
    fake.add_contact(502, "Ravi Rao", "ravi@initech.example")
    fake.add_contact(503, "Mia Chen", "mia@umbrella.example")
    fake.add_company(9, "Globex")
    fake.add_ticket(
        101,
        requester_id=501,
        subject="Invoice export fails",
        description="How do I export my invoices? It keeps failing.",
        created_at="2026-12-04T07:00:00Z",
        company_id=9,
        priority=4,
    )
    fake.add_conversation(
        101,
        body="Internal: Jane is on the enterprise plan",
        created_at="2026-12-04T07:05:00Z",
        incoming=False,
        user_id=AGENT,
        private=True,
    )
    fake.add_ticket(
        102,
        requester_id=502,
        subject="Billing email",
        description="Can I change the billing email on my account?",
        created_at="2026-12-04T07:10:00Z",
    )
    fake.add_conversation(
        102,
        body="Yes: Settings, then Billing.",
        created_at="2026-12-04T07:20:00Z",
        incoming=False,
        user_id=78,
    )
    fake.add_ticket(
        103,
        requester_id=503,
        subject="Refund",
        description="Where is my refund?",
        created_at="2026-12-04T07:30:00Z",
        status=3,
    )
    fake.add_ticket(
        104,
        requester_id=503,
        subject="SSO setup",
        description="How do I set up SSO?",
        created_at="2026-12-04T06:00:00Z",
    )
    fake.add_conversation(
        104,
        body="Here is the guide.",
        created_at="2026-12-04T06:30:00Z",
        incoming=False,
        user_id=78,
    )
    fake.add_conversation(
        104,
        body="The guide does not cover Okta.",
        created_at="2026-12-04T07:40:00Z",
        incoming=True,
        user_id=503,
    )
    return fake


def assert_no_secret(home: ChannelHome, *outputs: str) -> None:
    basic = base64.b64encode(f"{API_KEY}:X".encode()).decode("ascii")
    for text in (*outputs, home.files_text()):
        assert API_KEY not in text
        assert basic not in text


def test_add_login_test_fetch_batch_reply_and_fetch_again(tmp_path, loopback):
    fake = account()
    server = loopback(fake.handler)
    home = ChannelHome(tmp_path, now=NOW)
    outputs = [home.add("desk", "freshdesk", base_url=server.url, agent_id=AGENT)]
    home.login("desk", {"": API_KEY})
    checked = home.ok("channels", "test", "desk")
    assert "signed in as Anna Agent (agent 77)" in checked
    outputs += [checked, home.ok("fetch")]

    first = fake.ticket_queries[0]
    assert first["updated_since"] == ["2026-11-20T09:00:00Z"]  # since_days = 14
    assert first["order_by"] == ["updated_at"] and first["order_type"] == ["asc"]
    assert first["include"] == ["requester,description"]
    assert len(fake.ticket_queries) == 2  # four tickets, two to a page
    picks = {item["id"]: item for item in home.batch()}
    outputs.append(home.ok("batch", "--json"))
    assert set(picks) == {"desk:101:description", f"desk:104:{fake.conversations[104][-1]['id']}"}
    assert "Internal" not in str(picks)  # private notes never leave Freshdesk

    fake.now = "2026-12-04T09:05:00Z"
    outputs.append(
        home.ok("reply", "desk:101:description", "--text", "Thanks Jane, fixed.", "--yes")
    )
    assert len(fake.replies) == 1
    ticket_id, payload, headers = fake.replies[0]
    assert ticket_id == 101
    assert payload == {"body": "<p>Thanks Jane, fixed.</p>", "user_id": AGENT}
    assert headers["authorization"].startswith("Basic ")

    fake.ticket_queries.clear()
    outputs.append(home.ok("fetch"))
    assert fake.ticket_queries[0]["updated_since"] == ["2026-12-04T07:40:00Z"]  # the newest seen
    assert "desk:101:description" not in home.batch_ids()  # answered: it left the batch
    assert len(fake.replies) == 1
    assert_no_secret(home, *outputs)


async def test_a_reply_sent_from_the_app_reaches_the_ticket(tmp_path, loopback, monkeypatch):
    fake = account()
    server = loopback(fake.handler)
    home = ChannelHome(tmp_path, now=NOW)
    home.add("desk", "freshdesk", base_url=server.url)  # no agent_id: looked up
    home.login("desk", {"": API_KEY})
    home.ok("fetch")
    fake.now = "2026-12-04T09:05:00Z"
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we fixed it.")
    assert len(fake.replies) == 1, fake.replies
    ticket_id, payload, _ = fake.replies[0]
    assert question_id.startswith(f"desk:{ticket_id}:")
    assert payload == {"body": "<p>Thanks, we fixed it.</p>", "user_id": AGENT}
    assert_no_secret(home)
