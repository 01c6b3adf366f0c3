"""Pagination: Link headers, next-page addresses, cursors, page numbers and since-id, with
loop protection."""

from __future__ import annotations

import httpx
import pytest

from cxdaily.connectors.http_errors import BadResponseError
from cxdaily.connectors.pagination import (
    ListShrinks,
    cursor_pages,
    id_key,
    link_pages,
    newest_id,
    next_url_pages,
    numbered_pages,
    pages_allowed,
    parse_link_header,
    since_id_pages,
)

BASE = "https://api.example.com"


async def collect(pages) -> list:
    return [data async for data, _ in pages]


def test_parse_link_header_variants():
    header = (
        '<https://api.example.com/items?page=2>; rel="next", '
        '<https://api.example.com/items?page=9>; rel="last", '
        "</items?page=1>; rel=prev"
    )
    assert parse_link_header(header) == {
        "next": "https://api.example.com/items?page=2",
        "last": "https://api.example.com/items?page=9",
        "prev": "/items?page=1",
    }
    assert parse_link_header('<a>; rel="next last"') == {"next": "a", "last": "a"}
    assert parse_link_header("") == {}
    assert parse_link_header("garbage, more garbage") == {}


async def test_link_pages_follows_next_links_including_relative_ones(mock_http):
    def handler(request):
        page = int(request.url.params.get("page", "1"))
        headers = {}
        if page == 1:
            headers["link"] = f'<{BASE}/items?page=2>; rel="next"'
        elif page == 2:
            headers["link"] = '</items?page=3>; rel="next", </items?page=1>; rel="prev"'
        return httpx.Response(200, json=[page], headers=headers)

    pages = await collect(link_pages(mock_http(handler), f"{BASE}/items", params={"since": "x"}))
    assert pages == [[1], [2], [3]]


async def test_link_pages_first_params_only_on_the_first_request(mock_http):
    seen = []

    def handler(request):
        seen.append(str(request.url))
        if "page=2" in str(request.url):
            return httpx.Response(200, json=[])
        return httpx.Response(200, json=[], headers={"link": f'<{BASE}/i?page=2>; rel="next"'})

    await collect(link_pages(mock_http(handler), f"{BASE}/i", params={"since": "2026"}))
    assert seen == [f"{BASE}/i?since=2026", f"{BASE}/i?page=2"]


async def test_link_pages_stops_on_a_loop(mock_http):
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(200, json=[1], headers={"link": f'<{BASE}/items>; rel="next"'})

    http = mock_http(handler)
    pages = await collect(link_pages(http, f"{BASE}/items"))
    assert pages == [[1]]
    assert len(calls) == 1
    assert http.notes == [  # never silent: the fetch's warnings say why it stopped
        f"stopped reading pages of {BASE}/items: the service named a page already read as "
        "the next one"
    ]


async def test_link_pages_with_a_next_link_that_is_not_a_url_is_a_bad_response(mock_http):
    def handler(request):
        return httpx.Response(200, json=[1], headers={"link": '<http://[::1>; rel="next"'})

    with pytest.raises(BadResponseError, match="Link header names is not a URL"):
        await collect(link_pages(mock_http(handler), f"{BASE}/items"))


async def test_link_pages_respects_max_pages(mock_http):
    def handler(request):
        n = int(request.url.params.get("n", "0"))
        return httpx.Response(200, json=[n], headers={"link": f'<{BASE}/i?n={n + 1}>; rel="next"'})

    pages = await collect(link_pages(mock_http(handler), f"{BASE}/i", max_pages=4))
    assert pages == [[0], [1], [2], [3]]


async def test_cursor_pages(mock_http):
    data = {None: ("c1", [1, 2]), "c1": ("c2", [3]), "c2": (None, [4])}

    def handler(request):
        cursor = request.url.params.get("after")
        following, items = data[cursor]
        return httpx.Response(200, json={"items": items, "next": following})

    pages = await collect(
        cursor_pages(
            mock_http(handler),
            f"{BASE}/feed",
            cursor_param="after",
            next_cursor=lambda page: page.get("next"),
        )
    )
    assert [p["items"] for p in pages] == [[1, 2], [3], [4]]


async def test_cursor_pages_resumes_from_a_saved_cursor_and_stops_on_repeat(mock_http):
    seen = []

    def handler(request):
        seen.append(request.url.params.get("cursor"))
        return httpx.Response(200, json={"next": "same"})

    http = mock_http(handler)
    pages = await collect(
        cursor_pages(
            http, f"{BASE}/feed", start_cursor="saved", next_cursor=lambda page: page["next"]
        )
    )
    assert seen == ["saved", "same"]
    assert len(pages) == 2
    assert http.notes == [
        f"stopped reading pages of {BASE}/feed: the service named a page already read as "
        "the next one"
    ]


async def test_cursor_pages_stop_at_a_cursor_named_again_further_back(mock_http):
    """A loop over several pages (a, b, a ...) ends too, after each page was read once."""
    following = {None: "a", "a": "b", "b": "a"}
    seen = []

    def handler(request):
        cursor = request.url.params.get("cursor")
        seen.append(cursor)
        return httpx.Response(200, json={"next": following[cursor]})

    http = mock_http(handler)
    pages = await collect(cursor_pages(http, f"{BASE}/feed", next_cursor=lambda p: p["next"]))
    assert seen == [None, "a", "b"] and len(pages) == 3
    assert len(http.notes) == 1 and "named a page already read" in http.notes[0]


async def test_a_walk_that_ends_as_usual_notes_nothing(mock_http):
    following = {None: "a", "a": "b", "b": None}

    def handler(request):
        return httpx.Response(200, json={"next": following[request.url.params.get("cursor")]})

    http = mock_http(handler)
    pages = await collect(cursor_pages(http, f"{BASE}/feed", next_cursor=lambda p: p["next"]))
    assert len(pages) == 3 and http.notes == []


async def test_numbered_pages_stop_at_a_short_page(mock_http):
    items = list(range(25))

    def handler(request):
        page = int(request.url.params["page"])
        per_page = int(request.url.params["per_page"])
        return httpx.Response(200, json=items[(page - 1) * per_page : page * per_page])

    pages = await collect(
        numbered_pages(mock_http(handler), f"{BASE}/c", items=lambda d: d, per_page=10)
    )
    assert [len(p) for p in pages] == [10, 10, 5]


async def test_numbered_pages_stop_at_an_empty_page(mock_http):
    def handler(request):
        page = int(request.url.params["page"])
        return httpx.Response(200, json=[page] if page <= 2 else [])

    pages = await collect(numbered_pages(mock_http(handler), f"{BASE}/c", items=lambda d: d))
    assert pages == [[1], [2]]


async def test_numbered_pages_stop_at_the_total_from_a_header(mock_http):
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(200, json=[1], headers={"X-WP-TotalPages": "2"})

    pages = await collect(
        numbered_pages(
            mock_http(handler),
            f"{BASE}/c",
            items=lambda d: d,
            total_pages=lambda data, result: int(result.headers["x-wp-totalpages"]),
        )
    )
    assert len(pages) == 2
    assert len(calls) == 2


async def test_since_id_pages_walks_down_to_the_checkpoint(mock_http):
    # newest first: ids 110 .. 101; the checkpoint is 103; pages of 3
    ids = list(range(110, 100, -1))
    seen_queries = []

    def handler(request):
        params = request.url.params
        seen_queries.append(dict(params))
        since = int(params.get("since_id", "0"))
        below = int(params.get("max_id", "999"))
        page = [i for i in ids if since < i < below][:3]
        return httpx.Response(200, json=[{"id": str(i)} for i in page])

    fresh = []
    async for items, _ in since_id_pages(
        mock_http(handler),
        f"{BASE}/mentions",
        items=lambda d: d,
        id_of=lambda item: item["id"],
        since_id="103",
    ):
        fresh.extend(item["id"] for item in items)
    assert fresh == [str(i) for i in range(110, 103, -1)]
    assert seen_queries[1]["max_id"] == "108"


async def test_since_id_pages_filters_servers_that_ignore_since_id(mock_http):
    def handler(request):
        if "max_id" in request.url.params:
            return httpx.Response(200, json=[])
        return httpx.Response(200, json=[{"id": "12"}, {"id": "11"}, {"id": "10"}, {"id": "9"}])

    fresh = []
    async for items, _ in since_id_pages(
        mock_http(handler),
        f"{BASE}/m",
        items=lambda d: d,
        id_of=lambda item: item["id"],
        since_id="10",
    ):
        fresh.extend(i["id"] for i in items)
    assert fresh == ["12", "11"]


@pytest.mark.parametrize(
    ("ids", "current", "expected"),
    [
        (["9", "10", "100"], None, "100"),  # numbers, not text order
        (["5"], "7", "7"),
        ([], None, None),
        (["abc", "abd"], None, "abd"),
    ],
)
def test_newest_id(ids, current, expected):
    assert newest_id(ids, current) == expected


def test_id_key_orders_big_numbers():
    assert id_key("109999999999999999999") > id_key("99999999999999999999")


# ----------------------------------------------------------------------------- next_url_pages
def body_next(page) -> str | None:
    """The next-page address a page names in its body (``None``: the last page)."""
    return page.get("next")


async def test_next_url_pages_follows_the_address_each_page_names(mock_http):
    seen = []

    def handler(request):
        seen.append(str(request.url))
        page = int(request.url.params.get("page", "1"))
        following = f"{BASE}/tickets?page={page + 1}" if page < 3 else None
        return httpx.Response(200, json={"items": [page], "next": following})

    pages = await collect(
        next_url_pages(
            mock_http(handler), f"{BASE}/tickets", next_url=body_next, params={"since": "x"}
        )
    )
    assert [p["items"] for p in pages] == [[1], [2], [3]]
    assert seen == [  # the first request's params only on the first request
        f"{BASE}/tickets?since=x",
        f"{BASE}/tickets?page=2",
        f"{BASE}/tickets?page=3",
    ]


@pytest.mark.parametrize(
    ("named", "resolved"),
    [
        ("/api/tickets?cursor=b", f"{BASE}/api/tickets?cursor=b"),
        ("?cursor=b", f"{BASE}/api/v2/tickets?cursor=b"),
        ("tickets?cursor=b", f"{BASE}/api/v2/tickets?cursor=b"),
        ("../export?cursor=b", f"{BASE}/api/export?cursor=b"),
        (f"  {BASE}/api/v2/tickets?cursor=b  ", f"{BASE}/api/v2/tickets?cursor=b"),
    ],
)
async def test_next_url_pages_resolves_a_relative_address_against_the_page_naming_it(
    mock_http, named, resolved
):
    seen = []

    def handler(request):
        seen.append(str(request.url))
        return httpx.Response(200, json={"next": named if len(seen) == 1 else None})

    await collect(next_url_pages(mock_http(handler), f"{BASE}/api/v2/tickets", next_url=body_next))
    assert seen == [f"{BASE}/api/v2/tickets", resolved]


@pytest.mark.parametrize("last", [None, "", "   ", 42, ["x"], {"href": "x"}])
async def test_next_url_pages_stops_when_a_page_names_no_address(mock_http, last):
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(200, json={"next": last})

    pages = await collect(next_url_pages(mock_http(handler), f"{BASE}/t", next_url=body_next))
    assert len(pages) == 1 and len(calls) == 1


async def test_next_url_pages_stops_at_an_address_it_has_read_already(mock_http):
    seen = []
    loop = {"/a": "/b", "/b": "/c", "/c": f"{BASE}/a"}  # back to the start: a loop

    def handler(request):
        seen.append(request.url.path)
        return httpx.Response(200, json={"next": loop[request.url.path]})

    pages = await collect(next_url_pages(mock_http(handler), f"{BASE}/a", next_url=body_next))
    assert seen == ["/a", "/b", "/c"] and len(pages) == 3


async def test_next_url_pages_stops_at_a_page_naming_itself(mock_http):
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(200, json={"next": str(request.url)})

    pages = await collect(
        next_url_pages(mock_http(handler), f"{BASE}/t", next_url=body_next, params={"a": "1"})
    )
    assert len(pages) == 1 and len(calls) == 1


async def test_next_url_pages_stops_at_the_page_cap_and_says_so(mock_http):
    calls = []

    def handler(request):
        n = int(request.url.params.get("n", "0"))
        calls.append(n)
        return httpx.Response(200, json={"n": n, "next": f"{BASE}/t?n={n + 1}"})

    http = mock_http(handler)
    pages = await collect(next_url_pages(http, f"{BASE}/t", next_url=body_next, max_pages=4))
    assert [p["n"] for p in pages] == [0, 1, 2, 3]
    assert calls == [0, 1, 2, 3]
    assert any("stopped after 4 pages" in note for note in http.notes)


async def test_next_url_pages_sends_credentials_to_the_channel_own_origin_only(mock_http):
    seen = []

    def handler(request):
        seen.append((request.url.host, request.headers.get("authorization")))
        following = (
            "https://elsewhere.example/steal" if request.url.host != "elsewhere.example" else None
        )
        return httpx.Response(200, json={"next": following})

    http = mock_http(handler, credentials_to=(BASE,))
    await collect(
        next_url_pages(
            http, f"{BASE}/t", next_url=body_next, headers={"Authorization": "Bearer s3cret-token"}
        )
    )
    assert seen == [("api.example.com", "Bearer s3cret-token"), ("elsewhere.example", None)]


@pytest.mark.parametrize("named", ["https://[::1/x", "/x\x00y", "https://exa\x7fmple.com/"])
async def test_next_url_pages_refuses_an_address_that_is_not_a_url_as_the_service_fault(
    mock_http, named
):
    def handler(request):
        return httpx.Response(200, json={"next": named})

    pages = next_url_pages(mock_http(handler), f"{BASE}/t", next_url=body_next)
    with pytest.raises(BadResponseError, match=r"^test: GET https://api\.example\.com/t: the next"):
        await collect(pages)


# ------------------------------------------------------------------------ pages_allowed
async def test_pages_allowed_stops_at_the_page_cap_and_says_so(mock_http):
    http = mock_http(lambda request: httpx.Response(200, json=[]))
    assert list(pages_allowed(http, 3)) == [1, 2, 3]
    assert http.notes == [
        "stopped after 3 pages (the page cap); the rest comes with the next fetch"
    ]


async def test_pages_allowed_stops_once_the_byte_budget_is_read(mock_http):
    http = mock_http(lambda request: httpx.Response(200, json=[]))
    numbers = []
    for number in pages_allowed(http, 100):
        numbers.append(number)
        http.bytes_read = http.policy.max_fetch_bytes if number == 2 else 0
    assert numbers == [1, 2]
    assert len(http.notes) == 1 and "byte budget" in http.notes[0]


async def test_a_walk_stopped_by_a_cap_is_counted_as_cut_short(mock_http):
    def handler(request):
        page = int(request.url.params["page"])
        return httpx.Response(200, json=[page] if page <= 3 else [])

    http = mock_http(handler)
    assert http.walks_cut_short == 0
    pages = await collect(numbered_pages(http, f"{BASE}/c", items=lambda d: d))
    assert pages == [[1], [2], [3]] and http.walks_cut_short == 0  # ended as usual
    pages = await collect(numbered_pages(http, f"{BASE}/c", items=lambda d: d, max_pages=2))
    assert pages == [[1], [2]] and http.walks_cut_short == 1  # the page cap
    http.bytes_read = http.policy.max_fetch_bytes
    pages = await collect(numbered_pages(http, f"{BASE}/c", items=lambda d: d))
    assert pages == [[1]] and http.walks_cut_short == 2  # the byte budget
    assert list(pages_allowed(http, 5)) == [1] and http.walks_cut_short == 3


def test_list_shrinks_tells_a_total_lower_than_the_page_before():
    shrinks = ListShrinks()
    assert shrinks.shrank(30) is False  # the first page has nothing to compare with
    assert shrinks.shrank(30) is False
    assert shrinks.shrank(31) is False  # one joined at the end: nothing slid past
    assert shrinks.shrank(29) is True
    assert shrinks.shrank(29) is False  # compared with the page before, not the first
    assert shrinks.shrank(0) is True


@pytest.mark.parametrize("unknown", [None, "29", 29.0, True, False, -1, [], {}])
def test_list_shrinks_learns_nothing_from_a_total_that_is_not_a_count(unknown):
    shrinks = ListShrinks()
    assert shrinks.shrank(30) is False
    assert shrinks.shrank(unknown) is False
    assert shrinks.shrank(29) is False  # an unknown total starts the comparison afresh
    assert shrinks.shrank(10**60) is False
    assert shrinks.shrank(28) is True
