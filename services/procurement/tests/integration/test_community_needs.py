"""Community needs (社区需求) against the real database and broker: a community worker raises them,
the street declines, merges several into a demand the street office buys (the demand, its project
and the project's OCDS release keep the link), or passes one to a claiming edition."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from testkit import EventTap, eventually, token

STREET = "110101006"
OTHER = "110101001"
OFFICER = token("street_officer", sub="dongsi", street=STREET)
OTHER_OFFICER = token("street_officer", sub="donghuamen", street=OTHER)
ADMIN = token("district_admin", sub="alice")


def worker(community: str = "钱粮胡同社区", street: str = STREET) -> dict[str, str]:
    return token("community_worker", sub=f"cw-{community}", street=street, community=community)


def need(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "独居老人助餐",
        "description": "社区 80 岁以上独居老人希望有人送餐上门。",
        "residents": 40,
        "urgency": "high",
        "domain": "elder_care",
    }
    body.update(over)
    return body


async def ok(client, method: str, url: str, headers: dict[str, str], body: Any = None, status: int = 200) -> Any:
    r = await client.request(method, url, headers=headers, json=body)
    assert r.status_code == status, f"{method} {url}: {r.status_code} {r.text}"
    return r.json()


def loc(r) -> list[Any]:
    return r.json()["detail"][0]["loc"]


async def test_needs_become_one_street_office_demand_that_keeps_the_link_into_the_ocds_release(client, db):
    keys = ("procurement.community_need_raised.v1", "procurement.community_needs_merged.v1")
    async with EventTap(*keys, "procurement.demand_accepted.v1") as tap:
        a = await ok(client, "POST", "/community-needs", worker(), need(), 201)
        b = await ok(client, "POST", "/community-needs", worker("六条社区"), need(title="助餐点", residents=25), 201)
        assert a["community"] == "钱粮胡同社区" and a["street_code"] == STREET and a["status"] == "raised"
        await eventually(lambda: _found(tap, keys[0], need_id=a["id"]))

        merged = await ok(
            client,
            "POST",
            "/community-needs/merger",
            OFFICER,
            {"need_ids": [a["id"], b["id"]], "budget_cny": "120000.00", "title": "东四街道老年助餐服务"},
            201,
        )
        demand_id = merged["demand_id"]
        [event] = await eventually(lambda: _found(tap, keys[1], demand_id=demand_id))
        assert event["purchaser"] == {"code": "110101006JDB", "name": "东四街道办事处", "kind": "street_office"}
        assert {n["need_id"] for n in event["needs"]} == {a["id"], b["id"]}
        [answer] = await eventually(lambda: _found(tap, "procurement.demand_accepted.v1", demand_id=demand_id))
        assert answer["source_system"] == "@community"

    [demand] = [d for d in await ok(client, "GET", "/demands", OFFICER) if d["id"] == demand_id]
    assert sorted(demand["community_need_ids"]) == sorted([a["id"], b["id"]])
    assert demand["expected_beneficiaries"] == 65 and demand["purchaser_code"] == "110101006JDB"
    mine = await ok(client, "GET", "/community-needs", worker())
    assert [(n["id"], n["status_name"], n["demand_id"]) for n in mine] == [(a["id"], "已转为购买需求", demand_id)]

    project = await ok(client, "POST", "/projects", OFFICER, {"demand_ids": [demand_id]}, 201)
    assert {n["need_id"] for n in project["community_needs"]} == {a["id"], b["id"]}
    package = await ok(client, "GET", f"/ocds/projects/{project['id']}", ADMIN)
    rationale = package["records"][0]["releases"][0]["planning"]["rationale"]
    assert "来源于 2 项社区需求" in rationale and a["id"] in rationale and "钱粮胡同社区“独居老人助餐”" in rationale


async def _found(tap: EventTap, key: str, **match: Any) -> list[dict[str, Any]]:
    return [b for b in tap.bodies(key) if all(b.get(k) == v for k, v in match.items())]


async def test_a_need_for_another_community_or_street_is_refused_naming_the_field(client, db):
    r = await client.post("/community-needs", json=need(community="六条社区"), headers=worker())
    assert r.status_code == 422 and loc(r) == ["body", "community"] and "本社区" in r.json()["detail"][0]["msg"]
    r = await client.post("/community-needs", json=need(street_code=OTHER), headers=worker())
    assert r.status_code == 422 and loc(r) == ["body", "street_code"]
    r = await client.post("/community-needs", json=need(residents=-1), headers=worker())
    assert r.status_code == 422 and loc(r) == ["body", "residents"]
    assert await db.fetchval("SELECT count(*) FROM community_needs WHERE raised_by = 'cw-钱粮胡同社区'") == 0
    for h in (OFFICER, ADMIN, token("org", sub="o", org_id=uuid4())):
        assert (await client.post("/community-needs", json=need(), headers=h)).status_code == 403


async def test_another_street_and_another_community_see_and_decide_nothing(client, db):
    a = await ok(client, "POST", "/community-needs", worker(), need(), 201)
    await ok(client, "POST", "/community-needs", worker("东四六条", street=OTHER), need(), 201)
    assert a["id"] not in {n["id"] for n in await ok(client, "GET", "/community-needs", OTHER_OFFICER)}
    assert a["id"] not in {n["id"] for n in await ok(client, "GET", "/community-needs", worker("六条社区"))}
    assert a["id"] in {n["id"] for n in await ok(client, "GET", "/community-needs", OFFICER)}
    assert {n["street_code"] for n in await ok(client, "GET", "/community-needs", OFFICER)} == {STREET}

    r = await client.post(f"/community-needs/{a['id']}/decline", json={"reason": "x"}, headers=OTHER_OFFICER)
    assert r.status_code == 403
    r = await client.post(f"/community-needs/{a['id']}/decline", json={"reason": "x"}, headers=worker())
    assert r.status_code == 403
    r = await client.post(
        "/community-needs/merger", json={"need_ids": [a["id"]], "budget_cny": "1000.00"}, headers=OTHER_OFFICER
    )
    assert r.status_code == 422 and loc(r) == ["body", "need_ids"] and "本街道" in r.json()["detail"][0]["msg"]
    r = await client.post(
        "/community-needs/merger",
        json={"need_ids": [a["id"]], "budget_cny": "1000.00", "street_code": STREET},
        headers=OTHER_OFFICER,
    )
    assert r.status_code == 403
    r = await client.post(
        f"/community-needs/{a['id']}/passing", json={"edition_id": str(uuid4())}, headers=OTHER_OFFICER
    )
    assert r.status_code == 403
    [still] = [n for n in await ok(client, "GET", "/community-needs", OFFICER) if n["id"] == a["id"]]
    assert still["status"] == "raised"


async def test_decline_and_pass_are_told_and_a_decided_need_is_not_decided_again(client, db):
    a = await ok(client, "POST", "/community-needs", worker(), need(), 201)
    b = await ok(client, "POST", "/community-needs", worker(), need(title="楼道照明"), 201)
    edition = str(uuid4())
    keys = ("procurement.community_need_declined.v1", "procurement.community_need_passed.v1")
    async with EventTap(*keys) as tap:
        r = await client.post(f"/community-needs/{a['id']}/decline", json={"reason": " "}, headers=OFFICER)
        assert r.status_code == 422 and loc(r) == ["body", "reason"]
        declined = await ok(client, "POST", f"/community-needs/{a['id']}/decline", OFFICER, {"reason": "已由民政覆盖"})
        assert declined["status_name"] == "未采纳" and declined["reason"] == "已由民政覆盖"
        passed = await ok(client, "POST", f"/community-needs/{b['id']}/passing", OFFICER, {"edition_id": edition})
        assert passed["edition_id"] == edition
        [d] = await eventually(lambda: _found(tap, keys[0], need_id=a["id"]))
        assert d["community_ref"] == f"{STREET}/钱粮胡同社区" and d["reason"] == "已由民政覆盖"
        [p] = await eventually(lambda: _found(tap, keys[1], need_id=b["id"]))
        assert p["edition_id"] == edition and p["residents"] == 40

    demands_before = await db.fetchval("SELECT count(*) FROM demands")
    r = await client.post(f"/community-needs/{a['id']}/passing", json={"edition_id": edition}, headers=OFFICER)
    assert r.status_code == 409 and "未采纳" in r.json()["detail"]
    r = await client.post(
        "/community-needs/merger", json={"need_ids": [a["id"], b["id"]], "budget_cny": "1000.00"}, headers=OFFICER
    )
    assert r.status_code == 409
    r = await client.post(
        "/community-needs/merger", json={"need_ids": [str(uuid4())], "budget_cny": "1000.00"}, headers=OFFICER
    )
    assert r.status_code == 422 and loc(r) == ["body", "need_ids"]
    assert await db.fetchval("SELECT count(*) FROM demands") == demands_before
