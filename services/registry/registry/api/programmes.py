"""HTTP routes of party branches and the support alliance."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request

from registry.access import ADMIN, READERS
from registry.api.common import now, service_of
from registry.api.models import AllianceIn, AttachIn, BranchIn
from registry.handlers import programmes as handlers
from shared.auth import Principal, require
from shared.contracts.registry import ALLIANCE_CATEGORY_NAMES
from shared.paging import PAGED, PagingDep

router = APIRouter(tags=["party branches and alliance"])


@router.get("/party-branches", summary="Party branches with the organisations they cover", responses=PAGED)
async def list_branches(
    paging: PagingDep, request: Request, _: Principal = Depends(require(*READERS))
) -> list[dict[str, Any]]:
    async with service_of(request).reading() as stores:
        return paging.of(await stores.programmes.branches())


@router.post("/party-branches", status_code=201, summary="Form a functional party branch (功能型党支部)")
async def form_branch(body: BranchIn, request: Request, who: Principal = Depends(require(*ADMIN))) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        branch_id, events = await handlers.form_branch(
            uow.stores.orgs,
            uow.stores.programmes,
            name=body.name,
            formed_on=body.formed_on,
            street_code=body.street_code,
            org_ids=body.org_ids,
            form=str(body.form),
            principal=who,
            now=now(),
        )
        uow.emit(events)
    return {"branch_id": branch_id, "org_ids": events[0].model_dump()["org_ids"]}


@router.post("/party-branches/{branch_id}/orgs", summary="Attach organisations to a party branch")
async def attach_orgs(
    branch_id: UUID, body: AttachIn, request: Request, who: Principal = Depends(require(*ADMIN))
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        events = await handlers.attach_orgs(
            uow.stores.orgs,
            uow.stores.programmes,
            branch_id,
            body.org_ids,
            attached_on=body.attached_on,
            principal=who,
            now=now(),
        )
        uow.emit(events)
    attached = events[0].model_dump()["org_ids"] if events else []
    return {"branch_id": branch_id, "attached": attached}


@router.get("/alliance", summary="Members of the support alliance (创益汇) by category")
async def list_alliance(request: Request, _: Principal = Depends(require(*READERS))) -> dict[str, Any]:
    async with service_of(request).reading() as stores:
        members = await stores.programmes.alliance()
    return {"categories": ALLIANCE_CATEGORY_NAMES, "members": members}


@router.post("/alliance/members", status_code=201, summary="A registered organisation joins the alliance")
async def join_alliance(
    body: AllianceIn, request: Request, who: Principal = Depends(require(*ADMIN))
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        events = await handlers.join_alliance(
            uow.stores.orgs, uow.stores.programmes, body.org_id, body.category, joined_on=body.joined_on, now=now()
        )
        uow.emit(events)
    return events[0].model_dump(mode="json")
