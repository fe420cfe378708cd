"""An application (申报) to a round, and the objections (异议) filed against it while on notice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from shared.errors import Conflict

STATUS_NAMES = {
    "submitted": "已提交",
    "withdrawn": "已撤回",
    "screened_in": "初审通过",
    "screened_out": "初审未通过",
    "selected": "入选",
    "not_selected": "未入选",
    "awarded": "已资助",
}


@dataclass
class Application:
    id: UUID
    round_id: UUID
    org_id: UUID
    org_name: str
    org_type: str
    sponsor_org_id: UUID | None
    submitted_by: str
    title: str
    title_key: str
    street_code: str
    community: str | None
    domain: str
    requested_cny: Decimal
    plan: str
    submitted_on: date
    milestones: list[dict[str, Any]] = field(default_factory=list)
    status: str = "submitted"
    screening_reason: str | None = None
    score: Decimal | None = None
    rank: int | None = None
    award_cny: Decimal | None = None
    decision_reason: str | None = None

    @property
    def applied_as(self) -> str:
        """How the grant will name the applicant: a filed community group or a registered org."""
        return "community" if self.org_type == "community_org" else "registered"

    def require(self, *statuses: str) -> None:
        if self.status not in statuses:
            raise Conflict(
                f"申报状态为“{STATUS_NAMES.get(self.status, self.status)}”，不能进行此操作", code="wrong_stage"
            )


OBJECTION_STATUS_NAMES = {"open": "待处理", "upheld": "成立", "dismissed": "不成立"}


@dataclass
class Objection:
    id: UUID
    round_id: UUID
    application_id: UUID
    filed_by: str
    filed_by_org_id: UUID | None
    reason: str
    filed_on: date
    status: str = "open"
    resolution: str | None = None
    resolved_on: date | None = None

    def resolve(self, *, upheld: bool, resolution: str, today: date) -> None:
        if self.status != "open":
            name = OBJECTION_STATUS_NAMES.get(self.status, self.status)
            raise Conflict(f"该异议已处理（{name}）", code="objection_resolved")
        self.status, self.resolution, self.resolved_on = ("upheld" if upheld else "dismissed"), resolution, today
