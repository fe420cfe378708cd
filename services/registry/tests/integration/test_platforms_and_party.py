"""Platforms (seeded and added), party branches with coverage, the support alliance."""

from __future__ import annotations

import json

from shared.reference import STREETS
from testkit import token

from .helpers import filing, registration

ADMIN = token("district_admin", sub="alice")
BEIXINQIAO = token("street_officer", sub="dan", street="110101005")


async def test_the_district_and_17_street_platforms_exist_and_are_announced_once(client, db):
    platforms = (await client.get("/platforms", headers=ADMIN)).json()
    assert {p["code"]: p["name"] for p in platforms if p["level"] == "street"}.keys() == STREETS.keys()
    assert all(STREETS[p["code"]] in p["name"] for p in platforms if p["level"] == "street")
    (district,) = [p for p in platforms if p["level"] == "district"]
    assert district["code"] == "110101"
    rows = await db.fetch("SELECT event_id, payload FROM outbox WHERE routing_key = 'registry.platform_established.v1'")
    payloads = [json.loads(r["payload"]) for r in rows]
    assert sorted(p["platform_code"] for p in payloads) == sorted(["110101", *STREETS])
    assert all(str(r["event_id"]) == p["event_id"] for r, p in zip(rows, payloads, strict=True))


async def test_staff_add_community_platforms_and_orgs_are_placed_on_them(client, db):
    response = await client.post(
        "/platforms/community", json={"street_code": "110101005", "name": "民安社区社会组织服务站"}, headers=BEIXINQIAO
    )
    assert response.status_code == 201, response.text
    platform = response.json()
    assert (platform["code"], platform["parent_code"], platform["level"]) == ("110101005001", "110101005", "community")
    second = await client.post(
        "/platforms/community", json={"street_code": "110101005", "name": "北新仓社区服务站"}, headers=ADMIN
    )
    assert second.json()["code"] == "110101005002"
    announced = await db.fetchval(
        "SELECT count(*) FROM outbox WHERE routing_key = 'registry.platform_established.v1'"
        " AND payload->>'level' = 'community'"
    )
    assert announced == 2

    org = await client.post("/filings", json=filing(platform_code="110101005001"), headers=BEIXINQIAO)
    assert org.status_code == 201 and org.json()["platform_code"] == "110101005001"
    listed = await client.get("/orgs", params={"platform": "110101005001"}, headers=ADMIN)
    assert listed.json()["total"] == 1


async def test_party_branches_cover_orgs_and_coverage_counts_active_orgs(client, db):
    ids = [(await client.post("/orgs", json=registration(), headers=ADMIN)).json()["org_id"] for _ in range(3)]
    filed = (await client.post("/filings", json=filing(), headers=ADMIN)).json()["org_id"]
    gone = (await client.post("/orgs", json=registration(), headers=ADMIN)).json()["org_id"]
    await client.post(f"/orgs/{gone}/deregister", json={"reason": "解散"}, headers=ADMIN)

    formed = await client.post(
        "/party-branches",
        json={"name": "东四为老服务功能型党支部", "formed_on": "2018-07-01", "org_ids": ids[:2]},
        headers=ADMIN,
    )
    assert formed.status_code == 201, formed.text
    branch_id = formed.json()["branch_id"]
    attached = await client.post(f"/party-branches/{branch_id}/orgs", json={"org_ids": [ids[1], filed]}, headers=ADMIN)
    assert attached.json()["attached"] == [filed]
    refused = await client.post(f"/party-branches/{branch_id}/orgs", json={"org_ids": [gone]}, headers=ADMIN)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "org_ids", "0"]

    coverage = (await client.get("/statistics/party-coverage", headers=ADMIN)).json()
    assert coverage == {"branches": 1, "active_orgs": 4, "covered_orgs": 3, "coverage_pct": "75.0"}
    keys = [
        r["routing_key"]
        for r in await db.fetch("SELECT routing_key FROM outbox WHERE routing_key LIKE 'registry.party%' ORDER BY id")
    ]
    assert keys == ["registry.party_branch_formed.v1", "registry.party_branch_orgs_attached.v1"]
    profile = (await client.get(f"/orgs/{filed}", headers=ADMIN)).json()
    assert profile["party_branch_id"] == branch_id


async def test_registered_orgs_join_the_alliance_in_one_of_nine_categories(client, db):
    org_id = (await client.post("/orgs", json=registration(name="恩派公益"), headers=ADMIN)).json()["org_id"]
    joined = await client.post(
        "/alliance/members", json={"org_id": org_id, "category": "startup_mentoring"}, headers=ADMIN
    )
    assert joined.status_code == 201, joined.text
    assert (
        await client.post("/alliance/members", json={"org_id": org_id, "category": "legal"}, headers=ADMIN)
    ).status_code == 409
    bad = await client.post("/alliance/members", json={"org_id": org_id, "category": "astrology"}, headers=ADMIN)
    assert bad.status_code == 422
    filed = (await client.post("/filings", json=filing(), headers=ADMIN)).json()["org_id"]
    assert (
        await client.post("/alliance/members", json={"org_id": filed, "category": "legal"}, headers=ADMIN)
    ).status_code == 409
    alliance = (await client.get("/alliance", headers=ADMIN)).json()
    assert len(alliance["categories"]) == 9
    assert [m["name"] for m in alliance["members"]] == ["恩派公益"]
    assert (
        await db.fetchval("SELECT count(*) FROM outbox WHERE routing_key = 'registry.alliance_member_joined.v1'") == 1
    )
