"""The ``helpscout`` kind through the whole command line and the app, against a loopback
fake of Help Scout's Mailbox API: add, login (both secret fields into the keyring), test,
fetch, batch, reply, a second fetch, and a reply sent from the app."""

from __future__ import annotations

import json
from typing import Any

from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app
from tests.integration.helpscout_fake_kit import CLIENT_ID, CLIENT_SECRET, HelpScoutFake

NOW = "2026-12-04T09:00:00Z"
JANE = {"id": 501, "first": "Jane", "last": "Doe", "email": "jane@example.com"}
RAVI = {"id": 502, "first": "Ravi", "last": "Rao", "email": "ravi@example.com"}
KIM = {"id": 503, "first": "Kim", "last": "Lee", "email": "kim@example.com"}
SECRETS = (CLIENT_ID, CLIENT_SECRET, "hs-token-")


def mailbox() -> tuple[HelpScoutFake, list[int]]:
    """Two conversations waiting on the team, one the team answered, one pending."""
    fake = HelpScoutFake()
    export = fake.conversation("Export fails", JANE, "<p>My invoice export fails.</p>")
    billing = fake.conversation("Billing email", RAVI, "Can I change the billing email?")
    answered = fake.conversation("Password", KIM, "How do I reset my password?")
    fake.agent_replies(answered, "Use the link on the sign-in page.", status="active")
    fake.conversation("Thanks", KIM, "Thanks a lot!", status="pending")
    return fake, [export, billing, answered]


def start(tmp_path, loopback, **options) -> tuple[HelpScoutFake, list[int], ChannelHome, Any]:
    """The fake on loopback, and a home with the channel added and logged in."""
    fake, ids = mailbox()
    server = loopback(fake.handler)
    fake.base_url = server.url
    home = ChannelHome(tmp_path, now=NOW)
    home.add("desk", "helpscout", base_url=server.url, mailbox_id=fake.mailbox_id, **options)
    home.login("desk", {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    return fake, ids, home, server


def run(home: ChannelHome, said: list[str], *args: str) -> str:
    """``cxdaily ARGS``: exit 0, no traceback; stdout and stderr kept in ``said``."""
    done = home.run(*args)
    said.extend((done.stdout, done.stderr))
    assert done.returncode == 0, f"cxdaily {' '.join(args)}: {done.stderr}{done.stdout}"
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def assert_secrets_kept(home: ChannelHome, said: list[str]) -> None:
    stored = home.files_text()
    for secret in SECRETS:
        assert secret not in stored
        assert not any(secret in text for text in said), secret


def conversation_lists(server) -> list[dict[str, str]]:
    """The query of every conversation list the server answered."""
    return [
        {k: v[0] for k, v in seen.query.items()}
        for seen in server.requests
        if seen.method == "GET" and seen.path == "/v2/conversations"
    ]


def test_add_login_test_fetch_batch_reply_and_fetch_again(tmp_path, loopback):
    fake, ids, home, server = start(tmp_path, loopback, user_id=4)
    said: list[str] = []
    checked = run(home, said, "channels", "test", "desk")
    assert "desk: ok: signed in as Vernon Bear (vernon@acme.example)" in checked
    run(home, said, "fetch")
    newest = max(fake.conversations[conv]["modifiedAt"] for conv in ids)  # of those fetched
    by_conversation = {int(qid.split(":")[1]): qid for qid in home.batch_ids()}
    assert set(by_conversation) == set(ids[:2])  # not the answered one, not the pending one
    first_lists = conversation_lists(server)
    assert first_lists[-1]["status"] == "active" and "modifiedSince" not in first_lists[-1]

    run(home, said, "reply", by_conversation[ids[0]], "--text", "Thanks Jane, fixed.", "--yes")
    assert len(fake.replies) == 1
    conv, body = fake.replies[0]
    assert conv == ids[0]
    assert body == {"customer": {"id": 501}, "text": "<p>Thanks Jane, fixed.</p>", "user": 4}
    assert fake.threads[ids[0]][0]["type"] == "reply"

    server.requests.clear()
    fake.customer_writes(ids[1], "Also: can I add a second email?")
    fetched = [json.loads(line) for line in run(home, said, "fetch", "--json").splitlines()]
    (again,) = conversation_lists(server)
    assert again["status"] == "all"
    assert again["modifiedSince"] == newest
    assert again["mailbox"] == str(fake.mailbox_id)
    (more,) = [q for q in fetched if q["thread_id"] == str(ids[1])]  # the same customer turn
    assert more["body"] == "Can I change the billing email?\n\nAlso: can I add a second email?"
    assert home.batch_ids() == [by_conversation[ids[1]]]  # the replied one has left
    assert_secrets_kept(home, said)


async def test_a_reply_sent_from_the_app_reaches_the_conversation(tmp_path, loopback, monkeypatch):
    fake, _, home, _ = start(tmp_path, loopback)
    said: list[str] = []
    run(home, said, "fetch")
    for name, value in home.env.items():
        monkeypatch.setenv(name, value)
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we fixed it.")
    assert len(fake.replies) == 1, fake.replies
    conv, body = fake.replies[0]
    assert question_id.startswith(f"desk:{conv}:")
    assert body["text"] == "<p>Thanks, we fixed it.</p>"
    assert body["user"] == 4  # the app's user, from /v2/users/me
    assert_secrets_kept(home, said)
