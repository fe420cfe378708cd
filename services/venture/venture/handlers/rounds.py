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
    ApplicationSubmitted,
    ApplicationWithdrawn,
    CallClosed,
    RoundOpened,
    RubricCriterion,
)
from shared.errors import Conflict, Invalid, NotFound
from venture.domain.orgs import check_applicant, check_mentor, title_key
from venture.domain.rounds import Round
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
    for i, mentor in enumerate(r.mentor_org_ids):
        await check_mentor_org(conn, mentor, f"mentor_org_ids.{i}")
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


async def check_mentor_org(conn: asyncpg.Connection, mentor: UUID, field: str) -> None:
    org = await org_store.get_org(conn, mentor)
    if org is None:
        # Same wording as for applicants, so clients can tell "not yet" (retry) from "never".
        raise Invalid(field, f"督导机构 {mentor} 尚未出现在登记信息中")
    try:
        check_mentor(org)
    except ValueError:
        raise Invalid(field, f"督导机构 {mentor} 须是登记状态正常的支持型社会组织") from None


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


async def withdraw(conn: asyncpg.Connection, app_id: UUID, *, today: date) -> list[IntegrationEvent]:
    """The applicant takes an application back while the call is open; it no longer counts against the cap."""
    app = await load_application(conn, app_id, for_update=True)
    r = await load_round(conn, app["round_id"])
    r.check_accepts_applications(today)
    if app["status"] != "submitted":
        raise Conflict(f"application is {app['status']}", code="wrong_stage")
    await store.set_decision(conn, app_id, status="withdrawn", score=None, rank=None, award=None, reason="申报方撤回")
    return [
        ApplicationWithdrawn(
            application_id=app_id,
            round_id=app["round_id"],
            org_id=app["org_id"],
            sponsor_org_id=app["sponsor_org_id"],
            project_title=app["title"],
            withdrawn_on=today,
        )
    ]
