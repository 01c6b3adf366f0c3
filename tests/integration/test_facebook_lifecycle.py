"""The ``facebook`` kind through the whole command line and the app, against a loopback
fake of the Graph API: add, login into the keyring, test, fetch, batch, reply in the
comment's thread, a second fetch that asks only for what is new, and a reply from the
app."""

from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app
from tests.integration.meta_graph_fake_kit import PAGE_ID, PAGE_NAME, TOKEN, FakeGraph

NOW = "2026-12-04T09:00:00Z"


def page() -> tuple[FakeGraph, dict[str, str]]:
    """Two posts: two open comments, one the Page answered, and one Messenger chat."""
    fake = FakeGraph()
    ids = {"p1": fake.post("We open a new shop on Main Street!")}
    ids["c1"] = fake.comment(ids["p1"], "What are the opening hours?")
    ids["c2"] = fake.comment(ids["p1"], "Do you sell decaf?", person=("Bob Bean", "9002"))
    fake.comment(ids["p1"], "Yes, all day.", person=None, parent=ids["c2"])
    ids["p2"] = fake.post("Our winter blend is back.")
    ids["c3"] = fake.comment(ids["p2"], "Is it organic?", person=("Cy Dee", "9003"))
    fake.chat("t_1", "Is my order 1234 shipped?", psid="6200011")
    return fake, ids


def home_with_facebook(tmp_path, server) -> ChannelHome:
    """A leader's home with the channel added and its Page token stored by ``login``."""
    home = ChannelHome(tmp_path, now=NOW)
    home.add("fb", "facebook", base_url=server.url, page_id=PAGE_ID, messenger="true")
    home.login("fb", {"": TOKEN})
    return home


def test_add_login_test_fetch_batch_reply_and_fetch_again(tmp_path, loopback):
    fake, ids = page()
    server = loopback(fake.handler)
    home = home_with_facebook(tmp_path, server)
    outputs = [home.ok("channels", "test", "fb")]
    assert PAGE_NAME in outputs[0] and "Messenger on" in outputs[0]
    outputs.append(home.ok("fetch"))
    batch = home.batch()
    assert sorted(item["id"] for item in batch) == sorted(
        [
            f"fb:{ids['c1']}",
            f"fb:{ids['c3']}",
            "fb:t_1:" + fake.conversations["t_1"]["messages"][0]["id"],
        ]
    )  # the comment the Page answered is not there
    target = f"fb:{ids['c1']}"
    outputs.append(home.ok("reply", target, "--text", "We open at 8, see you!", "--yes"))
    assert fake.replies == [(ids["c1"], {"message": "We open at 8, see you!"})]
    assert fake.comments[ids["p1"]][-1]["parent"] == {"id": ids["c1"]}  # in the thread
    assert all(s.headers["authorization"] == f"Bearer {TOKEN}" for s in server.requests)
    assert all("access_token" not in s.query for s in server.requests)

    fresh = fake.comment(ids["p2"], "Do you ship abroad?", person=("Di Eve", "9004"))
    before = len(server.requests)
    outputs.append(home.ok("fetch"))
    again = server.requests[before:]
    feeds = [s for s in again if s.path.endswith("/feed")]
    first_since = int(
        next(s for s in server.requests if s.path.endswith("/feed")).query["since"][0]
    )
    assert feeds and int(feeds[0].query["since"][0]) >= first_since
    chats = [s for s in again if s.path.endswith("/conversations")]
    assert len(chats) == 1  # newest first, stopped at the conversation already seen
    ids_now = [item["id"] for item in home.batch()]
    assert f"fb:{fresh}" in ids_now and target not in ids_now
    assert len(fake.replies) == 1
    assert all(TOKEN not in text for text in outputs)
    assert TOKEN not in home.files_text()


async def test_a_reply_sent_from_the_app_reaches_facebook(tmp_path, loopback, monkeypatch):
    fake, _ = page()
    server = loopback(fake.handler)
    home = home_with_facebook(tmp_path, server)
    home.ok("fetch")
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we will check.")
    native = question_id.split(":", 1)[1]
    assert len(fake.replies) == 1
    target, posted = fake.replies[0]
    if native.startswith("t_"):
        assert target == "t_1" and posted["messaging_type"] == "RESPONSE"
        assert posted["message"] == {"text": "Thanks, we will check."}
    else:
        assert (target, posted) == (native, {"message": "Thanks, we will check."})
    assert TOKEN not in home.files_text()
