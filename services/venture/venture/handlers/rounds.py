"""Use cases of a round: opening, applications, screening, review, notice, objections, awards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import structlog

from shared.contracts.base import IntegrationEvent
from shared.contracts.venture import (
    AnnouncedProject,
    ApplicationScreened,
    ApplicationSubmitted,
    CallClosed,
    ConflictDeclared,
    GrantAwarded,
    ObjectionFiled,
    ObjectionResolved,
    ResultsAnnounced,
    ReviewersAssigned,
    RoundOpened,
    RubricCriterion,
    TranchePlanItem,
)
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.workdays import WorkCalendar
from venture.domain.orgs import check_applicant, title_key
from venture.domain.rounds import Round, RoundStatus
from venture.domain.selection import Candidate, rank_and_select
from venture.handlers.registry import incubatee_event
from venture.store import grants as grant_store
from venture.store import orgs as org_store
from venture.store import rounds as store

log = structlog.get_logger("venture.rounds")


async def load_round(conn: asyncpg.Connection, round_id: UUID, *, for_update: bool = False) -> Round:
    r = await store.get_round(conn, round_id, for_update=for_update)
    if r is None:
        raise NotFound(f"round {round_id} not found")
    return r


async def load_application(conn: asyncpg.Connection, app_id: UUID, *, for_update: bool = False) -> asyncpg.Record:
    row = await store.get_application(conn, app_id, for_update=for_update)
    if row is None:
        raise NotFound(f"application {app_id} not found")
    return row


async def open_round(conn: asyncpg.Connection, r: Round) -> list[IntegrationEvent]:
    """Create a round and open its call for proposals."""
    r.validate()
    if await store.round_number_taken(conn, r.number):
        raise Conflict(f"第{r.number}届已经存在", code="round_exists")
    for mentor in r.mentor_org_ids:
        org = await org_store.get_org(conn, mentor)
        if org is None or not org.is_registered:
            raise Invalid("mentor_org_ids", f"督导机构 {mentor} 须是登记状态正常的社会组织")
    await store.insert_round(conn, r)
    log.info("round_opened", round_id=str(r.id), number=r.number)
    return [
        RoundOpened(
            round_id=r.id,
            number=r.number,
            year=r.year,
            title=r.title,
            priority_domains=r.priority_domains,  # type: ignore[arg-type]
            focus=r.focus,
            total_budget_cny=r.total_budget_cny,
            grant_cap_cny=r.grant_cap_cny,
            call_opens_on=r.call_opens_on,
            call_closes_on=r.call_closes_on,
            notice_workdays=r.notice_workdays,
            max_applications_per_org=r.max_applications_per_org,
            tranche_percents=r.tranche_percents,
            mentor_org_ids=r.mentor_org_ids,
            rubric=[RubricCriterion(key=c.key, name=c.name, weight=c.weight) for c in r.rubric],
        )
    ]


async def close_call(conn: asyncpg.Connection, round_id: UUID, *, today: date) -> list[IntegrationEvent]:
    r = await load_round(conn, round_id, for_update=True)
    r.close_call()
    await store.save_round_state(conn, r)
    count = len(await store.applications_of_round(conn, round_id))
    return [CallClosed(round_id=r.id, round_number=r.number, closed_on=today, applications=count)]


async def submit_application(
    conn: asyncpg.Connection,
    round_id: UUID,
    *,
    org_id: UUID,
    sponsor_org_id: UUID | None,
    submitted_by: str,
    title: str,
    street_code: str,
    community: str | None,
    domain: str,
    requested_cny: Decimal,
    plan: str,
    milestones: list[dict[str, Any]],
    today: date,
) -> tuple[UUID, list[IntegrationEvent]]:
    """An application: eligibility from the registry read model, the per-org cap, no double funding."""
    r = await load_round(conn, round_id, for_update=True)  # serialises the per-org cap check
    r.check_accepts_applications(today)
    r.check_requested(requested_cny, domain)
    applicant = await org_store.get_org(conn, org_id)
    sponsor = await org_store.get_org(conn, sponsor_org_id) if sponsor_org_id else None
    applied_as = check_applicant(applicant, sponsor, sponsor_org_id=sponsor_org_id)
    assert applicant is not None
    if await store.count_org_applications(conn, round_id, org_id) >= r.max_applications_per_org:
        raise Conflict(f"每个组织每届最多申报 {r.max_applications_per_org} 个项目", code="application_cap_reached")
    key = title_key(title)
    if await store.same_title_in_round(conn, round_id, org_id, key):
        raise Conflict("本届已有同名项目的申报", code="duplicate_application")
    await check_not_funded(conn, org_id, key)
    app_id = uuid4()
    await store.insert_application(
        conn,
        {
            "id": app_id,
            "round_id": round_id,
            "org_id": org_id,
            "org_name": applicant.name,
            "org_type": applicant.org_type,
            "sponsor_org_id": sponsor_org_id,
            "submitted_by": submitted_by,
            "title": title,
            "title_key": key,
            "street_code": street_code,
            "community": community,
            "domain": domain,
            "requested_cny": requested_cny,
            "plan": plan,
            "milestones": milestones,
            "status": "submitted",
            "submitted_on": today,
        },
    )
    log.info("application_submitted", application_id=str(app_id), org_id=str(org_id), applied_as=applied_as)
    return app_id, [
        ApplicationSubmitted(
            application_id=app_id,
            round_id=round_id,
            round_number=r.number,
            org_id=org_id,
            org_name=applicant.name,
            org_type=applicant.org_type,
            sponsor_org_id=sponsor_org_id,
            project_title=title,
            street_code=street_code,
            community=community,
            domain=domain,  # type: ignore[arg-type]
            requested_cny=requested_cny,
            submitted_on=today,
        )
    ]


async def check_not_funded(conn: asyncpg.Connection, org_id: UUID, key: str) -> None:
    funded = await org_store.find_funded(conn, org_id, key)
    if funded is not None:
        source = "政府购买服务项目" if funded["source"] == "procurement" else "往届公益创投项目"
        raise Conflict(
            f"同一项目不重复资助：该组织的“{funded['title']}”已作为{source}获得资助（{funded['funded_on']}）",
            code="already_funded",
        )


async def screen(
    conn: asyncpg.Connection, app_id: UUID, *, passed: bool, reason: str, today: date
) -> list[IntegrationEvent]:
    """Initial screening (初审): pass or fail, always with the reason."""
    app = await load_application(conn, app_id, for_update=True)
    r = await load_round(conn, app["round_id"])
    r.require(RoundStatus.REVIEW)
    if app["status"] not in ("submitted", "screened_in", "screened_out"):
        raise Conflict(f"application is {app['status']}", code="wrong_stage")
    await store.set_screening(conn, app_id, "screened_in" if passed else "screened_out", reason)
    return [
        ApplicationScreened(
            application_id=app_id,
            round_id=app["round_id"],
            org_id=app["org_id"],
            sponsor_org_id=app["sponsor_org_id"],
            project_title=app["title"],
            street_code=app["street_code"],
            passed=passed,
            reason=reason,
            screened_on=today,
        )
    ]


async def assign_reviewer(
    conn: asyncpg.Connection, round_id: UUID, *, reviewer: str, application_ids: list[UUID]
) -> list[IntegrationEvent]:
    """Give a reviewer applications; one they already declared a conflict with cannot be assigned."""
    r = await load_round(conn, round_id)
    r.require(RoundStatus.REVIEW)
    decl = await store.declaration(conn, round_id, reviewer)
    conflicted_orgs = set(decl["conflicted_org_ids"]) if decl else set()
    for i, app_id in enumerate(application_ids):
        app = await store.get_application(conn, app_id)
        if app is None or app["round_id"] != round_id:
            raise Invalid(f"application_ids.{i}", "不是本届的申报")
        if app["status"] != "screened_in":
            raise Invalid(f"application_ids.{i}", "只有初审通过的申报才能分配评审")
        if {app["org_id"], app["sponsor_org_id"]} & conflicted_orgs:
            raise Conflict(f"评审专家已声明与申报 {app_id} 存在利益冲突", code="reviewer_conflicted")
        await store.assign(conn, round_id, app_id, reviewer, False)
    return [
        ReviewersAssigned(round_id=round_id, round_number=r.number, reviewer=reviewer, application_ids=application_ids)
    ]


async def declare_conflicts(
    conn: asyncpg.Connection, round_id: UUID, *, reviewer: str, org_ids: list[UUID], statement: str, today: date
) -> list[IntegrationEvent]:
    """A reviewer's declaration of interests for a round; needed before opening any application."""
    r = await load_round(conn, round_id)
    r.require(RoundStatus.REVIEW)
    if not await store.has_assignment_in_round(conn, round_id, reviewer):
        raise Forbidden("no applications of this round are assigned to you")
    if await store.declaration(conn, round_id, reviewer) is not None:
        raise Conflict("利益冲突声明已提交，不能更改", code="already_declared")
    conflicted = await store.save_declaration(conn, round_id, reviewer, org_ids, statement, today)
    return [
        ConflictDeclared(
            round_id=round_id,
            reviewer=reviewer,
            conflicted_org_ids=org_ids,
            conflicted_application_ids=conflicted,
            declared_on=today,
        )
    ]


async def check_reviewer_may_open(conn: asyncpg.Connection, app: asyncpg.Record, reviewer: str) -> None:
    """A reviewer opens only an assigned, non-conflicted application, after declaring conflicts."""
    assignment = await store.assignment(conn, app["id"], reviewer)
    if assignment is None:
        raise Forbidden("this application is not assigned to you")
    if await store.declaration(conn, app["round_id"], reviewer) is None:
        raise Forbidden("declare conflicts of interest for this round before opening its applications")
    if assignment["conflicted"]:
        raise Forbidden("you declared a conflict of interest with this applicant")


async def score(
    conn: asyncpg.Connection, app_id: UUID, *, reviewer: str, criteria: dict[str, Decimal], comment: str
) -> Decimal:
    """A reviewer's rubric scores; re-scoring replaces their own until the notice starts."""
    app = await load_application(conn, app_id)
    await check_reviewer_may_open(conn, app, reviewer)
    r = await load_round(conn, app["round_id"])
    r.require(RoundStatus.REVIEW)
    if app["status"] != "screened_in":
        raise Conflict(f"application is {app['status']}", code="wrong_stage")
    total = r.weighted_total(criteria)
    await store.save_score(conn, app_id, reviewer, criteria, total, comment)
    return total


async def ranking(conn: asyncpg.Connection, round_id: UUID) -> tuple[Round, list[Any], dict[UUID, asyncpg.Record]]:
    r = await load_round(conn, round_id)
    apps = {a["id"]: a for a in await store.applications_of_round(conn, round_id)}
    totals = await store.round_totals(conn, round_id)
    candidates = [
        Candidate(a["id"], a["requested_cny"], totals.get(a["id"], []), a["submitted_on"])
        for a in apps.values()
        if a["status"] == "screened_in"
    ]
    return r, rank_and_select(candidates, budget=r.total_budget_cny, pass_score=r.pass_score), apps


async def announce(
    conn: asyncpg.Connection, round_id: UUID, *, today: date, calendar: WorkCalendar
) -> list[IntegrationEvent]:
    """Rank, select within the budget and put the results on public notice (立项公示)."""
    r = await load_round(conn, round_id, for_update=True)
    r.require(RoundStatus.REVIEW)
    _, decisions, apps = await ranking(conn, round_id)
    unscored = [
        a
        for a in apps.values()
        if a["status"] == "screened_in" and a["id"] not in {d.application_id for d in decisions}
    ]
    if unscored:
        raise Conflict(f"还有 {len(unscored)} 个初审通过的申报没有评分", code="unscored_applications")
    if any(a["status"] == "submitted" for a in apps.values()):
        raise Conflict("还有申报未完成初审", code="unscreened_applications")
    ends_on = r.start_notice(today, calendar)
    selected: list[AnnouncedProject] = []
    not_selected: list[UUID] = []
    for d in decisions:
        a = apps[d.application_id]
        status = "selected" if d.selected else "not_selected"
        await store.set_decision(
            conn, d.application_id, status=status, score=d.score, rank=d.rank, award=d.award_cny, reason=d.reason
        )
        if d.selected:
            assert d.award_cny is not None
            selected.append(
                AnnouncedProject(
                    application_id=a["id"],
                    project_title=a["title"],
                    org_id=a["org_id"],
                    org_name=a["org_name"],
                    sponsor_org_id=a["sponsor_org_id"],
                    street_code=a["street_code"],
                    domain=a["domain"],
                    amount_cny=d.award_cny,
                    score=d.score,
                    rank=d.rank,
                )
            )
        else:
            not_selected.append(d.application_id)
    await store.save_round_state(conn, r)
    log.info("results_announced", round_id=str(round_id), selected=len(selected), ends_on=str(ends_on))
    return [
        ResultsAnnounced(
            round_id=r.id,
            round_number=r.number,
            round_year=r.year,
            round_title=r.title,
            notice_starts_on=today,
            ends_on=ends_on,
            objection_deadline=ends_on,
            selected=selected,
            not_selected_application_ids=not_selected,
        )
    ]


async def file_objection(
    conn: asyncpg.Connection, app_id: UUID, *, filed_by: str, filed_by_org_id: UUID | None, reason: str, today: date
) -> tuple[UUID, list[IntegrationEvent]]:
    """An objection (异议) to a project on notice, until the notice ends."""
    app = await load_application(conn, app_id)
    r = await load_round(conn, app["round_id"])
    r.check_objection_window(today)
    if app["status"] != "selected":
        raise Conflict("只能对公示中的入选项目提出异议", code="not_on_notice")
    objection_id = uuid4()
    await store.insert_objection(
        conn,
        {
            "id": objection_id,
            "round_id": r.id,
            "application_id": app_id,
            "filed_by": filed_by,
            "filed_by_org_id": filed_by_org_id,
            "reason": reason,
            "filed_on": today,
        },
    )
    return objection_id, [
        ObjectionFiled(
            objection_id=objection_id,
            round_id=r.id,
            application_id=app_id,
            project_title=app["title"],
            filed_by=filed_by,
            filed_by_org_id=filed_by_org_id,
            reason=reason,
            filed_on=today,
        )
    ]


async def resolve_objection(
    conn: asyncpg.Connection, objection_id: UUID, *, upheld: bool, resolution: str, today: date
) -> list[IntegrationEvent]:
    """Upheld: the project leaves the selection (its money stays unspent; see README Decisions)."""
    obj = await store.get_objection(conn, objection_id)
    if obj is None:
        raise NotFound(f"objection {objection_id} not found")
    if obj["status"] != "open":
        raise Conflict(f"objection already {obj['status']}", code="objection_resolved")
    r = await load_round(conn, obj["round_id"])
    r.require(RoundStatus.NOTICE)
    await store.resolve_objection(conn, objection_id, "upheld" if upheld else "dismissed", resolution, today)
    if upheld:
        await store.set_decision(
            conn,
            obj["application_id"],
            status="not_selected",
            score=None,
            rank=None,
            award=None,
            reason=f"异议成立：{resolution}",
        )
    return [
        ObjectionResolved(
            objection_id=objection_id,
            round_id=obj["round_id"],
            application_id=obj["application_id"],
            filed_by_org_id=obj["filed_by_org_id"],
            upheld=upheld,
            resolution=resolution,
            resolved_on=today,
        )
    ]


async def award(
    conn: asyncpg.Connection, round_id: UUID, *, mentors: dict[UUID, UUID], today: date
) -> list[IntegrationEvent]:
    """After the notice, with no objection open: a grant per selected project, with a mentor and tranches."""
    r = await load_round(conn, round_id, for_update=True)
    if await store.open_objections(conn, round_id):
        raise Conflict("还有未处理的异议", code="objections_open")
    r.award(today)
    events: list[IntegrationEvent] = []
    selected = [a for a in await store.applications_of_round(conn, round_id) if a["status"] == "selected"]
    for i, a in enumerate(selected):
        try:
            await check_not_funded(conn, a["org_id"], a["title_key"])
        except Conflict as exc:
            # Funded elsewhere while on notice (e.g. procurement signed it): not funded twice.
            await store.set_decision(
                conn, a["id"], status="not_selected", score=None, rank=None, award=None, reason=exc.message
            )
            continue
        mentor = mentors.get(a["id"]) or (r.mentor_org_ids[i % len(r.mentor_org_ids)] if r.mentor_org_ids else None)
        events += await _make_grant(conn, r, a, mentor, today)
    await store.save_round_state(conn, r)
    log.info("round_awarded", round_id=str(round_id), grants=len(events))
    return events


async def _make_grant(
    conn: asyncpg.Connection, r: Round, a: asyncpg.Record, mentor: UUID | None, today: date
) -> list[IntegrationEvent]:
    grant_id = uuid4()
    applied_as = "community" if a["org_type"] == "community_org" else "registered"
    amount: Decimal = a["award_cny"]
    plan = r.tranche_amounts(amount)
    await grant_store.insert_grant(
        conn,
        {
            "id": grant_id,
            "application_id": a["id"],
            "round_id": r.id,
            "org_id": a["org_id"],
            "org_name": a["org_name"],
            "applied_as": applied_as,
            "sponsor_org_id": a["sponsor_org_id"],
            "mentor_org_id": mentor,
            "title": a["title"],
            "street_code": a["street_code"],
            "domain": a["domain"],
            "amount_cny": amount,
            "awarded_on": today,
        },
        plan,
    )
    await store.set_decision(conn, a["id"], status="awarded", score=None, rank=None, award=amount, reason="资助")
    await org_store.add_funded_project(
        conn,
        source="venture",
        source_id=grant_id,
        org_id=a["org_id"],
        title=a["title"],
        key=a["title_key"],
        funded_on=today,
    )
    events: list[IntegrationEvent] = [
        GrantAwarded(
            grant_id=grant_id,
            round_id=r.id,
            round_number=r.number,
            round_year=r.year,
            application_id=a["id"],
            project_title=a["title"],
            org_id=a["org_id"],
            org_name=a["org_name"],
            applied_as=applied_as,
            sponsor_org_id=a["sponsor_org_id"],
            mentor_org_id=mentor,
            amount_cny=amount,
            street_code=a["street_code"],
            domain=a["domain"],
            awarded_on=today,
            tranches=[TranchePlanItem(number=n, percent=p, amount_cny=x) for n, p, x in plan],
        )
    ]
    if applied_as == "community":
        events += await incubatee_event(conn, a["org_id"], today=today)
    return events
