"""Community needs (社区需求): raised by a community worker, reviewed by the street."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends
from pydantic import Field

from procurement.api.deps import ServiceDep, Staff, TodayDep
from procurement.domain.needs import STATUS_NAMES, CommunityNeed, Urgency
from procurement.handlers import needs as uc
from shared.auth import Principal, Role, require
from shared.errors import Invalid
from shared.inputs import InputModel
from shared.paging import PAGED, PagingDep
from shared.reference import Domain

router = APIRouter(tags=["community needs"])

Worker = Annotated[Principal, Depends(require(Role.COMMUNITY_WORKER))]
Reader = Annotated[Principal, Depends(require(Role.COMMUNITY_WORKER, Role.STREET_OFFICER, Role.DISTRICT_ADMIN))]
_STREET = r"^1101010(0[1-9]|1[0-7])$"


class NeedIn(InputModel):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=5000, description="who needs what")
    residents: int = Field(ge=0, le=1_000_000, description="how many residents need it")
    urgency: Urgency = Urgency.NORMAL
    domain: Domain
    community: str | None = Field(default=None, max_length=100, description="defaults to the worker's community")
    street_code: str | None = Field(default=None, pattern=_STREET, description="defaults to the worker's street")


class DeclineIn(InputModel):
    reason: str = Field(min_length=1, max_length=2000)


class PassIn(InputModel):
    edition_id: UUID = Field(description="the public-welfare claiming edition (venture) to publish it in")


class MergeIn(InputModel):
    need_ids: list[UUID] = Field(min_length=1, max_length=50)
    street_code: str | None = Field(default=None, pattern=_STREET, description="defaults to the officer's street")
    budget_cny: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    domain: Domain | None = None
    wanted_by: date | None = None


def need_view(n: CommunityNeed) -> dict[str, Any]:
    return {
        "id": str(n.id),
        "street_code": n.street_code,
        "community": n.community,
        "title": n.title,
        "description": n.description,
        "residents": n.residents,
        "urgency": n.urgency.value,
        "domain": n.domain,
        "raised_by": n.raised_by,
        "raised_on": n.raised_on.isoformat(),
        "status": n.status.value,
        "status_name": STATUS_NAMES[n.status],
        "reason": n.reason,
        "demand_id": str(n.demand_id) if n.demand_id else None,
        "edition_id": str(n.edition_id) if n.edition_id else None,
        "decided_on": n.decided_on.isoformat() if n.decided_on else None,
    }


@router.post("/community-needs", status_code=201, summary="Raise a need of your community (community_worker)")
async def raise_need(body: NeedIn, p: Worker, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    need = CommunityNeed(
        id=uuid4(),
        street_code=body.street_code or p.street or "",
        community=body.community or p.community or "",
        title=body.title,
        description=body.description,
        residents=body.residents,
        urgency=body.urgency,
        domain=body.domain.value,
        raised_by=p.sub,
        raised_on=today,
    )
    async with svc.unit_of_work() as uow:
        uow.emit(await uc.raise_need(uow.stores.needs, need, principal=p))
    return need_view(need)


@router.get(
    "/community-needs",
    summary="Needs and what became of them (worker: its community; street: its street)",
    responses=PAGED,
)
async def list_needs(paging: PagingDep, p: Reader, svc: ServiceDep) -> list[dict[str, Any]]:
    street = None if p.role is Role.DISTRICT_ADMIN else p.street
    community = p.community if p.role is Role.COMMUNITY_WORKER else None
    async with svc.reading() as s:
        return paging.of([need_view(n) for n in await s.needs.listing(street=street, community=community)])


@router.post("/community-needs/{need_id}/decline", summary="Decline a need with the reason (its street)")
async def decline(need_id: UUID, body: DeclineIn, p: Staff, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    async with svc.unit_of_work() as uow:
        need, events = await uc.decline(uow.stores.needs, need_id, body.reason, principal=p, today=today)
        uow.emit(events)
    return need_view(need)


@router.post("/community-needs/{need_id}/passing", summary="Pass a need to a claiming edition (its street)")
async def pass_to_claiming(need_id: UUID, body: PassIn, p: Staff, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    async with svc.unit_of_work() as uow:
        need, events = await uc.pass_to_claiming(uow.stores.needs, need_id, body.edition_id, principal=p, today=today)
        uow.emit(events)
    return need_view(need)


@router.post(
    "/community-needs/merger",
    status_code=201,
    summary="Merge needs into one demand the street office buys (its street)",
)
async def merge(body: MergeIn, p: Staff, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    street = body.street_code or p.street
    if street is None:
        raise Invalid("street_code", "区级管理员合并社区需求时须填写 street_code")
    cmd = uc.Merge(
        need_ids=body.need_ids,
        street_code=street,
        budget_cny=body.budget_cny,
        title=body.title,
        description=body.description,
        domain=body.domain.value if body.domain else None,
        wanted_by=body.wanted_by,
    )
    async with svc.unit_of_work() as uow:
        demand_id, merged, events = await uc.merge(uow.stores.needs, uow.stores.demands, cmd, principal=p, today=today)
        uow.emit(events)
    return {"demand_id": str(demand_id), "needs": [need_view(n) for n in merged]}
