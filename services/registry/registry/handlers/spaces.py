"""Use cases of free space and resource matching: spaces and their bookings, offices for incubated
organisations, service offers, matching open procurement demands, fairs and their agreements."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import structlog

from registry.access import check_acts_for_org, check_street_scope
from registry.domain.spaces import (
    BookingStatus,
    Slot,
    SpaceKind,
    check_no_overlap,
    check_office_term,
    check_slot,
    match,
    move,
)
from registry.domain.talent import not_future, text
from registry.handlers.ports import OrgLookup, Orgs, Spaces
from shared.auth import Principal, Role
from shared.contracts.base import IntegrationEvent
from shared.contracts.registry import (
    FairMatchAgreed,
    OfficeAllocated,
    OfficeVacated,
    ServiceOffered,
    SpaceBookingDecided,
    SpaceBookingRequested,
)
from shared.errors import Conflict, Invalid, NotFound
from shared.reference import STREETS, Domain, OrgStatus
from shared.workdays import WorkCalendar

log = structlog.get_logger("registry.spaces")
_ACTIVE = (OrgStatus.REGISTERED, OrgStatus.FILED)


def _hm(t: time) -> str:
    return t.strftime("%H:%M")


async def _org_name(orgs: OrgLookup, field: str, org_id: UUID) -> str:
    org = await orgs.get(org_id)
    if org is None or org.status not in _ACTIVE:
        raise Invalid(field, f"未知或已不在册的组织 {org_id}")
    return org.name


async def _space(spaces: Spaces, space_id: UUID) -> dict[str, Any]:
    space = await spaces.space(space_id)
    if space is None:
        raise NotFound(f"场地 {space_id} 不存在")
    return space


async def add_space(
    orgs: Orgs,
    spaces: Spaces,
    *,
    platform_code: str,
    name: str,
    kind: SpaceKind,
    capacity: int,
    equipment: list[str],
    opens_at: time,
    closes_at: time,
    principal: Principal,
) -> dict[str, Any]:
    """A room of the district's or a street's platform; a street officer adds its street's only."""
    platform = await orgs.platform(platform_code)
    if platform is None or str(platform.level) == "community":
        raise Invalid("platform_code", f"未知的区级或街道级平台 {platform_code}")
    check_street_scope(principal, platform.street_code)
    if closes_at <= opens_at:
        raise Invalid("closes_at", "关闭时间须晚于开放时间")
    space = {
        "space_id": uuid4(),
        "platform_code": platform_code,
        "street_code": platform.street_code,
        "name": text("name", name, limit=100),
        "kind": str(kind),
        "capacity": capacity,
        "equipment": [text(f"equipment.{i}", e, limit=50) for i, e in enumerate(dict.fromkeys(equipment))],
        "opens_at": opens_at,
        "closes_at": closes_at,
    }
    await spaces.add_space(space, by=principal.sub)
    return space


async def request_booking(
    orgs: OrgLookup,
    spaces: Spaces,
    space_id: UUID,
    *,
    org_id: UUID,
    slot: Slot,
    purpose: str,
    principal: Principal,
    today: date,
    calendar: WorkCalendar,
    now: datetime,
) -> tuple[dict[str, Any], list[IntegrationEvent]]:
    """An organisation (or staff for it) asks for a room on a working day; overlaps are refused."""
    check_acts_for_org(principal, org_id)
    space = await _space(spaces, space_id)
    if principal.role is not Role.ORG:
        check_street_scope(principal, space["street_code"])
    org_name = await _org_name(orgs, "org_id", org_id)
    check_slot(slot, space, today=today, calendar=calendar)
    check_no_overlap(slot, await spaces.taken(space_id, slot.booked_on))
    booking_id, purpose = uuid4(), text("purpose", purpose, limit=500)
    await spaces.add_booking(
        booking_id, space_id, org_id, slot.booked_on, slot.starts_at, slot.ends_at, purpose, slot.attendees,
        by=principal.sub,
    )  # fmt: skip
    log.info("space_booking_requested", booking_id=str(booking_id), space_id=str(space_id))
    event = SpaceBookingRequested(
        booking_id=booking_id, space_id=space_id, space_name=space["name"], platform_code=space["platform_code"],
        street_code=space["street_code"], org_id=org_id, org_name=org_name, booked_on=slot.booked_on,
        starts_at=_hm(slot.starts_at), ends_at=_hm(slot.ends_at), purpose=purpose, occurred_at=now,
    )  # fmt: skip
    return {"booking_id": booking_id, "status": "requested"}, [event]


async def change_booking(
    spaces: Spaces,
    booking_id: UUID,
    to: BookingStatus,
    *,
    reason: str | None,
    principal: Principal,
    today: date,
    now: datetime,
) -> tuple[dict[str, Any], list[IntegrationEvent]]:
    """Approve, reject, cancel or mark a no-show: staff of the platform's street decide; the
    organisation itself may only cancel its own booking."""
    booking = await spaces.booking(booking_id)
    if booking is None:
        raise NotFound(f"预约 {booking_id} 不存在")
    if principal.role is Role.ORG:
        check_acts_for_org(principal, booking["org_id"])
        if to is not BookingStatus.CANCELLED:
            raise Invalid("status", "组织账号只能取消本组织的预约")
    else:
        check_street_scope(principal, booking["street_code"])
    status = move(booking["status"], to)
    if status is BookingStatus.CANCELLED and booking["booked_on"] < today:
        raise Invalid("status", "已过日期的预约不能取消")
    if status is BookingStatus.NO_SHOW and booking["booked_on"] > today:
        raise Invalid("status", "预约日期未到，不能登记未到场")
    if status is BookingStatus.REJECTED and not (reason or "").strip():
        raise Invalid("reason", "不批准预约须说明原因")
    reason = None if reason is None else reason.strip()[:500] or None
    await spaces.set_status(booking_id, str(status), by=principal.sub, reason=reason)
    event = SpaceBookingDecided(
        booking_id=booking_id, space_name=booking["space_name"], street_code=booking["street_code"],
        org_id=booking["org_id"], booked_on=booking["booked_on"], starts_at=_hm(booking["starts_at"]),
        ends_at=_hm(booking["ends_at"]), status=str(status), reason=reason, occurred_at=now,
    )  # fmt: skip
    return {"booking_id": booking_id, "status": str(status)}, [event]


async def allocate_office(
    orgs: OrgLookup,
    spaces: Spaces,
    space_id: UUID,
    *,
    org_id: UUID,
    starts_on: date,
    ends_on: date,
    principal: Principal,
    now: datetime,
) -> tuple[UUID, list[IntegrationEvent]]:
    """Free office space for an incubated organisation for a term; one organisation per office at a time."""
    space = await _space(spaces, space_id)
    check_street_scope(principal, space["street_code"])
    if space["kind"] != SpaceKind.OFFICE:
        raise Invalid("space_id", "只有办公场地可以分配给入驻组织")
    await _org_name(orgs, "org_id", org_id)
    check_office_term(starts_on, ends_on, await spaces.offices_taken(space_id))
    allocation_id = uuid4()
    await spaces.allocate_office(allocation_id, space_id, org_id, starts_on, ends_on)
    event = OfficeAllocated(
        allocation_id=allocation_id, space_id=space_id, space_name=space["name"], street_code=space["street_code"],
        org_id=org_id, starts_on=starts_on, ends_on=ends_on, occurred_at=now,
    )  # fmt: skip
    return allocation_id, [event]


async def vacate_office(
    spaces: Spaces, allocation_id: UUID, *, ended_on: date, reason: str, principal: Principal, now: datetime
) -> list[IntegrationEvent]:
    """出壳: the organisation leaves its office (the term ended, or earlier)."""
    office = await spaces.office(allocation_id)
    if office is None:
        raise NotFound(f"入驻记录 {allocation_id} 不存在")
    check_street_scope(principal, office["street_code"])
    if office["ended_on"] is not None:
        raise Conflict(f"该组织已于 {office['ended_on']} 出壳", code="already_vacated")
    if ended_on <= office["starts_on"]:
        raise Invalid("ended_on", f"出壳日期须晚于入驻日期 {office['starts_on']}")
    not_future("ended_on", ended_on, now.date())
    reason = text("reason", reason, limit=500)
    await spaces.end_office(allocation_id, ended_on, reason)
    event = OfficeVacated(
        allocation_id=allocation_id, space_name=office["space_name"], street_code=office["street_code"],
        org_id=office["org_id"], ended_on=ended_on, reason=reason, occurred_at=now,
    )  # fmt: skip
    return [event]


async def offer_service(
    orgs: OrgLookup,
    spaces: Spaces,
    *,
    org_id: UUID,
    title: str,
    domain: Domain,
    street_codes: list[str],
    audience: str,
    price_cny: Decimal | None,
    principal: Principal,
    now: datetime,
) -> tuple[UUID, list[IntegrationEvent]]:
    """An organisation lists a service it offers (服务清单); staff may list one for it."""
    check_acts_for_org(principal, org_id)
    await _org_name(orgs, "org_id", org_id)
    if principal.role is Role.STREET_OFFICER:
        org = await orgs.get(org_id)
        check_street_scope(principal, None if org is None else org.street_code)
    streets = list(dict.fromkeys(street_codes))
    for i, code in enumerate(streets):
        if code not in STREETS:
            raise Invalid(f"street_codes.{i}", f"未知街道代码 {code}")
    offer_id, title, audience = uuid4(), text("title", title), text("audience", audience, limit=200)
    await spaces.add_offer(
        {
            "offer_id": offer_id,
            "org_id": org_id,
            "title": title,
            "domain": str(domain),
            "street_codes": streets,
            "audience": audience,
            "price_cny": price_cny,
        }
    )
    event = ServiceOffered(
        offer_id=offer_id, org_id=org_id, title=title, domain=domain, street_codes=streets, audience=audience,
        price_cny=price_cny, occurred_at=now,
    )  # fmt: skip
    return offer_id, [event]


async def matching(spaces: Spaces) -> list[dict[str, Any]]:
    """Open procurement demands (projects in solicitation, from procurement's events) with the
    offers that fit them by domain and street."""
    return match(await spaces.offers(), await spaces.open_demands())


async def hold_fair(
    orgs: Orgs,
    spaces: Spaces,
    *,
    name: str,
    held_on: date,
    platform_code: str,
    theme: str,
    participants: list[dict[str, Any]],
    now: datetime,
) -> UUID:
    """A matchmaking fair with its participants: organisations (suppliers) and demanders by name."""
    if await orgs.platform(platform_code) is None:
        raise Invalid("platform_code", f"未知平台 {platform_code}")
    not_future("held_on", held_on, now.date())
    rows = []
    for i, p in enumerate(participants):
        if p.get("org_id") is not None:
            org_name = await _org_name(orgs, f"participants.{i}.org_id", p["org_id"])
            rows.append({"role": str(p["role"]), "org_id": p["org_id"], "name": org_name})
        else:
            rows.append(
                {"role": str(p["role"]), "org_id": None, "name": text(f"participants.{i}.name", p.get("name") or "")}
            )
    fair_id = uuid4()
    await spaces.add_fair(fair_id, text("name", name), held_on, platform_code, text("theme", theme, limit=500), rows)
    return fair_id


async def record_match(
    spaces: Spaces, fair_id: UUID, *, offer_id: UUID, demander: str, project_id: UUID | None
) -> UUID:
    """A match made at a fair between an offer and a demander (a purchaser, a community)."""
    if await spaces.fair(fair_id) is None:
        raise NotFound(f"对接会 {fair_id} 不存在")
    if await spaces.offer(offer_id) is None:
        raise Invalid("offer_id", f"服务清单项 {offer_id} 不存在")
    match_id = uuid4()
    if not await spaces.add_match(match_id, fair_id, offer_id, text("demander", demander), project_id):
        raise Conflict("该服务与该需求方在本次对接会上已对接", code="already_matched")
    return match_id


async def record_agreement(
    spaces: Spaces, match_id: UUID, *, agreed_on: date, amount_cny: Decimal | None, now: datetime
) -> list[IntegrationEvent]:
    """The agreement that followed a match."""
    found = await spaces.match(match_id)
    if found is None:
        raise NotFound(f"对接记录 {match_id} 不存在")
    if found["agreed_on"] is not None:
        raise Conflict(f"该对接已于 {found['agreed_on']} 达成协议", code="already_agreed")
    not_future("agreed_on", agreed_on, now.date())
    await spaces.agree(match_id, agreed_on, amount_cny)
    event = FairMatchAgreed(
        match_id=match_id, fair_id=found["fair_id"], fair_name=found["fair_name"], offer_id=found["offer_id"],
        org_id=found["org_id"], org_name=found["org_name"], demander=found["demander"], agreed_on=agreed_on,
        amount_cny=amount_cny, occurred_at=now,
    )  # fmt: skip
    return [event]


async def statistics(spaces: Spaces) -> dict[str, Any]:
    """Space use per platform (bookings by outcome, approved hours, offices) and each fair's matches."""
    figures = await spaces.figures()
    return {
        "spaces": figures["spaces"],
        "fairs": [{**f, "agreed_cny": f"{f['agreed_cny']:.2f}"} for f in figures["fairs"]],
    }
