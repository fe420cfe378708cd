"""Tranches in order against accepted reports; evaluations that withhold or recover funds."""

from __future__ import annotations

from shared.auth import Role
from testkit import EventTap, token

from ..conftest import ADMIN, wait_event


async def _grant(flow, orgs):
    org = await orgs.add("交道口社工事务所")
    round_id = await flow.open_round()
    app = await flow.apply(round_id, org)
    [grant] = await flow.funded(round_id, {app: 88})
    return grant["grant_id"], token(Role.ORG, sub="org", org_id=org)


async def test_the_next_tranche_is_paid_only_after_the_previous_report_is_accepted(flow, orgs):
    grant_id, org_h = await _grant(flow, orgs)
    r = await flow.c.post(f"/grants/{grant_id}/tranches/2/disbursement", headers=ADMIN)
    assert r.status_code == 409 and r.json()["code"] == "tranche_order"
    r = await flow.c.post(f"/grants/{grant_id}/reports", json={"tranche_number": 1, "summary": "提前"}, headers=org_h)
    assert r.status_code == 409 and r.json()["code"] == "tranche_not_disbursed"
    await flow.ok("POST", f"/grants/{grant_id}/tranches/1/disbursement", ADMIN)
    r = await flow.c.post(f"/grants/{grant_id}/tranches/2/disbursement", headers=ADMIN)
    assert r.status_code == 409 and r.json()["code"] == "report_not_accepted"
    report = await flow.ok("POST", f"/grants/{grant_id}/reports", org_h, {"tranche_number": 1, "summary": "进展"}, 201)
    r = await flow.c.post(f"/grants/{grant_id}/tranches/2/disbursement", headers=ADMIN)
    assert r.status_code == 409, "a submitted but unreviewed report is not enough"
    r = await flow.c.post(f"/reports/{report['id']}/decision", json={"accepted": False}, headers=ADMIN)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "note"]
    await flow.ok("POST", f"/reports/{report['id']}/decision", ADMIN, {"accepted": False, "note": "缺少活动记录"})
    r = await flow.c.post(f"/grants/{grant_id}/tranches/2/disbursement", headers=ADMIN)
    assert r.status_code == 409
    again = await flow.ok("POST", f"/grants/{grant_id}/reports", org_h, {"tranche_number": 1, "summary": "补充"}, 201)
    await flow.ok("POST", f"/reports/{again['id']}/decision", ADMIN, {"accepted": True})
    paid = await flow.ok("POST", f"/grants/{grant_id}/tranches/2/disbursement", ADMIN)
    assert [t["status"] for t in paid["tranches"]] == ["disbursed", "disbursed", "planned"]
    r = await flow.c.post(f"/grants/{grant_id}/tranches/2/disbursement", headers=ADMIN)
    assert r.status_code == 409 and r.json()["code"] == "tranche_done"


async def test_a_failed_evaluation_withholds_payment_until_a_passing_one(flow, orgs):
    grant_id, org_h = await _grant(flow, orgs)
    await flow.ok("POST", f"/grants/{grant_id}/tranches/1/disbursement", ADMIN)
    report = await flow.ok("POST", f"/grants/{grant_id}/reports", org_h, {"tranche_number": 1, "summary": "进展"}, 201)
    await flow.ok("POST", f"/reports/{report['id']}/decision", ADMIN, {"accepted": True})
    monitor = token(Role.MONITOR, sub="third-party")
    body = await flow.ok(
        "POST",
        f"/grants/{grant_id}/evaluations",
        monitor,
        {"kind": "midterm", "result": "fail", "note": "进度滞后"},
        201,
    )
    assert body["status"] == "withheld"
    r = await flow.c.post(f"/grants/{grant_id}/tranches/2/disbursement", headers=ADMIN)
    assert r.status_code == 409 and r.json()["code"] == "payments_withheld"
    await flow.ok(
        "POST",
        f"/grants/{grant_id}/evaluations",
        monitor,
        {"kind": "midterm", "result": "pass", "note": "整改到位"},
        201,
    )
    await flow.ok("POST", f"/grants/{grant_id}/tranches/2/disbursement", ADMIN)


async def test_a_severe_evaluation_failure_recovers_the_funds_paid(flow, orgs):
    grant_id, _ = await _grant(flow, orgs)
    async with EventTap("venture.funds_recovered.v1") as tap:
        await flow.ok("POST", f"/grants/{grant_id}/tranches/1/disbursement", ADMIN)
        body = await flow.ok(
            "POST",
            f"/grants/{grant_id}/evaluations",
            ADMIN,
            {"kind": "midterm", "result": "severe", "note": "虚报服务人次"},
            201,
        )
        assert body["status"] == "terminated" and body["recovered_cny"] == "40000.00"
        [event] = await wait_event(tap, "venture.funds_recovered.v1", grant_id=grant_id)
        assert event["amount_cny"] == "40000.00"
    r = await flow.c.post(f"/grants/{grant_id}/tranches/2/disbursement", headers=ADMIN)
    assert r.status_code == 409 and r.json()["code"] == "grant_closed"
    stats = await flow.ok("GET", "/statistics", {})
    assert stats["overall"]["recovered_cny"] == "40000.00"


async def test_completion_needs_every_tranche_the_final_report_and_a_final_evaluation(flow, orgs):
    grant_id, org_h = await _grant(flow, orgs)
    r = await flow.c.post(f"/grants/{grant_id}/completion", headers=ADMIN)
    assert r.status_code == 409 and r.json()["code"] == "tranches_unpaid"
    for n in (1, 2, 3):
        await flow.ok("POST", f"/grants/{grant_id}/tranches/{n}/disbursement", ADMIN)
        rep = await flow.ok("POST", f"/grants/{grant_id}/reports", org_h, {"tranche_number": n, "summary": "ok"}, 201)
        await flow.ok("POST", f"/reports/{rep['id']}/decision", ADMIN, {"accepted": True})
    r = await flow.c.post(f"/grants/{grant_id}/completion", headers=ADMIN)
    assert r.status_code == 409 and r.json()["code"] == "final_evaluation_missing"
    officer = token(Role.STREET_OFFICER, sub="s", street="110101006")
    r = await flow.c.post(f"/grants/{grant_id}/followup", json={"pledge": "继续支持"}, headers=officer)
    assert r.status_code == 409 and r.json()["code"] == "grant_not_completed"
