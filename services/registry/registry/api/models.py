"""Request and response bodies of the registry's HTTP API (pydantic v2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from registry.domain.organisation import Filing, Graduation, ProfileChanges, Registration
from registry.domain.party_depth import BranchForm
from shared.contracts.registry import AllianceCategory, Contact, OrgSnapshot
from shared.inputs import InputModel
from shared.reference import Domain, OrgType


class _In(InputModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ContactIn(_In):
    """Where notices go; every field optional."""

    name: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    webhook_url: str | None = Field(default=None, max_length=500)

    def to_contact(self) -> Contact:
        return Contact(**self.model_dump())


class OverrideIn(_In):
    """A district admin vouches for a legal pilot-era code that fails the checksum."""

    reason: str = Field(min_length=4, max_length=1000)


class RegisterIn(_In):
    name: str = Field(min_length=1, max_length=200)
    org_type: OrgType
    credit_code: str = Field(min_length=1, max_length=40)
    registered_on: date
    street_code: str | None = None
    platform_code: str | None = None
    domains: list[Domain] = Field(default_factory=list, max_length=11)
    is_support_org: bool = False
    contact: ContactIn = Field(default_factory=ContactIn)
    checksum_override: OverrideIn | None = None

    def command(self) -> Registration:
        return Registration(
            name=self.name,
            org_type=self.org_type,
            credit_code=self.credit_code,
            registered_on=self.registered_on,
            street_code=self.street_code,
            platform_code=self.platform_code,
            domains=tuple(self.domains),
            is_support_org=self.is_support_org,
            contact=self.contact.to_contact(),
            override_reason=None if self.checksum_override is None else self.checksum_override.reason,
        )


class FileIn(_In):
    name: str = Field(min_length=1, max_length=200)
    street_code: str
    community: str = Field(min_length=1, max_length=100)
    filed_on: date
    platform_code: str | None = None
    sponsor_org_id: UUID | None = None
    domains: list[Domain] = Field(default_factory=list, max_length=11)
    contact: ContactIn = Field(default_factory=ContactIn)

    def command(self) -> Filing:
        return Filing(
            name=self.name,
            street_code=self.street_code,
            community=self.community,
            filed_on=self.filed_on,
            platform_code=self.platform_code,
            sponsor_org_id=self.sponsor_org_id,
            domains=tuple(self.domains),
            contact=self.contact.to_contact(),
        )


class SponsorIn(_In):
    """The registered organisation a filed community group applies for funding through (支持单位)."""

    sponsor_org_id: UUID


class GraduateIn(_In):
    org_type: OrgType
    credit_code: str = Field(min_length=1, max_length=40)
    registered_on: date
    name: str | None = Field(default=None, min_length=1, max_length=200)
    platform_code: str | None = None
    checksum_override: OverrideIn | None = None

    def command(self) -> Graduation:
        return Graduation(
            org_type=self.org_type,
            credit_code=self.credit_code,
            registered_on=self.registered_on,
            name=self.name,
            platform_code=self.platform_code,
            override_reason=None if self.checksum_override is None else self.checksum_override.reason,
        )


class StatusIn(_In):
    reason: str = Field(min_length=1, max_length=1000)
    effective_on: date | None = None


class ProfileIn(_In):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    contact: ContactIn | None = None
    domains: list[Domain] | None = Field(default=None, max_length=11)
    is_support_org: bool | None = None

    def changes(self) -> ProfileChanges:
        return ProfileChanges(
            name=self.name,
            contact=None if self.contact is None else self.contact.to_contact(),
            domains=None if self.domains is None else tuple(self.domains),
            is_support_org=self.is_support_org,
        )


class CommunityPlatformIn(_In):
    street_code: str
    name: str = Field(min_length=1, max_length=100)


class BranchIn(_In):
    name: str = Field(min_length=1, max_length=200)
    formed_on: date
    street_code: str | None = None
    org_ids: list[UUID] = Field(default_factory=list, max_length=5000)
    form: BranchForm = BranchForm.JOINT


class AttachIn(_In):
    org_ids: list[UUID] = Field(min_length=1, max_length=5000)
    attached_on: date | None = None


class AllianceIn(_In):
    org_id: UUID
    category: AllianceCategory
    joined_on: date | None = None


class OrgOut(OrgSnapshot):
    """An organisation with its registry-only fields and its open identifier."""

    contact: Contact | None = Field(  # type: ignore[assignment]
        default=None,
        description="Where notices go; null when the caller may not see it (only district admins, the org "
        "itself and the officer of its street may)",
    )
    deregistered_on: date | None = None
    status_reason: str | None = None
    identifier: str = Field(description="CN-USCI-<code> for registered orgs, the internal id for filed ones")


class HistoryOut(BaseModel):
    version: int
    kind: str
    event_id: UUID
    occurred_at: datetime
    actor: str | None
    detail: dict[str, Any]


class OrgProfileOut(BaseModel):
    org: OrgOut
    history: list[HistoryOut]
    checksum_overrides: list[dict[str, Any]]
    party_branch_id: UUID | None
    alliance: dict[str, Any] | None
    grants: list[dict[str, Any]]
    contracts: list[dict[str, Any]]
    support_totals: dict[str, Any]


class OrgPage(InputModel):
    items: list[OrgOut]
    total: int
    page: int
    page_size: int


class PlatformOut(BaseModel):
    code: str
    level: str
    name: str
    street_code: str | None
    parent_code: str | None
