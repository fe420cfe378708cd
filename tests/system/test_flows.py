"""Cross-service flows through the four services running as processes, over the real broker:
what one context does must show up in the others' read models, statistics and inboxes."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import asyncpg
import httpx

from bench.drivers import ADMIN, Commands, Publisher, admin_url, demand, district_url, new_code
from ops.system import ADMIN_DSN, System
from testkit import EventTap, eventually, token
from tests.system.conftest import VHOST

RUN = int(time.time()) % 10_000 + 10_000  # distinct from the fault tests' runs
STREET = "110101006"


async def ok(client: httpx.AsyncClient, method: str, url: str, headers: dict[str, str], body: Any = None) -> Any:
    r = await client.request(method, url, headers=headers, json=body)
    assert r.status_code in (200, 201), f"{method} {url}: {r.status_code} {r.text[:500]}"
    return r.json()


async def db_value(system: System, service: str, sql: str, *args: Any) -> Any:
    db = system[service].dsn.rsplit("/", 1)[1]
    conn = await asyncpg.connect(ADMIN_DSN.rsplit("/", 1)[0] + "/" + db)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def known_everywhere(system: System, org_id: str, version: int = 1) -> None:
    """Wait until venture, procurement and notify hold the org at `version` (or newer)."""
    for service, sql in (
        ("venture", "SELECT version FROM orgs WHERE org_id = $1::uuid"),
        ("procurement", "SELECT version FROM orgs WHERE org_id = $1::uuid"),
        ("notify", "SELECT version FROM directory WHERE kind = 'org' AND key = $1"),
    ):

        async def current(service: str = service, sql: str = sql) -> bool:
            return (await db_value(system, service, sql, org_id) or 0) >= version

        await eventually(current, timeout=30)


async def register(http: dict[str, httpx.AsyncClient], label: str, **over: Any) -> dict[str, Any]:
    out = await Commands(http["registry"]).register(
        f"系统流程{label}-R{RUN}-{uuid.uuid4().hex[:6]}", new_code(RUN), **over
    )
    assert out.accepted, out
    return out.body


async def inbox(http: dict[str, httpx.AsyncClient], headers: dict[str, str], source_ids: set[str]) -> set[str]:
    """Event types of the caller's in-app notices caused by the given events."""
    r = await http["notify"].get("/inbox", headers=headers, params={"limit": 500})
    assert r.status_code == 200, r.text
    return {n["event_type"] for n in r.json() if n["source_event_id"] in source_ids}


async def test_an_org_registered_over_http_reaches_every_read_model(system, http):
    org = await register(http, "读模型")
    await known_everywhere(system, org["org_id"])
    await ok(http["registry"], "PATCH", f"/orgs/{org['org_id']}", ADMIN, {"name": f"更名{org['name']}"})
    await known_everywhere(system, org["org_id"], version=2)
    assert await db_value(system, "venture", "SELECT name FROM orgs WHERE org_id = $1", uuid.UUID(org["org_id"])) == (
        f"更名{org['name']}"
    )
    notices = await inbox(http, token("org", sub="o", org_id=org["org_id"]), await _source_ids(system, org["org_id"]))
    assert "registry.org_registered.v1" in notices


async def _source_ids(system: System, org_id: str) -> set[str]:
    db = system["registry"].dsn.rsplit("/", 1)[1]
    conn = await asyncpg.connect(ADMIN_DSN.rsplit("/", 1)[0] + "/" + db)
    try:
        rows = await conn.fetch("SELECT event_id::text FROM outbox WHERE payload->'org'->>'org_id' = $1", org_id)
    finally:
        await conn.close()
    return {r["event_id"] for r in rows}


# Who must find which notice in notify's inbox, per procurement step (notify/rules.toml; the
# purchaser is a district department, so district staff read its notices).
PROCUREMENT_NOTICES = {
    "org": {
        "procurement.solicitation_opened.v1",
        "procurement.proposal_submitted.v1",
        "procurement.proposal_screened.v1",
        "procurement.project_approved.v1",
        "procurement.announcement_started.v1",
        "procurement.announcement_closed.v1",
        "procurement.project_optimised.v1",
        "procurement.project_signed.v1",
        "procurement.monitor_assigned.v1",
        "procurement.monitoring_reported.v1",
        "procurement.payment_recorded.v1",
        "procurement.project_evaluated.v1",
    },
    "district_admin": {
        "procurement.demand_accepted.v1",
        "procurement.project_created.v1",
        "procurement.proposal_submitted.v1",
        "procurement.review_started.v1",
        "procurement.project_approved.v1",
        "procurement.announcement_started.v1",
        "procurement.announcement_closed.v1",
        "procurement.project_optimised.v1",
        "procurement.project_signed.v1",
        "procurement.monitor_assigned.v1",
        "procurement.monitoring_reported.v1",
        "procurement.project_evaluated.v1",
    },
    "street_officer": {
        "procurement.solicitation_opened.v1",
        "procurement.announcement_started.v1",
        "procurement.project_signed.v1",
        "procurement.project_evaluated.v1",
    },
    "reviewer": {"procurement.reviewer_assigned.v1"},
    "monitor": {"procurement.monitor_assigned.v1"},
}


async def test_a_district_demand_runs_all_ten_steps_with_each_notice_in_the_right_inbox(system, http):
    org = await register(http, "为老服务中心")
    await known_everywhere(system, org["org_id"])
    rev, mon = f"rev-{RUN}", f"mon-{RUN}"
    headers = {
        "org": token("org", sub="org-user", org_id=org["org_id"]),
        "district_admin": ADMIN,
        "street_officer": token("street_officer", sub="dongsi", street=STREET),
        "reviewer": token("reviewer", sub=rev),
        "monitor": token("monitor", sub=mon),
    }
    p = http["procurement"]
    ref = f"F{RUN}-{uuid.uuid4().hex[:6]}"
    async with EventTap("procurement.#", url=admin_url(VHOST)) as tap:
        body = demand(ref, occurred_at="2026-09-01T09:30:00+08:00")
        async with Publisher(district_url(VHOST)) as district:
            await district.publish_demand(body)

        async def answered() -> list[dict[str, Any]]:
            return [b for b in tap.bodies("procurement.demand_accepted.v1") if b["demand_ref"] == ref]

        demand_id = (await eventually(answered, timeout=30))[0]["demand_id"]

        async def post(path: str, payload: Any = None, who: str = "district_admin", when: str = "2026-09-01") -> Any:
            await ok(p, "PUT", "/clock", ADMIN, {"today": when})  # only the district admin moves the demo clock
            return await ok(p, "POST", path, headers[who], payload or {})

        pid = (await post("/projects", {"demand_ids": [demand_id]}))["id"]
        base = f"/projects/{pid}"
        await post(f"{base}/solicitation", {"closes_on": "2026-09-15"})  # 3 项目征集
        proposal = await post(
            f"{base}/proposals",
            {"title": "银龄餐桌", "plan": "每日午餐配送", "budget_cny": "180000.00"},
            "org",
            "2026-09-07",
        )
        await post(f"{base}/solicitation/close", when="2026-09-16")
        await post(f"{base}/proposals/{proposal['id']}/screening", {"valid": True}, when="2026-09-16")  # 4 初筛
        await post(f"{base}/review", when="2026-09-17")  # 5 立项评审
        await post(f"{base}/reviewers", {"reviewer": rev}, when="2026-09-17")
        await post(f"{base}/conflicts", {"org_ids": []}, "reviewer", "2026-09-18")
        criteria = {"need_fit": "90", "plan_quality": "85", "capacity": "80", "budget_value": "88"}
        await post(f"{base}/proposals/{proposal['id']}/scores", {"criteria": criteria}, "reviewer", "2026-09-18")
        approved = await post(f"{base}/approval", when="2026-09-29")  # 6 项目公示
        assert approved["announcement"]["ends_on"] == "2026-10-12"  # 5 working days across National Day
        await post(f"{base}/announcement/close", when="2026-10-13")
        await post(f"{base}/optimisation", {"changes": "按评审意见增加探访频次"}, when="2026-10-13")  # 7
        await post(f"{base}/contract", {"starts_on": "2026-11-01", "ends_on": "2027-10-31"}, when="2026-10-14")  # 8
        await post(f"{base}/monitors", {"monitor": mon}, when="2026-10-14")
        await post(f"{base}/reports", {"milestone": "中期", "summary": "按计划执行"}, "monitor", "2027-04-01")  # 9
        await post(f"{base}/payments", {"amount_cny": "90000.00", "paid_on": "2027-04-10"}, when="2027-04-10")
        done = await post(
            f"{base}/evaluation",  # 10 项目评估
            {"grade": "excellent", "score": "92", "beneficiary_person_times": 26911, "summary": "成效显著"},
            "monitor",
            "2027-11-15",
        )
        assert done["stage"] == "evaluated"
        await tap.wait_for("procurement.project_evaluated.v1")
        ids = {
            json.loads(m.body)["event_id"]
            for m in tap.messages
            if json.loads(m.body).get("project_id") == pid or json.loads(m.body).get("demand_ref") == ref
        }

    async def all_arrived() -> dict[str, set[str]]:
        missing = {who: want - await inbox(http, headers[who], ids) for who, want in PROCUREMENT_NOTICES.items()}
        return {} if not any(missing.values()) else missing

    async def nothing_missing() -> bool:
        return not await all_arrived()

    try:
        await eventually(nothing_missing, timeout=30)
    except AssertionError:
        raise AssertionError(f"notices missing per inbox: {await all_arrived()}") from None
    # Privacy: another org's inbox shows none of it.
    assert not await inbox(http, token("org", sub="x", org_id=str(uuid.uuid4())), ids)
    # And registry's support history learned the signed contract.
    profile = await ok(http["registry"], "GET", f"/orgs/{org['org_id']}", ADMIN)
    assert profile["support_totals"]["contracts"] == 1


class Venture:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.c = client

    async def round(self, number: int) -> str:
        await ok(self.c, "PUT", "/clock", ADMIN, {"today": "2026-03-02"})
        body = {
            "number": number,
            "year": 2026,
            "title": "公益创投大赛",
            "priority_domains": ["elder_care", "community_governance", "mutual_aid"],
            "total_budget_cny": "300000.00",
            "grant_cap_cny": "100000.00",
            "call_opens_on": "2026-02-20",
            "call_closes_on": "2026-03-31",
            "notice_workdays": 5,
            "tranche_percents": [50, 30, 20],
        }
        return str((await ok(self.c, "POST", "/rounds", ADMIN, body))["id"])

    async def apply(self, round_id: str, who: dict[str, str], **over: Any) -> str:
        body = {
            "title": "老街坊互助",
            "street_code": STREET,
            "community": "钱粮胡同社区",
            "domain": "mutual_aid",
            "requested_cny": "80000.00",
            "plan": "组织邻里互助小组，为独居老人提供探访与代办服务。",
            "milestones": [{"title": "组建志愿者队伍", "due_on": "2026-06-30"}],
            **over,
        }
        return str((await ok(self.c, "POST", f"/rounds/{round_id}/applications", who, body))["id"])

    async def fund(self, round_id: str, app_id: str) -> dict[str, Any]:
        await ok(self.c, "POST", f"/rounds/{round_id}/call-closure", ADMIN)
        await ok(self.c, "POST", f"/applications/{app_id}/screening", ADMIN, {"passed": True, "reason": "材料齐全"})
        reviewer = f"vrev-{RUN}-{round_id[:6]}"
        await ok(
            self.c,
            "POST",
            f"/rounds/{round_id}/assignments",
            ADMIN,
            {"reviewer": reviewer, "application_ids": [app_id]},
        )
        h = token("reviewer", sub=reviewer)
        await ok(self.c, "POST", f"/rounds/{round_id}/declarations", h, {"statement": "本人与申报组织无利益关系"})
        crit = {"criteria": {"need": "88", "design": "88", "capacity": "88", "sustainability": "88"}}
        await ok(self.c, "PUT", f"/applications/{app_id}/scores/mine", h, crit)
        await ok(self.c, "POST", f"/rounds/{round_id}/notice", ADMIN)
        await ok(self.c, "PUT", "/clock", ADMIN, {"today": "2026-04-30"})
        grants = (await ok(self.c, "POST", f"/rounds/{round_id}/awards", ADMIN))["grants"]
        assert len(grants) == 1, grants
        return dict(grants[0])


async def test_a_venture_round_runs_from_call_to_completion_with_orgs_from_registry(system, http):
    mentor = await register(http, "支持型组织", is_support_org=True)
    applicant = await register(http, "东四为老服务中心")
    await known_everywhere(system, mentor["org_id"])
    await known_everywhere(system, applicant["org_id"])
    v = Venture(http["venture"])
    org_h = token("org", sub="org-user", org_id=applicant["org_id"])
    async with EventTap("venture.#", url=admin_url(VHOST)) as tap:
        round_id = await v.round(RUN % 900 + 1)
        app_id = await v.apply(round_id, org_h)
        grant = await v.fund(round_id, app_id)
        gid = grant["grant_id"]
        for n in (1, 2, 3):
            await ok(v.c, "POST", f"/grants/{gid}/tranches/{n}/disbursement", ADMIN)
            rep = await ok(v.c, "POST", f"/grants/{gid}/reports", org_h, {"tranche_number": n, "summary": f"第{n}期"})
            await ok(v.c, "POST", f"/reports/{rep['id']}/decision", ADMIN, {"accepted": True, "note": "通过"})
        final = {"kind": "final", "result": "pass", "note": "目标全部达成"}
        await ok(v.c, "POST", f"/grants/{gid}/evaluations", token("monitor", sub="eval-co"), final)
        assert (await ok(v.c, "POST", f"/grants/{gid}/completion", ADMIN))["status"] == "completed"
        await tap.wait_for("venture.grant_completed.v1")
        ids = {json.loads(m.body)["event_id"] for m in tap.messages}

    async def org_notices() -> bool:
        got = await inbox(http, org_h, ids)
        return {"venture.grant_awarded.v1", "venture.tranche_disbursed.v1", "venture.report_accepted.v1"} <= got

    await eventually(org_notices, timeout=30)

    # The other contexts learned the grant: registry's support history, procurement's double-funding model.
    async def registry_knows() -> bool:
        profile = await ok(http["registry"], "GET", f"/orgs/{applicant['org_id']}", ADMIN)
        return profile["support_totals"]["grants"] == 1

    await eventually(registry_knows, timeout=30)
    assert await eventually(
        lambda: db_value(
            system,
            "procurement",
            "SELECT count(*) FROM venture_grants WHERE org_id = $1",
            uuid.UUID(applicant["org_id"]),
        ),
        timeout=30,
    )


async def test_a_filed_group_that_graduates_in_registry_shows_in_venture_statistics(system, http):
    sponsor = await register(http, "枢纽型社会组织")
    out = await Commands(http["registry"]).file(
        f"系统流程互助队-R{RUN}-{uuid.uuid4().hex[:6]}", sponsor_org_id=sponsor["org_id"]
    )
    assert out.accepted, out
    group = out.body
    await known_everywhere(system, sponsor["org_id"])
    await known_everywhere(system, group["org_id"])
    v = Venture(http["venture"])
    round_id = await v.round((RUN + 450) % 900 + 1)
    sponsor_h = token("org", sub="sponsor-user", org_id=sponsor["org_id"])
    app_id = await v.apply(round_id, sponsor_h, org_id=group["org_id"], sponsor_org_id=sponsor["org_id"])
    await v.fund(round_id, app_id)

    async def stats() -> dict[str, Any]:
        rounds = (await ok(v.c, "GET", "/statistics", {}))["rounds"]
        return next(r for r in rounds if r["round_id"] == round_id)

    before = await stats()
    assert before["community_orgs_cultivated"] == 1 and before["community_orgs_graduated"] == 0

    graduated = await Commands(http["registry"]).graduate(group["org_id"], new_code(RUN))
    assert graduated.accepted, graduated
    assert graduated.body["status"] == "registered"

    async def counted() -> bool:
        return (await stats())["community_orgs_graduated"] == 1

    await eventually(counted, timeout=30)
