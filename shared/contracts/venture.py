"""Events venture publishes (venture philanthropy, 公益创投)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from shared.contracts.base import ContractModel, IntegrationEvent, MoneyCNY
from shared.reference import Domain


class TranchePlanItem(ContractModel):
    """One planned instalment (分期拨付) of a grant."""

    number: int
    percent: int
    amount_cny: MoneyCNY


class GrantAwarded(IntegrationEvent):
    """Venture committed a grant to an organisation's project after the public notice."""

    routing_key: ClassVar[str] = "venture.grant_awarded.v1"
    grant_id: UUID
    round_id: UUID
    round_number: int
    round_year: int
    application_id: UUID
    project_title: str
    org_id: UUID
    sponsor_org_id: UUID | None = None
    mentor_org_id: UUID | None = None
    amount_cny: MoneyCNY
    street_code: str | None = None
    domain: Domain
    awarded_on: date
    tranches: list[TranchePlanItem] = Field(default_factory=list)
    org_name: str | None = None
    applied_as: str | None = None


# --- added with the venture service (additive: GrantAwarded above is unchanged but for new defaults) ---


class RubricCriterion(ContractModel):
    """One weighted criterion of a round's review rubric."""

    key: str
    name: str
    weight: int


class RoundOpened(IntegrationEvent):
    """A venture-philanthropy round (届) opened its call for proposals (项目征集). `level` is
    district (the district's round) or street (a street's micro-venture round, 社区微创投, owned by
    `street_code` and run by its street officers)."""

    routing_key: ClassVar[str] = "venture.round_opened.v1"
    round_id: UUID
    number: int
    year: int
    title: str
    priority_domains: list[Domain] = Field(default_factory=list)
    focus: str | None = None
    total_budget_cny: MoneyCNY
    grant_cap_cny: MoneyCNY
    call_opens_on: date
    call_closes_on: date
    notice_workdays: int
    max_applications_per_org: int
    tranche_percents: list[int] = Field(default_factory=list)
    mentor_org_ids: list[UUID] = Field(default_factory=list)
    rubric: list[RubricCriterion] = Field(default_factory=list)
    level: str = "district"
    street_code: str | None = None


class CallClosed(IntegrationEvent):
    """A round stopped taking applications; screening and review follow."""

    routing_key: ClassVar[str] = "venture.call_closed.v1"
    round_id: UUID
    round_number: int
    closed_on: date
    applications: int


class ApplicationSubmitted(IntegrationEvent):
    """An organisation applied to a round (申报), in its own name or through a registered sponsor."""

    routing_key: ClassVar[str] = "venture.application_submitted.v1"
    application_id: UUID
    round_id: UUID
    round_number: int
    org_id: UUID
    org_name: str
    org_type: str
    sponsor_org_id: UUID | None = None
    project_title: str
    street_code: str
    community: str | None = None
    domain: Domain
    requested_cny: MoneyCNY
    submitted_on: date


class ApplicationScreened(IntegrationEvent):
    """An application passed or failed screening (初审), with the reason."""

    routing_key: ClassVar[str] = "venture.application_screened.v1"
    application_id: UUID
    round_id: UUID
    org_id: UUID
    sponsor_org_id: UUID | None = None
    project_title: str
    street_code: str
    passed: bool
    reason: str
    screened_on: date


class ReviewersAssigned(IntegrationEvent):
    """A reviewer was given applications to review; they must declare conflicts first."""

    routing_key: ClassVar[str] = "venture.reviewers_assigned.v1"
    round_id: UUID
    round_number: int
    reviewer: str
    application_ids: list[UUID]
    declare_conflicts_by: date | None = None


class ConflictDeclared(IntegrationEvent):
    """A reviewer declared conflicts of interest for a round (possibly none)."""

    routing_key: ClassVar[str] = "venture.conflict_declared.v1"
    round_id: UUID
    reviewer: str
    conflicted_org_ids: list[UUID] = Field(default_factory=list)
    conflicted_application_ids: list[UUID] = Field(default_factory=list)
    declared_on: date


class AnnouncedProject(ContractModel):
    """A project on the public notice of a round's results."""

    application_id: UUID
    project_title: str
    org_id: UUID
    org_name: str
    sponsor_org_id: UUID | None = None
    street_code: str
    domain: Domain
    amount_cny: MoneyCNY
    score: Decimal
    rank: int


class ResultsAnnounced(IntegrationEvent):
    """The round's selection went on public notice (立项公示); objections until the deadline."""

    routing_key: ClassVar[str] = "venture.results_announced.v1"
    round_id: UUID
    round_number: int
    round_year: int
    round_title: str
    notice_starts_on: date
    ends_on: date
    objection_deadline: date
    selected: list[AnnouncedProject] = Field(default_factory=list)
    not_selected_application_ids: list[UUID] = Field(default_factory=list)


class ObjectionFiled(IntegrationEvent):
    """Someone objected (异议) to a project on the public notice."""

    routing_key: ClassVar[str] = "venture.objection_filed.v1"
    objection_id: UUID
    round_id: UUID
    application_id: UUID
    project_title: str
    filed_by: str
    filed_by_org_id: UUID | None = None
    reason: str
    filed_on: date


class ObjectionResolved(IntegrationEvent):
    """The district resolved an objection; an upheld one takes the project off the selection."""

    routing_key: ClassVar[str] = "venture.objection_resolved.v1"
    objection_id: UUID
    round_id: UUID
    application_id: UUID
    filed_by_org_id: UUID | None = None
    upheld: bool
    resolution: str
    resolved_on: date


class TrancheDisbursed(IntegrationEvent):
    """A grant instalment was paid."""

    routing_key: ClassVar[str] = "venture.tranche_disbursed.v1"
    grant_id: UUID
    round_id: UUID
    org_id: UUID
    sponsor_org_id: UUID | None = None
    project_title: str
    street_code: str | None = None
    tranche_number: int
    tranche_count: int
    amount_cny: MoneyCNY
    disbursed_total_cny: MoneyCNY
    disbursed_on: date


class ReportDue(IntegrationEvent):
    """A progress report is due by a date (data notify reminds about, in working days)."""

    routing_key: ClassVar[str] = "venture.report_due.v1"
    grant_id: UUID
    org_id: UUID
    sponsor_org_id: UUID | None = None
    mentor_org_id: UUID | None = None
    project_title: str
    street_code: str | None = None
    tranche_number: int
    final: bool = False
    report_due_on: date


class ProgressReportSubmitted(IntegrationEvent):
    """An organisation submitted a progress report (进度报告) on a tranche."""

    routing_key: ClassVar[str] = "venture.progress_report_submitted.v1"
    report_id: UUID
    grant_id: UUID
    org_id: UUID
    mentor_org_id: UUID | None = None
    project_title: str
    tranche_number: int
    submitted_on: date


class ReportAccepted(IntegrationEvent):
    """The district accepted a progress report: the next tranche may be paid."""

    routing_key: ClassVar[str] = "venture.report_accepted.v1"
    report_id: UUID
    grant_id: UUID
    org_id: UUID
    sponsor_org_id: UUID | None = None
    project_title: str
    tranche_number: int
    note: str = ""
    decided_on: date


class ReportRejected(IntegrationEvent):
    """The district sent a progress report back; the organisation may resubmit."""

    routing_key: ClassVar[str] = "venture.report_rejected.v1"
    report_id: UUID
    grant_id: UUID
    org_id: UUID
    sponsor_org_id: UUID | None = None
    project_title: str
    tranche_number: int
    note: str
    decided_on: date


class EvaluationRecorded(IntegrationEvent):
    """A mid-term or final evaluation (中期/结项评估); a failed one withholds payment."""

    routing_key: ClassVar[str] = "venture.evaluation_recorded.v1"
    evaluation_id: UUID
    grant_id: UUID
    org_id: UUID
    project_title: str
    kind: str
    result: str
    note: str = ""
    payments_withheld: bool
    recorded_on: date


class FundsRecovered(IntegrationEvent):
    """After a severe evaluation failure the grant was terminated and paid funds reclaimed."""

    routing_key: ClassVar[str] = "venture.funds_recovered.v1"
    grant_id: UUID
    org_id: UUID
    sponsor_org_id: UUID | None = None
    project_title: str
    amount_cny: MoneyCNY
    reason: str
    recovered_on: date


class GrantCompleted(IntegrationEvent):
    """A grant finished (结项); the landing street takes over follow-up ("送一程")."""

    routing_key: ClassVar[str] = "venture.grant_completed.v1"
    grant_id: UUID
    round_id: UUID
    org_id: UUID
    sponsor_org_id: UUID | None = None
    project_title: str
    street_code: str | None = None
    disbursed_cny: MoneyCNY
    completed_on: date


class FollowupPledged(IntegrationEvent):
    """The landing street pledged follow-up support for a completed project (扶上马，送一程)."""

    routing_key: ClassVar[str] = "venture.followup_pledged.v1"
    grant_id: UUID
    org_id: UUID
    project_title: str
    street_code: str
    pledge: str
    pledged_by: str
    pledged_on: date


class IncubateeGraduated(IntegrationEvent):
    """A filed community group venture funded has since registered (备案 → 登记)."""

    routing_key: ClassVar[str] = "venture.incubatee_graduated.v1"
    org_id: UUID
    org_name: str
    credit_code: str | None = None
    street_code: str | None = None
    registered_on: date | None = None
    grant_ids: list[UUID] = Field(default_factory=list)
    round_numbers: list[int] = Field(default_factory=list)


class ApplicationWithdrawn(IntegrationEvent):
    """The applicant withdrew an application while the call was open."""

    routing_key: ClassVar[str] = "venture.application_withdrawn.v1"
    application_id: UUID
    round_id: UUID
    org_id: UUID
    sponsor_org_id: UUID | None = None
    project_title: str
    withdrawn_on: date


# --- public-welfare claiming (公益认领, issue 17) ---


class ClaimEditionOpened(IntegrationEvent):
    """An edition (届) of public-welfare claiming opened in a community, organised by an
    organisation or the community platform."""

    routing_key: ClassVar[str] = "venture.claim_edition_opened.v1"
    edition_id: UUID
    number: int
    title: str
    street_code: str
    community: str
    organiser_org_id: UUID | None = None
    organiser_name: str
    opens_on: date
    closes_on: date


class ClaimItemPublished(IntegrationEvent):
    """An item (微心愿 / micro-project) was put up for claiming in an edition."""

    routing_key: ClassVar[str] = "venture.claim_item_published.v1"
    item_id: UUID
    edition_id: UUID
    title: str
    category: Domain
    street_code: str
    community: str
    beneficiaries_expected: int
    needs: list[str] = Field(default_factory=list)
    shares: int


class ItemClaimed(IntegrationEvent):
    """Someone claimed (part of) an item; the organiser confirms or declines. `claimer_kind` is
    party_branch | org (through an organisation's account) or party_member | resident (through the
    public page; their phone number is never in an event)."""

    routing_key: ClassVar[str] = "venture.item_claimed.v1"
    claim_id: UUID
    item_id: UUID
    edition_id: UUID
    item_title: str
    claimer_kind: str
    claimer_name: str
    claimer_org_id: UUID | None = None
    shares: int
    organiser_org_id: UUID | None = None
    street_code: str
    community: str
    claimed_on: date


class ClaimConfirmed(IntegrationEvent):
    """The organiser confirmed a claim; `item_covered` when confirmed claims now cover the item."""

    routing_key: ClassVar[str] = "venture.claim_confirmed.v1"
    claim_id: UUID
    item_id: UUID
    edition_id: UUID
    item_title: str
    claimer_kind: str
    claimer_name: str
    claimer_org_id: UUID | None = None
    shares: int
    item_covered: bool
    street_code: str
    confirmed_on: date


class ClaimDeclined(IntegrationEvent):
    """The organiser declined a claim, with the reason; its shares are free again."""

    routing_key: ClassVar[str] = "venture.claim_declined.v1"
    claim_id: UUID
    item_id: UUID
    edition_id: UUID
    item_title: str
    claimer_kind: str
    claimer_name: str
    claimer_org_id: UUID | None = None
    reason: str
    street_code: str
    declined_on: date


class ItemCompleted(IntegrationEvent):
    """A claimed item was delivered: what was delivered and the person-times (人次) served.
    `claimer_org_ids` are the organisations whose confirmed claims it had (in their own name or
    their party branch's); `branch_claimer_org_ids` those whose party branches claimed it (支部+公益+项目)."""

    routing_key: ClassVar[str] = "venture.item_completed.v1"
    item_id: UUID
    edition_id: UUID
    item_title: str
    street_code: str
    community: str
    organiser_org_id: UUID | None = None
    delivered: str
    person_times: int
    report_ref: str | None = None
    claimer_org_ids: list[UUID] = Field(default_factory=list)
    branch_claimer_org_ids: list[UUID] = Field(default_factory=list)
    completed_on: date


# --- street micro-venture: proposal contests (提案大赛, issue 17) ---


class ContestWinner(ContractModel):
    """A winning proposal and the micro-venture application it became."""

    proposal_id: UUID
    title: str
    org_id: UUID
    application_id: UUID
    panel_mean: Decimal
    votes: int
    result: Decimal


class ProposalContestClosed(IntegrationEvent):
    """A street's proposal contest closed: the panel's and the audience's results were combined
    and the winners became applications in the street's micro-venture round."""

    routing_key: ClassVar[str] = "venture.proposal_contest_closed.v1"
    contest_id: UUID
    round_id: UUID
    street_code: str
    title: str
    proposals: int
    votes: int
    winners: list[ContestWinner] = Field(default_factory=list)
