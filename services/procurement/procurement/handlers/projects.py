"""Use cases of the ten steps: load the project locked, decide in the domain, save, emit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import structlog

from procurement.access import require_street
from procurement.domain import ocds
from procurement.domain.demand import project_key, purchaser_problem
from procurement.domain.model import Purchaser, Rules
from procurement.domain.project import Project
from procurement.store import DemandStore, ProjectStore, ReadModels
from shared.auth import Principal
from shared.contracts.base import IntegrationEvent
from shared.errors import Conflict, Invalid, NotFound
from shared.messaging import outbox
from shared.reference import Domain
from shared.workdays import WorkCalendar

log = structlog.get_logger("procurement.projects")

Decision = Callable[[Project], Awaitable[Sequence[IntegrationEvent]]]


@dataclass(frozen=True)
class Setup:
    """The collaborators every use case needs besides the connection."""

    rules: Rules
    calendar: WorkCalendar
    ocid_prefix: str
    publication_policy: str | None = None  # the OCDS packages' publicationPolicy URL


async def get(conn: asyncpg.Connection, project_id: UUID, *, lock: bool = False) -> Project:
    """The project, or NotFound (404) naming it."""
    project = await ProjectStore(conn).get(project_id, lock=lock)
    if project is None:
        raise NotFound(f"没有项目 {project_id}")
    return project


async def run(conn: asyncpg.Connection, project_id: UUID, decide: Decision) -> Project:
    """Load the project (locked), let `decide` act on it, save it and queue its events, in one transaction."""
    store = ProjectStore(conn)
    project = await get(conn, project_id, lock=True)
    events = list(await decide(project))
    ocds.freeze(project)
    await store.save(project)
    await outbox.add(conn, events)
    log.info(
        "project_step", project_id=str(project_id), stage=str(project.stage), events=[e.routing_key for e in events]
    )
    return project


async def sort_demands(
    conn: asyncpg.Connection,
    principal: Principal,
    setup: Setup,
    *,
    demand_ids: list[UUID],
    title: str | None,
    description: str | None,
    domain: Domain | None,
    budget_cny: Decimal | None,
    purchaser: Purchaser | None,
    street_code: str | None,
    today: date,
) -> Project:
    """Step 2: merge demands still in collection into one project (defaults come from the demands)."""
    demands = await DemandStore(conn).rows(demand_ids)
    found = {d["id"] for d in demands}
    missing = [str(i) for i in demand_ids if i not in found]
    if missing:
        raise Invalid("demand_ids", f"没有这些需求：{', '.join(missing)}")
    taken = [str(d["id"]) for d in demands if d["status"] != "collecting"]
    if taken:
        raise Conflict(f"这些需求已纳入其他项目：{', '.join(taken)}", code="demand_sorted")
    first = demands[0]
    chosen = purchaser or Purchaser(
        code=first["purchaser_code"], name=first["purchaser_name"], kind=first["purchaser_kind"]
    )
    street = street_code if street_code is not None else first["street_code"]
    require_street(principal, purchaser_code=chosen.code, purchaser_kind=chosen.kind, street_code=street)
    for d in demands:
        require_street(
            principal,
            purchaser_code=d["purchaser_code"],
            purchaser_kind=d["purchaser_kind"],
            street_code=d["street_code"],
        )
    problem = purchaser_problem(chosen.code, chosen.kind, street)
    if problem is not None:
        raise Invalid(problem.field, problem.message)
    project, events = Project.create(
        ocid_prefix=setup.ocid_prefix,
        title=title or first["title"],
        description=description if description is not None else "\n\n".join(d["description"] for d in demands),
        domain=domain or Domain(first["domain"]),
        purchaser=chosen,
        street_code=street,
        budget_cny=budget_cny if budget_cny is not None else sum((d["budget_cny"] for d in demands), Decimal(0)),
        expected_beneficiaries=sum(d["expected_beneficiaries"] for d in demands),
        demand_ids=[d["id"] for d in demands],
        rules=setup.rules,
        today=today,
    )
    await DemandStore(conn).mark_sorted(project.demand_ids, project.id)
    ocds.freeze(project)
    await ProjectStore(conn).save(project)
    await outbox.add(conn, events)
    log.info("project_created", project_id=str(project.id), demands=len(demands))
    return project


async def double_funding(conn: asyncpg.Connection, org_id: UUID, *titles: str) -> str | None:
    """A venture grant the same org holds for a project of the same (normalised) title, if any."""
    return await ReadModels(conn).grant_for(org_id, [project_key(t) for t in titles])


async def org_name(conn: asyncpg.Connection, org_id: UUID) -> str | None:
    org = await ReadModels(conn).org(org_id)
    return None if org is None else org.name


def view(project: Project, principal: Principal, *, manager: bool) -> dict[str, Any]:
    """The project as this caller may see it. Staff see everything; anyone else sees the project's
    public facts and what its role needs, never what another organisation submitted: no other
    proposals (a reviewer: the valid ones it scores), no other objections, no ranking, no other
    reviewer's scores, and a history of what happened when, without the OCDS releases and ids
    that list every bid (the OCDS export is for district admins)."""
    data = project.model_dump(mode="json")
    if manager:
        data["ranking"] = [{k: str(v) if v is not None else None for k, v in r.items()} for r in project.ranking()]
        return data
    data.pop("scores", None)
    data.pop("reviewers", None)
    data["history"] = [{"seq": h.seq, "kind": h.kind, "on": h.on.isoformat()} for h in project.history]
    data["objections"] = []
    if data.get("selection"):
        data["selection"].pop("ranking", None)
    if principal.role == "reviewer":
        me = project.reviewer(principal.sub)
        data["reviewers"] = [me.model_dump(mode="json")] if me else []
        data["scores"] = [s.model_dump(mode="json") for s in project.scores if s.reviewer == principal.sub]
        data["proposals"] = [p.model_dump(mode="json") for p in project.valid_proposals()]
    elif principal.role == "org":
        data["proposals"] = [p.model_dump(mode="json") for p in project.proposals if p.org_id == principal.org_id]
        data["objections"] = [
            o.model_dump(mode="json") for o in project.objections if o.filed_by_org_id == principal.org_id
        ]
        _public_result_only(data, project, principal)
    else:  # a monitor: only the undertaker's proposal matters
        chosen = project.selection.proposal_id if project.selection else None
        data["proposals"] = [p.model_dump(mode="json") for p in project.proposals if p.id == chosen]
    return data


def _public_result_only(data: dict[str, Any], project: Project, principal: Principal) -> None:
    """An org that did not win sees the result as the public does (announcement, signed contract),
    not which proposal won, nor the undertaker's monitoring, payments and evaluation."""
    undertaker = (
        project.contract.org_id if project.contract else project.selection.org_id if project.selection else None
    )
    if undertaker == principal.org_id:
        return
    if data.get("selection"):
        data["selection"].pop("proposal_id", None)
    for private in ("reports", "payments", "monitors"):
        data[private] = []
    data["evaluation"] = None
