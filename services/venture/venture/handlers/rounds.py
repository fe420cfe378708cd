"""Use cases of a round's call: opening it, applications, withdrawal, closing the call."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

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
from venture.domain.applications import Application
from venture.domain.orgs import check_applicant, check_mentor, title_key
from venture.domain.rounds import Round
from venture.handlers.ports import Applications, Orgs, Rounds

log = structlog.get_logger("venture.rounds")


async def load_round(rounds: Rounds, round_id: UUID, *, for_update: bool = False) -> Round:
    r = await rounds.get(round_id, for_update=for_update)
    if r is None:
        raise NotFound(f"公益创投届次 {round_id} 不存在")
    return r


async def load_application(applications: Applications, app_id: UUID, *, for_update: bool = False) -> Application:
    app = await applications.get(app_id, for_update=for_update)
    if app is None:
        raise NotFound(f"申报 {app_id} 不存在")
    return app


async def open_round(rounds: Rounds, orgs: Orgs, r: Round) -> tuple[Round, list[IntegrationEvent]]:
    """Create a round and open its call for proposals."""
    r.validate()
    if await rounds.number_taken(r.number, r.street_code):
        raise Conflict(f"第{r.number}届已经存在", code="round_exists")
    for i, mentor in enumerate(r.mentor_org_ids):
        await check_mentor_org(orgs, mentor, f"mentor_org_ids.{i}")
    await rounds.add(r)
    log.info("round_opened", round_id=str(r.id), number=r.number)
    return r, [_opened(r)]


def _opened(r: Round) -> RoundOpened:
    return RoundOpened(
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
        level=r.level.value,
        street_code=r.street_code,
    )


async def check_mentor_org(orgs: Orgs, mentor: UUID, field: str) -> None:
    org = await orgs.get(mentor)
    if org is None:
        # Same wording as for applicants, so clients can tell "not yet" (retry) from "never".
        raise Invalid(field, f"督导机构 {mentor} 尚未出现在登记信息中")
    try:
        check_mentor(org)
    except ValueError:
        raise Invalid(field, f"督导机构 {mentor} 须是登记状态正常的支持型社会组织") from None


async def close_call(
    rounds: Rounds, applications: Applications, round_id: UUID, *, today: date
) -> tuple[Round, list[IntegrationEvent]]:
    r = await load_round(rounds, round_id, for_update=True)
    r.close_call()
    await rounds.save_state(r)
    count = len(await applications.of_round(round_id))
    return r, [CallClosed(round_id=r.id, round_number=r.number, closed_on=today, applications=count)]


@dataclass(frozen=True)
class ApplicationRequest:
    """What an applicant asks for: the project, where it lands and how much."""

    org_id: UUID
    sponsor_org_id: UUID | None
    submitted_by: str
    title: str
    street_code: str
    community: str | None
    domain: str
    requested_cny: Decimal
    plan: str
    milestones: list[dict[str, Any]] = field(default_factory=list)


async def submit_application(
    rounds: Rounds, applications: Applications, orgs: Orgs, round_id: UUID, req: ApplicationRequest, *, today: date
) -> tuple[Application, list[IntegrationEvent]]:
    """An application: eligibility from the registry read model, the per-org cap, no double funding."""
    r = await load_round(rounds, round_id, for_update=True)  # serialises the per-org cap check
    r.check_accepts_applications(today)
    r.check_lands_in_street(req.street_code)
    r.check_requested(req.requested_cny, req.domain)
    applicant = await orgs.get(req.org_id)
    sponsor = await orgs.get(req.sponsor_org_id) if req.sponsor_org_id else None
    applied_as = check_applicant(applicant, sponsor, sponsor_org_id=req.sponsor_org_id)
    assert applicant is not None
    if await applications.count_of_org(round_id, req.org_id) >= r.max_applications_per_org:
        raise Conflict(f"每个组织每届最多申报 {r.max_applications_per_org} 个项目", code="application_cap_reached")
    key = title_key(req.title)
    if await applications.same_title_in_round(round_id, req.org_id, key):
        raise Conflict("本届已有同名项目的申报", code="duplicate_application")
    await check_not_funded(orgs, req.org_id, key)
    app = Application(
        id=uuid4(),
        round_id=round_id,
        org_id=req.org_id,
        org_name=applicant.name,
        org_type=applicant.org_type,
        sponsor_org_id=req.sponsor_org_id,
        submitted_by=req.submitted_by,
        title=req.title,
        title_key=key,
        street_code=req.street_code,
        community=req.community,
        domain=req.domain,
        requested_cny=req.requested_cny,
        plan=req.plan,
        milestones=req.milestones,
        submitted_on=today,
    )
    await applications.add(app)
    log.info("application_submitted", application_id=str(app.id), org_id=str(app.org_id), applied_as=applied_as)
    return app, [_submitted(app, r, today)]


def _submitted(app: Application, r: Round, today: date) -> ApplicationSubmitted:
    return ApplicationSubmitted(
        application_id=app.id,
        round_id=app.round_id,
        round_number=r.number,
        org_id=app.org_id,
        org_name=app.org_name,
        org_type=app.org_type,
        sponsor_org_id=app.sponsor_org_id,
        project_title=app.title,
        street_code=app.street_code,
        community=app.community,
        domain=app.domain,  # type: ignore[arg-type]
        requested_cny=app.requested_cny,
        submitted_on=today,
    )


async def check_not_funded(orgs: Orgs, org_id: UUID, key: str) -> None:
    funded = await orgs.find_funded(org_id, key)
    if funded is not None:
        raise Conflict(
            f"同一项目不重复资助：该组织的“{funded.title}”已作为{funded.source_name}获得资助（{funded.funded_on}）",
            code="already_funded",
        )


async def withdraw(
    rounds: Rounds, applications: Applications, app_id: UUID, *, today: date
) -> tuple[Application, list[IntegrationEvent]]:
    """The applicant takes an application back while the call is open; it no longer counts against the cap."""
    app = await load_application(applications, app_id, for_update=True)
    r = await load_round(rounds, app.round_id)
    r.check_accepts_applications(today)
    app.require("submitted")
    app.status, app.award_cny, app.decision_reason = "withdrawn", None, "申报方撤回"
    await applications.set_decision(app_id, status=app.status, score=None, rank=None, award=None, reason="申报方撤回")
    return app, [
        ApplicationWithdrawn(
            application_id=app_id,
            round_id=app.round_id,
            org_id=app.org_id,
            sponsor_org_id=app.sponsor_org_id,
            project_title=app.title,
            withdrawn_on=today,
        )
    ]
