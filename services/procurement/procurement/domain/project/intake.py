"""Steps 2 to 4 — sorting demands into a project, the call for proposals, initial screening — and the exits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, Self
from uuid import UUID, uuid4

from procurement.domain.model import (
    Contract,
    Evaluation,
    OrgView,
    Proposal,
    Purchaser,
    Rules,
    Screening,
)
from procurement.domain.stages import Command, Stage, check
from shared.contracts import procurement as ev
from shared.contracts.base import IntegrationEvent
from shared.errors import Conflict, Invalid
from shared.reference import Domain

from .base import (
    ProjectBase,
    ineligibility,
    refuse_excluded_purchase,
)


class SortingSteps(ProjectBase):
    """Sorting, solicitation, screening; cancelling, failing and re-soliciting."""

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
    ) -> tuple[Self, list[IntegrationEvent]]:
        """Sort demands into a project; an excluded purchase (hiring staff, labour dispatch…) is refused."""
        refuse_excluded_purchase(rules, title, description)
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
    ) -> Self:
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
        merged = replace(self, **changes)
        refuse_excluded_purchase(rules, merged.title, merged.description)
        for key, value in changes.items():
            setattr(self, key, value)
        return []

    # --- 3 solicitation --------------------------------------------------------------------

    def open_solicitation(self, *, closes_on: date, today: date) -> list[IntegrationEvent]:
        check(Command.OPEN_SOLICITATION, self.stage)
        return self._open(closes_on=closes_on, today=today)

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
            why = ineligibility(org)
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

    def resolicit(self, *, closes_on: date, today: date) -> list[IntegrationEvent]:
        """Open a new round of the call after an unsuccessful one; earlier proposals stay on record."""
        check(Command.RESOLICIT, self.stage)
        return self._open(closes_on=closes_on, today=today)
