"""Grants: tranches, progress reports, evaluations, completion and the street's follow-up."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request

from shared.auth import Principal, Role, require
from shared.errors import Forbidden, Invalid, NotFound
from shared.paging import PAGED, PagingDep
from venture import access
from venture.api.deps import Runner, Today, check_runs_round, service_of
from venture.api.models import EvaluationIn, FollowupIn, ReportDecisionIn, ReportIn
from venture.api.views import evaluation_view, followup_view, grant_view, report_view
from venture.domain.grants import GrantSummary
from venture.handlers import grants as uc
from venture.store import GrantStore, Stores

router = APIRouter(tags=["grants"])
Reader = Annotated[Principal, Depends(require(Role.DISTRICT_ADMIN, Role.MONITOR, Role.ORG, Role.STREET_OFFICER))]


async def _summary(grants: GrantStore, grant_id: UUID) -> GrantSummary:
    g = await grants.summary(grant_id)
    if g is None:
        raise NotFound(f"资助项目 {grant_id} 不存在")
    return g


@router.get(
    "/grants",
    summary="Grants you may see (admin/monitor: all; org: own and sponsored; street: its own)",
    responses=PAGED,
)
async def list_grants(
    paging: PagingDep, request: Request, p: Reader, round_id: UUID | None = None
) -> list[dict[str, Any]]:
    org_id, street = access.grant_scope(p)
    async with service_of(request).reading() as s:
        grants = await s.grants.listing(org_id=org_id, street_code=street, round_id=round_id)
    return paging.of([grant_view(g) for g in grants])


@router.get("/grants/{grant_id}", summary="One grant with its tranches, reports and evaluations")
async def get_grant(grant_id: UUID, request: Request, p: Reader) -> dict[str, Any]:
    async with service_of(request).reading() as s:
        grant = await s.grants.get(grant_id)
        if grant is None:
            raise NotFound(f"资助项目 {grant_id} 不存在")
        access.check_may_see_project(p, grant.about)
        followup = await s.grants.followup(grant_id)
    out = grant_view(grant.summary(), grant.tranches)
    out["reports"] = [report_view(r) for r in grant.reports]
    out["evaluations"] = [evaluation_view(e) for e in grant.evaluations]
    out["followup"] = followup_view(followup)
    return out


async def _check_runs_grant(s: Stores, grant_id: UUID | None, p: Principal) -> None:
    """A street round's grants are run by its street; the district runs every grant."""
    g = None if grant_id is None else await s.grants.summary(grant_id)
    if g is not None:
        await check_runs_round(s.rounds, g.terms.round_id, p)
    elif p.role is not Role.DISTRICT_ADMIN:
        raise Forbidden("无权办理该资助")


@router.post(
    "/grants/{grant_id}/tranches/{number}/disbursement",
    summary="Pay a tranche (district_admin; street_officer: its street's round)",
)
async def disburse(grant_id: UUID, number: int, request: Request, p: Runner, today: Today) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        await _check_runs_grant(uow.stores, grant_id, p)
        grant, events = await uc.disburse(uow.stores.grants, grant_id, number, today=today)
        uow.emit(events)
    return grant_view(grant.summary(), grant.tranches)


@router.post("/grants/{grant_id}/reports", status_code=201, summary="Submit a progress report (the org or sponsor)")
async def submit_report(
    grant_id: UUID,
    body: ReportIn,
    request: Request,
    p: Annotated[Principal, Depends(require(Role.ORG))],
    today: Today,
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        grants = uow.stores.grants
        access.check_may_report(p, (await _summary(grants, grant_id)).terms)
        report, events = await uc.submit_report(
            grants, grant_id, body.tranche_number, summary=body.summary, by=p.sub, today=today
        )
        uow.emit(events)
    return {
        "id": str(report.id),
        "grant_id": str(grant_id),
        "tranche_number": body.tranche_number,
        "status": "submitted",
    }


@router.post(
    "/reports/{report_id}/decision",
    summary="Accept or reject a progress report (district_admin; street_officer: its street's round)",
)
async def decide_report(
    report_id: UUID, body: ReportDecisionIn, request: Request, p: Runner, today: Today
) -> dict[str, Any]:
    if not body.accepted and not body.note.strip():
        raise Invalid("note", "退回报告时须说明原因")
    async with service_of(request).unit_of_work() as uow:
        await _check_runs_grant(uow.stores, await uow.stores.grants.grant_of_report(report_id), p)
        uow.emit(
            await uc.decide_report(uow.stores.grants, report_id, accepted=body.accepted, note=body.note, today=today)
        )
    return {"id": str(report_id), "status": "accepted" if body.accepted else "rejected"}


@router.post("/grants/{grant_id}/evaluations", status_code=201, summary="Record an evaluation (admin, monitor)")
async def evaluate(
    grant_id: UUID,
    body: EvaluationIn,
    request: Request,
    p: Annotated[Principal, Depends(require(Role.DISTRICT_ADMIN, Role.MONITOR))],
    today: Today,
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        grant, events = await uc.evaluate(
            uow.stores.grants, grant_id, kind=body.kind, result=body.result, note=body.note, by=p.sub, today=today
        )
        uow.emit(events)
    return grant_view(grant.summary())


@router.post(
    "/grants/{grant_id}/completion", summary="Complete a grant (district_admin; street_officer: its street's round)"
)
async def complete(grant_id: UUID, request: Request, p: Runner, today: Today) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        await _check_runs_grant(uow.stores, grant_id, p)
        grant, events = await uc.complete(uow.stores.grants, grant_id, today=today)
        uow.emit(events)
    return grant_view(grant.summary())


@router.post("/grants/{grant_id}/followup", status_code=201, summary="The landing street's follow-up pledge")
async def followup(
    grant_id: UUID,
    body: FollowupIn,
    request: Request,
    p: Annotated[Principal, Depends(require(Role.STREET_OFFICER, Role.DISTRICT_ADMIN))],
    today: Today,
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        grants = uow.stores.grants
        access.check_may_pledge_followup(p, (await _summary(grants, grant_id)).terms)
        pledged, events = await uc.pledge_followup(grants, grant_id, pledge=body.pledge, by=p.sub, today=today)
        uow.emit(events)
    return {"grant_id": str(grant_id), "street_code": pledged.street_code, "pledge": body.pledge}
