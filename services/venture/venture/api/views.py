"""Response shapes. Money goes out as decimal strings; reviewers never see identities on a blind round."""

from __future__ import annotations

from typing import Any

from venture.domain.applications import Application, Objection
from venture.domain.grants import Evaluation, Followup, GrantSummary, Report, Tranche
from venture.domain.rounds import Round


def money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


def _day(value: Any) -> str | None:
    return value and value.isoformat()


def round_view(r: Round) -> dict[str, Any]:
    return {
        "id": str(r.id),
        "number": r.number,
        "year": r.year,
        "title": r.title,
        "priority_domains": r.priority_domains,
        "focus": r.focus,
        "total_budget_cny": money(r.total_budget_cny),
        "grant_cap_cny": money(r.grant_cap_cny),
        "call_opens_on": r.call_opens_on.isoformat(),
        "call_closes_on": r.call_closes_on.isoformat(),
        "rubric": [{"key": c.key, "name": c.name, "weight": c.weight} for c in r.rubric],
        "notice_workdays": r.notice_workdays,
        "mentor_org_ids": [str(m) for m in r.mentor_org_ids],
        "max_applications_per_org": r.max_applications_per_org,
        "tranche_percents": r.tranche_percents,
        "report_interval_days": r.report_interval_days,
        "pass_score": str(r.pass_score),
        "blind_review": r.blind_review,
        "status": r.status.value,
        "notice_starts_on": _day(r.notice_starts_on),
        "notice_ends_on": _day(r.notice_ends_on),
        "awarded_on": _day(r.awarded_on),
        "level": r.level.value,
        "street_code": r.street_code,
    }


_IDENTITY = ("org_id", "org_name", "org_type", "sponsor_org_id", "submitted_by")
_DECISION = ("score", "rank", "award_cny", "decision_reason")


def application_view(a: Application, *, blind: bool = False, for_reviewer: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(a.id),
        "round_id": str(a.round_id),
        "org_id": str(a.org_id),
        "org_name": a.org_name,
        "org_type": a.org_type,
        "sponsor_org_id": a.sponsor_org_id and str(a.sponsor_org_id),
        "submitted_by": a.submitted_by,
        "title": a.title,
        "street_code": a.street_code,
        "community": a.community,
        "domain": a.domain,
        "requested_cny": money(a.requested_cny),
        "plan": a.plan,
        "milestones": a.milestones,
        "status": a.status,
        "screening_reason": a.screening_reason,
        "score": None if a.score is None else str(a.score),
        "rank": a.rank,
        "award_cny": money(a.award_cny),
        "decision_reason": a.decision_reason,
        "submitted_on": a.submitted_on.isoformat(),
    }
    if for_reviewer:
        # A reviewer sees neither the panel's result nor, on a blind round, who applied.
        for key in _DECISION + (_IDENTITY if blind else ()):
            out.pop(key, None)
    return out


def grant_view(g: GrantSummary, tranches: list[Tranche] | None = None) -> dict[str, Any]:
    t = g.terms
    out: dict[str, Any] = {
        "id": str(g.id),
        "application_id": str(t.application_id),
        "round_id": str(t.round_id),
        "round_number": t.round_number,
        "org_id": str(t.org_id),
        "org_name": t.org_name,
        "applied_as": t.applied_as,
        "sponsor_org_id": t.sponsor_org_id and str(t.sponsor_org_id),
        "mentor_org_id": t.mentor_org_id and str(t.mentor_org_id),
        "title": t.title,
        "street_code": t.street_code,
        "domain": t.domain,
        "amount_cny": money(t.amount_cny),
        "status": g.status.value,
        "awarded_on": t.awarded_on.isoformat(),
        "recovered_cny": money(g.recovered_cny),
        "completed_on": _day(g.completed_on),
    }
    if tranches is not None:
        out["tranches"] = [
            {
                "number": x.number,
                "percent": x.percent,
                "amount_cny": money(x.amount_cny),
                "status": x.status,
                "disbursed_on": _day(x.disbursed_on),
                "report_due_on": _day(x.report_due_on),
            }
            for x in tranches
        ]
    return out


def report_view(r: Report) -> dict[str, Any]:
    return {
        "id": str(r.id),
        "tranche_number": r.tranche_number,
        "status": r.status,
        "summary": r.summary,
        "submitted_on": _day(r.submitted_on),
        "note": r.note,
    }


def evaluation_view(e: Evaluation) -> dict[str, Any]:
    return {
        "id": str(e.id),
        "kind": e.kind,
        "result": e.result,
        "note": e.note,
        "recorded_on": e.recorded_on.isoformat(),
    }


def followup_view(f: Followup | None) -> dict[str, Any] | None:
    if f is None:
        return None
    return {"pledge": f.pledge, "pledged_by": f.pledged_by, "pledged_on": f.pledged_on.isoformat()}


def objection_view(o: Objection) -> dict[str, Any]:
    return {
        "id": str(o.id),
        "application_id": str(o.application_id),
        "filed_by": o.filed_by,
        "filed_by_org_id": o.filed_by_org_id and str(o.filed_by_org_id),
        "reason": o.reason,
        "status": o.status,
        "resolution": o.resolution,
        "filed_on": o.filed_on.isoformat(),
        "resolved_on": _day(o.resolved_on),
    }
