"""Public-welfare claiming (公益认领): editions, items, claims, the organiser's decisions, completion,
the public page and statistics."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request

from shared.auth import Principal, Role, require
from shared.paging import PAGED, PagingDep
from venture import access
from venture.api.claiming_models import AccountClaimIn, CompletionIn, DeclineIn, EditionIn, ItemIn, PublicClaimIn
from venture.api.deps import Today, service_of
from venture.domain.claiming import ITEM_STATUS_NAMES, Claim, ClaimerKind, ClaimStatus, Edition, Item, ItemStatus
from venture.handlers import claiming as uc

router = APIRouter(tags=["claiming"])

ORGANISERS = (Role.DISTRICT_ADMIN, Role.STREET_OFFICER, Role.COMMUNITY_WORKER, Role.ORG)
Organiser = Annotated[Principal, Depends(require(*ORGANISERS))]


def edition_view(e: Edition) -> dict[str, Any]:
    return {
        "id": str(e.id),
        "number": e.number,
        "title": e.title,
        "street_code": e.street_code,
        "community": e.community,
        "organiser_org_id": str(e.organiser_org_id) if e.organiser_org_id else None,
        "organiser_name": e.organiser_name,
        "opens_on": e.opens_on.isoformat(),
        "closes_on": e.closes_on.isoformat(),
        "status": e.status.value,
    }


def claim_view(c: Claim, *, public: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"claimer_kind": c.kind.value, "claimer_name": c.claimer_name, "shares": c.shares}
    if public:
        return out
    return {
        **out,
        "id": str(c.id),
        "item_id": str(c.item_id),
        "claimer_org_id": str(c.claimer_org_id) if c.claimer_org_id else None,
        "phone": c.phone,
        "note": c.note,
        "status": c.status.value,
        "reason": c.reason,
        "claimed_on": c.claimed_on.isoformat(),
        "decided_on": c.decided_on.isoformat() if c.decided_on else None,
    }


def item_view(i: Item, *, public: bool) -> dict[str, Any]:
    claims = [c for c in i.claims if c.status is ClaimStatus.CONFIRMED] if public else i.claims
    return {
        "id": str(i.id),
        "edition_id": str(i.edition_id),
        "title": i.title,
        "need": i.need,
        "category": i.category,
        "community": i.community,
        "beneficiaries_expected": i.beneficiaries_expected,
        "needs": i.needs,
        "shares": i.shares,
        "shares_free": i.shares - i.held_shares,
        "status": i.status.value,
        "status_name": ITEM_STATUS_NAMES[i.status],
        "delivered": i.delivered,
        "person_times": i.person_times,
        "report_ref": i.report_ref,
        "completed_on": i.completed_on.isoformat() if i.completed_on else None,
        "claims": [claim_view(c, public=public) for c in claims],
    }


@router.post("/claiming/editions", status_code=201, summary="Open an edition (its organiser, street, community)")
async def open_edition(body: EditionIn, request: Request, p: Organiser) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        e, events = await uc.open_edition(uow.stores.claiming, uow.stores.orgs, body.to_edition(p), principal=p)
        uow.emit(events)
    return edition_view(e)


@router.get("/claiming/editions", summary="Editions (public)", responses=PAGED)
async def list_editions(paging: PagingDep, request: Request) -> list[dict[str, Any]]:
    async with service_of(request).reading() as s:
        return paging.of([edition_view(e) for e in await s.claiming.editions()])


@router.get("/claiming/editions/{edition_id}", summary="The public page: open items, completed ones with claimers")
async def public_page(edition_id: UUID, request: Request) -> dict[str, Any]:
    async with service_of(request).reading() as s:
        e = await uc.load_edition(s.claiming, edition_id)
        items = await s.claiming.items_of(edition_id)
    return {
        **edition_view(e),
        "open_items": [item_view(i, public=True) for i in items if i.status is ItemStatus.OPEN],
        "covered_items": [item_view(i, public=True) for i in items if i.status is ItemStatus.COVERED],
        "completed_items": [item_view(i, public=True) for i in items if i.status is ItemStatus.COMPLETED],
    }


@router.post("/claiming/editions/{edition_id}/closure", summary="Stop taking claims (the organiser)")
async def close_edition(edition_id: UUID, request: Request, p: Organiser) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        e, events = await uc.close_edition(uow.stores.claiming, edition_id, principal=p)
        uow.emit(events)
    return edition_view(e)


@router.post("/claiming/editions/{edition_id}/items", status_code=201, summary="Publish an item (the organiser)")
async def publish_item(edition_id: UUID, body: ItemIn, request: Request, p: Organiser) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        i, events = await uc.publish_item(uow.stores.claiming, body.to_item(edition_id), principal=p)
        uow.emit(events)
    return item_view(i, public=False)


@router.get(
    "/claiming/editions/{edition_id}/claims",
    summary="Every item with its claims and phones (the organiser)",
    responses=PAGED,
)
async def edition_claims(paging: PagingDep, edition_id: UUID, request: Request, p: Organiser) -> list[dict[str, Any]]:
    async with service_of(request).reading() as s:
        access.check_may_run_edition(p, await uc.load_edition(s.claiming, edition_id))
        return paging.of([item_view(i, public=False) for i in await s.claiming.items_of(edition_id)])


@router.post("/claiming/items/{item_id}/claims", status_code=201, summary="Claim through an organisation's account")
async def claim_by_account(
    item_id: UUID,
    body: AccountClaimIn,
    request: Request,
    p: Annotated[Principal, Depends(require(Role.ORG))],
    today: Today,
) -> dict[str, Any]:
    req = uc.ClaimRequest(
        kind=ClaimerKind(body.kind),
        shares=body.shares,
        note=body.note,
        claimer_org_id=access.claiming_org(p, body.org_id),
    )
    async with service_of(request).unit_of_work() as uow:
        c, events = await uc.claim_by_account(uow.stores.claiming, uow.stores.orgs, item_id, req, today=today)
        uow.emit(events)
    return claim_view(c, public=False)


@router.post(
    "/public/claiming/items/{item_id}/claims",
    status_code=201,
    summary="Claim on the public page: a party member or resident, with a mobile number (no account)",
)
async def claim_in_public(item_id: UUID, body: PublicClaimIn, request: Request, today: Today) -> dict[str, Any]:
    req = uc.ClaimRequest(
        kind=ClaimerKind(body.kind), shares=body.shares, note=body.note, claimer_name=body.name, phone=body.phone
    )
    async with service_of(request).unit_of_work() as uow:
        c, events = await uc.claim_in_public(uow.stores.claiming, item_id, req, today=today)
        uow.emit(events)
    return {**claim_view(c, public=True), "id": str(c.id), "status": c.status.value}


@router.post("/claiming/claims/{claim_id}/confirmation", summary="Confirm a claim (the organiser)")
async def confirm(claim_id: UUID, request: Request, p: Organiser, today: Today) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        c, events = await uc.confirm(uow.stores.claiming, claim_id, principal=p, today=today)
        uow.emit(events)
    return claim_view(c, public=False)


@router.post("/claiming/claims/{claim_id}/decline", summary="Decline a claim with the reason (the organiser)")
async def decline(claim_id: UUID, body: DeclineIn, request: Request, p: Organiser, today: Today) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        c, events = await uc.decline(uow.stores.claiming, claim_id, body.reason, principal=p, today=today)
        uow.emit(events)
    return claim_view(c, public=False)


@router.post("/claiming/items/{item_id}/completion", summary="Record delivery and person-times (the organiser)")
async def complete(item_id: UUID, body: CompletionIn, request: Request, p: Organiser, today: Today) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        i, events = await uc.complete(
            uow.stores.claiming,
            item_id,
            delivered=body.delivered,
            person_times=body.person_times,
            report_ref=body.report_ref,
            principal=p,
            today=today,
        )
        uow.emit(events)
    return item_view(i, public=False)


_COUNTS = (
    "items",
    "completed",
    "person_times",
    "claims",
    "by_party_branch",
    "by_org",
    "by_party_member",
    "by_resident",
)


@router.get("/claiming/statistics", summary="Claiming per edition and overall (public)")
async def statistics(request: Request) -> dict[str, Any]:
    async with service_of(request).reading() as s:
        per, overall = await s.claiming.statistics()
    return {
        "editions": [
            {
                "edition_id": str(r["id"]),
                "number": r["number"],
                "title": r["title"],
                "street_code": r["street_code"],
                "community": r["community"],
                "organiser_name": r["organiser_name"],
                **{k: int(r[k]) for k in _COUNTS},
            }
            for r in per
        ],
        "overall": {"editions": int(overall["editions"]), **{k: int(overall[k] or 0) for k in _COUNTS}},
    }
