"""Pagination: Link headers, cursors, page numbers and since-id, with loop protection."""

from __future__ import annotations

import httpx
import pytest

from cxdaily.connectors.pagination import (
    cursor_pages,
    id_key,
    link_pages,
    newest_id,
    numbered_pages,
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

    pages = await collect(link_pages(mock_http(handler), f"{BASE}/items"))
    assert pages == [[1]]
    assert len(calls) == 1


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

    pages = await collect(
        cursor_pages(
            mock_http(handler),
            f"{BASE}/feed",
            start_cursor="saved",
            next_cursor=lambda page: page["next"],
        )
    )
    assert seen == ["saved", "same"]
    assert len(pages) == 2


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
