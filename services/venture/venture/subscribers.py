"""Thin consumers: message → use case, inside one transaction with the inbox row."""

from __future__ import annotations

import asyncpg

from shared.contracts.base import IntegrationEvent
from shared.contracts.procurement import ProjectSigned
from shared.contracts.registry import OrgFiled, OrgGraduated, OrgProfileUpdated, OrgRegistered, OrgStatusChanged
from shared.service import Service
from venture.handlers import registry as handlers


def register(service: Service) -> None:
    clock = service.demo_clock

    @service.consumers.on(OrgRegistered)
    async def on_org_registered(event: OrgRegistered, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        if event.graduated_from_filing:
            today = await clock.today(conn)
            return await handlers.record_graduation(
                conn, event.org, registered_on=event.org.registered_on, filed_on=event.org.filed_on, today=today
            )
        await handlers.record_org(conn, event.org)
        return []

    @service.consumers.on(OrgFiled)
    async def on_org_filed(event: OrgFiled, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        await handlers.record_org(conn, event.org)
        return []

    @service.consumers.on(OrgStatusChanged)
    async def on_org_status_changed(event: OrgStatusChanged, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        await handlers.record_org(conn, event.org)
        return []

    @service.consumers.on(OrgProfileUpdated)
    async def on_org_profile_updated(event: OrgProfileUpdated, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        await handlers.record_org(conn, event.org)
        return []

    @service.consumers.on(OrgGraduated)
    async def on_org_graduated(event: OrgGraduated, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        today = await clock.today(conn)
        return await handlers.record_graduation(
            conn, event.org, registered_on=event.registered_on, filed_on=event.filed_on, today=today
        )

    @service.consumers.on(ProjectSigned)
    async def on_project_signed(event: ProjectSigned, conn: asyncpg.Connection) -> list[IntegrationEvent]:
        await handlers.record_procurement_project(conn, event)
        return []
