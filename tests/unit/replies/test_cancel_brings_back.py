"""Cancelling a reply brings the question back: actions, candidates, batch and streak."""

from __future__ import annotations

from cxdaily.core.errors import AuthError
from cxdaily.core.models import Disposition, ReplyState

TEXT = "Thanks Ana, the export works again."


def test_a_cancelled_reply_leaves_the_question_unanswered_everywhere(scripted, script):
    script.outcomes = [AuthError("no", channel="portal")]
    before = scripted.streak()
    failed = scripted.reply("portal:q1", TEXT)
    assert failed.state is ReplyState.FAILED
    answered = [a for a in scripted.store.activity.actions() if a.question_id == "portal:q1"]
    assert [a.disposition for a in answered] == [Disposition.ANSWERED]
    assert scripted.streak().today_counts
    assert "portal:q1" not in {i.question.id for i in scripted.batch(5 * 3600).items}

    scripted.cancel(failed.id)

    assert not [a for a in scripted.store.activity.actions() if a.question_id == "portal:q1"]
    assert scripted.streak().today_counts == before.today_counts
    assert "portal:q1" in {i.question.id for i in scripted.batch(5 * 3600).items}
    assert scripted.draft("portal:q1") == TEXT
    assert scripted.review_reply("portal:q1", TEXT).problems == ()
