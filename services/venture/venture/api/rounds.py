"""Rounds, applications, screening, public notice, objections and awards."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends

from shared.auth import Principal, Role, forbid, require
from shared.errors import Invalid
from venture.api.access import require_project
from venture.api.deps import Ctx
from venture.api.models import ApplicationIn, AwardIn, ObjectionIn, ResolutionIn, RoundIn, ScreeningIn
from venture.api.views import application_view, money, round_view
from venture.domain.rounds import RoundStatus
from venture.handlers import notice as notice_uc
from venture.handlers import review as review_uc
from venture.handlers import rounds as uc
from venture.store import review as review_store
from venture.store import rounds as store

router = APIRouter(tags=["rounds"])
ADMIN = require(Role.DISTRICT_ADMIN)


@router.post("/rounds", status_code=201, summary="Open a round (district_admin)")
async def open_round(body: RoundIn, ctx: Ctx = Depends(), _: Principal = Depends(ADMIN)) -> dict[str, Any]:
    r = body.to_round()
    async with ctx.tx() as conn:
        await ctx.publish(conn, await uc.open_round(conn, r))
    return round_view(r)


@router.get("/rounds", summary="Rounds and their calls (public)")
async def list_rounds(ctx: Ctx = Depends()) -> list[dict[str, Any]]:
    async with ctx.read() as conn:
        return [round_view(r) for r in await store.list_rounds(conn)]


@router.get("/rounds/{round_id}", summary="One round (public)")
async def get_round(round_id: UUID, ctx: Ctx = Depends()) -> dict[str, Any]:
    async with ctx.read() as conn:
        return round_view(await uc.load_round(conn, round_id))


@router.post("/rounds/{round_id}/call-closure", summary="Close the call for proposals (district_admin)")
async def close_call(round_id: UUID, ctx: Ctx = Depends(), _: Principal = Depends(ADMIN)) -> dict[str, Any]:
    async with ctx.tx() as conn:
        await ctx.publish(conn, await uc.close_call(conn, round_id, today=await ctx.today(conn)))
        return round_view(await uc.load_round(conn, round_id))


@router.post("/rounds/{round_id}/applications", status_code=201, summary="Apply (org; district_admin on paper)")
async def submit_application(
    round_id: UUID,
    body: ApplicationIn,
    ctx: Ctx = Depends(),
    p: Principal = Depends(require(Role.ORG, Role.DISTRICT_ADMIN)),
) -> dict[str, Any]:
    org_id = body.org_id
    if p.role is Role.ORG:
        org_id = org_id or p.org_id
        # An org applies for itself, or as the registered sponsor of a filed community group.
        if p.org_id not in (org_id, body.sponsor_org_id):
            raise forbid("an org applies in its own name or as the sponsor named in sponsor_org_id")
    if org_id is None:
        raise Invalid("org_id", "org_id is required when applying on an org's behalf")
    async with ctx.tx() as conn:
        app_id, events = await uc.submit_application(
            conn,
            round_id,
            org_id=org_id,
            sponsor_org_id=body.sponsor_org_id,
            submitted_by=p.sub,
            title=body.title,
            street_code=body.street_code,
            community=body.community,
            domain=body.domain.value,
            requested_cny=body.requested_cny,
            plan=body.plan,
            milestones=[m.model_dump(mode="json") for m in body.milestones],
            today=await ctx.today(conn),
        )
        await ctx.publish(conn, events)
        return application_view(await uc.load_application(conn, app_id))


@router.get("/rounds/{round_id}/applications", summary="Applications you may see (admin: all; org: own; street)")
async def list_applications(
    round_id: UUID,
    ctx: Ctx = Depends(),
    p: Principal = Depends(require(Role.DISTRICT_ADMIN, Role.ORG, Role.STREET_OFFICER)),
) -> list[dict[str, Any]]:
    async with ctx.read() as conn:
        await uc.load_round(conn, round_id)
        rows = await store.applications_of_round(conn, round_id)
    if p.role is Role.ORG:
        rows = [r for r in rows if p.org_id in (r["org_id"], r["sponsor_org_id"])]
    elif p.role is Role.STREET_OFFICER:
        rows = [r for r in rows if r["street_code"] == p.street]
    return [application_view(r) for r in rows]


@router.get("/applications/{app_id}", summary="One application (scoped by role; blind for reviewers)")
async def get_application(
    app_id: UUID,
    ctx: Ctx = Depends(),
    p: Principal = Depends(require(Role.DISTRICT_ADMIN, Role.ORG, Role.STREET_OFFICER, Role.REVIEWER)),
) -> dict[str, Any]:
    async with ctx.read() as conn:
        row = await uc.load_application(conn, app_id)
        if p.role is Role.REVIEWER:
            await review_uc.check_reviewer_may_open(conn, row, p.sub)
            r = await uc.load_round(conn, row["round_id"])
            return application_view(row, blind=r.blind_review, for_reviewer=True)
    require_project(p, row)
    return application_view(row)


@router.post("/applications/{app_id}/withdrawal", summary="Withdraw an application during the call (its org/sponsor)")
async def withdraw(app_id: UUID, ctx: Ctx = Depends(), p: Principal = Depends(require(Role.ORG))) -> dict[str, Any]:
    async with ctx.tx() as conn:
        require_project(p, await uc.load_application(conn, app_id))
        await ctx.publish(conn, await uc.withdraw(conn, app_id, today=await ctx.today(conn)))
        return application_view(await uc.load_application(conn, app_id))


@router.post("/applications/{app_id}/screening", summary="Screen an application, with the reason (district_admin)")
async def screen(
    app_id: UUID, body: ScreeningIn, ctx: Ctx = Depends(), _: Principal = Depends(ADMIN)
) -> dict[str, Any]:
    async with ctx.tx() as conn:
        events = await review_uc.screen(
            conn, app_id, passed=body.passed, reason=body.reason, today=await ctx.today(conn)
        )
        await ctx.publish(conn, events)
        return application_view(await uc.load_application(conn, app_id))


@router.get("/rounds/{round_id}/ranking", summary="Ranking and budget preview before the notice (district_admin)")
async def ranking(round_id: UUID, ctx: Ctx = Depends(), _: Principal = Depends(ADMIN)) -> dict[str, Any]:
    async with ctx.read() as conn:
        r, decisions, apps = await review_uc.ranking(conn, round_id)
    return {
        "round_id": str(round_id),
        "budget_cny": money(r.total_budget_cny),
        "ranking": [
            {
                "application_id": str(d.application_id),
                "title": apps[d.application_id]["title"],
                "score": str(d.score),
                "rank": d.rank,
                "selected": d.selected,
                "award_cny": money(d.award_cny),
                "reason": d.reason,
            }
            for d in decisions
        ],
    }


@router.post("/rounds/{round_id}/notice", summary="Announce results on public notice (district_admin)")
async def announce(round_id: UUID, ctx: Ctx = Depends(), _: Principal = Depends(ADMIN)) -> dict[str, Any]:
    async with ctx.tx() as conn:
        await ctx.publish(
            conn, await notice_uc.announce(conn, round_id, today=await ctx.today(conn), calendar=ctx.calendar)
        )
    return await notice(round_id, ctx)


@router.get("/rounds/{round_id}/notice", summary="The public notice of results (public, 立项公示)")
async def notice(round_id: UUID, ctx: Ctx = Depends()) -> dict[str, Any]:
    async with ctx.read() as conn:
        r = await uc.load_round(conn, round_id)
        if r.status not in (RoundStatus.NOTICE, RoundStatus.AWARDED):
            return {"round_id": str(round_id), "status": r.status.value, "projects": []}
        rows = await store.applications_of_round(conn, round_id)
    return {
        "round_id": str(round_id),
        "round_number": r.number,
        "title": f"第{r.number}届{r.title}立项公示",
        "status": r.status.value,
        "notice_starts_on": r.notice_starts_on and r.notice_starts_on.isoformat(),
        "notice_ends_on": r.notice_ends_on and r.notice_ends_on.isoformat(),
        "objection_deadline": r.notice_ends_on and r.notice_ends_on.isoformat(),
        "projects": [
            {
                "application_id": str(a["id"]),
                "title": a["title"],
                "org_name": a["org_name"],
                "street_code": a["street_code"],
                "domain": a["domain"],
                "amount_cny": money(a["award_cny"]),
                "rank": a["rank"],
            }
            for a in rows
            if a["status"] in ("selected", "awarded")
        ],
    }


@router.post("/rounds/{round_id}/objections", status_code=201, summary="Object to a project on notice (org)")
async def file_objection(
    round_id: UUID, body: ObjectionIn, ctx: Ctx = Depends(), p: Principal = Depends(require(Role.ORG))
) -> dict[str, Any]:
    async with ctx.tx() as conn:
        app = await uc.load_application(conn, body.application_id)
        if app["round_id"] != round_id:
            raise Invalid("application_id", "not an application of this round")
        objection_id, events = await notice_uc.file_objection(
            conn,
            body.application_id,
            filed_by=p.sub,
            filed_by_org_id=p.org_id,
            reason=body.reason,
            today=await ctx.today(conn),
        )
        await ctx.publish(conn, events)
    return {"id": str(objection_id), "status": "open"}


@router.get("/rounds/{round_id}/objections", summary="Objections of a round (district_admin)")
async def list_objections(round_id: UUID, ctx: Ctx = Depends(), _: Principal = Depends(ADMIN)) -> list[dict[str, Any]]:
    async with ctx.read() as conn:
        rows = await review_store.objections_of_round(conn, round_id)
    return [
        {
            "id": str(r["id"]),
            "application_id": str(r["application_id"]),
            "filed_by": r["filed_by"],
            "filed_by_org_id": r["filed_by_org_id"] and str(r["filed_by_org_id"]),
            "reason": r["reason"],
            "status": r["status"],
            "resolution": r["resolution"],
            "filed_on": r["filed_on"].isoformat(),
            "resolved_on": r["resolved_on"] and r["resolved_on"].isoformat(),
        }
        for r in rows
    ]


@router.post("/objections/{objection_id}/resolution", summary="Resolve an objection (district_admin)")
async def resolve_objection(
    objection_id: UUID, body: ResolutionIn, ctx: Ctx = Depends(), _: Principal = Depends(ADMIN)
) -> dict[str, Any]:
    async with ctx.tx() as conn:
        events = await notice_uc.resolve_objection(
            conn, objection_id, upheld=body.upheld, resolution=body.resolution, today=await ctx.today(conn)
        )
        await ctx.publish(conn, events)
    return {"id": str(objection_id), "status": "upheld" if body.upheld else "dismissed"}


@router.post("/rounds/{round_id}/awards", summary="Award grants after the notice (district_admin)")
async def award(
    round_id: UUID, body: AwardIn | None = None, ctx: Ctx = Depends(), _: Principal = Depends(ADMIN)
) -> dict[str, Any]:
    async with ctx.tx() as conn:
        events = await notice_uc.award(
            conn, round_id, mentors=(body.mentors if body else {}), today=await ctx.today(conn)
        )
        await ctx.publish(conn, events)
    grants = [e.model_dump(mode="json") for e in events if e.routing_key == "venture.grant_awarded.v1"]
    return {"round_id": str(round_id), "grants": grants}
