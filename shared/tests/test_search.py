"""Search text is matched literally, `q` is bounded in length, and PostgreSQL bounds a search's time."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from fastapi import Depends, FastAPI

from shared import db
from shared.search import MAX_SEARCH_CHARS, SearchTimeout, bounded, contains, escape_like, search_text, starts_with

NAMES = ["100%公益", "百分之百公益", "东城_互助", "东城互助", "反\\斜杠协会", "反斜杠协会"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("%", "\\%"), ("_", "\\_"), ("\\", "\\\\"), ("a%b_c\\d", "a\\%b\\_c\\\\d"), ("东城", "东城"), ("", "")],
)
def test_escape_like_takes_wildcards_and_the_escape_character_literally(text, expected):
    assert escape_like(text) == expected


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("%", ["100%公益"]),
        ("_", ["东城_互助"]),
        ("\\", ["反\\斜杠协会"]),
        ("%%", []),
        ("_互", ["东城_互助"]),
        ("公益", ["100%公益", "百分之百公益"]),
    ],
)
async def test_a_contains_pattern_matches_only_names_holding_the_text_itself(kit_dsn, text, matches):
    conn = await db.connect(kit_dsn)
    try:
        rows = await conn.fetch(
            "SELECT n FROM unnest($1::text[]) AS t(n) WHERE n ILIKE $2 ESCAPE '\\' ORDER BY n", NAMES, contains(text)
        )
        prefixed = await conn.fetchval(
            "SELECT count(*) FROM unnest($1::text[]) AS t(n) WHERE n ILIKE $2 ESCAPE '\\'", NAMES, starts_with(text)
        )
    finally:
        await conn.close()
    assert [r["n"] for r in rows] == sorted(matches)
    assert prefixed == sum(n.startswith(text) for n in NAMES)


async def test_a_search_past_its_time_budget_is_cancelled_and_the_budget_ends_with_it(kit_dsn):
    conn = await db.connect(kit_dsn)
    try:
        with pytest.raises(SearchTimeout) as refused:
            async with bounded(conn, timeout_ms=50):
                await conn.execute("SELECT pg_sleep(5)")
        assert refused.value.status_code == 503 and "缩小范围" in refused.value.message
        async with bounded(conn, timeout_ms=2000):
            assert await conn.fetchval("SELECT current_setting('statement_timeout')") == "2s"
        # SET LOCAL: nothing of the budget stays on the (pooled) connection afterwards.
        assert await conn.fetchval("SELECT current_setting('statement_timeout')") == "0"
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            async with bounded(conn):
                await conn.execute("CREATE TABLE written_in_a_search (x int)")
    finally:
        await conn.close()


async def test_an_overlong_q_is_a_422_on_q_with_a_chinese_message():
    app = FastAPI()

    @app.get("/things")
    async def things(q: str | None = Depends(search_text("text in a name"))) -> dict[str, str | None]:
        return {"q": q}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kit") as client:
        at_limit = await client.get("/things", params={"q": "东" * MAX_SEARCH_CHARS})
        assert at_limit.status_code == 200 and at_limit.json() == {"q": "东" * MAX_SEARCH_CHARS}
        over = await client.get("/things", params={"q": "东" * (MAX_SEARCH_CHARS + 1)})
        assert over.status_code == 422, over.text
        (detail,) = over.json()["detail"]
        assert detail["loc"] == ["query", "q"] and detail["type"] == "string_too_long"
        assert f"最多 {MAX_SEARCH_CHARS} 个字符" in detail["msg"]
        assert (await client.get("/things", params={"q": ""})).json() == {"q": None}
        assert (await client.get("/things")).json() == {"q": None}
    parameter = app.openapi()["paths"]["/things"]["get"]["parameters"][0]
    assert parameter["name"] == "q" and parameter["schema"]["maxLength"] == MAX_SEARCH_CHARS
