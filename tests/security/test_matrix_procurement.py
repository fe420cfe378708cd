"""Procurement: every route × caller (see matrix.py for the callers and how a row is checked).

Each row's resource is a street-office project of 东四街道 (so its street officer is staff of the
project), driven by the district admin up to the stage the route acts on: the org under test
proposed in it, reviewer rev-sec sits on its panel, monitor mon-sec monitors it. The demo clock,
moved by the district admin (`PUT /clock`, demo mode), gives every step its date.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from shared.auth import Role
from shared.contracts.registry import OrgRegistered, OrgSnapshot
from testkit import eventually, token
from tests.security.matrix import (
    ADMIN,
    MONITOR,
    OPERATIONS,
    REVIEWER,
    STREET,
    Call,
    Env,
    Row,
    assert_complete,
    check_nul_in_body,
    check_row,
    ok,
    public_rows,
    publish,
    running_app,
    write_routes,
)

_serial = itertools.count(1)
PURCHASER = {"code": "110101006JDB", "name": "东四街道办事处", "kind": "street_office"}
STAGE_DATES = {
    "sorting": "2026-03-02",
    "solicitation": "2026-03-02",
    "screening": "2026-03-21",
    "review": "2026-03-23",
    "announcement": "2026-03-25",
    "optimisation": "2026-04-02",
    "signing": "2026-04-10",
    "monitoring": "2026-10-01",
    "evaluation": "2027-05-10",
}
PROPOSAL = {"title": "方案", "plan": "计划", "budget_cny": "80000.00"}
SCORES = {"need_fit": "90", "plan_quality": "90", "capacity": "90", "budget_value": "90"}
STEPS = [
    "sorting",
    "solicitation",
    "proposed",
    "screening",
    "screened",
    "review",
    "declared",
    "scored",
    "announcement",
    "objected",
    "optimisation",
    "signing",
    "monitoring",
    "reported",
]


async def on_day(env: Env, day: str) -> None:
    """The demo date every caller's next request happens on; only the district admin may set it."""
    await ok(env.client, "PUT", "/clock", json={"today": day})


async def demand(env: Env) -> dict[str, Any]:
    body = {
        "purchaser": PURCHASER,
        "street_code": STREET,
        "title": f"东四街道助老服务{next(_serial)}",
        "domain": "elder_care",
        "budget_cny": "100000.00",
        "expected_beneficiaries": 500,
    }
    await on_day(env, "2026-03-02")
    return dict(await ok(env.client, "POST", "/demands", json=body, headers=ADMIN))


async def drive(env: Env, until: str) -> dict[str, Any]:
    """A project of 东四街道办事处 taken by the district admin up to step `until` (see STEPS)."""
    own: UUID = env.extra["own"]
    org = token(Role.ORG, sub=f"org-{own}", org_id=own)
    reviewer = token(Role.REVIEWER, sub=REVIEWER)
    monitor = token(Role.MONITOR, sub=MONITOR)
    steps = STEPS[: STEPS.index(until) + 1]
    out: dict[str, Any] = {}

    async def post(path: str, body: Any, day: str, who: dict[str, str] = ADMIN) -> Any:
        await on_day(env, day)
        return await ok(env.client, "POST", path, json=body, headers=who)

    project = await post("/projects", {"demand_ids": [(await demand(env))["demand_id"]]}, "2026-03-02")
    base = out["base"] = f"/projects/{project['id']}"
    for step in steps[1:]:
        if step == "solicitation":
            await post(f"{base}/solicitation", {"closes_on": "2026-03-20"}, "2026-03-02")
        elif step == "proposed":
            body = {"title": "东四助老方案", "plan": "上门探访与助餐", "budget_cny": "90000.00"}
            out["proposal"] = (await post(f"{base}/proposals", body, "2026-03-03", org))["id"]
        elif step == "screening":
            await post(f"{base}/solicitation/close", {}, "2026-03-21")
        elif step == "screened":
            await post(f"{base}/proposals/{out['proposal']}/screening", {"valid": True}, "2026-03-23")
        elif step == "review":
            await post(f"{base}/review", {}, "2026-03-23")
            await post(f"{base}/reviewers", {"reviewer": REVIEWER}, "2026-03-23")
        elif step == "declared":
            await post(f"{base}/conflicts", {"org_ids": []}, "2026-03-23", reviewer)
        elif step == "scored":
            await post(f"{base}/proposals/{out['proposal']}/scores", {"criteria": SCORES}, "2026-03-23", reviewer)
        elif step == "announcement":
            await post(f"{base}/approval", {}, "2026-03-24")
        elif step == "objected" and until == "objected":  # a side branch: later steps need none pending
            out["objection"] = (await post(f"{base}/objections", {"reason": "评分有误"}, "2026-03-25"))["id"]
        elif step == "optimisation":
            await post(f"{base}/announcement/close", {}, "2026-04-01")
        elif step == "signing":
            await post(f"{base}/optimisation", {"changes": "按评审意见调整", "amount_cny": "88000.00"}, "2026-04-02")
        elif step == "monitoring":
            await post(f"{base}/contract", {"starts_on": "2026-05-01", "ends_on": "2027-04-30"}, "2026-04-10")
            await post(f"{base}/monitors", {"monitor": MONITOR}, "2026-04-10")
        elif step == "reported":
            await post(f"{base}/reports", {"milestone": "中期", "summary": "按计划推进"}, "2026-10-01", monitor)
    return out


def at(until: str, method: str, tail: str, body: Any = None, *, day: str) -> Any:
    """A request on a project driven to `until`; `tail` may name {proposal} and {objection}."""

    async def prepare(env: Env) -> Call:
        p = await drive(env, until)
        path = p["base"] + tail.format(**p)
        await on_day(env, day)
        return Call(method, path, json=body, org=env.extra["own"])

    return prepare


async def list_demands(env: Env) -> Call:
    d = await demand(env)
    return Call("GET", "/demands", secret=str(d["demand_id"]))


async def list_projects(env: Env) -> Call:
    p = await drive(env, "monitoring")
    return Call("GET", "/projects", org=env.extra["own"], secret=p["base"].rsplit("/", 1)[1])


async def two_reviewers(env: Env) -> Call:
    """rev-sec and rev-2 both scored: a reviewer's answer must not show the other's."""
    p = await drive(env, "scored")
    other = token(Role.REVIEWER, sub="rev-2")
    await on_day(env, STAGE_DATES["review"])
    await ok(env.client, "POST", f"{p['base']}/reviewers", ADMIN, json={"reviewer": "rev-2"})
    await ok(env.client, "POST", f"{p['base']}/conflicts", other, json={"org_ids": []})
    await ok(env.client, "POST", f"{p['base']}/proposals/{p['proposal']}/scores", other, json={"criteria": SCORES})
    return Call("GET", f"{p['base']}/scores", org=env.extra["own"], secret="rev-2")


async def new_demand(env: Env) -> Call:
    body = {"purchaser": PURCHASER, "street_code": STREET, "title": f"东四街道文体活动{next(_serial)}"}
    body.update(domain="culture_sports", budget_cny="50000.00", expected_beneficiaries=200)
    await on_day(env, "2026-03-02")
    return Call("POST", "/demands", json=body)


async def sort_demand(env: Env) -> Call:
    d = await demand(env)
    return Call("POST", "/projects", json={"demand_ids": [d["demand_id"]]})


async def historical(env: Env) -> Call:
    item = {
        "source_ref": f"SEC-{uuid4()}",
        "title": "历史项目",
        "purchaser": PURCHASER,
        "street_code": STREET,
        "domain": "elder_care",
        "org_id": str(env.extra["own"]),
        "org_name": "东四为老服务中心",
        "amount_cny": "50000.00",
        "signed_on": "2019-03-01",
        "starts_on": "2019-04-01",
        "ends_on": "2020-03-31",
    }
    return Call("POST", "/projects/historical", json={"projects": [item]})


def get(path: str, until: str | None = None) -> Any:
    async def prepare(env: Env) -> Call:
        tail = ""
        if until is not None:
            tail = (await drive(env, until))["base"]
        return Call("GET", path.format(base=tail), org=env.extra["own"])

    return prepare


async def resolicit(env: Env) -> Call:
    p = await drive(env, "screening")
    await on_day(env, STAGE_DATES["screening"])
    await ok(env.client, "POST", f"{p['base']}/unsuccessful", json={"reason": "流标"})
    await on_day(env, "2026-03-22")
    return Call("POST", f"{p['base']}/resolicitation", json={"closes_on": "2026-04-30"})


async def set_clock(env: Env) -> Call:
    return Call("PUT", "/clock", json={"today": "2026-03-02"})


D = STAGE_DATES
# --- the table ------------------------------------------------------------------------------------
# staff = district admin, or the officer of the project's street when a street office buys it.
#                                                              none admin street street_x reviewer monitor org org_x
# --- issue 17: community needs ------------------------------------------------------------------

WORKER = token(Role.COMMUNITY_WORKER, sub="cw-sec", street=STREET, community="钱粮胡同社区")
NEED = {"title": "独居老人助餐", "description": "送餐上门", "residents": 30, "domain": "elder_care"}


async def raised(env: Env) -> str:
    return str((await ok(env.client, "POST", "/community-needs", WORKER, json=NEED))["id"])


async def raise_need(env: Env) -> Call:
    return Call("POST", "/community-needs", json=NEED)


async def list_needs(env: Env) -> Call:
    return Call("GET", "/community-needs", secret=await raised(env))


def on_need(tail: str, body: Any) -> Any:
    async def prepare(env: Env) -> Call:
        return Call("POST", tail.format(need=await raised(env)), json=body)

    return prepare


async def merge_needs(env: Env) -> Call:
    await on_day(env, "2026-03-02")
    body = {"need_ids": [await raised(env)], "budget_cny": "60000.00", "street_code": STREET}
    return Call("POST", "/community-needs/merger", json=body)


MATRIX: dict[str, Row] = {
    **public_rows(OPERATIONS),
    **public_rows(["/public/solicitations", "/public/announcements", "/public/contracts", "/statistics"]),
    "POST /demands":                                   Row("401 201 201 403 403 403 403 403", new_demand),
    "GET /demands":                                    Row("401 200 200 200 403 403 403 403", list_demands,
                                                           "street officers see their own street office's",
                                                           hidden="street_x", shown="admin street"),
    "GET /demands/rejected":                           Row("401 200 403 403 403 403 403 403", get("/demands/rejected")),
    "POST /projects":                                  Row("401 201 201 403 403 403 403 403", sort_demand),
    "POST /projects/historical":                       Row("401 200 403 403 403 403 403 403", historical),
    "GET /projects":                                   Row("401 200 200 200 200 200 200 200", list_projects,
                                                           "each caller sees the projects it is involved in",
                                                           hidden="street_x org_x",
                                                           shown="admin street reviewer monitor org"),
    "GET /projects/{project_id}":                      Row("401 200 200 403 200 200 200 403",
                                                           get("{base}", "monitoring")),
    "GET /projects/{project_id} #nobody assigned yet": Row("401 200 200 403 403 403 403 403",
                                                           get("{base}", "sorting"),
                                                           "reviewer, monitor, org: not before they are involved"),
    "PATCH /projects/{project_id}":                    Row("401 200 200 403 403 403 403 403",
                                                           at("sorting", "PATCH", "", {"title": "助老服务（修订）"},
                                                              day=D["sorting"])),
    "GET /projects/{project_id}/scores":               Row("401 200 200 403 200 403 403 403",
                                                           get("{base}/scores", "scored"), "reviewer: own scores"),
    "GET /projects/{project_id}/scores #two reviewers": Row("401 200 200 403 200 403 403 403", two_reviewers,
                                                           "reviewers see no other reviewer's scores",
                                                           hidden="reviewer", shown="admin street"),
    "POST /projects/{project_id}/solicitation":        Row("401 200 200 403 403 403 403 403",
                                                           at("sorting", "POST", "/solicitation",
                                                              {"closes_on": "2026-03-20"}, day=D["sorting"])),
    "POST /projects/{project_id}/proposals":           Row("401 403 403 403 403 403 201 201",
                                                           at("solicitation", "POST", "/proposals",
                                                              PROPOSAL,
                                                              day=D["solicitation"]),
                                                           "any org may propose; screening is the gate"),
    "GET /projects/{project_id}/proposals":            Row("401 200 200 403 200 403 200 403",
                                                           get("{base}/proposals", "declared")),
    "POST /projects/{project_id}/solicitation/close":  Row("401 200 200 403 403 403 403 403",
                                                           at("proposed", "POST", "/solicitation/close", {},
                                                              day=D["screening"])),
    "POST /projects/{project_id}/proposals/{proposal_id}/screening":
                                                       Row("401 200 200 403 403 403 403 403",
                                                           at("screening", "POST", "/proposals/{proposal}/screening",
                                                              {"valid": True}, day=D["review"])),
    "POST /projects/{project_id}/review":              Row("401 200 200 403 403 403 403 403",
                                                           at("screened", "POST", "/review", {}, day=D["review"])),
    "POST /projects/{project_id}/reviewers":           Row("401 200 200 403 403 403 403 403",
                                                           at("review", "POST", "/reviewers", {"reviewer": "rev-2"},
                                                              day=D["review"])),
    "POST /projects/{project_id}/conflicts":           Row("401 403 403 403 200 403 403 403",
                                                           at("review", "POST", "/conflicts", {"org_ids": []},
                                                              day=D["review"]), "the assigned reviewer"),
    "POST /projects/{project_id}/proposals/{proposal_id}/scores":
                                                       Row("401 403 403 403 200 403 403 403",
                                                           at("declared", "POST", "/proposals/{proposal}/scores",
                                                              {"criteria": SCORES}, day=D["review"]),
                                                           "the assigned reviewer"),
    "POST /projects/{project_id}/approval":            Row("401 200 200 403 403 403 403 403",
                                                           at("scored", "POST", "/approval", {}, day="2026-03-24")),
    "POST /projects/{project_id}/objections":          Row("401 201 201 403 403 403 201 201",
                                                           at("announcement", "POST", "/objections", {"reason": "异议"},
                                                              day=D["announcement"]),
                                                           "any org, or staff recording a paper objection"),
    "POST /projects/{project_id}/objections/{objection_id}/resolution":
                                                       Row("401 200 200 403 403 403 403 403",
                                                           at("objected", "POST", "/objections/{objection}/resolution",
                                                              {"upheld": False, "resolution": "经核查不成立"},
                                                              day="2026-03-26")),
    "POST /projects/{project_id}/announcement/close":  Row("401 200 200 403 403 403 403 403",
                                                           at("announcement", "POST", "/announcement/close", {},
                                                              day="2026-04-01")),
    "POST /projects/{project_id}/optimisation":        Row("401 200 200 403 403 403 403 403",
                                                           at("optimisation", "POST", "/optimisation",
                                                              {"changes": "调整", "amount_cny": "88000.00"},
                                                              day=D["optimisation"])),
    "POST /projects/{project_id}/contract":            Row("401 200 200 403 403 403 403 403",
                                                           at("signing", "POST", "/contract",
                                                              {"starts_on": "2026-05-01", "ends_on": "2027-04-30"},
                                                              day=D["signing"])),
    "POST /projects/{project_id}/monitors":            Row("401 200 200 403 403 403 403 403",
                                                           at("monitoring", "POST", "/monitors", {"monitor": "mon-2"},
                                                              day=D["signing"])),
    "POST /projects/{project_id}/reports":             Row("401 403 403 403 403 201 403 403",
                                                           at("monitoring", "POST", "/reports",
                                                              {"milestone": "中期", "summary": "进展顺利"},
                                                              day=D["monitoring"]), "the assigned monitor"),
    "POST /projects/{project_id}/payments":            Row("401 201 201 403 403 403 403 403",
                                                           at("monitoring", "POST", "/payments",
                                                              {"amount_cny": "10000.00", "paid_on": "2026-06-01"},
                                                              day="2026-06-01")),
    "POST /projects/{project_id}/evaluation":          Row("401 403 403 403 403 200 403 403",
                                                           at("reported", "POST", "/evaluation",
                                                              {"grade": "good", "beneficiary_person_times": 800,
                                                               "summary": "达成目标"}, day=D["evaluation"]),
                                                           "the assigned monitor"),
    "POST /projects/{project_id}/cancellation":        Row("401 200 200 403 403 403 403 403",
                                                           at("sorting", "POST", "/cancellation", {"reason": "取消"},
                                                              day=D["sorting"])),
    "POST /projects/{project_id}/unsuccessful":        Row("401 200 200 403 403 403 403 403",
                                                           at("screening", "POST", "/unsuccessful", {"reason": "流标"},
                                                              day=D["screening"])),
    "POST /projects/{project_id}/resolicitation":      Row("401 200 200 403 403 403 403 403", resolicit),
    "POST /community-needs":                           Row("401 403 403 403 403 403 403 403", raise_need,
                                                           "community_worker only (tested in the service)"),
    "GET /community-needs":                            Row("401 200 200 200 403 403 403 403", list_needs,
                                                           "a street officer sees its street's",
                                                           hidden="street_x", shown="admin street"),
    "POST /community-needs/{need_id}/decline":         Row("401 200 200 403 403 403 403 403",
                                                           on_need("/community-needs/{need}/decline",
                                                                   {"reason": "已覆盖"})),
    "POST /community-needs/{need_id}/passing":         Row("401 200 200 403 403 403 403 403",
                                                           on_need("/community-needs/{need}/passing",
                                                                   {"edition_id": str(uuid4())})),
    "POST /community-needs/merger":                    Row("401 201 201 403 403 403 403 403", merge_needs,
                                                           "into a demand of the street office"),
    "GET /clock":                                      Row("401 200 403 403 403 403 403 403", get("/clock")),
    "PUT /clock":                                      Row("401 200 403 403 403 403 403 403", set_clock,
                                                           "the demo clock: district admin, demo mode"),
    "GET /ocds/records":                               Row("401 200 403 403 403 403 403 403", get("/ocds/records")),
    "GET /ocds/releases":                              Row("401 200 403 403 403 403 403 403", get("/ocds/releases")),
    "GET /ocds/projects/{project_id}":                 Row("401 200 403 403 403 403 403 403",
                                                           get("/ocds{base}", "sorting")),
}  # fmt: skip


@pytest.fixture(scope="module")
async def env() -> AsyncIterator[Env]:
    async with running_app("procurement", demo_mode=True) as running:
        own = uuid4()
        snapshot = OrgSnapshot(
            org_id=own,
            version=1,
            name="东四为老服务中心",
            org_type="private_non_enterprise",
            status="registered",
            credit_code="52110101MJ0123456W",
            street_code=STREET,
            registered_on=date(2020, 5, 1),
        )
        await publish(OrgRegistered(org=snapshot))

        async def known() -> bool:
            async with running.app.state.service.connection() as conn:
                return bool(await conn.fetchval("SELECT version FROM orgs WHERE org_id = $1", own))

        await eventually(known, timeout=45)
        running.extra["own"] = own
        yield running


async def test_every_procurement_route_has_a_matrix_row(env: Env) -> None:
    assert_complete(env.app, MATRIX)


@pytest.mark.parametrize("key", list(MATRIX))
async def test_procurement_route_answers_each_caller_as_the_matrix_says(env: Env, key: str) -> None:
    mismatches = await check_row(env, key, MATRIX[key])
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("key", write_routes(MATRIX))
async def test_procurement_route_refuses_a_nul_in_any_body_string_without_a_server_error(env: Env, key: str) -> None:
    problems = await check_nul_in_body(env, key, MATRIX[key])
    assert not problems, "\n".join(problems)
