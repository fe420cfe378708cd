"""Steps 7 to 10: optimisation, signing, monitoring with payments, and the final evaluation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from procurement.domain.model import (
    Contract,
    Evaluation,
    Grade,
    OrgView,
    Payment,
    Report,
    Rules,
    term_months,
)
from procurement.domain.stages import Command, Stage, check
from shared.contracts import procurement as ev
from shared.contracts.base import IntegrationEvent
from shared.errors import Conflict, Forbidden, Invalid

from .base import (
    ProjectBase,
    ineligibility,
)


class ContractSteps(ProjectBase):
    """Optimisation, the contract, monitoring, payments and evaluation."""

    # --- 7 optimisation, 8 signing ----------------------------------------------------------------------

    def optimise(self, *, changes: str, amount_cny: Decimal | None, today: date) -> list[IntegrationEvent]:
        """Record the plan and budget revised per the review comments; the contract is next."""
        check(Command.OPTIMISE, self.stage)
        assert self.selection is not None
        amount = self.selection.amount_cny if amount_cny is None else amount_cny
        if amount > self.budget_cny:
            raise Invalid("amount_cny", f"优化后金额不能超过项目预算 {self.budget_cny}")
        self.optimisation, self.contract_amount_cny, self.stage = changes, amount, Stage.SIGNING
        self._log("contract_pending", today, amount=str(amount))
        return [ev.ProjectOptimised(**self._fact(), org_id=self.selection.org_id, amount_cny=amount, changes=changes)]

    def sign(
        self, *, org: OrgView | None, starts_on: date, ends_on: date, multi_year: bool, rules: Rules, today: date
    ) -> list[IntegrationEvent]:
        """Sign with the selected org: registered and active, term ≤ 12 months (≤ 36 if multi-year)."""
        check(Command.SIGN, self.stage)
        assert self.selection is not None and self.contract_amount_cny is not None
        why = ineligibility(org)
        if why is not None or org is None:
            raise Conflict(f"不能签约：{why}", code="org_not_eligible")
        months = _term(starts_on, ends_on, multi_year=multi_year, rules=rules)
        self.contract = Contract(
            org_id=org.org_id,
            org_name=org.name,
            credit_code=org.credit_code,
            amount_cny=self.contract_amount_cny,
            signed_on=today,
            starts_on=starts_on,
            ends_on=ends_on,
            term_months=months,
            multi_year=multi_year,
        )
        self.stage = Stage.MONITORING
        self._log("contract", today, contract_id=str(self.contract.id))
        c = self.contract
        return [
            ev.ProjectSigned(
                project_id=self.id,
                contract_id=c.id,
                title=self.title,
                purchaser=ev.ContractParty(code=self.purchaser.code, name=self.purchaser.name),
                purchaser_kind=self.purchaser.kind,
                org_id=c.org_id,
                org_name=c.org_name,
                amount_cny=c.amount_cny,
                signed_on=c.signed_on,
                starts_on=c.starts_on,
                ends_on=c.ends_on,
                term_months=c.term_months,
                multi_year=c.multi_year,
                street_code=self.street_code,
                domain=self.domain,
                ocid=self.ocid,
                proposal_id=self.selection.proposal_id,
            )
        ]

    # --- 9 monitoring, 10 evaluation ---------------------------------------------------------------------

    def assign_monitor(self, *, monitor: str) -> list[IntegrationEvent]:
        check(Command.ASSIGN_MONITOR, self.stage)
        if monitor in self.monitors:
            return []
        self.monitors.append(monitor)
        org_id = self.selection.org_id if self.selection else None
        return [ev.MonitorAssigned(**self._fact(), monitor=monitor, org_id=org_id)]

    def _require_monitor(self, monitor: str) -> None:
        if monitor not in self.monitors:
            raise Forbidden("您不是该项目指定的第三方监测评估机构")

    def report(
        self, *, monitor: str, milestone: str, status: str, summary: str, warnings: list[str], today: date
    ) -> tuple[Report, list[IntegrationEvent]]:
        check(Command.REPORT_MONITORING, self.stage)
        self._require_monitor(monitor)
        assert self.contract is not None
        report = Report(
            monitor=monitor, milestone=milestone, reported_on=today, status=status, summary=summary, warnings=warnings
        )
        self.reports.append(report)
        self._log("implementation", today, report_id=str(report.id))
        return report, [
            ev.MonitoringReported(
                **self._fact(),
                report_id=report.id,
                monitor=monitor,
                org_id=self.contract.org_id,
                milestone=milestone,
                reported_on=today,
                status=status,
                warnings=warnings,
            )
        ]

    def record_payment(self, *, amount_cny: Decimal, paid_on: date, note: str) -> list[IntegrationEvent]:
        check(Command.RECORD_PAYMENT, self.stage)
        assert self.contract is not None
        paid = sum((p.amount_cny for p in self.payments), Decimal(0))
        if paid + amount_cny > self.contract.amount_cny:
            raise Conflict(
                f"累计付款 {paid + amount_cny} 将超过合同金额 {self.contract.amount_cny}", code="overpayment"
            )
        payment = Payment(amount_cny=amount_cny, paid_on=paid_on, note=note)
        self.payments.append(payment)
        self._log("payment", paid_on, payment_id=str(payment.id))
        return [
            ev.PaymentRecorded(
                **self._fact(),
                payment_id=payment.id,
                contract_id=self.contract.id,
                org_id=self.contract.org_id,
                amount_cny=amount_cny,
                paid_on=paid_on,
                paid_total_cny=paid + amount_cny,
            )
        ]

    def evaluate(
        self,
        *,
        evaluator: str,
        grade: Grade,
        score: Decimal | None,
        beneficiary_person_times: int,
        summary: str,
        today: date,
    ) -> list[IntegrationEvent]:
        """The third party's final evaluation closes the project."""
        check(Command.EVALUATE, self.stage)
        self._require_monitor(evaluator)
        assert self.contract is not None
        if not self.reports:
            raise Conflict("终期评估前至少需要一份监测报告", code="no_monitoring_report")
        self.evaluation = Evaluation(
            grade=grade,
            score=score,
            beneficiary_person_times=beneficiary_person_times,
            summary=summary,
            evaluated_on=today,
            evaluator=evaluator,
        )
        self.stage = Stage.EVALUATED
        self._log("evaluation", today)
        return [
            ev.ProjectEvaluated(
                **self._fact(),
                contract_id=self.contract.id,
                org_id=self.contract.org_id,
                grade=str(grade),
                score=score,
                beneficiary_person_times=beneficiary_person_times,
                evaluated_on=today,
                evaluator=evaluator,
            )
        ]


def _term(starts_on: date, ends_on: date, *, multi_year: bool, rules: Rules) -> int:
    """The contract's term in months: at most 12, or 36 for a project marked multi-year."""
    if ends_on < starts_on:
        raise Invalid("ends_on", "合同结束日期不能早于开始日期")
    months = term_months(starts_on, ends_on)
    limit = rules.max_multi_year_term_months if multi_year else rules.max_term_months
    if months > limit:
        raise Invalid(
            "ends_on",
            f"合同期限 {months} 个月超过上限 {limit} 个月"
            + ("" if multi_year else "（跨年度项目须标注 multi_year，最长 36 个月）"),
        )
    return months
