"""A grant: tranches paid against accepted progress reports, evaluations, recovery, completion."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from shared.errors import Conflict, NotFound


class GrantStatus(StrEnum):
    ACTIVE = "active"
    WITHHELD = "withheld"  # a failed evaluation stops payments until a passing re-evaluation
    TERMINATED = "terminated"  # a severe failure: funds recovered, no more payments
    COMPLETED = "completed"


STATUS_NAMES = {
    GrantStatus.ACTIVE: "执行中",
    GrantStatus.WITHHELD: "暂停拨付",
    GrantStatus.TERMINATED: "已终止",
    GrantStatus.COMPLETED: "已结项",
}
REPORT_STATUS_NAMES = {"submitted": "审核中", "accepted": "已通过", "rejected": "已退回"}


class EvaluationResult(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SEVERE = "severe"


@dataclass
class Tranche:
    number: int
    percent: int
    amount_cny: Decimal
    status: str = "planned"  # planned | disbursed | cancelled
    disbursed_on: date | None = None
    report_due_on: date | None = None


@dataclass
class Report:
    id: UUID
    tranche_number: int
    status: str  # submitted | accepted | rejected
    summary: str = ""
    submitted_by: str = ""
    submitted_on: date | None = None
    decided_on: date | None = None
    note: str | None = None


@dataclass(frozen=True)
class Evaluation:
    id: UUID
    kind: str  # midterm | final
    result: str
    note: str
    recorded_by: str
    recorded_on: date


@dataclass(frozen=True)
class Followup:
    """The landing street's pledge of support after completion (送一程)."""

    street_code: str
    pledge: str
    pledged_by: str
    pledged_on: date


@dataclass(frozen=True)
class GrantTerms:
    """What the award fixed: the project, who holds the grant, its mentor and the round's report interval."""

    application_id: UUID
    round_id: UUID
    round_number: int
    org_id: UUID
    org_name: str
    applied_as: str  # registered | community
    sponsor_org_id: UUID | None
    mentor_org_id: UUID | None
    title: str
    street_code: str
    domain: str
    amount_cny: Decimal
    awarded_on: date
    report_interval_days: int = 90


@dataclass(frozen=True)
class GrantSummary:
    """A grant as lists show it: its terms and where it stands."""

    id: UUID
    terms: GrantTerms
    status: GrantStatus
    recovered_cny: Decimal
    completed_on: date | None


@dataclass
class Grant:
    id: UUID
    amount_cny: Decimal
    status: GrantStatus
    tranches: list[Tranche]
    reports: list[Report] = field(default_factory=list)
    final_evaluations: list[str] = field(default_factory=list)
    recovered_cny: Decimal = Decimal(0)
    completed_on: date | None = None
    terms: GrantTerms | None = None
    evaluations: list[Evaluation] = field(default_factory=list)

    @property
    def about(self) -> GrantTerms:
        """The terms of a grant loaded from the store (a grant built in a test may have none)."""
        if self.terms is None:
            raise ValueError("grant loaded without its terms")
        return self.terms

    def summary(self) -> GrantSummary:
        return GrantSummary(self.id, self.about, self.status, self.recovered_cny, self.completed_on)

    @property
    def disbursed_cny(self) -> Decimal:
        return sum((t.amount_cny for t in self.tranches if t.status == "disbursed"), Decimal(0))

    def _report_accepted(self, number: int) -> bool:
        return any(r.tranche_number == number and r.status == "accepted" for r in self.reports)

    def _require_payable(self) -> None:
        if self.status is GrantStatus.WITHHELD:
            raise Conflict("评估未通过，暂停拨付；重新评估通过后方可继续", code="payments_withheld")
        if self.status is not GrantStatus.ACTIVE:
            raise Conflict(f"资助项目{STATUS_NAMES[self.status]}，不再拨付", code="grant_closed")

    def disburse(self, number: int, *, today: date, report_interval_days: int) -> Tranche:
        """Pay tranche `number`: tranches go in order, and each after the first needs the previous report accepted."""
        self._require_payable()
        tranche = next((t for t in self.tranches if t.number == number), None)
        if tranche is None:
            raise NotFound(f"该资助项目没有第{number}期")
        if tranche.status != "planned":
            raise Conflict(
                f"第{number}期已经{'拨付' if tranche.status == 'disbursed' else '取消'}", code="tranche_done"
            )
        earlier = [t for t in self.tranches if t.number < number and t.status != "disbursed"]
        if earlier:
            raise Conflict(f"须先拨付第{earlier[0].number}期", code="tranche_order")
        if number > 1 and not self._report_accepted(number - 1):
            raise Conflict(f"第{number - 1}期的进度报告尚未通过审核，不能拨付第{number}期", code="report_not_accepted")
        tranche.status, tranche.disbursed_on = "disbursed", today
        tranche.report_due_on = today + timedelta(days=report_interval_days)
        return tranche

    def submit_report(self, number: int) -> None:
        if self.status in (GrantStatus.TERMINATED, GrantStatus.COMPLETED):
            raise Conflict(f"资助项目{STATUS_NAMES[self.status]}", code="grant_closed")
        tranche = next((t for t in self.tranches if t.number == number), None)
        if tranche is None:
            raise NotFound(f"该资助项目没有第{number}期")
        if tranche.status != "disbursed":
            raise Conflict(f"第{number}期尚未拨付，还不能提交该期进度报告", code="tranche_not_disbursed")
        if self._report_accepted(number):
            raise Conflict(f"第{number}期进度报告已通过审核", code="report_done")
        if any(r.tranche_number == number and r.status == "submitted" for r in self.reports):
            raise Conflict(f"第{number}期进度报告正在审核中", code="report_pending")

    def decide_report(self, report_id: UUID, *, accepted: bool) -> Report:
        report = next((r for r in self.reports if r.id == report_id), None)
        if report is None:
            raise NotFound(f"进度报告 {report_id} 不存在")
        if report.status != "submitted":
            raise Conflict(
                f"该进度报告已审核（{REPORT_STATUS_NAMES.get(report.status, report.status)}）", code="report_decided"
            )
        report.status = "accepted" if accepted else "rejected"
        return report

    def evaluate(self, kind: str, result: EvaluationResult) -> Decimal:
        """Record an evaluation; returns the amount to recover (non-zero only for a severe failure)."""
        if self.status in (GrantStatus.TERMINATED, GrantStatus.COMPLETED):
            raise Conflict(f"资助项目{STATUS_NAMES[self.status]}", code="grant_closed")
        if kind == "final":
            self.final_evaluations.append(result.value)
        if result is EvaluationResult.PASS:
            self.status = GrantStatus.ACTIVE
            return Decimal(0)
        if result is EvaluationResult.FAIL:
            self.status = GrantStatus.WITHHELD
            return Decimal(0)
        self.status = GrantStatus.TERMINATED
        for t in self.tranches:
            if t.status == "planned":
                t.status = "cancelled"
        recovered = self.disbursed_cny - self.recovered_cny
        self.recovered_cny += recovered
        return recovered

    def complete(self, today: date) -> None:
        """Completion (结项): every tranche paid, the last report accepted and a passing final evaluation."""
        self._require_payable()
        unpaid = [t.number for t in self.tranches if t.status != "disbursed"]
        if unpaid:
            raise Conflict(f"第{unpaid[0]}期尚未拨付", code="tranches_unpaid")
        last = self.tranches[-1].number
        if not self._report_accepted(last):
            raise Conflict("结项报告（最后一期进度报告）尚未通过审核", code="final_report_missing")
        if not self.final_evaluations or self.final_evaluations[-1] != EvaluationResult.PASS:
            raise Conflict("尚无通过的结项评估", code="final_evaluation_missing")
        self.status, self.completed_on = GrantStatus.COMPLETED, today
