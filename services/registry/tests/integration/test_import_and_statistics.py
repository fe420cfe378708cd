"""Bulk import (same use case as single registration) and the statistics computed from loaded data."""

from __future__ import annotations

import json

from testkit import token

from .helpers import article_roster, new_code, registration, roster_csv

ADMIN = token("district_admin", sub="alice")


async def upload(client, data: bytes) -> dict:
    response = await client.post("/imports", files={"file": ("roster.csv", data, "text/csv")}, headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()


async def test_import_reports_rejected_rows_with_row_field_and_reason_and_imports_the_rest(client, db):
    existing = (await client.post("/orgs", json=registration(), headers=ADMIN)).json()["credit_code"]
    good = new_code("51")
    data = roster_csv(
        [
            {"name": "东四文体协会", "type": "社会团体", "code": good, "date": "2007-05-08", "street": "东四"},
            {"name": "重复代码", "type": "社团", "code": good, "date": "2008-01-01", "street": "东四"},
            {"name": "已登记过", "type": "民非", "code": existing, "date": "2008-01-01"},
            {"name": "校验错误", "type": "民非", "code": "52110101MJ0123457W", "date": "2008-01-01"},
            {"name": "类别不符", "type": "基金会", "code": new_code("52"), "date": "2008-01-01"},
            {
                "name": "邻里互助队",
                "type": "社区社会组织",
                "street": "北新桥",
                "community": "民安社区",
                "date": "2019-01-01",
            },
            {"name": "无社区", "type": "社区社会组织", "street": "北新桥", "date": "2019-01-01"},
        ]
    )
    report = await upload(client, data)
    assert (report["total_rows"], report["imported"], report["rejected_count"]) == (7, 2, 5)
    assert [(r["row"], r["field"]) for r in report["rejected"]] == [
        (3, "credit_code"),
        (4, "credit_code"),
        (5, "credit_code"),
        (6, "credit_code"),
        (8, "community"),
    ]
    assert "第 2 行" in report["rejected"][0]["reason"]
    # Imported rows went through the same use case: history, events and the import's audit row.
    keys = [
        r["routing_key"]
        for r in await db.fetch("SELECT routing_key FROM outbox WHERE routing_key LIKE 'registry.org_%' ORDER BY id")
    ]
    assert keys == ["registry.org_registered.v1", "registry.org_registered.v1", "registry.org_filed.v1"]
    assert await db.fetchval("SELECT count(*) FROM org_history") == 3
    audit = await db.fetchrow("SELECT actor, imported, rejected FROM imports")
    assert audit["actor"] == "alice" and audit["imported"] == 2 and len(json.loads(audit["rejected"])) == 5


async def test_english_headers_are_accepted(client):
    data = roster_csv(
        [
            {
                "name": "Youth FC",
                "type": "social_association",
                "code": new_code("51"),
                "date": "2012-02-02",
                "street": "110101016",
                "domains": "youth;culture_sports",
            }
        ],
        chinese=False,
    )
    report = await upload(client, data)
    assert report["imported"] == 1, report


async def test_statistics_from_the_articles_roster_give_330_to_687_and_108_percent(client):
    report = await upload(client, roster_csv(article_roster()))
    assert (report["imported"], report["rejected_count"]) == (687, 0)
    # Orgs registered after 2007 and deregistered before now count in neither figure.
    for _ in range(3):
        org_id = (
            await client.post(
                "/orgs",
                json=registration(
                    org_type="social_association", credit_code=new_code("51"), registered_on="2009-01-01"
                ),
                headers=ADMIN,
            )
        ).json()["org_id"]
        await client.post(
            f"/orgs/{org_id}/deregister", json={"reason": "注销", "effective_on": "2012-06-30"}, headers=ADMIN
        )
    stats = (await client.get("/statistics/by-year", params={"from_year": 2007, "to_year": 2026}, headers=ADMIN)).json()
    y2007, now = stats["years"][0], stats["years"][-1]
    assert (y2007["by_type"]["social_association"], y2007["by_type"]["private_non_enterprise"]) == (116, 214)
    assert y2007["registered_total"] == 330
    assert (now["by_type"]["social_association"], now["by_type"]["private_non_enterprise"]) == (224, 463)
    assert now["registered_total"] == 687
    growth = stats["growth"]
    assert (growth["from_registered_total"], growth["to_registered_total"]) == (330, 687)
    assert growth["registered_total_pct"] == "108.2" and round(float(growth["registered_total_pct"])) == 108
    y2012 = next(y for y in stats["years"] if y["year"] == 2011)
    assert y2012["by_type"]["social_association"] > 116

    streets = (await client.get("/statistics/by-street", headers=ADMIN)).json()
    dongsi = next(s for s in streets if s["street_code"] == "110101006")
    assert dongsi["street_name"] == "东四街道" and dongsi["total"] > 0
    assert sum(s["total"] for s in streets) == 687
    statuses = (await client.get("/statistics/by-status", headers=ADMIN)).json()
    assert statuses["totals"] == {"registered": 687, "deregistered": 3}
