"""Events procurement publishes. The demand answers are part of the external contract."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from shared.contracts.base import ContractModel, IntegrationEvent, MoneyCNY
from shared.contracts.base import FieldError as FieldError  # the kit's since issue 13; still importable here
from shared.contracts.district import DISTRICT_SYSTEM_NAME, Purchaser
from shared.reference import Domain


def answer_key(source_system: str | None, routing_key: str) -> tuple[str, ...]:
    """The sender's own copy of a demand answer: `procurement.to.<system>.<event>.v<N>`, the only
    answer keys a district system's broker user may bind (staff-entered demands have none)."""
    if source_system is None or not DISTRICT_SYSTEM_NAME.fullmatch(source_system):
        return ()
    return (f"procurement.to.{source_system}.{routing_key.split('.', 1)[1]}",)


class DemandAccepted(IntegrationEvent):
    """Procurement took a district demand; `revised` when it updated one still in collection."""

    routing_key: ClassVar[str] = "procurement.demand_accepted.v1"
    demand_id: UUID
    source_system: str
    demand_ref: str
    revised: bool = False
    # Who buys, as the demand named it: subscribers (notify) need not consume the demand itself.
    # Optional so that an answer published before these fields existed still validates.
    purchaser: Purchaser | None = None
    street_code: str | None = None
    # The AMQP message_id of the demand this answers (none for a demand entered over HTTP).
    accepted_message_id: str | None = None

    def bcc(self) -> tuple[str, ...]:
        return answer_key(self.source_system, self.routing_key)


class DemandRejected(IntegrationEvent):
    """Procurement refused a district message, with every reason; the raw message is kept.

    `source_system` is the sender as its broker login proves it (null when the message did not
    say who sent it), never a claim read from the refused body."""

    routing_key: ClassVar[str] = "procurement.demand_rejected.v1"
    source_system: str | None = None
    demand_ref: str | None = None
    rejected_message_id: str | None = None
    errors: list[FieldError] = Field(default_factory=list)

    def bcc(self) -> tuple[str, ...]:
        return answer_key(self.source_system, self.routing_key)


class ContractParty(ContractModel):
    """A party to a service contract."""

    code: str
    name: str


class ProjectSigned(IntegrationEvent):
    """The purchaser and the undertaking (registered) organisation signed the service contract."""

    routing_key: ClassVar[str] = "procurement.project_signed.v1"
    project_id: UUID
    contract_id: UUID
    title: str
    purchaser: ContractParty
    org_id: UUID
    org_name: str
    amount_cny: MoneyCNY
    signed_on: date
    starts_on: date
    ends_on: date
    term_months: int
    multi_year: bool = False
    street_code: str | None = None
    domain: Domain
    purchaser_kind: str | None = None
    ocid: str | None = None
    proposal_id: UUID | None = None


# --- The ten steps -----------------------------------------------------------------------
# Every project event carries what a notifier needs without asking us: the project's title,
# who buys it (code, name, kind), its street and domain, and the deadlines that concern it.


class PurchaserRef(ContractModel):
    """The purchaser (购买主体) of a project: a district department or a street office."""

    code: str
    name: str
    kind: str


class ProjectEvent(IntegrationEvent):
    """Fields every project step event shares (not an event itself: it has no routing key)."""

    project_id: UUID
    ocid: str | None = None
    title: str
    purchaser: PurchaserRef
    street_code: str | None = None
    domain: Domain
    stage: str


class ProjectCreated(ProjectEvent):
    """Demand sorting (需求梳理) merged one or more demands into a procurement project."""

    routing_key: ClassVar[str] = "procurement.project_created.v1"
    demand_ids: list[UUID] = Field(default_factory=list)
    budget_cny: MoneyCNY
    year: int


class SolicitationOpened(ProjectEvent):
    """The call for proposals (项目征集) is open until `closes_on`; `round` > 1 is a re-solicitation."""

    routing_key: ClassVar[str] = "procurement.solicitation_opened.v1"
    round: int = 1
    budget_cny: MoneyCNY
    opens_on: date
    closes_on: date


class ProposalSubmitted(ProjectEvent):
    """A registered organisation submitted (or revised) its proposal for a project."""

    routing_key: ClassVar[str] = "procurement.proposal_submitted.v1"
    proposal_id: UUID
    org_id: UUID
    org_name: str | None = None
    proposal_title: str
    budget_cny: MoneyCNY
    revised: bool = False


class ProposalScreened(ProjectEvent):
    """Initial screening (项目初筛) found a proposal valid or disqualified it, with the reason."""

    routing_key: ClassVar[str] = "procurement.proposal_screened.v1"
    proposal_id: UUID
    org_id: UUID
    valid: bool
    reason: str | None = None


class ReviewStarted(ProjectEvent):
    """Screening closed; the approval review (立项评审) of the valid proposals began."""

    routing_key: ClassVar[str] = "procurement.review_started.v1"
    valid_proposals: int


class ReviewerAssigned(ProjectEvent):
    """A reviewer joined the project's panel and must declare conflicts before scoring."""

    routing_key: ClassVar[str] = "procurement.reviewer_assigned.v1"
    reviewer: str


class ProjectApproved(ProjectEvent):
    """The review ranked the proposals and selected an undertaker within the budget (立项)."""

    routing_key: ClassVar[str] = "procurement.project_approved.v1"
    proposal_id: UUID
    org_id: UUID
    org_name: str | None = None
    amount_cny: MoneyCNY
    score: Decimal


class AnnouncementStarted(ProjectEvent):
    """The public announcement (项目公示) runs until `ends_on`; objections until `objection_deadline`."""

    routing_key: ClassVar[str] = "procurement.announcement_started.v1"
    org_id: UUID
    org_name: str | None = None
    amount_cny: MoneyCNY
    starts_on: date
    ends_on: date
    objection_deadline: date
    working_days: int
    applicant_org_ids: list[UUID] = Field(default_factory=list)
    """Every organisation that submitted a proposal in this round: all applicants are told."""


class ObjectionFiled(ProjectEvent):
    """Someone objected (质疑/异议) to the announced result."""

    routing_key: ClassVar[str] = "procurement.objection_filed.v1"
    objection_id: UUID
    filed_by: str
    filed_by_org_id: UUID | None = None
    reason: str


class ObjectionResolved(ProjectEvent):
    """An objection was upheld (the project goes back to review) or dismissed."""

    routing_key: ClassVar[str] = "procurement.objection_resolved.v1"
    objection_id: UUID
    upheld: bool
    resolution: str
    filed_by_org_id: UUID | None = None


class AnnouncementClosed(ProjectEvent):
    """The announcement ended with no pending objection; optimisation (项目优化) begins."""

    routing_key: ClassVar[str] = "procurement.announcement_closed.v1"
    org_id: UUID
    closed_on: date


class ProjectOptimised(ProjectEvent):
    """The plan and budget were revised per the review comments; the contract can be signed."""

    routing_key: ClassVar[str] = "procurement.project_optimised.v1"
    org_id: UUID
    amount_cny: MoneyCNY
    changes: str


class MonitorAssigned(ProjectEvent):
    """A third-party monitor/evaluator (第三方监测评估机构) was assigned to the project."""

    routing_key: ClassVar[str] = "procurement.monitor_assigned.v1"
    monitor: str
    org_id: UUID | None = None


class MonitoringReported(ProjectEvent):
    """The third-party monitor filed a report against a milestone, possibly with warnings."""

    routing_key: ClassVar[str] = "procurement.monitoring_reported.v1"
    report_id: UUID
    monitor: str
    org_id: UUID
    milestone: str
    reported_on: date
    status: str
    warnings: list[str] = Field(default_factory=list)


class PaymentRecorded(ProjectEvent):
    """The purchaser paid the undertaker an amount under the contract."""

    routing_key: ClassVar[str] = "procurement.payment_recorded.v1"
    payment_id: UUID
    contract_id: UUID
    org_id: UUID
    amount_cny: MoneyCNY
    paid_on: date
    paid_total_cny: MoneyCNY


class ProjectEvaluated(ProjectEvent):
    """Third-party final evaluation (项目评估): grade and beneficiary person-times served."""

    routing_key: ClassVar[str] = "procurement.project_evaluated.v1"
    contract_id: UUID
    org_id: UUID
    grade: str
    score: Decimal | None = None
    beneficiary_person_times: int
    evaluated_on: date
    evaluator: str


class ProjectCancelled(ProjectEvent):
    """The purchaser cancelled the project, with the reason."""

    routing_key: ClassVar[str] = "procurement.project_cancelled.v1"
    reason: str
    previous_stage: str


class ProjectUnsuccessful(ProjectEvent):
    """The procurement failed (流标): no proposal, none valid or none within budget; it may be re-solicited."""

    routing_key: ClassVar[str] = "procurement.project_unsuccessful.v1"
    reason: str
    round: int


# --- community needs (社区需求, issue 17): a community platform's needs the street turns into demands ---


class CommunityNeedRaised(IntegrationEvent):
    """A community worker raised a service need of its community for the street to review.
    `community_ref` (`<street code>/<community>`) is how notices reach the community platform."""

    routing_key: ClassVar[str] = "procurement.community_need_raised.v1"
    need_id: UUID
    street_code: str
    community: str
    community_ref: str
    title: str
    residents: int
    urgency: str
    domain: Domain
    raised_by: str
    raised_on: date


class CommunityNeedDeclined(IntegrationEvent):
    """The street declined a community need, with the reason."""

    routing_key: ClassVar[str] = "procurement.community_need_declined.v1"
    need_id: UUID
    street_code: str
    community: str
    community_ref: str
    title: str
    reason: str
    declined_on: date


class MergedNeed(ContractModel):
    """One community need merged into a demand."""

    need_id: UUID
    community: str
    community_ref: str
    title: str
    residents: int


class CommunityNeedsMerged(IntegrationEvent):
    """The street merged community needs into one demand whose purchaser is the street office
    (`<street>JDB`); the demand keeps the link to the needs it came from."""

    routing_key: ClassVar[str] = "procurement.community_needs_merged.v1"
    demand_id: UUID
    demand_ref: str
    street_code: str
    purchaser: Purchaser
    title: str
    budget_cny: MoneyCNY
    needs: list[MergedNeed] = Field(default_factory=list)
    merged_on: date


class CommunityNeedPassed(IntegrationEvent):
    """The street passed a community need to a public-welfare claiming edition (公益认领): venture
    publishes it there as an item."""

    routing_key: ClassVar[str] = "procurement.community_need_passed.v1"
    need_id: UUID
    edition_id: UUID
    street_code: str
    community: str
    community_ref: str
    title: str
    description: str
    residents: int
    domain: Domain
    passed_on: date
