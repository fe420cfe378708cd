"""Steps 2 and 3: revising the sorted project, the call for proposals and the proposals themselves."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import Field

from procurement import access
from procurement.api.deps import ServiceDep, SetupDep, TodayDep
from procurement.domain.documents import dump
from procurement.handlers import projects as h
from shared.contracts.base import PositiveMoneyCNY
from shared.inputs import InputModel
from shared.paging import PAGED, PagingDep
from shared.reference import Domain

from .common import Anyone, DeadlineIn, OrgUser, Staff, managed

router = APIRouter(tags=["projects"])

# --- 2 sorting, 3 solicitation ---------------------------------------------------------------------


class ReviseIn(InputModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    domain: Domain | None = None
    budget_cny: Decimal | None = Field(default=None, gt=0, max_digits=14, decimal_places=2)
    expected_beneficiaries: int | None = Field(default=None, ge=0)


@router.patch("/projects/{project_id}", summary="Revise a project during sorting")
async def revise(project_id: UUID, body: ReviseIn, p: Staff, svc: ServiceDep, setup: SetupDep) -> dict[str, Any]:
    changes = body.model_dump(exclude_none=True)
    return await managed(svc, project_id, p, lambda pr: pr.revise(rules=setup.rules, changes=changes))


@router.post("/projects/{project_id}/solicitation", summary="Open the call for proposals (项目征集)")
async def open_solicitation(
    project_id: UUID, body: DeadlineIn, p: Staff, svc: ServiceDep, today: TodayDep
) -> dict[str, Any]:
    return await managed(svc, project_id, p, lambda pr: pr.open_solicitation(closes_on=body.closes_on, today=today))


class ProposalIn(InputModel):
    title: str = Field(min_length=1, max_length=200)
    plan: str = Field(min_length=1, max_length=20000)
    budget_cny: PositiveMoneyCNY


@router.post("/projects/{project_id}/proposals", status_code=201, summary="An org submits or revises its proposal")
async def submit_proposal(
    project_id: UUID, body: ProposalIn, p: OrgUser, svc: ServiceDep, today: TodayDep
) -> dict[str, Any]:
    assert p.org_id is not None
    async with svc.unit_of_work() as uow:
        s = uow.stores
        proposal, events = await h.submit_proposal(
            s.projects,
            s.orgs,
            s.grants,
            project_id,
            org_id=p.org_id,
            title=body.title,
            plan=body.plan,
            budget_cny=body.budget_cny,
            today=today,
        )
        uow.emit(events)
    return dump(proposal)


@router.get(
    "/projects/{project_id}/proposals",
    summary="Proposals: staff all, an org its own, a reviewer the valid ones",
    responses=PAGED,
)
async def list_proposals(
    paging: PagingDep, project_id: UUID, principal: Anyone, svc: ServiceDep
) -> list[dict[str, Any]]:
    async with svc.reading() as s:
        project = await h.get(s.projects, project_id)
    return paging.of([dump(x) for x in access.visible_proposals(principal, project)])


@router.post("/projects/{project_id}/solicitation/close", summary="Close the call; screening begins")
async def close_solicitation(project_id: UUID, p: Staff, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    return await managed(svc, project_id, p, lambda pr: pr.close_solicitation(today=today))
