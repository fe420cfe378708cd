"""Grants: tranches, progress reports, evaluations, completion and the street's follow-up."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends

from shared.auth import Principal, Role, forbid, require
from shared.errors import Invalid, NotFound
from venture.api.access import require_project
from venture.api.deps import Ctx
from venture.api.models import EvaluationIn, FollowupIn, ReportDecisionIn, ReportIn
from venture.api.views import grant_view
from venture.handlers import grants as uc
from venture.store import grants as store

router = APIRouter(tags=["grants"])
ADMIN = require(Role.DISTRICT_ADMIN)
READERS = require(Role.DISTRICT_ADMIN, Role.MONITOR, Role.ORG, Role.STREET_OFFICER)


async def _grant(conn: Any, grant_id: UUID) -> Any:
    row = await store.grant_row(conn, grant_id)
    if row is None:
        raise NotFound(f"grant {grant_id} not found")
    return row


@router.get("/grants", summary="Grants you may see (admin/monitor: all; org: own and sponsored; street: its own)")
async def list_grants(
    round_id: UUID | None = None, ctx: Ctx = Depends(), p: Principal = Depends(READERS)
) -> list[dict[str, Any]]:
    org_id = p.org_id if p.role is Role.ORG else None
    street = p.street if p.role is Role.STREET_OFFICER else None
    async with ctx.read() as conn:
        rows = await store.list_grants(conn, org_id=org_id, street_code=street, round_id=round_id)
    return [grant_view(r) for r in rows]


@router.get("/grants/{grant_id}", summary="One grant with its tranches, reports and evaluations")
async def get_grant(grant_id: UUID, ctx: Ctx = Depends(), p: Principal = Depends(READERS)) -> dict[str, Any]:
    async with ctx.read() as conn:
        row = await _grant(conn, grant_id)
        require_project(p, row)
        out = grant_view(row, await store.tranche_rows(conn, grant_id))
        out["reports"] = [
            {
                "id": str(r["id"]),
                "tranche_number": r["tranche_number"],
                "status": r["status"],
                "summary": r["summary"],
                "submitted_on": r["submitted_on"].isoformat(),
                "note": r["note"],
            }
            for r in await store.report_rows(conn, grant_id)
        ]
        out["evaluations"] = [
            {
                "id": str(e["id"]),
                "kind": e["kind"],
                "result": e["result"],
                "note": e["note"],
                "recorded_on": e["recorded_on"].isoformat(),
            }
            for e in await store.evaluation_rows(conn, grant_id)
        ]
        f = await store.followup(conn, grant_id)
        out["followup"] = f and {
            "pledge": f["pledge"],
            "pledged_by": f["pledged_by"],
            "pledged_on": f["pledged_on"].isoformat(),
        }
    return out


@router.post("/grants/{grant_id}/tranches/{number}/disbursement", summary="Pay a tranche (district_admin)")
async def disburse(grant_id: UUID, number: int, ctx: Ctx = Depends(), _: Principal = Depends(ADMIN)) -> dict[str, Any]:
    async with ctx.tx() as conn:
        await ctx.publish(conn, await uc.disburse(conn, grant_id, number, today=await ctx.today(conn)))
        return grant_view(await _grant(conn, grant_id), await store.tranche_rows(conn, grant_id))


@router.post("/grants/{grant_id}/reports", status_code=201, summary="Submit a progress report (the org or sponsor)")
async def submit_report(
    grant_id: UUID, body: ReportIn, ctx: Ctx = Depends(), p: Principal = Depends(require(Role.ORG))
) -> dict[str, Any]:
    async with ctx.tx() as conn:
        row = await _grant(conn, grant_id)
        if p.org_id not in (row["org_id"], row["sponsor_org_id"]):
            raise forbid("only the grantee or its sponsor reports on a grant")
        report_id, events = await uc.submit_report(
            conn, grant_id, body.tranche_number, summary=body.summary, by=p.sub, today=await ctx.today(conn)
        )
        await ctx.publish(conn, events)
    return {
        "id": str(report_id),
        "grant_id": str(grant_id),
        "tranche_number": body.tranche_number,
        "status": "submitted",
    }


@router.post("/reports/{report_id}/decision", summary="Accept or reject a progress report (district_admin)")
async def decide_report(
    report_id: UUID, body: ReportDecisionIn, ctx: Ctx = Depends(), _: Principal = Depends(ADMIN)
) -> dict[str, Any]:
    if not body.accepted and not body.note.strip():
        raise Invalid("note", "退回报告时须说明原因")
    async with ctx.tx() as conn:
        events = await uc.decide_report(
            conn, report_id, accepted=body.accepted, note=body.note, today=await ctx.today(conn)
        )
        await ctx.publish(conn, events)
    return {"id": str(report_id), "status": "accepted" if body.accepted else "rejected"}


@router.post("/grants/{grant_id}/evaluations", status_code=201, summary="Record an evaluation (admin, monitor)")
async def evaluate(
    grant_id: UUID,
    body: EvaluationIn,
    ctx: Ctx = Depends(),
    p: Principal = Depends(require(Role.DISTRICT_ADMIN, Role.MONITOR)),
) -> dict[str, Any]:
    async with ctx.tx() as conn:
        events = await uc.evaluate(
            conn, grant_id, kind=body.kind, result=body.result, note=body.note, by=p.sub, today=await ctx.today(conn)
        )
        await ctx.publish(conn, events)
        return grant_view(await _grant(conn, grant_id))


@router.post("/grants/{grant_id}/completion", summary="Complete a grant (district_admin)")
async def complete(grant_id: UUID, ctx: Ctx = Depends(), _: Principal = Depends(ADMIN)) -> dict[str, Any]:
    async with ctx.tx() as conn:
        await ctx.publish(conn, await uc.complete(conn, grant_id, today=await ctx.today(conn)))
        return grant_view(await _grant(conn, grant_id))


@router.post("/grants/{grant_id}/followup", status_code=201, summary="The landing street's follow-up pledge")
async def followup(
    grant_id: UUID,
    body: FollowupIn,
    ctx: Ctx = Depends(),
    p: Principal = Depends(require(Role.STREET_OFFICER, Role.DISTRICT_ADMIN)),
) -> dict[str, Any]:
    async with ctx.tx() as conn:
        row = await _grant(conn, grant_id)
        if p.role is Role.STREET_OFFICER and p.street != row["street_code"]:
            raise forbid("a street officer pledges follow-up only for projects landing in their street")
        events = await uc.pledge_followup(conn, grant_id, pledge=body.pledge, by=p.sub, today=await ctx.today(conn))
        await ctx.publish(conn, events)
    return {"grant_id": str(grant_id), "street_code": row["street_code"], "pledge": body.pledge}
