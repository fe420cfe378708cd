"""Reviewer panels: assignments, conflict-of-interest declarations, rubric scores."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends

from shared.auth import Principal, Role, forbid, require
from venture.api.deps import Ctx
from venture.api.models import AssignmentIn, DeclarationIn, ScoreIn
from venture.handlers import review as review_uc
from venture.handlers import rounds as uc
from venture.store import review as review_store

router = APIRouter(tags=["review"])
ADMIN = require(Role.DISTRICT_ADMIN)
REVIEWER = require(Role.REVIEWER)


@router.post("/rounds/{round_id}/assignments", status_code=201, summary="Assign a reviewer (district_admin)")
async def assign(
    round_id: UUID, body: AssignmentIn, ctx: Ctx = Depends(), _: Principal = Depends(ADMIN)
) -> dict[str, Any]:
    async with ctx.tx() as conn:
        events = await review_uc.assign_reviewer(
            conn, round_id, reviewer=body.reviewer, application_ids=body.application_ids
        )
        await ctx.publish(conn, events)
    return {
        "round_id": str(round_id),
        "reviewer": body.reviewer,
        "application_ids": [str(a) for a in body.application_ids],
    }


@router.get("/reviewer/assignments", summary="My assignments (reviewer)")
async def my_assignments(ctx: Ctx = Depends(), p: Principal = Depends(REVIEWER)) -> list[dict[str, Any]]:
    async with ctx.read() as conn:
        rows = await review_store.assignments_of(conn, p.sub)
    return [
        {
            "round_id": str(r["round_id"]),
            "round_number": r["round_number"],
            "application_id": str(r["application_id"]),
            # Until the declaration the reviewer sees no more than that an assignment exists.
            "title": r["title"] if r["declared"] and not r["conflicted"] else None,
            "declared": r["declared"],
            "conflicted": r["conflicted"],
            "scored": r["scored"],
        }
        for r in rows
    ]


@router.get("/rounds/{round_id}/applicants", summary="Applicant and sponsor orgs to declare conflicts against")
async def applicants(
    round_id: UUID, ctx: Ctx = Depends(), p: Principal = Depends(require(Role.REVIEWER, Role.DISTRICT_ADMIN))
) -> list[dict[str, Any]]:
    async with ctx.read() as conn:
        if p.role is Role.REVIEWER and not await review_store.has_assignment_in_round(conn, round_id, p.sub):
            raise forbid("no applications of this round are assigned to you")
        rows = await review_store.applicant_orgs(conn, round_id)
    # The list is not linked to applications, so a blind round stays blind.
    return [{"org_id": str(r["org_id"]), "name": r["name"]} for r in rows]


@router.post("/rounds/{round_id}/declarations", status_code=201, summary="Declare conflicts of interest (reviewer)")
async def declare(
    round_id: UUID, body: DeclarationIn, ctx: Ctx = Depends(), p: Principal = Depends(REVIEWER)
) -> dict[str, Any]:
    async with ctx.tx() as conn:
        events = await review_uc.declare_conflicts(
            conn,
            round_id,
            reviewer=p.sub,
            org_ids=body.conflicted_org_ids,
            statement=body.statement,
            today=await ctx.today(conn),
        )
        await ctx.publish(conn, events)
    conflicted = events[0].model_dump(mode="json")["conflicted_application_ids"]
    return {"round_id": str(round_id), "conflicted_application_ids": conflicted}


@router.put("/applications/{app_id}/scores/mine", summary="Score an application on the rubric (reviewer)")
async def score(app_id: UUID, body: ScoreIn, ctx: Ctx = Depends(), p: Principal = Depends(REVIEWER)) -> dict[str, Any]:
    async with ctx.tx() as conn:
        total = await review_uc.score(conn, app_id, reviewer=p.sub, criteria=body.criteria, comment=body.comment)
    return {"application_id": str(app_id), "total": str(total)}


@router.get("/applications/{app_id}/scores", summary="Scores (district_admin: all; reviewer: only their own)")
async def scores(
    app_id: UUID, ctx: Ctx = Depends(), p: Principal = Depends(require(Role.DISTRICT_ADMIN, Role.REVIEWER))
) -> list[dict[str, Any]]:
    async with ctx.read() as conn:
        app = await uc.load_application(conn, app_id)
        if p.role is Role.REVIEWER:
            await review_uc.check_reviewer_may_open(conn, app, p.sub)
        rows = await review_store.scores_of(conn, app_id, p.sub if p.role is Role.REVIEWER else None)
    return [
        {"reviewer": r["reviewer"], "criteria": r["criteria"], "total": str(r["total"]), "comment": r["comment"]}
        for r in rows
    ]
