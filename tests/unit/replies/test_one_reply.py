"""Services that keep one reply per question (a review's response): a second reply is not
refused, it replaces the first, and the review says so before it goes out."""

from __future__ import annotations

import json
from pathlib import Path

from msgspec.structs import replace

from cxdaily.cli import main
from cxdaily.connectors import connector_class
from cxdaily.connectors.base import Connector
from cxdaily.connectors.demo import DemoConnector
from cxdaily.service import Service


class OneReplyDemo(DemoConnector):
    """The demo inbox, answered like a review: one response per question."""

    capabilities = replace(DemoConnector.capabilities, one_reply=True)


def one_reply_registry(kind: str) -> type[Connector]:
    return OneReplyDemo if kind == "demo" else connector_class(kind)


def first_question(capsys) -> str:
    assert main(["--demo", "fetch", "--json"], connectors=one_reply_registry) == 0
    return json.loads(capsys.readouterr().out.splitlines()[0])["id"]


def test_a_second_reply_replaces_the_first_instead_of_being_refused(home: Path, capsys):
    question_id = first_question(capsys)
    reply = ["--demo", "reply", question_id, "--yes", "--text"]
    assert main([*reply, "Thanks for the review!"], connectors=one_reply_registry) == 0
    assert main([*reply, "Thanks, the fix is out today."], connectors=one_reply_registry) == 0
    capsys.readouterr()
    assert main(["--demo", "outbox", "list", "--json"], connectors=one_reply_registry) == 0
    sent = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["state"] for r in sent] == ["sent", "sent"]
    assert sent[1]["body"] == "Thanks, the fix is out today."


def test_the_review_says_the_new_reply_replaces_the_one_sent(home: Path, capsys):
    question_id = first_question(capsys)
    service = Service.open("demo", connectors=one_reply_registry)
    try:
        assert not service.replies.replaces_earlier_reply(question_id)
        assert not service.replies.review_reply(question_id, "First answer").replaces
        service.queue_reply(question_id, "First answer")
        service.replies.retry()
        assert service.replies.replaces_earlier_reply(question_id)
        review = service.replies.review_reply(question_id, "Second answer")
        assert review.replaces and review.problems == ()
    finally:
        service.close()


def test_other_services_still_refuse_a_second_reply(home: Path, capsys):
    assert main(["--demo", "fetch", "--json"]) == 0
    question_id = json.loads(capsys.readouterr().out.splitlines()[0])["id"]
    reply = ["--demo", "reply", question_id, "--yes", "--text"]
    assert main([*reply, "First"]) == 0
    capsys.readouterr()
    assert main([*reply, "Second"]) == 1
    assert "you already replied to this question" in capsys.readouterr().err
