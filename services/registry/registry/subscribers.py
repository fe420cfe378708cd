"""Thin consumers: message → use case, inside one transaction with the inbox row (the kit's)."""

from __future__ import annotations

from typing import Any

import asyncpg
from faststream.message import StreamMessage

from registry.handlers import programmes
from registry.store import ProgrammeStore
from shared.contracts.base import IntegrationEvent
from shared.contracts.procurement import ProjectSigned
from shared.contracts.venture import GrantAwarded
from shared.service import Service


async def _raw_body(message: StreamMessage[Any]) -> bytes:
    return message.body


def _keep_bodies_raw(service: Service) -> None:
    """Work around a kit gap: FastStream JSON-decodes an `application/json` body before the
    kit's handler runs, so a malformed body raised inside FastStream and stayed unacked (it
    reached the dead-letter queue only after the delivery limit, without a reason). With the
    body passed through raw, the kit's own parsing dead-letters it at once with its reason.
    """
    for subscriber in service.broker.subscribers:
        for call in subscriber.calls:
            call.item_decoder = _raw_body


def register(service: Service) -> None:
    @service.consumers.on(GrantAwarded)
    async def grant_awarded(event: GrantAwarded, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        """A venture grant joins the recipient's support history."""
        return await programmes.record_grant(ProgrammeStore(conn), event)

    @service.consumers.on(ProjectSigned)
    async def project_signed(event: ProjectSigned, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        """A signed service contract joins the undertaker's support history."""
        return await programmes.record_contract(ProgrammeStore(conn), event)

    _keep_bodies_raw(service)
