"""Venture: every route × caller (see matrix.py for the callers and how a row is checked).

Each row's resource is a round opened by the district admin in which the org under test applied
for a project landing in 东四街道, taken up to the step the route acts on: reviewer rev-sec is
assigned to the application (and declared where scoring needs it), the notice runs, grants are
awarded, tranches paid and reported. The service's demo clock gives every step its date.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import pytest

from shared.auth import Role
from shared.contracts.registry import OrgSnapshot
from testkit import token
from tests.security.matrix import (
    OPERATIONS,
    OTHER_ORG,
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
    running_app,
    write_routes,
)

_serial = itertools.count(1)
CALL_OPEN = "2026-03-02"  # a Monday inside the call (2026-02-20 … 03-31)
AFTER_NOTICE = "2026-04-30"
SCORES = {"criteria": {"need": "90", "design": "85", "capacity": "80", "sustainability": "75"}}
STEPS = [
    "open",
    "applied",
    "closed",
    "screened",
    "assigned",
    "declared",
    "scored",
    "notice",
    "objected",
    "awarded",
    "paid",
    "reported",
    "completable",
    "completed",
]


async def drive(env: Env, until: str) -> dict[str, Any]:
    """A round with one application of the org under test, taken by the admin up to step `until`."""
    own: UUID = env.extra["own"]
    org = token(Role.ORG, sub=f"org-{own}", org_id=own)
    reviewer = token(Role.REVIEWER, sub=REVIEWER)
    c = env.client
    await ok(c, "PUT", "/clock", json={"today": CALL_OPEN})
    body = {
        "number": next(_serial),
        "year": 2026,
        "title": "公益创投大赛",
        "priority_domains": ["elder_care", "mutual_aid"],
        "total_budget_cny": "300000.00",
        "grant_cap_cny": "100000.00",
        "call_opens_on": "2026-02-20",
        "call_closes_on": "2026-03-31",
        "notice_workdays": 5,
        "tranche_percents": [50, 30, 20],
    }
    out: dict[str, Any] = {"round": (await ok(c, "POST", "/rounds", json=body))["id"]}
    r = out["round"]
    for step in STEPS[1 : STEPS.index(until) + 1]:
        if step == "applied":
            body = {**APPLICATION, "title": f"老街坊互助{next(_serial)}"}  # a funded title may not apply again
            out["app"] = (await ok(c, "POST", f"/rounds/{r}/applications", org, json=body))["id"]
        elif step == "closed":
            await ok(c, "POST", f"/rounds/{r}/call-closure")
        elif step == "screened":
            await ok(c, "POST", f"/applications/{out['app']}/screening", json={"passed": True, "reason": "材料齐全"})
        elif step == "assigned":
            assignment = {"reviewer": REVIEWER, "application_ids": [out["app"]]}
            await ok(c, "POST", f"/rounds/{r}/assignments", json=assignment)
        elif step == "declared":
            await ok(c, "POST", f"/rounds/{r}/declarations", reviewer, json={"statement": "本人与申报组织无利益关系"})
        elif step == "scored":
            await ok(c, "PUT", f"/applications/{out['app']}/scores/mine", reviewer, json=SCORES)
        elif step == "notice":
            await ok(c, "POST", f"/rounds/{r}/notice")
        elif step == "objected" and until == "objected":  # a side branch: awards need none open
            objection = {"application_id": out["app"], "reason": "申报材料与实际不符"}
            other = token(Role.ORG, sub="org-x-sec", org_id=OTHER_ORG)
            out["objection"] = (await ok(c, "POST", f"/rounds/{r}/objections", other, json=objection))["id"]
        elif step == "awarded":
            await ok(c, "PUT", "/clock", json={"today": AFTER_NOTICE})
            out["grant"] = (await ok(c, "POST", f"/rounds/{r}/awards"))["grants"][0]["grant_id"]
        elif step == "paid":
            await ok(c, "POST", f"/grants/{out['grant']}/tranches/1/disbursement")
        elif step == "reported":
            report = {"tranche_number": 1, "summary": "第1期进展"}
            out["report"] = (await ok(c, "POST", f"/grants/{out['grant']}/reports", org, json=report))["id"]
        elif step == "completable":
            g = out["grant"]
            await ok(c, "POST", f"/reports/{out['report']}/decision", json={"accepted": True, "note": "通过"})
            for n in (2, 3):
                await ok(c, "POST", f"/grants/{g}/tranches/{n}/disbursement")
                report = {"tranche_number": n, "summary": f"第{n}期进展"}
                rid = (await ok(c, "POST", f"/grants/{g}/reports", org, json=report))["id"]
                await ok(c, "POST", f"/reports/{rid}/decision", json={"accepted": True, "note": "通过"})
            await ok(c, "POST", f"/grants/{g}/evaluations", json=FINAL)
        elif step == "completed":
            await ok(c, "POST", f"/grants/{out['grant']}/completion")
    return out


APPLICATION = {
    "title": "老街坊互助",
    "street_code": STREET,
    "community": "钱粮胡同社区",
    "domain": "mutual_aid",
    "requested_cny": "80000.00",
    "plan": "组织邻里互助小组，为独居老人提供探访与代办服务。",
    "milestones": [{"title": "组建志愿者队伍", "due_on": "2026-06-30"}],
}
RESOLUTION = {"upheld": False, "resolution": "经核实不成立"}
FINAL = {"kind": "final", "result": "pass", "note": "目标全部达成"}


def _fill(body: Any, ids: dict[str, Any]) -> Any:
    if isinstance(body, str):
        return body.format(**ids)
    if isinstance(body, dict):
        return {k: _fill(v, ids) for k, v in body.items()}
    if isinstance(body, list):
        return [_fill(v, ids) for v in body]
    return body


def at(until: str, method: str, tail: str, body: Any = None, *, secret: str | None = None) -> Any:
    """A request on a round driven to `until`; `tail` may name {round}, {app}, {grant}, {report}, {objection}."""

    async def prepare(env: Env) -> Call:
        ids = await drive(env, until)
        hide = None if secret is None else str(ids[secret])
        return Call(method, tail.format(**ids), json=_fill(body, ids), org=env.extra["own"], secret=hide)

    return prepare


async def two_reviewers(env: Env) -> Call:
    """rev-sec and rev-2 both scored: a reviewer's answer must not show the other's."""
    ids = await drive(env, "scored")
    other = token(Role.REVIEWER, sub="rev-2")
    await ok(
        env.client,
        "POST",
        f"/rounds/{ids['round']}/assignments",
        json={"reviewer": "rev-2", "application_ids": [ids["app"]]},
    )
    await ok(env.client, "POST", f"/rounds/{ids['round']}/declarations", other, json={"statement": "无利益关系"})
    await ok(env.client, "PUT", f"/applications/{ids['app']}/scores/mine", other, json=SCORES)
    return Call("GET", f"/applications/{ids['app']}/scores", org=env.extra["own"], secret="rev-2")


async def open_round(env: Env) -> Call:
    await ok(env.client, "PUT", "/clock", json={"today": CALL_OPEN})
    body = {"number": next(_serial), "year": 2026, "title": "公益创投大赛", "total_budget_cny": "300000.00"}
    body.update(grant_cap_cny="100000.00", call_opens_on="2026-02-20", call_closes_on="2026-03-31")
    return Call("POST", "/rounds", json=body)


async def apply(env: Env) -> Call:
    ids = await drive(env, "open")
    body = {**APPLICATION, "title": f"邻里守望{next(_serial)}", "org_id": str(env.extra["own"])}
    return Call("POST", f"/rounds/{ids['round']}/applications", json=body, org=env.extra["own"])


def get(path: str) -> Any:
    async def prepare(env: Env) -> Call:
        return Call("GET", path, org=env.extra["own"])

    return prepare


async def clock(env: Env) -> Call:
    return Call("PUT", "/clock", json={"today": CALL_OPEN})


async def objection(env: Env) -> Call:
    ids = await drive(env, "notice")
    body = {"application_id": ids["app"], "reason": "申报材料与实际不符"}
    return Call("POST", f"/rounds/{ids['round']}/objections", json=body, org=env.extra["own"])


async def award(env: Env) -> Call:
    ids = await drive(env, "notice")
    await ok(env.client, "PUT", "/clock", json={"today": AFTER_NOTICE})
    return Call("POST", f"/rounds/{ids['round']}/awards", org=env.extra["own"])


# --- issue 17: claiming, street rounds, proposal contests ------------------------------------------

COMMUNITY = "钱粮胡同社区"
_phones = itertools.count(1)


async def edition(env: Env) -> str:
    body = {
        "number": next(_serial),
        "title": "公益认领",
        "street_code": STREET,
        "community": COMMUNITY,
        "organiser_org_id": str(env.extra["own"]),
        "opens_on": "2026-03-01",
        "closes_on": "2026-04-30",
    }
    await ok(env.client, "PUT", "/clock", json={"today": CALL_OPEN})
    return str((await ok(env.client, "POST", "/claiming/editions", json=body))["id"])


ITEM = {
    "title": "扶手",
    "need": "楼道缺少扶手",
    "category": "elder_care",
    "community": COMMUNITY,
    "beneficiaries_expected": 5,
    "needs": ["goods"],
    "shares": 2,
}


async def claimable(env: Env) -> tuple[str, str]:
    e = await edition(env)
    return e, str((await ok(env.client, "POST", f"/claiming/editions/{e}/items", json=ITEM))["id"])


async def claimed(env: Env) -> tuple[str, str]:
    _, item = await claimable(env)
    body = {"kind": "resident", "name": "王阿姨", "phone": f"1391{next(_phones):07d}"}
    return item, str((await ok(env.client, "POST", f"/public/claiming/items/{item}/claims", json=body))["id"])


def on_edition(method: str, tail: str, body: Any = None) -> Any:
    async def prepare(env: Env) -> Call:
        return Call(method, tail.format(edition=await edition(env)), json=body, org=env.extra["own"])

    return prepare


async def new_edition(env: Env) -> Call:
    body = {"number": next(_serial), "title": "公益认领", "street_code": STREET, "community": COMMUNITY}
    body |= {"organiser_org_id": str(env.extra["own"]), "opens_on": "2026-03-01", "closes_on": "2026-04-30"}
    return Call("POST", "/claiming/editions", json=body, org=env.extra["own"])


async def account_claim(env: Env) -> Call:
    _, item = await claimable(env)
    return Call("POST", f"/claiming/items/{item}/claims", json={"kind": "party_branch"}, org=env.extra["own"])


async def public_claim(env: Env) -> Call:
    _, item = await claimable(env)
    body = {"kind": "party_member", "name": "李党员", "phone": f"1391{next(_phones):07d}"}
    return Call("POST", f"/public/claiming/items/{item}/claims", json=body, org=env.extra["own"])


def on_claim(tail: str, body: Any = None) -> Any:
    async def prepare(env: Env) -> Call:
        _, claim = await claimed(env)
        return Call("POST", tail.format(claim=claim), json=body, org=env.extra["own"])

    return prepare


async def completion(env: Env) -> Call:
    item, claim = await claimed(env)
    await ok(env.client, "POST", f"/claiming/claims/{claim}/confirmation")
    body = {"delivered": "已安装", "person_times": 12}
    return Call("POST", f"/claiming/items/{item}/completion", json=body, org=env.extra["own"])


async def street_round(env: Env) -> str:
    await ok(env.client, "PUT", "/clock", json={"today": CALL_OPEN})
    body = {"number": next(_serial), "year": 2026, "title": "社区微创投", "total_budget_cny": "50000.00"}
    body |= {"grant_cap_cny": "10000.00", "call_opens_on": "2026-02-20", "call_closes_on": "2026-03-31"}
    officer = token(Role.STREET_OFFICER, sub="street-sec", street=STREET)
    return str((await ok(env.client, "POST", "/rounds", officer, json=body))["id"])


def _contest_body(round_id: str, hours: tuple[int, int]) -> dict[str, Any]:
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    return {
        "round_id": round_id,
        "title": "提案大赛",
        "voting_opens_at": (now + timedelta(hours=hours[0])).isoformat(),
        "voting_closes_at": (now + timedelta(hours=hours[1])).isoformat(),
        "panelists": [REVIEWER],
    }


async def new_contest(env: Env) -> Call:
    return Call("POST", "/contests", json=_contest_body(await street_round(env), (-1, 1)), org=env.extra["own"])


async def contest(env: Env, hours: tuple[int, int] = (-1, 1)) -> str:
    body = _contest_body(await street_round(env), hours)
    return str((await ok(env.client, "POST", "/contests", json=body))["id"])


PROPOSAL = {"title": "楼道微更新", "summary": "居民自治", "presenter": "张大爷", "domain": "other"}


async def proposal(env: Env) -> Call:
    body = {**PROPOSAL, "org_id": str(env.extra["own"]), "requested_cny": "5000.00"}
    return Call("POST", f"/contests/{await contest(env)}/proposals", json=body, org=env.extra["own"])


async def proposed(env: Env) -> tuple[str, str]:
    c = await contest(env)
    body = {**PROPOSAL, "org_id": str(env.extra["own"]), "requested_cny": "5000.00"}
    return c, str((await ok(env.client, "POST", f"/contests/{c}/proposals", json=body))["id"])


async def panel_score(env: Env) -> Call:
    c, p = await proposed(env)
    return Call("PUT", f"/contests/{c}/proposals/{p}/scores/mine", json={"score": "80"}, org=env.extra["own"])


async def vote(env: Env) -> Call:
    c, p = await proposed(env)
    body = {"proposal_id": p, "phone": f"1392{next(_phones):07d}"}
    return Call("POST", f"/public/contests/{c}/votes", json=body, org=env.extra["own"])


async def contest_page(env: Env) -> Call:
    return Call("GET", f"/contests/{await contest(env)}", org=env.extra["own"])


async def contest_closure(env: Env) -> Call:
    return Call("POST", f"/contests/{await contest(env, (-2, -1))}/closure", org=env.extra["own"])


async def street_call_closure(env: Env) -> Call:
    return Call("POST", f"/rounds/{await street_round(env)}/call-closure", org=env.extra["own"])


async def street_round_applications(env: Env) -> Call:
    return Call("GET", f"/rounds/{await street_round(env)}/applications", org=env.extra["own"])


# --- the table ------------------------------------------------------------------------------------
#                                                                none admin street street_x reviewer monitor org org_x
MATRIX: dict[str, Row] = {
    **public_rows(OPERATIONS),
    **public_rows(["/rounds", "/statistics", "/exports/360giving"]),
    **public_rows(["/statistics/streets", "/claiming/editions", "/claiming/statistics"]),
    "GET /rounds/{round_id}":                            Row("200 200 200 200 200 200 200 200",
                                                             at("open", "GET", "/rounds/{round}"), "public"),
    "GET /rounds/{round_id}/notice":                     Row("200 200 200 200 200 200 200 200",
                                                             at("notice", "GET", "/rounds/{round}/notice"),
                                                             "public (立项公示)"),
    "POST /rounds":                                      Row("401 201 201 201 403 403 403 403", open_round,
                                                             "a street officer: its own street's round"),
    "POST /rounds/{round_id}/call-closure #street round": Row("401 200 200 403 403 403 403 403",
                                                             street_call_closure, "the owning street runs it"),
    "GET /rounds/{round_id}/applications #street round": Row("401 200 200 403 403 403 200 200",
                                                             street_round_applications,
                                                             "another street never sees a street round's"),
    "POST /rounds/{round_id}/call-closure":              Row("401 200 403 403 403 403 403 403",
                                                             at("applied", "POST", "/rounds/{round}/call-closure")),
    "POST /rounds/{round_id}/applications":              Row("401 201 403 403 403 403 201 403", apply,
                                                             "an org in its own name; admin on paper"),
    "GET /rounds/{round_id}/applications":               Row("401 200 200 200 403 403 200 200",
                                                             at("applied", "GET", "/rounds/{round}/applications",
                                                                secret="app"),
                                                             "street_x and org_x get a list without it",
                                                             hidden="street_x org_x", shown="admin street org"),
    "GET /applications/{app_id}":                        Row("401 200 200 403 200 403 200 403",
                                                             at("declared", "GET", "/applications/{app}"),
                                                             "reviewer: assigned and declared"),
    "GET /applications/{app_id} #reviewer unassigned":  Row("401 200 200 403 403 403 200 403",
                                                             at("applied", "GET", "/applications/{app}")),
    "POST /applications/{app_id}/withdrawal":            Row("401 403 403 403 403 403 200 403",
                                                             at("applied", "POST", "/applications/{app}/withdrawal")),
    "POST /applications/{app_id}/screening":             Row("401 200 403 403 403 403 403 403",
                                                             at("closed", "POST", "/applications/{app}/screening",
                                                                {"passed": True, "reason": "材料齐全"})),
    "POST /rounds/{round_id}/assignments":               Row("401 201 403 403 403 403 403 403",
                                                             at("screened", "POST", "/rounds/{round}/assignments",
                                                                {"reviewer": "rev-2", "application_ids": ["{app}"]})),
    "GET /reviewer/assignments":                         Row("401 403 403 403 200 403 403 403",
                                                             get("/reviewer/assignments")),
    "GET /rounds/{round_id}/applicants":                 Row("401 200 403 403 200 403 403 403",
                                                             at("assigned", "GET", "/rounds/{round}/applicants"),
                                                             "reviewer: assigned in the round"),
    "POST /rounds/{round_id}/declarations":              Row("401 403 403 403 201 403 403 403",
                                                             at("assigned", "POST", "/rounds/{round}/declarations",
                                                                {"statement": "无利益关系"})),
    "PUT /applications/{app_id}/scores/mine":            Row("401 403 403 403 200 403 403 403",
                                                             at("declared", "PUT", "/applications/{app}/scores/mine",
                                                                SCORES)),
    "GET /applications/{app_id}/scores":                 Row("401 200 403 403 200 403 403 403",
                                                             at("scored", "GET", "/applications/{app}/scores"),
                                                             "reviewer: own scores only"),
    "GET /applications/{app_id}/scores #two reviewers":  Row("401 200 403 403 200 403 403 403", two_reviewers,
                                                             "reviewers see no other reviewer's scores",
                                                             hidden="reviewer", shown="admin"),
    "GET /rounds/{round_id}/ranking":                    Row("401 200 403 403 403 403 403 403",
                                                             at("scored", "GET", "/rounds/{round}/ranking")),
    "POST /rounds/{round_id}/notice":                    Row("401 200 403 403 403 403 403 403",
                                                             at("scored", "POST", "/rounds/{round}/notice")),
    "POST /rounds/{round_id}/objections":                Row("401 403 403 403 403 403 201 201",
                                                             objection, "any org may object"),
    "GET /rounds/{round_id}/objections":                 Row("401 200 403 403 403 403 403 403",
                                                             at("objected", "GET", "/rounds/{round}/objections")),
    "POST /objections/{objection_id}/resolution":        Row("401 200 403 403 403 403 403 403",
                                                             at("objected", "POST",
                                                                "/objections/{objection}/resolution", RESOLUTION)),
    "POST /rounds/{round_id}/awards":                    Row("401 200 403 403 403 403 403 403", award),
    "GET /grants":                                       Row("401 200 200 200 403 200 200 200",
                                                             at("awarded", "GET", "/grants", secret="grant"),
                                                             "street_x and org_x get a list without it",
                                                             hidden="street_x org_x", shown="admin street monitor org"),
    "GET /grants/{grant_id}":                            Row("401 200 200 403 403 200 200 403",
                                                             at("awarded", "GET", "/grants/{grant}")),
    "POST /grants/{grant_id}/tranches/{number}/disbursement":
                                                         Row("401 200 403 403 403 403 403 403",
                                                             at("awarded", "POST",
                                                                "/grants/{grant}/tranches/1/disbursement")),
    "POST /grants/{grant_id}/reports":                   Row("401 403 403 403 403 403 201 403",
                                                             at("paid", "POST", "/grants/{grant}/reports",
                                                                {"tranche_number": 1, "summary": "第1期进展"}),
                                                             "the grantee (or its sponsor)"),
    "POST /reports/{report_id}/decision":                Row("401 200 403 403 403 403 403 403",
                                                             at("reported", "POST", "/reports/{report}/decision",
                                                                {"accepted": True, "note": "通过"})),
    "POST /grants/{grant_id}/evaluations":               Row("401 201 403 403 403 201 403 403",
                                                             at("paid", "POST", "/grants/{grant}/evaluations",
                                                                {"kind": "midterm", "result": "pass", "note": "中期"})),
    "POST /grants/{grant_id}/completion":                Row("401 200 403 403 403 403 403 403",
                                                             at("completable", "POST", "/grants/{grant}/completion")),
    "POST /grants/{grant_id}/followup":                  Row("401 201 201 403 403 403 403 403",
                                                             at("completed", "POST", "/grants/{grant}/followup",
                                                                {"pledge": "继续提供场地"}),
                                                             "the landing street's officer"),
    "POST /claiming/editions":                           Row("401 201 201 403 403 403 201 403", new_edition,
                                                             "the organiser org, its street (community worker)"),
    "GET /claiming/editions/{edition_id}":               Row("200 200 200 200 200 200 200 200",
                                                             on_edition("GET", "/claiming/editions/{edition}"),
                                                             "the public page"),
    "POST /claiming/editions/{edition_id}/closure":      Row("401 200 200 403 403 403 200 403",
                                                             on_edition("POST",
                                                                        "/claiming/editions/{edition}/closure")),
    "POST /claiming/editions/{edition_id}/items":        Row("401 201 201 403 403 403 201 403",
                                                             on_edition("POST", "/claiming/editions/{edition}/items",
                                                                        ITEM)),
    "GET /claiming/editions/{edition_id}/claims":        Row("401 200 200 403 403 403 200 403",
                                                             on_edition("GET", "/claiming/editions/{edition}/claims"),
                                                             "who runs it (phones included)"),
    "POST /claiming/items/{item_id}/claims":             Row("401 403 403 403 403 403 201 201", account_claim,
                                                             "any org, in its own name"),
    "POST /public/claiming/items/{item_id}/claims":      Row("201 201 201 201 201 201 201 201", public_claim,
                                                             "public, with a mobile number"),
    "POST /claiming/claims/{claim_id}/confirmation":     Row("401 200 200 403 403 403 200 403",
                                                             on_claim("/claiming/claims/{claim}/confirmation")),
    "POST /claiming/claims/{claim_id}/decline":          Row("401 200 200 403 403 403 200 403",
                                                             on_claim("/claiming/claims/{claim}/decline",
                                                                      {"reason": "已满"})),
    "POST /claiming/items/{item_id}/completion":         Row("401 200 200 403 403 403 200 403", completion),
    "POST /contests":                                    Row("401 201 201 403 403 403 403 403", new_contest,
                                                             "the street round's street"),
    "GET /contests/{contest_id}":                        Row("200 200 200 200 200 200 200 200", contest_page,
                                                             "public"),
    "POST /contests/{contest_id}/proposals":             Row("401 201 201 403 403 403 403 403", proposal),
    "PUT /contests/{contest_id}/proposals/{proposal_id}/scores/mine":
                                                         Row("401 403 403 403 200 403 403 403", panel_score,
                                                             "a panelist"),
    "POST /public/contests/{contest_id}/votes":          Row("201 201 201 201 201 201 201 201", vote,
                                                             "public: by account or phone"),
    "POST /contests/{contest_id}/closure":               Row("401 200 200 403 403 403 403 403", contest_closure),
    "GET /clock":                                        Row("401 200 403 403 403 403 403 403", get("/clock")),
    "PUT /clock":                                        Row("401 200 403 403 403 403 403 403", clock),
}  # fmt: skip


@pytest.fixture(scope="module")
async def env() -> AsyncIterator[Env]:
    from venture.handlers import registry as registry_uc

    async with running_app("venture", demo_mode=True) as running:
        service = running.app.state.service
        own = uuid4()
        for org_id, name in ((own, "东四为老服务中心"), (OTHER_ORG, "北新桥邻里中心")):
            snap = OrgSnapshot(
                org_id=org_id,
                version=1,
                name=name,
                org_type="private_non_enterprise",
                status="registered",
                street_code=STREET,
                credit_code="52110101MJ0123456W",
            )
            async with service.unit_of_work() as uow:
                await registry_uc.record_org(uow.stores.orgs, snap)
        running.extra["own"] = own
        yield running


async def test_every_venture_route_has_a_matrix_row(env: Env) -> None:
    assert_complete(env.app, MATRIX)


@pytest.mark.parametrize("key", list(MATRIX))
async def test_venture_route_answers_each_caller_as_the_matrix_says(env: Env, key: str) -> None:
    mismatches = await check_row(env, key, MATRIX[key])
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("key", write_routes(MATRIX))
async def test_venture_route_refuses_a_nul_in_any_body_string_without_a_server_error(env: Env, key: str) -> None:
    problems = await check_nul_in_body(env, key, MATRIX[key])
    assert not problems, "\n".join(problems)
