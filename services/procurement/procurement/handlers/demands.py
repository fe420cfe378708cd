"""Step 1: demands from district systems (events) and from staff (HTTP)."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID, uuid4

import structlog

from procurement.domain.demand import DemandContent, Outcome, Refused, decide, rule_errors
from procurement.domain.senders import Sender, authority_errors, sender
from procurement.handlers.ports import Demands, Rejected
from shared.contracts.base import IntegrationEvent, storable, unstorable
from shared.contracts.district import DemandPublished, Purchaser, PurchaserKind
from shared.contracts.procurement import DemandAccepted, DemandRejected, FieldError
from shared.districts import DistrictSystems
from shared.errors import Conflict, Invalid
from shared.messaging.delivery import Delivery, InvalidMessage, usable_id
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
    demand_id: UUID,
    source_system: str,
    demand_ref: str,
    content: DemandContent,
    outcome: Outcome,
    *,
    message_id: str | None = None,
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
        accepted_message_id=message_id,
    )


async def receive(
    demands: Demands, rejected: Rejected, event: DemandPublished, delivery: Delivery, systems: DistrictSystems
) -> list[IntegrationEvent]:
    """Store, revise or refuse a published demand; every message gets an answer."""
    by = sender(delivery, systems)
    errors = list(by.errors)
    if by.system is not None:
        errors += authority_errors(
            by.system, source_system=event.source_system, purchaser=event.purchaser, street_code=event.street_code
        )
    content = content_of(event)
    errors += rule_errors(content, sent_on=event.occurred_at.date())
    if not errors and by.system is not None:
        try:
            demand_id, outcome = await record(demands, by.system.name, event.demand_ref, content, via="event")
        except Conflict as exc:
            errors = [FieldError(field="demand_ref", message=exc.message)]
        else:
            log.info("demand_received", demand_id=str(demand_id), outcome=str(outcome), demand_ref=event.demand_ref)
            message_id = usable_id(delivery.message_id)
            return [accepted(demand_id, by.system.name, event.demand_ref, content, outcome, message_id=message_id)]
    return await _refuse(rejected, delivery, by, errors, demand_ref=event.demand_ref)


async def record(
    demands: Demands,
    source_system: str,
    demand_ref: str,
    content: DemandContent,
    *,
    via: str,
    by: str | None = None,
) -> tuple[UUID, Outcome]:
    """Insert, revise or leave a demand; a changed demand that was already sorted is a Conflict."""
    # Most demands are new: one statement. A held identity (a repeat or a revision) is then read
    # locked; a concurrent first insert of the same identity is waited for by ON CONFLICT.
    demand_id = uuid4()
    if await demands.insert(demand_id, source_system, demand_ref, content, via, by):
        return demand_id, Outcome.NEW
    existing = await demands.by_ref(source_system, demand_ref)
    if existing is None:  # cannot happen while rows are never deleted; say so rather than guess
        raise RuntimeError(f"demand {source_system}/{demand_ref} conflicted on insert but is not there")
    outcome = decide(existing.status, existing.fingerprint, content)
    if outcome is Outcome.REVISED:
        await demands.revise(existing.id, content)
    elif outcome is Outcome.FROZEN:
        raise Conflict("需求已进入需求梳理并纳入项目，不能再修改；如需变更请联系区社会组织指导服务中心")
    return existing.id, outcome


async def reject_invalid(
    rejected: Rejected, invalid: InvalidMessage, systems: DistrictSystems
) -> list[IntegrationEvent]:
    """Answer a message that broke the contract, keeping it raw with every reason."""
    by = sender(invalid.delivery, systems)
    claimed = _claims(invalid.body)
    errors = list(by.errors)
    if by.system is not None and isinstance(claimed.get("source_system"), str):
        errors += authority_errors(by.system, source_system=claimed["source_system"], purchaser=None, street_code=None)
    demand_ref = claimed.get("demand_ref")
    return await _refuse(
        rejected,
        invalid.delivery,
        by,
        errors + invalid.errors,
        demand_ref=demand_ref if isinstance(demand_ref, str) else None,
    )


async def _refuse(
    rejected: Rejected, delivery: Delivery, by: Sender, errors: list[FieldError], *, demand_ref: str | None
) -> list[IntegrationEvent]:
    """Keep the refused message verbatim and answer it, once however often it is delivered."""
    message_id = usable_id(delivery.message_id)
    echoed_ref = demand_ref[:100] if demand_ref is not None and unstorable(demand_ref) is None else None
    first = await rejected.keep(
        Refused(
            message_id=storable(delivery.message_id) if delivery.message_id is not None else None,
            routing_key=storable(delivery.routing_key),
            body=delivery.body,
            headers=_storable_headers(delivery.headers),
            errors=errors,
            source_system=by.name,
            demand_ref=echoed_ref,
            sent_by=storable(delivery.user_id) if delivery.user_id is not None else None,
            dedupe_key=_dedupe_key(delivery),
        )
    )
    log.warning(
        "demand_rejected",
        message_id=message_id,
        sent_by=delivery.user_id,
        demand_ref=echoed_ref,
        errors=[e.model_dump() for e in errors],
        redelivery=not first,
    )
    if not first:
        return []  # the same message again: already answered
    return [DemandRejected(source_system=by.name, demand_ref=echoed_ref, rejected_message_id=message_id, errors=errors)]


def _dedupe_key(delivery: Delivery) -> str:
    """What makes two deliveries the same message: its sender and message_id, or, without a
    usable message_id, its sender, routing key and body."""
    sent_by = delivery.user_id or ""
    if (message_id := usable_id(delivery.message_id)) is not None:
        basis = json.dumps(["id", sent_by, message_id], ensure_ascii=False).encode()
    else:
        basis = json.dumps(["body", sent_by, delivery.routing_key], ensure_ascii=False).encode() + delivery.body
    return hashlib.sha256(basis).hexdigest()


def _storable_headers(headers: dict[str, Any]) -> dict[str, Any]:
    """The headers as JSON PostgreSQL can store (no U+0000, no lone surrogate, no infinity)."""
    try:
        return {storable(str(k)): _storable_json(v) for k, v in headers.items()}
    except RecursionError:
        return {"x-unkept-headers": "表头嵌套过深，未保存"}


def _storable_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {storable(str(k)): _storable_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable_json(v) for v in value]
    if value is None or isinstance(value, bool | int) or (isinstance(value, float) and math.isfinite(value)):
        return value
    if isinstance(value, bytes):
        return storable(value.decode("utf-8", errors="replace"))
    return storable(str(value))


def _claims(body: bytes) -> dict[str, Any]:
    """Best effort: what an unreadable message says about itself (its identity fields)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except Exception:  # whatever the body is: this only looks for something to echo
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class Entered:
    """A demand staff entered: where it is kept and what entering it did."""

    demand_id: UUID
    outcome: Outcome
    demand_ref: str


async def enter(
    demands: Demands, *, demand_ref: str | None, content: DemandContent, by: str, today: date
) -> tuple[Entered, list[IntegrationEvent]]:
    """A staff member enters a demand over HTTP (source_system `@staff`)."""
    errors = rule_errors(content, sent_on=today)
    if errors:
        raise Invalid(errors[0].field, errors[0].message)
    ref = demand_ref or f"WEB-{uuid4().hex[:12].upper()}"
    demand_id, outcome = await record(demands, STAFF_SOURCE, ref, content, via="http", by=by)
    return Entered(demand_id, outcome, ref), [accepted(demand_id, STAFF_SOURCE, ref, content, outcome)]
