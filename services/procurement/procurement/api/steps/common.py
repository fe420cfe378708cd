"""What every step route shares: the role each accepts, and running a command on one project in a
unit of work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends

from procurement import access
from procurement.domain.model import OrgView
from procurement.domain.project import Project
from procurement.handlers import projects as h
from procurement.store import Stores
from shared.auth import Principal, current_principal, require
from shared.contracts.base import IntegrationEvent
from shared.inputs import InputModel
from shared.service import Service

Anyone = Annotated[Principal, Depends(current_principal)]
Staff = Annotated[Principal, Depends(require(*access.STAFF))]
Reviewer = Annotated[Principal, Depends(require(*access.REVIEWER))]
Monitor = Annotated[Principal, Depends(require(*access.MONITOR))]
OrgUser = Annotated[Principal, Depends(require(*access.ORG))]
Objector = Annotated[Principal, Depends(require(*access.OBJECTORS))]


async def managed(svc: Service[Stores], project_id: UUID, principal: Principal, act: h.Act) -> dict[str, Any]:
    """Run a staff command: the caller must manage this project."""
    async with svc.unit_of_work() as uow:
        project, events = await h.manage(uow.stores.projects, project_id, principal, act)
        uow.emit(events)
    return access.view(project, principal, manager=True)


async def managed_with_org(
    svc: Service[Stores],
    project_id: UUID,
    principal: Principal,
    org_of: Callable[[Project], UUID | None],
    act: Callable[[Project, OrgView | None], Sequence[IntegrationEvent]],
) -> dict[str, Any]:
    """A staff command that judges an org (screening, signing): it gets the registry's view of it, if any."""
    async with svc.unit_of_work() as uow:
        s = uow.stores
        project, events = await h.manage_with_org(s.projects, s.orgs, project_id, principal, org_of, act)
        uow.emit(events)
    return access.view(project, principal, manager=True)


async def run_as(
    svc: Service[Stores], project_id: UUID, decide: Callable[[Project], Awaitable[Sequence[IntegrationEvent]]]
) -> Project:
    """Run a command whose role check the route already made (reviewer, monitor, objector)."""
    async with svc.unit_of_work() as uow:
        project, events = await h.run(uow.stores.projects, project_id, decide)
        uow.emit(events)
    return project


# Opening the call and re-soliciting take the same body.
class DeadlineIn(InputModel):
    closes_on: date
