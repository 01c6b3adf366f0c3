"""The ``webhook`` destination through the service, over ``httpx.MockTransport``: the
payloads, the secret address and token, the idempotency key, and "never twice" (a refusal
is sent again, an unknown outcome is held, a period sent is not sent again)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from cxdaily.core.errors import ConfigError
from cxdaily.insights.delivery.model import OutcomeStatus, PeriodState
from cxdaily.insights.render_json import DIGEST_SCHEMA_ID
from tests.unit.insights.delivery_kit import EMAIL, WEEK_KEY, seed_week, service, write_config

SECRET_URL = "https://hooks.slack.example/services/T000/B000/XXXXSECRETXXXX"
TOKEN = "tok-very-secret-123"


class Recorder:
    """A webhook receiver: answers each POST with the next scripted status (then 200)."""

    def __init__(self, *statuses: int | Exception) -> None:
        self.script = list(statuses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script.pop(0) if self.script else 200
        if isinstance(step, Exception):
            raise step
        return httpx.Response(step, text="ok" if step < 400 else "upstream broke")

    def bodies(self) -> list[dict]:
        return [json.loads(r.content) for r in self.requests]


@pytest.fixture
def week(home: Path) -> Path:
    seed_week(home)
    return home


def test_slack_posts_the_summary_to_the_address_kept_as_a_secret(week, monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_TEAM_SLACK", SECRET_URL)
    write_config(week, {"team-slack": {"kind": "webhook", "format": "slack"}})
    receiver = Recorder()
    with service(receiver) as s:
        (outcome,) = s.send_digest()
    assert outcome.status is OutcomeStatus.SENT and SECRET_URL not in outcome.line
    (request,) = receiver.requests
    assert str(request.url) == SECRET_URL and request.method == "POST"
    assert request.headers["idempotency-key"] == f"cxdaily-digest:team-slack:{WEEK_KEY}"
    assert "authorization" not in request.headers
    body = receiver.bodies()[0]
    assert set(body) == {"text", "blocks"} and EMAIL not in request.content.decode()


def test_a_secret_address_never_shows_in_an_error(week, monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_TEAM_SLACK", SECRET_URL)
    write_config(week, {"team-slack": {"kind": "webhook", "format": "slack"}})
    with service(Recorder(404)) as s:
        (outcome,) = s.send_digest()
        stored = s.delivery.repository.period("team-slack", WEEK_KEY)
    assert outcome.status is OutcomeStatus.FAILED and "404" in outcome.detail
    assert "check the address team-slack is set up with" in outcome.detail
    assert "the address kept as its secret" in outcome.detail and "channel" not in outcome.detail
    for text in (outcome.line, stored.error if stored else ""):
        assert "XXXXSECRETXXXX" not in text and "/services/" not in text
    assert outcome.line.startswith("team-slack: ")  # named once, not "team-slack: team-slack:"
    assert "team-slack: team-slack" not in outcome.line


def test_a_webhook_behind_a_login_redirect_is_not_recorded_as_sent(week, monkeypatch):
    """The hook answers 302 to a sign-in page, whose GET answers 200: the digest was not
    delivered, so it is never recorded as sent (which would skip it for good)."""
    monkeypatch.setenv("CXDAILY_SECRET_TEAM_SLACK", SECRET_URL)
    write_config(week, {"team-slack": {"kind": "webhook", "format": "slack"}})
    methods: list[str] = []

    def sign_in_first(request: httpx.Request) -> httpx.Response:
        methods.append(request.method)
        if request.method == "POST":
            return httpx.Response(302, headers={"location": "https://hooks.slack.com/login"})
        return httpx.Response(200, text="<html>sign in</html>")

    with service(sign_in_first) as s:
        (outcome,) = s.send_digest()
        stored = s.delivery.repository.period("team-slack", WEEK_KEY)
    assert outcome.status is OutcomeStatus.FAILED and "redirect (HTTP 302)" in outcome.detail
    assert stored is not None and stored.state is not PeriodState.SENT
    assert methods == ["POST"]


def test_a_missing_secret_address_is_one_clear_line(week):
    write_config(week, {"team-slack": {"kind": "webhook", "format": "slack"}})
    with service(Recorder()) as s:
        (outcome,) = s.send_digest()
    assert outcome.status is OutcomeStatus.FAILED
    assert "no webhook address" in outcome.detail and "cxdaily login team-slack" in outcome.detail


def test_json_posts_the_versioned_digest_with_the_token_to_its_own_origin_only(week, monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_WAREHOUSE", TOKEN)
    write_config(
        week,
        {"warehouse": {"kind": "webhook", "format": "json", "url": "https://in.example/digests"}},
    )
    receiver = Recorder(httpx.ConnectError("refused"))
    with service(receiver) as s:
        (first,) = s.send_digest()
        (second,) = s.send_digest()
    assert first.status is OutcomeStatus.FAILED and TOKEN not in first.line
    assert second.status is OutcomeStatus.SENT
    request = receiver.requests[-1]
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    body = receiver.bodies()[-1]
    assert body["schema"] == DIGEST_SCHEMA_ID and len(body["insights"]) == 3


def test_teams_posts_an_adaptive_card(week):
    write_config(
        week, {"teams": {"kind": "webhook", "format": "teams", "url": "https://teams.example/h"}}
    )
    receiver = Recorder()
    with service(receiver) as s:
        s.send_digest()
    (body,) = receiver.bodies()
    assert body["type"] == "message"
    assert body["attachments"][0]["content"]["type"] == "AdaptiveCard"


def test_a_refusal_is_sent_again_and_the_digest_goes_once(week):
    write_config(week, {"hook": {"kind": "webhook", "format": "json", "url": "https://h.example/"}})
    receiver = Recorder(500)
    with service(receiver) as s:
        outcomes = [s.send_digest()[0] for _ in range(3)]
        record = s.delivery.repository.period("hook", WEEK_KEY)
    assert [o.status for o in outcomes] == [
        OutcomeStatus.FAILED,
        OutcomeStatus.SENT,
        OutcomeStatus.ALREADY,
    ]
    assert len(receiver.requests) == 2  # the refused one and the one that went
    assert record is not None and record.state is PeriodState.SENT and record.attempts == 2
    assert "--again" in outcomes[2].detail


def test_an_unknown_outcome_is_held_until_sent_again_on_purpose(week):
    write_config(week, {"hook": {"kind": "webhook", "format": "json", "url": "https://h.example/"}})
    receiver = Recorder(httpx.ReadTimeout("no answer"))
    with service(receiver) as s:
        (first,) = s.send_digest()
        (held,) = s.send_digest()
        due = s.digest_due()
        (again,) = s.send_digest(again=True)
    assert first.status is OutcomeStatus.FAILED and "may have gone out" in first.detail
    assert held.status is OutcomeStatus.HELD and "--again" in held.detail
    assert due is None  # nothing due: the held one is left to the leader
    assert again.status is OutcomeStatus.SENT and len(receiver.requests) == 2


def test_redaction_is_off_only_when_the_caller_says_so(week):
    write_config(week, {"hook": {"kind": "webhook", "format": "json", "url": "https://h.example/"}})
    receiver = Recorder()
    with service(receiver) as s:
        s.send_digest()
        s.send_digest(redact=False, again=True)
    redacted, plain = (r.content.decode() for r in receiver.requests)
    assert EMAIL not in redacted and EMAIL in plain


def test_one_failing_destination_leaves_the_others_sent(week):
    write_config(
        week,
        {
            "first": {"kind": "webhook", "format": "json", "url": "https://one.example/"},
            "second": {"kind": "webhook", "format": "json", "url": "https://two.example/"},
        },
    )

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503 if request.url.host == "two.example" else 200)

    with service(handler) as s:
        outcomes = s.send_digest()
        due = s.digest_due()
    assert [o.status for o in outcomes] == [OutcomeStatus.SENT, OutcomeStatus.FAILED]
    assert due is not None and due.destinations == ("second",)
    assert (due.day.isoformat(), due.since, due.until) == ("2026-11-20", "2026-11-13", "2026-11-19")


def test_an_unknown_team_on_a_destination_fails_that_destination_only(week):
    write_config(
        week,
        {
            "ops": {"kind": "webhook", "format": "json", "url": "https://o.example/", "team": "hr"},
            "all": {"kind": "webhook", "format": "json", "url": "https://a.example/"},
        },
    )
    receiver = Recorder()
    with service(receiver) as s:
        ops, everyone = s.send_digest()
    assert ops.status is OutcomeStatus.FAILED and "unknown team 'hr'" in ops.detail
    assert everyone.status is OutcomeStatus.SENT and len(receiver.requests) == 1


def test_plain_http_is_refused_to_anything_but_this_machine(week):
    write_config(
        week, {"hook": {"kind": "webhook", "format": "json", "url": "http://127.0.0.1:9/in"}}
    )
    with service(Recorder()) as s:
        assert s.delivery.chosen(None)[0].options["url"] == "http://127.0.0.1:9/in"
    write_config(week, {"hook": {"kind": "webhook", "format": "json", "url": "http://x.example/"}})
    with pytest.raises(ConfigError, match=r"\[destinations\.hook\] .*http://"):
        service(Recorder())
