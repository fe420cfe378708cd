"""For operators (district admins): the delivery log, retrying a parked delivery, reminders and
statistics."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Request

from notify.access import OPERATORS
from notify.api.common import service_of
from notify.api.models import Delivery, Reminder
from shared.auth import Principal
from shared.errors import Conflict
from shared.paging import PAGED, PagingDep

router = APIRouter(tags=["operations"])


@router.get("/deliveries", response_model=list[Delivery], summary="The delivery log", responses=PAGED)
async def deliveries(
    paging: PagingDep,
    request: Request,
    _: Annotated[Principal, Depends(OPERATORS)],
    status: Literal["due", "sent", "failed"] | None = None,
    channel: Literal["email", "webhook"] | None = None,
    source_event_id: UUID | None = None,
) -> list[Delivery]:
    async with service_of(request).reading() as stores:
        found = await stores.deliveries.log(status=status, channel=channel, source_id=source_event_id, limit=None)
    return paging.of([Delivery.of(d) for d in found])


@router.post("/deliveries/{delivery_id}/retry", status_code=202, summary="Send a parked delivery again")
async def retry_delivery(
    request: Request, delivery_id: int, _: Annotated[Principal, Depends(OPERATORS)]
) -> dict[str, Any]:
    service = service_of(request)
    async with service.unit_of_work() as uow:
        notice = await uow.stores.deliveries.requeue(delivery_id)
    if notice is None:
        raise Conflict(f"投递 {delivery_id} 不是已失败搁置的投递（或不存在）")
    service.worker.wake()
    return {"delivery_id": delivery_id, "status": "due"}


@router.get("/reminders", response_model=list[Reminder], summary="Scheduled and past reminders", responses=PAGED)
async def reminders(
    paging: PagingDep,
    request: Request,
    _: Annotated[Principal, Depends(OPERATORS)],
    source_event_id: UUID | None = None,
    status: Literal["scheduled", "fired", "cancelled", "superseded", "skipped"] | None = None,
    since: date | None = None,
) -> list[Reminder]:
    async with service_of(request).reading() as stores:
        found = await stores.reminders.listing(source_id=source_event_id, status=status, since=since, limit=None)
    return paging.of([Reminder.of(r) for r in found])


@router.get("/statistics", summary="Notices, deliveries, reminders and the feed in numbers")
async def statistics(request: Request, _: Annotated[Principal, Depends(OPERATORS)]) -> dict[str, Any]:
    async with service_of(request).reading() as stores:
        stats = await stores.statistics.counts()
    sent = sum(n for by_status in stats["notices"].values() for status, n in by_status.items() if status == "sent")
    return {"sent": sent, **stats}
