"""The wordpress channel: approved and held comments across pages, only what is new on
later fetches (WordPress compares ``after`` with the site's local time), comments our user
already answered, replies under the right comment, WordPress's duplicate check after an
unknown outcome, and every way the site can fail."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from cxdaily.connectors import connector_class
from cxdaily.connectors.http import BadResponseError, ChannelHttp, HttpPolicy, make_client
from cxdaily.connectors.wordpress import WordPressConnector
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError, ReplyRejected
from cxdaily.credentials import secret_reader
from cxdaily.replies.outbox import may_have_reached_service
from cxdaily.settings import ChannelSettings
from tests.integration.loopback_kit import FakeWire, seen_of
from tests.integration.wordpress_fake_kit import (
    APP_PASSWORD,
    OUR_ID,
    SITE,
    T0,
    USERNAME,
    FakeWordPress,
)

NOW = T0 + timedelta(days=1)
AUTH = "Basic " + base64.b64encode(f"{USERNAME}:{''.join(APP_PASSWORD.split())}".encode()).decode()


class Wire(FakeWire):
    """The fake behind a MockTransport; records every request (hosts included)."""

    def lists(self, status: str | None = None) -> list[httpx.Request]:
        return [
            r
            for r in self.requests
            if r.url.path.endswith("/wp/v2/comments")
            and r.method == "GET"
            and "parent" not in r.url.params
            and (status is None or r.url.params.get("status") == status)
        ]


@pytest.fixture(autouse=True)
def secret(memory_keyring):
    memory_keyring.set_password("cxdaily", "blog", APP_PASSWORD)


@pytest.fixture
def fake() -> FakeWordPress:
    return FakeWordPress()


def build(fake, fake_sleep, **options):
    wire = Wire(fake)
    options = {"base_url": SITE, "username": USERNAME, **options}
    settings = ChannelSettings(name="blog", kind="wordpress", options=options)
    client = make_client(transport=httpx.MockTransport(wire))
    connector = WordPressConnector(
        settings, client=client, secrets=secret_reader("blog"), now=lambda: NOW
    )
    connector.http = ChannelHttp(client, channel="blog", sleep=fake_sleep, rand=lambda: 0.0,
                                 policy=HttpPolicy())  # fmt: skip
    return connector, wire


def site(fake: FakeWordPress) -> dict[str, int]:
    """A post with a visitor's question, a thread three deep, a held comment, our own
    comment, one we answered, and a page with a comment."""
    ids: dict[str, int] = {}
    ids["post"] = fake.post("Release 2.0 &#8211; what&#8217;s new")
    ids["question"] = fake.comment(ids["post"], "Does 2.0 fix <b>sync</b>?")
    ids["root"] = fake.comment(ids["post"], "Export is broken.", name="Bob", email="bob@x.example")
    ids["ours"] = fake.reply_by_us(ids["root"], "Which browser?")
    ids["follow"] = fake.comment(ids["post"], "Firefox 140.\n\nAnd on Chrome too.", name="Bob",
                                 email="bob@x.example", parent=ids["ours"])  # fmt: skip
    ids["held"] = fake.comment(ids["post"], "Is there a refund?", name="Carl", email=None,
                               status="hold")  # fmt: skip
    ids["answered"] = fake.comment(ids["post"], "Where are the docs?", name="Dana")
    ids["answer"] = fake.reply_by_us(ids["answered"], "Here: https://acme.example/docs")
    ids["page"] = fake.post("Contact", page=True)
    ids["on_page"] = fake.comment(ids["page"], "Phone number?", name="Erin")
    return ids


def by_comment(questions):
    return {int(q.native_id.split(":")[1]): q for q in questions}


# -- options ----------------------------------------------------------------------------
def test_registered_and_declared():
    assert connector_class("wordpress") is WordPressConnector
    caps = WordPressConnector.capabilities
    assert caps.max_reply_length == 65525 and caps.public and caps.finds_own_replies
    assert not caps.idempotency_keys and not caps.one_reply
    spec = WordPressConnector.declared_options
    assert spec["base_url"].required and spec["username"].required
    assert spec["rest_root"].default == "/wp-json/" and spec["since_days"].default == 14


@pytest.mark.parametrize("missing", ["base_url", "username"])
def test_a_missing_required_option_is_a_one_line_config_error(missing):
    options = {"base_url": SITE, "username": USERNAME}
    del options[missing]
    with pytest.raises(ConfigError, match=rf"^\[channels\.b\] needs {missing}") as caught:
        WordPressConnector(ChannelSettings(name="b", kind="wordpress", options=options))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("root", ["wp-json/", "/wp-json", "https://x/wp-json/", "/a b/"])
def test_a_bad_rest_root_or_username_is_refused(root):
    with pytest.raises(ConfigError, match="rest_root must be a path"):
        WordPressConnector(ChannelSettings(name="b", kind="wordpress", options={
            "base_url": SITE, "username": USERNAME, "rest_root": root}))  # fmt: skip
    with pytest.raises(ConfigError, match="username must be the WordPress user name"):
        WordPressConnector(ChannelSettings(name="b", kind="wordpress", options={
            "base_url": SITE, "username": "a:b"}))  # fmt: skip


# -- fetching ---------------------------------------------------------------------------
async def test_approved_and_held_comments_across_pages(fake, fake_sleep, monkeypatch):
    import cxdaily.connectors.wordpress as module

    monkeypatch.setattr(module, "PAGE_SIZE", 2)
    ids = site(fake)
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    got = by_comment(result.questions)
    assert sorted(got) == sorted([ids["question"], ids["follow"], ids["held"], ids["on_page"]])
    assert [q.native_id for q in result.settled] == [  # we replied under both
        f"{ids['post']}:{ids['root']}",
        f"{ids['post']}:{ids['answered']}",
    ]
    assert all(q.meta["team_answered"] is True for q in result.settled)
    approve = wire.lists("approve")
    assert len(approve) == 4 and [r.url.params["page"] for r in approve] == ["1", "2", "3", "4"]
    assert len(wire.lists("hold")) == 1
    first = approve[0].url.params
    assert first["orderby"] == "date_gmt" and first["order"] == "asc"
    assert first["context"] == "edit" and first["per_page"] == "2"
    assert first["after"] == (NOW - timedelta(days=15)).strftime("%Y-%m-%dT%H:%M:%S")
    assert all(r.headers["authorization"] == AUTH for r in wire.requests)

    question = got[ids["question"]]
    assert question.native_id == question.thread_id == f"{ids['post']}:{ids['question']}"
    assert question.body == "Does 2.0 fix sync?"
    assert question.title == "Release 2.0 – what’s new"
    assert question.url == f"{SITE}/release-2-0-8211-what-8217-s-new/#comment-{ids['question']}"
    assert question.author.name == "Jane Visitor" and question.author.handle == "jane@example.org"
    assert question.author.followers is None
    assert question.meta == {"service": "wordpress", "post": str(ids["post"]),
                             "comment": str(ids["question"]), "status": "approved"}  # fmt: skip
    assert question.context == ()
    follow = got[ids["follow"]]
    assert follow.body == "Firefox 140.\n\nAnd on Chrome too."
    assert [m.body for m in follow.context] == ["Export is broken.", "Which browser?"]
    assert follow.context[1].author.id == str(OUR_ID) and follow.meta["parent"] == str(ids["ours"])
    held = got[ids["held"]]
    assert held.meta["status"] == "hold" and held.author.handle is None
    assert got[ids["on_page"]].title == "Contact"  # a page: read from /wp/v2/pages
    assert result.warnings == []
    assert result.checkpoint == {"since": "2026-12-04T08:40:00+00:00", "at": [str(ids["on_page"])]}


async def test_a_second_fetch_asks_only_for_what_is_new(fake, fake_sleep):
    ids = site(fake)
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)
    same_time = fake.comment(ids["post"], "Also at the same minute?", at=fake.now)
    later = fake.comment(ids["post"], "And the API?", name="Fred")
    before = len(wire.requests)
    second = await c.fetch(first.checkpoint)
    assert [q.native_id for q in second.questions] == [
        f"{ids['post']}:{same_time}",
        f"{ids['post']}:{later}",
    ]
    asked = wire.lists("approve")[-1].url.params
    since = datetime.fromisoformat(first.checkpoint["since"])
    assert asked["after"] == (since - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    assert not any("users/me" in r.url.path for r in wire.requests[before:])  # read once
    third = await c.fetch(second.checkpoint)
    assert third.questions == [] and third.settled == []


@pytest.mark.parametrize("offset", [-10, 14])
async def test_the_sites_local_time_loses_no_comment(fake, fake_sleep, offset):
    fake.utc_offset_hours = offset
    post = fake.post("Hello")
    fake.comment(post, "first")
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    new = fake.comment(post, "second", at=fake.now + timedelta(seconds=1))
    second = await c.fetch(first.checkpoint)
    assert [q.native_id for q in second.questions] == [f"{post}:{new}"]


async def test_approved_comments_left_by_the_page_cap_come_with_the_next_fetch(
    fake, fake_sleep, monkeypatch
):
    import cxdaily.connectors.wordpress as module

    monkeypatch.setattr(module, "PAGE_SIZE", 1)
    post = fake.post("Hello")
    hour = T0 - timedelta(days=10)
    approved = [
        fake.comment(post, f"Question {n}?", at=hour + timedelta(hours=n)) for n in range(101)
    ]
    held = fake.comment(post, "Held, and newer than all of them.", status="hold", at=T0)
    c, wire = build(fake, fake_sleep)
    first = await c.fetch(None)  # 100 pages of approved comments, then the held one
    assert sorted(by_comment(first.questions)) == sorted([*approved[:100], held])
    assert len(wire.lists("approve")) == 100
    assert "stopped after 100 pages (the page cap)" in " ".join(first.warnings)
    newest_read = (hour + timedelta(hours=99)).isoformat()
    assert first.checkpoint == {"since": newest_read, "at": [str(approved[99])]}
    second = await c.fetch(first.checkpoint)  # the one left, and the held one again
    assert sorted(by_comment(second.questions)) == sorted([approved[100], held])
    assert second.checkpoint == {"since": T0.isoformat(), "at": [str(held)]}


async def test_an_answered_comment_is_settled_and_answers_since_shows_the_answer(fake, fake_sleep):
    post = fake.post("Hello")
    asked = fake.comment(post, "How do I export?")
    c, _ = build(fake, fake_sleep)
    first = await c.fetch(None)
    (question,) = first.questions
    answer = fake.reply_by_us(asked, "Settings > Export.")  # answered in wp-admin
    second = await c.fetch(first.checkpoint)
    assert second.questions == []
    assert [q.id for q in second.settled] == [question.id]
    assert second.settled[0].body == "How do I export?" and second.settled[0].title == "Hello"
    answers = await c.answers_since(question, question.created_at)
    assert [m.body for m in answers] == ["Settings > Export."]
    assert answers[0].author.id == str(OUR_ID)
    assert await c.answers_since(question, fake.now) == []
    assert fake.comments[answer]["parent"] == asked


# -- replying ---------------------------------------------------------------------------
async def test_a_reply_goes_under_the_comment(fake, fake_sleep):
    ids = site(fake)
    c, wire = build(fake, fake_sleep)
    question = by_comment((await c.fetch(None)).questions)[ids["question"]]
    sent = await c.send_reply(question, "Yes: use <Sync> & restart.\n\nThanks!", "key-1")
    (post,) = [r for r in wire.requests if r.method == "POST"]
    assert post.url.path == "/wp-json/wp/v2/comments" and post.headers["authorization"] == AUTH
    assert json.loads(post.content) == {
        "post": ids["post"],
        "parent": ids["question"],
        "content": "Yes: use &lt;Sync&gt; &amp; restart.\n\nThanks!",
    }
    new_id = max(fake.comments)
    assert sent.remote_id == str(new_id)
    assert sent.url == fake.comments[new_id]["link"]
    assert fake.comments[new_id]["parent"] == ids["question"]


async def test_a_reply_over_the_limit_is_refused_counting_bytes(fake, fake_sleep):
    ids = site(fake)
    c, wire = build(fake, fake_sleep)
    question = by_comment((await c.fetch(None)).questions)[ids["question"]]
    assert c.reply_length("é" * 40_000) == 80_000  # bytes, as WordPress counts
    assert c.reply_length("<" * 10) == 40  # sent escaped
    for body in ("é" * 40_000, "<" * 20_000):
        with pytest.raises(ReplyRejected, match="bytes; a WordPress comment holds 65525"):
            await c.send_reply(question, body, "key-1")
    assert not [r for r in wire.requests if r.method == "POST"]
    await c.send_reply(question, "a" * 65525, "key-2")
    assert fake.posted[-1]["content"] == "a" * 65525


async def test_an_unknown_outcome_then_the_duplicate_check_finds_our_reply(fake, fake_sleep):
    ids = site(fake)
    c, wire = build(fake, fake_sleep)
    question = by_comment((await c.fetch(None)).questions)[ids["question"]]

    def applied_then_cut(request):
        if request.method == "POST":
            wire.intercept = None
            fake.respond(seen_of(request))  # the site stores it; the answer never arrives
            raise httpx.ReadError("connection reset")
        return None

    wire.intercept = applied_then_cut
    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(question, "Fixed in 2.0.1.", "key-1")
    assert may_have_reached_service(caught.value)
    assert len(fake.posted) == 1
    found = await c.find_own_reply(question, "Fixed in 2.0.1.", "key-1")
    reply_id = max(fake.comments)
    assert found is not None and found.remote_id == str(reply_id)
    assert found.url == f"{SITE}/release-2-0-8211-what-8217-s-new/#comment-{reply_id}"
    lookup = [r for r in wire.requests if "parent" in r.url.params][-1]
    assert lookup.url.params["parent"] == str(ids["question"])
    assert lookup.url.params["author"] == str(OUR_ID)
    assert await c.find_own_reply(question, "Something else.", "key-1") is None
    # sent again anyway: WordPress answers 409 comment_duplicate, which is our reply
    again = await c.send_reply(question, "Fixed in 2.0.1.", "key-1")
    assert again.remote_id == str(reply_id) and len(fake.posted) == 1
    assert len([r for r in wire.requests if r.method == "POST"]) == 2


async def test_a_duplicate_that_is_not_ours_is_a_one_line_error(fake, fake_sleep):
    ids = site(fake)
    c, wire = build(fake, fake_sleep)
    question = by_comment((await c.fetch(None)).questions)[ids["question"]]
    duplicate = {
        "code": "comment_duplicate",
        "message": "Duplicate comment detected; it looks as though you&#8217;ve already said that!",
        "data": {"status": 409},
    }
    wire.intercept = lambda r: httpx.Response(409, json=duplicate) if r.method == "POST" else None
    with pytest.raises(ConnectorError, match="HTTP 409 comment_duplicate") as caught:
        await c.send_reply(question, "Hello again.", "key-1")
    assert "\n" not in str(caught.value) and "no reply of ours" in str(caught.value)


async def test_a_question_without_a_comment_thread_is_refused(fake, fake_sleep):
    ids = site(fake)
    c, _ = build(fake, fake_sleep)
    question = by_comment((await c.fetch(None)).questions)[ids["question"]]
    from msgspec.structs import replace

    with pytest.raises(ReplyRejected, match="is not a WordPress comment"):
        await c.send_reply(replace(question, thread_id="../x"), "Hi", "k")


# -- failures ---------------------------------------------------------------------------
async def test_a_rate_limit_is_waited_out(fake, fake_sleep):
    site(fake)
    fake.throttle(Retry_After="7")
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert len(result.questions) == 4
    assert fake_sleep.calls and fake_sleep.calls[0] == pytest.approx(7, abs=1)


@pytest.mark.parametrize("status", [401, 403])
async def test_refused_credentials_are_one_line_errors_without_the_secret(fake, fake_sleep, status):
    c, wire = build(fake, fake_sleep)
    wire.intercept = lambda r: httpx.Response(status, json={
        "code": "rest_forbidden_context", "message": f"Sorry {APP_PASSWORD} {AUTH}",
        "data": {"status": status}})  # fmt: skip
    with pytest.raises(AuthError) as caught:
        await c.fetch(None)
    text = str(caught.value)
    assert "\n" not in text and f"HTTP {status}" in text and "application password" in text
    assert APP_PASSWORD not in text and AUTH[6:] not in text
    assert "".join(APP_PASSWORD.split()) not in text


async def test_a_wrong_password_is_refused(fake, fake_sleep, memory_keyring):
    memory_keyring.set_password("cxdaily", "blog", "wrong wrong wrong")
    c, _ = build(fake, fake_sleep)
    with pytest.raises(AuthError, match="HTTP 401") as caught:
        await c.check()
    assert "wrongwrongwrong" not in str(caught.value)


async def test_a_malformed_page_is_a_one_line_error(fake, fake_sleep):
    site(fake)
    fake.malformed.add("wp/v2/comments")
    c, _ = build(fake, fake_sleep)
    with pytest.raises(BadResponseError, match="not with a list of comments") as caught:
        await c.fetch(None)
    assert "\n" not in str(caught.value) and "status=approve" in str(caught.value)


async def test_one_malformed_comment_among_good_ones_is_skipped(fake, fake_sleep):
    ids = site(fake)
    fake.comments[ids["question"]]["date_gmt"] = "yesterday-ish"
    fake.comments[ids["on_page"]]["id"] = {"no": "id"}
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert sorted(by_comment(result.questions)) == sorted([ids["follow"], ids["held"]])
    assert len(result.warnings) == 2
    assert any("date_gmt" in w and "skipped" in w for w in result.warnings)


async def test_failed_look_ups_cost_only_the_title_or_the_context(fake, fake_sleep):
    ids = site(fake)
    fake.failing.update({f"wp/v2/posts/{ids['post']}", f"wp/v2/comments/{ids['root']}"})
    fake.comments[ids["root"]]["date_gmt"] = "2026-01-01T00:00:00"  # before the window
    fake.comments[ids["root"]]["date"] = "2026-01-01T02:00:00"
    c, _ = build(fake, fake_sleep)
    result = await c.fetch(None)
    got = by_comment(result.questions)
    assert sorted(got) == sorted([ids["question"], ids["follow"], ids["held"], ids["on_page"]])
    assert got[ids["question"]].title is None and got[ids["on_page"]].title == "Contact"
    assert got[ids["follow"]].context == ()
    assert got[ids["follow"]].body == "Firefox 140.\n\nAnd on Chrome too."
    assert any(f"post {ids['post']}: its title could not be read" in w for w in result.warnings)
    assert any(f"comment {ids['follow']} comes without" in w for w in result.warnings)


async def test_hostile_content_arrives_clean(fake, fake_sleep):
    hostile = "\x1b]52;c;cGF5bG9hZA==\x07\u202eevil\ud800 [@click=app.quit]x[/] zero\u200bwidth"
    post = fake.post(f"<script>alert(1)</script>{hostile}")
    ident = fake.comment(post, f"<p>{hostile}</p>\x1b[31mred\x1b[0m <b>bold</b>",
                         name="N" * 10_000 + hostile, email=hostile + "@x.example")  # fmt: skip
    c, _ = build(fake, fake_sleep)
    (question,) = (await c.fetch(None)).questions
    assert question.native_id == f"{post}:{ident}"
    texts = [question.body, question.title, question.author.name, question.author.handle]
    for text in texts:
        assert text is not None and "\x1b" not in text and "\u202e" not in text
        assert "\ud800" not in text
        text.encode("utf-8")
    assert "red bold" in question.body and "[@click=app.quit]x[/]" in question.body
    assert len(question.author.name or "") <= 200 and "alert" not in (question.title or "")


async def test_the_secret_is_in_no_warning_or_error(fake, fake_sleep):
    ids = site(fake)
    fake.failing.add(f"wp/v2/posts/{ids['post']}")
    c, wire = build(fake, fake_sleep)
    result = await c.fetch(None)
    assert result.warnings
    for text in result.warnings:
        assert APP_PASSWORD not in text and AUTH[6:] not in text
    wire.intercept = lambda r: httpx.Response(500, text=f"boom {AUTH} {APP_PASSWORD}")
    with pytest.raises(ConnectorError) as caught:
        await c.fetch(None)
    assert APP_PASSWORD not in str(caught.value) and AUTH[6:] not in str(caught.value)


async def test_base_url_and_rest_root_make_every_url(fake, fake_sleep):
    ids = site(fake)
    c, wire = build(fake, fake_sleep, base_url="http://127.0.0.1:8089", rest_root="/?rest_route=/")
    assert await c.check() == "signed in as Acme Support on 127.0.0.1"
    result = await c.fetch(None)
    question = by_comment(result.questions)[ids["follow"]]
    await c.send_reply(question, "Thanks, Bob.", "k")
    await c.answers_since(question, question.created_at)
    routes = {r.url.params["rest_route"] for r in wire.requests}
    assert {"/wp/v2/users/me", "/wp/v2/comments", f"/wp/v2/posts/{ids['post']}"} <= routes
    assert all(
        (r.url.scheme, r.url.host, r.url.port, r.url.path) == ("http", "127.0.0.1", 8089, "/")
        for r in wire.requests
    )
    assert fake.posted[-1]["parent"] == ids["follow"]


async def test_credentials_never_go_to_another_host(fake, fake_sleep):
    site(fake)
    c, wire = build(fake, fake_sleep)

    def redirected(request):
        if request.url.host == "elsewhere.example":
            return httpx.Response(200, json={"id": OUR_ID, "name": "Acme Support"})
        if request.url.path.endswith("users/me"):
            return httpx.Response(302, headers={"location": "https://elsewhere.example/me"})
        return None

    wire.intercept = redirected
    with pytest.raises(ConnectorError, match="another site, which does not get the channel"):
        await c.fetch(None)  # no answer from elsewhere stands for the signed-in one
    assert {r.url.host for r in wire.requests} == {"blog.acme.example"}
    assert all(r.headers["authorization"] == AUTH for r in wire.requests)


async def test_check_names_the_user_and_the_site(fake, fake_sleep):
    c, wire = build(fake, fake_sleep)
    assert await c.check() == "signed in as Acme Support on blog.acme.example"
    (request,) = wire.requests
    assert request.url.path == "/wp-json/wp/v2/users/me"
    assert request.headers["authorization"] == AUTH


def test_a_stored_checkpoint_is_read_defensively():
    from cxdaily.connectors.wordpress_parse import read_checkpoint

    assert read_checkpoint(None) == (None, set())
    assert read_checkpoint({"since": "garbage", "at": ["1"]}) == (None, set())
    since, at = read_checkpoint({"since": "2026-12-04T08:00:00+00:00", "at": ["1", 2, None]})
    assert since == datetime(2026, 12, 4, 8, tzinfo=UTC) and at == {"1"}
