"""Use cases of party building in depth: the census, the two coverages, branches merged and
dissolved with their history, 双报到 reports, branch activities and the events their links resolve on."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

import structlog

from registry.access import check_street_scope
from registry.domain.party_depth import BranchForm, Census, LinkKind, check_active, check_ended_on, coverages
from registry.domain.talent import not_future, text
from registry.handlers.ports import OrgLookup, Party
from shared.auth import Principal, Role
from shared.contracts.base import IntegrationEvent
from shared.contracts.procurement import ProjectCancelled, ProjectCreated, ProjectSigned, SolicitationOpened
from shared.contracts.registry import (
    BranchActivityRecorded,
    PartyBranchDissolved,
    PartyBranchMerged,
    PartyCensusRecorded,
    PartyMemberReported,
)
from shared.errors import Forbidden, Invalid, NotFound
from shared.reference import STREETS, OrgStatus

log = structlog.get_logger("registry.party")


async def _branch(party: Party, branch_id: UUID, field: str = "branch_id") -> dict[str, Any]:
    branch = await party.branch(branch_id)
    if branch is None:
        raise NotFound(f"党支部 {branch_id} 不存在")
    return branch


async def record_census(
    orgs: OrgLookup,
    party: Party,
    org_id: UUID,
    year: int,
    *,
    members: int,
    branch_form: BranchForm | None,
    branch_id: UUID | None,
    instructor: str | None,
    liaison: str | None,
    principal: Principal,
    now: datetime,
) -> tuple[dict[str, Any], list[IntegrationEvent]]:
    """Record (or correct) an organisation's census for a year; a street officer only its street's."""
    org = await orgs.get(org_id)
    if org is None:
        raise NotFound(f"组织 {org_id} 不存在")
    check_street_scope(principal, org.street_code)
    since = org.registered_on or org.filed_on
    census = Census.record(
        year=year,
        members=members,
        branch_form=branch_form,
        instructor=instructor,
        liaison=liaison,
        today=now.date(),
        registered_year=None if since is None else since.year,
    )
    if branch_id is not None:
        if branch_form is None:
            raise Invalid("branch_id", "未填写组建方式时不能指定党支部")
        check_active(await _branch(party, branch_id), "branch_id")
    first = await party.record_census(org_id, org.street_code, census, branch_id, by=principal.sub, at=now)
    event = PartyCensusRecorded(
        org_id=org_id,
        year=year,
        street_code=org.street_code,
        members=census.members,
        branch_form=None if branch_form is None else str(branch_form),
        branch_id=branch_id,
        reached=bool(census.instructor or census.liaison),
        corrected=not first,
        occurred_at=now,
    )
    row = {
        "org_id": org_id,
        "year": year,
        **{k: getattr(census, k) for k in ("members", "branch_form", "instructor", "liaison")},
    }
    return {**row, "branch_id": branch_id, "corrected": not first}, [event]


async def merge_branch(
    party: Party, branch_id: UUID, *, into: UUID, merged_on: date, principal: Principal, now: datetime
) -> list[IntegrationEvent]:
    """Merge a branch into another: its organisations move; both keep the fact in their history."""
    if into == branch_id:
        raise Invalid("into_branch_id", "不能合并到自身")
    branch = await _branch(party, branch_id)
    check_active(branch, "branch_id")
    target = await party.branch(into)
    if target is None:
        raise Invalid("into_branch_id", f"党支部 {into} 不存在")
    check_active(target, "into_branch_id")
    on = check_ended_on("merged_on", merged_on, branch, now.date())
    moved = await party.members(branch_id)
    await party.merge(branch_id, into, on)
    await party.add_history(branch_id, "merged_away", on, moved, other=into, actor=principal.sub)
    await party.add_history(into, "merged_in", on, moved, other=branch_id, actor=principal.sub)
    log.info("party_branch_merged", branch_id=str(branch_id), into=str(into), orgs=len(moved))
    return [
        PartyBranchMerged(
            branch_id=branch_id,
            name=branch["name"],
            into_branch_id=into,
            into_name=target["name"],
            org_ids=moved,
            merged_on=on,
            occurred_at=now,
        )
    ]


async def dissolve_branch(
    party: Party, branch_id: UUID, *, dissolved_on: date, reason: str, principal: Principal, now: datetime
) -> list[IntegrationEvent]:
    """Dissolve a branch: its organisations leave it (their census says what happens next)."""
    branch = await _branch(party, branch_id)
    check_active(branch, "branch_id")
    on = check_ended_on("dissolved_on", dissolved_on, branch, now.date())
    reason = text("reason", reason, limit=500)
    left = await party.members(branch_id)
    await party.dissolve(branch_id, on)
    await party.add_history(branch_id, "dissolved", on, left, reason=reason, actor=principal.sub)
    log.info("party_branch_dissolved", branch_id=str(branch_id), orgs=len(left))
    return [
        PartyBranchDissolved(
            branch_id=branch_id, name=branch["name"], org_ids=left, dissolved_on=on, reason=reason, occurred_at=now
        )
    ]


async def report_member(
    orgs: OrgLookup,
    party: Party,
    *,
    org_id: UUID,
    member_name: str,
    street_code: str,
    community: str,
    reported_on: date,
    service: str,
    principal: Principal,
    now: datetime,
) -> tuple[UUID, list[IntegrationEvent]]:
    """A member's report to a residential community (双报到): by the member's organisation, or by
    staff of the organisation's street or of the community's street."""
    org = await orgs.get(org_id)
    if org is None or org.status not in (OrgStatus.REGISTERED, OrgStatus.FILED):
        raise Invalid("org_id", f"未知或已不在册的组织 {org_id}")
    if principal.role is Role.ORG:
        if principal.org_id != org_id:
            raise Forbidden("组织账号只能登记本组织党员的报到")
    elif principal.role is Role.STREET_OFFICER and principal.street not in (org.street_code, street_code):
        raise Forbidden(f"街道工作人员只能登记本街道（{principal.street}）组织或社区的报到")
    if street_code not in STREETS:
        raise Invalid("street_code", f"未知街道代码 {street_code}")
    report_id = uuid4()
    community = text("community", community, limit=100)
    await party.add_report(
        {
            "report_id": report_id,
            "org_id": org_id,
            "member_name": text("member_name", member_name, limit=50),
            "street_code": street_code,
            "community": community,
            "reported_on": not_future("reported_on", reported_on, now.date()),
            "service": service.strip()[:1000],
            "by": principal.sub,
        }
    )
    event = PartyMemberReported(
        report_id=report_id,
        org_id=org_id,
        street_code=street_code,
        community=community,
        reported_on=reported_on,
        occurred_at=now,
    )
    return report_id, [event]


async def record_activity(
    party: Party,
    branch_id: UUID,
    *,
    held_on: date,
    title: str,
    participants: int,
    link_kind: LinkKind | None,
    link_ref: UUID | None,
    principal: Principal,
    now: datetime,
) -> tuple[UUID, list[IntegrationEvent]]:
    """A branch's public-benefit activity, optionally linked to a grant, a procurement project or a
    claiming item by its owner's id; the link is confirmed when that owner's event has arrived (before
    or after: `activities` resolves it when read)."""
    branch = await _branch(party, branch_id)
    check_street_scope(principal, branch["street_code"])
    check_active(branch, "branch_id")
    if (link_kind is None) != (link_ref is None):
        raise Invalid("link_ref" if link_ref is None else "link_kind", "关联类型和关联编号须同时填写")
    not_future("held_on", held_on, now.date())
    if held_on < branch["formed_on"]:
        raise Invalid("held_on", f"活动日期早于党支部成立日期 {branch['formed_on']}")
    activity_id, title = uuid4(), text("title", title)
    kind = None if link_kind is None else str(link_kind)
    await party.add_activity(
        {
            "activity_id": activity_id,
            "branch_id": branch_id,
            "held_on": held_on,
            "title": title,
            "participants": participants,
            "link_kind": kind,
            "link_ref": link_ref,
            "by": principal.sub,
        }
    )
    event = BranchActivityRecorded(
        activity_id=activity_id,
        branch_id=branch_id,
        held_on=held_on,
        title=title,
        participants=participants,
        link_kind=kind,
        link_ref=link_ref,
        occurred_at=now,
    )
    return activity_id, [event]


async def coverage_by_year(party: Party, *, from_year: int, to_year: int, street_code: str | None) -> dict[str, Any]:
    """Both coverages per year (and per street within each year), the branches running at each
    year's end, and 双报到 reports."""
    if to_year < from_year:
        raise Invalid("to_year", "结束年度不能早于开始年度")
    if to_year - from_year > 50:
        raise Invalid("from_year", "年度跨度至多 50 年")
    rows = await party.census_rows(from_year, to_year)
    if street_code is not None:
        rows = [r for r in rows if r["street_code"] == street_code]
    branches = await party.branches_by_year(from_year, to_year)
    reports: dict[int, int] = {}
    for r in await party.reports(from_year, to_year):
        if street_code is None or r["street_code"] == street_code:
            reports[r["year"]] = reports.get(r["year"], 0) + r["reports"]
    years = []
    for year in range(from_year, to_year + 1):
        of_year = [r for r in rows if r["year"] == year]
        streets = sorted({r["street_code"] or "" for r in of_year})
        years.append(
            {
                "year": year,
                "branches": branches.get(year, 0),
                "member_reports": reports.get(year, 0),
                **coverages(of_year),
                "by_street": [
                    {"street_code": s or None, **coverages([r for r in of_year if (r["street_code"] or "") == s])}
                    for s in streets
                ],
            }
        )
    return {"years": years}


# --- what procurement's events say of its projects (consumers) -----------------------------------


async def on_project_created(party: Party, e: ProjectCreated) -> list[IntegrationEvent]:
    """A procurement project exists: branch activities may link to it (rank 0)."""
    await party.record_project(
        e.project_id, title=e.title, purchaser_name=e.purchaser.name, street_code=e.street_code,
        domain=str(e.domain), budget_cny=e.budget_cny, closes_on=None, rank=0,
    )  # fmt: skip
    return []


async def on_solicitation_opened(party: Party, e: SolicitationOpened) -> list[IntegrationEvent]:
    """A project's call is open: an open demand to match offers to (rank 1, unless already closed)."""
    await party.record_project(
        e.project_id, title=e.title, purchaser_name=e.purchaser.name, street_code=e.street_code,
        domain=str(e.domain), budget_cny=e.budget_cny, closes_on=e.closes_on, rank=1,
    )  # fmt: skip
    return []


async def on_project_signed(party: Party, e: ProjectSigned) -> list[IntegrationEvent]:
    """A signed project is no longer open (rank 2) and names its undertaker."""
    await party.record_project(
        e.project_id, title=e.title, purchaser_name=e.purchaser.name, street_code=e.street_code,
        domain=str(e.domain), budget_cny=e.amount_cny, closes_on=None, rank=2, org_id=e.org_id,
    )  # fmt: skip
    return []


async def on_project_cancelled(party: Party, e: ProjectCancelled) -> list[IntegrationEvent]:
    """A cancelled project is no longer open (rank 2)."""
    await party.record_project(
        e.project_id, title=e.title, purchaser_name=e.purchaser.name, street_code=e.street_code,
        domain=str(e.domain), budget_cny=None, closes_on=None, rank=2,
    )  # fmt: skip
    return []
