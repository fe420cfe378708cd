"""The kit's paging: a page of the whole list, the total and the links in the headers."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from shared.paging import PAGED, PagingDep

app = FastAPI()


@app.get("/items", responses=PAGED)
async def items(paging: PagingDep, colour: str = "red") -> list[int]:
    return paging.of(list(range(230)))


async def get(params: dict[str, object]) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        return await client.get("/items", params=params)


async def test_a_middle_page_links_every_way_and_keeps_the_filters():
    answer = await get({"page": 2, "page_size": 100, "colour": "blue"})
    assert answer.json() == list(range(100, 200)) and answer.headers["X-Total-Count"] == "230"
    assert answer.links["next"]["url"] == "http://test/items?colour=blue&page=3&page_size=100"
    assert answer.links["prev"]["url"] == "http://test/items?colour=blue&page=1&page_size=100"
    assert "page=3" in answer.links["last"]["url"] and "page=1" in answer.links["first"]["url"]


async def test_the_default_page_is_the_first_hundred_and_an_empty_list_has_one_page():
    answer = await get({})
    assert answer.json() == list(range(100)) and "prev" not in answer.links
    assert (await get({"page": 5})).json() == []


async def test_out_of_range_paging_is_a_422_naming_the_parameter():
    for bad in ({"page": 0}, {"page_size": 0}, {"page_size": 501}):
        answer = await get(bad)
        assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query", next(iter(bad))]


def test_the_openapi_document_shows_the_total_and_link_headers():
    operation = app.openapi()["paths"]["/items"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"page", "page_size", "colour"}
    assert set(operation["responses"]["200"]["headers"]) == {"X-Total-Count", "Link"}
