"""The exits and refusals of the ten steps over HTTP, and the read models built from other services' events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from shared.contracts.registry import OrgFiled, OrgGraduated, OrgProfileUpdated, OrgRegistered, OrgStatusChanged
from shared.contracts.venture import GrantAwarded
from testkit import EventTap, eventually, token

ADMIN = token("district_admin", sub="alice")


async def post(client, path, body=None, headers=ADMIN, when="2026-03-24"):  # type: ignore[no-untyped-def]
    """A request on day `when`: the district admin moves the demo clock first, then the caller acts."""
    await client.put("/clock", json={"today": when}, headers=ADMIN)
    return await client.post(path, json=body or {}, headers=headers)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/solicitation", {"closes_on": "2026-12-01"}),
        ("/solicitation/close", {}),
        ("/announcement/close", {}),
        ("/optimisation", {"changes": "c"}),
        ("/contract", {"starts_on": "2026-05-01", "ends_on": "2027-04-30"}),
        ("/payments", {"amount_cny": "1.00", "paid_on": "2026-05-01"}),
        ("/resolicitation", {"closes_on": "2026-12-01"}),
    ],
)
async def test_illegal_moves_in_review_are_409_naming_the_stage(client, kit, db, path, body):
    review = await kit.drive(client, db, until="review")
    r = await post(client, review["base"] + path, body)
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "illegal_transition" and "review" in r.json()["detail"]


async def test_a_cancelled_project_accepts_no_further_step(client, kit, db):
    sol = await kit.drive(client, db, until="solicitation")
    async with EventTap("procurement.project_cancelled.v1") as tap:
        assert (await post(client, sol["base"] + "/cancellation", {"reason": "需求取消"})).status_code == 200
        cancelled = await kit.wait_mine(tap, "procurement.project_cancelled.v1", project_id=sol["project_id"])
        assert cancelled[0]["previous_stage"] == "solicitation" and cancelled[0]["reason"] == "需求取消"
    proposal = {"title": "t", "plan": "p", "budget_cny": "1.00"}
    assert (await post(client, sol["base"] + "/proposals", proposal, sol["org_a"])).status_code == 409
    assert (await post(client, sol["base"] + "/cancellation", {"reason": "again"})).status_code == 409


async def test_upheld_objection_sends_the_project_back_to_review(client, kit, db):
    ann = await kit.drive(client, db, until="announcement")
    objection = (await post(client, ann["base"] + "/objections", {"reason": "评分不公"}, ann["org_b"])).json()
    early = await post(client, ann["base"] + "/announcement/close", when="2026-04-01")
    assert early.status_code == 409 and early.json()["code"] == "objections_pending"
    upheld = await post(
        client, f"{ann['base']}/objections/{objection['id']}/resolution", {"upheld": True, "resolution": "重评"}
    )
    assert upheld.status_code == 200 and upheld.json()["stage"] == "review" and upheld.json()["selection"] is None
    late = await post(client, ann["base"] + "/objections", {"reason": "r"}, ann["org_b"], when="2026-04-01")
    assert late.status_code == 409  # back in review: no announcement to object to


async def test_objection_after_the_deadline_and_closing_too_early_are_refused(client, kit, db):
    ann = await kit.drive(client, db, until="announcement")
    late = await post(client, ann["base"] + "/objections", {"reason": "r"}, ann["org_b"], when="2026-04-01")
    assert late.status_code == 409 and late.json()["code"] == "objection_period_over"
    early = await post(client, ann["base"] + "/announcement/close", when="2026-03-31")
    assert early.status_code == 409 and early.json()["code"] == "announcement_running"


async def test_no_proposals_makes_the_project_unsuccessful_and_it_can_be_resolicited(client, kit, db):
    sol = await kit.drive(client, db, until="solicitation")
    async with EventTap("procurement.project_unsuccessful.v1", "procurement.solicitation_opened.v1") as tap:
        closed = await post(client, sol["base"] + "/solicitation/close", when="2026-03-21")
        assert closed.json()["stage"] == "unsuccessful"
        again = await post(client, sol["base"] + "/resolicitation", {"closes_on": "2026-04-30"}, when="2026-03-22")
        assert again.json()["stage"] == "solicitation" and again.json()["round"] == 2
        await kit.wait_mine(tap, "procurement.solicitation_opened.v1", project_id=sol["project_id"], round=2)
        failed = await kit.wait_mine(tap, "procurement.project_unsuccessful.v1", project_id=sol["project_id"])
        assert failed[0]["round"] == 1


async def test_contract_over_twelve_months_is_422_on_ends_on(client, kit, db):
    signing = await kit.drive(client, db, until="signing")
    over = await post(client, signing["base"] + "/contract", {"starts_on": "2026-05-01", "ends_on": "2027-05-01"})
    assert over.status_code == 422 and over.json()["detail"][0]["loc"][-1] == "ends_on"
    multi = {"starts_on": "2026-05-01", "ends_on": "2029-04-30", "multi_year": True}
    signed = await post(client, signing["base"] + "/contract", multi)
    assert signed.status_code == 200 and signed.json()["contract"]["term_months"] == 36


async def test_suspended_org_cannot_sign(client, kit, db):
    signing = await kit.drive(client, db, until="signing")
    a = signing["a"]
    suspended = kit.org_snapshot(a.org_id, version=2, name=a.name, status="suspended")
    await kit.publish_event(
        OrgStatusChanged(org=suspended, old_status="registered", new_status="suspended", reason="年检")
    )

    async def applied() -> bool:
        return await db.fetchval("SELECT status FROM orgs WHERE org_id = $1", a.org_id) == "suspended"

    await eventually(applied)
    refused = await post(client, signing["base"] + "/contract", {"starts_on": "2026-05-01", "ends_on": "2027-04-30"})
    assert refused.status_code == 409 and refused.json()["code"] == "org_not_eligible"


async def test_filed_community_org_is_refused_at_screening(client, kit, db):
    sol = await kit.drive(client, db, until="solicitation")
    filed = kit.org_snapshot(org_type="community_org", status="filed", credit_code=None, name="胡同互助队")
    await kit.publish_event(OrgFiled(org=filed))

    async def present() -> bool:
        return bool(await db.fetchval("SELECT 1 FROM orgs WHERE org_id = $1", filed.org_id))

    await eventually(present)
    org_h = token("org", sub="f", org_id=filed.org_id)
    proposal = (
        await post(
            client, sol["base"] + "/proposals", {"title": "t", "plan": "p", "budget_cny": "1.00"}, org_h, "2026-03-05"
        )
    ).json()
    await post(client, sol["base"] + "/solicitation/close", when="2026-03-21")
    refused = await post(client, f"{sol['base']}/proposals/{proposal['id']}/screening", {"valid": True})
    assert refused.status_code == 409 and refused.json()["code"] == "org_not_eligible"
    no_reason = await post(client, f"{sol['base']}/proposals/{proposal['id']}/screening", {"valid": False})
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["loc"][-1] == "reason"
    ok = await post(
        client, f"{sol['base']}/proposals/{proposal['id']}/screening", {"valid": False, "reason": "备案组织"}
    )
    assert ok.status_code == 200


async def test_org_read_model_keeps_the_newest_snapshot_whatever_the_arrival_order(client, kit, db):
    org_id = uuid4()
    v1 = kit.org_snapshot(org_id, version=1, org_type="community_org", status="filed", credit_code=None)
    v2 = kit.org_snapshot(org_id, version=2)
    v3 = kit.org_snapshot(org_id, version=3, name="新名字")
    v4 = kit.org_snapshot(org_id, version=4, name="新名字", status="suspended")
    graduated = OrgGraduated(org=v2, registered_on=date(2026, 1, 5))
    # Newest first, then the older ones, one of them twice.
    await kit.publish_event(OrgStatusChanged(org=v4, old_status="registered", new_status="suspended", reason="r"))
    await kit.publish_event(OrgProfileUpdated(org=v3, changed_fields=["name"]))
    await kit.publish_event(graduated)
    await kit.publish_event(graduated)
    await kit.publish_event(OrgFiled(org=v1))
    await kit.publish_event(OrgRegistered(org=v2))

    async def all_consumed() -> bool:
        n = await db.fetchval(
            "SELECT count(*) FROM inbox WHERE consumer LIKE 'procurement.org_%' AND routing_key LIKE 'registry.%'"
        )
        return n >= 5

    await eventually(all_consumed)
    row = await db.fetchrow("SELECT version, name, status, credit_code FROM orgs WHERE org_id = $1", org_id)
    assert dict(row) == {"version": 4, "name": "新名字", "status": "suspended", "credit_code": "52110101MJ0123456W"}


async def test_venture_grant_for_the_same_project_blocks_a_proposal(client, kit, db):
    sol = await kit.drive(client, db, until="solicitation")
    a = sol["a"]
    grant = GrantAwarded(
        grant_id=uuid4(),
        round_id=uuid4(),
        round_number=6,
        round_year=2026,
        application_id=uuid4(),
        project_title="银龄餐桌 项目",
        org_id=a.org_id,
        amount_cny=Decimal("50000.00"),
        domain="elder_care",
        awarded_on=date(2026, 1, 10),
    )
    await kit.publish_event(grant)

    async def known() -> bool:
        return bool(await db.fetchval("SELECT 1 FROM venture_grants WHERE grant_id = $1", grant.grant_id))

    await eventually(known)
    body = {"title": "银龄餐桌", "plan": "p", "budget_cny": "1.00"}
    twice = await post(client, sol["base"] + "/proposals", body, sol["org_a"], when="2026-03-05")
    assert twice.status_code == 409 and twice.json()["code"] == "double_funding"
    other = await post(client, sol["base"] + "/proposals", body, sol["org_b"], when="2026-03-05")
    assert other.status_code == 201


async def test_excluded_purchase_is_refused_at_sorting(client):
    demand = {
        "purchaser": {"code": "T", "name": "东城区人力社保局", "kind": "district_department"},
        "title": "街道劳务派遣人员",
        "domain": "other",
        "budget_cny": "10.00",
        "expected_beneficiaries": 0,
    }
    created = (await post(client, "/demands", demand)).json()
    refused = await post(client, "/projects", {"demand_ids": [created["demand_id"]]})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "title"
    still = (await client.get("/demands", headers=ADMIN, params={"status": "collecting"})).json()
    assert any(d["id"] == created["demand_id"] for d in still)
