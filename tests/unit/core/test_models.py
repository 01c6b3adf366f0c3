"""Models: the normalized question shape, and dict (and JSON) round trips."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxdaily.core.models import (
    HANDLED,
    Action,
    Author,
    Disposition,
    Insight,
    Message,
    Question,
    Reply,
    ReplyState,
    Session,
)
from cxdaily.core.record_fields import RecordError

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)

#: The example of product.md's command-line contract, verbatim.
PRODUCT_EXAMPLE = {
    "id": "acme-support:35436",
    "channel": "acme-support",
    "kind": "zendesk",
    "native_id": "35436",
    "thread_id": "35436",
    "url": "https://acme.zendesk.com/agent/tickets/35436",
    "author": {
        "id": "20978392",
        "handle": "jdoe@example.com",
        "name": "Jane Doe",
        "followers": None,
    },
    "title": "Cannot export my invoices",
    "body": "plain text of the question",
    "created_at": "2026-11-21T14:03:07Z",
    "context": [],
    "meta": {},
}
QUESTION_KEYS = {
    "id",
    "channel",
    "kind",
    "native_id",
    "thread_id",
    "url",
    "author",
    "title",
    "body",
    "created_at",
    "context",
    "meta",
}
AUTHOR_KEYS = {"id", "handle", "name", "followers"}

# ----------------------------------------------------------------------------- strategies
_zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-7, minutes=-30))]
)
instants = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=_zones
).map(lambda d: d.replace(microsecond=0))
texts = st.text(max_size=40)
ids = st.text(min_size=1, max_size=20)
maybe_text = st.none() | texts
json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | texts

authors = st.builds(
    Author,
    id=st.none() | ids,
    handle=maybe_text,
    name=maybe_text,
    followers=st.none() | st.integers(0, 10**9),
)
messages = st.builds(Message, author=authors, body=texts, created_at=instants)
questions = st.builds(
    Question,
    id=ids,
    channel=ids,
    kind=ids,
    native_id=ids,
    thread_id=ids,
    url=maybe_text,
    author=authors,
    title=maybe_text,
    body=texts,
    created_at=instants,
    context=st.lists(messages, max_size=3).map(tuple),
    meta=st.dictionaries(st.text(max_size=10), json_scalars, max_size=4),
)
actions = st.builds(
    Action,
    question_id=ids,
    disposition=st.sampled_from(Disposition),
    at=instants,
    session_id=st.none() | ids,
    note=maybe_text,
    team=maybe_text,
    until=st.none() | instants,
)
replies = st.builds(
    Reply,
    id=ids,
    question_id=ids,
    channel=ids,
    body=texts,
    state=st.sampled_from(ReplyState),
    created_at=instants,
    updated_at=instants,
    idempotency_key=ids,
    attempts=st.integers(0, 100),
    remote_id=st.none() | ids,
    sent_at=st.none() | instants,
    error=maybe_text,
)
insights = st.builds(
    Insight,
    id=ids,
    question_id=ids,
    channel=ids,
    url=maybe_text,
    customer_name=maybe_text,
    customer_handle=maybe_text,
    tags=st.lists(texts, max_size=4).map(tuple),
    team=maybe_text,
    sentiment=st.none() | st.sampled_from(["negative", "neutral", "positive"]),
    importance=st.sampled_from([1, 2, 3]),
    summary=texts,
    quote=texts,
    note=maybe_text,
    created_at=instants,
    session_id=st.none() | ids,
)
sessions = st.builds(
    Session,
    id=ids,
    started_at=instants,
    budget_s=st.integers(60, 8 * 3600),
    planned=st.lists(ids, max_size=5).map(tuple),
    ended_at=st.none() | instants,
    extra_s=st.integers(0, 3600),
    reflection=maybe_text,
)


def _through_json(data: dict) -> dict:
    """What the store does: JSON text and back."""
    return json.loads(json.dumps(data, ensure_ascii=False))


# ----------------------------------------------------------------------------- round trips
@settings(deadline=None)
@given(questions)
def test_question_round_trips_through_dict_and_json(question):
    assert Question.from_dict(question.to_dict()) == question
    assert Question.from_dict(_through_json(question.to_dict())) == question


@settings(deadline=None)
@given(actions)
def test_action_round_trips(action):
    assert Action.from_dict(_through_json(action.to_dict())) == action


@settings(deadline=None)
@given(replies)
def test_reply_round_trips(reply):
    assert Reply.from_dict(_through_json(reply.to_dict())) == reply


@settings(deadline=None)
@given(insights)
def test_insight_round_trips(insight):
    assert Insight.from_dict(_through_json(insight.to_dict())) == insight


@settings(deadline=None)
@given(sessions)
def test_session_round_trips(session):
    assert Session.from_dict(_through_json(session.to_dict())) == session


@settings(deadline=None)
@given(questions)
def test_question_times_are_written_as_utc_with_z(question):
    data = question.to_dict()
    assert data["created_at"].endswith("Z")
    assert len(data["created_at"]) == len("2026-11-21T14:03:07Z")
    for message in data["context"]:
        assert message["created_at"].endswith("Z")


# ----------------------------------------------------------------------------- the contract
def test_the_product_example_parses_and_prints_back_unchanged():
    question = Question.from_dict(PRODUCT_EXAMPLE)
    assert question.author.display == "Jane Doe"
    assert question.created_at == datetime(2026, 11, 21, 14, 3, 7, tzinfo=UTC)
    assert question.to_dict() == PRODUCT_EXAMPLE


@given(questions)
def test_the_normalized_shape_has_exactly_the_contract_keys(question):
    data = question.to_dict()
    assert set(data) == QUESTION_KEYS
    assert set(data["author"]) == AUTHOR_KEYS
    assert isinstance(data["context"], list)
    assert isinstance(data["meta"], dict)
    json.dumps(data)  # printable as one JSON line


def test_from_dict_fills_gaps_and_normalizes_types():
    question = Question.from_dict(
        {
            "id": "acme:7",
            "channel": "acme",
            "kind": "zendesk",
            "native_id": 7,
            "body": None,
            "created_at": "2026-11-21T16:03:07+02:00",
            "author": {"id": 20978392, "followers": 1200.0},
        }
    )
    assert question.native_id == "7"
    assert question.thread_id == "7"  # defaults to the native id
    assert question.body == ""
    assert question.url is None and question.title is None
    assert question.created_at == datetime(2026, 11, 21, 14, 3, 7, tzinfo=UTC)
    assert question.author == Author(id="20978392", followers=1200)
    assert question.context == () and question.meta == {}


def test_author_display_falls_back():
    assert Author(name="Jane", handle="@jane").display == "Jane"
    assert Author(handle="@jane").display == "@jane"
    assert Author().display == "unknown"
    assert Author.from_dict(None) == Author()
    assert Author.from_dict({"followers": "many"}).followers is None


def test_question_ids_join_channel_and_native_id():
    assert Question.make_id("acme-support", "35436") == "acme-support:35436"


def test_handled_dispositions():
    assert {Disposition.ANSWERED, Disposition.TAGGED, Disposition.HANDED_OFF} == HANDLED
    assert Disposition.SKIPPED not in HANDLED
    assert Disposition.SNOOZED not in HANDLED


def test_reply_with_changes_copies():
    now = datetime(2026, 11, 21, 12, tzinfo=UTC)
    reply = Reply(
        id="r1",
        question_id="acme:1",
        channel="acme",
        body="Thanks!",
        state=ReplyState.QUEUED,
        created_at=now,
        updated_at=now,
        idempotency_key="k",
    )
    sent = reply.with_changes(state=ReplyState.SENT, remote_id="42")
    assert sent.state is ReplyState.SENT and sent.remote_id == "42"
    assert reply.state is ReplyState.QUEUED and reply.remote_id is None


# ----------------------------------------------------------------------------- wrong shapes
@pytest.mark.parametrize(
    ("model", "change", "words"),
    [
        (Question, {"id": None}, "'id' is null, not text"),
        (Question, {"native_id": [1]}, "'native_id' is a list, not an id"),
        (Question, {"created_at": 5}, "'created_at' is a number, not a timestamp"),
        (Question, {"created_at": "0001-01-01T00:00:00+01:00"}, "'created_at' is not an ISO"),
        (Question, {"author": "Jane"}, "'author' is text, not an object"),
        (Question, {"context": [1]}, "'context' message is a number, not an object"),
        (Question, {"title": {"a": 1}}, "'title' is an object, not text"),
        (Action, {"disposition": "bogus"}, "'disposition' is 'bogus', not one of answered"),
        (Action, {"disposition": None}, "'disposition' is null, not one of"),
        (Action, {"at": None}, "'at' is null, not a timestamp"),
        (Reply, {"state": "x" * 100}, "'state' is text, not one of queued"),
        (Reply, {"attempts": True}, "'attempts' is true/false, not a whole number"),
        (Reply, {"attempts": float("inf")}, "'attempts' is a number, not a whole number"),
        (Insight, {"tags": "bug"}, "'tags' is text, not a list of text"),
        (Insight, {"tags": ["bug", 3]}, "'tags' is a list, not a list of text"),
        (Session, {"budget_s": "20m"}, "'budget_s' is text, not a whole number"),
        (Session, {"planned": None, "id": 3}, "'id' is a number, not text"),
    ],
)
def test_from_dict_names_the_field_of_a_record_of_the_wrong_shape(model, change, words):
    """A record read from a damaged or edited data file is a RecordError naming the field
    (the store turns it into one line naming the file), never a KeyError or a bare
    ValueError from deep inside."""
    example = {
        Question: Question.from_dict(PRODUCT_EXAMPLE).to_dict(),
        Action: Action("acme:1", Disposition.SKIPPED, NOW).to_dict(),
        Reply: Reply("r1", "acme:1", "acme", "Hi", ReplyState.QUEUED, NOW, NOW, "k").to_dict(),
        Insight: Insight(
            "i1", "acme:1", "acme", None, None, None, ("bug",), None, None, 1, "", "", None, NOW
        ).to_dict(),
        Session: Session("s1", NOW, 1200, ("acme:1",)).to_dict(),
    }[model]
    with pytest.raises(RecordError) as caught:
        model.from_dict({**example, **change})
    assert words in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("missing", ["id", "question_id", "created_at"])
def test_a_missing_field_is_a_record_error_not_a_key_error(missing):
    data = Insight(
        "i1", "acme:1", "acme", None, None, None, ("bug",), None, None, 1, "", "", None, NOW
    ).to_dict()
    del data[missing]
    with pytest.raises(RecordError, match=f"'{missing}' is missing"):
        Insight.from_dict(data)


def test_a_record_that_is_not_an_object_is_a_record_error():
    with pytest.raises(RecordError, match="not an object"):
        Action.from_dict(["acme:1", "skipped"])  # type: ignore[arg-type]
