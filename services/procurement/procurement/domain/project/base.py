"""The project's state, the helpers every step uses, and the transitions several steps share."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from procurement.domain.model import (
    Announcement,
    Contract,
    Evaluation,
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
)
from procurement.domain.needs import NeedLink
from procurement.domain.stages import Stage
from shared.contracts import procurement as ev
from shared.contracts.base import IntegrationEvent
from shared.errors import Invalid, NotFound
from shared.reference import Domain

CENT = Decimal("0.01")


def excluded_purchase(rules: Rules, *texts: str) -> str | None:
    """The excluded-purchase keyword (hiring staff, labour dispatch…) a text mentions, if any."""
    haystack = unicodedata.normalize("NFKC", " ".join(texts)).casefold()
    for word in rules.excluded_purchases:
        if unicodedata.normalize("NFKC", word).casefold() in haystack:
            return word
    return None


def refuse_excluded_purchase(rules: Rules, title: str, description: str) -> None:
    """A project about an excluded purchase cannot be sorted, nor revised into one."""
    word = excluded_purchase(rules, title, description)
    if word is not None:
        raise Invalid("title", f"属于政府购买服务禁止事项（{word}），不能立项")


def ineligibility(org: OrgView | None) -> str | None:
    """Why an org may not be chosen (valid at screening, or signed), or None when it may."""
    return "登记管理信息中没有该组织" if org is None else org.ineligibility()


@dataclass(kw_only=True)
class ProjectBase:
    """The fields of a project; the steps live in the sibling modules, composed in `Project`."""

    id: UUID = field(default_factory=uuid4)
    ocid: str
    title: str
    description: str = ""
    domain: Domain
    purchaser: Purchaser
    street_code: str | None = None
    budget_cny: Decimal
    expected_beneficiaries: int = 0
    year: int
    demand_ids: list[UUID] = field(default_factory=list)
    community_needs: list[NeedLink] = field(default_factory=list)  # what its demands came from
    created_on: date
    stage: Stage = Stage.SORTING
    round: int = 0
    opens_on: date | None = None
    closes_on: date | None = None
    proposals: list[Proposal] = field(default_factory=list)
    reviewers: list[Reviewer] = field(default_factory=list)
    scores: list[Score] = field(default_factory=list)
    selection: Selection | None = None
    announcement: Announcement | None = None
    objections: list[Objection] = field(default_factory=list)
    optimisation: str | None = None
    contract_amount_cny: Decimal | None = None
    contract: Contract | None = None
    monitors: list[str] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    evaluation: Evaluation | None = None
    closing_reason: str | None = None
    imported: bool = False
    history: list[Step] = field(default_factory=list)

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

    # --- transitions more than one step takes ----------------------------------------------

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

    def _unsuccessful(self, reason: str, today: date) -> list[IntegrationEvent]:
        self.stage, self.closing_reason = Stage.UNSUCCESSFUL, reason
        self.selection, self.announcement, self.scores = None, None, []
        self._log("unsuccessful", today, reason=reason, round=self.round)
        return [ev.ProjectUnsuccessful(**self._fact(), reason=reason, round=self.round)]
