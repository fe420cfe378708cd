"""The ten steps over HTTP: one route per command, each checking the caller's role and scope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from procurement.access import manages, require_manager, require_view
from procurement.api.deps import ServiceDep, SetupDep, TodayDep
from procurement.domain.model import Grade
from procurement.domain.project import Project
from procurement.handlers import projects as h
from procurement.store import ProjectStore, ReadModels
from shared.auth import Principal, Role, current_principal, require
from shared.contracts.base import IntegrationEvent, MoneyCNY
from shared.errors import Forbidden, NotFound
from shared.reference import Domain
from shared.service import Service

router = APIRouter(tags=["projects"])

Anyone = Annotated[Principal, Depends(current_principal)]
Staff = Annotated[Principal, Depends(require(Role.DISTRICT_ADMIN, Role.STREET_OFFICER))]
Reviewer = Annotated[Principal, Depends(require(Role.REVIEWER))]
Monitor = Annotated[Principal, Depends(require(Role.MONITOR))]
OrgUser = Annotated[Principal, Depends(require(Role.ORG))]
Objector = Annotated[Principal, Depends(require(Role.ORG, Role.DISTRICT_ADMIN, Role.STREET_OFFICER))]

Act = Callable[[Project], Sequence[IntegrationEvent]]


async def _managed(svc: Service, project_id: UUID, principal: Principal, act: Act) -> dict[str, Any]:
    """Run a staff command: the caller must manage this project."""

    async def decide(project: Project) -> Sequence[IntegrationEvent]:
        require_manager(principal, project)
        return act(project)

    async with svc.transaction() as conn:
        project = await h.run(conn, project_id, decide)
    return h.view(project, principal, manager=True)


async def _as(
    svc: Service, project_id: UUID, principal: Principal, decide: Callable[[Project], Awaitable[Sequence[Any]]]
) -> Project:
    async with svc.transaction() as conn:
        return await h.run(conn, project_id, decide)


# --- reading -------------------------------------------------------------------------------------


@router.get("/projects", summary="Projects the caller may see")
async def list_projects(principal: Anyone, svc: ServiceDep, stage: str | None = None) -> list[dict[str, Any]]:
    stages = [stage] if stage else None
    street: str | None = None
    contains: dict[str, Any] | None = None
    if principal.role is Role.STREET_OFFICER:
        street = principal.street
    elif principal.role is Role.REVIEWER:
        contains = {"reviewers": [{"sub": principal.sub}]}
    elif principal.role is Role.MONITOR:
        contains = {"monitors": [principal.sub]}
    elif principal.role is Role.ORG:
        contains = {"proposals": [{"org_id": str(principal.org_id)}]}
    async with svc.connection() as conn:
        found = await ProjectStore(conn).list(stages=stages, street=street, contains=contains)
    return [h.view(p, principal, manager=manages(principal, p)) for p in found]


@router.get("/projects/{project_id}", summary="One project, as the caller may see it")
async def get_project(project_id: UUID, principal: Anyone, svc: ServiceDep) -> dict[str, Any]:
    async with svc.connection() as conn:
        project = await ProjectStore(conn).get(project_id)
    if project is None:
        raise NotFound(f"没有项目 {project_id}")
    require_view(principal, project)
    return h.view(project, principal, manager=manages(principal, project))


@router.get("/projects/{project_id}/scores", summary="Scores: staff see all and the ranking; a reviewer only its own")
async def scores(project_id: UUID, principal: Anyone, svc: ServiceDep) -> dict[str, Any]:
    async with svc.connection() as conn:
        project = await ProjectStore(conn).get(project_id)
    if project is None:
        raise NotFound(f"没有项目 {project_id}")
    if manages(principal, project):
        mine = project.scores
        ranking = h.view(project, principal, manager=True)["ranking"]
    elif principal.role is Role.REVIEWER and project.reviewer(principal.sub) is not None:
        mine, ranking = [s for s in project.scores if s.reviewer == principal.sub], None
    else:
        raise Forbidden("只有管理人员和该项目的评审专家可以查看评分，且专家只能看到自己的评分")
    return {"scores": [s.model_dump(mode="json") for s in mine], "ranking": ranking}


# --- 2 sorting, 3 solicitation ---------------------------------------------------------------------


class ReviseIn(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    domain: Domain | None = None
    budget_cny: Decimal | None = Field(default=None, gt=0, max_digits=14, decimal_places=2)
    expected_beneficiaries: int | None = Field(default=None, ge=0)


@router.patch("/projects/{project_id}", summary="Revise a project during sorting")
async def revise(project_id: UUID, body: ReviseIn, p: Staff, svc: ServiceDep, setup: SetupDep) -> dict[str, Any]:
    changes = body.model_dump(exclude_none=True)
    return await _managed(svc, project_id, p, lambda pr: pr.revise(rules=setup.rules, changes=changes))


class DeadlineIn(BaseModel):
    closes_on: date


@router.post("/projects/{project_id}/solicitation", summary="Open the call for proposals (项目征集)")
async def open_solicitation(
    project_id: UUID, body: DeadlineIn, p: Staff, svc: ServiceDep, today: TodayDep
) -> dict[str, Any]:
    return await _managed(svc, project_id, p, lambda pr: pr.open_solicitation(closes_on=body.closes_on, today=today))


class ProposalIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    plan: str = Field(min_length=1, max_length=20000)
    budget_cny: MoneyCNY = Field(gt=0)


@router.post("/projects/{project_id}/proposals", status_code=201, summary="An org submits or revises its proposal")
async def submit_proposal(
    project_id: UUID, body: ProposalIn, p: OrgUser, svc: ServiceDep, today: TodayDep
) -> dict[str, Any]:
    assert p.org_id is not None
    result: dict[str, Any] = {}
    async with svc.transaction() as conn:
        name = await h.org_name(conn, p.org_id)

        async def decide(project: Project) -> Sequence[IntegrationEvent]:
            grant = await h.double_funding(conn, p.org_id, body.title, project.title)  # type: ignore[arg-type]
            proposal, events = project.submit_proposal(
                org_id=p.org_id,  # type: ignore[arg-type]
                org_name=name,
                title=body.title,
                plan=body.plan,
                budget_cny=body.budget_cny,
                today=today,
                venture_grant=grant,
            )
            result.update(proposal.model_dump(mode="json"))
            return events

        await h.run(conn, project_id, decide)
    return result


@router.get(
    "/projects/{project_id}/proposals", summary="Proposals: staff all, an org its own, a reviewer the valid ones"
)
async def list_proposals(project_id: UUID, principal: Anyone, svc: ServiceDep) -> list[dict[str, Any]]:
    async with svc.connection() as conn:
        project = await ProjectStore(conn).get(project_id)
    if project is None:
        raise NotFound(f"没有项目 {project_id}")
    if manages(principal, project):
        return [x.model_dump(mode="json") for x in project.proposals]
    require_view(principal, project)
    if principal.role is Role.ORG:
        return [x.model_dump(mode="json") for x in project.proposals if x.org_id == principal.org_id]
    if principal.role is Role.REVIEWER and project.reviewer(principal.sub) is not None:
        return [x.model_dump(mode="json") for x in project.valid_proposals()]
    raise Forbidden("您无权查看该项目的申报")


@router.post("/projects/{project_id}/solicitation/close", summary="Close the call; screening begins")
async def close_solicitation(project_id: UUID, p: Staff, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    return await _managed(svc, project_id, p, lambda pr: pr.close_solicitation(today=today))


# --- 4 screening, 5 review ----------------------------------------------------------------------------


class ScreeningIn(BaseModel):
    valid: bool
    reason: str | None = Field(default=None, max_length=2000)


@router.post("/projects/{project_id}/proposals/{proposal_id}/screening", summary="Initial screening (项目初筛)")
async def screen(
    project_id: UUID, proposal_id: UUID, body: ScreeningIn, p: Staff, svc: ServiceDep, today: TodayDep
) -> dict[str, Any]:
    async with svc.transaction() as conn:

        async def decide(project: Project) -> Sequence[IntegrationEvent]:
            require_manager(p, project)
            org = await ReadModels(conn).org(project.proposal(proposal_id).org_id)
            return project.screen(proposal_id=proposal_id, valid=body.valid, reason=body.reason, org=org, today=today)

        project = await h.run(conn, project_id, decide)
    return h.view(project, p, manager=True)


@router.post("/projects/{project_id}/review", summary="Close screening and start the approval review (立项评审)")
async def start_review(project_id: UUID, p: Staff, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    return await _managed(svc, project_id, p, lambda pr: pr.start_review(today=today))


class ReviewerIn(BaseModel):
    reviewer: str = Field(min_length=1, max_length=200)


@router.post("/projects/{project_id}/reviewers", summary="Assign a reviewer to the panel")
async def assign_reviewer(project_id: UUID, body: ReviewerIn, p: Staff, svc: ServiceDep) -> dict[str, Any]:
    return await _managed(svc, project_id, p, lambda pr: pr.assign_reviewer(sub=body.reviewer))


class ConflictsIn(BaseModel):
    org_ids: list[UUID] = Field(
        default_factory=list, description="orgs the reviewer has a conflict with (may be empty)"
    )
    note: str | None = Field(default=None, max_length=2000)


@router.post("/projects/{project_id}/conflicts", summary="A reviewer declares conflicts of interest")
async def declare_conflicts(project_id: UUID, body: ConflictsIn, p: Reviewer, svc: ServiceDep) -> dict[str, Any]:
    async def decide(project: Project) -> Sequence[IntegrationEvent]:
        return project.declare_conflicts(sub=p.sub, org_ids=body.org_ids, note=body.note)

    project = await _as(svc, project_id, p, decide)
    return h.view(project, p, manager=False)


class ScoreIn(BaseModel):
    criteria: dict[str, Decimal]
    comment: str = Field(default="", max_length=5000)


@router.post("/projects/{project_id}/proposals/{proposal_id}/scores", summary="A reviewer scores a valid proposal")
async def score(
    project_id: UUID, proposal_id: UUID, body: ScoreIn, p: Reviewer, svc: ServiceDep, setup: SetupDep
) -> dict[str, Any]:
    out: dict[str, Any] = {}

    async def decide(project: Project) -> Sequence[IntegrationEvent]:
        entry = project.score(
            sub=p.sub, proposal_id=proposal_id, criteria=body.criteria, comment=body.comment, rules=setup.rules
        )
        out.update(entry.model_dump(mode="json"))
        return []

    await _as(svc, project_id, p, decide)
    return out


@router.post("/projects/{project_id}/approval", summary="Rank, select within budget, start the announcement")
async def approve(project_id: UUID, p: Staff, svc: ServiceDep, setup: SetupDep, today: TodayDep) -> dict[str, Any]:
    return await _managed(
        svc, project_id, p, lambda pr: pr.approve(rules=setup.rules, calendar=setup.calendar, today=today)
    )


# --- 6 announcement -------------------------------------------------------------------------------------


class ObjectionIn(BaseModel):
    reason: str = Field(min_length=1, max_length=5000)


@router.post("/projects/{project_id}/objections", status_code=201, summary="File an objection (质疑)")
async def file_objection(
    project_id: UUID, body: ObjectionIn, p: Objector, svc: ServiceDep, today: TodayDep
) -> dict[str, Any]:
    out: dict[str, Any] = {}

    async def decide(project: Project) -> Sequence[IntegrationEvent]:
        if p.role is Role.STREET_OFFICER:
            require_manager(p, project)
        objection, events = project.file_objection(
            filed_by=p.sub, org_id=p.org_id if p.role is Role.ORG else None, reason=body.reason, today=today
        )
        out.update(objection.model_dump(mode="json"))
        return events

    await _as(svc, project_id, p, decide)
    return out


class ResolutionIn(BaseModel):
    upheld: bool
    resolution: str = Field(min_length=1, max_length=5000)


@router.post("/projects/{project_id}/objections/{objection_id}/resolution", summary="Uphold or dismiss an objection")
async def resolve_objection(
    project_id: UUID, objection_id: UUID, body: ResolutionIn, p: Staff, svc: ServiceDep, today: TodayDep
) -> dict[str, Any]:
    return await _managed(
        svc,
        project_id,
        p,
        lambda pr: pr.resolve_objection(
            objection_id=objection_id, upheld=body.upheld, resolution=body.resolution, today=today
        ),
    )


@router.post("/projects/{project_id}/announcement/close", summary="End the announcement; optimisation begins")
async def close_announcement(project_id: UUID, p: Staff, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    return await _managed(svc, project_id, p, lambda pr: pr.close_announcement(today=today))


# --- 7 optimisation, 8 signing -------------------------------------------------------------------------


class OptimiseIn(BaseModel):
    changes: str = Field(min_length=1, max_length=20000)
    amount_cny: Decimal | None = Field(default=None, gt=0, max_digits=14, decimal_places=2)


@router.post("/projects/{project_id}/optimisation", summary="Record the optimised plan and budget (项目优化)")
async def optimise(project_id: UUID, body: OptimiseIn, p: Staff, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    return await _managed(
        svc, project_id, p, lambda pr: pr.optimise(changes=body.changes, amount_cny=body.amount_cny, today=today)
    )


class ContractIn(BaseModel):
    starts_on: date
    ends_on: date
    multi_year: bool = False


@router.post("/projects/{project_id}/contract", summary="Sign the contract (项目签约)")
async def sign(
    project_id: UUID, body: ContractIn, p: Staff, svc: ServiceDep, setup: SetupDep, today: TodayDep
) -> dict[str, Any]:
    async with svc.transaction() as conn:

        async def decide(project: Project) -> Sequence[IntegrationEvent]:
            require_manager(p, project)
            org = await ReadModels(conn).org(project.selection.org_id) if project.selection else None
            return project.sign(
                org=org,
                starts_on=body.starts_on,
                ends_on=body.ends_on,
                multi_year=body.multi_year,
                rules=setup.rules,
                today=today,
            )

        project = await h.run(conn, project_id, decide)
    return h.view(project, p, manager=True)


# --- 9 monitoring, 10 evaluation ----------------------------------------------------------------------


class MonitorIn(BaseModel):
    monitor: str = Field(min_length=1, max_length=200)


@router.post("/projects/{project_id}/monitors", summary="Assign a third-party monitor/evaluator")
async def assign_monitor(project_id: UUID, body: MonitorIn, p: Staff, svc: ServiceDep) -> dict[str, Any]:
    return await _managed(svc, project_id, p, lambda pr: pr.assign_monitor(monitor=body.monitor))


class ReportIn(BaseModel):
    milestone: str = Field(min_length=1, max_length=200)
    status: Literal["on_track", "warning"] = "on_track"
    summary: str = Field(min_length=1, max_length=20000)
    warnings: list[str] = Field(default_factory=list, max_length=50)


@router.post("/projects/{project_id}/reports", status_code=201, summary="A monitor files a monitoring report")
async def report(project_id: UUID, body: ReportIn, p: Monitor, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    out: dict[str, Any] = {}

    async def decide(project: Project) -> Sequence[IntegrationEvent]:
        entry, events = project.report(
            monitor=p.sub,
            milestone=body.milestone,
            status=body.status,
            summary=body.summary,
            warnings=body.warnings,
            today=today,
        )
        out.update(entry.model_dump(mode="json"))
        return events

    await _as(svc, project_id, p, decide)
    return out


class PaymentIn(BaseModel):
    amount_cny: MoneyCNY = Field(gt=0)
    paid_on: date
    note: str = Field(default="", max_length=2000)


@router.post("/projects/{project_id}/payments", status_code=201, summary="Record a payment to the undertaker")
async def record_payment(project_id: UUID, body: PaymentIn, p: Staff, svc: ServiceDep) -> dict[str, Any]:
    return await _managed(
        svc,
        project_id,
        p,
        lambda pr: pr.record_payment(amount_cny=body.amount_cny, paid_on=body.paid_on, note=body.note),
    )


class EvaluationIn(BaseModel):
    grade: Grade
    score: Decimal | None = Field(default=None, ge=0, le=100)
    beneficiary_person_times: int = Field(ge=0, le=100_000_000)
    summary: str = Field(min_length=1, max_length=20000)


@router.post("/projects/{project_id}/evaluation", summary="The third party's final evaluation (项目评估)")
async def evaluate(
    project_id: UUID, body: EvaluationIn, p: Monitor, svc: ServiceDep, today: TodayDep
) -> dict[str, Any]:
    async def decide(project: Project) -> Sequence[IntegrationEvent]:
        return project.evaluate(
            evaluator=p.sub,
            grade=body.grade,
            score=body.score,
            beneficiary_person_times=body.beneficiary_person_times,
            summary=body.summary,
            today=today,
        )

    project = await _as(svc, project_id, p, decide)
    return h.view(project, p, manager=False)


# --- exits ------------------------------------------------------------------------------------------------


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=5000)


@router.post("/projects/{project_id}/cancellation", summary="Cancel the project")
async def cancel(project_id: UUID, body: ReasonIn, p: Staff, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    return await _managed(svc, project_id, p, lambda pr: pr.cancel(reason=body.reason, today=today))


@router.post("/projects/{project_id}/unsuccessful", summary="Declare the procurement unsuccessful (流标)")
async def unsuccessful(project_id: UUID, body: ReasonIn, p: Staff, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    return await _managed(svc, project_id, p, lambda pr: pr.declare_unsuccessful(reason=body.reason, today=today))


@router.post("/projects/{project_id}/resolicitation", summary="Re-solicit after an unsuccessful round")
async def resolicit(project_id: UUID, body: DeadlineIn, p: Staff, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    return await _managed(svc, project_id, p, lambda pr: pr.resolicit(closes_on=body.closes_on, today=today))
