"""Demands entered by staff (step 1), the list of demands, and refused district messages."""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from procurement.access import require_street
from procurement.api.deps import ServiceDep, SetupDep, TodayDep
from procurement.domain.model import Purchaser
from procurement.handlers import demands, projects
from procurement.store import DemandStore, RejectedStore
from shared.auth import Principal, Role, require
from shared.contracts.base import MoneyCNY
from shared.contracts.district import Purchaser as PurchaserIn
from shared.inputs import InputModel
from shared.messaging import outbox
from shared.reference import Domain, street_office_code

router = APIRouter(tags=["demands"])

Staff = Annotated[Principal, Depends(require(Role.DISTRICT_ADMIN, Role.STREET_OFFICER))]
Admin = Annotated[Principal, Depends(require(Role.DISTRICT_ADMIN))]


class DemandIn(InputModel):
    """A demand as staff enter it; same fields as `district.demand_published.v1`."""

    demand_ref: str | None = Field(default=None, min_length=1, max_length=100)
    purchaser: PurchaserIn
    street_code: str | None = Field(default=None, pattern=r"^1101010(0[1-9]|1[0-7])$")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    domain: Domain
    budget_cny: MoneyCNY = Field(gt=0)
    expected_beneficiaries: int = Field(ge=0, le=10_000_000)
    wanted_by: date | None = None


@router.post("/demands", status_code=201, summary="Enter a demand (需求征集) over HTTP")
async def enter_demand(body: DemandIn, principal: Staff, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    require_street(
        principal,
        purchaser_code=body.purchaser.code,
        purchaser_kind=str(body.purchaser.kind),
        street_code=body.street_code,
    )
    content = demands.content_of(body)
    async with svc.transaction() as conn:
        demand_id, outcome, events = await demands.enter(
            conn, demand_ref=body.demand_ref, content=content, by=principal.sub, today=today
        )
        await outbox.add(conn, events)
    return {"demand_id": str(demand_id), "outcome": str(outcome), "demand_ref": events[0].demand_ref}  # type: ignore[attr-defined]


@router.get("/demands", summary="Demands; a street officer sees its street office's only")
async def list_demands(
    principal: Staff, svc: ServiceDep, status: Annotated[str | None, Query(pattern="^(collecting|sorted)$")] = None
) -> list[dict[str, Any]]:
    own = street_office_code(principal.street or "") if principal.role is Role.STREET_OFFICER else None
    async with svc.connection() as conn:
        rows = await DemandStore(conn).list(status=status, purchaser=own)
    # Money leaves as a decimal string, never a float (FastAPI would encode a Decimal as a number).
    return [{**r, "budget_cny": f"{r['budget_cny']:.2f}"} for r in rows]


@router.get("/demands/rejected", summary="Refused district messages, raw (operators)")
async def rejected(principal: Admin, svc: ServiceDep) -> list[dict[str, Any]]:
    async with svc.connection() as conn:
        rows = await RejectedStore(conn).list()
    for row in rows:
        body: bytes = row.pop("body")
        try:
            row["body_text"] = body.decode("utf-8")
        except UnicodeDecodeError:
            row["body_base64"] = base64.b64encode(body).decode()
    return rows


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
    async with svc.transaction() as conn:
        project = await projects.sort_demands(
            conn,
            principal,
            setup,
            demand_ids=body.demand_ids,
            title=body.title,
            description=body.description,
            domain=body.domain,
            budget_cny=body.budget_cny,
            purchaser=Purchaser(**body.purchaser.model_dump()) if body.purchaser else None,
            street_code=body.street_code,
            today=today,
        )
    return projects.view(project, principal, manager=True)
