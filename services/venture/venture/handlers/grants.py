"""Use cases of a grant: tranches, progress reports, evaluations, recovery, completion, follow-up."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import structlog

from shared.contracts.base import IntegrationEvent
from shared.contracts.venture import (
    EvaluationRecorded,
    FollowupPledged,
    FundsRecovered,
    GrantCompleted,
    ProgressReportSubmitted,
    ReportAccepted,
    ReportDue,
    ReportRejected,
    TrancheDisbursed,
)
from shared.errors import Conflict, NotFound
from venture.domain.grants import Evaluation, EvaluationResult, Followup, Grant, GrantStatus, Report
from venture.handlers.ports import Grants

log = structlog.get_logger("venture.grants")


async def load(grants: Grants, grant_id: UUID) -> Grant:
    """The grant, locked for the transaction."""
    grant = await grants.get(grant_id, for_update=True)
    if grant is None:
        raise NotFound(f"资助项目 {grant_id} 不存在")
    return grant


async def disburse(grants: Grants, grant_id: UUID, number: int, *, today: date) -> tuple[Grant, list[IntegrationEvent]]:
    """Pay a tranche and set the due date of the report that will unlock the next one."""
    grant = await load(grants, grant_id)
    t = grant.about
    tranche = grant.disburse(number, today=today, report_interval_days=t.report_interval_days)
    await grants.save(grant)
    assert tranche.report_due_on is not None
    log.info("tranche_disbursed", grant_id=str(grant_id), tranche=number, amount_cny=str(tranche.amount_cny))
    return grant, [
        TrancheDisbursed(
            grant_id=grant_id,
            round_id=t.round_id,
            org_id=t.org_id,
            sponsor_org_id=t.sponsor_org_id,
            project_title=t.title,
            street_code=t.street_code,
            tranche_number=number,
            tranche_count=len(grant.tranches),
            amount_cny=tranche.amount_cny,
            disbursed_total_cny=grant.disbursed_cny,
            disbursed_on=today,
        ),
        ReportDue(
            grant_id=grant_id,
            org_id=t.org_id,
            sponsor_org_id=t.sponsor_org_id,
            mentor_org_id=t.mentor_org_id,
            project_title=t.title,
            street_code=t.street_code,
            tranche_number=number,
            final=number == len(grant.tranches),
            report_due_on=tranche.report_due_on,
        ),
    ]


async def submit_report(
    grants: Grants, grant_id: UUID, number: int, *, summary: str, by: str, today: date
) -> tuple[Report, list[IntegrationEvent]]:
    grant = await load(grants, grant_id)
    grant.submit_report(number)
    report = Report(uuid4(), number, "submitted", summary=summary, submitted_by=by, submitted_on=today)
    await grants.add_report(grant_id, report)
    t = grant.about
    return report, [
        ProgressReportSubmitted(
            report_id=report.id,
            grant_id=grant_id,
            org_id=t.org_id,
            mentor_org_id=t.mentor_org_id,
            project_title=t.title,
            tranche_number=number,
            submitted_on=today,
        )
    ]


async def decide_report(
    grants: Grants, report_id: UUID, *, accepted: bool, note: str, today: date
) -> list[IntegrationEvent]:
    grant_id = await grants.grant_of_report(report_id)
    if grant_id is None:
        raise NotFound(f"进度报告 {report_id} 不存在")
    grant = await load(grants, grant_id)
    report = grant.decide_report(report_id, accepted=accepted)
    report.note, report.decided_on = note, today
    await grants.save(grant)
    await grants.note_report_decision(report)
    t = grant.about
    common = {
        "report_id": report_id,
        "grant_id": grant_id,
        "org_id": t.org_id,
        "sponsor_org_id": t.sponsor_org_id,
        "project_title": t.title,
        "tranche_number": report.tranche_number,
        "note": note,
        "decided_on": today,
    }
    return [ReportAccepted(**common) if accepted else ReportRejected(**common)]


async def evaluate(
    grants: Grants, grant_id: UUID, *, kind: str, result: EvaluationResult, note: str, by: str, today: date
) -> tuple[Grant, list[IntegrationEvent]]:
    """A failed evaluation withholds payments; a severe failure terminates the grant and recovers funds."""
    grant = await load(grants, grant_id)
    recovered = grant.evaluate(kind, result)
    await grants.save(grant)
    evaluation = Evaluation(uuid4(), kind, result.value, note, by, today)
    await grants.add_evaluation(grant_id, evaluation)
    t = grant.about
    events: list[IntegrationEvent] = [
        EvaluationRecorded(
            evaluation_id=evaluation.id,
            grant_id=grant_id,
            org_id=t.org_id,
            project_title=t.title,
            kind=kind,
            result=result.value,
            note=note,
            payments_withheld=grant.status is not GrantStatus.ACTIVE,
            recorded_on=today,
        )
    ]
    if result is EvaluationResult.SEVERE:
        log.warning("funds_recovered", grant_id=str(grant_id), amount_cny=str(recovered))
        events.append(
            FundsRecovered(
                grant_id=grant_id,
                org_id=t.org_id,
                sponsor_org_id=t.sponsor_org_id,
                project_title=t.title,
                amount_cny=recovered,
                reason=note,
                recovered_on=today,
            )
        )
    return grant, events


async def complete(grants: Grants, grant_id: UUID, *, today: date) -> tuple[Grant, list[IntegrationEvent]]:
    grant = await load(grants, grant_id)
    grant.complete(today)
    await grants.save(grant)
    t = grant.about
    return grant, [
        GrantCompleted(
            grant_id=grant_id,
            round_id=t.round_id,
            org_id=t.org_id,
            sponsor_org_id=t.sponsor_org_id,
            project_title=t.title,
            street_code=t.street_code,
            disbursed_cny=grant.disbursed_cny,
            completed_on=today,
        )
    ]


async def pledge_followup(
    grants: Grants, grant_id: UUID, *, pledge: str, by: str, today: date
) -> tuple[Followup, list[IntegrationEvent]]:
    """The landing street's follow-up pledge (送一程), once per completed grant."""
    grant = await load(grants, grant_id)
    if grant.status is not GrantStatus.COMPLETED:
        raise Conflict("项目结项后才能登记街道后续支持承诺", code="grant_not_completed")
    t = grant.about
    followup = Followup(t.street_code, pledge, by, today)
    if not await grants.add_followup(grant_id, followup):
        raise Conflict("该项目已登记后续支持承诺", code="followup_exists")
    return followup, [
        FollowupPledged(
            grant_id=grant_id,
            org_id=t.org_id,
            project_title=t.title,
            street_code=t.street_code,
            pledge=pledge,
            pledged_by=by,
            pledged_on=today,
        )
    ]
