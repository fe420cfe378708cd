"""Response shapes. Money goes out as decimal strings; reviewers never see identities on a blind round."""

from __future__ import annotations

from typing import Any

from venture.domain.rounds import Round


def money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


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
        "notice_starts_on": r.notice_starts_on and r.notice_starts_on.isoformat(),
        "notice_ends_on": r.notice_ends_on and r.notice_ends_on.isoformat(),
        "awarded_on": r.awarded_on and r.awarded_on.isoformat(),
    }


_IDENTITY = ("org_id", "org_name", "org_type", "sponsor_org_id", "submitted_by")
_DECISION = ("score", "rank", "award_cny", "decision_reason")


def application_view(row: Any, *, blind: bool = False, for_reviewer: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(row["id"]),
        "round_id": str(row["round_id"]),
        "org_id": str(row["org_id"]),
        "org_name": row["org_name"],
        "org_type": row["org_type"],
        "sponsor_org_id": row["sponsor_org_id"] and str(row["sponsor_org_id"]),
        "submitted_by": row["submitted_by"],
        "title": row["title"],
        "street_code": row["street_code"],
        "community": row["community"],
        "domain": row["domain"],
        "requested_cny": money(row["requested_cny"]),
        "plan": row["plan"],
        "milestones": row["milestones"],
        "status": row["status"],
        "screening_reason": row["screening_reason"],
        "score": None if row["score"] is None else str(row["score"]),
        "rank": row["rank"],
        "award_cny": money(row["award_cny"]),
        "decision_reason": row["decision_reason"],
        "submitted_on": row["submitted_on"].isoformat(),
    }
    if for_reviewer:
        # A reviewer sees neither the panel's result nor, on a blind round, who applied.
        for key in _DECISION + (_IDENTITY if blind else ()):
            out.pop(key, None)
    return out


def grant_view(row: Any, tranches: list[Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(row["id"]),
        "application_id": str(row["application_id"]),
        "round_id": str(row["round_id"]),
        "round_number": row["round_number"],
        "org_id": str(row["org_id"]),
        "org_name": row["org_name"],
        "applied_as": row["applied_as"],
        "sponsor_org_id": row["sponsor_org_id"] and str(row["sponsor_org_id"]),
        "mentor_org_id": row["mentor_org_id"] and str(row["mentor_org_id"]),
        "title": row["title"],
        "street_code": row["street_code"],
        "domain": row["domain"],
        "amount_cny": money(row["amount_cny"]),
        "status": row["status"],
        "awarded_on": row["awarded_on"].isoformat(),
        "recovered_cny": money(row["recovered_cny"]),
        "completed_on": row["completed_on"] and row["completed_on"].isoformat(),
    }
    if tranches is not None:
        out["tranches"] = [
            {
                "number": t["number"],
                "percent": t["percent"],
                "amount_cny": money(t["amount_cny"]),
                "status": t["status"],
                "disbursed_on": t["disbursed_on"] and t["disbursed_on"].isoformat(),
                "report_due_on": t["report_due_on"] and t["report_due_on"].isoformat(),
            }
            for t in tranches
        ]
    return out
