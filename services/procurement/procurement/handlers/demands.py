"""Step 1: demands from district systems (events) and from staff (HTTP)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID, uuid4

import asyncpg
import structlog

from procurement.domain.demand import DemandContent, Outcome, decide, rule_errors
from procurement.store import DemandStore, RejectedStore
from shared.contracts.base import IntegrationEvent
from shared.contracts.district import DemandPublished, Purchaser, PurchaserKind
from shared.contracts.procurement import DemandAccepted, DemandRejected, FieldError
from shared.errors import Conflict, Invalid
from shared.messaging.consumer import InvalidMessage, current_delivery
from shared.reference import Domain

log = structlog.get_logger("procurement.demands")

# The source_system of demands staff enter over HTTP; the district contract's pattern cannot
# produce it, so no district system can revise a staff-entered demand.
STAFF_SOURCE = "@staff"


class DemandFields(Protocol):
    """A demand as it arrives: the district event, or the same fields entered by staff."""

    @property
    def purchaser(self) -> Purchaser: ...
    @property
    def street_code(self) -> str | None: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def domain(self) -> Domain: ...
    @property
    def budget_cny(self) -> Decimal: ...
    @property
    def expected_beneficiaries(self) -> int: ...
    @property
    def wanted_by(self) -> date | None: ...


def content_of(demand: DemandFields) -> DemandContent:
    return DemandContent(
        purchaser_code=demand.purchaser.code,
        purchaser_name=demand.purchaser.name,
        purchaser_kind=str(demand.purchaser.kind),
        street_code=demand.street_code,
        title=demand.title,
        description=demand.description,
        domain=str(demand.domain),
        budget_cny=demand.budget_cny,
        expected_beneficiaries=demand.expected_beneficiaries,
        wanted_by=demand.wanted_by,
    )


def accepted(
    demand_id: UUID, source_system: str, demand_ref: str, content: DemandContent, outcome: Outcome
) -> DemandAccepted:
    """The answer to a stored demand, naming its purchaser so that notify can address it."""
    return DemandAccepted(
        demand_id=demand_id,
        source_system=source_system,
        demand_ref=demand_ref,
        revised=outcome is Outcome.REVISED,
        purchaser=Purchaser(
            code=content.purchaser_code, name=content.purchaser_name, kind=PurchaserKind(content.purchaser_kind)
        ),
        street_code=content.street_code,
    )


async def receive(conn: asyncpg.Connection, event: DemandPublished, *, routing_key: str) -> list[IntegrationEvent]:
    """Store, revise or refuse a published demand; every message gets an answer."""
    content = content_of(event)
    errors = rule_errors(content, sent_on=event.occurred_at.date())
    if not errors:
        try:
            demand_id, outcome = await record(conn, event.source_system, event.demand_ref, content, via="event")
        except Conflict as exc:
            errors = [FieldError(field="demand_ref", message=exc.message)]
        else:
            log.info("demand_received", demand_id=str(demand_id), outcome=str(outcome), demand_ref=event.demand_ref)
            return [accepted(demand_id, event.source_system, event.demand_ref, content, outcome)]
    raw = current_delivery()  # a refusal keeps the message verbatim
    body, headers = (raw.body, raw.headers) if raw is not None else (event.model_dump_json().encode(), {})
    return await _refuse(
        conn,
        message_id=str(event.event_id),
        routing_key=routing_key,
        body=body,
        headers=headers,
        errors=errors,
        source_system=event.source_system,
        demand_ref=event.demand_ref,
    )


async def record(
    conn: asyncpg.Connection,
    source_system: str,
    demand_ref: str,
    content: DemandContent,
    *,
    via: str,
    by: str | None = None,
) -> tuple[UUID, Outcome]:
    """Insert, revise or leave a demand; a changed demand that was already sorted is a Conflict."""
    store = DemandStore(conn)
    # Most demands are new: one statement. A held identity (a repeat or a revision) is then read
    # locked; a concurrent first insert of the same identity is waited for by ON CONFLICT.
    demand_id = uuid4()
    if await store.insert(demand_id, source_system, demand_ref, content, via, by):
        return demand_id, Outcome.NEW
    existing = await store.by_ref(source_system, demand_ref)
    if existing is None:  # cannot happen while rows are never deleted; say so rather than guess
        raise RuntimeError(f"demand {source_system}/{demand_ref} conflicted on insert but is not there")
    outcome = decide(existing.status, existing.fingerprint, content)
    if outcome is Outcome.REVISED:
        await store.revise(existing.id, content)
    elif outcome is Outcome.FROZEN:
        raise Conflict("需求已进入需求梳理并纳入项目，不能再修改；如需变更请联系区社会组织指导服务中心")
    return existing.id, outcome


async def reject_invalid(conn: asyncpg.Connection, invalid: InvalidMessage) -> list[IntegrationEvent]:
    """Answer a message that broke the contract, keeping it raw with every reason."""
    source_system, demand_ref = _identity(invalid.body)
    return await _refuse(
        conn,
        message_id=invalid.message_id,
        routing_key=invalid.routing_key,
        body=invalid.body,
        headers=invalid.headers,
        errors=invalid.errors,
        source_system=source_system,
        demand_ref=demand_ref,
    )


async def _refuse(
    conn: asyncpg.Connection,
    *,
    message_id: str | None,
    routing_key: str,
    body: bytes,
    headers: dict[str, Any],
    errors: list[FieldError],
    source_system: str | None,
    demand_ref: str | None,
) -> list[IntegrationEvent]:
    first = await RejectedStore(conn).keep(
        message_id=message_id,
        routing_key=routing_key,
        body=body,
        headers=headers,
        errors=errors,
        source_system=source_system,
        demand_ref=demand_ref,
    )
    log.warning(
        "demand_rejected",
        message_id=message_id,
        source_system=source_system,
        demand_ref=demand_ref,
        errors=[e.model_dump() for e in errors],
        redelivery=not first,
    )
    if not first:
        return []  # the same message again: already answered
    return [
        DemandRejected(
            source_system=source_system,
            demand_ref=demand_ref,
            rejected_message_id=message_id,
            errors=errors,
        )
    ]


def _identity(body: bytes) -> tuple[str | None, str | None]:
    """Best effort: the identity fields of an invalid message, so its sender can match the answer."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None, None
    if not isinstance(data, dict):
        return None, None

    def text(key: str) -> str | None:
        value = data.get(key)
        return value[:100] if isinstance(value, str) else None

    return text("source_system"), text("demand_ref")


async def enter(
    conn: asyncpg.Connection, *, demand_ref: str | None, content: DemandContent, by: str, today: date
) -> tuple[UUID, Outcome, list[IntegrationEvent]]:
    """A staff member enters a demand over HTTP (source_system `@staff`)."""
    errors = rule_errors(content, sent_on=today)
    if errors:
        raise Invalid(errors[0].field, errors[0].message)
    ref = demand_ref or f"WEB-{uuid4().hex[:12].upper()}"
    demand_id, outcome = await record(conn, STAFF_SOURCE, ref, content, via="http", by=by)
    events: list[IntegrationEvent] = [accepted(demand_id, STAFF_SOURCE, ref, content, outcome)]
    return demand_id, outcome, events
