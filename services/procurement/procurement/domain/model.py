"""The project aggregate's parts and the rules it is run by; plain dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from shared.reference import OrgStatus, OrgType

DEFAULT_RUBRIC: dict[str, Decimal] = {
    "need_fit": Decimal("0.30"),  # 需求契合度
    "plan_quality": Decimal("0.30"),  # 方案质量
    "capacity": Decimal("0.20"),  # 机构能力
    "budget_value": Decimal("0.20"),  # 预算合理性
}

DEFAULT_EXCLUDED_PURCHASES: tuple[str, ...] = (
    "劳务派遣",
    "招聘",
    "聘用人员",
    "雇佣",
    "人员外包",
    "购买人员",
    "hiring staff",
    "labour dispatch",
    "labor dispatch",
)


@dataclass(frozen=True)
class Rules:
    """The knobs an operator may set (from configuration); defaults follow the glossary."""

    announcement_workdays: int = 5
    objection_workdays: int = 5
    rubric: dict[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_RUBRIC))
    pass_mark: Decimal = Decimal("60")
    max_term_months: int = 12
    max_multi_year_term_months: int = 36
    excluded_purchases: tuple[str, ...] = DEFAULT_EXCLUDED_PURCHASES


@dataclass(frozen=True)
class OrgView:
    """What procurement knows of an organisation, from registry events."""

    org_id: UUID
    name: str
    org_type: OrgType
    status: OrgStatus
    credit_code: str | None

    def ineligibility(self) -> str | None:
        """Why the org may not undertake a purchase, or None: only registered, active, coded orgs may."""
        if self.org_type is OrgType.COMMUNITY_ORG or self.credit_code is None:
            return "社区社会组织(备案)没有统一社会信用代码，不能作为承接主体签约"
        if self.status is not OrgStatus.REGISTERED:
            return f"组织状态为 {self.status}，只有已登记且正常的组织可以承接"
        return None


@dataclass(kw_only=True)
class Purchaser:
    code: str
    name: str
    kind: str


class Screening(StrEnum):
    PENDING = "pending"
    VALID = "valid"
    DISQUALIFIED = "disqualified"


@dataclass(kw_only=True)
class Proposal:
    id: UUID = field(default_factory=uuid4)
    org_id: UUID
    org_name: str | None = None
    title: str
    plan: str
    budget_cny: Decimal
    submitted_on: date
    round: int
    revisions: int = 0
    screening: Screening = Screening.PENDING
    screening_reason: str | None = None


@dataclass(kw_only=True)
class Reviewer:
    sub: str
    declared: bool = False
    conflicts: list[UUID] = field(default_factory=list)
    declared_note: str | None = None


@dataclass(kw_only=True)
class Score:
    reviewer: str
    proposal_id: UUID
    criteria: dict[str, Decimal]
    total: Decimal
    comment: str = ""


@dataclass(kw_only=True)
class Objection:
    id: UUID = field(default_factory=uuid4)
    filed_by: str
    filed_by_org_id: UUID | None = None
    reason: str
    filed_on: date
    status: str = "pending"  # pending | upheld | dismissed
    resolution: str | None = None


@dataclass(kw_only=True)
class Selection:
    proposal_id: UUID
    org_id: UUID
    org_name: str | None = None
    amount_cny: Decimal
    score: Decimal
    award_no: int = 1
    ranking: list[dict[str, Any]] = field(default_factory=list)


@dataclass(kw_only=True)
class Announcement:
    starts_on: date
    ends_on: date
    objection_deadline: date
    working_days: int


@dataclass(kw_only=True)
class Contract:
    id: UUID = field(default_factory=uuid4)
    org_id: UUID
    org_name: str
    credit_code: str | None
    amount_cny: Decimal
    signed_on: date
    starts_on: date
    ends_on: date
    term_months: int
    multi_year: bool = False


@dataclass(kw_only=True)
class Report:
    id: UUID = field(default_factory=uuid4)
    monitor: str
    milestone: str
    reported_on: date
    status: str  # on_track | warning
    summary: str
    warnings: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class Payment:
    id: UUID = field(default_factory=uuid4)
    amount_cny: Decimal
    paid_on: date
    note: str = ""


class Grade(StrEnum):
    EXCELLENT = "excellent"  # 优秀
    GOOD = "good"  # 良好
    PASS = "pass"  # 合格
    FAIL = "fail"  # 不合格


@dataclass(kw_only=True)
class Evaluation:
    grade: Grade
    score: Decimal | None = None
    beneficiary_person_times: int
    summary: str
    evaluated_on: date
    evaluator: str


@dataclass(kw_only=True)
class Step:
    """One entry of the project's history: what happened, when, and the ids involved (OCDS releases)."""

    seq: int
    kind: str
    on: date
    detail: dict[str, Any] = field(default_factory=dict)
    release: dict[str, Any] | None = None  # the OCDS release, frozen when the step happened


def term_months(starts_on: date, ends_on: date) -> int:
    """Calendar months a contract runs, counting a started month as whole (07-01..06-30 is 12)."""
    months = (ends_on.year - starts_on.year) * 12 + ends_on.month - starts_on.month
    return months + 1 if ends_on.day >= starts_on.day else months
