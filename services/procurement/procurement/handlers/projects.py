"""Use cases of the ten steps: load the project locked, decide in the domain, save, return the events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

import structlog

from procurement.access import check_manages, check_street
from procurement.domain import ocds
from procurement.domain.demand import Demand, project_key, purchaser_problem
from procurement.domain.model import OrgView, Proposal, Purchaser, Rules
from procurement.domain.needs import NeedLink
from procurement.domain.project import Project
from procurement.handlers.ports import Demands, Grants, Needs, Orgs, Projects
from shared.auth import Principal
from shared.contracts.base import IntegrationEvent
from shared.errors import Conflict, Invalid, NotFound
from shared.reference import Domain
from shared.workdays import WorkCalendar

log = structlog.get_logger("procurement.projects")

Decision = Callable[[Project], Awaitable[Sequence[IntegrationEvent]]]
Act = Callable[[Project], Sequence[IntegrationEvent]]
Stepped = tuple[Project, list[IntegrationEvent]]  # the project after a step, and the events the step caused


@dataclass(frozen=True)
class Setup:
    """The collaborators every use case needs besides the stores."""

    rules: Rules
    calendar: WorkCalendar
    ocid_prefix: str
    publication_policy: str | None = None  # the OCDS packages' publicationPolicy URL


async def get(projects: Projects, project_id: UUID, *, lock: bool = False) -> Project:
    """The project, or NotFound (404) naming it."""
    project = await projects.get(project_id, lock=lock)
    if project is None:
        raise NotFound(f"没有项目 {project_id}")
    return project


async def run(projects: Projects, project_id: UUID, decide: Decision) -> Stepped:
    """Load the project (locked), let `decide` act on it and save it; the events it caused come back."""
    project = await get(projects, project_id, lock=True)
    events = list(await decide(project))
    ocds.freeze(project)
    await projects.save(project)
    log.info(
        "project_step", project_id=str(project_id), stage=str(project.stage), events=[e.routing_key for e in events]
    )
    return project, events


async def manage(projects: Projects, project_id: UUID, principal: Principal, act: Act) -> Stepped:
    """A staff command: the caller must manage this project."""

    async def decide(project: Project) -> Sequence[IntegrationEvent]:
        check_manages(principal, project)
        return act(project)

    return await run(projects, project_id, decide)


async def manage_with_org(
    projects: Projects,
    orgs: Orgs,
    project_id: UUID,
    principal: Principal,
    org_of: Callable[[Project], UUID | None],
    act: Callable[[Project, OrgView | None], Sequence[IntegrationEvent]],
) -> Stepped:
    """A staff command that judges an org (screening, signing): it gets the registry's view of it, if any."""

    async def decide(project: Project) -> Sequence[IntegrationEvent]:
        check_manages(principal, project)
        org_id = org_of(project)
        org = await orgs.get(org_id) if org_id is not None else None
        return act(project, org)

    return await run(projects, project_id, decide)


async def submit_proposal(
    projects: Projects,
    orgs: Orgs,
    grants: Grants,
    project_id: UUID,
    *,
    org_id: UUID,
    title: str,
    plan: str,
    budget_cny: Decimal,
    today: date,
) -> tuple[Proposal, list[IntegrationEvent]]:
    """Step 3: an org submits (or revises) its proposal; one the same org's venture grant already
    funds under the same title is refused."""
    org = await orgs.get(org_id)
    made: list[Proposal] = []

    async def decide(project: Project) -> Sequence[IntegrationEvent]:
        grant = await grants.held_for(org_id, [project_key(t) for t in (title, project.title)])
        proposal, events = project.submit_proposal(
            org_id=org_id,
            org_name=None if org is None else org.name,
            title=title,
            plan=plan,
            budget_cny=budget_cny,
            today=today,
            venture_grant=grant,
        )
        made.append(proposal)
        return events

    _, events = await run(projects, project_id, decide)
    return made[0], events


@dataclass(frozen=True)
class Sorting:
    """What staff say when sorting demands into a project; whatever is None comes from the demands."""

    demand_ids: list[UUID]
    title: str | None = None
    description: str | None = None
    domain: Domain | None = None
    budget_cny: Decimal | None = None
    purchaser: Purchaser | None = None
    street_code: str | None = None


async def sort_demands(
    demands: Demands,
    projects: Projects,
    principal: Principal,
    setup: Setup,
    cmd: Sorting,
    *,
    today: date,
    needs: Needs | None = None,
) -> Stepped:
    """Step 2: merge demands still in collection into one project (defaults come from the demands)."""
    found = await _collecting(demands, cmd.demand_ids)
    first = found[0]
    chosen = cmd.purchaser or Purchaser(code=first.purchaser_code, name=first.purchaser_name, kind=first.purchaser_kind)
    street = cmd.street_code if cmd.street_code is not None else first.street_code
    check_street(principal, purchaser_code=chosen.code, purchaser_kind=chosen.kind, street_code=street)
    for d in found:
        check_street(
            principal, purchaser_code=d.purchaser_code, purchaser_kind=d.purchaser_kind, street_code=d.street_code
        )
    problem = purchaser_problem(chosen.code, chosen.kind, street)
    if problem is not None:
        raise Invalid(problem.field, problem.message)
    project, events = Project.create(
        ocid_prefix=setup.ocid_prefix,
        title=cmd.title or first.title,
        description=cmd.description if cmd.description is not None else "\n\n".join(d.description for d in found),
        domain=cmd.domain or Domain(first.domain),
        purchaser=chosen,
        street_code=street,
        budget_cny=cmd.budget_cny if cmd.budget_cny is not None else sum((d.budget_cny for d in found), Decimal(0)),
        expected_beneficiaries=sum(d.expected_beneficiaries for d in found),
        demand_ids=[d.id for d in found],
        rules=setup.rules,
        today=today,
    )
    await demands.mark_sorted(project.demand_ids, project.id)
    if needs is not None:  # the community needs the demands came from stay visible in the project
        project.community_needs = [
            NeedLink(need_id=n.id, community=n.community, title=n.title, residents=n.residents)
            for n in await needs.of_demands(project.demand_ids)
        ]
    ocds.freeze(project)
    await projects.save(project)
    log.info("project_created", project_id=str(project.id), demands=len(found))
    return project, events


async def _collecting(demands: Demands, ids: list[UUID]) -> list[Demand]:
    """The demands named, locked; every one must exist and still be in collection."""
    found = await demands.locked(ids)
    held = {d.id for d in found}
    missing = [str(i) for i in ids if i not in held]
    if missing:
        raise Invalid("demand_ids", f"没有这些需求：{', '.join(missing)}")
    taken = [str(d.id) for d in found if d.status != "collecting"]
    if taken:
        raise Conflict(f"这些需求已纳入其他项目：{', '.join(taken)}", code="demand_sorted")
    return found
