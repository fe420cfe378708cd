"""Thin consumers: a message → a use case, inside one transaction with the inbox row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg
import structlog
from faststream import AckPolicy
from faststream.rabbit.annotations import RabbitMessage

from procurement.domain.demand import project_key
from procurement.handlers import demands
from procurement.store import ReadModels
from shared.contracts.base import IntegrationEvent
from shared.contracts.district import DemandPublished
from shared.contracts.registry import OrgFiled, OrgGraduated, OrgProfileUpdated, OrgRegistered, OrgStatusChanged
from shared.contracts.venture import GrantAwarded
from shared.messaging.consumer import E, Handler, InvalidHandler, InvalidMessage
from shared.messaging.topology import EVENTS, consumer_queue
from shared.service import Service

log = structlog.get_logger("procurement.subscribers")

OrgEvent = OrgRegistered | OrgFiled | OrgGraduated | OrgStatusChanged | OrgProfileUpdated


def register(service: Service) -> None:
    async def reject_demand(invalid: InvalidMessage, conn: asyncpg.Connection) -> Sequence[IntegrationEvent]:
        return await demands.reject_invalid(conn, invalid)

    async def demand_published(event: DemandPublished, conn: asyncpg.Connection) -> Sequence[IntegrationEvent]:
        """A district system published a demand: accept, revise or refuse it, always answering."""
        return await demands.receive(conn, event, routing_key=DemandPublished.routing_key)

    _consume_raw(service, DemandPublished, demand_published, reject_demand)

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


def _consume_raw(service: Service, event_cls: type[E], handler: Handler[E], on_invalid: InvalidHandler) -> None:
    """Register like `service.consumers.on(event_cls, on_invalid=...)`, but with FastStream's JSON
    decoding switched off: a district system sends `content_type=application/json`, and FastStream
    would fail on a malformed body before the kit's own parser could answer it (a kit gap, reported).
    The kit's receive path (inbox, retry policy, dead letters, on_invalid) is used unchanged."""
    queue = consumer_queue(service.name, event_cls.routing_key)
    consumer = f"{service.name}.{handler.__name__}"

    async def raw_body(message: Any, _original: Any) -> bytes:
        body: bytes = message.body
        return body

    async def receive(message: RabbitMessage) -> None:
        # The raw bytes and headers travel with the message so a refusal can keep them verbatim.
        token = demands.RAW_MESSAGE.set((message.body, dict(message.raw_message.headers or {})))
        try:
            await service.consumers._receive(message, queue.name, consumer, event_cls, handler, on_invalid)
        finally:
            demands.RAW_MESSAGE.reset(token)

    receive.__name__ = handler.__name__
    receive.__doc__ = handler.__doc__
    service.broker.subscriber(
        queue,
        EVENTS,
        ack_policy=AckPolicy.MANUAL,
        decoder=raw_body,
        title=f"{queue.name}:consume",
        description=handler.__doc__,
    )(receive)
    service.consumers.routing_keys.append(event_cls.routing_key)


def _named(fn, name: str):  # type: ignore[no-untyped-def]
    """A distinct function per event class, so each gets its own consumer name in the inbox."""

    async def handler(event, conn):  # type: ignore[no-untyped-def]
        return await fn(event, conn)

    handler.__name__ = name
    handler.__doc__ = "Keep the local read model of registry organisations (newest snapshot wins)."
    return handler
