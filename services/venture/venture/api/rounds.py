"""Rounds, applications, screening, public notice, objections and awards."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request

from shared.auth import Principal, Role, require
from shared.errors import Forbidden, Invalid
from shared.paging import PAGED, PagingDep
from venture import access
from venture.api.deps import Calendar, Runner, Today, check_runs_round, service_of
from venture.api.models import ApplicationIn, AwardIn, ObjectionIn, ResolutionIn, RoundIn, ScreeningIn
from venture.api.views import application_view, money, objection_view, round_view
from venture.domain.rounds import RoundStatus
from venture.handlers import notice as notice_uc
from venture.handlers import review as review_uc
from venture.handlers import rounds as uc
from venture.store import Stores

router = APIRouter(tags=["rounds"])


@router.post("/rounds", status_code=201, summary="Open a round (district_admin; street_officer: its street's round)")
async def open_round(body: RoundIn, request: Request, p: Runner) -> dict[str, Any]:
    new = access.owned_round(p, body.to_round(), level_given=body.level is not None)
    async with service_of(request).unit_of_work() as uow:
        r, events = await uc.open_round(uow.stores.rounds, uow.stores.orgs, new)
        uow.emit(events)
    return round_view(r)


@router.get("/rounds", summary="Rounds and their calls (public)", responses=PAGED)
async def list_rounds(paging: PagingDep, request: Request) -> list[dict[str, Any]]:
    async with service_of(request).reading() as s:
        return paging.of([round_view(r) for r in await s.rounds.all()])


@router.get("/rounds/{round_id}", summary="One round (public)")
async def get_round(round_id: UUID, request: Request) -> dict[str, Any]:
    async with service_of(request).reading() as s:
        return round_view(await uc.load_round(s.rounds, round_id))


@router.post(
    "/rounds/{round_id}/call-closure",
    summary="Close the call for proposals (district_admin; street_officer: its street's round)",
)
async def close_call(round_id: UUID, request: Request, p: Runner, today: Today) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        await check_runs_round(uow.stores.rounds, round_id, p)
        r, events = await uc.close_call(uow.stores.rounds, uow.stores.applications, round_id, today=today)
        uow.emit(events)
    return round_view(r)


@router.post("/rounds/{round_id}/applications", status_code=201, summary="Apply (org; district_admin on paper)")
async def submit_application(
    round_id: UUID,
    body: ApplicationIn,
    request: Request,
    p: Annotated[Principal, Depends(require(Role.ORG, Role.DISTRICT_ADMIN))],
    today: Today,
) -> dict[str, Any]:
    req = uc.ApplicationRequest(
        org_id=access.applying_org(p, body.org_id, body.sponsor_org_id),
        sponsor_org_id=body.sponsor_org_id,
        submitted_by=p.sub,
        title=body.title,
        street_code=body.street_code,
        community=body.community,
        domain=body.domain.value,
        requested_cny=body.requested_cny,
        plan=body.plan,
        milestones=[m.model_dump(mode="json") for m in body.milestones],
    )
    async with service_of(request).unit_of_work() as uow:
        s = uow.stores
        app, events = await uc.submit_application(s.rounds, s.applications, s.orgs, round_id, req, today=today)
        uow.emit(events)
        return application_view(await uc.load_application(s.applications, app.id))


@router.get(
    "/rounds/{round_id}/applications",
    summary="Applications you may see (admin: all; org: own; street)",
    responses=PAGED,
)
async def list_applications(
    paging: PagingDep,
    round_id: UUID,
    request: Request,
    p: Annotated[Principal, Depends(require(Role.DISTRICT_ADMIN, Role.ORG, Role.STREET_OFFICER))],
) -> list[dict[str, Any]]:
    async with service_of(request).reading() as s:
        if not access.may_see_round(p, await uc.load_round(s.rounds, round_id)):
            raise Forbidden("无权查看其他街道的微创投申报")
        apps = await s.applications.of_round(round_id)
    return paging.of([application_view(a) for a in apps if access.may_see_project(p, a)])


@router.get("/applications/{app_id}", summary="One application (scoped by role; blind for reviewers)")
async def get_application(
    app_id: UUID,
    request: Request,
    p: Annotated[Principal, Depends(require(Role.DISTRICT_ADMIN, Role.ORG, Role.STREET_OFFICER, Role.REVIEWER))],
) -> dict[str, Any]:
    async with service_of(request).reading() as s:
        app = await uc.load_application(s.applications, app_id)
        if p.role is Role.REVIEWER:
            await review_uc.check_reviewer_may_open(s.review, app, p.sub)
            r = await uc.load_round(s.rounds, app.round_id)
            return application_view(app, blind=r.blind_review, for_reviewer=True)
    access.check_may_see_project(p, app)
    return application_view(app)


@router.post("/applications/{app_id}/withdrawal", summary="Withdraw an application during the call (its org/sponsor)")
async def withdraw(
    app_id: UUID, request: Request, p: Annotated[Principal, Depends(require(Role.ORG))], today: Today
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        s = uow.stores
        access.check_may_see_project(p, await uc.load_application(s.applications, app_id))
        _, events = await uc.withdraw(s.rounds, s.applications, app_id, today=today)
        uow.emit(events)
        return application_view(await uc.load_application(s.applications, app_id))


@router.post(
    "/applications/{app_id}/screening",
    summary="Screen an application, with the reason (district_admin; street_officer: its street's round)",
)
async def screen(app_id: UUID, body: ScreeningIn, request: Request, p: Runner, today: Today) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        s = uow.stores
        await check_runs_round(s.rounds, (await uc.load_application(s.applications, app_id)).round_id, p)
        events = await review_uc.screen(
            s.rounds, s.applications, app_id, passed=body.passed, reason=body.reason, today=today
        )
        uow.emit(events)
        return application_view(await uc.load_application(s.applications, app_id))


@router.get(
    "/rounds/{round_id}/ranking",
    summary="Ranking and budget preview before the notice (district_admin; street_officer: its street's round)",
)
async def ranking(round_id: UUID, request: Request, p: Runner) -> dict[str, Any]:
    async with service_of(request).reading() as s:
        await check_runs_round(s.rounds, round_id, p)
        ranked = await review_uc.ranking(s.rounds, s.applications, s.review, round_id)
    return {
        "round_id": str(round_id),
        "budget_cny": money(ranked.round.total_budget_cny),
        "ranking": [
            {
                "application_id": str(d.application_id),
                "title": ranked.applications[d.application_id].title,
                "score": str(d.score),
                "rank": d.rank,
                "selected": d.selected,
                "award_cny": money(d.award_cny),
                "reason": d.reason,
            }
            for d in ranked.decisions
        ],
    }


@router.post(
    "/rounds/{round_id}/notice",
    summary="Announce results on public notice (district_admin; street_officer: its street's round)",
)
async def announce(round_id: UUID, request: Request, p: Runner, today: Today, calendar: Calendar) -> dict[str, Any]:
    service = service_of(request)
    async with service.unit_of_work() as uow:
        s = uow.stores
        await check_runs_round(s.rounds, round_id, p)
        uow.emit(await notice_uc.announce(s.rounds, s.applications, s.review, round_id, today=today, calendar=calendar))
    async with service.reading() as s:
        return await _notice(s, round_id)


@router.get("/rounds/{round_id}/notice", summary="The public notice of results (public, 立项公示)")
async def notice(round_id: UUID, request: Request) -> dict[str, Any]:
    async with service_of(request).reading() as s:
        return await _notice(s, round_id)


async def _notice(s: Stores, round_id: UUID) -> dict[str, Any]:
    r = await uc.load_round(s.rounds, round_id)
    if r.status not in (RoundStatus.NOTICE, RoundStatus.AWARDED):
        return {"round_id": str(round_id), "status": r.status.value, "projects": []}
    apps = await s.applications.of_round(round_id)
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
                "application_id": str(a.id),
                "title": a.title,
                "org_name": a.org_name,
                "street_code": a.street_code,
                "domain": a.domain,
                "amount_cny": money(a.award_cny),
                "rank": a.rank,
            }
            for a in apps
            if a.status in ("selected", "awarded")
        ],
    }


@router.post("/rounds/{round_id}/objections", status_code=201, summary="Object to a project on notice (org)")
async def file_objection(
    round_id: UUID,
    body: ObjectionIn,
    request: Request,
    p: Annotated[Principal, Depends(require(Role.ORG))],
    today: Today,
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        s = uow.stores
        app = await uc.load_application(s.applications, body.application_id)
        if app.round_id != round_id:
            raise Invalid("application_id", "不是本届的申报")
        objection, events = await notice_uc.file_objection(
            s.rounds,
            s.applications,
            s.objections,
            body.application_id,
            filed_by=p.sub,
            filed_by_org_id=p.org_id,
            reason=body.reason,
            today=today,
        )
        uow.emit(events)
    return {"id": str(objection.id), "status": "open"}


@router.get(
    "/rounds/{round_id}/objections",
    summary="Objections of a round (district_admin; street_officer: its street's round)",
    responses=PAGED,
)
async def list_objections(paging: PagingDep, round_id: UUID, request: Request, p: Runner) -> list[dict[str, Any]]:
    async with service_of(request).reading() as s:
        await check_runs_round(s.rounds, round_id, p)
        return paging.of([objection_view(o) for o in await s.objections.of_round(round_id)])


@router.post(
    "/objections/{objection_id}/resolution",
    summary="Resolve an objection (district_admin; street_officer: its street's round)",
)
async def resolve_objection(
    objection_id: UUID, body: ResolutionIn, request: Request, p: Runner, today: Today
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        s = uow.stores
        objection = await s.objections.get_for_update(objection_id)
        if objection is not None:
            await check_runs_round(s.rounds, objection.round_id, p)
        events = await notice_uc.resolve_objection(
            s.rounds,
            s.applications,
            s.objections,
            objection_id,
            upheld=body.upheld,
            resolution=body.resolution,
            today=today,
        )
        uow.emit(events)
    return {"id": str(objection_id), "status": "upheld" if body.upheld else "dismissed"}


@router.post(
    "/rounds/{round_id}/awards",
    summary="Award grants after the notice (district_admin; street_officer: its street's round)",
)
async def award(
    round_id: UUID, request: Request, p: Runner, today: Today, body: AwardIn | None = None
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        s = uow.stores
        await check_runs_round(s.rounds, round_id, p)
        events = await notice_uc.award(
            s.rounds,
            s.applications,
            s.objections,
            s.grants,
            s.orgs,
            round_id,
            mentors=(body.mentors if body else {}),
            today=today,
        )
        uow.emit(events)
    grants = [e.model_dump(mode="json") for e in events if e.routing_key == "venture.grant_awarded.v1"]
    return {"round_id": str(round_id), "grants": grants}
