"""Request bodies: pydantic validates shape, ranges and reference codes (422 naming the field)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID, uuid4

from pydantic import ConfigDict, Field, field_validator

from shared.contracts.base import PositiveMoneyCNY
from shared.inputs import InputModel
from shared.reference import STREETS, Domain
from venture.domain.grants import EvaluationResult
from venture.domain.rounds import Criterion, Round, RoundLevel


class Body(InputModel):
    model_config = ConfigDict(extra="forbid")


class CriterionIn(Body):
    key: str = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1, max_length=100)
    weight: int = Field(ge=1, le=100)


DEFAULT_RUBRIC = [
    CriterionIn(key="need", name="需求契合度", weight=30),
    CriterionIn(key="design", name="项目设计", weight=30),
    CriterionIn(key="capacity", name="执行能力", weight=20),
    CriterionIn(key="sustainability", name="可持续性", weight=20),
]


class RoundIn(Body):
    number: int = Field(ge=1, le=1000)
    year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=1, max_length=200)
    priority_domains: list[Domain] = Field(default_factory=list)
    focus: str | None = Field(default=None, max_length=500)
    total_budget_cny: PositiveMoneyCNY
    grant_cap_cny: PositiveMoneyCNY
    call_opens_on: date
    call_closes_on: date
    rubric: list[CriterionIn] = Field(default_factory=lambda: list(DEFAULT_RUBRIC), min_length=1, max_length=20)
    notice_workdays: int = Field(default=5, ge=1, le=30)
    mentor_org_ids: list[UUID] = Field(default_factory=list, max_length=50)
    max_applications_per_org: int = Field(default=2, ge=1, le=20)
    tranche_percents: list[int] = Field(default_factory=lambda: [50, 30, 20], min_length=1, max_length=6)
    report_interval_days: int = Field(default=90, ge=7, le=365)
    pass_score: Decimal = Field(default=Decimal(60), ge=0, le=100)
    blind_review: bool = False
    level: RoundLevel | None = Field(
        default=None, description="district, or street (社区微创投); a street officer's rounds are its street's"
    )
    street_code: str | None = Field(default=None, description="the street owning a street round")

    @field_validator("street_code")
    @classmethod
    def _known_street(cls, value: str | None) -> str | None:
        if value is not None and value not in STREETS:
            raise ValueError("未知的街道代码：须是东城区 17 个街道的代码之一")
        return value

    def to_round(self) -> Round:
        return Round(
            id=uuid4(),
            number=self.number,
            year=self.year,
            title=self.title,
            priority_domains=[d.value for d in self.priority_domains],
            focus=self.focus,
            total_budget_cny=self.total_budget_cny,
            grant_cap_cny=self.grant_cap_cny,
            call_opens_on=self.call_opens_on,
            call_closes_on=self.call_closes_on,
            rubric=[Criterion(c.key, c.name, c.weight) for c in self.rubric],
            notice_workdays=self.notice_workdays,
            mentor_org_ids=self.mentor_org_ids,
            max_applications_per_org=self.max_applications_per_org,
            tranche_percents=self.tranche_percents,
            report_interval_days=self.report_interval_days,
            pass_score=self.pass_score,
            blind_review=self.blind_review,
            level=self.level or (RoundLevel.DISTRICT if self.street_code is None else RoundLevel.STREET),
            street_code=self.street_code,
        )


class MilestoneIn(Body):
    title: str = Field(min_length=1, max_length=200)
    due_on: date


class ApplicationIn(Body):
    org_id: UUID | None = Field(default=None, description="the applicant; defaults to the caller's org")
    sponsor_org_id: UUID | None = Field(default=None, description="the registered sponsor of a filed community org")
    title: str = Field(min_length=1, max_length=200)
    street_code: str = Field(description="the landing street (落地街道)")
    community: str | None = Field(default=None, max_length=100)
    domain: Domain
    requested_cny: PositiveMoneyCNY
    plan: str = Field(min_length=1, max_length=10000)
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=20)

    @field_validator("street_code")
    @classmethod
    def _known_street(cls, value: str) -> str:
        if value not in STREETS:
            raise ValueError("未知的街道代码：须是东城区 17 个街道的代码之一")
        return value


class ScreeningIn(Body):
    passed: bool
    reason: str = Field(min_length=1, max_length=1000)


class AssignmentIn(Body):
    reviewer: str = Field(min_length=1, max_length=100)
    application_ids: list[UUID] = Field(min_length=1, max_length=500)


class DeclarationIn(Body):
    conflicted_org_ids: list[UUID] = Field(default_factory=list, max_length=500)
    statement: str = Field(min_length=1, max_length=2000)


class ScoreIn(Body):
    criteria: dict[str, Decimal]
    comment: str = Field(default="", max_length=2000)


class ObjectionIn(Body):
    application_id: UUID
    reason: str = Field(min_length=1, max_length=2000)


class ResolutionIn(Body):
    upheld: bool
    resolution: str = Field(min_length=1, max_length=2000)


class AwardIn(Body):
    mentors: dict[UUID, UUID] = Field(default_factory=dict, description="application id → mentor support org")


class ReportIn(Body):
    tranche_number: int = Field(ge=1, le=20)
    summary: str = Field(min_length=1, max_length=10000)


class ReportDecisionIn(Body):
    accepted: bool
    note: str = Field(default="", max_length=2000)


class EvaluationIn(Body):
    kind: Literal["midterm", "final"]
    result: EvaluationResult
    note: str = Field(min_length=1, max_length=2000)


class FollowupIn(Body):
    pledge: str = Field(min_length=1, max_length=2000)
