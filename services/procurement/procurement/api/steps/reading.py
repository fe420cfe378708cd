"""Reading projects and their scores, each caller seeing what its role and scope allow."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from procurement.access import manages, require_view
from procurement.api.deps import ServiceDep
from procurement.handlers import projects as h
from procurement.store import ProjectStore
from shared.auth import Role
from shared.errors import Forbidden
from shared.reference import street_office_code

from .common import Anyone

router = APIRouter(tags=["projects"])

# --- reading -------------------------------------------------------------------------------------


@router.get("/projects", summary="Projects the caller may see")
async def list_projects(principal: Anyone, svc: ServiceDep, stage: str | None = None) -> list[dict[str, Any]]:
    stages = [stage] if stage else None
    purchaser: str | None = None
    contains: dict[str, Any] | None = None
    if principal.role is Role.STREET_OFFICER:
        purchaser = street_office_code(principal.street or "")
    elif principal.role is Role.REVIEWER:
        contains = {"reviewers": [{"sub": principal.sub}]}
    elif principal.role is Role.MONITOR:
        contains = {"monitors": [principal.sub]}
    elif principal.role is Role.ORG:
        contains = {"proposals": [{"org_id": str(principal.org_id)}]}
    async with svc.connection() as conn:
        found = await ProjectStore(conn).list(stages=stages, purchaser=purchaser, contains=contains)
    return [h.view(p, principal, manager=manages(principal, p)) for p in found]


@router.get("/projects/{project_id}", summary="One project, as the caller may see it")
async def get_project(project_id: UUID, principal: Anyone, svc: ServiceDep) -> dict[str, Any]:
    async with svc.connection() as conn:
        project = await h.get(conn, project_id)
    require_view(principal, project)
    return h.view(project, principal, manager=manages(principal, project))


@router.get("/projects/{project_id}/scores", summary="Scores: staff see all and the ranking; a reviewer only its own")
async def scores(project_id: UUID, principal: Anyone, svc: ServiceDep) -> dict[str, Any]:
    async with svc.connection() as conn:
        project = await h.get(conn, project_id)
    if manages(principal, project):
        mine = project.scores
        ranking = h.view(project, principal, manager=True)["ranking"]
    elif principal.role is Role.REVIEWER and project.reviewer(principal.sub) is not None:
        mine, ranking = [s for s in project.scores if s.reviewer == principal.sub], None
    else:
        raise Forbidden("只有管理人员和该项目的评审专家可以查看评分，且专家只能看到自己的评分")
    return {"scores": [s.model_dump(mode="json") for s in mine], "ranking": ranking}
