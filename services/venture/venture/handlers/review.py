"""Use cases of selection: screening, reviewer assignments, conflict declarations, scores, ranking."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import structlog

from shared.contracts.base import IntegrationEvent
from shared.contracts.venture import (
    ApplicationScreened,
    ConflictDeclared,
    ReviewersAssigned,
)
from shared.errors import Conflict, Forbidden, Invalid
from venture.domain.rounds import Round, RoundStatus
from venture.domain.selection import Candidate, rank_and_select
from venture.handlers.rounds import load_application, load_round
from venture.store import review as review_store
from venture.store import rounds as store

log = structlog.get_logger("venture.rounds")


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
    decl = await review_store.declaration(conn, round_id, reviewer)
    conflicted_orgs = set(decl["conflicted_org_ids"]) if decl else set()
    for i, app_id in enumerate(application_ids):
        app = await store.get_application(conn, app_id)
        if app is None or app["round_id"] != round_id:
            raise Invalid(f"application_ids.{i}", "不是本届的申报")
        if app["status"] != "screened_in":
            raise Invalid(f"application_ids.{i}", "只有初审通过的申报才能分配评审")
        if {app["org_id"], app["sponsor_org_id"]} & conflicted_orgs:
            raise Conflict(f"评审专家已声明与申报 {app_id} 存在利益冲突", code="reviewer_conflicted")
        await review_store.assign(conn, round_id, app_id, reviewer, False)
    return [
        ReviewersAssigned(round_id=round_id, round_number=r.number, reviewer=reviewer, application_ids=application_ids)
    ]


async def declare_conflicts(
    conn: asyncpg.Connection, round_id: UUID, *, reviewer: str, org_ids: list[UUID], statement: str, today: date
) -> list[IntegrationEvent]:
    """A reviewer's declaration of interests for a round; needed before opening any application."""
    r = await load_round(conn, round_id)
    r.require(RoundStatus.REVIEW)
    if not await review_store.has_assignment_in_round(conn, round_id, reviewer):
        raise Forbidden("no applications of this round are assigned to you")
    if await review_store.declaration(conn, round_id, reviewer) is not None:
        raise Conflict("利益冲突声明已提交，不能更改", code="already_declared")
    conflicted = await review_store.save_declaration(conn, round_id, reviewer, org_ids, statement, today)
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
    assignment = await review_store.assignment(conn, app["id"], reviewer)
    if assignment is None:
        raise Forbidden("this application is not assigned to you")
    if await review_store.declaration(conn, app["round_id"], reviewer) is None:
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
    await review_store.save_score(conn, app_id, reviewer, criteria, total, comment)
    return total


async def ranking(conn: asyncpg.Connection, round_id: UUID) -> tuple[Round, list[Any], dict[UUID, asyncpg.Record]]:
    r = await load_round(conn, round_id)
    apps = {a["id"]: a for a in await store.applications_of_round(conn, round_id)}
    totals = await review_store.round_totals(conn, round_id)
    candidates = [
        Candidate(a["id"], a["requested_cny"], totals.get(a["id"], []), a["submitted_on"])
        for a in apps.values()
        if a["status"] == "screened_in"
    ]
    return r, rank_and_select(candidates, budget=r.total_budget_cny, pass_score=r.pass_score), apps
