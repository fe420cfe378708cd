"""HTTP routes of free space and resource matching: rooms and bookings, offices for incubated
organisations, service offers, matching open demands, fairs with matches and agreements."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AfterValidator, ConfigDict, Field

from registry.access import ADMIN, READERS, WRITERS
from registry.api.common import now, service_of
from registry.domain.spaces import BookingStatus, Slot, SpaceKind
from registry.handlers import spaces as handlers
from shared.auth import Principal, Role, require
from shared.inputs import InputModel
from shared.paging import PAGED, PagingDep
from shared.reference import Domain

router = APIRouter(tags=["spaces and resource matching"])
EVERYONE = (*READERS, Role.ORG)


def _local(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("时间按北京时间填写，不带时区")
    return value


LocalTime = Annotated[time, AfterValidator(_local)]


class _In(InputModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SpaceIn(_In):
    platform_code: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=100)
    kind: SpaceKind
    capacity: int = Field(ge=1, le=2000)
    equipment: list[str] = Field(default_factory=list, max_length=30)
    opens_at: LocalTime = time(9, 0)
    closes_at: LocalTime = time(17, 30)


class BookingIn(_In):
    org_id: UUID
    booked_on: date
    starts_at: LocalTime
    ends_at: LocalTime
    attendees: int = Field(ge=1, le=2000)
    purpose: str = Field(min_length=1, max_length=500)


class DecisionIn(_In):
    status: BookingStatus
    reason: str | None = Field(default=None, max_length=500)


class OfficeIn(_In):
    org_id: UUID
    starts_on: date
    ends_on: date


class VacateIn(_In):
    ended_on: date
    reason: str = Field(default="孵化期满出壳", min_length=1, max_length=500)


class OfferIn(_In):
    org_id: UUID
    title: str = Field(min_length=1, max_length=200)
    domain: Domain
    street_codes: list[str] = Field(default_factory=list, max_length=17)
    audience: str = Field(min_length=1, max_length=200)
    price_cny: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)


class ParticipantIn(_In):
    role: str = Field(pattern="^(supplier|demander)$")
    org_id: UUID | None = None
    name: str | None = Field(default=None, max_length=200)


class FairIn(_In):
    name: str = Field(min_length=1, max_length=200)
    held_on: date
    platform_code: str = Field(min_length=1, max_length=20)
    theme: str = Field(min_length=1, max_length=500)
    participants: list[ParticipantIn] = Field(default_factory=list, max_length=500)


class MatchIn(_In):
    offer_id: UUID
    demander: str = Field(min_length=1, max_length=200)
    project_id: UUID | None = None


class AgreementIn(_In):
    agreed_on: date
    amount_cny: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)


@router.post("/spaces", status_code=201, summary="A room of the district's or a street's platform")
async def add_space(body: SpaceIn, request: Request, who: Principal = Depends(require(*WRITERS))) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        return await handlers.add_space(uow.stores.orgs, uow.stores.spaces, **body.model_dump(), principal=who)


@router.get("/spaces", summary="Rooms with capacity, equipment and opening hours (working days)", responses=PAGED)
async def list_spaces(
    paging: PagingDep,
    request: Request,
    platform: str | None = Query(default=None, max_length=20),
    _: Principal = Depends(require(*EVERYONE)),
) -> list[dict[str, Any]]:
    async with service_of(request).reading() as stores:
        return paging.of(await stores.spaces.spaces(platform))


@router.post("/spaces/{space_id}/bookings", status_code=201, summary="Ask for a room (approval follows)")
async def book(
    space_id: UUID, body: BookingIn, request: Request, who: Principal = Depends(require(*WRITERS, Role.ORG))
) -> dict[str, Any]:
    slot = Slot(body.booked_on, body.starts_at, body.ends_at, body.attendees)
    async with service_of(request).unit_of_work() as uow:
        out, events = await handlers.request_booking(
            uow.stores.orgs, uow.stores.spaces, space_id, org_id=body.org_id, slot=slot, purpose=body.purpose,
            principal=who, today=now().date(), calendar=request.app.state.calendar, now=now(),
        )  # fmt: skip
        uow.emit(events)
    return out


@router.get("/bookings", summary="Bookings (staff: all or one room's; an organisation: its own)", responses=PAGED)
async def bookings(
    paging: PagingDep, request: Request, space_id: UUID | None = None, who: Principal = Depends(require(*EVERYONE))
) -> list[dict[str, Any]]:
    org_id = who.org_id if who.role is Role.ORG else None
    async with service_of(request).reading() as stores:
        return paging.of(await stores.spaces.bookings(org_id, space_id))


@router.post("/bookings/{booking_id}/status", summary="Approve, reject, cancel or mark a no-show")
async def change_booking(
    booking_id: UUID, body: DecisionIn, request: Request, who: Principal = Depends(require(*WRITERS, Role.ORG))
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        out, events = await handlers.change_booking(
            uow.stores.spaces, booking_id, body.status, reason=body.reason, principal=who, today=now().date(), now=now()
        )
        uow.emit(events)
    return out


@router.post("/spaces/{space_id}/offices", status_code=201, summary="Give an incubated organisation office space")
async def allocate(
    space_id: UUID, body: OfficeIn, request: Request, who: Principal = Depends(require(*WRITERS))
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        allocation_id, events = await handlers.allocate_office(
            uow.stores.orgs, uow.stores.spaces, space_id, **body.model_dump(), principal=who, now=now()
        )
        uow.emit(events)
    return {"allocation_id": allocation_id}


@router.post("/offices/{allocation_id}/vacate", summary="The organisation leaves its office (出壳)")
async def vacate(
    allocation_id: UUID, body: VacateIn, request: Request, who: Principal = Depends(require(*WRITERS))
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        events = await handlers.vacate_office(
            uow.stores.spaces, allocation_id, ended_on=body.ended_on, reason=body.reason, principal=who, now=now()
        )
        uow.emit(events)
    return {"allocation_id": allocation_id, "ended_on": body.ended_on}


@router.post("/offers", status_code=201, summary="List a service an organisation offers (服务清单)")
async def offer(
    body: OfferIn, request: Request, who: Principal = Depends(require(*WRITERS, Role.ORG))
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        offer_id, events = await handlers.offer_service(
            uow.stores.orgs, uow.stores.spaces, **body.model_dump(), principal=who, now=now()
        )
        uow.emit(events)
    return {"offer_id": offer_id}


@router.get("/offers", summary="Organisations' service offers", responses=PAGED)
async def offers(
    paging: PagingDep, request: Request, domain: Domain | None = None, _: Principal = Depends(require(*EVERYONE))
) -> list[dict[str, Any]]:
    async with service_of(request).reading() as stores:
        return paging.of(await stores.spaces.offers(None if domain is None else str(domain)))


@router.get(
    "/matching", summary="Open procurement demands with the offers that fit them by domain and street", responses=PAGED
)
async def matching(
    paging: PagingDep, request: Request, _: Principal = Depends(require(*READERS))
) -> list[dict[str, Any]]:
    async with service_of(request).reading() as stores:
        return paging.of(await handlers.matching(stores.spaces))


@router.post("/fairs", status_code=201, summary="A matchmaking fair (对接洽谈会) with its participants")
async def fair(body: FairIn, request: Request, who: Principal = Depends(require(*ADMIN))) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        fair_id = await handlers.hold_fair(
            uow.stores.orgs, uow.stores.spaces, name=body.name, held_on=body.held_on,
            platform_code=body.platform_code, theme=body.theme,
            participants=[p.model_dump() for p in body.participants], now=now(),
        )  # fmt: skip
    return {"fair_id": fair_id}


@router.post("/fairs/{fair_id}/matches", status_code=201, summary="A match made at the fair")
async def add_match(
    fair_id: UUID, body: MatchIn, request: Request, who: Principal = Depends(require(*ADMIN))
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        match_id = await handlers.record_match(uow.stores.spaces, fair_id, **body.model_dump())
    return {"match_id": match_id}


@router.post("/fair-matches/{match_id}/agreement", summary="The agreement that followed a match")
async def agreement(
    match_id: UUID, body: AgreementIn, request: Request, who: Principal = Depends(require(*ADMIN))
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        events = await handlers.record_agreement(uow.stores.spaces, match_id, **body.model_dump(), now=now())
        uow.emit(events)
    return events[0].model_dump(mode="json", include={"match_id", "org_id", "demander", "agreed_on", "amount_cny"})


@router.get("/statistics/resources", summary="Space use per platform; matches and agreements per fair")
async def resource_statistics(request: Request, _: Principal = Depends(require(*READERS))) -> dict[str, Any]:
    async with service_of(request).reading() as stores:
        return await handlers.statistics(stores.spaces)
