"""What matters most is never left out silently: a VIP, data-loss, security, legal or
churn question goes in before anything else, praise and passing mentions never take the
time it needs, and one that still does not fit is listed with its reason and can be added.
"""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from cxdaily.cli import main
from cxdaily.core.models import Author
from cxdaily.curation import curate, rank
from cxdaily.curation.explain import (
    CHURN,
    DATA_LOSS,
    LEGAL,
    SECURITY,
    VIP,
    budget_with_must_see,
    left_out_summary,
    must_see_label,
    must_see_summary,
    must_see_words,
    shown_reasons,
)
from cxdaily.curation.must_see import PASSING, is_passing, text_must_see
from cxdaily.curation.settings import CurationSettings
from tests.unit.curation.curation_kit import DAY_START, NOW, ask, demo_inbox

TEN_MINUTES = 10 * 60

#: The VIP CFO of a 200-seat customer: a long email, so it costs minutes.
CFO = ask(
    "cfo",
    "I've now had a week with no answer to a simple question. 200 seats x $2 x 12 months "
    "is $4,800 a year extra, announced with 30 days' notice, for features most of our "
    "staff have not asked for. Is this negotiable for a 200-seat customer? I'd like to "
    "speak with someone who can make a decision before our renewal date.\n\n"
    "Dana Whitfield\nChief Financial Officer, Northwind",
    channel="desk",
    kind="front",
    title="Re: Your plan is changing",
    author=Author(handle="dana@northwind.example", name="Dana Whitfield"),
    age=timedelta(hours=25),
    organization="Northwind",
)
SETTINGS = CurationSettings(vip_domains=("northwind.example",))

PRAISE = ask(
    "praise",
    "Great tutorial, finally understand how Team Spaces and booking pages fit together 👍",
    channel="yt",
    kind="youtube",
    age=timedelta(hours=3),
)
FOUR_STARS = ask(
    "four",
    "The whole family uses it, the colour themes are cute. Only an Apple Watch "
    "complication is missing, so four stars.",
    channel="play",
    kind="google_play",
    title="Great app",
    rating=4,
    age=timedelta(hours=3),
)
LOST_EDITS = ask(
    "edits",
    "Logged me out and lost my offline edits. Three days of notes from a conference, "
    "gone. One star until this is fixed.",
    channel="store",
    kind="app_store",
    rating=1,
    age=timedelta(hours=15),
)
LOADING = ask(
    "loading",
    "Stuck on the loading screen since the update. Just the logo spinning forever. "
    "Reinstalled twice. I need this for work, please fix ASAP",
    channel="play",
    kind="google_play",
    rating=1,
    age=timedelta(hours=2),
)


_GRIPES = [
    "the widget shows yesterday since 4.2",
    "invites arrive an hour late in outlook",
    "zoom links in confirmations are invalid",
    "week view stutters on every scroll",
    "reminders go out twice to my clients",
    "the android app closes at launch",
    "round robin ignores out of office",
    "slack status stopped updating",
    "invoices miss our vat number",
    "dark theme breaks the booking form",
    "ics files carry the wrong utc offset",
    "search finds nothing older than may",
]


def complaints(count: int) -> list:
    """Short, angry, public complaints on different topics: each worth a lot per minute,
    none of them must-see."""
    return [
        ask(
            f"c{n}",
            f"@acme {_GRIPES[n]}. third time I report it and nobody answers. awful",
            channel=f"x{n}",
            kind="x",
            followers=20_000,
            age=timedelta(hours=20),
        )
        for n in range(count)
    ]


def batch_of(questions, budget_s: int = TEN_MINUTES, settings: CurationSettings = SETTINGS):
    return curate(questions, {}, NOW, DAY_START, budget_s, settings=settings)


def picked(batch) -> set[str]:
    return {item.question.id for item in batch.items}


def estimates(inbox) -> dict[str, int]:
    return {item.question.id: item.estimate_s for item in rank(inbox, NOW, SETTINGS)}


def budget_for(capacity_s: int) -> int:
    """The budget whose packing capacity (the default reserve kept) is ``capacity_s``."""
    budget = math.ceil(capacity_s / (1 - CurationSettings().reserve))
    assert int(budget * (1 - CurationSettings().reserve)) == capacity_s
    return budget


def seven_complaints_s(seconds: dict[str, int]) -> int:
    return sum(sorted(s for qid, s in seconds.items() if qid.startswith("x"))[:7])


def test_the_vip_cfo_goes_in_before_praise_a_four_star_review_and_denser_complaints():
    inbox = [CFO, PRAISE, FOUR_STARS, *complaints(7)]
    seconds = estimates(inbox)
    praise_s = seconds["yt:praise"] + seconds["play:four"]
    assert praise_s + 2 < seconds["desk:cfo"]
    # after the complaints, time for the praise and the review, not for the CFO
    batch = batch_of(inbox, budget_for(seven_complaints_s(seconds) + praise_s + 2))
    assert "desk:cfo" in picked(batch)
    assert not picked(batch) & {"yt:praise", "play:four"}
    cfo = next(item for item in batch.items if item.question.id == "desk:cfo")
    assert cfo.must_see == (VIP,)  # a renewal is not a customer leaving
    assert not batch.must_see_left_out


def test_lost_offline_edits_and_a_stuck_loading_screen_never_lose_to_praise():
    inbox = [LOST_EDITS, LOADING, PRAISE, FOUR_STARS, *complaints(7)]
    seconds = estimates(inbox)
    spare = seconds["yt:praise"] + 2
    assert spare < min(seconds["store:edits"], seconds["play:loading"], seconds["play:four"])
    # after the complaints, time for the praise only
    batch = batch_of(inbox, budget_for(seven_complaints_s(seconds) + spare))
    assert "store:edits" in picked(batch)  # data loss: must-see
    edits = next(item for item in batch.items if item.question.id == "store:edits")
    assert edits.must_see == (DATA_LOSS,)
    assert shown_reasons(edits)[0] == DATA_LOSS  # named first: the reasons do not say it
    assert not picked(batch) & {"yt:praise", "play:four"}
    left = {entry.item.question.id: entry.reason for entry in batch.left_out}
    assert left["play:loading"] == "does not fit the time left"


def test_praise_that_would_fit_waits_while_a_question_that_needs_an_answer_is_out():
    inbox = [LOADING, PRAISE, FOUR_STARS, *complaints(7)]
    seconds = estimates(inbox)
    spare = seconds["yt:praise"] + 2
    assert spare < min(seconds["play:loading"], seconds["play:four"])
    batch = batch_of(inbox, budget_for(seven_complaints_s(seconds) + spare))
    assert not picked(batch) & {"yt:praise", "play:four"}
    left = {entry.item.question.id: entry.reason for entry in batch.left_out}
    assert left["play:loading"] == "does not fit the time left"
    assert left["yt:praise"] == PASSING  # it would fit, and waits for spare time
    summary = left_out_summary(batch)
    assert "1 is praise or a passing mention, kept for time no question needs" in summary


def test_with_time_for_everything_praise_is_in_too():
    inbox = [LOST_EDITS, LOADING, PRAISE, FOUR_STARS]
    batch = batch_of(inbox, 60 * 60)
    assert picked(batch) == {q.id for q in inbox}


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        (
            ask(
                "hacked",
                "Someone logged into my account from another country last night and "
                "changed my booking page. How do I lock everyone else out?",
                channel="mail",
                kind="email",
            ),
            SECURITY,
        ),
        (
            ask(
                "gdpr",
                "This is a formal GDPR request: tell me which data you hold about me and "
                "delete it within 30 days, or my lawyer will take it from there.",
                channel="mail",
                kind="email",
            ),
            LEGAL,
        ),
    ],
    ids=["security", "legal"],
)
def test_a_security_or_legal_question_goes_in_before_denser_complaints(question, kind):
    batch = batch_of([question, PRAISE, *complaints(12)], 5 * 60)
    assert question.id in picked(batch)
    item = next(item for item in batch.items if item.question.id == question.id)
    assert kind in item.must_see
    assert "yt:praise" not in picked(batch)


def test_a_must_see_question_that_does_not_fit_is_listed_with_its_reason_and_can_be_added():
    hacked = ask("hacked", "My account was hacked, please help", channel="mail", kind="email")
    inbox = [CFO, LOST_EDITS, hacked, PRAISE, *complaints(4)]
    batch = batch_of(inbox, 4 * 60)  # room for one or two of the three
    missing = batch.must_see_left_out
    assert missing, "a must-see question that does not fit is listed"
    assert all(entry.reason for entry in missing)
    assert {entry.item.question.id for entry in missing} | {
        i.question.id for i in batch.items if i.must_see
    } == {"desk:cfo", "store:edits", "mail:hacked"}
    summary = must_see_summary(batch)
    assert summary.endswith("today's 4 minutes")
    assert ("does not fit" if len(missing) == 1 else "do not fit") in summary

    added = batch.with_must_see()
    assert not added.must_see_left_out
    assert [i.question.id for i in added.items[: len(missing)]] == [
        e.item.question.id for e in missing
    ]
    extra_s = sum(e.item.estimate_s for e in missing)
    assert added.budget_s == batch.budget_s + math.ceil(extra_s / 60) * 60  # whole minutes
    assert len(added.items) == len(batch.items) + len(missing)
    assert not {e.item.question.id for e in added.left_out} & {e.item.question.id for e in missing}

    roomy = batch_of(inbox, budget_with_must_see(batch))
    assert not roomy.must_see_left_out
    assert {"desk:cfo", "store:edits", "mail:hacked"} <= picked(roomy)


def test_one_vip_left_out_is_said_in_words():
    batch = batch_of([CFO, *complaints(3)], 2 * 60)
    assert [e.item.question.id for e in batch.must_see_left_out] == ["desk:cfo"]
    assert batch.must_see_left_out[0].reason == "too long"
    assert must_see_summary(batch) == "1 VIP question does not fit today's 2 minutes"
    assert batch.with_must_see(["other:id"]) is batch  # only the ids asked for


def test_the_channel_share_never_keeps_a_must_see_question_out_of_spare_time():
    vips = [
        ask(f"v{n}", f"Can we talk about our renewal next week? ({n})", channel="desk", vip=True)
        for n in range(3)
    ]
    batch = batch_of([*vips, *complaints(10)], 8 * 60, CurationSettings(channel_share=0.2))
    assert {q.id for q in vips} <= picked(batch)


def test_in_the_demo_inbox_the_must_see_questions_take_the_batch_and_the_rest_are_listed():
    batch = curate(demo_inbox(), {}, NOW, DAY_START, 30 * 60)
    assert all(item.must_see for item in batch.items[:-1])
    listed = {e.item.question.id for e in batch.must_see_left_out}
    shown = {i.question.id for i in batch.items if i.must_see}
    assert {"demo:zd-48222", "demo:hs-3310", "demo:fr-5520"} <= listed | shown  # the VIPs
    assert "demo:as-11286240091" in listed | shown  # lost offline edits
    praise = {"demo:zd-48230", "demo:as-11290511872", "demo:yt-Ugw8Hn3pZc0vR2sQ1d4AaABAg"}
    assert not picked(batch) & praise


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Logged me out and lost my offline edits", DATA_LOSS),
        ("All my data gone after the update!", DATA_LOSS),
        ("The sync deleted my recurring events", DATA_LOSS),
        ("Perdí todos mis datos al actualizar", DATA_LOSS),
        ("Alle wiederkehrenden Termine wurden gelöscht.", DATA_LOSS),
        ("J'ai perdu toutes mes notes hors ligne", DATA_LOSS),
        ("I think my account was hacked", SECURITY),
        ("Was there a data breach? I got a weird email", SECURITY),
        ("Someone logged into my account from Brazil", SECURITY),
        ("Mi cuenta fue hackeada anoche", SECURITY),
        ("Mein Konto wurde gehackt", SECURITY),
        ("Mon compte a été piraté", SECURITY),
        ("My lawyer will be in touch", LEGAL),
        ("This is a GDPR request for my data", LEGAL),
        ("We are preparing a lawsuit", LEGAL),
        ("Hablaré con mi abogado", LEGAL),
        ("Antrag nach Art. 17 DSGVO", LEGAL),
        ("Mon avocat vous contactera", LEGAL),
        ("Please cancel my subscription", CHURN),
        ("We're switching to Calvista next month", CHURN),
        ("Kündigung zum Monatsende", CHURN),
        ("Je veux résilier mon contrat", CHURN),
        ("Quiero cancelar mi suscripción", CHURN),
        ("Quiero darme de baja", CHURN),
    ],
)
def test_must_see_words_in_four_languages(text: str, kind: str):
    assert kind in text_must_see(ask("q", text))


@pytest.mark.parametrize(
    "text",
    [
        "great tutorial 👍",
        "How do I cancel a booking?",
        "Quiero cancelar una cita",
        "Je vais annuler le rendez-vous de demain",
        "I want to switch to the annual plan",
        "Since switching to dark mode my eyes are happy",
        "We lost the connection to Google",
        "I lost my patience with the widget",
        "Webhook for cancelled/rescheduled bookings?",
        "How long do you keep deleted bookings before they're gone for good?",
        "Die Preise steigen um 20%",
        "Spent the morning moving our whole agency off a 14-tab spreadsheet",
        "Please send the security questionnaire for our procurement",
    ],
)
def test_everyday_words_are_not_must_see(text: str):
    assert text_must_see(ask("q", text)) == ()


def test_praise_is_passing_and_a_question_or_a_complaint_is_not():
    items = {item.question.id: item for item in rank([PRAISE, FOUR_STARS, LOADING], NOW)}
    assert is_passing(items["yt:praise"]) and is_passing(items["play:four"])
    assert not is_passing(items["play:loading"])
    asks = rank([ask("q", "Great app! How do I add a second calendar?")], NOW)[0]
    assert not is_passing(asks)


def test_cxdaily_batch_prints_the_must_see_questions_left_out_first(home, capsys):
    assert main(["--demo", "fetch"]) == 0
    capsys.readouterr()
    assert main(["--demo", "batch", "--budget", "10m"]) == 0
    lines = capsys.readouterr().out.splitlines()
    heading = lines[0]  # before the batch itself
    assert heading.startswith("Not in today's batch: ") and "must-see questions" in heading
    listed = [line for line in lines[1:] if line.startswith("  ! ")]
    assert lines[1 : 1 + len(listed)] == listed
    assert heading.split()[4] == str(len(listed))
    vip = next(line for line in listed if "demo:zd-48222" in line)
    assert vip.startswith("  ! VIP · Dana Whitfield · demo:zd-48222  ")
    assert vip.endswith(" · does not fit the time left")
    assert lines[1 + len(listed)].endswith("(budget 10 min)")
    budget = heading.split("--budget ")[1].split()[0]

    assert main(["--demo", "batch", "--budget", budget]) == 0
    out = capsys.readouterr().out
    assert "Not in today's batch" not in out
    assert "demo:zd-48222" in out


def test_must_see_left_out_of_several_kinds_are_counted_by_kind():
    batch = curate(demo_inbox(), {}, NOW, DAY_START, TEN_MINUTES)
    missing = batch.must_see_left_out
    kinds = {entry.item.must_see[0] for entry in missing}
    assert {VIP, DATA_LOSS, SECURITY, LEGAL, CHURN} <= kinds
    words = must_see_words(missing)
    assert words.startswith(f"{len(missing)} must-see questions (") and "VIP" in words
    assert must_see_summary(batch) == (
        f"{len(missing)} must-see questions do not fit today's 10 minutes"
    )
    label = next(must_see_label(e.item) for e in missing if len(e.item.must_see) > 1)
    assert label == "VIP · churn"  # the CFO who asks about alternatives
