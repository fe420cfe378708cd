"""HTTP routes of organisations: register, file, graduate, status, profile, queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request

from registry.access import READERS, WRITERS, check_reads_profile, may_see_contact
from registry.api.common import now, service_of
from registry.api.models import (
    ContactIn,
    FileIn,
    GraduateIn,
    HistoryOut,
    OrgOut,
    OrgPage,
    OrgProfileOut,
    ProfileIn,
    RegisterIn,
    SponsorIn,
    StatusIn,
)
from registry.domain.organisation import Organisation
from registry.handlers import orgs as handlers
from registry.store import OrgFilter
from shared.auth import Principal, Role, require
from shared.errors import NotFound
from shared.reference import Domain, OrgStatus, OrgType
from shared.search import search_text

router = APIRouter(tags=["organisations"])


def org_out(org: Organisation, who: Principal) -> OrgOut:
    """The organisation as `who` may see it: without its contact unless `may_see_contact`."""
    identifier = f"CN-USCI-{org.credit_code}" if org.credit_code else f"sogc-registry:{org.org_id}"
    snapshot = org.snapshot().model_dump()
    if not may_see_contact(who, org):
        snapshot["contact"] = None
    return OrgOut(
        **snapshot,
        deregistered_on=org.deregistered_on,
        status_reason=org.status_reason,
        identifier=identifier,
    )


@router.post("/orgs", status_code=201, summary="Register a 社团/民非/基金会 with its credit code")
async def register_org(body: RegisterIn, request: Request, who: Principal = Depends(require(*WRITERS))) -> OrgOut:
    async with service_of(request).unit_of_work() as uow:
        org, events = await handlers.register(uow.stores.orgs, body.command(), principal=who, now=now())
        uow.emit(events)
    return org_out(org, who)


@router.post("/filings", status_code=201, summary="File (备案) a community social organisation")
async def file_org(body: FileIn, request: Request, who: Principal = Depends(require(*WRITERS))) -> OrgOut:
    async with service_of(request).unit_of_work() as uow:
        org, events = await handlers.file(uow.stores.orgs, body.command(), principal=who, now=now())
        uow.emit(events)
    return org_out(org, who)


@router.post("/orgs/{org_id}/graduation", summary="A filed group registers: same org, now with a code")
async def graduate_org(
    org_id: UUID, body: GraduateIn, request: Request, who: Principal = Depends(require(*WRITERS))
) -> OrgOut:
    async with service_of(request).unit_of_work() as uow:
        org, events = await handlers.graduate(uow.stores.orgs, org_id, body.command(), principal=who, now=now())
        uow.emit(events)
    return org_out(org, who)


async def _status(request: Request, org_id: UUID, action: str, body: StatusIn, who: Principal) -> OrgOut:
    async with service_of(request).unit_of_work() as uow:
        org, events = await handlers.change_status(
            uow.stores.orgs, org_id, action, body.reason, effective_on=body.effective_on, principal=who, now=now()
        )
        uow.emit(events)
    return org_out(org, who)


@router.post("/orgs/{org_id}/suspend", summary="Suspend (暂停) with a reason")
async def suspend_org(
    org_id: UUID, body: StatusIn, request: Request, who: Principal = Depends(require(*WRITERS))
) -> OrgOut:
    return await _status(request, org_id, "suspend", body, who)


@router.post("/orgs/{org_id}/reinstate", summary="Reinstate a suspended organisation with a reason")
async def reinstate_org(
    org_id: UUID, body: StatusIn, request: Request, who: Principal = Depends(require(*WRITERS))
) -> OrgOut:
    return await _status(request, org_id, "reinstate", body, who)


@router.post("/orgs/{org_id}/deregister", summary="Deregister (注销) with a reason; final")
async def deregister_org(
    org_id: UUID, body: StatusIn, request: Request, who: Principal = Depends(require(*WRITERS))
) -> OrgOut:
    return await _status(request, org_id, "deregister", body, who)


@router.patch("/orgs/{org_id}", summary="Update name, contact, domains or the support-org flag")
async def update_profile(
    org_id: UUID, body: ProfileIn, request: Request, who: Principal = Depends(require(*WRITERS))
) -> OrgOut:
    async with service_of(request).unit_of_work() as uow:
        org, events = await handlers.update_profile(uow.stores.orgs, org_id, body.changes(), principal=who, now=now())
        uow.emit(events)
    return org_out(org, who)


@router.put("/orgs/{org_id}/sponsor", summary="Record the sponsor (支持单位) of a filed community group (staff)")
async def attach_sponsor(
    org_id: UUID, body: SponsorIn, request: Request, who: Principal = Depends(require(*WRITERS))
) -> OrgOut:
    """District admins, or the group's own street's officers (who file it): the sponsor venture accepts
    the group's applications from. An organisation cannot name itself a group's sponsor."""
    async with service_of(request).unit_of_work() as uow:
        org, events = await handlers.attach_sponsor(
            uow.stores.orgs, org_id, body.sponsor_org_id, principal=who, now=now()
        )
        uow.emit(events)
    return org_out(org, who)


@router.put("/orgs/{org_id}/contact", summary="Replace the contact for notices (an org may change its own)")
async def update_contact(
    org_id: UUID, body: ContactIn, request: Request, who: Principal = Depends(require(*WRITERS, Role.ORG))
) -> OrgOut:
    async with service_of(request).unit_of_work() as uow:
        org, events = await handlers.update_profile(
            uow.stores.orgs, org_id, handlers.contact_changes(body.to_contact()), principal=who, now=now()
        )
        uow.emit(events)
    return org_out(org, who)


@router.get("/orgs", summary="Search organisations with filters and pagination")
async def search_orgs(
    request: Request,
    org_type: OrgType | None = Query(default=None, alias="type"),
    status: OrgStatus | None = None,
    street: str | None = Query(default=None, max_length=9),
    domain: Domain | None = None,
    q: str | None = Depends(search_text("text in name, credit code (its start) or community, taken literally")),
    support_org: bool | None = None,
    platform: str | None = Query(default=None, max_length=20),
    page: int = Query(default=1, ge=1, le=100_000),
    page_size: int = Query(default=50, ge=1, le=500),
    who: Principal = Depends(require(*READERS)),
) -> OrgPage:
    f = OrgFilter(org_type, status, street, domain, q, support_org, platform)
    async with service_of(request).reading() as stores:
        items, total = await stores.orgs.search(f, limit=page_size, offset=(page - 1) * page_size)
    return OrgPage(items=[org_out(o, who) for o in items], total=total, page=page, page_size=page_size)


@router.get("/orgs/by-code/{credit_code}", summary="An organisation by its Unified Social Credit Code")
async def org_by_code(credit_code: str, request: Request, who: Principal = Depends(require(*READERS))) -> OrgOut:
    async with service_of(request).reading() as stores:
        org = await stores.orgs.get_by_code(credit_code.strip())
    if org is None:
        raise NotFound(f"统一社会信用代码 {credit_code} 未登记")
    return org_out(org, who)


@router.get("/orgs/{org_id}", summary="An organisation's profile: history, party branch, alliance, support")
async def org_profile(
    org_id: UUID, request: Request, who: Principal = Depends(require(*READERS, Role.ORG))
) -> OrgProfileOut:
    check_reads_profile(who, org_id)
    async with service_of(request).reading() as stores:
        store, programmes = stores.orgs, stores.programmes
        org = await store.get(org_id)
        if org is None:
            raise NotFound(f"组织 {org_id} 不存在")
        history = await store.history(org_id)
        grants, contracts = await programmes.grants_of(org_id), await programmes.contracts_of(org_id)
        profile = OrgProfileOut(
            org=org_out(org, who),
            history=[HistoryOut(**{k: getattr(h, k) for k in HistoryOut.model_fields}) for h in history],
            checksum_overrides=await store.overrides(org_id),
            party_branch_id=await programmes.branch_of(org_id),
            alliance=await programmes.alliance_membership(org_id),
            grants=[_money(g) for g in grants],
            contracts=[_money(c) for c in contracts],
            support_totals={
                "grants": len(grants),
                "grants_cny": f"{sum((g['amount_cny'] for g in grants), Decimal(0)):.2f}",
                "contracts": len(contracts),
                "contracts_cny": f"{sum((c['amount_cny'] for c in contracts), Decimal(0)):.2f}",
            },
        )
    return profile


def _money(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "amount_cny": f"{row['amount_cny']:.2f}"}
