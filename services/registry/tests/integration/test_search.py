"""`GET /orgs?q=` matches the text itself: LIKE wildcards in it are literal, its length is capped
and PostgreSQL cancels a search that runs past its budget."""

from __future__ import annotations

import pytest

import registry.store.orgs as org_store
from shared.search import MAX_SEARCH_CHARS
from testkit import token

from .helpers import filing, registration

ADMIN = token("district_admin", sub="alice")
NAMES = [
    "100%满意志愿服务队",
    "百分百满意志愿服务队",
    "东四_邻里互助会",
    "东四邻里互助会",
    "反\\斜杠公益社",
    "反斜杠公益社",
]


async def _names(client, q: str) -> list[str]:
    response = await client.get("/orgs", params={"q": q, "page_size": 500}, headers=ADMIN)
    assert response.status_code == 200, response.text
    return sorted(o["name"] for o in response.json()["items"])


@pytest.fixture
async def orgs(client):
    for i, name in enumerate(NAMES):
        body = registration(name=name) if i % 2 else filing(name=name, community=f"社区{i}")
        assert (await client.post("/orgs" if i % 2 else "/filings", json=body, headers=ADMIN)).status_code == 201


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("%", ["100%满意志愿服务队"]),
        ("_", ["东四_邻里互助会"]),
        ("\\", ["反\\斜杠公益社"]),
        ("%%", []),
        ("_邻里", ["东四_邻里互助会"]),
        ("满意", ["100%满意志愿服务队", "百分百满意志愿服务队"]),
    ],
)
async def test_wildcards_in_q_match_only_names_that_contain_them(client, orgs, q, expected):
    assert await _names(client, q) == sorted(expected)


async def test_q_as_the_start_of_a_credit_code_is_literal_too(client, orgs):
    every = (await client.get("/orgs", params={"page_size": 500}, headers=ADMIN)).json()["items"]
    code = next(o["credit_code"] for o in every if o["credit_code"])
    assert await _names(client, code[:6]) == sorted(
        o["name"] for o in every if (o["credit_code"] or "")[:6] == code[:6]
    )
    assert await _names(client, "5_") == []  # '_' would match any second character of every code


async def test_an_overlong_q_is_a_422_naming_q_in_chinese(client):
    assert (await client.get("/orgs", params={"q": "东" * MAX_SEARCH_CHARS}, headers=ADMIN)).status_code == 200
    over = await client.get("/orgs", params={"q": "东" * (MAX_SEARCH_CHARS + 1)}, headers=ADMIN)
    assert over.status_code == 422, over.text
    (detail,) = over.json()["detail"]
    assert detail["loc"] == ["query", "q"] and f"最多 {MAX_SEARCH_CHARS} 个字符" in detail["msg"]


async def test_a_search_past_its_time_budget_is_a_503_and_the_next_one_works(client, db, monkeypatch):
    # 100,000 orgs take PostgreSQL about 0.1 s to scan; a 1 ms budget cannot be met.
    await db.execute(
        """INSERT INTO orgs (org_id, version, name, org_type, status, credit_code, street_code, domains, contact,
                             registered_on)
           SELECT gen_random_uuid(), 1, '东城区为老服务中心' || i, 'private_non_enterprise', 'registered',
                  '52110101MX' || lpad(i::text, 8, '0'), '110101006', '{}', '{}', date '2015-01-01'
           FROM generate_series(1, 100000) AS i"""
    )
    real_search = org_store.OrgStore.search

    async def hurried(self, f, *, limit, offset, timeout_ms=org_store.SEARCH_TIMEOUT_MS):
        return await real_search(self, f, limit=limit, offset=offset, timeout_ms=1)

    monkeypatch.setattr(org_store.OrgStore, "search", hurried)
    slow = await client.get("/orgs", params={"q": "为老"}, headers=ADMIN)
    assert slow.status_code == 503, slow.text
    assert slow.json()["code"] == "search_timeout" and "缩小范围" in slow.json()["detail"]
    monkeypatch.undo()
    # Nothing of the budget stayed on the pooled connection.
    fine = await client.get("/orgs", params={"q": "为老服务中心99999"}, headers=ADMIN)
    assert fine.status_code == 200 and fine.json()["total"] == 1
