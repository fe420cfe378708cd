"""Step 6: the public announcement, objections filed and resolved, and its close."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import Field

from procurement import access
from procurement.api.deps import ServiceDep, TodayDep
from procurement.domain.documents import dump
from procurement.domain.project import Project
from shared.auth import Role
from shared.contracts.base import IntegrationEvent
from shared.inputs import InputModel

from .common import Objector, Staff, managed, run_as

router = APIRouter(tags=["projects"])

# --- 6 announcement -------------------------------------------------------------------------------------


class ObjectionIn(InputModel):
    reason: str = Field(min_length=1, max_length=5000)


@router.post("/projects/{project_id}/objections", status_code=201, summary="File an objection (质疑)")
async def file_objection(
    project_id: UUID, body: ObjectionIn, p: Objector, svc: ServiceDep, today: TodayDep
) -> dict[str, Any]:
    out: dict[str, Any] = {}

    async def decide(project: Project) -> Sequence[IntegrationEvent]:
        access.check_objector(p, project)
        objection, events = project.file_objection(
            filed_by=p.sub, org_id=p.org_id if p.role is Role.ORG else None, reason=body.reason, today=today
        )
        out.update(dump(objection))
        return events

    await run_as(svc, project_id, decide)
    return out


class ResolutionIn(InputModel):
    upheld: bool
    resolution: str = Field(min_length=1, max_length=5000)


@router.post("/projects/{project_id}/objections/{objection_id}/resolution", summary="Uphold or dismiss an objection")
async def resolve_objection(
    project_id: UUID, objection_id: UUID, body: ResolutionIn, p: Staff, svc: ServiceDep, today: TodayDep
) -> dict[str, Any]:
    return await managed(
        svc,
        project_id,
        p,
        lambda pr: pr.resolve_objection(
            objection_id=objection_id, upheld=body.upheld, resolution=body.resolution, today=today
        ),
    )


@router.post("/projects/{project_id}/announcement/close", summary="End the announcement; optimisation begins")
async def close_announcement(project_id: UUID, p: Staff, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    return await managed(svc, project_id, p, lambda pr: pr.close_announcement(today=today))
