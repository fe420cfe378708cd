"""HTTP routes of party building in depth: the yearly census, branches merged and dissolved with
their history, 双报到 reports, branch activities, and the two coverages by year and street."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import ConfigDict, Field

from registry.access import ADMIN, READERS, WRITERS
from registry.api.common import now, service_of
from registry.domain.party_depth import BranchForm, LinkKind
from registry.handlers import party as handlers
from shared.auth import Principal, Role, require
from shared.inputs import InputModel
from shared.paging import PAGED, PagingDep

router = APIRouter(tags=["party building"])


class _In(InputModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CensusIn(_In):
    year: int = Field(ge=2000, le=2100)
    members: int = Field(ge=0, le=10000)
    branch_form: BranchForm | None = None
    branch_id: UUID | None = None
    instructor: str | None = Field(default=None, max_length=50)
    liaison: str | None = Field(default=None, max_length=50)


class MergeIn(_In):
    into_branch_id: UUID
    merged_on: date


class DissolveIn(_In):
    dissolved_on: date
    reason: str = Field(min_length=1, max_length=500)


class ReportIn(_In):
    org_id: UUID
    member_name: str = Field(min_length=1, max_length=50)
    street_code: str = Field(min_length=1, max_length=9)
    community: str = Field(min_length=1, max_length=100)
    reported_on: date
    service: str = Field(default="", max_length=1000)


class ActivityIn(_In):
    held_on: date
    title: str = Field(min_length=1, max_length=200)
    participants: int = Field(default=0, ge=0, le=100000)
    link_kind: LinkKind | None = None
    link_ref: UUID | None = None


@router.put("/party/orgs/{org_id}/census", summary="Record an organisation's party census for a year (逐年摸排)")
async def record_census(
    org_id: UUID, body: CensusIn, request: Request, who: Principal = Depends(require(*WRITERS))
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        row, events = await handlers.record_census(
            uow.stores.orgs, uow.stores.party, org_id, **body.model_dump(), principal=who, now=now()
        )
        uow.emit(events)
    return row


@router.get("/party/census", summary="The census of a year, optionally of one street", responses=PAGED)
async def census(
    paging: PagingDep,
    request: Request,
    year: int = Query(ge=2000, le=2100),
    street: str | None = Query(default=None, max_length=9),
    _: Principal = Depends(require(*READERS)),
) -> list[dict[str, Any]]:
    async with service_of(request).reading() as stores:
        return paging.of(await stores.party.census(year, street))


@router.post("/party-branches/{branch_id}/merge", summary="Merge a branch into another")
async def merge(
    branch_id: UUID, body: MergeIn, request: Request, who: Principal = Depends(require(*ADMIN))
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        events = await handlers.merge_branch(
            uow.stores.party, branch_id, into=body.into_branch_id, merged_on=body.merged_on, principal=who, now=now()
        )
        uow.emit(events)
    return events[0].model_dump(mode="json", include={"branch_id", "into_branch_id", "org_ids", "merged_on"})


@router.post("/party-branches/{branch_id}/dissolve", summary="Dissolve a branch")
async def dissolve(
    branch_id: UUID, body: DissolveIn, request: Request, who: Principal = Depends(require(*ADMIN))
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        events = await handlers.dissolve_branch(
            uow.stores.party, branch_id, dissolved_on=body.dissolved_on, reason=body.reason, principal=who, now=now()
        )
        uow.emit(events)
    return events[0].model_dump(mode="json", include={"branch_id", "org_ids", "dissolved_on", "reason"})


@router.get(
    "/party-branches/{branch_id}/history",
    summary="A branch's history: formed, attached, merged, dissolved",
    responses=PAGED,
)
async def history(
    paging: PagingDep, branch_id: UUID, request: Request, _: Principal = Depends(require(*READERS))
) -> list[dict[str, Any]]:
    async with service_of(request).reading() as stores:
        return paging.of(await stores.party.history(branch_id))


@router.post("/party/member-reports", status_code=201, summary="A member reports to a residential community (双报到)")
async def report(
    body: ReportIn, request: Request, who: Principal = Depends(require(*WRITERS, Role.ORG))
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        report_id, events = await handlers.report_member(
            uow.stores.orgs, uow.stores.party, **body.model_dump(), principal=who, now=now()
        )
        uow.emit(events)
    return {"report_id": report_id}


@router.post("/party-branches/{branch_id}/activities", status_code=201, summary="A branch's activity (支部+公益+项目)")
async def add_activity(
    branch_id: UUID, body: ActivityIn, request: Request, who: Principal = Depends(require(*WRITERS))
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        activity_id, events = await handlers.record_activity(
            uow.stores.party, branch_id, **body.model_dump(), principal=who, now=now()
        )
        uow.emit(events)
    return {"activity_id": activity_id}


@router.get(
    "/party-branches/{branch_id}/activities", summary="A branch's activities with their links resolved", responses=PAGED
)
async def activities(
    paging: PagingDep, branch_id: UUID, request: Request, _: Principal = Depends(require(*READERS))
) -> list[dict[str, Any]]:
    async with service_of(request).reading() as stores:
        rows = await stores.party.activities(branch_id)
    return paging.of(
        [{**r, "link_confirmed": r["link_kind"] is not None and r["linked_title"] is not None} for r in rows]
    )


@router.get("/statistics/party-coverage/by-year", summary="Both coverages per year and street, branches, 双报到")
async def coverage_by_year(
    request: Request,
    from_year: int = Query(default=2016, ge=2000, le=2100),
    to_year: int = Query(default=2020, ge=2000, le=2100),
    street: str | None = Query(default=None, max_length=9),
    _: Principal = Depends(require(*READERS)),
) -> dict[str, Any]:
    async with service_of(request).reading() as stores:
        return await handlers.coverage_by_year(stores.party, from_year=from_year, to_year=to_year, street_code=street)


@router.get(
    "/statistics/branch-activities",
    summary="Activities per branch, and how many are linked and confirmed",
    responses=PAGED,
)
async def activity_counts(
    paging: PagingDep, request: Request, _: Principal = Depends(require(*READERS))
) -> list[dict[str, Any]]:
    async with service_of(request).reading() as stores:
        return paging.of(await stores.party.activity_counts())
