"""What the public reads (open calls, announcements, signed contracts, statistics) and the OCDS export."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Request

from procurement.api.deps import Admin, ServiceDep, SetupDep
from procurement.domain import ocds
from procurement.domain.documents import dump
from procurement.domain.project import Project
from procurement.handlers import projects as h
from shared.paging import PAGED, PagingDep

router = APIRouter(tags=["public"])

_AFTER_SIGNING = ["monitoring", "evaluated"]


def _summary(p: Project) -> dict[str, Any]:
    return {
        "project_id": str(p.id),
        "ocid": p.ocid,
        "title": p.title,
        "purchaser": asdict(p.purchaser),
        "street_code": p.street_code,
        "domain": str(p.domain),
        "budget_cny": str(p.budget_cny),
        "stage": str(p.stage),
    }


def _without_id(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "id"}


@router.get("/public/solicitations", summary="Open calls for proposals (no login)", responses=PAGED)
async def solicitations(paging: PagingDep, svc: ServiceDep) -> list[dict[str, Any]]:
    async with svc.reading() as s:
        found = await s.projects.list(stages=["solicitation"])
    return paging.of([{**_summary(p), "round": p.round, "closes_on": str(p.closes_on)} for p in found])


@router.get("/public/announcements", summary="Results under public announcement (公示), no login", responses=PAGED)
async def announcements(paging: PagingDep, svc: ServiceDep) -> list[dict[str, Any]]:
    async with svc.reading() as s:
        found = await s.projects.list(stages=["announcement"])
    out = []
    for p in found:
        assert p.selection is not None and p.announcement is not None
        out.append(
            {
                **_summary(p),
                "org_id": str(p.selection.org_id),
                "org_name": p.selection.org_name,
                "amount_cny": str(p.selection.amount_cny),
                "score": str(p.selection.score),
                **dump(p.announcement),
            }
        )
    return paging.of(out)


@router.get("/public/contracts", summary="Signed contracts (no login)", responses=PAGED)
async def contracts(paging: PagingDep, svc: ServiceDep) -> list[dict[str, Any]]:
    async with svc.reading() as s:
        found = await s.projects.list(stages=_AFTER_SIGNING)
    return paging.of(
        [
            {**_summary(p), **_without_id(dump(p.contract)), "contract_id": str(p.contract.id)}
            for p in found
            if p.contract is not None
        ]
    )


@router.get("/statistics", summary="Signed projects, undertakers, value, person-times; by year/purchaser/street/domain")
async def stats(svc: ServiceDep, by: Literal["year", "purchaser", "street", "domain"] | None = None) -> dict[str, Any]:
    async with svc.reading() as s:
        rows = await s.statistics.rows(by)
        total = await s.statistics.rows(None)
    return {
        "by": by,
        "rows": [{**r.__dict__, "contract_value_cny": f"{r.contract_value_cny:.2f}"} for r in rows],
        "total": {**total[0].__dict__, "contract_value_cny": f"{total[0].contract_value_cny:.2f}"},
    }


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/ocds/records", summary="OCDS 1.1 record package of every project")
async def ocds_records(request: Request, principal: Admin, svc: ServiceDep, setup: SetupDep) -> dict[str, Any]:
    async with svc.reading() as s:
        found = await s.projects.all()
    return ocds.record_package(found, base_uri=_base(request), policy=setup.publication_policy)


@router.get("/ocds/releases", summary="OCDS 1.1 release package of every project's releases")
async def ocds_releases(request: Request, principal: Admin, svc: ServiceDep, setup: SetupDep) -> dict[str, Any]:
    async with svc.reading() as s:
        found = await s.projects.all()
    return ocds.release_package(found, base_uri=_base(request), policy=setup.publication_policy)


@router.get("/ocds/projects/{project_id}", summary="OCDS 1.1 record package of one project")
async def ocds_project(
    project_id: UUID, request: Request, principal: Admin, svc: ServiceDep, setup: SetupDep
) -> dict[str, Any]:
    async with svc.reading() as s:
        project = await h.get(s.projects, project_id)
    return ocds.record_package([project], base_uri=_base(request), policy=setup.publication_policy)
