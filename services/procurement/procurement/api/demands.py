"""Demands entered by staff (step 1), the list of demands, and refused district messages."""

from __future__ import annotations

import base64
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import Field

from procurement import access
from procurement.api.deps import Admin, ServiceDep, SetupDep, Staff, TodayDep
from procurement.domain.model import Purchaser
from procurement.handlers import demands, projects
from shared.contracts.base import PositiveMoneyCNY
from shared.contracts.district import Purchaser as PurchaserIn
from shared.inputs import InputModel
from shared.paging import PAGED, PagingDep
from shared.reference import Domain

router = APIRouter(tags=["demands"])


class DemandIn(InputModel):
    """A demand as staff enter it; same fields as `district.demand_published.v1`."""

    demand_ref: str | None = Field(default=None, min_length=1, max_length=100)
    purchaser: PurchaserIn
    street_code: str | None = Field(default=None, pattern=r"^1101010(0[1-9]|1[0-7])$")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    domain: Domain
    budget_cny: PositiveMoneyCNY
    expected_beneficiaries: int = Field(ge=0, le=10_000_000)
    wanted_by: date | None = None


@router.post("/demands", status_code=201, summary="Enter a demand (需求征集) over HTTP")
async def enter_demand(body: DemandIn, principal: Staff, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    access.check_street(
        principal,
        purchaser_code=body.purchaser.code,
        purchaser_kind=str(body.purchaser.kind),
        street_code=body.street_code,
    )
    content = demands.content_of(body)
    async with svc.unit_of_work() as uow:
        entered, events = await demands.enter(
            uow.stores.demands, demand_ref=body.demand_ref, content=content, by=principal.sub, today=today
        )
        uow.emit(events)
    return {"demand_id": str(entered.demand_id), "outcome": str(entered.outcome), "demand_ref": entered.demand_ref}


@router.get("/demands", summary="Demands; a street officer sees its street office's only", responses=PAGED)
async def list_demands(
    paging: PagingDep,
    principal: Staff,
    svc: ServiceDep,
    status: Annotated[str | None, Query(pattern="^(collecting|sorted)$")] = None,
) -> list[dict[str, Any]]:
    async with svc.reading() as s:
        found = await s.demands.list(status=status, purchaser=access.demand_scope(principal))
        linked = await s.needs.of_demands([d.id for d in found])
    # Money leaves as a decimal string, never a float (FastAPI would encode a Decimal as a number).
    return paging.of(
        [
            {
                **asdict(d),
                "budget_cny": f"{d.budget_cny:.2f}",
                "community_need_ids": [str(n.id) for n in linked if n.demand_id == d.id],
            }
            for d in found
        ]
    )


@router.get("/demands/rejected", summary="Refused district messages, raw (operators)", responses=PAGED)
async def rejected(paging: PagingDep, principal: Admin, svc: ServiceDep) -> list[dict[str, Any]]:
    async with svc.reading() as s:
        rows = [asdict(kept) for kept in await s.rejected.list()]
    for row in rows:
        body: bytes = row.pop("body")
        try:
            row["body_text"] = body.decode("utf-8")
        except UnicodeDecodeError:
            row["body_base64"] = base64.b64encode(body).decode()
    return paging.of(rows)


class PurchaserBody(InputModel):
    code: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=100)
    kind: str = Field(pattern="^(district_department|street_office)$")


class SortIn(InputModel):
    """Demand sorting (需求梳理): merge demands into a project; omitted fields come from the demands."""

    demand_ids: list[UUID] = Field(min_length=1, max_length=50)
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    domain: Domain | None = None
    budget_cny: Decimal | None = Field(default=None, gt=0, max_digits=14, decimal_places=2)
    purchaser: PurchaserBody | None = None
    street_code: str | None = Field(default=None, pattern=r"^1101010(0[1-9]|1[0-7])$")


@router.post("/projects", status_code=201, tags=["projects"], summary="Sort demands into a project (需求梳理)")
async def sort_demands(
    body: SortIn, principal: Staff, svc: ServiceDep, setup: SetupDep, today: TodayDep
) -> dict[str, Any]:
    cmd = projects.Sorting(
        demand_ids=body.demand_ids,
        title=body.title,
        description=body.description,
        domain=body.domain,
        budget_cny=body.budget_cny,
        purchaser=Purchaser(**body.purchaser.model_dump()) if body.purchaser else None,
        street_code=body.street_code,
    )
    async with svc.unit_of_work() as uow:
        s = uow.stores
        project, events = await projects.sort_demands(
            s.demands, s.projects, principal, setup, cmd, today=today, needs=s.needs
        )
        uow.emit(events)
    return access.view(project, principal, manager=True)
