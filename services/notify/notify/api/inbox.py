"""Each recipient's inbox: its own notices only (someone else's is reported as missing)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request

from notify.access import ANY_ROLE, inbox_scope
from notify.api.common import service_of
from notify.api.models import Notice
from shared.auth import Principal
from shared.errors import NotFound
from shared.paging import PAGED, PagingDep

router = APIRouter(tags=["inbox"])


@router.get("/inbox", response_model=list[Notice], summary="The caller's own notices", responses=PAGED)
async def inbox(
    paging: PagingDep,
    request: Request,
    principal: Annotated[Principal, Depends(ANY_ROLE)],
    unread_only: bool = False,
) -> list[Notice]:
    async with service_of(request).reading() as stores:
        found = await stores.notices.inbox(inbox_scope(principal), unread_only=unread_only, limit=None)
    return paging.of([Notice.of(n) for n in found])


@router.post("/inbox/{notice_id}/read", response_model=Notice, summary="Mark one of my notices read")
async def mark_read(request: Request, notice_id: UUID, principal: Annotated[Principal, Depends(ANY_ROLE)]) -> Notice:
    service = service_of(request)
    async with service.unit_of_work() as uow:
        read = await uow.stores.notices.mark_read(notice_id, inbox_scope(principal), service.clock())
    if read is None:
        # Someone else's notice is reported exactly like a missing one: ids leak nothing.
        raise NotFound(f"您的收件箱中没有通知 {notice_id}")
    return Notice.of(read)
