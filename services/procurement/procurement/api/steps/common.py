"""What every step route shares: running a command on one project in a unit of work (and, for
the step modules, the callers of each role from `api.deps`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from procurement import access
from procurement.api.deps import Anyone, Monitor, Objector, OrgUser, Reviewer, Staff
from procurement.domain.model import OrgView
from procurement.domain.project import Project
from procurement.handlers import projects as h
from procurement.store import Stores
from shared.auth import Principal
from shared.contracts.base import IntegrationEvent
from shared.inputs import InputModel
from shared.service import Service


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


__all__ = [
    "Anyone",
    "DeadlineIn",
    "Monitor",
    "Objector",
    "OrgUser",
    "Reviewer",
    "Staff",
    "managed",
    "managed_with_org",
    "run_as",
]


# Opening the call and re-soliciting take the same body.
class DeadlineIn(InputModel):
    closes_on: date
