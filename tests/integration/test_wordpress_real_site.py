"""The ``wordpress`` kind against a real WordPress (the system's package, PHP's built-in
server, MariaDB, all on loopback and started here): the real ``cxdaily channels add``,
``login``, ``channels test``, ``fetch``, ``batch`` and ``reply``, then the reply read back
through the REST API as a child comment of the visitor's comment, and WordPress's own
duplicate check answering a second send of the same reply with the first one."""

from __future__ import annotations

import asyncio
import html

import httpx
import pytest

from cxdaily.connectors.http import make_client
from cxdaily.connectors.wordpress import WordPressConnector
from cxdaily.settings import ChannelSettings
from tests.integration.channel_lifecycle_kit import ChannelHome
from tests.integration.wordpress_site_kit import (
    DISPLAY_NAME,
    USERNAME,
    WordPressSite,
    require_wordpress,
)

REPLY = "Yes, 2.0.1 fixes <sync> & the nightly run.\n\nThanks for asking!"


@pytest.fixture
def wordpress(tmp_path):
    programs = require_wordpress()
    folder = tmp_path / "wordpress"
    folder.mkdir()
    site = WordPressSite(folder, programs).start()
    try:
        yield site
    finally:
        site.stop()


def _children(site: WordPressSite, parent: int) -> list[dict]:
    """The comments under ``parent``, read through the REST API as the test user."""
    answer = httpx.get(
        f"{site.url}/wp-json/wp/v2/comments",
        params={"parent": parent, "context": "edit", "status": "approve"},
        auth=(USERNAME, site.app_password),
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()


async def _send_again(site: WordPressSite, question_id: str) -> str:
    """The same reply sent once more by the connector itself (through the REST root of a
    site without pretty permalinks, which every site also answers): WordPress refuses it
    as a duplicate (409), and the connector answers with the reply already there."""
    options = {"base_url": site.url, "username": USERNAME, "rest_root": "/?rest_route=/"}
    settings = ChannelSettings(name="blog", kind="wordpress", options=options)
    async with make_client() as client:
        connector = WordPressConnector(
            settings, client=client, secrets=lambda field: site.app_password
        )
        fetched = await connector.fetch(None)
        assert question_id not in [q.id for q in fetched.questions]
        (question,) = [q for q in fetched.settled if q.id == question_id]  # answered now
        assert question.body == "Does 2.0 fix sync?\n\nIt fails every night."
        sent = await connector.send_reply(question, REPLY, "again")
    return sent.remote_id


def test_fetch_and_reply_on_a_real_wordpress_site(tmp_path, wordpress):
    site = wordpress
    ids = site.ids
    post, question, held, answered = ids["post"], ids["question"], ids["held"], ids["answered"]
    home = ChannelHome(tmp_path)
    home.add("blog", "wordpress", base_url=site.url, username=USERNAME)
    home.login("blog", {"": site.app_password})
    outputs = [home.ok("channels", "test", "blog")]
    assert f"signed in as {DISPLAY_NAME} on 127.0.0.1" in outputs[0]
    outputs.append(home.ok("fetch"))
    batch = {item["id"]: item for item in home.batch()}
    asked, waiting = f"blog:{post}:{question}", f"blog:{post}:{held}"
    assert asked in batch and waiting in batch  # the held comment is a question too
    assert f"blog:{post}:{answered}" not in batch  # our user answered it already
    outputs.append(home.ok("reply", asked, "--text", REPLY, "--yes"))

    (reply,) = _children(site, question)
    assert reply["author"] == ids["user"] and reply["parent"] == question
    assert reply["post"] == post and reply["status"] == "approved"
    assert html.unescape(reply["content"]["raw"]) == REPLY
    assert reply["link"].endswith(f"#comment-{reply['id']}")
    sent = [r for r in home.outbox() if r.get("question_id") == asked]
    assert sent and str(reply["id"]) in str(sent[0])

    assert asyncio.run(_send_again(site, asked)) == str(reply["id"])
    assert len(_children(site, question)) == 1

    outputs.append(home.ok("fetch"))
    assert asked not in [item["id"] for item in home.batch()]
    for text in outputs:
        assert site.app_password not in text
    assert site.app_password not in home.files_text()
