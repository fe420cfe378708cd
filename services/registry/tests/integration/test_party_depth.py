"""Party building in depth: the yearly census and both coverages by year and street, branches
merged and dissolved with history, 双报到, and branch activities linked to grants, procurement
projects and claiming items through events arriving duplicated and in any order."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal

from shared.contracts.procurement import ProjectSigned, PurchaserRef, SolicitationOpened
from testkit import eventually, token

from .helpers import registration
from .test_support_history import contract, grant, send

ADMIN = token("district_admin", sub="alice")
DONGSI = token("street_officer", sub="bob", street="110101006")
BEIXINQIAO = token("street_officer", sub="dan", street="110101005")


async def _org(client, street: str = "110101006", **over) -> str:
    r = await client.post("/orgs", json=registration(street_code=street, **over), headers=ADMIN)
    assert r.status_code == 201, r.text
    return str(r.json()["org_id"])


async def _census(client, org: str, year: int, headers=ADMIN, **body):
    return await client.put(f"/party/orgs/{org}/census", json={"year": year, **body}, headers=headers)


async def _branch(
    client, org_ids: list[str], name: str = "东四社会组织联合党支部", formed_on: str = "2016-07-01", **over
):
    body = {"name": name, "formed_on": formed_on, "org_ids": org_ids, **over}
    r = await client.post("/party-branches", json=body, headers=ADMIN)
    assert r.status_code == 201, r.text
    return str(r.json()["branch_id"])


async def test_the_census_gives_both_coverages_by_year_and_street(client, db):
    a, b, c = [await _org(client) for _ in range(3)]
    d = await _org(client, street="110101005")
    assert (await _census(client, a, 2016, members=5, branch_form="joint")).status_code == 200
    assert (await _census(client, b, 2016, members=2, instructor="刘建国")).status_code == 200
    assert (await _census(client, c, 2016, members=0, liaison="陈红")).status_code == 200
    assert (await _census(client, d, 2016, members=0, headers=BEIXINQIAO)).status_code == 200
    # 2017: b's members joined a branch (a correction of nothing: a new year's row)
    await _census(client, a, 2017, members=6, branch_form="joint")
    await _census(client, b, 2017, members=3, branch_form="affiliated")
    corrected = await _census(client, b, 2017, members=3, branch_form="single")
    assert corrected.json()["corrected"] is True

    stats = (
        await client.get(
            "/statistics/party-coverage/by-year", params={"from_year": 2016, "to_year": 2017}, headers=DONGSI
        )
    ).json()
    y2016, y2017 = stats["years"]
    assert (y2016["orgs"], y2016["members"], y2016["orgs_with_members"], y2016["orgs_in_branch"]) == (4, 7, 2, 1)
    assert y2016["organisation_coverage_pct"] == "50.0"
    assert (y2016["orgs_without_branch"], y2016["orgs_reached"], y2016["work_coverage_pct"]) == (3, 2, "66.7")
    dongsi = next(s for s in y2016["by_street"] if s["street_code"] == "110101006")
    assert dongsi["orgs"] == 3 and dongsi["work_coverage_pct"] == "100.0"
    assert y2017["organisation_coverage_pct"] == "100.0" and y2017["work_coverage_pct"] is None
    census = (await client.get("/party/census", params={"year": 2017}, headers=ADMIN)).json()
    assert {r["org_id"]: r["branch_form"] for r in census} == {a: "joint", b: "single"}
    rows = await db.fetch(
        "SELECT payload FROM outbox WHERE routing_key = 'registry.party_census_recorded.v1' ORDER BY id"
    )
    assert len(rows) == 7 and json.loads(rows[-1]["payload"])["corrected"] is True


async def test_census_refusals_name_the_field_and_write_nothing(client, db):
    dongsi_org, other = await _org(client), await _org(client, street="110101005")
    this_year = date.today().year
    cases = [
        (dict(year=this_year + 1, members=1), "year"),
        (dict(year=2010, members=1), "year"),  # before the org registered (2015)
        (dict(year=2016, members=0, branch_form="single"), "branch_form"),
        (dict(year=2016, members=1, branch_form="fourth_way"), "branch_form"),
        (dict(year=2016, members=-1), "members"),
        (dict(year=2016, members=1, branch_id=str(uuid.uuid4())), "branch_id"),
    ]
    for body, field in cases:
        r = await _census(client, dongsi_org, **body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["detail"][0]["loc"][-1] == field, (body, r.text)
    denied = await _census(client, other, 2016, headers=DONGSI, members=1)
    assert denied.status_code == 403 and "本街道" in denied.json()["detail"]
    org_token = token("org", sub="o", org_id=dongsi_org)
    assert (await _census(client, dongsi_org, 2016, headers=org_token, members=1)).status_code == 403
    assert await db.fetchval("SELECT count(*) FROM party_census") == 0
    assert await db.fetchval("SELECT count(*) FROM outbox WHERE routing_key LIKE 'registry.party_census%'") == 0


async def test_branches_are_merged_and_dissolved_with_their_history(client, db):
    orgs = [await _org(client) for _ in range(4)]
    first = await _branch(client, orgs[:2], name="为老服务联合党支部", form="joint")
    second = await _branch(client, orgs[2:3], name="心理服务党支部", formed_on="2017-03-01", form="single")
    third = await _branch(client, orgs[3:], name="文体联合党支部", formed_on="2017-05-01")
    merged = await client.post(
        f"/party-branches/{second}/merge", json={"into_branch_id": first, "merged_on": "2018-01-10"}, headers=ADMIN
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["org_ids"] == [orgs[2]]
    again = await client.post(
        f"/party-branches/{second}/merge", json={"into_branch_id": third, "merged_on": "2018-02-01"}, headers=ADMIN
    )
    assert again.status_code == 422 and again.json()["detail"][0]["loc"] == ["body", "branch_id"]
    into_ended = await client.post(
        f"/party-branches/{third}/merge", json={"into_branch_id": second, "merged_on": "2018-02-01"}, headers=ADMIN
    )
    assert into_ended.status_code == 422 and into_ended.json()["detail"][0]["loc"] == ["body", "into_branch_id"]
    early = await client.post(
        f"/party-branches/{third}/dissolve", json={"dissolved_on": "2016-01-01", "reason": "x"}, headers=ADMIN
    )
    assert early.status_code == 422 and early.json()["detail"][0]["loc"] == ["body", "dissolved_on"]
    dissolved = await client.post(
        f"/party-branches/{third}/dissolve", json={"dissolved_on": "2019-06-30", "reason": "党员转出"}, headers=ADMIN
    )
    assert dissolved.status_code == 200
    assert (
        await client.post(
            f"/party-branches/{third}/dissolve", json={"dissolved_on": "2019-07-01", "reason": "x"}, headers=DONGSI
        )
    ).status_code == 403
    attach = await client.post(f"/party-branches/{third}/orgs", json={"org_ids": [orgs[3]]}, headers=ADMIN)
    assert attach.status_code == 422 and attach.json()["detail"][0]["loc"] == ["body", "branch_id"]

    kinds = [h["kind"] for h in (await client.get(f"/party-branches/{first}/history", headers=ADMIN)).json()]
    assert kinds == ["formed", "merged_in"]
    assert [h["kind"] for h in (await client.get(f"/party-branches/{third}/history", headers=ADMIN)).json()] == [
        "formed",
        "dissolved",
    ]
    branches = {b["branch_id"]: b for b in (await client.get("/party-branches", headers=ADMIN)).json()}
    assert set(branches[first]["org_ids"]) == set(orgs[:3])
    assert (branches[second]["status"], branches[third]["status"], branches[third]["org_ids"]) == (
        "merged",
        "dissolved",
        [],
    )
    stats = (
        await client.get(
            "/statistics/party-coverage/by-year", params={"from_year": 2016, "to_year": 2019}, headers=ADMIN
        )
    ).json()
    assert [y["branches"] for y in stats["years"]] == [1, 3, 2, 1]
    keys = [
        r["routing_key"]
        for r in await db.fetch(
            "SELECT routing_key FROM outbox WHERE routing_key LIKE 'registry.party_branch_%' ORDER BY id"
        )
    ]
    assert keys[-2:] == ["registry.party_branch_merged.v1", "registry.party_branch_dissolved.v1"]


async def test_members_report_to_communities_by_their_org_or_street_staff(client, db):
    org = await _org(client)
    body = {"org_id": org, "member_name": "周华", "street_code": "110101005", "community": "民安社区",
            "reported_on": "2019-04-01", "service": "周末卫生大掃除"}  # fmt: skip
    own = token("org", sub="o", org_id=org)
    assert (await client.post("/party/member-reports", json=body, headers=own)).status_code == 201
    assert (
        await client.post("/party/member-reports", json=body, headers=BEIXINQIAO)
    ).status_code == 201  # community's street
    assert (await client.post("/party/member-reports", json=body, headers=DONGSI)).status_code == 201  # org's street
    other = token("org", sub="x", org_id=uuid.uuid4())
    assert (await client.post("/party/member-reports", json=body, headers=other)).status_code == 403
    tiantan = token("street_officer", sub="t", street="110101016")
    assert (await client.post("/party/member-reports", json=body, headers=tiantan)).status_code == 403
    bad = await client.post("/party/member-reports", json={**body, "street_code": "999"}, headers=ADMIN)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "street_code"]
    payloads = [
        json.loads(r["payload"])
        for r in await db.fetch("SELECT payload FROM outbox WHERE routing_key = 'registry.party_member_reported.v1'")
    ]
    assert len(payloads) == 3 and all("周华" not in json.dumps(p) for p in payloads)
    stats = (
        await client.get(
            "/statistics/party-coverage/by-year", params={"from_year": 2019, "to_year": 2019}, headers=ADMIN
        )
    ).json()
    assert stats["years"][0]["member_reports"] == 3


def _solicitation(project_id: uuid.UUID) -> SolicitationOpened:
    purchaser = PurchaserRef(code="110101006JDB", name="东四街道办事处", kind="street_office")
    return SolicitationOpened(
        project_id=project_id,
        title="居家养老服务",
        purchaser=purchaser,
        street_code="110101006",
        domain="elder_care",
        stage="solicitation",
        budget_cny=Decimal("200000.00"),
        opens_on=date(2025, 2, 1),
        closes_on=date(2025, 2, 20),
    )


async def test_activity_links_confirm_whichever_comes_first_and_duplicates_change_nothing(client, db):
    org = uuid.UUID(await _org(client))
    branch = await _branch(client, [str(org)], street_code="110101006")
    awarded = grant(org)
    signed: ProjectSigned = contract(org)
    item = uuid.uuid4()

    # The grant's event arrives first (twice); the project's after the activity, and out of order.
    await send(awarded)
    await send(awarded)

    async def grant_known() -> bool:
        return await db.fetchval("SELECT count(*) FROM support_grants WHERE grant_id = $1", awarded.grant_id) == 1

    assert await eventually(grant_known)
    links = [
        ("grant", awarded.grant_id),
        ("procurement_project", signed.project_id),
        ("claiming_item", item),
        (None, None),
    ]
    for i, (kind, ref) in enumerate(links):
        body = {"held_on": "2025-06-01", "title": f"推进残疾预防主题公益活动{i}", "participants": 30,
                "link_kind": kind, "link_ref": None if ref is None else str(ref)}  # fmt: skip
        r = await client.post(f"/party-branches/{branch}/activities", json=body, headers=DONGSI)
        assert r.status_code == 201, r.text
    before = {
        a["link_kind"]: a["link_confirmed"]
        for a in (await client.get(f"/party-branches/{branch}/activities", headers=ADMIN)).json()
    }
    assert before == {"grant": True, "procurement_project": False, "claiming_item": False, None: False}

    await send(signed)  # signed before its solicitation was seen: the project must stay closed
    await send(_solicitation(signed.project_id))
    await send(signed)
    marker = _solicitation(uuid.uuid4())
    await send(marker)

    async def marker_seen() -> bool:
        return (
            await db.fetchval("SELECT count(*) FROM procurement_projects WHERE project_id = $1", marker.project_id) == 1
        )

    assert await eventually(marker_seen)
    assert await db.fetchval("SELECT rank FROM procurement_projects WHERE project_id = $1", signed.project_id) == 2
    after = {
        a["link_kind"]: a for a in (await client.get(f"/party-branches/{branch}/activities", headers=ADMIN)).json()
    }
    assert (
        after["procurement_project"]["link_confirmed"]
        and after["procurement_project"]["linked_title"] == "居家养老服务"
    )
    assert after["claiming_item"]["link_confirmed"] is False  # until venture publishes its claiming items
    counts = {c["branch_id"]: c for c in (await client.get("/statistics/branch-activities", headers=ADMIN)).json()}
    assert (counts[branch]["activities"], counts[branch]["linked"], counts[branch]["confirmed"]) == (4, 3, 2)
    assert counts[branch]["participants"] == 120
    assert await db.fetchval("SELECT count(*) FROM support_contracts WHERE contract_id = $1", signed.contract_id) == 1

    half = await client.post(
        f"/party-branches/{branch}/activities",
        json={"held_on": "2025-06-01", "title": "x", "link_kind": "grant"},
        headers=ADMIN,
    )
    assert half.status_code == 422 and half.json()["detail"][0]["loc"] == ["body", "link_ref"]
    other_street = await client.post(
        f"/party-branches/{branch}/activities", json={"held_on": "2025-06-01", "title": "x"}, headers=BEIXINQIAO
    )
    assert other_street.status_code == 403
    assert await db.fetchval("SELECT count(*) FROM branch_activities") == 4
