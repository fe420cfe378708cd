"""A round (届) of venture philanthropy: its call, rubric, tranche plan and lifecycle."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from uuid import UUID

from shared.errors import Conflict, Invalid
from shared.workdays import WorkCalendar

CENT = Decimal("0.01")


class RoundStatus(StrEnum):
    OPEN = "open"  # call for proposals (项目征集)
    REVIEW = "review"  # screening and review (初审、评审)
    NOTICE = "notice"  # results on public notice (立项公示)
    AWARDED = "awarded"  # grants made


class RoundLevel(StrEnum):
    DISTRICT = "district"  # the district's own rounds (区级公益创投)
    STREET = "street"  # a street's micro-venture round (社区微创投), run by its street officers


STATUS_NAMES = {
    RoundStatus.OPEN: "项目征集",
    RoundStatus.REVIEW: "初审和评审",
    RoundStatus.NOTICE: "立项公示",
    RoundStatus.AWARDED: "已确定资助",
}


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    weight: int


@dataclass
class Round:
    id: UUID
    number: int
    year: int
    title: str
    priority_domains: list[str]
    total_budget_cny: Decimal
    grant_cap_cny: Decimal
    call_opens_on: date
    call_closes_on: date
    rubric: list[Criterion]
    notice_workdays: int = 5
    mentor_org_ids: list[UUID] = field(default_factory=list)
    max_applications_per_org: int = 2
    tranche_percents: list[int] = field(default_factory=lambda: [50, 30, 20])
    report_interval_days: int = 90
    pass_score: Decimal = Decimal("60")
    blind_review: bool = False
    focus: str | None = None
    status: RoundStatus = RoundStatus.OPEN
    notice_starts_on: date | None = None
    notice_ends_on: date | None = None
    awarded_on: date | None = None
    level: RoundLevel = RoundLevel.DISTRICT
    street_code: str | None = None  # the street owning a street-level round

    @property
    def label(self) -> str:
        return f"第{self.number}届"

    def validate(self) -> None:
        """Rules a new round must satisfy; each failure names its field."""
        if self.level is RoundLevel.STREET and self.street_code is None:
            raise Invalid("street_code", "街道级微创投须填写所属街道 street_code")
        if self.level is RoundLevel.DISTRICT and self.street_code is not None:
            raise Invalid("street_code", "区级公益创投不属于某个街道，不填 street_code")
        if self.call_closes_on < self.call_opens_on:
            raise Invalid("call_closes_on", "征集截止日期不能早于开始日期")
        if self.grant_cap_cny > self.total_budget_cny:
            raise Invalid("grant_cap_cny", "单个项目资助上限不能超过本届总预算")
        if sum(self.tranche_percents) != 100 or any(p <= 0 for p in self.tranche_percents):
            raise Invalid("tranche_percents", "分期拨付比例须为正数且合计 100")
        keys = [c.key for c in self.rubric]
        if len(set(keys)) != len(keys):
            raise Invalid("rubric", "评审指标的 key 不能重复")
        if sum(c.weight for c in self.rubric) <= 0:
            raise Invalid("rubric", "评审指标权重合计须大于 0")

    def check_accepts_applications(self, today: date) -> None:
        if self.status is not RoundStatus.OPEN:
            raise Conflict(f"第{self.number}届已停止征集", code="call_closed")
        if not self.call_opens_on <= today <= self.call_closes_on:
            raise Conflict(f"不在征集期内（{self.call_opens_on} 至 {self.call_closes_on}）", code="outside_call_window")

    def close_call(self) -> None:
        if self.status is not RoundStatus.OPEN:
            raise Conflict(f"第{self.number}届处于“{STATUS_NAMES[self.status]}”阶段，不在征集中", code="wrong_stage")
        self.status = RoundStatus.REVIEW

    def require(self, *stages: RoundStatus) -> None:
        if self.status not in stages:
            wanted = "或".join(f"“{STATUS_NAMES[s]}”" for s in stages)
            raise Conflict(
                f"第{self.number}届处于“{STATUS_NAMES[self.status]}”阶段，此操作须在{wanted}阶段进行",
                code="wrong_stage",
            )

    def start_notice(self, today: date, calendar: WorkCalendar) -> date:
        """Put results on public notice for `notice_workdays` working days; objections until the end."""
        self.require(RoundStatus.REVIEW)
        self.status = RoundStatus.NOTICE
        self.notice_starts_on = today
        self.notice_ends_on = calendar.add_workdays(today, self.notice_workdays)
        return self.notice_ends_on

    def check_objection_window(self, today: date) -> None:
        self.require(RoundStatus.NOTICE)
        assert self.notice_ends_on is not None
        if today > self.notice_ends_on:
            raise Conflict(f"公示期已于 {self.notice_ends_on} 结束，不再受理异议", code="notice_over")

    def award(self, today: date) -> None:
        self.require(RoundStatus.NOTICE)
        assert self.notice_ends_on is not None
        if today <= self.notice_ends_on:
            raise Conflict(f"公示期至 {self.notice_ends_on}，公示结束后方可确定资助", code="notice_running")
        self.status = RoundStatus.AWARDED
        self.awarded_on = today

    def check_lands_in_street(self, street_code: str) -> None:
        """A street round funds projects landing in its own street only."""
        if self.level is RoundLevel.STREET and street_code != self.street_code:
            raise Invalid("street_code", "街道级微创投的项目须落地本街道")

    def check_requested(self, requested: Decimal, domain: str) -> None:
        if requested > self.grant_cap_cny:
            raise Invalid("requested_cny", f"申请金额超过本届单个项目资助上限 {self.grant_cap_cny:.2f} 元")
        if self.priority_domains and domain not in self.priority_domains:
            raise Invalid("domain", "项目领域不在本届重点领域之内: " + ", ".join(self.priority_domains))

    def weighted_total(self, criteria: dict[str, Decimal]) -> Decimal:
        """A reviewer's total: the weighted mean of criterion scores (each 0–100)."""
        missing = [c.key for c in self.rubric if c.key not in criteria]
        if missing:
            raise Invalid(f"criteria.{missing[0]}", "每项评审指标都要打分")
        extra = sorted(set(criteria) - {c.key for c in self.rubric})
        if extra:
            raise Invalid(f"criteria.{extra[0]}", "不是本届的评审指标")
        for key, value in criteria.items():
            if not Decimal(0) <= value <= Decimal(100):
                raise Invalid(f"criteria.{key}", "分数须在 0 到 100 之间")
        weights = sum(c.weight for c in self.rubric)
        total = sum((criteria[c.key] * c.weight for c in self.rubric), Decimal(0)) / weights
        return total.quantize(CENT, rounding=ROUND_HALF_UP)

    def tranche_amounts(self, amount: Decimal) -> list[tuple[int, int, Decimal]]:
        """(number, percent, amount) per tranche; the last takes the rounding remainder."""
        out: list[tuple[int, int, Decimal]] = []
        paid = Decimal(0)
        for i, pct in enumerate(self.tranche_percents, start=1):
            if i == len(self.tranche_percents):
                part = amount - paid
            else:
                part = (amount * pct / 100).quantize(CENT, rounding=ROUND_HALF_UP)
            paid += part
            out.append((i, pct, part))
        return out
