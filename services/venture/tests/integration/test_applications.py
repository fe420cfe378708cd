"""Applications: who may apply, the per-org cap, the grant cap, no double funding, bad input."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from shared.auth import Role
from shared.contracts.procurement import ContractParty, ProjectSigned
from shared.contracts.registry import OrgProfileUpdated, OrgSnapshot
from testkit import eventually, token

from ..conftest import ADMIN, STREET, application_body, publish, round_body


def org_token(org_id):
    return token(Role.ORG, sub=f"org-{org_id}", org_id=org_id)


async def test_an_org_may_submit_at_most_the_rounds_cap_of_applications(flow, orgs):
    org = await orgs.add("和平里社工事务所")
    round_id = await flow.open_round(max_applications_per_org=2)
    await flow.apply(round_id, org, "项目一")
    await flow.apply(round_id, org, "项目二")
    r = await flow.c.post(f"/rounds/{round_id}/applications", json=application_body("项目三"), headers=org_token(org))
    assert r.status_code == 409 and r.json()["code"] == "application_cap_reached"


async def test_requested_amount_above_the_grant_cap_is_refused_naming_the_field(flow, orgs):
    org = await orgs.add("前门文化促进会", org_type="social_association")
    round_id = await flow.open_round()
    r = await flow.c.post(
        f"/rounds/{round_id}/applications", json=application_body(requested_cny="100000.01"), headers=org_token(org)
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "requested_cny"]


async def test_bad_input_is_a_422_naming_each_field(flow, orgs):
    org = await orgs.add("体育馆路社工站")
    round_id = await flow.open_round()
    body = application_body(street_code="999", requested_cny=1000.5, domain="astrology")
    r = await flow.c.post(f"/rounds/{round_id}/applications", json=body, headers=org_token(org))
    assert r.status_code == 422
    fields = {tuple(e["loc"][1:]) for e in r.json()["detail"]}
    assert {("street_code",), ("requested_cny",), ("domain",)} <= fields
    r = await flow.c.post("/rounds", json={"number": 1, "year": 2026}, headers=ADMIN)
    assert r.status_code == 422 and ("body", "title") in {tuple(e["loc"]) for e in r.json()["detail"]}
    r = await flow.c.post("/rounds", json=round_body(tranche_percents=[50, 30]), headers=ADMIN)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "tranche_percents"]


async def test_a_domain_outside_the_rounds_priorities_is_refused(flow, orgs):
    org = await orgs.add("东华门环保协会")
    round_id = await flow.open_round(priority_domains=["elder_care"])
    r = await flow.c.post(f"/rounds/{round_id}/applications", json=application_body(), headers=org_token(org))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "domain"]


async def test_a_filed_community_org_applies_only_through_a_registered_sponsor(flow, orgs):
    sponsor = await orgs.add("东花市社区服务中心")
    group = await orgs.add("花市社区编织队", org_type="community_org", sponsor_org_id=sponsor)
    other_filed = await orgs.add("龙潭太极队", org_type="community_org")
    round_id = await flow.open_round()

    r = await flow.c.post(f"/rounds/{round_id}/applications", json=application_body(), headers=org_token(group))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "sponsor_org_id"]

    r = await flow.c.post(
        f"/rounds/{round_id}/applications",
        json=application_body(org_id=str(group), sponsor_org_id=str(other_filed)),
        headers=org_token(other_filed),
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "sponsor_org_id"]

    # The sponsor files it for the group; both then see it.
    r = await flow.c.post(
        f"/rounds/{round_id}/applications",
        json=application_body(org_id=str(group), sponsor_org_id=str(sponsor)),
        headers=org_token(sponsor),
    )
    assert r.status_code == 201, r.text
    app = r.json()
    assert app["org_id"] == str(group) and app["sponsor_org_id"] == str(sponsor)
    for who in (group, sponsor):
        listed = (await flow.c.get(f"/rounds/{round_id}/applications", headers=org_token(who))).json()
        assert [a["id"] for a in listed] == [app["id"]]


async def test_an_org_cannot_apply_in_another_orgs_name(flow, orgs):
    a = await orgs.add("甲机构")
    b = await orgs.add("乙机构")
    round_id = await flow.open_round()
    r = await flow.c.post(
        f"/rounds/{round_id}/applications", json=application_body(org_id=str(b)), headers=org_token(a)
    )
    assert r.status_code == 403


async def test_suspended_or_unknown_orgs_are_not_eligible(flow, orgs):
    suspended = await orgs.add("暂停的机构", status="suspended")
    round_id = await flow.open_round()
    r = await flow.c.post(f"/rounds/{round_id}/applications", json=application_body(), headers=org_token(suspended))
    assert r.status_code == 409 and r.json()["code"] == "org_not_active"
    unknown = uuid4()
    r = await flow.c.post(f"/rounds/{round_id}/applications", json=application_body(), headers=org_token(unknown))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "org_id"]


async def test_applications_outside_the_call_window_or_after_closing_are_refused(flow, orgs):
    org = await orgs.add("建国门志愿者协会")
    round_id = await flow.open_round(call_opens_on="2026-03-10", call_closes_on="2026-03-20")
    r = await flow.c.post(f"/rounds/{round_id}/applications", json=application_body(), headers=org_token(org))
    assert r.status_code == 409 and r.json()["code"] == "outside_call_window"
    await flow.set_today("2026-03-12")
    await flow.apply(round_id, org)
    await flow.close(round_id)
    r = await flow.c.post(f"/rounds/{round_id}/applications", json=application_body("另一个"), headers=org_token(org))
    assert r.status_code == 409 and r.json()["code"] == "call_closed"


async def test_a_project_procurement_already_signed_is_not_funded_again(flow, orgs):
    org = await orgs.add("朝阳门社工事务所")
    signed = ProjectSigned(
        project_id=uuid4(),
        contract_id=uuid4(),
        title="老街坊 互助（东四）",
        purchaser=ContractParty(code="11010100MZJ", name="东城区民政局"),
        org_id=org,
        org_name="朝阳门社工事务所",
        amount_cny="150000.00",
        signed_on=date(2026, 1, 15),
        starts_on=date(2026, 2, 1),
        ends_on=date(2026, 12, 31),
        term_months=11,
        domain="mutual_aid",
    )
    await publish(signed)
    round_id = await flow.open_round()

    async def refused():
        r = await flow.c.post(
            f"/rounds/{round_id}/applications", json=application_body("老街坊互助(东四)"), headers=org_token(org)
        )
        return r if r.status_code == 409 else None

    r = await eventually(refused, timeout=60)
    assert r.json()["code"] == "already_funded" and "政府购买服务" in r.json()["detail"]


async def test_a_project_funded_in_an_earlier_round_is_not_funded_again(flow, orgs):
    org = await orgs.add("景山社区服务社")
    first = await flow.open_round(number=1)
    app_id = await flow.apply(first, org, "胡同花园")
    await flow.funded(first, {app_id: 90})
    await flow.set_today("2026-03-02")
    second = await flow.open_round(number=2)
    r = await flow.c.post(f"/rounds/{second}/applications", json=application_body("胡同 花园"), headers=org_token(org))
    assert r.status_code == 409 and "往届公益创投" in r.json()["detail"]


async def test_a_withdrawn_application_frees_its_place_under_the_cap(flow, orgs):
    org = await orgs.add("安定门社工事务所")
    round_id = await flow.open_round(max_applications_per_org=1)
    first = await flow.apply(round_id, org, "项目一")
    other = token(Role.ORG, sub="x", org_id=await orgs.add("别的机构"))
    assert (await flow.c.post(f"/applications/{first}/withdrawal", headers=other)).status_code == 403
    body = await flow.ok("POST", f"/applications/{first}/withdrawal", org_token(org))
    assert body["status"] == "withdrawn"
    await flow.apply(round_id, org, "项目二")


async def test_a_mentor_must_be_a_registered_support_org(flow, orgs):
    plain = await orgs.add("普通机构")
    r = await flow.c.post("/rounds", json=round_body(mentor_org_ids=[str(plain)]), headers=ADMIN)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "mentor_org_ids", "0"]


async def test_a_project_procurement_signs_during_the_notice_gets_no_grant(flow, orgs, app):
    org = await orgs.add("东花市社工事务所")
    round_id = await flow.open_round()
    app_id = await flow.apply(round_id, org, "楼门文化")
    await flow.close(round_id)
    await flow.screen_in(app_id)
    await flow.review(round_id, {app_id: 90})
    await flow.through_notice(round_id)
    await publish(
        ProjectSigned(
            project_id=uuid4(),
            contract_id=uuid4(),
            title="楼门文化",
            purchaser=ContractParty(code="S", name="街道办"),
            org_id=org,
            org_name="东花市社工事务所",
            amount_cny="50000.00",
            signed_on=date(2026, 4, 1),
            starts_on=date(2026, 4, 1),
            ends_on=date(2026, 12, 31),
            term_months=9,
            domain="culture_sports",
        )
    )

    async def known():
        async with app.state.service.connection() as conn:
            return await conn.fetchval("SELECT 1 FROM funded_projects WHERE org_id = $1", org)

    await eventually(known, timeout=60)
    assert await flow.award(round_id) == []
    view = await flow.ok("GET", f"/applications/{app_id}", ADMIN)
    assert view["status"] == "not_selected" and "政府购买服务" in view["decision_reason"]


async def test_only_the_sponsor_registry_recorded_applies_for_a_filed_group(flow, orgs):
    """A group imported without a sponsor: no registered org may apply in its name (and use up its
    per-round cap) until staff attach one in registry; then that sponsor, and only it, may."""
    recorded = await orgs.add("东花市社区服务中心")
    stranger = await orgs.add("别处的社工事务所")
    group = await orgs.add("花市社区合唱团", org_type="community_org", sponsor_org_id=recorded)
    unsponsored = await orgs.add("龙潭社区秧歌队", org_type="community_org")
    round_id = await flow.open_round(max_applications_per_org=1)

    async def apply(for_group: UUID, as_org: UUID, title: str) -> Any:
        body = application_body(title, org_id=str(for_group), sponsor_org_id=str(as_org))
        return await flow.c.post(f"/rounds/{round_id}/applications", json=body, headers=org_token(as_org))

    for for_group, title in ((group, "冒名申报"), (unsponsored, "抢先申报")):
        refused = await apply(for_group, stranger, title)
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"][0]["loc"] == ["body", "sponsor_org_id"]
        assert "支持单位" in refused.json()["detail"][0]["msg"]
    assert (await apply(group, recorded, "合唱进社区")).status_code == 201
    admin_listing = await flow.ok("GET", f"/rounds/{round_id}/applications", ADMIN)
    assert [a["title"] for a in admin_listing] == ["合唱进社区"]  # the refusals used up nothing

    # Staff attach a sponsor in registry: its snapshot (OrgProfileUpdated) reaches venture.
    attached_snapshot = OrgSnapshot(
        org_id=unsponsored,
        version=2,
        name="龙潭社区秧歌队",
        org_type="community_org",
        status="filed",
        street_code=STREET,
        sponsor_org_id=stranger,
    )
    await publish(OrgProfileUpdated(org=attached_snapshot, changed_fields=["sponsor_org_id"]))

    async def attached() -> bool:
        return (await apply(unsponsored, stranger, "秧歌进社区")).status_code == 201

    await eventually(attached, timeout=30)
