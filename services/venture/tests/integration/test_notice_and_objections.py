"""The public notice (立项公示) in working days, objections, and awards only after the notice."""

from __future__ import annotations

from shared.auth import Role
from testkit import token

from ..conftest import ADMIN


async def _on_notice(flow, orgs):
    a = await orgs.add("天坛社工事务所")
    b = await orgs.add("永外为老服务社")
    round_id = await flow.open_round()
    app_a = await flow.apply(round_id, a, "甲项目")
    app_b = await flow.apply(round_id, b, "乙项目")
    await flow.close(round_id)
    await flow.screen_in(app_a)
    await flow.screen_in(app_b)
    await flow.review(round_id, {app_a: 90, app_b: 80})
    notice = await flow.ok("POST", f"/rounds/{round_id}/notice", ADMIN)
    return round_id, app_a, app_b, notice


async def test_the_notice_runs_for_working_days_and_is_public(flow, orgs):
    await flow.set_today("2026-09-30")  # the National Day holiday follows
    a = await orgs.add("北新桥文体协会", org_type="social_association")
    round_id = await flow.open_round(call_opens_on="2026-09-01", call_closes_on="2026-09-30")
    app = await flow.apply(round_id, a)
    await flow.close(round_id)
    await flow.screen_in(app)
    await flow.review(round_id, {app: 85})
    await flow.ok("POST", f"/rounds/{round_id}/notice", ADMIN)
    public = await flow.ok("GET", f"/rounds/{round_id}/notice", {})
    assert public["notice_ends_on"] > "2026-10-08"  # the holiday week does not count
    assert [p["org_name"] for p in public["projects"]] == ["北新桥文体协会"]


async def test_awarding_waits_for_the_notice_to_end(flow, orgs):
    round_id, *_ = await _on_notice(flow, orgs)
    r = await flow.c.post(f"/rounds/{round_id}/awards", headers=ADMIN)
    assert r.status_code == 409 and r.json()["code"] == "notice_running"


async def test_an_upheld_objection_takes_the_project_off_the_selection(flow, orgs):
    round_id, app_a, app_b, _ = await _on_notice(flow, orgs)
    objector = token(Role.ORG, sub="whistle", org_id=await orgs.add("某居民自治组织"))
    obj = await flow.ok(
        "POST",
        f"/rounds/{round_id}/objections",
        objector,
        {"application_id": app_a, "reason": "项目内容与已实施项目重复"},
        201,
    )
    await flow.set_today("2026-04-30")
    r = await flow.c.post(f"/rounds/{round_id}/awards", headers=ADMIN)
    assert r.status_code == 409 and r.json()["code"] == "objections_open"
    await flow.ok("POST", f"/objections/{obj['id']}/resolution", ADMIN, {"upheld": True, "resolution": "经核实属实"})
    grants = await flow.award(round_id)
    assert [g["application_id"] for g in grants] == [app_b]
    listed = await flow.ok("GET", f"/rounds/{round_id}/objections", ADMIN)
    assert listed[0]["status"] == "upheld"


async def test_objections_after_the_deadline_are_refused(flow, orgs):
    round_id, app_a, _, _ = await _on_notice(flow, orgs)
    await flow.set_today("2026-04-30")
    objector = token(Role.ORG, sub="late", org_id=await orgs.add("迟到的组织"))
    r = await flow.c.post(
        f"/rounds/{round_id}/objections", json={"application_id": app_a, "reason": "太迟"}, headers=objector
    )
    assert r.status_code == 409 and r.json()["code"] == "notice_over"
