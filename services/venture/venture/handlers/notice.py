"""Use cases after review: the public notice, objections and awards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import asyncpg
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
from venture.domain.rounds import Round, RoundStatus
from venture.handlers.registry import incubatee_event
from venture.handlers.review import ranking
from venture.handlers.rounds import check_mentor_org, check_not_funded, load_application, load_round
from venture.store import grants as grant_store
from venture.store import orgs as org_store
from venture.store import review as review_store
from venture.store import rounds as store

log = structlog.get_logger("venture.rounds")


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
    await review_store.insert_objection(
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
    obj = await review_store.get_objection(conn, objection_id)
    if obj is None:
        raise NotFound(f"objection {objection_id} not found")
    if obj["status"] != "open":
        raise Conflict(f"objection already {obj['status']}", code="objection_resolved")
    r = await load_round(conn, obj["round_id"])
    r.require(RoundStatus.NOTICE)
    await review_store.resolve_objection(conn, objection_id, "upheld" if upheld else "dismissed", resolution, today)
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
    for app_id, mentor in mentors.items():
        await check_mentor_org(conn, mentor, f"mentors.{app_id}")
    if await review_store.open_objections(conn, round_id):
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
        # Round-robin over the round's mentors unless the district named one for this project.
        chosen = mentors.get(a["id"]) or (r.mentor_org_ids[i % len(r.mentor_org_ids)] if r.mentor_org_ids else None)
        events += await _make_grant(conn, r, a, chosen, today)
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
