"""Thin consumers: message → use case. The kit opens the transaction, records the inbox row, hands
the handler the registry's stores on it and writes the events it returns.

Each consumer's `name` is its identity in the inbox (`registry.<name>`): the names below are the
ones these consumers have had from the start (their functions' names then), so the inbox rows
already written keep deduplicating; the functions may be renamed freely.
"""

from __future__ import annotations

from registry.handlers import party, programmes
from registry.store import Stores
from shared.contracts.base import IntegrationEvent
from shared.contracts.procurement import ProjectCancelled, ProjectCreated, ProjectSigned, SolicitationOpened
from shared.contracts.venture import GrantAwarded
from shared.service import Service


def register(service: Service[Stores]) -> None:
    @service.consumers.on(GrantAwarded, name="grant_awarded")
    async def record_grant(event: GrantAwarded, stores: Stores) -> list[IntegrationEvent]:
        """A venture grant joins the recipient's support history (and confirms branch activities linked to it)."""
        return await programmes.record_grant(stores.programmes, event)

    @service.consumers.on(ProjectSigned, name="project_signed")
    async def record_contract(event: ProjectSigned, stores: Stores) -> list[IntegrationEvent]:
        """A signed service contract joins the undertaker's support history; its project is no longer open."""
        await party.on_project_signed(stores.party, event)
        return await programmes.record_contract(stores.programmes, event)

    @service.consumers.on(ProjectCreated, name="procurement_project_created")
    async def project_created(event: ProjectCreated, stores: Stores) -> list[IntegrationEvent]:
        """A procurement project branch activities may link to."""
        return await party.on_project_created(stores.party, event)

    @service.consumers.on(SolicitationOpened, name="procurement_solicitation_opened")
    async def solicitation_opened(event: SolicitationOpened, stores: Stores) -> list[IntegrationEvent]:
        """An open procurement demand: matched to organisations' service offers."""
        return await party.on_solicitation_opened(stores.party, event)

    @service.consumers.on(ProjectCancelled, name="procurement_project_cancelled")
    async def project_cancelled(event: ProjectCancelled, stores: Stores) -> list[IntegrationEvent]:
        """A cancelled project is no longer open for matching."""
        return await party.on_project_cancelled(stores.party, event)
