"""Use cases of a grant: tranches, progress reports, evaluations, recovery, completion, follow-up."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import asyncpg
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
from venture.domain.grants import EvaluationResult, Grant, GrantStatus
from venture.store import grants as store

log = structlog.get_logger("venture.grants")


async def load(conn: asyncpg.Connection, grant_id: UUID) -> tuple[asyncpg.Record, Grant]:
    row = await store.grant_row(conn, grant_id, for_update=True)
    if row is None:
        raise NotFound(f"grant {grant_id} not found")
    return row, await store.load_grant(conn, row)


async def disburse(conn: asyncpg.Connection, grant_id: UUID, number: int, *, today: date) -> list[IntegrationEvent]:
    """Pay a tranche and set the due date of the report that will unlock the next one."""
    row, grant = await load(conn, grant_id)
    tranche = grant.disburse(number, today=today, report_interval_days=row["report_interval_days"])
    await store.save_grant(conn, grant)
    assert tranche.report_due_on is not None
    log.info("tranche_disbursed", grant_id=str(grant_id), tranche=number, amount_cny=str(tranche.amount_cny))
    return [
        TrancheDisbursed(
            grant_id=grant_id,
            round_id=row["round_id"],
            org_id=row["org_id"],
            sponsor_org_id=row["sponsor_org_id"],
            project_title=row["title"],
            street_code=row["street_code"],
            tranche_number=number,
            tranche_count=len(grant.tranches),
            amount_cny=tranche.amount_cny,
            disbursed_total_cny=grant.disbursed_cny,
            disbursed_on=today,
        ),
        ReportDue(
            grant_id=grant_id,
            org_id=row["org_id"],
            sponsor_org_id=row["sponsor_org_id"],
            mentor_org_id=row["mentor_org_id"],
            project_title=row["title"],
            street_code=row["street_code"],
            tranche_number=number,
            final=number == len(grant.tranches),
            report_due_on=tranche.report_due_on,
        ),
    ]


async def submit_report(
    conn: asyncpg.Connection, grant_id: UUID, number: int, *, summary: str, by: str, today: date
) -> tuple[UUID, list[IntegrationEvent]]:
    row, grant = await load(conn, grant_id)
    grant.submit_report(number)
    report_id = uuid4()
    await store.insert_report(conn, report_id, grant_id, number, summary, by, today)
    return report_id, [
        ProgressReportSubmitted(
            report_id=report_id,
            grant_id=grant_id,
            org_id=row["org_id"],
            mentor_org_id=row["mentor_org_id"],
            project_title=row["title"],
            tranche_number=number,
            submitted_on=today,
        )
    ]


async def decide_report(
    conn: asyncpg.Connection, report_id: UUID, *, accepted: bool, note: str, today: date
) -> list[IntegrationEvent]:
    grant_id = await store.report_grant(conn, report_id)
    if grant_id is None:
        raise NotFound(f"report {report_id} not found")
    row, grant = await load(conn, grant_id)
    report = grant.decide_report(report_id, accepted=accepted)
    await store.save_grant(conn, grant)
    await store.note_report_decision(conn, report_id, note, today)
    common = {
        "report_id": report_id,
        "grant_id": grant_id,
        "org_id": row["org_id"],
        "sponsor_org_id": row["sponsor_org_id"],
        "project_title": row["title"],
        "tranche_number": report.tranche_number,
        "note": note,
        "decided_on": today,
    }
    return [ReportAccepted(**common) if accepted else ReportRejected(**common)]


async def evaluate(
    conn: asyncpg.Connection, grant_id: UUID, *, kind: str, result: EvaluationResult, note: str, by: str, today: date
) -> list[IntegrationEvent]:
    """A failed evaluation withholds payments; a severe failure terminates the grant and recovers funds."""
    row, grant = await load(conn, grant_id)
    recovered = grant.evaluate(kind, result)
    await store.save_grant(conn, grant)
    eval_id = uuid4()
    await store.insert_evaluation(conn, eval_id, grant_id, kind, result.value, note, by, today)
    events: list[IntegrationEvent] = [
        EvaluationRecorded(
            evaluation_id=eval_id,
            grant_id=grant_id,
            org_id=row["org_id"],
            project_title=row["title"],
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
                org_id=row["org_id"],
                sponsor_org_id=row["sponsor_org_id"],
                project_title=row["title"],
                amount_cny=recovered,
                reason=note,
                recovered_on=today,
            )
        )
    return events


async def complete(conn: asyncpg.Connection, grant_id: UUID, *, today: date) -> list[IntegrationEvent]:
    row, grant = await load(conn, grant_id)
    grant.complete(today)
    await store.save_grant(conn, grant)
    return [
        GrantCompleted(
            grant_id=grant_id,
            round_id=row["round_id"],
            org_id=row["org_id"],
            sponsor_org_id=row["sponsor_org_id"],
            project_title=row["title"],
            street_code=row["street_code"],
            disbursed_cny=grant.disbursed_cny,
            completed_on=today,
        )
    ]


async def pledge_followup(
    conn: asyncpg.Connection, grant_id: UUID, *, pledge: str, by: str, today: date
) -> list[IntegrationEvent]:
    """The landing street's follow-up pledge (送一程), once per completed grant."""
    row, grant = await load(conn, grant_id)
    if grant.status is not GrantStatus.COMPLETED:
        raise Conflict("项目结项后才能登记街道后续支持承诺", code="grant_not_completed")
    if not await store.insert_followup(conn, grant_id, row["street_code"], pledge, by, today):
        raise Conflict("该项目已登记后续支持承诺", code="followup_exists")
    return [
        FollowupPledged(
            grant_id=grant_id,
            org_id=row["org_id"],
            project_title=row["title"],
            street_code=row["street_code"],
            pledge=pledge,
            pledged_by=by,
            pledged_on=today,
        )
    ]
