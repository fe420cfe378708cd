"""Thin consumers: message → use case, inside one transaction with the inbox row (the kit's)."""

from __future__ import annotations

import asyncpg

from registry.handlers import programmes
from registry.store import ProgrammeStore
from shared.contracts.base import IntegrationEvent
from shared.contracts.procurement import ProjectSigned
from shared.contracts.venture import GrantAwarded
from shared.service import Service


def register(service: Service) -> None:
    @service.consumers.on(GrantAwarded)
    async def grant_awarded(event: GrantAwarded, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        """A venture grant joins the recipient's support history."""
        return await programmes.record_grant(ProgrammeStore(conn), event)

    @service.consumers.on(ProjectSigned)
    async def project_signed(event: ProjectSigned, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        """A signed service contract joins the undertaker's support history."""
        return await programmes.record_contract(ProgrammeStore(conn), event)
