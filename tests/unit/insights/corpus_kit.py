"""A realistic, varied corpus of customer insights, made from a seeded random generator
(plain functions, no fixtures).

Every insight gets its own quote, summary and customer, of the lengths leaders write:
one-line summaries, quotes of one to six sentences (sometimes several paragraphs), an
occasional note. Some texts hold personal data to redact (emails, phone numbers, card
numbers, street addresses, the customer's own name) or a link, non-Latin letters and
emoji, and a few hold hostile text (terminal escapes, bidi overrides, markup).

- :func:`customers` makes a population of customers (name, handle);
- :func:`quote_text`, :func:`summary_text` and :func:`note_text` make one text each;
- :func:`varied_texts` makes a list of free texts, every kind above included;
- :func:`realistic_insights` makes a year (or any span) of insights.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from cxdaily.core.models import Insight
from cxdaily.insights.taxonomy import DEFAULT_TAGS, SENTIMENTS, TEAMS

FIRST_NAMES = (
    "Jane", "Ravi", "Ana", "Tom", "Mei", "Olu", "Sofia", "Lars", "Aiko", "Mateo", "Fatima",
    "Noah", "Chloé", "Jonas", "Priya", "Diego", "Ingrid", "Kwame", "Léa", "Omar", "Hana",
    "Piotr", "Zoë", "Emeka", "Yuki", "Marta", "Björn", "Amara", "Luca", "Nadia", "Carlos",
    "Elif", "Sven", "Aditi", "Tomás", "Greta", "Kofi", "Ines", "Hiro", "Maya", "Ólafur",
    "Sara", "Felix", "Leila", "Ivan", "Rosa", "Arjun", "Nina", "Pablo", "Freya",
)  # fmt: skip
SURNAME_STEMS = (
    "Berg", "Silva", "Patel", "Nakam", "Okon", "Rossi", "Lind", "Garc", "Kowal", "Haas",
    "Mend", "Sato", "Dubo", "Adey", "Fisch", "Ström", "Moreau", "Kuma", "Novak", "Brenn",
    "Walt", "Ferr", "Osei", "Tanak", "Young", "Marsh", "Quin", "Holm", "Ibar", "Cost",
)  # fmt: skip
SURNAME_ENDS = ("", "er", "son", "ura", "ez", "ski", "mann", "ova", "ini", "ström", "eau")
PRODUCT_AREAS = (
    "invoice export", "the dashboard", "the mobile app", "CRM sync", "SSO login",
    "the billing page", "bulk import", "the API", "search", "notifications", "the calendar",
    "report builder", "the Zapier integration", "two-factor login", "team permissions",
    "the onboarding checklist", "CSV export", "the Android widget", "webhooks", "audit logs",
)  # fmt: skip
PROBLEMS = (
    "stopped working after the last update", "is painfully slow on large accounts",
    "duplicates records every night", "crashes when I open it on my phone",
    "shows the wrong totals", "logs me out every few minutes",
    "is missing the one field we need", "times out for our biggest customers",
    "changed without any warning", "is confusing for new hires",
    "breaks when the name has an accent", "drops every third attachment",
)  # fmt: skip
FEELINGS = (
    "Honestly this is the third time this quarter.", "We love the product otherwise!",
    "Our team is losing about an hour a day because of it.",
    "I have to explain this to my board on Monday.",
    "We are seriously evaluating alternatives now.", "Thanks for listening, really.",
    "Please don't make me open another ticket.", "Your support team was lovely, though.",
    "It used to be the best part of the app.", "Our renewal is coming up in March.",
    "Can someone from product look at this?", "This would make us upgrade to the next plan.",
    "Ça marche très bien sur le web, mais pas ici.", "Das ist wirklich ärgerlich 😤",
    "日本語の名前で問題が起きます。", "Great work on the new release 🎉",
)  # fmt: skip
DETAILS = (
    "We have {n} seats and {m} workspaces.", "It started on {day} around {hour}:{minute:02d}.",
    "Order {order} is the one that failed.", "Version {major}.{minor}.{patch} on iOS {ios}.",
    "About {n}% of our exports are affected.", "It took {m} minutes to load yesterday.",
    "Invoice INV-{order} shows ${n},{m:03d}.00 instead of the quote.",
    "We sent {n} reminders and got {m} replies.",
)  # fmt: skip
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "2026-03-14", "14.03.2026")
STREETS = (
    "221B Baker Street", "42 Main St apt 4", "1600 Pennsylvania Avenue", "Hauptstraße 5",
    "10 rue de Rivoli", "77 Elm Road", "12 calle Mayor",
)  # fmt: skip
HOSTILE = (
    "\x1b]52;c;cm0gLXJmIH4=\x07copied", "\x1b[2J\x1b[Hcleared", "\u202egnp.exe",
    "[@click=app.quit]x[/]", "<script>alert(1)</script>", "**bold** _it_ `code` | cell |",
    "# heading\n- item\n1. one", "=HYPERLINK(\"http://evil.example\")", "a\x9b31mred\x00\x7f",
    "[link](javascript:alert(1))", "&amp; &lt; &#x27;", "line\r\nbreak\rcarriage",
)  # fmt: skip
NOTES = (
    "Ask about their plan", "Call back Tuesday", "Follow up after the release",
    "Promised a fix date by Friday", "Loop in the account manager", "Check with billing",
)  # fmt: skip
SEGMENTS = (
    "a trial account", "an enterprise customer", "a new customer", "a long-time customer",
    "a reseller", "a nonprofit", "a school", "an agency", "a hospital", "a startup",
    "a customer in Japan", "a customer in Brazil", "a team of two", "a public company",
)  # fmt: skip
CHANNELS = ("acme", "social", "forum", "reviews", "mail", "appstore")


def person_name(rng: random.Random) -> str:
    """A first name and a surname (from about 18,000 combinations)."""
    surname = rng.choice(SURNAME_STEMS) + rng.choice(SURNAME_ENDS)
    return f"{rng.choice(FIRST_NAMES)} {surname}"


def customers(rng: random.Random, count: int) -> list[tuple[str | None, str | None]]:
    """``count`` customers as (name, handle): emails, @handles and Reddit users, some
    without a name or a handle."""
    found: list[tuple[str | None, str | None]] = []
    for n in range(count):
        name = person_name(rng)
        login = name.lower().replace(" ", ".").encode("ascii", "ignore").decode() or "user"
        handle = rng.choice(
            (f"{login}{n}@example.com", f"@{login.replace('.', '_')}{n}", f"u/{login}{n}", None)
        )
        found.append((None if rng.random() < 0.1 else name, handle))
    return found


def _detail(rng: random.Random) -> str:
    return rng.choice(DETAILS).format(
        n=rng.randrange(2, 400),
        m=rng.randrange(1, 999),
        order=rng.randrange(10_000, 999_999),
        day=rng.choice(DAYS),
        hour=rng.randrange(24),
        minute=rng.randrange(60),
        major=rng.randrange(1, 12),
        minor=rng.randrange(30),
        patch=rng.randrange(10),
        ios=rng.randrange(15, 19),
    )


def _local_number(rng: random.Random) -> str:
    """``555-1234``."""
    return f"{rng.randrange(200, 999)}-{rng.randrange(1000, 9999)}"


def _personal_data(rng: random.Random, name: str | None) -> str:
    """One sentence that holds personal data (or a link) to redact."""
    kind = rng.randrange(7)
    if kind == 0:
        local = (name or "someone").split()[0].lower().encode("ascii", "ignore").decode()
        return f"Email me at {local or 'me'}.{rng.randrange(99)}@mail.example.org."
    if kind == 1:
        groups = (rng.randrange(1, 60), rng.randrange(100, 999), rng.randrange(1000, 9999))
        return f"Call me on +{groups[0]} {groups[1]} {groups[2]} {rng.randrange(100, 9999)}."
    if kind == 2:
        return f"My number is ({rng.randrange(200, 999)}) {_local_number(rng)}."
    if kind == 3:
        return f"Ship it to {rng.choice(STREETS)}, please."
    if kind == 4:
        groups = " ".join(f"{rng.randrange(10_000):04d}" for _ in range(4))
        return f"I paid with card {groups} twice."
    if kind == 5:
        return f"See https://status.example.com/incidents/{rng.randrange(99_999)} for details."
    return f"This is {name or 'the owner'} from the finance team."


def quote_text(rng: random.Random, name: str | None = None) -> str:
    """A customer's words: one to six sentences, sometimes in paragraphs, sometimes with
    personal data or a link (about one in seven), rarely hostile."""
    area = rng.choice(PRODUCT_AREAS)
    sentences = [f"{area[:1].upper()}{area[1:]} {rng.choice(PROBLEMS)}."]
    for _ in range(rng.choice((0, 1, 2, 2, 3, 3, 4, 5, 6, 8))):
        sentences.append(_detail(rng) if rng.random() < 0.15 else rng.choice(FEELINGS))
    if rng.random() < 0.15:
        sentences.insert(rng.randrange(len(sentences) + 1), _personal_data(rng, name))
    if rng.random() < 0.005:
        sentences.append(rng.choice(HOSTILE))
    joiner = "\n\n" if rng.random() < 0.15 else " "
    return joiner.join(sentences)


def summary_text(rng: random.Random) -> str:
    """A leader's one-line summary: an area, what is wrong, a detail."""
    area = rng.choice(PRODUCT_AREAS)
    problem = rng.choice(PROBLEMS)
    segment = rng.choice(SEGMENTS)
    tail = rng.choice(("", f" ({rng.randrange(2, 900)} seats)", "; churn risk", " (mobile)"))
    return f"{area[:1].upper()}{area[1:]} {problem} for {segment}{tail}"


def note_text(rng: random.Random) -> str | None:
    """The leader's note (on about three insights in ten)."""
    if rng.random() >= 0.3:
        return None
    note = rng.choice(NOTES)
    if rng.random() < 0.2:
        note += f": call {rng.randrange(200, 999)}-{_local_number(rng)}"
    return note


def varied_texts(rng: random.Random, count: int) -> list[str]:
    """``count`` free texts: quotes, summaries and notes, plus every hostile sample,
    every street and an empty text."""
    people = customers(rng, 50)
    found = ["", *HOSTILE, *STREETS, *(f"{a} {b}" for a, b in zip(HOSTILE, STREETS, strict=False))]
    while len(found) < count:
        kind = rng.randrange(3)
        if kind == 0:
            found.append(quote_text(rng, rng.choice(people)[0]))
        elif kind == 1:
            found.append(summary_text(rng))
        else:
            found.append(note_text(rng) or "")
    return found[:count]


def realistic_insights(
    rng: random.Random, count: int, now: datetime, span: timedelta = timedelta(days=365)
) -> list[Insight]:
    """``count`` insights spread over ``span`` before ``now``, each with its own words;
    customers come back now and then (about two insights per customer)."""
    population = customers(rng, max(count // 2, 1))
    seconds = int(span.total_seconds())
    found = []
    for n in range(count):
        name, handle = rng.choice(population)
        tags = tuple(dict.fromkeys(rng.sample(DEFAULT_TAGS, rng.choice((1, 1, 2, 3)))))
        found.append(
            Insight(
                id=f"i{n:05d}",
                question_id=f"{rng.choice(CHANNELS)}:{rng.randrange(10**8)}",
                channel=rng.choice(CHANNELS),
                url=rng.choice(
                    (f"https://acme.example/tickets/{n}", f"https://forum.example/t/{n}", None)
                ),
                customer_name=name,
                customer_handle=handle,
                tags=tags,
                team=rng.choice((*TEAMS, None)),
                sentiment=rng.choice((*SENTIMENTS, None)),
                importance=rng.choice((1, 1, 2, 3)),
                summary=summary_text(rng) if rng.random() < 0.9 else "",
                quote=quote_text(rng, name),
                note=note_text(rng),
                created_at=now - timedelta(seconds=rng.randrange(seconds)),
                session_id=None,
            )
        )
    return found


ODD_VALUES = (
    "Jane  Doe", " x\ty ", "a\x1b[31mb", "\u202eevil", "jane@example.com", "@jd", "", None,
    "Ana Silva (555) 123-4567", "Zoë\u00a0Ström", "u/x_y", "x\ny",
)  # fmt: skip
ODD_TAGS = ("bug", "Churn-Risk", "churn risk", " pricing", "a\tb", "#tag", "1. x", "<b>")


def hostile_insights(rng: random.Random, count: int, now: datetime) -> list[Insight]:
    """``count`` insights over the 60 days before ``now`` with odd values in every field:
    control characters, bidi overrides, doubled and odd spaces, markup, personal data,
    emails in ids and URLs, links that are not web links, missing values."""
    texts = varied_texts(rng, count * 3)
    people = customers(rng, 40)
    found = []
    for n in range(count):
        name, handle = rng.choice(people)
        if rng.random() < 0.25:
            name = rng.choice(ODD_VALUES)
        if rng.random() < 0.25:
            handle = rng.choice(ODD_VALUES)
        found.append(
            Insight(
                id=f"h{n}" + rng.choice(("", " ", "\t")),
                question_id=rng.choice((f"mail:<x{n}@a.example>", f"q{n}", "q\x1b]0;t\x07")),
                channel=rng.choice(("acme", " forum ", "so\tcial")),
                url=rng.choice(
                    (
                        None,
                        "javascript:alert(1)",
                        f"https://a.example/t/{n}?u=me@x.example",
                        "https://a.example/(x) y",
                    )
                ),
                customer_name=name,
                customer_handle=handle,
                tags=tuple(rng.sample(ODD_TAGS, rng.randrange(0, 3))),
                team=rng.choice((None, "product", " support", "x\ny")),
                sentiment=rng.choice((None, "negative", "positive", "weird")),
                importance=rng.choice((1, 2, 3)),
                summary=texts[3 * n],
                quote=texts[3 * n + 1],
                note=texts[3 * n + 2] or None,
                created_at=now - timedelta(hours=rng.randrange(24 * 60)),
            )
        )
    return found
