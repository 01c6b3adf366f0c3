"""The ``app_store`` kind through the whole command line and the app, against a loopback
fake of App Store Connect: add, login (the .p8 key base64-encoded on one line), test,
fetch, batch, reply (and a reply over the limit refused), a second fetch that reads only
what is new, and a reply sent from the app."""

from tests.integration.app_store_fake_kit import APP_ID, ISSUER, KEY_ID, PEM, SECRET, FakeAppStore
from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app

NOW = "2026-12-04T09:00:00Z"


def store() -> FakeAppStore:
    """Two reviews with questions and one the team answered already."""
    fake = FakeAppStore()
    fake.add("r1", "Export crashes", "The app crashes every time I export a note.", rating=1)
    fake.add("r2", "Sync?", "Does it sync with my Mac?", rating=3)
    fake.add("r3", "Widgets", "How do I add a widget?", rating=5)
    fake.developer_answers("r3", "Long-press the home screen, then tap +.")
    return fake


def home_with_app_store(tmp_path, server) -> ChannelHome:
    """A leader's home with the channel added and its private key stored by ``login``."""
    home = ChannelHome(tmp_path, now=NOW)
    home.add("ios", "app_store", base_url=server.url, app_id=APP_ID, issuer_id=ISSUER,
             key_id=KEY_ID)  # fmt: skip
    home.login("ios", {"": SECRET})
    return home


def no_key_in(text: str) -> bool:
    body = "".join(PEM.strip().splitlines()[1:-1])
    return SECRET not in text and body[:40] not in text and "PRIVATE KEY" not in text


def test_add_login_test_fetch_batch_reply_and_fetch_again(tmp_path, loopback):
    fake = store()
    server = loopback(fake.handler)
    home = home_with_app_store(tmp_path, server)
    outputs = [home.ok("channels", "test", "ios")]
    assert "Acme Notes" in outputs[0] and KEY_ID in outputs[0]
    outputs.append(home.ok("fetch"))
    batch = home.batch()
    assert sorted(item["id"] for item in batch) == ["ios:r1", "ios:r2"]

    too_long = home.run("reply", "ios:r1", "--text", "x" * 5971, "--yes")
    assert too_long.returncode != 0 and "5970" in too_long.stdout + too_long.stderr
    assert fake.posted == []

    text = "Sorry about that! Version 2.1 fixes exporting."
    outputs.append(home.ok("reply", "ios:r1", "--text", text, "--yes"))
    assert fake.posted == [
        {
            "data": {
                "type": "customerReviewResponses",
                "attributes": {"responseBody": text},
                "relationships": {"review": {"data": {"type": "customerReviews", "id": "r1"}}},
            }
        }
    ]
    assert fake.responses["r1"]["attributes"]["responseBody"] == text
    assert all(s.headers["authorization"].startswith("Bearer ey") for s in server.requests)

    fake.add("r4", "Price", "Is there a family plan?", rating=4)
    before = len(server.requests)
    outputs.append(home.ok("fetch"))
    again = server.requests[before:]
    assert [s.path for s in again] == [f"/v1/apps/{APP_ID}/customerReviews"]  # one page
    assert again[0].query == {"sort": ["-createdDate"], "limit": ["200"], "include": ["response"]}
    assert "ios:r4" in [item["id"] for item in home.batch()]
    assert "ios:r1" not in [item["id"] for item in home.batch()]
    assert len(fake.posted) == 1
    assert all(no_key_in(text) for text in outputs)
    assert no_key_in(home.files_text())


async def test_a_reply_sent_from_the_app_reaches_the_review(tmp_path, loopback, monkeypatch):
    fake = store()
    server = loopback(fake.handler)
    home = home_with_app_store(tmp_path, server)
    home.ok("fetch")
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we fixed it.")
    review_id = question_id.split(":")[1]
    assert fake.responses[review_id]["attributes"]["responseBody"] == "Thanks, we fixed it."
    assert len(fake.posted) == 1
    assert no_key_in(home.files_text())
