"""HTTP: each recipient's inbox, the delivery log for operators, the public feed (公示)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from notify import domain, feed
from notify.handlers.keys import issue_secret
from notify.keys import SecretBox
from notify.store import Store
from shared.auth import Principal, Role, require
from shared.errors import Conflict, Forbidden, NotFound
from shared.inputs import InputModel
from shared.reference import DISTRICT_CODE, STREET_OFFICES, street_office_code

router = APIRouter()
public = APIRouter(tags=["public"])

ANY_ROLE = require(*Role)
ADMIN = require(Role.DISTRICT_ADMIN)
ORG_OR_ADMIN = require(Role.ORG, Role.DISTRICT_ADMIN)


class Notice(InputModel):
    id: UUID
    source_event_id: UUID
    event_type: str
    recipient_kind: str
    recipient_key: str
    subject: str
    body: str
    created_at: datetime
    read_at: datetime | None


class Delivery(InputModel):
    id: int
    notice_id: UUID
    source_event_id: UUID
    event_type: str
    recipient_kind: str
    recipient_key: str
    channel: str
    address: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    last_error_class: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None


_DELIVERY_COLUMNS = [k for k in Delivery.model_fields if k not in ("source_event_id", "event_type")]


class Reminder(InputModel):
    id: UUID
    source_event_id: UUID
    event_type: str
    name: str
    thing_key: str
    deadline: date
    workdays_before: int
    remind_on: date
    fire_at: datetime
    status: str
    fired_at: datetime | None


def visibility(p: Principal) -> tuple[str, list[Any]]:
    """Which inbox notices a caller may see, as a fixed SQL predicate and its parameters.

    An org sees its own; a street officer its street platform's and its street office's (the
    purchaser whose code is `<street>JDB`); district staff the district's, the district systems'
    and the district departments' (every purchaser that is not a street office), on their behalf
    until those departments have accounts of their own. A purchaser's notices are scoped by its
    code alone: what an event says about a purchaser's street or kind decides nothing.
    """
    if p.role is Role.ORG:
        return "n.recipient_kind = 'org' AND n.recipient_key = $1", [str(p.org_id)]
    if p.role is Role.STREET_OFFICER:
        return (
            "(n.recipient_kind = 'street' AND n.recipient_key = $1)"
            " OR (n.recipient_kind = 'purchaser' AND n.recipient_key = $2)",
            [p.street, street_office_code(p.street or "")],
        )
    if p.role is Role.DISTRICT_ADMIN:
        return (
            "(n.recipient_kind = 'district' AND n.recipient_key = $1) OR n.recipient_kind = 'district_system'"
            " OR (n.recipient_kind = 'purchaser' AND NOT n.recipient_key = ANY($2::text[]))",
            [DISTRICT_CODE, sorted(STREET_OFFICES)],
        )
    # reviewers and monitors: notices addressed to them by their login
    return "n.recipient_kind = $1 AND n.recipient_key = $2", [p.role.value, p.sub]


def _notice(r: Any) -> Notice:
    return Notice(
        id=r["id"],
        source_event_id=r["source_id"],
        event_type=r["routing_key"],
        recipient_kind=r["recipient_kind"],
        recipient_key=r["recipient_key"],
        subject=r["subject"],
        body=r["body"],
        created_at=r["created_at"],
        read_at=r["read_at"],
    )


@router.get("/inbox", response_model=list[Notice], tags=["inbox"], summary="The caller's own notices")
async def inbox(
    request: Request,
    principal: Annotated[Principal, Depends(ANY_ROLE)],
    unread_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[Notice]:
    where, args = visibility(principal)
    async with request.app.state.service.connection() as conn:
        rows = await Store(conn).inbox(where, args, unread_only=unread_only, limit=limit)
    return [_notice(r) for r in rows]


@router.post("/inbox/{notice_id}/read", response_model=Notice, tags=["inbox"], summary="Mark one of my notices read")
async def mark_read(request: Request, notice_id: UUID, principal: Annotated[Principal, Depends(ANY_ROLE)]) -> Notice:
    where, args = visibility(principal)
    service = request.app.state.service
    async with service.transaction() as conn:
        row = await Store(conn).mark_read(notice_id, where, args, service.clock())
    if row is None:
        # Someone else's notice is reported exactly like a missing one: ids leak nothing.
        raise NotFound(f"no notice {notice_id} in your inbox")
    return _notice(row)


@router.get("/deliveries", response_model=list[Delivery], tags=["operations"], summary="The delivery log")
async def deliveries(
    request: Request,
    _: Annotated[Principal, Depends(ADMIN)],
    status: Literal["due", "sent", "failed"] | None = None,
    channel: Literal["email", "webhook"] | None = None,
    source_event_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[Delivery]:
    async with request.app.state.service.connection() as conn:
        rows = await Store(conn).delivery_log(status=status, channel=channel, source_id=source_event_id, limit=limit)
    return [
        Delivery(**{k: r[k] for k in _DELIVERY_COLUMNS}, source_event_id=r["source_id"], event_type=r["routing_key"])
        for r in rows
    ]


@router.post(
    "/deliveries/{delivery_id}/retry", status_code=202, tags=["operations"], summary="Send a parked delivery again"
)
async def retry_delivery(request: Request, delivery_id: int, _: Annotated[Principal, Depends(ADMIN)]) -> dict[str, Any]:
    service = request.app.state.service
    async with service.transaction() as conn:
        notice = await Store(conn).requeue(delivery_id)
    if notice is None:
        raise Conflict(f"delivery {delivery_id} is not parked as failed (or does not exist)")
    service.worker.wake()
    return {"delivery_id": delivery_id, "status": "due"}


@router.get("/reminders", response_model=list[Reminder], tags=["operations"], summary="Scheduled and past reminders")
async def reminders(
    request: Request,
    _: Annotated[Principal, Depends(ADMIN)],
    source_event_id: UUID | None = None,
    status: Literal["scheduled", "fired", "cancelled", "superseded", "skipped"] | None = None,
    since: date | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[Reminder]:
    async with request.app.state.service.connection() as conn:
        rows = await Store(conn).reminders(source_id=source_event_id, status=status, since=since, limit=limit)
    return [
        Reminder(
            **{k: r[k] for k in Reminder.model_fields if k not in ("source_event_id", "event_type")},
            source_event_id=r["source_id"],
            event_type=r["routing_key"],
        )
        for r in rows
    ]


@router.get("/statistics", tags=["operations"], summary="Notices, deliveries, reminders and the feed in numbers")
async def statistics(request: Request, _: Annotated[Principal, Depends(ADMIN)]) -> dict[str, Any]:
    async with request.app.state.service.connection() as conn:
        stats = await Store(conn).statistics()
    sent = sum(n for by_status in stats["notices"].values() for status, n in by_status.items() if status == "sent")
    return {"sent": sent, **stats}


class WebhookSecret(InputModel):
    """A new signing secret, shown this once: notify keeps it encrypted and never shows it again."""

    org_id: UUID
    key_id: str
    secret: str
    created_at: datetime
    previous_key_id: str | None
    previous_valid_until: datetime | None


class WebhookKey(InputModel):
    key_id: str
    created_at: datetime
    valid_until: datetime | None


def _own_org(principal: Principal, org_id: UUID) -> None:
    if principal.role is Role.ORG and principal.org_id != org_id:
        raise Forbidden("只能管理本组织的回调签名密钥")


@router.post(
    "/orgs/{org_id}/webhook-secret",
    status_code=201,
    response_model=WebhookSecret,
    tags=["webhooks"],
    summary="Issue a new webhook signing secret (shown once); the previous one signs on for a grace period",
)
async def new_webhook_secret(
    request: Request, response: Response, org_id: UUID, principal: Annotated[Principal, Depends(ORG_OR_ADMIN)]
) -> WebhookSecret:
    _own_org(principal, org_id)
    service = request.app.state.service
    settings = service.notify_settings
    async with service.transaction() as conn:
        issued = await issue_secret(
            Store(conn),
            SecretBox(settings.webhook_key_encryption_key),
            org_id,
            now=service.clock(),
            grace=timedelta(hours=settings.webhook_key_grace_hours),
        )
    response.headers["Cache-Control"] = "no-store"
    return WebhookSecret(
        org_id=issued.org_id,
        key_id=issued.key_id,
        secret=issued.secret,
        created_at=issued.created_at,
        previous_key_id=issued.previous_key_id,
        previous_valid_until=issued.previous_valid_until,
    )


@router.get(
    "/orgs/{org_id}/webhook-keys",
    response_model=list[WebhookKey],
    tags=["webhooks"],
    summary="The organisation's signing keys that sign now (ids and validity, never the secrets)",
)
async def webhook_keys(
    request: Request, org_id: UUID, principal: Annotated[Principal, Depends(ORG_OR_ADMIN)]
) -> list[WebhookKey]:
    _own_org(principal, org_id)
    service = request.app.state.service
    async with service.connection() as conn:
        rows = await Store(conn).valid_keys(org_id, service.clock())
    return [WebhookKey(key_id=r["key_id"], created_at=r["created_at"], valid_until=r["retires_at"]) for r in rows]


@public.get("/public/announcements", response_class=HTMLResponse, summary="公示: current announcements (HTML)")
async def announcements_page(request: Request) -> HTMLResponse:
    service = request.app.state.service
    today = domain.local_today(service.clock())
    async with service.connection() as conn:
        items = await Store(conn).current_feed(today)
    return HTMLResponse(feed.html_page(items, today=today))


@public.get("/public/announcements.atom", summary="公示: current announcements (Atom feed)")
async def announcements_atom(request: Request) -> Response:
    service = request.app.state.service
    today = domain.local_today(service.clock())
    async with service.connection() as conn:
        items = await Store(conn).current_feed(today)
    base = service.notify_settings.public_base_url.rstrip("/")
    return Response(feed.atom(items, base_url=base, now=service.clock()), media_type="application/atom+xml")
