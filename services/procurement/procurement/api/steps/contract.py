"""Steps 7 to 10: optimisation, signing, monitoring reports, payments and the final evaluation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter
from pydantic import Field

from procurement import access
from procurement.api.deps import ServiceDep, SetupDep, TodayDep
from procurement.domain.documents import dump
from procurement.domain.model import Grade
from procurement.domain.project import Project
from shared.contracts.base import IntegrationEvent, PositiveMoneyCNY
from shared.inputs import InputModel

from .common import Monitor, Staff, managed, managed_with_org, run_as

router = APIRouter(tags=["projects"])

# --- 7 optimisation, 8 signing -------------------------------------------------------------------------


class OptimiseIn(InputModel):
    changes: str = Field(min_length=1, max_length=20000)
    amount_cny: Decimal | None = Field(default=None, gt=0, max_digits=14, decimal_places=2)


@router.post("/projects/{project_id}/optimisation", summary="Record the optimised plan and budget (项目优化)")
async def optimise(project_id: UUID, body: OptimiseIn, p: Staff, svc: ServiceDep, today: TodayDep) -> dict[str, Any]:
    return await managed(
        svc, project_id, p, lambda pr: pr.optimise(changes=body.changes, amount_cny=body.amount_cny, today=today)
    )


class ContractIn(InputModel):
    starts_on: date
    ends_on: date
    multi_year: bool = False


@router.post("/projects/{project_id}/contract", summary="Sign the contract (项目签约)")
async def sign(
    project_id: UUID, body: ContractIn, p: Staff, svc: ServiceDep, setup: SetupDep, today: TodayDep
) -> dict[str, Any]:
    return await managed_with_org(
        svc,
        project_id,
        p,
        lambda pr: pr.selection.org_id if pr.selection else None,
        lambda pr, org: pr.sign(
            org=org,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            multi_year=body.multi_year,
            rules=setup.rules,
            today=today,
        ),
    )


# --- 9 monitoring, 10 evaluation ----------------------------------------------------------------------


class MonitorIn(InputModel):
    monitor: str = Field(min_length=1, max_length=200)


@router.post("/projects/{project_id}/monitors", summary="Assign a third-party monitor/evaluator")
async def assign_monitor(project_id: UUID, body: MonitorIn, p: Staff, svc: ServiceDep) -> dict[str, Any]:
    return await managed(svc, project_id, p, lambda pr: pr.assign_monitor(monitor=body.monitor))


class ReportIn(InputModel):
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
        out.update(dump(entry))
        return events

    await run_as(svc, project_id, decide)
    return out


class PaymentIn(InputModel):
    amount_cny: PositiveMoneyCNY
    paid_on: date
    note: str = Field(default="", max_length=2000)


@router.post("/projects/{project_id}/payments", status_code=201, summary="Record a payment to the undertaker")
async def record_payment(project_id: UUID, body: PaymentIn, p: Staff, svc: ServiceDep) -> dict[str, Any]:
    return await managed(
        svc,
        project_id,
        p,
        lambda pr: pr.record_payment(amount_cny=body.amount_cny, paid_on=body.paid_on, note=body.note),
    )


class EvaluationIn(InputModel):
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

    project = await run_as(svc, project_id, decide)
    return access.view(project, p, manager=False)
