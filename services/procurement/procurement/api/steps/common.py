"""What every step route shares: the role each accepts, and running a command on one project."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends

from procurement.access import require_manager
from procurement.domain.model import OrgView
from procurement.domain.project import Project
from procurement.handlers import projects as h
from procurement.store import ReadModels
from shared.auth import Principal, Role, current_principal, require
from shared.contracts.base import IntegrationEvent
from shared.inputs import InputModel
from shared.service import Service

Anyone = Annotated[Principal, Depends(current_principal)]
Staff = Annotated[Principal, Depends(require(Role.DISTRICT_ADMIN, Role.STREET_OFFICER))]
Reviewer = Annotated[Principal, Depends(require(Role.REVIEWER))]
Monitor = Annotated[Principal, Depends(require(Role.MONITOR))]
OrgUser = Annotated[Principal, Depends(require(Role.ORG))]
Objector = Annotated[Principal, Depends(require(Role.ORG, Role.DISTRICT_ADMIN, Role.STREET_OFFICER))]

Act = Callable[[Project], Sequence[IntegrationEvent]]


async def managed(svc: Service, project_id: UUID, principal: Principal, act: Act) -> dict[str, Any]:
    """Run a staff command: the caller must manage this project."""

    async def decide(project: Project) -> Sequence[IntegrationEvent]:
        require_manager(principal, project)
        return act(project)

    async with svc.transaction() as conn:
        project = await h.run(conn, project_id, decide)
    return h.view(project, principal, manager=True)


async def managed_with_org(
    svc: Service,
    project_id: UUID,
    principal: Principal,
    org_of: Callable[[Project], UUID | None],
    act: Callable[[Project, OrgView | None], Sequence[IntegrationEvent]],
) -> dict[str, Any]:
    """A staff command that judges an org (screening, signing): it gets the registry's view of it, if any."""
    async with svc.transaction() as conn:

        async def decide(project: Project) -> Sequence[IntegrationEvent]:
            require_manager(principal, project)
            org_id = org_of(project)
            org = await ReadModels(conn).org(org_id) if org_id is not None else None
            return act(project, org)

        project = await h.run(conn, project_id, decide)
    return h.view(project, principal, manager=True)


async def run_as(
    svc: Service, project_id: UUID, principal: Principal, decide: Callable[[Project], Awaitable[Sequence[Any]]]
) -> Project:
    """Run a command whose role check the route already made (reviewer, monitor, objector)."""
    async with svc.transaction() as conn:
        return await h.run(conn, project_id, decide)


# Opening the call and re-soliciting take the same body.
class DeadlineIn(InputModel):
    closes_on: date
