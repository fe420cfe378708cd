"""Use cases of selection: screening, reviewer assignments, conflict declarations, scores, ranking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

import structlog

from shared.contracts.base import IntegrationEvent
from shared.contracts.venture import (
    ApplicationScreened,
    ConflictDeclared,
    ReviewersAssigned,
)
from shared.errors import Conflict, Invalid
from venture import access
from venture.domain.applications import Application
from venture.domain.review import Declaration, Score
from venture.domain.rounds import Round, RoundStatus
from venture.domain.selection import Candidate, Decision, rank_and_select
from venture.handlers.ports import Applications, Reviews, Rounds
from venture.handlers.rounds import load_application, load_round

log = structlog.get_logger("venture.rounds")


async def screen(
    rounds: Rounds, applications: Applications, app_id: UUID, *, passed: bool, reason: str, today: date
) -> list[IntegrationEvent]:
    """Initial screening (初审): pass or fail, always with the reason."""
    app = await load_application(applications, app_id, for_update=True)
    r = await load_round(rounds, app.round_id)
    r.require(RoundStatus.REVIEW)
    app.require("submitted", "screened_in", "screened_out")
    app.status, app.screening_reason = ("screened_in" if passed else "screened_out"), reason
    await applications.set_screening(app_id, app.status, reason)
    return [
        ApplicationScreened(
            application_id=app_id,
            round_id=app.round_id,
            org_id=app.org_id,
            sponsor_org_id=app.sponsor_org_id,
            project_title=app.title,
            street_code=app.street_code,
            passed=passed,
            reason=reason,
            screened_on=today,
        )
    ]


async def assign_reviewer(
    rounds: Rounds,
    applications: Applications,
    reviews: Reviews,
    round_id: UUID,
    *,
    reviewer: str,
    application_ids: list[UUID],
) -> list[IntegrationEvent]:
    """Give a reviewer applications; one they already declared a conflict with cannot be assigned."""
    r = await load_round(rounds, round_id)
    r.require(RoundStatus.REVIEW)
    decl = await reviews.declaration(round_id, reviewer)
    conflicted_orgs = set(decl.conflicted_org_ids) if decl else set()
    for i, app_id in enumerate(application_ids):
        app = await applications.get(app_id)
        if app is None or app.round_id != round_id:
            raise Invalid(f"application_ids.{i}", "不是本届的申报")
        if app.status != "screened_in":
            raise Invalid(f"application_ids.{i}", "只有初审通过的申报才能分配评审")
        if {app.org_id, app.sponsor_org_id} & conflicted_orgs:
            raise Conflict(f"评审专家已声明与申报 {app_id} 存在利益冲突", code="reviewer_conflicted")
        await reviews.assign(round_id, app_id, reviewer)
    return [
        ReviewersAssigned(round_id=round_id, round_number=r.number, reviewer=reviewer, application_ids=application_ids)
    ]


async def declare_conflicts(
    rounds: Rounds, reviews: Reviews, round_id: UUID, *, reviewer: str, org_ids: list[UUID], statement: str, today: date
) -> tuple[list[UUID], list[IntegrationEvent]]:
    """A reviewer's declaration of interests for a round, needed before opening any application;
    returns the assigned applications it puts out of the reviewer's reach."""
    r = await load_round(rounds, round_id)
    r.require(RoundStatus.REVIEW)
    access.check_reviewer_of_round(await reviews.has_assignment_in_round(round_id, reviewer))
    if await reviews.declaration(round_id, reviewer) is not None:
        raise Conflict("利益冲突声明已提交，不能更改", code="already_declared")
    conflicted = await reviews.declare(round_id, reviewer, Declaration(org_ids, statement, today))
    return conflicted, [
        ConflictDeclared(
            round_id=round_id,
            reviewer=reviewer,
            conflicted_org_ids=org_ids,
            conflicted_application_ids=conflicted,
            declared_on=today,
        )
    ]


async def check_reviewer_may_open(reviews: Reviews, app: Application, reviewer: str) -> None:
    """A reviewer opens only an assigned, non-conflicted application, after declaring conflicts."""
    assignment = await reviews.assignment(app.id, reviewer)
    declared = assignment is not None and await reviews.declaration(app.round_id, reviewer) is not None
    access.check_reviewer_may_open(assignment, declared=declared)


async def score(
    rounds: Rounds,
    applications: Applications,
    reviews: Reviews,
    app_id: UUID,
    *,
    reviewer: str,
    criteria: dict[str, Decimal],
    comment: str,
) -> Decimal:
    """A reviewer's rubric scores; re-scoring replaces their own until the notice starts. No event."""
    app = await load_application(applications, app_id)
    await check_reviewer_may_open(reviews, app, reviewer)
    r = await load_round(rounds, app.round_id)
    r.require(RoundStatus.REVIEW)
    app.require("screened_in")
    total = r.weighted_total(criteria)
    await reviews.save_score(Score(app_id, reviewer, criteria, total, comment))
    return total


@dataclass(frozen=True)
class Ranking:
    """The round's screened-in applications ranked, and what the budget allows."""

    round: Round
    decisions: list[Decision]
    applications: dict[UUID, Application]


async def ranking(rounds: Rounds, applications: Applications, reviews: Reviews, round_id: UUID) -> Ranking:
    r = await load_round(rounds, round_id)
    apps = {a.id: a for a in await applications.of_round(round_id)}
    totals = await reviews.round_totals(round_id)
    candidates = [
        Candidate(a.id, a.requested_cny, totals.get(a.id, []), a.submitted_on)
        for a in apps.values()
        if a.status == "screened_in"
    ]
    return Ranking(r, rank_and_select(candidates, budget=r.total_budget_cny, pass_score=r.pass_score), apps)
