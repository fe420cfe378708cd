"""Thin consumers: a message → a use case, inside one transaction with the inbox row."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import structlog

from procurement.domain.demand import project_key
from procurement.handlers import demands
from procurement.store import ReadModels
from shared.contracts.base import IntegrationEvent
from shared.contracts.district import DemandPublished
from shared.contracts.registry import OrgFiled, OrgGraduated, OrgProfileUpdated, OrgRegistered, OrgStatusChanged
from shared.contracts.venture import GrantAwarded
from shared.districts import DistrictSystems
from shared.messaging.consumer import InvalidMessage, current_delivery
from shared.service import Service

log = structlog.get_logger("procurement.subscribers")

OrgEvent = OrgRegistered | OrgFiled | OrgGraduated | OrgStatusChanged | OrgProfileUpdated


def register(service: Service, systems: DistrictSystems) -> None:
    async def reject_demand(invalid: InvalidMessage, conn: asyncpg.Connection) -> Sequence[IntegrationEvent]:
        return await demands.reject_invalid(conn, invalid, systems)

    async def demand_published(event: DemandPublished, conn: asyncpg.Connection) -> Sequence[IntegrationEvent]:
        """A district system published a demand: accept, revise or refuse it, always answering."""
        delivery = current_delivery()
        if delivery is None:
            raise RuntimeError("a demand is only ever received from the broker")
        return await demands.receive(conn, event, delivery, systems)

    # Every key a district system may publish comes here, so that another version or a misspelt
    # key is answered too, instead of waiting unanswered in events.unrouted.
    consume = service.consumers.on(DemandPublished, on_invalid=reject_demand, also_bind=("district.#",))
    consume(demand_published)

    async def apply_org(event: OrgEvent, conn: asyncpg.Connection) -> Sequence[IntegrationEvent]:
        applied = await ReadModels(conn).apply_org(event.org)
        log.info("org_snapshot", org_id=str(event.org.org_id), version=event.org.version, applied=applied)
        return []

    for cls in (OrgRegistered, OrgFiled, OrgGraduated, OrgStatusChanged, OrgProfileUpdated):
        handler = _named(apply_org, f"org_{cls.routing_key.split('.')[1]}")
        service.consumers.on(cls)(handler)

    @service.consumers.on(GrantAwarded)
    async def grant_awarded(event: GrantAwarded, conn: asyncpg.Connection) -> Sequence[IntegrationEvent]:
        """Remember venture grants so the same project is not funded twice."""
        await ReadModels(conn).add_grant(
            event.grant_id,
            event.org_id,
            project_key(event.project_title),
            event.project_title,
            event.amount_cny,
            event.awarded_on,
        )
        return []


def _named(fn, name: str):  # type: ignore[no-untyped-def]
    """A distinct function per event class, so each gets its own consumer name in the inbox."""

    async def handler(event, conn):  # type: ignore[no-untyped-def]
        return await fn(event, conn)

    handler.__name__ = name
    handler.__doc__ = "Keep the local read model of registry organisations (newest snapshot wins)."
    return handler
