"""A planted inbox: what deserves the leader's eyes is picked over passing mentions and thanks."""

from __future__ import annotations

from datetime import timedelta

from cxdaily.core.models import Author
from cxdaily.curation import curate, rank
from cxdaily.curation.settings import CurationSettings
from tests.unit.curation.curation_kit import DAY_START, NOW, ask, demo_inbox

VIP = ask(
    "vip",
    "Can we talk about our renewal next week? We need the new DPA first.",
    channel="desk",
    author=Author(handle="cfo@bigclient.example", name="Dana"),
)
ANGRY = ask(
    "angry",
    "Third message. I was charged twice and nobody answers. "
    "This is unacceptable, I want a refund or I file a chargeback.",
    channel="desk",
    age=timedelta(hours=50),
)
HIGH_REACH = ask(
    "reach",
    "@acme your sync has been broken for two days and support is silent. Switching soon.",
    channel="x",
    kind="x",
    author=Author(handle="@famous", followers=240_000),
)
PICKS = {"desk:vip", "desk:angry", "x:reach"}

PASSING = [
    ask(f"mention{n}", text, channel="x", kind="x", author=Author(handle=f"@fan{n}", followers=90))
    for n, text in enumerate(
        [
            "Monday planning ritual: coffee, colour-code, deep work first",
            "Spent the morning moving our agency onto acme. Wish us luck",
            "my whole system: acme for work, paper for the rest",
            "new colour themes look nice in the office",
        ]
    )
]
THANKS = [
    ask(f"thanks{n}", text, channel="desk")
    for n, text in enumerate(
        [
            "Thank you! Priya sorted our Zoom link in ten minutes. Brilliant support!",
            "Just renewed for another year. Keep doing what you are doing.",
            "Thanks, love the app!",
            "Dark mode finally!! Thank you.",
        ]
    )
]


def test_the_vip_the_angry_long_wait_and_the_loud_complaint_win_a_tight_budget():
    settings = CurationSettings(vip_domains=("bigclient.example",), reserve=0.0)
    inbox = [*PASSING, *THANKS, VIP, ANGRY, HIGH_REACH]
    ranked = rank(inbox, NOW, settings)
    assert {item.question.id for item in ranked[:3]} == PICKS  # the best three by value
    needed = sum(item.estimate_s for item in ranked[:3])
    cheapest = min(item.estimate_s for item in ranked[3:])
    # a budget for those three, and less than any other question on top
    batch = curate(inbox, {}, NOW, DAY_START, needed + cheapest - 1, settings=settings)
    picked = {item.question.id for item in batch.items}
    assert picked == PICKS
    reasons = {item.question.id: item.reasons for item in batch.items}
    assert "VIP" in reasons["desk:vip"]
    assert {"waiting 2 days", "frustrated", "keyword: refund"} <= set(reasons["desk:angry"])
    assert {"240k followers", "keyword: broken"} <= set(reasons["x:reach"])
    left = {lo.item.question.id: lo.reason for lo in batch.left_out}
    assert set(left) == {q.id for q in PASSING + THANKS}
    assert all(reason == "does not fit the time left" for reason in left.values())


def test_they_come_first_in_the_session_too():
    settings = CurationSettings(vip_domains=("bigclient.example",))
    inbox = [*PASSING, *THANKS, VIP, ANGRY, HIGH_REACH]
    batch = curate(inbox, {}, NOW, DAY_START, 2 * 3600, settings=settings)
    first = [item.question.id for item in batch.items[:3]]
    assert set(first) == PICKS
    assert len(batch.items) == len(inbox)  # with time for everything, everything fits


def test_in_the_demo_inbox_vips_and_the_angriest_customers_make_the_batch():
    batch = curate(demo_inbox(), {}, NOW, DAY_START, 30 * 60)
    picked = {item.question.id for item in batch.items}
    assert {"demo:zd-48222", "demo:hs-3310"} <= picked  # the VIPs: SSO outage, renewal
    assert "demo:zd-48177" in picked  # charged after cancelling, third message, lawyer
    # with an hour, the loudest complaint that is not must-see too: 248k followers
    roomy = curate(demo_inbox(), {}, NOW, DAY_START, 60 * 60)
    assert "demo:tw-1906577763321876480" in {item.question.id for item in roomy.items}
    praise = {"demo:zd-48230", "demo:as-11290511872", "demo:ig-17998812345670021"}
    assert not picked & praise
