"""Reviewer panels: assignments, conflict-of-interest declarations, rubric scores."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request

from shared.auth import Principal, Role, require
from shared.paging import PAGED, PagingDep
from venture import access
from venture.api.deps import Runner, Today, check_runs_round, service_of
from venture.api.models import AssignmentIn, DeclarationIn, ScoreIn
from venture.handlers import review as review_uc
from venture.handlers import rounds as uc

router = APIRouter(tags=["review"])
Reviewer = Annotated[Principal, Depends(require(Role.REVIEWER))]


@router.post(
    "/rounds/{round_id}/assignments",
    status_code=201,
    summary="Assign a reviewer (district_admin; street_officer: its street's round)",
)
async def assign(round_id: UUID, body: AssignmentIn, request: Request, p: Runner) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        s = uow.stores
        await check_runs_round(s.rounds, round_id, p)
        events = await review_uc.assign_reviewer(
            s.rounds, s.applications, s.review, round_id, reviewer=body.reviewer, application_ids=body.application_ids
        )
        uow.emit(events)
    return {
        "round_id": str(round_id),
        "reviewer": body.reviewer,
        "application_ids": [str(a) for a in body.application_ids],
    }


@router.get("/reviewer/assignments", summary="My assignments (reviewer)", responses=PAGED)
async def my_assignments(paging: PagingDep, request: Request, p: Reviewer) -> list[dict[str, Any]]:
    async with service_of(request).reading() as s:
        tasks = await s.review.tasks_of(p.sub)
    return paging.of(
        [
            {
                "round_id": str(t.round_id),
                "round_number": t.round_number,
                "application_id": str(t.application_id),
                # Until the declaration the reviewer sees no more than that an assignment exists.
                "title": t.title if t.declared and not t.conflicted else None,
                "declared": t.declared,
                "conflicted": t.conflicted,
                "scored": t.scored,
            }
            for t in tasks
        ]
    )


@router.get(
    "/rounds/{round_id}/applicants", summary="Applicant and sponsor orgs to declare conflicts against", responses=PAGED
)
async def applicants(
    paging: PagingDep,
    round_id: UUID,
    request: Request,
    p: Annotated[Principal, Depends(require(Role.REVIEWER, Role.DISTRICT_ADMIN))],
) -> list[dict[str, Any]]:
    async with service_of(request).reading() as s:
        if p.role is Role.REVIEWER:
            access.check_reviewer_of_round(await s.review.has_assignment_in_round(round_id, p.sub))
        orgs = await s.review.applicant_orgs(round_id)
    # The list is not linked to applications, so a blind round stays blind.
    return paging.of([{"org_id": str(o.org_id), "name": o.name} for o in orgs])


@router.post("/rounds/{round_id}/declarations", status_code=201, summary="Declare conflicts of interest (reviewer)")
async def declare(round_id: UUID, body: DeclarationIn, request: Request, p: Reviewer, today: Today) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        conflicted, events = await review_uc.declare_conflicts(
            uow.stores.rounds,
            uow.stores.review,
            round_id,
            reviewer=p.sub,
            org_ids=body.conflicted_org_ids,
            statement=body.statement,
            today=today,
        )
        uow.emit(events)
    return {"round_id": str(round_id), "conflicted_application_ids": [str(a) for a in conflicted]}


@router.put("/applications/{app_id}/scores/mine", summary="Score an application on the rubric (reviewer)")
async def score(app_id: UUID, body: ScoreIn, request: Request, p: Reviewer) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        s = uow.stores
        total = await review_uc.score(
            s.rounds, s.applications, s.review, app_id, reviewer=p.sub, criteria=body.criteria, comment=body.comment
        )
    return {"application_id": str(app_id), "total": str(total)}


@router.get(
    "/applications/{app_id}/scores", summary="Scores (district_admin: all; reviewer: only their own)", responses=PAGED
)
async def scores(
    paging: PagingDep,
    app_id: UUID,
    request: Request,
    p: Annotated[Principal, Depends(require(Role.DISTRICT_ADMIN, Role.REVIEWER))],
) -> list[dict[str, Any]]:
    async with service_of(request).reading() as s:
        app = await uc.load_application(s.applications, app_id)
        if p.role is Role.REVIEWER:
            await review_uc.check_reviewer_may_open(s.review, app, p.sub)
        rows = await s.review.scores_of(app_id, access.scores_visible_to(p))
    return paging.of(
        [{"reviewer": r.reviewer, "criteria": r.criteria, "total": str(r.total), "comment": r.comment} for r in rows]
    )
