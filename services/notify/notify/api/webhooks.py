"""Each organisation's webhook signing secrets: issued (shown once) and listed (never the secrets)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from notify import handlers
from notify.access import KEY_HOLDERS, check_manages_webhook_keys
from notify.adapters.keys import SecretBox
from notify.api.common import service_of
from notify.api.models import WebhookKey, WebhookSecret
from shared.auth import Principal
from shared.paging import PAGED, PagingDep

router = APIRouter(tags=["webhooks"])


@router.post(
    "/orgs/{org_id}/webhook-secret",
    status_code=201,
    response_model=WebhookSecret,
    summary="Issue a new webhook signing secret (shown once); the previous one signs on for a grace period",
)
async def new_webhook_secret(
    request: Request, response: Response, org_id: UUID, principal: Annotated[Principal, Depends(KEY_HOLDERS)]
) -> WebhookSecret:
    check_manages_webhook_keys(principal, org_id)
    service = service_of(request)
    settings = service.notify_settings
    async with service.unit_of_work() as uow:
        issued, events = await handlers.issue_secret(
            uow.stores.keys,
            SecretBox(settings.webhook_key_encryption_key),
            org_id,
            now=service.clock(),
            grace=timedelta(hours=settings.webhook_key_grace_hours),
        )
        uow.emit(events)
    response.headers["Cache-Control"] = "no-store"
    return WebhookSecret.of(issued)


@router.get(
    "/orgs/{org_id}/webhook-keys",
    response_model=list[WebhookKey],
    summary="The organisation's signing keys that sign now (ids and validity, never the secrets)",
    responses=PAGED,
)
async def webhook_keys(
    paging: PagingDep, request: Request, org_id: UUID, principal: Annotated[Principal, Depends(KEY_HOLDERS)]
) -> list[WebhookKey]:
    check_manages_webhook_keys(principal, org_id)
    service = service_of(request)
    async with service.reading() as stores:
        valid = await stores.keys.valid(org_id, service.clock())
    return paging.of([WebhookKey(key_id=k.key_id, created_at=k.created_at, valid_until=k.retires_at) for k in valid])
