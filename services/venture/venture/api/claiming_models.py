"""Request bodies of public-welfare claiming (422 naming the field, in Chinese)."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID, uuid4

from pydantic import Field, field_validator

from shared.auth import Principal
from shared.reference import STREETS, Domain
from venture.api.models import Body
from venture.domain.claiming import Edition, Item, NeedKind


def _known_street(value: str) -> str:
    if value not in STREETS:
        raise ValueError("未知的街道代码：须是东城区 17 个街道的代码之一")
    return value


class EditionIn(Body):
    number: int = Field(ge=1, le=1000, description="the edition's number in its community (第几届)")
    title: str = Field(min_length=1, max_length=200)
    street_code: str
    community: str = Field(min_length=1, max_length=100)
    organiser_org_id: UUID | None = Field(default=None, description="the organising organisation; an org: itself")
    organiser_name: str = Field(default="", max_length=200, description="when no organisation organises it")
    opens_on: date
    closes_on: date

    _street = field_validator("street_code")(_known_street)

    def to_edition(self, p: Principal) -> Edition:
        return Edition(
            id=uuid4(),
            number=self.number,
            title=self.title,
            street_code=self.street_code,
            community=self.community,
            organiser_org_id=self.organiser_org_id,
            organiser_name=self.organiser_name or f"{self.community}社区居委会",
            opens_on=self.opens_on,
            closes_on=self.closes_on,
            created_by=p.sub,
        )


class ItemIn(Body):
    title: str = Field(min_length=1, max_length=200)
    need: str = Field(min_length=1, max_length=4000, description="the problem or need, in the residents' words")
    category: Domain
    community: str = Field(min_length=1, max_length=100)
    beneficiaries_expected: int = Field(ge=0, le=1_000_000)
    needs: list[NeedKind] = Field(min_length=1, max_length=4, description="money, goods, volunteer hours, skills")
    shares: int = Field(default=1, ge=1, le=1000, description="how many partial claims cover it (1: one claimer)")

    def to_item(self, edition_id: UUID) -> Item:
        return Item(
            id=uuid4(),
            edition_id=edition_id,
            title=self.title,
            need=self.need,
            category=self.category.value,
            community=self.community,
            beneficiaries_expected=self.beneficiaries_expected,
            needs=sorted({n.value for n in self.needs}),
            shares=self.shares,
        )


class AccountClaimIn(Body):
    kind: Literal["org", "party_branch"] = "org"
    org_id: UUID | None = Field(default=None, description="the claiming organisation; defaults to the caller's")
    shares: int = Field(default=1, ge=1, le=1000)
    note: str = Field(default="", max_length=2000)


class PublicClaimIn(Body):
    kind: Literal["party_member", "resident"]
    name: str = Field(min_length=1, max_length=50)
    phone: str = Field(min_length=1, max_length=30, description="a mainland mobile number; never shown publicly")
    shares: int = Field(default=1, ge=1, le=1000)
    note: str = Field(default="", max_length=2000)


class DeclineIn(Body):
    reason: str = Field(min_length=1, max_length=2000)


class CompletionIn(Body):
    delivered: str = Field(min_length=1, max_length=4000, description="what was delivered")
    person_times: int = Field(ge=0, le=10_000_000, description="residents served, in person-times (人次)")
    report_ref: str | None = Field(default=None, max_length=500, description="a photo or report reference")
