"""A whole round through HTTP, from the call to the landing street's follow-up, with events on the broker."""

from __future__ import annotations

from shared.auth import Role
from testkit import EventTap, token

from ..conftest import ADMIN, STREET, wait_event

KEYS = [
    "venture.round_opened.v1",
    "venture.call_closed.v1",
    "venture.application_submitted.v1",
    "venture.application_screened.v1",
    "venture.reviewers_assigned.v1",
    "venture.conflict_declared.v1",
    "venture.results_announced.v1",
    "venture.grant_awarded.v1",
    "venture.tranche_disbursed.v1",
    "venture.report_due.v1",
    "venture.progress_report_submitted.v1",
    "venture.report_accepted.v1",
    "venture.evaluation_recorded.v1",
    "venture.grant_completed.v1",
    "venture.followup_pledged.v1",
]


async def test_a_round_runs_from_call_to_completion_and_street_follow_up(flow, orgs):
    mentor = await orgs.add("恩派公益组织发展中心", is_support_org=True)
    applicant = await orgs.add("东四为老服务中心")
    org_h = token(Role.ORG, sub="org-user", org_id=applicant)

    async with EventTap("venture.#") as tap:
        round_id = await flow.open_round(number=7, mentor_org_ids=[str(mentor)])
        app_id = await flow.apply(round_id, applicant)
        grants = await flow.funded(round_id, {app_id: 88})
        assert len(grants) == 1
        grant = grants[0]
        assert grant["mentor_org_id"] == str(mentor)
        assert [t["amount_cny"] for t in grant["tranches"]] == ["40000.00", "24000.00", "16000.00"]
        grant_id = grant["grant_id"]

        for n in (1, 2, 3):
            await flow.ok("POST", f"/grants/{grant_id}/tranches/{n}/disbursement", ADMIN)
            report = await flow.ok(
                "POST", f"/grants/{grant_id}/reports", org_h, {"tranche_number": n, "summary": f"第{n}期进展"}, 201
            )
            await flow.ok("POST", f"/reports/{report['id']}/decision", ADMIN, {"accepted": True, "note": "通过"})
        await flow.ok(
            "POST",
            f"/grants/{grant_id}/evaluations",
            token(Role.MONITOR, sub="eval-co"),
            {"kind": "final", "result": "pass", "note": "目标全部达成"},
            201,
        )
        done = await flow.ok("POST", f"/grants/{grant_id}/completion", ADMIN)
        assert done["status"] == "completed"
        officer = token(Role.STREET_OFFICER, sub="dongsi", street=STREET)
        await flow.ok(
            "POST", f"/grants/{grant_id}/followup", officer, {"pledge": "纳入街道社区服务项目库，继续提供场地"}, 201
        )

        for key in KEYS:
            await wait_event(tap, key)
        await wait_event(tap, "venture.followup_pledged.v1", grant_id=grant_id)
        mine = await wait_event(tap, "venture.grant_awarded.v1", grant_id=grant_id)
        assert mine[0]["amount_cny"] == "80000.00" and mine[0]["org_id"] == str(applicant)
        await wait_event(tap, "venture.report_due.v1", grant_id=grant_id, tranche_number=3)
        dues = [b for b in tap.bodies("venture.report_due.v1") if b["grant_id"] == grant_id]
        dues.sort(key=lambda d: d["tranche_number"])
        assert [d["tranche_number"] for d in dues] == [1, 2, 3]
        assert dues[-1]["final"] is True and dues[0]["report_due_on"] == "2026-07-29"
        [notice] = await wait_event(tap, "venture.results_announced.v1", round_id=round_id)
        assert notice["ends_on"] == "2026-03-09"  # five working days after Monday 2 March

    view = await flow.ok("GET", f"/grants/{grant_id}", org_h)
    assert [t["status"] for t in view["tranches"]] == ["disbursed"] * 3
    assert view["followup"]["pledge"].startswith("纳入街道")
    stats = await flow.ok("GET", "/statistics", {})
    assert stats["overall"]["funded_projects"] == 1 and stats["overall"]["disbursed_cny"] == "80000.00"
