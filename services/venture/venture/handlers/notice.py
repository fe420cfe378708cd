"""Use cases after review: the public notice, objections and awards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import structlog

from shared.contracts.base import IntegrationEvent
from shared.contracts.venture import (
    AnnouncedProject,
    GrantAwarded,
    ObjectionFiled,
    ObjectionResolved,
    ResultsAnnounced,
    TranchePlanItem,
)
from shared.errors import Conflict, NotFound
from shared.workdays import WorkCalendar
from venture.domain.applications import Application, Objection
from venture.domain.grants import GrantTerms
from venture.domain.orgs import FundedProject
from venture.domain.rounds import Round, RoundStatus
from venture.domain.selection import Decision
from venture.handlers.ports import Applications, Grants, Objections, OrgRecords, Orgs, Reviews, Rounds
from venture.handlers.registry import incubatee_event
from venture.handlers.review import ranking
from venture.handlers.rounds import check_mentor_org, check_not_funded, load_application, load_round

log = structlog.get_logger("venture.rounds")


async def announce(
    rounds: Rounds,
    applications: Applications,
    reviews: Reviews,
    round_id: UUID,
    *,
    today: date,
    calendar: WorkCalendar,
) -> list[IntegrationEvent]:
    """Rank, select within the budget and put the results on public notice (立项公示)."""
    r = await load_round(rounds, round_id, for_update=True)
    r.require(RoundStatus.REVIEW)
    ranked = await ranking(rounds, applications, reviews, round_id)
    _check_all_reviewed(ranked.decisions, list(ranked.applications.values()))
    ends_on = r.start_notice(today, calendar)
    selected: list[AnnouncedProject] = []
    for d in ranked.decisions:
        await applications.set_decision(
            d.application_id,
            status="selected" if d.selected else "not_selected",
            score=d.score,
            rank=d.rank,
            award=d.award_cny,
            reason=d.reason,
        )
        if d.selected:
            selected.append(_announced(ranked.applications[d.application_id], d))
    await rounds.save_state(r)
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
            not_selected_application_ids=[d.application_id for d in ranked.decisions if not d.selected],
        )
    ]


def _check_all_reviewed(decisions: list[Decision], apps: list[Application]) -> None:
    """Every screened-in application scored, and none left unscreened."""
    ranked = {d.application_id for d in decisions}
    unscored = [a for a in apps if a.status == "screened_in" and a.id not in ranked]
    if unscored:
        raise Conflict(f"还有 {len(unscored)} 个初审通过的申报没有评分", code="unscored_applications")
    if any(a.status == "submitted" for a in apps):
        raise Conflict("还有申报未完成初审", code="unscreened_applications")


def _announced(a: Application, d: Decision) -> AnnouncedProject:
    assert d.award_cny is not None
    return AnnouncedProject(
        application_id=a.id,
        project_title=a.title,
        org_id=a.org_id,
        org_name=a.org_name,
        sponsor_org_id=a.sponsor_org_id,
        street_code=a.street_code,
        domain=a.domain,  # type: ignore[arg-type]
        amount_cny=d.award_cny,
        score=d.score,
        rank=d.rank,
    )


async def file_objection(
    rounds: Rounds,
    applications: Applications,
    objections: Objections,
    app_id: UUID,
    *,
    filed_by: str,
    filed_by_org_id: UUID | None,
    reason: str,
    today: date,
) -> tuple[Objection, list[IntegrationEvent]]:
    """An objection (异议) to a project on notice, until the notice ends."""
    app = await load_application(applications, app_id)
    r = await load_round(rounds, app.round_id)
    r.check_objection_window(today)
    if app.status != "selected":
        raise Conflict("只能对公示中的入选项目提出异议", code="not_on_notice")
    objection = Objection(uuid4(), r.id, app_id, filed_by, filed_by_org_id, reason, today)
    await objections.add(objection)
    return objection, [
        ObjectionFiled(
            objection_id=objection.id,
            round_id=r.id,
            application_id=app_id,
            project_title=app.title,
            filed_by=filed_by,
            filed_by_org_id=filed_by_org_id,
            reason=reason,
            filed_on=today,
        )
    ]


async def resolve_objection(
    rounds: Rounds,
    applications: Applications,
    objections: Objections,
    objection_id: UUID,
    *,
    upheld: bool,
    resolution: str,
    today: date,
) -> list[IntegrationEvent]:
    """Upheld: the project leaves the selection (its money stays unspent; see README Decisions)."""
    obj = await objections.get_for_update(objection_id)
    if obj is None:
        raise NotFound(f"异议 {objection_id} 不存在")
    if obj.status == "open":
        r = await load_round(rounds, obj.round_id)
        r.require(RoundStatus.NOTICE)
    obj.resolve(upheld=upheld, resolution=resolution, today=today)
    await objections.save_resolution(obj)
    if upheld:
        await applications.set_decision(
            obj.application_id,
            status="not_selected",
            score=None,
            rank=None,
            award=None,
            reason=f"异议成立：{resolution}",
        )
    return [
        ObjectionResolved(
            objection_id=objection_id,
            round_id=obj.round_id,
            application_id=obj.application_id,
            filed_by_org_id=obj.filed_by_org_id,
            upheld=upheld,
            resolution=resolution,
            resolved_on=today,
        )
    ]


async def award(
    rounds: Rounds,
    applications: Applications,
    objections: Objections,
    grants: Grants,
    orgs: OrgRecords,
    round_id: UUID,
    *,
    mentors: dict[UUID, UUID],
    today: date,
) -> list[IntegrationEvent]:
    """After the notice, with no objection open: a grant per selected project, with a mentor and tranches."""
    r = await load_round(rounds, round_id, for_update=True)
    for app_id, mentor in mentors.items():
        await check_mentor_org(orgs, mentor, f"mentors.{app_id}")
    if await objections.open_count(round_id):
        raise Conflict("还有未处理的异议", code="objections_open")
    r.award(today)
    events: list[IntegrationEvent] = []
    selected = [a for a in await applications.of_round(round_id) if a.status == "selected"]
    for i, a in enumerate(selected):
        if not await _still_unfunded(applications, orgs, a):
            continue
        # Round-robin over the round's mentors unless the district named one for this project.
        chosen = mentors.get(a.id) or (r.mentor_org_ids[i % len(r.mentor_org_ids)] if r.mentor_org_ids else None)
        events += await _make_grant(applications, grants, orgs, r, a, chosen, today)
    await rounds.save_state(r)
    log.info("round_awarded", round_id=str(round_id), grants=len(events))
    return events


async def _still_unfunded(applications: Applications, orgs: Orgs, a: Application) -> bool:
    """False (and the project leaves the selection) when it was funded elsewhere while on notice,
    e.g. procurement signed it: not funded twice."""
    try:
        await check_not_funded(orgs, a.org_id, a.title_key)
    except Conflict as exc:
        await applications.set_decision(
            a.id, status="not_selected", score=None, rank=None, award=None, reason=exc.message
        )
        return False
    return True


async def _make_grant(
    applications: Applications,
    grants: Grants,
    orgs: OrgRecords,
    r: Round,
    a: Application,
    mentor: UUID | None,
    today: date,
) -> list[IntegrationEvent]:
    grant_id = uuid4()
    assert a.award_cny is not None
    terms = GrantTerms(
        application_id=a.id,
        round_id=r.id,
        round_number=r.number,
        org_id=a.org_id,
        org_name=a.org_name,
        applied_as=a.applied_as,
        sponsor_org_id=a.sponsor_org_id,
        mentor_org_id=mentor,
        title=a.title,
        street_code=a.street_code,
        domain=a.domain,
        amount_cny=a.award_cny,
        awarded_on=today,
        report_interval_days=r.report_interval_days,
    )
    plan = r.tranche_amounts(terms.amount_cny)
    await grants.add(grant_id, terms, plan)
    await applications.set_decision(
        a.id, status="awarded", score=None, rank=None, award=terms.amount_cny, reason="资助"
    )
    await orgs.add_funded_project(FundedProject("venture", grant_id, a.org_id, a.title, a.title_key, today))
    events: list[IntegrationEvent] = [_awarded(grant_id, terms, r, plan)]
    if terms.applied_as == "community":
        events += await incubatee_event(orgs, a.org_id, today=today)
    return events


def _awarded(grant_id: UUID, terms: GrantTerms, r: Round, plan: list[tuple[int, int, Decimal]]) -> GrantAwarded:
    return GrantAwarded(
        grant_id=grant_id,
        round_id=r.id,
        round_number=r.number,
        round_year=r.year,
        application_id=terms.application_id,
        project_title=terms.title,
        org_id=terms.org_id,
        org_name=terms.org_name,
        applied_as=terms.applied_as,  # type: ignore[arg-type]
        sponsor_org_id=terms.sponsor_org_id,
        mentor_org_id=terms.mentor_org_id,
        amount_cny=terms.amount_cny,
        street_code=terms.street_code,
        domain=terms.domain,  # type: ignore[arg-type]
        awarded_on=terms.awarded_on,
        tranches=[TranchePlanItem(number=n, percent=p, amount_cny=x) for n, p, x in plan],
    )
