"""Steps 4 and 5: initial screening, then the approval review — panel, conflicts, scores, selection."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import Field

from procurement import access
from procurement.api.deps import ServiceDep, SetupDep, TodayDep
from procurement.domain.documents import dump
from procurement.domain.project import Project
from shared.contracts.base import IntegrationEvent
from shared.inputs import InputModel

from .common import Reviewer, Staff, managed, managed_with_org, run_as

router = APIRouter(tags=["projects"])

# --- 4 screening, 5 review ----------------------------------------------------------------------------


class ScreeningIn(InputModel):
    valid: bool
    reason: str | None = Field(default=None, max_length=2000)


@router.post("/projects/{project_id}/proposals/{proposal_id}/screening", summary="Initial screening (项目初筛)")
async def screen(
    project_id: UUID, proposal_id: UUID, body: ScreeningIn, p: Staff, svc: ServiceDep, today: TodayDep
) -> dict[str, Any]:
    return await managed_with_org(
        svc,
        project_id,
        p,
        lambda pr: pr.proposal(proposal_id).org_id,
        lambda pr, org: pr.screen(proposal_id=proposal_id, valid=body.valid, reason=body.reason, org=org, today=today),
    )


@router.post("/projects/{project_id}/review", summary="Close screening and start the approval review (立项评审)")
async def start_review(project_id: UUID, p: Staff, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    return await managed(svc, project_id, p, lambda pr: pr.start_review(today=today))


class ReviewerIn(InputModel):
    reviewer: str = Field(min_length=1, max_length=200)


@router.post("/projects/{project_id}/reviewers", summary="Assign a reviewer to the panel")
async def assign_reviewer(project_id: UUID, body: ReviewerIn, p: Staff, svc: ServiceDep) -> dict[str, Any]:
    return await managed(svc, project_id, p, lambda pr: pr.assign_reviewer(sub=body.reviewer))


class ConflictsIn(InputModel):
    org_ids: list[UUID] = Field(
        default_factory=list, description="orgs the reviewer has a conflict with (may be empty)"
    )
    note: str | None = Field(default=None, max_length=2000)


@router.post("/projects/{project_id}/conflicts", summary="A reviewer declares conflicts of interest")
async def declare_conflicts(project_id: UUID, body: ConflictsIn, p: Reviewer, svc: ServiceDep) -> dict[str, Any]:
    async def decide(project: Project) -> Sequence[IntegrationEvent]:
        return project.declare_conflicts(sub=p.sub, org_ids=body.org_ids, note=body.note)

    project = await run_as(svc, project_id, decide)
    return access.view(project, p, manager=False)


class ScoreIn(InputModel):
    criteria: dict[str, Decimal]
    comment: str = Field(default="", max_length=5000)


@router.post("/projects/{project_id}/proposals/{proposal_id}/scores", summary="A reviewer scores a valid proposal")
async def score(
    project_id: UUID, proposal_id: UUID, body: ScoreIn, p: Reviewer, svc: ServiceDep, setup: SetupDep
) -> dict[str, Any]:
    out: dict[str, Any] = {}

    async def decide(project: Project) -> Sequence[IntegrationEvent]:
        entry = project.score(
            sub=p.sub, proposal_id=proposal_id, criteria=body.criteria, comment=body.comment, rules=setup.rules
        )
        out.update(dump(entry))
        return []

    await run_as(svc, project_id, decide)
    return out


@router.post("/projects/{project_id}/approval", summary="Rank, select within budget, start the announcement")
async def approve(project_id: UUID, p: Staff, svc: ServiceDep, setup: SetupDep, today: TodayDep) -> dict[str, Any]:
    return await managed(
        svc, project_id, p, lambda pr: pr.approve(rules=setup.rules, calendar=setup.calendar, today=today)
    )
