"""Leaving the ordinary path: cancelling, declaring the procurement unsuccessful, re-soliciting."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import Field

from procurement.api.deps import ServiceDep, TodayDep
from shared.inputs import InputModel

from .common import DeadlineIn, Staff, managed

router = APIRouter(tags=["projects"])

# --- exits ------------------------------------------------------------------------------------------------


class ReasonIn(InputModel):
    reason: str = Field(min_length=1, max_length=5000)


@router.post("/projects/{project_id}/cancellation", summary="Cancel the project")
async def cancel(project_id: UUID, body: ReasonIn, p: Staff, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    return await managed(svc, project_id, p, lambda pr: pr.cancel(reason=body.reason, today=today))


@router.post("/projects/{project_id}/unsuccessful", summary="Declare the procurement unsuccessful (流标)")
async def unsuccessful(project_id: UUID, body: ReasonIn, p: Staff, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    return await managed(svc, project_id, p, lambda pr: pr.declare_unsuccessful(reason=body.reason, today=today))


@router.post("/projects/{project_id}/resolicitation", summary="Re-solicit after an unsuccessful round")
async def resolicit(project_id: UUID, body: DeadlineIn, p: Staff, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    return await managed(svc, project_id, p, lambda pr: pr.resolicit(closes_on=body.closes_on, today=today))
