"""The small words a leader reads every day: plurals, a name said once, near-duplicates
named alike, and an example note that names this customer."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cxdaily.core.errors import NotFoundError
from cxdaily.core.models import Author, Question
from cxdaily.curation.batch import Batch, BatchItem
from cxdaily.streaks import Streak
from cxdaily.ui.batch_lines import summary_line
from cxdaily.ui.group_tagging import group_labels
from cxdaily.ui.modals.handoff import handoff_placeholder
from cxdaily.ui.question_parts import author_line, question_parts

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def question(ident: str, author: Author) -> Question:
    channel, native = ident.split(":")
    return Question(
        id=ident, channel=channel, kind="demo", native_id=native, author=author,
        body="Where is my invoice?", created_at=NOW, thread_id=None, url=None, title=None,
    )  # fmt: skip


def item(q: Question, estimate_s: int = 60, group: tuple[str, ...] = ()) -> BatchItem:
    return BatchItem(question=q, score=1.0, estimate_s=estimate_s, reasons=(), group=group)


def streak() -> Streak:
    return Streak(
        current=0, longest=0, total_days=0, today_counts=False, handled_today=0,
        calendar={}, today=date(2026, 12, 3),
    )  # fmt: skip


def test_one_minute_and_one_question_are_singular():
    one = question("desk:1", Author(name="Dana"))
    text = summary_line(Batch(items=(item(one, 60),), budget_s=600), streak()).plain
    assert text.startswith("1 question, about 1 minute · budget 10 min")


def test_a_name_equal_to_the_handle_is_said_once():
    assert author_line(Author(name="Hassan Ali", handle="Hassan Ali")).plain == "Hassan Ali"
    both = author_line(Author(name="Hassan Ali", handle="hassan@shop.example")).plain
    assert both == "Hassan Ali hassan@shop.example"
    # a handle that adds to the name stands for both ("Plumtide Inc. Plumtide Inc. (...)")
    team = Author(name="Plumtide Inc.", handle="Plumtide Inc. (developer response)")
    assert author_line(team).plain == "Plumtide Inc. (developer response)"
    assert author_line(Author(handle="li@shop.example")).plain == "li@shop.example"
    assert author_line(Author()).plain == "unknown"


def test_near_duplicates_are_named_alike_inside_and_outside_the_session():
    dana = question("desk:1", Author(name="Dana Whitfield"))
    jonas = question("desk:2", Author(name="Jonas"))
    stored = {"mail:7": question("mail:7", Author(handle="li@shop.example"))}

    def lookup(question_id: str) -> Question:
        if question_id not in stored:
            raise NotFoundError(f"no question with id {question_id!r}")
        return stored[question_id]

    grouped = item(dana, group=("desk:2", "mail:7", "forum:9"))
    labels = group_labels([item(dana), item(jonas)], grouped, lookup)
    assert labels[0].startswith("Jonas (") and labels[1].startswith("li@shop.example (")
    assert labels[2] == "a customer (forum)"
    assert not any(":" in label for label in labels)  # never a raw question id


def test_the_hand_off_example_names_this_customer():
    assert handoff_placeholder(question("d:1", Author(name="Dana Whitfield"))).endswith(
        "Please call Dana back today"
    )
    assert "li@shop.example" in handoff_placeholder(
        question("d:2", Author(handle="li@shop.example"))
    )
    assert "the customer" in handoff_placeholder(question("d:3", Author()))


def test_the_session_says_why_as_the_start_screen_does():
    """A must-see kind the reasons do not name leads them ("churn, VIP, waiting 25 h"),
    in the session as on the start screen and in `cxdaily batch`."""
    churn = BatchItem(
        question=question("desk:9", Author(name="Margaret")), score=5.0, estimate_s=180,
        reasons=("VIP", "waiting 25 h"), must_see=("VIP", "churn"),
    )  # fmt: skip
    reasons = question_parts(churn, NOW)["reasons"].plain
    assert reasons.startswith("Why: churn, VIP, waiting 25 h  (about 3 min)")
