"""Events the registry publishes: organisations, platforms, party branches, the support alliance.

Every organisation event carries the organisation's full snapshot with a version that grows
with each change, so a consumer keeps a read model correct whatever order events arrive in:
apply a snapshot only when its version is newer than the stored one.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from shared.contracts.base import ContractModel, IntegrationEvent, MoneyCNY
from shared.reference import Domain, OrgStatus, OrgType, PlatformLevel


class Contact(ContractModel):
    """Where notices for an organisation go."""

    name: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    webhook_url: str | None = Field(default=None, max_length=500)


class OrgSnapshot(ContractModel):
    """An organisation as the registry knows it after the change that carries it."""

    org_id: UUID
    version: int = Field(ge=1)
    name: str
    org_type: OrgType
    status: OrgStatus
    credit_code: str | None = None
    street_code: str | None = None
    community: str | None = None
    platform_code: str | None = None
    sponsor_org_id: UUID | None = None
    domains: list[Domain] = Field(default_factory=list)
    is_support_org: bool = False
    contact: Contact = Field(default_factory=Contact)
    registered_on: date | None = None
    filed_on: date | None = None


class OrgRegistered(IntegrationEvent):
    """A registered organisation (社团, 民非, 基金会) with its credit code entered the registry."""

    routing_key: ClassVar[str] = "registry.org_registered.v1"
    org: OrgSnapshot
    graduated_from_filing: bool = False


class OrgFiled(IntegrationEvent):
    """A community social organisation was filed (备案) with its street; it has no credit code."""

    routing_key: ClassVar[str] = "registry.org_filed.v1"
    org: OrgSnapshot


class OrgGraduated(IntegrationEvent):
    """A filed community organisation registered: same org_id, now with a credit code."""

    routing_key: ClassVar[str] = "registry.org_graduated.v1"
    org: OrgSnapshot
    filed_on: date | None = None
    registered_on: date


class OrgStatusChanged(IntegrationEvent):
    """An organisation was suspended, reinstated or deregistered, with the reason."""

    routing_key: ClassVar[str] = "registry.org_status_changed.v1"
    org: OrgSnapshot
    old_status: OrgStatus
    new_status: OrgStatus
    reason: str


class OrgProfileUpdated(IntegrationEvent):
    """An organisation's profile changed: contacts, domains, support-org flag, name."""

    routing_key: ClassVar[str] = "registry.org_profile_updated.v1"
    org: OrgSnapshot
    changed_fields: list[str] = Field(default_factory=list)


class PlatformEstablished(IntegrationEvent):
    """A platform of the "one centre, many bases" system exists (district, street or community)."""

    routing_key: ClassVar[str] = "registry.platform_established.v1"
    platform_code: str
    level: PlatformLevel
    name: str
    street_code: str | None = None
    parent_code: str | None = None


class PartyBranchFormed(IntegrationEvent):
    """A (functional) party branch was formed covering some organisations."""

    routing_key: ClassVar[str] = "registry.party_branch_formed.v1"
    branch_id: UUID
    name: str
    org_ids: list[UUID] = Field(default_factory=list)
    formed_on: date


class PartyBranchOrgsAttached(IntegrationEvent):
    """Organisations were attached to an existing party branch (organisation coverage grew)."""

    routing_key: ClassVar[str] = "registry.party_branch_orgs_attached.v1"
    branch_id: UUID
    name: str
    org_ids: list[UUID] = Field(default_factory=list)
    attached_on: date


class AllianceCategory(StrEnum):
    """The nine categories of the support alliance (创益汇公益资源联合体)."""

    STARTUP_MENTORING = "startup_mentoring"
    LEGAL = "legal"
    FINANCE = "finance"
    FUNDRAISING = "fundraising"
    BRAND = "brand"
    IT = "it"
    PARTY_BUILDING = "party_building"
    PSYCHOLOGY = "psychology"
    OTHER = "other"


ALLIANCE_CATEGORY_NAMES: dict[str, str] = {
    "startup_mentoring": "创业指导",
    "legal": "法律",
    "finance": "财务",
    "fundraising": "筹资",
    "brand": "品牌传播",
    "it": "信息技术",
    "party_building": "党建",
    "psychology": "心理",
    "other": "其他",
}


class AllianceMemberJoined(IntegrationEvent):
    """An organisation joined the support alliance in one of its nine categories."""

    routing_key: ClassVar[str] = "registry.alliance_member_joined.v1"
    org_id: UUID
    org_name: str
    category: AllianceCategory
    joined_on: date


# --- Talent cultivation (人才培养) -----------------------------------------------------------
# No event carries a trainee's name or phone: people are personal data the registry serves to
# staff only; events say which organisations are concerned and how many.


class TalentProgrammeOpened(IntegrationEvent):
    """A talent programme (人才培养计划) at the district, a street or a community level was opened,
    taught by a commissioned organisation (`agency_org_id`, e.g. a social-work agency)."""

    routing_key: ClassVar[str] = "registry.talent_programme_opened.v1"
    programme_id: UUID
    name: str
    year: int
    level: PlatformLevel
    street_code: str | None = None
    theme: str
    agency_org_id: UUID
    agency_name: str


class TalentCertificatesIssued(IntegrationEvent):
    """Certificates were issued to the people who completed a programme; `org_ids` are the
    organisations those people serve (each once), `count` how many certificates were issued."""

    routing_key: ClassVar[str] = "registry.talent_certificates_issued.v1"
    programme_id: UUID
    programme_name: str
    issued_on: date
    count: int = Field(ge=1)
    org_ids: list[UUID] = Field(default_factory=list)


class WorkshopCohortFormed(IntegrationEvent):
    """A cohort of (start-up) organisations began a closed workshop (封闭式工作坊)."""

    routing_key: ClassVar[str] = "registry.workshop_cohort_formed.v1"
    cohort_id: UUID
    name: str
    year: int
    starts_on: date
    org_ids: list[UUID] = Field(default_factory=list)


class CoachingSessionRecorded(IntegrationEvent):
    """A one-to-one coaching session (一对一指导) of a cohort's organisation by an alliance member
    was recorded (the notes stay in the registry: staff and the organisation read them there)."""

    routing_key: ClassVar[str] = "registry.coaching_session_recorded.v1"
    coaching_id: UUID
    cohort_id: UUID
    org_id: UUID
    coach_org_id: UUID
    held_on: date
    topic: str


class BrandProjectRecognised(IntegrationEvent):
    """The centre recognised an organisation's project as a brand project (品牌项目)."""

    routing_key: ClassVar[str] = "registry.brand_project_recognised.v1"
    brand_id: UUID
    org_id: UUID
    org_name: str
    title: str
    recognised_on: date
    cohort_id: UUID | None = None


# --- Party building in depth (党建) ------------------------------------------------------------


class PartyBranchMerged(IntegrationEvent):
    """A party branch was merged into another; its organisations (`org_ids`) moved there."""

    routing_key: ClassVar[str] = "registry.party_branch_merged.v1"
    branch_id: UUID
    name: str
    into_branch_id: UUID
    into_name: str
    org_ids: list[UUID] = Field(default_factory=list)
    merged_on: date


class PartyBranchDissolved(IntegrationEvent):
    """A party branch was dissolved; its organisations (`org_ids`) are in no branch now."""

    routing_key: ClassVar[str] = "registry.party_branch_dissolved.v1"
    branch_id: UUID
    name: str
    org_ids: list[UUID] = Field(default_factory=list)
    dissolved_on: date
    reason: str


class PartyCensusRecorded(IntegrationEvent):
    """An organisation's yearly party-member census (逐年摸排) was recorded or corrected.

    `branch_form` is 单独建/联合建/挂靠建/派驻建 (`single`/`joint`/`affiliated`/`dispatched`) or null
    when its members are in no branch; `reached` says an instructor or a liaison reaches it."""

    routing_key: ClassVar[str] = "registry.party_census_recorded.v1"
    org_id: UUID
    year: int
    street_code: str | None = None
    members: int = Field(ge=0)
    branch_form: str | None = None
    branch_id: UUID | None = None
    reached: bool = False
    corrected: bool = False


class PartyMemberReported(IntegrationEvent):
    """A party member employed by an organisation reported to a residential community (双报到).
    The member's name is not carried: the registry serves it to staff only."""

    routing_key: ClassVar[str] = "registry.party_member_reported.v1"
    report_id: UUID
    org_id: UUID
    street_code: str
    community: str
    reported_on: date


class BranchActivityRecorded(IntegrationEvent):
    """A party branch held a public-benefit activity (支部+公益+项目), optionally tied to a venture
    grant (`link_kind` `grant`, `link_ref` its grant_id), a procurement project (`procurement_project`,
    its project_id) or a claiming item (`claiming_item`, venture's item id)."""

    routing_key: ClassVar[str] = "registry.branch_activity_recorded.v1"
    activity_id: UUID
    branch_id: UUID
    held_on: date
    title: str
    participants: int = Field(ge=0)
    link_kind: str | None = None
    link_ref: UUID | None = None


# --- Free space and resource matching (场地 / 资源对接) ------------------------------------------


class SpaceBookingRequested(IntegrationEvent):
    """An organisation asked to use a room of a platform (`street_code` null: the district's) on a
    working day; the platform's staff approve or reject it."""

    routing_key: ClassVar[str] = "registry.space_booking_requested.v1"
    booking_id: UUID
    space_id: UUID
    space_name: str
    platform_code: str
    street_code: str | None = None
    org_id: UUID
    org_name: str
    booked_on: date
    starts_at: str = Field(pattern=r"^\d{2}:\d{2}$")
    ends_at: str = Field(pattern=r"^\d{2}:\d{2}$")
    purpose: str


class SpaceBookingDecided(IntegrationEvent):
    """A booking's status changed: `approved`, `rejected`, `cancelled` or `no_show`, with the reason."""

    routing_key: ClassVar[str] = "registry.space_booking_decided.v1"
    booking_id: UUID
    space_name: str
    street_code: str | None = None
    org_id: UUID
    booked_on: date
    starts_at: str = Field(pattern=r"^\d{2}:\d{2}$")
    ends_at: str = Field(pattern=r"^\d{2}:\d{2}$")
    status: str
    reason: str | None = None


class OfficeAllocated(IntegrationEvent):
    """An incubated organisation was given free office space at a platform from `starts_on` to `ends_on`."""

    routing_key: ClassVar[str] = "registry.office_allocated.v1"
    allocation_id: UUID
    space_id: UUID
    space_name: str
    street_code: str | None = None
    org_id: UUID
    starts_on: date
    ends_on: date


class OfficeVacated(IntegrationEvent):
    """An organisation left its incubation office (出壳), at the term's end or earlier, with the reason."""

    routing_key: ClassVar[str] = "registry.office_vacated.v1"
    allocation_id: UUID
    space_name: str
    street_code: str | None = None
    org_id: UUID
    ended_on: date
    reason: str


class ServiceOffered(IntegrationEvent):
    """An organisation listed a service it offers (服务清单): domain, streets served (empty: the
    whole district), audience, price (null: free)."""

    routing_key: ClassVar[str] = "registry.service_offered.v1"
    offer_id: UUID
    org_id: UUID
    title: str
    domain: Domain
    street_codes: list[str] = Field(default_factory=list)
    audience: str
    price_cny: MoneyCNY | None = None


class FairMatchAgreed(IntegrationEvent):
    """At a matchmaking fair (对接洽谈会), a match between an organisation's offer and a demander
    ended in an agreement."""

    routing_key: ClassVar[str] = "registry.fair_match_agreed.v1"
    match_id: UUID
    fair_id: UUID
    fair_name: str
    offer_id: UUID
    org_id: UUID
    org_name: str
    demander: str
    agreed_on: date
    amount_cny: MoneyCNY | None = None
