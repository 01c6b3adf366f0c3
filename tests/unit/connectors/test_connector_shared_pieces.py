"""Pieces several connectors share: a site's options, a listing walk's harvest, the
statuses a request wrapper answers itself."""

from __future__ import annotations

from datetime import UTC, datetime

from cxdaily.connectors.google_api import ListingHarvest
from cxdaily.connectors.http_base import site_options
from cxdaily.connectors.http_client import RequestOptions, allowing
from cxdaily.connectors.options import HTTP_OPTIONS, Option
from cxdaily.core.models import Author, Question


def test_site_options_make_base_url_required_and_keep_the_http_ones():
    spec = site_options(
        "the forum", Option("boards", "text", "boards"), check=lambda v: None if v else "no"
    )
    names = [option.name for option in spec]
    assert names[: len(HTTP_OPTIONS)] == [
        *(o.name for o in HTTP_OPTIONS if o.name != "base_url"),
        "base_url",
    ]
    assert names[-1] == "boards"
    base_url = spec["base_url"]
    assert (base_url.description, base_url.required, base_url.type) == ("the forum", True, "url")
    assert base_url.check is not None and base_url.check("") == "no"


def test_a_listing_harvest_becomes_the_fetch_result():
    harvest = ListingHarvest()
    when = datetime(2026, 1, 2, tzinfo=UTC)
    asked = Question(
        id="c:1", channel="c", kind="youtube", native_id="1", thread_id="1", url=None,
        author=Author(name="Ann"), title=None, body="Hi?", created_at=when,
    )  # fmt: skip
    harvest.questions.append(asked)
    harvest.skipped.add("page 1, comment thread 2 skipped: id is missing")
    result = harvest.fetch_result({"newest": "2026-01-02T00:00:00Z"})
    assert result.questions == [asked] and result.settled == []
    assert result.warnings == harvest.skipped.lines() and result.warnings
    assert result.checkpoint == {"newest": "2026-01-02T00:00:00Z"}


def test_allowing_adds_statuses_to_the_ones_a_caller_allows():
    given: RequestOptions = {"params": {"q": "1"}, "allow_statuses": frozenset({404})}
    sent = allowing(given, 401, 429)
    assert sent["allow_statuses"] == {404, 401, 429} and sent["params"] == {"q": "1"}
    assert given["allow_statuses"] == frozenset({404})  # the caller's options are left alone
    assert allowing({}, 400)["allow_statuses"] == {400}
