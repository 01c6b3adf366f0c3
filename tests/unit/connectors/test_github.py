"""The github channel: issues opened by outsiders across Link pages, only what changed on
later fetches, turns answered by members settled, replies as issue and discussion
comments, discussions through GraphQL, and every way the APIs can fail."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs

import httpx
import pytest

from cxdaily.connectors import connector_class
from cxdaily.connectors import github_graphql as gql
from cxdaily.connectors.github import GitHubConnector, default_graphql_url
from cxdaily.connectors.github_parse import github_text, iso, split_thread, thread_questions
from cxdaily.connectors.http import BadResponseError, ChannelHttp, HttpPolicy, make_client
from cxdaily.core.errors import (
    AuthError,
    ConfigError,
    ConnectorError,
    RateLimited,
    ReplyRejected,
)
from cxdaily.credentials import secret_reader
from cxdaily.replies.outbox import may_have_reached_service
from cxdaily.settings import ChannelSettings
from tests.integration.github_fake_kit import BOT, REPO, T0, TOKEN, FakeGitHub, when
from tests.integration.loopback_kit import FakeWire, seen_of

BASE = "https://api.github.com"
NOW = T0 + timedelta(days=1)


# -- helpers --------------------------------------------------------------------------
class Wire(FakeWire):
    """The fake behind a MockTransport; records every request (hosts included)."""

    def get(self, suffix: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "GET" and r.url.path.endswith(suffix)]

    def posts(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "POST"]


@pytest.fixture(autouse=True)
def token(memory_keyring):
    memory_keyring.set_password("cxdaily", "gh", TOKEN)


@pytest.fixture
def fake() -> FakeGitHub:
    return FakeGitHub()


def build(fake, fake_sleep, *, wall_clock=None, **options):
    """The connector over the fake; returns it and the wire that saw its requests."""
    wire = Wire(fake)
    options = {"repos": REPO, **options}
    settings = ChannelSettings(name="gh", kind="github", options=options)
    client = make_client(transport=httpx.MockTransport(wire))
    connector = GitHubConnector(
        settings, client=client, secrets=secret_reader("gh"), now=lambda: NOW
    )
    connector.http = ChannelHttp(
        client, channel="gh", sleep=fake_sleep, rand=lambda: 0.0,
        wall_clock=wall_clock or (lambda: NOW.timestamp()), policy=HttpPolicy(),
    )  # fmt: skip
    return connector, wire


def tracker(fake: FakeGitHub) -> None:
    """Five issues and a pull request: three asking, one answered, two by the team."""
    fake.open_issue(1, "Export fails", "My export fails with **error 42**.", total=7,
                    labels=("bug",))  # fmt: skip
    fake.open_issue(2, "Roadmap", "Planned work.", login="anna", association="MEMBER")
    fake.open_issue(3, "Dark mode?", "Is there a dark mode?", association="CONTRIBUTOR")
    fake.comment(3, "+1, same question", login="bob")
    fake.open_issue(4, "Login loop", "I cannot log in.")
    fake.comment(4, "Clear your cookies, please.", login="anna", association="MEMBER")
    fake.open_issue(5, "Bump deps", "Automated.", login="dependabot[bot]", pull=True)
    fake.open_issue(6, "Crash on start", "It crashes.", login="carol")


def by_thread(questions, thread: str):
    return next(q for q in questions if q.thread_id == thread)


# -- registration and options ----------------------------------------------------------
def test_registered_as_a_builtin_kind():
    assert connector_class("github") is GitHubConnector
    assert GitHubConnector.capabilities.max_reply_length == 65_536
    assert GitHubConnector.capabilities.public and GitHubConnector.capabilities.finds_own_replies


def test_repos_is_required_and_takes_a_list_or_commas():
    with pytest.raises(ConfigError, match=r"^\[channels\.gh\] needs repos"):
        GitHubConnector(ChannelSettings(name="gh", kind="github", options={}))

    def repos(value):
        return GitHubConnector(ChannelSettings(name="gh", kind="github", options={"repos": value}))

    listed = repos(["acme/a", "acme/b.js"])
    commas = repos(" acme/a , acme/b.js,acme/a")
    assert listed.repos == commas.repos == ("acme/a", "acme/b.js")
    for bad in ("acme", "acme/a/b", "acme/..", "a b/c", ["acme/a", 3]):
        with pytest.raises(ConfigError, match=r"^\[channels\.gh\] repos"):
            GitHubConnector(ChannelSettings(name="gh", kind="github", options={"repos": bad}))


def test_graphql_sits_beside_the_rest_api():
    assert default_graphql_url("https://api.github.com") == "https://api.github.com/graphql"
    assert default_graphql_url("https://ghe.acme.example/api/v3/") == (
        "https://ghe.acme.example/api/graphql"
    )


def test_thread_ids_are_checked_before_they_become_paths():
    assert split_thread("acme/widgets#12") == ("acme/widgets", 12)
    for bad in ("acme/widgets", "acme/../x#1", "acme/w#1/../2", "acme/w#-1", "acme/w#0"):
        assert split_thread(bad) is None


# -- fetching ------------------------------------------------------------------------
async def test_a_first_fetch_reads_every_page_and_asks_github_for_open_issues(fake, fake_sleep):
    tracker(fake)
    fake.page_size = 2
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    lists = wire.get("/repos/acme/widgets/issues")
    assert len(lists) == 3  # three pages of two, by Link rel="next"
    first = parse_qs(lists[0].url.query.decode())
    assert first == {"state": ["open"], "since": [when(NOW - timedelta(days=14))],
                     "sort": ["updated"], "direction": ["asc"], "per_page": ["100"]}  # fmt: skip
    assert parse_qs(lists[2].url.query.decode())["page"] == ["3"]
    assert sorted(q.native_id for q in result.questions) == [
        "acme/widgets#1", "acme/widgets#3", "acme/widgets#6"
    ]  # fmt: skip
    one = by_thread(result.questions, "acme/widgets#1")
    assert one.title == "Export fails" and one.body == "My export fails with error 42."
    assert one.url == "https://github.com/acme/widgets/issues/1"
    assert one.author.handle == "jane" and one.author.followers is None
    assert one.meta["author_association"] == "NONE" and one.meta["reactions"] == 7
    assert one.meta["labels"] == ["bug"] and one.meta["type"] == "issue"
    # the comments of issues nobody commented on are not read
    assert sorted(r.url.path for r in wire.get("/comments")) == [
        "/repos/acme/widgets/issues/3/comments", "/repos/acme/widgets/issues/4/comments"
    ]  # fmt: skip
    three = by_thread(result.questions, "acme/widgets#3")
    assert three.body == "Is there a dark mode?" and three.context == ()
    assert [q.native_id for q in result.settled] == ["acme/widgets#4"]
    assert result.settled[0].meta["team_answered"] is True
    assert result.checkpoint == {"issues": {REPO: fake.issues[REPO][6]["updated_at"]}}


async def test_a_second_fetch_asks_only_for_what_changed(fake, fake_sleep):
    tracker(fake)
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    fake.comment(6, "Any news? It still crashes.", login="carol")
    wire.requests.clear()
    second = await c.fetch(first.checkpoint)
    (listed,) = wire.get("/issues")
    assert parse_qs(listed.url.query.decode())["since"] == [first.checkpoint["issues"][REPO]]
    assert [q.native_id for q in second.questions] == ["acme/widgets#6"]
    assert second.questions[0].body == "It crashes.\n\nAny news? It still crashes."
    assert second.checkpoint["issues"][REPO] == fake.issues[REPO][6]["updated_at"]


async def test_an_answer_settles_the_turn_and_a_new_comment_is_a_new_question(fake, fake_sleep):
    fake.open_issue(1, "Export fails", "It fails.")
    c, _ = build(fake, fake_sleep)
    question = (await c.fetch(None)).questions[0]
    answer = fake.comment(1, "Fixed in 2.1.", login="anna", association="OWNER")
    fake.comment(1, "Thanks, same here", login="bob")  # a bystander, not an answer
    answers = await c.answers_since(question, question.created_at)
    assert [(m.author.handle, m.body) for m in answers] == [("anna", "Fixed in 2.1.")]
    assert await c.answers_since(question, T0 + timedelta(hours=1)) == []
    result = await c.fetch(None)
    assert result.questions == [] and [q.native_id for q in result.settled] == ["acme/widgets#1"]
    again = fake.comment(1, "Sadly it fails again in 2.1.", login="jane")
    result = await c.fetch(None)
    (turn,) = result.questions
    assert turn.native_id == f"acme/widgets#1:{again['id']}" and turn.thread_id == "acme/widgets#1"
    assert turn.body == "Sadly it fails again in 2.1." and turn.url == again["html_url"]
    assert [m.body for m in turn.context] == ["It fails.", "Fixed in 2.1.", "Thanks, same here"]
    assert turn.title == "Export fails" and answer["id"] != again["id"]


async def test_our_own_comments_answer_even_without_membership(fake, fake_sleep):
    fake.open_issue(1, "Export", "It fails.")
    fake.comment(1, "Looking into it.", login=BOT, association="CONTRIBUTOR")
    fake.open_issue(2, "Our own issue", "Tracking.", login=BOT, association="NONE")
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert result.questions == [] and [q.native_id for q in result.settled] == ["acme/widgets#1"]


# -- replying ------------------------------------------------------------------------
async def test_a_reply_is_one_issue_comment(fake, fake_sleep):
    fake.open_issue(7, "Export", "It fails.")
    c, wire = build(fake, fake_sleep)
    question = (await c.fetch(None)).questions[0]
    sent = await c.send_reply(question, "Thanks, fixed in **2.1**.", "key-1")
    (post,) = wire.posts()
    assert post.url.path == "/repos/acme/widgets/issues/7/comments"
    assert json.loads(post.content) == {"body": "Thanks, fixed in **2.1**."}
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    assert post.headers["accept"] == "application/vnd.github+json"
    assert post.headers["x-github-api-version"] == "2022-11-28"
    comment = fake.comments[(REPO, 7)][-1]
    assert sent.remote_id == str(comment["id"]) and sent.url == comment["html_url"]


async def test_a_reply_over_the_limit_is_refused_before_sending(fake, fake_sleep):
    fake.open_issue(7, "Export", "It fails.")
    c, wire = build(fake, fake_sleep)
    question = (await c.fetch(None)).questions[0]
    assert c.reply_length("é" * 10) == 10  # characters, not bytes
    with pytest.raises(ReplyRejected, match="65537 characters"):
        await c.send_reply(question, "x" * 65_537, "key-1")
    assert wire.posts() == []
    await c.send_reply(question, "é" * 65_536, "key-2")
    assert len(fake.replies) == 1


async def test_an_unknown_outcome_is_resolved_by_finding_our_reply(fake, fake_sleep):
    fake.open_issue(7, "Export", "It fails.")
    fake.comment(7, "Done.", login="anna", association="MEMBER")  # same words, another member
    fake.comment(7, "Still failing.")
    c, wire = build(fake, fake_sleep)
    question = (await c.fetch(None)).questions[0]

    def applied_then_cut(request):
        if request.method == "POST":
            fake.respond(seen_of(request))  # the server applies it, the answer is lost
            raise httpx.ReadError("connection reset", request=request)
        return None

    wire.intercept = applied_then_cut
    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(question, "Done.", "key-1")
    assert may_have_reached_service(caught.value)
    assert len(fake.replies) == 1 and len(wire.posts()) == 1  # never sent twice
    found = await c.find_own_reply(question, "Done.", "key-1")
    ours = fake.comments[(REPO, 7)][-1]
    assert ours["user"]["login"] == BOT
    assert (
        found is not None and found.remote_id == str(ours["id"]) and found.url == ours["html_url"]
    )
    assert await c.find_own_reply(question, "Something else.", "key-2") is None


# -- discussions -----------------------------------------------------------------------
async def test_discussions_by_outsiders_are_questions_down_to_the_checkpoint(fake, fake_sleep):
    fake.open_discussion(10, "How do I export?", "Where is the *export* button?")
    fake.open_discussion(11, "Announcement", "v2 is out", login="anna", association="OWNER")
    fake.open_discussion(12, "Proxy support?", "Does it work behind a proxy?")
    fake.discuss(12, "Yes, set HTTPS_PROXY.", login="anna", association="MEMBER")
    fake.page_size = 2
    c, wire = build(fake, fake_sleep, discussions=True)
    result = await c.fetch(None)
    assert [q.native_id for q in result.questions] == ["acme/widgets#10"]
    (question,) = result.questions
    assert question.body == "Where is the export button?" and question.title == "How do I export?"
    assert question.meta["discussion_id"] == "D_kwDO10" and question.meta["category"] == "Q&A"
    assert question.url == "https://github.com/acme/widgets/discussions/10"
    assert [q.native_id for q in result.settled] == ["acme/widgets#12"]
    graphql = [json.loads(r.content) for r in wire.posts()]
    assert all(r.url.path == "/graphql" for r in wire.posts())
    assert [g["variables"]["cursor"] for g in graphql] == [None, "2"]
    assert "orderBy:{field:UPDATED_AT,direction:DESC}" in graphql[0]["query"]
    newest = fake.discussions[REPO][12]["updatedAt"]
    assert result.checkpoint["discussions"] == {REPO: newest}

    fake.open_discussion(13, "Theme?", "Can I change the theme?")
    fake.page_size = 3
    wire.requests.clear()
    second = await c.fetch(result.checkpoint)
    assert [q.native_id for q in second.questions] == ["acme/widgets#13"]
    assert len(wire.posts()) == 1  # the first page reached the checkpoint (an older one)


async def test_a_discussion_cursor_named_again_ends_the_walk(fake, fake_sleep, monkeypatch):
    for number in (10, 11, 12):
        fake.open_discussion(number, f"Question {number}?", "How do I do this?")
    fake.page_size = 1
    answer_graphql = fake._graphql

    def looping(body):
        answer = answer_graphql(body)
        if body.get("variables", {}).get("cursor") == "1":  # names the page just read
            discussions = answer.body["data"]["repository"]["discussions"]
            discussions["pageInfo"] = {"hasNextPage": True, "endCursor": "1"}
        return answer

    monkeypatch.setattr(fake, "_graphql", looping)
    c, wire = build(fake, fake_sleep, discussions=True)
    result = await c.fetch(None)
    cursors = [json.loads(r.content)["variables"]["cursor"] for r in wire.posts()]
    assert cursors == [None, "1"]  # not the same page again, up to the page cap
    assert [q.native_id for q in result.questions] == ["acme/widgets#12", "acme/widgets#11"]
    assert "discussions of acme/widgets: the service named a page already read" in " ".join(
        c.fetch_notes()
    )


async def test_a_discussion_reply_is_added_through_graphql(fake, fake_sleep):
    fake.open_discussion(10, "How do I export?", "Where is the export button?")
    c, wire = build(fake, fake_sleep, discussions=True)
    question = (await c.fetch(None)).questions[0]
    wire.requests.clear()
    sent = await c.send_reply(question, "Under File > Export.", "key-1")
    (post,) = wire.posts()
    posted = json.loads(post.content)
    assert "addDiscussionComment" in posted["query"]
    assert posted["variables"] == {"id": "D_kwDO10", "body": "Under File > Export."}
    assert fake.replies == [("acme/widgets#10", {"body": "Under File > Export."})]
    assert sent.remote_id.startswith("DC_") and "#discussioncomment-" in (sent.url or "")
    found = await c.find_own_reply(question, "Under File > Export.", "key-1")
    assert found == sent
    answers = await c.answers_since(question, question.created_at)
    assert [m.body for m in answers] == ["Under File > Export."]


async def test_graphql_errors_are_one_line_errors(fake, fake_sleep):
    fake.open_discussion(10, "How do I export?", "Where?")
    c, wire = build(fake, fake_sleep, discussions=True, repos="acme/widgets, acme/gone")
    result = await c.fetch(None)  # an unknown repository costs only itself
    assert len(result.questions) == 1
    assert any("acme/gone: its discussions cannot be read" in w for w in result.warnings)
    limited = {"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]}
    reset = str(int(NOW.timestamp()) + 90)
    wire.intercept = lambda r: (
        httpx.Response(200, json=limited, headers={"x-ratelimit-reset": reset})
        if r.method == "POST" else None
    )  # fmt: skip
    with pytest.raises(RateLimited) as caught:
        await c.fetch(None)
    assert caught.value.retry_after == 90 and "\n" not in str(caught.value)
    scoped = {"errors": [{"type": "INSUFFICIENT_SCOPES", "message": "needs read:discussion"}]}
    wire.intercept = lambda r: httpx.Response(200, json=scoped) if r.method == "POST" else None
    with pytest.raises(AuthError, match="needs read:discussion"):
        await c.fetch(None)
    # refused for the repository's discussions (not one of them): the token, not an item
    refused = {
        "data": {"repository": None},
        "errors": [{"type": "FORBIDDEN", "message": "Resource not accessible",
                    "path": ["repository", "discussions"]}],
    }  # fmt: skip
    wire.intercept = lambda r: httpx.Response(200, json=refused) if r.method == "POST" else None
    with pytest.raises(AuthError, match="Resource not accessible"):
        await c.fetch(None)
    odd = {"data": None, "errors": [{"message": "Something went wrong\nwhile executing"}]}
    wire.intercept = lambda r: httpx.Response(200, json=odd) if r.method == "POST" else None
    with pytest.raises(BadResponseError) as bad:
        await c.fetch(None)
    assert "GraphQL error" in str(bad.value) and "\n" not in str(bad.value)
    # a limit among other errors is the limit, whatever their order: the fetch waits
    mixed = {"data": None, "errors": [{"message": "Something went wrong"}, *limited["errors"]]}
    wire.intercept = lambda r: (
        httpx.Response(200, json=mixed, headers={"x-ratelimit-reset": reset})
        if r.method == "POST" else None
    )  # fmt: skip
    with pytest.raises(RateLimited):
        await c.fetch(None)


async def test_one_discussion_graphql_could_not_resolve_costs_only_itself(fake, fake_sleep):
    """GitHub answers a listing with ``data`` and ``errors`` when one node cannot be
    resolved (that node is ``null``, the error's ``path`` points at it): the whole
    repository was failed for it."""
    fake.open_discussion(10, "How do I export?", "Where?")
    fake.open_discussion(11, "Dark mode?", "Is it planned?")
    c, wire = build(fake, fake_sleep, discussions=True)
    lost: list[str] = []

    def one_node_unresolved(request):
        if request.method != "POST":
            return None
        payload = json.loads(json.dumps(fake.respond(seen_of(request)).body))
        nodes = payload["data"]["repository"]["discussions"]["nodes"]
        lost.append(nodes[0]["title"])
        nodes[0] = None
        payload["errors"] = [
            {
                "type": "NOT_FOUND",
                "path": ["repository", "discussions", "nodes", 0],
                "message": "Could not resolve to a node with the global id of 'D_x'",
            }
        ]
        return httpx.Response(200, json=payload)

    wire.intercept = one_node_unresolved
    result = await c.fetch(None)
    kept = {"How do I export?", "Dark mode?"} - set(lost)
    assert [q.title for q in result.questions] == list(kept)
    assert any("Could not resolve" in w and "nodes.0" in w for w in result.warnings)
    whole = {
        "data": {"repository": None},
        "errors": [{"type": "NOT_FOUND", "path": ["repository"], "message": "gone"}],
    }
    wire.intercept = lambda r: httpx.Response(200, json=whole) if r.method == "POST" else None
    result = await c.fetch(None)  # the repository itself: still its error, as before
    assert result.questions == [] and any("cannot be read" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("error", "again"),
    [
        ({"message": "Something went wrong while executing your query. This may be the "
                     "result of a timeout, or it could be a GitHub bug."}, True),
        ({"type": "NOT_FOUND", "message": "Could not resolve to a node"}, False),
        ({"type": "FORBIDDEN", "message": "Resource not accessible by integration"}, False),
        ({"message": "Cannot read this discussion"}, False),  # no cause said: skipped
    ],
)  # fmt: skip
async def test_a_discussion_left_unread_by_a_passing_graphql_error_is_read_next_time(
    fake, fake_sleep, error, again
):
    """A newer discussion must not move the checkpoint past one GraphQL failed to
    resolve on its side (its node ``null``, the error's path at it): the next fetch reads
    it (a NOT_FOUND, or an error that says no cause, would come again: skipped)."""
    fake.open_discussion(10, "How do I export?", "Where is the export button?")
    fake.open_discussion(11, "Dark mode?", "Is it planned?", login="bob")
    failing = [True]
    c, wire = build(fake, fake_sleep, discussions=True)

    def one_node_failed(request):
        if not failing[0] or request.method != "POST":
            return None
        payload = json.loads(json.dumps(fake.respond(seen_of(request)).body))
        nodes = payload["data"]["repository"]["discussions"]["nodes"]
        index = next(n for n, node in enumerate(nodes) if node["number"] == 10)
        nodes[index] = None
        path = ["repository", "discussions", "nodes", index]
        payload["errors"] = [{**error, "path": path}]
        return httpx.Response(200, json=payload)

    wire.intercept = one_node_failed
    first = await c.fetch(None)
    assert [q.native_id for q in first.questions] == ["acme/widgets#11"]
    assert ("read again by the next fetch" in first.warnings[0]) is again
    newest = fake.discussions[REPO][11]["updatedAt"]
    assert (first.checkpoint["discussions"][REPO] != newest) is again
    failing[0] = False
    second = await c.fetch(first.checkpoint)
    asked = [q.native_id for q in second.questions]
    assert ("acme/widgets#10" in asked) is again  # a customer's question, not lost
    assert second.warnings == []


# -- failures ------------------------------------------------------------------------
async def test_primary_and_secondary_rate_limits_wait_as_github_asks(fake, fake_sleep):
    fake.open_issue(1, "Export", "It fails.")
    reset = str(int(NOW.timestamp()) + 12)
    fake.throttle(
        403, x_ratelimit_limit="5000", x_ratelimit_remaining="0", x_ratelimit_used="5000",
        x_ratelimit_reset=reset, x_ratelimit_resource="core",
    )  # fmt: skip
    fake.throttle(429, retry_after="7")
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert len(result.questions) == 1
    assert fake_sleep.calls == [12.0, 7.0]


async def test_a_reply_is_never_repeated_after_a_throttle(fake, fake_sleep):
    fake.open_issue(1, "Export", "It fails.")
    c, _ = build(fake, fake_sleep)
    question = (await c.fetch(None)).questions[0]
    fake.throttle(403, retry_after="30")
    with pytest.raises(RateLimited) as caught:
        await c.send_reply(question, "Hi.", "k")
    assert not may_have_reached_service(caught.value) and fake.replies == []


@pytest.mark.parametrize(("status", "said"), [(401, "refused the credentials"), (403, "denied")])
async def test_401_and_403_are_one_line_auth_errors_without_the_token(
    fake, fake_sleep, status, said
):
    c, wire = build(fake, fake_sleep)
    echo = {"message": f"Bad credentials {TOKEN}", "documentation_url": "https://docs.github.com"}
    wire.intercept = lambda request: httpx.Response(status, json=echo)
    with pytest.raises(AuthError) as caught:
        await c.check()
    text = str(caught.value)
    assert said in text and "token" in text and "\n" not in text
    assert TOKEN not in text


async def test_a_malformed_page_is_a_one_line_error(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: (
        httpx.Response(200, json={"items": []}) if r.url.path.endswith("/issues") else None
    )
    with pytest.raises(BadResponseError) as caught:
        await c.fetch(None)
    assert "not with a list of issues" in str(caught.value) and "\n" not in str(caught.value)


async def test_one_malformed_issue_costs_only_itself(fake, fake_sleep):
    fake.open_issue(1, "Export", "It fails.")
    fake.open_issue(2, "Import", "It fails too.")
    fake.issues[REPO][2]["created_at"] = "yesterday"
    fake.open_issue(3, "Sync", "Sync is slow.")
    fake.issues[REPO][3]["number"] = "three"
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert [q.native_id for q in result.questions] == ["acme/widgets#1"]
    assert len(result.warnings) == 2 and "created_at" in result.warnings[0]
    assert "number" in result.warnings[1]


async def test_comments_that_cannot_be_read_cost_only_that_context(fake, fake_sleep):
    fake.open_issue(1, "Export", "It fails.")
    fake.comment(1, "Also on Linux.", login="bob")
    fake.open_issue(2, "Import", "It fails too.")
    fake.comment(2, "Here are logs.")
    fake.broken_comments.add(1)
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert sorted(q.native_id for q in result.questions) == ["acme/widgets#1", "acme/widgets#2"]
    one = by_thread(result.questions, "acme/widgets#1")
    assert one.body == "It fails." and one.context == ()
    assert by_thread(result.questions, "acme/widgets#2").body == "It fails too.\n\nHere are logs."
    assert len(result.warnings) == 1
    assert "acme/widgets#1: its comments cannot be read" in result.warnings[0]


@pytest.mark.parametrize(("status", "again"), [(502, True), (404, False)])
async def test_comments_left_unread_by_a_passing_failure_are_read_next_time(
    fake, fake_sleep, status, again
):
    """A newer issue must not move the checkpoint past comments a 5xx kept from being
    read (a follow-up question among them): the next fetch reads them (a 404 would come
    again: skipped)."""
    fake.open_issue(1, "Export", "It fails.")
    fake.comment(1, "Fixed in 2.1.", login="anna", association="MEMBER")
    again_asked = fake.comment(1, "It fails again in 2.1.", login="jane")
    fake.open_issue(2, "Import", "It fails too.", login="bob")
    failing = [True]
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: (
        httpx.Response(status, json={"message": "Server Error"})
        if failing[0] and r.url.path.endswith("/issues/1/comments") else None
    )  # fmt: skip
    first = await c.fetch(None)
    follow_up = f"acme/widgets#1:{again_asked['id']}"
    assert follow_up not in [q.native_id for q in first.questions]
    assert "acme/widgets#2" in [q.native_id for q in first.questions]
    assert ("read again by the next fetch" in first.warnings[0]) is again
    newest = fake.issues[REPO][2]["updated_at"]
    assert (first.checkpoint["issues"][REPO] != newest) is again
    failing[0] = False
    second = await c.fetch(first.checkpoint)
    assert (follow_up in [q.native_id for q in second.questions]) is again  # not lost
    assert second.warnings == []


async def test_a_repository_that_is_gone_costs_only_itself(fake, fake_sleep):
    fake.open_issue(1, "Export", "It fails.")
    c, _ = build(fake, fake_sleep, repos=["acme/gone", REPO])
    result = await c.fetch(None)
    assert len(result.questions) == 1
    assert result.warnings[0].startswith("acme/gone: its issues cannot be read")
    assert list(result.checkpoint["issues"]) == [REPO]


async def test_hostile_text_arrives_clean(fake, fake_sleep):
    body = ("<!-- template: describe the bug -->\x1b]52;c;AAAA\x07Hi \x1b[31mred\x1b[0m "
            "\u202eevil\u202c zero\u200bwidth \ud800 [docs](https://acme.example/d) "
            "[@click=app.quit]x[/] <!-- unterminated")  # fmt: skip
    fake.open_issue(1, "\x1b[2JTitle\u202e" + "T" * 5000, body, login="x" * 5000)
    c, _ = build(fake, fake_sleep)
    (question,) = (await c.fetch(None)).questions
    for text in (question.body, question.title or "", question.author.handle or ""):
        assert "\x1b" not in text and "\u202e" not in text and "\ud800" not in text
        text.encode("utf-8")
    assert "template" not in question.body and question.body.startswith("Hi red evil")
    assert "docs (https://acme.example/d)" in question.body and "\ufffd" in question.body
    assert len(question.author.handle or "") <= 100 and len(question.title or "") <= 1000
    json.dumps(question.to_dict(), ensure_ascii=False).encode("utf-8")


def test_markdown_stays_linear_on_hostile_input():
    hostile = "<!--" * 50_000 + "**a" * 30_000
    assert len(github_text(hostile, "body") or "") <= len(hostile)


async def test_the_token_appears_in_no_error_or_warning(fake, fake_sleep, monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_GH", TOKEN + "\n")  # as an env file often has it
    fake.open_issue(1, "Export", "It fails.")
    fake.comment(1, "More.")
    c, wire = build(fake, fake_sleep)

    def echo(request):  # a service that quotes the request's credentials back
        said = {"message": f"{request.headers.get('authorization')} {TOKEN}"}
        return httpx.Response(500, json=said)

    wire.intercept = lambda r: echo(r) if r.url.path.endswith("/issues") else None
    with pytest.raises(ConnectorError) as caught:
        await c.fetch(None)
    assert "HTTP 500" in str(caught.value) and TOKEN not in str(caught.value)
    wire.intercept = lambda r: echo(r) if r.url.path.endswith("/comments") else None
    result = await c.fetch(None)
    assert result.warnings and "HTTP 500" in result.warnings[0]
    assert all(TOKEN not in w for w in result.warnings)


async def test_enterprise_urls_change_every_address_and_credentials_stay_home(fake, fake_sleep):
    fake.origin, fake.prefix = "https://ghe.acme.example", "/api/v3"
    fake.open_issue(1, "Export", "It fails.")
    fake.comment(1, "More.")
    fake.open_discussion(2, "Q", "How?")
    c, wire = build(fake, fake_sleep, base_url="https://ghe.acme.example/api/v3",
                    discussions=True)  # fmt: skip
    result = await c.fetch(None)
    issue = by_thread(result.questions, "acme/widgets#1")
    await c.send_reply(issue, "Fixed.", "k1")
    await c.send_reply(by_thread(result.questions, "acme/widgets#2"), "Like so.", "k2")
    await c.check()
    assert {r.url.host for r in wire.requests} == {"ghe.acme.example"}
    assert all(r.url.path.startswith(("/api/v3/", "/api/graphql")) for r in wire.requests)
    assert any(r.url.path == "/api/graphql" for r in wire.requests)
    assert c.http.may_send_credentials("https://ghe.acme.example/api/v3/user")
    assert not c.http.may_send_credentials("https://api.github.com/user")
    assert not c.http.may_send_credentials("https://evil.example/api/v3/user")


async def test_a_graphql_url_of_its_own_gets_the_token_and_nothing_else_does(fake, fake_sleep):
    fake.open_discussion(2, "Q", "How?")
    c, wire = build(fake, fake_sleep, discussions=True, graphql_url="https://gql.acme.example/q")
    await c.fetch(None)
    assert {r.url.host for r in wire.posts()} == {"gql.acme.example"}
    assert c.http.may_send_credentials("https://gql.acme.example/q")
    fake.page_size = 1
    fake.open_issue(3, "A", "a")
    fake.open_issue(4, "B", "b")
    fake.origin = "https://evil.example"  # a next-page link to another host
    wire.intercept = lambda r: (
        httpx.Response(200, json=[]) if r.url.host == "evil.example" else None
    )
    await c.fetch(None)
    (elsewhere,) = [r for r in wire.requests if r.url.host == "evil.example"]
    assert "authorization" not in elsewhere.headers


async def test_check_names_the_login_and_the_readable_repos(fake, fake_sleep):
    c, _ = build(fake, fake_sleep, repos="acme/widgets, acme/gone")
    said = await c.check()
    assert said == (
        "signed in as acme-support on api.github.com; repos: 1 readable (not found: acme/gone)"
    )


def test_a_damaged_checkpoint_reads_from_the_start(fake, fake_sleep):
    from cxdaily.connectors.github_parse import read_marks

    assert (
        read_marks({"issues": {"acme/w": "nonsense", "../x": when(T0), "a/b": 5}}, "issues") == {}
    )
    assert read_marks([1], "issues") == {} and read_marks(None, "discussions") == {}
    assert read_marks({"issues": {"acme/w": when(T0)}}, "issues") == {"acme/w": T0}


def _discussion_post(ident: str, login: str, association: str, body: str, minutes: int) -> dict:
    """A discussion comment node as the GraphQL API documents it."""
    return {
        "id": ident, "body": body, "author": {"login": login}, "authorAssociation": association,
        "createdAt": when(T0 + timedelta(minutes=minutes)),
        "url": f"https://github.com/acme/widgets/discussions/20#discussioncomment-{minutes}",
    }  # fmt: skip


def test_a_member_answering_in_a_comments_thread_settles_the_follow_up():
    """A discussion's ``comments`` are its top-level comments; an answer given with
    "Reply" under the customer's follow-up is a node of that comment's ``replies``."""
    follow_up = _discussion_post("DC_2", "cara", "NONE", "Still failing on Windows.", 10)
    follow_up["replies"] = {"nodes": [
        _discussion_post("DC_3", "anna", "MEMBER", "Fixed in 2.1, please update.", 20),
        None,
    ]}  # fmt: skip
    node = {
        "id": "D_kwDO20", "number": 20, "title": "Crash on start", "body": "It crashes.",
        "url": "https://github.com/acme/widgets/discussions/20", "createdAt": when(T0),
        "updatedAt": when(T0 + timedelta(minutes=20)), "author": {"login": "cara"},
        "authorAssociation": "NONE", "category": {"name": "Q&A", "isAnswerable": True},
        "isAnswered": False,
        "comments": {"nodes": [
            _discussion_post("DC_1", "anna", "MEMBER", "Which version?", 5), follow_up,
        ]},
    }  # fmt: skip
    skipped: list[str] = []
    thread, _ = gql.parse_discussion(node, REPO, skipped)
    assert [p.id for p in thread.comments] == ["DC_1", "DC_2", "DC_3"]
    assert skipped == ["discussion 20, comment 2, reply 2 must be an object"]
    question, settled = thread_questions(thread, our_login=BOT, channel="oss", kind="github")
    assert question is None
    assert [q.native_id for q in settled] == ["acme/widgets#20", "acme/widgets#20:DC_2"]
    assert all("replies(last:10)" in q for q in (gql.DISCUSSIONS_QUERY, gql.DISCUSSION_QUERY))


def test_a_discussion_a_github_app_opened_asks_nothing():
    """GraphQL names an App's account ``github-actions`` (no ``[bot]``); its
    ``__typename`` is ``Bot``."""
    node = {
        "id": "D_kwDO21", "number": 21, "title": "Weekly report", "body": "Stats.",
        "createdAt": when(T0), "updatedAt": when(T0), "authorAssociation": "NONE",
        "author": {"login": "github-actions", "__typename": "Bot"},
    }  # fmt: skip
    thread, _ = gql.parse_discussion(node, REPO)
    assert thread.opening.bot
    assert thread_questions(thread, our_login=BOT, channel="oss", kind="github") == (None, [])
    assert "author{login __typename}" in gql.DISCUSSIONS_QUERY


# -- discussions past the page cap ------------------------------------------------------
START = iso(NOW - timedelta(days=14))  # where a first fetch looks back to (since_days)


@pytest.fixture
def capped(monkeypatch) -> FakeGitHub:
    """A fake answering 2 discussions a page, under a cap of 2 pages a fetch."""
    monkeypatch.setattr("cxdaily.connectors.github.MAX_DISCUSSION_PAGES", 2)
    fake = FakeGitHub()
    fake.page_size = 2
    return fake


def open_discussions(fake: FakeGitHub, numbers: range) -> None:
    for number in numbers:
        fake.open_discussion(number, f"Question {number}?", "How do I do this?")


def updated(fake: FakeGitHub, number: int) -> str:
    return str(fake.discussions[REPO][number]["updatedAt"])


def asked(result) -> set[int]:
    return {int(q.native_id.rsplit("#", 1)[1]) for q in result.questions}


def cursors(wire) -> list[str | None]:
    return [json.loads(r.content)["variables"]["cursor"] for r in wire.posts()]


async def test_the_discussions_past_the_page_cap_come_with_the_next_fetch(capped, fake_sleep):
    open_discussions(capped, range(10, 16))
    c, wire = build(capped, fake_sleep, discussions=True)
    first = await c.fetch(None)
    assert asked(first) == {12, 13, 14, 15}
    assert first.checkpoint["discussions"] == {REPO: START}  # not past 10 and 11, unread
    assert first.checkpoint[gql.WALKS_KEY] == {
        REPO: {"page_token": "4", "newest": updated(capped, 15)}
    }
    assert any("the rest is read by the next fetch" in n for n in c.fetch_notes())
    wire.requests.clear()
    second = await c.fetch(first.checkpoint)
    assert {10, 11} <= asked(second)
    assert cursors(wire) == [None, "4"]  # the newest first, then on from where it stopped
    assert second.checkpoint["discussions"] == {REPO: updated(capped, 15)}
    assert gql.WALKS_KEY not in second.checkpoint


async def test_a_discussion_new_between_fetches_is_read_while_the_backlog_is(capped, fake_sleep):
    open_discussions(capped, range(10, 16))
    c, _ = build(capped, fake_sleep, discussions=True)
    first = await c.fetch(None)
    capped.open_discussion(16, "New one?", "Just asked.")
    second = await c.fetch(first.checkpoint)
    assert {16, 11} <= asked(second)
    assert second.checkpoint["discussions"] == {REPO: START}
    assert second.checkpoint[gql.WALKS_KEY][REPO]["newest"] == updated(capped, 16)
    third = await c.fetch(second.checkpoint)
    assert 10 in asked(third)
    assert third.checkpoint["discussions"] == {REPO: updated(capped, 16)}


async def test_the_checkpoint_reaches_the_newest_once_the_backlog_is_read(capped, fake_sleep):
    open_discussions(capped, range(10, 20))
    c, _ = build(capped, fake_sleep, discussions=True)
    checkpoint, seen = None, set()
    for _ in range(3):  # 10 discussions, 4 at the first fetch, then 2 at each
        result = await c.fetch(checkpoint)
        seen |= asked(result)
        checkpoint = result.checkpoint
        assert checkpoint["discussions"] == {REPO: START}
    last = await c.fetch(checkpoint)
    assert seen | asked(last) == set(range(10, 20))
    assert last.checkpoint["discussions"] == {REPO: updated(capped, 19)}
    assert gql.WALKS_KEY not in last.checkpoint


async def test_a_checkpoint_written_before_walks_were_kept_still_reads(capped, fake_sleep):
    open_discussions(capped, range(10, 16))
    older = {"issues": {REPO: START}, "discussions": {REPO: iso(T0)}}
    c, _ = build(capped, fake_sleep, discussions=True)
    first = await c.fetch(older)
    assert asked(first) == {12, 13, 14, 15}
    assert first.checkpoint["discussions"] == {REPO: iso(T0)}
    second = await c.fetch(first.checkpoint)
    assert {10, 11} <= asked(second)
    assert second.checkpoint["discussions"] == {REPO: updated(capped, 15)}
    broken = {**first.checkpoint, gql.WALKS_KEY: {REPO: {"page_token": 4}, "x": "y"}}
    assert gql.read_walks(broken) == {}  # a damaged walk: read again from the newest


async def test_a_cursor_github_refuses_starts_the_walk_again(capped, fake_sleep, monkeypatch):
    monkeypatch.setattr("cxdaily.connectors.github.MAX_DISCUSSION_PAGES", 3)
    open_discussions(capped, range(10, 18))
    c, wire = build(capped, fake_sleep, discussions=True)
    first = await c.fetch(None)
    assert first.checkpoint[gql.WALKS_KEY][REPO]["page_token"] == "6"
    refused = {
        "data": {"repository": {"discussions": None}},
        "errors": [{"type": "INVALID_CURSOR_ARGUMENTS", "path": ["repository", "discussions"],
                    "locations": [{"line": 1, "column": 80}],
                    "message": "`6` does not appear to be a valid cursor."}],
    }  # fmt: skip
    refusing = [True]

    def expired(request: httpx.Request) -> httpx.Response | None:
        """Refuses the stored cursor once (as GitHub does a cursor it no longer takes)."""
        sent = json.loads(request.content)["variables"] if request.method == "POST" else {}
        if refusing[0] and sent.get("cursor") == "6":
            refusing[0] = False
            return httpx.Response(200, json=refused)
        return None

    wire.intercept = expired
    wire.requests.clear()
    second = await c.fetch(first.checkpoint)  # not an error of the channel
    assert cursors(wire) == [None, "6", None]  # dropped: the walk starts from the newest
    assert [q.native_id for q in second.questions].count("acme/widgets#17") == 1
    assert second.checkpoint["discussions"] == {REPO: START}
    assert second.checkpoint[gql.WALKS_KEY][REPO]["page_token"] == "2"
    assert any("the cursor was refused" in n for n in c.fetch_notes())
    seen, checkpoint = asked(second), second.checkpoint
    for _ in range(2):
        result = await c.fetch(checkpoint)
        seen |= asked(result)
        checkpoint = result.checkpoint
    assert seen >= {10, 11, 12, 13} and checkpoint["discussions"] == {REPO: updated(capped, 17)}
