"""Reading projects and their scores, each caller seeing what its role and scope allow."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from procurement import access
from procurement.api.deps import ServiceDep
from procurement.domain.documents import dump
from procurement.handlers import projects as h
from shared.paging import PAGED, PagingDep

from .common import Anyone

router = APIRouter(tags=["projects"])

# --- reading -------------------------------------------------------------------------------------


@router.get("/projects", summary="Projects the caller may see", responses=PAGED)
async def list_projects(
    paging: PagingDep, principal: Anyone, svc: ServiceDep, stage: str | None = None
) -> list[dict[str, Any]]:
    scope = access.project_scope(principal)
    if scope.nothing:
        return []
    async with svc.reading() as s:
        found = await s.projects.list(
            stages=[stage] if stage else None, purchaser=scope.purchaser, contains=scope.contains
        )
    return paging.of([access.view_for(principal, p) for p in found])


@router.get("/projects/{project_id}", summary="One project, as the caller may see it")
async def get_project(project_id: UUID, principal: Anyone, svc: ServiceDep) -> dict[str, Any]:
    async with svc.reading() as s:
        project = await h.get(s.projects, project_id)
    access.check_view(principal, project)
    return access.view_for(principal, project)


@router.get("/projects/{project_id}/scores", summary="Scores: staff see all and the ranking; a reviewer only its own")
async def scores(project_id: UUID, principal: Anyone, svc: ServiceDep) -> dict[str, Any]:
    async with svc.reading() as s:
        project = await h.get(s.projects, project_id)
    mine, with_ranking = access.visible_scores(principal, project)
    ranking = access.view(project, principal, manager=True)["ranking"] if with_ranking else None
    return {"scores": [dump(x) for x in mine], "ranking": ranking}
