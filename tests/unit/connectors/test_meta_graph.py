"""What the facebook and instagram channels share: Graph errors, Meta's usage headers,
cursor paging and the small parsers, as pure functions."""

from __future__ import annotations

import json

import httpx
import pytest

from cxdaily.connectors.meta_graph import (
    GraphError,
    graph_error,
    graph_person,
    id_problem,
    is_permission,
    is_throttle,
    next_page_query,
    regain_minutes,
    version_problem,
    web_url,
)
from cxdaily.core.models import Author


def usage(**fields) -> dict:
    return {"type": "pages", "call_count": 100, "total_cputime": 20, "total_time": 30, **fields}


# -- usage headers ---------------------------------------------------------------------
def test_the_business_use_case_header_gives_the_longest_estimate_in_minutes():
    header = json.dumps({
        "104523859874321": [usage(estimated_time_to_regain_access=3)],
        "17841400008460056": [usage(type="instagram", estimated_time_to_regain_access=19)],
    })  # fmt: skip
    assert regain_minutes(httpx.Headers({"X-Business-Use-Case-Usage": header})) == 19.0


def test_the_page_and_app_usage_headers_are_one_usage_object():
    headers = httpx.Headers({
        "X-Page-Usage": json.dumps(usage(estimated_time_to_regain_access=7)),
        "X-App-Usage": json.dumps({"call_count": 100, "total_cputime": 5, "total_time": 9}),
    })  # fmt: skip
    assert regain_minutes(headers) == 7.0


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not json",
        "[1, 2]",
        json.dumps({"x": [usage()]}),  # no estimate
        json.dumps({"x": [usage(estimated_time_to_regain_access="5")]}),
        json.dumps({"x": [usage(estimated_time_to_regain_access=-1)]}),
        json.dumps({"x": [usage(estimated_time_to_regain_access=True)]}),
        "[" * 100_000,
        "9" * 5000,
    ],
)
def test_a_usage_header_without_a_usable_estimate_gives_none(value):
    assert regain_minutes(httpx.Headers({"X-Business-Use-Case-Usage": value})) is None


@pytest.mark.parametrize("huge", [10**12, 1e300])
def test_a_huge_estimate_is_capped_at_a_day(huge):
    header = json.dumps({"x": [usage(estimated_time_to_regain_access=huge)]})
    assert regain_minutes(httpx.Headers({"X-Business-Use-Case-Usage": header})) == 24 * 60


# -- errors -----------------------------------------------------------------------------
def test_a_graph_error_body_is_read_field_by_field():
    body = {"error": {"message": "Error validating access token\x1b[2J: expired",
                      "type": "OAuthException", "code": 190, "error_subcode": 463,
                      "fbtrace_id": "AbC"}}  # fmt: skip
    error = graph_error(json.dumps(body).encode())
    assert error == GraphError("Error validating access token: expired", 190, 463,
                               "OAuthException", "AbC")  # fmt: skip
    assert error.describe() == "Graph error 190/463: Error validating access token: expired"


@pytest.mark.parametrize(
    "body",
    [b"", b"<html/>", b"[]", b'{"error": "text"}', b'{"data": []}', b"{" * 50_000, b"\xff\xfe"],
)
def test_a_body_without_a_graph_error_gives_none(body):
    assert graph_error(body) is None


def test_odd_codes_are_no_codes():
    body = {"error": {"message": 5, "code": "190", "error_subcode": 10**40}}
    error = graph_error(json.dumps(body).encode())
    assert error is not None and (error.code, error.subcode, error.message) == (None, None, "")


@pytest.mark.parametrize(
    ("code", "status", "throttle"),
    [(4, 400, True), (17, 400, True), (32, 403, True), (613, 400, True), (80001, 400, True),
     (190, 400, False), (100, 400, False), (None, 429, True), (None, 400, False)],
)  # fmt: skip
def test_throttling_codes(code, status, throttle):
    error = None if code is None else GraphError("", code, None, None, None)
    assert is_throttle(error, status) is throttle


@pytest.mark.parametrize(("code", "permission"), [(10, True), (200, True), (299, True),
                                                  (190, False), (300, False)])  # fmt: skip
def test_permission_codes(code, permission):
    assert is_permission(GraphError("", code, None, None, None)) is permission


# -- paging ------------------------------------------------------------------------------
def test_the_next_page_is_asked_for_with_the_after_cursor():
    following = "https://graph.facebook.com/v26.0/1/feed?after=QVFIb"
    page = {"data": [], "paging": {"cursors": {"before": "QVFIa", "after": "QVFIb"},
                                   "next": following}}  # fmt: skip
    assert next_page_query(page) == {"after": "QVFIb"}


def test_without_next_the_page_is_the_last_even_with_cursors():
    assert next_page_query({"data": [], "paging": {"cursors": {"after": "QVFIb"}}}) is None
    assert next_page_query({"data": []}) is None
    assert next_page_query([]) is None


def test_a_time_based_next_page_gives_its_query_without_the_token():
    following = ("https://graph.facebook.com/v26.0/1/feed?since=1796371200&until=1796300000"
                 "&__paging_token=enc_AdBc&access_token=EAAsecret&limit=25")  # fmt: skip
    query = next_page_query({"data": [], "paging": {"next": following}})
    assert query == {"since": "1796371200", "until": "1796300000",
                     "__paging_token": "enc_AdBc", "limit": "25"}  # fmt: skip


# -- small parsers ---------------------------------------------------------------------
def test_a_person_is_read_defensively():
    assert graph_person({"id": "9001", "name": "Jane"}, "from") == Author(id="9001", name="Jane")
    assert graph_person({"id": 17841, "username": "jane.roe"}, "from") == Author(
        id="17841", handle="@jane.roe"
    )
    assert graph_person(None, "from") == Author()
    assert graph_person({"id": True, "name": 5}, "from") == Author()


def test_only_web_links_are_kept():
    assert web_url(" https://www.facebook.com/1?comment_id=2 ") == (
        "https://www.facebook.com/1?comment_id=2"
    )
    assert web_url("javascript:alert(1)") is None and web_url(None) is None


@pytest.mark.parametrize("value", ["104523859874321", "1_2", "acme.page"])
def test_ids_accepted(value):
    assert id_problem(value) is None


@pytest.mark.parametrize("value", ["1/../me", "", "a b", "1?x=2", "x" * 101])
def test_ids_refused(value):
    assert id_problem(value)


def test_versions():
    assert version_problem("v26.0") is None and version_problem("v3.3") is None
    assert version_problem("26.0") and version_problem("v26.0/../x")
