"""The procurement project: the ten steps, their rules and the events each step emits."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from pydantic import Field

from procurement.domain.model import (
    Announcement,
    Contract,
    Evaluation,
    Grade,
    Objection,
    OrgView,
    Payment,
    Proposal,
    Purchaser,
    Report,
    Reviewer,
    Rules,
    Score,
    Screening,
    Selection,
    Step,
    _Model,
    term_months,
)
from procurement.domain.stages import Command, Stage, check
from shared.contracts import procurement as ev
from shared.contracts.base import IntegrationEvent
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.reference import Domain
from shared.workdays import WorkCalendar

CENT = Decimal("0.01")


def excluded_purchase(rules: Rules, *texts: str) -> str | None:
    """The excluded-purchase keyword (hiring staff, labour dispatch…) a text mentions, if any."""
    haystack = unicodedata.normalize("NFKC", " ".join(texts)).casefold()
    for word in rules.excluded_purchases:
        if unicodedata.normalize("NFKC", word).casefold() in haystack:
            return word
    return None


class Project(_Model):
    """A government purchase of services, from sorting to evaluation."""

    id: UUID = Field(default_factory=uuid4)
    ocid: str
    title: str
    description: str = ""
    domain: Domain
    purchaser: Purchaser
    street_code: str | None = None
    budget_cny: Decimal
    expected_beneficiaries: int = 0
    year: int
    demand_ids: list[UUID] = Field(default_factory=list)
    created_on: date
    stage: Stage = Stage.SORTING
    round: int = 0
    opens_on: date | None = None
    closes_on: date | None = None
    proposals: list[Proposal] = Field(default_factory=list)
    reviewers: list[Reviewer] = Field(default_factory=list)
    scores: list[Score] = Field(default_factory=list)
    selection: Selection | None = None
    announcement: Announcement | None = None
    objections: list[Objection] = Field(default_factory=list)
    optimisation: str | None = None
    contract_amount_cny: Decimal | None = None
    contract: Contract | None = None
    monitors: list[str] = Field(default_factory=list)
    reports: list[Report] = Field(default_factory=list)
    payments: list[Payment] = Field(default_factory=list)
    evaluation: Evaluation | None = None
    closing_reason: str | None = None
    imported: bool = False
    history: list[Step] = Field(default_factory=list)

    # --- helpers -----------------------------------------------------------------------

    def _fact(self) -> dict[str, Any]:
        return {
            "project_id": self.id,
            "ocid": self.ocid,
            "title": self.title,
            "purchaser": ev.PurchaserRef(code=self.purchaser.code, name=self.purchaser.name, kind=self.purchaser.kind),
            "street_code": self.street_code,
            "domain": self.domain,
            "stage": str(self.stage),
        }

    def _log(self, kind: str, on: date, **detail: Any) -> None:
        self.history.append(Step(seq=len(self.history) + 1, kind=kind, on=on, detail=detail))

    def current_proposals(self) -> list[Proposal]:
        return [p for p in self.proposals if p.round == self.round]

    def valid_proposals(self) -> list[Proposal]:
        return [p for p in self.current_proposals() if p.screening is Screening.VALID]

    def proposal(self, proposal_id: UUID) -> Proposal:
        for p in self.current_proposals():
            if p.id == proposal_id:
                return p
        raise NotFound(f"本轮征集中没有申报 {proposal_id}")

    def reviewer(self, sub: str) -> Reviewer | None:
        return next((r for r in self.reviewers if r.sub == sub), None)

    # --- 2 demand sorting ----------------------------------------------------------------

    @classmethod
    def create(
        cls,
        *,
        ocid_prefix: str,
        title: str,
        description: str,
        domain: Domain,
        purchaser: Purchaser,
        street_code: str | None,
        budget_cny: Decimal,
        expected_beneficiaries: int,
        demand_ids: list[UUID],
        rules: Rules,
        today: date,
    ) -> tuple[Project, list[IntegrationEvent]]:
        """Sort demands into a project; an excluded purchase (hiring staff, labour dispatch…) is refused."""
        word = excluded_purchase(rules, title, description)
        if word is not None:
            raise Invalid("title", f"属于政府购买服务禁止事项（{word}），不能立项")
        project_id = uuid4()
        project = cls(
            id=project_id,
            ocid=f"{ocid_prefix}-{project_id}",
            title=title,
            description=description,
            domain=domain,
            purchaser=purchaser,
            street_code=street_code,
            budget_cny=budget_cny,
            expected_beneficiaries=expected_beneficiaries,
            year=today.year,
            demand_ids=demand_ids,
            created_on=today,
        )
        project._log("planning", today, demand_ids=[str(d) for d in demand_ids])
        return project, [
            ev.ProjectCreated(**project._fact(), demand_ids=demand_ids, budget_cny=budget_cny, year=project.year)
        ]

    @classmethod
    def historical(
        cls,
        *,
        project_id: UUID,
        ocid_prefix: str,
        title: str,
        domain: Domain,
        purchaser: Purchaser,
        street_code: str | None,
        contract: Contract,
        evaluation: Evaluation | None,
    ) -> Project:
        """A project concluded before this system, loaded so statistics cover the whole history.

        It emits no events: nothing happens now, the facts are old.
        """
        if contract.ends_on < contract.starts_on:
            raise Invalid("ends_on", "合同结束日期不能早于开始日期")
        project = cls(
            id=project_id,
            ocid=f"{ocid_prefix}-{project_id}",
            title=title,
            domain=domain,
            purchaser=purchaser,
            street_code=street_code,
            budget_cny=contract.amount_cny,
            year=contract.signed_on.year,
            created_on=contract.signed_on,
            stage=Stage.EVALUATED if evaluation else Stage.MONITORING,
            contract=contract,
            contract_amount_cny=contract.amount_cny,
            evaluation=evaluation,
            imported=True,
        )
        project._log("planning", contract.signed_on)
        project._log("contract", contract.signed_on, contract_id=str(contract.id))
        if evaluation is not None:
            project._log("evaluation", evaluation.evaluated_on)
        return project

    def revise(self, *, rules: Rules, changes: dict[str, Any]) -> list[IntegrationEvent]:
        """Change the sorted project (title, description, domain, budget, beneficiaries) before the call."""
        check(Command.REVISE, self.stage)
        merged = self.model_copy(update=changes)
        word = excluded_purchase(rules, merged.title, merged.description)
        if word is not None:
            raise Invalid("title", f"属于政府购买服务禁止事项（{word}），不能立项")
        for key, value in changes.items():
            setattr(self, key, value)
        return []

    # --- 3 solicitation --------------------------------------------------------------------

    def open_solicitation(self, *, closes_on: date, today: date) -> list[IntegrationEvent]:
        check(Command.OPEN_SOLICITATION, self.stage)
        return self._open(closes_on=closes_on, today=today)

    def _open(self, *, closes_on: date, today: date) -> list[IntegrationEvent]:
        if closes_on <= today:
            raise Invalid("closes_on", "征集截止日期必须晚于今天")
        self.stage, self.round, self.opens_on, self.closes_on = Stage.SOLICITATION, self.round + 1, today, closes_on
        self.closing_reason = None
        self._log("tender", today, round=self.round, closes_on=closes_on.isoformat())
        return [
            ev.SolicitationOpened(
                **self._fact(), round=self.round, budget_cny=self.budget_cny, opens_on=today, closes_on=closes_on
            )
        ]

    def submit_proposal(
        self,
        *,
        org_id: UUID,
        org_name: str | None,
        title: str,
        plan: str,
        budget_cny: Decimal,
        today: date,
        venture_grant: str | None,
    ) -> tuple[Proposal, list[IntegrationEvent]]:
        """An org submits (or, again, revises) its proposal while the call is open."""
        check(Command.SUBMIT_PROPOSAL, self.stage)
        assert self.closes_on is not None
        if today > self.closes_on:
            raise Conflict(f"项目征集已于 {self.closes_on} 截止", code="solicitation_closed")
        if venture_grant is not None:
            raise Conflict(
                f"该组织的同名项目已获公益创投资助（grant {venture_grant}），同一项目不得重复资助",
                code="double_funding",
            )
        existing = next((p for p in self.current_proposals() if p.org_id == org_id), None)
        if existing is not None:
            existing.title, existing.plan, existing.budget_cny = title, plan, budget_cny
            existing.org_name, existing.revisions = org_name or existing.org_name, existing.revisions + 1
            proposal, revised = existing, True
        else:
            proposal = Proposal(
                org_id=org_id,
                org_name=org_name,
                title=title,
                plan=plan,
                budget_cny=budget_cny,
                submitted_on=today,
                round=self.round,
            )
            self.proposals.append(proposal)
            revised = False
        return proposal, [
            ev.ProposalSubmitted(
                **self._fact(),
                proposal_id=proposal.id,
                org_id=org_id,
                org_name=proposal.org_name,
                proposal_title=title,
                budget_cny=budget_cny,
                revised=revised,
            )
        ]

    def close_solicitation(self, *, today: date) -> list[IntegrationEvent]:
        """Close the call; with no proposal at all the procurement is unsuccessful."""
        check(Command.CLOSE_SOLICITATION, self.stage)
        if not self.current_proposals():
            return self._unsuccessful("征集期内没有组织申报", today)
        self.stage = Stage.SCREENING
        return []

    # --- 4 initial screening -----------------------------------------------------------------

    def screen(
        self, *, proposal_id: UUID, valid: bool, reason: str | None, org: OrgView | None, today: date
    ) -> list[IntegrationEvent]:
        """Mark a proposal valid or disqualified; only a registered, active, coded org can be valid."""
        check(Command.SCREEN_PROPOSAL, self.stage)
        proposal = self.proposal(proposal_id)
        if valid:
            why = "登记管理信息中没有该组织" if org is None else org.ineligibility()
            if why is not None:
                raise Conflict(f"不能判定为有效：{why}", code="org_not_eligible")
        elif not reason:
            raise Invalid("reason", "判定无效时必须说明理由")
        proposal.screening = Screening.VALID if valid else Screening.DISQUALIFIED
        proposal.screening_reason = reason
        return [
            ev.ProposalScreened(
                **self._fact(), proposal_id=proposal.id, org_id=proposal.org_id, valid=valid, reason=reason
            )
        ]

    def start_review(self, *, today: date) -> list[IntegrationEvent]:
        """Close screening; every proposal must be screened; with none valid the procurement fails."""
        check(Command.START_REVIEW, self.stage)
        pending = [str(p.id) for p in self.current_proposals() if p.screening is Screening.PENDING]
        if pending:
            raise Conflict(f"还有 {len(pending)} 份申报未初筛：{', '.join(pending)}", code="screening_incomplete")
        valid = self.valid_proposals()
        if not valid:
            return self._unsuccessful("初筛后没有有效申报", today)
        self.stage = Stage.REVIEW
        self._log("screened", today, valid=[str(p.id) for p in valid])
        return [ev.ReviewStarted(**self._fact(), valid_proposals=len(valid))]

    # --- 5 approval review ---------------------------------------------------------------------

    def assign_reviewer(self, *, sub: str) -> list[IntegrationEvent]:
        check(Command.ASSIGN_REVIEWER, self.stage)
        if self.reviewer(sub) is not None:
            return []
        self.reviewers.append(Reviewer(sub=sub))
        return [ev.ReviewerAssigned(**self._fact(), reviewer=sub)]

    def declare_conflicts(self, *, sub: str, org_ids: list[UUID], note: str | None) -> list[IntegrationEvent]:
        """A reviewer declares the orgs they have a conflict of interest with (possibly none)."""
        check(Command.DECLARE_CONFLICTS, self.stage)
        reviewer = self.reviewer(sub)
        if reviewer is None:
            raise Forbidden("您不是该项目的评审专家")
        reviewer.declared, reviewer.conflicts, reviewer.declared_note = True, list(org_ids), note
        return []

    def score(self, *, sub: str, proposal_id: UUID, criteria: dict[str, Decimal], comment: str, rules: Rules) -> Score:
        """A reviewer's weighted rubric score; a conflicted reviewer cannot score that org."""
        check(Command.SCORE, self.stage)
        reviewer = self.reviewer(sub)
        if reviewer is None:
            raise Forbidden("您不是该项目的评审专家")
        if not reviewer.declared:
            raise Conflict("评分前须先声明利益冲突（可声明无冲突）", code="conflicts_not_declared")
        proposal = self.proposal(proposal_id)
        if proposal.screening is not Screening.VALID:
            raise Conflict("只能对初筛有效的申报评分", code="proposal_not_valid")
        if proposal.org_id in reviewer.conflicts:
            raise Conflict("您已声明与该组织存在利益冲突，不能评分", code="conflict_of_interest")
        if set(criteria) != set(rules.rubric):
            raise Invalid("criteria", f"评分项必须正好是：{', '.join(sorted(rules.rubric))}")
        for name, value in criteria.items():
            if not Decimal(0) <= value <= Decimal(100):
                raise Invalid(f"criteria.{name}", "每项得分须在 0 到 100 之间")
        total = sum((rules.rubric[k] * v for k, v in criteria.items()), Decimal(0)).quantize(CENT)
        self.scores = [s for s in self.scores if not (s.reviewer == sub and s.proposal_id == proposal_id)]
        entry = Score(reviewer=sub, proposal_id=proposal_id, criteria=criteria, total=total, comment=comment)
        self.scores.append(entry)
        return entry

    def ranking(self) -> list[dict[str, Any]]:
        """Valid proposals by average weighted score (ties: lower budget, then earlier submission)."""
        rows = []
        for p in self.valid_proposals():
            totals = [s.total for s in self.scores if s.proposal_id == p.id]
            average = (sum(totals, Decimal(0)) / len(totals)).quantize(CENT) if totals else None
            rows.append(
                {
                    "proposal_id": p.id,
                    "org_id": p.org_id,
                    "org_name": p.org_name,
                    "budget_cny": p.budget_cny,
                    "scores": len(totals),
                    "average": average,
                }
            )
        rows.sort(key=lambda r: (-(r["average"] or Decimal(-1)), r["budget_cny"], str(r["proposal_id"])))
        for rank, row in enumerate(rows, start=1):
            row["rank"] = rank
        return rows

    def approve(self, *, rules: Rules, calendar: WorkCalendar, today: date) -> list[IntegrationEvent]:
        """Rank, select the best proposal within budget and above the pass mark, start the announcement."""
        check(Command.APPROVE, self.stage)
        if not self.reviewers:
            raise Conflict("尚未指定评审专家", code="no_reviewers")
        undeclared = [r.sub for r in self.reviewers if not r.declared]
        if undeclared:
            raise Conflict(f"评审专家尚未声明利益冲突：{', '.join(undeclared)}", code="conflicts_not_declared")
        scored = {(s.reviewer, s.proposal_id) for s in self.scores}
        missing = [
            f"{r.sub}→{p.id}"
            for p in self.valid_proposals()
            for r in self.reviewers
            if p.org_id not in r.conflicts and (r.sub, p.id) not in scored
        ]
        if missing:
            raise Conflict(f"还有评分未完成：{', '.join(missing)}", code="scoring_incomplete")
        ranking = self.ranking()
        chosen = next(
            (
                r
                for r in ranking
                if r["average"] is not None and r["average"] >= rules.pass_mark and r["budget_cny"] <= self.budget_cny
            ),
            None,
        )
        if chosen is None:
            raise Conflict(
                f"没有达到及格分（{rules.pass_mark}）且不超预算的申报；可宣布采购失败后重新征集",
                code="nothing_selectable",
            )
        self.selection = Selection(
            proposal_id=chosen["proposal_id"],
            org_id=chosen["org_id"],
            org_name=chosen["org_name"],
            amount_cny=chosen["budget_cny"],
            score=chosen["average"],
            award_no=1 + sum(1 for step in self.history if step.kind == "award"),
            ranking=[{k: str(v) if v is not None else None for k, v in r.items()} for r in ranking],
        )
        self.announcement = Announcement(
            starts_on=today,
            ends_on=calendar.add_workdays(today, rules.announcement_workdays),
            objection_deadline=calendar.add_workdays(today, rules.objection_workdays),
            working_days=rules.announcement_workdays,
        )
        self.stage = Stage.ANNOUNCEMENT
        self._log("award", today, proposal_id=str(chosen["proposal_id"]), award_no=self.selection.award_no)
        s, a = self.selection, self.announcement
        return [
            ev.ProjectApproved(
                **self._fact(),
                proposal_id=s.proposal_id,
                org_id=s.org_id,
                org_name=s.org_name,
                amount_cny=s.amount_cny,
                score=s.score,
            ),
            ev.AnnouncementStarted(
                **self._fact(),
                org_id=s.org_id,
                org_name=s.org_name,
                amount_cny=s.amount_cny,
                starts_on=a.starts_on,
                ends_on=a.ends_on,
                objection_deadline=a.objection_deadline,
                working_days=a.working_days,
            ),
        ]

    # --- 6 public announcement --------------------------------------------------------------------

    def file_objection(
        self, *, filed_by: str, org_id: UUID | None, reason: str, today: date
    ) -> tuple[Objection, list[IntegrationEvent]]:
        check(Command.FILE_OBJECTION, self.stage)
        assert self.announcement is not None
        if today > self.announcement.objection_deadline:
            raise Conflict(f"异议期已于 {self.announcement.objection_deadline} 结束", code="objection_period_over")
        objection = Objection(filed_by=filed_by, filed_by_org_id=org_id, reason=reason, filed_on=today)
        self.objections.append(objection)
        return objection, [
            ev.ObjectionFiled(
                **self._fact(), objection_id=objection.id, filed_by=filed_by, filed_by_org_id=org_id, reason=reason
            )
        ]

    def resolve_objection(
        self, *, objection_id: UUID, upheld: bool, resolution: str, today: date
    ) -> list[IntegrationEvent]:
        """Dismiss an objection, or uphold it: the selection is void and the project goes back to review."""
        check(Command.RESOLVE_OBJECTION, self.stage)
        objection = next((o for o in self.objections if o.id == objection_id), None)
        if objection is None:
            raise NotFound(f"没有异议 {objection_id}")
        if objection.status != "pending":
            raise Conflict(f"该异议已处理（{objection.status}）", code="objection_resolved")
        objection.status, objection.resolution = ("upheld" if upheld else "dismissed"), resolution
        if upheld:
            # Back to review: the scores that produced the contested result no longer stand.
            assert self.selection is not None
            s = self.selection
            self._log(
                "objection_upheld",
                today,
                objection_id=str(objection_id),
                award_no=s.award_no,
                org_id=str(s.org_id),
                org_name=s.org_name or "",
                amount=str(s.amount_cny),
            )
            self.stage, self.selection, self.announcement, self.scores = Stage.REVIEW, None, None, []
        return [
            ev.ObjectionResolved(
                **self._fact(),
                objection_id=objection_id,
                upheld=upheld,
                resolution=resolution,
                filed_by_org_id=objection.filed_by_org_id,
            )
        ]

    def close_announcement(self, *, today: date) -> list[IntegrationEvent]:
        check(Command.CLOSE_ANNOUNCEMENT, self.stage)
        assert self.announcement is not None and self.selection is not None
        if today <= self.announcement.ends_on:
            raise Conflict(
                f"公示期至 {self.announcement.ends_on} 结束，之后才能进入项目优化", code="announcement_running"
            )
        if any(o.status == "pending" for o in self.objections):
            raise Conflict("还有未处理的异议", code="objections_pending")
        self.stage = Stage.OPTIMISATION
        return [ev.AnnouncementClosed(**self._fact(), org_id=self.selection.org_id, closed_on=today)]

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
        why = "登记管理信息中没有该组织" if org is None else org.ineligibility()
        if why is not None or org is None:
            raise Conflict(f"不能签约：{why}", code="org_not_eligible")
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

    # --- exits -------------------------------------------------------------------------------------

    def cancel(self, *, reason: str, today: date) -> list[IntegrationEvent]:
        check(Command.CANCEL, self.stage)
        previous = self.stage
        self.stage, self.closing_reason = Stage.CANCELLED, reason
        self._log("cancelled", today, reason=reason, previous_stage=str(previous))
        return [ev.ProjectCancelled(**self._fact(), reason=reason, previous_stage=str(previous))]

    def declare_unsuccessful(self, *, reason: str, today: date) -> list[IntegrationEvent]:
        check(Command.DECLARE_UNSUCCESSFUL, self.stage)
        return self._unsuccessful(reason, today)

    def _unsuccessful(self, reason: str, today: date) -> list[IntegrationEvent]:
        self.stage, self.closing_reason = Stage.UNSUCCESSFUL, reason
        self.selection, self.announcement, self.scores = None, None, []
        self._log("unsuccessful", today, reason=reason, round=self.round)
        return [ev.ProjectUnsuccessful(**self._fact(), reason=reason, round=self.round)]

    def resolicit(self, *, closes_on: date, today: date) -> list[IntegrationEvent]:
        """Open a new round of the call after an unsuccessful one; earlier proposals stay on record."""
        check(Command.RESOLICIT, self.stage)
        return self._open(closes_on=closes_on, today=today)
