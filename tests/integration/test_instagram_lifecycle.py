"""The ``instagram`` kind through the whole command line and the app, against a loopback
fake of the Graph API: add, login into the keyring, test, fetch, batch, reply in the
comment's thread, a second fetch that brings only what is new, and a reply from the app."""

from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app
from tests.integration.meta_graph_fake_kit import IG_USER_ID, IG_USERNAME, TOKEN, FakeGraph

NOW = "2026-12-04T09:00:00Z"


def account() -> tuple[FakeGraph, dict[str, str]]:
    """Two media: two open comments and one the account answered."""
    fake = FakeGraph()
    ids = {"m1": fake.ig_media("New latte art")}
    ids["c1"] = fake.ig_comment(ids["m1"], "Which beans is this?")
    ids["c2"] = fake.ig_comment(ids["m1"], "Open on Sunday?", username="bob", user_id="1789002")
    fake.ig_comment(ids["m1"], "Yes, 9 to 5!", parent=ids["c2"], ours=True)
    ids["m2"] = fake.ig_media("Winter blend")
    ids["c3"] = fake.ig_comment(ids["m2"], "Organic?", username="cy", user_id="1789003")
    return fake, ids


def home_with_instagram(tmp_path, server) -> ChannelHome:
    """A leader's home with the channel added and its token stored by ``login``."""
    home = ChannelHome(tmp_path, now=NOW)
    home.add("ig", "instagram", base_url=server.url, ig_user_id=IG_USER_ID)
    home.login("ig", {"": TOKEN})
    return home


def test_add_login_test_fetch_batch_reply_and_fetch_again(tmp_path, loopback):
    fake, ids = account()
    server = loopback(fake.handler)
    home = home_with_instagram(tmp_path, server)
    outputs = [home.ok("channels", "test", "ig")]
    assert f"@{IG_USERNAME}" in outputs[0]
    outputs.append(home.ok("fetch"))
    batch = home.batch()
    assert sorted(item["id"] for item in batch) == sorted([f"ig:{ids['c1']}", f"ig:{ids['c3']}"])
    target = f"ig:{ids['c1']}"
    outputs.append(home.ok("reply", target, "--text", "Ethiopian beans!", "--yes"))
    assert fake.replies == [(ids["c1"], {"message": "Ethiopian beans!"})]
    assert fake.comments[ids["m1"]][-1]["parent_id"] == ids["c1"]  # in the thread
    assert all(s.headers["authorization"] == f"Bearer {TOKEN}" for s in server.requests)
    assert all("access_token" not in s.query for s in server.requests)

    fresh = fake.ig_comment(ids["m2"], "Do you ship abroad?", username="di", user_id="1789004")
    before = len(server.requests)
    outputs.append(home.ok("fetch"))
    again = server.requests[before:]
    assert [s.query["limit"] for s in again if s.path.endswith("/media")] == [["25"]]
    ids_now = [item["id"] for item in home.batch()]
    assert f"ig:{fresh}" in ids_now and target not in ids_now
    assert len(fake.replies) == 1
    assert all(TOKEN not in text for text in outputs)
    assert TOKEN not in home.files_text()


async def test_a_reply_sent_from_the_app_reaches_instagram(tmp_path, loopback, monkeypatch):
    fake, _ = account()
    server = loopback(fake.handler)
    home = home_with_instagram(tmp_path, server)
    home.ok("fetch")
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we will check.")
    assert fake.replies == [(question_id.split(":", 1)[1], {"message": "Thanks, we will check."})]
    assert TOKEN not in home.files_text()


def test_an_instagram_login_token_is_renewed_and_the_next_runs_use_it(tmp_path, loopback):
    fake, _ = account()
    server = loopback(fake.handler)
    home = ChannelHome(tmp_path, now=NOW)
    home.add("ig", "instagram", base_url=server.url, ig_user_id=IG_USER_ID,
             refresh_url=f"{server.url}/refresh_access_token")  # fmt: skip
    home.login("ig", {"": TOKEN})
    outputs = [home.ok("fetch")]
    assert fake.token_renewals == 0  # a token seen for the first time may be minutes old
    home.env["CXDAILY_NOW"] = "2026-12-05T09:30:00Z"  # a day later
    outputs.append(home.ok("fetch"))
    assert fake.token_renewals == 1 and fake.token != TOKEN
    home.env["CXDAILY_NOW"] = "2026-12-05T11:00:00Z"
    outputs.append(home.ok("fetch"))  # the stored renewed token; the next renewal is not due
    assert fake.token_renewals == 1 and len(home.batch_ids()) == 2
    assert all(s.headers["authorization"] == f"Bearer {fake.token}" for s in server.requests[-3:])
    assert not any(t in text for text in outputs for t in (TOKEN, fake.token))
    assert not any(t in home.files_text() for t in (TOKEN, fake.token))
